"""Database triggers that refuse UPDATE and DELETE on audit entries.

They hold underneath the ORM: raw SQL from the application, a shell or a
careless migration is refused too. On PostgreSQL, production should also
grant the application's role only INSERT and SELECT on the table (see
docs/operations.md), which also stops TRUNCATE and dropping the triggers.
"""

from __future__ import annotations

from typing import Any

TABLE = "audit_auditentry"
MESSAGE = "audit entries are append-only"

SQLITE_INSTALL = [
    f"""CREATE TRIGGER IF NOT EXISTS {TABLE}_no_{op.lower()}
        BEFORE {op} ON {TABLE}
        BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"""
    for op in ("UPDATE", "DELETE")
]
SQLITE_REMOVE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_{op}" for op in ("update", "delete")]

POSTGRESQL_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION {TABLE}_refuse() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END;
        $$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER {TABLE}_append_only
        BEFORE UPDATE OR DELETE ON {TABLE}
        FOR EACH ROW EXECUTE FUNCTION {TABLE}_refuse()""",
]
POSTGRESQL_REMOVE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_refuse()",
]

STATEMENTS = {
    "sqlite": (SQLITE_INSTALL, SQLITE_REMOVE),
    "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_REMOVE),
}


def install(connection: Any) -> None:
    statements = STATEMENTS.get(connection.vendor)
    if statements is None:
        return
    with connection.cursor() as cursor:
        for sql in statements[0]:
            cursor.execute(sql)


def remove(connection: Any) -> None:
    statements = STATEMENTS.get(connection.vendor)
    if statements is None:
        return
    with connection.cursor() as cursor:
        for sql in statements[1]:
            cursor.execute(sql)
