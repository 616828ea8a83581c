"""Run a live mock child protection conference as a pure state machine.

Delegates play the agencies at a Jersey child protection conference; the
trainer drives and can take over any seat. This module decides which of
their commands the procedures allow at each point, turns accepted commands
into events, folds events into state, and renders what each seat may see.
It knows nothing of Django, sockets, presence or the clock: the service
layer passes ``now`` in, stores the events and broadcasts the views.
"""

# Theory of operation
# ===================
#
# A conference is a value, ConferenceState, that changes only by events.
# The service layer handles one command at a time, under a row lock:
#
#     events = decide(state, command, now=now)    # may raise CommandRejected
#     state = replay(state, events)               # apply() each event
#     store events with sequence numbers; broadcast view_for() per audience
#
# and rebuilds a conference by replay(new_conference(setup), stored events).
# decide() never changes anything and apply() never refuses anything (an
# event is a fact that has happened), so every check lives in decide().
#
# States. The meeting is in exactly one Phase, following the agenda of the
# procedures' eleven steps (ref. 4.3; 003:595-606):
#
#   PRE_CONFERENCE -> CHAIRS_PREPARATION -> OPENING -> AGENCY_CONTRIBUTIONS
#     -> FAMILY_VIEWS -> (EXCLUSION) -> SUMMARY -> RECOMMENDATIONS
#     -> DECISION -> OUTLINE_PLAN -> CLOSED
#
# AdvancePhase (the chair) moves one step on once the phase's EXIT_CONDITIONS
# hold; SkipPhase (the trainer) moves on regardless; GoBack (the trainer)
# moves one step back; StartExclusion (the chair) is the only way into
# EXCLUSION, and any move out of it ends the exclusion. PHASE_TRANSITIONS
# lists every move. Orthogonal to the phase, the trainer can pause the
# meeting: while paused, every command but Resume is refused.
#
# Checking a command (decide), in this order:
#   1. Its command_id was applied before: return [] (a retry; nothing is
#      applied twice). is_duplicate() tells the caller which case it is.
#   2. Paused, and the command is not Resume: IllegalTransition(paused).
#   3. Its type is not in ALLOWED_IN_PHASE[phase]: IllegalTransition.
#   4. can_issue() fails (seat, exclusion, GUARDS[type]): NotPermitted.
#   5. Its decider checks the content (InvalidCommand) and preconditions
#      that depend on the state (IllegalTransition), then returns events.
#   6. A report (SubmitReport) holding a real-looking identifier that is not
#      in the caller's ``allowed_identifiers``: InvalidCommand(real_identifier).
#
# Invariants (the property tests check them after every step):
#   - phase_history[-1].phase == phase; current_speaker is set only in
#     AGENCY_CONTRIBUTIONS; an exclusion is active only in EXCLUSION.
#   - rounds are numbered 1..n and every round but the last is revealed;
#     at most one ballot per (round, child, role), each from a voter.
#   - a child protection plan decision has a category; other outcomes none.
#   - plan.lead_social_worker is None or LEAD_SOCIAL_WORKER; the first core
#     group date is within 10 working days of the conference.
#   - every applied event's command_id is in processed_commands, and log has
#     exactly one entry per applied event.
#
# Edge cases:
#   - Sealed ballots live in the state, because the scorer needs them.
#     view_for() and event_view_for() are what keep them sealed.
#   - A vote is final within its round. OpenRevote, after a reveal, starts a
#     new round; every earlier round is kept for the scorer.
#   - PhaseChanged lowers every raised hand. Leaving contributions finishes
#     the current contribution and leaving EXCLUSION ends the exclusion,
#     each with its own event before the PhaseChanged.
#   - Items shared during an exclusion record who was excluded; those roles'
#     views never show them, even after the exclusion ends.
#   - OpenPack after the first time yields no events rather than an error.
#   - RecordDecision for a child already decided replaces the decision (the
#     event log keeps both); dissents stay recorded against the child.
#   - Item ids must be in the sharer's pack (setup.pack_items) or in an
#     inject released to them; inject ids must be in setup.inject_ids.
#   - The chair counts as a voter because Role.votes says so; the chair's
#     recommendation is one more sealed ballot.

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from functools import reduce
from types import MappingProxyType
from typing import Any, Final

from simulations.engine.calendar import is_working_day, working_days_between
from simulations.engine.commands import (
    COMMAND_REGISTRY,
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
    InvalidCommand,
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
    command_from_dict,
)
from simulations.engine.events import (
    EVENT_REGISTRY,
    EVENT_TYPES,
    ConfidentialItemFlagged,
    ContributionFinished,
    ContributionOrderSet,
    DecisionRecorded,
    DissentRecorded,
    Event,
    ExclusionEnded,
    ExclusionStarted,
    FamilyMet,
    HandLowered,
    HandRaised,
    ImpactStated,
    InjectReleased,
    ItemShared,
    OpeningItemCovered,
    PackOpened,
    ParentAttendanceDecided,
    Paused,
    PhaseChanged,
    PlanRowAdded,
    PlanRowRemoved,
    PlanSet,
    ReportRead,
    ReportSharingRecorded,
    ReportSubmitted,
    Resumed,
    RevoteOpened,
    SpeakerCalled,
    SummaryGiven,
    ViewGiven,
    VoteCast,
    VotesRevealed,
    event_from_dict,
)
from simulations.engine.identifiers import describe, find_in_texts
from simulations.engine.state import (
    FIRST_CORE_GROUP_WORKING_DAYS,
    Actor,
    Ballot,
    BallotRound,
    ConferenceSetup,
    ConferenceState,
    ConfidentialItem,
    Decision,
    Dissent,
    Exclusion,
    ImpactStatement,
    JSONDict,
    LogEntry,
    ParentAttendance,
    Phase,
    PhaseEntry,
    PhaseMove,
    ReleasedInject,
    Report,
    SharedItem,
    Statement,
    Summary,
    View,
    Voice,
    encode,
    new_conference,
    snapshot,
    state_from_snapshot,
)
from simulations.engine.vocabulary import (
    REPORT_AUTHORS,
    Category,
    PlanOutcome,
    Role,
    writes_report,
)

__all__ = [
    "ALLOWED_IN_PHASE",
    "COMMAND_REGISTRY",
    "COMMAND_TYPES",
    "EVENT_REGISTRY",
    "EVENT_TYPES",
    "EXIT_CONDITIONS",
    "GUARDS",
    "PHASE_TRANSITIONS",
    "Actor",
    "CommandRejected",
    "ConferenceSetup",
    "ConferenceState",
    "IllegalTransition",
    "InvalidCommand",
    "NotPermitted",
    "Phase",
    "RejectionCode",
    "Step",
    "apply",
    "can_issue",
    "command_from_dict",
    "decide",
    "event_from_dict",
    "event_view_for",
    "is_duplicate",
    "new_conference",
    "replay",
    "snapshot",
    "state_from_snapshot",
    "step",
    "view_for",
]

P = Phase

# ---------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------

AGENDA: Final[tuple[Phase, ...]] = (
    P.PRE_CONFERENCE,
    P.CHAIRS_PREPARATION,
    P.OPENING,
    P.AGENCY_CONTRIBUTIONS,
    P.FAMILY_VIEWS,
    P.SUMMARY,
    P.RECOMMENDATIONS,
    P.DECISION,
    P.OUTLINE_PLAN,
    P.CLOSED,
)
"""The phases every conference passes through; EXCLUSION is optional."""

