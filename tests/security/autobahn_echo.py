"""A bare ASGI echo app for the Autobahn conformance run (tests/security/test_autobahn.py).

Autobahn's fuzzing client checks the WebSocket transport by having every
message echoed back. The room consumer speaks JSON, not echo, so the run
serves this app under uvicorn with the production flags instead: what is
tested is the transport the rooms ride on.
"""

from __future__ import annotations

from typing import Any


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] == "http":
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"echo"})
        return
    if scope["type"] != "websocket":
        return
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif message["type"] == "websocket.receive":
            if message.get("text") is not None:
                await send({"type": "websocket.send", "text": message["text"]})
            else:
                await send({"type": "websocket.send", "bytes": message.get("bytes") or b""})
        else:
            return
