"""A whole mock conference played by nine seats and the trainer through the ASGI stack."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from simulations.engine.vocabulary import Role
from simulations.models import Room, RoomEvent
from simulations.script import conference_script
from tests.asgi import communicator
from tests.simulations.rooms import ROLES, connect, open_room

pytestmark = [
    pytest.mark.websockets,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
async def room(demo_people, citations_resolve) -> Room:  # type: ignore[no-untyped-def]
    return await sync_to_async(open_room)()


async def seat_clients(room: Room) -> dict[str, object]:
    clients = {}
    for number, role in enumerate(ROLES, start=1):
        clients[role.value] = await connect(room, f"delegate{number:02d}")
    return clients


async def test_a_whole_conference_over_websockets(room: Room) -> None:
    clients = await seat_clients(room)
    console = await connect(room, "trainer")
    assert console.snapshot()["seat"]["trainer"] is True
    chair_view = clients["chair"].snapshot()["view"]
    items = {role: client.snapshot()["view"]["my_items"] for role, client in clients.items()}
    script = conference_script(chair_view, items)
    for step in script:
        reply = await clients[step.role].command(step.name, step.args)
        assert reply["type"] == "ack", (step, reply)
    total = await sync_to_async(lambda: Room.objects.get(pk=room.pk).seq)()
    assert total == await sync_to_async(RoomEvent.objects.filter(room=room).count)()
    everyone = [*clients.values(), console]
    for client in everyone:
        await client.drain()
        seqs = [frame["seq"] for frame in client.events()]
        assert seqs == list(range(1, total + 1)), client.label
    phases = [
        f["event"] for f in console.events() if f["event"] and f["event"]["type"] == "PhaseChanged"
    ]
    assert phases[-1]["to_phase"] == "closed"
    for client in everyone:
        await client.ws.disconnect()


async def test_sealed_ballots_stay_sealed_until_revealed(room: Room) -> None:
    clients = await seat_clients(room)
    console = await connect(room, "trainer")
    for _ in range(6):  # the trainer skips to recommendations
        reply = await console.command("SkipPhase")
        assert reply["type"] == "ack"
    vote = {
        "child_id": "jayden",
        "level_of_need": "safeguarding",
        "threshold_met": True,
        "primary_category": "physical",
        "other_categories": [],
        "rationale": "Injuries.",
    }
    assert (await clients["gp"].command("CastVote", vote))["type"] == "ack"
    for role, client in clients.items():
        await client.drain(0.2)
        cast = [
            f["event"]
            for f in client.events()
            if f["event"] is not None and f["event"]["type"] == "VoteCast"
        ]
        if role == "gp":
            assert cast and cast[-1]["level_of_need"] == "safeguarding"
        elif role == "chair":
            assert cast and "level_of_need" not in cast[-1], "the chair sees who voted, not how"
        else:
            assert cast == [], role
    reply = await clients["parent"].command("CastVote", vote)
    assert reply["type"] == "rejected"
    for client in clients.values():
        await client.ws.disconnect()
    await console.ws.disconnect()


async def test_a_retried_vote_counts_once(room: Room) -> None:
    console = await connect(room, "trainer")
    for _ in range(6):
        assert (await console.command("SkipPhase"))["type"] == "ack"
    gp = await connect(room, "delegate06")
    vote = {
        "child_id": "jayden",
        "level_of_need": "safeguarding",
        "threshold_met": True,
        "primary_category": "physical",
        "other_categories": [],
        "rationale": "Injuries.",
    }
    first = await gp.command("CastVote", vote, command_id="vote-gp-jayden-1")
    again = await gp.command("CastVote", vote, command_id="vote-gp-jayden-1")
    assert first["type"] == "ack" and first["duplicate"] is False
    assert again["type"] == "ack" and again["duplicate"] is True
    assert await sync_to_async(RoomEvent.objects.filter(room=room, kind="VoteCast").count)() == 1
    await gp.ws.disconnect()
    await console.ws.disconnect()


async def test_reconnect_mid_vote_resumes_with_nothing_lost(room: Room) -> None:
    console = await connect(room, "trainer")
    for _ in range(6):
        assert (await console.command("SkipPhase"))["type"] == "ack"
    gp = await connect(room, "delegate06")
    vote = {
        "child_id": "jayden",
        "level_of_need": "health_development",
        "threshold_met": False,
        "primary_category": None,
        "other_categories": [],
        "rationale": "Support needed.",
    }
    assert (await gp.command("CastVote", vote))["type"] == "ack"
    await gp.ws.disconnect()
    again = await connect(room, "delegate06")
    view = again.snapshot()["view"]
    mine = [b for b in view["rounds"][-1]["ballots"] if b.get("role") == "gp"]
    assert mine and mine[0]["level_of_need"] == "health_development"
    assert again.snapshot()["seat"]["role"] == "gp"
    await again.ws.disconnect()
    await console.ws.disconnect()


async def test_two_rooms_never_see_each_others_frames(demo_people, citations_resolve) -> None:  # type: ignore[no-untyped-def]
    def two_rooms() -> tuple[Room, Room]:
        first = open_room(name="Room A")
        from accounts.models import User
        from simulations import services

        second = services.room_open(seminar=first.seminar, scenario=first.scenario, name="Room B")
        services.seat_join(
            room=second, user=User.objects.get(username="delegate10"), role=Role.CHAIR
        )
        return first, second

    first, second = await sync_to_async(two_rooms)()
    a_chair = await connect(first, "delegate01")
    b_chair = await connect(second, "delegate10")
    assert (await a_chair.command("AdvancePhase"))["type"] == "ack"
    await b_chair.drain(0.3)
    assert b_chair.events() == []
    assert b_chair.snapshot()["view"]["room_id"] == str(second.pk)
    await a_chair.ws.disconnect()
    await b_chair.ws.disconnect()


async def test_outsiders_cannot_enter_and_delegates_cannot_act_for_others(room: Room) -> None:
    from accounts.models import User

    outsider = await sync_to_async(User.objects.get)(username="delegate12")
    ws = await communicator(f"/ws/rooms/{room.join_code}/", user=outsider)
    connected, code = await ws.connect()
    assert connected is False and code == 4403
    await ws.disconnect()
    ws = await communicator("/ws/rooms/ZZZZZZ/", user=outsider)
    assert (await ws.connect())[0] is False
    await ws.disconnect()
    gp = await connect(room, "delegate06")
    reply = await gp.command("OpenPack", {}, as_role="police")
    assert reply["type"] == "rejected" and reply["code"] == "wrong_role"
    reply = await gp.command("OpenPack", {"actor": {"role": "police"}})
    assert reply["type"] == "rejected" and reply["code"] == "malformed_command"
    await gp.ws.disconnect()


@pytest.mark.parametrize(
    "frame,code",
    [
        ("{", "bad_json"),
        (json.dumps({"type": "command", "id": "short", "name": "OpenPack"}), "bad_field"),
        (json.dumps({"type": "command", "id": "x" * 20, "name": "Nope!"}), "bad_field"),
        (json.dumps({"type": "resync", "since": -1}), "bad_field"),
        (
            json.dumps({"type": "command", "id": "y" * 20, "name": "OpenPack", "args": {}, "x": 1}),
            "unknown_field",
        ),
        (
            json.dumps(
                {
                    "type": "command",
                    "id": "z" * 20,
                    "name": "OpenPack",
                    "args": {"pad": "x" * 70000},
                }
            ),
            "frame_too_large",
        ),
    ],
)
async def test_malformed_frames_get_errors_and_change_nothing(
    room: Room, frame: str, code: str
) -> None:
    gp = await connect(room, "delegate06")
    await gp.ws.send_to(text_data=frame)
    reply = await gp.until(lambda f: f["type"] == "error")
    assert reply["code"] == code
    assert await sync_to_async(RoomEvent.objects.filter(room=room).count)() == 0
    assert (await gp.command("OpenPack"))["type"] == "ack"
    await gp.ws.disconnect()


async def test_unknown_command_and_out_of_turn_are_rejected(room: Room) -> None:
    gp = await connect(room, "delegate06")
    reply = await gp.command("LaunchMissiles", {})
    assert reply["type"] == "rejected" and reply["code"] == "malformed_command"
    reply = await gp.command("RevealVotes", {})
    assert reply["type"] == "rejected"
    assert await sync_to_async(RoomEvent.objects.filter(room=room).count)() == 0
    await gp.ws.disconnect()


async def test_a_flood_is_rate_limited_and_the_room_keeps_working(room: Room) -> None:
    gp = await connect(room, "delegate06")
    chair = await connect(room, "delegate01")
    for _ in range(120):
        await gp.ws.send_to(text_data=json.dumps({"type": "ping"}))
    limited = await gp.until(lambda f: f["type"] == "error" and f["code"] == "rate_limited")
    assert limited["message"]
    reply = await chair.command("AdvancePhase")
    assert reply["type"] == "ack"
    await gp.ws.disconnect()
    await chair.ws.disconnect()
