"""Marking the workbook's conference report: checks, rubric, moderation, release.

When a delegate submits a chapter holding a conference-report task, their
report is handed in (:func:`report_submissions_record`): a copy is kept and
the engine's report rules run over it. A trainer then marks it against the
rubric, a second trainer may moderate, and a trainer releases the mark to
the delegate. The order is fixed:

    awaiting --draft--> draft --mark--> marked --release--> released
    awaiting ---------------mark------> marked
    marked --moderate (agree, or change with a reason), once--> marked

Any other step (releasing an unmarked report, changing a released one,
marking one's own report, moderating one's own mark) raises
:class:`MarkingRefused` with a message for the person, and changes nothing.
Every step that does happen is written to the marking log with who and when.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

from django.db import transaction
from django.utils import timezone
from wagtail.models import Page

from accounts.models import PlatformRole, User
from assessments.competency_services import report_marked_evidence_record
from assessments.marking_selectors import rubric_view
from assessments.models import (
    CriterionMark,
    MarkingLogEntry,
    MarkingRubric,
    MarkingStatus,
    Moderation,
    ReportSubmission,
    RubricCriterion,
    RubricLevel,
    WorkbookAnswer,
)
from content.blocks import ReportTaskBlock
from content.blocks.report import SECTIONS_BY_KEY, THRESHOLD
from scenarios.selectors import scenario_casefile, scenario_list
from simulations.engine.casefile import Scenario as Casefile
from simulations.engine.casefile import render_scenario
from simulations.engine.rules import RULES
from simulations.engine.ruleset import DEFAULT_RULE_SET
from simulations.engine.scoring import Finding, RuleSet
from simulations.engine.state import Statement
from simulations.engine.vocabulary import Provenance, ReportSection, Role
from simulations.engine.written_report import (
    FamilyMember,
    WrittenReport,
    score_written_report,
)

DEFAULT_RUBRIC_SLUG: Final = "conference-report-2026"
_G: Final = "guidance:procedures-summary:para-"

DEFAULT_RUBRIC: Final[Mapping[str, Any]] = {
    "slug": DEFAULT_RUBRIC_SLUG,
    "title": "Conference report rubric (2026)",
    "levels": [
        ("Not yet", "The report does not show this yet.", 0),
        ("Developing", "Some of this is present, with clear gaps.", 1),
        ("Secure", "This is done well throughout the report.", 2),
        ("Strong", "Done consistently, and the conference could act on it as written.", 3),
    ],
    "criteria": [
        (
            "Child at the centre",
            "Each worry says what it means for the child: their safety, daily life and "
            "development, not only what the adults do.",
            [f"{_G}48"],
        ),
        (
            "Evidence the conference can weigh",
            "Facts, observations, allegations and opinions are told apart, second-hand "
            "information names its source and no assumption is written as a fact.",
            [f"{_G}49", f"{_G}54", f"{_G}55"],
        ),
        (
            "The child's voice and the family's views",
            "The child's own words and lived experience are recorded, with the parents' and "
            "network's views, and any communication needs taken into account.",
            [f"{_G}86", f"{_G}85"],
        ),
        (
            "Analysis and a clear view",
            "Strengths, complicating factors and worries are weighed into a view on the "
            "threshold and the category, with reasons the chair can follow.",
            [f"{_G}15", f"{_G}23"],
        ),
        (
            "Next steps and safety",
            "What needs to happen is specific: what would show the child is safe enough, and "
            "how the writer's service will help.",
            [f"{_G}80"],
        ),
        (
            "A complete, shareable report",
            "Every section of the template is completed, including parental responsibility and "
            "communication needs, and the report was shared with the family or the reason why "
            "not is recorded.",
            [f"{_G}47", f"{_G}56"],
        ),
    ],
}
"""The default rubric as data: levels shared by every criterion, and criteria."""


class MarkingRefused(Exception):
    """A marking step that cannot happen; ``message`` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# ---------------------------------------------------------------------------
# The rubric
# ---------------------------------------------------------------------------


