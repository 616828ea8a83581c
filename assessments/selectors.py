"""Read-side queries about delegates' workbook work, always for one person.

Each selector takes the user explicitly and filters every query on it, so
one delegate's answers can never appear in another's page. The results are
plain view objects for templates: a chapter's blocks with their state, a
workbook's progress per chapter, quiz results and the printable copy.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property, lru_cache
from typing import Any

from django.urls import reverse

from accounts.models import User
from assessments.models import ChapterProgress, QuizAttempt, WorkbookAnswer
from content.blocks import AnswerKind, QuizOutcome, answerable, block_summary
from content.blocks.base import citation_or_none
from content.citations import Citation
from content.models import WorkbookChapterPage, WorkbookPage


@lru_cache(maxsize=8192)
def block_url(name: str, page_id: int, block_id: str) -> str:
    """Reverse a per-block URL; a chapter asks for dozens of them per render."""
    return reverse(name, args=[page_id, block_id])


class CitationMemo:
    """Resolve each citation key once per request."""

    def __init__(self) -> None:
        self._resolved: dict[str, Citation | None] = {}

    def get(self, key: str) -> Citation | None:
        if key not in self._resolved:
            self._resolved[key] = citation_or_none(key)
        return self._resolved[key]


@dataclass(eq=False)
class BlockState:
    """One block of a chapter as a delegate sees it, with their answer.

    The display overrides (``shown_value``, ``errors``, ``message``,
    ``unsaved``, ``response``) are set when a submission could not be saved,
    so the form comes back with exactly what the delegate sent.
    """

    page_id: int
    child: Any
    answer: WorkbookAnswer | None = None
    attempt: QuizAttempt | None = None
    attempts: int = 0
    citation: Citation | None = None
    shown_value: dict[str, Any] | None = None
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    message_title: str = ""
    unsaved: list[tuple[str, str]] = field(default_factory=list)
    response: dict[str, Any] | None = None
    quiz_error: str = ""
    just_checked: bool = False
    just_saved: bool = False
    focus: str = ""  # a field to focus after a row or statement is added

    # Identity ------------------------------------------------------------
    @property
    def block_id(self) -> str:
        return str(self.child.id)

    @property
    def block(self) -> Any:
        return self.child.block

    @property
    def value(self) -> Any:
        return self.child.value

    @property
    def block_type(self) -> str:
        return str(self.child.block_type)

    @property
    def kind(self) -> str | None:
        return getattr(self.block, "answer_kind", None)

    @property
    def citation_key(self) -> str:
        return str(self.value.get("citation_key", "")) if hasattr(self.value, "get") else ""

    @property
    def dom_id(self) -> str:
        return f"block-{self.block_id}"

    @property
    def form_id(self) -> str:
        return f"answer-form-{self.block_id}"

    @property
    def status_id(self) -> str:
        return f"answer-status-{self.block_id}"

    # URLs ------------------------------------------------------------------
    @property
    def answer_url(self) -> str:
        return block_url("workbook_answer", self.page_id, self.block_id)

    @property
    def check_url(self) -> str:
        return block_url("workbook_quiz_check", self.page_id, self.block_id)

    @property
    def read_url(self) -> str:
        return block_url("workbook_reading", self.page_id, self.block_id)

    # Answers -----------------------------------------------------------------
    @cached_property
    def structure(self) -> str:
        return str(self.block.structure_signature(self.value)) if self.kind else ""

    @property
    def revision(self) -> int:
        return self.answer.revision if self.answer else 0

    @property
    def saved_at(self) -> datetime | None:
        return self.answer.updated_at if self.answer else None

    @property
    def answer_value(self) -> dict[str, Any] | None:
        if self.shown_value is not None:
            return self.shown_value
        return self.answer.value if self.answer else None

    @cached_property
    def fields(self) -> list[Any]:
        return list(self.block.answer_fields(self.value, self.answer_value, self.errors))

    @cached_property
    def sections(self) -> list[Any]:
        return list(self.block.section_views(self.value, self.answer_value, self.errors))

    @cached_property
    def print_sections(self) -> list[Any]:
        return list(self.block.section_views(self.value, self.answer_value, blank_rows=False))

    @property
    def is_read(self) -> bool:
        return self.kind == AnswerKind.READING and self.answer is not None

    # Quizzes -----------------------------------------------------------------
    @property
    def attempt_is_current(self) -> bool:
        return self.attempt is not None and self.attempt.structure == self.structure

    @property
    def question_changed(self) -> bool:
        """The delegate answered an earlier version of this question."""
        return self.attempt is not None and not self.attempt_is_current

    @cached_property
    def outcome(self) -> QuizOutcome | None:
        if self.kind != AnswerKind.QUIZ or self.quiz_error:
            return None
        if not self.attempt_is_current or self.attempt is None:
            return None
        try:
            return self.block.mark(self.value, self.attempt.response)
        except (KeyError, ValueError, TypeError):
            return None

    @property
    def shown_response(self) -> dict[str, Any]:
        if self.response is not None:
            return self.response
        if self.attempt_is_current and self.attempt is not None:
            return dict(self.attempt.response)
        return {}

    @cached_property
    def choices(self) -> list[Any]:
        return list(self.block.choice_views(self.value, self.shown_response))

    @cached_property
    def positions(self) -> list[Any]:
        return list(self.block.position_views(self.value, self.shown_response))

    # Progress ----------------------------------------------------------------
    @cached_property
    def progress(self) -> tuple[int, int]:
        if not self.kind:
            return 0, 0
        stored = self.answer.value if self.answer else None
        return self.block.progress(self.value, stored, attempted=self.attempt is not None)

    @property
    def is_done(self) -> bool:
        done, total = self.progress
        return total > 0 and done == total

    @property
    def summary(self) -> str:
        return block_summary(self.block, self.value)


@dataclass(frozen=True)
class ChapterLink:
    page_id: int
    title: str
    number: int

    @property
    def url(self) -> str:
        return reverse("workbook_chapter", args=[self.page_id])


@dataclass
class ChapterView:
    chapter: WorkbookChapterPage
    workbook: WorkbookPage
    states: list[BlockState]
    number: int
    count: int
    previous: ChapterLink | None
    next: ChapterLink | None
    progress: ChapterProgress | None

    @property
    def done(self) -> int:
        return sum(state.progress[0] for state in self.states)

    @property
    def total(self) -> int:
        return sum(state.progress[1] for state in self.states)

    @property
    def submitted_at(self) -> datetime | None:
        return self.progress.submitted_at if self.progress else None

    @property
    def changed_since_submitted(self) -> bool:
        submitted = self.submitted_at
        if submitted is None:
            return False
        latest = [s.answer.updated_at for s in self.states if s.answer is not None]
        latest += [s.attempt.created_at for s in self.states if s.attempt is not None]
        return any(moment > submitted for moment in latest)

    def state_for(self, block_id: str) -> BlockState | None:
        for state in self.states:
            if state.block_id == block_id:
                return state
        return None


# Chapters ---------------------------------------------------------------------


def chapter_get_live(*, page_id: int) -> WorkbookChapterPage | None:
    return WorkbookChapterPage.objects.live().filter(pk=page_id).first()


def workbook_of(chapter: WorkbookChapterPage) -> WorkbookPage | None:
    return (
        WorkbookPage.objects.live()
        .filter(path=chapter.path[: -WorkbookPage.steplen], depth=chapter.depth - 1)
        .first()
    )


def workbook_get_live(*, page_id: int) -> WorkbookPage | None:
    return WorkbookPage.objects.live().filter(pk=page_id).first()


def workbook_chapters(workbook: WorkbookPage) -> list[WorkbookChapterPage]:
    return list(workbook.chapters())


def _chapter_links(workbook: WorkbookPage) -> list[ChapterLink]:
    rows = (
        WorkbookChapterPage.objects.live()
        .child_of(workbook)
        .order_by("path")
        .values_list("pk", "title")
    )
    return [ChapterLink(pk, title, number) for number, (pk, title) in enumerate(rows, start=1)]


def _latest_attempts(
    *, user: User, page_ids: Iterable[int]
) -> tuple[dict[tuple[int, str], QuizAttempt], dict[tuple[int, str], int]]:
    latest: dict[tuple[int, str], QuizAttempt] = {}
    counts: dict[tuple[int, str], int] = {}
    attempts = QuizAttempt.objects.filter(user=user, page_id__in=list(page_ids)).order_by(
        "-created_at", "-pk"
    )
    for attempt in attempts:
        key = (attempt.page_id, attempt.block_id)
        latest.setdefault(key, attempt)
        counts[key] = counts.get(key, 0) + 1
    return latest, counts


def _answers(*, user: User, page_ids: Iterable[int]) -> dict[tuple[int, str], WorkbookAnswer]:
    return {
        (answer.page_id, answer.block_id): answer
        for answer in WorkbookAnswer.objects.filter(user=user, page_id__in=list(page_ids))
    }


def block_states(
    *,
    user: User,
    chapter: WorkbookChapterPage,
    memo: CitationMemo | None = None,
    answers: dict[tuple[int, str], WorkbookAnswer] | None = None,
    attempts: tuple[dict[tuple[int, str], QuizAttempt], dict[tuple[int, str], int]] | None = None,
) -> list[BlockState]:
    """Return every block of ``chapter`` with ``user``'s answers and attempts."""
    memo = memo or CitationMemo()
    if answers is None:
        answers = _answers(user=user, page_ids=[chapter.pk])
    latest, counts = attempts or _latest_attempts(user=user, page_ids=[chapter.pk])
    states = []
    for child in chapter.body:
        key = (chapter.pk, str(child.id))
        state = BlockState(
            page_id=chapter.pk,
            child=child,
            answer=answers.get(key),
            attempt=latest.get(key),
            attempts=counts.get(key, 0),
        )
        if state.citation_key:
            state.citation = memo.get(state.citation_key)
        states.append(state)
    return states


