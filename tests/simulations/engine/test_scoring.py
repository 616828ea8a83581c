"""The scoring entry point, scorecards, rule sets, re-scoring and bad input."""

from __future__ import annotations

import functools
import json
import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from simulations.engine.casefile import AnswerKey
from simulations.engine.commands import CastVote, OpenRevote, RevealVotes
from simulations.engine.conference import replay
from simulations.engine.rules import RULES
from simulations.engine.ruleset import (
    DEFAULT_RULE_SET,
    DEFAULT_RULE_SET_DATA,
    RuleSetError,
    ruleset_citations,
    ruleset_from_dict,
    ruleset_to_dict,
    unresolved_citations,
)
from simulations.engine.scoring import (
    Evidence,
    EvidenceKind,
    Finding,
    RuleConfig,
    RuleSet,
    Subject,
    SubjectKind,
    Total,
    Verdict,
    excerpt,
    score_events,
)
from simulations.engine.state import (
    Actor,
    Ballot,
    Decision,
    Phase,
    Report,
    frozen_map,
    new_conference,
    snapshot,
    state_from_snapshot,
)
from simulations.engine.vocabulary import Category, LevelOfNeed, PlanOutcome, Role
from tests.simulations.engine.scoring_helpers import (
    CHAIR,
    HOLIDAYS,
    Play,
    ballot_for,
    key_date,
    play,
    recommendations,
    score,
    two_children_case,
)

CASE = two_children_case()
DECISION_RULES = (
    "R01-level-of-need",
    "R02-threshold",
    "R03-primary-category",
    "R04-secondary-categories",
    "R05-decision-outcome",
    "R06-decision-category",
    "R07-decision-secondary-categories",
)
SCORED = {Verdict.MET, Verdict.PARTLY_MET, Verdict.NOT_MET}
DEMO_GUIDANCE = Path(__file__).resolve().parents[3] / "content" / "demo" / "procedures-summary.txt"


@functools.cache
def played() -> Play:
    return play(CASE)


def findings(card: Any, rule_id: str, subject: Subject | None = None) -> list[Finding]:
    return [
        f
        for f in card.findings
        if f.rule_id == rule_id and (subject is None or f.subject == subject)
    ]


# Findings and points ---------------------------------------------------------


@pytest.mark.parametrize(
    ("verdict", "points", "max_points"),
    [
        (Verdict.MET, 3, 3),
        (Verdict.PARTLY_MET, 1, 3),
        (Verdict.NOT_MET, 0, 3),
        (Verdict.NOT_APPLICABLE, 0, 0),
        (Verdict.NOT_ASSESSABLE, 0, 0),
    ],
)
def test_a_verdict_fixes_the_points(verdict: Verdict, points: int, max_points: int) -> None:
    config = RuleConfig(rule_id="R02-threshold", points=3, partial_points=1, citations=("a",))
    finding = config.judge(Subject.room("r"), verdict, "Because.")
    assert (finding.points, finding.max_points) == (points, max_points)
    assert finding.citations == ("a",)
    assert finding.verdict.scored is (verdict in SCORED)


def test_points_outside_bounds_are_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        Finding(
            rule_id="x",
            subject=Subject.room("r"),
            verdict=Verdict.MET,
            points=4,
            max_points=3,
            evidence=(),
            explanation="",
            citations=(),
        )
    with pytest.raises(ValueError, match="partial_points"):
        RuleConfig(rule_id="x", points=1, partial_points=2)


def test_excerpt_quotes_one_short_line() -> None:
    assert excerpt("Mum  said\nhe fell") == "'Mum said he fell'"
    assert excerpt("x" * 100, limit=10) == "'xxxxxxxxx…'"


