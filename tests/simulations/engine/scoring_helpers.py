"""Build case files and scripted conferences for the scoring tests.

``play(scenario, ...)`` drives a conference through the state machine from
a case file, doing everything the procedures ask: a complete, correctly
tagged report from every agency, confidential items raised with the chair,
every item shared with its impact, the family's and child's views, the
answer key's recommendations and decisions, and a complete plan. Tests
score it (it should earn full marks) and then spoil one thing at a time.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from simulations.engine.calendar import add_working_days, is_working_day
from simulations.engine.casefile import (
    Address,
    Adult,
    AnswerKey,
    AudienceLevel,
    Gender,
    Household,
    KeyDate,
    Offset,
    OffsetUnit,
    PackItem,
    RolePack,
    Scenario,
    render_scenario,
    resolve_offset,
)
from simulations.engine.casefile import Child as CaseChild
from simulations.engine.casefile import PlanOutcome as CaseOutcome
from simulations.engine.commands import (
    AddPlanRow,
    AdvancePhase,
    CallSpeaker,
    CastVote,
    CoverOpeningItem,
    DecideParentAttendance,
    FinishContribution,
    FlagConfidential,
    GiveSummary,
    GiveView,
    MeetFamily,
    OpenPack,
    ReadReport,
    RecordDecision,
    RecordReportSharing,
    RevealVotes,
    SetPlan,
    ShareItem,
    StateImpact,
    SubmitReport,
)
from simulations.engine.conference import apply, decide
from simulations.engine.events import Event
from simulations.engine.ruleset import DEFAULT_RULE_SET
from simulations.engine.scoring import RuleSet, ScoreCard, score_conference
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
    LevelOfNeed,
    PlanOutcome,
    Provenance,
    ReportSection,
    Role,
)
from tests.simulations.engine.helpers import JERSEY_HOLIDAYS_2025

CONFERENCE_DATE = date(2025, 6, 5)  # a Thursday
HOLIDAYS = JERSEY_HOLIDAYS_2025
CHAIR = Actor.seat(Role.CHAIR)
NOT_CORE_GROUP = frozenset({Role.CHAIR, Role.OBSERVER})

# ---------------------------------------------------------------------------
# A small case file of two children, like the engine helpers' Jayden and Mia
# ---------------------------------------------------------------------------


def _item(
    item_id: str,
    text: str,
    provenance: Provenance,
    *,
    source: str | None = None,
    confidential: bool = False,
    must_share: bool = False,
) -> PackItem:
    return PackItem(
        id=item_id,
        text=text,
        provenance=provenance,
        first_hand=source is None,
        source=source,
        confidential=confidential,
        must_share=must_share,
    )


PACKS: dict[Role, tuple[PackItem, ...]] = {
    Role.CHAIR: (
        _item("ch-1", "The police asked for a word before the meeting.", Provenance.FACT),
    ),
    Role.LEAD_SOCIAL_WORKER: (
        _item(
            "sw-1",
            "Jayden told me he is scared when Dad shouts.",
            Provenance.OBSERVATION,
            must_share=True,
        ),
        _item("sw-2", "Mum said Jayden fell off the sofa.", Provenance.ALLEGATION),
        _item("sw-3", "In my view the injuries are not accidental.", Provenance.OPINION),
    ),
    Role.HEALTH_VISITOR: (
        _item(
            "hv-1",
            "A&E records show three attendances in six months.",
            Provenance.FACT,
            must_share=True,
        ),
        _item(
            "hv-2",
            "The GP surgery reported a missed immunisation.",
            Provenance.FACT,
            source="GP surgery records",
        ),
    ),
    Role.DESIGNATED_TEACHER: (
        _item(
            "dt-1",
            "Jayden flinched when his father arrived.",
            Provenance.OBSERVATION,
            must_share=True,
        ),
        _item("dt-2", "Mia is happy and settled in class.", Provenance.OBSERVATION),
    ),
    Role.GP: (
        _item("gp-1", "Bruising to the upper arm was recorded.", Provenance.FACT, must_share=True),
    ),
    Role.HOUSING: (
        _item(
            "hs-1",
            "Neighbours complain of shouting at night.",
            Provenance.ALLEGATION,
            source="Neighbour complaints",
        ),
    ),
    Role.POLICE: (
        _item("po-1", "Police attended a domestic incident last year.", Provenance.FACT),
        _item(
            "po-2",
            "A live investigation concerns the father.",
            Provenance.FACT,
            confidential=True,
            must_share=True,
        ),
    ),
    Role.PARENT: (_item("pa-1", "We love our children.", Provenance.OPINION),),
    Role.CHILDS_ADVOCATE: (
        _item(
            "ad-1", "Jayden wants Dad to stop shouting.", Provenance.OBSERVATION, must_share=True
        ),
    ),
}


def _key(child_id: str, **overrides: Any) -> AnswerKey:
    values: dict[str, Any] = {
        "child_id": child_id,
        "level_of_need": LevelOfNeed.SAFEGUARDING,
        "threshold_met": True,
        "primary_category": Category.PHYSICAL,
        "acceptable_secondary_categories": (Category.NEGLECT, Category.EMOTIONAL),
        "outcome": CaseOutcome.CHILD_PROTECTION_PLAN,
        "key_risks": ("Unexplained injuries.",),
        "strengths": ("Loving mother.",),
        "complicating_factors": ("Father will not engage.",),
        "must_reach_conference": ("sw-1", "hv-1", "gp-1", "po-2"),
        "expected_core_group": (
            Role.LEAD_SOCIAL_WORKER,
            Role.PARENT,
            Role.HEALTH_VISITOR,
            Role.DESIGNATED_TEACHER,
        ),
        "expected_plan_elements": ("Seen alone weekly.",),
        "rationale": "Repeated unexplained injuries amount to significant harm.",
        "citations": ("guidance:procedures-summary:para-17",),
    }
    values.update(overrides)
    return AnswerKey(**values)


JAYDEN_KEY = _key("jayden")
MIA_KEY = _key(
    "mia",
    level_of_need=LevelOfNeed.HEALTH_DEVELOPMENT,
    threshold_met=False,
    primary_category=None,
    acceptable_secondary_categories=(),
    outcome=CaseOutcome.CHILD_IN_NEED_PLAN,
    must_reach_conference=("dt-2",),
    expected_core_group=(Role.PARENT, Role.DESIGNATED_TEACHER),
)


def two_children_case(**overrides: Any) -> Scenario:
    """Return a small valid case: Jayden needs a plan, Mia a child in need plan."""

    def child(child_id: str, name: str, years: int) -> CaseChild:
        return CaseChild(
            id=child_id,
            given_name=name,
            family_name="Le Brun",
            gender=Gender.MALE if child_id == "jayden" else Gender.FEMALE,
            communication_needs="None known.",
            born=Offset(-years, OffsetUnit.YEARS),
        )

    values: dict[str, Any] = {
        "slug": "two-children",
        "title": "Two children",
        "summary": "A test case.",
        "content_notes": (),
        "audience_level": AudienceLevel.LEVEL_3,
        "conference_type": ConferenceType.INITIAL,
        "key_dates": (
            KeyDate(
                "strategy_discussion", "Strategy discussion", Offset(-12, OffsetUnit.WORKING_DAYS)
            ),
        ),
        "household": Household(
            address=Address("1", "Rue de Test", "St Helier", "JE2 3AB"),
            phone="01534 000000",
            children=(child("jayden", "Jayden", 4), child("mia", "Mia", 8)),
            adults=(
                Adult(
                    id="mum",
                    given_name="Kerry",
                    family_name="Le Brun",
                    gender=Gender.FEMALE,
                    communication_needs="None known.",
                    relationship="Mother",
                    parental_responsibility=True,
                    lives_in_home=True,
                ),
            ),
        ),
        "chronology": (),
        "role_packs": tuple(
            RolePack(role=role, briefing=f"You are the {role.label}.", items=items)
            for role, items in PACKS.items()
        ),
        "injects": (),
        "answer_keys": (JAYDEN_KEY, MIA_KEY),
    }
    values.update(overrides)
    return Scenario(**values)


# ---------------------------------------------------------------------------
# Setting up a room for a case and playing it by the book
# ---------------------------------------------------------------------------


def setup_for(
    scenario: Scenario, *, conference_date: date = CONFERENCE_DATE, room_id: str = "room-1"
) -> ConferenceSetup:
    """Return a room seating every role with a pack, the chair and an observer."""
    with_packs = {pack.role for pack in scenario.role_packs}
    seated = tuple(role for role in Role if role in with_packs or role in NOT_CORE_GROUP)
    return ConferenceSetup(
        room_id=room_id,
        conference_type=scenario.conference_type,
        conference_date=conference_date,
        children=tuple(Child(id=c.id, name=c.given_name) for c in scenario.household.children),
        seated_roles=seated,
        holidays=HOLIDAYS,
        pack_items={pack.role: frozenset(i.id for i in pack.items) for pack in scenario.role_packs},
        inject_ids=frozenset(inject.id for inject in scenario.injects),
    )


def key_date(
    scenario: Scenario, key_id: str, conference_date: date = CONFERENCE_DATE
) -> date | None:
    """Return the real date of one of the case's key dates, if it has it."""
    for key in scenario.key_dates:
        if key.id == key_id:
            return resolve_offset(
                scenario,
                key.offset,
                seminar_date=conference_date,
                is_working_day=lambda day: is_working_day(day, HOLIDAYS),
            )
    return None


