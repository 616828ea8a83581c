"""Write-side operations on delegates' workbook work.

Every function takes the user explicitly and writes only that user's rows;
views pass ``request.user`` and never an id that came from the browser.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Page

from accounts.models import User
from assessments.competency_services import chapter_evidence_record, quiz_evidence_record
from assessments.marking_services import report_submissions_record
from assessments.models import ChapterProgress, QuizAttempt, WorkbookAnswer
from content.blocks import QuizOutcome
from scenarios.identifiers import identifier_allowlist
from simulations.engine.identifiers import IdentifierMatch, describe, find_in_texts, strings_in

logger = logging.getLogger(__name__)


class RealIdentifierRefused(ValueError):
    """An answer carries a real-looking identifier; nothing was saved.

    ``found`` holds each identifier with its path in the answer value;
    ``problems`` are messages for the delegate, each naming the kind of
    identifier and that path.
    """

    def __init__(self, found: list[tuple[str, IdentifierMatch]]) -> None:
        self.found = found
        self.problems = [describe(match, f"the answer field {where!r}") for where, match in found]
        super().__init__("; ".join(self.problems))


class SaveStatus(StrEnum):
    SAVED = "saved"
    UNCHANGED = "unchanged"
    STALE_REVISION = "stale_revision"  # saved meanwhile from another tab or device
    STALE_STRUCTURE = "stale_structure"  # the block was edited since the form was opened


@dataclass(frozen=True, slots=True)
class SaveResult:
    status: SaveStatus
    answer: WorkbookAnswer | None

    @property
    def is_saved(self) -> bool:
        return self.status in {SaveStatus.SAVED, SaveStatus.UNCHANGED}


def answer_save(
    *,
    user: User,
    page: Page,
    block_id: str,
    kind: str,
    value: dict[str, Any],
    structure: str,
    client_structure: str,
    client_revision: int,
    now: datetime | None = None,
) -> SaveResult:
    """Save a delegate's answer to one block, unless their form is stale.

    :param structure: the block's shape now (from the live page).
    :param client_structure: the block's shape when the form was rendered.
    :param client_revision: the answer revision the form was rendered with
        (0 for an answer not yet saved).

    A stale form never overwrites: the stored answer stays as it is and the
    caller shows the delegate their unsaved text. An answer that carries a
    real-looking identifier (an NHS number, an e-mail address at a real
    domain, a date of birth...) raises RealIdentifierRefused and changes
    nothing: workbook reports hold invented case details only.
    """
    now = now or timezone.now()
    found = find_in_texts(strings_in(value), allowed=identifier_allowlist())
    if found:
        logger.warning(
            "Answer to page %s block %s by user %s refused: %d real-looking identifier(s)",
            page.pk,
            block_id,
            user.pk,
            len(found),
        )
        raise RealIdentifierRefused(found)
    if client_structure != structure:
        return SaveResult(
            SaveStatus.STALE_STRUCTURE, answer_get(user=user, page=page, block_id=block_id)
        )
    with transaction.atomic():
        answer = (
            WorkbookAnswer.objects.select_for_update()
            .filter(user=user, page=page, block_id=block_id)
            .first()
        )
        if answer is None:
            try:
                with transaction.atomic():
                    answer = WorkbookAnswer.objects.create(
                        user=user,
                        page=page,
                        block_id=block_id,
                        kind=kind,
                        value=value,
                        structure=structure,
                        revision=1,
                        created_at=now,
                        updated_at=now,
                    )
            except IntegrityError:
                # Another request created it first: this form is now behind.
                return SaveResult(
                    SaveStatus.STALE_REVISION,
                    answer_get(user=user, page=page, block_id=block_id),
                )
            _progress_touch(user=user, page=page, block_id=block_id, now=now)
            return SaveResult(SaveStatus.SAVED, answer)
        if client_revision != answer.revision:
            return SaveResult(SaveStatus.STALE_REVISION, answer)
        if answer.value == value and answer.structure == structure:
            return SaveResult(SaveStatus.UNCHANGED, answer)
        answer.value = value
        answer.structure = structure
        answer.revision += 1
        answer.updated_at = now
        answer.save(update_fields=["value", "structure", "revision", "updated_at"])
    _progress_touch(user=user, page=page, block_id=block_id, now=now)
    return SaveResult(SaveStatus.SAVED, answer)


def answer_get(*, user: User, page: Page, block_id: str) -> WorkbookAnswer | None:
    return WorkbookAnswer.objects.filter(user=user, page=page, block_id=block_id).first()


def reading_record(
    *, user: User, page: Page, block_id: str, structure: str, now: datetime | None = None
) -> WorkbookAnswer:
    """Record that a delegate opened a reading task (first and latest time)."""
    now = now or timezone.now()
    answer, created = WorkbookAnswer.objects.get_or_create(
        user=user,
        page=page,
        block_id=block_id,
        defaults={
            "kind": "reading",
            "value": {"opened": True},
            "structure": structure,
            "created_at": now,
            "updated_at": now,
        },
    )
    if not created:
        WorkbookAnswer.objects.filter(pk=answer.pk).update(updated_at=now)
    _progress_touch(user=user, page=page, block_id=block_id, now=now)
    return answer


def quiz_attempt_record(
    *,
    user: User,
    page: Page,
    block_id: str,
    response: dict[str, Any],
    outcome: QuizOutcome,
    structure: str,
    now: datetime | None = None,
) -> QuizAttempt:
    now = now or timezone.now()
    attempt = QuizAttempt.objects.create(
        user=user,
        page=page,
        block_id=block_id,
        response=response,
        is_correct=outcome.is_correct,
        score=outcome.score,
        out_of=outcome.out_of,
        structure=structure,
        created_at=now,
    )
    _progress_touch(user=user, page=page, block_id=block_id, now=now)
    if outcome.is_correct:
        quiz_evidence_record(
            user=user,
            chapter=page,
            block_id=block_id,
            score=outcome.score,
            out_of=outcome.out_of,
            on=timezone.localdate(now),
        )
    return attempt


def chapter_visit_record(
    *, user: User, chapter: Page, workbook: Page, now: datetime | None = None
) -> None:
    """Note that a delegate opened a chapter (for "resume where you left off")."""
    now = now or timezone.now()
    updated = ChapterProgress.objects.filter(user=user, page=chapter).update(last_visited_at=now)
    if not updated:
        try:
            with transaction.atomic():
                ChapterProgress.objects.create(
                    user=user,
                    page=chapter,
                    workbook=workbook,
                    first_visited_at=now,
                    last_visited_at=now,
                )
        except IntegrityError:
            ChapterProgress.objects.filter(user=user, page=chapter).update(last_visited_at=now)


def chapter_submit(
    *, user: User, chapter: Page, workbook: Page, now: datetime | None = None
) -> ChapterProgress:
    """Mark a chapter as submitted (again, if it was submitted before).

    Any conference report in the chapter is handed in for marking too.
    A submitted chapter mapped to a competency is recorded as evidence.
    """
    now = now or timezone.now()
    progress, _ = ChapterProgress.objects.update_or_create(
        user=user,
        page=chapter,
        defaults={"submitted_at": now, "last_visited_at": now},
        create_defaults={
            "workbook": workbook,
            "submitted_at": now,
            "first_visited_at": now,
            "last_visited_at": now,
        },
    )
    report_submissions_record(user=user, chapter=chapter, workbook=workbook, now=now)
    chapter_evidence_record(user=user, chapter=chapter, on=timezone.localdate(now))
    return progress


def _progress_touch(*, user: User, page: Page, block_id: str, now: datetime) -> None:
    """Remember the block a delegate last worked on, for resuming."""
    ChapterProgress.objects.filter(user=user, page=page).update(
        last_block_id=block_id, last_visited_at=now
    )
