"""Scripted conference bots: WebSocket clients that speak the room protocol.

A bot is what a delegate's browser would be, minus the person: it signs in
over HTTP, opens ``/ws/rooms/<code>/`` with its session cookie and an
``Origin``, keeps the room's sequence numbers contiguous (asking for a
snapshot when it sees a gap), sends commands with ids of its own and waits
for their acks, resending the same id when an ack does not come, and
reconnects with jittered backoff when the server goes away. Everything it
knows about the server comes from docs/protocol.md: it imports nothing from
Django, so ``simulate_conference``, the restart tests and the benchmark load
generators (separate processes) all run it as it is.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus
from websockets.typing import Origin

from simulations.script import FINAL_PHASE, Verdict, conference_script

# Closes after which reconnecting cannot help (see docs/protocol.md).
FATAL_CLOSE_CODES = frozenset({4401, 4403, 4404})
# The rejection that means "not stored, send it again" (docs/protocol.md).
NOT_SAVED = "not_saved"
# The room socket refuses frames over 64 KiB; nothing it sends is larger.
MAX_FRAME = 1 << 20
_CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken"\s+value="([^"]+)"')


class BotError(Exception):
    """A bot cannot go on: refused at the door, or a step was rejected."""


def new_command_id(prefix: str = "c") -> str:
    """Return a fresh command id (the protocol allows 8-64 of ``[A-Za-z0-9-_.:]``)."""
    return f"{prefix}-{uuid.uuid4().hex}"


def ws_url(base_url: str, code: str) -> str:
    """Return the room socket's URL for a server at ``base_url`` (http or https)."""
    parts = urlsplit(base_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}/ws/rooms/{code}/"


def origin_of(base_url: str) -> str:
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}"


async def sign_in(base_url: str, username: str, password: str, *, timeout: float = 60) -> str:
    """Sign in through the sign-in form; return the ``Cookie`` header to use.

    GET the form (for the CSRF cookie and token), POST it back with the same
    origin, and keep every cookie the server set (the session above all).
    """
    import httpx  # only bots that sign in need it

    origin = origin_of(base_url)
    async with httpx.AsyncClient(base_url=origin, timeout=timeout, trust_env=False) as client:
        form = await client.get("/sign-in/")
        form.raise_for_status()
        token = _CSRF_INPUT.search(form.text)
        if token is None:
            raise BotError(f"{username}: the sign-in page has no CSRF token")
        reply = await client.post(
            "/sign-in/",
            data={"username": username, "password": password, "csrfmiddlewaretoken": token[1]},
            headers={"Origin": origin, "Referer": f"{origin}/sign-in/"},
        )
        if reply.status_code != 302:
            raise BotError(f"{username}: sign-in failed (HTTP {reply.status_code})")
        cookies = dict(client.cookies.items())
    if "sessionid" not in cookies:
        raise BotError(f"{username}: signed in but no session cookie came back")
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


@dataclass
class BotStats:
    frames: int = 0
    events: int = 0
    hidden_events: int = 0  # events this seat may not see: seq only
    duplicates: int = 0  # events at or below the last seq (after a resync)
    gaps: int = 0
    snapshots: int = 0
    connections: int = 0
    refused: int = 0  # connection attempts that failed
    refusals: Counter[str] = field(default_factory=Counter)  # why, by kind
    commands: int = 0
    resends: int = 0
    rejected: int = 0
    errors: int = 0  # error frames (malformed, rate limited)
    not_saved: int = 0  # commands the server answered "not saved" (then resent)
    close_codes: Counter[int] = field(default_factory=Counter)  # closes seen, by code
    opened: list[float] = field(default_factory=list)  # time.time() of each connection


FrameHook = Callable[["Bot", dict[str, Any], float], None]


