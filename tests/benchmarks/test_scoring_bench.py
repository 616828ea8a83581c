"""Scoring benchmark: one finished conference of about 600 events.

Target (issue: scoring against the procedures): scoring one finished
conference of 12 delegates and 600 events under 50 ms median. A room has
at most ten seats (one per ``Role``), so the benchmark seats all ten, with
three children, sixteen pack items per role, three rounds of voting and a
busy floor, and scores it with the default rule set. Run with ``make
bench``; figures are printed and kept in docs/benchmarks.md.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import replace

from simulations.engine.casefile import Child as CaseChild
from simulations.engine.casefile import Offset, OffsetUnit, PackItem, RolePack, Scenario
from simulations.engine.commands import (
    CallSpeaker,
    CastVote,
    FinishContribution,
    LowerHand,
    OpenRevote,
    RaiseHand,
    RevealVotes,
    ShareItem,
    StateImpact,
)
from simulations.engine.ruleset import DEFAULT_RULE_SET
from simulations.engine.state import Actor, Phase
from simulations.engine.vocabulary import Provenance, Role
from tests.simulations.engine.scoring_helpers import (
    CHAIR,
    JAYDEN_KEY,
    MIA_KEY,
    Play,
    ballot_for,
    key_date,
    pack_items,
    play,
    score,
    two_children_case,
)

RUNS = 50
TARGET_MS = 50
PROVENANCES = list(Provenance)


def big_case() -> Scenario:
    base = two_children_case()
    leo = CaseChild(
        id="leo",
        given_name="Leo",
        family_name="Le Brun",
        gender=base.household.children[0].gender,
        communication_needs="Speech delay.",
        born=Offset(-2, OffsetUnit.YEARS),
    )
    packs = tuple(
        RolePack(
            role=pack.role,
            briefing=pack.briefing,
            items=pack.items
            + tuple(
                PackItem(
                    id=f"{pack.role.value}-extra-{n}",
                    text=f"Further information {n} from the {pack.role.label}.",
                    provenance=PROVENANCES[n % 4],
                    first_hand=n % 3 != 0,
                    source=None if n % 3 != 0 else "Another agency",
                    must_share=n % 5 == 0,
                )
                for n in range(16 - len(pack.items))
            ),
        )
        for pack in base.role_packs
    )
    return two_children_case(
        household=replace(base.household, children=(*base.household.children, leo)),
        role_packs=packs,
        answer_keys=(JAYDEN_KEY, MIA_KEY, replace(JAYDEN_KEY, child_id="leo")),
    )


def busy_contributions(p: Play) -> None:
    """Present as usual, twice over on impact, with a busy floor."""
    floor = (Role.GP, Role.HOUSING, Role.POLICE, Role.PARENT, Role.HEALTH_VISITOR)
    for role in p.state.contribution_order:
        speaker = Actor.seat(role)
        p.do(CallSpeaker, CHAIR, role=role)
        for pack_item in pack_items(p.scenario, role):
            if not pack_item.confidential:
                p.do(ShareItem, speaker, item_id=pack_item.id)
        for child in p.setup.children:
            for text in ("is frightened at home", "is missing school"):
                p.do(StateImpact, speaker, child_id=child.id, text=f"{child.name} {text}.")
        for _ in range(5):
            for other in floor:
                p.do(RaiseHand, Actor.seat(other))
                p.do(LowerHand, CHAIR, role=other)
        p.do(FinishContribution, speaker)
    p.advance()


def three_rounds(p: Play) -> None:
    for round_number in (1, 2, 3):
        for role in p.setup.seated_roles:
            if role.votes:
                for key in p.scenario.answer_keys:
                    p.do(CastVote, Actor.seat(role), **ballot_for(key))
        p.do(RevealVotes, CHAIR)
        if round_number < 3:
            p.do(OpenRevote, CHAIR)
    p.advance()


def test_score_a_finished_conference() -> None:
    case = big_case()
    p = play(
        case,
        overrides={
            Phase.AGENCY_CONTRIBUTIONS: busy_contributions,
            Phase.RECOMMENDATIONS: three_rounds,
        },
    )
    assert p.state.phase is Phase.CLOSED
    assert 550 <= len(p.events) <= 700, len(p.events)
    strategy = key_date(case, "strategy_discussion")
    card = score(p, strategy_discussion_on=strategy)
    assert card.rule_set_version == DEFAULT_RULE_SET.version
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        score(p, strategy_discussion_on=strategy)
        timings.append((time.perf_counter() - started) * 1000)
    median = statistics.median(timings)
    print(
        f"\nscore_conference, {len(p.setup.seated_roles)} seats, {len(p.events)} events, "
        f"{len(card.findings)} findings: median of {RUNS} {median:.1f} ms, "
        f"max {max(timings):.1f} ms (target < {TARGET_MS} ms)"
    )
    assert median < TARGET_MS
