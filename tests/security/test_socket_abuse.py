"""Bad input on the room socket through the whole ASGI application (catalogue C1, C2, C6, C7).

C1: foreign and missing ``Origin`` headers are refused at the handshake.
A browser always sends ``Origin`` on a WebSocket handshake, so a socket
without one is not a page of ours: it is refused too. Our own clients
(``simulations/bots.py``, which the load generator and ``simulate_conference``
use) send the site's origin.
C2: who may enter, and nobody acts for somebody else.
C6: one person's sockets share one rate; one address may hold a capped
number of sockets.
C7: commands out of order, or from the wrong person, are rejected.
Every refusal changes nothing in the database and is logged.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from asgiref.sync import sync_to_async

# Imported now, not by the first socket: config.asgi sets Django up, which
# configures logging afresh and would drop the capture handler of caplog.
import config.asgi  # noqa: F401
from simulations import consumers, limits
from simulations.models import Room, RoomEvent
from tests.asgi import communicator
from tests.simulations.rooms import connect, open_room

pytestmark = [pytest.mark.websockets, pytest.mark.django_db(transaction=True)]

VOTE = {
    "child_id": "jayden",
    "level_of_need": "safeguarding",
    "threshold_met": True,
    "primary_category": "physical",
    "other_categories": [],
    "rationale": "Injuries.",
}


@pytest.fixture
async def room(demo_people, citations_resolve) -> Room:  # type: ignore[no-untyped-def]
    return await sync_to_async(open_room)()


async def event_count(room: Room) -> int:
    return await sync_to_async(RoomEvent.objects.filter(room=room).count)()


# C1: origin -------------------------------------------------------------------


@pytest.mark.parametrize(
    "origin",
    [
        None,
        b"http://evil.example",
        b"null",
        b"http://testserver.evil.example",
        b"http://evil.example/http://testserver",
        b"not a url",
    ],
    ids=["missing", "foreign", "null", "suffix", "path", "garbage"],
)
@pytest.mark.parametrize("path", ["rooms", "echo"])
async def test_a_foreign_or_missing_origin_is_refused_at_the_handshake(
    room: Room, origin: bytes | None, path: str
) -> None:
    from accounts.models import User

    gp = await sync_to_async(User.objects.get)(username="delegate06")
    url = f"/ws/rooms/{room.join_code}/" if path == "rooms" else "/ws/echo/"
    ws = await communicator(url, user=gp, origin=origin)
    connected, _ = await ws.connect()
    assert connected is False
    await ws.disconnect()
    # The same person from the site's own origin gets in.
    ws = await communicator(url, user=gp)
    assert (await ws.connect())[0] is True
    await ws.disconnect()


# C2: who may enter, and as whom ----------------------------------------------------


async def test_no_session_is_refused_with_4401(room: Room) -> None:
    ws = await communicator(f"/ws/rooms/{room.join_code}/")
    assert await ws.connect() == (False, consumers.CLOSE_UNAUTHENTICATED)
    await ws.disconnect()


async def test_a_seat_in_one_room_does_not_open_another(
    room: Room, caplog: pytest.LogCaptureFixture
) -> None:
    from simulations import services

    other = await sync_to_async(services.room_open)(
        seminar=room.seminar, scenario=room.scenario, name="Room B"
    )
    from accounts.models import User

    chair_of_a = await sync_to_async(User.objects.get)(username="delegate01")
    ws = await communicator(f"/ws/rooms/{other.join_code}/", user=chair_of_a)
    assert await ws.connect() == (False, consumers.CLOSE_FORBIDDEN)
    await ws.disconnect()
    # Lower case and unknown codes fare no better.
    for code in [other.join_code.lower(), "ZZZZZZ", "../../admin", "%00"]:
        ws = await communicator(f"/ws/rooms/{code}/", user=chair_of_a)
        assert (await ws.connect())[0] is False, code
        await ws.disconnect()


async def test_nobody_acts_for_another_seat_and_it_is_logged(
    room: Room, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="simulations.consumers")
    gp = await connect(room, "delegate06")
    for args, extra, code in [
        ({}, {"as_role": "chair"}, "wrong_role"),
        ({"actor": {"kind": "seat", "role": "chair"}}, {}, "malformed_command"),
        ({"command_id": "someone-elses-id"}, {}, "malformed_command"),
        ({}, {"as_role": "trainer"}, "bad_field"),
        ({}, {"as_role": "not-a-role"}, "bad_field"),
    ]:
        reply = await gp.command("AdvancePhase", args, **extra)
        assert reply["type"] == "rejected" and reply["code"] == code, (args, extra, reply)
        assert reply["message"]
    assert await event_count(room) == 0
    logged = [r.getMessage() for r in caplog.records if r.name == "simulations.consumers"]
    assert sum("rejected AdvancePhase" in line for line in logged) >= 3
    await gp.ws.disconnect()


@pytest.mark.parametrize("path", ["/ws/nope/", "/", "/ws/rooms/", "/ws/rooms/A/B/", "/admin/"])
async def test_a_socket_on_an_unknown_path_is_closed_with_4404_not_an_exception(
    demo_people,  # type: ignore[no-untyped-def]
    path: str,
) -> None:
    ws = await communicator(path, user=demo_people["delegate06"])
    assert await ws.connect() == (False, consumers.CLOSE_NOT_FOUND)
    await ws.disconnect()


# C7: business-logic order ------------------------------------------------------------


async def test_commands_out_of_order_or_from_the_wrong_person_are_rejected(room: Room) -> None:
    gp = await connect(room, "delegate06")
    chair = await connect(room, "delegate01")
    police = await connect(room, "delegate05")
    parent = await connect(room, "delegate08")
    console = await connect(room, "trainer")

    async def rejected(client, name, args, code):  # type: ignore[no-untyped-def]
        before = await event_count(room)
        reply = await client.command(name, args)
        assert reply["type"] == "rejected", (name, reply)
        assert reply["code"] == code, (name, reply)
        assert await event_count(room) == before

    # Before the ballot is open.
    await rejected(gp, "CastVote", VOTE, "not_allowed_in_phase")
    await rejected(chair, "RevealVotes", {}, "not_allowed_in_phase")
    # Chair-only and trainer-only commands from others.
    await rejected(gp, "AdvancePhase", {}, "chair_only")
    await rejected(chair, "SkipPhase", {}, "trainer_only")
    await rejected(gp, "Pause", {"reason": "tea"}, "trainer_only")
    await rejected(chair, "ReleaseInject", {"inject_id": "x"}, "trainer_only")
    for _ in range(6):  # the trainer skips to recommendations
        assert (await console.command("SkipPhase"))["type"] == "ack"
    await rejected(chair, "RevealVotes", {}, "no_ballots")
    assert (await gp.command("CastVote", VOTE))["type"] == "ack"
    await rejected(gp, "CastVote", VOTE, "already_voted")
    await rejected(parent, "CastVote", VOTE, "wrong_role")  # parents make no recommendation
    await rejected(gp, "RevealVotes", {}, "chair_only")
    assert (await chair.command("RevealVotes"))["type"] == "ack"
    # After the reveal: no more ballots in this round, and no second reveal.
    await rejected(police, "CastVote", VOTE, "round_revealed")
    await rejected(chair, "RevealVotes", {}, "round_revealed")
    for client in (gp, chair, police, parent, console):
        await client.ws.disconnect()


# C6: flooding -------------------------------------------------------------------------


async def pongs_within(client, seconds: float) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Return (pongs, rate_limited errors) the client receives within ``seconds``."""
    pongs = limited = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        # receive_nothing, not a timeout on receive_from: a timeout cancels the consumer.
        if await client.ws.receive_nothing(timeout=0.05):
            continue
        frame = json.loads(await client.ws.receive_from())
        pongs += frame["type"] == "pong"
        limited += frame.get("code") == "rate_limited"
    return pongs, limited


