"""Scoring any reachable record: deterministic, never raises, points in bounds.

Records come from the state machine's own property test: a conference
played by the book to a random phase, then a random run of (mostly legal)
commands. Case files, key dates, holidays and rule sets are random too,
including rule sets that name unknown rules or malformed citations.
"""

from __future__ import annotations

import json
from datetime import UTC, date, timedelta
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulations.engine.casefile import (
    AnswerKey,
    PackItem,
    RolePack,
    Scenario,
)
from simulations.engine.casefile import PlanOutcome as CaseOutcome
from simulations.engine.commands import CommandRejected
from simulations.engine.conference import apply, decide
from simulations.engine.events import Event
from simulations.engine.ruleset import DEFAULT_RULE_SET
from simulations.engine.scoring import (
    RuleConfig,
    RuleSet,
    ScoreCard,
    SubjectKind,
    Total,
    Verdict,
    score_conference,
    score_events,
)
from simulations.engine.state import ConferenceState, Phase
from simulations.engine.vocabulary import Category, LevelOfNeed, Provenance, Role
from tests.simulations.engine.helpers import CONFERENCE_DATE, SEATED, SETUP, item
from tests.simulations.engine.scoring_helpers import two_children_case
from tests.simulations.engine.test_properties import plausible_commands, played_to

PROFILE = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def pack_items(draw: st.DrawFn, role: Role) -> tuple[PackItem, ...]:
    items = []
    for n in (1, 2, 3):
        first_hand = draw(st.booleans())
        items.append(
            PackItem(
                id=item(role, n),
                text=draw(st.sampled_from(["Seen at A&E.", "He probably fell.", "Mum said so."])),
                provenance=draw(st.sampled_from(Provenance)),
                first_hand=first_hand,
                source=None if first_hand else "Another agency",
                confidential=draw(st.booleans()),
                must_share=draw(st.booleans()),
            )
        )
    return tuple(items)


@st.composite
def answer_keys(draw: st.DrawFn, child_id: str) -> AnswerKey:
    met = draw(st.booleans())
    if met:
        primary = draw(st.sampled_from(Category))
        secondary = draw(st.frozensets(st.sampled_from(Category), max_size=3)) - {primary}
        level, outcome = LevelOfNeed.SAFEGUARDING, CaseOutcome.CHILD_PROTECTION_PLAN
    else:
        primary, secondary = None, frozenset()
        level = draw(
            st.sampled_from([lv for lv in LevelOfNeed if lv is not LevelOfNeed.SAFEGUARDING])
        )
        outcome = draw(
            st.sampled_from([o for o in CaseOutcome if o is not CaseOutcome.CHILD_PROTECTION_PLAN])
        )
    every_item = [item(role, n) for role in SEATED for n in (1, 2, 3)]
    return AnswerKey(
        child_id=child_id,
        level_of_need=level,
        threshold_met=met,
        primary_category=primary,
        acceptable_secondary_categories=tuple(sorted(secondary)),
        outcome=outcome,
        key_risks=(),
        strengths=(),
        complicating_factors=(),
        must_reach_conference=tuple(
            draw(st.lists(st.sampled_from(every_item), max_size=5, unique=True))
        ),
        expected_core_group=tuple(
            draw(st.lists(st.sampled_from(list(Role)), max_size=4, unique=True))
        ),
        expected_plan_elements=(),
        rationale="Because.",
        citations=("guidance:procedures-summary:para-8",),
    )


@st.composite
def case_files(draw: st.DrawFn) -> Scenario:
    roles = draw(st.lists(st.sampled_from(SEATED), unique=True))
    packs = tuple(RolePack(role=role, briefing="", items=draw(pack_items(role))) for role in roles)
    children = draw(st.lists(st.sampled_from([*SETUP.child_ids, "zoe"]), unique=True))
    keys = tuple(draw(answer_keys(child_id)) for child_id in children)
    return two_children_case(role_packs=packs, answer_keys=keys)


@st.composite
def rule_sets(draw: st.DrawFn) -> RuleSet:
    if draw(st.booleans()):
        return DEFAULT_RULE_SET
    configs = []
    for config in draw(st.lists(st.sampled_from(DEFAULT_RULE_SET.rules), unique=True)):
        points = draw(st.integers(0, 5))
        configs.append(
            RuleConfig(
                rule_id=config.rule_id,
                points=points,
                partial_points=draw(st.integers(0, points)),
                citations=draw(st.sampled_from([config.citations, ("not a key",)])),
                enabled=draw(st.booleans()),
            )
        )
    if draw(st.booleans()):
        configs.append(
            RuleConfig(rule_id="R99-unknown", points=3, citations=("guidance:x:para-1",))
        )
    return RuleSet(version="random", rules=tuple(configs))


