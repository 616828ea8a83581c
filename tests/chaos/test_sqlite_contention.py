"""B6: an editor publishing pages while conferences run, on one SQLite file.

Four rooms of bots play their conferences on a real server (and, once a
room's script is nearly done, its console pauses and resumes the meeting
over and over) while a separate process publishes a new revision of the
home page as fast as it can for ``PUBLISH_SECONDS`` (four rooms for 20 s;
two rooms for 8 s in the short form, ``CHAOS_SHORT=1``). Both write to the same
SQLite database. With WAL, ``transaction_mode=IMMEDIATE`` and a busy
timeout, writers queue for the lock: nobody may see "database is locked",
no command may come back "not saved", and every acknowledged command must
be in the event log once.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import pytest

from tests.simulations.live_server import ROOT

from .harness import (
    Ledger,
    check_event_log,
    close_rooms,
    log_text,
    play_to_close,
    sized,
    stage,
    start_rooms,
    summary,
)

pytestmark = [pytest.mark.chaos, pytest.mark.slow, pytest.mark.timeout(600)]

ROOMS = sized(4, 2)
PUBLISH_SECONDS = sized(20, 8)
PAUSE_EVERY = 0.25
LOCKED = "database is locked"

PUBLISHER = """
import django, json, sys, time, traceback
django.setup()
from io import StringIO
from django.core.management import call_command
from content.models import HomePage

if not HomePage.objects.exists():
    call_command("seed_pages", stdout=StringIO())
page = HomePage.objects.get()
published, errors = 0, []
print("ready", flush=True)
stop = time.monotonic() + {seconds}
while time.monotonic() < stop:
    try:
        page.refresh_from_db()
        page.intro = f"Revision {{published + 1}} of the home page"
        page.save_revision().publish()
        published += 1
    except Exception as error:
        errors.append(repr(error))
        traceback.print_exc()
print(json.dumps({{"published": published, "errors": errors[:20]}}))
"""


async def test_publishing_pages_while_rooms_vote_never_locks_the_database(
    tmp_path: Path, template: Path
) -> None:
    staged = stage(tmp_path, template, rooms=ROOMS)
    env, server, rooms = staged.env, staged.server, staged.rooms
    ledger = Ledger("b6")
    bots = staged.bots
    publisher = None
    try:
        await start_rooms(rooms)
        publisher = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            PUBLISHER.format(seconds=PUBLISH_SECONDS),
            cwd=ROOT,
            env=env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        assert publisher.stdout is not None
        ready = await asyncio.wait_for(publisher.stdout.readline(), 120)
        assert ready.strip() == b"ready", ready
        finished = asyncio.ensure_future(publisher.communicate())
        began = time.monotonic()

        # Play while the publisher runs, keeping each script's last step for afterwards.
        pauses = await asyncio.gather(
            *(ledger.keep_busy(room, finished.done, pause_every=PAUSE_EVERY) for room in rooms)
        )
        out, err = await finished
        contended = time.monotonic() - began
        await play_to_close(rooms, ledger)
    finally:
        await close_rooms(rooms)
        if publisher is not None and publisher.returncode is None:
            publisher.kill()
            await publisher.wait()
        server.stop()
    (tmp_path / "publisher.log").write_bytes(out + err)
    assert publisher.returncode == 0, err.decode()[-4000:]
    outcome = json.loads(out.decode().strip().splitlines()[-1])
    assert outcome["errors"] == [], outcome["errors"]
    assert outcome["published"] >= 10, "the publisher hardly ran: no contention tested"
    assert LOCKED not in (out + err).decode()
    server_log = log_text(server.log)
    assert LOCKED not in server_log, server_log[-4000:]
    assert "not saved" not in server_log, server_log[-4000:]
    assert sum(b.stats.not_saved for b in bots) == 0
    assert sum(b.stats.errors + b.stats.rejected for b in bots) == 0
    figures = check_event_log(env, rooms, ledger)
    slowest = max(reply["took"] for reply in ledger.replies)
    print(
        summary(
            test="B6",
            sockets=len(bots),
            contended_seconds=round(contended, 1),
            pages_published=outcome["published"],
            pause_resume_rounds=sum(pauses),
            slowest_ack_seconds=round(slowest, 3),
            **figures,
        )
    )
