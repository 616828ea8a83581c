"""What the fault tests share: rooms of bots, a ledger of acks, the event log check.

A fault test prepares rooms with ``simulate_conference --prepare-only``,
seats a bot in every seat (and the trainer's console) with
:func:`seat_rooms`, plays each room's conference script through a
:class:`Ledger` that records every acknowledged command id, injects its
fault, and at the end compares the ledger with the ``RoomEvent`` rows of
the database (:func:`check_event_log`): every acknowledged command is
stored, once, and every vote counts once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from simulations.bots import Bot
from simulations.script import Step, conference_script
from tests.simulations.live_server import (
    ROOT,
    Server,
    copy_sqlite,
    django_run,
    free_port,
    prepare_rooms,
    server_env,
)

SCENARIO = "jayden-physical-abuse"
# CHAOS_SHORT=1 (``make test``) runs each SQLite-side fault test in its short
# form: fewer rooms and shorter phases, the same faults and assertions.
SHORT = os.environ.get("CHAOS_SHORT") == "1"


def sized[T](full: T, short: T) -> T:
    """The full-form figure, or the short form's under ``CHAOS_SHORT=1``."""
    return short if SHORT else full


@dataclass
class SeatedRoom:
    """One room's bots and its conference script, played a step at a time."""

    room_id: int
    code: str
    seated: dict[str, Bot]
    console: Bot
    observers: list[Bot] = field(default_factory=list)
    script: list[Step] = field(default_factory=list)
    position: int = 0  # the next step of the script to send

    @property
    def everyone(self) -> list[Bot]:
        return [*self.seated.values(), self.console, *self.observers]

    def write_script(self) -> None:
        view = self.console.view
        assert view is not None, "start the bots first"
        items = {role: list((b.view or {}).get("my_items", [])) for role, b in self.seated.items()}
        self.script = conference_script(view, items)

    def votes(self) -> list[int]:
        return [i for i, step in enumerate(self.script) if step.name == "CastVote"]


def seat_rooms(
    plan: dict[str, Any],
    base_urls: list[str],
    *,
    backoff: tuple[float, float] = (0.5, 8.0),
    observers: bool = False,
) -> list[SeatedRoom]:
    """Make a bot for every seat of every planned room (not started).

    Seats are dealt over ``base_urls`` in turn, so with two workers every
    room has sockets on both; each room's console goes to the first. With
    ``observers`` the plan's observers get a bot each too (they watch only).
    """
    cookies = plan["cookies"]
    rooms = []
    for data in plan["rooms"]:
        seated = {
            role: Bot(
                username,
                base_url=base_urls[index % len(base_urls)],
                code=data["code"],
                cookie=cookies[username],
                backoff=backoff,
            )
            for index, (role, username) in enumerate(data["seats"].items(), start=1)
        }
        console = Bot(
            plan["trainer"],
            base_url=base_urls[0],
            code=data["code"],
            cookie=cookies[plan["trainer"]],
            backoff=backoff,
        )
        watching = [
            Bot(
                username,
                base_url=base_urls[0],
                code=data["code"],
                cookie=cookies[username],
                backoff=backoff,
            )
            for username in (data.get("observers", []) if observers else [])
        ]
        rooms.append(SeatedRoom(data["room_id"], data["code"], seated, console, watching))
    return rooms


async def start_rooms(rooms: list[SeatedRoom], *, concurrency: int = 200) -> None:
    """Connect every bot, ``concurrency`` handshakes at a time; write the scripts."""
    gate = asyncio.Semaphore(concurrency)

    async def start(b: Bot) -> None:
        async with gate:
            await b.start(timeout=60)

    await asyncio.gather(*(start(b) for room in rooms for b in room.everyone))
    for room in rooms:
        for role, b in room.seated.items():
            assert b.role == role, f"{b.name} was seated as {b.role}, not {role}"
        room.write_script()


async def close_rooms(rooms: list[SeatedRoom]) -> None:
    await asyncio.gather(*(b.close() for room in rooms for b in room.everyone))


@dataclass
class Stage:
    """A running server on its own copy of the seeded database, and its rooms' bots."""

    env: dict[str, str]
    server: Server
    plan: dict[str, Any]
    rooms: list[SeatedRoom]

    @property
    def bots(self) -> list[Bot]:
        return [b for room in self.rooms for b in room.everyone]


