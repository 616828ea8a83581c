"""The ASGI front of the guidance page cache (``GuidancePageCache``)."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from django.core.asgi import get_asgi_application
from django.core.cache import cache
from django.core.management import call_command

from content.guidance_selectors import guidance_cache_forget
from content.guidance_services import guidance_cache_bump
from content.search_views import FRONT_MARKER, GuidancePageCache

URL = "/guidance/procedures-summary/order-of-business/"

pytestmark = pytest.mark.django_db(transaction=True)


class CountingApp:
    """Django's ASGI application, counting the requests that reach it."""

    def __init__(self) -> None:
        self.app = get_asgi_application()
        self.calls = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        self.calls += 1
        await self.app(scope, receive, send)


@pytest.fixture
def front() -> tuple[GuidancePageCache, CountingApp]:
    cache.clear()
    guidance_cache_forget()
    call_command("seed_pages", stdout=StringIO())  # the root page a flush removed
    call_command("seed_guidance", stdout=StringIO())
    inner = CountingApp()
    return GuidancePageCache(inner), inner


async def get(
    app: Any, path: str = URL, *, query: bytes = b"", cookie: str = ""
) -> tuple[int, dict[str, list[str]], str]:
    headers = [(b"host", b"127.0.0.1")]
    if cookie:
        headers.append((b"cookie", cookie.encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    messages: list[dict[str, Any]] = []
    sent_request = False

    async def receive() -> dict[str, Any]:
        nonlocal sent_request
        if not sent_request:
            sent_request = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await __import__("asyncio").sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)

    await app(scope, receive, send)
    start = next(m for m in messages if m["type"] == "http.response.start")
    response_headers: dict[str, list[str]] = {}
    for name, value in start["headers"]:
        response_headers.setdefault(name.decode().lower(), []).append(value.decode())
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.response.body")
    return start["status"], response_headers, body.decode()


def nonce_of(body: str) -> str:
    match = re.search(r'nonce="([^"]+)"', body)
    assert match
    return match.group(1)


async def test_hits_are_answered_without_django(
    front: tuple[GuidancePageCache, CountingApp],
) -> None:
    app, inner = front
    status, first_headers, first = await get(app)
    assert status == 200 and inner.calls == 1
    assert FRONT_MARKER.lower() not in first_headers
    status, headers, body = await get(app)
    assert status == 200 and inner.calls == 1  # the hit never reached Django
    # The same headers as Django's own response, with this response's nonce
    # and CSRF token.
    assert set(headers) == set(first_headers)
    nonce = nonce_of(body)
    assert nonce != nonce_of(first)
    assert f"'nonce-{nonce}'" in headers["content-security-policy"][0]
    assert headers["content-length"] == [str(len(body.encode()))]
    # No CSRF cookie or token: nothing on the page posts.
    assert "set-cookie" not in headers
    assert '"X-CSRFToken": ""' in body
    assert "cookie" in headers["vary"][0].lower()
    assert body.replace(nonce, "N") == first.replace(nonce_of(first), "N")


async def test_django_answers_what_the_front_is_unsure_of(
    front: tuple[GuidancePageCache, CountingApp],
) -> None:
    app, inner = front
    await get(app)
    await get(app, cookie="sessionid=abc")
    await get(app, query=b"x=1")
    await get(app, "/glossary/")
    assert inner.calls == 4
    # A new stamp (an import, a publish) sends the next request to Django.
    await sync_to_async(guidance_cache_bump)()
    await get(app)
    assert inner.calls == 5