def test_totals_add_points_and_count_verdicts() -> None:
    config = RuleConfig(rule_id="r", points=2, partial_points=1)
    room = Subject.room("r")
    total = Total.of(
        [
            config.judge(room, Verdict.MET, ""),
            config.judge(room, Verdict.PARTLY_MET, ""),
            config.judge(room, Verdict.NOT_APPLICABLE, ""),
        ]
    )
    assert (total.points, total.max_points) == (3, 4)
    assert total.fraction == 0.75
    assert total.verdicts[Verdict.MET] == 1
    assert total.verdicts[Verdict.NOT_MET] == 0
    assert Total.of([]).fraction is None


# Scorecards ------------------------------------------------------------------


def test_a_scorecard_names_its_rule_set_and_case() -> None:
    card = score(played())
    assert card.rule_set_version == "2026.1"
    assert card.scenario_slug == "two-children"
    assert card.room_id == "room-1"


def test_findings_are_sorted_and_cite_their_rule() -> None:
    card = score(played())
    order = [(f.rule_id, f.subject.kind, f.subject.id, f.child_id or "") for f in card.findings]
    kinds = {SubjectKind.ROOM: 0, SubjectKind.CHILD: 1, SubjectKind.ROLE: 2}
    assert order == sorted(order, key=lambda k: (k[0], kinds[k[1]], k[2], k[3]))
    for finding in card.findings:
        config = DEFAULT_RULE_SET.get(finding.rule_id)
        assert config is not None
        assert finding.citations == config.citations


def test_totals_cover_every_seated_role_and_the_room() -> None:
    card = score(played())
    assert set(card.role_totals) == set(played().setup.seated_roles)
    assert card.role_totals[Role.OBSERVER] == Total()
    role_points = sum(t.points for t in card.role_totals.values())
    assert role_points + card.room_total.points == sum(f.points for f in card.findings)
    room_findings = [f for f in card.findings if f.subject.kind is not SubjectKind.ROLE]
    assert card.room_total == Total.of(room_findings)
    assert card.findings_for(Subject.child("jayden"))


def test_a_scorecard_is_plain_data() -> None:
    card = score(played())
    data = json.loads(json.dumps(card.to_dict()))
    assert data["rule_set_version"] == "2026.1"
    assert data["findings"][0]["subject"]["kind"] in {"room", "child", "role"}
    assert set(data["role_totals"]) == {role.value for role in played().setup.seated_roles}
    assert data["agreement"]["kappa_threshold"]["kappa"] == pytest.approx(1.0)


# Re-scoring ------------------------------------------------------------------


def test_scoring_is_deterministic() -> None:
    assert score(played()) == score(played())
    assert score(played()).to_dict() == score(played()).to_dict()


def test_rescoring_from_the_event_log_gives_the_same_card() -> None:
    p = played()
    kwargs: dict[str, Any] = {
        "strategy_discussion_on": key_date(CASE, "strategy_discussion"),
        "holidays": HOLIDAYS,
    }
    from_events = score_events(
        setup=p.setup, events=p.events, casefile=CASE, ruleset=DEFAULT_RULE_SET, **kwargs
    )
    assert from_events == score(p)
    restored = state_from_snapshot(json.loads(json.dumps(snapshot(p.state))))
    assert score(restored, CASE) == score(p)
    assert replay(new_conference(p.setup), p.events) == p.state


def test_a_new_rule_set_version_rescores_the_same_record() -> None:
    data = ruleset_to_dict(DEFAULT_RULE_SET)
    data["version"] = "2026.2"
    for rule in data["rules"]:
        if rule["rule_id"] == "R06-decision-category":
            rule["points"] = 5
            rule["partial_points"] = 2
    newer = ruleset_from_dict(data)
    old, new = score(played()), score(played(), ruleset=newer)
    assert new.rule_set_version == "2026.2"
    assert new.room_total.max_points == old.room_total.max_points + 2


# Rule sets -------------------------------------------------------------------


def test_the_default_rule_set_covers_every_rule() -> None:
    assert DEFAULT_RULE_SET.version == "2026.1"
    assert {c.rule_id for c in DEFAULT_RULE_SET.rules} == set(RULES)
    disabled = [c.rule_id for c in DEFAULT_RULE_SET.rules if not c.enabled]
    assert disabled == ["R13-family-composition"]
    for config in DEFAULT_RULE_SET.rules:
        assert config.citations
        assert 0 <= config.partial_points < config.points or config.partial_points == 0