class Bot:
    """One seat's (or the trainer's) connection to a room, kept alive.

    ``seq`` is the last sequence number the bot has accounted for: every
    number up to it came as an event, or is covered by a snapshot. ``view``
    and ``seat`` come from the latest snapshot. ``on_event(bot, frame,
    arrived)`` is called for each new event in order (``arrived`` is
    ``time.time()`` when the frame was read), which is how benchmarks
    measure latency without keeping the frames; ``on_reply`` likewise for
    acks and rejections of commands sent with :meth:`send_nowait`.
    """

    def __init__(
        self,
        name: str,
        *,
        base_url: str,
        code: str,
        cookie: str,
        on_event: FrameHook | None = None,
        on_reply: FrameHook | None = None,
        keep_events: bool = True,
        reconnect: bool = True,
        backoff: tuple[float, float] = (0.5, 8.0),
        ack_timeout: float = 10.0,
        rng: random.Random | None = None,
    ) -> None:
        self.name = name
        self.url = ws_url(base_url, code)
        self.origin = origin_of(base_url)
        self.cookie = cookie
        self.on_event = on_event
        self.on_reply = on_reply
        self.keep_events = keep_events
        self.reconnect = reconnect
        self.backoff = backoff
        self.ack_timeout = ack_timeout
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not secrets  # nosec B311
        self.stats = BotStats()
        self.seq = 0
        self.view: dict[str, Any] | None = None
        self.seat: dict[str, Any] | None = None
        self.presence: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []
        self.close_code: int | None = None
        self.synced_at: float | None = None  # time.time() of the latest snapshot
        self.disconnected_at: float | None = None
        self._ws: ClientConnection | None = None
        self._online = asyncio.Event()  # connected and holding a fresh snapshot
        self._want_snapshot = True
        self._fresh = False  # connected, first snapshot not yet read
        self._held: list[dict[str, Any]] = []  # events read while awaiting a snapshot
        self._pending: dict[str, tuple[str, asyncio.Future[dict[str, Any]]]] = {}
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self._fatal: BaseException | None = None

    # Connection ------------------------------------------------------------

    @property
    def role(self) -> str | None:
        return None if self.seat is None else self.seat.get("role")

    @property
    def online(self) -> bool:
        return self._online.is_set()

    async def start(self, *, timeout: float | None = 30) -> Bot:
        """Connect (in the background, reconnecting as needed); wait for the snapshot."""
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name=f"bot {self.name}")
        if timeout is not None:
            await self.wait_online(timeout)
        return self

    async def wait_online(self, timeout: float) -> None:
        waiter = asyncio.ensure_future(self._online.wait())
        done, _ = await asyncio.wait(
            {waiter, self._task} if self._task else {waiter},
            timeout=timeout,
            return_when=asyncio.FIRST_COMPLETED,
        )
        if waiter not in done:
            waiter.cancel()
            if self._fatal is not None:
                raise BotError(f"{self.name}: {self._fatal}") from self._fatal
            raise BotError(f"{self.name}: not connected after {timeout:.0f} s")

    async def close(self) -> None:
        self._closing = True
        if self._ws is not None:
            with contextlib.suppress(Exception):
                await self._ws.close()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    def _delay(self, attempt: int) -> float:
        """Full-jitter backoff: uniform(0, min(cap, base * 2 ** attempt))."""
        base, cap = self.backoff
        return self.rng.uniform(0, min(cap, base * 2**attempt))

    async def _run(self) -> None:
        attempt = 0
        while not self._closing:
            try:
                self.close_code = None
                async with connect(
                    self.url,
                    origin=Origin(self.origin),
                    additional_headers={"Cookie": self.cookie},
                    compression=None,
                    proxy=None,
                    open_timeout=20,
                    max_size=MAX_FRAME,
                    user_agent_header="threshold-bot",
                ) as ws:
                    self._ws = ws
                    self.stats.connections += 1
                    self.stats.opened.append(time.time())
                    self._want_snapshot, self._fresh, self._held = True, True, []
                    attempt = 0
                    async for raw in ws:
                        self._on_frame(raw, time.time())
                    self.close_code = ws.close_code
            except InvalidStatus as error:
                self.stats.refused += 1
                self.stats.refusals[f"HTTP {error.response.status_code}"] += 1
                if error.response.status_code in (401, 403, 404):
                    self._fatal = error
                    return
            except ConnectionClosed as error:
                self.close_code = error.rcvd.code if error.rcvd else None
            except (OSError, InvalidHandshake, TimeoutError) as error:
                self.stats.refused += 1
                self.stats.refusals[type(error).__name__] += 1
            finally:
                self._ws = None
                if self.close_code is not None:
                    self.stats.close_codes[self.close_code] += 1
                if self._online.is_set():
                    self.disconnected_at = time.time()
                self._online.clear()
            if self.close_code in FATAL_CLOSE_CODES:
                self._fatal = BotError(f"closed with code {self.close_code}")
                return
            if not self.reconnect or self._closing:
                return
            await asyncio.sleep(self._delay(attempt))
            attempt += 1

    # Frames ----------------------------------------------------------------

    def _on_frame(self, raw: str | bytes, arrived: float) -> None:
        self.stats.frames += 1
        frame = json.loads(raw)
        kind = frame.get("type")
        if kind == "event":
            if self._want_snapshot:
                self._held.append(frame)
            else:
                self._take_event(frame, arrived)
        elif kind == "snapshot":
            self._take_snapshot(frame, arrived)
        elif kind in ("ack", "rejected"):
            pending = self._pending.get(frame.get("id", ""))
            if pending is not None and not pending[1].done():
                pending[1].set_result(frame)
            elif self.on_reply is not None:
                self.on_reply(self, frame, arrived)
        elif kind == "presence":
            self.presence = frame
        elif kind == "error":
            self.stats.errors += 1

    def _take_event(self, frame: dict[str, Any], arrived: float) -> None:
        seq = frame["seq"]
        if seq <= self.seq:
            self.stats.duplicates += 1
            return
        if seq != self.seq + 1:
            self.stats.gaps += 1
            self._held.append(frame)
            self.resync()
            return
        self.seq = seq
        self.stats.events += 1
        if frame["event"] is None:
            self.stats.hidden_events += 1
        if self.keep_events:
            self.events.append(frame)
        if self.on_event is not None:
            self.on_event(self, frame, arrived)

    def _take_snapshot(self, frame: dict[str, Any], arrived: float) -> None:
        self.stats.snapshots += 1
        self.seq, self.view, self.seat = frame["seq"], frame["view"], frame["seat"]
        self._want_snapshot = False
        held, self._held = self._held, []
        for event in held:
            if self._want_snapshot:  # a gap again: wait for the next snapshot
                self._held.append(event)
            else:
                self._take_event(event, arrived)
        if not self._want_snapshot:
            self.synced_at = arrived
            self._online.set()
        if self._fresh:
            # A new connection: whatever was unanswered on the old one goes again.
            self._fresh = False
            for payload, _ in list(self._pending.values()):
                self._send_now(payload)
                self.stats.resends += 1

    def resync(self) -> None:
        """Ask for a snapshot (after a gap); events wait until it comes."""
        self._want_snapshot = True
        self._online.clear()
        self._send_now(json.dumps({"type": "resync", "since": self.seq}))

    def _send_now(self, payload: str) -> None:
        ws = self._ws
        if ws is None:
            return
        task = asyncio.ensure_future(ws.send(payload))
        task.add_done_callback(_ignore_closed)

    # Commands --------------------------------------------------------------

    async def command(
        self,
        name: str,
        args: Mapping[str, Any] | None = None,
        *,
        command_id: str | None = None,
        as_role: str | None = None,
        timeout: float | None = None,
        deadline: float = 120,
    ) -> dict[str, Any]:
        """Send a command and return its ``ack`` or ``rejected`` frame.

        When no answer comes within ``timeout`` the same frame (same id) is
        sent again; after a reconnection every unanswered command is sent
        again as soon as the new snapshot arrives. The server applies an id
        once, so resending is always safe.
        """
        command_id = command_id or new_command_id()
        frame: dict[str, Any] = {
            "type": "command",
            "id": command_id,
            "name": name,
            "args": dict(args or {}),
        }
        if as_role is not None:
            frame["as_role"] = as_role
        payload = json.dumps(frame, separators=(",", ":"))
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._pending[command_id] = (payload, future)
        self.stats.commands += 1
        limit = time.monotonic() + deadline
        try:
            if self._ws is None:
                await self._online_or_fail(limit)  # the reconnection sends it
            else:
                self._send_now(payload)
            while True:
                wait = min(timeout or self.ack_timeout, max(0.0, limit - time.monotonic()))
                try:
                    reply = await asyncio.wait_for(asyncio.shield(future), wait)
                except TimeoutError:
                    reply = None
                if (
                    reply is not None
                    and reply.get("code") == NOT_SAVED
                    and time.monotonic() < limit
                ):
                    # Not stored (the server's database was busy): send it again.
                    self.stats.not_saved += 1
                    await asyncio.sleep(0.5)
                    future = asyncio.get_running_loop().create_future()
                    self._pending[command_id] = (payload, future)
                    await self._online_or_fail(limit)
                    self._send_now(payload)
                    self.stats.resends += 1
                    continue
                if reply is not None:
                    break
                if time.monotonic() >= limit:
                    raise BotError(f"{self.name}: no answer to {name} ({command_id})")
                await self._online_or_fail(limit)
                self._send_now(payload)
                self.stats.resends += 1
        finally:
            self._pending.pop(command_id, None)
        if reply["type"] == "rejected":
            self.stats.rejected += 1
        return reply

    def send_nowait(self, name: str, args: Mapping[str, Any], command_id: str) -> None:
        """Fire a command without waiting (benchmarks match acks themselves)."""
        self._send_now(
            json.dumps(
                {"type": "command", "id": command_id, "name": name, "args": dict(args)},
                separators=(",", ":"),
            )
        )

    async def _online_or_fail(self, limit: float) -> None:
        if self._online.is_set():
            return
        remaining = limit - time.monotonic()
        if remaining <= 0:
            raise BotError(f"{self.name}: offline")
        await self.wait_online(remaining)

    async def request_snapshot(self, timeout: float = 20) -> dict[str, Any]:
        """Ask for a fresh snapshot and return its view."""
        count = self.stats.snapshots
        await self._online_or_fail(time.monotonic() + timeout)
        self.resync()
        limit = time.monotonic() + timeout
        while self.stats.snapshots == count or not self._online.is_set():
            if time.monotonic() > limit:
                raise BotError(f"{self.name}: no snapshot after {timeout:.0f} s")
            await asyncio.sleep(0.02)
        return self.view or {}

    async def wait_seq(self, seq: int, timeout: float = 20) -> bool:
        """Wait until every event up to ``seq`` is accounted for."""
        limit = time.monotonic() + timeout
        while self.seq < seq:
            if time.monotonic() > limit:
                return False
            await asyncio.sleep(0.02)
        return True