@dataclass
class Play:
    """A conference being played, with knobs a test can turn first."""

    scenario: Scenario
    setup: ConferenceSetup
    state: ConferenceState
    clock: datetime
    events: list[Event] = field(default_factory=list)
    counter: int = 0

    def do(self, kind: type[Any], actor: Actor, **fields: Any) -> None:
        self.counter += 1
        self.clock += timedelta(seconds=1)
        command = kind(command_id=f"c{self.counter}", actor=actor, **fields)
        for event in decide(self.state, command, now=self.clock):
            self.state = apply(self.state, event)
            self.events.append(event)

    def advance(self) -> None:
        self.do(AdvancePhase, CHAIR)


def _authors(setup: ConferenceSetup) -> tuple[Role, ...]:
    return setup.report_authors


def _statement(item: PackItem) -> Statement:
    return Statement(
        text=item.text,
        provenance=item.provenance,
        second_hand=not item.first_hand,
        source=item.source or "",
        item_id=item.id,
    )


def report_sections(scenario: Scenario, role: Role) -> dict[ReportSection, str]:
    names = [child.given_name for child in scenario.household.children]
    worries = "\n".join(
        f"- {name} is frightened at home, and this affects {name}'s development." for name in names
    )
    sections = {
        section: f"{role.label}: {section.value.replace('_', ' ')}." for section in ReportSection
    }
    sections[ReportSection.WORRIES] = worries
    sections[ReportSection.VIEWS_OF_CHILD] = " ".join(
        f"{name} told me about home." for name in names
    )
    return sections


