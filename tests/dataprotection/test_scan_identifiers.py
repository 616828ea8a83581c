"""manage.py scan_identifiers: committed fixtures and the demo data are clean; planted identifiers are found."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

from accounts.models import User
from assessments.models import WorkbookAnswer
from simulations.playback import play
from tests.simulations.rooms import open_room

ROOT = Path(__file__).resolve().parents[2]
# Everything committed that seeds data: the scenario library and the seeding code.
REPOSITORY_SEEDS = [
    ROOT / "scenarios" / "data",
    ROOT / "content" / "demo",
    *sorted(ROOT.glob("*/management/commands")),
]


def test_no_committed_fixture_or_seed_carries_a_real_identifier() -> None:
    out = StringIO()
    call_command("scan_identifiers", path=REPOSITORY_SEEDS, no_db=True, stdout=out)
    assert "No real-looking identifiers" in out.getvalue()


def test_a_planted_identifier_in_a_file_is_found_by_line(tmp_path: Path) -> None:
    fixture = tmp_path / "case.yaml"
    fixture.write_text("title: x\nsummary: Mum's NHS number is 943 476 5919.\n", encoding="utf-8")
    out = StringIO()
    with pytest.raises(CommandError, match="1 real-looking identifier"):
        call_command("scan_identifiers", path=[tmp_path], no_db=True, stdout=out)
    assert f"{fixture}:2: NHS number '94********19'" in out.getvalue()
    assert "943 476 5919" not in out.getvalue()  # the output masks what it found


def test_a_missing_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="No such file or folder"):
        call_command("scan_identifiers", path=[tmp_path / "nope"], no_db=True)


@pytest.mark.slow
@pytest.mark.django_db
def test_the_demo_data_scans_clean_and_stored_identifiers_are_found() -> None:
    call_command("seed_demo", seed=7, stdout=StringIO())
    play(open_room())  # a whole scripted conference: nine agencies' reports
    out = StringIO()
    call_command("scan_identifiers", stdout=out)
    text = out.getvalue()
    assert "No real-looking identifiers in" in text and "and the database" in text
    scanned = {
        name: int(count)
        for count, name in (
            part.split(" ", 1) for part in text.split("Scanned ", 1)[1].split(".")[0].split(", ")
        )
    }
    assert scanned["scenarios"] >= 6
    assert scanned["conference reports"] >= 5

    # An answer stored before the guard existed (straight into the table).
    person = User.objects.get(username="delegate01")
    answer = WorkbookAnswer.objects.create(
        user=person,
        page=Page.objects.filter(depth__gt=1).first(),
        block_id="old",
        kind="report",
        value={"fields": {"about.agency": "Call me on 01534 123456"}},
    )
    out = StringIO()
    with pytest.raises(CommandError, match="1 real-looking identifier"):
        call_command("scan_identifiers", stdout=out)
    assert (
        f"workbook answer {answer.pk} (user {person.pk}) fields.about.agency: telephone number"
        in out.getvalue()
    )
