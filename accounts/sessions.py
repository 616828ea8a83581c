"""How long a signed-in session lasts: the usual age, or briefly on a shared device.

On a device several people use ("This is a shared device" at sign-in), the
session cookie ends with the browser and the session ends after
``THRESHOLD_SHARED_DEVICE_IDLE_SECONDS`` without a request. Otherwise the
session lasts ``SESSION_COOKIE_AGE``.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest
from django.utils.deprecation import MiddlewareMixin

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


class SharedDeviceSessionMiddleware(MiddlewareMixin):
    """Sign out shared-device sessions that have been idle too long.

    Django's ``MiddlewareMixin`` makes it work both ways Django may call it:
    under ASGI the chain stays asynchronous (a sync-only middleware switched
    every request to threads, which changed how the workbook's overlapping
    autosaves were answered) and only this check runs in a thread.
    """

    def process_request(self, request: HttpRequest) -> None:
        session = request.session
        if not session.get(SHARED_DEVICE):
            return
        now = int(time.time())
        last_seen = int(session.get(LAST_SEEN, 0))
        if now - last_seen > settings.THRESHOLD_SHARED_DEVICE_IDLE_SECONDS:
            request.sign_out_reason = "idle"  # type: ignore[attr-defined]
            logout(request)
            messages.info(request, SIGNED_OUT_IDLE)
        elif now - last_seen >= 30:  # save the session at most twice a minute
            session[LAST_SEEN] = now
