"""Restore a backup made by ``manage.py backup`` into a fresh database.

    manage.py restore FILE [--force]

Restores into the database the settings name (``SQLITE_PATH`` or
``DATABASE_URL``). A database that already holds tables is refused unless
``--force`` is given, which replaces its contents. Stop the platform before
restoring over a database it uses. Prints how long the restore took, and
whether migrations newer than the backup need ``manage.py migrate``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.db.migrations.executor import MigrationExecutor

from dataprotection.backups import BackupError, restore


class Command(BaseCommand):
    help = "Restore a database backup into a fresh database (refuses a non-empty one)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="A backup written by manage.py backup.")
        parser.add_argument(
            "--force", action="store_true", help="Replace the contents of a non-empty database."
        )

    def handle(self, *args: Any, file: Path, force: bool, **options: Any) -> None:
        try:
            result = restore(file, force=force)
        except (BackupError, OSError) as error:
            raise CommandError(f"Restore refused: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {result.source} into {result.target}: {result.tables} tables "
                f"in {result.seconds:.2f} s."
            )
        )
        connections.close_all()
        executor = MigrationExecutor(connections["default"])
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if pending:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(pending)} migration(s) are newer than the backup: run manage.py migrate."
                )
            )
