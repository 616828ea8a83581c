"""Workbook answers refuse real-looking identifiers: nothing is saved, the delegate is told why."""

from __future__ import annotations

import pytest

from assessments.models import WorkbookAnswer
from assessments.services import RealIdentifierRefused, answer_save
from tests.assessments.test_workbook_views import amira, autosave, book  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_report_statement_with_an_nhs_number_is_refused_and_not_saved(book, amira) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    autosave(amira, book["second"], "report", {"f-about-agency": "Housing"})
    before = WorkbookAnswer.objects.get(user=amira.user)
    response = autosave(
        amira,
        book["second"],
        "report",
        {
            "f-about-agency": "Housing",
            "s-worries-count": "1",
            "s-worries-0-text": "GP record for NHS 943 476 5919 shows missed checks.",
            "s-worries-0-tag": "fact",
        },
    )
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 422
    assert (
        "What are we worried about?: statement 1' contains what looks like a real NHS number"
        in html
    )
    after = WorkbookAnswer.objects.get(user=amira.user)
    assert (after.revision, after.value) == (before.revision, before.value)


def test_the_same_identifier_in_two_statements_is_named_in_each(book, amira) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    text = "GP record for NHS 943 476 5919 shows missed checks."
    response = autosave(
        amira,
        book["second"],
        "report",
        {
            "f-about-agency": "Housing",
            "s-worries-count": "2",
            "s-worries-0-text": text,
            "s-worries-0-tag": "fact",
            "s-worries-1-text": text,
            "s-worries-1-tag": "fact",
        },
    )
    html = response.content.decode().replace("&#x27;", "'")
    assert response.status_code == 422
    for number in (1, 2):
        assert f"What are we worried about?: statement {number}' contains" in html


def test_a_written_answer_with_an_email_address_is_refused(book, amira) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    response = autosave(
        amira,
        book["first"],
        "scenario",
        {"answer-scenario-q-1": "Ask mum at jo.bloggs@gmail.com"},
    )
    assert response.status_code == 422
    assert "real e-mail address" in response.content.decode()
    assert not WorkbookAnswer.objects.filter(user=amira.user).exists()


@pytest.mark.parametrize(
    "text",
    [
        "Mum's mobile is 07700 900417; Jayden is 4.",
        # THRESHOLD_IDENTIFIER_ALLOWLIST, as scan_identifiers accepts it
        "Ask SafeguardingTraining@gov.je for the form.",
    ],
)
def test_invented_details_and_allowlisted_contacts_save(book, amira, settings, text) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    settings.THRESHOLD_IDENTIFIER_ALLOWLIST = ["safeguardingtraining@gov.je"]
    response = autosave(amira, book["first"], "scenario", {"answer-scenario-q-1": text})
    assert response.status_code == 200
    assert WorkbookAnswer.objects.filter(user=amira.user).exists()


def test_the_service_refuses_whatever_the_caller(book, amira) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """A table cell (not labelled by the form) is refused by the service, naming the field."""
    with pytest.raises(RealIdentifierRefused) as refused:
        answer_save(
            user=amira.user,
            page=book["second"],
            block_id="report",
            kind="report",
            value={"tables": {"plan": [{"who": "Dr Le Sueur, DOB 01/02/1970"}]}},
            structure="s",
            client_structure="s",
            client_revision=0,
        )
    assert "The answer field 'tables.plan[0].who'" in refused.value.problems[0]
    assert "date of birth" in refused.value.problems[0]
    assert not WorkbookAnswer.objects.exists()


def test_a_refused_answer_is_scanned_once(book, amira, monkeypatch) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The view names the refused field without running the detector again."""
    from simulations.engine import identifiers

    scanned: list[str] = []
    detect = identifiers.find_identifiers

    def counting(text: str, **kwargs):  # type: ignore[no-untyped-def]
        scanned.append(text)
        return detect(text, **kwargs)

    monkeypatch.setattr(identifiers, "find_identifiers", counting)
    text = "Ask mum at jo.bloggs@gmail.com"
    response = autosave(amira, book["first"], "scenario", {"answer-scenario-q-1": text})
    assert response.status_code == 422
    assert "real e-mail address" in response.content.decode()
    assert scanned.count(text) == 1
