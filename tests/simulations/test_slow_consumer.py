"""A client that stops reading never holds up its room (fault B7).

On a real uvicorn server, one delegate's socket stops reading (its receive
window shrunk to almost nothing, as a phone asleep mid-download) and keeps
asking for snapshots, so frames pile up behind it. The rest of the room must
still get every event at once; the slow socket must be dropped from the room
once its backlog passes the bound, and closed with 1013 (try again later)
when its client reads again; and the server's memory must stay bounded.
"""

from __future__ import annotations

import asyncio
import json
import socket
import time
from pathlib import Path

import pytest
from websockets.asyncio.client import connect
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.typing import Origin

from simulations.bots import Bot, origin_of, ws_url
from tests.simulations.live_server import (
    Server,
    copy_sqlite,
    free_port,
    prepare_rooms,
    seeded_template,
    server_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

OUTBOX_BYTES = 128 * 1024


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_template(tmp_path_factory)


async def test_a_client_that_stops_reading_is_dropped_and_the_room_goes_on(
    tmp_path: Path, template: Path
) -> None:
    var = tmp_path / "var"
    copy_sqlite(template, var)
    env = server_env(var, THRESHOLD_SOCKET_OUTBOX_BYTES=str(OUTBOX_BYTES))
    server = Server(env=env, port=free_port(), log=tmp_path / "server.log")
    server.start()
    try:
        plan = prepare_rooms(
            env,
            scenario="jayden-physical-abuse",
            delegates=9,
            rooms=1,
            plan=tmp_path / "plan.json",
            url=server.url,
        )
        room, cookies = plan["rooms"][0], plan["cookies"]
        seats = room["seats"]
        slow_user, watcher_user = seats["gp"], seats["police"]
        console = Bot(
            plan["trainer"],
            base_url=server.url,
            code=room["code"],
            cookie=plan["cookies"][plan["trainer"]],
        )
        watcher = Bot(
            watcher_user, base_url=server.url, code=room["code"], cookie=cookies[watcher_user]
        )
        await asyncio.gather(console.start(), watcher.start())
        rss_before = server.rss_mb()

        # The slow client: a receive buffer of a few KB and a client that
        # stops taking frames off the socket after the first.
        # (set before connecting, so the window offered at the handshake is small).
        raw = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
        raw.connect(("127.0.0.1", server.port))
        slow = await connect(
            # As a browser: each snapshot comes with the page's panels.
            ws_url(server.url, room["code"]) + "?format=html",
            sock=raw,
            origin=Origin(origin_of(server.url)),
            additional_headers=Headers({"Cookie": cookies[slow_user]}),
            compression=None,
            max_queue=1,
            max_size=None,
        )
        first = await slow.recv()
        assert json.loads(first)["type"] == "snapshot"

        async def pile_up() -> None:
            # Each resync asks for a whole snapshot; the rate limit allows 20 a second.
            for _ in range(400):
                try:
                    await slow.send(json.dumps({"type": "resync"}))
                except ConnectionClosed:
                    return
                await asyncio.sleep(0.05)

        piling = asyncio.create_task(pile_up())
        # Meanwhile the trainer pauses and resumes; the watcher must see each
        # event promptly however far behind the slow socket is.
        latencies = []
        for number in range(40):
            seen = len(watcher.events)
            began = time.monotonic()
            reply = await console.command(
                "Resume" if number % 2 else "Pause", {} if number % 2 else {"reason": "test"}
            )
            assert reply["type"] == "ack", reply
            while len(watcher.events) == seen:
                await asyncio.sleep(0.002)
            latencies.append(time.monotonic() - began)
            await asyncio.sleep(0.2)
        piling.cancel()
        assert max(latencies) < 1.0, f"the room was held up: {max(latencies):.2f} s"

        # The slow socket was dropped: reading again, its client finds the
        # frames sent before the drop and then the close, 1013.
        code = None
        try:
            async with asyncio.timeout(60):
                async for _ in slow:
                    pass
        except ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        assert slow.close_code == 1013 or code == 1013, (slow.close_code, code)
        assert "stopped reading; closing its socket" in server.log.read_text()
        # Bounded memory: the backlog was capped, not kept.
        assert server.rss_mb() - rss_before < 64
        # The room still works for everyone else.
        reply = await console.command("Pause", {"reason": "after"})
        assert reply["type"] == "ack"
        await asyncio.gather(console.close(), watcher.close())
    finally:
        server.stop()
