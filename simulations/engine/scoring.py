"""Score a finished (or abandoned) mock conference against the procedures.

The trainer's debrief and the delegate's scorecard rest on findings: one
judgement of one rule about one subject (a delegate's role, the room or a
child), with the points it earned, the evidence it looked at, a plain-English
explanation addressed to the delegate and the paragraphs of the guidance it
rests on. This module holds those types and :func:`score_conference`, which
runs a versioned :class:`RuleSet` over a conference record; the rules
themselves are small functions in :mod:`simulations.engine.rules`.

Theory of operation
-------------------
Scoring is a pure function of its inputs::

    score_conference(state, casefile, ruleset, key dates, holidays, tz)
        -> ScoreCard

``state`` is the conference as :func:`conference.replay` rebuilds it from
the stored events, so re-scoring a stored conference is
``score_events(setup=..., events=...)`` and gives the same card for the same
rule set version. Nothing reads a clock, draws a random number or does I/O;
every output tuple is sorted.

Points. Every rule has a :class:`RuleConfig` with ``points`` (the most a
finding can earn) and ``partial_points`` (what a partly met finding earns).
A finding's verdict fixes its points:

    MET             points of points
    PARTLY_MET      partial_points of points
    NOT_MET         0 of points
    NOT_APPLICABLE  0 of 0   (the rule does not apply, e.g. no exclusion)
    NOT_ASSESSABLE  0 of 0   (an input is missing, e.g. no strategy date,
                              a ballot for a child with no answer key, or a
                              room abandoned before the step was reached)

so points are never negative and never exceed ``max_points``.

Bad input is reported, never raised: a rule set naming a rule this engine
does not know, or a citation that is not a well-formed key, yields one
NOT_ASSESSABLE finding about the room for that rule instead of a score.
(:func:`simulations.engine.ruleset.ruleset_from_dict` refuses both at load
time; the Django loader also checks that every citation resolves.)

Progress. Many steps can only be judged once the meeting has passed them.
``Context.passed(phase)`` is true once the room has entered any later phase
of the agenda; a rule whose step was never passed, and whose evidence is not
already complete, reports NOT_ASSESSABLE with what it saw so far.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from simulations.engine.agreement import FleissResult, describe, fleiss_kappa
from simulations.engine.casefile import (
    AnswerKey,
    PackItem,
    Scenario,
    citation_is_well_formed,
)
from simulations.engine.conference import AGENDA, new_conference, replay
from simulations.engine.events import Event
from simulations.engine.state import (
    Ballot,
    ConferenceSetup,
    ConferenceState,
    LogEntry,
    Phase,
    Report,
)
from simulations.engine.vocabulary import Category, LevelOfNeed, Role

# ---------------------------------------------------------------------------
# Findings
# ---------------------------------------------------------------------------


class Verdict(StrEnum):
    """How a subject fared against one rule."""

    MET = "met"
    PARTLY_MET = "partly_met"
    NOT_MET = "not_met"
    NOT_APPLICABLE = "not_applicable"
    NOT_ASSESSABLE = "not_assessable"

    @property
    def scored(self) -> bool:
        """Return whether the verdict carries points (0 of 0 otherwise)."""
        return self in (Verdict.MET, Verdict.PARTLY_MET, Verdict.NOT_MET)


class SubjectKind(StrEnum):
    ROOM = "room"
    CHILD = "child"
    ROLE = "role"


_KIND_ORDER: Final[Mapping[SubjectKind, int]] = MappingProxyType(
    {SubjectKind.ROOM: 0, SubjectKind.CHILD: 1, SubjectKind.ROLE: 2}
)


@dataclass(frozen=True, kw_only=True)
class Subject:
    """Whom a finding is about: a delegate's role, the room or a child."""

    kind: SubjectKind
    id: str

    @classmethod
    def room(cls, room_id: str) -> Subject:
        return cls(kind=SubjectKind.ROOM, id=room_id)

    @classmethod
    def role(cls, role: Role) -> Subject:
        return cls(kind=SubjectKind.ROLE, id=role.value)

    @classmethod
    def child(cls, child_id: str) -> Subject:
        return cls(kind=SubjectKind.CHILD, id=child_id)