def chapter_view(
    *, user: User, chapter: WorkbookChapterPage, workbook: WorkbookPage
) -> ChapterView:
    links = _chapter_links(workbook)
    index = next((i for i, link in enumerate(links) if link.page_id == chapter.pk), 0)
    return ChapterView(
        chapter=chapter,
        workbook=workbook,
        states=block_states(user=user, chapter=chapter),
        number=index + 1,
        count=len(links),
        previous=links[index - 1] if index > 0 else None,
        next=links[index + 1] if index + 1 < len(links) else None,
        progress=ChapterProgress.objects.filter(user=user, page=chapter).first(),
    )


def block_state(*, user: User, chapter: WorkbookChapterPage, child: Any) -> BlockState:
    """Return one block's state for ``user`` (after a save or a check)."""
    attempts = QuizAttempt.objects.filter(user=user, page=chapter, block_id=child.id)
    is_quiz = getattr(child.block, "answer_kind", None) == AnswerKind.QUIZ
    state = BlockState(
        page_id=chapter.pk,
        child=child,
        answer=WorkbookAnswer.objects.filter(user=user, page=chapter, block_id=child.id).first(),
        attempt=attempts.first() if is_quiz else None,
        attempts=attempts.count() if is_quiz else 0,
    )
    if state.citation_key:
        state.citation = CitationMemo().get(state.citation_key)
    return state


