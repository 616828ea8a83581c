"""Team competency records as CSV and XLSX, one row per person.

Cells that a spreadsheet would run as a formula (starting ``=``, ``+``,
``-``, ``@``) are prefixed with an apostrophe (OWASP's CSV injection advice).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from assessments.competency_selectors import PersonRow
from assessments.rules import Status

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
HEADERS = (
    "Name",
    "Username",
    "Agency",
    "Team",
    "Job title",
    "Status",
    "Expires on",
    "CPD hours",
    "Participatory hours",
    "Competencies held",
    "Competencies",
)
HELD = {Status.COMPETENT, Status.EXPIRING}


def _safe(value: object) -> object:
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def row_values(row: PersonRow) -> tuple[object, ...]:
    person, record = row.person, row.record
    team = person.team
    held = sum(1 for j in record.judgements if j.status in HELD)
    return tuple(
        _safe(value)
        for value in (
            person.display_name,
            person.username,
            team.agency.name if team else "",
            team.name if team else "",
            person.job_title,
            record.status.label,
            record.expires_on.isoformat() if record.expires_on else "",
            float(record.hours.total),
            float(record.hours.participatory),
            f"{held} of {len(record.judgements)}",
            "; ".join(f"{j.code}: {j.status.label}" for j in record.judgements),
        )
    )


def rows_csv(rows: Iterable[PersonRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(row_values(row) for row in rows)
    return buffer.getvalue()


def rows_xlsx(rows: Sequence[PersonRow]) -> bytes:
    from openpyxl import Workbook  # imported here: only exports need it

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Team competency")
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row_values(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
