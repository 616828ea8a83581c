"""Limits on WebSocket use, kept in this process: frames per person, sockets per address.

- **Frames per person per room.** Every socket of one person in one room
  draws on the same token bucket, so opening more sockets does not raise
  anyone's rate. A bucket outlives its last socket until it would be full
  again, so closing and reopening a socket does not refill it either.
- **Sockets per address, and in all.** :class:`ConnectionCap` wraps the
  WebSocket router and accepts at most ``THRESHOLD_WS_MAX_SOCKETS_PER_ADDRESS``
  concurrent sockets from one client address (after uvicorn has applied
  ``X-Forwarded-For`` from the proxy), and at most ``THRESHOLD_WS_MAX_SOCKETS``
  in the process, so a worker under a flood of connections refuses new ones
  rather than running out of memory. One more is accepted and closed at once
  with 1013 ("try again later") and a reason, which a browser can read,
  where a refused handshake would only show as 1006; clients back off and
  try again (through the proxy, often on another worker).

Both are per process: with several workers behind the proxy each worker
holds its own counts (the proxy's ``limit_conn`` can cap the total).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)

CLOSE_TRY_AGAIN_LATER = 1013
TOO_MANY_SOCKETS = "Too many connections from your network: try again later."
SERVER_FULL = "The server is full: try again in a moment."

type Scope = MutableMapping[str, Any]
type Receive = Callable[[], Awaitable[dict[str, Any]]]
type Send = Callable[[dict[str, Any]], Awaitable[None]]
type ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


@dataclass(slots=True)
class TokenBucket:
    """``burst`` tokens, refilled at ``rate`` a second; each frame takes one."""

    rate: float
    burst: float
    tokens: float
    updated: float
    sockets: int = 0

    def refill(self, now: float) -> None:
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def take(self, now: float | None = None) -> bool:
        self.refill(time.monotonic() if now is None else now)
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False

    def full_by(self, now: float) -> bool:
        return self.tokens + (now - self.updated) * self.rate >= self.burst


class SocketLimits:
    """The shared buckets and the per-address socket counts of this process."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[Any, ...], TokenBucket] = {}
        self.sockets_by_address: Counter[str] = Counter()
        self.sockets = 0

    def clear(self) -> None:
        """Forget every bucket and count (tests reuse user and room ids)."""
        self.buckets.clear()
        self.sockets_by_address.clear()
        self.sockets = 0

    def bucket_open(self, key: tuple[Any, ...], *, rate: float, burst: float) -> TokenBucket:
        """Return the bucket for ``key`` (one person in one room), counting one more socket."""
        now = time.monotonic()
        bucket = self.buckets.get(key)
        if bucket is None:
            self._forget_idle(now)
            bucket = self.buckets[key] = TokenBucket(rate, burst, burst, now)
        bucket.sockets += 1
        return bucket

    def bucket_close(self, key: tuple[Any, ...]) -> None:
        bucket = self.buckets.get(key)
        if bucket is not None:
            bucket.sockets = max(0, bucket.sockets - 1)

    def _forget_idle(self, now: float) -> None:
        idle = [k for k, b in self.buckets.items() if b.sockets == 0 and b.full_by(now)]
        for key in idle:
            del self.buckets[key]

    def address_open(self, address: str, cap: int, total_cap: int = 0) -> str | None:
        """Count one more socket from ``address``; at a cap count nothing and say why."""
        if total_cap > 0 and self.sockets >= total_cap:
            return SERVER_FULL
        if cap > 0 and self.sockets_by_address[address] >= cap:
            return TOO_MANY_SOCKETS
        self.sockets_by_address[address] += 1
        self.sockets += 1
        return None

    def address_close(self, address: str) -> None:
        self.sockets -= 1
        self.sockets_by_address[address] -= 1
        if self.sockets_by_address[address] <= 0:
            del self.sockets_by_address[address]


limits = SocketLimits()


class ConnectionCap:
    """ASGI middleware: at most so many sockets per address, and in this process."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket":
            await self.app(scope, receive, send)
            return
        address = str((scope.get("client") or ("unknown",))[0])
        refused = limits.address_open(
            address,
            settings.THRESHOLD_WS_MAX_SOCKETS_PER_ADDRESS,
            settings.THRESHOLD_WS_MAX_SOCKETS,
        )
        if refused is not None:
            logger.warning("refused a socket from %s: %s", address, refused)
            message = await receive()
            if message["type"] == "websocket.connect":
                await send({"type": "websocket.accept"})
                await send(
                    {"type": "websocket.close", "code": CLOSE_TRY_AGAIN_LATER, "reason": refused}
                )
            return
        try:
            await self.app(scope, receive, send)
        finally:
            limits.address_close(address)