def rubric_default_ensure() -> MarkingRubric:
    """Return the default rubric, creating it from :data:`DEFAULT_RUBRIC` once."""
    rubric = MarkingRubric.objects.filter(is_default=True).first()
    if rubric is not None:
        return rubric
    with transaction.atomic():
        rubric, created = MarkingRubric.objects.get_or_create(
            slug=DEFAULT_RUBRIC["slug"],
            defaults={"title": DEFAULT_RUBRIC["title"], "is_default": True},
        )
        if created:
            RubricLevel.objects.bulk_create(
                RubricLevel(rubric=rubric, order=n, label=label, descriptor=text, points=points)
                for n, (label, text, points) in enumerate(DEFAULT_RUBRIC["levels"], 1)
            )
            RubricCriterion.objects.bulk_create(
                RubricCriterion(
                    rubric=rubric, order=n, title=title, description=text, citation_keys=keys
                )
                for n, (title, text, keys) in enumerate(DEFAULT_RUBRIC["criteria"], 1)
            )
    return rubric


# ---------------------------------------------------------------------------
# The stored answer as the engine's report
# ---------------------------------------------------------------------------

# The workbook's free-text sections, by the engine's section they fill.
_TEXT_SECTIONS: Final[Mapping[ReportSection, tuple[str, ...]]] = {
    ReportSection.WORKING_WELL: ("working_well.text",),
    ReportSection.COMPLICATING_FACTORS: ("complicating_factors.text",),
    ReportSection.VIEWS_OF_CHILD: ("child_views.text",),
    ReportSection.VIEWS_OF_PARENTS: ("network_views.text",),
    ReportSection.NEXT_STEPS: ("next_steps.text",),
    ReportSection.VIEW_ON_PLANNING: ("views.trajectory",),
    ReportSection.VIEW_ON_THRESHOLD: ("views.threshold", "views.threshold_reason"),
    ReportSection.VIEW_ON_CATEGORY: ("views.category", "views.other_categories"),
    ReportSection.SERVICE_SUPPORT: ("views.service_support",),
}
_STATEMENT_SECTIONS: Final[Mapping[ReportSection, str]] = {
    ReportSection.WORRIES: "worries",
    ReportSection.OBSERVATIONS_OF_CHILD: "observations",
}
# Header and sign-off fields every report needs; "attending_instead" is only
# needed when the writer is not attending.
_DETAIL_PARTS: Final = ("about", "sign_off")
_OPTIONAL_DETAILS: Final = frozenset({"about.attending_instead"})
_THRESHOLD_LABELS: Final = dict(THRESHOLD)
_FALLBACK_AUTHOR: Final = Role.HEALTH_VISITOR


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(item) for item in value if item)
    return str(value or "").strip()


def author_role(agency: str) -> Role:
    """Return the conference role an agency name stands for.

    The workbook asks for the writer's agency as free text; a report rule
    only needs a role that writes reports, so an agency the words do not
    recognise is read as a health visitor's report (the demo case's usual
    writer), which changes no check.
    """
    text = agency.casefold()
    aliases = {
        Role.LEAD_SOCIAL_WORKER: ("social care", "social work"),
        Role.HEALTH_VISITOR: ("health visit",),
        Role.DESIGNATED_TEACHER: ("school", "teacher", "education", "nursery"),
        Role.GP: ("gp", "general practi", "doctor", "surgery"),
        Role.HOUSING: ("housing", "andium"),
        Role.POLICE: ("police",),
    }
    for role, words in aliases.items():
        if any(re.search(rf"\b{re.escape(word)}", text) for word in words):
            return role
    return _FALLBACK_AUTHOR


