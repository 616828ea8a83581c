"""Back up the database while the platform runs, and restore a backup into a fresh one.

SQLite (the embedded default) is copied with SQLite's online backup API
(``sqlite3.Connection.backup``) in a single step: the copy is one read
transaction, so it is the database exactly as it was at one commit, while
conferences go on writing (WAL mode lets writers carry on during the read).
PostgreSQL (``DATABASE_URL``) is dumped with ``pg_dump -Fc``, which also
reads one snapshot, and restored with ``pg_restore``.

A restore goes into the database the settings name, and refuses one that
already holds tables unless forced: restoring is for a fresh instance
(a new machine, or a database that was lost), not for undoing yesterday.
Uploaded evidence files live in ``MEDIA_ROOT``, outside the database; back
that folder up alongside (see docs/operations.md).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess  # pg_dump and pg_restore: argument lists, no shell  # nosec B404
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.db import connections

SQLITE = "django.db.backends.sqlite3"
POSTGRESQL = "django.db.backends.postgresql"


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    bytes: int
    seconds: float


@dataclass(frozen=True)
class RestoreResult:
    source: Path
    target: str
    tables: int
    seconds: float


def _settings(alias: str = "default") -> dict[str, Any]:
    return dict(connections[alias].settings_dict)


def _stamp() -> str:
    return datetime.now(tz=UTC).strftime("%Y%m%dT%H%M%SZ")


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools.")
    return found


def _sqlite_tables(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    ).fetchone()
    return int(row[0])


def _sqlite_check(conn: sqlite3.Connection, what: str) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{what} failed SQLite's integrity check: {result}")


def backup(out_dir: Path) -> BackupResult:
    """Write a consistent copy of the default database into ``out_dir``."""
    db = _settings()
    out_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if db["ENGINE"] == SQLITE:
        source = str(db["NAME"])
        if source == ":memory:" or "mode=memory" in source:
            raise BackupError("An in-memory database cannot be backed up.")
        if not Path(source).exists():
            raise BackupError(f"There is no database at {source}.")
        path = out_dir / f"threshold-{_stamp()}.sqlite3"
        src = sqlite3.connect(source, timeout=30)
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)  # one step (pages=-1): a single, consistent read
            _sqlite_check(dst, "The backup")
        finally:
            dst.close()
            src.close()
    elif db["ENGINE"] == POSTGRESQL:
        path = out_dir / f"threshold-{_stamp()}.dump"
        done = subprocess.run(  # noqa: S603 - a tool found on PATH, argument list, no shell  # nosec B603
            [_tool("pg_dump"), "-Fc", "--no-owner", "--file", str(path), str(db["NAME"])],
            env=_pg_env(db),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            path.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    else:
        raise BackupError(f"Backing up {db['ENGINE']} databases is not supported.")
    return BackupResult(path, path.stat().st_size, time.perf_counter() - started)


def restore(source: Path, *, force: bool = False) -> RestoreResult:
    """Restore ``source`` into the default database; refuse a non-empty one unless ``force``."""
    if not source.is_file():
        raise BackupError(f"There is no backup file at {source}.")
    db = _settings()
    connections.close_all()
    started = time.perf_counter()
    if db["ENGINE"] == SQLITE:
        target = str(db["NAME"])
        src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            try:
                _sqlite_check(src, f"{source}")
                if not src.execute(
                    "SELECT 1 FROM sqlite_master WHERE name = 'django_migrations'"
                ).fetchone():
                    raise BackupError(f"{source} is not a Threshold database backup.")
            except sqlite3.DatabaseError as error:
                raise BackupError(f"{source} is not an SQLite database: {error}") from error
            dst = sqlite3.connect(target, timeout=30)
            try:
                existing = _sqlite_tables(dst)
                if existing and not force:
                    raise BackupError(
                        f"The database at {target} is not empty ({existing} tables). Restore "
                        "into a fresh database (set SQLITE_PATH), or pass --force to replace it."
                    )
                src.backup(dst)
                _sqlite_check(dst, "The restored database")
                tables = _sqlite_tables(dst)
            finally:
                dst.close()
        finally:
            src.close()
    elif db["ENGINE"] == POSTGRESQL:
        target = str(db["NAME"])
        with connections["default"].cursor() as cursor:
            existing = len(connections["default"].introspection.table_names(cursor))
        connections.close_all()
        if existing and not force:
            raise BackupError(
                f"The database {target} is not empty ({existing} tables). Restore into a fresh "
                "database, or pass --force to replace its contents."
            )
        command = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        if existing:
            command += ["--clean", "--if-exists"]
        done = subprocess.run(  # noqa: S603 - a tool found on PATH, argument list, no shell  # nosec B603
            [*command, "--dbname", target, str(source)],
            env=_pg_env(db),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
        with connections["default"].cursor() as cursor:
            tables = len(connections["default"].introspection.table_names(cursor))
    else:
        raise BackupError(f"Restoring {db['ENGINE']} databases is not supported.")
    return RestoreResult(source, target, tables, time.perf_counter() - started)
