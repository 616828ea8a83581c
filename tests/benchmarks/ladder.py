"""The load ladder of ``make bench``: one dated table for A1-A5 and A7.

The benchmarks that make up the ladder (perf-reliability notes, section 9 A)
each hand their verdict and latency curves to :func:`add`; at the end of the
pytest session (``conftest.py``) :func:`write` appends one dated sub-section
to "Load ladder (make bench)" in docs/benchmarks.md, with one row per test
id, and draws the p95 latency of every curve against offered load to
docs/images/load-ladder-<date>.png, linked from it. A test that did not
report (deselected, or failed before its verdict) keeps its row, marked as
not measured in this run, so a run never looks more complete than it was.
The detailed rows stay in each area's own section.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from tests.benchmarks.plot import PALETTE, Series, line_chart
from tests.benchmarks.record import DOC, machine, record_block, table_row

SECTION = "Load ladder (make bench)"
TESTS = {
    "A1": "Held sockets",
    "A2": "Fan-out ladder, with stock Channels (InMemoryChannelLayer) as the baseline",
    "A3": "Vote integrity",
    "A4": "Page load (wrk), ASGI against WSGI",
    "A5": "Mixed: fan-out at T2 load with pages at 100 req/s",
    "A7": "Scale-out: PostgreSQL + Redis, 2 workers",
}
KNOBS = (
    "BENCH_SECONDS",
    "BENCH_HOLD_SECONDS",
    "BENCH_PAGE_SECONDS",
    "BENCH_MIXED_SECONDS",
    "BENCH_FANOUT_RATES",
    "BENCH_VOTE_RATES",
    "BENCH_ROOMS",
    "BENCH_PER_ROOM",
)


@dataclass(frozen=True)
class Row:
    result: str
    target: str
    met: str


ROWS: dict[str, Row] = {}
# name -> (offered load as a share of its target load, p95 ms) per step
CURVES: dict[str, list[tuple[float, float]]] = {}
STARTED = datetime.now(UTC)
LOAD_AT_START = machine()


def add(
    test_id: str,
    *,
    result: str,
    target: str,
    met: str,
    curves: dict[str, list[tuple[float, float]]] | None = None,
    target_load: float = 1.0,
) -> None:
    """Record the verdict of ``test_id`` (one of :data:`TESTS`) for this run.

    ``curves`` are latency curves for the chart, by name: (offered load, p95
    ms) per step, in the unit of ``target_load`` (the load the target names).
    """
    assert test_id in TESTS, test_id
    ROWS[test_id] = Row(result=result, target=target, met=met)
    for name, points in (curves or {}).items():
        CURVES[name] = [(load / target_load, p95) for load, p95 in points]


def write(exit_status: int, arguments: Sequence[str] = ()) -> None:
    """Append this run's table (and chart) to docs/benchmarks.md, if any ladder test reported.

    ``arguments`` are pytest's command-line arguments, shown with the knobs set.
    """
    if not ROWS:
        return
    stamp = STARTED.strftime("%Y-%m-%d %H:%M")
    knobs = [f"{knob}={os.environ[knob]}" for knob in KNOBS if os.environ.get(knob)]
    command = " ".join([*knobs, ".venv/bin/python -m pytest", shlex.join(arguments)])
    lines = [
        f"### Run of {stamp} UTC",
        "",
        f"{LOAD_AT_START} when it began; pytest exit status {exit_status} (0: every benchmark "
        f"passed its correctness assertions); command: `{command}` (`make bench` runs "
        "`pytest tests/benchmarks -p no:randomly -s`).",
        "",
        "| Test | What | Result | Target | Met |",
        "|---|---|---|---|---|",
    ]
    for test_id, what in TESTS.items():
        row = ROWS.get(
            test_id, Row("not measured in this run (deselected, or failed first)", "", "-")
        )
        lines.append(table_row([test_id, what, row.result, row.target, row.met]).rstrip("\n"))
    if CURVES:
        chart = DOC.parent / "images" / f"load-ladder-{STARTED:%Y-%m-%d-%H%M}.png"
        series = [
            Series(name, points, PALETTE[index % len(PALETTE)])
            for index, (name, points) in enumerate(CURVES.items())
        ]
        line_chart(
            chart,
            series,
            title=f"Load ladder {stamp} UTC: p95 latency against offered load",
            x_label="offered load / target load (1 = T2 5,000 deliveries/s; T4 400 votes/s; "
            "A7 3,000/s a worker)",
            y_label="p95 latency (ms, log scale)",
        )
        lines += ["", f"![p95 latency against offered load, run of {stamp}](images/{chart.name})"]
    record_block(SECTION, "\n".join(lines))
