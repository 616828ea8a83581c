"""Browser tests against the real platform: uvicorn serving config.asgi.

A session-scoped server gets its own data folder (SQLite, static, media),
is migrated and seeded with the demo, then served by uvicorn exactly as in
production. Playwright drives Debian's Chromium; it never downloads one.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("THRESHOLD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = ROOT / "test-results" / "screenshots"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
DEMO_PASSWORD = "threshold-demo"

pytestmark = pytest.mark.e2e


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveApp:
    url: str
    env: dict[str, str]

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        return result.stdout


@pytest.fixture(scope="session")
def live_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    var = tmp_path_factory.mktemp("e2e-var")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "THRESHOLD_VAR_DIR": str(var),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
    }
    port = free_port()
    app = LiveApp(url=f"http://127.0.0.1:{port}", env=env)
    app.manage("migrate", "--noinput")
    app.manage("seed_demo", "--seed", "11")
    log = open(var / "server.log", "w")  # noqa: SIM115 - closed below
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "config.asgi:application",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{app.url}/healthz/", timeout=2) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start: {(var / 'server.log').read_text()}")
            time.sleep(0.25)
        yield app
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_app: LiveApp):  # type: ignore[no-untyped-def]
    contexts = []

    def make(viewport: dict[str, int] = DESKTOP, *, mobile: bool = False):  # type: ignore[no-untyped-def]
        # bypass_csp lets the test inject axe-core; the app's own CSP is
        # asserted separately in the server-side tests.
        context = browser.new_context(
            base_url=live_app.url,
            viewport=viewport,
            is_mobile=mobile,
            has_touch=mobile,
            bypass_csp=True,
        )
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def sign_in(page, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/dashboard/")


def axe_violations(page) -> list[dict]:  # type: ignore[no-untyped-def]
    """Run axe-core on the page; return serious and critical violations."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        """async () => await axe.run(document, {runOnly: {type: 'tag',
            values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}})"""
    )
    assert len(result["passes"]) > 10, "axe-core did not run its checks"
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def assert_accessible(page) -> None:  # type: ignore[no-untyped-def]
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=2)


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
