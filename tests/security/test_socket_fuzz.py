"""C4: hypothesis-generated frames through the whole ASGI stack to a room socket.

Every frame is something a delegate's socket must refuse: junk text, any
JSON (wrong types, huge integers, deep nesting, NaN and Infinity, lone
surrogates), and commands the delegate may not give at this point, with
arguments of any shape. For each: the consumer does not raise, answers with
exactly one ``error`` or ``rejected`` frame in plain words, logs it, and
still answers a ping; nothing reaches the database. The pure parser gets
many more examples in tests/simulations/test_protocol.py.
"""

from __future__ import annotations

import json
import logging
import os

import pytest
from asgiref.sync import sync_to_async
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# Imported now, not by the first example: config.asgi sets Django up, which
# configures logging afresh and would drop the capture handler of caplog.
import config.asgi  # noqa: F401
from simulations import consumers
from simulations.engine.vocabulary import Role
from simulations.models import Room, RoomEvent
from tests.simulations.rooms import connect, open_room
from tests.simulations.test_protocol import ERROR_CODES, hostile_values

pytestmark = [pytest.mark.websockets, pytest.mark.django_db(transaction=True)]

EXAMPLES = int(os.environ.get("SOCKET_FUZZ_EXAMPLES", "60"))
# Nothing a delegate (the GP here) may do while the conference is still being prepared.
NOT_NOW = ["CastVote", "RevealVotes", "AdvancePhase", "SkipPhase", "Pause", "ReleaseInject"]
UNKNOWN = ["LaunchMissiles", "__init__", "Command", "from_dict", "x" * 40]

commands = st.fixed_dictionaries(
    {
        "type": st.just("command"),
        "id": st.text(alphabet="abcdef0123456789-", min_size=8, max_size=64),
        "name": st.sampled_from(NOT_NOW + UNKNOWN),
        "args": st.dictionaries(
            st.sampled_from(["child_id", "level_of_need", "reason", "inject_id", "actor", "to"])
            | st.text(max_size=8),
            hostile_values,
            max_size=5,
        ),
    },
    optional={
        "as_role": st.sampled_from([r.value for r in Role if r is not Role.GP])
        | st.sampled_from(["trainer", "GP", ""])
        | hostile_values
    },
).map(json.dumps)
frames = (
    commands
    | hostile_values.map(json.dumps)
    | st.text(max_size=200).filter(lambda text: text != "")
    | st.integers(min_value=17, max_value=5000).map(lambda n: "[" * n + "]" * n)
)


@pytest.fixture
async def room(demo_people, citations_resolve, monkeypatch) -> Room:  # type: ignore[no-untyped-def]
    # Examples follow each other faster than a person may send: the rate
    # limit is tested elsewhere (test_socket_abuse.py).
    monkeypatch.setattr(consumers, "RATE_PER_SECOND", 1_000_000.0)
    monkeypatch.setattr(consumers, "RATE_BURST", 1_000_000.0)
    return await sync_to_async(open_room)()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(frame=frames)
async def test_any_bad_frame_gets_one_plain_refusal_and_the_socket_stays_usable(
    room: Room, caplog: pytest.LogCaptureFixture, frame: str
) -> None:
    caplog.set_level(logging.INFO, logger="simulations.consumers")
    gp = await connect(room, "delegate06")
    logged = len(caplog.records)
    await gp.ws.send_to(text_data=frame)
    reply = await gp.until(lambda f: f["type"] != "presence")  # others come and go
    assert reply["type"] in {"error", "rejected"}, reply
    if reply["type"] == "error":
        assert reply["code"] in ERROR_CODES
    else:
        assert reply["id"] == json.loads(frame)["id"]
        assert reply["code"] and isinstance(reply["code"], str)
    assert isinstance(reply["message"], str) and reply["message"]
    assert "Traceback" not in reply["message"]
    assert len(caplog.records) > logged, "the refusal was not logged"
    await gp.ws.send_to(text_data='{"type":"ping","ref":"after"}')
    assert await gp.until(lambda f: f["type"] != "presence") == {"type": "pong", "ref": "after"}
    await gp.ws.disconnect()
    assert await sync_to_async(RoomEvent.objects.filter(room=room).count)() == 0
    seq = await sync_to_async(lambda: Room.objects.get(pk=room.pk).seq)()
    assert seq == 0
