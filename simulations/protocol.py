"""The WebSocket wire format: the only module that knows what a frame looks like.

Every frame is one JSON object with a ``type``. Inbound frames are parsed
into commands here (``parse_frame``); outbound frames are rendered here
(``render_*``). Anything else in the code base deals in Python values.

Frames from clients are untrusted: they are size-capped, must be JSON
objects, must name a known type and carry only the fields that type allows.
``ProtocolError`` carries a machine-readable code and a sentence for people.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

MAX_FRAME_BYTES = 64 * 1024
MAX_ECHO_CHARS = 4096


class ProtocolError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class Ping:
    """Ask the server to answer with a pong (used for heartbeats)."""

    ref: str | None = None


@dataclass(frozen=True, slots=True)
class Echo:
    """Ask the server to send the text back (the connection check)."""

    text: str
    ref: str | None = None


Command = Ping | Echo


def _ref(data: dict[str, Any]) -> str | None:
    ref = data.get("ref")
    if ref is None:
        return None
    if not isinstance(ref, str) or len(ref) > 64:
        raise ProtocolError("bad_field", "'ref' must be a string of at most 64 characters.")
    return ref


def _only(data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ProtocolError("unknown_field", f"Unknown field(s) in frame: {names}.")


def parse_frame(raw: str | bytes | None) -> Command:
    """Turn one inbound text frame into a command, or raise ``ProtocolError``."""
    if raw is None:
        raise ProtocolError("binary_frame", "Send text frames containing JSON.")
    size = len(raw.encode("utf-8")) if isinstance(raw, str) else len(raw)
    if size > MAX_FRAME_BYTES:
        raise ProtocolError("frame_too_large", f"Frames may be at most {MAX_FRAME_BYTES} bytes.")
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError("bad_json", "The frame is not valid JSON.") from exc
    if not isinstance(data, dict):
        raise ProtocolError("bad_frame", "A frame must be a JSON object.")
    kind = data.get("type")
    if kind == "ping":
        _only(data, {"type", "ref"})
        return Ping(ref=_ref(data))
    if kind == "echo":
        _only(data, {"type", "ref", "text"})
        text = data.get("text")
        if not isinstance(text, str) or len(text) > MAX_ECHO_CHARS:
            raise ProtocolError(
                "bad_field", f"'text' must be a string of at most {MAX_ECHO_CHARS} characters."
            )
        return Echo(text=text, ref=_ref(data))
    if not isinstance(kind, str):
        raise ProtocolError("bad_frame", "A frame must have a string 'type'.")
    raise ProtocolError("unknown_type", f"Unknown frame type {kind[:40]!r}.")


def render(frame: dict[str, Any]) -> str:
    return json.dumps(frame, separators=(",", ":"))


def render_pong(command: Ping) -> str:
    return render({"type": "pong", "ref": command.ref})


def render_echo(command: Echo, *, user_name: str) -> str:
    return render({"type": "echo", "text": command.text, "ref": command.ref, "user": user_name})


def render_error(error: ProtocolError) -> str:
    return render({"type": "error", "code": error.code, "message": error.message})


def render_welcome(*, user_name: str) -> str:
    return render({"type": "welcome", "user": user_name})