def test_a_rule_set_round_trips_through_data() -> None:
    assert ruleset_from_dict(ruleset_to_dict(DEFAULT_RULE_SET)) == DEFAULT_RULE_SET
    assert ruleset_from_dict(json.loads(json.dumps(DEFAULT_RULE_SET_DATA))) == DEFAULT_RULE_SET


def _paragraphs() -> set[str]:
    text = DEMO_GUIDANCE.read_text(encoding="utf-8")
    numbers = re.findall(r"^(\d+)\. ", text, flags=re.MULTILINE)
    return {f"guidance:procedures-summary:para-{n}" for n in numbers}


def test_every_default_citation_resolves_to_a_demo_paragraph() -> None:
    known = _paragraphs()
    assert len(known) == 91
    assert unresolved_citations(DEFAULT_RULE_SET, known.__contains__) == ()
    assert ruleset_citations(DEFAULT_RULE_SET) <= known


def _rule(**fields: Any) -> dict[str, Any]:
    return {
        "rule_id": "R01-level-of-need",
        "points": 2,
        "citations": ["guidance:x:para-1"],
        **fields,
    }


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "must be an object"),
        ({"rules": [_rule()]}, "'version' must be a non-empty string"),
        ({"version": "1", "rules": []}, "'rules' must be a non-empty list"),
        ({"version": "1", "rules": [_rule(), _rule()]}, "listed twice"),
        ({"version": "1", "rules": [_rule(rule_id="R99-made-up")]}, "unknown rule 'R99-made-up'"),
        ({"version": "1", "rules": [_rule(points=-1)]}, "expected a whole number of points"),
        ({"version": "1", "rules": [_rule(points=True)]}, "expected a whole number of points"),
        ({"version": "1", "rules": [_rule(partial_points=3)]}, "from 0 to 2"),
        ({"version": "1", "rules": [_rule(citations=["para 7"])]}, "'para 7' is not a guidance"),
        ({"version": "1", "rules": [_rule(citations=[])]}, "must cite at least one"),
        ({"version": "1", "rules": [_rule(enabled="yes")]}, "expected true or false"),
        ({"version": "1", "rules": [_rule(weight=3)]}, "unknown field(s) weight"),
        ({"version": "1", "rules": [_rule(rule_id=1)]}, "expected a rule id"),
        (
            {"version": "1", "rules": [_rule(citations="para-1")]},
            "expected a list of citation keys",
        ),
        ({"version": "1", "rules": ["R01"]}, "expected an object"),
        ({"version": "1", "rules": [_rule()], "extra": 1}, "unknown field(s) extra"),
    ],
)
def test_bad_rule_sets_are_refused_with_a_message(data: Any, message: str) -> None:
    with pytest.raises(RuleSetError) as raised:
        ruleset_from_dict(data)
    assert message in str(raised.value)


def test_every_problem_is_listed_at_once() -> None:
    data = {"version": "", "rules": [_rule(rule_id="R99"), _rule(citations=["bad"])]}
    with pytest.raises(RuleSetError) as raised:
        ruleset_from_dict(data)
    assert len(raised.value.problems) == 3


def test_a_citation_that_does_not_resolve_is_refused_at_load_time() -> None:
    data = {"version": "1", "rules": [_rule(citations=["guidance:procedures-summary:para-999"])]}
    with pytest.raises(RuleSetError, match="does not resolve"):
        ruleset_from_dict(data, citation_exists=_paragraphs().__contains__)