def pack_items(scenario: Scenario, role: Role) -> tuple[PackItem, ...]:
    pack = scenario.pack(role)
    return pack.items if pack else ()


def pre_conference(p: Play) -> None:
    for role in _authors(p.setup):
        actor = Actor.seat(role)
        p.do(OpenPack, actor)
        items = pack_items(p.scenario, role)
        p.do(
            SubmitReport,
            actor,
            sections=report_sections(p.scenario, role),
            statements=tuple(_statement(i) for i in items if not i.confidential),
        )
        p.do(RecordReportSharing, actor, shared_with_parents=True, shared_with_child=True)
        for item in items:
            if item.confidential:
                p.do(FlagConfidential, actor, item_id=item.id, note="For the chair only.")
    p.advance()


def chairs_preparation(p: Play) -> None:
    for role in _authors(p.setup):
        p.do(ReadReport, CHAIR, author=role)
    p.do(DecideParentAttendance, CHAIR, attends_throughout=True)
    p.do(MeetFamily, CHAIR, note="Explained how the conference works.")
    p.advance()


def opening(p: Play) -> None:
    for item in OpeningItem:
        p.do(CoverOpeningItem, CHAIR, item=item)
    p.advance()


def agency_contributions(p: Play) -> None:
    for role in p.state.contribution_order:
        actor = Actor.seat(role)
        p.do(CallSpeaker, CHAIR, role=role)
        for item in pack_items(p.scenario, role):
            if not item.confidential:
                p.do(ShareItem, actor, item_id=item.id)
        for child in p.setup.children:
            p.do(StateImpact, actor, child_id=child.id, text=f"{child.name} is frightened at home.")
        p.do(FinishContribution, actor)
    p.advance()


