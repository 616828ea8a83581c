"""xAPI: a statement is queued for each released piece of evidence and sent once.

The statements go to a real learning record store, ralph, started for each
test by the ``lrs`` fixture (tests/assessments/lrs.py), and are read back
from it through its own xAPI statements resource.
"""

from __future__ import annotations

import logging
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.competency_services import evidence_record
from assessments.models import Evidence, XapiStatement
from assessments.tasks import xapi_statements_send
from assessments.xapi import LrsError, statements_post
from tests.assessments.competency_helpers import competent, framework, member
from tests.assessments.lrs import Lrs

pytestmark = pytest.mark.django_db

DAY = date(2026, 1, 5)


def send() -> int:
    return xapi_statements_send.enqueue().return_value


def three_results() -> dict[str, Evidence]:
    """A workbook completion, a quiz result and a conference outcome for amira."""
    amira = member("amira", None)
    outcome = framework()
    common = {"user": amira, "occurred_on": DAY, "competencies": [outcome]}
    return {
        "completion": evidence_record(
            kind="workbook_chapter",
            title="Workbook chapter: Continuum of need",
            source_ref="chapter:12:2026-01-05",
            **common,
        ),
        "quiz": evidence_record(
            kind="quiz_passed",
            title="Quiz passed in 'Continuum of need'",
            source_ref="quiz:12:need-quiz:2026-01-05",
            score_percent=75,
            **common,
        ),
        "conference": evidence_record(
            kind="conference_played",
            title="Conference played: Initial child protection conference",
            source_ref="room:7",
            score_percent=55,
            detail={"role": "chair"},
            **common,
        ),
    }


def test_released_evidence_is_queued_with_a_statement() -> None:
    amira = member("amira", None)
    competent(amira, framework(), DAY)
    queued = list(XapiStatement.objects.all())
    assert len(queued) == 4
    verbs = {q.statement["verb"]["display"]["en-GB"] for q in queued}
    assert verbs == {"completed", "mastered", "attended"}
    played = next(q.statement for q in queued if "conference_played" in q.statement["object"]["id"])
    assert played["actor"]["account"]["name"] == "amira"
    assert "mbox" not in played["actor"]
    assert played["result"] == {"score": {"scaled": 0.8}, "success": True}


def test_a_completion_a_quiz_result_and_a_conference_outcome_are_held_by_the_lrs(
    lrs: Lrs,
) -> None:
    evidence = three_results()
    assert send() == 3
    assert not XapiStatement.objects.filter(sent_at__isnull=True).exists()

    held = {}
    for name, row in evidence.items():
        queued = XapiStatement.objects.get(evidence=row)
        stored = lrs.statement(str(queued.statement_id))
        assert stored is not None, name
        for part in ("actor", "verb", "object", "timestamp", "context"):
            assert stored[part] == queued.statement[part], (name, part)
        assert stored["actor"]["account"]["name"] == "amira"
        assert stored["authority"]["account"]["name"] == lrs.credentials.username
        held[name] = stored

    assert held["completion"]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    assert "result" not in held["completion"]
    assert held["completion"]["object"]["id"].endswith("/workbook_chapter/chapter/12/2026-01-05")
    assert held["quiz"]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/passed"
    assert held["quiz"]["result"] == {"score": {"scaled": 0.75}, "success": True}
    assert held["conference"]["verb"]["id"] == "http://adlnet.gov/expapi/verbs/completed"
    # 55% is under the conference pass mark (60%): played, not passed.
    assert held["conference"]["result"] == {"score": {"scaled": 0.55}, "success": False}
    roles = [v for k, v in held["conference"]["context"]["extensions"].items() if "role" in k]
    assert roles == ["chair"]
    assert len(lrs.statements()) == 3


