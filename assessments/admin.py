"""Records for staff, read-only, in Django's admin (``/django-admin/``).

The competency audit log: nobody may add, change or delete an entry, the
log is a record. The xAPI queue: what is waiting, what was sent and what
the learning record store refused, with its reason.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from assessments.models import AuditLog, XapiStatement


class ReadOnly:
    """Nobody may add, change or delete these records in the admin."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnly, admin.ModelAdmin[AuditLog]):
    list_display = ["at", "actor", "action", "what", "subject"]
    list_filter = ["action"]
    search_fields = ["what", "actor__username", "subject__username"]
    date_hierarchy = "at"
    list_select_related = ["actor", "subject"]


class XapiStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("queued", "Queued"), ("failed", "Refused by the store"), ("sent", "Sent")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return {
            "queued": queryset.filter(sent_at__isnull=True, failed_at__isnull=True),
            "failed": queryset.filter(failed_at__isnull=False),
            "sent": queryset.filter(sent_at__isnull=False),
        }.get(self.value() or "", queryset)


@admin.register(XapiStatement)
class XapiStatementAdmin(ReadOnly, admin.ModelAdmin[XapiStatement]):
    list_display = [
        "statement_id",
        "evidence",
        "created_at",
        "sent_at",
        "failed_at",
        "attempts",
        "last_error",
    ]
    list_filter = [XapiStateFilter]
    search_fields = ["statement_id", "last_error"]
    list_select_related = ["evidence"]
