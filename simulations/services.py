"""Write-side operations for seminars, rooms, seats and conference commands.

Commands follow Wagtail's guard -> mutate -> save -> log shape with the rules
delegated to the pure engine: under the room's lock, rebuild the state,
``decide`` the command, append the events with their sequence numbers and
update the room in the same transaction. Broadcasting is the caller's job,
after the transaction commits (the consumer awaits this service, then hands
the result to the hub).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import holidays as holiday_calendars
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from scenarios.models import Scenario
from scenarios.selectors import scenario_casefile
from simulations import socket_control
from simulations.engine import conference
from simulations.engine.commands import (
    CommandRejected,
    InvalidCommand,
    NotPermitted,
    RejectionCode,
    command_from_dict,
)
from simulations.engine.events import Event
from simulations.engine.state import Actor, Child, ConferenceSetup, ConferenceState, Phase
from simulations.engine.vocabulary import Role
from simulations.models import Room, RoomEvent, Seat, Seminar
from simulations.selectors import is_room_trainer, room_state, room_state_cache_put
from simulations.tasks import room_score_task

logger = logging.getLogger(__name__)

SNAPSHOT_EVERY = 50
# Seats in the order delegates are given them when they join without choosing.
SEATING_ORDER: tuple[Role, ...] = (
    Role.CHAIR,
    Role.LEAD_SOCIAL_WORKER,
    Role.HEALTH_VISITOR,
    Role.DESIGNATED_TEACHER,
    Role.POLICE,
    Role.GP,
    Role.HOUSING,
    Role.PARENT,
    Role.CHILDS_ADVOCATE,
)


class RoomError(Exception):
    """A request about a room that cannot be met; ``message`` is for people."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def jersey_holidays(around: date) -> frozenset[date]:
    """Return Jersey's public holidays in the years around ``around``."""
    years = range(around.year - 1, around.year + 2)
    return frozenset(holiday_calendars.country_holidays("JE", years=years))


# Seminars and rooms ---------------------------------------------------------


def seminar_create(
    *, trainer: User, title: str, date: date, venue: str = "", cohort: str = ""
) -> Seminar:
    seminar = Seminar(trainer=trainer, title=title, date=date, venue=venue, cohort=cohort)
    seminar.full_clean()
    seminar.save()
    return seminar


def room_setup_for(
    *, room_id: int, scenario: Scenario, conference_date: date, roles: tuple[Role, ...]
) -> ConferenceSetup:
    case = scenario_casefile(scenario=scenario)
    children = tuple(Child(id=child.id, name=child.given_name) for child in case.household.children)
    return ConferenceSetup(
        room_id=str(room_id),
        conference_type=case.conference_type,
        conference_date=conference_date,
        children=children,
        seated_roles=roles,
        holidays=jersey_holidays(conference_date),
        pack_items={
            pack.role: frozenset(item.id for item in pack.items) for pack in case.role_packs
        },
        inject_ids=frozenset(inject.id for inject in case.injects),
    )


@transaction.atomic
def room_open(
    *, seminar: Seminar, scenario: Scenario, name: str, roles: tuple[Role, ...] | None = None
) -> Room:
    """Open a conference room on a published scenario, with a seat per role."""
    if not scenario.live:
        raise RoomError(
            "scenario_not_published", "Only a published scenario can be used for a room."
        )
    seated = roles or SEATING_ORDER
    if Role.CHAIR not in seated:
        raise RoomError("no_chair", "A conference needs a chair.")
    seated = tuple(role for role in SEATING_ORDER if role in seated)
    revision = scenario.live_revision
    for _ in range(5):
        room = Room(
            seminar=seminar,
            name=name,
            scenario=scenario,
            scenario_revision_id=revision.pk if revision else None,
            setup={},
        )
        try:
            with transaction.atomic():
                room.save()
            break
        except IntegrityError:  # join code collision: draw again
            continue
    else:  # pragma: no cover - 25^6 codes
        raise RoomError("no_code", "Could not draw a free join code; try again.")
    setup = room_setup_for(
        room_id=room.pk, scenario=scenario, conference_date=seminar.date, roles=seated
    )
    room.setup = setup.to_dict()
    room.save(update_fields=["setup"])
    Seat.objects.bulk_create([Seat(room=room, role=role.value) for role in seated])
    return room


# Seats ----------------------------------------------------------------------


@transaction.atomic
def seat_join(*, room: Room, user: User, role: Role | None = None) -> Seat:
    """Seat ``user`` in ``room``: their old seat if they had one, else ``role`` or the next free one.

    Anyone joining when every seat is taken becomes an observer.
    """
    existing = Seat.objects.select_for_update().filter(room=room, user=user).first()
    if existing is not None:
        return existing
    seats = {
        seat.role: seat
        for seat in Seat.objects.select_for_update()
        .filter(room=room)
        .exclude(role=Role.OBSERVER.value)
    }
    if role is not None and role is not Role.OBSERVER:
        seat = seats.get(role.value)
        if seat is None:
            raise RoomError("no_such_seat", f"This room has no {role.label.lower()} seat.")
        if seat.user_id is not None:
            raise RoomError("seat_taken", f"The {role.label.lower()} seat is taken.")
    else:
        seat = None
        if role is None:
            seat = next(
                (
                    s
                    for r in SEATING_ORDER
                    if (s := seats.get(r.value)) and s.user_id is None and not s.covered_by_trainer
                ),
                None,
            )
        if seat is None:
            return Seat.objects.create(
                room=room, role=Role.OBSERVER.value, user=user, joined_at=timezone.now()
            )
    seat.user = user
    seat.covered_by_trainer = False
    seat.joined_at = timezone.now()
    seat.save(update_fields=["user", "covered_by_trainer", "joined_at"])
    return seat