def test_an_unknown_rule_in_a_hand_built_set_is_not_assessable() -> None:
    ruleset = RuleSet(
        version="hand",
        rules=(
            RuleConfig(rule_id="R99-made-up", points=5, citations=("guidance:x:para-1",)),
            RuleConfig(rule_id="R24-family-met", points=1, citations=("not a key",)),
            RuleConfig(rule_id="R37-contingency-plan", points=1, citations=("guidance:x:para-2",)),
            RuleConfig(rule_id="R30-parents-views", points=1, citations=("g",), enabled=False),
        ),
    )
    card = score(played(), ruleset=ruleset)
    by_rule = {f.rule_id: f for f in card.findings}
    assert set(by_rule) == {"R99-made-up", "R24-family-met", "R37-contingency-plan"}
    unknown = by_rule["R99-made-up"]
    assert unknown.verdict is Verdict.NOT_ASSESSABLE
    assert (unknown.points, unknown.max_points) == (0, 0)
    assert "does not know" in unknown.explanation
    assert unknown.evidence == (Evidence(kind=EvidenceKind.RULE_SET, ref="hand:R99-made-up"),)
    bad_citation = by_rule["R24-family-met"]
    assert bad_citation.verdict is Verdict.NOT_ASSESSABLE
    assert "'not a key'" in bad_citation.explanation
    assert by_rule["R37-contingency-plan"].verdict is Verdict.MET


# Bad input: scored where possible, never a crash ------------------------------


def test_a_missing_report_is_not_met_and_its_contents_not_assessable() -> None:
    p = played()
    reports: dict[Role, Report] = {r: v for r, v in p.state.reports.items() if r is not Role.GP}
    card = score(replace(p.state, reports=frozen_map(reports)), CASE)
    gp = Subject.role(Role.GP)
    assert findings(card, "R10-report-submitted", gp)[0].verdict is Verdict.NOT_MET
    assert findings(card, "R11-report-sections", gp)[0].verdict is Verdict.NOT_MET
    for rule_id in ("R14-provenance-tags", "R15-second-hand-attributed", "R17-worries-impact"):
        finding = findings(card, rule_id, gp)[0]
        assert finding.verdict is Verdict.NOT_ASSESSABLE
        assert "You submitted no report" in finding.explanation
    assert findings(card, "R19-must-share", gp)[0].verdict is Verdict.MET  # shared at the meeting
    assert findings(card, "R23-chair-read-reports")[0].verdict is Verdict.MET


def test_a_conference_not_yet_started_is_not_assessable() -> None:
    """Before the meeting opens, only the timescale set by the inputs is scored."""
    card = score(new_conference(played().setup), CASE)
    for finding in card.findings:
        if finding.rule_id == "R21-conference-timescale":
            assert finding.verdict is Verdict.MET
        else:
            assert finding.verdict in {Verdict.NOT_APPLICABLE, Verdict.NOT_ASSESSABLE}, finding


@pytest.mark.parametrize(
    "until", [Phase.SUMMARY, Phase.RECOMMENDATIONS, Phase.DECISION, Phase.OUTLINE_PLAN]
)
def test_an_abandoned_room_is_scored_where_it_can_be(until: Phase) -> None:
    p = play(CASE, until=until)
    card = score(p)
    verdicts = {f.rule_id: f.verdict for f in card.findings if f.subject == Subject.child("jayden")}
    if until in (Phase.SUMMARY, Phase.RECOMMENDATIONS, Phase.DECISION):
        assert verdicts["R05-decision-outcome"] is Verdict.NOT_ASSESSABLE
        room = {f.rule_id: f for f in card.findings if f.subject.kind is SubjectKind.ROOM}
        assert room["R32-decision-record-complete"].verdict is Verdict.NOT_ASSESSABLE
        assert "stopped before" in room["R32-decision-record-complete"].explanation
        for rule_id in ("R33-lead-social-worker", "R37-contingency-plan"):
            assert room[rule_id].verdict is Verdict.NOT_ASSESSABLE
    else:
        assert verdicts["R05-decision-outcome"] is Verdict.MET
        plan = findings(card, "R37-contingency-plan")[0]
        assert plan.verdict is Verdict.NOT_ASSESSABLE
        assert "outline plan" in plan.explanation
    if until in (Phase.SUMMARY, Phase.RECOMMENDATIONS):
        ballots = findings(card, "R01-level-of-need")
        assert {f.verdict for f in ballots} == {Verdict.NOT_ASSESSABLE}
    assert not [f for f in card.findings if f.verdict is Verdict.NOT_MET]
    # What happened before the room stopped is still scored.
    assert findings(card, "R14-provenance-tags", Subject.role(Role.GP))[0].verdict is Verdict.MET


