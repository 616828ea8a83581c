"""Test-only ways round the audit log's protections."""

from __future__ import annotations

from django.db import connection

from audit import db_triggers


def audit_entries_purge() -> None:
    """Delete every audit entry and reset the chain (triggers lifted meanwhile)."""
    db_triggers.remove(connection)
    try:
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditentry")
            cursor.execute("DELETE FROM audit_auditchainhead")
    finally:
        db_triggers.install(connection)


def raw_execute(sql: str, params: list[object] | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
