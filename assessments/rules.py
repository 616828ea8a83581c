"""Competency status and CPD hours, judged from evidence: pure Python.

Theory of operation
-------------------
A person's record is a list of :class:`Fact` (one per released piece of
evidence: what kind, on what day, for which competencies, how many CPD
hours, whether participatory, and a score where there is one). A
:class:`Policy` holds the numbers, which come from Django settings in
``assessments.selectors`` and are passed in here, as is ``today``: nothing
in this module reads a clock, a setting or the database.

A competency lists the evidence kinds it requires. Each requirement is
judged on the **latest** fact of that kind, not the best one: a conference
score below the pass mark after an earlier pass means the requirement is
not met now (ILIAS users asked for exactly this recency rule). A
requirement holds until its latest fact is ``valid_months`` old; the
competency holds until its oldest-held requirement lapses, which is its
expiry date.

Statuses, for one competency:

- NOT_STARTED: no evidence for it at all.
- COMPETENT: every requirement met and expiry more than ``warning_days`` away.
- EXPIRING: every requirement met, expiry within ``warning_days``.
- EXPIRED: every requirement was met once, but one has lapsed since (new
  evidence of that kind renews it).
- IN_PROGRESS: anything else (some evidence, not every requirement met).

CPD hours count facts dated from the same calendar day ``window_years``
earlier up to and including ``today``; future-dated facts do not count. The
hours are met when the total reaches ``cpd_hours`` and the participatory
hours reach ``cpd_hours * participatory_fraction`` (non-participatory hours
never make up for missing participatory ones).

A person's overall status combines their competencies and CPD hours: see
:func:`overall_status`.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPETENT = "competent"
    EXPIRING = "expiring"
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS: Mapping[Status, str] = {
    Status.NOT_STARTED: "Not started",
    Status.IN_PROGRESS: "In progress",
    Status.COMPETENT: "Competent",
    Status.EXPIRING: "Expiring",
    Status.EXPIRED: "Expired",
}

# Evidence kinds whose latest fact must carry a passing score.
SCORED_KINDS = frozenset({"conference_played"})


@dataclass(frozen=True, slots=True)
class Policy:
    cpd_hours: Decimal = Decimal(12)
    participatory_fraction: Decimal = Decimal("0.5")
    window_years: int = 3
    pass_percent: int = 60
    valid_months: int = 36
    warning_days: int = 60


@dataclass(frozen=True, slots=True)
class Fact:
    kind: str
    on: date
    competencies: frozenset[str] = frozenset()
    hours: Decimal = Decimal(0)
    participatory: bool = False
    score_percent: int | None = None


@dataclass(frozen=True, slots=True)
class Requirement:
    """One competency: its code and the evidence kinds it requires."""

    code: str
    kinds: frozenset[str]


@dataclass(frozen=True, slots=True)
class Judgement:
    code: str
    status: Status
    expires_on: date | None = None
    missing: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Hours:
    total: Decimal
    participatory: Decimal
    required: Decimal
    required_participatory: Decimal
    window_start: date

    @property
    def non_participatory(self) -> Decimal:
        return self.total - self.participatory

    @property
    def met(self) -> bool:
        return self.total >= self.required and self.participatory >= self.required_participatory


@dataclass(frozen=True, slots=True)
class Overall:
    status: Status
    judgements: tuple[Judgement, ...]
    hours: Hours
    expires_on: date | None = None
    notes: tuple[str, ...] = field(default=())


def add_months(day: date, months: int) -> date:
    """Return ``day`` moved by ``months``, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def window_start(today: date, years: int) -> date:
    """Return the first day of a rolling window of ``years`` ending ``today``."""
    return add_months(today, -12 * years)