def family_views(p: Play) -> None:
    roles = p.setup.seated_roles
    if Role.PARENT in roles:
        parent = Actor.seat(Role.PARENT)
        for item in pack_items(p.scenario, Role.PARENT):
            if not item.confidential:
                p.do(ShareItem, parent, item_id=item.id)
        p.do(GiveView, parent, voice=Voice.PARENT, text="We want to keep our family together.")
    if Role.CHILDS_ADVOCATE in roles:
        advocate = Actor.seat(Role.CHILDS_ADVOCATE)
        for item in pack_items(p.scenario, Role.CHILDS_ADVOCATE):
            if not item.confidential:
                p.do(ShareItem, advocate, item_id=item.id)
        for child in p.setup.children:
            p.do(
                GiveView,
                advocate,
                voice=Voice.CHILD,
                child_id=child.id,
                text=f"{child.name} wants the shouting to stop.",
            )
    p.advance()


def summary(p: Play) -> None:
    p.do(GiveSummary, CHAIR, text="The agencies agree on the worries for each child.")
    p.advance()


def ballot_for(key: AnswerKey) -> dict[str, Any]:
    return {
        "child_id": key.child_id,
        "level_of_need": key.level_of_need,
        "threshold_met": key.threshold_met,
        "primary_category": key.primary_category,
        "other_categories": frozenset(key.acceptable_secondary_categories),
        "rationale": "As the evidence shows.",
    }


type BallotChooser = Callable[[Role, AnswerKey], dict[str, Any]]


def recommendations(p: Play, choose: BallotChooser | None = None) -> None:
    for role in p.setup.seated_roles:
        if not role.votes:
            continue
        for key in p.scenario.answer_keys:
            fields = choose(role, key) if choose else ballot_for(key)
            p.do(CastVote, Actor.seat(role), **fields)
    p.do(RevealVotes, CHAIR)
    p.advance()


def decision_for(key: AnswerKey) -> dict[str, Any]:
    outcome = PlanOutcome(key.outcome.value)
    return {
        "child_id": key.child_id,
        "outcome": outcome,
        "category": key.primary_category,
        "other_categories": frozenset(key.acceptable_secondary_categories),
        "rationale": "The conference's reasons.",
    }


type DecisionChooser = Callable[[AnswerKey], dict[str, Any]]


def decision(p: Play, choose: DecisionChooser | None = None) -> None:
    for key in p.scenario.answer_keys:
        p.do(RecordDecision, CHAIR, **(choose(key) if choose else decision_for(key)))
    p.advance()