class EvidenceKind(StrEnum):
    """What a piece of evidence points at, for the debrief to link to."""

    EVENT = "event"  # ref: "log-<index>" in state.log (= event sequence)
    REPORT = "report"  # ref: "<role>:<section or field>"
    STATEMENT = "statement"  # ref: "<role>:statement-<n>" (1-based)
    BALLOT = "ballot"  # ref: "round-<n>:<child>:<role>"
    DECISION = "decision"  # ref: "<child>"
    DISSENT = "dissent"  # ref: "<child>:<role>"
    PLAN = "plan"  # ref: "core_group", "contingency", "row:<row id>", ...
    SETUP = "setup"  # ref: a ConferenceSetup field
    ANSWER_KEY = "answer_key"  # ref: "<child>"
    PACK_ITEM = "pack_item"  # ref: "<item id>"
    INPUT = "input"  # ref: a score_conference argument
    RULE_SET = "rule_set"  # ref: "<version>:<rule id>"


@dataclass(frozen=True, kw_only=True)
class Evidence:
    kind: EvidenceKind
    ref: str
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One rule's judgement of one subject.

    ``child_id`` names the child a per-child judgement is about when the
    subject is a role (a delegate's recommendation for one child).
    """

    rule_id: str
    subject: Subject
    verdict: Verdict
    points: int
    max_points: int
    evidence: tuple[Evidence, ...]
    explanation: str
    citations: tuple[str, ...]
    child_id: str | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.points <= self.max_points:
            msg = f"{self.rule_id}: points {self.points} outside 0..{self.max_points}"
            raise ValueError(msg)


def _finding_order(finding: Finding) -> tuple[str, int, str, str]:
    return (
        finding.rule_id,
        _KIND_ORDER[finding.subject.kind],
        finding.subject.id,
        finding.child_id or "",
    )


# ---------------------------------------------------------------------------
# Rule sets (data; see simulations.engine.ruleset for the default and loader)
# ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RuleConfig:
    """How one rule is weighted and which paragraphs it cites."""

    rule_id: str
    points: int
    partial_points: int = 0
    citations: tuple[str, ...] = ()
    enabled: bool = True

    def __post_init__(self) -> None:
        if self.points < 0 or not 0 <= self.partial_points <= self.points:
            msg = f"{self.rule_id}: need 0 <= partial_points <= points"
            raise ValueError(msg)

    def judge(
        self,
        subject: Subject,
        verdict: Verdict,
        explanation: str,
        evidence: Iterable[Evidence] = (),
        *,
        child_id: str | None = None,
    ) -> Finding:
        """Return a finding for ``subject`` with the points ``verdict`` earns."""
        points, max_points = {
            Verdict.MET: (self.points, self.points),
            Verdict.PARTLY_MET: (self.partial_points, self.points),
            Verdict.NOT_MET: (0, self.points),
        }.get(verdict, (0, 0))
        return Finding(
            rule_id=self.rule_id,
            subject=subject,
            verdict=verdict,
            points=points,
            max_points=max_points,
            evidence=tuple(evidence),
            explanation=explanation,
            citations=self.citations,
            child_id=child_id,
        )


@dataclass(frozen=True, kw_only=True)
class RuleSet:
    """A versioned, citable set of rules; a scorecard names its version."""

    version: str
    rules: tuple[RuleConfig, ...]

    def get(self, rule_id: str) -> RuleConfig | None:
        return next((rule for rule in self.rules if rule.rule_id == rule_id), None)


# ---------------------------------------------------------------------------
# What the rules read
# ---------------------------------------------------------------------------

_AGENDA_INDEX: Final[Mapping[Phase, int]] = MappingProxyType(
    {
        **{phase: index for index, phase in enumerate(AGENDA)},
        # An exclusion is part of the family segment (step 8), before the summary.
        Phase.EXCLUSION: AGENDA.index(Phase.FAMILY_VIEWS),
    }
)


@dataclass(frozen=True, kw_only=True)
class Context:
    """The conference record and case file, with lookups the rules share.

    Build it with :func:`build_context`; the rules only read it.
    """

    state: ConferenceState
    casefile: Scenario
    strategy_discussion_on: date | None
    transfer_notified_on: date | None
    holidays: frozenset[date]
    local_tz: tzinfo | None
    items: Mapping[str, PackItem]
    holders: Mapping[str, Role]
    keys: Mapping[str, AnswerKey]
    child_names: Mapping[str, str]
    children: tuple[str, ...]
    voters: tuple[Role, ...]
    first_ballots: Mapping[tuple[str, Role], tuple[int, Ballot]]
    final_ballots: Mapping[tuple[str, Role], tuple[int, Ballot]]
    furthest: int

    @property
    def setup(self) -> ConferenceSetup:
        return self.state.setup

    @property
    def room(self) -> Subject:
        return Subject.room(self.state.setup.room_id)

    def passed(self, phase: Phase) -> bool:
        """Return whether the room ever moved beyond ``phase`` on the agenda."""
        return self.furthest > _AGENDA_INDEX[phase]

    def local_date(self, moment: datetime) -> date:
        """Return the calendar day of ``moment`` where the conference is held."""
        if self.local_tz is not None and moment.tzinfo is not None:
            return moment.astimezone(self.local_tz).date()
        return moment.date()

    def child_name(self, child_id: str) -> str:
        return self.child_names.get(child_id, child_id)

    def report(self, role: Role) -> Report | None:
        """Return ``role``'s submitted report, or None."""
        report = self.state.reports.get(role)
        return report if report is not None and report.submitted else None

    def events(self, *names: str) -> tuple[LogEntry, ...]:
        """Return the log entries for the named event types, in order."""
        return tuple(entry for entry in self.state.log if entry.event in names)

    def took_part(self, role: Role) -> bool:
        """Return whether ``role`` did anything a present agency does."""
        state = self.state
        return (
            self.report(role) is not None
            or role in state.contributed
            or any(item.role is role for item in state.shared_items)
            or any(impact.role is role for impact in state.impacts)
            or any(ballot.role is role for rnd in state.rounds for ballot in rnd.ballots)
        )


def _ballots_by_child_role(
    state: ConferenceState, *, last: bool
) -> Mapping[tuple[str, Role], tuple[int, Ballot]]:
    chosen: dict[tuple[str, Role], tuple[int, Ballot]] = {}
    for rnd in state.rounds:
        for ballot in rnd.ballots:
            key = (ballot.child_id, ballot.role)
            if last or key not in chosen:
                chosen[key] = (rnd.number, ballot)
    return MappingProxyType(chosen)


def build_context(
    *,
    state: ConferenceState,
    casefile: Scenario,
    strategy_discussion_on: date | None = None,
    transfer_notified_on: date | None = None,
    holidays: frozenset[date] = frozenset(),
    local_tz: tzinfo | None = None,
) -> Context:
    """Return the shared lookups the rules read."""
    setup = state.setup
    items: dict[str, PackItem] = {}
    holders: dict[str, Role] = {}
    for pack in casefile.role_packs:
        for item in pack.items:
            items.setdefault(item.id, item)
            holders.setdefault(item.id, pack.role)
    keys = {key.child_id: key for key in casefile.answer_keys}
    names = {child.id: child.given_name for child in casefile.household.children}
    names.update({child.id: child.name for child in setup.children})
    extra = sorted(
        {ballot.child_id for rnd in state.rounds for ballot in rnd.ballots}
        | set(state.decisions)
        | set(keys),
        key=str,
    )
    children = (*setup.child_ids, *(c for c in extra if c not in setup.child_ids))
    balloted = {ballot.role for rnd in state.rounds for ballot in rnd.ballots}
    voters = tuple(role for role in setup.seated_roles if role.votes) + tuple(
        role for role in Role if role in balloted and role not in setup.seated_roles
    )
    furthest = max((_AGENDA_INDEX[entry.phase] for entry in state.phase_history), default=0)
    furthest = max(furthest, _AGENDA_INDEX[state.phase])
    return Context(
        state=state,
        casefile=casefile,
        strategy_discussion_on=strategy_discussion_on,
        transfer_notified_on=transfer_notified_on,
        holidays=holidays,
        local_tz=local_tz,
        items=MappingProxyType(items),
        holders=MappingProxyType(holders),
        keys=MappingProxyType(keys),
        child_names=MappingProxyType(names),
        children=children,
        voters=voters,
        first_ballots=_ballots_by_child_role(state, last=False),
        final_ballots=_ballots_by_child_role(state, last=True),
        furthest=furthest,
    )


# ---------------------------------------------------------------------------
# Agreement and movement
# ---------------------------------------------------------------------------

NO_CATEGORY = "none"
THRESHOLD_LABELS: Final = ("met", "not_met")
CATEGORY_COLUMNS: Final = (*(category.value for category in Category), NO_CATEGORY)


@dataclass(frozen=True, kw_only=True)
class BallotSummary:
    """The parts of a recommendation that agreement looks at."""

    round: int
    level_of_need: LevelOfNeed
    threshold_met: bool
    primary_category: Category | None

    @classmethod
    def of(cls, round_number: int, ballot: Ballot) -> BallotSummary:
        return cls(
            round=round_number,
            level_of_need=ballot.level_of_need,
            threshold_met=ballot.threshold_met,
            primary_category=ballot.primary_category,
        )

    def same_view(self, other: BallotSummary) -> bool:
        return (self.level_of_need, self.threshold_met, self.primary_category) == (
            other.level_of_need,
            other.threshold_met,
            other.primary_category,
        )


@dataclass(frozen=True, kw_only=True)
class VoterChange:
    """A professional whose view of one child moved between rounds."""

    role: Role
    before: BallotSummary
    after: BallotSummary


@dataclass(frozen=True, kw_only=True)
class ChildMovement:
    """How recommendations for one child moved from first to final round.

    The distributions count each voter's first and final recommendation
    (the final one is the latest round they voted in). Keys are
    ``THRESHOLD_LABELS`` and ``CATEGORY_COLUMNS``; zero counts are kept.
    """

    child_id: str
    first_round: int
    final_round: int
    first_threshold: Mapping[str, int]
    final_threshold: Mapping[str, int]
    first_category: Mapping[str, int]
    final_category: Mapping[str, int]
    changed: tuple[VoterChange, ...]


@dataclass(frozen=True, kw_only=True)
class Agreement:
    """Group agreement in the final recommendations, and how views moved."""

    kappa_threshold: FleissResult
    kappa_category: FleissResult
    interpretation: str
    movement: tuple[ChildMovement, ...]


def _threshold_label(ballot: Ballot) -> str:
    return THRESHOLD_LABELS[0] if ballot.threshold_met else THRESHOLD_LABELS[1]


def _category_label(ballot: Ballot) -> str:
    return ballot.primary_category.value if ballot.primary_category else NO_CATEGORY


def _counts(
    ballots: Iterable[Ballot], label: Callable[[Ballot], str], columns: Iterable[str]
) -> Mapping[str, int]:
    counter = Counter(label(ballot) for ballot in ballots)
    return MappingProxyType({column: counter.get(column, 0) for column in columns})


def measure_agreement(ctx: Context) -> Agreement:
    """Return kappa over the final recommendations and the movement per child."""
    threshold_rows: list[list[int]] = []
    category_rows: list[list[int]] = []
    movement: list[ChildMovement] = []
    for child_id in ctx.setup.child_ids:  # a ballot for an unknown child is not agreement
        finals = [(ctx.final_ballots.get((child_id, role)), role) for role in ctx.voters]
        final = [(entry[1], role) for entry, role in finals if entry is not None]
        if not final:
            continue
        final_ballots = [ballot for ballot, _ in final]
        threshold_counts = _counts(final_ballots, _threshold_label, THRESHOLD_LABELS)
        category_counts = _counts(final_ballots, _category_label, CATEGORY_COLUMNS)
        threshold_rows.append([threshold_counts[c] for c in THRESHOLD_LABELS])
        category_rows.append([category_counts[c] for c in CATEGORY_COLUMNS])
        first = [ctx.first_ballots[(child_id, role)] for _, role in final]
        changed = tuple(
            VoterChange(
                role=role,
                before=BallotSummary.of(*ctx.first_ballots[(child_id, role)]),
                after=BallotSummary.of(*ctx.final_ballots[(child_id, role)]),
            )
            for _, role in final
            if not BallotSummary.of(*ctx.first_ballots[(child_id, role)]).same_view(
                BallotSummary.of(*ctx.final_ballots[(child_id, role)])
            )
        )
        movement.append(
            ChildMovement(
                child_id=child_id,
                first_round=min(number for number, _ in first),
                final_round=max(ctx.final_ballots[(child_id, role)][0] for _, role in final),
                first_threshold=_counts([b for _, b in first], _threshold_label, THRESHOLD_LABELS),
                final_threshold=threshold_counts,
                first_category=_counts([b for _, b in first], _category_label, CATEGORY_COLUMNS),
                final_category=category_counts,
                changed=changed,
            )
        )
    kappa_threshold = fleiss_kappa(threshold_rows)
    kappa_category = fleiss_kappa(category_rows)
    moved = sum(len(child.changed) for child in movement)
    interpretation = " ".join(
        (
            describe(kappa_threshold, what="whether the threshold was met"),
            describe(kappa_category, what="the category"),
            f"{moved} recommendation(s) changed between the first round and the final one."
            if movement
            else "No recommendations were made.",
        )
    )
    return Agreement(
        kappa_threshold=kappa_threshold,
        kappa_category=kappa_category,
        interpretation=interpretation,
        movement=tuple(movement),
    )


# ---------------------------------------------------------------------------
# Scorecards
# ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Total:
    """Points and verdict counts over a set of findings."""

    points: int = 0
    max_points: int = 0
    verdicts: Mapping[Verdict, int] = field(
        default_factory=lambda: MappingProxyType(dict.fromkeys(Verdict, 0))
    )

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> Total:
        listed = list(findings)
        counter = Counter(finding.verdict for finding in listed)
        return cls(
            points=sum(finding.points for finding in listed),
            max_points=sum(finding.max_points for finding in listed),
            verdicts=MappingProxyType({verdict: counter.get(verdict, 0) for verdict in Verdict}),
        )

    @property
    def fraction(self) -> float | None:
        """Return points over max_points, or None when nothing was scored."""
        return self.points / self.max_points if self.max_points else None


@dataclass(frozen=True, kw_only=True)
class ScoreCard:
    """Every finding for one conference, with totals and group agreement.

    ``role_totals`` has an entry for every seated role (an empty total for
    roles no rule judged). ``room_total`` covers findings about the room and
    about each child (the conference's decisions and plan).
    """

    rule_set_version: str
    scenario_slug: str
    room_id: str
    findings: tuple[Finding, ...]
    role_totals: Mapping[Role, Total]
    room_total: Total
    agreement: Agreement

    def findings_for(self, subject: Subject) -> tuple[Finding, ...]:
        return tuple(finding for finding in self.findings if finding.subject == subject)

    def to_dict(self) -> dict[str, Any]:
        """Return the card as plain JSON types, for storage and export."""
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}


