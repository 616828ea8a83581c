"""Name what a participant or the trainer asks the conference to do.

A command is a request, named in the imperative (``CastVote``); the state
machine either accepts it, returning the events that record what happened,
or rejects it with a :class:`CommandRejected` that carries a machine-readable
:class:`RejectionCode` and a message a delegate can read.

Every command carries the ``command_id`` the client chose (a UUID, say) and
the :class:`~simulations.engine.state.Actor` who issued it. The id makes
retries safe: a command whose id the conference has already applied yields
no new events. Commands cross the wire as JSON: ``to_dict`` adds a ``type``
key holding the class name, and :func:`command_from_dict` turns such a dict
back into a command, rejecting anything malformed as an ``InvalidCommand``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Final

from simulations.engine.state import (
    Actor,
    DecodeError,
    JSONDict,
    OpeningItem,
    PlanRow,
    Record,
    Statement,
    Voice,
    frozen_map,
)
from simulations.engine.vocabulary import (
    Category,
    ExclusionReason,
    LevelOfNeed,
    PlanOutcome,
    ReportSection,
    Role,
)

# ---------------------------------------------------------------------------
# Rejections
# ---------------------------------------------------------------------------


class RejectionCode(StrEnum):
    """Why a command was rejected; stable strings the UI can switch on."""

    # IllegalTransition: not now, in this phase or state of the meeting.
    NOT_ALLOWED_IN_PHASE = "not_allowed_in_phase"
    PAUSED = "paused"
    NOT_PAUSED = "not_paused"
    PARENT_ATTENDANCE_UNDECIDED = "parent_attendance_undecided"
    VOTES_NOT_REVEALED = "votes_not_revealed"
    DECISION_MISSING = "decision_missing"
    PLAN_INCOMPLETE = "plan_incomplete"
    NO_CURRENT_SPEAKER = "no_current_speaker"
    NO_SPEAKER_LEFT = "no_speaker_left"
    ROUND_REVEALED = "round_revealed"
    ROUND_NOT_REVEALED = "round_not_revealed"
    NO_BALLOTS = "no_ballots"
    REPORT_NOT_SUBMITTED = "report_not_submitted"
    # NotPermitted: not by this actor.
    ROLE_NOT_SEATED = "role_not_seated"
    ROLE_REQUIRED = "role_required"
    TRAINER_ONLY = "trainer_only"
    CHAIR_ONLY = "chair_only"
    WRONG_ROLE = "wrong_role"
    NOT_THE_SPEAKER = "not_the_speaker"
    EXCLUDED = "excluded"
    # InvalidCommand: not with this content.
    MALFORMED_COMMAND = "malformed_command"
    MISSING_COMMAND_ID = "missing_command_id"
    UNKNOWN_CHILD = "unknown_child"
    UNKNOWN_ITEM = "unknown_item"
    UNKNOWN_INJECT = "unknown_inject"
    UNKNOWN_ROLE = "unknown_role"
    UNKNOWN_ROW = "unknown_row"
    TEXT_REQUIRED = "text_required"
    REASON_REQUIRED = "reason_required"
    SOURCE_REQUIRED = "source_required"
    RATIONALE_NOT_ONE_LINE = "rationale_not_one_line"
    EMPTY_REPORT = "empty_report"
    REAL_IDENTIFIER = "real_identifier"
    ALREADY_DONE = "already_done"
    ALREADY_FLAGGED = "already_flagged"
    ALREADY_SHARED = "already_shared"
    ALREADY_VOTED = "already_voted"
    ALREADY_SPEAKING = "already_speaking"
    HAND_ALREADY_RAISED = "hand_already_raised"
    HAND_NOT_RAISED = "hand_not_raised"
    INVALID_ORDER = "invalid_order"
    INVALID_SPEAKER = "invalid_speaker"
    INVALID_EXCLUSION = "invalid_exclusion"
    INVALID_DISSENTER = "invalid_dissenter"
    CATEGORY_REQUIRED = "category_required"
    CATEGORY_NOT_EXPECTED = "category_not_expected"
    CATEGORY_REPEATED = "category_repeated"
    DISSENT_ALREADY_RECORDED = "dissent_already_recorded"
    LEAD_SOCIAL_WORKER_NOT_CSC = "lead_social_worker_not_csc"
    LEAD_SOCIAL_WORKER_NOT_IN_CORE_GROUP = "lead_social_worker_not_in_core_group"
    INVALID_CORE_GROUP_MEMBER = "invalid_core_group_member"
    FIRST_CORE_GROUP_BEFORE_CONFERENCE = "first_core_group_before_conference"
    FIRST_CORE_GROUP_NOT_WORKING_DAY = "first_core_group_not_working_day"
    FIRST_CORE_GROUP_TOO_LATE = "first_core_group_too_late"
    DUPLICATE_ROW = "duplicate_row"
    INJECT_ALREADY_RELEASED = "inject_already_released"


MESSAGES: Final[Mapping[RejectionCode, str]] = MappingProxyType(
    {
        RejectionCode.NOT_ALLOWED_IN_PHASE: "That cannot be done at this point in the conference.",
        RejectionCode.PAUSED: "The conference is paused.",
        RejectionCode.NOT_PAUSED: "The conference is not paused.",
        RejectionCode.PARENT_ATTENDANCE_UNDECIDED: "Decide whether the parents attend throughout before opening.",
        RejectionCode.VOTES_NOT_REVEALED: "Reveal the recommendations before moving to the decision.",
        RejectionCode.DECISION_MISSING: "Record a decision for every child first.",
        RejectionCode.PLAN_INCOMPLETE: "A child protection plan needs a lead social worker, core group, first core group date, contingency plan and at least one row.",
        RejectionCode.NO_CURRENT_SPEAKER: "Nobody is presenting.",
        RejectionCode.NO_SPEAKER_LEFT: "Every agency in the order has contributed.",
        RejectionCode.ROUND_REVEALED: "This round of recommendations has been revealed.",
        RejectionCode.ROUND_NOT_REVEALED: "Reveal this round before opening another.",
        RejectionCode.NO_BALLOTS: "Nobody has made a recommendation yet.",
        RejectionCode.REPORT_NOT_SUBMITTED: "That report has not been submitted.",
        RejectionCode.ROLE_NOT_SEATED: "That role is not seated at this conference.",
        RejectionCode.ROLE_REQUIRED: "Take over a role to do that.",
        RejectionCode.TRAINER_ONLY: "Only the trainer can do that.",
        RejectionCode.CHAIR_ONLY: "Only the chair can do that.",
        RejectionCode.WRONG_ROLE: "Your role cannot do that.",
        RejectionCode.NOT_THE_SPEAKER: "Wait for the chair to invite you to present.",
        RejectionCode.EXCLUDED: "You are excluded from this part of the meeting.",
        RejectionCode.MALFORMED_COMMAND: "The request was not understood.",
        RejectionCode.MISSING_COMMAND_ID: "The request has no command id.",
        RejectionCode.UNKNOWN_CHILD: "There is no such child in this case.",
        RejectionCode.UNKNOWN_ITEM: "That item is not in your information pack.",
        RejectionCode.UNKNOWN_INJECT: "There is no such inject in this scenario.",
        RejectionCode.UNKNOWN_ROLE: "That role is not seated at this conference.",
        RejectionCode.UNKNOWN_ROW: "There is no such plan row.",
        RejectionCode.TEXT_REQUIRED: "Some text is required.",
        RejectionCode.REASON_REQUIRED: "Give a reason.",
        RejectionCode.SOURCE_REQUIRED: "Name the source of second-hand information.",
        RejectionCode.RATIONALE_NOT_ONE_LINE: "Keep the rationale to one line.",
        RejectionCode.EMPTY_REPORT: "The report is empty.",
        RejectionCode.REAL_IDENTIFIER: "The report contains what looks like a real person's identifier; use invented details only.",
        RejectionCode.ALREADY_DONE: "That has already been done.",
        RejectionCode.ALREADY_FLAGGED: "That item is already flagged to the chair.",
        RejectionCode.ALREADY_SHARED: "You have already shared that item.",
        RejectionCode.ALREADY_VOTED: "You have already made a recommendation for this child in this round.",
        RejectionCode.ALREADY_SPEAKING: "That role is already presenting.",
        RejectionCode.HAND_ALREADY_RAISED: "Your hand is already raised.",
        RejectionCode.HAND_NOT_RAISED: "That hand is not raised.",
        RejectionCode.INVALID_ORDER: "The order must list seated report authors once each.",
        RejectionCode.INVALID_SPEAKER: "Only agencies that wrote a report present in this segment.",
        RejectionCode.INVALID_EXCLUSION: "Exclude one or more seated roles other than the chair.",
        RejectionCode.INVALID_DISSENTER: "Only a seated professional other than the chair can dissent.",
        RejectionCode.CATEGORY_REQUIRED: "Choose the primary category.",
        RejectionCode.CATEGORY_NOT_EXPECTED: "A category goes with a child protection plan only.",
        RejectionCode.CATEGORY_REPEATED: "The primary category cannot also be another category.",
        RejectionCode.DISSENT_ALREADY_RECORDED: "That dissent is already recorded.",
        RejectionCode.LEAD_SOCIAL_WORKER_NOT_CSC: "The lead social worker must come from Children's Social Care.",
        RejectionCode.LEAD_SOCIAL_WORKER_NOT_IN_CORE_GROUP: "The lead social worker belongs to the core group.",
        RejectionCode.INVALID_CORE_GROUP_MEMBER: "The chair and observers are not core group members.",
        RejectionCode.FIRST_CORE_GROUP_BEFORE_CONFERENCE: "The first core group cannot meet before the conference.",
        RejectionCode.FIRST_CORE_GROUP_NOT_WORKING_DAY: "The first core group must meet on a working day.",
        RejectionCode.FIRST_CORE_GROUP_TOO_LATE: "The first core group must meet within 10 working days of the conference.",
        RejectionCode.DUPLICATE_ROW: "A plan row with that id exists.",
        RejectionCode.INJECT_ALREADY_RELEASED: "That inject has already been released to that audience.",
    }
)


class CommandRejected(Exception):
    """Raise when the conference refuses a command; nothing has changed."""

    def __init__(self, code: RejectionCode, message: str = "") -> None:
        self.code = code
        self.message = message or MESSAGES[code]
        super().__init__(self.message)

    def to_dict(self) -> JSONDict:
        """Return the rejection as plain JSON types, for the client."""
        return {"error": type(self).__name__, "code": self.code.value, "message": self.message}


class IllegalTransition(CommandRejected):
    """Raise when the phase or state of the meeting does not allow it now."""


class NotPermitted(CommandRejected):
    """Raise when the actor may not issue the command."""


class InvalidCommand(CommandRejected):
    """Raise when the command's content is wrong or inconsistent."""


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Command(Record):
    """Base for commands: who asks, under which client-chosen id."""

    command_id: str
    actor: Actor

    def to_dict(self) -> JSONDict:
        return {"type": type(self).__name__, **super().to_dict()}


