from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scenarios.models import Scenario
from scenarios.selectors import scenario_get
from scenarios.services import scenario_export


class Command(BaseCommand):
    help = "Write a published scenario as a YAML pack (to standard output or --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug")
        parser.add_argument("-o", "--output", type=Path)

    def handle(self, *args: Any, slug: str, output: Path | None, **options: Any) -> None:
        try:
            scenario = scenario_get(slug=slug)
        except Scenario.DoesNotExist as exc:
            raise CommandError(f"No published scenario with slug {slug!r}.") from exc
        text = scenario_export(scenario=scenario)
        if output is None:
            self.stdout.write(text, ending="")
        else:
            output.write_text(text, encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"Wrote {output}"))
