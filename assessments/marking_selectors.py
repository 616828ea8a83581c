"""Read-side of report marking: the queue, the marking page, the delegate's view.

Citation keys on findings and rubric criteria are resolved here, through
``content.citations``, as in force on the day the report was handed in; a
key that no longer resolves is shown as text rather than a broken link.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from django.db.models import QuerySet
from wagtail.models import Page

from accounts.models import User
from assessments.models import (
    MarkingLogEntry,
    MarkingStatus,
    ReportSubmission,
    RubricCriterion,
    RubricLevel,
)
from content.citations import CitationError, resolve_citation
from content.models import WorkbookPage

QUEUE_FILTERS: Final = {
    "to-mark": ("Awaiting marking or in draft", (MarkingStatus.AWAITING, MarkingStatus.DRAFT)),
    "marked": ("Marked, awaiting release", (MarkingStatus.MARKED,)),
    "released": ("Released", (MarkingStatus.RELEASED,)),
    "all": ("All", tuple(MarkingStatus)),
}
VERDICT_TAGS: Final = {
    "met": ("Met", "green"),
    "partly_met": ("Partly met", "yellow"),
    "not_met": ("Not met", "red"),
    "not_applicable": ("Does not apply", "grey"),
    "not_assessable": ("Not assessable", "grey"),
}
STATUS_TAGS: Final[dict[str, str]] = {
    MarkingStatus.AWAITING: "govuk-tag--blue",
    MarkingStatus.DRAFT: "govuk-tag--yellow",
    MarkingStatus.MARKED: "govuk-tag--purple",
    MarkingStatus.RELEASED: "govuk-tag--green",
}


@dataclass(frozen=True, slots=True)
class CitationLink:
    key: str
    title: str
    url: str = ""  # empty when the key no longer resolves


def citation_links(keys: list[str], *, on: date | None) -> list[CitationLink]:
    links = []
    for key in keys:
        try:
            citation = resolve_citation(key, on=on)
        except CitationError:
            links.append(CitationLink(key=key, title=key))
        else:
            links.append(CitationLink(key=key, title=citation.title, url=citation.url))
    return links


@dataclass(frozen=True, slots=True)
class FindingView:
    rule_id: str
    title: str
    verdict: str
    verdict_label: str
    colour: str  # for the finding's border, as on conference scorecards
    points: int
    max_points: int
    explanation: str
    citations: list[CitationLink]

    @property
    def tag_class(self) -> str:
        return f"govuk-tag--{self.colour or 'grey'}"


def finding_views(submission: ReportSubmission) -> list[FindingView]:
    on = submission.submitted_at.date()
    views = []
    for finding in submission.findings:
        label, colour = VERDICT_TAGS.get(finding.get("verdict", ""), ("Unknown", "grey"))
        views.append(
            FindingView(
                rule_id=finding.get("rule_id", ""),
                title=finding.get("title", ""),
                verdict=finding.get("verdict", ""),
                verdict_label=label,
                colour="" if colour == "grey" else colour,
                points=int(finding.get("points", 0)),
                max_points=int(finding.get("max_points", 0)),
                explanation=finding.get("explanation", ""),
                citations=citation_links(list(finding.get("citations", [])), on=on),
            )
        )
    return views


@dataclass(slots=True)
class CriterionView:
    criterion: RubricCriterion
    citations: list[CitationLink]
    levels: list[RubricLevel]
    level_id: int | None = None
    comment: str = ""
    error: str = ""

    @property
    def level(self) -> RubricLevel | None:
        return next((lvl for lvl in self.levels if lvl.pk == self.level_id), None)

    @property
    def max_points(self) -> int:
        return max((lvl.points for lvl in self.levels), default=0)

    @property
    def field(self) -> str:
        return f"level-{self.criterion.pk}"

    @property
    def comment_field(self) -> str:
        return f"comment-{self.criterion.pk}"


@dataclass(slots=True)
class RubricView:
    criteria: list[CriterionView]
    overall_comment: str = ""
    errors: list[tuple[str, str]] = field(default_factory=list)  # (field id, message)

    @property
    def points(self) -> int:
        return sum(c.level.points for c in self.criteria if c.level is not None)

    @property
    def max_points(self) -> int:
        return sum(c.max_points for c in self.criteria)


def rubric_view(submission: ReportSubmission, data: dict[str, Any] | None = None) -> RubricView:
    """Return the rubric with the stored marks, or with ``data`` a form sent back."""
    levels = list(RubricLevel.objects.filter(rubric_id=submission.rubric_id))
    marks = {m.criterion_id: m for m in submission.criterion_marks.all()}
    on = submission.submitted_at.date()
    criteria = []
    for criterion in RubricCriterion.objects.filter(rubric_id=submission.rubric_id):
        mark = marks.get(criterion.pk)
        view = CriterionView(
            criterion=criterion,
            citations=citation_links(list(criterion.citation_keys), on=on),
            levels=levels,
            level_id=mark.level_id if mark else None,
            comment=mark.comment if mark else "",
        )
        if data is not None:
            view.level_id = data.get("levels", {}).get(criterion.pk)
            view.comment = data.get("comments", {}).get(criterion.pk, "")
            view.error = data.get("errors", {}).get(criterion.pk, "")
        criteria.append(view)
    overall = submission.overall_comment if data is None else data.get("overall_comment", "")
    errors = [] if data is None else list(data.get("summary", []))
    return RubricView(criteria=criteria, overall_comment=overall, errors=errors)


@dataclass(frozen=True, slots=True)
class ReportView:
    """Enough of a report block's state for the print template's report partial."""

    value: Any
    print_sections: list[Any]


def report_view(submission: ReportSubmission) -> ReportView | None:
    """Return the handed-in report laid out as the template, or None if the task is gone."""
    chapter = submission.page.specific
    find = getattr(chapter, "find_block", None)
    child = find(submission.block_id) if find else None
    if child is None:
        return None
    sections = child.block.section_views(child.value, submission.report, blank_rows=False)
    return ReportView(value=child.value, print_sections=list(sections))


def marking_queue(
    *, status: str = "to-mark", workbook_id: int | None = None
) -> QuerySet[ReportSubmission]:
    """Return handed-in reports in ``status`` (a key of QUEUE_FILTERS), oldest first."""
    _, statuses = QUEUE_FILTERS.get(status, QUEUE_FILTERS["to-mark"])
    queue = ReportSubmission.objects.filter(status__in=statuses).select_related(
        "user", "page", "workbook", "marker", "moderator"
    )
    if workbook_id is not None:
        queue = queue.filter(workbook_id=workbook_id)
    return queue.order_by("submitted_at", "pk")


def marking_workbooks() -> QuerySet[WorkbookPage]:
    """Return the workbooks any report was handed in from, for the queue's filter."""
    ids = ReportSubmission.objects.values("workbook_id")
    return WorkbookPage.objects.filter(pk__in=ids).order_by("title")  # type: ignore[no-any-return]


