"""Platform-level views: the health check."""

from __future__ import annotations

import asyncio
import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)

CHANNEL_LAYER_TIMEOUT = 2.0


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            row = cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "not ok"
        logger.warning("health check: database failed: %s", exc)
        return f"error: {type(exc).__name__}"
    return "ok" if row and row[0] == 1 else "error: unexpected answer"


async def _channel_round_trip() -> bool:
    layer = get_channel_layer()
    if layer is None:
        return False
    # The layer's default prefix on purpose: channels_redis lets one
    # coroutine at a time wait on Redis for all of a process's channels,
    # reading only its own prefix's queue. With another prefix, the ping
    # would sit unread behind a room listener's wait (simulations/hub.py).
    channel = await layer.new_channel()
    token = uuid.uuid4().hex
    await layer.send(channel, {"type": "healthz.ping", "token": token})
    message = await layer.receive(channel)
    return message.get("token") == token


async def _channel_round_trip_with_timeout() -> str:
    try:
        ok = await asyncio.wait_for(_channel_round_trip(), CHANNEL_LAYER_TIMEOUT)
    except TimeoutError:
        return "error: timed out"
    except Exception as exc:  # noqa: BLE001 - any failure means "not ok"
        logger.warning("health check: channel layer failed: %s", exc)
        return f"error: {type(exc).__name__}"
    return "ok" if ok else "error: message lost"


def check_channel_layer() -> str:
    return async_to_sync(_channel_round_trip_with_timeout)()


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer 200 when the database and the channel layer both work, else 503."""
    report = {"database": check_database(), "channel_layer": check_channel_layer()}
    status = 200 if all(value == "ok" for value in report.values()) else 503
    return JsonResponse(report, status=status)
