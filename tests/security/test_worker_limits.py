"""A production worker answers 503 at once past its connection limit (fault B10's last clause).

``config.workers.ThresholdWorker`` sets uvicorn's ``limit_concurrency`` from
``THRESHOLD_WORKER_LIMIT_CONCURRENCY``: with that many connections open, a
page request is refused with 503 rather than queued without bound, and
served again once connections close. (WebSockets have their own cap,
``THRESHOLD_WS_MAX_SOCKETS``: see ``test_socket_abuse.py``.)
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.simulations.live_server import (
    Server,
    copy_sqlite,
    free_port,
    seeded_template,
    server_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

LIMIT = 4


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_past_its_connection_limit_a_worker_answers_503_then_recovers(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    copy_sqlite(seeded_template(tmp_path_factory), tmp_path / "var")
    env = server_env(
        tmp_path / "var", production=True, THRESHOLD_WORKER_LIMIT_CONCURRENCY=str(LIMIT)
    )
    server = Server(env=env, port=free_port(), log=tmp_path / "server.log", supervised=True)
    server.start()
    idle: list[socket.socket] = []
    try:
        assert status(f"{server.url}/healthz/") == 200
        for _ in range(LIMIT):  # connections that send nothing still count
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        assert status(f"{server.url}/healthz/") == 503
        for held in idle:
            held.close()
        idle.clear()
        for _ in range(50):  # the worker notices the closes at its next turn
            if status(f"{server.url}/healthz/") == 200:
                break
        assert status(f"{server.url}/healthz/") == 200
        assert server.process is not None and server.process.poll() is None
        assert "Exceeded concurrency limit" in (tmp_path / "server.log").read_text()
    finally:
        for held in idle:
            held.close()
        server.stop()
