"""Re-scoring benchmark: 1,000 stored conferences from their event logs.

Target (issue: scorecards and re-scoring, F3): ``manage.py rescore`` over
1,000 stored conferences in under 60 s on two cores, with a progress bar.

The rooms are made cheaply: one Jayden conference is played to the close
through the services (with a revote, so the record has two rounds), then
its event log is copied into 999 more rooms. The database is a real SQLite
file, as ``make run`` uses, so ``rescore`` can score in two processes; the
figure is the command's wall time, start-up included. Run with ``make
bench``; figures are printed and kept in docs/benchmarks.md.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = 1000
TARGET_S = 60

MAKE_ROOMS = f"""
from datetime import date
from django.db import transaction
from accounts.models import User
from scenarios.selectors import scenario_get
from simulations import services
from simulations.engine.vocabulary import Role
from simulations.models import Room, RoomEvent
from simulations.playback import play

trainer = User.objects.get(username="trainer")
seminar = services.seminar_create(trainer=trainer, title="Bench", date=date(2026, 12, 3))
room = services.room_open(seminar=seminar, scenario=scenario_get(slug="jayden-physical-abuse"), name="Room 0")
roles = [Role.CHAIR, Role.LEAD_SOCIAL_WORKER, Role.HEALTH_VISITOR, Role.DESIGNATED_TEACHER,
         Role.POLICE, Role.GP, Role.HOUSING, Role.PARENT, Role.CHILDS_ADVOCATE]
for number, role in enumerate(roles, start=1):
    services.seat_join(room=room, user=User.objects.get(username=f"delegate{{number:02d}}"), role=role)
play(room, revote=True)
events = list(RoomEvent.objects.filter(room=room).order_by("seq"))
with transaction.atomic():
    copies = Room.objects.bulk_create(
        Room(seminar=seminar, name=f"Room {{n}}", scenario=room.scenario,
             scenario_revision_id=room.scenario_revision_id, setup=room.setup,
             seq=room.seq, phase=room.phase)
        for n in range(1, {ROOMS})
    )
    for copy in copies:
        copy.setup = {{**room.setup, "room_id": str(copy.pk)}}
    Room.objects.bulk_update(copies, ["setup"], batch_size=500)
    RoomEvent.objects.bulk_create(
        (RoomEvent(room=copy, seq=e.seq, kind=e.kind, data=e.data, command_id=e.command_id, user_id=e.user_id)
         for copy in copies for e in events),
        batch_size=2000,
    )
print(Room.objects.filter(seq__gt=0).count(), room.seq)
"""


@dataclass
class Run:
    stdout: str
    stderr: str  # as written: the progress bar's carriage returns are kept
    wall: float
    cpu: float  # user + system seconds of the command and its worker processes


def manage(env: dict[str, str], *args: str, timeout: int = 900) -> Run:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        check=False,
        timeout=timeout,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stdout, stderr = result.stdout.decode(), result.stderr.decode()
    assert result.returncode == 0, f"manage.py {' '.join(args)}:\n{stdout}\n{stderr}"
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return Run(stdout=stdout, stderr=stderr, wall=wall, cpu=cpu)


@pytest.mark.slow
@pytest.mark.timeout(1800)
def test_rescore_1000_stored_conferences(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "THRESHOLD_VAR_DIR": str(tmp_path),
        "SQLITE_PATH": str(tmp_path / "bench.sqlite3"),
        "DATABASE_URL": "",
        "REDIS_URL": "",
    }
    manage(env, "migrate", "--noinput")
    for command in ("seed_people", "seed_pages", "seed_guidance", "load_scenarios"):
        manage(env, command)
    rooms, events = manage(env, "shell", "-c", MAKE_ROOMS).stdout.split()[-2:]
    assert int(rooms) == ROOMS

    load = os.getloadavg()[0]
    # --force: the played room may have been scored already when it closed
    # (the scoring task runs on commit), and every room is to be timed.
    result = manage(env, "rescore", "--force")
    assert f"{ROOMS} room(s) with events: {ROOMS} scored" in result.stdout, result.stdout
    assert "\r" in result.stderr and f"{ROOMS:,}/{ROOMS:,}" in result.stderr
    bar = result.stderr.rstrip("\n").rsplit("\r", 1)[-1].strip()

    unchanged = manage(env, "rescore", "--no-progress")
    assert f"0 scored, {ROOMS} already scored" in unchanged.stdout

    single = manage(env, "rescore", "--force", "--workers", "1", "--no-progress")

    cores = os.cpu_count() or 1
    print(
        f"\nrescore, {ROOMS} stored conferences of {events} events each, 2 workers: "
        f"{result.wall:.1f} s wall, {result.cpu:.1f} s CPU "
        f"(target < {TARGET_S} s on two cores; load average {load:.1f} on {cores} cores)\n"
        f"  last progress line: {bar}\n"
        f"  {result.stdout.strip().splitlines()[0]}\n"
        f"rescore again, nothing to do: {unchanged.wall:.1f} s wall\n"
        f"rescore --force --workers 1: {single.wall:.1f} s wall, {single.cpu:.1f} s CPU"
    )
    if load < cores:
        assert result.wall < TARGET_S
    else:
        # Other work holds the cores: the wall time measures it, not us. Two
        # idle cores would share the CPU seconds the run needed.
        print(f"  machine busy: judged on CPU seconds over two cores ({result.cpu / 2:.1f} s)")
        assert result.cpu / 2 < TARGET_S