def test_sending_again_never_stores_twice(lrs: Lrs) -> None:
    three_results()
    assert send() == 3
    assert send() == 0
    # The store took them but the acknowledgement was lost: all are sent again,
    # with one that it has never seen.
    XapiStatement.objects.update(sent_at=None)
    evidence_record(
        user=member("bea", None),
        kind="workbook_chapter",
        title="Workbook chapter: Thresholds",
        occurred_on=DAY,
        competencies=[],
        source_ref="chapter:13:2026-01-05",
    )
    assert send() == 4
    held = [s["id"] for s in lrs.statements()]
    assert len(held) == 4
    assert set(held) == {str(q.statement_id) for q in XapiStatement.objects.all()}


def test_statements_wait_while_the_lrs_is_down_and_go_when_it_is_back(
    lrs: Lrs, caplog: pytest.LogCaptureFixture
) -> None:
    three_results()
    lrs.stop()
    with caplog.at_level(logging.WARNING, logger="assessments.xapi"):
        assert send() == 0
    waiting = XapiStatement.objects.filter(sent_at__isnull=True)
    assert waiting.count() == 3
    for queued in waiting:
        assert queued.attempts == 1
        assert queued.last_error.startswith(f"The learning record store at {lrs.endpoint}")
        assert "could not be reached" in queued.last_error
    assert "3 xAPI statements not sent" in caplog.text

    lrs.start()
    assert send() == 3
    assert not XapiStatement.objects.filter(sent_at__isnull=True).exists()
    assert set(XapiStatement.objects.values_list("last_error", flat=True)) == {""}
    assert len(lrs.statements()) == 3


