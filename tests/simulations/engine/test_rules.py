"""Each rule, with a passing and a failing example: table-driven, no database.

Every example starts from one conference played by the book about a small
case (Jayden needs a child protection plan for physical abuse; his sister
Mia a child in need plan) and changes one thing in the record, the case or
the inputs. The finding for the named subject must have the expected
verdict, the points the default rule set gives that verdict, its citations
and an explanation that says what went wrong.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from simulations.engine.calendar import add_working_days
from simulations.engine.casefile import PackItem, RolePack, Scenario
from simulations.engine.commands import (
    CallSpeaker,
    FinishContribution,
    GiveView,
    GoBack,
    StateImpact,
)
from simulations.engine.rules import RULES, roles_named
from simulations.engine.ruleset import DEFAULT_RULE_SET
from simulations.engine.scoring import (
    Finding,
    RuleConfig,
    RuleSet,
    Subject,
    Verdict,
    build_context,
)
from simulations.engine.state import (
    Actor,
    ConferenceState,
    Dissent,
    Exclusion,
    OpeningItem,
    OutlinePlan,
    ParentAttendance,
    Phase,
    PlanRow,
    Statement,
    Voice,
    frozen_map,
)
from simulations.engine.vocabulary import (
    Category,
    ConferenceType,
    ExclusionReason,
    LevelOfNeed,
    PlanOutcome,
    Provenance,
    ReportSection,
    Role,
)
from tests.simulations.engine.scoring_helpers import (
    CONFERENCE_DATE,
    HOLIDAYS,
    JAYDEN_KEY,
    MIA_KEY,
    Play,
    family_views,
    play,
    score,
    two_children_case,
)

MET = Verdict.MET
PARTLY = Verdict.PARTLY_MET
NOT_MET = Verdict.NOT_MET
NOT_APPLICABLE = Verdict.NOT_APPLICABLE
NOT_ASSESSABLE = Verdict.NOT_ASSESSABLE

CASE = two_children_case()
ROOM = Subject.room("room-1")
JAYDEN = Subject.child("jayden")
MIA = Subject.child("mia")
CHAIR = Subject.role(Role.CHAIR)
LSW = Subject.role(Role.LEAD_SOCIAL_WORKER)
HV = Subject.role(Role.HEALTH_VISITOR)
GP = Subject.role(Role.GP)
POLICE = Subject.role(Role.POLICE)
TRAINER = Actor.trainer()


@functools.cache
def base() -> Play:
    return play(CASE)


type Record = tuple[ConferenceState, Scenario, dict[str, Any]]


def as_played() -> Record:
    return base().state, CASE, {}


def state(**changes: Any) -> Callable[[], Record]:
    return lambda: (replace(base().state, **changes), CASE, {})


def edit(fn: Callable[[ConferenceState], ConferenceState]) -> Callable[[], Record]:
    return lambda: (fn(base().state), CASE, {})


def inputs(**kwargs: Any) -> Callable[[], Record]:
    return lambda: (base().state, CASE, kwargs)


def replayed(**overrides: Callable[[Play], None]) -> Callable[[], Record]:
    def build() -> Record:
        p = play(CASE, overrides={Phase(k): v for k, v in overrides.items()})
        return p.state, CASE, {}

    return build


# Editing the record ----------------------------------------------------------


def report(role: Role, **changes: Any) -> Callable[[ConferenceState], ConferenceState]:
    def change(s: ConferenceState) -> ConferenceState:
        return replace(
            s, reports=frozen_map({**s.reports, role: replace(s.reports[role], **changes)})
        )

    return change


def statements(
    role: Role, *new: Statement, keep: bool = True
) -> Callable[[ConferenceState], ConferenceState]:
    def change(s: ConferenceState) -> ConferenceState:
        old = s.reports[role].statements if keep else ()
        return report(role, statements=(*old, *new))(s)

    return change


def retag(role: Role, item_id: str, **changes: Any) -> Callable[[ConferenceState], ConferenceState]:
    def change(s: ConferenceState) -> ConferenceState:
        updated = tuple(
            replace(st, **changes) if st.item_id == item_id else st
            for st in s.reports[role].statements
        )
        return report(role, statements=updated)(s)

    return change


def ballot(
    role: Role, child_id: str, **changes: Any
) -> Callable[[ConferenceState], ConferenceState]:
    def change(s: ConferenceState) -> ConferenceState:
        last = s.rounds[-1]
        ballots = tuple(
            replace(b, **changes) if b.role is role and b.child_id == child_id else b
            for b in last.ballots
        )
        return replace(s, rounds=(*s.rounds[:-1], replace(last, ballots=ballots)))

    return change


def decision(child_id: str, **changes: Any) -> Callable[[ConferenceState], ConferenceState]:
    def change(s: ConferenceState) -> ConferenceState:
        return replace(
            s,
            decisions=frozen_map(
                {**s.decisions, child_id: replace(s.decisions[child_id], **changes)}
            ),
        )

    return change


def plan(**changes: Any) -> Callable[[ConferenceState], ConferenceState]:
    return lambda s: replace(s, plan=replace(s.plan, **changes))


def without_shared(role: Role) -> Callable[[ConferenceState], ConferenceState]:
    return lambda s: replace(s, shared_items=tuple(i for i in s.shared_items if i.role is not role))


def chain(
    *changes: Callable[[ConferenceState], ConferenceState],
) -> Callable[[ConferenceState], ConferenceState]:
    def change(s: ConferenceState) -> ConferenceState:
        for step in changes:
            s = step(s)
        return s

    return change


def case_with(**overrides: Any) -> Callable[[], Record]:
    return lambda: (base().state, two_children_case(**overrides), {})


def second_hand_packs_except(*keep: Role) -> Callable[[], Record]:
    """Return the case with every pack but ``keep`` holding only second-hand items."""

    def hearsay(pack: RolePack) -> RolePack:
        if pack.role in keep:
            return pack
        items = tuple(
            replace(item, first_hand=False, source=item.source or "Another agency")
            for item in pack.items
        )
        return replace(pack, items=items)

    return lambda: (
        base().state,
        two_children_case(role_packs=tuple(hearsay(p) for p in CASE.role_packs)),
        {},
    )


def fact(text: str, item_id: str | None = None) -> Statement:
    return Statement(text=text, provenance=Provenance.FACT, item_id=item_id)


# Replaying with a different script for one phase -----------------------------


def views_before_impact(p: Play) -> None:
    family_views(p)  # leaves FAMILY_VIEWS for SUMMARY; go back and add to it
    p.do(GoBack, TRAINER)
    p.do(GoBack, TRAINER)
    gp = Actor.seat(Role.GP)
    p.do(CallSpeaker, Actor.seat(Role.CHAIR), role=Role.GP)
    p.do(StateImpact, gp, child_id="jayden", text="Jayden is frightened at home.")
    p.do(FinishContribution, gp)
    p.advance()
    p.advance()


def summary_skipped(p: Play) -> None:
    p.advance()


def no_child_views(p: Play) -> None:
    p.do(GiveView, Actor.seat(Role.PARENT), voice=Voice.PARENT, text="We love them.")
    p.advance()


# The table -------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    rule_id: str
    name: str
    record: Callable[[], Record]
    subject: Subject
    verdict: Verdict
    says: str = ""
    child_id: str | None = None
    ruleset: RuleSet = field(default=DEFAULT_RULE_SET)


def ex(
    rule_id: str,
    name: str,
    record: Callable[[], Record],
    subject: Subject,
    verdict: Verdict,
    says: str = "",
    child_id: str | None = None,
    **kw: Any,
) -> Any:
    return pytest.param(
        Example(rule_id, name, record, subject, verdict, says, child_id, **kw),
        id=f"{rule_id}:{name}",
    )


R13_ON = RuleSet(
    version="test",
    rules=(
        RuleConfig(
            rule_id="R13-family-composition",
            points=1,
            citations=("guidance:procedures-summary:para-47",),
        ),
    ),
)

EXAMPLES = [
    # R01 level of need
    ex("R01-level-of-need", "right level", as_played, GP, MET, "safeguarding", "jayden"),
    ex(
        "R01-level-of-need",
        "wrong level",
        edit(ballot(Role.GP, "jayden", level_of_need=LevelOfNeed.WELLBEING)),
        GP,
        NOT_MET,
        "You placed Jayden at the wellbeing need (early help) level; the case puts Jayden at the safeguarding",
        "jayden",
    ),
    ex(
        "R01-level-of-need",
        "no ballot",
        edit(
            lambda s: replace(
                s,
                rounds=(
                    replace(
                        s.rounds[-1],
                        ballots=tuple(b for b in s.rounds[-1].ballots if b.role is not Role.GP),
                    ),
                ),
            )
        ),
        GP,
        NOT_MET,
        "no recommendation for Jayden",
        "jayden",
    ),
    # R02 threshold
    ex("R02-threshold", "right threshold", as_played, GP, MET, "is met for Jayden", "jayden"),
    ex(
        "R02-threshold",
        "wrong threshold",
        edit(
            ballot(
                Role.GP,
                "jayden",
                threshold_met=False,
                primary_category=None,
                other_categories=frozenset(),
            )
        ),
        GP,
        NOT_MET,
        "is not met for Jayden; in this case it is met",
        "jayden",
    ),
    ex(
        "R02-threshold",
        "no rationale",
        edit(ballot(Role.GP, "mia", rationale=" ")),
        GP,
        PARTLY,
        "gave no reason",
        "mia",
    ),
    # R03 primary category
    ex("R03-primary-category", "right category", as_played, GP, MET, "physical abuse", "jayden"),
    ex(
        "R03-primary-category",
        "wrong category",
        edit(
            ballot(
                Role.GP, "jayden", primary_category=Category.SEXUAL, other_categories=frozenset()
            )
        ),
        GP,
        NOT_MET,
        "You chose sexual abuse for Jayden; the primary category is physical abuse",
        "jayden",
    ),
    ex(
        "R03-primary-category",
        "acceptable secondary",
        edit(
            ballot(
                Role.GP, "jayden", primary_category=Category.NEGLECT, other_categories=frozenset()
            )
        ),
        GP,
        PARTLY,
        "partial credit",
        "jayden",
    ),
    ex(
        "R03-primary-category",
        "threshold not met",
        as_played,
        GP,
        NOT_APPLICABLE,
        "No category applies to Mia",
        "mia",
    ),
    # R04 secondary categories
    ex("R04-secondary-categories", "acceptable", as_played, GP, MET, "reasonable", "jayden"),
    ex(
        "R04-secondary-categories",
        "unsupported",
        edit(ballot(Role.GP, "jayden", other_categories=frozenset({Category.SEXUAL}))),
        GP,
        NOT_MET,
        "You also named sexual abuse",
        "jayden",
    ),
    ex(
        "R04-secondary-categories",
        "mixed",
        edit(
            ballot(
                Role.GP, "jayden", other_categories=frozenset({Category.SEXUAL, Category.NEGLECT})
            )
        ),
        GP,
        PARTLY,
        "Neglect is reasonable",
        "jayden",
    ),
    # R05 decision outcome
    ex(
        "R05-decision-outcome",
        "plan decided",
        as_played,
        JAYDEN,
        MET,
        "a child protection plan for Jayden",
    ),
    ex(
        "R05-decision-outcome",
        "no plan",
        edit(
            decision(
                "jayden",
                outcome=PlanOutcome.CHILD_IN_NEED_PLAN,
                category=None,
                other_categories=frozenset(),
            )
        ),
        JAYDEN,
        NOT_MET,
        "the case calls for a child protection plan",
    ),
    ex(
        "R05-decision-outcome",
        "wrong alternative",
        edit(decision("mia", outcome=PlanOutcome.EARLY_HELP_PLAN)),
        MIA,
        PARTLY,
        "rightly made no child protection plan for Mia",
    ),
    ex(
        "R05-decision-outcome",
        "missing decision",
        edit(lambda s: replace(s, decisions=frozen_map({"jayden": s.decisions["jayden"]}))),
        MIA,
        NOT_MET,
        "No decision was recorded for Mia",
    ),
    # R06 decision category
    ex("R06-decision-category", "right category", as_played, JAYDEN, MET, "physical abuse"),
    ex(
        "R06-decision-category",
        "wrong category",
        edit(decision("jayden", category=Category.SEXUAL)),
        JAYDEN,
        NOT_MET,
        "recorded sexual abuse for Jayden; the most suitable category is physical abuse",
    ),
    ex(
        "R06-decision-category",
        "secondary as primary",
        edit(
            decision(
                "jayden",
                category=Category.EMOTIONAL,
                other_categories=frozenset({Category.NEGLECT}),
            )
        ),
        JAYDEN,
        PARTLY,
        "reasonable secondary view",
    ),
    # R07 decision secondary categories
    ex("R07-decision-secondary-categories", "acceptable", as_played, JAYDEN, MET, "reasonable"),
    ex(
        "R07-decision-secondary-categories",
        "unsupported",
        edit(decision("jayden", other_categories=frozenset({Category.SEXUAL}))),
        JAYDEN,
        NOT_MET,
        "also recorded sexual abuse",
    ),
    # R08 dissent
    ex(
        "R08-dissent-recorded",
        "agreed",
        as_played,
        GP,
        NOT_APPLICABLE,
        "agreed with the decision",
        "jayden",
    ),
    ex(
        "R08-dissent-recorded",
        "dissent recorded",
        edit(
            chain(
                ballot(
                    Role.GP,
                    "jayden",
                    threshold_met=False,
                    primary_category=None,
                    other_categories=frozenset(),
                ),
                lambda s: replace(
                    s,
                    dissents=(
                        *s.dissents,
                        Dissent(
                            child_id="jayden",
                            role=Role.GP,
                            reason="No injury seen.",
                            recorded_at=datetime(2025, 6, 5, 12, tzinfo=UTC),
                        ),
                    ),
                ),
            )
        ),
        GP,
        MET,
        "recorded with its reason",
        "jayden",
    ),
    ex(
        "R08-dissent-recorded",
        "silent disagreement",
        edit(
            ballot(
                Role.GP,
                "jayden",
                threshold_met=False,
                primary_category=None,
                other_categories=frozenset(),
            )
        ),
        GP,
        NOT_MET,
        "no dissent was recorded",
        "jayden",
    ),
    # R09 report on time
    ex("R09-report-on-time", "on time", as_played, GP, MET, "by the deadline"),
    ex(
        "R09-report-on-time",
        "late",
        edit(report(Role.GP, first_submitted_at=datetime(2025, 6, 4, 9, tzinfo=UTC))),
        GP,
        NOT_MET,
        "1 working day before the conference. For an initial conference it is due 2 working days before, by Tuesday 3 June 2025",
    ),
    ex(
        "R09-report-on-time",
        "no report",
        edit(
            lambda s: replace(
                s, reports=frozen_map({r: v for r, v in s.reports.items() if r is not Role.GP})
            )
        ),
        GP,
        NOT_MET,
        "You submitted no report",
    ),
    # R10 report submitted
    ex("R10-report-submitted", "submitted", as_played, GP, MET),
    ex(
        "R10-report-submitted",
        "missing",
        edit(
            lambda s: replace(
                s, reports=frozen_map({r: v for r, v in s.reports.items() if r is not Role.GP})
            )
        ),
        GP,
        NOT_MET,
        "You submitted no report",
    ),
    # R11 sections
    ex("R11-report-sections", "complete", as_played, GP, MET),
    ex(
        "R11-report-sections",
        "one empty",
        edit(
            report(
                Role.GP,
                sections=frozen_map(
                    {
                        k: v
                        for k, v in base().state.reports[Role.GP].sections.items()
                        if k is not ReportSection.SERVICE_SUPPORT
                    }
                ),
            )
        ),
        GP,
        PARTLY,
        "You left 1 of 11 sections empty: 'How your service can support'",
    ),
    ex(
        "R11-report-sections",
        "mostly empty",
        edit(
            report(Role.GP, sections=frozen_map({ReportSection.WORRIES: "Jayden is frightened."}))
        ),
        GP,
        NOT_MET,
        "10 of 11",
    ),
    # R12 sharing
    ex(
        "R12-report-shared",
        "shared",
        as_played,
        GP,
        MET,
        "shared your report with the parents and the young person",
    ),
    ex(
        "R12-report-shared",
        "not shared, reason",
        edit(report(Role.GP, shared_with_child=False, reason_not_shared="Jayden is four.")),
        GP,
        MET,
        "recorded why",
    ),
    ex(
        "R12-report-shared",
        "not recorded",
        edit(report(Role.GP, shared_with_parents=None, shared_with_child=None)),
        GP,
        NOT_MET,
        "did not record whether",
    ),
    ex(
        "R12-report-shared",
        "not shared, no reason",
        edit(report(Role.GP, shared_with_parents=False, reason_not_shared="")),
        GP,
        NOT_MET,
        "gave no reason",
    ),
    # R13 family composition (no input yet)
    ex(
        "R13-family-composition",
        "no fields yet",
        as_played,
        GP,
        NOT_ASSESSABLE,
        "does not yet record",
        ruleset=R13_ON,
    ),
    # R14 provenance
    ex("R14-provenance-tags", "all right", as_played, LSW, MET, "All 3"),
    ex(
        "R14-provenance-tags",
        "allegation as fact",
        edit(retag(Role.LEAD_SOCIAL_WORKER, "sw-2", provenance=Provenance.FACT)),
        LSW,
        PARTLY,
        "You tagged 'Mum said Jayden fell off the sofa.' as a fact; it is an allegation: a claim that has not been verified.",
    ),
    ex(
        "R14-provenance-tags",
        "mostly wrong",
        edit(
            chain(
                retag(Role.LEAD_SOCIAL_WORKER, "sw-2", provenance=Provenance.FACT),
                retag(Role.LEAD_SOCIAL_WORKER, "sw-3", provenance=Provenance.FACT),
            )
        ),
        LSW,
        NOT_MET,
        "1 of 3 checkable tags were right",
    ),
    ex(
        "R14-provenance-tags",
        "nothing linked",
        edit(report(Role.GP, statements=(fact("Seen twice."),))),
        GP,
        NOT_ASSESSABLE,
        "could not be checked",
    ),
    # R15 second-hand
    ex("R15-second-hand-attributed", "attributed", as_played, HV, MET),
    ex(
        "R15-second-hand-attributed",
        "not marked",
        edit(retag(Role.HEALTH_VISITOR, "hv-2", second_hand=False, source="")),
        HV,
        NOT_MET,
        "is second-hand information",
    ),
    ex(
        "R15-second-hand-attributed",
        "no source",
        edit(
            statements(
                Role.GP,
                Statement(
                    text="Dad drinks.",
                    provenance=Provenance.ALLEGATION,
                    second_hand=True,
                    source=" ",
                ),
            )
        ),
        GP,
        NOT_MET,
        "names no source",
    ),
    ex("R15-second-hand-attributed", "none second-hand", as_played, GP, NOT_APPLICABLE),
    # R16 assumptions
    ex("R16-no-assumption-as-fact", "facts are facts", as_played, HV, MET),
    ex(
        "R16-no-assumption-as-fact",
        "allegation as fact",
        edit(retag(Role.LEAD_SOCIAL_WORKER, "sw-2", provenance=Provenance.FACT)),
        LSW,
        PARTLY,
        "it is an allegation",
    ),
    ex(
        "R16-no-assumption-as-fact",
        "hedged facts",
        edit(
            statements(
                Role.GP,
                fact("He probably fell from the climbing frame."),
                fact("Mum must have known."),
            )
        ),
        GP,
        NOT_MET,
        "'probably' shows it is an assumption",
    ),
    ex(
        "R16-no-assumption-as-fact",
        "no facts",
        edit(
            report(
                Role.GP,
                statements=(
                    Statement(text="I think it was deliberate.", provenance=Provenance.OPINION),
                ),
            )
        ),
        GP,
        NOT_APPLICABLE,
    ),
    # R17 worries
    ex("R17-worries-impact", "impact stated", as_played, GP, MET),
    ex(
        "R17-worries-impact",
        "adults only",
        edit(
            report(
                Role.GP,
                sections=frozen_map(
                    {
                        **base().state.reports[Role.GP].sections,
                        ReportSection.WORRIES: "Dad shouts at night.",
                    }
                ),
            )
        ),
        GP,
        NOT_MET,
        "do not say what they mean for the child",
    ),
    ex(
        "R17-worries-impact",
        "one of two",
        edit(
            report(
                Role.GP,
                sections=frozen_map(
                    {
                        **base().state.reports[Role.GP].sections,
                        ReportSection.WORRIES: "- Dad shouts at night.\n- Jayden is frightened and cannot sleep.",
                    }
                ),
            )
        ),
        GP,
        PARTLY,
        "1 of your 2 worries",
    ),
    ex(
        "R17-worries-impact",
        "no worries",
        edit(report(Role.GP, sections=frozen_map({ReportSection.NEXT_STEPS: "Parenting work."}))),
        GP,
        NOT_MET,
        "no 'What are we worried about?'",
    ),
    # R18 confidential
    ex("R18-confidential-handled", "raised, kept out", as_played, POLICE, MET),
    ex(
        "R18-confidential-handled",
        "also written",
        edit(statements(Role.POLICE, fact("A live investigation concerns the father.", "po-2"))),
        POLICE,
        PARTLY,
        "in your written report",
    ),
    ex(
        "R18-confidential-handled",
        "written, not raised",
        edit(
            chain(
                statements(Role.POLICE, fact("A live investigation concerns the father.", "po-2")),
                report(Role.POLICE, confidential=()),
            )
        ),
        POLICE,
        NOT_MET,
        "did not raise",
    ),
    ex("R18-confidential-handled", "nothing confidential", as_played, GP, NOT_APPLICABLE),
    # R19 must share
    ex("R19-must-share", "shared", as_played, GP, MET),
    ex(
        "R19-must-share",
        "withheld",
        edit(chain(without_shared(Role.GP), report(Role.GP, statements=()))),
        GP,
        NOT_MET,
        "needed to hear 'Bruising to the upper arm was recorded.' from you",
    ),
    ex(
        "R19-must-share",
        "raised with the chair counts",
        edit(without_shared(Role.POLICE)),
        POLICE,
        MET,
    ),
    ex("R19-must-share", "nothing to share", as_played, Subject.role(Role.PARENT), NOT_APPLICABLE),
    # R20 impact
    ex("R20-impact-stated", "impact stated", as_played, GP, MET),
    ex(
        "R20-impact-stated",
        "no impact",
        edit(lambda s: replace(s, impacts=tuple(i for i in s.impacts if i.role is not Role.GP))),
        GP,
        NOT_MET,
        "without saying what your information means",
    ),
    ex(
        "R20-impact-stated",
        "not for every child",
        edit(
            lambda s: replace(
                s,
                impacts=tuple(
                    i for i in s.impacts if not (i.role is Role.GP and i.child_id == "mia")
                ),
                shared_items=tuple(
                    replace(i, child_id="mia") if i.role is Role.GP else i for i in s.shared_items
                ),
            )
        ),
        GP,
        PARTLY,
        "but not for Mia",
    ),
    # R21 timescale
    ex(
        "R21-conference-timescale",
        "within 15",
        as_played,
        ROOM,
        MET,
        "12 working days after the strategy discussion",
    ),
    ex(
        "R21-conference-timescale",
        "too late",
        inputs(strategy_discussion_on=add_working_days(CONFERENCE_DATE, -16, HOLIDAYS)),
        ROOM,
        NOT_MET,
        "16 working days after the strategy discussion",
    ),
    ex(
        "R21-conference-timescale",
        "no date",
        inputs(strategy_discussion_on=None),
        ROOM,
        NOT_ASSESSABLE,
        "was not given",
    ),
    # R22 quorum
    ex("R22-quorum", "quorate", as_played, ROOM, MET, "Children's Social Care with"),
    ex(
        "R22-quorum",
        "too few with contact",
        second_hand_packs_except(Role.LEAD_SOCIAL_WORKER, Role.GP),
        ROOM,
        NOT_MET,
        "not quorate",
    ),
    # R23 chair read reports
    ex("R23-chair-read-reports", "all read", as_played, CHAIR, MET),
    ex(
        "R23-chair-read-reports",
        "one unread",
        edit(report(Role.GP, read_revision=0)),
        CHAIR,
        PARTLY,
        "did not read the reports from GP",
    ),
    ex(
        "R23-chair-read-reports",
        "old version",
        edit(report(Role.GP, revision=2)),
        CHAIR,
        PARTLY,
        "earlier version",
    ),
    ex(
        "R23-chair-read-reports",
        "none read",
        edit(
            lambda s: replace(
                s,
                reports=frozen_map({r: replace(v, read_revision=0) for r, v in s.reports.items()}),
            )
        ),
        CHAIR,
        NOT_MET,
    ),
    # R24 family met
    ex("R24-family-met", "met", as_played, CHAIR, MET),
    ex(
        "R24-family-met",
        "not met",
        state(family_met_at=None),
        CHAIR,
        NOT_MET,
        "did not meet the family",
    ),
    # R25 opening
    ex("R25-opening", "full opening", as_played, CHAIR, MET),
    ex(
        "R25-opening",
        "core only",
        state(opening_items=(OpeningItem.INTRODUCTIONS, OpeningItem.CONFIDENTIALITY)),
        CHAIR,
        PARTLY,
        "ground rules and the purpose and process",
    ),
    ex(
        "R25-opening",
        "no confidentiality",
        state(opening_items=(OpeningItem.INTRODUCTIONS,)),
        CHAIR,
        NOT_MET,
        "confidentiality",
    ),
    # R26 information before views
    ex("R26-information-before-views", "in order", as_played, ROOM, MET),
    ex(
        "R26-information-before-views",
        "views first",
        replayed(family_views=views_before_impact),
        ROOM,
        NOT_MET,
        "before the professionals had finished",
    ),
    # R27 summary
    ex("R27-summary-before-recommendations", "summarised", as_played, CHAIR, MET),
    ex(
        "R27-summary-before-recommendations",
        "skipped",
        replayed(summary=summary_skipped),
        CHAIR,
        NOT_MET,
        "did not summarise",
    ),
    # R28 exclusion reason
    ex("R28-exclusion-reason", "nobody excluded", as_played, CHAIR, NOT_APPLICABLE),
    ex(
        "R28-exclusion-reason",
        "exclusion with reason",
        state(
            exclusions=(
                Exclusion(
                    excluded=frozenset({Role.PARENT}),
                    reason=ExclusionReason.CONFIDENTIALITY,
                    note="Police matter",
                    started_at=datetime(2025, 6, 5, 10, tzinfo=UTC),
                ),
            )
        ),
        CHAIR,
        MET,
    ),
    ex(
        "R28-exclusion-reason",
        "parent kept out without reason",
        state(
            parent_attendance=ParentAttendance(
                attends_throughout=False, reason="", decided_at=datetime(2025, 6, 5, 9, tzinfo=UTC)
            )
        ),
        CHAIR,
        NOT_MET,
        "without recording the reason",
    ),
    # R29 voice of the child
    ex("R29-voice-of-child", "heard", as_played, JAYDEN, MET, "at the meeting"),
    ex(
        "R29-voice-of-child",
        "only written",
        replayed(family_views=no_child_views),
        JAYDEN,
        MET,
        "in the written reports",
    ),
    ex(
        "R29-voice-of-child",
        "not heard",
        edit(
            chain(
                lambda s: replace(s, views=tuple(v for v in s.views if v.voice is not Voice.CHILD)),
                *(
                    report(r, sections=frozen_map({ReportSection.WORRIES: "Jayden is frightened."}))
                    for r in base().setup.report_authors
                ),
            )
        ),
        JAYDEN,
        NOT_MET,
        "Jayden's own views were not heard",
    ),
    # R30 parents' views
    ex("R30-parents-views", "heard", as_played, ROOM, MET),
    ex(
        "R30-parents-views",
        "not heard",
        edit(lambda s: replace(s, views=tuple(v for v in s.views if v.voice is not Voice.PARENT))),
        ROOM,
        NOT_MET,
    ),
    # R31 must reach
    ex("R31-must-reach-conference", "all reached", as_played, JAYDEN, MET),
    ex(
        "R31-must-reach-conference",
        "one missing",
        edit(chain(without_shared(Role.GP), report(Role.GP, statements=()))),
        JAYDEN,
        PARTLY,
        "did not hear 'Bruising to the upper arm was recorded.' (GP)",
    ),
    ex(
        "R31-must-reach-conference",
        "most missing",
        edit(
            chain(
                *(without_shared(r) for r in Role),
                *(report(r, statements=(), confidential=()) for r in base().setup.report_authors),
            )
        ),
        JAYDEN,
        NOT_MET,
        "0 of 4",
    ),
    # R32 decision record
    ex("R32-decision-record-complete", "complete", as_played, ROOM, MET),
    ex(
        "R32-decision-record-complete",
        "plan without rows",
        edit(plan(rows=())),
        ROOM,
        PARTLY,
        "lacks plan rows",
    ),
    ex(
        "R32-decision-record-complete",
        "child undecided",
        edit(lambda s: replace(s, decisions=frozen_map({"jayden": s.decisions["jayden"]}))),
        ROOM,
        NOT_MET,
        "No decision was recorded for Mia",
    ),
    # R33 lead social worker
    ex("R33-lead-social-worker", "from CSC", as_played, ROOM, MET),
    ex(
        "R33-lead-social-worker",
        "none",
        edit(plan(lead_social_worker=None)),
        ROOM,
        NOT_MET,
        "must come from Children's Social Care",
    ),
    # R34 first core group
    ex("R34-first-core-group", "in time", as_played, ROOM, MET, "5 working days after"),
    ex(
        "R34-first-core-group",
        "too late",
        edit(plan(first_core_group_on=add_working_days(CONFERENCE_DATE, 11, HOLIDAYS))),
        ROOM,
        NOT_MET,
        "within 10 working days",
    ),
    # R35 core group covers owners
    ex("R35-core-group-covers-owners", "covered", as_played, ROOM, MET),
    ex(
        "R35-core-group-covers-owners",
        "owner outside",
        edit(plan(rows=(replace(base().state.plan.rows[0], who="Housing officer"),))),
        ROOM,
        PARTLY,
        "Housing officer holds actions",
    ),
    ex(
        "R35-core-group-covers-owners",
        "no family, owner outside",
        edit(
            plan(
                core_group=frozenset({Role.LEAD_SOCIAL_WORKER}),
                rows=(replace(base().state.plan.rows[0], who="Police"),),
            )
        ),
        ROOM,
        NOT_MET,
        "no family member",
    ),
    # R36 expected core group
    ex("R36-core-group-expected", "as expected", as_played, ROOM, MET),
    ex(
        "R36-core-group-expected",
        "one missing",
        edit(
            plan(core_group=frozenset({Role.LEAD_SOCIAL_WORKER, Role.PARENT, Role.HEALTH_VISITOR}))
        ),
        ROOM,
        PARTLY,
        "Designated teacher",
    ),
    ex(
        "R36-core-group-expected",
        "mostly missing",
        edit(plan(core_group=frozenset({Role.LEAD_SOCIAL_WORKER}))),
        ROOM,
        NOT_MET,
    ),
    # R37 contingency
    ex("R37-contingency-plan", "made", as_played, ROOM, MET),
    ex("R37-contingency-plan", "missing", edit(plan(contingency=" ")), ROOM, NOT_MET),
    # R38 plan rows
    ex("R38-plan-rows-complete", "complete", as_played, ROOM, MET),
    ex(
        "R38-plan-rows-complete",
        "empty column",
        edit(plan(rows=(replace(base().state.plan.rows[0], review=""),))),
        ROOM,
        PARTLY,
        "leaves a column empty",
    ),
    ex("R38-plan-rows-complete", "no rows", edit(plan(rows=())), ROOM, NOT_MET),
    # R39 seen alone
    ex("R39-seen-alone", "says when", as_played, ROOM, MET),
    ex(
        "R39-seen-alone",
        "silent",
        edit(
            plan(
                rows=(
                    PlanRow(
                        row_id="r",
                        child_id="jayden",
                        what="Safe at home",
                        how="Visits",
                        who="Lead social worker",
                        how_we_will_know="Fewer injuries",
                        review="Monthly",
                    ),
                ),
                contingency="Strategy discussion.",
            )
        ),
        ROOM,
        NOT_MET,
        "see the child alone",
    ),
]

# Edge cases of the same rules.
MORE_EXAMPLES = [
    ex(
        "R20-impact-stated",
        "never called",
        edit(
            lambda s: replace(
                s,
                impacts=tuple(i for i in s.impacts if i.role is not Role.GP),
                shared_items=tuple(i for i in s.shared_items if i.role is not Role.GP),
                contributed=tuple(r for r in s.contributed if r is not Role.GP),
                log=tuple(
                    e for e in s.log if not (e.event == "SpeakerCalled" and e.role is Role.GP)
                ),
            )
        ),
        GP,
        NOT_ASSESSABLE,
        "did not call you",
    ),
    ex(
        "R21-conference-timescale",
        "strategy after the conference",
        inputs(strategy_discussion_on=date(2025, 6, 9)),
        ROOM,
        NOT_ASSESSABLE,
        "after the conference",
    ),
    ex(
        "R03-primary-category",
        "wrong, nothing else acceptable",
        lambda: (
            ballot(
                Role.GP, "jayden", primary_category=Category.SEXUAL, other_categories=frozenset()
            )(base().state),
            two_children_case(
                answer_keys=(replace(JAYDEN_KEY, acceptable_secondary_categories=()), MIA_KEY)
            ),
            {},
        ),
        GP,
        NOT_MET,
        "the primary category is physical abuse.",
        "jayden",
    ),
    ex(
        "R07-decision-secondary-categories",
        "none recorded",
        edit(decision("jayden", other_categories=frozenset())),
        JAYDEN,
        MET,
        "optional",
    ),
    ex("R07-decision-secondary-categories", "no plan", as_played, MIA, NOT_APPLICABLE),
    ex(
        "R08-dissent-recorded",
        "dissent without reason",
        edit(
            chain(
                ballot(
                    Role.GP,
                    "jayden",
                    threshold_met=False,
                    primary_category=None,
                    other_categories=frozenset(),
                ),
                lambda s: replace(
                    s,
                    dissents=(
                        Dissent(
                            child_id="jayden",
                            role=Role.GP,
                            reason=" ",
                            recorded_at=datetime(2025, 6, 5, 12, tzinfo=UTC),
                        ),
                    ),
                ),
            )
        ),
        GP,
        PARTLY,
        "without a reason",
        "jayden",
    ),
    ex(
        "R09-report-on-time",
        "no submission time",
        edit(report(Role.GP, first_submitted_at=None, submitted_at=None)),
        GP,
        NOT_ASSESSABLE,
        "no submission time",
    ),
    ex(
        "R15-second-hand-attributed",
        "linked, no source",
        edit(retag(Role.HEALTH_VISITOR, "hv-2", source="")),
        HV,
        NOT_MET,
        "names no source",
    ),
    ex(
        "R26-information-before-views",
        "views only",
        edit(
            lambda s: replace(
                s, log=tuple(e for e in s.log if e.event not in {"ItemShared", "ImpactStated"})
            )
        ),
        ROOM,
        NOT_MET,
        "no professional presented information first",
    ),
    ex(
        "R27-summary-before-recommendations",
        "summary after votes",
        edit(
            lambda s: replace(
                s,
                log=tuple(
                    replace(e, index=10_000) if e.event == "SummaryGiven" else e for e in s.log
                ),
            )
        ),
        CHAIR,
        PARTLY,
        "only after the recommendations had started",
    ),
    ex(
        "R31-must-reach-conference",
        "unsubmitted report does not count",
        edit(chain(without_shared(Role.GP), report(Role.GP, revision=0))),
        JAYDEN,
        PARTLY,
        "(GP)",
    ),
    ex(
        "R37-contingency-plan",
        "plan never set",
        state(plan=OutlinePlan()),
        ROOM,
        NOT_MET,
        "no outline plan was set",
    ),
    ex(
        "R34-first-core-group",
        "no date",
        edit(plan(first_core_group_on=None)),
        ROOM,
        NOT_MET,
        "No date was set",
    ),
    ex(
        "R35-core-group-covers-owners",
        "owner not recognised",
        edit(plan(rows=(replace(base().state.plan.rows[0], who="The paediatrician"),))),
        ROOM,
        MET,
        "names no role the platform recognises",
    ),
    ex(
        "R36-core-group-expected",
        "nobody to expect",
        case_with(answer_keys=(replace(JAYDEN_KEY, expected_core_group=(Role.CHAIR,)), MIA_KEY)),
        ROOM,
        NOT_APPLICABLE,
        "names no core group members",
    ),
    ex(
        "R36-core-group-expected",
        "no key for the child on a plan",
        case_with(answer_keys=(MIA_KEY,)),
        ROOM,
        NOT_APPLICABLE,
    ),
    ex(
        "R38-plan-rows-complete",
        "stopped before rows",
        edit(
            lambda s: replace(
                s,
                phase=Phase.OUTLINE_PLAN,
                phase_history=s.phase_history[:-1],
                plan=replace(s.plan, rows=()),
            )
        ),
        ROOM,
        NOT_ASSESSABLE,
        "before any plan row",
    ),
    ex(
        "R38-plan-rows-complete",
        "a child without a row",
        edit(plan(rows=(replace(base().state.plan.rows[0], child_id="mia"),))),
        ROOM,
        PARTLY,
        "No row is about Jayden",
    ),
    ex(
        "R39-seen-alone",
        "in the contingency plan",
        edit(
            plan(
                rows=(
                    replace(
                        base().state.plan.rows[0],
                        what="Safe",
                        how="Visits",
                        how_we_will_know="Fewer injuries",
                    ),
                ),
                contingency="If worried, see Jayden alone at school that day.",
            )
        ),
        ROOM,
        MET,
    ),
]
EXAMPLES += MORE_EXAMPLES


def the_finding(findings: tuple[Finding, ...], example: Example) -> Finding:
    matching = [
        f
        for f in findings
        if f.rule_id == example.rule_id
        and f.subject == example.subject
        and f.child_id == example.child_id
    ]
    assert len(matching) == 1, (
        example.rule_id,
        [(f.subject, f.child_id) for f in findings if f.rule_id == example.rule_id],
    )
    return matching[0]


@pytest.mark.parametrize("example", EXAMPLES)
def test_rule(example: Example) -> None:
    record, case, kwargs = example.record()
    card = score(record, case, ruleset=example.ruleset, **kwargs)
    finding = the_finding(card.findings, example)
    config = example.ruleset.get(example.rule_id)
    assert config is not None
    assert finding.verdict is example.verdict, finding.explanation
    assert example.says in finding.explanation
    expected_points = {
        MET: (config.points, config.points),
        PARTLY: (config.partial_points, config.points),
        NOT_MET: (0, config.points),
    }.get(example.verdict, (0, 0))
    assert (finding.points, finding.max_points) == expected_points
    assert finding.citations == config.citations


def test_every_rule_has_a_passing_and_a_failing_example() -> None:
    verdicts: dict[str, set[Verdict]] = {}
    for param in EXAMPLES:
        example = param.values[0]
        verdicts.setdefault(example.rule_id, set()).add(example.verdict)
    enabled = {c.rule_id for c in DEFAULT_RULE_SET.rules if c.enabled}
    for rule_id in enabled:
        assert MET in verdicts.get(rule_id, set()) or NOT_APPLICABLE in verdicts.get(
            rule_id, set()
        ), rule_id
        assert verdicts[rule_id] & {NOT_MET, PARTLY}, rule_id
    assert set(verdicts) == set(RULES)


def test_every_rule_has_a_docstring_naming_its_procedure() -> None:
    for rule in RULES.values():
        assert rule.procedure, rule.rule_id
        assert "para" in rule.procedure, rule.rule_id


def test_the_played_conference_earns_full_marks() -> None:
    card = score(base().state, CASE)
    assert card.room_total.points == card.room_total.max_points > 0
    for role, total in card.role_totals.items():
        assert total.points == total.max_points, role
    assert {f.verdict for f in card.findings} <= {MET, NOT_APPLICABLE}


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        ("Lead social worker", {Role.LEAD_SOCIAL_WORKER}),
        ("HV and school", {Role.HEALTH_VISITOR, Role.DESIGNATED_TEACHER}),
        ("Kerry, with the GP", {Role.PARENT, Role.GP}),
        ("Mum and Barnardo's", {Role.PARENT, Role.CHILDS_ADVOCATE}),
        ("The paediatrician", set()),
        ("Housing (Andium)", {Role.HOUSING}),
    ],
)
def test_roles_are_read_from_plan_text(text: str, roles: set[Role]) -> None:
    ctx = build_context(state=base().state, casefile=CASE)
    assert roles_named(ctx, text) == roles


def test_a_confidential_item_shared_in_the_open_meeting_is_exposure() -> None:
    s = base().state
    shared = replace(s.shared_items[0], role=Role.POLICE, item_id="po-2", withheld_from=frozenset())
    card = score(replace(s, shared_items=(*s.shared_items, shared)), CASE)
    finding = the_finding(
        card.findings, Example("R18-confidential-handled", "", as_played, POLICE, PARTLY)
    )
    assert finding.verdict is PARTLY
    assert "in the open meeting rather than in an exclusion" in finding.explanation
    during_exclusion = replace(shared, withheld_from=frozenset({Role.PARENT}))
    card = score(replace(s, shared_items=(*s.shared_items, during_exclusion)), CASE)
    finding = the_finding(
        card.findings, Example("R18-confidential-handled", "", as_played, POLICE, MET)
    )
    assert finding.verdict is MET


def test_a_pack_with_must_share_items_for_the_chair_is_not_assessable() -> None:
    packs = tuple(
        replace(
            p,
            items=(
                PackItem(
                    id="ch-x", text="Chair knows.", provenance=Provenance.FACT, must_share=True
                ),
            ),
        )
        if p.role is Role.CHAIR
        else p
        for p in CASE.role_packs
    )
    card = score(base().state, two_children_case(role_packs=packs))
    finding = the_finding(
        card.findings, Example("R19-must-share", "", as_played, CHAIR, NOT_ASSESSABLE)
    )
    assert finding.verdict is NOT_ASSESSABLE


def test_a_review_conference_is_not_timed_from_the_strategy_discussion() -> None:
    s = base().state
    review = replace(s, setup=replace(s.setup, conference_type=ConferenceType.REVIEW))
    card = score(review, CASE)
    for rule_id in ("R21-conference-timescale", "R34-first-core-group"):
        finding = the_finding(card.findings, Example(rule_id, "", as_played, ROOM, NOT_APPLICABLE))
        assert finding.verdict is NOT_APPLICABLE


def test_report_dates_are_taken_in_the_conference_time_zone() -> None:
    """A report sent at 23:30 UTC on the deadline is already the next day in Jersey in summer."""
    late_evening = datetime(2025, 6, 3, 23, 30, tzinfo=UTC)
    s = report(Role.GP, first_submitted_at=late_evening)(base().state)
    example = Example("R09-report-on-time", "", as_played, GP, MET)
    assert the_finding(score(s, CASE).findings, example).verdict is MET
    jersey = score(s, CASE, local_tz=ZoneInfo("Europe/Jersey"))
    assert the_finding(jersey.findings, example).verdict is NOT_MET


def test_deadline_counts_jersey_holidays() -> None:
    """Liberation Day (Friday 9 May 2025) is not a working day.

    For a conference on Tuesday 13 May, two working days before is
    Thursday 8 May; without the holiday it would be Friday 9 May.
    """
    p = play(CASE, conference_date=date(2025, 5, 13))
    example = Example("R09-report-on-time", "", as_played, GP, MET)
    on_thursday = report(Role.GP, first_submitted_at=datetime(2025, 5, 8, 9, tzinfo=UTC))(p.state)
    on_friday = report(Role.GP, first_submitted_at=datetime(2025, 5, 9, 9, tzinfo=UTC))(p.state)
    assert the_finding(score(on_thursday, CASE).findings, example).verdict is MET
    late = the_finding(score(on_friday, CASE).findings, example)
    assert late.verdict is NOT_MET
    assert "by Thursday 8 May 2025" in late.explanation
    no_holidays = score(on_friday, CASE, holidays=frozenset())
    assert the_finding(no_holidays.findings, example).verdict is MET
