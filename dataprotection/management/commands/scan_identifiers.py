"""Scan stored scenarios and reports, and fixture files, for real-looking identifiers.

    manage.py scan_identifiers [--path PATH ...] [--no-db]

Without ``--path`` the committed scenario library is scanned as files. Each
finding names where it is and the kind of identifier, with the identifier
itself partly masked. Exits non-zero if anything is found, so CI can run it.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dataprotection.scanning import default_paths, scan_database, scan_files


class Command(BaseCommand):
    help = "Find real-looking identifiers in stored scenarios and reports and in fixture files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--path",
            action="append",
            type=Path,
            default=None,
            help="A file or folder to scan (repeatable); default: the scenario library.",
        )
        parser.add_argument("--no-db", action="store_true", help="Scan files only.")

    def handle(self, *args: Any, path: list[Path] | None, no_db: bool, **options: Any) -> None:
        paths = path or default_paths()
        missing = [str(p) for p in paths if not p.exists()]
        if missing:
            raise CommandError(f"No such file or folder: {', '.join(missing)}")
        findings = scan_files(paths)
        if not no_db:
            counts: Counter[str] = Counter()
            findings += scan_database(counts)
            self.stdout.write(
                "Scanned "
                + ", ".join(
                    f"{counts[name]} {name}"
                    for name in (
                        "scenarios",
                        "workbook answers",
                        "report submissions",
                        "conference reports",
                    )
                )
                + "."
            )
        for finding in findings:
            self.stdout.write(str(finding))
        scope = f"{len(paths)} file(s) or folder(s)" + ("" if no_db else " and the database")
        if findings:
            raise CommandError(f"{len(findings)} real-looking identifier(s) found in {scope}.")
        self.stdout.write(self.style.SUCCESS(f"No real-looking identifiers in {scope}."))
