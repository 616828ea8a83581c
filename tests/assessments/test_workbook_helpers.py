"""Helpers shared by the workbook tests: a small workbook, people, a fake resolver.

The module holds no tests of its own; the workbook test modules import from
it. Building a two-chapter workbook is much faster than seeding the demo one,
which only the seeding and smoke tests use.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from django.contrib.auth.models import Group

from accounts.models import PlatformRole, User
from content import citations
from content.blocks.report import REPORT_SECTIONS
from content.citations import Citation
from content.demo.workbook import (
    block,
    choice_quiz,
    items,
    matching,
    option,
    paragraphs,
    reading,
    reflection,
    text,
    true_false,
)
from content.models import WorkbookChapterPage, WorkbookPage
from content.services import home_page_ensure
from content.workbook_services import workbook_ensure, workbook_index_ensure

PASSWORD = "threshold-test"
GUIDANCE_URL = "/guidance/procedures-summary/#para-{anchor}"


def fake_guidance(slug: str, anchor: str, on: date | None) -> Citation | None:
    """Resolve ``guidance:<slug>:para-N`` without any guidance pages."""
    if not anchor.startswith("para-"):
        return None
    number = anchor.removeprefix("para-")
    return Citation(
        key=f"guidance:{slug}:{anchor}",
        url=GUIDANCE_URL.format(anchor=number),
        title=f"Procedures summary, paragraph {number}",
        quotation=f"The text of paragraph {number}.",
    )


@contextmanager
def guidance_scheme(resolver: Any = fake_guidance) -> Iterator[None]:
    """Register ``resolver`` for the guidance scheme, restoring the old one after.

    ``resolver=None`` removes the scheme, as on a platform with no guidance.
    """
    previous = citations._RESOLVERS.get("guidance")
    if resolver is None:
        citations._RESOLVERS.pop("guidance", None)
    else:
        citations.register_scheme("guidance", resolver)
    try:
        yield
    finally:
        if previous is None:
            citations._RESOLVERS.pop("guidance", None)
        else:
            citations._RESOLVERS["guidance"] = previous


def person(username: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username)
    group, _ = Group.objects.get_or_create(name=PlatformRole.DELEGATE.value)
    user.groups.add(group)
    return user


def report_block(block_id: str = "report") -> dict[str, Any]:
    return block(
        "report_task",
        block_id,
        {
            "title": "Write your report",
            "instructions": paragraphs("Write the report for Jayden's conference."),
            "sections": items(
                f"{block_id}-section",
                [{"section": section.key, "guidance": ""} for section in REPORT_SECTIONS],
            ),
        },
    )


def scenario_block(block_id: str = "scenario", questions: int = 2) -> dict[str, Any]:
    return block(
        "scenario_activity",
        block_id,
        {
            "title": "Jayden",
            "introduction": paragraphs("Read what each agency knows."),
            "panels": items(
                f"{block_id}-panel",
                [{"agency": "Housing", "information": paragraphs("A lock on the door.")}],
            ),
            "questions": items(
                f"{block_id}-q",
                [{"prompt": f"Question {n}?", "hint": ""} for n in range(1, questions + 1)],
            ),
        },
    )


def ordering_block(block_id: str = "order") -> dict[str, Any]:
    return block(
        "ordering",
        block_id,
        {
            "question": "Put these in order.",
            "items": items(
                f"{block_id}-step",
                [{"text": f"Step {n}", "feedback": f"About step {n}."} for n in range(1, 4)],
            ),
            "explanation": "",
            "citation_key": "guidance:procedures-summary:para-59",
        },
    )


SMALL_WORKBOOK: dict[str, Any] = {
    "slug": "small-workbook",
    "title": "Small workbook",
    "intro": "A workbook for tests.",
    "about": paragraphs("Two chapters."),
    "estimated_minutes": 30,
    "chapters": [
        {
            "slug": "first",
            "title": "First chapter",
            "summary": "Reading, a scenario and quizzes.",
            "body": [
                text("intro", paragraphs("Welcome.")),
                reading(
                    "read", "Read about strategy discussions", "guidance:procedures-summary:para-24"
                ),
                scenario_block(),
                choice_quiz(
                    "single_choice",
                    "single",
                    "Within how many working days is an initial conference held?",
                    [
                        option("5", "Five is for review reports."),
                        option("15", "Yes: fifteen.", correct=True),
                    ],
                    "guidance:procedures-summary:para-37",
                ),
                choice_quiz(
                    "multiple_choice",
                    "multiple",
                    "Who must attend?",
                    [
                        option("Children's Social Care", "Always.", correct=True),
                        option("Two other agencies", "Yes.", correct=True),
                        option("The police, always", "No."),
                    ],
                    "guidance:procedures-summary:para-41",
                ),
                ordering_block(),
                matching(
                    "match",
                    "Tag each statement.",
                    ["Fact", "Opinion"],
                    [
                        ("Records show three visits.", "Fact", ""),
                        ("He seems clumsy.", "Opinion", ""),
                    ],
                    "workbook:small-workbook:intro",
                ),
                true_false(
                    "truth",
                    "Parents only observe.",
                    False,
                    "Not any more.",
                    "Right.",
                    "guidance:procedures-summary:para-44",
                ),
                reflection("reflect", "Reflect", ["What surprised you?"]),
            ],
        },
        {
            "slug": "second",
            "title": "Second chapter",
            "summary": "The report.",
            "body": [report_block()],
        },
    ],
}


def small_workbook() -> tuple[WorkbookPage, WorkbookChapterPage, WorkbookChapterPage]:
    home = home_page_ensure()
    index = workbook_index_ensure(
        home=home, spec={"title": "Workbooks", "slug": "workbooks", "intro": ""}
    )
    workbook, _ = workbook_ensure(index=index, spec=SMALL_WORKBOOK)
    first, second = workbook.chapters()
    return workbook, first, second


def htmx(**headers: str) -> dict[str, str]:
    return {"HX-Request": "true", **headers}
