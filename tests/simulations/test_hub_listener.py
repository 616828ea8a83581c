"""A room's listener subscribes again when its Redis goes away and comes back.

The hub keeps one listener per room per process, which receives the other
workers' events through the Redis channel layer. A Redis that restarts
(empty: it keeps nothing on disk) breaks the listener's connection and
forgets the room's group. The listener must log that, subscribe again once
Redis answers, and receive the other workers' events as before (fault B4;
``tests/chaos/test_redis_loss.py`` plays it with two real workers).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import time
import uuid
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels_redis.core import RedisChannelLayer

from accounts.models import User
from config.views import _channel_round_trip_with_timeout
from simulations import panels, services
from simulations.engine.state import Actor
from simulations.hub import Hub, room_group_name
from simulations.models import Room
from simulations.selectors import room_state, room_state_cache_clear
from tests.simulations.live_server import PrivateRedis
from tests.simulations.rooms import open_room

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]

ROOM = 4242


class RecordingHub(Hub):
    """The real hub, noting the remote batches its listener hands on."""

    def __init__(self) -> None:
        super().__init__()
        self.received: list[dict[str, Any]] = []
        self.subscriptions = 0

    async def _receive_remote(self, room_id: int, message: dict[str, Any]) -> None:
        self.received.append(message)

    async def _catch_up(self, room: Any) -> None:
        self.subscriptions += 1


class Socket:
    actor = Actor(is_trainer=True)
    wants_html = False

    def push(self, text: str) -> None:
        pass


async def delivered(hub: RecordingHub, url: str, mark: str, timeout: float) -> bool:
    """Send ``mark`` to the room's group from another layer until the hub gets it."""
    other = RedisChannelLayer(hosts=[url])
    limit = time.monotonic() + timeout
    try:
        while time.monotonic() < limit:
            with contextlib.suppress(Exception):  # Redis may still be starting
                await other.group_send(
                    room_group_name(ROOM),
                    {"type": "room.events", "origin": "another-worker", "mark": mark},
                )
            await asyncio.sleep(0.25)
            if any(m.get("mark") == mark for m in hub.received):
                return True
        return False
    finally:
        with contextlib.suppress(Exception):
            await other.close_pools()


async def test_the_listener_subscribes_again_after_redis_restarts(
    private_redis: PrivateRedis, caplog: pytest.LogCaptureFixture
) -> None:
    hub = RecordingHub()
    socket = Socket()
    again = None
    try:
        await hub.join(ROOM, socket, seq=0, state=None)  # type: ignore[arg-type]
        assert await delivered(hub, private_redis.url, "before", 10), "no delivery even before"

        private_redis.stop()
        await asyncio.sleep(1)
        again = PrivateRedis(port=private_redis.port).start()

        assert await delivered(hub, again.url, "after", 20), "the listener stayed down"
        assert "listener lost the channel layer" in caplog.text
        # Each subscription caught up with the database: the first, and the
        # one after the restart.
        assert hub.subscriptions >= 2
        listener = hub.rooms[ROOM].listener
        assert listener is not None and not listener.done()
    finally:
        await leave(hub, ROOM, socket)
        if again is not None:
            again.stop()


async def leave(hub: Hub, room_id: int, socket: Any) -> None:
    """Take ``socket`` out of the room and wait for the room's listener to stop."""
    room = hub.rooms.get(room_id)
    listener = room.listener if room is not None else None
    await hub.leave(room_id, socket)
    if listener is not None:
        with contextlib.suppress(asyncio.CancelledError):
            await listener


@pytest.fixture
def private_redis(settings: Any) -> Any:
    redis = PrivateRedis().start()
    settings.REDIS_URL = redis.url
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis.url]},
        }
    }
    from channels.layers import channel_layers

    channel_layers.backends.clear()
    yield redis
    channel_layers.backends.clear()
    redis.stop()


