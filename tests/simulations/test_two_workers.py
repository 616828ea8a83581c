"""A room whose sockets are spread over two server processes plays as one.

Two uvicorn workers share the SQLite database and a private Redis (the
channel layer between processes); the nine seats and the console are dealt
across both, so every event must cross from one worker to the other. Each
socket must receive every event as it happens: a gap would mean the other
worker's events arrived only through a resync.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest

from simulations.bots import Bot, RoomPlan, play_room
from tests.simulations.live_server import (
    PrivateRedis,
    Server,
    copy_sqlite,
    free_port,
    prepare_rooms,
    seeded_template,
    server_env,
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.timeout(900),
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server"),
]


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_template(tmp_path_factory)


async def test_events_cross_between_workers_without_gaps(tmp_path: Path, template: Path) -> None:
    var = tmp_path / "var"
    copy_sqlite(template, var)
    redis = PrivateRedis().start()
    env = server_env(var, REDIS_URL=redis.url)
    servers = [Server(env=env, port=free_port(), log=tmp_path / f"w{i}.log") for i in (0, 1)]
    bots: list[Bot] = []
    try:
        for server in servers:
            server.start()
        plan = prepare_rooms(
            env,
            scenario="jayden-physical-abuse",
            delegates=9,
            rooms=1,
            plan=tmp_path / "plan.json",
            url=servers[0].url,
        )
        room = RoomPlan.from_dict(plan["rooms"][0])
        cookies = plan["cookies"]
        seated = {
            role: Bot(
                username,
                base_url=servers[index % 2].url,
                code=room.code,
                cookie=cookies[username],
            )
            for index, (role, username) in enumerate(room.seats.items(), start=1)
        }
        console = Bot(
            plan["trainer"],
            base_url=servers[0].url,
            code=room.code,
            cookie=cookies[plan["trainer"]],
        )
        bots = [*seated.values(), console]
        await asyncio.gather(*(bot.start() for bot in bots))
        outcome = await play_room(room, seated, trainer=console)
    finally:
        await asyncio.gather(*(bot.close() for bot in bots))
        for server in servers:
            server.stop()
        redis.stop()
    assert outcome.phase == "closed", outcome.problems
    assert outcome.contiguous
    gaps = {bot.name: bot.stats.gaps for bot in bots if bot.stats.gaps}
    assert gaps == {}, "events from the other worker arrived only through a resync"
    assert all(bot.seq == outcome.events for bot in bots)