DATES = st.none() | st.integers(-40, 5).map(lambda n: CONFERENCE_DATE + timedelta(days=n))
HOLIDAYS = st.frozensets(
    st.integers(-30, 30).map(lambda n: CONFERENCE_DATE + timedelta(days=n)), max_size=6
)
ZONES = st.sampled_from([None, UTC, ZoneInfo("Europe/Jersey")])


@st.composite
def records(draw: st.DrawFn) -> tuple[ConferenceState, list[Event]]:
    start = draw(st.sampled_from(list(Phase)), label="start from")
    state, played, now = played_to(start)
    events = list(played)
    for _ in range(draw(st.integers(0, 25), label="steps")):
        command = draw(plausible_commands(state))
        now += timedelta(seconds=30)
        try:
            new = decide(state, command, now=now)
        except CommandRejected:
            continue
        for event in new:
            state = apply(state, event)
        events.extend(new)
    return state, events


def check_card(card: ScoreCard, ruleset: RuleSet, state: ConferenceState) -> None:
    configs = {c.rule_id: c for c in ruleset.rules}
    for finding in card.findings:
        assert 0 <= finding.points <= finding.max_points
        config = configs[finding.rule_id]
        assert config.enabled
        if finding.verdict in (Verdict.NOT_APPLICABLE, Verdict.NOT_ASSESSABLE):
            assert (finding.points, finding.max_points) == (0, 0)
        else:
            assert finding.max_points == config.points
            assert (
                finding.points
                == {
                    Verdict.MET: config.points,
                    Verdict.PARTLY_MET: config.partial_points,
                    Verdict.NOT_MET: 0,
                }[finding.verdict]
            )
            assert finding.citations == config.citations
        assert finding.explanation.strip()
    order = [(f.rule_id, f.subject.kind, f.subject.id, f.child_id or "") for f in card.findings]
    rank = {SubjectKind.ROOM: 0, SubjectKind.CHILD: 1, SubjectKind.ROLE: 2}
    assert order == sorted(order, key=lambda k: (k[0], rank[k[1]], k[2], k[3]))
    roles = [f for f in card.findings if f.subject.kind is SubjectKind.ROLE]
    assert sum(t.points for t in card.role_totals.values()) == sum(f.points for f in roles)
    assert card.room_total == Total.of(
        f for f in card.findings if f.subject.kind is not SubjectKind.ROLE
    )
    for total in (card.room_total, *card.role_totals.values()):
        assert 0 <= total.points <= total.max_points
        assert total.fraction is None or 0 <= total.fraction <= 1
    for kappa in (card.agreement.kappa_threshold, card.agreement.kappa_category):
        assert kappa.kappa is None or -1 <= kappa.kappa <= 1
        assert (kappa.kappa is None) is (kappa.undefined is not None)
    assert set(state.setup.seated_roles) <= set(card.role_totals)
    json.dumps(card.to_dict())


@PROFILE
@given(
    record=records(),
    case=case_files(),
    ruleset=rule_sets(),
    strategy=DATES,
    transfer=DATES,
    holidays=HOLIDAYS,
    zone=ZONES,
)
def test_scoring_any_record_never_raises_and_keeps_points_in_bounds(
    record: tuple[ConferenceState, list[Event]],
    case: Scenario,
    ruleset: RuleSet,
    strategy: date | None,
    transfer: date | None,
    holidays: frozenset[date],
    zone: object,
) -> None:
    state, events = record
    kwargs = {
        "casefile": case,
        "ruleset": ruleset,
        "strategy_discussion_on": strategy,
        "transfer_notified_on": transfer,
        "holidays": holidays,
        "local_tz": zone,
    }
    card = score_conference(state=state, **kwargs)  # type: ignore[arg-type]
    check_card(card, ruleset, state)
    assert score_conference(state=state, **kwargs) == card  # type: ignore[arg-type]
    assert score_events(setup=state.setup, events=events, **kwargs) == card  # type: ignore[arg-type]


@PROFILE
@given(record=records())
def test_the_default_rule_set_scores_every_rule_or_says_why_not(
    record: tuple[ConferenceState, list[Event]],
) -> None:
    """Every enabled rule yields a finding for the helpers' room, judged or not.

    The dissent rule is the exception: it speaks only once a decision exists.
    """
    state, _ = record
    card = score_conference(
        state=state,
        casefile=two_children_case(),
        ruleset=DEFAULT_RULE_SET,
        strategy_discussion_on=CONFERENCE_DATE - timedelta(days=14),
        holidays=SETUP.holidays,
    )
    check_card(card, DEFAULT_RULE_SET, state)
    enabled = {c.rule_id for c in DEFAULT_RULE_SET.rules if c.enabled}
    produced = {f.rule_id for f in card.findings}
    assert enabled - {"R08-dissent-recorded"} <= produced <= enabled
