"""A server killed mid-conference loses nothing that was acknowledged (L6).

Bots play a conference on a real uvicorn server until reports are in and
some recommendations are cast; one more vote is in flight when the server
is SIGKILLed. The server is started again on the same port; every bot must
come back to its own seat, resync, find its report and its vote in the
snapshot, and the conference must then play to the close, with each vote
recorded exactly once in the event log.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from simulations.bots import Bot
from simulations.script import conference_script
from tests.simulations.live_server import (
    Server,
    copy_sqlite,
    django_run,
    free_port,
    prepare_rooms,
    seeded_template,
    server_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

SCENARIO = "jayden-physical-abuse"
VOTES_BEFORE_KILL = 3
EVENT_LOG = """
from simulations.models import RoomEvent
rows = RoomEvent.objects.filter(room_id={room_id}).order_by("seq")
print(json.dumps([[r.seq, r.kind, r.command_id, r.data] for r in rows]))
"""


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_template(tmp_path_factory)


def own_ballots(view: dict[str, Any], role: str) -> list[dict[str, Any]]:
    return [b for b in view["rounds"][-1]["ballots"] if b["role"] == role]


async def test_a_killed_server_comes_back_with_every_seat_report_and_vote(
    tmp_path: Path, template: Path
) -> None:
    var = tmp_path / "var"
    copy_sqlite(template, var)
    env = server_env(var)
    server = Server(env=env, port=free_port(), log=tmp_path / "server.log")
    server.start()
    bots: dict[str, Bot] = {}
    console: Bot | None = None
    try:
        plan = prepare_rooms(
            env,
            scenario=SCENARIO,
            delegates=9,
            rooms=1,
            plan=tmp_path / "plan.json",
            url=server.url,
        )
        room = plan["rooms"][0]
        cookies = plan["cookies"]

        def bot(username: str) -> Bot:
            return Bot(
                username,
                base_url=server.url,
                code=room["code"],
                cookie=cookies[username],
                backoff=(0.25, 2.0),
            )

        bots = {role: bot(username) for role, username in room["seats"].items()}
        console = bot(plan["trainer"])
        everyone = [*bots.values(), console]
        await asyncio.gather(*(b.start() for b in everyone))
        assert {role: b.role for role, b in bots.items()} == {role: role for role in bots}

        view = console.view
        assert view is not None
        items = {role: b.view["my_items"] for role, b in bots.items() if b.view}
        script = conference_script(view, items)
        votes = [i for i, step in enumerate(script) if step.name == "CastVote"]
        cut = votes[VOTES_BEFORE_KILL - 1] + 1
        acked: dict[str, dict[str, Any]] = {}  # command id -> ack

        async def send(index: int) -> None:
            step = script[index]
            command_id = f"restart-{index:03d}-{step.name}"
            reply = await bots[step.role].command(step.name, step.args, command_id=command_id)
            assert reply["type"] == "ack", (step, reply)
            acked[command_id] = reply

        for index in range(cut):
            await send(index)
        before = {role: b.seq for role, b in bots.items()}
        authors = [s.role for s in script if s.name == "SubmitReport"]
        voted = [script[i].role for i in votes[:VOTES_BEFORE_KILL]]

        # One more vote goes out, and the server dies before (or just after)
        # it commits: either way the bot's resend under the same id must
        # count it exactly once.
        in_flight = asyncio.create_task(send(cut))
        await asyncio.sleep(0.005)
        server.kill()
        await asyncio.sleep(0.5)
        assert not any(b.online for b in everyone), "every socket noticed the crash"
        server.start()
        await asyncio.gather(*(b.wait_online(60) for b in everyone))
        await asyncio.wait_for(in_flight, 60)

        for role, b in bots.items():
            assert b.stats.connections >= 2, role
            assert b.role == role, f"{b.name} came back as {b.role}, not {role}"
            assert b.seq >= before[role], role
            current = await b.request_snapshot()
            if role in authors:
                report = current["reports"][role]
                assert report["revision"] == 1 and report["submitted_at"], role
            if role in voted or role == script[cut].role:
                ballots = own_ballots(current, role)
                assert len(ballots) == 1 and ballots[0]["child_id"] == "jayden", role

        for index in range(cut + 1, len(script)):
            await send(index)
        last = max(reply["seq"] for reply in acked.values())
        for b in everyone:
            assert await b.wait_seq(last), f"{b.name} stopped at {b.seq} of {last}"
        final = await console.request_snapshot()
        assert final["phase"] == "closed"
        assert final["decisions"]["jayden"]["outcome"] == "child_protection_plan"
    finally:
        await asyncio.gather(*(b.close() for b in [*bots.values(), console] if b))
        server.stop()

    log = django_run(env, EVENT_LOG.format(room_id=room["room_id"]))
    assert [seq for seq, *_ in log] == list(range(1, len(log) + 1))
    assert len(log) == last
    recorded = {command_id for _, _, command_id, _ in log}
    assert set(acked) <= recorded, "an acknowledged command is missing from the log"
    ballots = Counter(
        (data["round"], data["role"], data["child_id"])
        for _, kind, _, data in log
        if kind == "VoteCast"
    )
    voters = [s.role for s in script if s.name == "CastVote"]
    assert sorted(role for _, role, _ in ballots) == sorted(voters)
    assert set(ballots.values()) == {1}, "a vote was counted twice"
