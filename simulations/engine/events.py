"""Record what happened at a conference, in the past tense.

Events are the conference's source of truth: the service layer stores each
one with a sequence number, and :func:`simulations.engine.conference.replay`
folds them back into the state. So every event is self-contained (it names
the role and child it is about rather than relying on who issued it), and it
carries the ``command_id`` that produced it, the :class:`Actor` who issued
that command and the time ``at`` which the caller passed in.

Events cross process boundaries as JSON: ``to_dict`` adds a ``type`` key
holding the class name and :func:`event_from_dict` reverses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Final

from simulations.engine.state import (
    Actor,
    DecodeError,
    JSONDict,
    OpeningItem,
    Phase,
    PhaseMove,
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


@dataclass(frozen=True, kw_only=True)
class Event(Record):
    """Base for events: which command, issued by whom, at what time."""

    command_id: str
    actor: Actor
    at: datetime

    def to_dict(self) -> JSONDict:
        return {"type": type(self).__name__, **super().to_dict()}


# Trainer console and navigation ----------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Paused(Event):
    reason: str


@dataclass(frozen=True, kw_only=True)
class Resumed(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class PhaseChanged(Event):
    from_phase: Phase
    to_phase: Phase
    move: PhaseMove


@dataclass(frozen=True, kw_only=True)
class InjectReleased(Event):
    inject_id: str
    to: Role | None


# Pre-conference and the chair's preparation ----------------------------------


@dataclass(frozen=True, kw_only=True)
class PackOpened(Event):
    role: Role


@dataclass(frozen=True, kw_only=True)
class ReportSubmitted(Event):
    role: Role
    sections: Mapping[ReportSection, str] = field(default_factory=frozen_map)
    statements: tuple[Statement, ...] = ()
    revision: int


@dataclass(frozen=True, kw_only=True)
class ReportSharingRecorded(Event):
    role: Role
    shared_with_parents: bool
    shared_with_child: bool
    reason_not_shared: str


@dataclass(frozen=True, kw_only=True)
class ConfidentialItemFlagged(Event):
    role: Role
    item_id: str
    note: str


@dataclass(frozen=True, kw_only=True)
class ReportRead(Event):
    author: Role
    revision: int


@dataclass(frozen=True, kw_only=True)
class ParentAttendanceDecided(Event):
    attends_throughout: bool
    reason: str


@dataclass(frozen=True, kw_only=True)
class FamilyMet(Event):
    note: str


# The meeting -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class OpeningItemCovered(Event):
    item: OpeningItem


@dataclass(frozen=True, kw_only=True)
class ContributionOrderSet(Event):
    order: tuple[Role, ...]


@dataclass(frozen=True, kw_only=True)
class SpeakerCalled(Event):
    role: Role


@dataclass(frozen=True, kw_only=True)
class ContributionFinished(Event):
    role: Role


@dataclass(frozen=True, kw_only=True)
class ItemShared(Event):
    """An item entered the record; ``withheld_from`` were excluded then."""

    role: Role
    item_id: str
    child_id: str | None
    withheld_from: frozenset[Role] = frozenset()


@dataclass(frozen=True, kw_only=True)
class ImpactStated(Event):
    role: Role
    child_id: str
    text: str
    withheld_from: frozenset[Role] = frozenset()


@dataclass(frozen=True, kw_only=True)
class HandRaised(Event):
    role: Role


@dataclass(frozen=True, kw_only=True)
class HandLowered(Event):
    role: Role


@dataclass(frozen=True, kw_only=True)
class ViewGiven(Event):
    role: Role
    voice: Voice
    child_id: str | None
    text: str


@dataclass(frozen=True, kw_only=True)
class ExclusionStarted(Event):
    excluded: frozenset[Role]
    reason: ExclusionReason
    note: str


@dataclass(frozen=True, kw_only=True)
class ExclusionEnded(Event):
    pass


@dataclass(frozen=True, kw_only=True)
class SummaryGiven(Event):
    text: str


# Recommendations, decision and plan ------------------------------------------


@dataclass(frozen=True, kw_only=True)
class VoteCast(Event):
    """A sealed ballot; views must not show its content until revealed."""

    round: int
    role: Role
    child_id: str
    level_of_need: LevelOfNeed
    threshold_met: bool
    primary_category: Category | None
    other_categories: frozenset[Category]
    rationale: str


@dataclass(frozen=True, kw_only=True)
class VotesRevealed(Event):
    round: int


@dataclass(frozen=True, kw_only=True)
class RevoteOpened(Event):
    round: int


@dataclass(frozen=True, kw_only=True)
class DecisionRecorded(Event):
    child_id: str
    outcome: PlanOutcome
    category: Category | None
    other_categories: frozenset[Category]
    rationale: str
    after_round: int


@dataclass(frozen=True, kw_only=True)
class DissentRecorded(Event):
    child_id: str
    role: Role
    reason: str


@dataclass(frozen=True, kw_only=True)
class PlanSet(Event):
    lead_social_worker: Role
    core_group: frozenset[Role]
    other_members: tuple[str, ...]
    first_core_group_on: date
    contingency: str


@dataclass(frozen=True, kw_only=True)
class PlanRowAdded(Event):
    row: PlanRow


@dataclass(frozen=True, kw_only=True)
class PlanRowRemoved(Event):
    row_id: str


EVENT_TYPES: Final[tuple[type[Event], ...]] = (
    Paused,
    Resumed,
    PhaseChanged,
    InjectReleased,
    PackOpened,
    ReportSubmitted,
    ReportSharingRecorded,
    ConfidentialItemFlagged,
    ReportRead,
    ParentAttendanceDecided,
    FamilyMet,
    OpeningItemCovered,
    ContributionOrderSet,
    SpeakerCalled,
    ContributionFinished,
    ItemShared,
    ImpactStated,
    HandRaised,
    HandLowered,
    ViewGiven,
    ExclusionStarted,
    ExclusionEnded,
    SummaryGiven,
    VoteCast,
    VotesRevealed,
    RevoteOpened,
    DecisionRecorded,
    DissentRecorded,
    PlanSet,
    PlanRowAdded,
    PlanRowRemoved,
)

EVENT_REGISTRY: Final[Mapping[str, type[Event]]] = MappingProxyType(
    {cls.__name__: cls for cls in EVENT_TYPES}
)


def event_from_dict(data: Mapping[str, Any]) -> Event:
    """Return the event ``data`` describes; raise DecodeError if none."""
    try:
        cls = EVENT_REGISTRY[data["type"]]
    except (KeyError, TypeError) as error:
        msg = f"unknown event type in {data!r}"
        raise DecodeError(msg) from error
    return cls.from_dict(data)