def written_report_from_answer(value: Mapping[str, Any]) -> WrittenReport:
    """Convert a stored report answer into the engine's :class:`WrittenReport`.

    Statements become lines of their section (one worry per line, as the
    worries rule reads them); a choice field is its label. Sharing counts
    as done when its date is filled in.
    """
    fields: Mapping[str, Any] = value.get("fields", {}) or {}
    tables: Mapping[str, Any] = value.get("tables", {}) or {}
    statements_by_section: Mapping[str, Any] = value.get("statements", {}) or {}
    sections: dict[ReportSection, str] = {}
    for section, keys in _TEXT_SECTIONS.items():
        parts = []
        for key in keys:
            content = fields.get(key)
            if key == "views.threshold":
                content = _THRESHOLD_LABELS.get(str(content), "") if content != "unsure" else ""
            parts.append(_text(content))
        sections[section] = "\n".join(part for part in parts if part)
    statements: list[Statement] = []
    for section, key in _STATEMENT_SECTIONS.items():
        lines = []
        for item in statements_by_section.get(key, []) or []:
            text = _text(item.get("text"))
            if not text:
                continue
            lines.append(text)
            tag = item.get("tag", "")
            if tag in Provenance._value2member_map_:
                statements.append(
                    Statement(
                        text=text,
                        provenance=Provenance(tag),
                        second_hand=bool(item.get("second_hand")),
                        source=_text(item.get("source")),
                    )
                )
        sections[section] = "\n".join(lines)
    missing: dict[str, tuple[str, ...]] = {}
    for part in _DETAIL_PARTS:
        template = SECTIONS_BY_KEY[part]
        empty = []
        for report_field in template.fields:
            key = f"{part}.{report_field.key}"
            if key in _OPTIONAL_DETAILS and fields.get("about.attending") != "no":
                continue
            if not _text(fields.get(key)):
                empty.append(report_field.label)
        missing[template.title] = tuple(empty)
    parents_on = _text(fields.get("sharing.shared_with_parents"))
    child_on = _text(fields.get("sharing.shared_with_young_person"))
    reason = _text(fields.get("sharing.not_shared_reason"))

    def people(key: str, *, carers: bool = False) -> tuple[FamilyMember, ...]:
        return tuple(
            FamilyMember(
                name=_text(row.get("name")),
                communication_needs=_text(row.get("communication_needs")),
                parental_responsibility=_text(row.get("parental_responsibility"))
                if carers
                else None,
            )
            for row in tables.get(key, []) or []
            if any(row.values())
        )

    return WrittenReport(
        author=author_role(_text(fields.get("about.agency"))),
        sections=sections,
        statements=tuple(statements),
        shared_with_parents=bool(parents_on) if (parents_on or child_on or reason) else None,
        shared_with_child=bool(child_on) if (parents_on or child_on or reason) else None,
        reason_not_shared=reason,
        children=people("children"),
        carers=people("carers", carers=True),
        missing_details=missing,
    )


def _casefile_for(block_value: Any, on: datetime) -> Casefile | None:
    """Return the case a report task is about, when exactly one scenario fits.

    The workbook's report task names its case in the instructions (for
    example "Write the report for Jayden's conference"); a live scenario
    whose child is named there is that case. None when no scenario, or more
    than one, matches: provenance is then not checked against a case.
    """
    instructions = str(getattr(block_value.get("instructions"), "source", "") or "")
    instructions += " " + str(block_value.get("title", ""))
    matches = []
    for scenario in scenario_list():
        try:
            casefile = scenario_casefile(scenario=scenario)
        except (KeyError, ValueError):
            continue
        names = [child.given_name for child in casefile.household.children]
        if names and any(re.search(rf"\b{re.escape(n)}\b", instructions) for n in names):
            matches.append(casefile)
    if len(matches) != 1:
        return None
    try:
        return render_scenario(matches[0], seminar_date=on.date())
    except (KeyError, ValueError):
        return None


def _finding_dict(finding: Finding) -> dict[str, Any]:
    rule = RULES.get(finding.rule_id)
    return {
        "rule_id": finding.rule_id,
        "title": rule.title if rule else finding.rule_id,
        "verdict": finding.verdict.value,
        "points": finding.points,
        "max_points": finding.max_points,
        "explanation": finding.explanation,
        "citations": list(finding.citations),
    }


def report_findings(
    *,
    value: Mapping[str, Any],
    block_value: Any,
    submitted_at: datetime,
    ruleset: RuleSet = DEFAULT_RULE_SET,
) -> tuple[list[dict[str, Any]], str]:
    """Return the automatic findings for a report answer, and the case's slug."""
    casefile = _casefile_for(block_value, submitted_at)
    findings = score_written_report(
        report=written_report_from_answer(value),
        ruleset=ruleset,
        submitted_at=submitted_at,
        casefile=casefile,
    )
    return [_finding_dict(f) for f in findings], casefile.slug if casefile else ""


# ---------------------------------------------------------------------------
# Handing in
# ---------------------------------------------------------------------------


