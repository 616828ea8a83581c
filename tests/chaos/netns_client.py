"""Bots on the far side of an impaired link (B8), run inside a network namespace.

    ip netns exec NS python -m tests.chaos.netns_client --plan P --url U --out O

Seats a bot in every seat of every planned room (and the trainer's console)
against the server at ``U`` (the host end of the veth pair), plays each
room's conference script through a :class:`~tests.chaos.harness.Ledger`
(printing ``started`` once every bot is in), waits until every bot accounts for its room's last acknowledged event, and
writes the ledger and each bot's counters to ``O`` as JSON. It then prints
``played`` and keeps every socket open until it is killed, so that the test
can cut the link and time how long the server takes to close them.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from tests.chaos.harness import Ledger, all_caught_up, seat_rooms, start_rooms


async def main(args: argparse.Namespace) -> None:
    plan = json.loads(Path(args.plan).read_text())
    rooms = seat_rooms(plan, [args.url])
    ledger = Ledger(args.prefix)
    began = time.monotonic()
    await start_rooms(rooms)
    print("started", flush=True)
    await asyncio.gather(*(ledger.play(room) for room in rooms))
    laggards = await all_caught_up(rooms, ledger, timeout=120)
    finals = await asyncio.gather(*(room.console.request_snapshot(timeout=60) for room in rooms))
    bots = [b for room in rooms for b in room.everyone]
    outcome = {
        "ledger": ledger.to_json(),
        "seconds": round(time.monotonic() - began, 2),
        "laggards": laggards,
        "phases": [final["phase"] for final in finals],
        # vars(), not dataclasses.asdict(), which rebuilds a Counter from its items.
        "bots": [{"name": b.name, "seq": b.seq, **vars(b.stats)} for b in bots],
    }
    Path(args.out).write_text(json.dumps(outcome, default=str))
    print("played", flush=True)
    await asyncio.Event().wait()  # hold the sockets until the test kills this process


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--prefix", default="b8")
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
