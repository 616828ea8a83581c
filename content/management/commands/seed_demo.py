"""Build the whole demo platform: people, pages and (as they arrive) content.

Each app seeds its own part through its own command; this one runs them in
order, so the demo is one command and every step stays idempotent.
"""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

STEPS: list[tuple[str, bool]] = [
    # (command, takes --seed)
    ("seed_people", True),
    ("seed_pages", False),
    ("seed_guidance", False),
    ("seed_workbook", False),
    ("load_scenarios", False),
    ("seed_seminars", False),
    ("seed_competencies", False),
    ("seed_evidence", True),
]


class Command(BaseCommand):
    help = "Create or refresh the demo data (idempotent; reproducible with --seed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Seed for invented data.")

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        for name, takes_seed in STEPS:
            kwargs: dict[str, Any] = {"stdout": self.stdout, "stderr": self.stderr}
            if takes_seed:
                kwargs["seed"] = seed
            call_command(name, **kwargs)
        call_command("update_index", stdout=self.stdout, verbosity=0)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