PHASE_TRANSITIONS: Final[Mapping[tuple[Phase, type[Command]], Phase]] = MappingProxyType(
    {
        (P.PRE_CONFERENCE, AdvancePhase): P.CHAIRS_PREPARATION,
        (P.PRE_CONFERENCE, SkipPhase): P.CHAIRS_PREPARATION,
        (P.CHAIRS_PREPARATION, AdvancePhase): P.OPENING,
        (P.CHAIRS_PREPARATION, SkipPhase): P.OPENING,
        (P.CHAIRS_PREPARATION, GoBack): P.PRE_CONFERENCE,
        (P.OPENING, AdvancePhase): P.AGENCY_CONTRIBUTIONS,
        (P.OPENING, SkipPhase): P.AGENCY_CONTRIBUTIONS,
        (P.OPENING, GoBack): P.CHAIRS_PREPARATION,
        (P.AGENCY_CONTRIBUTIONS, AdvancePhase): P.FAMILY_VIEWS,
        (P.AGENCY_CONTRIBUTIONS, SkipPhase): P.FAMILY_VIEWS,
        (P.AGENCY_CONTRIBUTIONS, GoBack): P.OPENING,
        (P.FAMILY_VIEWS, AdvancePhase): P.SUMMARY,
        (P.FAMILY_VIEWS, SkipPhase): P.SUMMARY,
        (P.FAMILY_VIEWS, StartExclusion): P.EXCLUSION,
        (P.FAMILY_VIEWS, GoBack): P.AGENCY_CONTRIBUTIONS,
        (P.EXCLUSION, AdvancePhase): P.SUMMARY,
        (P.EXCLUSION, SkipPhase): P.SUMMARY,
        (P.EXCLUSION, GoBack): P.FAMILY_VIEWS,
        (P.SUMMARY, AdvancePhase): P.RECOMMENDATIONS,
        (P.SUMMARY, SkipPhase): P.RECOMMENDATIONS,
        (P.SUMMARY, GoBack): P.FAMILY_VIEWS,
        (P.RECOMMENDATIONS, AdvancePhase): P.DECISION,
        (P.RECOMMENDATIONS, SkipPhase): P.DECISION,
        (P.RECOMMENDATIONS, GoBack): P.SUMMARY,
        (P.DECISION, AdvancePhase): P.OUTLINE_PLAN,
        (P.DECISION, SkipPhase): P.OUTLINE_PLAN,
        (P.DECISION, GoBack): P.RECOMMENDATIONS,
        (P.OUTLINE_PLAN, AdvancePhase): P.CLOSED,
        (P.OUTLINE_PLAN, SkipPhase): P.CLOSED,
        (P.OUTLINE_PLAN, GoBack): P.DECISION,
        (P.CLOSED, GoBack): P.OUTLINE_PLAN,
    }
)

MOVES: Final[Mapping[type[Command], PhaseMove]] = MappingProxyType(
    {
        AdvancePhase: PhaseMove.ADVANCE,
        SkipPhase: PhaseMove.SKIP,
        GoBack: PhaseMove.BACK,
        StartExclusion: PhaseMove.EXCLUDE,
    }
)

type CommandSet = frozenset[type[Command]]


def _kinds(*kinds: type[Command]) -> CommandSet:
    return frozenset(kinds)


_ANY_TIME: Final = _kinds(Pause, Resume, ReleaseInject)
_MOVING: Final = _kinds(AdvancePhase, SkipPhase, GoBack)
_FLOOR: Final = _kinds(RaiseHand, LowerHand)
_PREPARING: Final = _kinds(
    OpenPack, SubmitReport, RecordReportSharing, FlagConfidential, ReadReport, SetContributionOrder
)
_MEETING: Final = _ANY_TIME | _MOVING | _FLOOR

ALLOWED_IN_PHASE: Final[Mapping[Phase, CommandSet]] = MappingProxyType(
    {
        P.PRE_CONFERENCE: _ANY_TIME | _PREPARING | _kinds(AdvancePhase, SkipPhase),
        P.CHAIRS_PREPARATION: _ANY_TIME
        | _MOVING
        | _PREPARING
        | _kinds(DecideParentAttendance, MeetFamily),
        P.OPENING: _MEETING | _kinds(CoverOpeningItem, SetContributionOrder),
        P.AGENCY_CONTRIBUTIONS: _MEETING
        | _kinds(SetContributionOrder, CallSpeaker, FinishContribution, ShareItem, StateImpact),
        P.FAMILY_VIEWS: _MEETING | _kinds(GiveView, ShareItem, StartExclusion),
        P.EXCLUSION: _MEETING | _kinds(ShareItem, StateImpact),
        P.SUMMARY: _MEETING | _kinds(GiveSummary),
        P.RECOMMENDATIONS: _MEETING | _kinds(CastVote, RevealVotes, OpenRevote),
        P.DECISION: _MEETING | _kinds(RecordDecision, RecordDissent),
        P.OUTLINE_PLAN: _MEETING | _kinds(SetPlan, AddPlanRow, RemovePlanRow, RecordDissent),
        P.CLOSED: _kinds(Resume, GoBack),
    }
)
"""The commands each phase accepts; anything else is an IllegalTransition."""


type Condition = Callable[[ConferenceState], RejectionCode | None]


def _parent_attendance_decided(state: ConferenceState) -> RejectionCode | None:
    if state.parent_attendance is None:
        return RejectionCode.PARENT_ATTENDANCE_UNDECIDED
    return None


def _latest_round_revealed(state: ConferenceState) -> RejectionCode | None:
    return None if state.current_round.revealed else RejectionCode.VOTES_NOT_REVEALED


def _every_child_decided(state: ConferenceState) -> RejectionCode | None:
    if all(child_id in state.decisions for child_id in state.setup.child_ids):
        return None
    return RejectionCode.DECISION_MISSING


def _plan_complete_if_needed(state: ConferenceState) -> RejectionCode | None:
    needs_plan = any(
        decision.outcome is PlanOutcome.CHILD_PROTECTION_PLAN
        for decision in state.decisions.values()
    )
    return RejectionCode.PLAN_INCOMPLETE if needs_plan and not state.plan.complete else None


EXIT_CONDITIONS: Final[Mapping[Phase, Condition]] = MappingProxyType(
    {
        P.CHAIRS_PREPARATION: _parent_attendance_decided,
        P.RECOMMENDATIONS: _latest_round_revealed,
        P.DECISION: _every_child_decided,
        P.OUTLINE_PLAN: _plan_complete_if_needed,
    }
)
"""What must hold before the chair's AdvancePhase leaves a phase."""

# ---------------------------------------------------------------------------
# Who may issue what
# ---------------------------------------------------------------------------

type Guard = Callable[[Actor, Any, ConferenceState], RejectionCode | None]

CONTRIBUTORS_IN_PHASE: Final[Mapping[Phase, frozenset[Role]]] = MappingProxyType(
    {
        P.FAMILY_VIEWS: frozenset({Role.PARENT, Role.CHILDS_ADVOCATE}),
        P.EXCLUSION: REPORT_AUTHORS,
    }
)
"""Who shares items outside contributions (where only the speaker does)."""

