"""A subject-access export holds everything about one person and nothing about anyone else."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from wagtail.models import Page

from accounts.models import User
from assessments.models import (
    AuditAction,
    AuditLog,
    Certificate,
    Evidence,
    EvidenceKind,
    MarkingRubric,
    ReportSubmission,
    WorkbookAnswer,
)
from audit.models import AuditEntry
from simulations.models import RoomEvent
from simulations.services import room_command_apply
from tests.simulations.rooms import open_room

pytestmark = pytest.mark.django_db


def seed_person(person: User, marker: str, page: Page, rubric: MarkingRubric) -> None:
    """Give ``person`` one record of every kind, each carrying ``marker``."""
    WorkbookAnswer.objects.create(
        user=person,
        page=page,
        block_id="q",
        kind="text",
        value={"answers": {"q1": f"{marker} answer"}},
    )
    ReportSubmission.objects.create(
        user=person,
        page=page,
        workbook=page,
        block_id="report",
        report={"fields": {"about.agency": f"{marker} submitted report"}},
        rule_set_version="1",
        rubric=rubric,
    )
    Evidence.objects.create(
        user=person,
        kind=EvidenceKind.EXTERNAL_TRAINING,
        title=f"{marker} evidence",
        occurred_on=date(2026, 5, 1),
    )
    Certificate.objects.create(
        user=person,
        number=f"{marker[:3]}-0001",
        title=f"{marker} certificate",
        issued_on=date(2026, 6, 1),
    )


@pytest.fixture
def people(demo_people: dict[str, User], citations_resolve: None) -> tuple[User, User]:
    amira, ben = demo_people["delegate02"], demo_people["delegate03"]
    page = Page.objects.filter(depth__gt=1).first()
    rubric = MarkingRubric.objects.create(slug="r", title="Rubric")
    seed_person(amira, "AMIRA-MARK", page, rubric)
    seed_person(ben, "BEN-MARK", page, rubric)
    room = open_room()  # delegate02 is the lead social worker, delegate03 the health visitor
    for person, marker in ((amira, "AMIRA-MARK"), (ben, "BEN-MARK")):
        result = room_command_apply(
            room_id=room.pk,
            user=person,
            name="SubmitReport",
            args={"sections": {"worries": f"{marker} conference report"}},
            command_id=f"{marker}-report",
        )
        assert result.rejection is None, result.rejection
        RoomEvent.objects.create(
            room=room,
            seq=room.seq + 100 + person.pk,
            kind="VoteCast",
            data={"rationale": f"{marker} vote"},
            command_id=f"{marker}-vote",
            user=person,
        )
    manager = demo_people["manager"]
    AuditLog.objects.create(
        actor=manager, action=AuditAction.VIEW, what="Competency record", subject=amira
    )
    AuditLog.objects.create(
        actor=amira,
        action=AuditAction.VIEW,
        what="Competency record of BEN-MARK",
        subject=ben,
        detail={"name": "BEN-MARK"},
    )
    return amira, ben


def unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def test_the_export_holds_a_and_nothing_of_b(people: tuple[User, User], tmp_path: Path) -> None:
    amira, ben = people
    out = tmp_path / "amira.zip"
    stdout = StringIO()
    call_command("subject_access_export", amira.username, out=out, stdout=stdout)
    assert f"Wrote {out}" in stdout.getvalue()
    files = unzip(out.read_bytes())
    for name in (
        "README.txt",
        "profile.json",
        "seats.json",
        "seats.csv",
        "room_events.json",
        "conference_reports.csv",
        "conference_votes.json",
        "workbook_answers.json",
        "report_submissions.json",
        "evidence.csv",
        "certificates.json",
        "competency_status.json",
        "audit_entries.json",
    ):
        assert name in files, name
    profile = json.loads(files["profile.json"])
    assert (profile["username"], profile["email"]) == (amira.username, amira.email)
    assert "password" not in files["profile.json"]
    assert [s["role"] for s in json.loads(files["seats.json"])] == ["lead_social_worker"]
    assert "AMIRA-MARK conference report" in files["conference_reports.json"]
    assert "AMIRA-MARK vote" in files["conference_votes.json"]
    assert "AMIRA-MARK answer" in files["workbook_answers.json"]
    assert "AMIRA-MARK submitted report" in files["report_submissions.json"]
    assert "AMIRA-MARK evidence" in files["evidence.json"]
    assert "AMIRA-MARK certificate" in files["certificates.csv"]
    rows = list(csv.DictReader(io.StringIO(files["conference_reports.csv"])))
    assert [r["kind"] for r in rows] == ["ReportSubmitted"]
    assert json.loads(rows[0]["data"])["sections"]["worries"] == "AMIRA-MARK conference report"
    audit = json.loads(files["audit_entries.json"])
    competency_log = [a for a in audit if a["source"] == "assessments.AuditLog"]
    assert [(a["about_you"], a["by_you"]) for a in competency_log] == [
        (True, False),
        (False, True),
    ]
    # The chained log's entries about her (her account was created, for one)
    # are there too, and every chained entry is about her or by her.
    chained = [a for a in audit if a["source"] == "audit.AuditEntry"]
    assert any(a["about_you"] for a in chained)
    assert all(a["about_you"] or a["by_you"] for a in chained)
    assert json.loads(files["competency_status.json"])["outcomes"]["status"]

    everything = "\n".join(files.values())
    for trace in ("BEN-MARK", ben.username, ben.email, ben.get_full_name()):
        assert trace not in everything, trace
    # The export is itself recorded, as a subject-access export and not as
    # a competency one.
    recorded = AuditEntry.objects.get(action="subject_access.export")
    assert (recorded.actor_id, recorded.object_id, recorded.outcome) == (
        None,
        str(amira.pk),
        "success",
    )
    assert recorded.details["via"] == "command"
    assert not AuditEntry.objects.filter(action="competency.export").exists()
    assert not AuditLog.objects.filter(action=AuditAction.EXPORT).exists()


def test_unknown_person_and_existing_file_are_refused(
    people: tuple[User, User], tmp_path: Path
) -> None:
    with pytest.raises(CommandError, match="nobody with the username 'nobody'"):
        call_command("subject_access_export", "nobody", out=tmp_path / "x.zip")
    existing = tmp_path / "exists.zip"
    existing.write_bytes(b"keep me")
    with pytest.raises(CommandError, match="pass --force"):
        call_command("subject_access_export", people[0].username, out=existing)
    assert existing.read_bytes() == b"keep me"
    assert not AuditEntry.objects.filter(action="subject_access.export").exists()


def test_admin_page_is_for_staff_administrators_only(
    people: tuple[User, User], demo_people: dict[str, User]
) -> None:
    amira, ben = people
    url = "/django-admin/subject-access/"
    assert Client().get(url).status_code == 302  # to the admin sign-in

    editor = demo_people["editor"]
    editor.is_staff = True
    editor.save()
    client = Client()
    client.force_login(editor)
    assert client.post(url, {"username": ben.username}).status_code == 403
    assert AuditEntry.objects.filter(
        actor_id=editor.pk, action="subject_access.export", outcome="refused"
    ).exists()

    admin = demo_people["admin"]
    admin.is_staff = True
    admin.save()
    client.force_login(admin)
    page = client.get(url)
    assert page.status_code == 200 and "Download the export" in page.content.decode()
    missing = client.post(url, {"username": "nobody"})
    assert missing.status_code == 422
    assert "There is nobody with the username" in missing.content.decode()
    response = client.post(url, {"username": ben.username})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert f"subject-access-{ben.username}-" in response["Content-Disposition"]
    files = unzip(response.content)
    assert "BEN-MARK evidence" in files["evidence.json"]
    assert "AMIRA-MARK" not in "\n".join(files.values())
    assert AuditEntry.objects.filter(
        actor_id=admin.pk, action="subject_access.export", object_id=str(ben.pk)
    ).exists()


def test_the_export_reads_scores_in_the_same_queries_however_many_rooms(
    demo_people: dict[str, User], citations_resolve: None
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dataprotection.subject_access import subject_access_sections
    from simulations.models import RoomScore

    def scored_room(name: str) -> None:
        room = open_room(name=name)
        totals = {"roles": {"lead_social_worker": {"points": 3, "max_points": 5}}}
        RoomScore.objects.create(
            room=room, rule_set_version="1", seq=0, phase="closed", scorecard={}, totals=totals
        )

    def queries() -> tuple[int, int]:
        amira = User.objects.get(username="delegate02")  # nothing cached on it
        with CaptureQueriesContext(connection) as captured:
            sections = subject_access_sections(amira)
        return len(captured.captured_queries), len(sections["conference_scores"])

    scored_room("Room A")
    one = queries()
    for name in ("Room B", "Room C", "Room D"):
        scored_room(name)
    many = queries()
    assert (one[1], many[1]) == (1, 4)
    assert many[0] == one[0]
