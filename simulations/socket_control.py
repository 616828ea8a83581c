"""Close a person's room sockets when they sign out, lose their seat or their access.

A phone shared at a seminar must not keep acting for the last person who
signed in on it. So:

- signing out (or a shared-device session timing out) closes that session's
  room sockets with ``CLOSE_SIGNED_OUT`` (4401);
- deactivating a person closes all their sockets with ``CLOSE_SIGNED_OUT``;
- a change to their roles or permissions (their own, or a role's), staff
  or superuser flags, manager scope or team, or to their seat in a room,
  closes the affected sockets with ``CLOSE_ACCESS_CHANGED`` (4409). The client reconnects and is seated
  afresh, or refused.

Each process keeps its own registry of open room sockets by user id; the
room consumer registers on connect and unregisters on disconnect. With the
in-process channel layer there is one process, so closing is a direct call.
With Redis (``REDIS_URL``), one message goes to the person's group
``user.<id>``; each process holds one channel, added to the group of every
person with a socket there, and one listener on it.

Requests are synchronous; closing happens on the event loop that owns the
sockets (``async_to_sync`` from a request thread hands it to that loop) and
only after the change commits. ``simulations.receivers`` calls
``user_sockets_close`` from Django's sign-out and access-change signals.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from functools import partial
from typing import Any, Protocol

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction

from simulations.hub import PROCESS_ID, hub

logger = logging.getLogger(__name__)

CLOSE_SIGNED_OUT = 4401
CLOSE_ACCESS_CHANGED = 4409


def user_group_name(user_id: int) -> str:
    return f"user.{user_id}"


class ControlledSocket(Protocol):
    scope: dict[str, Any]
    room_id: int | None

    async def close(self, code: int | bool | None = None, reason: str | None = None) -> None: ...


def _user_id(socket: ControlledSocket) -> int | None:
    user = socket.scope.get("user")
    return user.pk if user is not None and user.is_authenticated else None


def _session_key(socket: ControlledSocket) -> str | None:
    session = socket.scope.get("session")
    return getattr(session, "session_key", None) if session is not None else None


class SocketRegistry:
    def __init__(self) -> None:
        self.sockets: dict[int, set[ControlledSocket]] = defaultdict(set)
        # Across processes: one channel and one listener per process, added
        # to the group of each person with a socket here.
        self.channel: asyncio.Future[str] | None = None
        self.listener: asyncio.Task[None] | None = None
        self.tasks: set[asyncio.Task[None]] = set()

    @property
    def shares_across_processes(self) -> bool:
        return bool(getattr(settings, "REDIS_URL", ""))

    def register(self, socket: ControlledSocket) -> None:
        user_id = _user_id(socket)
        if user_id is None:
            return
        first = user_id not in self.sockets
        self.sockets[user_id].add(socket)
        if first and self.shares_across_processes:
            self._background(self._membership(user_id, join=True))

    def unregister(self, socket: ControlledSocket) -> None:
        user_id = _user_id(socket)
        if user_id is None or socket not in self.sockets.get(user_id, ()):
            return
        self.sockets[user_id].discard(socket)
        if not self.sockets[user_id]:
            del self.sockets[user_id]
            if self.shares_across_processes:
                self._background(self._membership(user_id, join=False))

    def _background(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _process_channel(self) -> str:
        if self.channel is None:
            loop = asyncio.get_running_loop()
            self.channel = loop.create_future()
            try:
                self.channel.set_result(await get_channel_layer().new_channel())
            except Exception as error:
                self.channel.set_exception(error)
                self.channel = None
                raise
            self.listener = loop.create_task(self._listen(self.channel.result()))
        return await self.channel

    async def _membership(self, user_id: int, *, join: bool) -> None:
        try:
            channel = await self._process_channel()
            layer = get_channel_layer()
            if join:
                await layer.group_add(user_group_name(user_id), channel)
            elif user_id not in self.sockets:  # nobody came back meanwhile
                await layer.group_discard(user_group_name(user_id), channel)
        except Exception:  # a broken layer must not take sockets down with it
            logger.exception("user %s: could not update socket control membership", user_id)

    async def close_local(
        self,
        user_id: int,
        code: int,
        *,
        session_key: str | None = None,
        room_id: int | None = None,
    ) -> int:
        """Close this process's matching sockets of ``user_id``; return how many."""
        closing = [
            s
            for s in self.sockets.get(user_id, ())
            if (session_key is None or _session_key(s) == session_key)
            and (room_id is None or s.room_id == room_id)
        ]
        for socket in closing:
            self.unregister(socket)
            if socket.room_id is not None:
                await hub.leave(socket.room_id, socket)  # type: ignore[arg-type]
            try:
                await socket.close(code=code)
            except (OSError, RuntimeError):
                logger.debug("user %s: socket already closed", user_id)
        if closing:
            logger.info("user %s: closed %d room socket(s) with %s", user_id, len(closing), code)
        return len(closing)

    async def close(
        self,
        user_id: int,
        code: int,
        *,
        session_key: str | None = None,
        room_id: int | None = None,
    ) -> None:
        await self.close_local(user_id, code, session_key=session_key, room_id=room_id)
        if self.shares_across_processes:
            await get_channel_layer().group_send(
                user_group_name(user_id),
                {
                    "type": "sockets.close",
                    "origin": PROCESS_ID,
                    "user_id": user_id,
                    "code": code,
                    "session_key": session_key,
                    "room_id": room_id,
                },
            )

    async def _listen(self, channel: str) -> None:
        layer = get_channel_layer()
        while True:
            try:
                message = await layer.receive(channel)
                if message.get("origin") == PROCESS_ID:
                    continue
                await self.close_local(
                    int(message["user_id"]),
                    int(message["code"]),
                    session_key=message.get("session_key"),
                    room_id=message.get("room_id"),
                )
            except asyncio.CancelledError:
                raise
            except Exception:  # keep listening: a lost close is worse than a log line
                logger.exception("socket control listener: message dropped")
                await asyncio.sleep(1)


registry = SocketRegistry()


def _close_now(
    user_id: int, code: int, session_key: str | None = None, room_id: int | None = None
) -> None:
    if not registry.shares_across_processes and user_id not in registry.sockets:
        return  # nothing of theirs open here, and no other process to tell
    kwargs = {"session_key": session_key, "room_id": room_id}
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        # A request thread: run on the loop that owns the sockets.
        async_to_sync(registry.close)(user_id, code, **kwargs)
        return
    registry._background(registry.close(user_id, code, **kwargs))  # on the loop already


def user_sockets_close(
    *, user_id: int, code: int, session_key: str | None = None, room_id: int | None = None
) -> None:
    """Close ``user_id``'s room sockets (one session's, or one room's) once this commits."""
    transaction.on_commit(partial(_close_now, user_id, code, session_key, room_id), robust=True)
