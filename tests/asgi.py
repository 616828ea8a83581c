"""Helpers for opening WebSockets through the full ASGI application."""

from __future__ import annotations

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from accounts.models import User

GOOD_ORIGIN = b"http://testserver"


def session_cookie_for(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def communicator(
    path: str,
    *,
    user: User | None = None,
    origin: bytes | None = GOOD_ORIGIN,
    client: tuple[str, int] | None = None,
) -> WebsocketCommunicator:
    """Build a communicator for ``path`` through ``config.asgi.application``.

    ``client`` is the peer address the server sees (uvicorn's ``scope["client"]``).
    """
    from config.asgi import application

    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin))
    if user is not None:
        headers.append((b"cookie", await sync_to_async(session_cookie_for)(user)))
    ws = WebsocketCommunicator(application, path, headers=headers)
    if client is not None:
        ws.scope["client"] = list(client)  # the same dict the application was given
    return ws