VOICES_BY_ROLE: Final[Mapping[Role, frozenset[Voice]]] = MappingProxyType(
    {
        Role.PARENT: frozenset({Voice.PARENT}),
        Role.CHILDS_ADVOCATE: frozenset({Voice.CHILD}),
        Role.LEAD_SOCIAL_WORKER: frozenset({Voice.CHILD}),  # from direct work
        Role.CHAIR: frozenset({Voice.PARENT, Voice.CHILD}),  # views given earlier
    }
)


def _trainer(actor: Actor, command: Command, state: ConferenceState) -> RejectionCode | None:
    return None if actor.is_trainer else RejectionCode.TRAINER_ONLY


def _chair(actor: Actor, command: Command, state: ConferenceState) -> RejectionCode | None:
    return None if actor.role is Role.CHAIR else RejectionCode.CHAIR_ONLY


def _report_author(actor: Actor, command: Command, state: ConferenceState) -> RejectionCode | None:
    if actor.role is not None and writes_report(actor.role):
        return None
    return RejectionCode.WRONG_ROLE


def _pack_holder(actor: Actor, command: Command, state: ConferenceState) -> RejectionCode | None:
    return RejectionCode.WRONG_ROLE if actor.role is Role.OBSERVER else None


def _voter(actor: Actor, command: Command, state: ConferenceState) -> RejectionCode | None:
    if actor.role is not None and actor.role.votes:
        return None
    return RejectionCode.WRONG_ROLE


def _participant(actor: Actor, command: Command, state: ConferenceState) -> RejectionCode | None:
    if actor.role in (Role.CHAIR, Role.OBSERVER):
        return RejectionCode.WRONG_ROLE
    return None


def _speaker_or_chair(
    actor: Actor, command: Command, state: ConferenceState
) -> RejectionCode | None:
    if actor.role is Role.CHAIR or actor.role is state.current_speaker:
        return None
    return RejectionCode.NOT_THE_SPEAKER


def _contributor(actor: Actor, command: Command, state: ConferenceState) -> RejectionCode | None:
    if state.phase is P.AGENCY_CONTRIBUTIONS:
        if actor.role is not None and actor.role is state.current_speaker:
            return None
        return RejectionCode.NOT_THE_SPEAKER
    if actor.role in CONTRIBUTORS_IN_PHASE.get(state.phase, frozenset()):
        return None
    return RejectionCode.WRONG_ROLE


def _hand_owner_or_chair(
    actor: Actor, command: LowerHand, state: ConferenceState
) -> RejectionCode | None:
    if actor.role is Role.CHAIR or command.role in (None, actor.role):
        return None
    return RejectionCode.WRONG_ROLE


def _voice_holder(actor: Actor, command: GiveView, state: ConferenceState) -> RejectionCode | None:
    voices = VOICES_BY_ROLE.get(actor.role) if actor.role else None
    return None if voices and command.voice in voices else RejectionCode.WRONG_ROLE


def _dissenter_or_chair(
    actor: Actor, command: RecordDissent, state: ConferenceState
) -> RejectionCode | None:
    if actor.role is Role.CHAIR or actor.role is command.role:
        return None
    return RejectionCode.WRONG_ROLE


GUARDS: Final[Mapping[type[Command], Guard]] = MappingProxyType(
    {
        Pause: _trainer,
        Resume: _trainer,
        SkipPhase: _trainer,
        GoBack: _trainer,
        ReleaseInject: _trainer,
        OpenPack: _pack_holder,
        SubmitReport: _report_author,
        RecordReportSharing: _report_author,
        FlagConfidential: _report_author,
        ReadReport: _chair,
        DecideParentAttendance: _chair,
        MeetFamily: _chair,
        AdvancePhase: _chair,
        CoverOpeningItem: _chair,
        SetContributionOrder: _chair,
        CallSpeaker: _chair,
        FinishContribution: _speaker_or_chair,
        ShareItem: _contributor,
        StateImpact: _contributor,
        RaiseHand: _participant,
        LowerHand: _hand_owner_or_chair,
        GiveView: _voice_holder,
        StartExclusion: _chair,
        GiveSummary: _chair,
        CastVote: _voter,
        RevealVotes: _chair,
        OpenRevote: _chair,
        RecordDecision: _chair,
        RecordDissent: _dissenter_or_chair,
        SetPlan: _chair,
        AddPlanRow: _chair,
        RemovePlanRow: _chair,
    }
)
"""The role guard for each command type, after the seat checks."""

TRAINER_COMMANDS: Final[CommandSet] = frozenset(
    kind for kind, guard in GUARDS.items() if guard is _trainer
)


def permission_problem(
    actor: Actor, command: Command, state: ConferenceState
) -> RejectionCode | None:
    """Return why ``actor`` may not issue ``command`` now, else None."""
    if actor.role is not None and actor.role not in state.setup.seated_roles:
        return RejectionCode.ROLE_NOT_SEATED
    if type(command) not in TRAINER_COMMANDS:
        if actor.role is None:
            return RejectionCode.ROLE_REQUIRED
        if state.is_excluded(actor.role):
            return RejectionCode.EXCLUDED
    return GUARDS[type(command)](actor, command, state)


def can_issue(actor: Actor, command: Command, state: ConferenceState) -> bool:
    """Return whether ``actor`` may issue ``command`` in ``state``."""
    return permission_problem(actor, command, state) is None


# ---------------------------------------------------------------------------
# decide: command -> events
# ---------------------------------------------------------------------------

MAX_RATIONALE_LENGTH: Final = 280


def is_duplicate(state: ConferenceState, command: Command) -> bool:
    """Return whether ``command`` was applied already (a client's retry)."""
    return command.command_id in state.processed_commands


def decide(
    state: ConferenceState,
    command: Command,
    *,
    now: datetime,
    allowed_identifiers: Collection[str] = (),
) -> list[Event]:
    """Return the events that ``command`` causes; raise CommandRejected.

    Return no events for a command whose id was applied before.
    ``allowed_identifiers`` are texts a report may hold although they look
    like real identifiers (the platform's allowlist).
    """
    if is_duplicate(state, command):
        return []
    if not command.command_id.strip():
        raise InvalidCommand(RejectionCode.MISSING_COMMAND_ID)
    kind = type(command)
    if state.paused and kind is not Resume:
        raise IllegalTransition(RejectionCode.PAUSED)
    if kind not in ALLOWED_IN_PHASE[state.phase]:
        raise IllegalTransition(
            RejectionCode.NOT_ALLOWED_IN_PHASE,
            f"{kind.__name__} is not allowed in the {state.phase.value} phase.",
        )
    problem = permission_problem(command.actor, command, state)
    if problem is not None:
        raise NotPermitted(problem)
    events = DECIDERS[kind](state, command, now)
    if isinstance(command, SubmitReport):
        _refuse_real_identifiers(command, allowed_identifiers)
    return events


def _meta(command: Command, now: datetime) -> dict[str, Any]:
    return {"command_id": command.command_id, "actor": command.actor, "at": now}


def _seat(command: Command) -> Role:
    """Return the issuer's role; permission_problem has required one."""
    if command.actor.role is None:  # pragma: no cover - guarded earlier
        raise NotPermitted(RejectionCode.ROLE_REQUIRED)
    return command.actor.role


