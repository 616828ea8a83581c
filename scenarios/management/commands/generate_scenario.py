from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from scenarios.models import Scenario
from scenarios.schema import ScenarioFileError
from scenarios.selectors import scenario_get
from scenarios.services import scenario_variant_create
from scenarios.variants import VariantError


class Command(BaseCommand):
    help = "Generate and publish a fresh variant of a scenario: new people, same answer key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("template", help="Slug of the scenario to vary.")
        parser.add_argument("--seed", type=int, required=True)
        parser.add_argument("--seminar-date", type=date.fromisoformat, default=None)

    def handle(
        self, *args: Any, template: str, seed: int, seminar_date: date | None, **options: Any
    ) -> None:
        try:
            source = scenario_get(slug=template)
        except Scenario.DoesNotExist as exc:
            raise CommandError(f"No published scenario with slug {template!r}.") from exc
        try:
            variant = scenario_variant_create(
                template=source, seed=seed, seminar_date=seminar_date or timezone.localdate()
            )
        except (ScenarioFileError, VariantError) as exc:
            raise CommandError(f"The variant did not validate: {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Published {variant.slug}: {variant.title}"))
