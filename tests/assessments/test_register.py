"""The trainer's seminar register: attendance and the workbook beforehand."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from assessments.models import ChapterProgress
from content.models import WorkbookChapterPage
from simulations.models import Room, Seat
from tests.simulations.test_scoring_services import closed_room, guidance, room  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_register_lists_seated_delegates_and_their_workbook(room: Room, demo_people) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    call_command("seed_workbook", stdout=StringIO())
    delegate = demo_people["delegate01"]
    chapters = list(WorkbookChapterPage.objects.live())
    from datetime import datetime, time, timedelta

    from django.utils import timezone

    before = timezone.make_aware(datetime.combine(room.seminar.date - timedelta(days=2), time(9)))
    for chapter in chapters:
        ChapterProgress.objects.create(
            user=delegate, page=chapter, workbook=chapter.get_parent(), submitted_at=before
        )
    trainer = Client()
    trainer.force_login(room.seminar.trainer)
    body = trainer.get(reverse("seminar_register", args=[room.seminar_id])).content.decode()
    seated = Seat.objects.filter(room=room, user__isnull=False).count()
    assert f"{seated} delegates seated" in body
    assert delegate.display_name in body and "Complete" in body
    assert f"0 of {len(chapters)} chapters" in body
    assert "Not started" in body  # nobody has competency evidence yet
    other = Client()
    other.force_login(demo_people["manager"])
    assert other.get(reverse("seminar_register", args=[room.seminar_id])).status_code == 403


def test_the_register_shows_conference_scores_and_status(closed_room: Room, demo_people) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from simulations.scoring_services import room_score_if_closed

    score = room_score_if_closed(closed_room.pk)
    assert score is not None
    seat = Seat.objects.filter(room=closed_room, user__isnull=False).first()
    total = score.totals["roles"][seat.role]
    trainer = Client()
    trainer.force_login(closed_room.seminar.trainer)
    body = trainer.get(reverse("seminar_register", args=[closed_room.seminar_id])).content.decode()
    assert f"{total['points']} of {total['max_points']}" in body
    # Evidence dated on a seminar day still to come does not count yet.
    assert "In progress" in body or "Not started" in body