# Trainer console -------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Pause(Command):
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class Resume(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class SkipPhase(Command):
    """Move to the next phase even if the current one's work is unfinished."""


@dataclass(frozen=True, kw_only=True)
class GoBack(Command):
    """Return to the previous phase of the agenda."""


@dataclass(frozen=True, kw_only=True)
class ReleaseInject(Command):
    """Give new information to one role, or to all when ``to`` is None."""

    inject_id: str
    to: Role | None = None


# Pre-conference --------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OpenPack(Command):
    """Record that the actor's role opened its information pack."""


@dataclass(frozen=True, kw_only=True)
class SubmitReport(Command):
    """Submit (or resubmit, replacing) the role's multi-agency report."""

    sections: Mapping[ReportSection, str] = field(default_factory=frozen_map)
    statements: tuple[Statement, ...] = ()


@dataclass(frozen=True, kw_only=True)
class RecordReportSharing(Command):
    """Say whether the report was shared with parents and child, or why not."""

    shared_with_parents: bool
    shared_with_child: bool
    reason_not_shared: str = ""


@dataclass(frozen=True, kw_only=True)
class FlagConfidential(Command):
    """Flag a pack item to the chair instead of putting it in the report."""

    item_id: str
    note: str = ""


# Chair's preparation ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ReadReport(Command):
    author: Role


@dataclass(frozen=True, kw_only=True)
class DecideParentAttendance(Command):
    attends_throughout: bool
    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class MeetFamily(Command):
    note: str = ""


# The meeting -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class AdvancePhase(Command):
    """Move to the next phase once the current one's work is done."""


@dataclass(frozen=True, kw_only=True)
class CoverOpeningItem(Command):
    item: OpeningItem


@dataclass(frozen=True, kw_only=True)
class SetContributionOrder(Command):
    order: tuple[Role, ...]


@dataclass(frozen=True, kw_only=True)
class CallSpeaker(Command):
    """Invite ``role`` to present, or the next in the order when None."""

    role: Role | None = None


@dataclass(frozen=True, kw_only=True)
class FinishContribution(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class ShareItem(Command):
    """Put an item from the actor's pack into the conference record."""

    item_id: str
    child_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class StateImpact(Command):
    """Say what the information means for one child (003:601)."""

    child_id: str
    text: str


@dataclass(frozen=True, kw_only=True)
class RaiseHand(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class LowerHand(Command):
    """Lower a raised hand: the actor's own, or (the chair) ``role``'s."""

    role: Role | None = None


@dataclass(frozen=True, kw_only=True)
class GiveView(Command):
    voice: Voice
    text: str
    child_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class StartExclusion(Command):
    excluded: frozenset[Role]
    reason: ExclusionReason
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class GiveSummary(Command):
    text: str


# Recommendations and decision ------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CastVote(Command):
    """Make a sealed recommendation for one child in the current round."""

    child_id: str
    level_of_need: LevelOfNeed
    threshold_met: bool
    primary_category: Category | None = None
    other_categories: frozenset[Category] = frozenset()
    rationale: str


@dataclass(frozen=True, kw_only=True)
class RevealVotes(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class OpenRevote(Command):
    pass


@dataclass(frozen=True, kw_only=True)
class RecordDecision(Command):
    child_id: str
    outcome: PlanOutcome
    category: Category | None = None
    other_categories: frozenset[Category] = frozenset()
    rationale: str


@dataclass(frozen=True, kw_only=True)
class RecordDissent(Command):
    """Record ``role``'s dissent from a child's decision, with its reason."""

    child_id: str
    role: Role
    reason: str


# Outline plan ----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class SetPlan(Command):
    lead_social_worker: Role
    core_group: frozenset[Role]
    other_members: tuple[str, ...] = ()
    first_core_group_on: date
    contingency: str


@dataclass(frozen=True, kw_only=True)
class AddPlanRow(Command):
    row: PlanRow


@dataclass(frozen=True, kw_only=True)
class RemovePlanRow(Command):
    row_id: str


COMMAND_TYPES: Final[tuple[type[Command], ...]] = (
    Pause,
    Resume,
    SkipPhase,
    GoBack,
    ReleaseInject,
    OpenPack,
    SubmitReport,
    RecordReportSharing,
    FlagConfidential,
    ReadReport,
    DecideParentAttendance,
    MeetFamily,
    AdvancePhase,
    CoverOpeningItem,
    SetContributionOrder,
    CallSpeaker,
    FinishContribution,
    ShareItem,
    StateImpact,
    RaiseHand,
    LowerHand,
    GiveView,
    StartExclusion,
    GiveSummary,
    CastVote,
    RevealVotes,
    OpenRevote,
    RecordDecision,
    RecordDissent,
    SetPlan,
    AddPlanRow,
    RemovePlanRow,
)

COMMAND_REGISTRY: Final[Mapping[str, type[Command]]] = MappingProxyType(
    {cls.__name__: cls for cls in COMMAND_TYPES}
)


def command_from_dict(data: Mapping[str, Any]) -> Command:
    """Return the command ``data`` describes; raise InvalidCommand if none."""
    try:
        cls = COMMAND_REGISTRY[data["type"]]
        return cls.from_dict(data)
    except (KeyError, TypeError, DecodeError) as error:
        raise InvalidCommand(
            RejectionCode.MALFORMED_COMMAND, f"The request was not understood: {error}"
        ) from error
