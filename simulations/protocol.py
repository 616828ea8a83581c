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
import math
import re
from dataclasses import dataclass
from typing import Any

MAX_FRAME_BYTES = 64 * 1024
MAX_ECHO_CHARS = 4096
MAX_DEPTH = 16  # lists and objects inside one another, the frame itself counting as 1
MAX_SAFE_INTEGER = 2**53 - 1  # the largest integer JavaScript holds exactly
_SURROGATE = re.compile("[\ud800-\udfff]")


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


@dataclass(frozen=True, slots=True)
class RoomCommand:
    """Ask the room to apply one engine command (see docs/protocol.md)."""

    id: str
    name: str
    args: dict[str, Any]
    as_role: str | None = None


@dataclass(frozen=True, slots=True)
class Resync:
    """Ask for a fresh snapshot (the client saw a gap in sequence numbers)."""

    since: int


Command = Ping | Echo
RoomFrame = Ping | RoomCommand | Resync
COMMAND_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


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


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"{text} is out of range")
    return number


def _check_values(data: object) -> None:
    """Refuse nesting deeper than MAX_DEPTH, lone surrogates and unsafe integers.

    Python's parser accepts ``"\\ud800"`` (half of a surrogate pair), which
    cannot be encoded as UTF-8, stored in PostgreSQL or sent on; and integers
    of any size, which JavaScript cannot hold.
    """
    level: list[object] = [data]
    depth = 0
    while level:
        children: list[object] = []
        for item in level:
            if isinstance(item, str):
                if _SURROGATE.search(item):
                    raise ProtocolError("bad_json", "The frame holds text that is not Unicode.")
            elif isinstance(item, int):
                if not -MAX_SAFE_INTEGER <= item <= MAX_SAFE_INTEGER:
                    raise ProtocolError("bad_field", "Numbers may be at most 2^53 in size.")
            elif isinstance(item, dict):
                children.extend(item)
                children.extend(item.values())
            elif isinstance(item, list):
                children.extend(item)
        if any(isinstance(item, dict | list) for item in level):
            depth += 1
            if depth > MAX_DEPTH:
                raise ProtocolError("too_deep", f"Frames may nest at most {MAX_DEPTH} levels.")
        level = children


def _load(raw: str | bytes | None) -> dict[str, Any]:
    if raw is None:
        raise ProtocolError("binary_frame", "Send text frames containing JSON.")
    size = len(raw.encode("utf-8", "surrogatepass")) if isinstance(raw, str) else len(raw)
    if size > MAX_FRAME_BYTES:
        raise ProtocolError("frame_too_large", f"Frames may be at most {MAX_FRAME_BYTES} bytes.")
    try:
        # NaN and Infinity are not JSON; Python's parser accepts them unless told.
        data = json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite_float)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ProtocolError("bad_json", "The frame is not valid JSON.") from exc
    except RecursionError as exc:
        raise ProtocolError("too_deep", f"Frames may nest at most {MAX_DEPTH} levels.") from exc
    _check_values(data)
    if not isinstance(data, dict):
        raise ProtocolError("bad_frame", "A frame must be a JSON object.")
    if not isinstance(data.get("type"), str):
        raise ProtocolError("bad_frame", "A frame must have a string 'type'.")
    return data


def _unknown(kind: str) -> ProtocolError:
    return ProtocolError("unknown_type", f"Unknown frame type {kind[:40]!r}.")


def parse_frame(raw: str | bytes | None) -> Command:
    """Turn one inbound frame on the echo socket into a command, or raise ``ProtocolError``."""
    data = _load(raw)
    kind = data["type"]
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
    raise _unknown(kind)


def parse_room_frame(raw: str | bytes | None) -> RoomFrame:
    """Turn one inbound frame on a room socket into a request, or raise ``ProtocolError``."""
    data = _load(raw)
    kind = data["type"]
    if kind == "ping":
        _only(data, {"type", "ref"})
        return Ping(ref=_ref(data))
    if kind == "resync":
        _only(data, {"type", "since"})
        since = data.get("since", 0)
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            raise ProtocolError("bad_field", "'since' must be a sequence number (0 or more).")
        return Resync(since=since)
    if kind == "command":
        _only(data, {"type", "id", "name", "args", "as_role"})
        command_id, name, args = data.get("id"), data.get("name"), data.get("args", {})
        if (
            not isinstance(command_id, str)
            or not 8 <= len(command_id) <= 64
            or not set(command_id) <= COMMAND_ID_CHARS
        ):
            raise ProtocolError(
                "bad_field",
                "'id' must be 8 to 64 letters, digits or '-_.:' (a fresh one per command).",
            )
        if not isinstance(name, str) or not name.isidentifier() or len(name) > 40:
            raise ProtocolError(
                "bad_field", "'name' must be the name of a command, such as 'CastVote'."
            )
        if not isinstance(args, dict):
            raise ProtocolError("bad_field", "'args' must be an object.")
        as_role = data.get("as_role")
        if as_role is not None and (not isinstance(as_role, str) or len(as_role) > 40):
            raise ProtocolError("bad_field", "'as_role' must be a role name.")
        return RoomCommand(id=command_id, name=name, args=args, as_role=as_role)
    raise _unknown(kind)


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


# Room frames, server to client ------------------------------------------------


def render_snapshot(*, seq: int, view: dict[str, Any], seat: dict[str, Any]) -> str:
    return render({"type": "snapshot", "seq": seq, "seat": seat, "view": view})


def render_event(*, seq: int, event: dict[str, Any] | None) -> str:
    """One event, or ``None`` when this audience may not see it (the number still counts)."""
    return render({"type": "event", "seq": seq, "event": event})


def render_ack(*, command_id: str, seq: int, duplicate: bool) -> str:
    return render({"type": "ack", "id": command_id, "seq": seq, "duplicate": duplicate})


# The rejection that means "not stored: send the same command again" (docs/protocol.md).
NOT_SAVED = "not_saved"


def render_rejected(*, command_id: str, code: str, message: str) -> str:
    return render({"type": "rejected", "id": command_id, "code": code, "message": message})


def render_presence(*, online: list[str], trainer: bool) -> str:
    return render({"type": "presence", "online": online, "trainer": trainer})


def render_html(*, seq: int, panels: dict[str, str]) -> str:
    """Server-rendered panels for browser sockets, swapped in by id."""
    return render({"type": "html", "seq": seq, "panels": panels})
