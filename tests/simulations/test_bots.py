"""The bots keep a room's sequence contiguous from the frames alone."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from simulations.bots import Bot, RoomPlan, origin_of, ws_url


class FakeSocket:
    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    async def send(self, payload: str) -> None:
        self.sent.append(json.loads(payload))


def event(seq: int, command_id: str = "c-1") -> str:
    return json.dumps(
        {"type": "event", "seq": seq, "event": {"type": "X", "command_id": command_id}}
    )


def snapshot(seq: int) -> str:
    return json.dumps(
        {"type": "snapshot", "seq": seq, "seat": {"role": "gp"}, "view": {"phase": "x"}}
    )


def bot() -> tuple[Bot, FakeSocket]:
    b = Bot("gp", base_url="http://127.0.0.1:8000", code="ACDEFG", cookie="sessionid=x")
    socket = FakeSocket()
    b._ws = socket  # type: ignore[assignment]
    return b, socket


def test_urls_follow_the_server_address() -> None:
    assert ws_url("http://127.0.0.1:8000", "ACDEFG") == "ws://127.0.0.1:8000/ws/rooms/ACDEFG/"
    assert ws_url("https://example.org", "ACDEFG") == "wss://example.org/ws/rooms/ACDEFG/"
    assert origin_of("http://127.0.0.1:8000/anything") == "http://127.0.0.1:8000"


async def test_events_in_order_advance_and_old_ones_are_ignored() -> None:
    b, socket = bot()
    b._on_frame(snapshot(3), 0.0)
    for seq in (4, 5, 5, 2):
        b._on_frame(event(seq), 0.0)
    assert b.seq == 5 and b.stats.events == 2 and b.stats.duplicates == 2
    assert b.online and socket.sent == []


async def test_a_gap_asks_for_a_snapshot_and_holds_events_until_it_comes() -> None:
    b, socket = bot()
    b._on_frame(snapshot(1), 0.0)
    b._on_frame(event(3), 0.0)  # 2 went missing
    await asyncio.sleep(0.01)
    assert socket.sent == [{"type": "resync", "since": 1}]
    assert not b.online and b.stats.gaps == 1
    b._on_frame(event(4), 0.0)  # held
    b._on_frame(snapshot(3), 0.0)  # covers 2 and 3
    assert b.seq == 4 and b.online
    assert [f["seq"] for f in b.events] == [4]


async def test_hidden_events_still_count() -> None:
    b, _ = bot()
    b._on_frame(snapshot(0), 0.0)
    b._on_frame(json.dumps({"type": "event", "seq": 1, "event": None}), 0.0)
    assert b.seq == 1 and b.stats.hidden_events == 1


async def test_unanswered_commands_are_resent_with_their_id_on_a_new_connection() -> None:
    b, socket = bot()
    b._on_frame(snapshot(0), 0.0)
    reply = asyncio.ensure_future(b.command("OpenPack", command_id="open-pack-0001", timeout=5))
    await asyncio.sleep(0.01)
    assert socket.sent[-1]["id"] == "open-pack-0001"
    b._online.clear()  # the connection drops; a new one opens
    b._fresh, b._want_snapshot = True, True
    b._on_frame(snapshot(0), 0.0)
    await asyncio.sleep(0.01)
    assert [f["id"] for f in socket.sent if f["type"] == "command"] == ["open-pack-0001"] * 2
    b._on_frame(
        json.dumps({"type": "ack", "id": "open-pack-0001", "seq": 1, "duplicate": True}), 0.0
    )
    assert (await reply)["duplicate"] is True


def test_room_plans_round_trip() -> None:
    plan = RoomPlan(name="Room 1", code="ACDEFG", seats={"chair": "bot-1"}, covered=["gp"])
    assert RoomPlan.from_dict(plan.__dict__) == plan
