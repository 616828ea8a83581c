"""Competency status and CPD hours: table-driven, no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from assessments.rules import (
    Fact,
    Policy,
    Requirement,
    Status,
    add_months,
    cpd_hours,
    judge,
    overall_status,
    window_start,
)

POLICY = Policy()  # 12 hours, half participatory, 3 years, pass 60, valid 36 months
TODAY = date(2026, 11, 23)
CONF = Requirement("conf", frozenset({"workbook_chapter", "conference_played", "sign_off"}))


def fact(
    kind: str, on: date, *, score: int | None = None, hours: str = "0", part: bool = False
) -> Fact:
    return Fact(
        kind=kind,
        on=on,
        competencies=frozenset({"conf"}),
        hours=Decimal(hours),
        participatory=part,
        score_percent=score,
    )


def met_on(day: date, score: int = 80) -> list[Fact]:
    return [
        fact("workbook_chapter", day),
        fact("conference_played", day, score=score),
        fact("sign_off", day),
    ]


JUDGE_CASES = [
    ("nothing", [], Status.NOT_STARTED),
    ("only workbook", [fact("workbook_chapter", date(2026, 1, 5))], Status.IN_PROGRESS),
    ("met", met_on(date(2026, 1, 5)), Status.COMPETENT),
    ("score below pass mark", met_on(date(2026, 1, 5), score=59), Status.IN_PROGRESS),
    ("score exactly the pass mark", met_on(date(2026, 1, 5), score=60), Status.COMPETENT),
    (
        "latest score decides, not the best",
        [*met_on(date(2025, 1, 5)), fact("conference_played", date(2026, 1, 5), score=40)],
        Status.IN_PROGRESS,
    ),
    ("expires within the warning period", met_on(date(2023, 12, 20)), Status.EXPIRING),
    ("expired three years on", met_on(date(2023, 11, 23)), Status.EXPIRED),
    ("one day before expiry", met_on(date(2023, 11, 24)), Status.EXPIRING),
    (
        "renewed by new evidence after expiry",
        [*met_on(date(2022, 6, 1)), *met_on(date(2026, 6, 1))],
        Status.COMPETENT,
    ),
    (
        "partly renewed is still expired",
        [*met_on(date(2022, 6, 1)), fact("conference_played", date(2026, 6, 1), score=90)],
        Status.EXPIRED,
    ),
    ("future evidence does not count", met_on(date(2026, 12, 1)), Status.NOT_STARTED),
]


@pytest.mark.parametrize(
    "facts,expected", [(f, e) for _, f, e in JUDGE_CASES], ids=[n for n, _, _ in JUDGE_CASES]
)
def test_judge(facts: list[Fact], expected: Status) -> None:
    assert judge(CONF, facts, today=TODAY, policy=POLICY).status == expected


def test_expiry_date_is_the_oldest_requirement_plus_validity() -> None:
    facts = [
        fact("workbook_chapter", date(2025, 3, 1)),
        fact("conference_played", date(2026, 1, 5), score=80),
        fact("sign_off", date(2026, 2, 1)),
    ]
    judgement = judge(CONF, facts, today=TODAY, policy=POLICY)
    assert judgement.expires_on == date(2028, 3, 1)


HOURS_CASES = [
    # (name, facts, total, participatory, met)
    ("none", [], "0", "0", False),
    (
        "twelve hours, half participatory",
        [
            fact("seminar_attended", date(2025, 1, 1), hours="6", part=True),
            fact("external_training", date(2025, 2, 1), hours="6"),
        ],
        "12",
        "6",
        True,
    ),
    (
        "twelve hours, too few participatory",
        [
            fact("seminar_attended", date(2025, 1, 1), hours="5", part=True),
            fact("external_training", date(2025, 2, 1), hours="7"),
        ],
        "12",
        "5",
        False,
    ),
    (
        "all participatory",
        [fact("seminar_attended", date(2025, 1, 1), hours="12", part=True)],
        "12",
        "12",
        True,
    ),
    (
        "on the window's first day counts",
        [fact("seminar_attended", date(2023, 11, 23), hours="12", part=True)],
        "12",
        "12",
        True,
    ),
    (
        "the day before the window does not count",
        [fact("seminar_attended", date(2023, 11, 22), hours="12", part=True)],
        "0",
        "0",
        False,
    ),
    (
        "today counts, tomorrow does not",
        [
            fact("seminar_attended", TODAY, hours="6", part=True),
            fact("seminar_attended", date(2026, 11, 24), hours="6", part=True),
        ],
        "6",
        "6",
        False,
    ),
]


@pytest.mark.parametrize(
    "facts,total,participatory,met",
    [c[1:] for c in HOURS_CASES],
    ids=[c[0] for c in HOURS_CASES],
)
def test_cpd_hours(facts: list[Fact], total: str, participatory: str, met: bool) -> None:
    hours = cpd_hours(facts, today=TODAY, policy=POLICY)
    assert hours.total == Decimal(total)
    assert hours.participatory == Decimal(participatory)
    assert hours.met is met
    assert hours.window_start == date(2023, 11, 23)


def test_thresholds_come_from_the_policy() -> None:
    strict = Policy(cpd_hours=Decimal(20), participatory_fraction=Decimal("0.75"), pass_percent=90)
    facts = [
        *met_on(date(2026, 1, 5), score=80),
        fact("seminar_attended", date(2026, 1, 5), hours="15", part=True),
    ]
    assert judge(CONF, facts, today=TODAY, policy=strict).status == Status.IN_PROGRESS
    hours = cpd_hours(facts, today=TODAY, policy=strict)
    assert (hours.required, hours.required_participatory, hours.met) == (20, 15, False)


OVERALL_CASES = [
    ("nothing", [], Status.NOT_STARTED),
    ("met without hours", met_on(date(2026, 1, 5)), Status.IN_PROGRESS),
    (
        "met with hours",
        [
            *met_on(date(2026, 1, 5)),
            fact("seminar_attended", date(2026, 1, 5), hours="12", part=True),
        ],
        Status.COMPETENT,
    ),
    (
        "expired competency",
        [
            *met_on(date(2023, 1, 5)),
            fact("seminar_attended", date(2026, 1, 5), hours="12", part=True),
        ],
        Status.EXPIRED,
    ),
    (
        "expiring competency",
        [
            *met_on(date(2023, 12, 20)),
            fact("seminar_attended", date(2026, 1, 5), hours="12", part=True),
        ],
        Status.EXPIRING,
    ),
]


@pytest.mark.parametrize(
    "facts,expected", [(f, e) for _, f, e in OVERALL_CASES], ids=[n for n, _, _ in OVERALL_CASES]
)
def test_overall_status(facts: list[Fact], expected: Status) -> None:
    assert overall_status([CONF], facts, today=TODAY, policy=POLICY).status == expected


@pytest.mark.parametrize(
    "day,months,expected",
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2026, 11, 23), -36, date(2023, 11, 23)),
    ],
)
def test_add_months(day: date, months: int, expected: date) -> None:
    assert add_months(day, months) == expected


def test_window_start_on_a_leap_day() -> None:
    assert window_start(date(2028, 2, 29), 3) == date(2025, 2, 28)
