"""On a shared device, a room socket left idle signs its session out.

A delegate who signed in with "This is a shared device" and walks away from
the conference must not leave their seat open to the next person. The
socket counts their commands as activity (and tells the session, so their
next page is not signed out for idleness while they were busy in the room);
once neither pages nor commands have been seen for
``THRESHOLD_SHARED_DEVICE_IDLE_SECONDS``, the session ends, the sign-out is
audited as "idle" and the session's sockets close with 4401.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings as django_settings
from django.test import Client as HttpClient

from accounts.models import User
from accounts.sessions import LAST_SEEN, SHARED_DEVICE
from audit.models import AuditEntry
from simulations.models import Room
from simulations.socket_control import CLOSE_SIGNED_OUT
from tests.asgi import GOOD_ORIGIN
from tests.simulations.rooms import Client, open_room

pytestmark = [pytest.mark.websockets, pytest.mark.django_db(transaction=True)]


@pytest.fixture
async def room(demo_people, citations_resolve) -> Room:  # type: ignore[no-untyped-def]
    return await sync_to_async(open_room)()


def signed_in(username: str, *, shared: bool, last_seen: float | None = None) -> HttpClient:
    http = HttpClient()
    http.force_login(User.objects.get(username=username))
    if shared:
        session = http.session
        session[SHARED_DEVICE] = True
        session[LAST_SEEN] = int(last_seen if last_seen is not None else time.time())
        session.save()
    return http


async def open_socket(room: Room, http: HttpClient) -> WebsocketCommunicator:
    from config.asgi import application

    cookie = f"{django_settings.SESSION_COOKIE_NAME}={http.cookies[django_settings.SESSION_COOKIE_NAME].value}"
    return WebsocketCommunicator(
        application,
        f"/ws/rooms/{room.join_code}/",
        headers=[(b"host", b"testserver"), (b"origin", GOOD_ORIGIN), (b"cookie", cookie.encode())],
    )


async def close_code(ws: WebsocketCommunicator, timeout: float) -> int | None:
    """The code the socket closes with within ``timeout`` seconds (``None``: still open)."""
    limit = time.monotonic() + timeout
    while (left := limit - time.monotonic()) > 0:
        try:
            output = await ws.receive_output(timeout=left)
        except TimeoutError:
            return None
        if output["type"] == "websocket.close":
            return int(output["code"])
    return None


def idle_sign_outs(username: str) -> int:
    user = User.objects.get(username=username)
    return AuditEntry.objects.filter(
        action="auth.sign_out", actor_id=user.pk, details__reason="idle"
    ).count()


def session_exists(http: HttpClient) -> bool:
    from django.contrib.sessions.models import Session

    key = http.cookies[django_settings.SESSION_COOKIE_NAME].value
    return Session.objects.filter(session_key=key).exists()


async def test_an_idle_shared_device_socket_signs_its_session_out(room: Room, settings) -> None:  # type: ignore[no-untyped-def]
    settings.THRESHOLD_SHARED_DEVICE_IDLE_SECONDS = 2
    shared = await sync_to_async(signed_in)("delegate01", shared=True)
    own = await sync_to_async(signed_in)("delegate02", shared=False)
    idle, kept = await open_socket(room, shared), await open_socket(room, own)
    assert (await idle.connect())[0] and (await kept.connect())[0]
    assert await close_code(idle, 6) == CLOSE_SIGNED_OUT
    assert not await sync_to_async(session_exists)(shared)
    assert await sync_to_async(idle_sign_outs)("delegate01") == 1
    # A session that is not on a shared device stays, however idle.
    await kept.send_to(text_data='{"type": "ping", "ref": "still"}')
    pong = await Client("delegate02", kept).until(lambda f: f["type"] == "pong")
    assert pong["ref"] == "still"
    assert await sync_to_async(session_exists)(own)
    await kept.disconnect()


async def test_commands_keep_a_shared_device_socket_and_its_session_alive(
    room: Room, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.THRESHOLD_SHARED_DEVICE_IDLE_SECONDS = 2
    http = await sync_to_async(signed_in)("trainer", shared=True)
    ws = await open_socket(room, http)
    assert (await ws.connect())[0]
    client = Client("trainer", ws)
    await client.until(lambda f: f["type"] == "snapshot")
    began = time.time()
    for n in range(8):  # 4 s of commands, twice the idle limit
        pause = n % 2 == 0
        reply = await client.command(
            "Pause" if pause else "Resume", {"reason": "break"} if pause else {}
        )
        assert reply["type"] == "ack", reply
        await asyncio.sleep(0.5)
    assert time.time() - began > 3.5
    await ws.send_to(text_data='{"type": "ping", "ref": "alive"}')
    pong = await client.until(lambda f: f["type"] == "pong")
    assert pong["ref"] == "alive"
    # The session heard of the activity: a page now does not sign out.
    response = await sync_to_async(http.get)("/")
    assert response.wsgi_request.user.is_authenticated
    # Then nothing: the socket is signed out within the limit (and a little).
    assert await close_code(ws, 5) == CLOSE_SIGNED_OUT


async def test_a_shared_device_session_already_idle_cannot_open_a_socket(room: Room) -> None:
    limit = django_settings.THRESHOLD_SHARED_DEVICE_IDLE_SECONDS
    http = await sync_to_async(signed_in)(
        "delegate03", shared=True, last_seen=time.time() - limit - 60
    )
    ws = await open_socket(room, http)
    connected, code = await ws.connect()
    assert not connected and code == CLOSE_SIGNED_OUT
    assert not await sync_to_async(session_exists)(http)
    assert await sync_to_async(idle_sign_outs)("delegate03") == 1