def _ignore_closed(task: asyncio.Future[None]) -> None:
    if not task.cancelled():
        task.exception()  # a send on a closing socket: the reconnect resends


# Whole conferences -----------------------------------------------------------


@dataclass
class RoomPlan:
    """Who sits where in one room, as ``simulate_conference`` prepared it."""

    name: str
    code: str
    seats: dict[str, str]  # role -> username
    observers: list[str] = field(default_factory=list)
    covered: list[str] = field(default_factory=list)  # roles the trainer plays
    room_id: int | None = None

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RoomPlan:
        return cls(
            name=data["name"],
            code=data["code"],
            seats=dict(data["seats"]),
            observers=list(data.get("observers", [])),
            covered=list(data.get("covered", [])),
            room_id=data.get("room_id"),
        )


@dataclass
class RoomOutcome:
    name: str
    code: str
    phase: str
    events: int
    decisions: dict[str, str]
    seconds: float
    frames: int
    sockets: int
    commands: int
    resends: int
    gaps: int
    contiguous: bool
    problems: list[str] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return self.phase == FINAL_PHASE and self.contiguous and not self.problems


def _decisions(view: Mapping[str, Any]) -> dict[str, str]:
    out = {}
    for child_id, decision in sorted(view.get("decisions", {}).items()):
        category = decision.get("category")
        out[child_id] = decision["outcome"] + (f" ({category})" if category else "")
    return out


