from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from scenarios.schema import ScenarioFileError, library_paths
from scenarios.services import scenarios_load


class Command(BaseCommand):
    help = (
        "Validate scenario packs (YAML) and publish them, creating or updating by slug. "
        "With no paths, loads the library in scenarios/data. Nothing is written if any "
        "file is invalid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("paths", nargs="*", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Validate only; write nothing.")

    def handle(self, *args: Any, paths: list[Path], dry_run: bool, **options: Any) -> None:
        files: list[Path] = []
        for path in paths or [Path(__file__).resolve().parents[2] / "data"]:
            if path.is_dir():
                files.extend(library_paths(path))
            elif path.exists():
                files.append(path)
            else:
                raise CommandError(f"{path}: no such file or folder")
        if not files:
            raise CommandError("No scenario files found.")
        try:
            results = scenarios_load(files, dry_run=dry_run)
        except ScenarioFileError as error:
            for problem in error.errors:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(error.errors)} problem(s) found; nothing was written."
            ) from error
        for result in results:
            self.stdout.write(f"  {result.action:<9} {result.slug}")
        verb = "checked" if dry_run else "loaded"
        self.stdout.write(self.style.SUCCESS(f"{len(results)} scenario(s) {verb}."))
