"""B2: a graceful restart of the supervised server during a conference.

A hundred bots (ten rooms of nine seats and the trainer's console; five
rooms in the short form, ``CHAOS_SHORT=1``) play
their conferences on the production shape of a worker: gunicorn
``--preload`` supervising ``config.workers.ThresholdWorker``. With some
votes cast and one more in flight in every room, the gunicorn master gets
SIGTERM, exits after its worker has closed every socket, and a new server
starts on the same port. Every bot must see one close (uvicorn sends 1012,
"service restart", to each open socket as it shuts down), come back once
with its full-jitter backoff, resync, and carry on; the reconnections must
be spread over at least three seconds (the jitter at work, not a stampede);
and every acknowledged command must be in the event log once.
"""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.simulations.live_server import Server

from .harness import (
    Ledger,
    check_event_log,
    close_rooms,
    play_to_close,
    sized,
    stage,
    start_rooms,
    summary,
)

pytestmark = [pytest.mark.chaos, pytest.mark.slow, pytest.mark.timeout(600)]

ROOMS = sized(10, 5)
VOTES_BEFORE_RESTART = 2
# uvicorn closes each open socket with 1012 when it shuts down (its
# websockets-sansio protocol's shutdown()); nothing in the app closes
# them first.
RESTART_CLOSE = 1012
MIN_SPREAD = 3.0


async def test_graceful_restart_every_client_comes_back_once_and_nothing_acked_is_lost(
    tmp_path: Path, template: Path
) -> None:
    staged = stage(tmp_path, template, rooms=ROOMS, supervised=True)
    env, old, rooms = staged.env, staged.server, staged.rooms
    new = Server(env=env, port=old.port, log=tmp_path / "new.log", supervised=True)
    ledger = Ledger("b2")
    bots = staged.bots
    try:
        await start_rooms(rooms)
        assert len(bots) == 10 * ROOMS
        cuts = [room.votes()[VOTES_BEFORE_RESTART] for room in rooms]
        await asyncio.gather(
            *(ledger.play(room, cut) for room, cut in zip(rooms, cuts, strict=True))
        )
        before = [b.seq for b in bots]

        # One vote per room goes out; the master is told to stop while they
        # are in flight. Whatever the old worker did not answer, the bots
        # send again (same ids) once they are back.
        in_flight = [asyncio.create_task(ledger.step(room)) for room in rooms]
        await asyncio.sleep(0.005)
        worker = old.worker_pid
        term_at = time.time()
        os.kill(old.pid, signal.SIGTERM)
        assert old.process is not None
        await asyncio.to_thread(old.process.wait, 30)
        stopped = time.time() - term_at
        assert not os.path.exists(f"/proc/{worker}"), "the worker outlived its master"
        await asyncio.sleep(0.2)
        assert not any(b.online for b in bots), "every socket was closed"
        started = await asyncio.to_thread(new.start)
        await asyncio.gather(*(b.wait_online(60) for b in bots))
        back = time.time() - term_at
        await asyncio.wait_for(asyncio.gather(*in_flight), 60)

        seen: Counter[int] = Counter()
        for b in bots:
            seen.update(b.stats.close_codes)
        # One close each, all with the restart code.
        assert dict(seen) == {RESTART_CLOSE: len(bots)}, f"close codes seen: {dict(seen)}"
        assert {b.stats.connections for b in bots} == {2}, "one reconnection each"
        assert sum(b.stats.errors + b.stats.rejected for b in bots) == 0
        reconnected = sorted(b.stats.opened[1] for b in bots)
        spread = reconnected[-1] - reconnected[0]
        assert spread >= MIN_SPREAD, f"reconnections within {spread:.2f} s: no jitter?"
        for b, seq in zip(bots, before, strict=True):
            assert b.seq >= seq, b.name

        await play_to_close(rooms, ledger)
    finally:
        await close_rooms(rooms)
        old.kill()
        new.stop()
    figures = check_event_log(env, rooms, ledger)
    print(
        summary(
            test="B2",
            sockets=len(bots),
            stop_seconds=round(stopped, 2),
            new_server_start_seconds=round(started, 2),
            all_back_seconds=round(back, 2),
            reconnect_spread_seconds=round(spread, 2),
            close_codes=dict(seen),
            resends=sum(b.stats.resends for b in bots),
            **figures,
        )
    )
