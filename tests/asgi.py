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
    path: str, *, user: User | None = None, origin: bytes | None = GOOD_ORIGIN
) -> WebsocketCommunicator:
    """Build a communicator for ``path`` through ``config.asgi.application``."""
    from config.asgi import application

    headers = [(b"host", b"testserver")]
    if origin is not None:
        headers.append((b"origin", origin))
    if user is not None:
        headers.append((b"cookie", await sync_to_async(session_cookie_for)(user)))
    return WebsocketCommunicator(application, path, headers=headers)
