"""Scorecard and debrief pages and PDFs: who sees what, and every cited paragraph is live."""

from __future__ import annotations

import html
import re
from io import StringIO
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import PlatformRole, User
from content.guidance_selectors import guidance_cache_forget
from simulations.models import Room, RoomScore
from simulations.panels import room_context_clear
from simulations.playback import play
from simulations.scoring_services import room_score
from simulations.selectors import room_state_cache_clear
from tests.simulations.rooms import open_room

pytestmark = pytest.mark.django_db

CITATION_LINK = re.compile(r'<a class="govuk-link" href="([^"]+)" data-citation="([^"]+)"')


@pytest.fixture
def room(demo_people) -> Room:  # type: ignore[no-untyped-def]
    """A Jayden room played to the close and scored, citing the real demo guidance.

    delegate01..09 sit in the nine seats (delegate06 is the GP, delegate07
    the police officer).
    """
    call_command("seed_guidance", stdout=StringIO())
    guidance_cache_forget()
    cache.clear()
    room_context_clear()
    room_state_cache_clear()
    room = play(open_room())
    room_score(room=room)
    yield room
    guidance_cache_forget()


def client_for(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def page(client: Client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return html.unescape(response.content.decode())


def scorecard_url(room: Room, role: str = "") -> str:
    url = reverse("room_scorecard", args=[room.join_code])
    return f"{url}?role={role}" if role else url


# Who sees what ------------------------------------------------------------------


def test_a_delegate_sees_their_own_findings_and_the_rooms_results(room: Room) -> None:
    text = page(client_for("delegate06"), scorecard_url(room))
    assert "Your scorecard" in text and "You played" in text
    assert 'id="card-gp"' in text
    assert not re.search(r'id="card-(police|chair|health_visitor)"', text)
    for area in ("Decision", "Report", "Sharing"):
        assert f'id="card-gp-{area.lower()}"' in text, area
    assert "Scored against rule set 2026.1" in text
    assert "Procedures summary, the version in force from 1 September 2025" in text
    assert "Read paragraph" in text
    assert "The room's results" in text and "How far the professionals agreed" in text
    assert "What the conference decided" in text
    assert ' style="' not in text, "the CSP forbids inline styles"


def test_another_delegates_scorecard_is_refused(room: Room) -> None:
    gp = client_for("delegate06")
    page(gp, scorecard_url(room, "police"), status=403)
    page(gp, scorecard_url(room, "gp"))
    page(gp, scorecard_url(room, "nobody"), status=404)
    page(gp, reverse("room_scorecard_pdf", args=[room.join_code]) + "?role=police", status=403)
    outsider = client_for("delegate10")
    page(outsider, scorecard_url(room), status=403)
    page(outsider, reverse("room_scorecard_pdf", args=[room.join_code]), status=403)
    anonymous = Client().get(scorecard_url(room))
    assert anonymous.status_code == 302 and "/sign-in/" in anonymous["Location"]
    page(gp, reverse("room_scorecard", args=["QQQQQQ"]), status=404)


def test_the_trainer_sees_every_role_and_the_room(room: Room) -> None:
    trainer = client_for("trainer")
    text = page(trainer, scorecard_url(room))
    for role in (
        "chair",
        "lead_social_worker",
        "gp",
        "police",
        "parent",
        "childs_advocate",
        "room",
    ):
        assert f'id="card-{role}"' in text, role
    assert "Points by role" in text
    one = page(trainer, scorecard_url(room, "police"))
    assert 'id="card-police"' in one and 'id="card-gp"' not in one


def test_only_the_rooms_trainer_sees_the_debrief(room: Room) -> None:
    url = reverse("room_debrief", args=[room.join_code])
    page(client_for("trainer"), url)
    page(client_for("admin"), url)
    page(client_for("delegate01"), url, status=403)  # the chair
    other = User.objects.create_user(username="trainer.two", password="x")
    other.groups.add(Group.objects.get(name=PlatformRole.TRAINER.value))
    page(client_for("trainer.two"), url, status=403)
    page(client_for("trainer.two"), reverse("room_debrief_pdf", args=[room.join_code]), status=403)
    response = client_for("delegate01").post(reverse("room_score_now", args=[room.join_code]))
    assert response.status_code == 403


# Every citation is a live paragraph ------------------------------------------------


def follow_citations(text: str) -> set[str]:
    """Follow every cited paragraph link in ``text``; return the keys seen."""
    links = CITATION_LINK.findall(text)
    assert links, "the page cites no paragraph"
    reader = Client()
    keys = set()
    for href, key in set(links):
        parts = urlsplit(href)
        anchor = parts.fragment
        assert anchor and key.endswith(f":{anchor}"), (href, key)
        response = reader.get(parts.path, follow=True)
        assert response.status_code == 200, (href, response.status_code)
        assert f'id="{anchor}"' in response.content.decode(), (href, "anchor missing")
        keys.add(key)
    return keys


def test_every_citation_in_every_finding_resolves_to_a_live_paragraph(room: Room) -> None:
    score = RoomScore.objects.get(room=room)
    cited = {key for f in score.scorecard["findings"] for key in f["citations"]}
    shown = follow_citations(page(client_for("trainer"), scorecard_url(room)))
    assert shown == cited
    mine = {
        key
        for f in score.scorecard["findings"]
        if f["subject"] in ({"kind": "role", "id": "gp"}, {"kind": "room", "id": str(room.pk)})
        or f["subject"]["kind"] == "child"
        for key in f["citations"]
    }
    assert follow_citations(page(client_for("delegate06"), scorecard_url(room))) == mine


def test_a_citation_that_no_longer_resolves_is_shown_without_a_link(room: Room) -> None:
    score = RoomScore.objects.get(room=room)
    card = score.scorecard
    card["findings"][0]["citations"] = ["guidance:procedures-summary:para-999"]
    RoomScore.objects.filter(pk=score.pk).update(scorecard=card)
    text = page(client_for("trainer"), scorecard_url(room))
    assert (
        "guidance:procedures-summary:para-999 (not found in the guidance in force on 3 December 2026)"
        in text
    )


# Before scoring, and an abandoned room ------------------------------------------


def test_before_a_score_delegates_wait_and_the_trainer_can_score(demo_people) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_guidance", stdout=StringIO())
    guidance_cache_forget()
    room_context_clear()
    room_state_cache_clear()
    room = open_room()
    play(room, until=lambda step: step.name == "GiveSummary")
    text = page(client_for("delegate06"), scorecard_url(room))
    assert "appears here when the conference closes" in text
    trainer = client_for("trainer")
    debrief = page(trainer, reverse("room_debrief", args=[room.join_code]))
    assert "This room has not been scored: its conference has not closed" in debrief
    assert "Replay the conference" in debrief and "Answer key and rationale" in debrief
    response = trainer.post(
        reverse("room_score_now", args=[room.join_code]), {"next": "scorecard"}, follow=True
    )
    assert response.redirect_chain[-1][0] == scorecard_url(room)
    text = html.unescape(response.content.decode())
    assert "Steps it never reached are not assessable" in text
    assert "Not assessable" in text and "stopped at “The chair's summary”" in text
    gp = page(client_for("delegate06"), scorecard_url(room))
    assert "Not assessable" in gp and "the steps it never reached are not assessable" in gp


# The debrief ------------------------------------------------------------------------


def test_the_debrief_replays_every_event_and_charts_the_votes(room: Room) -> None:
    text = page(client_for("trainer"), reverse("room_debrief", args=[room.join_code]))
    assert len(re.findall(r'<li class="app-timeline__event[^"]*" id="event-\d+"', text)) == room.seq
    assert 'id="replay-states"' in text and 'type="range"' in text
    assert re.search(r'<script type="module" src="/static/js/debrief\.js" nonce="[^"]+">', text)
    assert "Submitted their report" in text and "Shared about Jayden: “" in text
    assert "Recommended for Jayden (round 1)" in text
    assert "Answer key and rationale" in text and "Matches the key" in text
    assert "Round 1: 7 recommendations" in text
    assert "Threshold for a plan" in text and "Primary category" in text
    assert "app-vote-bar__fill--100" in text
    assert "of pairs of professionals agreed" in text or "κ =" in text
    assert "first round (1) to final round (1)" in text
    assert ' style="' not in text


def test_pdfs_download_as_attachments(room: Room) -> None:
    gp = client_for("delegate06")
    response = gp.get(reverse("room_scorecard_pdf", args=[room.join_code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == f'attachment; filename="scorecard-{room.join_code}-gp.pdf"'
    )
    assert response.content.startswith(b"%PDF")
    trainer = client_for("trainer")
    response = trainer.get(reverse("room_debrief_pdf", args=[room.join_code]))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response["Content-Disposition"] == f'attachment; filename="debrief-{room.join_code}.pdf"'
    page(gp, reverse("room_debrief_pdf", args=[room.join_code]), status=403)
