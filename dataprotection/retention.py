"""Apply the retention schedule: delete records past their retention period.

The schedule is ``settings.THRESHOLD_RETENTION`` (days per record type; None
keeps for ever). Each rule below selects what has expired, counts it, and
unless it is a dry run deletes it in its own transaction, so a failure in
one rule leaves the others done and the command can simply run again.

What is never deleted here: released competency evidence
(``assessments.models.Evidence`` refuses it anyway), room scorecards
(``RoomScore``), certificates, marks, workbook answers and the audit log.
Each run that deletes (not a dry run) is itself recorded in the audit log as
``retention.purge``, with the count per record type.
A conference transcript is a room's ``RoomEvent`` rows and its state
snapshot; once purged, the room keeps its seats, scores and evidence and
records when the transcript went (``Room.transcript_purged_at``). The
platform has no separate store of report drafts: a report in progress is
part of the transcript (``ReportSubmitted`` events).

A room's closing day is its ``updated_at`` once its phase is ``closed``
(nothing changes a closed room afterwards).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import SignInThrottle
from assessments.models import Evidence, EvidenceKind, EvidenceState, XapiStatement
from audit.services import audit_record
from simulations.engine.state import Phase
from simulations.models import Room, RoomEvent
from simulations.selectors import room_state_cache_clear

logger = logging.getLogger(__name__)

DB_SESSION_ENGINES = {
    "django.contrib.sessions.backends.db",
    "django.contrib.sessions.backends.cached_db",
}


@dataclass(frozen=True)
class PurgeLine:
    """What one rule found (and deleted, unless a dry run)."""

    key: str
    label: str
    days: int | None
    count: int
    detail: str = ""

    def __str__(self) -> str:
        if self.days is None:
            return f"{self.label}: kept for ever (THRESHOLD_RETENTION[{self.key!r}] is None)"
        extra = f" ({self.detail})" if self.detail else ""
        days = f"{self.days} day" if self.days == 1 else f"{self.days} days"
        return f"{self.label}, older than {days}: {self.count}{extra}"


@dataclass
class PurgeReport:
    dry_run: bool
    now: datetime
    lines: list[PurgeLine] = field(default_factory=list)

    def count(self, key: str) -> int:
        return next((line.count for line in self.lines if line.key == key), 0)


def schedule() -> dict[str, int | None]:
    """Return the retention schedule in force, refusing an unknown or negative entry."""
    configured: dict[str, Any] = dict(settings.THRESHOLD_RETENTION)
    unknown = sorted(set(configured) - set(RULES))
    if unknown:
        raise ValueError(
            f"THRESHOLD_RETENTION has unknown record types: {', '.join(unknown)}. "
            f"Known: {', '.join(RULES)}."
        )
    for key, days in configured.items():
        if days is not None and (not isinstance(days, int) or days < 0):
            raise ValueError(f"THRESHOLD_RETENTION[{key!r}] must be a whole number of days or None")
    return {key: configured.get(key) for key in RULES}


def rooms_with_released_evidence() -> set[int]:
    """Return the ids of rooms whose conference became released evidence."""
    refs = Evidence.objects.filter(
        kind=EvidenceKind.CONFERENCE_PLAYED,
        state=EvidenceState.RELEASED,
        source_ref__startswith="room:",
    ).values_list("source_ref", flat=True)
    ids: set[int] = set()
    for ref in refs:
        part = ref.split(":")[1]
        if part.isdigit():
            ids.add(int(part))
    return ids


def _with_transcript(rooms: QuerySet[Room]) -> QuerySet[Room]:
    return rooms.filter(Q(events__isnull=False) | Q(snapshot__isnull=False)).distinct()


def _purge_transcripts(rooms: QuerySet[Room], *, now: datetime, dry_run: bool) -> tuple[int, str]:
    ids = list(_with_transcript(rooms).values_list("pk", flat=True))
    events = RoomEvent.objects.filter(room_id__in=ids)
    count = events.count()
    if not dry_run and ids:
        with transaction.atomic():
            events.delete()
            Room.objects.filter(pk__in=ids).update(
                snapshot=None, snapshot_seq=0, transcript_purged_at=now
            )
        room_state_cache_clear()
    return len(ids), f"{count} events"


def _closed_before(cutoff: datetime) -> QuerySet[Room]:
    return Room.objects.filter(phase=Phase.CLOSED.value, updated_at__lt=cutoff)


def purge_room_transcripts(*, cutoff: datetime, now: datetime, dry_run: bool) -> tuple[int, str]:
    rooms = _closed_before(cutoff).exclude(pk__in=rooms_with_released_evidence())
    return _purge_transcripts(rooms, now=now, dry_run=dry_run)


def purge_evidence_room_transcripts(
    *, cutoff: datetime, now: datetime, dry_run: bool
) -> tuple[int, str]:
    rooms = _closed_before(cutoff).filter(pk__in=rooms_with_released_evidence())
    return _purge_transcripts(rooms, now=now, dry_run=dry_run)


def purge_unclosed_room_transcripts(
    *, cutoff: datetime, now: datetime, dry_run: bool
) -> tuple[int, str]:
    rooms = Room.objects.exclude(phase=Phase.CLOSED.value).filter(updated_at__lt=cutoff)
    return _purge_transcripts(rooms, now=now, dry_run=dry_run)


def _delete(queryset: QuerySet[Any], *, dry_run: bool) -> tuple[int, str]:
    count = queryset.count()
    if not dry_run and count:
        with transaction.atomic():
            queryset.delete()
    return count, ""


def purge_sent_xapi(*, cutoff: datetime, now: datetime, dry_run: bool) -> tuple[int, str]:
    return _delete(XapiStatement.objects.filter(sent_at__lt=cutoff), dry_run=dry_run)


def purge_unsent_xapi(*, cutoff: datetime, now: datetime, dry_run: bool) -> tuple[int, str]:
    return _delete(
        XapiStatement.objects.filter(sent_at__isnull=True, created_at__lt=cutoff), dry_run=dry_run
    )


def purge_sessions(*, cutoff: datetime, now: datetime, dry_run: bool) -> tuple[int, str]:
    if settings.SESSION_ENGINE in DB_SESSION_ENGINES:
        return _delete(Session.objects.filter(expire_date__lt=cutoff), dry_run=dry_run)
    # Other engines cannot be counted; clear_expired is what clearsessions runs.
    if not dry_run and cutoff >= now:
        import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
    return 0, f"{settings.SESSION_ENGINE} cannot be counted"


def purge_sign_in_throttles(*, cutoff: datetime, now: datetime, dry_run: bool) -> tuple[int, str]:
    """Failed sign-in counts whose window began before the cutoff and hold no lockout now."""
    stale = SignInThrottle.objects.filter(window_started__lt=cutoff).exclude(locked_until__gt=now)
    return _delete(stale, dry_run=dry_run)


Rule = Callable[..., tuple[int, str]]

#: Record type -> (what it is, rule). The order is the order of the report.
RULES: dict[str, tuple[str, Rule]] = {
    "room_transcripts": ("Conference transcripts of closed rooms (rooms)", purge_room_transcripts),
    "evidence_room_transcripts": (
        "Conference transcripts of closed rooms with released evidence (rooms; evidence kept)",
        purge_evidence_room_transcripts,
    ),
    "unclosed_room_transcripts": (
        "Conference transcripts of rooms never closed (rooms)",
        purge_unclosed_room_transcripts,
    ),
    "sent_xapi_statements": ("xAPI statements sent", purge_sent_xapi),
    "unsent_xapi_statements": ("xAPI statements never sent", purge_unsent_xapi),
    "expired_sessions": ("Expired sessions", purge_sessions),
    "sign_in_throttles": (
        "Counts of failed sign-ins (per keyed username or address, no lockout running)",
        purge_sign_in_throttles,
    ),
}


def purge_expired(*, dry_run: bool = False, now: datetime | None = None) -> PurgeReport:
    """Apply the retention schedule; return what was (or would be) deleted per record type."""
    now = now or timezone.now()
    report = PurgeReport(dry_run=dry_run, now=now)
    for key, days in schedule().items():
        label, rule = RULES[key]
        if days is None:
            report.lines.append(PurgeLine(key, label, None, 0))
            continue
        count, detail = rule(cutoff=now - timedelta(days=days), now=now, dry_run=dry_run)
        report.lines.append(PurgeLine(key, label, days, count, detail))
    logger.info(
        "Retention purge%s: %s",
        " (dry run)" if dry_run else "",
        ", ".join(f"{line.key}={line.count}" for line in report.lines),
    )
    if not dry_run:
        audit_record(
            action="retention.purge",
            details={line.key: line.count for line in report.lines if line.days is not None},
        )
    return report
