"""The retention schedule: exactly the expired, non-evidence records go; --dry-run deletes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone

from accounts.models import SignInThrottle, ThrottleScope, User
from assessments.models import Evidence, XapiStatement
from audit.models import AuditEntry
from simulations.models import Room, RoomEvent, RoomScore
from tests.dataprotection.helpers import release_evidence, room_with_transcript

pytestmark = pytest.mark.django_db


def xapi(*, created_days_ago: int, sent_days_ago: int | None) -> XapiStatement:
    now = timezone.now()
    return XapiStatement.objects.create(
        statement_id=uuid.uuid4(),
        statement={"verb": "completed"},
        created_at=now - timedelta(days=created_days_ago),
        sent_at=None if sent_days_ago is None else now - timedelta(days=sent_days_ago),
    )


@pytest.fixture
def seeded(demo_people: dict[str, User], citations_resolve: None) -> dict[str, object]:
    now = timezone.now()
    old = now - timedelta(days=100)
    rooms = {
        "old": room_with_transcript("Old", last_activity=old),
        "old_evidence": room_with_transcript("Old with evidence", last_activity=old),
        "recent": room_with_transcript("Recent", last_activity=now - timedelta(days=10)),
        "open_100": room_with_transcript("Open 100", last_activity=old, closed=False),
        "open_200": room_with_transcript(
            "Open 200", last_activity=now - timedelta(days=200), closed=False
        ),
    }
    evidence = release_evidence(rooms["old_evidence"])
    statements = {
        "sent_old": xapi(created_days_ago=50, sent_days_ago=40),
        "sent_new": xapi(created_days_ago=12, sent_days_ago=10),
        "unsent_old": xapi(created_days_ago=400, sent_days_ago=None),
        "unsent_new": xapi(created_days_ago=10, sent_days_ago=None),
    }
    expired = SessionStore()
    expired["x"] = 1
    expired.set_expiry(-10)
    expired.create()
    Session.objects.filter(session_key=expired.session_key).update(
        expire_date=now - timedelta(days=1)
    )
    live = SessionStore()
    live["x"] = 1
    live.create()
    throttles = {
        name: SignInThrottle.objects.create(
            scope=ThrottleScope.USERNAME,
            key=name,
            failures=5,
            window_started=now - timedelta(days=days),
            locked_until=None if locked is None else now + timedelta(minutes=locked),
        )
        for name, days, locked in (
            ("stale", 3, None),
            ("stale_lock_over", 3, -60),
            ("stale_still_locked", 3, 10),  # a lockout running: kept until it ends
            ("today", 0, None),
        )
    }
    return {
        "throttles": throttles,
        "rooms": rooms,
        "evidence": evidence,
        "statements": statements,
        "expired": expired.session_key,
        "live": live.session_key,
    }


def transcript(room: Room) -> tuple[int, bool]:
    room.refresh_from_db()
    return RoomEvent.objects.filter(room=room).count(), room.snapshot is not None


def test_dry_run_reports_and_deletes_nothing(seeded: dict) -> None:  # type: ignore[type-arg]
    events, sessions, statements = (
        RoomEvent.objects.count(),
        Session.objects.count(),
        XapiStatement.objects.count(),
    )
    out = StringIO()
    call_command("purge_expired", dry_run=True, stdout=out)
    text = out.getvalue()
    assert (
        "Would delete: Conference transcripts of closed rooms (rooms), older than 90 days: 1 (5 events)"
        in text
    )
    assert "with released evidence (rooms; evidence kept), older than 90 days: 1 (5 events)" in text
    assert "rooms never closed (rooms), older than 180 days: 1 (5 events)" in text
    assert "xAPI statements sent, older than 30 days: 1" in text
    assert "xAPI statements never sent, older than 365 days: 1" in text
    assert "Expired sessions, older than 0 days: 1" in text
    assert "no lockout running), older than 1 day: 2" in text
    assert "Dry run: nothing was deleted." in text
    assert SignInThrottle.objects.count() == 4
    assert not AuditEntry.objects.filter(action="retention.purge").exists()
    assert (RoomEvent.objects.count(), Session.objects.count(), XapiStatement.objects.count()) == (
        events,
        sessions,
        statements,
    )
    assert not Room.objects.filter(transcript_purged_at__isnull=False).exists()


def test_purge_deletes_exactly_the_expired_records(seeded: dict) -> None:  # type: ignore[type-arg]
    rooms = seeded["rooms"]
    out = StringIO()
    call_command("purge_expired", stdout=out)
    assert "Deleted: Conference transcripts of closed rooms (rooms), older than 90 days: 1" in (
        out.getvalue()
    )
    assert transcript(rooms["old"]) == (0, False)
    assert transcript(rooms["old_evidence"]) == (0, False)
    assert transcript(rooms["open_200"]) == (0, False)
    assert transcript(rooms["recent"]) == (5, True)
    assert transcript(rooms["open_100"]) == (5, True)
    for key in ("old", "old_evidence", "open_200"):
        assert rooms[key].transcript_purged_at is not None
        assert rooms[key].seats.filter(user__isnull=False).count() == 9  # who played stays
    assert rooms["recent"].transcript_purged_at is None
    # Released evidence and the scorecard stay, untouched.
    kept = Evidence.objects.filter(pk__in=[e.pk for e in seeded["evidence"]])
    assert kept.count() == 9
    assert all(e.is_released for e in kept)
    assert RoomScore.objects.filter(room=rooms["old_evidence"]).count() == 1
    left = {s.statement_id for s in XapiStatement.objects.all()}
    statements = seeded["statements"]
    assert left == {statements["sent_new"].statement_id, statements["unsent_new"].statement_id}
    assert not Session.objects.filter(session_key=seeded["expired"]).exists()
    assert Session.objects.filter(session_key=seeded["live"]).exists()
    assert set(SignInThrottle.objects.values_list("key", flat=True)) == {
        "stale_still_locked",
        "today",
    }
    # The run is in the audit log, with its counts and no actor.
    (entry,) = AuditEntry.objects.filter(action="retention.purge")
    assert entry.actor_id is None
    assert entry.details["room_transcripts"] == 1
    assert entry.details["sign_in_throttles"] == 2

    again = StringIO()
    call_command("purge_expired", stdout=again)
    assert "older than 90 days: 0" in again.getvalue()
    assert "xAPI statements sent, older than 30 days: 0" in again.getvalue()


def test_evidence_transcripts_can_be_kept(seeded: dict) -> None:  # type: ignore[type-arg]
    rooms = seeded["rooms"]
    from django.conf import settings

    schedule = {**settings.THRESHOLD_RETENTION, "evidence_room_transcripts": None}
    with override_settings(THRESHOLD_RETENTION=schedule):
        out = StringIO()
        call_command("purge_expired", stdout=out)
    assert "released evidence (rooms; evidence kept): kept for ever" in out.getvalue()
    assert transcript(rooms["old_evidence"]) == (5, True)
    assert transcript(rooms["old"]) == (0, False)


def test_a_purged_room_says_so_in_its_replay(seeded: dict) -> None:  # type: ignore[type-arg]
    from simulations.scoring_selectors import room_replay

    call_command("purge_expired", stdout=StringIO())
    room = seeded["rooms"]["old"]
    room.refresh_from_db()
    replay = room_replay(room=room, casefile=None)
    assert replay.entries == []
    assert "deleted on" in replay.problem and "retention schedule" in replay.problem


@pytest.mark.parametrize(
    ("schedule", "needle"),
    [
        ({"room_transcripts": -1}, "must be a whole number of days or None"),
        ({"chat_logs": 30}, "unknown record types: chat_logs"),
    ],
)
def test_a_bad_schedule_is_refused_and_nothing_is_deleted(
    seeded: dict,  # type: ignore[type-arg]
    schedule: dict,  # type: ignore[type-arg]
    needle: str,
) -> None:
    events = RoomEvent.objects.count()
    with override_settings(THRESHOLD_RETENTION=schedule), pytest.raises(CommandError, match=needle):
        call_command("purge_expired", stdout=StringIO())
    assert RoomEvent.objects.count() == events