def test_a_ballot_for_an_unknown_child_is_not_assessable() -> None:
    s = played().state
    stray = Ballot(
        role=Role.GP,
        child_id="zoe",
        level_of_need=LevelOfNeed.SAFEGUARDING,
        threshold_met=True,
        primary_category=Category.NEGLECT,
        other_categories=frozenset(),
        rationale="Wrong room.",
        cast_at=datetime(2025, 6, 5, 11, tzinfo=UTC),
    )
    last = s.rounds[-1]
    record = replace(s, rounds=(*s.rounds[:-1], replace(last, ballots=(*last.ballots, stray))))
    card = score(record, CASE)
    stray_findings = [f for f in card.findings if f.child_id == "zoe"]
    assert {f.rule_id for f in stray_findings} == set(DECISION_RULES[:4])
    for finding in stray_findings:
        assert finding.verdict is Verdict.NOT_ASSESSABLE
        assert "'zoe', who is not part of this conference" in finding.explanation
        assert finding.evidence[0].ref == "round-1:zoe:gp"
    others = [f for f in card.findings if f.child_id != "zoe"]
    assert others == list(score(played()).findings)
    assert card.agreement == score(played()).agreement


def test_a_decision_for_an_unknown_child_is_not_assessable() -> None:
    s = played().state
    stray = Decision(
        child_id="zoe",
        outcome=PlanOutcome.CHILD_IN_NEED_PLAN,
        category=None,
        other_categories=frozenset(),
        rationale="Wrong room.",
        after_round=1,
        decided_at=datetime(2025, 6, 5, 11, tzinfo=UTC),
    )
    card = score(replace(s, decisions=frozen_map({**s.decisions, "zoe": stray})), CASE)
    finding = findings(card, "R05-decision-outcome", Subject.child("zoe"))[0]
    assert finding.verdict is Verdict.NOT_ASSESSABLE
    assert "not part of this conference" in finding.explanation


def test_a_child_without_an_answer_key_is_not_assessable() -> None:
    case = two_children_case(answer_keys=(CASE.answer_keys[0],))
    card = score(played().state, case)
    mia = [f for f in card.findings if f.child_id == "mia" or f.subject == Subject.child("mia")]
    decision_findings = [f for f in mia if f.rule_id in DECISION_RULES]
    assert decision_findings
    assert {f.verdict for f in decision_findings} == {Verdict.NOT_ASSESSABLE}
    assert all("no answer key" in f.explanation for f in decision_findings)


def test_an_answer_key_for_a_child_not_in_the_room_is_reported() -> None:
    extra = replace(CASE.answer_keys[1], child_id="zoe")
    card = score(played().state, two_children_case(answer_keys=(*CASE.answer_keys, extra)))
    finding = findings(card, "R05-decision-outcome", Subject.child("zoe"))[0]
    assert finding.verdict is Verdict.NOT_ASSESSABLE


def test_a_case_without_packs_still_scores() -> None:
    card = score(played().state, two_children_case(role_packs=()))
    assert card.findings
    assert findings(card, "R22-quorum")[0].verdict is Verdict.NOT_MET  # no direct contact known
    assert {f.verdict for f in findings(card, "R14-provenance-tags")} == {Verdict.NOT_ASSESSABLE}


# Agreement and movement -------------------------------------------------------