def _plain(value: object) -> Any:
    """Return ``value`` as JSON types: the scorecard's fields, recursively."""
    if value is None or isinstance(value, bool | int | float | str):
        return value.value if isinstance(value, StrEnum) else value
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(_plain(key)): _plain(item) for key, item in sorted(value.items(), key=str)}
    if isinstance(value, tuple):
        return [_plain(item) for item in value]
    msg = f"cannot encode {type(value).__name__}"  # pragma: no cover - no such field
    raise TypeError(msg)  # pragma: no cover


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


def _unusable_rule(
    ctx: Context, ruleset: RuleSet, config: RuleConfig, known: Container[str]
) -> Finding | None:
    """Return a NOT_ASSESSABLE finding if ``config`` cannot be scored."""
    problem = None
    if config.rule_id not in known:
        problem = (
            f"The rule set names rule {config.rule_id!r}, which this version of the "
            "scoring engine does not know, so it was not scored."
        )
    else:
        bad = [key for key in config.citations if not citation_is_well_formed(key)]
        if bad:
            problem = (
                f"Rule {config.rule_id} cites {', '.join(map(repr, bad))}, which is not a "
                "guidance or workbook paragraph key, so it was not scored."
            )
    if problem is None:
        return None
    return Finding(
        rule_id=config.rule_id,
        subject=ctx.room,
        verdict=Verdict.NOT_ASSESSABLE,
        points=0,
        max_points=0,
        evidence=(Evidence(kind=EvidenceKind.RULE_SET, ref=f"{ruleset.version}:{config.rule_id}"),),
        explanation=problem,
        citations=tuple(key for key in config.citations if citation_is_well_formed(key)),
    )


