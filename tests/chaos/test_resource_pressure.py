"""B10: conferences under CPU and memory pressure from another process.

Ten rooms of bots (nine seats and the trainer's console; four rooms in the
short form, ``CHAOS_SHORT=1``) keep one server, on the production settings,
busy in three phases of equal length: quiet (the consoles pause and resume
their meetings, the fan-out baseline), then beside ``stress-ng --cpu 1``
(the seats play their scripts, reports and votes included, up to the middle
vote, then pause and resume), then beside ``stress-ng --vm 1 --vm-bytes 2G``
(the rest of the scripts, then pause and resume). The test records, per
phase, the p95 of the time to an ack and of the time until the room's last
socket has read the event (fan-out completion).

It asserts graceful degradation, not speed: the server is alive and its
``/healthz/`` answers 200 after every phase, every command is acknowledged
(a ``not_saved`` answer is sent again, as clients do), every bot accounts
for every event, the conferences close, and every acknowledged command is
in the event log once. The server runs without ``--limit-concurrency`` (as
production does), so there is no 503 path to check.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest

from tests.simulations.live_server import Server

from .harness import (
    FanoutClock,
    Ledger,
    SeatedRoom,
    check_event_log,
    close_rooms,
    healthz,
    percentile,
    play_to_close,
    sized,
    stage,
    start_rooms,
    stress,
    summary,
)

pytestmark = [pytest.mark.chaos, pytest.mark.slow, pytest.mark.timeout(900)]

ROOMS = sized(10, 4)
PHASE_SECONDS = sized(60, 10)
VM_BYTES = "2G"


async def phase(
    name: str,
    server: Server,
    rooms: list[SeatedRoom],
    ledger: Ledger,
    clock: FanoutClock,
    until: list[int | None],
) -> dict[str, Any]:
    """Keep every room busy for PHASE_SECONDS; return the phase's latencies."""
    first = len(ledger.replies)
    cpu = server.cpu_seconds()
    end = time.monotonic() + PHASE_SECONDS
    rounds = await asyncio.gather(
        *(
            ledger.keep_busy(room, lambda: time.monotonic() > end, until=stop)
            for room, stop in zip(rooms, until, strict=True)
        )
    )
    await asyncio.sleep(1)  # let the phase's last events reach every socket
    replies = ledger.replies[first:]
    acks = [r["took"] for r in replies if r["type"] == "ack"]
    assert server.process is not None and server.process.poll() is None, f"server died ({name})"
    status = await asyncio.to_thread(healthz, server.url)
    assert status == 200, f"/healthz/ {status} after the {name} phase"
    return {
        "phase": name,
        "commands": len(replies),
        "script_steps": sum(1 for r in replies if r["name"] not in ("Pause", "Resume")),
        "votes": sum(1 for r in replies if r["name"] == "CastVote"),
        "pause_resume_rounds": sum(rounds),
        "ack_p95_ms": round((percentile(acks, 0.95) or 0) * 1000, 1),
        "fanout_p95_ms": round((percentile(clock.completions(replies), 0.95) or 0) * 1000, 1),
        "server_cpu_share": round((server.cpu_seconds() - cpu) / PHASE_SECONDS, 2),
        "server_rss_mb": round(server.rss_mb()),
    }


async def test_cpu_and_memory_pressure_slow_the_rooms_but_lose_nothing(
    tmp_path: Path, template: Path
) -> None:
    staged = stage(tmp_path, template, rooms=ROOMS, production=True)
    server, rooms = staged.server, staged.rooms
    ledger = Ledger("b10")
    bots = staged.bots
    stress_log = tmp_path / "stress-ng.log"
    try:
        await start_rooms(rooms)
        clock = FanoutClock(rooms)
        middle = [room.votes()[len(room.votes()) // 2] for room in rooms]
        phases = [await phase("quiet", server, rooms, ledger, clock, [0] * len(rooms))]
        with stress("--cpu", "1", "--timeout", f"{PHASE_SECONDS + 5}s", log=stress_log):
            phases.append(await phase("cpu", server, rooms, ledger, clock, middle))
        with stress(
            "--vm",
            "1",
            "--vm-bytes",
            VM_BYTES,
            "--timeout",
            f"{PHASE_SECONDS + 5}s",
            log=stress_log,
        ):
            phases.append(await phase("vm", server, rooms, ledger, clock, [None] * len(rooms)))
        for figures in phases:
            print(summary(test="B10", **figures))
        await play_to_close(rooms, ledger)
    finally:
        await close_rooms(rooms)
        server.stop()
    assert sum(b.stats.errors + b.stats.rejected for b in bots) == 0
    assert phases[1]["votes"] > 0, "no vote was cast under CPU pressure"
    figures = check_event_log(staged.env, rooms, ledger)
    print(
        summary(
            test="B10",
            sockets=len(bots),
            reconnections=sum(b.stats.connections - 1 for b in bots),
            not_saved=sum(b.stats.not_saved for b in bots),
            **figures,
        )
    )
