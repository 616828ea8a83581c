"""Several processes at once on one file-backed SQLite database, as in production.

The test database is in memory and shared by threads, which SQLite locks per
table without waiting; real deployments are separate processes on a WAL file,
so these tests start real processes.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def run(db: Path, code: str) -> subprocess.Popen[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "SQLITE_PATH": str(db)}
    env.pop("DATABASE_URL", None)
    return subprocess.Popen(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out


@pytest.fixture
def database(tmp_path: Path) -> Path:
    db = tmp_path / "shared.sqlite3"
    finish(
        run(
            db,
            "from django.core.management import call_command; call_command('migrate', 'accounts', verbosity=0); call_command('migrate', 'audit', verbosity=0)",
        )
    )
    return db


def test_writers_in_several_processes_keep_one_chain(database: Path) -> None:
    code = (
        "from audit.services import audit_record\n"
        "for i in range(15): audit_record(action='test.process', details={'i': i})"
    )
    for process in [run(database, code) for _ in range(3)]:
        finish(process)
    out = finish(
        run(
            database,
            "from django.core.management import call_command; call_command('audit_verify')",
        )
    )
    assert out.strip() == "chain intact: 45 entries"


def test_failures_counted_in_several_processes_lock_the_username(database: Path) -> None:
    code = (
        "from accounts.throttle import signin_failure_record\n"
        "for _ in range(2): signin_failure_record(username='alice', ip=None, reason='bad_credentials')"
    )
    for process in [run(database, code) for _ in range(3)]:
        finish(process)
    out = finish(
        run(
            database,
            "from accounts.throttle import signin_lockout\n"
            "print(signin_lockout(username='alice', ip=None) is not None)",
        )
    )
    assert out.strip() == "True"
