"""Append benchmark results to docs/benchmarks.md, one dated row per result.

Each area of the platform keeps its own ``## <heading>`` section with one
table; ``record_row`` adds a row at the end of that section's table,
creating the file, the section or the table if needed, and leaves every
other section as it was.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "benchmarks.md"
HEADER = (
    "| Date (UTC) | Benchmark | Result | Target | Met | Machine | Command |\n"
    "|---|---|---|---|---|---|---|\n"
)
INTRO = {
    "Live conference": (
        "Conference rooms over real WebSockets: a uvicorn server process (pinned to core 0) "
        "and a separate asyncio load generator (core 1) using `simulations/bots.py`; "
        "loopback only. Latency is measured from the moment the issuing client sends a "
        "command to the moment each receiving socket reads the event (one clock). Targets "
        "T1-T6 are in the perf-reliability notes. *Machine* gives the load average when the "
        "run began: these machines are shared, so read figures as lower bounds.\n"
    )
}


def machine() -> str:
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores, load {load:.1f}"


def record_row(
    section: str,
    *,
    benchmark: str,
    result: str,
    target: str,
    met: str,
    command: str,
    path: Path = DOC,
    when: datetime | None = None,
) -> str:
    """Append one row to ``section``'s table in ``path``; return the row."""
    stamp = (when or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M")
    row = table_row([stamp, benchmark, result, target, met, machine(), f"`{command}`"])

    def add_row(body: str) -> str:
        if HEADER not in body:
            body = body.rstrip("\n") + "\n\n" + HEADER
        return body.rstrip("\n") + "\n" + row

    _edit_section(section, add_row, path)
    return row


def table_row(cells: list[str]) -> str:
    """One Markdown table row; pipes and line breaks in cells are escaped."""
    return "| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in cells) + " |\n"


def record_block(section: str, block: str, *, path: Path = DOC) -> None:
    """Append ``block`` (e.g. a dated sub-heading and its table) at the end of ``section``."""
    _edit_section(section, lambda body: body.rstrip("\n") + "\n\n" + block.strip("\n") + "\n", path)


def _edit_section(section: str, change: Callable[[str], str], path: Path) -> None:
    """Rewrite the body of ``## section`` with ``change``, creating the section if needed."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    heading = f"## {section}\n"
    if heading not in text:
        text = text.rstrip("\n") + f"\n\n{heading}\n{INTRO.get(section, '')}"
    start = text.index(heading) + len(heading)
    following = text.find("\n## ", start)
    end = len(text) if following == -1 else following + 1
    body = change(text[start:end])
    if following != -1:
        body += "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text[:start] + body + text[end:], encoding="utf-8")
