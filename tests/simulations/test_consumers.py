"""The echo socket through the whole ASGI stack: origin, session auth, frames."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async

from accounts.models import User
from simulations.protocol import MAX_FRAME_BYTES
from tests.asgi import communicator

pytestmark = [pytest.mark.websockets, pytest.mark.django_db(transaction=True)]


async def make_user() -> User:
    return await sync_to_async(User.objects.create_user)("sockuser", password="irrelevant-9")


async def test_signed_in_person_connects_and_echoes() -> None:
    user = await make_user()
    ws = await communicator("/ws/echo/", user=user)
    connected, _ = await ws.connect()
    assert connected is True
    assert await ws.receive_json_from() == {"type": "welcome", "user": "sockuser"}
    await ws.send_json_to({"type": "echo", "text": "hello", "ref": "r1"})
    assert await ws.receive_json_from() == {
        "type": "echo",
        "text": "hello",
        "ref": "r1",
        "user": "sockuser",
    }
    await ws.send_json_to({"type": "ping", "ref": "hb"})
    assert await ws.receive_json_from() == {"type": "pong", "ref": "hb"}
    await ws.disconnect()


async def test_anonymous_is_refused() -> None:
    ws = await communicator("/ws/echo/")
    connected, code = await ws.connect()
    assert connected is False
    assert code == 4401
    await ws.disconnect()


@pytest.mark.parametrize("origin", [b"http://evil.example", b"null"])
async def test_foreign_origin_is_refused(origin: bytes) -> None:
    user = await make_user()
    ws = await communicator("/ws/echo/", user=user, origin=origin)
    connected, _ = await ws.connect()
    assert connected is False
    await ws.disconnect()


@pytest.mark.parametrize(
    "frame,code",
    [
        ("not json", "bad_json"),
        ("[1, 2]", "bad_frame"),
        ('{"text": "no type"}', "bad_frame"),
        ('{"type": "launch_missiles"}', "unknown_type"),
        ('{"type": "echo", "text": 5}', "bad_field"),
        ('{"type": "echo", "text": "x", "extra": 1}', "unknown_field"),
        (json.dumps({"type": "echo", "text": "x" * (MAX_FRAME_BYTES + 1)}), "frame_too_large"),
    ],
)
async def test_bad_frames_get_an_error_frame_and_the_socket_stays_usable(
    frame: str, code: str
) -> None:
    user = await make_user()
    ws = await communicator("/ws/echo/", user=user)
    await ws.connect()
    await ws.receive_json_from()
    await ws.send_to(text_data=frame)
    reply = await ws.receive_json_from()
    assert reply["type"] == "error"
    assert reply["code"] == code
    assert reply["message"]
    await ws.send_json_to({"type": "ping"})
    assert (await ws.receive_json_from())["type"] == "pong"
    await ws.disconnect()


async def test_binary_frames_are_refused_with_a_message() -> None:
    user = await make_user()
    ws = await communicator("/ws/echo/", user=user)
    await ws.connect()
    await ws.receive_json_from()
    await ws.send_to(bytes_data=b"\x00\x01")
    reply = await ws.receive_json_from()
    assert reply == {
        "type": "error",
        "code": "binary_frame",
        "message": "Send text frames containing JSON.",
    }
    await ws.disconnect()
