"""Random command sequences: only CommandRejected, and the invariants hold."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import typing
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import event as record_event
from hypothesis import strategies as st

from simulations.engine.calendar import working_days_between
from simulations.engine.commands import (
    COMMAND_TYPES,
    Command,
    CommandRejected,
    Resume,
    SkipPhase,
)
from simulations.engine.conference import (
    AGENDA,
    ALLOWED_IN_PHASE,
    apply,
    can_issue,
    decide,
    event_view_for,
    replay,
    view_for,
)
from simulations.engine.events import Event, VoteCast
from simulations.engine.state import (
    Actor,
    ConferenceState,
    Phase,
    PlanRow,
    Statement,
    new_conference,
    snapshot,
    state_from_snapshot,
)
from simulations.engine.vocabulary import PlanOutcome, Provenance, ReportSection, Role
from tests.simulations.engine.helpers import CONFERENCE_DATE, SEATED, SETUP, START, drive_to

CHILD_IDS = [*SETUP.child_ids, "nobody"]
ITEM_IDS = sorted({i for items in SETUP.pack_items.values() for i in items} | SETUP.inject_ids) + [
    "nope"
]
INJECT_IDS = [*sorted(SETUP.inject_ids), "nope"]
TEXTS = st.sampled_from(["", "  ", "Bruising seen on his arm.", "two\nlines", "x" * 300])
DAYS = st.integers(min_value=-3, max_value=20).map(lambda n: CONFERENCE_DATE + timedelta(days=n))

ACTORS = [
    *(Actor.seat(role) for role in SEATED),
    Actor.seat(Role.CHAIR),
    Actor.seat(Role.CHAIR),
    Actor.trainer(),
    Actor.trainer(),
    Actor.trainer(as_role=Role.CHAIR),
    Actor.trainer(as_role=Role.GP),
]

BY_NAME: dict[str, st.SearchStrategy[Any]] = {
    "child_id": st.sampled_from(CHILD_IDS),
    "item_id": st.sampled_from(ITEM_IDS),
    "inject_id": st.sampled_from(INJECT_IDS),
    "row_id": st.sampled_from(["r1", "r2", ""]),
    "first_core_group_on": DAYS,
}


def strategy_for(name: str, hint: Any) -> st.SearchStrategy[Any]:
    """Return a strategy that mostly draws plausible values for a field."""
    if name in BY_NAME:
        inner = typing.get_args(hint)
        return BY_NAME[name] | st.none() if type(None) in inner else BY_NAME[name]
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is not None and type(None) in args:
        (inner,) = (a for a in args if a is not type(None))
        return st.none() | strategy_for(name, inner)
    if origin is tuple:
        return st.lists(strategy_for(name, args[0]), max_size=3).map(tuple)
    if origin is frozenset:
        return st.frozensets(strategy_for(name, args[0]), max_size=3)
    if origin is Mapping:
        return st.dictionaries(st.sampled_from(ReportSection), TEXTS, max_size=3)
    if hint is Statement:
        return st.builds(
            Statement,
            text=TEXTS,
            provenance=st.sampled_from(Provenance),
            second_hand=st.booleans(),
            source=TEXTS,
            item_id=st.none() | st.sampled_from(ITEM_IDS),
        )
    if hint is PlanRow:
        return st.builds(
            PlanRow,
            row_id=BY_NAME["row_id"],
            child_id=st.none() | st.sampled_from(CHILD_IDS),
            what=TEXTS,
            how=TEXTS,
            who=TEXTS,
            how_we_will_know=TEXTS,
            review=TEXTS,
        )
    if isinstance(hint, type) and issubclass(hint, Enum):
        return st.sampled_from(list(hint))
    if hint is bool:
        return st.booleans()
    if hint is str:
        return TEXTS
    if hint is date:
        return DAYS
    raise AssertionError(f"no strategy for {name}: {hint}")


_COMMANDS: dict[type[Command], st.SearchStrategy[Command]] = {}


def commands(kind: type[Command]) -> st.SearchStrategy[Command]:
    if kind not in _COMMANDS:
        _COMMANDS[kind] = _commands(kind)
    return _COMMANDS[kind]


def _commands(kind: type[Command]) -> st.SearchStrategy[Command]:
    hints = typing.get_type_hints(kind)
    fields = {
        f.name: strategy_for(f.name, hints[f.name])
        for f in dataclasses.fields(kind)
        if f.name not in ("command_id", "actor")
    }
    return st.builds(
        kind,
        command_id=st.sampled_from(["", "retry-1", "retry-2"]) | st.uuids().map(str),
        actor=st.sampled_from(ACTORS),
        **fields,
    )


@functools.cache
def played_to(phase: Phase) -> tuple[ConferenceState, tuple[Event, ...], datetime]:
    """Return a conference played by the book up to ``phase``."""
    driver = drive_to(phase)
    return driver.state, tuple(driver.events), driver.clock


def plausible_commands(state: ConferenceState) -> st.SearchStrategy[Command]:
    """Return commands mostly legal in the phase and mostly from an issuer."""
    legal = sorted(ALLOWED_IN_PHASE[state.phase], key=lambda kind: kind.__name__)
    kinds = st.sampled_from(COMMAND_TYPES) | st.sampled_from(legal) | st.sampled_from(legal)
    return kinds.flatmap(commands).flatmap(
        lambda command: st.sampled_from([command, *with_issuers(command, state)])
    )


def with_issuers(command: Command, state: ConferenceState) -> list[Command]:
    return [
        dataclasses.replace(command, actor=actor)
        for actor in dict.fromkeys(ACTORS)
        if can_issue(actor, dataclasses.replace(command, actor=actor), state)
    ]


def check_invariants(state: ConferenceState, applied: int) -> None:
    assert state.phase_history[-1].phase is state.phase
    assert state.current_speaker is None or state.phase is Phase.AGENCY_CONTRIBUTIONS
    assert (state.active_exclusion is not None) is (
        state.phase is Phase.EXCLUSION and bool(state.exclusions)
    )
    assert [r.number for r in state.rounds] == list(range(1, len(state.rounds) + 1))
    assert all(r.revealed for r in state.rounds[:-1])
    for rnd in state.rounds:
        keys = [(b.child_id, b.role) for b in rnd.ballots]
        assert len(keys) == len(set(keys))
        assert all(b.role.votes and b.child_id in SETUP.child_ids for b in rnd.ballots)
    for decision in state.decisions.values():
        on_plan = decision.outcome is PlanOutcome.CHILD_PROTECTION_PLAN
        assert (decision.category is not None) is on_plan
        assert decision.child_id in SETUP.child_ids
    plan = state.plan
    assert plan.lead_social_worker in (None, Role.LEAD_SOCIAL_WORKER)
    if plan.first_core_group_on is not None:
        assert (
            0
            <= working_days_between(CONFERENCE_DATE, plan.first_core_group_on, SETUP.holidays)
            <= 10
        )
    assert len(set(state.raised_hands)) == len(state.raised_hands)
    assert set(state.raised_hands) <= set(SEATED)
    assert len(state.log) == applied
    assert {entry.index for entry in state.log} == set(range(applied))


def check_views(state: ConferenceState, events: list[Event]) -> None:
    votes = [event for event in events if isinstance(event, VoteCast)]
    for role in SEATED:
        actor = Actor.seat(role)
        view = view_for(state, actor)
        json.dumps(view)
        for rnd in view["rounds"]:
            if not rnd["revealed"]:
                assert {b["role"] for b in rnd["ballots"]} <= {role.value}
        for author, report in view["reports"].items():
            if role not in (Role.CHAIR, Role(author)):
                assert "confidential" not in report
        for vote in votes:
            shown = event_view_for(state, vote, actor)
            if shown is not None and vote.role is not role:
                assert state.rounds[vote.round - 1].revealed or "rationale" not in shown


@settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_random_commands_only_ever_get_rejected_and_keep_the_invariants(
    data: st.DataObject,
) -> None:
    start = data.draw(st.sampled_from(list(Phase)), label="start from")
    state, played, now = played_to(start)
    events = list(played)
    steps = data.draw(st.integers(min_value=1, max_value=50), label="steps")
    for _ in range(steps):
        command = data.draw(plausible_commands(state))
        now += timedelta(seconds=30)
        try:
            new = decide(state, command, now=now)
        except CommandRejected:
            continue
        for event in new:
            state = apply(state, event)
        events.extend(new)
        check_invariants(state, len(events))
        assert command.command_id in state.processed_commands or not new
        assert decide(state, command, now=now) == []  # a retry is harmless
    record_event(f"ended in {state.phase.value}")
    assert replay(new_conference(SETUP), events) == state
    assert state_from_snapshot(json.loads(json.dumps(snapshot(state)))) == state
    check_views(state, events)


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_the_chair_and_trainer_can_always_reach_the_close(data: st.DataObject) -> None:
    """Whatever has happened, the trainer can skip to the close."""
    state = new_conference(SETUP)
    now = START
    for _ in range(data.draw(st.integers(min_value=0, max_value=40))):
        kind = data.draw(st.sampled_from(sorted(ALLOWED_IN_PHASE[state.phase], key=str)))
        command = data.draw(commands(kind))
        with contextlib.suppress(CommandRejected):
            state = replay(state, decide(state, command, now=now))
    trainer = Actor.trainer()
    if state.paused:
        state = replay(state, decide(state, Resume(command_id="resume", actor=trainer), now=now))
    for n in range(len(AGENDA) + 1):
        if state.phase is Phase.CLOSED:
            break
        state = replay(
            state, decide(state, SkipPhase(command_id=f"skip-{n}", actor=trainer), now=now)
        )
    assert state.phase is Phase.CLOSED