def outline_plan(p: Play) -> None:
    plan_children = [
        child_id
        for child_id, d in p.state.decisions.items()
        if d.outcome is PlanOutcome.CHILD_PROTECTION_PLAN
    ]
    if plan_children:
        expected = {
            role
            for key in p.scenario.answer_keys
            if key.child_id in plan_children
            for role in key.expected_core_group
            if role in p.setup.seated_roles
        }
        p.do(
            SetPlan,
            CHAIR,
            lead_social_worker=Role.LEAD_SOCIAL_WORKER,
            core_group=frozenset(expected | {Role.LEAD_SOCIAL_WORKER}) - NOT_CORE_GROUP,
            first_core_group_on=add_working_days(p.setup.conference_date, 5, p.setup.holidays),
            contingency="If a new injury is unexplained, convene a strategy discussion that day.",
        )
        for child_id in plan_children:
            name = next(c.name for c in p.setup.children if c.id == child_id)
            p.do(
                AddPlanRow,
                CHAIR,
                row=PlanRow(
                    row_id=f"row-{child_id}",
                    child_id=child_id,
                    what=f"{name} is safe and is seen alone every week.",
                    how="Weekly visits, including time with the child alone.",
                    who="Lead social worker",
                    how_we_will_know="No new injuries; the child's own account.",
                    review="At each core group.",
                ),
            )
    p.advance()


STEPS: dict[Phase, Callable[[Play], None]] = {
    Phase.PRE_CONFERENCE: pre_conference,
    Phase.CHAIRS_PREPARATION: chairs_preparation,
    Phase.OPENING: opening,
    Phase.AGENCY_CONTRIBUTIONS: agency_contributions,
    Phase.FAMILY_VIEWS: family_views,
    Phase.SUMMARY: summary,
    Phase.RECOMMENDATIONS: recommendations,
    Phase.DECISION: decision,
    Phase.OUTLINE_PLAN: outline_plan,
}


def start(scenario: Scenario, *, conference_date: date = CONFERENCE_DATE) -> Play:
    """Return a conference about ``scenario`` that has not started."""
    setup = setup_for(scenario, conference_date=conference_date)
    day = add_working_days(conference_date, -7, HOLIDAYS)
    return Play(
        scenario=scenario,
        setup=setup,
        state=new_conference(setup),
        clock=datetime.combine(day, time(9), tzinfo=UTC),
    )


def play(
    scenario: Scenario,
    *,
    until: Phase = Phase.CLOSED,
    overrides: dict[Phase, Callable[[Play], None]] | None = None,
    conference_date: date = CONFERENCE_DATE,
) -> Play:
    """Return ``scenario`` played by the book up to ``until``.

    ``overrides`` replace the script for the phases they name.
    """
    p = start(scenario, conference_date=conference_date)
    steps = {**STEPS, **(overrides or {})}
    while p.state.phase is not until:
        phase = p.state.phase
        steps[phase](p)
        if p.state.phase is phase:  # an override that does not move on
            p.advance()
        if phase is Phase.PRE_CONFERENCE:
            # The meeting is on the conference day; reports came days before.
            p.clock = datetime.combine(conference_date, time(9), tzinfo=UTC)
    return p


def score(
    p: Play | ConferenceState,
    scenario: Scenario | None = None,
    *,
    ruleset: RuleSet = DEFAULT_RULE_SET,
    **kwargs: Any,
) -> ScoreCard:
    """Score a played conference (or a state) against its case file.

    The key dates come from the case unless ``kwargs`` give them.
    """
    state = p.state if isinstance(p, Play) else p
    case = p.scenario if isinstance(p, Play) else scenario
    assert case is not None
    day = state.setup.conference_date
    kwargs.setdefault("strategy_discussion_on", key_date(case, "strategy_discussion", day))
    kwargs.setdefault("transfer_notified_on", key_date(case, "transfer_notified", day))
    kwargs.setdefault("holidays", HOLIDAYS)
    return score_conference(state=state, casefile=case, ruleset=ruleset, **kwargs)


def rendered(scenario: Scenario, conference_date: date = CONFERENCE_DATE) -> Scenario:
    return render_scenario(
        scenario,
        seminar_date=conference_date,
        is_working_day=lambda day: is_working_day(day, HOLIDAYS),
    )


def with_state(p: Play, **changes: Any) -> ConferenceState:
    return replace(p.state, **changes)
