from __future__ import annotations

from django.urls import path, re_path

from simulations import consumers

websocket_urlpatterns = [
    path("ws/echo/", consumers.EchoConsumer.as_asgi()),
    path("ws/rooms/<str:code>/", consumers.RoomConsumer.as_asgi()),
    re_path(r"", consumers.UnknownPathConsumer.as_asgi()),  # last: anything else
]