def _require_text(text: str, code: RejectionCode = RejectionCode.TEXT_REQUIRED) -> None:
    if not text.strip():
        raise InvalidCommand(code)


def _require_one_line(text: str) -> None:
    _require_text(text)
    if "\n" in text or len(text) > MAX_RATIONALE_LENGTH:
        raise InvalidCommand(RejectionCode.RATIONALE_NOT_ONE_LINE)


def _require_child(state: ConferenceState, child_id: str | None, *, optional: bool = False) -> None:
    if child_id is None and optional:
        return
    if child_id not in state.setup.child_ids:
        raise InvalidCommand(RejectionCode.UNKNOWN_CHILD)


def _require_item(state: ConferenceState, role: Role, item_id: str) -> None:
    if item_id not in state.items_available_to(role):
        raise InvalidCommand(RejectionCode.UNKNOWN_ITEM)


def _require_categories(
    primary: Category | None, others: frozenset[Category], *, expected: bool
) -> None:
    if expected and primary is None:
        raise InvalidCommand(RejectionCode.CATEGORY_REQUIRED)
    if not expected and (primary is not None or others):
        raise InvalidCommand(RejectionCode.CATEGORY_NOT_EXPECTED)
    if primary in others:
        raise InvalidCommand(RejectionCode.CATEGORY_REPEATED)


# Trainer console and navigation ----------------------------------------------


def _decide_pause(state: ConferenceState, command: Pause, now: datetime) -> list[Event]:
    return [Paused(**_meta(command, now), reason=command.reason)]


def _decide_resume(state: ConferenceState, command: Resume, now: datetime) -> list[Event]:
    if not state.paused:
        raise IllegalTransition(RejectionCode.NOT_PAUSED)
    return [Resumed(**_meta(command, now))]


def _decide_move(state: ConferenceState, command: Command, now: datetime) -> list[Event]:
    target = PHASE_TRANSITIONS.get((state.phase, type(command)))
    if target is None:
        raise IllegalTransition(RejectionCode.NOT_ALLOWED_IN_PHASE)
    condition = EXIT_CONDITIONS.get(state.phase)
    if isinstance(command, AdvancePhase) and condition and (problem := condition(state)):
        raise IllegalTransition(problem)
    if isinstance(command, StartExclusion) and (
        not command.excluded
        or Role.CHAIR in command.excluded
        or not command.excluded <= set(state.setup.seated_roles)
    ):
        raise InvalidCommand(RejectionCode.INVALID_EXCLUSION)
    meta = _meta(command, now)
    events: list[Event] = []
    if state.current_speaker is not None:
        events.append(ContributionFinished(**meta, role=state.current_speaker))
    if state.active_exclusion is not None:
        events.append(ExclusionEnded(**meta))
    events.append(
        PhaseChanged(**meta, from_phase=state.phase, to_phase=target, move=MOVES[type(command)])
    )
    if isinstance(command, StartExclusion):
        events.append(
            ExclusionStarted(
                **meta, excluded=command.excluded, reason=command.reason, note=command.note
            )
        )
    return events


def _decide_release_inject(
    state: ConferenceState, command: ReleaseInject, now: datetime
) -> list[Event]:
    if command.inject_id not in state.setup.inject_ids:
        raise InvalidCommand(RejectionCode.UNKNOWN_INJECT)
    if command.to is not None and command.to not in state.setup.seated_roles:
        raise InvalidCommand(RejectionCode.UNKNOWN_ROLE)
    for released in state.injects:
        if released.inject_id == command.inject_id and released.to in (None, command.to):
            raise InvalidCommand(RejectionCode.INJECT_ALREADY_RELEASED)
    return [InjectReleased(**_meta(command, now), inject_id=command.inject_id, to=command.to)]


# Pre-conference and the chair's preparation ----------------------------------


def _decide_open_pack(state: ConferenceState, command: OpenPack, now: datetime) -> list[Event]:
    role = _seat(command)
    if role in state.packs_opened:
        return []
    return [PackOpened(**_meta(command, now), role=role)]


def _check_statement(state: ConferenceState, role: Role, statement: Statement) -> None:
    _require_text(statement.text)
    if statement.second_hand and not statement.source.strip():
        raise InvalidCommand(RejectionCode.SOURCE_REQUIRED)
    if statement.item_id is not None:
        _require_item(state, role, statement.item_id)


def _report_texts(command: SubmitReport) -> list[tuple[str, str]]:
    texts = [
        (f"the report section '{section.value.replace('_', ' ')}'", text)
        for section, text in command.sections.items()
    ]
    for number, statement in enumerate(command.statements, start=1):
        texts.append((f"statement {number} of the report", statement.text))
        texts.append((f"the source of statement {number} of the report", statement.source))
    return texts


def _refuse_real_identifiers(command: SubmitReport, allowed: Collection[str]) -> None:
    """Reject a report that carries a real-looking identifier, saying which and where."""
    found = find_in_texts(_report_texts(command), allowed=allowed)
    if found:
        where, match = found[0]
        raise InvalidCommand(RejectionCode.REAL_IDENTIFIER, describe(match, where))


def _decide_submit_report(
    state: ConferenceState, command: SubmitReport, now: datetime
) -> list[Event]:
    role = _seat(command)
    if not command.statements and not any(text.strip() for text in command.sections.values()):
        raise InvalidCommand(RejectionCode.EMPTY_REPORT)
    for statement in command.statements:
        _check_statement(state, role, statement)
    return [
        ReportSubmitted(
            **_meta(command, now),
            role=role,
            sections=command.sections,
            statements=command.statements,
            revision=state.report(role).revision + 1,
        )
    ]


def _decide_record_sharing(
    state: ConferenceState, command: RecordReportSharing, now: datetime
) -> list[Event]:
    fully_shared = command.shared_with_parents and command.shared_with_child
    if not fully_shared:
        _require_text(command.reason_not_shared, RejectionCode.REASON_REQUIRED)
    return [
        ReportSharingRecorded(
            **_meta(command, now),
            role=_seat(command),
            shared_with_parents=command.shared_with_parents,
            shared_with_child=command.shared_with_child,
            reason_not_shared=command.reason_not_shared,
        )
    ]


def _decide_flag_confidential(
    state: ConferenceState, command: FlagConfidential, now: datetime
) -> list[Event]:
    role = _seat(command)
    _require_item(state, role, command.item_id)
    if any(item.item_id == command.item_id for item in state.report(role).confidential):
        raise InvalidCommand(RejectionCode.ALREADY_FLAGGED)
    return [
        ConfidentialItemFlagged(
            **_meta(command, now), role=role, item_id=command.item_id, note=command.note
        )
    ]


def _decide_read_report(state: ConferenceState, command: ReadReport, now: datetime) -> list[Event]:
    report = state.reports.get(command.author)
    if report is None or not report.submitted:
        raise IllegalTransition(RejectionCode.REPORT_NOT_SUBMITTED)
    return [ReportRead(**_meta(command, now), author=command.author, revision=report.revision)]


