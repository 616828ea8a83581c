"""Everything the platform holds about one person, as a ZIP of JSON and CSV.

A subject-access request (UK GDPR Art. 15; Data Protection (Jersey) Law
2018 Art. 28) is answered with ``subject_access_zip(person)``, from
``manage.py subject_access_export USERNAME --out FILE.zip`` or the
staff-only page at ``/django-admin/subject-access/``. Each section is a JSON
file, and a CSV file beside it when the section is a table; nested values
(a report, a ballot) are JSON text inside the CSV cell.

Only the person's own records are included. What they did to other
people's records as a trainer, marker or manager appears as audit entries
without the other person's details (``_audit_entries_for``).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import date, datetime
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from django.db.models import Model, Q
from django.utils import timezone

from accounts.models import User
from assessments.competency_selectors import objectives_record, person_record
from assessments.models import (
    AuditLog,
    Certificate,
    ChapterProgress,
    Evidence,
    MarkingLogEntry,
    QuizAttempt,
    ReportSubmission,
    WorkbookAnswer,
)
from audit.models import AuditEntry, Outcome
from audit.services import audit_record
from simulations.models import RoomEvent, RoomScore, Seat

Rows = list[dict[str, Any]]

#: The audit action for a subject-access export, made or refused.
EXPORT_ACTION = "subject_access.export"

README = """Subject-access export for {username}, made {made}.

Each file holds one kind of record the platform keeps about you. JSON files
hold everything; a CSV file beside a JSON file holds the same rows as a table
(nested values are written as JSON text in the cell).

profile.json               your account: names, e-mail, team, roles, sign-in dates
seats.*                    the conference rooms you had a seat in, and your role
room_events.*              everything you did in a conference (your own commands)
conference_reports.*       your multi-agency reports in conferences (also in room_events)
conference_votes.*         your recommendations (votes) in conferences (also in room_events)
conference_scores.*        your role's score in each scored conference
workbook_answers.*         your written workbook answers and report drafts
quiz_attempts.*            every quiz answer you checked
chapter_progress.*         when you visited and submitted each workbook chapter
report_submissions.*       the conference reports you handed in, with their marks
marking_log.*              who did what to the marking of your reports, and when
evidence.*                 your competency evidence (uploaded files in evidence_files/)
certificates.*             your certificates
competency_status.json     how your competence stands today, per competency
audit_entries.*            audit log entries about you, and actions you took

