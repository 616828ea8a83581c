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
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

import holidays as holiday_calendars
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from accounts import audit_hooks, sessions
from accounts.models import User
from scenarios.identifiers import identifier_allowlist
from scenarios.models import Scenario
from scenarios.selectors import scenario_casefile
from simulations import command_store, socket_control
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
from simulations.models import Room, Seat, Seminar
from simulations.selectors import (
    is_room_trainer,
    is_trainer_of,
    room_state_at,
    room_state_cache_store,
    seat_for,
)
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


@dataclass(frozen=True)
class CommandRequest:
    """One command as a socket received it, before anyone has judged it."""

    room_id: int
    user: User
    name: str
    args: Mapping[str, Any]
    command_id: str
    as_role: Role | None = None


def actor_for(*, room: Room, user: User, as_role: Role | None) -> Actor:
    """Return who ``user`` acts as in ``room``; raise NotPermitted if nobody."""
    seat = None if is_room_trainer(room=room, user=user) else seat_for(room=room, user=user)
    return _actor(
        trainer_id=room.seminar.trainer_id,
        user=user,
        seat_role=seat.role if seat else None,
        as_role=as_role,
    )


def _actor(
    *, trainer_id: int | None, user: User, seat_role: str | None, as_role: Role | None
) -> Actor:
    if is_trainer_of(trainer_id=trainer_id, user=user):
        return Actor.trainer(as_role=as_role)
    if seat_role is None:
        raise NotPermitted(RejectionCode.ROLE_NOT_SEATED, "You do not have a seat in this room.")
    role = Role(seat_role)
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
    request = CommandRequest(
        room_id=room_id, user=user, name=name, args=args, command_id=command_id, as_role=as_role
    )
    result = room_commands_apply([request])[0]
    if isinstance(result, DatabaseError):
        raise result
    return result


def room_commands_apply(
    requests: Sequence[CommandRequest],
) -> list[CommandResult | DatabaseError]:
    """Apply several commands, possibly for several rooms, in one transaction.

    This is group commit: a worker gathers the commands that arrive while the
    previous batch is being written and commits them together, so a busy
    seminar pays for one transaction (and one thread hop) per batch rather
    than per vote. Each command is still judged alone, in arrival order, on
    the state its predecessors left; a rejected command writes nothing. Rooms
    are locked in id order so two workers' batches cannot deadlock.

    If a row of the batch is refused (an integrity error), nothing of it is
    kept and each command is tried again in a transaction of its own, so one
    bad write cannot sink its neighbours. If the database is busy or down, the
    whole batch is refused at once. A command not saved comes back as the
    ``DatabaseError`` (in its place in the list) and may be sent again.
    """
    if not requests:
        return []
    try:
        with transaction.atomic():
            return list(_apply_batch(requests))
    except IntegrityError as error:
        # One bad row (say a sequence number another worker took): find it by
        # trying each command in a transaction of its own.
        if len(requests) == 1:
            logger.warning("room %s: command not saved: %s", requests[0].room_id, error)
            return [error]
        logger.warning("a batch of %s commands failed; applying them one by one", len(requests))
        return [room_commands_apply([request])[0] for request in requests]
    except DatabaseError as error:
        # The database is locked or unreachable: retrying each command now
        # would only add load. None is saved; every client sends it again.
        logger.warning("a batch of %s commands not saved: %s", len(requests), error)
        return [error] * len(requests)


