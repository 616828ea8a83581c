"""Every library scenario, scored: full marks by the book, exact losses otherwise.

For each scenario in ``scenarios/data``, a conference scripted from its
answer key (see ``scoring_helpers.play``) must earn every point on the
decision rules (indeed on every rule); recording a wrong category must lose
exactly the points the rule set gives the category rule, and nothing else,
with that rule's citations.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from scenarios.schema import load_library
from simulations.engine.casefile import AnswerKey, Scenario
from simulations.engine.ruleset import DEFAULT_RULE_SET
from simulations.engine.scoring import Finding, ScoreCard, Subject, Verdict
from simulations.engine.state import Phase, frozen_map
from simulations.engine.vocabulary import Category, PlanOutcome, Provenance, Role
from tests.simulations.engine.scoring_helpers import (
    Play,
    ballot_for,
    decision,
    decision_for,
    play,
    recommendations,
    rendered,
    score,
)

LIBRARY = {scenario.slug: rendered(scenario) for scenario in load_library()}
SLUGS = sorted(LIBRARY)
DECISION_RULES = (
    "R01-level-of-need",
    "R02-threshold",
    "R03-primary-category",
    "R04-secondary-categories",
    "R05-decision-outcome",
    "R06-decision-category",
    "R07-decision-secondary-categories",
)


def config_points(rule_id: str) -> tuple[int, int, tuple[str, ...]]:
    config = DEFAULT_RULE_SET.get(rule_id)
    assert config is not None
    return config.points, config.partial_points, config.citations


@functools.cache
def by_the_book(slug: str) -> tuple[Play, ScoreCard]:
    p = play(LIBRARY[slug])
    return p, score(p)


def wrong_category(key: AnswerKey) -> Category | None:
    """Return a category that is neither the key's primary nor acceptable."""
    allowed = {key.primary_category, *key.acceptable_secondary_categories}
    return next((c for c in Category if c not in allowed), None)


def children_on_a_plan(scenario: Scenario) -> list[AnswerKey]:
    return [key for key in scenario.answer_keys if key.threshold_met]


def key_of(finding: Finding) -> tuple[str, str, str, str | None]:
    return (finding.rule_id, finding.subject.kind, finding.subject.id, finding.child_id)


def test_the_library_is_all_here() -> None:
    assert len(SLUGS) >= 6


@pytest.mark.parametrize("slug", SLUGS)
def test_a_conference_by_the_book_earns_full_marks_on_the_decision(slug: str) -> None:
    _, card = by_the_book(slug)
    decision_findings = [f for f in card.findings if f.rule_id in DECISION_RULES]
    assert decision_findings
    for finding in decision_findings:
        assert finding.verdict in (Verdict.MET, Verdict.NOT_APPLICABLE), finding.explanation
        assert finding.points == finding.max_points
    scored = {f.rule_id for f in decision_findings if f.verdict is Verdict.MET}
    assert {"R01-level-of-need", "R02-threshold", "R05-decision-outcome"} <= scored


@pytest.mark.parametrize("slug", SLUGS)
def test_a_conference_by_the_book_earns_full_marks_everywhere(slug: str) -> None:
    _, card = by_the_book(slug)
    shortfalls = [
        (f.rule_id, f.subject.id, f.child_id, f.explanation)
        for f in card.findings
        if f.verdict not in (Verdict.MET, Verdict.NOT_APPLICABLE)
    ]
    assert shortfalls == []
    assert card.room_total.points == card.room_total.max_points
    assert all(total.points == total.max_points for total in card.role_totals.values())


def _decide(choose: Callable[[AnswerKey], dict[str, Any]]) -> Callable[[Play], None]:
    return lambda p: decision(p, choose)


def _judged(finding: Finding) -> tuple[Verdict, int, int]:
    return finding.verdict, finding.points, finding.max_points


def _differences(card: ScoreCard, baseline: ScoreCard) -> list[tuple[Finding, Finding]]:
    """Return (now, before) for every finding whose verdict or points changed.

    Evidence may change elsewhere (a ballot's detail appears in several
    findings); the scores must not.
    """
    before = {key_of(f): f for f in baseline.findings}
    assert {key_of(f) for f in card.findings} == set(before)
    return [
        (f, before[key_of(f)]) for f in card.findings if _judged(f) != _judged(before[key_of(f)])
    ]


@pytest.mark.parametrize("slug", SLUGS)
def test_a_wrong_category_loses_exactly_the_category_points(slug: str) -> None:
    scenario = LIBRARY[slug]
    keys = [k for k in children_on_a_plan(scenario) if wrong_category(k) is not None]
    if not keys:
        pytest.skip(f"{slug}: no child needs a plan, so there is no category to get wrong")
    _, baseline = by_the_book(slug)
    points, _, citations = config_points("R06-decision-category")
    for key in keys:
        wrong = wrong_category(key)

        def choose(
            k: AnswerKey, child_id: str = key.child_id, wrong: Any = wrong
        ) -> dict[str, Any]:
            fields = decision_for(k)
            if k.child_id == child_id:
                fields["category"] = wrong
            return fields

        card = score(play(scenario, overrides={Phase.DECISION: _decide(choose)}))
        changed = _differences(card, baseline)
        assert len(changed) == 1, [(f.rule_id, f.explanation) for f, _ in changed]
        finding, was = changed[0]
        assert finding.rule_id == "R06-decision-category"
        assert finding.subject == Subject.child(key.child_id)
        assert finding.verdict is Verdict.NOT_MET
        assert (finding.points, finding.max_points) == (0, points)
        assert was.points == points
        assert finding.citations == citations
        assert "guidance:procedures-summary:para-23" in finding.citations
        assert card.room_total.points == baseline.room_total.points - points
        assert wrong is not None
        assert wrong.label.lower() in finding.explanation


