"""Fault test B11: back up SQLite while conferences write, restore into a fresh database.

The live database is a file copy of the migrated, seeded test database; a
writer process submits reports through the real service while
``manage.py backup`` runs in another process; ``manage.py restore`` then
loads the backup into a fresh file. The restored record must be a
consistent prefix of the live one: per room, event numbers 1..n with no
gap, ``room.seq`` equal to the last event, and every restored event equal
to the live event with the same number.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import User
from tests.simulations.rooms import open_room

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def manage(db: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env_for(db),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def env_for(db: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "SQLITE_PATH": str(db),
        "PYTHONPATH": str(ROOT),
    }


def rooms_and_events(db: Path) -> tuple[dict[int, int], dict[int, list[tuple[int, str]]]]:
    conn = sqlite3.connect(db)
    try:
        seqs = dict(conn.execute("SELECT id, seq FROM simulations_room").fetchall())
        events: dict[int, list[tuple[int, str]]] = {room: [] for room in seqs}
        for room, seq, data in conn.execute(
            "SELECT room_id, seq, data FROM simulations_roomevent ORDER BY room_id, seq"
        ):
            events[room].append((seq, data))
    finally:
        conn.close()
    return seqs, events


@pytest.fixture
def live_db(tmp_path: Path, demo_people: dict[str, User], citations_resolve: None) -> Path:
    """A file database: the test database with two seated rooms, copied to disk."""
    seminar = open_room(name="Room A").seminar
    open_room(name="Room B", seminar=seminar)
    path = tmp_path / "live.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.execute("PRAGMA journal_mode=WAL")
    target.close()
    return path


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_backup_while_writing_restores_a_consistent_prefix(
    live_db: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    record_property: Callable[[str, object], None],
) -> None:
    stop_file = tmp_path / "stop"
    writer = subprocess.Popen(
        [PYTHON, "-m", "tests.dataprotection.writer", "--stop-file", str(stop_file)],
        cwd=ROOT,
        env=env_for(live_db),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        first = writer.stdout.readline().strip()
        if first != "writing":
            writer.wait(timeout=30)
            pytest.fail(f"the writer did not start: {writer.stderr.read()[-3000:]}")  # type: ignore[union-attr]
        backup_dir = tmp_path / "backups"
        made = manage(live_db, "backup", "--out", str(backup_dir))
        writer_running = writer.poll() is None
        time.sleep(1)  # the conferences go on after the backup
        stop_file.touch()
        assert made.returncode == 0, made.stderr
        assert "Backed up to" in made.stdout
        tail, errors = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    assert writer.returncode == 0, errors
    written = int(tail.strip().rsplit(" ", 1)[1])
    [backup_file] = backup_dir.glob("threshold-*.sqlite3")

    fresh = tmp_path / "restored.sqlite3"
    started = time.perf_counter()
    restored = manage(fresh, "restore", str(backup_file))
    elapsed = time.perf_counter() - started
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout and "migration(s) are newer" not in restored.stdout

    live_seqs, live_events = rooms_and_events(live_db)
    seqs, events = rooms_and_events(fresh)
    assert set(seqs) == set(live_seqs)
    total = 0
    for room, seq in seqs.items():
        numbers = [n for n, _ in events[room]]
        assert numbers == list(range(1, seq + 1)), f"room {room}: gap or extra event"
        assert seq <= live_seqs[room]
        assert events[room] == live_events[room][:seq], f"room {room}: not a prefix"
        total += seq
    live_total = sum(live_seqs.values())
    assert live_total == written  # every command wrote one event
    assert 0 < total <= live_total
    # The backup was taken mid-write: the writer went on after it.
    assert writer_running
    assert total < live_total

    record_property("restore_seconds", round(elapsed, 3))
    with capsys.disabled():
        sys.stdout.write(
            f"\nB11: backup held {total} of {live_total} events written "
            f"({len(seqs)} rooms); restore took {elapsed:.2f} s "
            f"(command itself: {restored.stdout.strip().rsplit(' in ', 1)[1]})\n"
        )


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_non_empty_database_without_force(live_db: Path, tmp_path: Path) -> None:
    backup_dir = tmp_path / "backups"
    assert manage(live_db, "backup", "--out", str(backup_dir)).returncode == 0
    [backup_file] = backup_dir.glob("*.sqlite3")

    occupied = tmp_path / "occupied.sqlite3"
    conn = sqlite3.connect(occupied)
    conn.execute("CREATE TABLE keep (x)")
    conn.execute("INSERT INTO keep VALUES (1)")
    conn.commit()
    conn.close()
    refused = manage(occupied, "restore", str(backup_file))
    assert refused.returncode != 0
    assert "is not empty (1 tables)" in refused.stderr and "--force" in refused.stderr
    conn = sqlite3.connect(occupied)
    assert conn.execute("SELECT x FROM keep").fetchall() == [(1,)]
    conn.close()

    forced = manage(occupied, "restore", str(backup_file), "--force")
    assert forced.returncode == 0, forced.stderr
    conn = sqlite3.connect(occupied)
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    conn.close()
    assert "simulations_roomevent" in tables and "keep" not in tables


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 100)
    with pytest.raises(CommandError, match="not an SQLite database"):
        call_command("restore", str(junk), stdout=StringIO())
    with pytest.raises(CommandError, match="There is no backup file"):
        call_command("restore", str(tmp_path / "missing.sqlite3"), stdout=StringIO())


@pytest.mark.django_db
def test_backup_of_an_in_memory_database_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="in-memory database cannot be backed up"):
        call_command("backup", out=tmp_path, stdout=StringIO())
