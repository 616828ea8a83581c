"""Group commit: several rooms' commands in one transaction, judged one by one."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.db import DatabaseError

from accounts.models import User
from simulations import panels, services
from simulations.command_queue import CommandQueue
from simulations.engine.commands import RejectionCode
from simulations.models import Room, RoomEvent
from simulations.selectors import room_state, room_state_cache_clear
from tests.simulations.rooms import open_room

pytestmark = pytest.mark.django_db


@pytest.fixture
def rooms(demo_people, citations_resolve) -> tuple[Room, Room]:  # type: ignore[no-untyped-def]
    panels.room_context_clear()
    room_state_cache_clear()
    first = open_room(name="Room A")
    return first, open_room(name="Room B", seminar=first.seminar)


def request(room: Room, username: str, name: str, command_id: str | None = None):  # type: ignore[no-untyped-def]
    return services.CommandRequest(
        room_id=room.pk,
        user=User.objects.get(username=username),
        name=name,
        args={},
        command_id=command_id or uuid.uuid4().hex,
    )


def seqs(room: Room) -> list[int]:
    return list(RoomEvent.objects.filter(room=room).order_by("seq").values_list("seq", flat=True))


def test_a_batch_judges_each_command_on_the_state_its_predecessors_left(rooms) -> None:  # type: ignore[no-untyped-def]
    a, b = rooms
    pause_b = request(b, "trainer", "Pause")
    results = services.room_commands_apply(
        [
            request(a, "trainer", "Pause"),
            request(a, "delegate02", "Resume"),  # not the trainer's to give
            pause_b,
            request(a, "trainer", "Resume"),  # the room is paused by now: allowed
            request(a, "trainer", "Resume"),  # and resumed by now: refused
            request(b, "trainer", "Pause", command_id=pause_b.command_id),  # a retry
        ]
    )
    paused_a, by_delegate, paused_b, resumed_a, resumed_again, retried = results
    assert paused_a.accepted and paused_a.seq == a.seq + 1
    assert by_delegate.rejection is not None and by_delegate.seq == a.seq + 1
    assert paused_b.accepted and paused_b.seq == b.seq + 1
    assert resumed_a.accepted and resumed_a.seq == a.seq + 2
    assert resumed_again.rejection is not None
    assert resumed_again.rejection.code is RejectionCode.NOT_PAUSED
    assert retried.accepted and retried.duplicate and not retried.events

    # What was stored: contiguous sequence numbers, rooms moved on, nothing else.
    fresh_a, fresh_b = Room.objects.get(pk=a.pk), Room.objects.get(pk=b.pk)
    assert fresh_a.seq == a.seq + 2 and seqs(a) == list(range(1, a.seq + 3))
    assert fresh_b.seq == b.seq + 1 and seqs(b) == list(range(1, b.seq + 2))
    room_state_cache_clear()
    assert not room_state(room=fresh_a).paused
    assert room_state(room=fresh_b).paused


def test_a_refused_batch_is_retried_command_by_command(rooms) -> None:  # type: ignore[no-untyped-def]
    a, b = rooms
    # Another writer has taken room B's next sequence number behind our back:
    # the batch's insert fails, so each command is tried again on its own.
    RoomEvent.objects.create(room=b, seq=b.seq + 1, kind="Paused", data={}, command_id="other")
    results = services.room_commands_apply(
        [request(a, "trainer", "Pause"), request(b, "trainer", "Pause")]
    )
    saved, refused = results
    assert isinstance(saved, services.CommandResult) and saved.accepted
    assert isinstance(refused, DatabaseError)
    assert Room.objects.get(pk=a.pk).seq == a.seq + 1
    assert Room.objects.get(pk=b.pk).seq == b.seq  # nothing of the refused command kept
    assert RoomEvent.objects.filter(room=b, command_id__in=["other"]).count() == 1
    assert RoomEvent.objects.filter(room=b).count() == b.seq + 1


def test_a_batch_the_database_refuses_for_a_lock_is_not_retried_command_by_command(
    rooms, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    """A locked or unreachable database: the whole batch is not saved, at once.

    Trying each command again would add load exactly when the database is
    struggling; every client sends its command again instead (``not_saved``).
    """
    from django.db import OperationalError

    from simulations import command_store

    a, b = rooms
    attempts = []

    def locked(room_ids):  # type: ignore[no-untyped-def]
        attempts.append(room_ids)
        raise OperationalError("database is locked")

    monkeypatch.setattr(command_store, "rooms_lock", locked)
    results = services.room_commands_apply(
        [request(a, "trainer", "Pause"), request(b, "trainer", "Pause")]
    )
    assert len(attempts) == 1
    assert all(isinstance(result, OperationalError) for result in results)
    assert len(results) == 2
    assert Room.objects.get(pk=a.pk).seq == a.seq and Room.objects.get(pk=b.pk).seq == b.seq


async def pause_resume_twice(*rooms: Room) -> list[services.CommandRequest]:
    """The trainer's Pause, Resume, Pause, Resume in each room, not yet applied."""
    return [
        await sync_to_async(request)(room, "trainer", name)
        for room in rooms
        for name in ("Pause", "Resume", "Pause", "Resume")
    ]


@pytest.mark.django_db(transaction=True)
async def test_the_queue_gathers_concurrent_commands_into_few_batches(rooms) -> None:  # type: ignore[no-untyped-def]
    a, b = rooms
    queue = CommandQueue()
    votes = await pause_resume_twice(a, b)
    results = await asyncio.gather(*(queue.apply(vote) for vote in votes))
    assert all(result.accepted for result in results)
    # All eight arrived before the writer ran: one transaction for the lot.
    assert queue.commands == 8 and queue.batches == 1
    assert [r.seq for r in results[:4]] == [a.seq + n for n in range(1, 5)]
    assert [r.seq for r in results[4:]] == [b.seq + n for n in range(1, 5)]
    assert await sync_to_async(seqs)(a) == list(range(1, a.seq + 5))


@pytest.mark.django_db(transaction=True)
async def test_a_batch_publishes_once_per_room_in_commit_order(rooms, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Eight commands in one batch: two publications, each with its room's events in order."""
    from simulations.hub import hub

    a, b = rooms
    published: list[tuple[int, list[int]]] = []
    real_publish = hub.publish

    async def recording_publish(room_id, events, state):  # type: ignore[no-untyped-def]
        events = list(events)
        published.append((room_id, [seq for seq, _ in events]))
        return await real_publish(room_id, events, state)

    monkeypatch.setattr(hub, "publish", recording_publish)
    queue = CommandQueue()
    votes = await pause_resume_twice(a, b)
    results = await asyncio.gather(*(queue.apply(vote) for vote in votes))
    assert all(result.accepted for result in results)
    assert queue.batches == 1
    assert published == [
        (a.pk, [a.seq + n for n in range(1, 5)]),
        (b.pk, [b.seq + n for n in range(1, 5)]),
    ]
