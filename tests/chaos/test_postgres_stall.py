"""B5: PostgreSQL stops answering for five seconds mid-vote (scale-out).

A worker on the private PostgreSQL and Redis of scripts/services.sh serves
two rooms. When the rooms reach the vote, every PostgreSQL process of the
private server (the postmaster, found through ``SHOW data_directory`` and
its ``postmaster.pid``, and all its children: stopping the postmaster
alone leaves the open sessions running) gets SIGSTOP, every voter casts
their vote, and five seconds later the processes get SIGCONT. Each vote
must then be acknowledged late, or answered ``not_saved`` and sent again
by its bot until acknowledged: never acknowledged and lost. Afterwards
``/healthz/`` is 200, the conferences play to the close, and every
acknowledged command is in the event log once.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
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
    postgres_pids,
    seat_rooms,
    start_rooms,
    summary,
    wait_healthy,
)

pytestmark = [pytest.mark.chaos, pytest.mark.scaleout, pytest.mark.slow, pytest.mark.timeout(600)]

ROOMS = 2
STALL_SECONDS = 5.0


async def cast_all_votes(ledger: Ledger, room: SeatedRoom) -> list[dict[str, object]]:
    """Every voter of the current round votes at once (as people do)."""
    steps = []
    while room.position < len(room.script) and room.script[room.position].name == "CastVote":
        steps.append(room.script[room.position])
        room.position += 1
    assert steps, "the script is not at a vote"
    return list(
        await asyncio.gather(*(ledger.send(room, s.name, s.args, role=s.role) for s in steps))
    )


async def test_votes_during_a_postgres_stall_are_acked_late_or_resent_never_lost(
    tmp_path: Path, scaleout_env: dict[str, str]
) -> None:
    env = scaleout_env
    server = Server(env=env, port=free_port(), log=tmp_path / "server.log")
    server.start()
    plan = prepare_rooms(
        env,
        scenario=SCENARIO,
        delegates=9 * ROOMS,
        rooms=ROOMS,
        plan=tmp_path / "plan.json",
        url=server.url,
    )
    rooms = seat_rooms(plan, [server.url])
    ledger = Ledger(f"b5-{int(time.time())}")
    bots = [b for room in rooms for b in room.everyone]
    stopped: list[int] = []
    try:
        await start_rooms(rooms)
        first_votes = [room.votes()[0] for room in rooms]
        await asyncio.gather(
            *(ledger.play(r, cut) for r, cut in zip(rooms, first_votes, strict=True))
        )

        pids = postgres_pids(env["DATABASE_URL"])
        began = time.monotonic()
        try:
            for pid in pids:  # the postmaster first: it forks no more sessions
                os.kill(pid, signal.SIGSTOP)
                stopped.append(pid)
            voting = asyncio.ensure_future(
                asyncio.gather(*(cast_all_votes(ledger, room) for room in rooms))
            )
            await asyncio.sleep(STALL_SECONDS / 2)
            probe = asyncio.ensure_future(asyncio.to_thread(healthz, server.url))
            await asyncio.sleep(max(0.0, STALL_SECONDS - (time.monotonic() - began)))
        finally:
            for pid in stopped:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGCONT)
        stall = time.monotonic() - began
        during = await probe  # 0: no answer within its 5 s timeout
        replies = [r for votes in await asyncio.wait_for(voting, 180) for r in votes]
        assert {r["type"] for r in replies} == {"ack"}, replies
        slowest = max(float(r["took"]) for r in replies)  # type: ignore[arg-type]
        assert slowest >= STALL_SECONDS / 2, "no vote waited for the database: was it stalled?"
        healthy_after = await wait_healthy(server.url, 30)

        await asyncio.gather(*(ledger.play(room) for room in rooms))
        laggards = await all_caught_up(rooms, ledger)
        assert not laggards, laggards
        finals = await asyncio.gather(*(room.console.request_snapshot() for room in rooms))
        assert {final["phase"] for final in finals} == {"closed"}
    finally:
        await close_rooms(rooms)
        server.stop()
    assert sum(b.stats.errors for b in bots) == 0
    figures = check_event_log(env, rooms, ledger)
    print(
        summary(
            test="B5",
            sockets=len(bots),
            postgres_processes_stopped=len(stopped),
            stall_seconds=round(stall, 2),
            healthz_during_stall=during,
            healthz_back_seconds=round(healthy_after, 2),
            votes_during_stall=len(replies),
            slowest_vote_ack_seconds=round(slowest, 2),
            not_saved=sum(b.stats.not_saved for b in bots),
            resends=sum(b.stats.resends for b in bots),
            **figures,
        )
    )
