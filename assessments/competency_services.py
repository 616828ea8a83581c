"""Write-side operations on competencies, evidence, audit and certificates.

Evidence is recorded where things happen: ``assessments.services`` calls in
here when a chapter is submitted or a quiz passed, and
``simulations.scoring_services`` when a conference is scored (attendance,
role and score). Every recorder is idempotent on its ``source_ref``, so a
retried request or a re-score never doubles a record. Released evidence is
never changed (``Evidence.save`` refuses); a correction is new evidence.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import PlatformRole, User
from accounts.selectors import people_in_scope
from assessments.models import (
    AuditAction,
    AuditLog,
    Certificate,
    Competency,
    Evidence,
    EvidenceCompetency,
    EvidenceKind,
    EvidenceState,
    MappingSource,
)
from assessments.xapi import statement_queue
from audit.models import Outcome
from audit.services import AuditDetailsRefused, details_check
from audit.services import audit_record as audit_chain_record

FILE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
}


class EvidenceRefused(Exception):
    """Evidence that cannot be recorded as asked; ``message`` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# Audit
# ---------------------------------------------------------------------------


def audit_record(
    *,
    actor: User | None,
    action: str,
    what: str,
    subject: User | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Record who viewed, exported or changed competency records.

    The row here keeps the readable description; the same event also goes
    into the tamper-evident chained log (``audit``) as ``competency.<action>``
    with ids only, pointing back to this row.
    """
    actor = actor if actor is not None and actor.is_authenticated else None
    log = AuditLog.objects.create(
        actor=actor,
        action=action,
        what=what[:200],
        subject=subject,
        detail=detail or {},
    )
    ids: dict[str, Any] = {"competency_log": log.pk}
    for key, value in (detail or {}).items():
        try:
            details_check({key: value})
        except AuditDetailsRefused:
            continue  # free text stays in the competency log only
        ids[key] = value
    refused = action in {AuditAction.REFUSED, AuditAction.FRAMEWORK}
    audit_chain_record(
        action=f"competency.{action}",
        actor=actor,
        object_type="accounts.user" if subject is not None else "",
        object_id=subject.pk if subject is not None else None,
        outcome=Outcome.REFUSED if refused else Outcome.SUCCESS,
        details=ids,
    )
    return log


# ---------------------------------------------------------------------------
# Framework
# ---------------------------------------------------------------------------


def competency_delete_problem(competency: Competency) -> str | None:
    """Return why ``competency`` may not be deleted, or ``None`` if it may.

    Deleting a competency that evidence cites, or that objectives serve,
    would leave those records pointing at nothing.
    """
    count = EvidenceCompetency.objects.filter(competency=competency).count()
    if count:
        return (
            f"'{competency.title}' cannot be deleted: {count} piece"
            f"{'s' if count != 1 else ''} of evidence cite it, and deleting it would leave "
            "them orphaned. Untick 'Is active' instead: it will no longer be judged, and "
            "its evidence is kept."
        )
    if competency.objectives.exists():
        return (
            f"'{competency.title}' cannot be deleted: learning objectives serve it. Move "
            "them to another outcome first."
        )
    return None


def competencies_for(source: str, refs: Iterable[str]) -> list[Competency]:
    """Return the active competencies mapped to ``source``/``refs``, with their outcomes."""
    found = list(
        Competency.objects.filter(
            is_active=True, mappings__source=source, mappings__ref__in=list(refs)
        )
        .select_related("parent")
        .distinct()
    )
    parents = [c.parent for c in found if c.parent is not None and c.parent.is_active]
    unique = {c.pk: c for c in [*found, *parents]}
    return list(unique.values())


# ---------------------------------------------------------------------------
# Evidence
# ---------------------------------------------------------------------------


def evidence_record(
    *,
    user: User,
    kind: str,
    title: str,
    occurred_on: date,
    competencies: Iterable[Competency],
    source_ref: str = "",
    recorded_by: User | None = None,
    hours: Decimal | int | str = 0,
    participatory: bool = False,
    score_percent: int | None = None,
    detail: dict[str, Any] | None = None,
    state: str = EvidenceState.RELEASED,
    file: UploadedFile[bytes] | None = None,
) -> Evidence:
    """Record one piece of evidence; return the stored one if ``source_ref`` was seen.

    :param source_ref: what the evidence came from (``"chapter:12"``); the
        same user, kind and source are recorded once.
    """
    if source_ref:
        existing = Evidence.objects.filter(user=user, kind=kind, source_ref=source_ref).first()
        if existing is not None:
            return existing
    evidence = Evidence(
        user=user,
        kind=kind,
        title=title[:200],
        occurred_on=occurred_on,
        recorded_by=recorded_by,
        source_ref=source_ref,
        cpd_hours=Decimal(str(hours)),
        participatory=participatory,
        score_percent=score_percent,
        detail=detail or {},
        state=state,
    )
    if file is not None:
        evidence.file = file
    try:
        with transaction.atomic():
            evidence.save()
            EvidenceCompetency.objects.bulk_create(
                [EvidenceCompetency(evidence=evidence, competency=c) for c in competencies]
            )
            statement_queue(evidence)
    except IntegrityError:
        # Recorded meanwhile by another request for the same source.
        return Evidence.objects.get(user=user, kind=kind, source_ref=source_ref)
    return evidence


def chapter_evidence_record(*, user: User, chapter: Any, on: date) -> Evidence | None:
    """Record a submitted workbook chapter, if it is mapped to a competency."""
    competencies = competencies_for(MappingSource.WORKBOOK_CHAPTER, [str(chapter.pk)])
    if not competencies:
        return None
    return evidence_record(
        user=user,
        kind=EvidenceKind.WORKBOOK_CHAPTER,
        title=f"Workbook chapter: {chapter.title}",
        occurred_on=on,
        competencies=competencies,
        source_ref=f"chapter:{chapter.pk}:{on.isoformat()}",
        detail={"page_id": chapter.pk},
    )


def quiz_evidence_record(
    *, user: User, chapter: Any, block_id: str, score: int, out_of: int, on: date
) -> Evidence | None:
    """Record a passed quiz question; one mapped itself, or through its chapter."""
    competencies = competencies_for(MappingSource.QUIZ, [f"{chapter.pk}:{block_id}"])
    if not competencies:
        competencies = competencies_for(MappingSource.WORKBOOK_CHAPTER, [str(chapter.pk)])
    if not competencies:
        return None
    return evidence_record(
        user=user,
        kind=EvidenceKind.QUIZ_PASSED,
        title=f"Quiz passed in '{chapter.title}'",
        occurred_on=on,
        competencies=competencies,
        source_ref=f"quiz:{chapter.pk}:{block_id}:{on.isoformat()}",
        score_percent=round(100 * score / out_of) if out_of else None,
        detail={"page_id": chapter.pk, "block_id": block_id, "score": score, "out_of": out_of},
    )


def report_marked_evidence_record(
    *,
    user: User,
    chapter: Any,
    block_id: str,
    score_percent: int,
    marked_by: User,
    on: date,
) -> Evidence | None:
    """Record a conference report marked and released by a trainer."""
    competencies = competencies_for(MappingSource.REPORT_TASK, [f"{chapter.pk}:{block_id}"])
    if not competencies:
        return None
    return evidence_record(
        user=user,
        kind=EvidenceKind.REPORT_MARKED,
        title=f"Conference report marked: {chapter.title}",
        occurred_on=on,
        competencies=competencies,
        source_ref=f"report:{chapter.pk}:{block_id}:{on.isoformat()}",
        recorded_by=marked_by,
        score_percent=score_percent,
    )


def seminar_attendance_record(
    *,
    user: User,
    seminar_id: int,
    title: str,
    cohort: str,
    on: date,
    hours: Decimal | str | None = None,
    recorded_by: User | None = None,
) -> Evidence:
    """Record attendance at a seminar, with its participatory CPD hours."""
    refs = ["*", cohort] if cohort else ["*"]
    return evidence_record(
        user=user,
        kind=EvidenceKind.SEMINAR_ATTENDED,
        title=f"Seminar attended: {title}",
        occurred_on=on,
        competencies=competencies_for(MappingSource.SEMINAR, refs),
        source_ref=f"seminar:{seminar_id}",
        recorded_by=recorded_by,
        hours=hours if hours is not None else settings.THRESHOLD_SEMINAR_HOURS,
        participatory=True,
        detail={"seminar_id": seminar_id, "cohort": cohort},
    )


def conference_evidence_record(
    *,
    user: User,
    room_id: int,
    seminar_title: str,
    on: date,
    role: str,
    points: int,
    max_points: int,
    rule_ids: Iterable[str],
    rule_set_version: str,
) -> Evidence:
    """Record a mock conference played: the role and its score."""
    rule_ids = list(rule_ids)
    competencies = competencies_for(MappingSource.CONFERENCE_RULE, rule_ids)
    return evidence_record(
        user=user,
        kind=EvidenceKind.CONFERENCE_PLAYED,
        title=f"Mock conference as {role.replace('_', ' ')}: {seminar_title}",
        occurred_on=on,
        competencies=competencies,
        source_ref=f"room:{room_id}:{rule_set_version}",
        score_percent=round(100 * points / max_points) if max_points else None,
        detail={
            "room_id": room_id,
            "role": role,
            "points": points,
            "max_points": max_points,
            "rule_set_version": rule_set_version,
        },
    )


def may_sign_off(*, signer: User, person: User) -> bool:
    """Managers sign off people in their scope; trainers, people who attended their seminars.

    Attendance is the seminar-attended evidence a trainer's room recorded
    (``recorded_by`` is the seminar's trainer). Administrators may sign off anyone.
    """
    if signer.pk == person.pk:
        return False
    if signer.has_role(PlatformRole.ADMIN):
        return True
    if (
        signer.has_role(PlatformRole.TRAINER)
        and Evidence.objects.filter(
            user=person, kind=EvidenceKind.SEMINAR_ATTENDED, recorded_by=signer
        ).exists()
    ):
        return True
    return people_in_scope(manager=signer).filter(pk=person.pk).exists()


def sign_off_record(
    *, signer: User, person: User, competency: Competency, note: str, on: date | None = None
) -> Evidence:
    """Record a trainer's or manager's sign-off of one competency."""
    if not may_sign_off(signer=signer, person=person):
        raise EvidenceRefused(
            "You can only sign off people you manage or who attended a seminar you ran."
        )
    if not competency.is_active:
        raise EvidenceRefused(f"'{competency.title}' is no longer in use.")
    note = note.strip()
    if not note:
        raise EvidenceRefused("Say what you saw: enter a short note for the sign-off.")
    on = on or timezone.localdate()
    competencies = [competency, *([competency.parent] if competency.parent else [])]
    evidence = evidence_record(
        user=person,
        kind=EvidenceKind.SIGN_OFF,
        title=f"Signed off: {competency.title}",
        occurred_on=on,
        competencies=competencies,
        source_ref=f"sign_off:{competency.pk}:{signer.pk}:{on.isoformat()}",
        recorded_by=signer,
        detail={"note": note[:1000], "signer": signer.display_name},
    )
    audit_record(
        actor=signer,
        action=AuditAction.SIGN_OFF,
        what=f"Signed off {competency.code}",
        subject=person,
    )
    return evidence


def external_evidence_upload(
    *,
    user: User,
    title: str,
    occurred_on: date | None,
    hours: Decimal | None,
    participatory: bool,
    file: UploadedFile[bytes] | None,
) -> Evidence:
    """Keep evidence of training elsewhere, waiting for a trainer's or manager's review."""
    errors = []
    if not title.strip():
        errors.append("Enter the name of the training.")
    if occurred_on is None:
        errors.append("Enter the date of the training.")
    elif occurred_on > timezone.localdate():
        errors.append("The date of the training must be today or in the past.")
    if hours is not None:
        hours = Decimal(str(hours))
    if hours is None or not hours.is_finite() or not 0 < hours <= 100:
        errors.append("Enter the hours of training, a number from 0.5 to 100.")
    if file is None:
        errors.append("Choose a certificate or attendance record to upload.")
    else:
        problem = upload_problem(file)
        if problem:
            errors.append(problem)
    if errors:
        raise EvidenceRefused(" ".join(errors))
    evidence = evidence_record(
        user=user,
        kind=EvidenceKind.EXTERNAL_TRAINING,
        title=f"External training: {title.strip()}",
        occurred_on=occurred_on,  # type: ignore[arg-type]
        competencies=[],
        recorded_by=user,
        hours=hours,  # type: ignore[arg-type]
        participatory=participatory,
        state=EvidenceState.PENDING,
        file=file,
        detail={"filename": file.name},  # type: ignore[union-attr]
    )
    audit_record(actor=user, action=AuditAction.UPLOAD, what=evidence.title, subject=user)
    return evidence


def upload_problem(file: UploadedFile[bytes]) -> str | None:
    """Return why an uploaded file is refused (too large, wrong type), or ``None``."""
    limit = settings.THRESHOLD_EVIDENCE_MAX_BYTES
    suffix = Path(file.name or "").suffix.lower()
    allowed = settings.THRESHOLD_EVIDENCE_TYPES
    names = ", ".join(s.lstrip(".").upper() for s in allowed)
    if suffix not in allowed:
        return f"The file must be a {names}."
    if (file.size or 0) > limit:
        return f"The file must be smaller than {limit // (1024 * 1024)} MB."
    head = file.read(8)
    file.seek(0)
    if not any(head.startswith(sig) for sig in FILE_SIGNATURES.get(suffix, (b"",))):
        return f"The file is not a real {suffix.lstrip('.').upper()}: choose another file."
    return None


def evidence_release(*, reviewer: User, evidence: Evidence) -> Evidence:
    """Accept uploaded evidence: it now counts, and can no longer change."""
    if evidence.is_released:
        return evidence
    if not may_sign_off(signer=reviewer, person=evidence.user):
        raise EvidenceRefused("You can only review evidence of people you train or manage.")
    evidence.state = EvidenceState.RELEASED
    evidence.recorded_by = reviewer
    evidence.save()
    statement_queue(evidence)
    audit_record(
        actor=reviewer, action=AuditAction.RELEASE, what=evidence.title, subject=evidence.user
    )
    return evidence


# ---------------------------------------------------------------------------
# Certificates
# ---------------------------------------------------------------------------


def certificate_issue(
    *, user: User, title: str, valid_until: date | None, competencies: list[dict[str, str]]
) -> Certificate:
    """Issue a certificate (one per person per expiry date: re-asking returns it)."""
    existing = Certificate.objects.filter(
        user=user, valid_until=valid_until, revoked_at__isnull=True
    ).first()
    if existing is not None:
        return existing
    certificate = Certificate.objects.create(
        user=user,
        number=f"TH-{timezone.localdate():%Y}-{secrets.token_hex(4).upper()}",
        title=title,
        issued_on=timezone.localdate(),
        valid_until=valid_until,
        competencies=competencies,
    )
    audit_record(actor=user, action=AuditAction.CERTIFICATE, what=certificate.number, subject=user)
    return certificate
