"""Play whole mock conferences against a running server with scripted bots.

The command prepares everything in the database the server uses (bot
delegates and a bot trainer, a seminar, rooms on the scenario, seats), then
each bot signs in over HTTP and joins its room over a real WebSocket, and
the bots play the agenda from ``simulations.script`` exactly as people at
their phones would: one command at a time, each by the seat that owns it,
each acknowledged before the next. The outcome of every room is printed.

    manage.py simulate_conference --scenario jayden-physical-abuse --delegates 9
    manage.py simulate_conference --scenario ruby-and-alfie-two-children \\
        --delegates 40 --rooms 4 --url http://127.0.0.1:8000

Run it with the server's settings and environment (``DATABASE_URL`` or
``THRESHOLD_VAR_DIR``), so that both use the same database. Load tests use
``--prepare-only --plan FILE --sessions``: the rooms and ready-made session
cookies go to a JSON file for a load generator, and no bot signs in (a
password hash per bot would dominate the run).
"""

from __future__ import annotations

import asyncio
import json
import secrets
from dataclasses import asdict
from datetime import date
from importlib import import_module
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from scenarios.models import Scenario
from scenarios.selectors import scenario_get
from simulations import bots, services
from simulations.engine.vocabulary import Role

SEATS_PER_ROOM = len(services.SEATING_ORDER)