Conference transcripts are deleted under the retention schedule (usually 90
days after the conference closed); scores and evidence are kept.
"""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, Model):
        return value.pk
    return value


def _rows(queryset: Iterable[Any], row: Callable[[Any], dict[str, Any]]) -> Rows:
    return [{k: _plain(v) for k, v in row(item).items()} for item in queryset]


def _profile(person: User) -> dict[str, Any]:
    team = person.team
    profile: dict[str, Any] = _plain(
        {
            "username": person.username,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "email": person.email,
            "job_title": person.job_title,
            "team": str(team.name) if team else "",
            "agency": str(team.agency.name) if team else "",
            "roles": sorted(person.groups.values_list("name", flat=True)),
            "manager_scope": person.manager_scope,
            "is_active": person.is_active,
            "is_staff": person.is_staff,
            "date_joined": person.date_joined,
            "last_login": person.last_login,
        }
    )
    return profile


def _seats(person: User) -> Rows:
    seats = Seat.objects.filter(user=person).select_related("room__seminar")
    return _rows(
        seats,
        lambda s: {
            "seminar": s.room.seminar.title,
            "seminar_date": s.room.seminar.date,
            "room": s.room.name,
            "room_id": s.room_id,
            "role": s.role,
            "joined_at": s.joined_at,
            "covered_by_trainer": s.covered_by_trainer,
        },
    )


def _events(person: User, kinds: Iterable[str] | None = None) -> Rows:
    events = RoomEvent.objects.filter(user=person).select_related("room").order_by("created_at")
    if kinds is not None:
        events = events.filter(kind__in=list(kinds))
    return _rows(
        events,
        lambda e: {
            "room": e.room.name,
            "room_id": e.room_id,
            "seq": e.seq,
            "kind": e.kind,
            "at": e.created_at,
            "data": e.data,
        },
    )


def _scores(person: User) -> Rows:
    seats = list(Seat.objects.filter(user=person).select_related("room__seminar"))
    scores_by_room: dict[int, list[RoomScore]] = {}
    for room_score in RoomScore.objects.filter(room_id__in=[s.room_id for s in seats]):
        scores_by_room.setdefault(room_score.room_id, []).append(room_score)
    rows: Rows = []
    for seat in seats:
        for score in scores_by_room.get(seat.room_id, []):
            total = score.totals.get("roles", {}).get(seat.role, {})
            findings = [
                f
                for f in score.scorecard.get("findings", [])
                if f.get("subject", {}).get("id") == seat.role
            ]
            rows.append(
                _plain(
                    {
                        "seminar": seat.room.seminar.title,
                        "room": seat.room.name,
                        "role": seat.role,
                        "rule_set_version": score.rule_set_version,
                        "scored_at": score.scored_at,
                        "points": total.get("points"),
                        "max_points": total.get("max_points"),
                        "findings": findings,
                    }
                )
            )
    return rows


def _submissions(person: User) -> Rows:
    submissions = ReportSubmission.objects.filter(user=person).prefetch_related(
        "criterion_marks__criterion", "criterion_marks__level"
    )
    return _rows(
        submissions,
        lambda s: {
            "id": s.pk,
            "page_id": s.page_id,
            "block_id": s.block_id,
            "scenario": s.scenario_slug,
            "submitted_at": s.submitted_at,
            "report": s.report,
            "automatic_findings": s.findings,
            "status": s.status,
            "overall_comment": s.overall_comment,
            "marked_at": s.marked_at,
            "moderation": s.moderation,
            "moderation_reason": s.moderation_reason,
            "released_at": s.released_at,
            "criterion_marks": [
                {
                    "criterion": m.criterion.title,
                    "level": m.level.label,
                    "points": m.level.points,
                    "comment": m.comment,
                }
                for m in s.criterion_marks.all()
            ],
        },
    )


def _evidence(person: User) -> Rows:
    evidence = Evidence.objects.filter(user=person).prefetch_related("competencies")
    return _rows(
        evidence,
        lambda e: {
            "id": e.pk,
            "kind": e.kind,
            "title": e.title,
            "occurred_on": e.occurred_on,
            "recorded_at": e.recorded_at,
            "recorded_by_you": e.recorded_by_id == person.pk,
            "competencies": sorted(c.code for c in e.competencies.all()),
            "cpd_hours": e.cpd_hours,
            "participatory": e.participatory,
            "score_percent": e.score_percent,
            "detail": e.detail,
            "file": PurePosixPath(e.file.name).name if e.file else "",
            "state": e.state,
            "released_at": e.released_at,
        },
    )


def _audit_entries_for(user: User) -> Rows:
    """Return the audit entries about ``user`` and those of actions ``user`` took.

    Entries about the person are complete. Entries of what they did to
    someone else's record keep the action and time but not the other
    person's identity or details. This is the one place to add further
    audit stores to the export: the competency log and the chained audit log.
    """
    entries = AuditLog.objects.filter(Q(subject=user) | Q(actor=user)).order_by("at", "pk")
    rows: Rows = []
    for entry in entries:
        about_them = entry.subject_id == user.pk
        rows.append(
            _plain(
                {
                    "source": "assessments.AuditLog",
                    "at": entry.at,
                    "action": entry.action,
                    "what": entry.what if about_them or entry.subject_id is None else "",
                    "by_you": entry.actor_id == user.pk,
                    "about_you": about_them,
                    "detail": entry.detail if about_them else {},
                }
            )
        )
    chained = AuditEntry.objects.filter(
        Q(actor_id=user.pk) | Q(object_type="accounts.user", object_id=str(user.pk))
    ).order_by("seq")
    for chained_entry in chained:
        about_them = (
            chained_entry.object_type == "accounts.user" and chained_entry.object_id == str(user.pk)
        )
        rows.append(
            _plain(
                {
                    "source": "audit.AuditEntry",
                    "at": chained_entry.created,
                    "action": chained_entry.action,
                    "what": (
                        f"{chained_entry.object_type} {chained_entry.object_id}".strip()
                        if about_them or not chained_entry.object_type
                        else chained_entry.object_type
                    ),
                    "by_you": chained_entry.actor_id == user.pk,
                    "about_you": about_them,
                    "outcome": chained_entry.outcome,
                    "detail": chained_entry.details if about_them else {},
                }
            )
        )
    return rows


def _competency_status(person: User) -> dict[str, Any]:
    today = timezone.localdate()
    status: dict[str, Any] = _plain(
        {
            "on": today,
            "outcomes": asdict(person_record(person=person, today=today)),
            "learning_objectives": asdict(objectives_record(person=person, today=today)),
        }
    )
    return status


def subject_access_sections(person: User) -> dict[str, Any]:
    """Return every section of the export: a dict for one record, a list for a table."""
    return {
        "profile": _profile(person),
        "seats": _seats(person),
        "room_events": _events(person),
        "conference_reports": _events(person, ["ReportSubmitted"]),
        "conference_votes": _events(person, ["VoteCast"]),
        "conference_scores": _scores(person),
        "workbook_answers": _rows(
            WorkbookAnswer.objects.filter(user=person),
            lambda a: {
                "page_id": a.page_id,
                "block_id": a.block_id,
                "kind": a.kind,
                "value": a.value,
                "revision": a.revision,
                "created_at": a.created_at,
                "updated_at": a.updated_at,
            },
        ),
        "quiz_attempts": _rows(
            QuizAttempt.objects.filter(user=person),
            lambda q: {
                "page_id": q.page_id,
                "block_id": q.block_id,
                "response": q.response,
                "is_correct": q.is_correct,
                "score": q.score,
                "out_of": q.out_of,
                "at": q.created_at,
            },
        ),
        "chapter_progress": _rows(
            ChapterProgress.objects.filter(user=person),
            lambda c: {
                "page_id": c.page_id,
                "workbook_id": c.workbook_id,
                "first_visited_at": c.first_visited_at,
                "last_visited_at": c.last_visited_at,
                "submitted_at": c.submitted_at,
            },
        ),
        "report_submissions": _submissions(person),
        "marking_log": _rows(
            MarkingLogEntry.objects.filter(submission__user=person),
            lambda m: {
                "submission_id": m.submission_id,
                "action": m.action,
                "note": m.note,
                "marks": m.marks,
                "at": m.at,
            },
        ),
        "evidence": _evidence(person),
        "certificates": _rows(
            Certificate.objects.filter(user=person),
            lambda c: {
                "number": c.number,
                "title": c.title,
                "issued_on": c.issued_on,
                "valid_until": c.valid_until,
                "competencies": c.competencies,
                "issued_at": c.issued_at,
                "revoked_at": c.revoked_at,
            },
        ),
        "competency_status": _competency_status(person),
        "audit_entries": _audit_entries_for(person),
    }


def _csv(rows: Rows) -> str:
    columns: list[str] = []
    for row in rows:
        columns.extend(key for key in row if key not in columns)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow(
            {
                key: json.dumps(value, ensure_ascii=False)
                if isinstance(value, (dict, list))
                else value
                for key, value in row.items()
            }
        )
    return out.getvalue()


def subject_access_zip(person: User) -> bytes:
    """Return the ZIP of everything held about ``person``."""
    buffer = io.BytesIO()
    made = timezone.now()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt", README.format(username=person.username, made=made.isoformat())
        )
        for name, section in subject_access_sections(person).items():
            archive.writestr(f"{name}.json", json.dumps(section, indent=2, ensure_ascii=False))
            if isinstance(section, list):
                archive.writestr(f"{name}.csv", _csv(section))
        for evidence in Evidence.objects.filter(user=person).exclude(file=""):
            try:
                with evidence.file.open("rb") as handle:
                    data = handle.read()
            except OSError:
                continue  # listed in evidence.json; the file itself is gone
            archive.writestr(
                f"evidence_files/{evidence.pk}-{PurePosixPath(evidence.file.name or 'file').name}",
                data,
            )
    return buffer.getvalue()


def subject_access_export(*, person: User, actor: User | None, via: str) -> bytes:
    """Return the export of ``person`` and record it in the audit log.

    :param actor: who asked for it; ``None`` from the command line.
    :param via: how it was asked for, as a code (``admin``, ``command``).
    """
    data = subject_access_zip(person)
    audit_record(
        action=EXPORT_ACTION,
        actor=actor,
        object_type="accounts.user",
        object_id=person.pk,
        details={"via": via, "bytes": len(data)},
    )
    return data


def subject_access_refused(*, actor: User) -> None:
    """Record that ``actor`` asked for a subject-access export and was refused."""
    audit_record(action=EXPORT_ACTION, actor=actor, outcome=Outcome.REFUSED)