# Workbook progress ---------------------------------------------------------


@dataclass
class ChapterRow:
    link: ChapterLink
    summary: str
    done: int
    total: int
    visited: bool
    submitted_at: datetime | None
    last_block_id: str

    @property
    def status(self) -> str:
        if self.submitted_at:
            return "Submitted"
        if self.done or self.visited:
            return "In progress"
        return "Not yet started"

    @property
    def status_class(self) -> str:
        return {
            "Submitted": "",
            "In progress": "govuk-tag--light-blue",
            "Not yet started": "govuk-tag--grey",
        }[self.status]


@dataclass
class WorkbookProgress:
    workbook: WorkbookPage
    rows: list[ChapterRow]
    resume_url: str
    resume_title: str
    started: bool

    @property
    def done(self) -> int:
        return sum(row.done for row in self.rows)

    @property
    def total(self) -> int:
        return sum(row.total for row in self.rows)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def submitted(self) -> int:
        return sum(1 for row in self.rows if row.submitted_at)

    @property
    def is_complete(self) -> bool:
        return bool(self.rows) and self.submitted == len(self.rows)


def workbook_progress(*, user: User, workbook: WorkbookPage) -> WorkbookProgress:
    """Return ``user``'s progress in each chapter and where to resume."""
    chapters = workbook_chapters(workbook)
    page_ids = [chapter.pk for chapter in chapters]
    answers = _answers(user=user, page_ids=page_ids)
    attempted = set(
        QuizAttempt.objects.filter(user=user, page_id__in=page_ids)
        .values_list("page_id", "block_id")
        .distinct()
    )
    progress = {
        p.page_id: p for p in ChapterProgress.objects.filter(user=user, page_id__in=page_ids)
    }
    rows = []
    for number, chapter in enumerate(chapters, start=1):
        done = total = 0
        for child in chapter.body:
            if not answerable(child.block):
                continue
            answer = answers.get((chapter.pk, str(child.id)))
            block_done, block_total = child.block.progress(
                child.value,
                answer.value if answer else None,
                attempted=(chapter.pk, str(child.id)) in attempted,
            )
            done += block_done
            total += block_total
        record = progress.get(chapter.pk)
        rows.append(
            ChapterRow(
                link=ChapterLink(chapter.pk, chapter.title, number),
                summary=chapter.summary,
                done=done,
                total=total,
                visited=record is not None,
                submitted_at=record.submitted_at if record else None,
                last_block_id=record.last_block_id if record else "",
            )
        )
    latest = max(progress.values(), key=lambda p: p.last_visited_at, default=None)
    if latest is not None:
        row = next(r for r in rows if r.link.page_id == latest.page_id)
        anchor = f"#block-{latest.last_block_id}" if latest.last_block_id else ""
        resume_url, resume_title = row.link.url + anchor, row.link.title
    elif rows:
        resume_url, resume_title = rows[0].link.url, rows[0].link.title
    else:
        resume_url, resume_title = reverse("workbook_contents", args=[workbook.pk]), ""
    return WorkbookProgress(
        workbook=workbook,
        rows=rows,
        resume_url=resume_url,
        resume_title=resume_title,
        started=bool(progress),
    )


