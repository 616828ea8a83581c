"""WebSocket consumers: thin adapters between frames and services."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.db import DatabaseError

from accounts import sessions
from simulations import protocol, selectors, services, socket_control
from simulations.command_queue import command_queue
from simulations.engine import conference
from simulations.engine.state import Actor
from simulations.engine.vocabulary import Role
from simulations.hub import hub
from simulations.limits import limits

logger = logging.getLogger(__name__)

CLOSE_UNAUTHENTICATED = 4401


class EchoConsumer(AsyncWebsocketConsumer):
    """Answer pings and echo text for signed-in people: the connection check."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.accept()
        await self.send(text_data=protocol.render_welcome(user_name=user.get_username()))

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        try:
            command = protocol.parse_frame(text_data)
        except protocol.ProtocolError as error:
            logger.info("rejected frame from %s: %s", self.scope["user"], error.code)
            await self.send(text_data=protocol.render_error(error))
            return
        if isinstance(command, protocol.Ping):
            await self.send(text_data=protocol.render_pong(command))
        else:
            await self.send(
                text_data=protocol.render_echo(command, user_name=self.scope["user"].get_username())
            )


CLOSE_FORBIDDEN = 4403
CLOSE_NOT_FOUND = 4404
CLOSE_RATE_LIMITED = 4429
# A client too slow to read its frames (RFC 6455: try again later).
CLOSE_TOO_SLOW = 1013
RATE_PER_SECOND = 20.0
RATE_BURST = 40.0
RATE_STRIKES_BEFORE_CLOSE = 100