def split_evenly(total: int, parts: int) -> list[int]:
    """Return ``parts`` sizes that add up to ``total`` and differ by at most one."""
    return [total // parts + (1 if index < total % parts else 0) for index in range(parts)]


def bot_users(*, tag: str, count: int, password: str) -> tuple[User, list[User]]:
    """Create a trainer and ``count`` delegates for this run (one password hash for all)."""
    hashed = make_password(password)
    trainer = User.objects.create(
        username=f"bot-{tag}-trainer", first_name="Trainer", last_name="Bot", password=hashed
    )
    delegates = User.objects.bulk_create(
        User(
            username=f"bot-{tag}-{number:04d}",
            first_name="Delegate",
            last_name=f"Bot {number}",
            job_title="Simulated delegate",
            password=hashed,
        )
        for number in range(1, count + 1)
    )
    return trainer, list(User.objects.filter(pk__in=[u.pk for u in delegates]).order_by("username"))


def session_cookies(users: list[User]) -> dict[str, str]:
    """Open a signed-in session for each user, as the sign-in form would."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    cookies = {}
    for user in users:
        session = store()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies[user.username] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


@transaction.atomic
def prepare(
    *, scenario: Scenario, delegates: int, rooms: int, seminar_date: date, tag: str, password: str
) -> dict[str, Any]:
    """Create the bots, the seminar and the rooms; seat the bots; return the plan.

    Delegates are spread evenly over the rooms; in each room the first nine
    take the seats in the usual order and the rest observe. A seat nobody
    takes is covered by the trainer.
    """
    trainer, people = bot_users(tag=tag, count=delegates, password=password)
    seminar = services.seminar_create(
        trainer=trainer, title=f"Simulated seminar {tag}", date=seminar_date
    )
    plans = []
    queue = iter(people)
    for index, size in enumerate(split_evenly(delegates, rooms), start=1):
        room = services.room_open(seminar=seminar, scenario=scenario, name=f"Room {index}")
        seats: dict[str, str] = {}
        observers: list[str] = []
        for position in range(size):
            user = next(queue)
            if position < SEATS_PER_ROOM:
                role = services.SEATING_ORDER[position]
                services.seat_join(room=room, user=user, role=role)
                seats[role.value] = user.username
            else:
                services.seat_join(room=room, user=user, role=Role.OBSERVER)
                observers.append(user.username)
        covered = [role.value for role in services.SEATING_ORDER[size:]]
        for role in services.SEATING_ORDER[size:]:
            services.seat_assign(room=room, role=role, user=None, cover=True)
        plans.append(
            bots.RoomPlan(
                name=room.name,
                code=room.join_code,
                seats=seats,
                observers=observers,
                covered=covered,
                room_id=room.pk,
            )
        )
    return {
        "tag": tag,
        "seminar_id": seminar.pk,
        "scenario": scenario.slug,
        "trainer": trainer.username,
        "password": password,
        "delegates": [user.username for user in people],
        "rooms": [asdict(plan) for plan in plans],
    }


def describe(outcome: bots.RoomOutcome) -> str:
    decisions = ", ".join(f"{child}: {text}" for child, text in outcome.decisions.items())
    return (
        f"{outcome.name} ({outcome.code}): phase {outcome.phase}; {outcome.events} events; "
        f"decisions {decisions or 'none'}; {outcome.seconds:.1f} s; "
        f"{outcome.frames} frames received over {outcome.sockets} sockets; "
        f"{outcome.gaps} gaps, {outcome.resends} resends; "
        f"sequence {'contiguous' if outcome.contiguous else 'BROKEN'}"
    )


class Command(BaseCommand):
    help = (
        "Drive complete mock conferences through real WebSockets against a running server, "
        "with scripted bots in every seat; print each room's outcome."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scenario", required=True, help="Slug of a published scenario.")
        parser.add_argument(
            "--delegates", type=int, required=True, help="Bot delegates in all (9 fill a room)."
        )
        parser.add_argument("--rooms", type=int, default=1, help="Rooms to open (default 1).")
        parser.add_argument(
            "--url", default="http://127.0.0.1:8000", help="The running server's address."
        )
        parser.add_argument(
            "--seminar-date",
            type=date.fromisoformat,
            default=None,
            help="Date of the seminar and its conferences (YYYY-MM-DD; default today).",
        )
        parser.add_argument("--tag", default="", help="Name for this run's bots (default: time).")
        parser.add_argument(
            "--prepare-only",
            action="store_true",
            help="Prepare the rooms and bots, write the plan (--plan) and stop.",
        )
        parser.add_argument("--plan", type=Path, help="Write the plan as JSON to this file.")
        parser.add_argument(
            "--sessions",
            action="store_true",
            help="Open sessions in the database instead of signing in over HTTP (load tests).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        delegates, rooms = options["delegates"], options["rooms"]
        if delegates < 0 or rooms < 1:
            raise CommandError("Give --delegates 0 or more and --rooms 1 or more.")
        try:
            scenario = scenario_get(slug=options["scenario"])
        except Scenario.DoesNotExist as error:
            raise CommandError(
                f"No published scenario {options['scenario']!r}: run load_scenarios first."
            ) from error
        tag = options["tag"] or timezone.now().strftime("%Y%m%d%H%M%S") + secrets.token_hex(2)
        plan = prepare(
            scenario=scenario,
            delegates=delegates,
            rooms=rooms,
            seminar_date=options["seminar_date"] or timezone.localdate(),
            tag=tag,
            password=secrets.token_urlsafe(12),
        )
        plan["url"] = options["url"]
        if options["sessions"]:
            people = User.objects.filter(username__in=[plan["trainer"], *plan["delegates"]])
            plan["cookies"] = session_cookies(list(people))
        if options["plan"]:
            options["plan"].write_text(json.dumps(plan, indent=1))
        self.stdout.write(
            f"Prepared {rooms} room(s) on {scenario.slug} for {delegates} bot delegate(s) "
            f"(seminar {plan['seminar_id']}, bots bot-{tag}-*)."
        )
        if options["prepare_only"]:
            return
        outcomes = asyncio.run(self.play(plan))
        for outcome in outcomes:
            self.stdout.write(describe(outcome))
            for problem in outcome.problems:
                self.stderr.write(f"  {outcome.name}: {problem}")
        closed = sum(outcome.closed for outcome in outcomes)
        summary = f"{closed} of {len(outcomes)} room(s) reached {bots.FINAL_PHASE}."
        if closed != len(outcomes):
            raise CommandError(summary)
        self.stdout.write(self.style.SUCCESS(summary))

    async def play(self, plan: dict[str, Any]) -> list[bots.RoomOutcome]:
        cookies = plan.get("cookies")
        if cookies is None:
            cookies = await bots.sign_in_all(
                plan["url"], [plan["trainer"], *plan["delegates"]], plan["password"]
            )
        return await bots.run_conferences(
            plan["url"],
            [bots.RoomPlan.from_dict(room) for room in plan["rooms"]],
            trainer=plan["trainer"],
            cookies=cookies,
        )