@pytest.mark.parametrize("slug", SLUGS)
def test_an_acceptable_secondary_category_earns_partial_credit(slug: str) -> None:
    scenario = LIBRARY[slug]
    keys = [k for k in children_on_a_plan(scenario) if k.acceptable_secondary_categories]
    if not keys:
        pytest.skip(f"{slug}: no acceptable secondary category")
    _, baseline = by_the_book(slug)
    points, partial, citations = config_points("R06-decision-category")
    key = keys[0]
    secondary = key.acceptable_secondary_categories[0]

    def choose(k: AnswerKey) -> dict[str, Any]:
        fields = decision_for(k)
        if k.child_id == key.child_id:
            fields["category"] = secondary
            fields["other_categories"] = frozenset(
                {c for c in k.acceptable_secondary_categories if c is not secondary}
                | ({k.primary_category} if k.primary_category else set())
            )
        return fields

    card = score(play(scenario, overrides={Phase.DECISION: _decide(choose)}))
    changed = _differences(card, baseline)
    assert [f.rule_id for f, _ in changed] == ["R06-decision-category"]
    finding = changed[0][0]
    assert finding.verdict is Verdict.PARTLY_MET
    assert (finding.points, finding.max_points) == (partial, points)
    assert finding.citations == citations
    assert card.room_total.points == baseline.room_total.points - (points - partial)


@pytest.mark.parametrize("slug", SLUGS)
def test_recommending_a_wrong_category_costs_each_voter_the_category_points(slug: str) -> None:
    scenario = LIBRARY[slug]
    keys = [k for k in children_on_a_plan(scenario) if wrong_category(k) is not None]
    if not keys:
        pytest.skip(f"{slug}: no child needs a plan")
    key = keys[0]
    wrong = wrong_category(key)

    def choose(role: Role, k: AnswerKey) -> dict[str, Any]:
        fields = ballot_for(k)
        if role is Role.GP and k.child_id == key.child_id:
            fields["primary_category"] = wrong
        return fields

    _, baseline = by_the_book(slug)
    card = score(
        play(scenario, overrides={Phase.RECOMMENDATIONS: lambda p: recommendations(p, choose)})
    )
    changed = _differences(card, baseline)
    points, _, citations = config_points("R03-primary-category")
    assert [(f.rule_id, f.subject.id, f.child_id) for f, _ in changed] == [
        ("R03-primary-category", "gp", key.child_id)
    ]
    finding = changed[0][0]
    assert (finding.verdict, finding.points, finding.max_points) == (Verdict.NOT_MET, 0, points)
    assert finding.citations == citations
    assert card.role_totals[Role.GP].points == baseline.role_totals[Role.GP].points - points


@pytest.mark.parametrize("slug", SLUGS)
def test_a_wrong_outcome_loses_the_outcome_points(slug: str) -> None:
    scenario = LIBRARY[slug]
    key = scenario.answer_keys[0]
    other = (
        PlanOutcome.CHILD_IN_NEED_PLAN if key.threshold_met else PlanOutcome.CHILD_PROTECTION_PLAN
    )

    def choose(k: AnswerKey) -> dict[str, Any]:
        fields = decision_for(k)
        if k.child_id == key.child_id:
            fields["outcome"] = other
            fields["category"] = None if key.threshold_met else Category.NEGLECT
            fields["other_categories"] = frozenset()
        return fields

    card = score(play(scenario, overrides={Phase.DECISION: _decide(choose)}))
    finding = next(
        f
        for f in card.findings
        if f.rule_id == "R05-decision-outcome" and f.subject == Subject.child(key.child_id)
    )
    points, _, citations = config_points("R05-decision-outcome")
    assert (finding.verdict, finding.points, finding.max_points) == (Verdict.NOT_MET, 0, points)
    assert finding.citations == citations


def test_rendered_texts_are_quoted_in_explanations() -> None:
    """Explanations quote pack texts with names filled in, not placeholders."""
    slug = "ruby-and-alfie-two-children"
    p, _ = by_the_book(slug)
    s = p.state
    reports = dict(s.reports)
    reports[Role.LEAD_SOCIAL_WORKER] = replace(
        reports[Role.LEAD_SOCIAL_WORKER],
        statements=tuple(
            replace(st, provenance=Provenance.FACT) if st.item_id == "sw-craig-view" else st
            for st in reports[Role.LEAD_SOCIAL_WORKER].statements
        ),
    )
    card = score(replace(s, reports=frozen_map(reports)), LIBRARY[slug])
    finding = next(
        f
        for f in card.findings
        if f.rule_id == "R14-provenance-tags" and f.subject == Subject.role(Role.LEAD_SOCIAL_WORKER)
    )
    assert "{" not in finding.explanation
    assert "Craig said Ruby is a liar" in finding.explanation
    assert "as a fact; it is an allegation" in finding.explanation