async def test_the_health_check_round_trip_is_answered_while_a_room_listens(
    private_redis: PrivateRedis,
) -> None:
    """The ping is read even while a room's listener waits on Redis (fault B5).

    channels_redis lets one coroutine at a time wait on Redis for all of a
    process's channels; the health check's ping must be in the queue that
    coroutine reads, or it waits until the room's next event.
    """
    hub = RecordingHub()
    socket = Socket()
    try:
        await hub.join(ROOM, socket, seq=0, state=None)  # type: ignore[arg-type]
        assert await delivered(hub, private_redis.url, "listening", 10)
        for _ in range(3):  # the listener is waiting again each time
            assert await _channel_round_trip_with_timeout() == "ok"
    finally:
        await leave(hub, ROOM, socket)


def pause_resume(room: Room, count: int) -> services.CommandResult:
    """The trainer pauses and resumes ``count`` times in all; return the last result."""
    trainer = User.objects.get(username="trainer")
    results = []
    for n in range(count):
        pause = n % 2 == 0
        (result,) = services.room_commands_apply(
            [
                services.CommandRequest(
                    room_id=room.pk,
                    user=trainer,
                    name="Pause" if pause else "Resume",
                    args={"reason": "test"} if pause else {},
                    command_id=uuid.uuid4().hex,
                )
            ]
        )
        assert isinstance(result, services.CommandResult) and result.accepted
        results.append(result)
    return results[-1]


class Inbox:
    actor = Actor(is_trainer=True)
    wants_html = False

    def __init__(self) -> None:
        self.frames: list[dict[str, Any]] = []

    def push(self, text: str) -> None:
        import json

        self.frames.append(json.loads(text))

    def seqs(self) -> list[int]:
        return [f["seq"] for f in self.frames if f.get("type") == "event"]


@pytest.mark.django_db(transaction=True)
async def test_on_subscribing_the_listener_delivers_what_the_room_committed_meanwhile(
    private_redis: PrivateRedis, demo_people: Any, citations_resolve: Any
) -> None:
    """Events committed elsewhere while this process was not subscribed reach its sockets.

    The hub here last saw the room at sequence 2; the room is further on in
    the database (another worker committed while Redis was away). On
    subscribing, the listener delivers 3.. at once, without waiting for the
    room's next event (fault B4).
    """
    panels.room_context_clear()
    room_state_cache_clear()

    def committed_elsewhere() -> tuple[Room, Any]:
        room = open_room()
        pause_resume(room, 5)
        room.refresh_from_db()
        return room, room_state(room=room)

    room, state = await sync_to_async(committed_elsewhere)()
    assert room.seq == 5, room.seq
    hub = Hub()
    inbox = Inbox()
    try:
        await hub.join(room.pk, inbox, seq=2, state=state)
        limit = time.monotonic() + 10
        while inbox.seqs() != list(range(3, room.seq + 1)) and time.monotonic() < limit:
            await asyncio.sleep(0.05)
        assert inbox.seqs() == list(range(3, room.seq + 1))
        assert hub.rooms[room.pk].seq == room.seq
    finally:
        await leave(hub, room.pk, inbox)


@pytest.mark.django_db(transaction=True)
async def test_a_local_batch_after_unreceived_remote_events_delivers_them_first(
    private_redis: PrivateRedis, demo_people: Any, citations_resolve: Any
) -> None:
    """This worker commits 3 while another worker's 1 and 2 are still on their way.

    The hub reads 1 and 2 from the database before it delivers 3, so its
    sockets see no gap and need no resync.
    """
    panels.room_context_clear()
    room_state_cache_clear()
    room = await sync_to_async(open_room)()
    state = await sync_to_async(lambda: room_state(room=Room.objects.get(pk=room.pk)))()
    hub = Hub()
    inbox = Inbox()
    try:
        await hub.join(room.pk, inbox, seq=room.seq, state=state)
        await asyncio.sleep(0.5)  # subscribed, caught up with nothing
        await sync_to_async(pause_resume)(room, 2)  # "elsewhere": not published
        result = await sync_to_async(pause_resume)(room, 1)
        assert inbox.seqs() == []
        await hub.publish(room.pk, result.events, result.state)
        assert inbox.seqs() == [room.seq + 1, room.seq + 2, room.seq + 3]
    finally:
        await leave(hub, room.pk, inbox)