class RoomConsumer(AsyncWebsocketConsumer):
    """One delegate's (or the trainer's) connection to a conference room.

    It checks who may join, parses frames, calls one service per command and
    hands committed events to the process's hub, which renders and fans them
    out. It keeps only ids and the actor on ``self``.
    """

    actor: Actor
    wants_html: bool = False
    writer: asyncio.Task[None] | None = None
    too_slow: bool = False
    # On a shared device: when this socket last sent a command, and when that
    # was last written to the session (Unix times); the idle timer.
    shared_device: bool = False
    last_command: float = 0.0
    seen_saved: float = 0.0
    idle_timer: asyncio.TimerHandle | None = None
    gone: bool = False
    # Rooms reach other workers through the hub, one listener per process,
    # so a socket needs no channel of its own (an alias with no layer).
    channel_layer_alias = "no-layer-per-socket"

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels closes stale database connections (a thread hop) before
        # every message. Our database work runs in database_sync_to_async,
        # which already does that on its own thread, so skip the extra hop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self) -> None:
        self.room_id: int | None = None
        self.outbox: deque[str] = deque()
        self.outbox_bytes = 0
        self.background: set[asyncio.Task[Any]] = set()
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        code = self.scope["url_route"]["kwargs"]["code"]
        access = await database_sync_to_async(selectors.room_access)(code=code, user=user)
        if access is None:
            await self.close(code=CLOSE_FORBIDDEN)
            return
        query = parse_qs(self.scope.get("query_string", b"").decode())
        self.wants_html = query.get("format") == ["html"]
        self.room_id, self.actor = access.room_id, access.actor
        # One bucket per person per room, shared by all their sockets there.
        self.bucket_key = (user.pk, access.room_id)
        self.bucket = limits.bucket_open(self.bucket_key, rate=RATE_PER_SECOND, burst=RATE_BURST)
        self.strikes = 0
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        self.shared_device = bool(self.session_key) and sessions.is_shared_device(session)
        if self.shared_device and not await self._still_active():
            await self.close(code=socket_control.CLOSE_SIGNED_OUT)
            return
        await self.accept()
        await self.send_snapshot(access)
        await hub.join(access.room_id, self, seq=access.seq, state=access.state)
        socket_control.registry.register(self)

    async def _still_active(self) -> bool:
        """On a shared device: sign out if idle too long, else check again when due."""
        left = await database_sync_to_async(services.room_socket_idle_check)(
            session_key=self.session_key, user=self.scope["user"], last_command=self.last_command
        )
        if left is None:
            return False  # signed out: socket control closes this session's sockets
        if self.gone:
            return True
        loop = asyncio.get_running_loop()
        self.idle_timer = loop.call_later(left + 0.5, self._idle_check_due)
        return True

    def _idle_check_due(self) -> None:
        task = asyncio.get_running_loop().create_task(self._still_active())
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    async def _note_activity(self) -> None:
        now = time.time()
        self.last_command = now
        if now - self.seen_saved >= sessions.seen_interval():
            self.seen_saved = now
            await database_sync_to_async(sessions.session_seen)(self.session_key, int(now))

    async def disconnect(self, code: int) -> None:
        self.gone = True
        if self.idle_timer is not None:
            self.idle_timer.cancel()
        socket_control.registry.unregister(self)
        if getattr(self, "room_id", None) is not None:
            limits.bucket_close(self.bucket_key)
            await hub.leave(self.room_id, self)

    async def send_frame(self, text: str) -> None:
        self.push(text)

    def push(self, text: str) -> None:
        """Send ``text`` after every frame pushed before it, without waiting on the network.

        Frames to a socket leave in order. While the connection keeps up (the
        usual case) each is written at once, with no task switch. When the
        client stops reading (a phone asleep mid-frame, a wifi dead spot),
        the frames wait here instead of holding up the room's broadcast; once
        more than ``THRESHOLD_SOCKET_OUTBOX_FRAMES`` frames or
        ``THRESHOLD_SOCKET_OUTBOX_BYTES`` bytes wait, the socket is dropped
        from the room and closed with 1013 (try again later): the client
        reconnects and resyncs from a snapshot, and the server's memory stays
        bounded.
        """
        if self.too_slow:
            return
        if self.writer is not None:
            self.outbox.append(text)
            self.outbox_bytes += len(text)
            if (
                len(self.outbox) > settings.THRESHOLD_SOCKET_OUTBOX_FRAMES
                or self.outbox_bytes > settings.THRESHOLD_SOCKET_OUTBOX_BYTES
            ):
                self._drop_slow_connection()
            return
        writer = asyncio.Task(self._write(text), loop=asyncio.get_running_loop(), eager_start=True)
        if not writer.done():
            self.writer = writer

    async def _write(self, text: str) -> None:
        while True:
            try:
                await self.send(text_data=text)
            except (OSError, RuntimeError):
                # The client went away mid-broadcast (uvicorn raises
                # ClientDisconnected, or RuntimeError once closed): its
                # disconnect() takes it out of the hub.
                logger.debug("room %s: frame to a closed socket dropped", self.room_id)
            if not self.outbox:
                self.writer = None  # no await between the check and this
                return
            text = self.outbox.popleft()
            self.outbox_bytes -= len(text)

    def _drop_slow_connection(self) -> None:
        self.too_slow = True
        self.outbox.clear()
        self.outbox_bytes = 0
        logger.warning(
            "room %s: %s stopped reading; closing its socket", self.room_id, self.scope["user"]
        )
        if self.writer is not None:
            self.writer.cancel()  # stuck on a client that does not read
            self.writer = None
        loop = asyncio.get_running_loop()
        closing = asyncio.wait_for(self.close(code=CLOSE_TOO_SLOW), timeout=10)
        for work in (hub.leave(self.room_id, self), closing):
            task = loop.create_task(work)  # type: ignore[arg-type]
            self.background.add(task)
            task.add_done_callback(self.background.discard)

    async def send_snapshot(self, access: selectors.RoomAccess) -> None:
        view = conference.view_for(access.state, access.actor)
        await self.send_frame(protocol.render_snapshot(seq=access.seq, view=view, seat=access.seat))
        if self.wants_html and hub.panel_renderer is not None:
            panels = await hub.panel_renderer(access.state, access.actor, access.seq)
            await self.send_frame(protocol.render_html(seq=access.seq, panels=panels))

    def _allow_frame(self) -> bool:
        if self.bucket.take():
            return True
        self.strikes += 1
        return False

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        user = self.scope["user"]
        if not self._allow_frame():
            if self.strikes >= RATE_STRIKES_BEFORE_CLOSE:
                logger.warning("room %s: closing %s for flooding", self.room_id, user)
                await self.close(code=CLOSE_RATE_LIMITED)
                return
            if self.strikes == 1 or self.strikes % 20 == 0:
                await self.send_frame(
                    protocol.render_error(
                        protocol.ProtocolError("rate_limited", "Too many messages: slow down.")
                    )
                )
            return
        try:
            frame = protocol.parse_room_frame(text_data)
        except protocol.ProtocolError as error:
            logger.info("room %s: rejected frame from %s: %s", self.room_id, user, error.code)
            await self.send_frame(protocol.render_error(error))
            return
        if isinstance(frame, protocol.Ping):
            await self.send_frame(protocol.render_pong(frame))
        elif isinstance(frame, protocol.Resync):
            access = await database_sync_to_async(selectors.room_access)(
                room_id=self.room_id, user=user
            )
            if access is None:
                await self.close(code=CLOSE_FORBIDDEN)
                return
            self.actor = access.actor
            await self.send_snapshot(access)
        else:
            await self.run_command(frame)

    async def run_command(self, frame: protocol.RoomCommand) -> None:
        if self.shared_device:
            await self._note_activity()
        try:
            as_role = Role(frame.as_role) if frame.as_role else None
        except ValueError:
            logger.info("room %s: %s sent an unknown role", self.room_id, self.scope["user"])
            await self.send_frame(
                protocol.render_rejected(
                    command_id=frame.id, code="bad_field", message="Unknown role."
                )
            )
            return
        try:
            result = await command_queue.apply(
                services.CommandRequest(
                    room_id=self.room_id,
                    user=self.scope["user"],
                    name=frame.name,
                    args=frame.args,
                    command_id=frame.id,
                    as_role=as_role,
                )
            )
        except DatabaseError:
            # Not saved (the database is unavailable or refused the write):
            # say so, so the client sends the same command again later.
            logger.warning("room %s: %s not saved", self.room_id, frame.name)
            await self.send_frame(
                protocol.render_rejected(
                    command_id=frame.id,
                    code=protocol.NOT_SAVED,
                    message="That was not saved: the server is busy. Try again.",
                )
            )
            return
        if result.rejection is not None:
            logger.info(
                "room %s: %s rejected %s: %s",
                self.room_id,
                self.scope["user"],
                frame.name,
                result.rejection.code,
            )
            await self.send_frame(
                protocol.render_rejected(
                    command_id=frame.id,
                    code=str(result.rejection.code),
                    message=result.rejection.message,
                )
            )
            return
        await self.send_frame(
            protocol.render_ack(command_id=frame.id, seq=result.seq, duplicate=result.duplicate)
        )


class UnknownPathConsumer(AsyncWebsocketConsumer):
    """Close sockets opened on a path no consumer serves (rather than raise)."""

    async def connect(self) -> None:
        logger.info("socket refused: no such path %r", self.scope.get("path", "")[:200])
        await self.close(code=CLOSE_NOT_FOUND)
