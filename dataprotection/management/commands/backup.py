"""Back up the database, consistently, while the platform runs.

    manage.py backup --out DIR

SQLite: SQLite's online backup API, one consistent copy
(``DIR/threshold-<UTC time>.sqlite3``), integrity-checked. PostgreSQL
(``DATABASE_URL``): ``pg_dump -Fc`` (``DIR/threshold-<UTC time>.dump``).
Back up ``MEDIA_ROOT`` (uploaded evidence) alongside.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dataprotection.backups import BackupError, backup


class Command(BaseCommand):
    help = "Write a consistent backup of the database into a folder."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="The folder to write into.")

    def handle(self, *args: Any, out: Path, **options: Any) -> None:
        try:
            result = backup(out)
        except (BackupError, OSError) as error:
            raise CommandError(f"Backup failed: {error}") from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up to {result.path} ({result.bytes:,} bytes in {result.seconds:.2f} s)."
            )
        )