def report_submissions_record(
    *, user: User, chapter: Page, workbook: Page, now: datetime | None = None
) -> list[ReportSubmission]:
    """Hand in every conference report the chapter holds, with its checks.

    A report not yet marked is replaced by the new copy (the delegate
    changed it before anyone looked); once a trainer has started marking,
    a resubmission is a new submission beside the old one. A report task
    with no answer is not handed in.
    """
    now = now or timezone.now()
    body = getattr(chapter.specific, "body", None)
    if body is None:
        return []
    recorded = []
    rubric = rubric_default_ensure()
    for child in body:
        if not isinstance(child.block, ReportTaskBlock):
            continue
        answer = WorkbookAnswer.objects.filter(user=user, page=chapter, block_id=child.id).first()
        if answer is None:
            continue
        value = child.block.compact(answer.value)
        findings, slug = report_findings(value=value, block_value=child.value, submitted_at=now)
        with transaction.atomic():
            submission = (
                ReportSubmission.objects.select_for_update()
                .filter(user=user, page=chapter, block_id=child.id, status=MarkingStatus.AWAITING)
                .first()
            )
            if submission is None:
                submission = ReportSubmission(
                    user=user, page=chapter, workbook=workbook, block_id=child.id, rubric=rubric
                )
            submission.report = value
            submission.findings = findings
            submission.rule_set_version = DEFAULT_RULE_SET.version
            submission.scenario_slug = slug
            submission.submitted_at = now
            submission.save()
            _log(submission, user, MarkingLogEntry.Action.SUBMITTED, now=now)
        recorded.append(submission)
    return recorded


# ---------------------------------------------------------------------------
# Marking, moderation and release
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RubricMarks:
    """What a marker chose: a level per criterion, comments, an overall comment.

    Keys are criterion ids; ``levels`` may leave criteria out in a draft.
    """

    levels: Mapping[int, int]
    comments: Mapping[int, str]
    overall_comment: str = ""


def _log(
    submission: ReportSubmission,
    actor: User,
    action: str,
    *,
    now: datetime,
    note: str = "",
    marks: Mapping[str, Any] | None = None,
) -> None:
    MarkingLogEntry.objects.create(
        submission=submission, actor=actor, action=action, note=note, marks=marks or {}, at=now
    )


def _locked(submission_id: int) -> ReportSubmission:
    try:
        return ReportSubmission.objects.select_for_update().get(pk=submission_id)
    except ReportSubmission.DoesNotExist:
        raise MarkingRefused("There is no such report to mark.") from None


def _check_trainer(user: User, submission: ReportSubmission) -> None:
    if not user.has_role(PlatformRole.TRAINER):
        raise MarkingRefused("Only trainers can mark reports.")
    if submission.user_id == user.pk:
        raise MarkingRefused("You cannot mark your own report. Ask another trainer to mark it.")


def _snapshot(submission: ReportSubmission) -> dict[str, Any]:
    return {
        "levels": {
            str(mark.criterion_id): mark.level_id for mark in submission.criterion_marks.all()
        },
        "comments": {
            str(mark.criterion_id): mark.comment
            for mark in submission.criterion_marks.all()
            if mark.comment
        },
        "overall_comment": submission.overall_comment,
    }


def _write_marks(submission: ReportSubmission, marks: RubricMarks, *, complete: bool) -> None:
    """Replace the submission's criterion marks; refuse levels from another rubric."""
    criteria = {c.pk: c for c in RubricCriterion.objects.filter(rubric_id=submission.rubric_id)}
    levels = {lvl.pk: lvl for lvl in RubricLevel.objects.filter(rubric_id=submission.rubric_id)}
    unknown = [
        key for key, level in marks.levels.items() if key not in criteria or level not in levels
    ]
    if unknown or any(key not in criteria for key in marks.comments):
        raise MarkingRefused("The marks name a criterion or level that is not in this rubric.")
    missing = [c.title for c in criteria.values() if c.pk not in marks.levels]
    if complete and missing:
        raise MarkingRefused(f"Choose a level for every criterion. Missing: {'; '.join(missing)}.")
    submission.criterion_marks.all().delete()
    CriterionMark.objects.bulk_create(
        CriterionMark(
            submission=submission,
            criterion=criteria[key],
            level=levels[level],
            comment=marks.comments.get(key, "").strip(),
        )
        for key, level in marks.levels.items()
    )
    submission.overall_comment = marks.overall_comment.strip()


