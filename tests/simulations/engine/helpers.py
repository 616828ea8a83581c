"""Build conferences for the engine tests: a setup, a driver and a full run."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from simulations.engine.commands import (
    AddPlanRow,
    AdvancePhase,
    CallSpeaker,
    CastVote,
    Command,
    CoverOpeningItem,
    DecideParentAttendance,
    FinishContribution,
    FlagConfidential,
    GiveSummary,
    GiveView,
    LowerHand,
    MeetFamily,
    OpenPack,
    OpenRevote,
    RaiseHand,
    ReadReport,
    RecordDecision,
    RecordDissent,
    RecordReportSharing,
    RevealVotes,
    SetPlan,
    ShareItem,
    StartExclusion,
    StateImpact,
    SubmitReport,
)
from simulations.engine.conference import apply, decide
from simulations.engine.events import Event
from simulations.engine.state import (
    Actor,
    Child,
    ConferenceSetup,
    ConferenceState,
    OpeningItem,
    Phase,
    PlanRow,
    Statement,
    Voice,
    new_conference,
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

# Jersey-like public holidays for 2025: Good Friday, Easter Monday, the
# early May bank holiday, Liberation Day (9 May), spring bank holiday, etc.
JERSEY_HOLIDAYS_2025 = frozenset(
    {
        date(2025, 1, 1),
        date(2025, 4, 18),
        date(2025, 4, 21),
        date(2025, 5, 5),
        date(2025, 5, 9),
        date(2025, 5, 26),
        date(2025, 8, 25),
        date(2025, 12, 25),
        date(2025, 12, 26),
    }
)

CONFERENCE_DATE = date(2025, 5, 1)  # a Thursday
JAYDEN = "jayden"
MIA = "mia"
SEATED = (
    Role.CHAIR,
    Role.LEAD_SOCIAL_WORKER,
    Role.HEALTH_VISITOR,
    Role.DESIGNATED_TEACHER,
    Role.GP,
    Role.HOUSING,
    Role.POLICE,
    Role.PARENT,
    Role.CHILDS_ADVOCATE,
    Role.OBSERVER,
)
AUTHORS = tuple(role for role in SEATED if role.votes and role is not Role.CHAIR)
VOTERS = tuple(role for role in SEATED if role.votes)


def item(role: Role, n: int) -> str:
    return f"{role.value}-{n}"


SETUP = ConferenceSetup(
    room_id="room-1",
    conference_type=ConferenceType.INITIAL,
    conference_date=CONFERENCE_DATE,
    children=(Child(id=JAYDEN, name="Jayden"), Child(id=MIA, name="Mia")),
    seated_roles=SEATED,
    holidays=JERSEY_HOLIDAYS_2025,
    pack_items={role: frozenset(item(role, n) for n in (1, 2, 3)) for role in SEATED},
    inject_ids=frozenset({"inject-1", "inject-2"}),
)

START = datetime(2025, 4, 28, 9, 0, tzinfo=UTC)
TRAINER = Actor.trainer()


def seat(role: Role) -> Actor:
    return Actor.seat(role)


CHAIR = seat(Role.CHAIR)


@dataclass
class Driver:
    """Issue commands one by one, keeping the state and every event."""

    state: ConferenceState = field(default_factory=lambda: new_conference(SETUP))
    events: list[Event] = field(default_factory=list)
    clock: datetime = START
    prefix: str = "cmd"
    ids: itertools.count[int] = field(default_factory=itertools.count)

    def next_id(self) -> str:
        return f"{self.prefix}-{next(self.ids)}"

    def command[C: Command](self, kind: type[C], actor: Actor, **fields: Any) -> C:
        return kind(command_id=self.next_id(), actor=actor, **fields)

    def run(self, command: Command) -> list[Event]:
        self.clock += timedelta(minutes=1)
        new = decide(self.state, command, now=self.clock)
        for event in new:
            self.state = apply(self.state, event)
        self.events.extend(new)
        return new

    def do(self, kind: type[Command], actor: Actor, **fields: Any) -> list[Event]:
        return self.run(self.command(kind, actor, **fields))


def ballot_fields(child_id: str, *, met: bool = True) -> dict[str, Any]:
    if met:
        return {
            "child_id": child_id,
            "level_of_need": LevelOfNeed.SAFEGUARDING,
            "threshold_met": True,
            "primary_category": Category.PHYSICAL,
            "other_categories": frozenset({Category.NEGLECT}),
            "rationale": "Repeated unexplained injuries.",
        }
    return {
        "child_id": child_id,
        "level_of_need": LevelOfNeed.HEALTH_DEVELOPMENT,
        "threshold_met": False,
        "rationale": "Needs support; no significant harm.",
    }


def plan_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "lead_social_worker": Role.LEAD_SOCIAL_WORKER,
        "core_group": frozenset(
            {Role.LEAD_SOCIAL_WORKER, Role.HEALTH_VISITOR, Role.DESIGNATED_TEACHER, Role.PARENT}
        ),
        "other_members": ("Maternal grandmother",),
        "first_core_group_on": date(2025, 5, 12),
        "contingency": "If an injury is unexplained, convene a strategy discussion.",
    }
    fields.update(overrides)
    return fields


def plan_row(row_id: str = "r1") -> PlanRow:
    return PlanRow(
        row_id=row_id,
        child_id=JAYDEN,
        what="Jayden is safe from physical harm",
        how="Parenting programme",
        who="Health visitor",
        how_we_will_know="No unexplained injuries; HV visits",
        review="Core group every four weeks",
    )


# One conference from start to close, a phase at a time. Each step plays the
# work of the phase it names and then leaves it.


def _pre_conference(d: Driver) -> None:
    for role in AUTHORS:
        d.do(OpenPack, seat(role))
        d.do(
            SubmitReport,
            seat(role),
            sections={ReportSection.WORRIES: f"{role.label}: worries and their impact."},
            statements=(
                Statement(
                    text="Seen at A&E twice.", provenance=Provenance.FACT, item_id=item(role, 1)
                ),
                Statement(
                    text="Neighbour reports shouting.",
                    provenance=Provenance.ALLEGATION,
                    second_hand=True,
                    source="Neighbour",
                ),
            ),
        )
        d.do(
            RecordReportSharing,
            seat(role),
            shared_with_parents=True,
            shared_with_child=False,
            reason_not_shared="Jayden is too young.",
        )
    d.do(
        FlagConfidential, seat(Role.POLICE), item_id=item(Role.POLICE, 3), note="Live investigation"
    )
    d.do(AdvancePhase, CHAIR)


def _chairs_preparation(d: Driver) -> None:
    for role in AUTHORS:
        d.do(ReadReport, CHAIR, author=role)
    d.do(DecideParentAttendance, CHAIR, attends_throughout=True)
    d.do(MeetFamily, CHAIR, note="Explained the process.")
    d.do(AdvancePhase, CHAIR)


def _opening(d: Driver) -> None:
    for opening_item in OpeningItem:
        d.do(CoverOpeningItem, CHAIR, item=opening_item)
    d.do(AdvancePhase, CHAIR)


def _agency_contributions(d: Driver) -> None:
    for role in AUTHORS:
        d.do(CallSpeaker, CHAIR)
        d.do(ShareItem, seat(role), item_id=item(role, 1), child_id=JAYDEN)
        d.do(StateImpact, seat(role), child_id=JAYDEN, text="He is frightened at home.")
    d.do(RaiseHand, seat(Role.GP))
    d.do(LowerHand, CHAIR, role=Role.GP)
    d.do(FinishContribution, seat(AUTHORS[-1]))
    d.do(AdvancePhase, CHAIR)


def _family_views(d: Driver) -> None:
    d.do(GiveView, seat(Role.PARENT), voice=Voice.PARENT, text="We love our children.")
    d.do(
        GiveView,
        seat(Role.CHILDS_ADVOCATE),
        voice=Voice.CHILD,
        child_id=JAYDEN,
        text="Jayden wants to stay at home.",
    )
    d.do(
        StartExclusion,
        CHAIR,
        excluded=frozenset({Role.PARENT}),
        reason=ExclusionReason.CONFIDENTIALITY,
    )


def _exclusion(d: Driver) -> None:
    d.do(ShareItem, seat(Role.POLICE), item_id=item(Role.POLICE, 3), child_id=JAYDEN)
    d.do(AdvancePhase, CHAIR)


def _summary(d: Driver) -> None:
    d.do(GiveSummary, CHAIR, text="Agencies agree the injuries are unexplained.")
    d.do(AdvancePhase, CHAIR)


def _recommendations(d: Driver) -> None:
    for role in VOTERS:
        d.do(CastVote, seat(role), **ballot_fields(JAYDEN, met=role is not Role.HOUSING))
        d.do(CastVote, seat(role), **ballot_fields(MIA, met=False))
    d.do(RevealVotes, CHAIR)
    d.do(OpenRevote, CHAIR)
    for role in VOTERS:
        d.do(CastVote, seat(role), **ballot_fields(JAYDEN, met=role is not Role.HOUSING))
        d.do(CastVote, seat(role), **ballot_fields(MIA, met=False))
    d.do(RevealVotes, CHAIR)
    d.do(AdvancePhase, CHAIR)


def _decision(d: Driver) -> None:
    d.do(
        RecordDecision,
        CHAIR,
        child_id=JAYDEN,
        outcome=PlanOutcome.CHILD_PROTECTION_PLAN,
        category=Category.PHYSICAL,
        other_categories=frozenset({Category.NEGLECT}),
        rationale="Significant harm from unexplained injuries.",
    )
    d.do(
        RecordDecision,
        CHAIR,
        child_id=MIA,
        outcome=PlanOutcome.CHILD_IN_NEED_PLAN,
        rationale="Needs are met by a child in need plan.",
    )
    d.do(
        RecordDissent,
        seat(Role.HOUSING),
        child_id=JAYDEN,
        role=Role.HOUSING,
        reason="The home is settled now.",
    )
    d.do(AdvancePhase, CHAIR)


def _outline_plan(d: Driver) -> None:
    d.do(SetPlan, CHAIR, **plan_fields())
    d.do(AddPlanRow, CHAIR, row=plan_row())
    d.do(AdvancePhase, CHAIR)


PLAY: dict[Phase, Callable[[Driver], None]] = {
    Phase.PRE_CONFERENCE: _pre_conference,
    Phase.CHAIRS_PREPARATION: _chairs_preparation,
    Phase.OPENING: _opening,
    Phase.AGENCY_CONTRIBUTIONS: _agency_contributions,
    Phase.FAMILY_VIEWS: _family_views,
    Phase.EXCLUSION: _exclusion,
    Phase.SUMMARY: _summary,
    Phase.RECOMMENDATIONS: _recommendations,
    Phase.DECISION: _decision,
    Phase.OUTLINE_PLAN: _outline_plan,
}


def drive_to(phase: Phase) -> Driver:
    """Return a driver that has played the conference up to ``phase``."""
    driver = Driver()
    while driver.state.phase is not phase:
        PLAY[driver.state.phase](driver)
    return driver


def full_conference() -> Driver:
    return drive_to(Phase.CLOSED)
