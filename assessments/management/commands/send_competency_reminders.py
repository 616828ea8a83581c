"""Enqueue today's reminders of competence about to expire (run it daily)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from assessments.tasks import competency_reminders_send


class Command(BaseCommand):
    help = "Send reminders to people whose competence is about to expire, and their managers."

    def handle(self, *args: Any, **options: Any) -> None:
        result = competency_reminders_send.enqueue(timezone.localdate().isoformat())
        self.stdout.write(self.style.SUCCESS(f"Reminders queued ({result.status})."))
