"""The frame parser refuses anything it does not understand."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulations import protocol


def test_ping_and_echo_parse() -> None:
    assert protocol.parse_frame('{"type":"ping"}') == protocol.Ping()
    assert protocol.parse_frame('{"type":"echo","text":"hi","ref":"a"}') == protocol.Echo(
        text="hi", ref="a"
    )


@pytest.mark.parametrize("ref", [5, "x" * 65, ["a"]])
def test_bad_ref_is_refused(ref: object) -> None:
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.parse_frame(json.dumps({"type": "ping", "ref": ref}))
    assert info.value.code == "bad_field"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@given(json_values)
def test_any_json_either_parses_or_raises_protocol_error(value: object) -> None:
    try:
        command = protocol.parse_frame(json.dumps(value))
    except protocol.ProtocolError as error:
        assert error.code and error.message
    else:
        assert isinstance(command, protocol.Ping | protocol.Echo)


@given(st.binary(max_size=200))
def test_any_bytes_either_parse_or_raise_protocol_error(raw: bytes) -> None:
    try:
        command = protocol.parse_frame(raw)
    except protocol.ProtocolError as error:
        assert error.code
    else:
        assert isinstance(command, protocol.Ping | protocol.Echo)


# Room frames ------------------------------------------------------------------

ERROR_CODES = {
    "binary_frame",
    "frame_too_large",
    "bad_json",
    "bad_frame",
    "unknown_type",
    "unknown_field",
    "bad_field",
    "too_deep",
}


def nested(depth: int) -> object:
    value: object = []
    for _ in range(depth - 1):
        value = [value]
    return value


@pytest.mark.parametrize(
    "raw,code",
    [
        ('{"type":"ping","ref":NaN}', "bad_json"),
        ('{"type":"ping","ref":Infinity}', "bad_json"),
        ('{"type":"ping","ref":-Infinity}', "bad_json"),
        ('{"type":"resync","since":1e999}', "bad_json"),
        ('{"type":"ping","ref":"\\ud800"}', "bad_json"),
        ('{"type":"ping","\\udfff":1}', "bad_json"),
        ('{"type":"resync","since":9007199254740992}', "bad_field"),
        ('{"type":"resync","since":' + "9" * 5000 + "}", "bad_json"),
        ("[" * 100_000, "frame_too_large"),
        ("[" * 5_000, "bad_json"),
        ("[" * 20_000 + "]" * 20_000, "too_deep"),
        (json.dumps({"type": "ping", "x": nested(16)}), "too_deep"),
        (
            json.dumps({"type": "command", "id": "a" * 10, "name": "CastVote", "args": []}),
            "bad_field",
        ),
        (json.dumps({"type": "command", "id": "a" * 10, "args": {}}), "bad_field"),
        (json.dumps({"type": "command", "name": "CastVote", "args": {}}), "bad_field"),
        (json.dumps({"type": 7}), "bad_frame"),
        (b"\xff\xfe{", "bad_json"),
        (None, "binary_frame"),
    ],
)
def test_hostile_room_frames_are_refused_with_a_code(raw: str | bytes | None, code: str) -> None:
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.parse_room_frame(raw)
    assert info.value.code == code
    assert info.value.message


def test_nesting_up_to_the_limit_is_accepted() -> None:
    frame = {"type": "command", "id": "a" * 10, "name": "CastVote", "args": {"x": nested(14)}}
    assert isinstance(protocol.parse_room_frame(json.dumps(frame)), protocol.RoomCommand)


def test_a_lone_surrogate_in_a_python_string_is_refused_not_raised() -> None:
    with pytest.raises(protocol.ProtocolError) as info:
        protocol.parse_room_frame('{"type":"ping","ref":"\ud800"}')
    assert info.value.code == "bad_json"


hostile_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**53 - 2, max_value=2**80)
    | st.floats()  # NaN and the infinities included
    | st.text(max_size=12)
    | st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3)
    | st.sampled_from(["ping", "resync", "command", "echo", "CastVote", "RevealVotes", "gp"])
)
hostile_values = st.recursive(
    hostile_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=20,
)
room_frames = st.fixed_dictionaries(
    {"type": st.sampled_from(["ping", "resync", "command"]) | hostile_values},
    optional={
        "id": st.text(alphabet="abcdef0123456789-", min_size=6, max_size=70) | hostile_values,
        "name": st.sampled_from(["CastVote", "OpenPack", "Nope", "", "__import__"])
        | hostile_values,
        "args": st.dictionaries(st.text(max_size=8), hostile_values, max_size=4) | hostile_values,
        "as_role": st.sampled_from(["gp", "chair", "trainer", "x" * 41]) | hostile_values,
        "since": hostile_values,
        "ref": hostile_values,
        "extra": hostile_values,
    },
)


def deep(value: object, depth: int) -> int:
    if isinstance(value, dict):
        return 1 + max((deep(v, depth) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((deep(v, depth) for v in value), default=0)
    return 0


@settings(max_examples=1500, deadline=None)
@given(room_frames | hostile_values, st.integers(min_value=0, max_value=40))
def test_any_room_frame_parses_or_is_refused_with_a_known_code(value: object, wrap: int) -> None:
    for _ in range(wrap if wrap > 30 else 0):  # now and then, far too deep
        value = {"type": "ping", "ref": [value]}
    raw = json.dumps(value)  # writes NaN, Infinity and lone surrogates as Python does
    try:
        frame = protocol.parse_room_frame(raw)
    except protocol.ProtocolError as error:
        assert error.code in ERROR_CODES
        assert error.message
        return
    assert isinstance(frame, protocol.Ping | protocol.Resync | protocol.RoomCommand)
    decoded = json.loads(raw)
    assert deep(decoded, 0) <= protocol.MAX_DEPTH
    assert "NaN" not in raw and "Infinity" not in raw
    if isinstance(frame, protocol.RoomCommand):
        json.dumps(frame.args).encode("utf-8")  # safe to store and to send on
        assert 8 <= len(frame.id) <= 64


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300) | st.text(max_size=300))
def test_any_bytes_or_text_parse_as_a_room_frame_or_are_refused(raw: bytes | str) -> None:
    try:
        protocol.parse_room_frame(raw)
    except protocol.ProtocolError as error:
        assert error.code in ERROR_CODES
