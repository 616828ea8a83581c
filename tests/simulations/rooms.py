"""Build seminars and rooms for tests, and drive them over WebSockets."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date
from io import StringIO
from typing import Any

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.core.management import call_command

from accounts.models import User
from scenarios.selectors import scenario_get
from simulations import services
from simulations.engine.vocabulary import Role
from simulations.models import Room
from tests.asgi import communicator

ROLES = [
    Role.CHAIR,
    Role.LEAD_SOCIAL_WORKER,
    Role.HEALTH_VISITOR,
    Role.DESIGNATED_TEACHER,
    Role.POLICE,
    Role.GP,
    Role.HOUSING,
    Role.PARENT,
    Role.CHILDS_ADVOCATE,
]


def open_room(*, slug: str = "jayden-physical-abuse", name: str = "Room A", seminar=None) -> Room:  # type: ignore[no-untyped-def]
    """Load the library, open a room and seat delegate01..09 in the nine roles."""
    from scenarios.models import Scenario

    if not Scenario.objects.filter(slug=slug).exists():
        call_command("load_scenarios", stdout=StringIO())
    trainer = User.objects.get(username="trainer")
    seminar = seminar or services.seminar_create(
        trainer=trainer, title="Test seminar", date=date(2026, 12, 3)
    )
    room = services.room_open(seminar=seminar, scenario=scenario_get(slug=slug), name=name)
    for number, role in enumerate(ROLES, start=1):
        services.seat_join(
            room=room, user=User.objects.get(username=f"delegate{number:02d}"), role=role
        )
    return room


@dataclass
class Client:
    """One socket and everything it has received."""

    label: str
    ws: WebsocketCommunicator
    frames: list[dict[str, Any]] = field(default_factory=list)

    async def next(self, timeout: float = 5) -> dict[str, Any]:
        frame = json.loads(await self.ws.receive_from(timeout=timeout))
        self.frames.append(frame)
        return frame

    async def until(self, predicate, timeout: float = 5) -> dict[str, Any]:  # type: ignore[no-untyped-def]
        while True:
            frame = await self.next(timeout)
            if predicate(frame):
                return frame

    async def command(
        self,
        name: str,
        args: dict[str, Any] | None = None,
        *,
        command_id: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        command_id = command_id or uuid.uuid4().hex
        await self.ws.send_to(
            text_data=json.dumps(
                {"type": "command", "id": command_id, "name": name, "args": args or {}, **extra}
            )
        )
        return await self.until(
            lambda f: f.get("id") == command_id and f["type"] in {"ack", "rejected"}
        )

    async def drain(self, quiet: float = 0.3) -> None:
        """Read frames until none arrives for ``quiet`` seconds (the socket stays open)."""
        while not await self.ws.receive_nothing(timeout=quiet):
            await self.next()

    def events(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == "event"]

    def snapshot(self) -> dict[str, Any]:
        return next(f for f in self.frames if f["type"] == "snapshot")


async def connect(room: Room, username: str, *, query: str = "") -> Client:
    user = await sync_to_async(User.objects.get)(username=username)
    ws = await communicator(f"/ws/rooms/{room.join_code}/{query}", user=user)
    connected, code = await ws.connect()
    assert connected, f"{username} could not connect (close code {code})"
    client = Client(username, ws)
    await client.until(lambda f: f["type"] == "snapshot")
    return client
