"""The audit log: one hash chain, append-only in the ORM and the database, checked by audit_verify."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth.models import Permission
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client

from accounts.models import User
from audit import chain, db_triggers
from audit.models import AuditChainHead, AuditEntry, AuditLogImmutable, Outcome
from audit.selectors import audit_chain_verify
from audit.services import AuditDetailsRefused, audit_record
from tests.audit.helpers import raw_execute

pytestmark = pytest.mark.django_db


def verify() -> str:
    out = StringIO()
    call_command("audit_verify", stdout=out)
    return out.getvalue().strip()


def test_entries_link_into_one_chain_and_verify_says_so() -> None:
    first = audit_record(action="test.first", details={"thing": 1})
    second = audit_record(action="test.second", outcome=Outcome.REFUSED)
    assert (first.seq, second.seq) == (1, 2)
    assert first.prev_hash == chain.GENESIS
    assert second.prev_hash == first.hash
    assert AuditChainHead.objects.get(pk=1).hash == second.hash
    assert verify() == "chain intact: 2 entries"


def test_the_hash_covers_what_was_stored() -> None:
    entry = audit_record(action="test.stored", object_type="accounts.user", object_id=7)
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert chain.link_hash(stored.prev_hash, stored.chain_fields()) == stored.hash
    assert stored.created.utcoffset().total_seconds() == 0


def test_entries_cannot_be_changed_or_deleted_through_the_orm() -> None:
    entry = audit_record(action="test.keep")
    entry.outcome = Outcome.FAILURE
    with pytest.raises(AuditLogImmutable):
        entry.save()
    with pytest.raises(AuditLogImmutable):
        entry.delete()
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.filter(pk=entry.pk).update(outcome=Outcome.FAILURE)
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.all().delete()
    with pytest.raises(AuditLogImmutable):
        AuditEntry.objects.bulk_create([AuditEntry(seq=99, action="x", hash="x", prev_hash="y")])
    assert AuditEntry.objects.get(pk=entry.pk).outcome == Outcome.SUCCESS
    assert verify() == "chain intact: 1 entries"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditentry SET outcome = 'failure'",
        "DELETE FROM audit_auditentry",
    ],
)
def test_the_database_refuses_raw_updates_and_deletes(sql: str) -> None:
    audit_record(action="test.raw")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw_execute(sql)
    assert AuditEntry.objects.get().outcome == Outcome.SUCCESS


def _tamper(sql: str, params: list[object]) -> None:
    """Change rows the way an intruder with the database would: triggers dropped first."""
    db_triggers.remove(connection)
    try:
        raw_execute(sql, params)
    finally:
        db_triggers.install(connection)


def test_audit_verify_finds_a_changed_row() -> None:
    entries = [audit_record(action="test.row", details={"n": n}) for n in range(5)]
    _tamper("UPDATE audit_auditentry SET actor_id = %s WHERE id = %s", [42, entries[2].pk])
    with pytest.raises(CommandError) as error:
        verify()
    assert error.value.returncode == 1
    assert str(error.value) == (
        f"chain broken at entry #3 (row id {entries[2].pk}): its contents do not match its hash"
    )


def test_audit_verify_finds_a_row_rewritten_with_a_fresh_hash() -> None:
    entries = [audit_record(action="test.row") for _ in range(4)]
    forged = AuditEntry.objects.get(pk=entries[1].pk)
    forged.outcome = Outcome.FAILURE
    new_hash = chain.link_hash(forged.prev_hash, forged.chain_fields())
    _tamper(
        "UPDATE audit_auditentry SET outcome = 'failure', hash = %s WHERE id = %s",
        [new_hash, forged.pk],
    )
    report = audit_chain_verify()
    assert report.intact is False
    assert report.broken_seq == 3
    assert report.reason == "it does not follow the entry before it"


def test_audit_verify_finds_deleted_rows_in_the_middle_and_at_the_end() -> None:
    entries = [audit_record(action="test.row") for _ in range(5)]
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    report = audit_chain_verify()
    assert (report.intact, report.broken_seq) == (False, 2)
    assert report.reason == "entries #2 to #2 are missing"

    _tamper("DELETE FROM audit_auditentry WHERE seq >= %s", [2])
    report = audit_chain_verify()
    assert report.intact is False
    assert "the head records 5 entries but 1 follow on" in str(report)


def test_details_with_free_text_are_refused_and_nothing_is_recorded(caplog) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(AuditDetailsRefused, match="not free text"):
        audit_record(action="test.pii", details={"name": "Amira Khan"})
    with pytest.raises(AuditDetailsRefused):
        audit_record(action="test.pii", details={"email": "amira@example.org"})
    with pytest.raises(AuditDetailsRefused, match="lower-case dotted"):
        audit_record(action="Viewed Amira's record")
    assert AuditEntry.objects.count() == 0
    assert "refused details for test.pii" in caplog.text


def test_actor_and_role_are_recorded_as_ids_and_group_names(demo_people) -> None:  # type: ignore[no-untyped-def]
    manager = demo_people["manager"]
    entry = audit_record(action="test.actor", actor=manager)
    assert entry.actor_id == manager.pk
    assert entry.actor_role == "Manager"


# The auditors' page ---------------------------------------------------------


@pytest.fixture
def auditor(demo_people) -> User:  # type: ignore[no-untyped-def]
    user = demo_people["manager"]
    user.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    return User.objects.get(pk=user.pk)


def test_the_audit_page_is_refused_without_the_permission_and_that_is_logged(delegate) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(delegate)
    assert client.get("/audit/").status_code == 403
    assert AuditEntry.objects.filter(
        action="audit.view", actor_id=delegate.pk, outcome=Outcome.REFUSED
    ).exists()


def row(action: str) -> str:
    return f'data-label="Action"><code>{action}</code>'


def test_auditors_see_entries_filtered_by_actor_action_and_day(auditor, delegate) -> None:  # type: ignore[no-untyped-def]
    audit_record(
        action="test.by_delegate", actor=delegate, object_type="accounts.user", object_id=5
    )
    audit_record(action="test.other")
    client = Client()
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    assert "Audit log" in page and "test.by_delegate" in page and "test.other" in page
    page = client.get("/audit/", {"actor": delegate.pk}).content.decode()
    assert row("test.by_delegate") in page and row("test.other") not in page
    page = client.get("/audit/", {"action": "test.other"}).content.decode()
    assert row("test.other") in page and row("test.by_delegate") not in page
    page = client.get("/audit/", {"action": "test."}).content.decode()
    assert row("test.other") in page and row("test.by_delegate") in page
    page = client.get("/audit/", {"date_to": "2000-01-01"}).content.decode()
    assert "No entries match these filters." in page
    assert AuditEntry.objects.filter(action="audit.view", actor_id=auditor.pk).count() == 5


def test_bad_filters_get_a_clear_error(auditor) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(auditor)
    response = client.get(
        "/audit/", {"action": "DROP TABLE", "date_from": "2026-12-05", "date_to": "2026-12-01"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter an action in lower case letters" in page
    assert "The &#x27;to&#x27; day must be the same as or after the &#x27;from&#x27; day." in page


def test_the_audit_page_costs_the_same_few_queries_however_long_the_log(
    auditor, demo_people
) -> None:  # type: ignore[no-untyped-def]
    """No query reads the whole log (no DISTINCT over every action)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(auditor)

    def queries() -> list[str]:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/audit/").status_code == 200
        return [query["sql"] for query in captured.captured_queries]

    audit_record(action="test.one", actor=auditor)
    few = queries()
    for number, person in enumerate(User.objects.all()):
        for kind in range(5):
            audit_record(action=f"test.kind_{kind}", actor=person, details={"n": number})
    many = queries()
    assert len(many) == len(few)
    assert not [sql for sql in many if "DISTINCT" in sql.upper()]


def test_the_kinds_of_action_cover_every_documented_action(auditor) -> None:  # type: ignore[no-untyped-def]
    """Each action in docs/operations.md falls under a kind the page links to."""
    import re
    from pathlib import Path

    from audit.forms import ACTION_FAMILIES

    docs = Path(__file__).resolve().parents[2] / "docs" / "operations.md"
    documented = set(re.findall(r"^\| `([a-z_]+\.)", docs.read_text(), flags=re.MULTILINE))
    prefixes = {prefix for prefix, _ in ACTION_FAMILIES}
    assert documented == prefixes
    client = Client()
    client.force_login(auditor)
    page = client.get("/audit/").content.decode()
    for prefix in prefixes:
        assert f'href="?action={prefix}"' in page
