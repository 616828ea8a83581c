"""The one-machine production recipe: nginx, two uvicorn workers, WSGI page workers, PostgreSQL, Redis.

Starts ``scripts/prod.sh up`` on spare ports, signs in through the proxy,
opens a WebSocket through it, and shuts everything down again.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

pytestmark = pytest.mark.scaleout

ROOT = Path(__file__).resolve().parents[2]
PORT = 18080
BASE_PORT = 18101
PAGE_PORT = BASE_PORT - 1  # the WSGI page server (scripts/prod.sh's default)


@pytest.fixture(scope="module")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    env = {
        **os.environ,
        "THRESHOLD_PROD_DIR": str(tmp_path_factory.mktemp("prod")),
        "THRESHOLD_PROD_PORT": str(PORT),
        "THRESHOLD_WORKER_BASE_PORT": str(BASE_PORT),
        "THRESHOLD_WORKERS": "2",
        "THRESHOLD_PROD_SEED": "1",
    }
    script = ["bash", str(ROOT / "scripts" / "prod.sh")]
    try:
        up = subprocess.run(
            [*script, "up"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert up.returncode == 0, up.stdout + up.stderr
        yield f"http://127.0.0.1:{PORT}"
    finally:
        # Keep the shared PostgreSQL and Redis up for the rest of the run.
        for pidfile in Path(env["THRESHOLD_PROD_DIR"]).glob("worker-*.pid"):
            subprocess.run(["kill", pidfile.read_text().strip()], check=False)
        nginx_pid = Path(env["THRESHOLD_PROD_DIR"]) / "nginx.pid"
        if nginx_pid.exists():
            subprocess.run(["kill", nginx_pid.read_text().strip()], check=False)


def test_health_through_the_proxy_and_each_worker(prod: str) -> None:
    assert httpx.get(f"{prod}/healthz/").json() == {"database": "ok", "channel_layer": "ok"}
    for port in (BASE_PORT, BASE_PORT + 1, PAGE_PORT):
        assert httpx.get(f"http://127.0.0.1:{port}/healthz/").status_code == 200
    assert httpx.get(f"http://127.0.0.1:{PAGE_PORT}/healthz/").headers["Server"] == "gunicorn"


def test_guidance_pages_through_either_server(prod: str) -> None:
    # Anonymous reads go to the ASGI workers' page cache, others to WSGI:
    # both must serve the same page.
    path = "/guidance/procedures-summary/"
    anonymous = httpx.get(prod + path)
    fresh = httpx.get(prod + path, params={"from": "test"})
    assert anonymous.status_code == fresh.status_code == 200
    assert (
        "Content-Security-Policy" in anonymous.headers
        and "Content-Security-Policy" in fresh.headers
    )


def test_pages_and_hashed_static_files_are_served(prod: str) -> None:
    home = httpx.get(f"{prod}/")
    assert home.status_code == 200
    assert "Content-Security-Policy" in home.headers
    stylesheet = re.search(r'href="(/static/dist/threshold\.[0-9a-f]+\.css)"', home.text)
    assert stylesheet, "the page should link the hashed stylesheet"
    css = httpx.get(prod + stylesheet.group(1))
    assert css.status_code == 200
    assert "immutable" in css.headers["Cache-Control"]


def test_sign_in_and_websocket_echo_through_the_proxy(prod: str) -> None:
    with httpx.Client(base_url=prod) as client:
        form = client.get("/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        response = client.post(
            "/sign-in/",
            data={
                "csrfmiddlewaretoken": token,
                "username": "delegate03",
                "password": "threshold-demo",
            },
            headers={"Referer": f"{prod}/sign-in/"},
        )
        assert response.status_code == 302 and response.headers["Location"] == "/dashboard/"
        cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    ws_url = prod.replace("http", "ws") + "/ws/echo/"
    # Two sockets: least_conn spreads them across both workers.
    for _ in range(2):
        with connect(ws_url, additional_headers={"Cookie": cookie, "Origin": prod}) as ws:
            assert json.loads(ws.recv(timeout=5)) == {"type": "welcome", "user": "delegate03"}
            ws.send(json.dumps({"type": "echo", "text": "through nginx"}))
            assert json.loads(ws.recv(timeout=5))["text"] == "through nginx"


def test_websocket_from_a_foreign_origin_is_refused_through_the_proxy(prod: str) -> None:
    from websockets.exceptions import InvalidStatus

    with (
        pytest.raises(InvalidStatus),
        connect(
            prod.replace("http", "ws") + "/ws/echo/",
            additional_headers={"Origin": "http://evil.example"},
        ),
    ):
        pass
