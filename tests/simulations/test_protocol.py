"""The frame parser refuses anything it does not understand."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
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
