"""The trainer's debrief on a projector and a delegate's scorecard on a phone.

A Jayden conference is played to the close on the live server (with a
revote in which three professionals change their minds) and scored as the
room closes would score it. The trainer replays it with the scrubber and
reads the charts; the GP reads their scorecard on a phone. Every page is
checked with axe-core and screenshotted.
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    SHOTS,
    LiveApp,
    assert_accessible,
    screenshot,
    sign_in,
)

# The first test also waits for the shared live server to migrate and seed.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

PROJECTOR = {"width": 1920, "height": 1080}

PLAY = """
from datetime import date
from accounts.models import User
from scenarios.selectors import scenario_get
from simulations import services
from simulations.engine.vocabulary import Role
from simulations.scoring_services import room_score_if_closed
from simulations.playback import play

trainer = User.objects.get(username="trainer")
seminar = services.seminar_create(trainer=trainer, title="Debrief seminar", date=date(2026, 12, 3))
room = services.room_open(seminar=seminar, scenario=scenario_get(slug="jayden-physical-abuse"), name="Room D")
roles = [Role.CHAIR, Role.LEAD_SOCIAL_WORKER, Role.HEALTH_VISITOR, Role.DESIGNATED_TEACHER,
         Role.POLICE, Role.GP, Role.HOUSING, Role.PARENT, Role.CHILDS_ADVOCATE]
for number, role in enumerate(roles, start=1):
    services.seat_join(room=room, user=User.objects.get(username=f"delegate{number:02d}"), role=role)
play(room, revote=True)
score = room_score_if_closed(room.pk)
assert score is not None
print(room.join_code, room.seq)
"""


def shoot(page, selector: str, name: str) -> None:  # type: ignore[no-untyped-def]
    """Screenshot one part of the page."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator(selector).screenshot(path=str(SHOTS / f"{name}.png"))


@pytest.fixture(scope="module")
def played(live_app: LiveApp) -> tuple[str, int]:
    """Return the join code and event count of a closed, scored room."""
    live_app.manage("load_scenarios")
    code, seq = live_app.manage("shell", "-c", PLAY).split()[-2:]
    return code, int(seq)


def test_the_trainer_replays_the_conference_on_a_projector(new_page, played) -> None:  # type: ignore[no-untyped-def]
    code, total = played
    page = new_page(PROJECTOR)
    sign_in(page, "trainer")
    page.goto(f"/rooms/{code}/debrief/")
    page.get_by_role("heading", name="Debrief: Room D").wait_for()
    scrubber = page.get_by_label("Move through the conference")
    scrubber.wait_for()  # shown by debrief.js
    assert page.locator(".app-timeline__event[data-step]").count() == total
    assert page.locator("[data-replay-title]").inner_text() == "The record at the end"
    assert_accessible(page)
    screenshot(page, "debrief-projector")

    # Scrub back to the tenth event: later events hide, the record is as it was then.
    scrubber.focus()
    page.keyboard.press("Home")
    for _ in range(10):
        page.keyboard.press("ArrowRight")
    assert page.locator("[data-replay-title]").inner_text() == "The record after event 10"
    assert page.locator(".app-timeline__event[data-step]:visible").count() == 10
    assert page.locator(".app-timeline__event--current").get_attribute("data-step") == "10"
    assert page.locator('[data-record="decisions"]').inner_text() == "None yet"
    assert "Event 10 of" in page.locator("[data-replay-now]").inner_text()
    page.get_by_role("button", name="Forward one event").click()
    assert page.locator(".app-timeline__event--current").get_attribute("data-step") == "11"
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(
        "() => document.querySelector('[data-replay-range]').valueAsNumber >= 13"
    )
    page.get_by_role("button", name="Pause").click()
    assert page.get_by_role("button", name="Play").get_attribute("aria-pressed") == "false"
    assert_accessible(page)
    # What the projector shows: the replay heading at the top, the panel beside the list.
    page.locator("#replay-heading").evaluate("heading => heading.scrollIntoView()")
    page.screenshot(path=str(SHOTS / "debrief-replay-scrubbed.png"))

    # The end again, then the answer key, the charts and the agreement.
    page.get_by_role("button", name="End").click()
    assert page.locator('[data-record="decisions"]').inner_text().startswith("Jayden: a child")
    page.get_by_role("link", name="Recommendations, round by round").click()
    assert page.get_by_text("Round 1: 7 recommendations").is_visible()
    assert page.get_by_text("Round 2: 7 recommendations").is_visible()
    assert page.locator(".app-vote-bar").count() >= 2 * 15
    assert page.get_by_text("Matches the key").is_visible()
    assert page.get_by_text("Who changed their view of Jayden:").is_visible()
    page.get_by_text("The figures, and who recommended what").first.click()
    assert page.get_by_role("table", name="Jayden, round 1: counts").is_visible()
    assert_accessible(page)
    shoot(page, "#votes", "debrief-votes")
    shoot(page, "#agreement", "debrief-agreement")

    pdf = page.request.get(f"/rooms/{code}/debrief.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")


def test_a_delegate_reads_their_scorecard_on_a_phone(new_page, played) -> None:  # type: ignore[no-untyped-def]
    code, _ = played
    page = new_page(PHONE, mobile=True)
    sign_in(page, "delegate06")  # the GP
    page.goto(f"/rooms/{code}/scorecard/")
    page.get_by_role("heading", name="Your scorecard").wait_for()
    assert page.locator("#card-gp").is_visible()
    assert page.locator("#card-police").count() == 0
    assert page.get_by_role("link", name="Read paragraph").count() > 5
    assert page.get_by_text("Scored against rule set 2026.1").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page scrolls sideways ({width}px)"
    assert_accessible(page)
    screenshot(page, "scorecard-phone")
    shoot(page, "#card-gp-decision", "scorecard-phone-decision")

    refused = page.request.get(f"/rooms/{code}/scorecard/?role=police")
    assert refused.status == 403
    pdf = page.request.get(f"/rooms/{code}/scorecard.pdf")
    assert pdf.ok and pdf.headers["content-disposition"].startswith("attachment;")


def test_the_trainer_reads_every_scorecard_on_a_laptop(new_page, played) -> None:  # type: ignore[no-untyped-def]
    code, _ = played
    page = new_page(DESKTOP)
    sign_in(page, "trainer")
    page.goto(f"/rooms/{code}/scorecard/")
    page.get_by_role("heading", name="Scorecards").wait_for()
    assert page.get_by_role("table", name="Points by role").is_visible()
    assert_accessible(page)
    screenshot(page, "scorecards-trainer")