def workbooks_progress(*, user: User) -> list[WorkbookProgress]:
    """Return progress in every live workbook, for the delegate's dashboard."""
    return [
        workbook_progress(user=user, workbook=workbook)
        for workbook in WorkbookPage.objects.live().public().order_by("path")
    ]


# Quiz results and the printable copy -----------------------------------------


@dataclass
class ChapterStates:
    link: ChapterLink
    chapter: WorkbookChapterPage
    states: list[BlockState]

    @property
    def quizzes(self) -> list[BlockState]:
        return [state for state in self.states if state.kind == AnswerKind.QUIZ]

    @property
    def readings(self) -> list[BlockState]:
        return [state for state in self.states if state.is_read]

    @property
    def answered(self) -> list[BlockState]:
        return [
            state
            for state in self.states
            if state.kind and (state.answer is not None or state.attempt is not None)
        ]


def workbook_states(*, user: User, workbook: WorkbookPage) -> list[ChapterStates]:
    """Return every chapter's blocks with ``user``'s work, in a fixed number of queries."""
    chapters = workbook_chapters(workbook)
    page_ids = [chapter.pk for chapter in chapters]
    answers = _answers(user=user, page_ids=page_ids)
    attempts = _latest_attempts(user=user, page_ids=page_ids)
    memo = CitationMemo()
    return [
        ChapterStates(
            link=ChapterLink(chapter.pk, chapter.title, number),
            chapter=chapter,
            states=block_states(
                user=user, chapter=chapter, memo=memo, answers=answers, attempts=attempts
            ),
        )
        for number, chapter in enumerate(chapters, start=1)
    ]
