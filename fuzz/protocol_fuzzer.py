"""Coverage-guided fuzzing of the WebSocket frame parser and the engine's command decoder.

The OSS-Fuzz ``*_fuzzer.py`` pattern: atheris feeds bytes to
``TestOneInput``; anything other than a refusal the code means to give is a
crash. Each input is tried three ways:

1. as a raw frame, bytes and text, through ``parse_frame`` and
   ``parse_room_frame``, which may only raise ``ProtocolError``;
2. a parsed room command is handed to ``command_from_dict`` exactly as
   ``services.room_command_apply`` builds it, which may only raise
   ``InvalidCommand``;
3. any JSON object in the input within the frame limits (depth, integers,
   text) goes to ``command_from_dict`` directly.

Run it with ``make fuzz`` (``FUZZ_SECONDS``, default 300), or
``python fuzz/protocol_fuzzer.py CORPUS_DIR -max_total_time=20``. Neither
Django nor a database is needed: the parser and the engine are pure Python.
"""

from __future__ import annotations

import contextlib
import json
import sys
import zlib
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

with atheris.instrument_imports():
    from simulations import protocol
    from simulations.engine import commands
    from simulations.engine.state import Actor
    from simulations.engine.vocabulary import Role

ACTORS = [Actor.trainer().to_dict(), *(Actor.seat(role).to_dict() for role in Role)]
COMMAND_NAMES = sorted(commands.COMMAND_REGISTRY)


def decode_command(data: dict[str, object]) -> None:
    with contextlib.suppress(commands.InvalidCommand):
        commands.command_from_dict(data)


def TestOneInput(data: bytes) -> None:
    raw = data
    pick = zlib.crc32(raw)  # chooses the actor and a command name, keeping the input whole
    text = raw.decode("utf-8", "surrogateescape")
    for frame in (raw, text):
        with contextlib.suppress(protocol.ProtocolError):
            protocol.parse_frame(frame)
        try:
            parsed = protocol.parse_room_frame(frame)
        except protocol.ProtocolError:
            continue
        if isinstance(parsed, protocol.RoomCommand) and not (
            "actor" in parsed.args or "command_id" in parsed.args
        ):
            decode_command(
                {
                    **parsed.args,
                    "type": parsed.name,
                    "command_id": parsed.id,
                    "actor": ACTORS[pick % len(ACTORS)],
                }
            )
    try:
        value = json.loads(raw)
        protocol._check_values(value)  # the limits every frame meets before the engine
    except (ValueError, RecursionError, protocol.ProtocolError):
        return
    if isinstance(value, dict):
        if pick % 2:  # a known command name, so the fields get decoded
            value.setdefault("type", COMMAND_NAMES[pick % len(COMMAND_NAMES)])
        decode_command(value)


def main() -> None:
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
