"""A scored conference becomes evidence: attendance hours, role and score."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import Evidence
from simulations.models import Room, Seat
from simulations.scoring_services import room_score_if_closed
from tests.simulations.test_scoring_services import closed_room, guidance, room  # noqa: F401

pytestmark = pytest.mark.django_db


def test_each_seated_delegate_gets_attendance_and_conference_evidence(closed_room: Room) -> None:  # noqa: F811
    call_command("seed_competencies", stdout=StringIO())
    score = room_score_if_closed(closed_room.pk)
    assert score is not None
    seats = list(
        Seat.objects.filter(room=closed_room, user__isnull=False, covered_by_trainer=False)
    )
    assert seats
    for seat in seats:
        attended = Evidence.objects.get(user=seat.user, kind="seminar_attended")
        assert attended.participatory is True and attended.cpd_hours == 3
        assert attended.occurred_on == closed_room.seminar.date
        played = Evidence.objects.get(user=seat.user, kind="conference_played")
        total = score.totals["roles"][seat.role]
        assert played.detail["role"] == seat.role
        assert played.detail["points"] == total["points"]
        assert "l3-meetings" in played.competencies.values_list("code", flat=True)
    room_score_if_closed(closed_room.pk)
    assert Evidence.objects.filter(kind="conference_played").count() == len(seats)
