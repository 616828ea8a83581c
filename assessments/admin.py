"""The audit log, read-only, in Django's admin (``/django-admin/``).

Nobody may add, change or delete an entry: the log is a record.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from assessments.models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin[AuditLog]):
    list_display = ["at", "actor", "action", "what", "subject"]
    list_filter = ["action"]
    search_fields = ["what", "actor__username", "subject__username"]
    date_hierarchy = "at"
    list_select_related = ["actor", "subject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
