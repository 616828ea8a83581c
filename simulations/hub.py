"""Fan room events out to this process's sockets, rendered once per audience.

Each worker process has one ``Hub``. A socket registers with the room it
joined and the actor it sees as (a seat, an observer, or the trainer's
console). When events are committed, the hub renders each event once per
distinct audience and sends that frame to every socket of the audience.

Between processes, the channel layer carries only committed events: one
message per batch to the room's group, received by one listener per process
(not one per socket). With the in-process default layer there is only one
process, so the hub skips the layer altogether: the stock in-memory layer
sweeps every channel on each send and caps room traffic well below what a
seminar needs (see docs/benchmarks.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from simulations import protocol
from simulations.engine import conference
from simulations.engine.events import Event, event_from_dict
from simulations.engine.state import Actor, ConferenceState

logger = logging.getLogger(__name__)

PROCESS_ID = uuid.uuid4().hex
# Seconds to gather joins and leaves before telling a room who is online.
PRESENCE_DELAY = 0.25
# Seconds a room's listener waits before subscribing again after the channel
# layer failed, doubling up to the maximum while it keeps failing.
LISTEN_RETRY_FIRST = 0.25
LISTEN_RETRY_MAX = 5.0
# Batches waiting to go to the other workers, at most.
OUTGOING_LIMIT = 10_000


def room_group_name(room_id: int) -> str:
    return f"room.{room_id}"


class RoomSocket(Protocol):
    """What the hub needs of a consumer."""

    actor: Actor
    wants_html: bool

    def push(self, text: str) -> None:
        """Queue ``text`` for the socket, after its earlier frames; never wait."""


PanelRenderer = Callable[[ConferenceState, Actor, int], Awaitable[dict[str, str]]]


@dataclass
class RoomHub:
    room_id: int
    seq: int
    state: ConferenceState
    sockets: set[RoomSocket] = field(default_factory=set)
    listener: asyncio.Task[None] | None = None
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    presence_due: asyncio.TimerHandle | None = None

    def audiences(self) -> dict[Actor, list[RoomSocket]]:
        groups: dict[Actor, list[RoomSocket]] = defaultdict(list)
        for socket in self.sockets:
            groups[socket.actor].append(socket)
        return groups

    def online_roles(self) -> list[str]:
        return sorted(
            {
                s.actor.role.value
                for s in self.sockets
                if s.actor.role is not None and not s.actor.is_trainer
            }
        )


class Hub:
    def __init__(self) -> None:
        self.rooms: dict[int, RoomHub] = {}
        self.panel_renderer: PanelRenderer | None = None
        self.deliveries = 0
        self.outgoing: deque[tuple[int, dict[str, Any], asyncio.Future[None]]] = deque()
        self.sender: asyncio.Task[None] | None = None

    @property
    def shares_across_processes(self) -> bool:
        return bool(getattr(settings, "REDIS_URL", ""))

    async def join(
        self, room_id: int, socket: RoomSocket, *, seq: int, state: ConferenceState
    ) -> None:
        room = self.rooms.get(room_id)
        if room is None:
            room = self.rooms[room_id] = RoomHub(room_id=room_id, seq=seq, state=state)
            if self.shares_across_processes:
                room.listener = asyncio.create_task(self._listen(room))
        elif seq > room.seq:
            room.seq, room.state = seq, state
        room.sockets.add(socket)
        socket.push(self._presence_frame(room))
        self._presence_soon(room)

    async def leave(self, room_id: int, socket: RoomSocket) -> None:
        room = self.rooms.get(room_id)
        if room is None:
            return
        room.sockets.discard(socket)
        if not room.sockets:
            if room.listener is not None:
                room.listener.cancel()
            if room.presence_due is not None:
                room.presence_due.cancel()
            del self.rooms[room_id]
            return
        self._presence_soon(room)

    async def publish(
        self, room_id: int, events: Iterable[tuple[int, Event]], state: ConferenceState
    ) -> asyncio.Future[None] | None:
        """Deliver committed events here, then tell the other processes.

        Returns a future that is done once the other processes have been
        sent the events (``None`` when there are none to tell). Acknowledge
        a command only then: a client that hears the ack and acts again,
        through another worker, must not get ahead of the events it caused.
        """
        batch = list(events)
        if not batch:
            return None
        if not self.shares_across_processes:
            await self._deliver(room_id, batch, state)
            return None
        room = self.rooms.get(room_id)
        if room is not None and batch[0][0] > room.seq + 1:
            # Another worker's events, committed before these, have not
            # reached this process yet: read them, so no socket sees a gap.
            await self._catch_up(room)
        await self._deliver(room_id, batch, state)
        return self._send_soon(
            room_id,
            {
                "type": "room.events",
                "origin": PROCESS_ID,
                "events": [[seq, event.to_dict()] for seq, event in batch],
            },
        )

    def _send_soon(self, room_id: int, message: dict[str, Any]) -> asyncio.Future[None]:
        """Send ``message`` to the room's group after those queued before it.

        One sender per process, in order, so another worker receives a room's
        batches in commit order; the command queue writes its next batch
        while Redis is sent this one. If Redis is too slow the oldest
        messages are dropped (logged): the other workers see the gap and
        rebuild the room from the database.
        """
        if len(self.outgoing) >= OUTGOING_LIMIT:
            dropped, _, skipped = self.outgoing.popleft()
            skipped.set_result(None)
            logger.warning("room %s: cross-worker queue full; dropped a batch", dropped)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.outgoing.append((room_id, message, done))
        if self.sender is None or self.sender.done():
            self.sender = asyncio.create_task(self._send())
        return done

    async def _send(self) -> None:
        layer = get_channel_layer()
        while self.outgoing:
            room_id, message, done = self.outgoing.popleft()
            try:
                await layer.group_send(room_group_name(room_id), message)
            except Exception:  # the events are committed: other workers will resync
                logger.exception("room %s: publishing failed", room_id)
            finally:
                done.set_result(None)

    async def _deliver(
        self, room_id: int, batch: list[tuple[int, Event]], state: ConferenceState
    ) -> None:
        room = self.rooms.get(room_id)
        if room is None:
            return
        async with room.lock:
            fresh = [(seq, event) for seq, event in batch if seq > room.seq]
            if not fresh:
                return
            room.seq, room.state = fresh[-1][0], state
            for actor, sockets in room.audiences().items():
                frames = [
                    protocol.render_event(
                        seq=seq, event=conference.event_view_for(state, event, actor)
                    )
                    for seq, event in fresh
                ]
                html = None
                if self.panel_renderer is not None and any(s.wants_html for s in sockets):
                    panels = await self.panel_renderer(state, actor, room.seq)
                    html = protocol.render_html(seq=room.seq, panels=panels)
                for socket in sockets:
                    for frame in frames:
                        socket.push(frame)
                    if html is not None and socket.wants_html:
                        socket.push(html)
                self.deliveries += len(frames) * len(sockets)

    def _presence_frame(self, room: RoomHub) -> str:
        return protocol.render_presence(
            online=room.online_roles(), trainer=any(s.actor.is_trainer for s in room.sockets)
        )

    def _presence_soon(self, room: RoomHub) -> None:
        """Tell the room who is online, once for all the joins and leaves of a moment.

        A socket that joins is told at once; the others hear of it within
        ``PRESENCE_DELAY``. When a whole room reconnects after a restart this
        sends each socket one presence frame rather than one per arrival.
        """
        if room.presence_due is None:
            loop = asyncio.get_running_loop()
            room.presence_due = loop.call_later(PRESENCE_DELAY, self._presence, room)

    def _presence(self, room: RoomHub) -> None:
        room.presence_due = None
        if self.rooms.get(room.room_id) is not room:
            return
        frame = self._presence_frame(room)
        for socket in list(room.sockets):
            socket.push(frame)

    async def _listen(self, room: RoomHub) -> None:
        """Receive other processes' events for ``room`` (one listener per process).

        When the layer fails (Redis restarted or unreachable) the listener
        logs it and subscribes again, backing off up to ``LISTEN_RETRY_MAX``
        seconds, for as long as the room has sockets here: a Redis that
        comes back empty has forgotten the group. Each time it has subscribed
        (the first time too: events may be committed elsewhere between a
        socket's snapshot and the subscription) it reads what the room
        committed after the last event this process delivered and delivers
        that, so nothing published while it was not listening waits for the
        room's next event.
        """
        layer = get_channel_layer()
        group = room_group_name(room.room_id)
        pause = LISTEN_RETRY_FIRST
        while True:
            channel = None
            try:
                # The default prefix on purpose: channels_redis lets one
                # coroutine at a time block on Redis for all of a process's
                # own channels, popping the key of its channel's prefix. A
                # channel with another prefix than the consumers'
                # ("specific.") waits behind them, and the other workers'
                # events for it are never read.
                channel = await layer.new_channel()
                await layer.group_add(group, channel)
                await self._catch_up(room)
                while True:
                    message = await layer.receive(channel)
                    pause = LISTEN_RETRY_FIRST
                    if message.get("origin") == PROCESS_ID:
                        continue
                    await self._receive_remote(room.room_id, message)
            except asyncio.CancelledError:
                raise
            except Exception:  # a broken layer must not take the room down
                logger.exception(
                    "room %s: listener lost the channel layer; retrying in %.1f s",
                    room.room_id,
                    pause,
                )
            finally:
                if channel is not None:
                    with contextlib.suppress(Exception):
                        await layer.group_discard(group, channel)
            await asyncio.sleep(pause)
            pause = min(pause * 2, LISTEN_RETRY_MAX)

    async def _catch_up(self, room: RoomHub) -> None:
        """Deliver what ``room`` committed that this process has not delivered."""
        from simulations.selectors import room_events_after

        batch, state = await sync_to_async(room_events_after)(room_id=room.room_id, seq=room.seq)
        if batch and state is not None:
            logger.info(
                "room %s: delivering %d event(s) missed while not subscribed",
                room.room_id,
                len(batch),
            )
            await self._deliver(room.room_id, batch, state)

    async def _receive_remote(self, room_id: int, message: dict[str, Any]) -> None:
        room = self.rooms.get(room_id)
        if room is None:
            return
        batch = [(int(seq), event_from_dict(data)) for seq, data in message["events"]]
        fresh = [(seq, event) for seq, event in batch if seq > room.seq]
        if not fresh:
            return  # delivered already (read from the database, or sent twice)
        if fresh[0][0] == room.seq + 1:
            state = conference.replay(room.state, (event for _, event in fresh))
            await self._deliver(room_id, fresh, state)
        else:
            # Missed something: deliver it and these from the database.
            await self._catch_up(room)


hub = Hub()
