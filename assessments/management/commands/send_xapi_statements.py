"""Enqueue sending the queued xAPI statements (run it every few minutes)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from assessments.models import XapiStatement
from assessments.tasks import xapi_statements_send


class Command(BaseCommand):
    help = "Send queued xAPI statements to the learning record store."

    def handle(self, *args: Any, **options: Any) -> None:
        waiting = XapiStatement.objects.filter(sent_at__isnull=True, failed_at__isnull=True).count()
        failed = XapiStatement.objects.filter(failed_at__isnull=False).count()
        if failed:
            self.stdout.write(
                self.style.WARNING(
                    f"{failed} statements were refused by the store and are not sent again; "
                    "see /django-admin/assessments/xapistatement/?state=failed"
                )
            )
        if not settings.THRESHOLD_XAPI_ENDPOINT:
            self.stdout.write(f"{waiting} statements queued; THRESHOLD_XAPI_ENDPOINT is not set.")
            return
        result = xapi_statements_send.enqueue()
        self.stdout.write(
            self.style.SUCCESS(f"{waiting} statements queued for sending ({result.status}).")
        )
