"""Reading views outside the page tree: site search, and the guidance page cache.

Search (``/search/?q=``) looks through the text in force of every live
guidance document (paragraphs, key points, tables, lists: each hit links to
its anchor), the glossary, and workbook pages.

The guidance page cache sits in front of Wagtail's ``serve`` for
``/guidance/...``. Django's ``cache_page`` cannot be used as it is: every page
carries a CSP nonce that must differ per response, and a CSRF token, and
``cache_page`` either declines to store such responses (they set a cookie)
or replays one visitor's values to the next. Here a page for an anonymous
reader is rendered once with a placeholder for the nonce and without a CSRF
token (nothing on it posts), kept, and each response gets its own nonce. A hit never reaches Wagtail's routing,
so it costs no query. Entries are keyed on the guidance cache stamp, which
every import, publish and glossary edit bumps (``guidance_cache_bump``), and
on today's date, so a version that comes into force at midnight is served
from midnight.

:class:`GuidancePageCache` is the same cache one step earlier, as ASGI
middleware around Django: it answers hits without entering Django's
handler at all (see its docstring for why that matters under ASGI).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import cache, caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.http.cookie import parse_cookie
from django.middleware.csp import get_nonce
from django.shortcuts import render
from django.utils.csp import CSP, build_policy, generate_nonce
from django.views.decorators.http import require_GET
from wagtail.views import serve as wagtail_serve

from content.guidance_selectors import (
    NONCE_PLACEHOLDER,
    cache_key_for,
    cached_stamp,
    guidance_cache_stamp,
    guidance_search,
    page_cache_key,
)

CACHE_SECONDS_DEFAULT = 600
KEPT_HEADERS = ("Content-Type", "Location")
CACHED_STATUSES = frozenset({200, 301, 302})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """Search guidance, glossary and workbook pages."""
    query = request.GET.get("q", "")
    results = guidance_search(
        query,
        document_slug=request.GET.get("document", ""),
        page_number=request.GET.get("page", 1),
        request=request,
    )
    return render(request, "content/search.html", {"results": results, "query": results.query})


# -- Guidance page cache ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CachedPage:
    status: int
    content: bytes
    headers: tuple[tuple[str, str], ...]


def _cache_seconds() -> int:
    return int(getattr(settings, "THRESHOLD_GUIDANCE_CACHE_SECONDS", CACHE_SECONDS_DEFAULT))


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET" or request.GET or _cache_seconds() <= 0:
        return False
    if request.user.is_authenticated:
        return False
    # A pending message would be rendered into the page and kept for everyone.
    return len(get_messages(request)) == 0


def _materialise(request: HttpRequest, page: CachedPage) -> HttpResponse:
    content = page.content
    if NONCE_PLACEHOLDER.encode() in content:
        # The nonce is lazy: reading it here is what makes the CSP
        # middleware put it in this response's header.
        nonce = get_nonce(request)
        value = str(nonce) if nonce is not None else ""
        content = content.replace(NONCE_PLACEHOLDER.encode(), value.encode())
    response = HttpResponse(content, status=page.status)
    for name, value in page.headers:
        response[name] = value
    return response


def guidance_page(request: HttpRequest, path: str) -> HttpResponseBase:
    """Serve a guidance page, from the cache when the reader is anonymous."""
    if not _cacheable_request(request):
        return wagtail_serve(request, path)
    key = page_cache_key(request)
    page = cache.get(key)
    if page is None:
        request.guidance_cache_render = True  # type: ignore[attr-defined]
        response = wagtail_serve(request, path)
        if hasattr(response, "render") and not response.is_rendered:  # type: ignore[attr-defined]
            response.render()  # type: ignore[attr-defined]
        if not getattr(response, "guidance_cacheable", False):
            return response
        page = CachedPage(
            status=response.status_code,
            content=response.content,  # type: ignore[attr-defined]
            headers=tuple((name, response[name]) for name in KEPT_HEADERS if name in response),
        )
        if page.status in CACHED_STATUSES:
            cache.set(key, page, _cache_seconds())
    response = _materialise(request, page)
    if getattr(request, "scope", {}).get(FRONT_SCOPE_KEY):
        # Tell the ASGI front (GuidancePageCache) which entry this is, so it
        # can keep the headers the middleware adds on the way out.
        response[FRONT_MARKER] = key
    return response


# -- The ASGI front -------------------------------------------------------------------

FRONT_SCOPE_KEY = "threshold.guidance_page_cache"
FRONT_MARKER = "X-Threshold-Guidance-Cache"
SKIPPED_HEADERS = frozenset(
    {
        b"content-length",
        b"content-security-policy",
        b"content-security-policy-report-only",
        b"set-cookie",
        FRONT_MARKER.lower().encode(),
    }
)

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class GuidancePageCache:
    """ASGI middleware: answer cache hits for anonymous guidance pages itself.

    Django's ASGI handler runs every ``MiddlewareMixin`` hook through
    ``sync_to_async``, so even a cache hit costs a dozen hops between the
    event loop and a worker thread. This front answers a hit on the event
    loop: the body kept by :func:`guidance_page`, the headers Django's
    middleware added when the page was first served (kept here), and this
    response's own CSP nonce, in the page and in its header as Django's
    middleware would put it. Anything else, and any request it is unsure of (a session or
    messages cookie, a query string, a plain-HTTP request where HTTPS is
    required), goes to Django. Wrap the HTTP application::

        "http": GuidancePageCache(django_asgi_app)
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith("/guidance/"):
            await self.app(scope, receive, send)
            return
        key = await self._key(scope)
        if key is not None and (entry := cache.get(f"{key}:front")) is not None:
            await self._answer(send, *entry)
            return
        scope = {**scope, FRONT_SCOPE_KEY: True}
        await self.app(scope, receive, self._recorder(send))

    @staticmethod
    async def _key(scope: Scope) -> str | None:
        if scope["method"] != "GET" or scope.get("query_string") or not _front_enabled():
            return None
        headers = _headers(scope)
        cookies = parse_cookie(headers.get("cookie", ""))
        if settings.SESSION_COOKIE_NAME in cookies or "messages" in cookies:
            return None
        scheme = _scheme(scope, headers)
        if settings.SECURE_SSL_REDIRECT and scheme != "https":
            return None
        host = headers.get("x-forwarded-host") if settings.USE_X_FORWARDED_HOST else None
        host = host or headers.get("host")
        if not host:
            return None
        stamp = cached_stamp()
        if stamp is None:  # at most once a second per process
            stamp = await sync_to_async(guidance_cache_stamp)()
        return cache_key_for(stamp=stamp, scheme=scheme, host=host, path=scope["path"])

    def _recorder(self, send: Send) -> Send:
        async def recording_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                marker = FRONT_MARKER.lower().encode()
                found = [value for name, value in message["headers"] if name.lower() == marker]
                page = cache.get(found[0].decode()) if found else None
                if page is not None:
                    kept = [
                        (n, v) for n, v in message["headers"] if n.lower() not in SKIPPED_HEADERS
                    ]
                    cache.set(f"{found[0].decode()}:front", (page, kept), _cache_seconds())
                if found:
                    message = {
                        **message,
                        "headers": [(n, v) for n, v in message["headers"] if n.lower() != marker],
                    }
            await send(message)

        return recording_send

    @staticmethod
    async def _answer(send: Send, page: CachedPage, kept: list[tuple[bytes, bytes]]) -> None:
        content = page.content
        nonce = None
        if NONCE_PLACEHOLDER.encode() in content:
            nonce = generate_nonce()
            content = content.replace(NONCE_PLACEHOLDER.encode(), nonce.encode())
        headers = [*kept, *_policy_headers(nonce)]
        headers.append((b"content-length", str(len(content)).encode()))
        await send({"type": "http.response.start", "status": page.status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


@lru_cache(maxsize=4)
def _policy_templates(enforce: str, report_only: str) -> tuple[tuple[bytes, str, str], ...]:
    templates = []
    for name, config in (
        (CSP.HEADER_ENFORCE, settings.SECURE_CSP),
        (CSP.HEADER_REPORT_ONLY, settings.SECURE_CSP_REPORT_ONLY),
    ):
        if config:
            templates.append(
                (
                    str(name).lower().encode(),
                    build_policy(config, NONCE_PLACEHOLDER),
                    build_policy(config, None),
                )
            )
    return tuple(templates)


def _policy_headers(nonce: str | None) -> list[tuple[bytes, bytes]]:
    """Return the CSP headers ``ContentSecurityPolicyMiddleware`` would add."""
    templates = _policy_templates(repr(settings.SECURE_CSP), repr(settings.SECURE_CSP_REPORT_ONLY))
    return [
        (name, (with_nonce.replace(NONCE_PLACEHOLDER, nonce) if nonce else without).encode())
        for name, with_nonce, without in templates
    ]


def _front_enabled() -> bool:
    # The front reads the cache on the event loop: only in-process memory.
    return _cache_seconds() > 0 and isinstance(caches["default"], LocMemCache)


def _headers(scope: Scope) -> dict[str, str]:
    return {
        name.decode("latin-1").lower(): value.decode("latin-1") for name, value in scope["headers"]
    }


def _scheme(scope: Scope, headers: dict[str, str]) -> str:
    """Return the scheme as ``HttpRequest.scheme`` would (SECURE_PROXY_SSL_HEADER)."""
    if settings.SECURE_PROXY_SSL_HEADER:
        header, secure_value = settings.SECURE_PROXY_SSL_HEADER
        name = header.removeprefix("HTTP_").replace("_", "-").lower()
        if name in headers:
            return "https" if headers[name].split(",", 1)[0].strip() == secure_value else "http"
    return str(scope.get("scheme", "http"))
