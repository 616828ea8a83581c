"""How long a signed-in session lasts: the usual age, or briefly on a shared device.

On a device several people use ("This is a shared device" at sign-in), the
session cookie ends with the browser and the session ends after
``THRESHOLD_SHARED_DEVICE_IDLE_SECONDS`` without a request or a command in a
conference room. Otherwise the session lasts ``SESSION_COOKIE_AGE``.

Room sockets keep no request cycle, so they use the ``session_*`` functions
below on the stored session, by key: a socket's copy of the session is the
one it opened with and must not be saved over the pages' changes.
"""

from __future__ import annotations

import time
from importlib import import_module
from typing import Any

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
        elif now - last_seen >= seen_interval():
            session[LAST_SEEN] = now


def seen_interval() -> int:
    """Seconds between saves of a shared-device session's last activity."""
    return max(1, min(30, settings.THRESHOLD_SHARED_DEVICE_IDLE_SECONDS // 4))


def is_shared_device(session: Any) -> bool:
    return bool(session is not None and session.get(SHARED_DEVICE))


def _stored(session_key: str) -> Any:
    store = import_module(settings.SESSION_ENGINE).SessionStore(session_key)
    store.load()  # an unknown or expired key leaves no key behind
    return store if store.session_key == session_key and store.get(SHARED_DEVICE) else None


def session_last_seen(session_key: str) -> int | None:
    """When the stored shared-device session was last active (``None``: it has ended)."""
    store = _stored(session_key)
    return int(store.get(LAST_SEEN, 0)) if store is not None else None


def session_seen(session_key: str, when: int) -> None:
    """Note activity at ``when`` on the stored shared-device session."""
    store = _stored(session_key)
    if store is not None and int(store.get(LAST_SEEN, 0)) < when:
        store[LAST_SEEN] = when
        store.save()


def session_end(session_key: str) -> None:
    import_module(settings.SESSION_ENGINE).SessionStore().delete(session_key)
