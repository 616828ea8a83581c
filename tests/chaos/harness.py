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
from tests.simulations.live_server import ROOT, django_run

SCENARIO = "jayden-physical-abuse"


@dataclass
class SeatedRoom:
    """One room's bots and its conference script, played a step at a time."""

    room_id: int
    code: str
    seated: dict[str, Bot]
    console: Bot
    script: list[Step] = field(default_factory=list)
    position: int = 0  # the next step of the script to send

    @property
    def everyone(self) -> list[Bot]:
        return [*self.seated.values(), self.console]

    def write_script(self) -> None:
        view = self.console.view
        assert view is not None, "start the bots first"
        items = {role: list((b.view or {}).get("my_items", [])) for role, b in self.seated.items()}
        self.script = conference_script(view, items)

    def votes(self) -> list[int]:
        return [i for i, step in enumerate(self.script) if step.name == "CastVote"]


def seat_rooms(
    plan: dict[str, Any], base_urls: list[str], *, backoff: tuple[float, float] = (0.5, 8.0)
) -> list[SeatedRoom]:
    """Make a bot for every seat of every planned room (not started).

    Seats are dealt over ``base_urls`` in turn, so with two workers every
    room has sockets on both; each room's console goes to the first.
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
        rooms.append(SeatedRoom(data["room_id"], data["code"], seated, console))
    return rooms


async def start_rooms(rooms: list[SeatedRoom]) -> None:
    await asyncio.gather(*(b.start(timeout=60) for room in rooms for b in room.everyone))
    for room in rooms:
        for role, b in room.seated.items():
            assert b.role == role, f"{b.name} was seated as {b.role}, not {role}"
        room.write_script()


async def close_rooms(rooms: list[SeatedRoom]) -> None:
    await asyncio.gather(*(b.close() for room in rooms for b in room.everyone))


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
        began = time.monotonic()
        reply = await bot.command(name, args, command_id=command_id, as_role=as_role)
        reply = {**reply, "name": name, "took": time.monotonic() - began}
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
