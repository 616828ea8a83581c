"""Where an audited action came from: the request or socket being served.

``AuditContextMiddleware`` (and the room consumers, through
``socket_context``) set this for the duration of one request, so services deep
below a view can record the source IP and request id without being passed
them.
"""

from __future__ import annotations

import ipaddress
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class AuditContext:
    request_id: str
    source_ip: str | None
    user: Any = None


_current: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def current() -> AuditContext | None:
    return _current.get()


def normalise_ip(value: str | None) -> str | None:
    """Return ``value`` as a canonical IP address, or ``None`` if it is not one."""
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_ip(meta: dict[str, Any]) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or from ``X-Forwarded-For`` behind proxies.

    ``THRESHOLD_PROXY_COUNT`` says how many proxies we run in front of the
    app; the client is the address that many hops from the right. With no
    proxy (0) the header is ignored: a client could write anything in it.
    """
    proxies = int(getattr(settings, "THRESHOLD_PROXY_COUNT", 0))
    if proxies > 0:
        hops = [h for h in (meta.get("HTTP_X_FORWARDED_FOR") or "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return normalise_ip(hops[-proxies])
    return normalise_ip(meta.get("REMOTE_ADDR"))


@contextmanager
def audit_context(
    *, source_ip: str | None, request_id: str | None = None, user: Any = None
) -> Iterator[AuditContext]:
    context = AuditContext(
        request_id=request_id or uuid.uuid4().hex, source_ip=normalise_ip(source_ip), user=user
    )
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


class AuditContextMiddleware:
    """Give each request an id and remember its source for the audit log.

    Sync and async alike, so that under ASGI the middleware chain stays
    asynchronous (the context variable follows the request into the threads
    where sync views run).
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
        with audit_context(
            source_ip=client_ip(request.META), user=getattr(request, "user", None)
        ) as context:
            request.audit_request_id = context.request_id  # type: ignore[attr-defined]
            return self.get_response(request)

    async def __acall__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(
            source_ip=client_ip(request.META), user=getattr(request, "user", None)
        ) as context:
            request.audit_request_id = context.request_id  # type: ignore[attr-defined]
            response: HttpResponse = await self.get_response(request)
            return response
