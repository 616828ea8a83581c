"""The ASGI worker that gunicorn supervises in production.

``scripts/prod.sh`` runs each worker as ``gunicorn --preload`` with this
class: the master imports Django, Wagtail and the app once, and forks the
worker from it. A worker that crashes is replaced in a fraction of a second
(a fork of the loaded master), where starting a server from nothing takes
several seconds of imports; delegates whose sockets dropped are back in
their rooms that much sooner (docs/benchmarks.md, T6).

The settings are uvicorn's, as the benchmarks chose them: uvloop, httptools,
the sans-I/O WebSocket implementation (cheaper per frame than the legacy
one), frames capped at 64 KiB, no per-message compression. Past
``THRESHOLD_WORKER_LIMIT_CONCURRENCY`` open connections (sockets included)
an HTTP request is answered 503 at once rather than queued without bound;
WebSockets have their own cap (``THRESHOLD_WS_MAX_SOCKETS``,
``simulations/limits.py``): uvicorn does not apply this one to them.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from uvicorn_worker import UvicornWorker


class ThresholdWorker(UvicornWorker):
    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        "loop": "uvloop",
        "http": "httptools",
        "ws": "websockets-sansio",
        "ws_max_size": 65536,
        "ws_per_message_deflate": False,
        "timeout_graceful_shutdown": 10,
        "access_log": False,
        "limit_concurrency": int(os.environ.get("THRESHOLD_WORKER_LIMIT_CONCURRENCY", 6000))
        or None,
    }
