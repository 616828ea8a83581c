from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from content.services import home_page_ensure


class Command(BaseCommand):
    help = "Create the demo home page and make it the site's root (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        home = home_page_ensure()
        self.stdout.write(self.style.SUCCESS(f"Home page ready at {home.url or '/'}"))
