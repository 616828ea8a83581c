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
from typing import Any

import pytest
from channels_redis.core import RedisChannelLayer

from simulations.engine.state import Actor
from simulations.hub import Hub, room_group_name
from tests.simulations.live_server import PrivateRedis

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

    async def _receive_remote(self, room_id: int, message: dict[str, Any]) -> None:
        self.received.append(message)


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
    settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    redis = PrivateRedis().start()
    settings.REDIS_URL = redis.url
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis.url]},
        }
    }
    hub = RecordingHub()
    socket = Socket()
    try:
        await hub.join(ROOM, socket, seq=0, state=None)  # type: ignore[arg-type]
        assert await delivered(hub, redis.url, "before", 10), "no delivery even before"

        redis.stop()
        await asyncio.sleep(1)
        redis = PrivateRedis(port=redis.port).start()

        assert await delivered(hub, redis.url, "after", 20), "the listener stayed down"
        assert "listener lost the channel layer" in caplog.text
        listener = hub.rooms[ROOM].listener
        assert listener is not None and not listener.done()
    finally:
        room = hub.rooms.get(ROOM)
        listener = room.listener if room is not None else None
        await hub.leave(ROOM, socket)
        if listener is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await listener
        redis.stop()
