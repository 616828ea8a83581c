"""Create or refresh the competency framework and map the workbook to it.

The level 3 outcomes and the workbook's learning objectives, in our own
words. Idempotent: competencies are matched on their code and mappings on
(competency, source, ref); editors' other changes (new mappings, new
competencies) are left alone. ``--dry-run`` says what it would do.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from assessments.models import (
    Competency,
    CompetencyKind,
    CompetencyMapping,
    MappingSource,
    mapping_ref_problem,
)
from content.models import WorkbookChapterPage, WorkbookPage

WORKBOOK_SLUG = "cp-conferences"

# (code, title, description, required evidence kinds)
OUTCOMES: list[tuple[str, str, str, list[str]]] = [
    (
        "l3-roles-under-the-law",
        "Understand roles and duties under the 2022 Law",
        "Explains what the Children and Young People (Jersey) Law 2022 and its guidance "
        "ask of each agency, and their own part in protecting children.",
        ["workbook_chapter", "sign_off"],
    ),
    (
        "l3-continuum-of-need",
        "Apply the Continuum of Need",
        "Judges the level of a child's needs with the Continuum of Need and says why, "
        "citing what was seen and heard.",
        ["workbook_chapter", "quiz_passed"],
    ),
    (
        "l3-information-sharing",
        "Share information lawfully",
        "Shares what a child's safety needs, with the right people, at the right time, and "
        "records why.",
        ["workbook_chapter", "sign_off"],
    ),
    (
        "l3-meetings",
        "Take part in strategy meetings, core groups and conferences",
        "Knows how each meeting works and contributes to it on time and prepared.",
        ["seminar_attended", "conference_played"],
    ),
    (
        "l3-conference-report",
        "Write an effective conference report",
        "Writes a clear, child-focused report that separates fact from opinion and says "
        "what the worries mean for the child.",
        ["workbook_chapter", "conference_played"],
    ),
    (
        "l3-decisions",
        "Contribute to conference decisions",
        "Gives a view on threshold and category with reasons, and records dissent when it is held.",
        ["conference_played", "sign_off"],
    ),
]

# (code, title, outcome code, workbook chapter slugs)
OBJECTIVES: list[tuple[str, str, str, list[str]]] = [
    (
        "obj-law-and-guidance",
        "Explain how the Law and its guidance shape joint working",
        "l3-roles-under-the-law",
        ["responsibilities"],
    ),
    (
        "obj-level-of-need",
        "Judge a child's level of need",
        "l3-continuum-of-need",
        ["significant-harm", "continuum-of-need", "jayden"],
    ),
    (
        "obj-share-information",
        "Share information in line with the guidance",
        "l3-information-sharing",
        ["responsibilities", "jayden", "tips-and-next-steps"],
    ),
    (
        "obj-meetings",
        "Describe strategy discussions, conferences and core groups",
        "l3-meetings",
        ["strategy-discussion", "conferences", "conference-process", "core-groups-and-plans"],
    ),
    (
        "obj-write-report",
        "Write a child-focused conference report",
        "l3-conference-report",
        ["conference-report"],
    ),
    (
        "obj-decisions",
        "Take part in a conference's decisions with confidence",
        "l3-decisions",
        ["conference-process"],
    ),
]

# Conference scoring rules that show each outcome (ids from the rule set).
DECISION_RULES = [f"R0{n}" for n in range(1, 9)]
REPORT_RULES = [f"R{n:02d}" for n in range(9, 21)]


class Command(BaseCommand):
    help = "Create or refresh the competency framework and its mappings (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="Report; change nothing.")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        with transaction.atomic():
            created, mapped = self._seed()
            if dry_run:
                transaction.set_rollback(True)
        verb = "Would create" if dry_run else "Created"
        self.stdout.write(
            self.style.SUCCESS(
                f"Competency framework ready. {verb} {created} competencies and {mapped} mappings."
            )
        )

    def _seed(self) -> tuple[int, int]:
        created = mapped = 0
        rule_ids = _rule_ids()
        chapters = _chapter_ids()
        if not chapters:
            self.stdout.write("No demo workbook found: chapters are not mapped.")
        outcomes = {}
        for position, (code, title, description, kinds) in enumerate(OUTCOMES):
            outcome, was_created = Competency.objects.get_or_create(
                code=code,
                defaults={
                    "title": title,
                    "description": description,
                    "kind": CompetencyKind.OUTCOME,
                    "level": 3,
                    "required_kinds": kinds,
                    "position": position,
                },
            )
            outcomes[code] = outcome
            created += was_created
        for position, (code, title, outcome_code, slugs) in enumerate(OBJECTIVES):
            objective, was_created = Competency.objects.get_or_create(
                code=code,
                defaults={
                    "title": title,
                    "kind": CompetencyKind.OBJECTIVE,
                    "level": 3,
                    "parent": outcomes[outcome_code],
                    "required_kinds": ["workbook_chapter"],
                    "position": position,
                },
            )
            created += was_created
            for slug in slugs:
                if slug in chapters:
                    mapped += _map(objective, MappingSource.WORKBOOK_CHAPTER, str(chapters[slug]))
        mapped += _map(outcomes["l3-meetings"], MappingSource.SEMINAR, "*")
        if "conference-report" in chapters:
            # The marked workbook report counts towards writing an effective report.
            ref = f"{chapters['conference-report']}:{REPORT_BLOCK}"
            if mapping_ref_problem(MappingSource.REPORT_TASK, ref) is None:
                mapped += _map(outcomes["l3-conference-report"], MappingSource.REPORT_TASK, ref)
        for rule in rule_ids:
            prefix = rule[:3]
            if prefix in DECISION_RULES:
                mapped += _map(outcomes["l3-decisions"], MappingSource.CONFERENCE_RULE, rule)
            if prefix in REPORT_RULES:
                mapped += _map(
                    outcomes["l3-conference-report"], MappingSource.CONFERENCE_RULE, rule
                )
            mapped += _map(outcomes["l3-meetings"], MappingSource.CONFERENCE_RULE, rule)
        return created, mapped


REPORT_BLOCK = "jayden-report"


def _map(competency: Competency, source: str, ref: str) -> int:
    _, was_created = CompetencyMapping.objects.get_or_create(
        competency=competency, source=source, ref=ref
    )
    return int(was_created)


def _chapter_ids() -> dict[str, int]:
    workbook = WorkbookPage.objects.filter(slug=WORKBOOK_SLUG).first()
    if workbook is None:
        return {}
    return dict(WorkbookChapterPage.objects.child_of(workbook).values_list("slug", "pk"))


def _rule_ids() -> list[str]:
    from simulations.engine.ruleset import DEFAULT_RULE_SET_DATA

    return [str(rule["rule_id"]) for rule in DEFAULT_RULE_SET_DATA["rules"]]