def stage(
    tmp_path: Path,
    template: Path,
    *,
    rooms: int,
    per_room: int = 10,
    observers: bool = False,
    backoff: tuple[float, float] = (0.5, 8.0),
    env: dict[str, str] | None = None,
    production: bool = False,
    **server: Any,
) -> Stage:
    """Start a server (``Server`` options in ``server``; production settings if
    ``production``) on a copy of ``template``; plan ``rooms`` rooms of
    ``per_room`` sockets (delegates and the trainer's console) and make their
    bots, not yet started.
    """
    var = tmp_path / "var"
    copy_sqlite(template, var)
    environment = server_env(var, production=production, **(env or {}))
    running = Server(env=environment, port=free_port(), log=tmp_path / "server.log", **server)
    running.start()
    try:
        plan = prepare_rooms(
            environment,
            scenario=SCENARIO,
            delegates=(per_room - 1) * rooms,
            rooms=rooms,
            plan=tmp_path / "plan.json",
            url=running.url,
        )
    except BaseException:
        running.stop()  # the test's own cleanup has not begun yet
        raise
    seated = seat_rooms(plan, [running.url], backoff=backoff, observers=observers)
    return Stage(environment, running, plan, seated)


@dataclass
class Ledger:
    """Every command sent, and the ack of each that was acknowledged."""

    prefix: str
    acked: dict[tuple[int, str], int] = field(default_factory=dict)  # (room, id) -> seq
    replies: list[dict[str, Any]] = field(default_factory=list)
    sent: int = 0

    def last_seq(self, room: SeatedRoom) -> int:
        return max((seq for (rid, _), seq in self.acked.items() if rid == room.room_id), default=0)

    async def send(
        self, room: SeatedRoom, name: str, args: dict[str, Any], *, role: str | None = None
    ) -> dict[str, Any]:
        """Send one command from ``role``'s seat (the console if nobody sits there)."""
        bot = room.seated.get(role or "")
        as_role = None
        if bot is None:
            bot, as_role = room.console, role
        self.sent += 1
        command_id = f"{self.prefix}-{room.room_id}-{self.sent:05d}-{name}"
        began, sent_at = time.monotonic(), time.time()
        reply = await bot.command(name, args, command_id=command_id, as_role=as_role)
        reply = {**reply, "name": name, "took": time.monotonic() - began, "sent_at": sent_at}
        self.replies.append(reply)
        if reply["type"] == "ack":
            self.acked[(room.room_id, command_id)] = reply["seq"]
        return reply

    async def step(self, room: SeatedRoom) -> dict[str, Any]:
        """Send the room's next script step; it must be acknowledged."""
        step = room.script[room.position]
        reply = await self.send(room, step.name, step.args, role=step.role)
        assert reply["type"] == "ack", (step, reply)
        room.position += 1
        return reply

    async def play(self, room: SeatedRoom, until: int | None = None) -> None:
        """Play the room's script up to (not including) step ``until``."""
        stop = len(room.script) if until is None else until
        while room.position < stop:
            await self.step(room)

    async def pause_resume(self, room: SeatedRoom) -> None:
        """The console pauses the meeting and resumes it: two acked commands."""
        for name in ("Pause", "Resume"):
            reply = await self.send(room, name, {"reason": "fault test"} if name == "Pause" else {})
            assert reply["type"] == "ack", reply

    async def keep_busy(
        self, room: SeatedRoom, done: Any, *, until: int | None = None, pause_every: float = 0.25
    ) -> int:
        """Until ``done()``: play the script up to step ``until`` (default: all but its
        last step), then pause and resume the meeting over and over.

        Returns the pause-and-resume rounds played. The pause between rounds
        keeps the console at a trainer's pace, inside the per-person rate limit.
        """
        stop = len(room.script) - 1 if until is None else until
        rounds = 0
        while not done():
            if room.position < stop:
                await self.step(room)
            else:
                await self.pause_resume(room)
                rounds += 1
                await asyncio.sleep(pause_every)
        return rounds

    def to_json(self) -> dict[str, Any]:
        """What a client process in another namespace hands back to the test."""
        return {
            "prefix": self.prefix,
            "acked": [[room, command_id, seq] for (room, command_id), seq in self.acked.items()],
            "replies": self.replies,
            "sent": self.sent,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ledger:
        ledger = cls(data["prefix"], replies=data["replies"], sent=data["sent"])
        ledger.acked = {(room, command_id): seq for room, command_id, seq in data["acked"]}
        return ledger


async def all_caught_up(rooms: list[SeatedRoom], ledger: Ledger, timeout: float = 30) -> list[str]:
    """Wait (at most ``timeout`` in all) until every bot accounts for its room's last acked event; return laggards."""
    waits = [
        (room, b, ledger.last_seq(room), b.wait_seq(ledger.last_seq(room), timeout=timeout))
        for room in rooms
        for b in room.everyone
    ]
    done = await asyncio.gather(*(wait for *_, wait in waits))
    return [
        f"{b.name} in room {room.room_id} at {b.seq} of {last}"
        for (room, b, last, _), ok in zip(waits, done, strict=True)
        if not ok
    ]


def resync_seconds(bots: list[Bot], since: float) -> list[float]:
    """Seconds after ``since`` at which each bot was online with a newer snapshot, sorted."""
    return sorted(b.synced_at - since for b in bots if b.online and (b.synced_at or 0.0) > since)


def within(seconds: list[float], total: int, share: float) -> float | None:
    """The time by which ``share`` of ``total`` clients had resynced (None: never)."""
    needed = max(1, int(share * total + 0.999999))
    return round(seconds[needed - 1], 2) if len(seconds) >= needed else None


async def wait_resynced(bots: list[Bot], since: float, timeout: float) -> list[float]:
    """Wait until every bot has resynced after ``since`` (at most ``timeout`` s)."""
    limit = time.monotonic() + timeout
    while len(resync_seconds(bots, since)) < len(bots) and time.monotonic() < limit:
        await asyncio.sleep(0.05)
    return resync_seconds(bots, since)


def percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def listen_overflows() -> dict[str, int]:
    """TcpExt ListenOverflows and ListenDrops from /proc/net/netstat (as ``nstat -az``).

    The counters are the whole network namespace's: other work on the
    machine adds to them too.
    """
    lines = Path("/proc/net/netstat").read_text().splitlines()
    for names, values in zip(lines[::2], lines[1::2], strict=True):
        if names.startswith("TcpExt:"):
            table = dict(zip(names.split()[1:], (int(v) for v in values.split()[1:]), strict=True))
            return {key: table[key] for key in ("ListenOverflows", "ListenDrops")}
    raise AssertionError("no TcpExt line in /proc/net/netstat")


class FanoutClock:
    """When the last socket of a room read each event: fan-out completion times."""

    def __init__(self, rooms: list[SeatedRoom]) -> None:
        self.last: dict[tuple[int, int], float] = {}
        for room in rooms:
            for b in room.everyone:
                b.on_event = self._hook(room.room_id)

    def _hook(self, room_id: int) -> Any:
        def on_event(bot: Bot, frame: dict[str, Any], arrived: float) -> None:
            key = (room_id, frame["seq"])
            self.last[key] = max(self.last.get(key, 0.0), arrived)

        return on_event

    def completions(self, replies: list[dict[str, Any]]) -> list[float]:
        """Seconds from sending each acked command to its event reaching the room's last socket.

        Ledger command ids are ``<prefix>-<room id>-<n>-<name>``.
        """
        out = []
        for reply in replies:
            if reply["type"] != "ack":
                continue
            room_id = int(reply["id"].split("-")[1])
            arrived = self.last.get((room_id, reply["seq"]))
            if arrived is not None:
                out.append(arrived - reply["sent_at"])
        return out


async def play_to_close(rooms: list[SeatedRoom], ledger: Ledger, *, timeout: float = 30) -> None:
    """Play every room's script to the end; every bot must catch up and every room close."""
    await asyncio.gather(*(ledger.play(room) for room in rooms))
    laggards = await all_caught_up(rooms, ledger, timeout)
    assert not laggards, laggards[:20]
    finals = await asyncio.gather(*(room.console.request_snapshot() for room in rooms))
    assert {final["phase"] for final in finals} == {"closed"}


EVENT_LOG = """
from simulations.models import RoomEvent
rows = RoomEvent.objects.filter(room_id__in={room_ids}).order_by("room_id", "seq")
print(json.dumps([[r.room_id, r.seq, r.kind, r.command_id, r.data] for r in rows]))
"""


def check_event_log(env: dict[str, str], rooms: list[SeatedRoom], ledger: Ledger) -> dict[str, int]:
    """Assert that every acked command is stored once and no vote counts twice.

    A command's events carry its id and are committed together, so they
    form one unbroken run of sequence numbers that ends at (or, for an ack
    of a resend, contains) the acked number. A command applied twice would
    leave two runs.
    """
    rows = django_run(env, EVENT_LOG.format(room_ids=[room.room_id for room in rooms]))
    seqs: dict[int, list[int]] = defaultdict(list)
    by_command: dict[tuple[int, str], list[int]] = defaultdict(list)
    ballots: Counter[tuple[int, Any, Any, Any]] = Counter()
    for room_id, seq, kind, command_id, data in rows:
        seqs[room_id].append(seq)
        by_command[(room_id, command_id)].append(seq)
        if kind == "VoteCast":
            ballots[(room_id, data.get("round"), data.get("role"), data.get("child_id"))] += 1
    for room in rooms:
        assert seqs[room.room_id] == list(range(1, len(seqs[room.room_id]) + 1)), room.room_id
    missing = [key for key in ledger.acked if key not in by_command]
    assert not missing, f"acknowledged but not stored: {missing[:5]}"
    for key, seq in ledger.acked.items():
        stored = by_command[key]
        assert stored == list(range(stored[0], stored[0] + len(stored))), f"{key} applied twice"
        assert seq in stored, f"{key} acked as {seq} but stored as {stored}"
    doubled = {key: n for key, n in ballots.items() if n > 1}
    assert not doubled, f"votes counted twice: {doubled}"
    return {"events": len(rows), "acked": len(ledger.acked), "votes": sum(ballots.values())}


def healthz(base_url: str) -> int:
    """Return the status of ``/healthz/`` (0 when the server does not answer)."""
    try:
        with urllib.request.urlopen(f"{base_url}/healthz/", timeout=5) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


async def wait_healthy(base_url: str, timeout: float) -> float:
    """Wait until ``/healthz/`` answers 200; return the seconds it took."""
    began = time.monotonic()
    while (status := await asyncio.to_thread(healthz, base_url)) != 200:
        assert time.monotonic() - began < timeout, f"{base_url} still {status} after {timeout} s"
        await asyncio.sleep(0.25)
    return time.monotonic() - began


# The private services of scripts/services.sh -----------------------------------


def services_dir() -> Path:
    """The folder scripts/services.sh keeps PostgreSQL's and Redis's data in."""
    return Path(os.environ.get("THRESHOLD_SERVICES_DIR", ROOT / "var" / "services")).resolve()


def scaleout_urls() -> tuple[str, str]:
    database_url = os.environ.get("DATABASE_URL", "")
    redis_url = os.environ.get("REDIS_URL", "")
    if not database_url.startswith("postgres") or not redis_url.startswith("redis"):
        raise AssertionError(
            "these tests need the private PostgreSQL and Redis: run them with `make chaos` "
            "(scripts/services.sh start sets DATABASE_URL and REDIS_URL)"
        )
    return database_url, redis_url


def services_start(database_url: str, redis_url: str) -> None:
    """Run ``scripts/services.sh start`` for the ports of these URLs."""
    env = {
        **os.environ,
        "THRESHOLD_PG_PORT": str(urlsplit(database_url).port),
        "THRESHOLD_REDIS_PORT": str(urlsplit(redis_url).port),
        "THRESHOLD_REDIS_DEBUG": "1",
    }
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "services.sh"), "start"],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def redis_cli(redis_url: str, *args: str, timeout: float = 30) -> str:
    port = str(urlsplit(redis_url).port)
    result = subprocess.run(
        ["redis-cli", "-p", port, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0 or result.stdout.startswith(("ERR", "(error)")):
        raise AssertionError(
            f"redis-cli {' '.join(args)}: {result.stdout}{result.stderr}"
            " (the fault tests need Redis started with THRESHOLD_REDIS_DEBUG=1: make chaos)"
        )
    return result.stdout


def redis_pid(redis_url: str) -> int:
    """The PID of the Redis at ``redis_url``, after checking it is the private one."""
    info = dict(
        line.split(":", 1) for line in redis_cli(redis_url, "INFO", "server").split() if ":" in line
    )
    folder = redis_cli(redis_url, "CONFIG", "GET", "dir").split()[-1]
    assert Path(folder).resolve() == services_dir(), f"not the private Redis ({folder})"
    return int(info["process_id"])


def postgres_pids(database_url: str) -> list[int]:
    """The postmaster and all its children, after checking it is the private server."""
    import psycopg

    with psycopg.connect(database_url, connect_timeout=10) as connection:
        folder = connection.execute("SHOW data_directory").fetchone()[0]
    data = Path(folder).resolve()
    assert data == services_dir() / "pg", f"not the private PostgreSQL ({data})"
    postmaster = int((data / "postmaster.pid").read_text().split()[0])
    children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
    return [postmaster, *(int(pid) for pid in children)]


def log_text(*paths: Path) -> str:
    return "\n".join(path.read_text(errors="replace") for path in paths if path.exists())


def summary(**figures: Any) -> str:
    return json.dumps(figures, default=str)


# Network namespaces for impaired links (B8) ------------------------------------


def run_ip(*args: str, namespace: str | None = None, check: bool = True) -> str:
    """Run an iproute2 command (``ip`` or ``tc``), in ``namespace`` if given."""
    command = [*(["ip", "netns", "exec", namespace] if namespace else []), *args]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    if check and result.returncode != 0:
        raise RuntimeError(f"{' '.join(command)}: {result.stderr.strip()}")
    return result.stdout


@dataclass
class Netns:
    """A network namespace joined to this one by a veth pair.

    The host end (``host_ip``) stays here, where a server can listen on it;
    the other end (``client_ip``) is inside the namespace, where clients run
    with ``ip netns exec``. Names and the /24 are derived from this process's
    PID, so tests in other worktrees on the same machine do not collide.
    """

    index: int
    name: str = ""
    host_if: str = ""
    client_if: str = ""
    subnet: str = ""

    def __post_init__(self) -> None:
        tag = f"{os.getpid() % 100000}{self.index}"
        self.name = f"threshold-chaos-{tag}"
        self.host_if, self.client_if = f"thc{tag}h", f"thc{tag}c"
        self.subnet = f"10.{100 + os.getpid() % 150}.{self.index}"

    @property
    def host_ip(self) -> str:
        return f"{self.subnet}.1"

    @property
    def client_ip(self) -> str:
        return f"{self.subnet}.2"

    def up(self) -> Netns:
        run_ip("ip", "netns", "add", self.name)
        run_ip("ip", "link", "add", self.host_if, "type", "veth", "peer", "name", self.client_if)
        run_ip("ip", "link", "set", self.client_if, "netns", self.name)
        run_ip("ip", "addr", "add", f"{self.host_ip}/24", "dev", self.host_if)
        run_ip("ip", "link", "set", self.host_if, "up")
        run_ip(
            "ip", "addr", "add", f"{self.client_ip}/24", "dev", self.client_if, namespace=self.name
        )
        run_ip("ip", "link", "set", self.client_if, "up", namespace=self.name)
        run_ip("ip", "link", "set", "lo", "up", namespace=self.name)
        return self

    def qdisc(self, *spec: str) -> None:
        """Impair both directions: ``tc qdisc replace dev <end> root <spec>`` on each end."""
        run_ip("tc", "qdisc", "replace", "dev", self.host_if, "root", *spec)
        run_ip("tc", "qdisc", "replace", "dev", self.client_if, "root", *spec, namespace=self.name)

    def link(self, *, up: bool) -> None:
        """Set the namespace's end of the pair up or down (down: nothing crosses)."""
        run_ip("ip", "link", "set", self.client_if, "up" if up else "down", namespace=self.name)

    def command(self, *args: str) -> list[str]:
        return ["ip", "netns", "exec", self.name, *args]

    def down(self) -> None:
        """Delete the namespace (its veth end goes with it, and so the pair)."""
        run_ip("ip", "netns", "del", self.name, check=False)
        run_ip("ip", "link", "del", self.host_if, check=False)


def established(local: str, peer_ip: str) -> int:
    """Established TCP connections on ``local`` (ip:port) from ``peer_ip``, as ``ss`` sees them."""
    out = run_ip("ss", "-tnH", "state", "established", "src", local, "dst", peer_ip)
    return len([line for line in out.splitlines() if line.strip()])


@contextlib.contextmanager
def stress(*args: str, log: Path) -> Any:
    """Run ``stress-ng <args>`` for the block; stop it (by its PID) afterwards."""
    with log.open("ab") as out:
        process = subprocess.Popen(["stress-ng", *args], stdout=out, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=30)