def score_conference(
    *,
    state: ConferenceState,
    casefile: Scenario,
    ruleset: RuleSet,
    strategy_discussion_on: date | None,
    holidays: frozenset[date],
    transfer_notified_on: date | None = None,
    local_tz: tzinfo | None = None,
) -> ScoreCard:
    """Return the scorecard for ``state`` judged by ``ruleset``.

    :param state: the conference, as replayed from its events.
    :param casefile: the scenario the room ran, with its answer keys and
        information packs (the truth the rules compare against). Pass it
        rendered for the seminar (``casefile.render_scenario``) so that the
        pack texts explanations quote carry names, not placeholders.
    :param strategy_discussion_on: the real date of the strategy discussion
        (the scenario's ``strategy_discussion`` key date resolved for this
        seminar); None when the case has none or it is unknown.
    :param holidays: Jersey public holidays for working-day timescales.
    :param transfer_notified_on: for a transfer-in conference, the date
        Jersey was notified of the move.
    :param local_tz: the conference's time zone, so a report submitted at
        23:30 local time counts on that day; None uses the datetimes' own
        calendar dates.
    """
    # The rules are built from this module's types, so the table is imported
    # here rather than at the top, where it would be a circular import.
    from simulations.engine.rules import RULES

    ctx = build_context(
        state=state,
        casefile=casefile,
        strategy_discussion_on=strategy_discussion_on,
        transfer_notified_on=transfer_notified_on,
        holidays=holidays,
        local_tz=local_tz,
    )
    findings: list[Finding] = []
    for config in ruleset.rules:
        if not config.enabled:
            continue
        unusable = _unusable_rule(ctx, ruleset, config, RULES)
        if unusable is not None:
            findings.append(unusable)
            continue
        findings.extend(RULES[config.rule_id].check(ctx, config))
    findings.sort(key=_finding_order)
    seated = state.setup.seated_roles
    role_ids = {role.value: role for role in Role}
    by_role: dict[Role, list[Finding]] = {role: [] for role in seated}
    room: list[Finding] = []
    for finding in findings:
        if finding.subject.kind is SubjectKind.ROLE:
            by_role.setdefault(role_ids[finding.subject.id], []).append(finding)
        else:
            room.append(finding)
    return ScoreCard(
        rule_set_version=ruleset.version,
        scenario_slug=casefile.slug,
        room_id=state.setup.room_id,
        findings=tuple(findings),
        role_totals=MappingProxyType(
            {role: Total.of(by_role[role]) for role in Role if role in by_role}
        ),
        room_total=Total.of(room),
        agreement=measure_agreement(ctx),
    )


