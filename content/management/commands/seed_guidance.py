"""Seed the demo guidance and the glossary (idempotent).

Imports ``content/demo/procedures-summary.txt`` (Threshold's own summary of
the procedures, cited by the scenarios as ``guidance:procedures-summary:...``)
and publishes it, so the embedded default has guidance to cite without the
official documents, and loads the glossary's acronyms and terms.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from content.demo.glossary import TERMS
from content.glossary import glossary_load
from content.guidance_services import guidance_cache_bump, guidance_import_file
from content.models import GuidanceDocumentPage

DEMO_FILE = Path(__file__).resolve().parents[2] / "demo" / "procedures-summary.txt"
DEMO_SLUG = "procedures-summary"
DEMO_TITLE = "Procedures summary"
DEMO_PUBLISHER = "Threshold (demonstration content)"
DEMO_SUMMARY_EFFECTIVE = date(2025, 9, 1)
DEMO_SUMMARY = (
    "Threshold's own plain-language summary of the Jersey child protection procedures "
    "that the mock conferences score against. A training aid: the official documents apply."
)


class Command(BaseCommand):
    help = "Import the demo guidance and load the glossary (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        # The first import is dated so that scenarios set in 2025 and 2026 cite
        # text already in force; a later change to the file comes in from today.
        first = not GuidanceDocumentPage.objects.filter(slug=DEMO_SLUG).exists()
        result = guidance_import_file(
            DEMO_FILE,
            slug=DEMO_SLUG,
            page_title=DEMO_TITLE,
            effective_from=DEMO_SUMMARY_EFFECTIVE if first else timezone.localdate(),
            publish=True,
            publisher=DEMO_PUBLISHER,
        )
        document = result.document
        if not document.summary:
            document.summary = DEMO_SUMMARY
            document.save_revision().publish()
            guidance_cache_bump()
        if result.unchanged_reason:
            self.stdout.write(f"Demo guidance unchanged: {result.unchanged_reason}.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Demo guidance imported: {result.counts['paragraphs']} paragraphs "
                    f"in {result.counts['sections']} sections, in force from "
                    f"{result.version.effective_from}."
                )
            )
        loaded = glossary_load(TERMS)
        self.stdout.write(
            self.style.SUCCESS(
                f"Glossary: {loaded.created} terms added, {loaded.updated} updated, "
                f"{loaded.unchanged} unchanged."
            )
        )
