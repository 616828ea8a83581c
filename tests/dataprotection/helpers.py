"""Rooms with transcripts, closed (or not) on a given day, for data-protection tests."""

from __future__ import annotations

from datetime import date, datetime

from accounts.models import User
from assessments.models import Evidence, EvidenceKind
from simulations.models import Room, RoomEvent, RoomScore, Seminar
from tests.simulations.rooms import open_room


def room_with_transcript(
    name: str,
    *,
    last_activity: datetime,
    closed: bool = True,
    events: int = 5,
    seminar: Seminar | None = None,
) -> Room:
    """Open a seated room with ``events`` events and a snapshot, last touched at ``last_activity``."""
    room = open_room(name=name, seminar=seminar)
    author = User.objects.get(username="delegate01")
    RoomEvent.objects.bulk_create(
        RoomEvent(
            room=room,
            seq=seq,
            kind="ReportSubmitted",
            data={"seq": seq, "text": f"{name} event {seq}"},
            command_id=f"{name}-{seq}",
            user=author,
        )
        for seq in range(1, events + 1)
    )
    Room.objects.filter(pk=room.pk).update(
        seq=events,
        snapshot={"phase": "closed" if closed else "discussion"},
        snapshot_seq=events,
        phase="closed" if closed else "discussion",
        updated_at=last_activity,
    )
    room.refresh_from_db()
    return room


def release_evidence(room: Room) -> list[Evidence]:
    """Score ``room`` (a stand-in scorecard) and release conference evidence to its delegates."""
    RoomScore.objects.create(
        room=room, rule_set_version="test-1", seq=room.seq, phase=room.phase, scorecard={}
    )
    return [
        Evidence.objects.create(
            user=seat.user,  # type: ignore[misc]
            kind=EvidenceKind.CONFERENCE_PLAYED,
            title=f"Mock conference as {seat.role}",
            occurred_on=date(2026, 1, 5),
            source_ref=f"room:{room.pk}:test-1",
            detail={"room_id": room.pk, "role": seat.role},
        )
        for seat in room.seats.filter(user__isnull=False)
    ]
