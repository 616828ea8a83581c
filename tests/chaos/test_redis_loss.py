"""B4: the channel layer's Redis stalls, then dies and comes back (scale-out).

Two workers share the private PostgreSQL and Redis of scripts/services.sh;
the seats of each of two rooms are dealt across both, so every event must
cross between them. While the rooms play:

1. ``redis-cli DEBUG SLEEP 5`` freezes Redis for five seconds: commands
   are acknowledged late, and afterwards every socket on both workers has
   every event.
2. The Redis process is killed (its PID from ``INFO server``, after
   checking it is the private server) and started again with
   ``scripts/services.sh start``: both workers' ``/healthz/`` report the
   channel layer down (503) and then back (200); every socket accounts for
   every event again (live, or after a sequence gap made it resync); and
   events cross between the workers live once more (no room's listener is
   left stuck on the dead connection).

Every acknowledged command must be in the event log once.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import time
from pathlib import Path

import pytest

from tests.simulations.live_server import Server, free_port, prepare_rooms

from .harness import (
    SCENARIO,
    Ledger,
    SeatedRoom,
    all_caught_up,
    check_event_log,
    close_rooms,
    healthz,
    log_text,
    redis_cli,
    redis_pid,
    seat_rooms,
    services_start,
    start_rooms,
    summary,
    wait_healthy,
)

pytestmark = [
    pytest.mark.chaos,
    pytest.mark.scaleout,
    pytest.mark.slow,
    pytest.mark.timeout(600),
    pytest.mark.skipif(not shutil.which("redis-cli"), reason="needs redis-cli"),
]

ROOMS = 2
SLEEP_SECONDS = 5
STEPS_DURING_SLEEP = 3
OUTAGE_SECONDS = 2


async def test_workers_recover_from_a_redis_stall_and_a_redis_restart(
    tmp_path: Path, scaleout_env: dict[str, str]
) -> None:
    env = scaleout_env
    redis_url = env["REDIS_URL"]
    workers = [Server(env=env, port=free_port(), log=tmp_path / f"w{i}.log") for i in (0, 1)]
    for worker in workers:
        worker.start()
    plan = prepare_rooms(
        env,
        scenario=SCENARIO,
        delegates=9 * ROOMS,
        rooms=ROOMS,
        plan=tmp_path / "plan.json",
        url=workers[0].url,
    )
    rooms = seat_rooms(plan, [worker.url for worker in workers], backoff=(0.25, 2.0))
    ledger = Ledger(f"b4-{int(time.time())}")
    bots = [b for room in rooms for b in room.everyone]
    try:
        await start_rooms(rooms)
        first_votes = [room.votes()[0] for room in rooms]
        await asyncio.gather(
            *(ledger.play(r, cut) for r, cut in zip(rooms, first_votes, strict=True))
        )

        # 1. Redis freezes for five seconds while the rooms go on.
        sleeping = asyncio.ensure_future(
            asyncio.to_thread(redis_cli, redis_url, "DEBUG", "SLEEP", str(SLEEP_SECONDS))
        )
        await asyncio.sleep(0.2)
        began = time.monotonic()

        async def some_steps(room: SeatedRoom, count: int) -> None:
            for _ in range(count):
                await ledger.step(room)

        await asyncio.gather(*(some_steps(room, STEPS_DURING_SLEEP) for room in rooms))
        during_sleep = time.monotonic() - began
        await sleeping
        laggards = await all_caught_up(rooms, ledger)
        assert not laggards, f"after DEBUG SLEEP: {laggards}"

        # 2. Redis dies; the workers notice; it comes back; so do they.
        pid = redis_pid(redis_url)
        os.kill(pid, signal.SIGKILL)
        while os.path.exists(f"/proc/{pid}"):
            await asyncio.sleep(0.05)
        down = time.monotonic()
        during_outage = [asyncio.ensure_future(ledger.step(room)) for room in rooms]
        await asyncio.sleep(OUTAGE_SECONDS)
        statuses = await asyncio.gather(*(asyncio.to_thread(healthz, w.url) for w in workers))
        assert statuses == [503, 503], f"/healthz/ with Redis down: {statuses}"
        await asyncio.to_thread(services_start, env["DATABASE_URL"], redis_url)
        assert redis_pid(redis_url) != pid
        recovered = await asyncio.gather(*(wait_healthy(w.url, 30) for w in workers))
        await asyncio.wait_for(asyncio.gather(*during_outage), 120)
        outage = time.monotonic() - down

        # Gaps made the sockets resync; now events must cross live again.
        await asyncio.gather(*(some_steps(room, 4) for room in rooms))
        laggards = await all_caught_up(rooms, ledger)
        assert not laggards, f"after the Redis restart: {laggards}"
        gaps = [b.stats.gaps for b in bots]
        await asyncio.gather(*(ledger.pause_resume(room) for room in rooms))
        laggards = await all_caught_up(rooms, ledger)
        assert not laggards, f"events no longer cross between workers: {laggards}"
        assert [b.stats.gaps for b in bots] == gaps, "events crossed only through a resync"

        await asyncio.gather(*(ledger.play(room) for room in rooms))
        laggards = await all_caught_up(rooms, ledger)
        assert not laggards, laggards
        finals = await asyncio.gather(*(room.console.request_snapshot() for room in rooms))
        assert {final["phase"] for final in finals} == {"closed"}
    finally:
        await close_rooms(rooms)
        for worker in workers:
            worker.stop()
    assert sum(b.stats.errors for b in bots) == 0
    figures = check_event_log(env, rooms, ledger)
    logs = log_text(*(w.log for w in workers))
    print(
        summary(
            test="B4",
            sockets=len(bots),
            steps_during_sleep_seconds=round(during_sleep, 2),
            healthz_back_seconds=[round(s, 2) for s in recovered],
            outage_seconds=round(outage, 2),
            gaps=sum(gaps),
            reconnections=sum(b.stats.connections - 1 for b in bots),
            not_saved=sum(b.stats.not_saved for b in bots),
            listener_errors=logs.count("listener"),
            publish_errors=logs.count("publishing failed"),
            **figures,
        )
    )
