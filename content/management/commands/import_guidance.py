"""Import an official document (.txt or .docx) into the guidance library.

    manage.py import_guidance PATH [--slug SLUG] [--title TITLE]
        [--effective-from YYYY-MM-DD] [--publish] [--publisher NAME]
        [--status draft|final] [--strict] [--dry-run]

The first import of a slug creates the document page (a draft unless
``--publish``); importing a changed file adds a new dated version and lists
what changed; importing the same file again changes nothing. Any error names
the file and line, exits non-zero and leaves the database as it was.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from content.guidance_services import (
    GuidanceImportError,
    ImportResult,
    default_slug,
    guidance_import,
)
from content.importers.docx_reader import parse_file
from content.importers.structure import ImportFailed
from content.models import DocumentStatus

MAX_LISTED = 20


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--effective-from: {value!r} is not a date (YYYY-MM-DD)") from error


class Command(BaseCommand):
    help = "Import an official document (.txt or .docx) as a dated version of a guidance document."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="The .txt or .docx file.")
        parser.add_argument(
            "--slug",
            help="The document's address and citation name (default: from the file name).",
        )
        parser.add_argument("--title", help="The title, if the file has no title line of its own.")
        parser.add_argument(
            "--effective-from",
            type=str,
            help="When this version comes into force, YYYY-MM-DD (default: today).",
        )
        parser.add_argument("--publish", action="store_true", help="Publish the document page.")
        parser.add_argument("--publisher", help="Who issues the document (new documents).")
        parser.add_argument(
            "--status", choices=DocumentStatus.values, help="draft or final (new documents)."
        )
        parser.add_argument(
            "--strict", action="store_true", help="Refuse the file if parsing warns."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"]
        effective = _date(options["effective_from"]) if options["effective_from"] else None
        try:
            if not Path(path).is_file():
                raise ImportFailed(path, 1, "file not found")
            parsed = parse_file(path, title=options["title"])
            if options["strict"] and parsed.warnings:
                first = parsed.warnings[0]
                raise ImportFailed(
                    parsed.source_name,
                    first.line,
                    f"{first.message} ({len(parsed.warnings)} warning(s); --strict refuses them)",
                )
            result = guidance_import(
                parsed=parsed,
                slug=options["slug"] or default_slug(path),
                title=options["title"],
                effective_from=effective,
                publish=options["publish"],
                publisher=options["publisher"],
                status=options["status"],
                dry_run=options["dry_run"],
            )
        except ImportFailed as error:
            raise CommandError(f"{error.file}:{error.line}: {error.message}") from error
        except GuidanceImportError as error:
            raise CommandError(str(error)) from error
        self._report(result, dry_run=options["dry_run"])

    def _report(self, result: ImportResult, *, dry_run: bool) -> None:
        write = self.stdout.write
        parsed, version, document = result.parsed, result.version, result.document
        prefix = "Dry run, nothing written: " if dry_run else ""
        if result.unchanged_reason:
            write(
                self.style.SUCCESS(
                    f"{prefix}No change to {document.title!r}: {result.unchanged_reason}."
                )
            )
            if result.published:
                write(f"  Published {document.url or '/guidance/' + document.slug + '/'}")
            return
        action = "Created" if result.created_document else "Added a version to"
        write(
            self.style.SUCCESS(
                f"{prefix}{action} {document.title!r} from {parsed.source_name}, "
                f"in force from {version.effective_from.isoformat()}."
            )
        )
        counts = result.counts
        write(f"  address: /guidance/{document.slug}/ ({'live' if document.live else 'draft'})")
        write(f"  checksum: sha256:{parsed.checksum}")
        write(
            "  built: "
            f"{counts['parts']} parts, {counts['sections']} sections, "
            f"{counts['paragraphs']} numbered paragraphs ({counts['unnumbered']} unnumbered), "
            f"{counts['key_points']} key points boxes, {counts['tables']} tables, "
            f"{counts['lists']} lists, {counts['headings']} sub-headings, "
            f"{counts['footnotes']} footnotes"
        )
        if parsed.warnings:
            write(self.style.WARNING(f"  {len(parsed.warnings)} warning(s):"))
            for warning in parsed.warnings:
                write(
                    self.style.WARNING(
                        f"    {parsed.source_name}:{warning.line}: {warning.message}"
                    )
                )
        else:
            write("  warnings: none")
        changes = result.changes
        if changes is not None and changes.previous is not None:
            write(
                f"  changes since the version in force from {changes.previous.effective_from}: "
                f"{len(changes.altered)} altered, {len(changes.added)} added, "
                f"{len(changes.removed)} removed"
            )
            for label, rows in (
                ("altered", [after for _, after in changes.altered]),
                ("added", list(changes.added)),
                ("removed", list(changes.removed)),
            ):
                if rows:
                    listed = ", ".join(f"para-{row.number}" for row in rows[:MAX_LISTED])
                    more = f" and {len(rows) - MAX_LISTED} more" if len(rows) > MAX_LISTED else ""
                    write(f"    {label}: {listed}{more}")
        write(f"  took {result.seconds:.2f}s")
