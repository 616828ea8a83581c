"""Load generator for the live conference benchmarks: one asyncio process.

The benchmarks start it as a subprocess (pinned to its own core) so that the
client never shares a core with the server it measures. It reads a plan
written by ``simulate_conference --prepare-only --sessions``, opens a
:class:`simulations.bots.Bot` per seat, observer and trainer's console, and
reports on stdout, one JSON object per line:

    python -m tests.benchmarks.loadgen hold    --plan P --urls U [--seconds S]
    python -m tests.benchmarks.loadgen fanout  --plan P --urls U --rates 100,250 --seconds S
    python -m tests.benchmarks.loadgen votes   --plan P --urls U --rates 200,400 --seconds S
    python -m tests.benchmarks.loadgen restart --plan P --urls U

``--urls`` takes one server address or several, comma-separated: the sockets
of each room are dealt across them in turn (so with two workers every room
spans both). Latency is measured without comparing clocks across machines:
the command id carries the time the issuing client sent it, and every
receiver subtracts that from the time it read the frame (one machine, one
clock).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sys
import time
from array import array
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from simulations.bots import Bot

VOTERS = (
    "chair",
    "lead_social_worker",
    "health_visitor",
    "designated_teacher",
    "police",
    "gp",
    "housing",
)
RESEND_SHARE = 0.05  # of votes resent with the same id after 0-500 ms (A3)


def emit(**fields: Any) -> None:
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def percentile(values: list[float] | array, share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def summary_ms(values: list[float] | array) -> dict[str, float]:
    return {
        "p50_ms": round(percentile(values, 0.50) * 1000, 2),
        "p95_ms": round(percentile(values, 0.95) * 1000, 2),
        "p99_ms": round(percentile(values, 0.99) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2) if values else float("nan"),
    }


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Room:
    index: int
    code: str
    console: Bot
    seats: dict[str, Bot]
    observers: list[Bot]
    children: list[str] = field(default_factory=list)
    paused: bool = False
    # votes
    round: int = 1
    pending: list[tuple[str, str]] = field(default_factory=list)
    accepted_in_round: int = 0
    revealing: bool = False

    @property
    def sockets(self) -> list[Bot]:
        return [self.console, *self.seats.values(), *self.observers]


class LoopLag:
    """Sample how late the event loop wakes up: a saturated client shows here."""

    def __init__(self) -> None:
        self.samples: list[float] = []
        self.task: asyncio.Task[None] | None = None

    async def run(self) -> None:
        while True:
            before = time.monotonic()
            await asyncio.sleep(0.05)
            self.samples.append(time.monotonic() - before - 0.05)

    def start(self) -> None:
        self.samples = []
        self.task = asyncio.create_task(self.run())

    def stop(self) -> dict[str, float]:
        if self.task is not None:
            self.task.cancel()
        return {
            "loop_lag_p95_ms": round(percentile(self.samples, 0.95) * 1000, 1),
            "loop_lag_max_ms": round(max(self.samples, default=0) * 1000, 1),
        }


class Load:
    def __init__(self, plan: dict[str, Any], urls: list[str], *, backoff: tuple[float, float]):
        self.plan = plan
        self.urls = urls
        self.latency: dict[str, array] = {}
        self.delivered: Counter[str] = Counter()
        self.last_arrival: dict[str, float] = {}
        self.hidden = 0
        self.replies: dict[str, dict[str, Any]] = {}
        self.reply_times: dict[str, float] = {}
        self.duplicate_acks = 0
        self.rooms: list[Room] = []
        cookies = plan["cookies"]
        for index, room in enumerate(plan["rooms"]):
            names = [plan["trainer"], *room["seats"].values(), *room["observers"]]
            made = [
                Bot(
                    name,
                    base_url=urls[(index + position) % len(urls)],
                    code=room["code"],
                    cookie=cookies.get(name, ""),
                    on_event=self.on_event,
                    on_reply=self.on_reply,
                    keep_events=False,
                    backoff=backoff,
                    rng=random.Random(f"{index}-{position}"),
                )
                for position, name in enumerate(names)
            ]
            seats = dict(zip(room["seats"], made[1 : 1 + len(room["seats"])], strict=True))
            self.rooms.append(
                Room(index, room["code"], made[0], seats, made[1 + len(room["seats"]) :])
            )

    @property
    def bots(self) -> list[Bot]:
        return [bot for room in self.rooms for bot in room.sockets]

    def on_event(self, bot: Bot, frame: dict[str, Any], arrived: float) -> None:
        event = frame["event"]
        if event is None:
            self.hidden += 1
            return
        command_id = event.get("command_id", "")
        if command_id[:1] in ("b", "v"):
            step, _, sent = command_id.split(".")
            self.latency.setdefault(step, array("d")).append(arrived - int(sent) / 1e6)
            self.delivered[step] += 1
            self.last_arrival[step] = arrived

    def on_reply(self, bot: Bot, frame: dict[str, Any], arrived: float) -> None:
        command_id = frame["id"]
        if command_id in self.replies:
            if frame.get("duplicate"):
                self.duplicate_acks += 1
            return
        self.replies[command_id] = frame
        self.reply_times[command_id] = arrived

    async def connect(self, *, concurrency: int = 200) -> dict[str, Any]:
        gate = asyncio.Semaphore(concurrency)
        times: list[float] = []

        async def one(bot: Bot) -> None:
            async with gate:
                began = time.monotonic()
                await bot.start(timeout=120)
                times.append(time.monotonic() - began)

        began, cpu = time.monotonic(), cpu_seconds()
        await asyncio.gather(*(one(bot) for bot in self.bots))
        took = time.monotonic() - began
        for room in self.rooms:
            view = room.console.view or {}
            room.children = [child["id"] for child in view.get("children", [])]
        return {
            "sockets": len(times),
            "connect_seconds": round(took, 2),
            "connects_per_second": round(len(times) / took, 1),
            "connect_ms": summary_ms(times),
            "client_cpu_share": round((cpu_seconds() - cpu) / took, 2),
        }

    async def close(self) -> None:
        await asyncio.gather(*(bot.close() for bot in self.bots))


async def paced(count: int, rate: float, send: Any) -> float:
    """Call ``send(i)`` ``count`` times at ``rate`` a second; return the seconds taken."""
    began = time.time()
    sent = 0
    while sent < count:
        due = min(count, int((time.time() - began) * rate) + 1)
        while sent < due:
            send(sent)
            sent += 1
        await asyncio.sleep(0.002)
    return time.time() - began


async def run_hold(load: Load, args: argparse.Namespace) -> None:
    emit(event="connected", **await load.connect())
    emit(event="holding", seconds=args.seconds)
    lag = LoopLag()
    lag.start()
    cpu, began = cpu_seconds(), time.monotonic()
    await asyncio.sleep(args.seconds)
    online = sum(bot.online for bot in load.bots)
    emit(
        event="held",
        online=online,
        reconnects=sum(bot.stats.connections - 1 for bot in load.bots),
        client_cpu_share=round((cpu_seconds() - cpu) / (time.monotonic() - began), 3),
        **lag.stop(),
    )


async def settle(load: Load, step: str, count: int, limit: float) -> None:
    """Wait (up to ``limit`` s) until every command of ``step`` has its answer."""
    deadline = time.monotonic() + limit
    prefix = step + "."
    while time.monotonic() < deadline:
        if sum(1 for cid in load.replies if cid.startswith(prefix)) >= count:
            return
        await asyncio.sleep(0.1)


def saturated(p95_ms: float, unanswered: int, sent: int) -> bool:
    """Return whether a step overloaded the server (so higher rates are pointless)."""
    return p95_ms > 1000 or unanswered > 0.01 * max(sent, 1)


async def run_fanout(load: Load, args: argparse.Namespace) -> None:
    emit(event="connected", **await load.connect())
    per_room = len(load.rooms[0].sockets)
    for number, rate in enumerate(args.rates, start=1):
        step = f"b{number}"
        count = int(rate * args.seconds)

        def send(i: int, step: str = step, rooms: list[Room] = load.rooms) -> None:
            room = rooms[i % len(rooms)]
            name = "Resume" if room.paused else "Pause"
            room.paused = not room.paused
            command_id = f"{step}.{i}.{int(time.time() * 1e6)}"
            room.console.send_nowait(
                name, {"reason": "bench"} if name == "Pause" else {}, command_id
            )

        emit(event="step_start", step=step, offered_events_per_second=rate)
        lag = LoopLag()
        lag.start()
        cpu, began, wall_began = cpu_seconds(), time.monotonic(), time.time()
        took = await paced(count, rate, send)
        await asyncio.sleep(args.drain)
        await settle(load, step, count, args.settle)
        await asyncio.sleep(0.5)
        wall = time.monotonic() - began
        replies = [f for cid, f in load.replies.items() if cid.startswith(step + ".")]
        accepted = sum(f["type"] == "ack" for f in replies)
        rejected = Counter(f["code"] for f in replies if f["type"] == "rejected")
        latency = load.latency.get(step, array("d"))
        expected = accepted * per_room
        span = max(load.last_arrival.get(step, wall_began + took) - wall_began, took)
        figures = summary_ms(latency)
        emit(
            event="step",
            step=step,
            offered_events_per_second=rate,
            offered_deliveries_per_second=rate * per_room,
            sockets=len(load.bots),
            sockets_per_room=per_room,
            sent=count,
            seconds=round(took, 2),
            accepted=accepted,
            rejected=dict(rejected),
            unanswered=count - len(replies),
            expected_deliveries=expected,
            delivered=load.delivered[step],
            deliveries_per_second=round(load.delivered[step] / span, 1),
            gaps=sum(bot.stats.gaps for bot in load.bots),
            client_cpu_share=round((cpu_seconds() - cpu) / wall, 3),
            saturated=saturated(figures["p95_ms"], count - len(replies), count),
            **figures,
            **lag.stop(),
        )
        if saturated(figures["p95_ms"], count - len(replies), count):
            break
    # Late or lost? Every socket should now be at its room's last number
    # (the console issued every command, so it holds the room's last seq).
    await asyncio.sleep(3)
    behind = [b for room in load.rooms for b in room.sockets if b.seq < room.console.seq]
    emit(event="ladder_end", sockets_behind=len(behind), gaps=sum(b.stats.gaps for b in load.bots))


async def reveal_and_reopen(room: Room, problems: Counter[str]) -> None:
    chair = room.seats["chair"]
    for name in ("RevealVotes", "OpenRevote"):
        reply = await chair.command(name, {}, timeout=30)
        if reply["type"] != "ack":
            problems[f"{name}:{reply.get('code')}"] += 1
    room.round += 1
    room.accepted_in_round = 0
    room.pending = [(role, child) for role in VOTERS for child in room.children]
    random.shuffle(room.pending)
    room.revealing = False


async def run_votes(load: Load, args: argparse.Namespace) -> None:
    emit(event="connected", **await load.connect())
    # Every room goes to recommendations: the trainer skips the agenda there.
    for _ in range(6):
        replies = await asyncio.gather(
            *(room.console.command("SkipPhase", {}, timeout=60) for room in load.rooms)
        )
        assert all(r["type"] == "ack" for r in replies), replies
    for room in load.rooms:
        room.pending = [(role, child) for role in VOTERS for child in room.children]
        random.shuffle(room.pending)
    per_round = len(VOTERS) * len(load.rooms[0].children)
    votes: dict[str, tuple[Room, float, str]] = {}
    problems: Counter[str] = Counter()
    tasks: set[asyncio.Task[None]] = set()
    loop = asyncio.get_running_loop()
    rng = random.Random(7)
    resends = 0
    original_on_reply = load.on_reply

    def on_reply(bot: Bot, frame: dict[str, Any], arrived: float) -> None:
        first = frame["id"] not in load.replies
        original_on_reply(bot, frame, arrived)
        vote = votes.get(frame["id"])
        if vote is None or not first:
            return
        room = vote[0]
        if frame["type"] == "ack" and not frame["duplicate"]:
            room.accepted_in_round += 1
            if room.accepted_in_round == per_round and not room.revealing:
                room.revealing = True
                task = asyncio.create_task(reveal_and_reopen(room, problems))
                tasks.add(task)
                task.add_done_callback(tasks.discard)

    for bot in load.bots:
        bot.on_reply = on_reply
    cursor = 0
    for number, rate in enumerate(args.rates, start=1):
        step = f"v{number}"
        count = int(rate * args.seconds)
        starved = 0

        def send(i: int, step: str = step) -> None:
            nonlocal cursor, starved, resends
            for _ in range(len(load.rooms)):
                room = load.rooms[cursor % len(load.rooms)]
                cursor += 1
                if room.pending and not room.revealing:
                    break
            else:
                starved += 1
                return
            role, child = room.pending.pop()
            command_id = f"{step}.{i}.{int(time.time() * 1e6)}"
            vote = {
                "child_id": child,
                "level_of_need": "safeguarding",
                "threshold_met": True,
                "primary_category": "physical",
                "other_categories": ["neglect"],
                "rationale": f"Round {room.round}: based on what was shared.",
            }
            votes[command_id] = (room, time.time(), role)
            voter = room.seats[role]
            voter.send_nowait("CastVote", vote, command_id)
            if rng.random() < RESEND_SHARE:
                resends += 1
                loop.call_later(
                    rng.uniform(0, 0.5), voter.send_nowait, "CastVote", vote, command_id
                )

        emit(event="step_start", step=step, offered_votes_per_second=rate)
        lag = LoopLag()
        lag.start()
        cpu, began = cpu_seconds(), time.monotonic()
        took = await paced(count, rate, send)
        await asyncio.sleep(args.drain)
        await settle(load, step, sum(1 for cid in votes if cid.startswith(step + ".")), args.settle)
        wall = time.monotonic() - began
        mine = [cid for cid in votes if cid.startswith(step + ".")]
        answered = [cid for cid in mine if cid in load.replies]
        accepted = [cid for cid in answered if load.replies[cid]["type"] == "ack"]
        rejected = Counter(
            load.replies[cid]["code"] for cid in answered if load.replies[cid]["type"] != "ack"
        )
        acks = array("d", (load.reply_times[cid] - votes[cid][1] for cid in accepted))
        last = max((load.reply_times[cid] for cid in accepted), default=time.time())
        first = min((votes[cid][1] for cid in mine), default=time.time())
        emit(
            event="step",
            step=step,
            offered_votes_per_second=rate,
            sent=len(mine),
            starved=starved,
            seconds=round(took, 2),
            accepted=len(accepted),
            votes_per_second=round(len(accepted) / max(last - first, 1e-9), 1),
            rejected=dict(rejected),
            unanswered=len(mine) - len(answered),
            resends_so_far=resends,
            duplicate_acks_so_far=load.duplicate_acks,
            chair_problems=dict(problems),
            client_cpu_share=round((cpu_seconds() - cpu) / wall, 3),
            saturated=saturated(summary_ms(acks)["p95_ms"], len(mine) - len(answered), len(mine)),
            **{f"ack_{key}": value for key, value in summary_ms(acks).items()},
            **lag.stop(),
        )
        if saturated(summary_ms(acks)["p95_ms"], len(mine) - len(answered), len(mine)):
            break
    emit(event="ladder_end")
    await asyncio.sleep(1)
    accepted_ids = [
        cid for cid in votes if cid in load.replies and load.replies[cid]["type"] == "ack"
    ]
    Path(args.out).write_text(
        json.dumps(
            {
                "accepted": accepted_ids,
                "sent": len(votes),
                "resends": resends,
                "duplicate_acks": load.duplicate_acks,
                "rooms": [room.code for room in load.rooms],
            }
        )
    )
    emit(event="votes_written", accepted=len(accepted_ids), path=args.out)


async def run_restart(load: Load, args: argparse.Namespace) -> None:
    emit(event="connected", **await load.connect())
    emit(event="ready")
    loop = asyncio.get_running_loop()
    killed = json.loads(await loop.run_in_executor(None, sys.stdin.readline))["killed"]
    back = json.loads(await loop.run_in_executor(None, sys.stdin.readline))["listening"]
    deadline = time.time() + args.seconds
    bots = load.bots
    while time.time() < deadline:
        if all(b.online and (b.synced_at or 0) > killed for b in bots):
            break
        await asyncio.sleep(0.05)
    resynced = sorted(
        b.synced_at - killed for b in bots if b.online and (b.synced_at or 0) > killed
    )
    count = len(bots)

    def nth(share: float) -> float | None:
        needed = max(1, int(share * count + 0.999999))
        return round(resynced[needed - 1], 2) if len(resynced) >= needed else None

    emit(
        event="restart",
        sockets=count,
        resynced=len(resynced),
        server_down_seconds=round(back - killed, 2),
        seconds_to_50=nth(0.50),
        seconds_to_95=nth(0.95),
        seconds_to_100=nth(1.0),
        after_listening_95=None if nth(0.95) is None else round(nth(0.95) - (back - killed), 2),
        connection_attempts_refused=sum(b.stats.refused for b in bots),
        refusals=dict(sum((b.stats.refusals for b in bots), Counter())),
        resends=sum(b.stats.resends for b in bots),
    )


async def main(args: argparse.Namespace) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover
        pass
    plan = json.loads(Path(args.plan).read_text())
    load = Load(plan, args.urls.split(","), backoff=(args.backoff_base, args.backoff_cap))
    runner = {"hold": run_hold, "fanout": run_fanout, "votes": run_votes, "restart": run_restart}
    try:
        await runner[args.mode](load, args)
    finally:
        await load.close()
    emit(event="done", client_cpu_seconds=round(cpu_seconds(), 1))


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["hold", "fanout", "votes", "restart"])
    parser.add_argument("--plan", required=True)
    parser.add_argument("--urls", required=True)
    parser.add_argument("--rates", type=lambda s: [float(x) for x in s.split(",")], default=[])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--drain", type=float, default=2)
    parser.add_argument("--settle", type=float, default=30)
    parser.add_argument("--out", default="votes.json")
    parser.add_argument("--backoff-base", type=float, default=0.5)
    parser.add_argument("--backoff-cap", type=float, default=8.0)
    return parser.parse_args(argv)


if __name__ == "__main__":
    asyncio.run(main(parse(sys.argv[1:])))