def cpd_hours(facts: Iterable[Fact], *, today: date, policy: Policy) -> Hours:
    start = window_start(today, policy.window_years)
    total = participatory = Decimal(0)
    for fact in facts:
        if start <= fact.on <= today and fact.hours > 0:
            total += fact.hours
            if fact.participatory:
                participatory += fact.hours
    return Hours(
        total=total,
        participatory=participatory,
        required=policy.cpd_hours,
        required_participatory=policy.cpd_hours * policy.participatory_fraction,
        window_start=start,
    )


def _passes(fact: Fact, policy: Policy) -> bool:
    if fact.kind not in SCORED_KINDS:
        return True
    return fact.score_percent is not None and fact.score_percent >= policy.pass_percent


def judge(
    requirement: Requirement, facts: Sequence[Fact], *, today: date, policy: Policy
) -> Judgement:
    """Judge one competency on the latest fact of each kind it requires."""
    own = [f for f in facts if requirement.code in f.competencies and f.on <= today]
    if not own:
        return Judgement(requirement.code, Status.NOT_STARTED, missing=tuple(requirement.kinds))
    latest: dict[str, Fact] = {}
    ever_passed: set[str] = set()
    for fact in sorted(own, key=lambda f: f.on):
        if fact.kind in requirement.kinds:
            latest[fact.kind] = fact
            if _passes(fact, policy):
                ever_passed.add(fact.kind)
    missing: list[str] = []
    lapsed: list[str] = []
    expiries: list[date] = []
    for kind in sorted(requirement.kinds):
        held = latest.get(kind)
        if held is None or not _passes(held, policy):
            missing.append(kind)
            continue
        expires = add_months(held.on, policy.valid_months)
        if expires <= today:
            lapsed.append(kind)
        expiries.append(expires)
    if not requirement.kinds:
        return Judgement(requirement.code, Status.IN_PROGRESS)
    if not missing and not lapsed:
        expires_on = min(expiries)
        if expires_on - today <= timedelta(days=policy.warning_days):
            return Judgement(requirement.code, Status.EXPIRING, expires_on)
        return Judgement(requirement.code, Status.COMPETENT, expires_on)
    if lapsed and not missing:
        return Judgement(requirement.code, Status.EXPIRED, min(expiries), tuple(lapsed))
    if lapsed and ever_passed >= requirement.kinds:
        return Judgement(requirement.code, Status.EXPIRED, min(expiries), tuple(missing + lapsed))
    return Judgement(requirement.code, Status.IN_PROGRESS, missing=tuple(missing + lapsed))


def overall_status(
    requirements: Sequence[Requirement], facts: Sequence[Fact], *, today: date, policy: Policy
) -> Overall:
    """Combine every competency and the CPD hours into one status.

    - NOT_STARTED: no evidence dated up to ``today``.
    - COMPETENT / EXPIRING: every competency is competent or expiring and the
      CPD hours are met; EXPIRING if any competency is expiring.
    - EXPIRED: otherwise, if any competency has expired.
    - IN_PROGRESS: anything else.
    """
    judgements = tuple(judge(r, facts, today=today, policy=policy) for r in requirements)
    hours = cpd_hours(facts, today=today, policy=policy)
    held = [j for j in judgements if j.status in {Status.COMPETENT, Status.EXPIRING}]
    expiries = [j.expires_on for j in held if j.expires_on]
    notes: list[str] = []
    if not hours.met:
        notes.append(
            f"CPD hours: {hours.total} of {hours.required} "
            f"({hours.participatory} of {hours.required_participatory} participatory)"
        )
    if not any(f.on <= today for f in facts):
        status = Status.NOT_STARTED
    elif requirements and len(held) == len(judgements) and hours.met:
        any_expiring = any(j.status == Status.EXPIRING for j in judgements)
        status = Status.EXPIRING if any_expiring else Status.COMPETENT
    elif any(j.status == Status.EXPIRED for j in judgements):
        status = Status.EXPIRED
    else:
        status = Status.IN_PROGRESS
    return Overall(
        status=status,
        judgements=judgements,
        hours=hours,
        expires_on=min(expiries) if expiries and len(held) == len(judgements) else None,
        notes=tuple(notes),
    )