def test_wrong_credentials_are_a_clear_error_and_nothing_is_marked_sent(
    lrs: Lrs, settings, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    three_results()
    settings.THRESHOLD_XAPI_PASSWORD = "not-the-password"
    with caplog.at_level(logging.WARNING, logger="assessments.xapi"):
        assert send() == 0
    assert XapiStatement.objects.filter(sent_at__isnull=True, attempts=1).count() == 3
    error = XapiStatement.objects.first().last_error  # type: ignore[union-attr]
    assert error == (
        "The learning record store refused the credentials of 'threshold' "
        "(401: Invalid authentication credentials); "
        "check THRESHOLD_XAPI_USERNAME and THRESHOLD_XAPI_PASSWORD."
    )
    assert error in caplog.text
    assert lrs.statements() == []

    settings.THRESHOLD_XAPI_PASSWORD = lrs.credentials.password
    assert send() == 3


def test_a_statement_the_lrs_refuses_holds_up_no_other(lrs: Lrs) -> None:
    evidence = three_results()
    broken = XapiStatement.objects.get(evidence=evidence["quiz"])
    broken.statement["actor"] = {"name": "Nobody in particular"}  # no identifier
    broken.save()
    # The store already holds other content under the conference's id.
    taken = XapiStatement.objects.get(evidence=evidence["conference"])
    other = {**taken.statement, "verb": {"id": "http://adlnet.gov/expapi/verbs/failed"}}
    statements_post(lrs.endpoint, [other])

    assert send() == 2
    broken.refresh_from_db()
    assert broken.sent_at is None and broken.attempts == 1
    assert broken.failed_at is not None
    assert broken.last_error.startswith("The learning record store rejected the statements (422")
    # Refused for what it holds, it is not sent again.
    assert send() == 0
    broken.refresh_from_db()
    assert broken.attempts == 1
    taken.refresh_from_db()
    assert taken.sent_at is not None
    assert "holds other content under this statement id" in taken.last_error
    assert lrs.statement(str(taken.statement_id))["verb"]["id"].endswith("/failed")  # type: ignore[index]
    assert lrs.statement(str(broken.statement_id)) is None
    assert len(lrs.statements()) == 2


def test_an_address_without_a_statements_resource_is_a_clear_error(lrs: Lrs, settings) -> None:  # type: ignore[no-untyped-def]
    three_results()
    settings.THRESHOLD_XAPI_ENDPOINT = f"http://127.0.0.1:{lrs.port}/lrs"
    assert send() == 0
    assert XapiStatement.objects.filter(sent_at__isnull=True, attempts=1).count() == 3
    assert XapiStatement.objects.first().last_error == (  # type: ignore[union-attr]
        f"There is no xAPI statements resource at http://127.0.0.1:{lrs.port}/lrs/statements "
        "(404: Not Found); check THRESHOLD_XAPI_ENDPOINT."
    )
    assert lrs.statements() == []


def test_a_redirect_is_reported_not_followed(lrs: Lrs, settings) -> None:  # type: ignore[no-untyped-def]
    """urllib would follow a redirect of a POST with a GET, which sends nothing."""

    class Moved(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.send_response(301)
            self.send_header("Location", f"{lrs.endpoint}/statements")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    proxy = HTTPServer(("127.0.0.1", 0), Moved)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        three_results()
        settings.THRESHOLD_XAPI_ENDPOINT = f"http://127.0.0.1:{proxy.server_port}/xAPI"
        assert send() == 0
    finally:
        proxy.shutdown()
        proxy.server_close()
    assert XapiStatement.objects.filter(sent_at__isnull=True, attempts=1).count() == 3
    assert XapiStatement.objects.first().last_error == (  # type: ignore[union-attr]
        f"The learning record store redirects (301) to {lrs.endpoint}/statements: "
        "set THRESHOLD_XAPI_ENDPOINT to the address it redirects to."
    )
    assert lrs.statements() == []


def test_an_endpoint_that_is_not_http_is_refused_before_sending(settings) -> None:  # type: ignore[no-untyped-def]
    three_results()
    settings.THRESHOLD_XAPI_ENDPOINT = "file:///etc/passwd"
    assert send() == 0
    error = XapiStatement.objects.first().last_error  # type: ignore[union-attr]
    assert error == "THRESHOLD_XAPI_ENDPOINT must be an http(s) address, not 'file:///etc/passwd'."
    with pytest.raises(LrsError):
        statements_post("ftp://lrs.example/xAPI", [])


def test_the_command_sends_to_the_lrs(lrs: Lrs) -> None:
    three_results()
    out = StringIO()
    call_command("send_xapi_statements", stdout=out)
    assert "3 statements queued for sending" in out.getvalue()
    assert len(lrs.statements()) == 3


def test_the_command_says_when_no_store_is_configured(settings) -> None:  # type: ignore[no-untyped-def]
    settings.THRESHOLD_XAPI_ENDPOINT = ""
    out = StringIO()
    call_command("send_xapi_statements", stdout=out)
    assert "THRESHOLD_XAPI_ENDPOINT is not set" in out.getvalue()


def test_a_refused_statement_is_shown_to_staff(lrs: Lrs, admin_client) -> None:  # type: ignore[no-untyped-def]
    evidence = three_results()
    broken = XapiStatement.objects.get(evidence=evidence["quiz"])
    broken.statement["actor"] = {"name": "Nobody in particular"}
    broken.save()
    send()
    out = StringIO()
    call_command("send_xapi_statements", stdout=out)
    assert "1 statements were refused by the store" in out.getvalue()
    assert "0 statements queued for sending" in out.getvalue()
    page = admin_client.get("/django-admin/assessments/xapistatement/", {"state": "failed"})
    html = page.content.decode()
    assert page.status_code == 200
    assert str(broken.statement_id) in html
    assert "rejected the statements (422" in html
    assert str(XapiStatement.objects.get(evidence=evidence["completion"]).statement_id) not in html


def test_a_statement_keeps_its_id_from_queueing_to_every_retry(lrs: Lrs) -> None:
    """The statement is stored whole when queued; a retry sends exactly that."""
    evidence = three_results()
    queued = {q.pk: q.statement["id"] for q in XapiStatement.objects.all()}
    lrs.stop()
    send()
    send()
    lrs.start()
    assert send() == 3
    assert {q.pk: q.statement["id"] for q in XapiStatement.objects.all()} == queued
    assert sorted(s["id"] for s in lrs.statements()) == sorted(queued.values())
    assert str(XapiStatement.objects.get(evidence=evidence["quiz"]).statement_id) in queued.values()
