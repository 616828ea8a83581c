"""Real uvicorn servers for the reliability tests and the benchmarks.

Each server runs ``config.asgi`` in its own process, on loopback, with its
own data folder (SQLite unless ``DATABASE_URL`` is given), exactly as the
production recipe runs a worker. Helpers here migrate and seed that folder,
start and kill servers by the PID they recorded, and run management commands
(``simulate_conference --prepare-only`` above all) against the same data.

Scenario packs cite paragraphs of the guidance, which an empty database does
not hold until the guidance importer has run. ``seed_scenarios`` loads the
library with ``load_scenarios`` when its citations resolve, and otherwise
loads it through ``scenarios.services`` with a citation checker that accepts
the demo summary's keys (the same stand-in ``tests/conftest.py`` gives the
unit tests).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
SECRET = "live-server-tests-only-not-secret-4f0c2a9d7e1b3c5a8f6d2e0b9a7c5e3d"
UVICORN_FLAGS = (
    "--no-access-log",
    "--loop",
    "uvloop",
    "--http",
    "httptools",
    "--ws",
    os.environ.get("THRESHOLD_WS_IMPL", "websockets-sansio"),
    "--ws-max-size",
    "65536",
    "--ws-per-message-deflate",
    "false",
    "--backlog",
    "4096",
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(var: Path, *, production: bool = False, **extra: str) -> dict[str, str]:
    """Return the environment of a server (and its commands) using ``var``."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "THRESHOLD_VAR_DIR": str(var),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # Load tests open thousands of sockets from 127.0.0.1.
        "THRESHOLD_WS_MAX_SOCKETS_PER_ADDRESS": "0",
    }
    if production:
        env |= {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": SECRET,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_SECURE_SSL_REDIRECT": "0",
            "DJANGO_SECURE_COOKIES": "0",
            "DJANGO_HSTS_SECONDS": "0",
            "MAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    env |= extra
    return env


def manage(env: dict[str, str], *args: str, timeout: float = 900) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def django_run(env: dict[str, str], code: str, *, timeout: float = 300) -> Any:
    """Run ``code`` with Django set up in ``env``; return what it prints, as JSON."""
    script = f"import django, json\ndjango.setup()\n{code}"
    result = subprocess.run(
        [PYTHON, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"script failed:\n{result.stdout}\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


SEED_SCENARIOS = """
from io import StringIO
from django.core.management import call_command
from django.core.management.base import CommandError
from scenarios.models import Scenario
from tests.simulations.live_server import demo_citations
try:
    call_command("load_scenarios", stdout=StringIO(), stderr=StringIO())
    how = "load_scenarios"
except CommandError:
    demo_citations()
    call_command("load_scenarios", stdout=StringIO(), stderr=StringIO())
    how = "demo citation checker"
print(json.dumps({"how": how, "live": Scenario.objects.filter(live=True).count()}))
"""


def demo_citations() -> None:
    """Make keys of the demo procedures summary resolve (``para-N``), as tests do."""
    from content import citations

    def resolve(slug: str, anchor: str, on: object) -> citations.Citation | None:
        if slug == "procedures-summary" and anchor.startswith("para-"):
            return citations.Citation(
                f"guidance:{slug}:{anchor}", f"/guidance/{slug}/#{anchor}", anchor, ""
            )
        return None

    citations.register_scheme("guidance", resolve)


def prepare_database(env: dict[str, str]) -> dict[str, Any]:
    """Migrate and load the scenario library; return how the library was loaded."""
    manage(env, "migrate", "--noinput")
    return django_run(env, SEED_SCENARIOS)


def copy_sqlite(template: Path, var: Path) -> None:
    """Give ``var`` a copy of the migrated, seeded database in ``template``."""
    var.mkdir(parents=True, exist_ok=True)
    for name in ("threshold.sqlite3", "threshold.sqlite3-wal", "threshold.sqlite3-shm"):
        if (template / name).exists():
            shutil.copy2(template / name, var / name)


def prepare_rooms(
    env: dict[str, str],
    *,
    scenario: str,
    delegates: int,
    rooms: int,
    plan: Path,
    url: str,
    seminar_date: str = "2026-12-03",
) -> dict[str, Any]:
    """Run ``simulate_conference --prepare-only --sessions``; return the plan."""
    manage(
        env,
        "simulate_conference",
        "--scenario",
        scenario,
        "--delegates",
        str(delegates),
        "--rooms",
        str(rooms),
        "--url",
        url,
        "--seminar-date",
        seminar_date,
        "--prepare-only",
        "--sessions",
        "--plan",
        str(plan),
    )
    return json.loads(plan.read_text())


@dataclass
class Server:
    """One uvicorn process serving ``config.asgi`` on ``port``."""

    env: dict[str, str]
    port: int
    log: Path
    host: str = "127.0.0.1"  # another address, e.g. the host end of a test's veth pair
    cpus: str | None = None  # taskset CPU list, e.g. "0"
    nice: int | None = None  # scheduling priority (negative needs root)
    app: str = "config.asgi:application"
    flags: Sequence[str] = UVICORN_FLAGS
    # Run as production does: one uvicorn worker under a gunicorn master that
    # has the app loaded and forks a new worker if it dies (config/workers.py).
    supervised: bool = False
    # Under the supervisor: how many workers, and of which class ("sync" with
    # ``config.wsgi:application`` serves pages as a WSGI server).
    workers: int = 1
    worker_class: str = "config.workers.ThresholdWorker"
    process: subprocess.Popen[bytes] | None = None
    started: list[float] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self, *, timeout: float = 120) -> float:
        """Start the server and wait for /healthz/; return the seconds it took."""
        began = time.monotonic()
        command = [
            PYTHON,
            "-m",
            "uvicorn",
            self.app,
            "--host",
            self.host,
            "--port",
            str(self.port),
            *self.flags,
        ]
        if self.supervised:
            command = [
                PYTHON,
                "-m",
                "gunicorn",
                self.app,
                "--preload",
                "--workers",
                str(self.workers),
                "--worker-class",
                self.worker_class,
                "--bind",
                f"{self.host}:{self.port}",
                "--backlog",
                "4096",
                "--graceful-timeout",
                "10",
                "--no-control-socket",
            ]
        if self.cpus and shutil.which("taskset"):
            command = ["taskset", "-c", self.cpus, *command]
        if self.nice is not None:
            command = ["nice", "-n", str(self.nice), *command]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT
            )
        self.wait_ready(timeout=timeout)
        took = time.monotonic() - began
        self.started.append(took)
        return took

    def wait_ready(self, *, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        path = "/healthz/" if self.app.startswith("config.") else "/"
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}{path}", timeout=2) as response:  # noqa: S310 - loopback
                    if response.status < 500:
                        return
            except urllib.error.HTTPError as error:
                if error.code < 500:
                    return
            except OSError:
                pass
            if self.process is None or self.process.poll() is not None:
                raise RuntimeError(f"server did not start:\n{self.log.read_text()[-4000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"server not ready in {timeout} s:\n{self.log.read_text()[-4000:]}"
                )
            time.sleep(0.1)

    @property
    def worker_pid(self) -> int:
        """The process serving requests: the supervised worker, else the server itself."""
        if not self.supervised:
            return self.pid
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        if not children:
            raise RuntimeError("the supervisor has no worker")
        return int(children[0])

    def kill_worker(self) -> None:
        """SIGKILL the supervised worker (a crash); its supervisor starts another."""
        assert self.supervised
        os.kill(self.worker_pid, signal.SIGKILL)

    def kill(self) -> None:
        """SIGKILL the server (a crash: no graceful shutdown) and reap it."""
        if self.process is not None and self.process.poll() is None:
            workers: list[int] = []
            if self.supervised:
                with contextlib.suppress(OSError):
                    workers = self.worker_pids
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            for worker in workers:  # its workers would otherwise live on
                with contextlib.suppress(ProcessLookupError):
                    os.kill(worker, signal.SIGKILL)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    @property
    def worker_pids(self) -> list[int]:
        """Every process serving requests (all the supervisor's workers)."""
        if not self.supervised:
            return [self.pid]
        children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
        return [int(child) for child in children]

    def cpu_seconds(self) -> float:
        """Return the user+system CPU seconds the running server's workers have used."""
        ticks = os.sysconf("SC_CLK_TCK")
        total = 0
        for pid in self.worker_pids if self.workers > 1 else [self.worker_pid]:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / ticks

    def run_queue_seconds(self) -> float:
        """Return the seconds the server spent runnable but waiting for a CPU."""
        return int(Path(f"/proc/{self.worker_pid}/schedstat").read_text().split()[1]) / 1e9

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.worker_pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def open_fds(self) -> int:
        return len(os.listdir(f"/proc/{self.worker_pid}/fd"))


_TEMPLATES: dict[str, Path] = {}


def seeded_template(make_dir: Any) -> Path:
    """Return a folder holding a migrated database with the scenario library.

    Built once per test session (``make_dir`` is ``tmp_path_factory``) and
    copied into each server's own folder with :func:`copy_sqlite`.
    """
    if "sqlite" not in _TEMPLATES:
        var = make_dir.mktemp("live-template")
        prepare_database(server_env(var))
        _TEMPLATES["sqlite"] = var
    return _TEMPLATES["sqlite"]


@dataclass
class PrivateRedis:
    """A throwaway redis-server on a free loopback port, for two-worker tests."""

    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> PrivateRedis:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)
