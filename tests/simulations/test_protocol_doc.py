"""docs/protocol.md names every command and rejection code the engine has.

A client is written from the document alone, so a command or a code the
engine gains must appear there before it ships.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from simulations.engine.commands import COMMAND_REGISTRY, RejectionCode
from simulations.engine.events import EVENT_REGISTRY

DOC = Path(__file__).resolve().parents[2] / "docs" / "protocol.md"


@pytest.fixture(scope="module")
def names() -> set[str]:
    """Return every `backticked` name in the document."""
    return set(re.findall(r"`([^`\s]+)`", DOC.read_text(encoding="utf-8")))


@pytest.mark.parametrize("command", sorted(COMMAND_REGISTRY))
def test_every_command_is_documented(names: set[str], command: str) -> None:
    assert command in names


@pytest.mark.parametrize("code", sorted(RejectionCode))
def test_every_rejection_code_is_documented(names: set[str], code: RejectionCode) -> None:
    assert code.value in names


@pytest.mark.parametrize("event", sorted(EVENT_REGISTRY))
def test_every_event_is_documented(names: set[str], event: str) -> None:
    assert event in names


def test_the_command_table_has_a_row_per_command() -> None:
    rows = re.findall(r"^\| `(\w+)` \|", DOC.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert set(COMMAND_REGISTRY) <= set(rows)


def test_every_frame_error_code_is_documented(names: set[str]) -> None:
    source = (DOC.parents[1] / "simulations" / "protocol.py").read_text(encoding="utf-8")
    codes = set(re.findall(r'ProtocolError\(\s*"(\w+)"', source))
    assert "too_deep" in codes
    assert codes <= names
