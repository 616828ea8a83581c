"""Every command type in every phase, legal and illegal, by the right role and the wrong one.

The expected tables here are written out independently of the engine's own
``ALLOWED_IN_PHASE`` and ``GUARDS``; the first test checks that they agree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import pytest

from simulations.engine import conference
from simulations.engine.commands import (
    COMMAND_TYPES,
    AddPlanRow,
    AdvancePhase,
    CallSpeaker,
    CastVote,
    Command,
    CommandRejected,
    CoverOpeningItem,
    DecideParentAttendance,
    FinishContribution,
    FlagConfidential,
    GiveSummary,
    GiveView,
    GoBack,
    IllegalTransition,
    LowerHand,
    MeetFamily,
    NotPermitted,
    OpenPack,
    OpenRevote,
    Pause,
    RaiseHand,
    ReadReport,
    RecordDecision,
    RecordDissent,
    RecordReportSharing,
    RejectionCode,
    ReleaseInject,
    RemovePlanRow,
    Resume,
    RevealVotes,
    SetContributionOrder,
    SetPlan,
    ShareItem,
    SkipPhase,
    StartExclusion,
    StateImpact,
    SubmitReport,
)
from simulations.engine.conference import (
    AGENDA,
    ALLOWED_IN_PHASE,
    APPLIERS,
    DECIDERS,
    GUARDS,
    PHASE_TRANSITIONS,
    can_issue,
    decide,
    replay,
)
from simulations.engine.events import EVENT_TYPES
from simulations.engine.state import Actor, ConferenceState, OpeningItem, Phase, Voice
from simulations.engine.vocabulary import (
    Category,
    ExclusionReason,
    PlanOutcome,
    ReportSection,
    Role,
)
from tests.simulations.engine.helpers import (
    AUTHORS,
    CHAIR,
    JAYDEN,
    MIA,
    SEATED,
    TRAINER,
    VOTERS,
    Driver,
    ballot_fields,
    drive_to,
    item,
    plan_fields,
    plan_row,
    seat,
)

P = Phase
ALL = frozenset(Phase)
PREPARING = frozenset({P.PRE_CONFERENCE, P.CHAIRS_PREPARATION})
MEETING = frozenset(
    {
        P.OPENING,
        P.AGENCY_CONTRIBUTIONS,
        P.FAMILY_VIEWS,
        P.EXCLUSION,
        P.SUMMARY,
        P.RECOMMENDATIONS,
        P.DECISION,
        P.OUTLINE_PLAN,
    }
)

LEGAL: dict[type[Command], frozenset[Phase]] = {
    Pause: ALL - {P.CLOSED},
    Resume: ALL,
    SkipPhase: ALL - {P.CLOSED},
    GoBack: ALL - {P.PRE_CONFERENCE},
    ReleaseInject: ALL - {P.CLOSED},
    OpenPack: PREPARING,
    SubmitReport: PREPARING,
    RecordReportSharing: PREPARING,
    FlagConfidential: PREPARING,
    ReadReport: PREPARING,
    DecideParentAttendance: frozenset({P.CHAIRS_PREPARATION}),
    MeetFamily: frozenset({P.CHAIRS_PREPARATION}),
    AdvancePhase: ALL - {P.CLOSED},
    CoverOpeningItem: frozenset({P.OPENING}),
    SetContributionOrder: PREPARING | {P.OPENING, P.AGENCY_CONTRIBUTIONS},
    CallSpeaker: frozenset({P.AGENCY_CONTRIBUTIONS}),
    FinishContribution: frozenset({P.AGENCY_CONTRIBUTIONS}),
    ShareItem: frozenset({P.AGENCY_CONTRIBUTIONS, P.FAMILY_VIEWS, P.EXCLUSION}),
    StateImpact: frozenset({P.AGENCY_CONTRIBUTIONS, P.EXCLUSION}),
    RaiseHand: MEETING,
    LowerHand: MEETING,
    GiveView: frozenset({P.FAMILY_VIEWS}),
    StartExclusion: frozenset({P.FAMILY_VIEWS}),
    GiveSummary: frozenset({P.SUMMARY}),
    CastVote: frozenset({P.RECOMMENDATIONS}),
    RevealVotes: frozenset({P.RECOMMENDATIONS}),
    OpenRevote: frozenset({P.RECOMMENDATIONS}),
    RecordDecision: frozenset({P.DECISION}),
    RecordDissent: frozenset({P.DECISION, P.OUTLINE_PLAN}),
    SetPlan: frozenset({P.OUTLINE_PLAN}),
    AddPlanRow: frozenset({P.OUTLINE_PLAN}),
    RemovePlanRow: frozenset({P.OUTLINE_PLAN}),
}

# A little preparation on entering each phase, so that every legal sample
# below has what it needs (a submitted report to read, a speaker, a ballot
# to reveal, a decision to dissent from, a row to remove, a raised hand).
PREP: dict[Phase, Callable[[Driver], object]] = {
    P.PRE_CONFERENCE: lambda d: d.do(
        SubmitReport, seat(Role.GP), sections={ReportSection.WORRIES: "Bruising."}
    ),
    P.AGENCY_CONTRIBUTIONS: lambda d: d.do(CallSpeaker, CHAIR, role=Role.GP),
    P.RECOMMENDATIONS: lambda d: d.do(
        CastVote, seat(Role.LEAD_SOCIAL_WORKER), **ballot_fields(JAYDEN)
    ),
    P.DECISION: lambda d: d.do(
        RecordDecision, CHAIR, child_id=MIA, outcome=PlanOutcome.CHILD_IN_NEED_PLAN, rationale="r"
    ),
    P.OUTLINE_PLAN: lambda d: d.do(AddPlanRow, CHAIR, row=plan_row("r0")),
}


@functools.cache
def base_state(phase: Phase) -> ConferenceState:
    driver = drive_to(phase)
    if prep := PREP.get(phase):
        prep(driver)
    if phase in MEETING:
        driver.do(RaiseHand, seat(Role.HEALTH_VISITOR))
    return driver.state


def _contributor(state: ConferenceState) -> Role:
    return {P.FAMILY_VIEWS: Role.PARENT, P.EXCLUSION: Role.POLICE}.get(state.phase, Role.GP)


type Sample = tuple[Actor, dict[str, Any]]

SAMPLES: dict[type[Command], Callable[[ConferenceState], Sample]] = {
    Pause: lambda s: (TRAINER, {"reason": "Break"}),
    Resume: lambda s: (TRAINER, {}),
    SkipPhase: lambda s: (TRAINER, {}),
    GoBack: lambda s: (TRAINER, {}),
    ReleaseInject: lambda s: (TRAINER, {"inject_id": "inject-1", "to": Role.GP}),
    OpenPack: lambda s: (seat(Role.GP), {}),
    SubmitReport: lambda s: (seat(Role.GP), {"sections": {ReportSection.WORRIES: "Bruises."}}),
    RecordReportSharing: lambda s: (
        seat(Role.GP),
        {"shared_with_parents": True, "shared_with_child": True},
    ),
    FlagConfidential: lambda s: (seat(Role.GP), {"item_id": item(Role.GP, 2)}),
    ReadReport: lambda s: (CHAIR, {"author": Role.GP}),
    DecideParentAttendance: lambda s: (CHAIR, {"attends_throughout": True}),
    MeetFamily: lambda s: (CHAIR, {}),
    AdvancePhase: lambda s: (CHAIR, {}),
    CoverOpeningItem: lambda s: (CHAIR, {"item": OpeningItem.INTRODUCTIONS}),
    SetContributionOrder: lambda s: (CHAIR, {"order": tuple(reversed(AUTHORS))}),
    CallSpeaker: lambda s: (CHAIR, {}),
    FinishContribution: lambda s: (seat(s.current_speaker or Role.GP), {}),
    ShareItem: lambda s: (
        seat(_contributor(s)),
        {"item_id": item(_contributor(s), 2), "child_id": JAYDEN},
    ),
    StateImpact: lambda s: (seat(_contributor(s)), {"child_id": JAYDEN, "text": "Frightened."}),
    RaiseHand: lambda s: (seat(Role.GP), {}),
    LowerHand: lambda s: (seat(Role.HEALTH_VISITOR), {"role": Role.HEALTH_VISITOR}),
    GiveView: lambda s: (seat(Role.PARENT), {"voice": Voice.PARENT, "text": "We cope."}),
    StartExclusion: lambda s: (
        CHAIR,
        {"excluded": frozenset({Role.PARENT}), "reason": ExclusionReason.SAFETY},
    ),
    GiveSummary: lambda s: (CHAIR, {"text": "Summary."}),
    CastVote: lambda s: (seat(Role.GP), ballot_fields(JAYDEN)),
    RevealVotes: lambda s: (CHAIR, {}),
    OpenRevote: lambda s: (CHAIR, {}),
    RecordDecision: lambda s: (
        CHAIR,
        {
            "child_id": JAYDEN,
            "outcome": PlanOutcome.CHILD_PROTECTION_PLAN,
            "category": Category.PHYSICAL,
            "rationale": "Significant harm.",
        },
    ),
    RecordDissent: lambda s: (seat(Role.GP), {"child_id": MIA, "role": Role.GP, "reason": "No."}),
    SetPlan: lambda s: (CHAIR, plan_fields()),
    AddPlanRow: lambda s: (CHAIR, {"row": plan_row("r-new")}),
    RemovePlanRow: lambda s: (CHAIR, {"row_id": "r0"}),
}

# Legal (phase, command) pairs whose sample is still refused by the state.
EXPECTED_REFUSALS: dict[tuple[Phase, type[Command]], RejectionCode] = {
    **{(phase, Resume): RejectionCode.NOT_PAUSED for phase in ALL},
    (P.CHAIRS_PREPARATION, AdvancePhase): RejectionCode.PARENT_ATTENDANCE_UNDECIDED,
    (P.RECOMMENDATIONS, AdvancePhase): RejectionCode.VOTES_NOT_REVEALED,
    (P.RECOMMENDATIONS, OpenRevote): RejectionCode.ROUND_NOT_REVEALED,
    (P.DECISION, AdvancePhase): RejectionCode.DECISION_MISSING,
    (P.OUTLINE_PLAN, AdvancePhase): RejectionCode.PLAN_INCOMPLETE,
}
# Legal pairs that are accepted without an event (the pack is already open).
NO_EVENTS = {(P.CHAIRS_PREPARATION, OpenPack)}

TRAINER_COMMANDS = (Pause, Resume, SkipPhase, GoBack, ReleaseInject)
CHAIR_COMMANDS = (
    ReadReport,
    DecideParentAttendance,
    MeetFamily,
    AdvancePhase,
    CoverOpeningItem,
    SetContributionOrder,
    CallSpeaker,
    StartExclusion,
    GiveSummary,
    RevealVotes,
    OpenRevote,
    RecordDecision,
    SetPlan,
    AddPlanRow,
    RemovePlanRow,
)

# Someone who may not issue each command type, and the code they get.
OUTSIDERS: dict[type[Command], tuple[Actor, RejectionCode]] = {
    **dict.fromkeys(TRAINER_COMMANDS, (CHAIR, RejectionCode.TRAINER_ONLY)),
    OpenPack: (seat(Role.OBSERVER), RejectionCode.WRONG_ROLE),
    **dict.fromkeys(
        (SubmitReport, RecordReportSharing, FlagConfidential, CastVote),
        (seat(Role.PARENT), RejectionCode.WRONG_ROLE),
    ),
    **dict.fromkeys(CHAIR_COMMANDS, (seat(Role.GP), RejectionCode.CHAIR_ONLY)),
    FinishContribution: (seat(Role.HEALTH_VISITOR), RejectionCode.NOT_THE_SPEAKER),
    RaiseHand: (seat(Role.OBSERVER), RejectionCode.WRONG_ROLE),
    LowerHand: (seat(Role.GP), RejectionCode.WRONG_ROLE),
    GiveView: (seat(Role.GP), RejectionCode.WRONG_ROLE),
    RecordDissent: (seat(Role.HEALTH_VISITOR), RejectionCode.WRONG_ROLE),
}


def outsider_for(kind: type[Command], phase: Phase) -> tuple[Actor, RejectionCode]:
    if kind in (ShareItem, StateImpact):
        code = (
            RejectionCode.NOT_THE_SPEAKER
            if phase is P.AGENCY_CONTRIBUTIONS
            else RejectionCode.WRONG_ROLE
        )
        return seat(Role.OBSERVER), code
    return OUTSIDERS[kind]


def build(kind: type[Command], state: ConferenceState, actor: Actor | None = None) -> Command:
    default_actor, fields = SAMPLES[kind](state)
    return kind(command_id="probe", actor=actor or default_actor, **fields)


PAIRS = [(phase, kind) for phase in Phase for kind in COMMAND_TYPES]
LEGAL_PAIRS = [(phase, kind) for phase, kind in PAIRS if phase in LEGAL[kind]]


def pair_id(pair: tuple[Phase, type[Command]]) -> str:
    return f"{pair[0].value}-{pair[1].__name__}"


def test_the_engine_tables_match_the_expected_tables() -> None:
    for phase in Phase:
        expected = {kind for kind in COMMAND_TYPES if phase in LEGAL[kind]}
        assert ALLOWED_IN_PHASE[phase] == expected, phase
    assert set(LEGAL) == set(COMMAND_TYPES) == set(SAMPLES) == set(GUARDS) == set(DECIDERS)
    assert set(APPLIERS) == set(EVENT_TYPES)


def test_every_phase_move_is_legal_and_every_legal_move_has_a_target() -> None:
    moves = set(conference.MOVES)
    for (phase, kind), target in PHASE_TRANSITIONS.items():
        assert kind in ALLOWED_IN_PHASE[phase]
        assert target is not phase
    for phase, kinds in ALLOWED_IN_PHASE.items():
        for kind in kinds & moves:
            assert (phase, kind) in PHASE_TRANSITIONS, (phase, kind)
    assert set(AGENDA) == set(Phase) - {P.EXCLUSION}
    for earlier, later in zip(AGENDA, AGENDA[1:], strict=False):
        assert PHASE_TRANSITIONS[(earlier, SkipPhase)] in (later, P.EXCLUSION)
        assert PHASE_TRANSITIONS[(later, GoBack)] == earlier


@pytest.mark.parametrize("pair", PAIRS, ids=pair_id)
def test_each_command_in_each_phase(pair: tuple[Phase, type[Command]]) -> None:
    phase, kind = pair
    state = base_state(phase)
    command = build(kind, state)
    now = state.log[-1].at
    if phase not in LEGAL[kind]:
        with pytest.raises(IllegalTransition) as caught:
            decide(state, command, now=now)
        assert caught.value.code is RejectionCode.NOT_ALLOWED_IN_PHASE
        return
    if (code := EXPECTED_REFUSALS.get(pair)) is not None:
        with pytest.raises(CommandRejected) as refused:
            decide(state, command, now=now)
        assert refused.value.code is code
        return
    events = decide(state, command, now=now)
    assert bool(events) is (pair not in NO_EVENTS)
    after = replay(state, events)
    assert after.processed_commands >= ({"probe"} if events else set())
    assert len(after.log) == len(state.log) + len(events)


@pytest.mark.parametrize("pair", LEGAL_PAIRS, ids=pair_id)
def test_each_legal_command_refuses_the_wrong_role(pair: tuple[Phase, type[Command]]) -> None:
    phase, kind = pair
    state = base_state(phase)
    actor, code = outsider_for(kind, phase)
    command = build(kind, state, actor)
    assert can_issue(actor, command, state) is False
    with pytest.raises(NotPermitted) as caught:
        decide(state, command, now=state.log[-1].at)
    assert caught.value.code is code


@pytest.mark.parametrize("kind", COMMAND_TYPES, ids=lambda kind: kind.__name__)
def test_a_paused_conference_refuses_everything_but_resume(kind: type[Command]) -> None:
    driver = Driver(state=base_state(P.RECOMMENDATIONS), prefix="paused")
    driver.do(Pause, TRAINER)
    command = build(kind, driver.state)
    if kind is Resume:
        assert decide(driver.state, command, now=driver.clock)
        return
    with pytest.raises(IllegalTransition) as caught:
        decide(driver.state, command, now=driver.clock)
    assert caught.value.code is RejectionCode.PAUSED


# Who may issue the commands whose permission does not depend on their content.

TRAINERS = frozenset({"console", "trainer-as-chair"})
CHAIRS = frozenset({"chair", "trainer-as-chair"})
EVERY_SEAT = frozenset(role.value for role in SEATED)

ISSUERS: dict[type[Command], frozenset[str]] = {
    Pause: TRAINERS,
    SkipPhase: TRAINERS,
    GoBack: TRAINERS,
    ReleaseInject: TRAINERS,
    OpenPack: (EVERY_SEAT - {"observer"}) | {"trainer-as-chair"},
    SubmitReport: frozenset(role.value for role in AUTHORS),
    RecordReportSharing: frozenset(role.value for role in AUTHORS),
    FlagConfidential: frozenset(role.value for role in AUTHORS),
    CastVote: frozenset(role.value for role in VOTERS) | {"trainer-as-chair"},
    RaiseHand: EVERY_SEAT - {"chair", "observer"},
    **dict.fromkeys(CHAIR_COMMANDS, CHAIRS),
}

ACTORS: dict[str, Actor] = {
    "console": TRAINER,
    "trainer-as-chair": Actor.trainer(as_role=Role.CHAIR),
    **{role.value: seat(role) for role in SEATED},
}


@pytest.mark.parametrize("kind", list(ISSUERS), ids=lambda kind: kind.__name__)
def test_who_may_issue_each_command(kind: type[Command]) -> None:
    phase = min(LEGAL[kind], key=list(Phase).index)
    state = base_state(phase)
    allowed = {
        name for name, actor in ACTORS.items() if can_issue(actor, build(kind, state, actor), state)
    }
    assert allowed == ISSUERS[kind]