async def test_one_person_on_many_sockets_shares_one_rate(room: Room) -> None:
    sockets = [await connect(room, "delegate06") for _ in range(4)]
    chair = await connect(room, "delegate01")
    for client in sockets:
        await client.drain(0.2)
    began = asyncio.get_running_loop().time()
    per_socket = int(consumers.RATE_BURST)  # each socket alone would be allowed all of these
    for client in sockets:
        for _ in range(per_socket):
            await client.ws.send_to(text_data='{"type":"ping"}')
    counts = [await pongs_within(client, 1.0) for client in sockets]
    elapsed = asyncio.get_running_loop().time() - began
    answered = sum(pongs for pongs, _ in counts)
    allowance = consumers.RATE_BURST + consumers.RATE_PER_SECOND * elapsed
    assert answered <= allowance + 1, (answered, allowance, counts)
    assert answered < len(sockets) * per_socket
    assert sum(limited for _, limited in counts) >= 1
    # Somebody else in the room is not slowed down.
    for _ in range(per_socket):
        await chair.ws.send_to(text_data='{"type":"ping"}')
    assert (await pongs_within(chair, 1.0))[0] == per_socket
    for client in [*sockets, chair]:
        await client.ws.disconnect()


async def test_closing_and_reopening_a_socket_does_not_refill_the_bucket(room: Room) -> None:
    first = await connect(room, "delegate06")
    for _ in range(int(consumers.RATE_BURST)):
        await first.ws.send_to(text_data='{"type":"ping"}')
    await pongs_within(first, 0.3)
    await first.ws.disconnect()
    again = await connect(room, "delegate06")
    for _ in range(int(consumers.RATE_BURST)):
        await again.ws.send_to(text_data='{"type":"ping"}')
    pongs, limited = await pongs_within(again, 0.5)
    assert pongs < consumers.RATE_BURST and limited >= 1
    await again.ws.disconnect()