def _decide_parent_attendance(
    state: ConferenceState, command: DecideParentAttendance, now: datetime
) -> list[Event]:
    if not command.attends_throughout:
        _require_text(command.reason, RejectionCode.REASON_REQUIRED)
    return [
        ParentAttendanceDecided(
            **_meta(command, now),
            attends_throughout=command.attends_throughout,
            reason=command.reason,
        )
    ]


def _decide_meet_family(state: ConferenceState, command: MeetFamily, now: datetime) -> list[Event]:
    if state.family_met_at is not None:
        raise InvalidCommand(RejectionCode.ALREADY_DONE)
    return [FamilyMet(**_meta(command, now), note=command.note)]


# The meeting -----------------------------------------------------------------


def _decide_cover_opening_item(
    state: ConferenceState, command: CoverOpeningItem, now: datetime
) -> list[Event]:
    if command.item in state.opening_items:
        raise InvalidCommand(RejectionCode.ALREADY_DONE)
    return [OpeningItemCovered(**_meta(command, now), item=command.item)]


def _decide_set_order(
    state: ConferenceState, command: SetContributionOrder, now: datetime
) -> list[Event]:
    authors = state.setup.report_authors
    order = command.order
    if not order or len(set(order)) != len(order) or not set(order) <= set(authors):
        raise InvalidCommand(RejectionCode.INVALID_ORDER)
    return [ContributionOrderSet(**_meta(command, now), order=order)]


def _decide_call_speaker(
    state: ConferenceState, command: CallSpeaker, now: datetime
) -> list[Event]:
    role = command.role
    if role is None:
        waiting = [
            candidate
            for candidate in state.contribution_order
            if candidate not in state.contributed and candidate is not state.current_speaker
        ]
        if not waiting:
            raise IllegalTransition(RejectionCode.NO_SPEAKER_LEFT)
        role = waiting[0]
    elif role not in state.setup.report_authors:
        raise InvalidCommand(RejectionCode.INVALID_SPEAKER)
    if role is state.current_speaker:
        raise InvalidCommand(RejectionCode.ALREADY_SPEAKING)
    meta = _meta(command, now)
    events: list[Event] = []
    if state.current_speaker is not None:
        events.append(ContributionFinished(**meta, role=state.current_speaker))
    events.append(SpeakerCalled(**meta, role=role))
    return events


def _decide_finish_contribution(
    state: ConferenceState, command: FinishContribution, now: datetime
) -> list[Event]:
    if state.current_speaker is None:
        raise IllegalTransition(RejectionCode.NO_CURRENT_SPEAKER)
    return [ContributionFinished(**_meta(command, now), role=state.current_speaker)]


def _withheld_from(state: ConferenceState) -> frozenset[Role]:
    exclusion = state.active_exclusion
    return exclusion.excluded if exclusion is not None else frozenset()


def _decide_share_item(state: ConferenceState, command: ShareItem, now: datetime) -> list[Event]:
    role = _seat(command)
    _require_item(state, role, command.item_id)
    _require_child(state, command.child_id, optional=True)
    if any(s.role is role and s.item_id == command.item_id for s in state.shared_items):
        raise InvalidCommand(RejectionCode.ALREADY_SHARED)
    return [
        ItemShared(
            **_meta(command, now),
            role=role,
            item_id=command.item_id,
            child_id=command.child_id,
            withheld_from=_withheld_from(state),
        )
    ]


def _decide_state_impact(
    state: ConferenceState, command: StateImpact, now: datetime
) -> list[Event]:
    _require_child(state, command.child_id)
    _require_text(command.text)
    return [
        ImpactStated(
            **_meta(command, now),
            role=_seat(command),
            child_id=command.child_id,
            text=command.text,
            withheld_from=_withheld_from(state),
        )
    ]


def _decide_raise_hand(state: ConferenceState, command: RaiseHand, now: datetime) -> list[Event]:
    role = _seat(command)
    if role in state.raised_hands:
        raise InvalidCommand(RejectionCode.HAND_ALREADY_RAISED)
    return [HandRaised(**_meta(command, now), role=role)]


def _decide_lower_hand(state: ConferenceState, command: LowerHand, now: datetime) -> list[Event]:
    role = command.role or _seat(command)
    if role not in state.raised_hands:
        raise InvalidCommand(RejectionCode.HAND_NOT_RAISED)
    return [HandLowered(**_meta(command, now), role=role)]


def _decide_give_view(state: ConferenceState, command: GiveView, now: datetime) -> list[Event]:
    _require_text(command.text)
    _require_child(state, command.child_id, optional=True)
    return [
        ViewGiven(
            **_meta(command, now),
            role=_seat(command),
            voice=command.voice,
            child_id=command.child_id,
            text=command.text,
        )
    ]


def _decide_give_summary(
    state: ConferenceState, command: GiveSummary, now: datetime
) -> list[Event]:
    _require_text(command.text)
    return [SummaryGiven(**_meta(command, now), text=command.text)]


# Recommendations and decision ------------------------------------------------


def _decide_cast_vote(state: ConferenceState, command: CastVote, now: datetime) -> list[Event]:
    role = _seat(command)
    current = state.current_round
    if current.revealed:
        raise IllegalTransition(RejectionCode.ROUND_REVEALED)
    _require_child(state, command.child_id)
    if current.ballot(command.child_id, role) is not None:
        raise InvalidCommand(RejectionCode.ALREADY_VOTED)
    _require_one_line(command.rationale)
    _require_categories(
        command.primary_category, command.other_categories, expected=command.threshold_met
    )
    return [
        VoteCast(
            **_meta(command, now),
            round=current.number,
            role=role,
            child_id=command.child_id,
            level_of_need=command.level_of_need,
            threshold_met=command.threshold_met,
            primary_category=command.primary_category,
            other_categories=command.other_categories,
            rationale=command.rationale,
        )
    ]


def _decide_reveal(state: ConferenceState, command: RevealVotes, now: datetime) -> list[Event]:
    current = state.current_round
    if current.revealed:
        raise IllegalTransition(RejectionCode.ROUND_REVEALED)
    if not current.ballots:
        raise IllegalTransition(RejectionCode.NO_BALLOTS)
    return [VotesRevealed(**_meta(command, now), round=current.number)]


def _decide_open_revote(state: ConferenceState, command: OpenRevote, now: datetime) -> list[Event]:
    if not state.current_round.revealed:
        raise IllegalTransition(RejectionCode.ROUND_NOT_REVEALED)
    return [RevoteOpened(**_meta(command, now), round=state.current_round.number + 1)]


def _decide_record_decision(
    state: ConferenceState, command: RecordDecision, now: datetime
) -> list[Event]:
    _require_child(state, command.child_id)
    _require_categories(
        command.category,
        command.other_categories,
        expected=command.outcome is PlanOutcome.CHILD_PROTECTION_PLAN,
    )
    _require_text(command.rationale)
    return [
        DecisionRecorded(
            **_meta(command, now),
            child_id=command.child_id,
            outcome=command.outcome,
            category=command.category,
            other_categories=command.other_categories,
            rationale=command.rationale,
            after_round=state.current_round.number,
        )
    ]


