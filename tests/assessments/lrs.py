"""A real learning record store for the xAPI tests: ralph, in its own virtualenv.

``make lrs`` (a step of ``make pytest``) installs ralph into ``.venv-lrs``
from ``requirements-lrs.txt``. One LRS process (``scripts/lrs_server.py``)
serves the test session on a free loopback port, from a temporary folder,
with credentials made by ``ralph auth``; it is stopped, by its own process
id only, when the session ends. The ``lrs`` fixture empties it for each test
and points Threshold's ``THRESHOLD_XAPI_*`` settings at it; a test may stop
it and start it again.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
LRS_VENV = ROOT / ".venv-lrs"
SERVER = ROOT / "scripts" / "lrs_server.py"
HOME_PAGE = "http://threshold.test"
START_SECONDS = 60
STATEMENTS_FILE = "fs_lrs.jsonl"


@dataclass
class Credentials:
    username: str
    password: str
    auth_file: Path


@dataclass
class Lrs:
    """One ralph LRS process serving the statements kept in ``folder``."""

    folder: Path
    credentials: Credentials
    port: int = field(default_factory=lambda: free_port())
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}/xAPI"

    def start(self) -> None:
        assert self.process is None, "the LRS is already running"
        log = (self.folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            [
                str(LRS_VENV / "bin" / "python"),
                str(SERVER),
                "--dir",
                str(self.folder),
                "--port",
                str(self.port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={k: v for k, v in os.environ.items() if not k.startswith("RALPH_")},
        )
        log.close()
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.process = None
                pytest.fail(f"The ralph LRS stopped while starting:\n{self.log()}")
            try:
                heartbeat = f"http://127.0.0.1:{self.port}/__lbheartbeat__"
                with urllib.request.urlopen(heartbeat, timeout=2):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        pytest.fail(f"The ralph LRS did not answer within {START_SECONDS}s:\n{self.log()}")

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def log(self) -> str:
        path = self.folder / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""

    def get(self, **params: str) -> Any:
        """GET /xAPI/statements with ``params`` as the LRS's own reader."""
        url = f"{self.endpoint}/statements/?{urllib.parse.urlencode(params)}"
        token = base64.b64encode(
            f"{self.credentials.username}:{self.credentials.password}".encode()
        ).decode()
        request = urllib.request.Request(  # noqa: S310 - the LRS's loopback http address
            url, headers={"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return json.loads(response.read())

    def statement(self, statement_id: str) -> dict[str, Any] | None:
        """Return the stored statement with ``statement_id``, or None."""
        found = self.get(statementId=statement_id)
        if "statements" not in found:  # a single statement, as xAPI has it
            return found
        return found["statements"][0] if found["statements"] else None

    def statements(self) -> list[dict[str, Any]]:
        """Return every statement the LRS holds (all pages)."""
        held: list[dict[str, Any]] = []
        page = self.get(limit="100")
        while True:
            held.extend(page["statements"])
            more = page.get("more")
            if not more:
                return held
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(more).query)
            page = self.get(**{key: values[0] for key, values in query.items()})


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def lrs_python() -> Path:
    python = LRS_VENV / "bin" / "python"
    if not python.exists() or not (LRS_VENV / ".installed").exists():
        pytest.fail(
            f"The xAPI tests need the ralph learning record store in {LRS_VENV}: "
            "run `make lrs` (`make pytest` does it first)."
        )
    return python


@pytest.fixture(scope="session")
def lrs_credentials(tmp_path_factory: pytest.TempPathFactory) -> Credentials:
    """Credentials for Threshold, written by ``ralph auth`` as bcrypt hashes."""
    lrs_python()
    folder = tmp_path_factory.mktemp("lrs-auth")
    credentials = Credentials("threshold", secrets.token_urlsafe(16), folder / "auth.json")
    subprocess.run(
        [
            str(LRS_VENV / "bin" / "ralph"),
            "auth",
            "--username",
            credentials.username,
            "--password",
            credentials.password,
            "--scope",
            "statements/write",
            "--scope",
            "statements/read",
            "--agent-ifi-account",
            credentials.username,
            HOME_PAGE,
            "--write-to-disk",
        ],
        cwd=folder,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("RALPH_")},
            "RALPH_AUTH_FILE": str(credentials.auth_file),
            "RALPH_APP_DIR": str(folder),
            "RALPH_RUNSERVER_BACKEND": "fs",
            "RALPH_BACKENDS__LRS__FS__DEFAULT_DIRECTORY_PATH": str(folder),
        },
        check=True,
        capture_output=True,
    )
    return credentials


@pytest.fixture(scope="session")
def lrs_server(
    lrs_credentials: Credentials, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Lrs]:
    """One ralph LRS process for the test session; ``lrs`` empties it for each test."""
    folder = tmp_path_factory.mktemp("lrs")
    (folder / "auth.json").write_bytes(lrs_credentials.auth_file.read_bytes())
    server = Lrs(folder=folder, credentials=lrs_credentials)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def lrs(lrs_server: Lrs, settings: Any) -> Lrs:
    """The running ralph LRS, holding no statements, that Threshold's settings point at."""
    if lrs_server.process is None:  # a test stopped it
        lrs_server.start()
    # The file-system backend keeps every statement in this one file.
    (lrs_server.folder / STATEMENTS_FILE).unlink(missing_ok=True)
    assert lrs_server.statements() == []
    settings.THRESHOLD_XAPI_ENDPOINT = lrs_server.endpoint
    settings.THRESHOLD_XAPI_USERNAME = lrs_server.credentials.username
    settings.THRESHOLD_XAPI_PASSWORD = lrs_server.credentials.password
    return lrs_server
