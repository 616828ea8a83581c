"""Write everything held about one person to a ZIP of JSON and CSV files.

    manage.py subject_access_export USERNAME --out FILE.zip [--force]

See ``dataprotection.subject_access`` for what is included. The export is
recorded in the audit log. An existing file is not overwritten without
``--force``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from accounts.models import User
from dataprotection.subject_access import subject_access_export


class Command(BaseCommand):
    help = "Export everything held about one person (subject-access request) as a ZIP."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--out", required=True, type=Path, help="The ZIP file to write.")
        parser.add_argument("--force", action="store_true", help="Overwrite --out if it exists.")

    def handle(self, *args: Any, username: str, out: Path, force: bool, **options: Any) -> None:
        person = User.objects.filter(username=username).first()
        if person is None:
            raise CommandError(f"There is nobody with the username {username!r}.")
        if out.exists() and not force:
            raise CommandError(f"{out} exists; choose another file or pass --force.")
        if not out.parent.is_dir():
            raise CommandError(f"The folder {out.parent} does not exist.")
        data = subject_access_export(person=person, actor=None, via="command")
        out.write_bytes(data)
        self.stdout.write(self.style.SUCCESS(f"Wrote {out} ({len(data):,} bytes) for {username}."))
