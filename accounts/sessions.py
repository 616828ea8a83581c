"""How long a signed-in session lasts: the usual age, or briefly on a shared device.

On a device several people use ("This is a shared device" at sign-in), the
session cookie ends with the browser and the session ends after
``THRESHOLD_SHARED_DEVICE_IDLE_SECONDS`` without a request. Otherwise the
session lasts ``SESSION_COOKIE_AGE``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import alogout, logout
from django.http import HttpRequest, HttpResponse

SHARED_DEVICE = "shared_device"
LAST_SEEN = "last_seen"
SIGNED_OUT_IDLE = "You were signed out because this shared device was left idle."


def session_start(*, request: HttpRequest, shared_device: bool) -> None:
    """Set the new session's lifetime; call right after ``login``."""
    if shared_device:
        request.session.set_expiry(0)  # ends when the browser closes
        request.session[SHARED_DEVICE] = True
        request.session[LAST_SEEN] = int(time.time())
    else:
        request.session.set_expiry(None)  # SESSION_COOKIE_AGE
        request.session.pop(SHARED_DEVICE, None)
        request.session.pop(LAST_SEEN, None)


class SharedDeviceSessionMiddleware:
    """Sign out shared-device sessions that have been idle too long.

    It works both ways Django may call it: under ASGI it stays asynchronous,
    so the middleware chain is not switched to threads for every request
    (which changed how the workbook's overlapping autosaves were answered).
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> Any:
        if self.is_async:
            return self.__acall__(request)
        session = request.session
        if session.get(SHARED_DEVICE):
            now = int(time.time())
            if self._idle(now, session.get(LAST_SEEN, 0)):
                request.sign_out_reason = "idle"  # type: ignore[attr-defined]
                logout(request)
                messages.info(request, SIGNED_OUT_IDLE)
            elif now - int(session.get(LAST_SEEN, 0)) >= 30:  # save at most twice a minute
                session[LAST_SEEN] = now
        return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if await session.aget(SHARED_DEVICE):
            now = int(time.time())
            last_seen = await session.aget(LAST_SEEN, 0)
            if self._idle(now, last_seen):
                request.sign_out_reason = "idle"  # type: ignore[attr-defined]
                await alogout(request)
                messages.info(request, SIGNED_OUT_IDLE)
            elif now - int(last_seen) >= 30:  # save at most twice a minute
                await session.aset(LAST_SEEN, now)
        response: HttpResponse = await self.get_response(request)
        return response

    @staticmethod
    def _idle(now: int, last_seen: Any) -> bool:
        return now - int(last_seen or 0) > settings.THRESHOLD_SHARED_DEVICE_IDLE_SECONDS
