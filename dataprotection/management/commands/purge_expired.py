"""Delete records past their retention period.

    manage.py purge_expired [--dry-run]

Applies ``settings.THRESHOLD_RETENTION`` (see ``dataprotection.retention``
and docs/operations.md) and prints, per record type, what it deleted, or
with ``--dry-run`` what it would delete. Run it daily from cron; running it
twice in a row deletes nothing the second time.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dataprotection.retention import purge_expired


class Command(BaseCommand):
    help = "Delete records past their retention period (settings.THRESHOLD_RETENTION)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Say what would be deleted; delete nothing."
        )

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        try:
            report = purge_expired(dry_run=dry_run)
        except ValueError as error:
            raise CommandError(str(error)) from error
        verb = "Would delete" if dry_run else "Deleted"
        for line in report.lines:
            self.stdout.write(f"{verb}: {line}" if line.days is not None else str(line))
        self.stdout.write(
            self.style.SUCCESS("Dry run: nothing was deleted." if dry_run else "Purge complete.")
        )