async def test_a_flood_on_one_socket_is_closed_with_4429(room: Room) -> None:
    gp = await connect(room, "delegate06")
    dropped = int(consumers.RATE_BURST) + consumers.RATE_STRIKES_BEFORE_CLOSE + 20
    for _ in range(dropped):
        await gp.ws.send_to(text_data='{"type":"ping"}')
    while True:
        message = await gp.ws.receive_output(timeout=5)
        if message["type"] == "websocket.close":
            break
    assert message["code"] == consumers.CLOSE_RATE_LIMITED
    assert await event_count(room) == 0


async def test_one_address_may_hold_only_so_many_sockets(room: Room, settings) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import User

    settings.THRESHOLD_WS_MAX_SOCKETS_PER_ADDRESS = 3
    gp = await sync_to_async(User.objects.get)(username="delegate06")
    url = f"/ws/rooms/{room.join_code}/"
    held = []
    for _ in range(3):
        ws = await communicator(url, user=gp, client=("203.0.113.7", 40000))
        assert (await ws.connect())[0] is True
        held.append(ws)
    extra = await communicator("/ws/echo/", user=gp, client=("203.0.113.7", 40001))
    assert (await extra.connect())[0] is True  # accepted, then closed with a reason
    closed = await extra.receive_output(timeout=2)
    assert closed == {
        "type": "websocket.close",
        "code": limits.CLOSE_TRY_AGAIN_LATER,
        "reason": limits.TOO_MANY_SOCKETS,
    }
    # Another address is not affected.
    other = await communicator(url, user=gp, client=("198.51.100.2", 40000))
    assert (await other.connect())[0] is True
    await other.disconnect()
    # When one socket closes, its place is free again.
    await held.pop().disconnect()
    again = await communicator(url, user=gp, client=("203.0.113.7", 40002))
    assert (await again.connect())[0] is True
    for ws in [*held, again]:
        await ws.disconnect()
    assert limits.limits.sockets_by_address == {}


async def test_a_worker_holds_only_so_many_sockets_in_all(room: Room, settings) -> None:  # type: ignore[no-untyped-def]
    """Past THRESHOLD_WS_MAX_SOCKETS a socket is closed with 1013 and "the server is full"."""
    from accounts.models import User

    settings.THRESHOLD_WS_MAX_SOCKETS = 2
    gp = await sync_to_async(User.objects.get)(username="delegate06")
    url = f"/ws/rooms/{room.join_code}/"
    held = []
    for port in (40000, 40001):  # two addresses: the per-address cap is not what bites
        ws = await communicator(url, user=gp, client=(f"203.0.113.{port - 39990}", port))
        assert (await ws.connect())[0] is True
        held.append(ws)
    extra = await communicator(url, user=gp, client=("198.51.100.9", 40002))
    assert (await extra.connect())[0] is True  # accepted, then closed with a reason
    assert await extra.receive_output(timeout=2) == {
        "type": "websocket.close",
        "code": limits.CLOSE_TRY_AGAIN_LATER,
        "reason": limits.SERVER_FULL,
    }
    await held.pop().disconnect()
    again = await communicator(url, user=gp, client=("198.51.100.9", 40003))
    assert (await again.connect())[0] is True
    for ws in [*held, again]:
        await ws.disconnect()
    assert limits.limits.sockets == 0