async def play_room(
    room: RoomPlan,
    bots: Mapping[str, Bot],
    *,
    trainer: Bot,
    watchers: Iterable[Bot] = (),
    verdicts: Mapping[str, Verdict] | None = None,
    step_timeout: float = 10,
) -> RoomOutcome:
    """Play the whole agenda of ``room`` and check what every socket saw.

    ``bots`` maps each seated role to its bot (all started); the trainer's
    console plays the roles in ``room.covered``. Each step is sent by the
    bot in that seat and must be acknowledged before the next.
    """
    started = time.monotonic()
    everyone = [*bots.values(), trainer, *watchers]
    view = trainer.view or next(iter(bots.values())).view
    if view is None:
        raise BotError("start the bots before playing")
    items = {role: list((bot.view or {}).get("my_items", [])) for role, bot in bots.items()}
    problems: list[str] = []
    last_seq = 0
    for step in conference_script(view, items, verdicts=verdicts):
        bot = bots.get(step.role)
        as_role = None
        if bot is None:
            bot, as_role = trainer, step.role
        reply = await bot.command(step.name, step.args, as_role=as_role, timeout=step_timeout)
        if reply["type"] != "ack":
            problems.append(f"{step.role} {step.name}: {reply.get('code')} {reply.get('message')}")
            break
        last_seq = max(last_seq, reply["seq"])
    # Every socket must account for every number up to the last one: as an
    # event (hidden ones too) or through a snapshot it asked for after a gap.
    contiguous = True
    for bot in everyone:
        if not await bot.wait_seq(last_seq, timeout=20):
            contiguous = False
            problems.append(f"{bot.name} stopped at seq {bot.seq} of {last_seq}")
    final = await trainer.request_snapshot()
    return RoomOutcome(
        name=room.name,
        code=room.code,
        phase=final["phase"],
        events=max(last_seq, trainer.seq),
        decisions=_decisions(final),
        seconds=time.monotonic() - started,
        frames=sum(bot.stats.frames for bot in everyone),
        sockets=len(everyone),
        commands=sum(bot.stats.commands for bot in everyone),
        resends=sum(bot.stats.resends for bot in everyone),
        gaps=sum(bot.stats.gaps for bot in everyone),
        contiguous=contiguous,
        problems=problems,
    )


