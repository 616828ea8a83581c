"""Create the demo workbook, Child protection conferences (idempotent)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from content.citations import citation_check
from content.demo.workbook import INDEX, WORKBOOK, all_citation_keys
from content.services import home_page_ensure
from content.workbook_services import (
    workbook_editor_access_ensure,
    workbook_ensure,
    workbook_index_ensure,
)


class Command(BaseCommand):
    help = "Create the demo workbook and its chapters (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--refresh",
            action="store_true",
            help="Rewrite demo pages that editors have changed (as a new revision).",
        )

    def handle(self, *args: Any, refresh: bool, **options: Any) -> None:
        home = home_page_ensure()
        index = workbook_index_ensure(home=home, spec=INDEX)
        workbook_editor_access_ensure(index=index)
        workbook, report = workbook_ensure(index=index, spec=WORKBOOK, refresh=refresh)
        self.stdout.write(
            self.style.SUCCESS(
                f"Workbook '{workbook.title}' ready at {workbook.url}: "
                f"{len(report.created)} pages created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged."
            )
        )
        # Guidance may be seeded after the workbook, so unresolved keys are a
        # warning here; the page shows them as "link unavailable" meanwhile.
        problems = citation_check(all_citation_keys())
        if problems:
            self.stdout.write(
                self.style.WARNING(
                    f"{len(problems)} citation key(s) do not resolve yet, for example: "
                    f"{problems[0]}"
                )
            )
