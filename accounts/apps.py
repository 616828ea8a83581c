from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "People and organisations"

    def ready(self) -> None:
        from accounts import audit_hooks

        audit_hooks.connect()