def marking_save(
    *,
    submission_id: int,
    marker: User,
    marks: RubricMarks,
    complete: bool,
    now: datetime | None = None,
) -> ReportSubmission:
    """Save a trainer's marks as a draft, or as the finished mark.

    :param complete: True to finish marking (every criterion needs a level);
        False to keep a draft, which may leave criteria out.
    """
    now = now or timezone.now()
    with transaction.atomic():
        submission = _locked(submission_id)
        _check_trainer(marker, submission)
        if submission.status == MarkingStatus.RELEASED:
            raise MarkingRefused("This mark has been released to the delegate and cannot change.")
        if submission.status == MarkingStatus.MARKED:
            raise MarkingRefused(
                "This report has already been marked. A second trainer can moderate the mark."
            )
        _write_marks(submission, marks, complete=complete)
        submission.marker = marker
        if complete:
            submission.status = MarkingStatus.MARKED
            submission.marked_at = now
        else:
            submission.status = MarkingStatus.DRAFT
        submission.save()
        action = MarkingLogEntry.Action.MARKED if complete else MarkingLogEntry.Action.DRAFT_SAVED
        _log(submission, marker, action, now=now, marks=_snapshot(submission))
    return submission


def marking_moderate(
    *,
    submission_id: int,
    moderator: User,
    outcome: str,
    reason: str = "",
    marks: RubricMarks | None = None,
    now: datetime | None = None,
) -> ReportSubmission:
    """Record a second trainer's moderation: agree, or change the marks with a reason."""
    now = now or timezone.now()
    reason = reason.strip()
    with transaction.atomic():
        submission = _locked(submission_id)
        _check_trainer(moderator, submission)
        if submission.status == MarkingStatus.RELEASED:
            raise MarkingRefused("This mark has been released to the delegate and cannot change.")
        if submission.status != MarkingStatus.MARKED:
            raise MarkingRefused("Only a finished mark can be moderated. Mark the report first.")
        if submission.moderation:
            raise MarkingRefused("This mark has already been moderated; it can now be released.")
        if submission.marker_id == moderator.pk:
            raise MarkingRefused("You marked this report. Moderation needs a second trainer.")
        if outcome not in Moderation.values:
            raise MarkingRefused("Say whether you agree with the mark or are changing it.")
        before = _snapshot(submission)
        if outcome == Moderation.CHANGED:
            if not reason:
                raise MarkingRefused("Give a reason for changing the mark.")
            if marks is None:
                raise MarkingRefused("Choose the levels the mark should have.")
            _write_marks(submission, marks, complete=True)
        submission.moderator = moderator
        submission.moderation = outcome
        submission.moderation_reason = reason
        submission.moderated_at = now
        submission.save()
        _log(
            submission,
            moderator,
            MarkingLogEntry.Action.MODERATED,
            now=now,
            note=f"{Moderation(outcome).label}. {reason}".strip(),
            marks={"before": before, "after": _snapshot(submission)},
        )
    return submission


def marking_release(
    *, submission_id: int, user: User, now: datetime | None = None
) -> ReportSubmission:
    """Release a finished mark to the delegate; after this it never changes."""
    now = now or timezone.now()
    with transaction.atomic():
        submission = _locked(submission_id)
        _check_trainer(user, submission)
        if submission.status == MarkingStatus.RELEASED:
            raise MarkingRefused("This mark has already been released.")
        if submission.status != MarkingStatus.MARKED:
            raise MarkingRefused(
                "This report has not been marked yet, so there is nothing to release."
            )
        submission.status = MarkingStatus.RELEASED
        submission.released_by = user
        submission.released_at = now
        submission.save(update_fields=["status", "released_by", "released_at"])
        _log(submission, user, MarkingLogEntry.Action.RELEASED, now=now)
        report_marked_evidence_record(
            user=submission.user,
            chapter=submission.page,
            block_id=submission.block_id,
            score_percent=_score_percent(submission),
            marked_by=user,
            on=timezone.localdate(now),
        )
    return submission


def _score_percent(submission: ReportSubmission) -> int:
    """Return the rubric mark as a percentage of the most it could be."""
    rubric = rubric_view(submission)
    return round(100 * rubric.points / rubric.max_points) if rubric.max_points else 0


__all__ = [
    "DEFAULT_RUBRIC",
    "MarkingRefused",
    "RubricMarks",
    "author_role",
    "marking_moderate",
    "marking_release",
    "marking_save",
    "report_findings",
    "report_submissions_record",
    "rubric_default_ensure",
    "written_report_from_answer",
]
