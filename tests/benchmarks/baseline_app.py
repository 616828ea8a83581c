"""Stock Channels fan-out, for comparison with the room hub (benchmark (e)).

A room is a Channels group on the stock ``InMemoryChannelLayer``; a command
from any socket becomes one ``group_send``, and every consumer in the group
serialises and sends the event itself: the pattern of the Channels
tutorial. It speaks the subset of docs/protocol.md the load generator uses
(snapshot on connect, ``command`` -> ``event`` to the room + ``ack``), with
no database and no authentication, so it does strictly less work per
command than the platform does.

    DJANGO_SETTINGS_MODULE=tests.benchmarks.baseline_settings \\
        uvicorn tests.benchmarks.baseline_app:application
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.benchmarks.baseline_settings")
django.setup()

from channels.generic.websocket import AsyncWebsocketConsumer  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.urls import path  # noqa: E402

urlpatterns: list[Any] = []  # no HTTP views: the server answers 404
_SEQ: defaultdict[str, int] = defaultdict(int)


class StockRoomConsumer(AsyncWebsocketConsumer):
    async def connect(self) -> None:
        self.code = self.scope["url_route"]["kwargs"]["code"]
        self.group = f"room.{self.code}"
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        snapshot = {"type": "snapshot", "seq": _SEQ[self.code], "seat": {"role": None}, "view": {}}
        await self.send(text_data=json.dumps(snapshot))

    async def disconnect(self, code: int) -> None:
        await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        frame = json.loads(text_data or "{}")
        if frame.get("type") == "ping":
            await self.send(text_data=json.dumps({"type": "pong", "ref": frame.get("ref")}))
            return
        if frame.get("type") != "command":
            return
        _SEQ[self.code] += 1
        seq = _SEQ[self.code]
        event = {"type": frame["name"], "command_id": frame["id"], **frame.get("args", {})}
        await self.channel_layer.group_send(
            self.group, {"type": "room.event", "seq": seq, "event": event}
        )
        await self.send(
            text_data=json.dumps({"type": "ack", "id": frame["id"], "seq": seq, "duplicate": False})
        )

    async def room_event(self, message: dict[str, Any]) -> None:
        await self.send(
            text_data=json.dumps(
                {"type": "event", "seq": message["seq"], "event": message["event"]}
            )
        )


async def ready(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answer any HTTP request with 200: the benchmark's readiness probe."""
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"ok"})


application = ProtocolTypeRouter(
    {
        "http": ready,
        "websocket": URLRouter([path("ws/rooms/<str:code>/", StockRoomConsumer.as_asgi())]),
    }
)
