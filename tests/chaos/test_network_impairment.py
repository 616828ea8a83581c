"""B8: conferences over an impaired link, and dead sockets closed by the heartbeat.

The test makes a network namespace joined to this one by a veth pair. The
server listens on the host end; the bots (every seat of every room and the
trainer's consoles) run in a client process inside the namespace
(``tests/chaos/netns_client.py`` under ``ip netns exec``) and play their
conferences through a ledger, which they write out as JSON.

The link is impaired in both directions, one of two ways:

- ``netem``: ``tc qdisc ... netem delay 100ms 20ms loss 2%``. Kernels built
  without the netem qdisc (``sch_netem``) cannot do this; the case is then
  skipped and says so.
- ``shaped``: what any kernel with ``tbf`` can do: 2 Mbit/s with at most
  50 ms of queue (packets beyond are dropped, so bursts such as snapshots
  lose packets).

Either way, once every bot is in, the link goes down (nothing crosses) for
longer than the server's ping interval plus ping timeout, so that every
socket is closed (by the server's heartbeat; in the full form perhaps first
by the bot's own, as websockets' client defaults are also 20 s and 20 s) and
every bot must come back and resync with the commands it had in flight;
then it flaps, down for ``FLAP_DOWN`` seconds every ``FLAP_EVERY`` seconds,
until the conferences are over.

Afterwards no acknowledged command may be missing or applied twice, no
vote may count twice, every bot must account for every event (gaps
resynced) and every conference must close. Then the link is cut (the
namespace's end set down, so the peers vanish without a word) and the
server's WebSocket heartbeat must close every one of those sockets within
its ping interval plus ping timeout: ``ss`` must stop showing them as
established. The server runs uvicorn with explicit ``--ws-ping-interval``
and ``--ws-ping-timeout``: uvicorn's defaults (20 s and 20 s, which
production runs, as ``config.workers.ThresholdWorker`` leaves them) in the
full form, 5 s and 5 s in the short form.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.simulations.live_server import PYTHON, ROOT, UVICORN_FLAGS

from .harness import (
    Ledger,
    Netns,
    check_event_log,
    established,
    sized,
    stage,
    summary,
)

pytestmark = [pytest.mark.chaos, pytest.mark.slow, pytest.mark.timeout(900)]

ROOMS = sized(6, 3)
PING_INTERVAL, PING_TIMEOUT = sized((20.0, 20.0), (5.0, 5.0))
# The poll of ``ss`` and the scheduling of a busy two-core machine.
SLACK = 2.0
NETEM = ("netem", "delay", "100ms", "20ms", "loss", "2%")
SHAPED = ("tbf", "rate", "2mbit", "burst", "16kb", "latency", "50ms")
FLAP_EVERY, FLAP_DOWN = 1.5, 0.5
OUTAGE = PING_INTERVAL + PING_TIMEOUT + SLACK
PLAY_TIMEOUT = sized(600, 300)


async def impair(netns: Netns, stop: asyncio.Event) -> int:
    """One outage past the heartbeat, then flaps until ``stop``; return the flaps."""
    await asyncio.sleep(0.5)
    netns.link(up=False)
    await asyncio.sleep(OUTAGE)
    netns.link(up=True)
    flaps = 0
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), FLAP_EVERY)
            break
        netns.link(up=False)
        flaps += 1
        await asyncio.sleep(FLAP_DOWN)
        netns.link(up=True)
    return flaps


@pytest.mark.parametrize("impairment", ["netem", "shaped"])
async def test_impaired_link_loses_nothing_and_the_heartbeat_closes_dead_sockets(
    tmp_path: Path, template: Path, namespaces: Callable[[], Netns], impairment: str
) -> None:
    netns = namespaces()
    if impairment == "netem":
        try:
            netns.qdisc(*NETEM)
        except RuntimeError as error:
            if "unknown" not in str(error):
                raise
            pytest.skip(f"this kernel has no netem qdisc (sch_netem): {error}")
    else:
        netns.qdisc(*SHAPED)
    ping = ("--ws-ping-interval", str(PING_INTERVAL), "--ws-ping-timeout", str(PING_TIMEOUT))
    staged = stage(
        tmp_path,
        template,
        rooms=ROOMS,
        env={"DJANGO_ALLOWED_HOSTS": f"localhost,127.0.0.1,{netns.host_ip}"},
        host=netns.host_ip,
        flags=(*UVICORN_FLAGS, *ping),
    )
    server = staged.server
    out = tmp_path / "client.json"
    client_log = (tmp_path / "client.log").open("wb")
    client = None
    stop = asyncio.Event()
    flapping = None
    try:
        began = time.monotonic()
        client = await asyncio.create_subprocess_exec(
            *netns.command(PYTHON, "-m", "tests.chaos.netns_client"),
            *("--plan", str(tmp_path / "plan.json"), "--url", server.url, "--out", str(out)),
            cwd=ROOT,
            stdout=asyncio.subprocess.PIPE,
            stderr=client_log,
        )
        assert client.stdout is not None
        line = await asyncio.wait_for(client.stdout.readline(), PLAY_TIMEOUT)
        assert line.strip() == b"started", (tmp_path / "client.log").read_text()[-4000:]
        flapping = asyncio.create_task(impair(netns, stop))
        line = await asyncio.wait_for(client.stdout.readline(), PLAY_TIMEOUT)
        played = time.monotonic() - began
        stop.set()
        flaps = await flapping
        netns.link(up=True)
        assert line.strip() == b"played", (tmp_path / "client.log").read_text()[-4000:]
        outcome = json.loads(out.read_text())
        sockets = len(outcome["bots"])
        local = f"{netns.host_ip}:{server.port}"
        # Every bot is still connected (a flap may have cost a reconnection).
        deadline = time.monotonic() + 30
        while established(local, netns.client_ip) != sockets and time.monotonic() < deadline:
            await asyncio.sleep(0.2)
        assert established(local, netns.client_ip) == sockets

        # Cut the link: the peers are gone without a close or a reset.
        netns.link(up=False)
        cut = time.monotonic()
        limit = PING_INTERVAL + PING_TIMEOUT + SLACK
        while (left := established(local, netns.client_ip)) and time.monotonic() - cut < 2 * limit:
            await asyncio.sleep(0.1)
        closed_after = time.monotonic() - cut
        assert left == 0, f"{left} dead sockets still open {closed_after:.1f} s after the cut"
        assert server.process is not None and server.process.poll() is None, "server died"
    finally:
        stop.set()
        if flapping is not None and not flapping.done():
            flapping.cancel()
        if client is not None and client.returncode is None:
            client.kill()
            await client.wait()
        client_log.close()
        server.stop()

    bots = outcome["bots"]
    assert outcome["laggards"] == [], outcome["laggards"]
    assert set(outcome["phases"]) == {"closed"}, outcome["phases"]
    assert sum(b["errors"] + b["rejected"] for b in bots) == 0
    # The outage outlasted the heartbeat: every socket was closed and came back.
    assert all(b["connections"] >= 2 for b in bots), [b["connections"] for b in bots]
    ledger = Ledger.from_json(outcome["ledger"])
    figures = check_event_log(staged.env, staged.rooms, ledger)
    assert closed_after <= limit, (
        f"dead sockets closed {closed_after:.1f} s after the cut; ping interval + timeout is "
        f"{PING_INTERVAL + PING_TIMEOUT:.0f} s"
    )
    acks = [r["took"] for r in ledger.replies if r["type"] == "ack"]
    print(
        summary(
            test="B8",
            impairment=impairment,
            sockets=sockets,
            played_seconds=round(played, 1),
            outage_seconds=OUTAGE,
            flaps=flaps,
            slowest_ack_seconds=round(max(acks), 2),
            reconnections=sum(b["connections"] - 1 for b in bots),
            gaps=sum(b["gaps"] for b in bots),
            snapshots=sum(b["snapshots"] for b in bots),
            resends=sum(b["resends"] for b in bots),
            duplicate_events_ignored=sum(b["duplicates"] for b in bots),
            ping_interval=PING_INTERVAL,
            ping_timeout=PING_TIMEOUT,
            dead_sockets_closed_seconds=round(closed_after, 1),
            **figures,
        )
    )