def _decide_record_dissent(
    state: ConferenceState, command: RecordDissent, now: datetime
) -> list[Event]:
    _require_child(state, command.child_id)
    if command.child_id not in state.decisions:
        raise IllegalTransition(RejectionCode.DECISION_MISSING)
    role = command.role
    if role is Role.CHAIR or not role.votes or role not in state.setup.seated_roles:
        raise InvalidCommand(RejectionCode.INVALID_DISSENTER)
    if any(d.child_id == command.child_id and d.role is role for d in state.dissents):
        raise InvalidCommand(RejectionCode.DISSENT_ALREADY_RECORDED)
    _require_text(command.reason, RejectionCode.REASON_REQUIRED)
    return [
        DissentRecorded(
            **_meta(command, now), child_id=command.child_id, role=role, reason=command.reason
        )
    ]


# Outline plan ----------------------------------------------------------------

NOT_CORE_GROUP: Final[frozenset[Role]] = frozenset({Role.CHAIR, Role.OBSERVER})


def _decide_set_plan(state: ConferenceState, command: SetPlan, now: datetime) -> list[Event]:
    setup = state.setup
    if command.lead_social_worker is not Role.LEAD_SOCIAL_WORKER:
        raise InvalidCommand(RejectionCode.LEAD_SOCIAL_WORKER_NOT_CSC)
    if command.core_group & NOT_CORE_GROUP:
        raise InvalidCommand(RejectionCode.INVALID_CORE_GROUP_MEMBER)
    if command.lead_social_worker not in command.core_group:
        raise InvalidCommand(RejectionCode.LEAD_SOCIAL_WORKER_NOT_IN_CORE_GROUP)
    for member in command.other_members:
        _require_text(member)
    first = command.first_core_group_on
    if first < setup.conference_date:
        raise InvalidCommand(RejectionCode.FIRST_CORE_GROUP_BEFORE_CONFERENCE)
    if not is_working_day(first, setup.holidays):
        raise InvalidCommand(RejectionCode.FIRST_CORE_GROUP_NOT_WORKING_DAY)
    if working_days_between(setup.conference_date, first, setup.holidays) > (
        FIRST_CORE_GROUP_WORKING_DAYS
    ):
        raise InvalidCommand(
            RejectionCode.FIRST_CORE_GROUP_TOO_LATE,
            "The first core group must meet within 10 working days of the "
            f"conference: by {setup.first_core_group_deadline.isoformat()}.",
        )
    _require_text(command.contingency)
    return [
        PlanSet(
            **_meta(command, now),
            lead_social_worker=command.lead_social_worker,
            core_group=command.core_group,
            other_members=command.other_members,
            first_core_group_on=first,
            contingency=command.contingency,
        )
    ]


def _decide_add_row(state: ConferenceState, command: AddPlanRow, now: datetime) -> list[Event]:
    row = command.row
    _require_text(row.row_id)
    if any(existing.row_id == row.row_id for existing in state.plan.rows):
        raise InvalidCommand(RejectionCode.DUPLICATE_ROW)
    _require_child(state, row.child_id, optional=True)
    for text in (row.what, row.how, row.who, row.how_we_will_know, row.review):
        _require_text(text)
    return [PlanRowAdded(**_meta(command, now), row=row)]


def _decide_remove_row(
    state: ConferenceState, command: RemovePlanRow, now: datetime
) -> list[Event]:
    if all(row.row_id != command.row_id for row in state.plan.rows):
        raise InvalidCommand(RejectionCode.UNKNOWN_ROW)
    return [PlanRowRemoved(**_meta(command, now), row_id=command.row_id)]


type Decider = Callable[[ConferenceState, Any, datetime], list[Event]]

DECIDERS: Final[Mapping[type[Command], Decider]] = MappingProxyType(
    {
        Pause: _decide_pause,
        Resume: _decide_resume,
        SkipPhase: _decide_move,
        GoBack: _decide_move,
        ReleaseInject: _decide_release_inject,
        OpenPack: _decide_open_pack,
        SubmitReport: _decide_submit_report,
        RecordReportSharing: _decide_record_sharing,
        FlagConfidential: _decide_flag_confidential,
        ReadReport: _decide_read_report,
        DecideParentAttendance: _decide_parent_attendance,
        MeetFamily: _decide_meet_family,
        AdvancePhase: _decide_move,
        CoverOpeningItem: _decide_cover_opening_item,
        SetContributionOrder: _decide_set_order,
        CallSpeaker: _decide_call_speaker,
        FinishContribution: _decide_finish_contribution,
        ShareItem: _decide_share_item,
        StateImpact: _decide_state_impact,
        RaiseHand: _decide_raise_hand,
        LowerHand: _decide_lower_hand,
        GiveView: _decide_give_view,
        StartExclusion: _decide_move,
        GiveSummary: _decide_give_summary,
        CastVote: _decide_cast_vote,
        RevealVotes: _decide_reveal,
        OpenRevote: _decide_open_revote,
        RecordDecision: _decide_record_decision,
        RecordDissent: _decide_record_dissent,
        SetPlan: _decide_set_plan,
        AddPlanRow: _decide_add_row,
        RemovePlanRow: _decide_remove_row,
    }
)

# ---------------------------------------------------------------------------
# apply: event -> state
# ---------------------------------------------------------------------------


def _with[K, V](mapping: Mapping[K, V], key: K, value: V) -> Mapping[K, V]:
    return MappingProxyType({**mapping, key: value})


def _with_report(state: ConferenceState, role: Role, **changes: Any) -> ConferenceState:
    return replace(
        state, reports=_with(state.reports, role, replace(state.report(role), **changes))
    )


def _apply_paused(state: ConferenceState, event: Paused) -> ConferenceState:
    return replace(state, paused=True, pause_reason=event.reason)


def _apply_resumed(state: ConferenceState, event: Resumed) -> ConferenceState:
    return replace(state, paused=False, pause_reason="")


def _apply_phase_changed(state: ConferenceState, event: PhaseChanged) -> ConferenceState:
    entry = PhaseEntry(phase=event.to_phase, move=event.move, at=event.at)
    return replace(
        state,
        phase=event.to_phase,
        phase_history=(*state.phase_history, entry),
        raised_hands=(),
    )


def _apply_inject_released(state: ConferenceState, event: InjectReleased) -> ConferenceState:
    released = ReleasedInject(inject_id=event.inject_id, to=event.to, at=event.at)
    return replace(state, injects=(*state.injects, released))


def _apply_pack_opened(state: ConferenceState, event: PackOpened) -> ConferenceState:
    return replace(state, packs_opened=_with(state.packs_opened, event.role, event.at))


def _apply_report_submitted(state: ConferenceState, event: ReportSubmitted) -> ConferenceState:
    first = state.report(event.role).first_submitted_at or event.at
    return _with_report(
        state,
        event.role,
        sections=event.sections,
        statements=event.statements,
        revision=event.revision,
        first_submitted_at=first,
        submitted_at=event.at,
    )


def _apply_sharing_recorded(
    state: ConferenceState, event: ReportSharingRecorded
) -> ConferenceState:
    return _with_report(
        state,
        event.role,
        shared_with_parents=event.shared_with_parents,
        shared_with_child=event.shared_with_child,
        reason_not_shared=event.reason_not_shared,
        sharing_recorded_at=event.at,
    )


def _apply_confidential_flagged(
    state: ConferenceState, event: ConfidentialItemFlagged
) -> ConferenceState:
    item = ConfidentialItem(item_id=event.item_id, note=event.note, flagged_at=event.at)
    flagged = (*state.report(event.role).confidential, item)
    return _with_report(state, event.role, confidential=flagged)


