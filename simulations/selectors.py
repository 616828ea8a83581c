"""Read-side queries on rooms, and the per-process cache of their state.

A room's state is the replay of its events. Each worker keeps the latest
state it has seen per room; ``room_state`` brings it up to date from the
database (only the events it missed), so several workers agree.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from accounts.models import PlatformRole, User
from simulations.engine import conference
from simulations.engine.events import Event, event_from_dict
from simulations.engine.state import Actor, ConferenceSetup, ConferenceState, new_conference
from simulations.engine.vocabulary import Role
from simulations.models import Room, RoomEvent, Seat, Seminar

# room id -> (seq, join code, state). The join code tells a room apart from a
# later room that reuses a deleted room's id (SQLite can reuse the highest id).
_CACHE: dict[int, tuple[int, str, ConferenceState]] = {}
_CACHE_LOCK = threading.Lock()
_CACHE_LIMIT = 2000


def room_state_cache_put(*, room: Room, seq: int, state: ConferenceState) -> None:
    room_state_cache_store(room_id=room.pk, join_code=room.join_code, seq=seq, state=state)


def room_state_cache_store(
    *, room_id: int, join_code: str, seq: int, state: ConferenceState
) -> None:
    with _CACHE_LOCK:
        cached = _CACHE.get(room_id)
        if cached is None or cached[1] != join_code or cached[0] < seq:
            if len(_CACHE) >= _CACHE_LIMIT:
                _CACHE.clear()
            _CACHE[room_id] = (seq, join_code, state)


def room_state_at(*, room_id: int, join_code: str, seq: int) -> ConferenceState:
    """Return the state of the room at ``seq``: from the cache, else rebuilt."""
    with _CACHE_LOCK:
        cached = _CACHE.get(room_id)
    if cached is not None and cached[0] == seq and cached[1] == join_code:
        return cached[2]
    return room_state(room=Room.objects.get(pk=room_id))


def room_state_cache_clear() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def room_state(*, room: Room) -> ConferenceState:
    """Return the state of ``room`` at ``room.seq``."""
    with _CACHE_LOCK:
        cached = _CACHE.get(room.pk)
    if cached is not None and cached[1] != room.join_code:
        cached = None  # another room that once had this id
    if cached is not None and cached[0] == room.seq:
        return cached[2]
    if cached is not None and cached[0] < room.seq:
        base_seq, _, state = cached
    elif room.snapshot is not None and room.snapshot_seq <= room.seq:
        base_seq, state = room.snapshot_seq, conference.state_from_snapshot(room.snapshot)
    else:
        base_seq, state = 0, new_conference(ConferenceSetup.from_dict(room.setup))
    missed = RoomEvent.objects.filter(room=room, seq__gt=base_seq, seq__lte=room.seq).order_by(
        "seq"
    )
    state = conference.replay(state, (event_from_dict(e.data) for e in missed.iterator()))
    room_state_cache_put(room=room, seq=room.seq, state=state)
    return state


def room_by_code(*, code: str) -> Room:
    return Room.objects.select_related("seminar", "scenario").get(join_code=code.strip().upper())


def room_seats(*, room: Room) -> QuerySet[Seat]:
    return Seat.objects.filter(room=room).select_related("user").order_by("role")


def seat_for(*, room: Room, user: User) -> Seat | None:
    if not user.is_authenticated:
        return None
    return Seat.objects.filter(room=room, user=user).first()


def seminars_for_trainer(*, trainer: User) -> QuerySet[Seminar]:
    seminars = Seminar.objects.prefetch_related("rooms")
    return seminars if trainer.is_superuser else seminars.filter(trainer=trainer)


def room_events(*, room: Room, since: int = 0) -> list[dict[str, Any]]:
    return [
        {"seq": e.seq, **e.data}
        for e in RoomEvent.objects.filter(room=room, seq__gt=since).order_by("seq")
    ]


def room_events_after(
    *, room_id: int, seq: int
) -> tuple[list[tuple[int, Event]], ConferenceState | None]:
    """The room's committed events after ``seq``, and its state after the last.

    Empty (and no state) when nothing was committed after ``seq`` or the
    room is gone.
    """
    room = Room.objects.filter(pk=room_id).first()
    if room is None or room.seq <= seq:
        return [], None
    rows = RoomEvent.objects.filter(room=room, seq__gt=seq, seq__lte=room.seq).order_by("seq")
    batch = [(row.seq, event_from_dict(row.data)) for row in rows]
    return batch, room_state(room=room)


def seat_role(seat: Seat | None) -> Role | None:
    return Role(seat.role) if seat is not None else None


def is_room_trainer(*, room: Room, user: Any) -> bool:
    """Return whether ``user`` runs ``room``'s seminar (or is an administrator)."""
    return is_trainer_of(trainer_id=room.seminar.trainer_id, user=user)


def is_trainer_of(*, trainer_id: int | None, user: Any) -> bool:
    """Return whether ``user`` is the seminar trainer ``trainer_id`` (or an administrator)."""
    return bool(user.is_authenticated and (user.pk == trainer_id or user.is_superuser))


@dataclass
class RoomAccess:
    room_id: int
    seq: int
    state: ConferenceState
    actor: Actor
    seat: dict[str, Any]


def room_access(
    *, user: Any, code: str | None = None, room_id: int | None = None
) -> RoomAccess | None:
    """Return what ``user`` may do in the room, or None if they may not enter."""
    try:
        room = (
            Room.objects.select_related("seminar").get(join_code=code.upper())
            if code
            else Room.objects.select_related("seminar").get(pk=room_id)
        )
    except Room.DoesNotExist:
        return None
    if is_room_trainer(room=room, user=user):
        actor, seat = Actor.trainer(), {"role": None, "label": "Trainer's console", "trainer": True}
    else:
        found = seat_for(room=room, user=user)
        if found is None:
            return None
        role = Role(found.role)
        actor, seat = Actor.seat(role), {"role": role.value, "label": role.label, "trainer": False}
    return RoomAccess(
        room_id=room.pk, seq=room.seq, state=room_state(room=room), actor=actor, seat=seat
    )


# Seminar pages ----------------------------------------------------------------


def seminar_get(*, seminar_id: int) -> Seminar:
    return Seminar.objects.select_related("trainer").get(pk=seminar_id)


def is_seminar_trainer(*, seminar: Seminar, user: Any) -> bool:
    """Return whether ``user`` runs ``seminar`` (or is an administrator)."""
    return bool(user.is_authenticated and (seminar.trainer_id == user.pk or user.is_superuser))


def seminar_rooms(*, seminar: Seminar) -> QuerySet[Room]:
    return (
        Room.objects.filter(seminar=seminar)
        .select_related("scenario", "seminar")
        .prefetch_related("seats__user")
        .order_by("name", "pk")
    )


def room_vacant_roles(*, room: Room) -> list[Role]:
    """Return the room's seats nobody holds or covers, in seating order."""
    vacant = {
        seat.role
        for seat in Seat.objects.filter(room=room, user__isnull=True, covered_by_trainer=False)
    }
    return [role for role in Role if role.value in vacant and role is not Role.OBSERVER]


def people_to_seat() -> QuerySet[User]:
    """Return the people a trainer can put in a seat: active delegates."""
    return (
        User.objects.filter(is_active=True, groups__name=PlatformRole.DELEGATE.value)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
