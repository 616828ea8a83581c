"""Look for real-looking identifiers in what is already stored, and in files.

The guards refuse identifiers as text comes in (``simulations.engine.identifiers``);
this scan finds any that came in before a guard existed, or by another road
(a database restored from elsewhere, a fixture file). It reads:

- every scenario's YAML pack, and the latest revision's pack when it differs;
- delegates' workbook answers and the reports they handed in for marking,
  with markers' comments;
- conference reports (``ReportSubmitted`` events);
- files and folders given to it (``*.yaml``, ``*.yml``, ``*.json``, ``*.py``,
  ``*.txt``, ``*.md``), by default the scenario library.

Guidance and workbook pages are not scanned: they hold the official
documents, which name public organisational contacts.
``settings.THRESHOLD_IDENTIFIER_ALLOWLIST`` lists such texts (exact,
case-insensitive) that the scan accepts, as the guards do.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assessments.models import CriterionMark, ReportSubmission, WorkbookAnswer
from scenarios.identifiers import identifier_allowlist
from scenarios.models import Scenario
from scenarios.schema import library_paths
from simulations.engine.identifiers import IdentifierMatch, find_identifiers, strings_in
from simulations.models import RoomEvent

FILE_SUFFIXES = {".yaml", ".yml", ".json", ".py", ".txt", ".md"}


@dataclass(frozen=True)
class Finding:
    where: str
    match: IdentifierMatch

    @property
    def masked(self) -> str:
        """The identifier with all but its first and last characters hidden."""
        text = self.match.text
        return text if len(text) <= 4 else f"{text[:2]}{'*' * (len(text) - 4)}{text[-2:]}"

    def __str__(self) -> str:
        return f"{self.where}: {self.match.label} {self.masked!r}"


def _scan(where: str, text: str) -> Iterator[Finding]:
    for match in find_identifiers(text, allowed=identifier_allowlist()):
        yield Finding(where, match)


def _scan_value(where: str, value: object) -> Iterator[Finding]:
    for path, text in strings_in(value):
        yield from _scan(f"{where} {path}" if path else where, text)


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def scan_files(paths: Iterable[Path]) -> list[Finding]:
    """Scan files, and the matching files under folders, reporting file and line."""
    findings: list[Finding] = []
    for path in paths:
        files = (
            sorted(p for p in path.rglob("*") if p.suffix in FILE_SUFFIXES)
            if path.is_dir()
            else [path]
        )
        for file in files:
            if "__pycache__" in file.parts or "migrations" in file.parts:
                continue
            text = file.read_text(encoding="utf-8", errors="replace")
            findings.extend(
                Finding(f"{file}:{_line_of(text, f.match.start)}", f.match)
                for f in _scan(str(file), text)
            )
    return findings


def scan_database(counts: Counter[str] | None = None) -> list[Finding]:
    """Scan stored scenarios and reports; count what was read into ``counts``."""
    counts = counts if counts is not None else Counter()
    findings: list[Finding] = []
    for scenario in Scenario.objects.all().iterator():
        counts["scenarios"] += 1
        texts = {"published": scenario.source}
        revision = scenario.latest_revision
        draft = (revision.content or {}).get("source") if revision is not None else None
        if isinstance(draft, str) and draft != scenario.source:
            texts["latest revision"] = draft
        for label, text in texts.items():
            findings.extend(
                Finding(
                    f"scenario {scenario.slug!r} ({label}) line {_line_of(text, f.match.start)}",
                    f.match,
                )
                for f in _scan("", text)
            )
    for answer in WorkbookAnswer.objects.all().iterator():
        counts["workbook answers"] += 1
        findings.extend(
            _scan_value(f"workbook answer {answer.pk} (user {answer.user_id})", answer.value)
        )
    for submission in ReportSubmission.objects.all().iterator():
        counts["report submissions"] += 1
        where = f"report submission {submission.pk} (user {submission.user_id})"
        findings.extend(_scan_value(where, submission.report))
        findings.extend(_scan(f"{where} overall comment", submission.overall_comment))
    for mark in CriterionMark.objects.exclude(comment="").iterator():
        findings.extend(
            _scan(f"report submission {mark.submission_id} marker comment", mark.comment)
        )
    for event in RoomEvent.objects.filter(kind="ReportSubmitted").iterator():
        counts["conference reports"] += 1
        findings.extend(_scan_value(f"room {event.room_id} event {event.seq}", event.data))
    return findings


def default_paths() -> list[Path]:
    """The committed scenario library."""
    return list(library_paths())
