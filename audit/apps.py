from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        # Wagtail records its admin actions as log entries; each new one is
        # copied into the chained log (see audit.wagtail_log).
        from audit import wagtail_log

        wagtail_log.connect()
