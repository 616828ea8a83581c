"""From workbook to certificate: every piece of evidence arrives where it happens."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments import competency_selectors as selectors
from assessments.models import Certificate, Competency, Evidence
from assessments.rules import Status
from content.models import WorkbookChapterPage, WorkbookPage
from simulations.models import Room, Seat
from simulations.scoring_services import room_score_if_closed
from tests.assessments.lrs import Lrs
from tests.simulations.test_scoring_services import closed_room, guidance, room  # noqa: F401

pytestmark = pytest.mark.django_db


def test_a_delegate_becomes_competent_and_gets_a_verifiable_certificate(
    closed_room: Room,  # noqa: F811
    demo_people,  # type: ignore[no-untyped-def]
    settings,  # type: ignore[no-untyped-def]
    tmp_path,  # type: ignore[no-untyped-def]
    lrs: Lrs,
) -> None:
    settings.MEDIA_ROOT = tmp_path
    call_command("seed_workbook", stdout=StringIO())
    call_command("seed_competencies", stdout=StringIO())
    delegate = demo_people["delegate01"]
    seat = Seat.objects.get(room=closed_room, user=delegate)
    today = timezone.localdate()
    # Seminars in the tests are dated today or later; evidence must not be in the future.
    type(closed_room.seminar).objects.filter(pk=closed_room.seminar_id).update(
        date=today - timedelta(days=1)
    )
    closed_room.refresh_from_db()

    me = Client()
    me.force_login(delegate)
    workbook = WorkbookPage.objects.get(slug="cp-conferences")
    for chapter in WorkbookChapterPage.objects.child_of(workbook):
        me.post(reverse("workbook_chapter_submit", args=[chapter.pk]))
    assert Evidence.objects.filter(user=delegate, kind="workbook_chapter").count() >= 6

    from assessments import services as workbook_services
    from content.blocks import QuizOutcome

    chapter = WorkbookChapterPage.objects.get(slug="continuum-of-need")
    workbook_services.quiz_attempt_record(
        user=delegate,
        page=chapter,
        block_id="need-quiz",
        response={},
        outcome=QuizOutcome(is_correct=True, score=1, out_of=1, items=(), summary=""),
        structure="",
    )

    score = room_score_if_closed(closed_room.pk)
    assert score is not None
    played = Evidence.objects.get(user=delegate, kind="conference_played")
    assert played.detail["role"] == seat.role
    assert played.score_percent is not None
    assert played.score_percent >= settings.THRESHOLD_CONFERENCE_PASS_PERCENT
    assert Evidence.objects.filter(user=delegate, kind="seminar_attended").exists()

    record = selectors.person_record(person=delegate, today=today)
    assert record.status == Status.IN_PROGRESS  # no sign-off and too few hours yet

    trainer = Client()
    trainer.force_login(demo_people["trainer"])
    for outcome in Competency.objects.filter(kind="outcome"):
        if "sign_off" in outcome.required_kinds:
            trainer.post(
                reverse("person_sign_off", args=[delegate.pk]),
                {"competency": outcome.pk, "note": "Gave clear reasons for the decision."},
            )
    me.post(
        reverse("evidence_upload"),
        {
            "title": "Multi-agency level 3 day",
            "occurred_on": (today - timedelta(days=30)).isoformat(),
            "hours": "9",
            "participatory": "yes",
            "file": SimpleUploadedFile("certificate.pdf", b"%PDF-1.4 invented"),
        },
    )
    manager = Client()
    manager.force_login(demo_people["manager"])
    upload = Evidence.objects.get(user=delegate, kind="external_training")
    manager.post(reverse("evidence_release", args=[upload.pk]))

    record = selectors.person_record(person=delegate, today=today)
    assert record.status == Status.COMPETENT, record
    assert record.hours.total == 12 and record.hours.participatory == 12

    page = manager.get(reverse("manager_person", args=[delegate.pk])).content.decode()
    assert "Competent" in page and "Multi-agency level 3 day" in page

    response = me.post(reverse("certificate_issue"))
    certificate = Certificate.objects.get(user=delegate)
    assert me.get(response.url).content.startswith(b"%PDF")

    from assessments.certificate_views import verification_token

    check = Client().get(reverse("certificate_verify", args=[verification_token(certificate)]))
    assert check.status_code == 200 and "genuine" in check.content.decode()

    # Every released piece of evidence waits in the xAPI queue as a statement,
    # and the learning record store holds the matching statements once sent.
    from assessments.models import XapiStatement

    released = Evidence.objects.filter(user=delegate, state="released")
    queued = XapiStatement.objects.filter(evidence__user=delegate)
    assert queued.count() == released.count()
    verbs = {q.statement["verb"]["display"]["en-GB"] for q in queued}
    assert {"completed", "passed", "attended", "mastered"} <= verbs

    out = StringIO()
    call_command("send_xapi_statements", stdout=out)
    assert not XapiStatement.objects.filter(sent_at__isnull=True).exists(), out.getvalue()
    held = {s["id"]: s for s in lrs.statements()}
    assert set(held) == {str(q.statement_id) for q in XapiStatement.objects.all()}
    for q in queued.select_related("evidence"):
        stored = held[str(q.statement_id)]
        assert stored["actor"] == {
            "objectType": "Agent",
            "account": {"homePage": settings.WAGTAILADMIN_BASE_URL, "name": delegate.username},
        }
        assert stored["verb"] == q.statement["verb"]
        assert stored["object"] == q.statement["object"]
        assert stored.get("result") == q.statement.get("result")
    conference = held[str(XapiStatement.objects.get(evidence=played).statement_id)]
    assert conference["result"]["score"]["scaled"] == round(played.score_percent / 100, 2)
    assert conference["result"]["success"] is True
    quiz = next(s for s in held.values() if s["verb"]["display"]["en-GB"] == "passed")
    assert quiz["object"]["id"].endswith("/quiz_passed/quiz/" + f"{chapter.pk}/need-quiz/{today}")
    assert quiz["result"]["score"]["scaled"] == 1.0
