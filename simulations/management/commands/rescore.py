"""Re-score stored conferences from their event logs.

    manage.py rescore [--since YYYY-MM-DD] [--rule-set VERSION] [--force]
        [--workers N] [--no-progress]

Every room with at least one event (held on or after ``--since``) is scored
against the rule set (default: the current one). A room already scored
against that version at its last event is left as it is, so running the
command twice changes nothing; ``--force`` scores such rooms again. An
unknown rule set, or one whose citations do not resolve, is refused before
anything is scored. A progress bar goes to stderr.
"""

from __future__ import annotations

import os
import time
from argparse import ArgumentTypeError
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser, OutputWrapper

from simulations.engine.ruleset import DEFAULT_VERSION, RuleSetError
from simulations.scoring_services import RULE_SETS, UnknownRuleSet, rescore_rooms

MAX_LISTED = 20


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ArgumentTypeError(f"{value!r} is not a date (YYYY-MM-DD)") from error


class ProgressBar:
    """Draw ``[#####-----] 512/1,000  51%  85.3 rooms/s  ETA 6 s`` on one line.

    Redraws in place with a carriage return, at most ten times a second,
    and always on the last room.
    """

    WIDTH = 30

    def __init__(self, stream: OutputWrapper, label: str = "Re-scoring") -> None:
        self.stream = stream
        self.label = label
        self.started = time.monotonic()
        self.first_done: int | None = None
        self.drawn_at = 0.0
        self.drawn = False

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if self.first_done is None:
            self.first_done = done  # rooms skipped as unchanged do not count towards the rate
        if done < total and now - self.drawn_at < 0.1:
            return
        self.drawn_at = now
        self.drawn = True
        end = "\n" if done >= total else ""
        self.stream.write("\r" + self.line(done, total, now - self.started), str, ending=end)
        self.stream.flush()

    def line(self, done: int, total: int, elapsed: float) -> str:
        share = done / total if total else 1.0
        filled = round(self.WIDTH * share)
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        worked = done - (self.first_done or 0)
        rate = worked / elapsed if elapsed > 0 and worked > 0 else 0.0
        if done >= total:
            eta = f"in {elapsed:.1f} s"
        elif rate:
            eta = f"ETA {(total - done) / rate:.0f} s"
        else:
            eta = "ETA --"
        return (
            f"{self.label} [{bar}] {done:,}/{total:,} {share:4.0%}  {rate:6.1f} rooms/s  {eta}   "
        )


class Command(BaseCommand):
    help = "Re-score stored conferences from their event logs against a rule set."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since", type=_date, help="Only conferences held on or after this date (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--rule-set",
            dest="rule_set",
            default=DEFAULT_VERSION,
            help=f"The rule set version to score against (default {DEFAULT_VERSION}; "
            f"known: {', '.join(sorted(RULE_SETS))}).",
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Score again rooms already scored against this version at their last event.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=min(2, os.cpu_count() or 1),
            help="Processes to score in (default: up to 2, one per core).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Draw no progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["workers"] < 1:
            raise CommandError("--workers must be 1 or more.")
        bar = None if options["no_progress"] else ProgressBar(self.stderr)
        started = time.monotonic()
        try:
            report = rescore_rooms(
                since=options["since"],
                ruleset_version=options["rule_set"],
                progress=bar,
                force=options["force"],
                workers=options["workers"],
            )
        except UnknownRuleSet as error:
            raise CommandError(str(error)) from error
        except RuleSetError as error:
            raise CommandError(
                f"Rule set {options['rule_set']} cannot be used:\n"
                + "\n".join(f"- {problem}" for problem in error.problems)
            ) from error
        elapsed = time.monotonic() - started
        self.stdout.write(
            f"{report.total} room(s) with events: {report.scored} scored, "
            f"{report.unchanged} already scored against {options['rule_set']}, "
            f"{len(report.refused)} refused ({report.not_closed} never closed; "
            f"{report.workers} worker(s), {elapsed:.1f} s)."
        )
        for room_id, message in report.refused[:MAX_LISTED]:
            self.stderr.write(f"Room {room_id}: {message}")
        if len(report.refused) > MAX_LISTED:
            self.stderr.write(f"... and {len(report.refused) - MAX_LISTED} more.")
        if report.refused:
            raise CommandError(f"{len(report.refused)} room(s) could not be scored.")
        self.stdout.write(self.style.SUCCESS("Re-scoring finished."))
