"""Backup and restore on PostgreSQL: pg_dump -Fc, then pg_restore into a fresh database."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import dj_database_url
import pytest
from django.core.management import call_command
from django.db import connection

from accounts.models import User

pytestmark = pytest.mark.scaleout
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db(transaction=True)
def test_dump_and_restore_into_a_fresh_database(
    demo_people: dict[str, User], tmp_path: Path
) -> None:
    assert connection.vendor == "postgresql"
    out = StringIO()
    call_command("backup", out=tmp_path, stdout=out)
    [dump] = tmp_path.glob("threshold-*.dump")
    assert "Backed up to" in out.getvalue()

    fresh = f"threshold_restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    url = dj_database_url.parse(os.environ["DATABASE_URL"])
    target = f"postgres://{url['USER']}:{url['PASSWORD']}@{url['HOST']}:{url['PORT']}/{fresh}"
    env = {**os.environ, "DATABASE_URL": target, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    try:
        restore = [sys.executable, "manage.py", "restore", str(dump)]
        done = subprocess.run(
            restore, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
        assert "Restored" in done.stdout
        again = subprocess.run(
            restore, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
        )
        assert again.returncode != 0 and "is not empty" in again.stderr
        count = subprocess.run(
            [
                sys.executable,
                "manage.py",
                "shell",
                "-c",
                "from accounts.models import User; print(User.objects.count())",
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert count.stdout.strip().splitlines()[-1] == str(User.objects.count())
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
