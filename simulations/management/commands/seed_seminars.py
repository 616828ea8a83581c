"""Demo seminars: one held last week with a finished conference, one coming up.

The finished conference is played through the services by the demo delegates
(with a first ballot and a revote), so the scorecards, the debrief and the
dashboards have something to show. The coming seminar has open rooms to
join by code. Idempotent: seminars that exist are left as they are.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from scenarios.models import Scenario
from simulations import services
from simulations.engine.vocabulary import Role
from simulations.models import Room, Seminar
from simulations.playback import play

HELD = "Level 3: child protection conferences (October cohort)"
COMING = "Level 3: child protection conferences (December cohort)"
# Who played which seat: each delegate plays their own agency where the
# conference has a seat for it (the senior social worker chairs).
SEATED = {
    Role.CHAIR: "delegate02",
    Role.LEAD_SOCIAL_WORKER: "delegate01",
    Role.HEALTH_VISITOR: "delegate05",
    Role.DESIGNATED_TEACHER: "delegate07",
    Role.GP: "delegate09",
    Role.HOUSING: "delegate11",
    Role.POLICE: "delegate10",
    Role.PARENT: "delegate04",
    Role.CHILDS_ADVOCATE: "delegate12",
}

ROOMS_COMING = (("Room A", "jayden-physical-abuse"), ("Room B", "ruby-and-alfie-two-children"))


class Command(BaseCommand):
    help = "Create the demo seminars (a finished, scored conference and rooms to join)."

    def handle(self, *args: Any, **options: Any) -> None:
        trainer = User.objects.filter(username="trainer").first()
        scenarios = {s.slug: s for s in Scenario.objects.filter(live=True)}
        jayden = scenarios.get("jayden-physical-abuse")
        if trainer is None or jayden is None:
            raise CommandError("Seed the people and load the scenario library first.")
        today = timezone.localdate()
        if not Seminar.objects.filter(trainer=trainer, title=HELD).exists():
            room = self._held(trainer, jayden, today - timedelta(days=7))
            self.stdout.write(f"Held seminar: {room.name} played to the close and scored.")
        if not Seminar.objects.filter(trainer=trainer, title=COMING).exists():
            rooms = self._coming(trainer, scenarios, today + timedelta(days=10))
            for room in rooms:
                self.stdout.write(f"Coming seminar: {room.name}, join code {room.join_code}")

    def _held(self, trainer: User, scenario: Scenario, day: Any) -> Room:
        with transaction.atomic():
            seminar = services.seminar_create(
                trainer=trainer, title=HELD, date=day, venue="St Helier", cohort="October 2026"
            )
            room = services.room_open(seminar=seminar, scenario=scenario, name="Room A")
            for role, username in SEATED.items():
                user = User.objects.get(username=username)
                services.seat_assign(room=room, role=role, user=user)
        return play(room, revote=True)  # commits per command; scored once closed

    def _coming(self, trainer: User, scenarios: dict[str, Scenario], day: Any) -> list[Room]:
        with transaction.atomic():
            seminar = services.seminar_create(
                trainer=trainer, title=COMING, date=day, venue="St Helier", cohort="December 2026"
            )
            return [
                services.room_open(seminar=seminar, scenario=scenario, name=name)
                for name, slug in ROOMS_COMING
                if (scenario := scenarios.get(slug)) is not None
            ]
