"""Room sockets close when their person signs out, loses their seat or is deactivated."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.test import Client as HttpClient

from accounts.models import User
from simulations import services
from simulations.engine.vocabulary import Role
from simulations.models import Room
from simulations.socket_control import CLOSE_ACCESS_CHANGED, CLOSE_SIGNED_OUT, registry
from tests.asgi import GOOD_ORIGIN
from tests.simulations.rooms import Client, connect, open_room

pytestmark = [pytest.mark.websockets, pytest.mark.django_db(transaction=True)]


@pytest.fixture
async def room(demo_people, citations_resolve) -> Room:  # type: ignore[no-untyped-def]
    return await sync_to_async(open_room)()


async def closed_with(client: Client) -> int:
    while True:
        output = await client.ws.receive_output(timeout=5)
        if output["type"] == "websocket.close":
            return output["code"]


async def connect_with_session(room: Room, username: str) -> tuple[Client, HttpClient]:
    """Sign in over HTTP, then open the room socket with that session's cookie."""
    from channels.testing import WebsocketCommunicator

    from config.asgi import application

    http = HttpClient()
    user = await sync_to_async(User.objects.get)(username=username)
    await sync_to_async(http.force_login)(user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={http.cookies[settings.SESSION_COOKIE_NAME].value}"
    ws = WebsocketCommunicator(
        application,
        f"/ws/rooms/{room.join_code}/",
        headers=[(b"host", b"testserver"), (b"origin", GOOD_ORIGIN), (b"cookie", cookie.encode())],
    )
    connected, code = await ws.connect()
    assert connected, code
    client = Client(username, ws)
    await client.until(lambda f: f["type"] == "snapshot")
    return client, http


async def test_signing_out_closes_that_sessions_sockets_only(room: Room) -> None:
    phone, http = await connect_with_session(room, "delegate01")
    laptop = await connect(room, "delegate01")  # another session of the same person
    other = await connect(room, "delegate02")
    response = await sync_to_async(http.post)("/sign-out/")
    assert response.status_code == 302
    assert await closed_with(phone) == CLOSE_SIGNED_OUT
    for still_open in (laptop, other):
        await still_open.ws.send_to(text_data='{"type": "ping", "ref": "r1"}')
        pong = await still_open.until(lambda f: f["type"] == "pong")
        assert pong["ref"] == "r1"
    delegate = await sync_to_async(User.objects.get)(username="delegate01")
    assert len(registry.sockets.get(delegate.pk, ())) == 1
    for client in (laptop, other):
        await client.ws.disconnect()
    await phone.ws.disconnect()


async def test_moving_a_seat_closes_the_sockets_of_who_lost_it(room: Room) -> None:
    chair = await connect(room, "delegate01")
    gp = await connect(room, "delegate06")
    newcomer = await sync_to_async(User.objects.get)(username="delegate10")
    await sync_to_async(services.seat_assign)(room=room, role=Role.CHAIR, user=newcomer)
    assert await closed_with(chair) == CLOSE_ACCESS_CHANGED
    delegate06 = await sync_to_async(User.objects.get)(username="delegate06")
    assert delegate06.pk in registry.sockets
    await gp.ws.disconnect()
    await chair.ws.disconnect()


async def test_deactivating_a_person_closes_all_their_sockets(room: Room) -> None:
    first = await connect(room, "delegate03")
    second = await connect(room, "delegate03")

    def deactivate() -> None:
        person = User.objects.get(username="delegate03")
        person.is_active = False
        person.save()

    await sync_to_async(deactivate)()
    assert await closed_with(first) == CLOSE_SIGNED_OUT
    assert await closed_with(second) == CLOSE_SIGNED_OUT
    await first.ws.disconnect()
    await second.ws.disconnect()


def make_trainer(person: User) -> None:
    person.groups.add(Group.objects.get(name="Trainer"))


def grant_a_permission(person: User) -> None:
    person.user_permissions.add(Permission.objects.get(codename="view_auditentry"))


def empty_their_role(person: User) -> None:
    person.groups.get().user_set.clear()


def grant_their_role_a_permission(person: User) -> None:
    person.groups.get().permissions.add(Permission.objects.get(codename="view_auditentry"))


@pytest.mark.parametrize(
    "change",
    [make_trainer, grant_a_permission, empty_their_role, grant_their_role_a_permission],
)
async def test_an_access_change_closes_their_sockets_with_the_access_changed_code(
    room: Room, change: Callable[[User], None]
) -> None:
    socket = await connect(room, "delegate04")
    await sync_to_async(lambda: change(User.objects.get(username="delegate04")))()
    assert await closed_with(socket) == CLOSE_ACCESS_CHANGED
    await socket.ws.disconnect()
