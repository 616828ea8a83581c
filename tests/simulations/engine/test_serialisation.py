"""JSON round trips for every command, event and the whole state."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Mapping
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulations.engine.commands import (
    COMMAND_REGISTRY,
    Command,
    InvalidCommand,
    RejectionCode,
    SetContributionOrder,
    SubmitReport,
    command_from_dict,
)
from simulations.engine.conference import event_view_for, view_for
from simulations.engine.events import EVENT_REGISTRY, Event, event_from_dict
from simulations.engine.state import (
    Actor,
    DecodeError,
    Record,
    snapshot,
    state_from_snapshot,
)
from simulations.engine.vocabulary import ReportSection, Role
from tests.simulations.engine.helpers import SEATED, TRAINER, full_conference, seat

actors = st.one_of(
    st.builds(Actor, role=st.sampled_from(Role)),
    st.builds(Actor, role=st.none() | st.sampled_from(Role), is_trainer=st.just(True)),
)


def strategy_for(hint: Any) -> st.SearchStrategy[Any]:
    """Return a strategy for any field type the engine's records use."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return st.one_of(*(st.none() if a is type(None) else strategy_for(a) for a in args))
    if origin is tuple:
        return st.lists(strategy_for(args[0]), max_size=3).map(tuple)
    if origin is frozenset:
        return st.frozensets(strategy_for(args[0]), max_size=3)
    if origin is Mapping:
        return st.dictionaries(strategy_for(args[0]), strategy_for(args[1]), max_size=3)
    if hint is Actor:
        return actors
    if isinstance(hint, type) and issubclass(hint, Record):
        return records(hint)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return st.sampled_from(hint)
    if hint is datetime:
        return st.datetimes(timezones=st.none() | st.just(UTC))
    if hint is date:
        return st.dates()
    return st.from_type(hint)


def records(cls: type[Any]) -> st.SearchStrategy[Any]:
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: strategy_for(hints[f.name]) for f in dataclasses.fields(cls)})


def through_json(data: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(json.dumps(data))
    return loaded


@pytest.mark.parametrize("name", sorted(COMMAND_REGISTRY))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_every_command_round_trips_through_json(name: str, data: st.DataObject) -> None:
    command = data.draw(records(COMMAND_REGISTRY[name]))
    encoded = through_json(command.to_dict())
    assert encoded["type"] == name
    assert command_from_dict(encoded) == command
    assert type(command).from_dict(encoded) == command


@pytest.mark.parametrize("name", sorted(EVENT_REGISTRY))
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_every_event_round_trips_through_json(name: str, data: st.DataObject) -> None:
    event = data.draw(records(EVENT_REGISTRY[name]))
    encoded = through_json(event.to_dict())
    assert encoded["type"] == name
    assert event_from_dict(encoded) == event


def test_the_registries_name_every_class_once() -> None:
    assert all(issubclass(cls, Command) for cls in COMMAND_REGISTRY.values())
    assert all(issubclass(cls, Event) for cls in EVENT_REGISTRY.values())
    assert all(name == cls.__name__ for name, cls in {**COMMAND_REGISTRY, **EVENT_REGISTRY}.items())


def test_a_real_conference_round_trips_event_by_event_and_by_snapshot() -> None:
    driver = full_conference()
    for event in driver.events:
        assert event_from_dict(through_json(event.to_dict())) == event
    restored = state_from_snapshot(through_json(snapshot(driver.state)))
    assert restored == driver.state


def test_encoding_is_deterministic() -> None:
    state = full_conference().state
    assert json.dumps(snapshot(state)) == json.dumps(snapshot(state_from_snapshot(snapshot(state))))


@pytest.mark.parametrize("actor", [TRAINER, *(seat(role) for role in SEATED)], ids=str)
def test_every_view_is_plain_json(actor: Actor) -> None:
    driver = full_conference()
    json.dumps(view_for(driver.state, actor))
    for event in driver.events:
        json.dumps(event_view_for(driver.state, event, actor))


def test_constructors_freeze_mutable_containers() -> None:
    order: Any = [Role.GP, Role.POLICE]
    command = SetContributionOrder(command_id="c", actor=TRAINER, order=order)
    assert command.order == (Role.GP, Role.POLICE)
    report = SubmitReport(command_id="c", actor=TRAINER, sections={ReportSection.WORRIES: "x"})
    sections: Any = report.sections
    with pytest.raises(TypeError):
        sections[ReportSection.WORRIES] = "changed"


VALID = {"type": "RaiseHand", "command_id": "c1", "actor": {"role": "gp", "is_trainer": False}}


@pytest.mark.parametrize(
    "data",
    [
        {"type": "Nope", "command_id": "c1", "actor": {"role": "gp"}},
        {"command_id": "c1", "actor": {"role": "gp"}},
        {**VALID, "extra": 1},
        {**VALID, "command_id": 7},
        {**VALID, "actor": {"role": "bishop"}},
        {**VALID, "actor": {"role": None, "is_trainer": False}},
        {**VALID, "actor": {"role": "gp", "is_trainer": 1}},
        {**VALID, "actor": "gp"},
        {"type": "CastVote", "command_id": "c", "actor": {"role": "gp"}, "child_id": "j"},
        {
            "type": "SetPlan",
            "command_id": "c",
            "actor": {"role": "chair"},
            "lead_social_worker": "lead_social_worker",
            "core_group": "lead_social_worker",
            "first_core_group_on": "2025-05-12",
            "contingency": "x",
        },
        {
            "type": "SetPlan",
            "command_id": "c",
            "actor": {"role": "chair"},
            "lead_social_worker": "lead_social_worker",
            "core_group": ["lead_social_worker"],
            "first_core_group_on": "12 May",
            "contingency": "x",
        },
        {"type": "OpenRevote", "command_id": "c", "actor": {"role": "chair"}, "round": True},
        ["RaiseHand"],
    ],
)
def test_malformed_commands_are_invalid(data: Any) -> None:
    with pytest.raises(InvalidCommand) as caught:
        command_from_dict(data)
    assert caught.value.code is RejectionCode.MALFORMED_COMMAND


def test_a_valid_command_dict_decodes_with_defaults() -> None:
    command = command_from_dict({"type": "Pause", "command_id": "c", "actor": {"is_trainer": True}})
    assert command == COMMAND_REGISTRY["Pause"](command_id="c", actor=TRAINER)


def test_events_and_snapshots_reject_bad_data() -> None:
    with pytest.raises(DecodeError):
        event_from_dict({"type": "Nope"})
    with pytest.raises(DecodeError):
        event_from_dict(
            {
                "type": "VotesRevealed",
                "command_id": "c",
                "actor": {"is_trainer": True},
                "at": "x",
                "round": 1,
            }
        )
    with pytest.raises(DecodeError):
        state_from_snapshot({"version": 99, "state": {}})
