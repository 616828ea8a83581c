"""The marking queue and page: who may use them, forms, refusals, the delegate's view."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import CriterionMark, MarkingStatus, RubricCriterion, RubricLevel
from tests.assessments.marking_helpers import hand_in, trainer
from tests.assessments.test_workbook_helpers import (
    PASSWORD,
    guidance_scheme,
    person,
    small_workbook,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    with guidance_scheme():
        workbook, _, chapter = small_workbook()
        amira = person("amira")
        submission = hand_in(amira, workbook, chapter)
        yield workbook, submission, amira, trainer("tess"), trainer("tom")


def client_for(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def rubric_post(
    submission, *, action: str = "mark", order: int = 3, **extra: str
) -> dict[str, str]:  # type: ignore[no-untyped-def]
    level = RubricLevel.objects.get(rubric=submission.rubric, order=order)
    data = {"action": action, "overall_comment": "Well structured."}
    for criterion in RubricCriterion.objects.filter(rubric=submission.rubric):
        data[f"level-{criterion.pk}"] = str(level.pk)
        data[f"comment-{criterion.pk}"] = f"On {criterion.title}."
    data.update(extra)
    return data


def test_delegates_cannot_reach_the_queue_or_a_marking_page(setup) -> None:  # type: ignore[no-untyped-def]
    _, submission, amira, _, _ = setup
    client = client_for(amira)
    assert client.get(reverse("marking_queue")).status_code == 403
    assert client.get(reverse("marking_detail", args=[submission.pk])).status_code == 403
    response = client.post(reverse("marking_release", args=[submission.pk]))
    assert response.status_code == 403


def test_signed_out_people_are_sent_to_sign_in(setup) -> None:  # type: ignore[no-untyped-def]
    response = Client().get(reverse("marking_queue"))
    assert response.status_code == 302 and "/sign-in/" in response["Location"]


def test_trainers_see_the_queue_oldest_first_with_filters(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, submission, _, tess, _ = setup
    client = client_for(tess)
    response = client.get(reverse("marking_queue"))
    assert response.status_code == 200
    assert list(response.context["submissions"]) == [submission]
    assert b"amira" in response.content
    released = client.get(reverse("marking_queue"), {"status": "released"})
    assert list(released.context["submissions"]) == []
    by_workbook = client.get(reverse("marking_queue"), {"workbook": str(workbook.pk + 999)})
    assert list(by_workbook.context["submissions"]) == []


def test_the_marking_page_shows_report_findings_and_rubric(setup) -> None:  # type: ignore[no-untyped-def]
    _, submission, _, tess, _ = setup
    response = client_for(tess).get(reverse("marking_detail", args=[submission.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Health visiting service" in html  # the report
    assert "Every section of the report template is completed" in html  # a finding
    assert "/guidance/procedures-summary/#para-47" in html  # its paragraph link
    assert "Child at the centre" in html  # a rubric criterion
    assert 'name="action" value="draft"' in html


def test_a_draft_then_a_finished_mark_are_saved(setup) -> None:  # type: ignore[no-untyped-def]
    _, submission, _, tess, _ = setup
    client = client_for(tess)
    url = reverse("marking_detail", args=[submission.pk])
    assert client.post(url, rubric_post(submission, action="draft")).status_code == 302
    submission.refresh_from_db()
    assert submission.status == MarkingStatus.DRAFT
    assert client.post(url, rubric_post(submission)).status_code == 302
    submission.refresh_from_db()
    assert submission.status == MarkingStatus.MARKED and submission.marker == tess


def test_a_malformed_rubric_form_is_refused_and_changes_nothing(setup) -> None:  # type: ignore[no-untyped-def]
    _, submission, _, tess, _ = setup
    client = client_for(tess)
    url = reverse("marking_detail", args=[submission.pk])
    criterion = RubricCriterion.objects.filter(rubric=submission.rubric).first()
    bad = rubric_post(submission, **{f"level-{criterion.pk}": "not-a-level"})  # type: ignore[union-attr]
    response = client.post(url, bad)
    assert response.status_code == 400
    assert "Choose one of the levels for" in response.content.decode()
    assert "Nothing has been saved" in response.content.decode()
    missing = rubric_post(submission)
    del missing[f"level-{criterion.pk}"]  # type: ignore[union-attr]
    response = client.post(url, missing)
    assert response.status_code == 400
    assert "Choose a level for" in response.content.decode()
    assert client.post(url, rubric_post(submission, action="publish")).status_code == 400
    submission.refresh_from_db()
    assert submission.status == MarkingStatus.AWAITING
    assert not CriterionMark.objects.exists()


def test_releasing_before_marking_is_refused(setup) -> None:  # type: ignore[no-untyped-def]
    _, submission, _, tess, _ = setup
    response = client_for(tess).post(reverse("marking_release", args=[submission.pk]))
    assert response.status_code == 409
    assert "not been marked yet" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == MarkingStatus.AWAITING


def test_a_trainer_cannot_mark_their_own_report(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, submission, _, tess, _ = setup
    own = hand_in(tess, workbook, submission.page)
    client = client_for(tess)
    page = client.get(reverse("marking_detail", args=[own.pk]))
    assert "This is your own report" in page.content.decode()
    response = client.post(reverse("marking_detail", args=[own.pk]), rubric_post(own))
    assert response.status_code == 409
    assert "cannot mark your own report" in response.content.decode()
    own.refresh_from_db()
    assert own.status == MarkingStatus.AWAITING


def test_moderation_release_and_a_released_mark_is_immutable(setup) -> None:  # type: ignore[no-untyped-def]
    _, submission, amira, tess, tom = setup
    url = reverse("marking_detail", args=[submission.pk])
    client_for(tess).post(url, rubric_post(submission))
    moderate = reverse("marking_moderate", args=[submission.pk])
    tom_client = client_for(tom)
    no_reason = rubric_post(submission, order=2, outcome="changed")
    assert tom_client.post(moderate, no_reason).status_code == 400
    changed = rubric_post(submission, order=2, outcome="changed", reason="Impact is thin.")
    assert tom_client.post(moderate, changed).status_code == 302
    submission.refresh_from_db()
    assert submission.moderator == tom and submission.moderation_reason == "Impact is thin."
    assert tom_client.post(reverse("marking_release", args=[submission.pk])).status_code == 302
    submission.refresh_from_db()
    assert submission.status == MarkingStatus.RELEASED

    marks = list(CriterionMark.objects.values_list("pk", "level_id", "comment"))
    edit = tom_client.post(url, rubric_post(submission, order=1, action="draft"))
    assert edit.status_code == 409 and "cannot change" in edit.content.decode()
    again = tom_client.post(moderate, rubric_post(submission, order=1, outcome="agreed"))
    assert again.status_code == 409
    assert list(CriterionMark.objects.values_list("pk", "level_id", "comment")) == marks


def test_the_delegate_sees_awaiting_marking_then_the_released_mark(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, submission, amira, tess, _ = setup
    results = reverse("workbook_results", args=[workbook.pk])
    delegate = client_for(amira)
    before = delegate.get(results).content.decode()
    assert "Awaiting marking" in before and "Well structured." not in before
    client_for(tess).post(reverse("marking_detail", args=[submission.pk]), rubric_post(submission))
    assert "Well structured." not in delegate.get(results).content.decode()
    client_for(tess).post(reverse("marking_release", args=[submission.pk]))
    after = delegate.get(results).content.decode()
    assert "Awaiting marking" not in after
    assert "Well structured." in after  # overall comment
    assert "On Child at the centre." in after  # a criterion comment
    assert "Every section of the report template is completed" in after  # a finding
    assert "/guidance/procedures-summary/#para-48" in after


def test_the_trainer_dashboard_counts_reports_to_mark(setup) -> None:  # type: ignore[no-untyped-def]
    _, _, _, tess, _ = setup
    response = client_for(tess).get(reverse("trainer_dashboard"))
    assert response.context["to_mark"] == 1
    assert reverse("marking_queue") in response.content.decode()


def test_submitting_the_chapter_tells_the_delegate_the_report_was_handed_in(setup) -> None:  # type: ignore[no-untyped-def]
    _, submission, amira, _, _ = setup
    response = client_for(amira).post(
        reverse("workbook_chapter_submit", args=[submission.page_id]), follow=True
    )
    assert "handed in for marking" in response.content.decode()


def test_a_delegate_sees_only_their_own_reports(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, submission, _, tess, _ = setup
    client_for(tess).post(reverse("marking_detail", args=[submission.pk]), rubric_post(submission))
    client_for(tess).post(reverse("marking_release", args=[submission.pk]))
    ben = client_for(person("ben"))
    html = ben.get(reverse("workbook_results", args=[workbook.pk])).content.decode()
    assert "Well structured." not in html and "Your conference report" not in html