def _apply_report_read(state: ConferenceState, event: ReportRead) -> ConferenceState:
    return _with_report(state, event.author, read_revision=event.revision, read_at=event.at)


def _apply_parent_attendance(
    state: ConferenceState, event: ParentAttendanceDecided
) -> ConferenceState:
    decision = ParentAttendance(
        attends_throughout=event.attends_throughout, reason=event.reason, decided_at=event.at
    )
    return replace(state, parent_attendance=decision)


def _apply_family_met(state: ConferenceState, event: FamilyMet) -> ConferenceState:
    return replace(state, family_met_at=event.at)


def _apply_opening_item(state: ConferenceState, event: OpeningItemCovered) -> ConferenceState:
    return replace(state, opening_items=(*state.opening_items, event.item))


def _apply_order_set(state: ConferenceState, event: ContributionOrderSet) -> ConferenceState:
    return replace(state, contribution_order=event.order)


def _apply_speaker_called(state: ConferenceState, event: SpeakerCalled) -> ConferenceState:
    return replace(state, current_speaker=event.role)


def _apply_contribution_finished(
    state: ConferenceState, event: ContributionFinished
) -> ConferenceState:
    contributed = state.contributed
    if event.role not in contributed:
        contributed = (*contributed, event.role)
    speaker = None if state.current_speaker is event.role else state.current_speaker
    return replace(state, current_speaker=speaker, contributed=contributed)


def _apply_item_shared(state: ConferenceState, event: ItemShared) -> ConferenceState:
    item = SharedItem(
        role=event.role,
        item_id=event.item_id,
        child_id=event.child_id,
        phase=state.phase,
        at=event.at,
        withheld_from=event.withheld_from,
    )
    return replace(state, shared_items=(*state.shared_items, item))


def _apply_impact_stated(state: ConferenceState, event: ImpactStated) -> ConferenceState:
    impact = ImpactStatement(
        role=event.role,
        child_id=event.child_id,
        text=event.text,
        phase=state.phase,
        at=event.at,
        withheld_from=event.withheld_from,
    )
    return replace(state, impacts=(*state.impacts, impact))


def _apply_hand_raised(state: ConferenceState, event: HandRaised) -> ConferenceState:
    return replace(state, raised_hands=(*state.raised_hands, event.role))


def _apply_hand_lowered(state: ConferenceState, event: HandLowered) -> ConferenceState:
    hands = tuple(role for role in state.raised_hands if role is not event.role)
    return replace(state, raised_hands=hands)


def _apply_view_given(state: ConferenceState, event: ViewGiven) -> ConferenceState:
    view = View(
        role=event.role, voice=event.voice, child_id=event.child_id, text=event.text, at=event.at
    )
    return replace(state, views=(*state.views, view))


def _apply_exclusion_started(state: ConferenceState, event: ExclusionStarted) -> ConferenceState:
    exclusion = Exclusion(
        excluded=event.excluded, reason=event.reason, note=event.note, started_at=event.at
    )
    return replace(state, exclusions=(*state.exclusions, exclusion))


def _apply_exclusion_ended(state: ConferenceState, event: ExclusionEnded) -> ConferenceState:
    *earlier, last = state.exclusions
    return replace(state, exclusions=(*earlier, replace(last, ended_at=event.at)))


def _apply_summary_given(state: ConferenceState, event: SummaryGiven) -> ConferenceState:
    return replace(state, summary=Summary(text=event.text, at=event.at))


def _apply_vote_cast(state: ConferenceState, event: VoteCast) -> ConferenceState:
    ballot = Ballot(
        role=event.role,
        child_id=event.child_id,
        level_of_need=event.level_of_need,
        threshold_met=event.threshold_met,
        primary_category=event.primary_category,
        other_categories=event.other_categories,
        rationale=event.rationale,
        cast_at=event.at,
    )
    rounds = tuple(
        replace(r, ballots=(*r.ballots, ballot)) if r.number == event.round else r
        for r in state.rounds
    )
    return replace(state, rounds=rounds)


def _apply_votes_revealed(state: ConferenceState, event: VotesRevealed) -> ConferenceState:
    rounds = tuple(
        replace(r, revealed_at=event.at) if r.number == event.round else r for r in state.rounds
    )
    return replace(state, rounds=rounds)


def _apply_revote_opened(state: ConferenceState, event: RevoteOpened) -> ConferenceState:
    return replace(state, rounds=(*state.rounds, BallotRound(number=event.round)))


def _apply_decision_recorded(state: ConferenceState, event: DecisionRecorded) -> ConferenceState:
    decision = Decision(
        child_id=event.child_id,
        outcome=event.outcome,
        category=event.category,
        other_categories=event.other_categories,
        rationale=event.rationale,
        after_round=event.after_round,
        decided_at=event.at,
    )
    return replace(state, decisions=_with(state.decisions, event.child_id, decision))


def _apply_dissent_recorded(state: ConferenceState, event: DissentRecorded) -> ConferenceState:
    dissent = Dissent(
        child_id=event.child_id, role=event.role, reason=event.reason, recorded_at=event.at
    )
    return replace(state, dissents=(*state.dissents, dissent))


def _apply_plan_set(state: ConferenceState, event: PlanSet) -> ConferenceState:
    plan = replace(
        state.plan,
        lead_social_worker=event.lead_social_worker,
        core_group=event.core_group,
        other_members=event.other_members,
        first_core_group_on=event.first_core_group_on,
        contingency=event.contingency,
        set_at=event.at,
    )
    return replace(state, plan=plan)


def _apply_row_added(state: ConferenceState, event: PlanRowAdded) -> ConferenceState:
    return replace(state, plan=replace(state.plan, rows=(*state.plan.rows, event.row)))


def _apply_row_removed(state: ConferenceState, event: PlanRowRemoved) -> ConferenceState:
    rows = tuple(row for row in state.plan.rows if row.row_id != event.row_id)
    return replace(state, plan=replace(state.plan, rows=rows))


type Applier = Callable[[ConferenceState, Any], ConferenceState]

APPLIERS: Final[Mapping[type[Event], Applier]] = MappingProxyType(
    {
        Paused: _apply_paused,
        Resumed: _apply_resumed,
        PhaseChanged: _apply_phase_changed,
        InjectReleased: _apply_inject_released,
        PackOpened: _apply_pack_opened,
        ReportSubmitted: _apply_report_submitted,
        ReportSharingRecorded: _apply_sharing_recorded,
        ConfidentialItemFlagged: _apply_confidential_flagged,
        ReportRead: _apply_report_read,
        ParentAttendanceDecided: _apply_parent_attendance,
        FamilyMet: _apply_family_met,
        OpeningItemCovered: _apply_opening_item,
        ContributionOrderSet: _apply_order_set,
        SpeakerCalled: _apply_speaker_called,
        ContributionFinished: _apply_contribution_finished,
        ItemShared: _apply_item_shared,
        ImpactStated: _apply_impact_stated,
        HandRaised: _apply_hand_raised,
        HandLowered: _apply_hand_lowered,
        ViewGiven: _apply_view_given,
        ExclusionStarted: _apply_exclusion_started,
        ExclusionEnded: _apply_exclusion_ended,
        SummaryGiven: _apply_summary_given,
        VoteCast: _apply_vote_cast,
        VotesRevealed: _apply_votes_revealed,
        RevoteOpened: _apply_revote_opened,
        DecisionRecorded: _apply_decision_recorded,
        DissentRecorded: _apply_dissent_recorded,
        PlanSet: _apply_plan_set,
        PlanRowAdded: _apply_row_added,
        PlanRowRemoved: _apply_row_removed,
    }
)


