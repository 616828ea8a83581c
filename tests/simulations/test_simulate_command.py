"""``simulate_conference`` plays a whole room against a real uvicorn server."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.simulations.live_server import (
    Server,
    copy_sqlite,
    free_port,
    manage,
    seeded_template,
    server_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seeded_template(tmp_path_factory)


def test_nine_bots_play_a_conference_to_the_close(tmp_path: Path, template: Path) -> None:
    var = tmp_path / "var"
    copy_sqlite(template, var)
    env = server_env(var)
    server = Server(env=env, port=free_port(), log=tmp_path / "server.log")
    server.start()
    try:
        output = manage(
            env,
            "simulate_conference",
            "--scenario",
            "jayden-physical-abuse",
            "--delegates",
            "9",
            "--url",
            server.url,
            "--seminar-date",
            "2026-12-03",
        )
    finally:
        server.stop()
    room = next(line for line in output.splitlines() if line.startswith("Room 1 "))
    assert "phase closed" in room, output
    assert "decisions jayden: child_protection_plan (physical)" in room
    assert "over 10 sockets" in room  # nine seats and the trainer's console
    assert "sequence contiguous" in room
    assert "1 of 1 room(s) reached closed." in output
