"""Partnership analytics: agreement with the answer key by agency, cohort and month."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from simulations.analytics_selectors import Vote, agreement_by, votes
from simulations.models import Room, Seat
from simulations.scoring_services import room_score_if_closed
from tests.simulations.test_scoring_services import closed_room, guidance, room  # noqa: F401

pytestmark = pytest.mark.django_db


def test_agreement_groups_votes() -> None:
    found = [
        Vote("Police", "Nov", "2026-11", "Threshold", True),
        Vote("Police", "Nov", "2026-11", "Threshold", False),
        Vote("Health", "Nov", "2026-11", "Threshold", True),
        Vote("Health", "Nov", "2026-11", "Primary category", False),
    ]
    rows = {
        (r.group, r.rule): (r.agreed, r.total, r.percent) for r in agreement_by(found, "agency")
    }
    assert rows == {
        ("Health", "Primary category"): (0, 1, 0),
        ("Health", "Threshold"): (1, 1, 100),
        ("Police", "Threshold"): (1, 2, 50),
    }
    assert [r.group for r in agreement_by(found, "cohort")] == ["Nov", "Nov"]


def test_scored_conferences_feed_the_analytics_page(closed_room: Room, demo_people) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    assert room_score_if_closed(closed_room.pk) is not None
    found = votes()
    seated = Seat.objects.filter(room=closed_room, user__isnull=False).select_related(
        "user__team__agency"
    )
    agencies = {seat.user.team.agency.name for seat in seated if seat.user.team}
    assert found and {vote.agency for vote in found} <= agencies
    trainer = Client()
    trainer.force_login(demo_people["trainer"])
    body = trainer.get(reverse("partnership_analytics")).content.decode()
    assert "By agency" in body and "Threshold" in body
    delegate = Client()
    delegate.force_login(demo_people["delegate01"])
    assert delegate.get(reverse("partnership_analytics")).status_code == 403
