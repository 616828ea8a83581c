"""Check the audit log's hash chain: ``chain intact: N entries`` or the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from audit.selectors import audit_chain_verify


class Command(BaseCommand):
    help = "Recompute the audit log's hash chain and report the first broken link (exit 1)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = audit_chain_verify()
        if not report.intact:
            raise CommandError(str(report), returncode=1)
        self.stdout.write(self.style.SUCCESS(str(report)))