@transaction.atomic
def seat_assign(*, room: Room, role: Role, user: User | None, cover: bool = False) -> Seat:
    """Trainer: put ``user`` in ``role`` (moving them from any other seat), or cover it."""
    seat = (
        Seat.objects.select_for_update()
        .filter(room=room, role=role.value)
        .exclude(role=Role.OBSERVER.value)
        .first()
    )
    if seat is None:
        raise RoomError("no_such_seat", f"This room has no {role.label.lower()} seat.")
    # Whoever loses this seat, and whoever moves from another, reconnect as who they now are.
    moved = {seat.user_id} - {None, user.pk if user is not None else None}
    if user is not None:
        if Seat.objects.filter(room=room, user=user).exclude(pk=seat.pk).exists():
            moved.add(user.pk)
        Seat.objects.filter(room=room, user=user).exclude(pk=seat.pk).filter(
            role=Role.OBSERVER.value
        ).delete()
        Seat.objects.filter(room=room, user=user).exclude(pk=seat.pk).update(
            user=None, joined_at=None
        )
    seat.user = user
    seat.covered_by_trainer = cover and user is None
    seat.joined_at = timezone.now() if user else None
    seat.save(update_fields=["user", "covered_by_trainer", "joined_at"])
    for user_id in moved:
        socket_control.user_sockets_close(
            user_id=user_id, code=socket_control.CLOSE_ACCESS_CHANGED, room_id=room.pk
        )
    return seat


# Commands -------------------------------------------------------------------


@dataclass(frozen=True)
class CommandResult:
    """What happened to one command: accepted (maybe as a retry) or rejected."""

    command_id: str
    seq: int
    events: tuple[tuple[int, Event], ...] = ()
    duplicate: bool = False
    rejection: CommandRejected | None = None
    state: ConferenceState | None = None

    @property
    def accepted(self) -> bool:
        return self.rejection is None


def actor_for(*, room: Room, user: User, as_role: Role | None) -> Actor:
    """Return who ``user`` acts as in ``room``; raise NotPermitted if nobody."""
    if is_room_trainer(room=room, user=user):
        return Actor.trainer(as_role=as_role)
    seat = Seat.objects.filter(room=room, user=user).first()
    if seat is None:
        raise NotPermitted(RejectionCode.ROLE_NOT_SEATED, "You do not have a seat in this room.")
    role = Role(seat.role)
    if role is Role.OBSERVER:
        raise NotPermitted(RejectionCode.ROLE_NOT_SEATED, "Observers watch; they do not act.")
    if as_role is not None and as_role is not role:
        raise NotPermitted(RejectionCode.WRONG_ROLE, "You can only act for your own seat.")
    return Actor.seat(role)


def room_command_apply(
    *,
    room_id: int,
    user: User,
    name: str,
    args: Mapping[str, Any],
    command_id: str,
    as_role: Role | None = None,
) -> CommandResult:
    """Apply one command from ``user``; return the events it produced or why not.

    :param name: the engine command's type name, e.g. ``"CastVote"``.
    :param args: the command's fields, without ``command_id`` and ``actor``
        (the server decides who is acting; a client never does).
    """
    with transaction.atomic():
        # The seminar comes in the same query (is_room_trainer needs it); only
        # the room row is locked.
        room = (
            Room.objects.select_for_update(of=("self",)).select_related("seminar").get(pk=room_id)
        )
        state = room_state(room=room)
        try:
            actor = actor_for(room=room, user=user, as_role=as_role)
            if "actor" in args or "command_id" in args:
                raise InvalidCommand(
                    RejectionCode.MALFORMED_COMMAND, "A command may not name its own actor or id."
                )
            command = command_from_dict(
                {**args, "type": name, "command_id": command_id, "actor": actor.to_dict()}
            )
            duplicate = conference.is_duplicate(state, command)
            events = conference.decide(state, command, now=timezone.now())
        except CommandRejected as rejection:
            return CommandResult(
                command_id=command_id, seq=room.seq, rejection=rejection, state=state
            )
        if not events:
            return CommandResult(
                command_id=command_id, seq=room.seq, duplicate=duplicate, state=state
            )
        new_state = conference.replay(state, events)
        numbered = tuple((room.seq + offset, event) for offset, event in enumerate(events, start=1))
        RoomEvent.objects.bulk_create(
            RoomEvent(
                room=room,
                seq=seq,
                kind=type(event).__name__,
                data=event.to_dict(),
                command_id=command_id,
                user=user,
            )
            for seq, event in numbered
        )
        room.seq = numbered[-1][0]
        room.phase = new_state.phase.value
        fields = ["seq", "phase", "updated_at"]
        if room.seq - room.snapshot_seq >= SNAPSHOT_EVERY:
            room.snapshot = conference.snapshot(new_state)
            room.snapshot_seq = room.seq
            fields += ["snapshot", "snapshot_seq"]
        room.save(update_fields=fields)
        transaction.on_commit(
            lambda: room_state_cache_put(room=room, seq=room.seq, state=new_state)
        )
        if new_state.phase is Phase.CLOSED and state.phase is not Phase.CLOSED:
            # Score the conference once it is over, after the closing command
            # has committed (a failed score never undoes the conference).
            transaction.on_commit(lambda: _room_score_enqueue(room.pk))
    return CommandResult(command_id=command_id, seq=room.seq, events=numbered, state=new_state)


def _room_score_enqueue(room_id: int) -> None:
    try:
        room_score_task.enqueue(room_id)
    except Exception:
        logger.exception("Could not queue scoring for room %s", room_id)


def validate_room_name(name: str) -> None:
    if not name.strip() or len(name) > 80:
        raise ValidationError("Give the room a name of at most 80 characters.")