def report_handed_in(*, user: User, chapter: Page, at: datetime) -> bool:
    """Return whether submitting ``chapter`` at ``at`` handed in a report."""
    return ReportSubmission.objects.filter(user=user, page=chapter, submitted_at=at).exists()


def marking_log(submission: ReportSubmission) -> QuerySet[MarkingLogEntry]:
    return submission.log_entries.select_related("actor")


@dataclass(frozen=True, slots=True)
class ReportResult:
    """A delegate's handed-in report: its mark once released, else only its status."""

    submission: ReportSubmission
    released: bool
    rubric: RubricView | None
    findings: list[FindingView]


def report_results(*, user: User, workbook: WorkbookPage) -> list[ReportResult]:
    """Return every report the delegate handed in from ``workbook``, newest first.

    Marks, comments and findings are shown only once released; before that
    the delegate sees that the report is awaiting marking.
    """
    results = []
    submissions = ReportSubmission.objects.filter(user=user, workbook=workbook).select_related(
        "page"
    )
    for submission in submissions.order_by("-submitted_at", "-pk"):
        released = submission.status == MarkingStatus.RELEASED
        results.append(
            ReportResult(
                submission=submission,
                released=released,
                rubric=rubric_view(submission) if released else None,
                findings=finding_views(submission) if released else [],
            )
        )
    return results
