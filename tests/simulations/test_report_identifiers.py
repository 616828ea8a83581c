"""A conference report with a real-looking identifier is refused before anything is stored."""

from __future__ import annotations

import pytest

from accounts.models import User
from simulations.engine.commands import RejectionCode
from simulations.models import RoomEvent
from simulations.services import room_command_apply
from tests.simulations.rooms import open_room

pytestmark = pytest.mark.django_db


def test_report_with_a_national_insurance_number_is_refused(
    demo_people: dict[str, User], citations_resolve: None
) -> None:
    room = open_room()
    gp = User.objects.get(username="delegate06")
    result = room_command_apply(
        room_id=room.pk,
        user=gp,
        name="SubmitReport",
        args={"sections": {"worries": "Dad's NI number is AB 12 34 56 C."}},
        command_id="c1",
    )
    assert result.rejection is not None
    assert result.rejection.code is RejectionCode.REAL_IDENTIFIER
    assert "real National Insurance number" in result.rejection.message
    assert "'worries'" in result.rejection.message
    assert not RoomEvent.objects.filter(room=room).exists()
    room.refresh_from_db()
    assert room.seq == 0

    accepted = room_command_apply(
        room_id=room.pk,
        user=gp,
        name="SubmitReport",
        args={"sections": {"worries": "Dad missed two appointments."}},
        command_id="c2",
    )
    assert accepted.rejection is None
    assert list(RoomEvent.objects.filter(room=room).values_list("kind", flat=True)) == [
        "ReportSubmitted"
    ]


def test_a_report_may_quote_an_allowlisted_contact(
    demo_people: dict[str, User], citations_resolve: None, settings
) -> None:
    settings.THRESHOLD_IDENTIFIER_ALLOWLIST = ["safeguardingtraining@gov.je"]
    room = open_room()
    result = room_command_apply(
        room_id=room.pk,
        user=User.objects.get(username="delegate06"),
        name="SubmitReport",
        args={"sections": {"worries": "Training asked at SafeguardingTraining@gov.je."}},
        command_id="c1",
    )
    assert result.rejection is None