def two_rounds(p: Play) -> None:
    """The GP first sees no significant harm for Jayden, then changes their mind."""
    for round_number in (1, 2):
        for role in p.setup.seated_roles:
            if not role.votes:
                continue
            for key in p.scenario.answer_keys:
                fields = ballot_for(key)
                if round_number == 1 and role is Role.GP and key.child_id == "jayden":
                    fields = ballot_for(not_met(key))
                p.do(CastVote, Actor.seat(role), **fields)
        p.do(RevealVotes, CHAIR)
        if round_number == 1:
            p.do(OpenRevote, CHAIR)
    p.advance()


def not_met(key: AnswerKey) -> AnswerKey:
    return replace(
        key,
        level_of_need=LevelOfNeed.HEALTH_DEVELOPMENT,
        threshold_met=False,
        primary_category=None,
        acceptable_secondary_categories=(),
    )


def test_movement_between_the_first_round_and_the_final_one() -> None:
    p = play(CASE, overrides={Phase.RECOMMENDATIONS: two_rounds})
    card = score(p)
    jayden, mia = card.agreement.movement
    assert (jayden.child_id, jayden.first_round, jayden.final_round) == ("jayden", 1, 2)
    assert dict(jayden.first_threshold) == {"met": 6, "not_met": 1}
    assert dict(jayden.final_threshold) == {"met": 7, "not_met": 0}
    assert dict(jayden.first_category)["none"] == 1
    assert [change.role for change in jayden.changed] == [Role.GP]
    change = jayden.changed[0]
    assert (change.before.round, change.before.threshold_met) == (1, False)
    assert (change.after.round, change.after.threshold_met) == (2, True)
    assert mia.changed == ()
    assert "1 recommendation(s) changed" in card.agreement.interpretation


def test_kappa_over_the_children_of_the_room() -> None:
    """Final views: Jayden 6 met, 1 not; Mia 7 not: kappa 0.708 (see test_agreement)."""
    p = play(
        CASE,
        overrides={
            Phase.RECOMMENDATIONS: lambda p: recommendations(
                p,
                lambda role, key: ballot_for(
                    not_met(key) if role is Role.HOUSING and key.child_id == "jayden" else key
                ),
            )
        },
    )
    agreement = score(p).agreement
    assert agreement.kappa_threshold.kappa == pytest.approx(0.708333, abs=1e-6)
    assert agreement.kappa_threshold.band == "substantial"
    assert "kappa 0.71, substantial agreement" in agreement.interpretation


def test_one_child_has_no_kappa_but_says_why() -> None:
    case = two_children_case(answer_keys=(CASE.answer_keys[0],))
    s = played().state
    one_child = replace(s, setup=replace(s.setup, children=s.setup.children[:1]))
    agreement = score(one_child, case).agreement
    assert agreement.kappa_threshold.kappa is None
    assert "agreement was complete" in agreement.interpretation
    assert len(agreement.movement) == 1


def test_no_ballots_no_agreement() -> None:
    card = score(play(CASE, until=Phase.RECOMMENDATIONS))
    assert card.agreement.movement == ()
    assert card.agreement.kappa_threshold.kappa is None
    assert "No recommendations were made." in card.agreement.interpretation


def test_event_evidence_points_into_the_log() -> None:
    p = played()
    card = score(p)
    events = [e for f in card.findings for e in f.evidence if e.kind is EvidenceKind.EVENT]
    assert {"ImpactStated", "ViewGiven", "SummaryGiven"} <= {
        p.state.log[int(e.ref.removeprefix("log-"))].event for e in events
    }
    for evidence in events:
        assert evidence.ref.startswith("log-")
        assert 0 <= int(evidence.ref.removeprefix("log-")) < len(p.state.log)
    ballots = [e for f in card.findings for e in f.evidence if e.kind is EvidenceKind.BALLOT]
    assert ballots
    for evidence in ballots:
        round_ref, child_id, role = evidence.ref.split(":")
        rnd = p.state.rounds[int(round_ref.removeprefix("round-")) - 1]
        assert rnd.ballot(child_id, Role(role)) is not None