def score_events(
    *,
    setup: ConferenceSetup,
    events: Iterable[Event],
    casefile: Scenario,
    ruleset: RuleSet,
    strategy_discussion_on: date | None,
    holidays: frozenset[date],
    transfer_notified_on: date | None = None,
    local_tz: tzinfo | None = None,
) -> ScoreCard:
    """Return the scorecard of a stored conference, replayed from its events.

    This is re-scoring: the same events, case file and rule set version
    always give the same card.
    """
    return score_conference(
        state=replay(new_conference(setup), events),
        casefile=casefile,
        ruleset=ruleset,
        strategy_discussion_on=strategy_discussion_on,
        holidays=holidays,
        transfer_notified_on=transfer_notified_on,
        local_tz=local_tz,
    )


_WORD_RE: Final = re.compile(r"\s+")


def excerpt(text: str, limit: int = 60) -> str:
    """Return ``text`` on one line, cut to ``limit`` characters, quoted."""
    flat = _WORD_RE.sub(" ", text).strip()
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return f"'{flat}'"


__all__ = [
    "Agreement",
    "BallotSummary",
    "ChildMovement",
    "Context",
    "Evidence",
    "EvidenceKind",
    "Finding",
    "RuleConfig",
    "RuleSet",
    "ScoreCard",
    "Subject",
    "SubjectKind",
    "Total",
    "Verdict",
    "VoterChange",
    "build_context",
    "excerpt",
    "measure_agreement",
    "score_conference",
    "score_events",
]
