"""Read the audit log: filtered listings and the chain check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from audit import chain
from audit.models import AuditChainHead, AuditEntry


def audit_entries(
    *,
    actor_id: int | None = None,
    action: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEntry]:
    """Entries, newest first, filtered by actor, action (or action prefix) and day."""
    entries = AuditEntry.objects.all()
    if actor_id is not None:
        entries = entries.filter(actor_id=actor_id)
    if action:
        entries = (
            entries.filter(action__startswith=action)
            if action.endswith(".")
            else entries.filter(action=action)
        )
    zone = timezone.get_current_timezone()
    if date_from is not None:
        entries = entries.filter(created__gte=datetime.combine(date_from, time.min, tzinfo=zone))
    if date_to is not None:
        end = datetime.combine(date_to + timedelta(days=1), time.min, tzinfo=zone)
        entries = entries.filter(created__lt=end)
    return entries.order_by("-seq")


@dataclass(frozen=True)
class ChainReport:
    intact: bool
    count: int
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.intact:
            return f"chain intact: {self.count} entries"
        where = f"entry #{self.broken_seq}" if self.broken_seq is not None else "the chain head"
        if self.broken_id is not None:
            where += f" (row id {self.broken_id})"
        return f"chain broken at {where}: {self.reason}"


def audit_chain_verify() -> ChainReport:
    """Walk the chain in order and report the first broken link, if any."""
    expected_prev = chain.GENESIS
    count = 0
    for entry in AuditEntry.objects.order_by("seq").iterator(chunk_size=2000):
        expected_seq = count + 1
        if entry.seq != expected_seq:
            return ChainReport(
                False,
                count,
                expected_seq,
                None,
                f"entries #{expected_seq} to #{entry.seq - 1} are missing",
            )
        if entry.prev_hash != expected_prev:
            return ChainReport(
                False, count, entry.seq, entry.pk, "it does not follow the entry before it"
            )
        if chain.link_hash(entry.prev_hash, entry.chain_fields()) != entry.hash:
            return ChainReport(
                False, count, entry.seq, entry.pk, "its contents do not match its hash"
            )
        expected_prev = entry.hash
        count += 1
    head = AuditChainHead.objects.filter(pk=1).first()
    head_seq, head_hash = (head.seq, head.hash) if head else (0, chain.GENESIS)
    if head_seq != count or head_hash != expected_prev:
        return ChainReport(
            False,
            count,
            None,
            None,
            f"the head records {head_seq} entries but {count} follow on from each other"
            if head_seq != count
            else "the head's hash does not match the last entry",
        )
    return ChainReport(True, count)