def _apply_batch(requests: Sequence[CommandRequest]) -> list[CommandResult]:
    rooms = command_store.rooms_lock(sorted({request.room_id for request in requests}))
    seats = command_store.seat_roles(rooms, {request.user.pk for request in requests})
    before: dict[int, ConferenceState] = {}
    states: dict[int, ConferenceState] = {}
    rows: list[command_store.EventRow] = []
    results: list[CommandResult] = []
    now = timezone.now()
    allowed = identifier_allowlist()
    for request in requests:
        room = rooms.get(request.room_id)
        if room is None:
            gone = NotPermitted(RejectionCode.ROLE_NOT_SEATED, "This room no longer exists.")
            results.append(CommandResult(command_id=request.command_id, seq=0, rejection=gone))
            continue
        if room.id not in states:
            states[room.id] = before[room.id] = room_state_at(
                room_id=room.id, join_code=room.join_code, seq=room.seq
            )
        state = states[room.id]
        try:
            actor = _actor(
                trainer_id=room.trainer_id,
                user=request.user,
                seat_role=seats.get((room.id, request.user.pk)),
                as_role=request.as_role,
            )
            if "actor" in request.args or "command_id" in request.args:
                raise InvalidCommand(
                    RejectionCode.MALFORMED_COMMAND, "A command may not name its own actor or id."
                )
            command = command_from_dict(
                {
                    **request.args,
                    "type": request.name,
                    "command_id": request.command_id,
                    "actor": actor.to_dict(),
                }
            )
            duplicate = conference.is_duplicate(state, command)
            events = conference.decide(state, command, now=now, allowed_identifiers=allowed)
        except CommandRejected as rejection:
            results.append(
                CommandResult(
                    command_id=request.command_id, seq=room.seq, rejection=rejection, state=state
                )
            )
            continue
        if not events:
            results.append(
                CommandResult(
                    command_id=request.command_id, seq=room.seq, duplicate=duplicate, state=state
                )
            )
            continue
        state = states[room.id] = conference.replay(state, events)
        numbered = tuple((room.seq + offset, event) for offset, event in enumerate(events, start=1))
        rows.extend(
            command_store.EventRow(
                room_id=room.id,
                seq=seq,
                kind=type(event).__name__,
                data=event.to_dict(),
                command_id=request.command_id,
                user_id=request.user.pk,
            )
            for seq, event in numbered
        )
        room.seq = numbered[-1][0]
        results.append(
            CommandResult(command_id=request.command_id, seq=room.seq, events=numbered, state=state)
        )
    command_store.events_append(rows, at=now)
    for room_id, state in states.items():
        if state is before[room_id]:
            continue  # nothing accepted for this room
        room = rooms[room_id]
        room.phase = state.phase.value
        snapshot = None
        if room.seq - room.snapshot_seq >= SNAPSHOT_EVERY:
            snapshot, room.snapshot_seq = conference.snapshot(state), room.seq
        command_store.room_move_on(room, at=now, snapshot=snapshot)
        transaction.on_commit(
            partial(
                room_state_cache_store,
                room_id=room_id,
                join_code=room.join_code,
                seq=room.seq,
                state=state,
            )
        )
        if state.phase is Phase.CLOSED and before[room_id].phase is not Phase.CLOSED:
            # Score the conference once it is over, after the closing command
            # has committed (a failed score never undoes the conference).
            transaction.on_commit(partial(_room_score_enqueue, room_id))
    return results


def _room_score_enqueue(room_id: int) -> None:
    try:
        room_score_task.enqueue(room_id)
    except Exception:
        logger.exception("Could not queue scoring for room %s", room_id)


def validate_room_name(name: str) -> None:
    if not name.strip() or len(name) > 80:
        raise ValidationError("Give the room a name of at most 80 characters.")


@dataclass(frozen=True)
class _IdleSignOut:
    """What the audit log reads of a request, for a sign-out that has none."""

    sign_out_reason: str = "idle"


def room_socket_idle_check(*, session_key: str, user: User, last_command: float) -> float | None:
    """Sign a shared device out of a room left idle; else say how long it may stay idle.

    Activity is the later of the session's last page request and the
    socket's last command (``last_command``, a Unix time). Past
    ``THRESHOLD_SHARED_DEVICE_IDLE_SECONDS`` the session ends, the sign-out
    is audited with the reason "idle", and the session's sockets close with
    4401 on every worker. Returns ``None`` when the session has ended (now
    or before), else the seconds left.
    """
    last_seen = sessions.session_last_seen(session_key)
    if last_seen is None:
        return None
    idle_for = time.time() - max(last_seen, last_command)
    left = settings.THRESHOLD_SHARED_DEVICE_IDLE_SECONDS - idle_for
    if left > 0:
        return left
    with transaction.atomic():
        sessions.session_end(session_key)
        audit_hooks.signed_out(None, request=_IdleSignOut(), user=user)
        socket_control.user_sockets_close(
            user_id=user.pk, code=socket_control.CLOSE_SIGNED_OUT, session_key=session_key
        )
    return None
