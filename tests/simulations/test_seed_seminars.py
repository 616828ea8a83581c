"""The demo seminars: a finished, scored conference and rooms to join."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from content.guidance_selectors import guidance_cache_forget
from simulations.models import Room, RoomScore, Seat, Seminar

pytestmark = pytest.mark.django_db


def seed(name: str) -> str:
    out = StringIO()
    call_command(name, stdout=out)
    return out.getvalue()


def test_needs_the_people_and_the_library_first(db: None) -> None:
    with pytest.raises(CommandError, match="scenario library"):
        call_command("seed_seminars", stdout=StringIO())
    assert not Seminar.objects.exists()


def test_seeds_a_played_conference_and_open_rooms_once(
    demo_people: dict, django_capture_on_commit_callbacks: Any
) -> None:
    seed("seed_guidance")
    guidance_cache_forget()
    seed("load_scenarios")
    with django_capture_on_commit_callbacks(execute=True):  # as if each command committed
        out = seed("seed_seminars")
    held, coming = Seminar.objects.order_by("date")
    finished = held.rooms.get()
    assert finished.phase == "closed" and finished.seq > 50
    seats = dict(Seat.objects.filter(room=finished).values_list("role", "user__username"))
    assert seats["lead_social_worker"] == "delegate01" and seats["gp"] == "delegate09"
    score = RoomScore.objects.get(room=finished)
    assert score.scorecard["findings"] and score.totals["room"]["max_points"] > 0
    open_rooms = list(coming.rooms.order_by("name"))
    assert [room.phase for room in open_rooms] == ["pre_conference", "pre_conference"]
    assert not Seat.objects.filter(room__in=open_rooms, user__isnull=False).exists()
    assert all(room.join_code in out for room in open_rooms)
    seed("seed_seminars")  # again: nothing new
    assert Seminar.objects.count() == 2 and Room.objects.count() == 3
    assert RoomScore.objects.count() == 1
    guidance_cache_forget()