def _log_entry(state: ConferenceState, event: Event) -> LogEntry:
    subject = getattr(event, "role", None)
    child_id = getattr(event, "child_id", None)
    return LogEntry(
        index=len(state.log),
        event=type(event).__name__,
        at=event.at,
        phase=state.phase,
        role=subject if isinstance(subject, Role) else event.actor.role,
        by_trainer=event.actor.is_trainer,
        child_id=child_id if isinstance(child_id, str) else None,
    )


def apply(state: ConferenceState, event: Event) -> ConferenceState:
    """Return the state after ``event``; never mutate ``state``."""
    changed = APPLIERS[type(event)](state, event)
    return replace(
        changed,
        processed_commands=changed.processed_commands | {event.command_id},
        log=(*changed.log, _log_entry(state, event)),
    )


def replay(initial: ConferenceState, events: Iterable[Event]) -> ConferenceState:
    """Return the state after applying ``events`` in order to ``initial``."""
    return reduce(apply, events, initial)


@dataclass(frozen=True)
class Step:
    """The outcome of one accepted command: the new state and its events."""

    state: ConferenceState
    events: tuple[Event, ...]


def step(state: ConferenceState, command: Command, *, now: datetime) -> Step:
    """Decide ``command`` and apply its events; raise CommandRejected."""
    events = decide(state, command, now=now)
    return Step(state=replay(state, events), events=tuple(events))


# ---------------------------------------------------------------------------
# What each seat may see
# ---------------------------------------------------------------------------


def _is_console(actor: Actor) -> bool:
    return actor.is_trainer and actor.role is None


def _sees_as_chair(actor: Actor) -> bool:
    """Return whether ``actor`` sees what the chair sees (flags, who voted)."""
    return _is_console(actor) or actor.role is Role.CHAIR


def _may_see(actor: Actor, withheld_from: frozenset[Role]) -> bool:
    return _is_console(actor) or actor.role not in withheld_from


def _report_view(report: Report, actor: Actor) -> JSONDict | None:
    own = actor.role is report.author
    if own or _sees_as_chair(actor):
        return report.to_dict()
    if not report.submitted:
        return None
    data = report.to_dict()
    del data["confidential"]
    return data


def _round_view(rnd: BallotRound, actor: Actor) -> JSONDict:
    def who(ballot: Ballot) -> JSONDict:
        return {"child_id": ballot.child_id, "role": ballot.role.value}

    own = [ballot for ballot in rnd.ballots if ballot.role is actor.role]
    if rnd.revealed:
        shown, voted = list(rnd.ballots), list(rnd.ballots)
    elif _sees_as_chair(actor):
        shown, voted = own, list(rnd.ballots)
    else:
        shown, voted = own, own
    return {
        "number": rnd.number,
        "revealed": rnd.revealed,
        "revealed_at": encode(rnd.revealed_at),
        "ballots": [ballot.to_dict() for ballot in shown],
        "voted": [who(ballot) for ballot in voted],
    }


def _exclusion_view(exclusion: Exclusion, actor: Actor) -> JSONDict:
    data = exclusion.to_dict()
    if not _sees_as_chair(actor):
        data["note"] = ""
    return data


def view_for(state: ConferenceState, actor: Actor) -> JSONDict:
    """Return what ``actor`` may see of the conference, as JSON types.

    Sealed ballots show only to their voter until their round is revealed;
    the chair and the trainer's console see who has voted. Confidential
    flags show only to the chair, the console and their author. Items
    shared during an exclusion never show to the roles excluded then. A
    trainer covering a seat sees that seat's view; the console sees all
    but sealed ballot contents.
    """
    setup = state.setup
    role = actor.role
    reports = {
        author.value: view
        for author, report in state.reports.items()
        if (view := _report_view(report, actor)) is not None
    }
    return {
        "room_id": setup.room_id,
        "conference_type": setup.conference_type.value,
        "conference_date": setup.conference_date.isoformat(),
        "report_deadline": setup.report_deadline.isoformat(),
        "first_core_group_deadline": setup.first_core_group_deadline.isoformat(),
        "children": encode(setup.children),
        "seated_roles": encode(setup.seated_roles),
        "viewer": actor.to_dict(),
        "my_items": sorted(state.items_available_to(role)) if role is not None else [],
        "phase": state.phase.value,
        "paused": state.paused,
        "pause_reason": state.pause_reason,
        "phase_history": encode(state.phase_history),
        "excluded": role is not None and state.is_excluded(role),
        "exclusions": [_exclusion_view(e, actor) for e in state.exclusions],
        "packs_opened": encode(state.packs_opened),
        "reports": reports,
        "parent_attendance": encode(state.parent_attendance),
        "family_met_at": encode(state.family_met_at),
        "opening_items": encode(state.opening_items),
        "contribution_order": encode(state.contribution_order),
        "current_speaker": encode(state.current_speaker),
        "contributed": encode(state.contributed),
        "raised_hands": encode(state.raised_hands),
        "shared_items": [
            item.to_dict() for item in state.shared_items if _may_see(actor, item.withheld_from)
        ],
        "impacts": [
            impact.to_dict() for impact in state.impacts if _may_see(actor, impact.withheld_from)
        ],
        "views": encode(state.views),
        "summary": encode(state.summary),
        "rounds": [_round_view(rnd, actor) for rnd in state.rounds],
        "decisions": encode(state.decisions),
        "dissents": encode(state.dissents),
        "plan": state.plan.to_dict(),
        "injects": [
            inject.to_dict()
            for inject in state.injects
            if _is_console(actor) or inject.to is None or inject.to is role
        ],
    }


_BALLOT_ENVELOPE: Final = frozenset(
    {"type", "command_id", "actor", "at", "round", "role", "child_id"}
)


def event_view_for(state: ConferenceState, event: Event, actor: Actor) -> JSONDict | None:
    """Return ``event`` as ``actor`` may see it, or None if they may not.

    Use it to send missed events to a reconnecting client; ``state`` is the
    current state (a ballot's round may have been revealed since). Apply
    the same rules as :func:`view_for`.
    """
    data = event.to_dict()
    role = actor.role
    match event:
        case VoteCast():
            revealed = any(r.number == event.round and r.revealed for r in state.rounds)
            if revealed or (role is not None and role is event.role):
                return data
            if _sees_as_chair(actor):
                return {key: value for key, value in data.items() if key in _BALLOT_ENVELOPE}
            return None
        case ConfidentialItemFlagged():
            return data if _sees_as_chair(actor) or role is event.role else None
        case ItemShared() | ImpactStated():
            return data if _may_see(actor, event.withheld_from) else None
        case InjectReleased():
            visible = _is_console(actor) or event.to is None or event.to is role
            return data if visible else None
        case ExclusionStarted() if not _sees_as_chair(actor):
            return {**data, "note": ""}
        case _:
            return data
