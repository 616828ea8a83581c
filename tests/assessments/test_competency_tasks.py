"""Expiry reminders: to the person and their managers, once per expiry date."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import PlatformRole
from assessments.tasks import competency_reminders_send
from tests.assessments.competency_helpers import competent, framework, manager_of, member, teams

pytestmark = pytest.mark.django_db


def test_reminders_go_to_the_person_and_their_managers_once() -> None:
    outcome = framework()
    team_a, team_b, team_c = teams()
    amira = member("amira", team_a)
    ben = member("ben", team_b)
    manager_of(team_a, "boss.a")
    manager_of(team_b, "boss.agency", agency=True)
    manager_of(team_c, "boss.c", agency=True)
    member("trainer", team_a, PlatformRole.TRAINER)
    competent(amira, outcome, date(2023, 12, 20))  # expires 20 December 2026
    competent(ben, outcome, date(2025, 12, 20))  # competent for another year
    result = competency_reminders_send.enqueue("2026-11-23")
    assert result.return_value == 1
    assert [m.to for m in mail.outbox] == [
        ["amira@example.test"],
        ["boss.a@example.test", "boss.agency@example.test"],
    ]
    assert "20 December 2026" in mail.outbox[0].body
    assert competency_reminders_send.enqueue("2026-11-24").return_value == 0
    assert len(mail.outbox) == 2


def test_the_command_enqueues_the_task() -> None:
    out = StringIO()
    call_command("send_competency_reminders", stdout=out)
    assert "Reminders queued" in out.getvalue()