async def sign_in_all(
    base_url: str, usernames: Iterable[str], password: str, *, concurrency: int = 8
) -> dict[str, str]:
    """Sign each user in (a few at a time); return their cookie headers."""
    gate = asyncio.Semaphore(concurrency)

    async def one(username: str) -> tuple[str, str]:
        async with gate:
            return username, await sign_in(base_url, username, password)

    return dict(await asyncio.gather(*(one(name) for name in usernames)))


async def run_conferences(
    base_url: str,
    rooms: list[RoomPlan],
    *,
    trainer: str,
    cookies: Mapping[str, str],
    verdicts: Mapping[str, Verdict] | None = None,
) -> list[RoomOutcome]:
    """Connect every bot of every room, then play all rooms at once."""

    async def one(room: RoomPlan) -> RoomOutcome:
        def bot(username: str) -> Bot:
            return Bot(username, base_url=base_url, code=room.code, cookie=cookies[username])

        seated = {role: bot(username) for role, username in room.seats.items()}
        console = bot(trainer)
        watchers = [bot(username) for username in room.observers]
        everyone = [*seated.values(), console, *watchers]
        try:
            await asyncio.gather(*(b.start() for b in everyone))
            for role, b in seated.items():
                if b.role != role:
                    raise BotError(f"{b.name} was seated as {b.role}, not {role}")
            return await play_room(
                room, seated, trainer=console, watchers=watchers, verdicts=verdicts
            )
        finally:
            await asyncio.gather(*(b.close() for b in everyone))

    return list(await asyncio.gather(*(one(room) for room in rooms)))
