"""A live mock conference in real browsers: trainer, console, projector and three phones.

The trainer creates a seminar and a room on the Jayden scenario, covers the
seats nobody takes, and runs the room from the console while the projector
shows the join code. Three delegates join by code (two on phones), write
reports with tagged statements, recommend, and the chair reveals, decides
and records the plan. Every page is checked with axe-core and screenshotted.
"""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in

# The first test also waits for the session server: migrate, seed_demo, scenarios.
pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.timeout(900)]

SEMINAR_DATE = "2026-12-03"  # a Thursday
FIRST_CORE_GROUP = "2026-12-08"  # a Tuesday: 3 working days on
COVERED = [
    "Lead social worker (Children's Social Care)",
    "Designated teacher",
    "Police (Public Protection Unit)",
    "Housing officer",
    "Parent or carer",
    "Child's advocate",
]
SKIPS = [
    "The chair's preparation",
    "Opening",
    "Agency contributions",
    "Views of the parents and child",
    "The chair's summary",
    "Recommendations",
]


def connected(page) -> None:  # type: ignore[no-untyped-def]
    page.locator('[data-connection-status][data-state="connected"]').first.wait_for()


def toast(page, text: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(".app-toast", has_text=text).wait_for()


def join(page, code: str, role: str) -> None:  # type: ignore[no-untyped-def]
    page.locator("#main-content").get_by_role("link", name="Join a conference").click()
    page.get_by_label("Conference code").fill(code.lower())
    page.get_by_role("button", name="Continue").click()
    page.get_by_label(role, exact=True).check()
    page.get_by_role("button", name="Join the conference").click()
    page.wait_for_url(f"**/rooms/{code}/")
    connected(page)


def write_report(page, worry: str, statements: list[dict[str, str]]) -> None:  # type: ignore[no-untyped-def]
    form = page.locator("#form-report")
    form.get_by_label("What are we worried about?").fill(worry)
    for number, statement in enumerate(statements, start=1):
        row = form.get_by_role("group", name=f"Statement {number}", exact=True)
        row.get_by_label("What you want to say").fill(statement["text"])
        row.get_by_label(statement["kind"], exact=True).check()
        if "source" in statement:
            row.get_by_label("Second-hand: I heard this from someone else").check()
            row.get_by_label("Who told you", exact=True).fill(statement["source"])
        if statement.get("link"):
            options = row.locator("select option")
            row.locator("select").select_option(options.nth(1).get_attribute("value"))
    form.get_by_role("button", name="Submit your report").click()
    toast(page, "Your report has been submitted.")
    page.locator("#form-report .govuk-tag", has_text="Submitted").wait_for()


def recommend(page, *, met: bool, level: str, category: str | None, why: str) -> None:  # type: ignore[no-untyped-def]
    form = page.locator("#form-vote-jayden")
    form.get_by_role("group", name="Level of need").get_by_label(level).check()
    form.get_by_label("Yes, met" if met else "No, not met").check()
    if category:  # the categories appear once the threshold is met
        form.get_by_role("group", name="Primary category").get_by_label(category).check()
        form.get_by_role("group", name="Other categories").get_by_label("Neglect").check()
    form.get_by_label("Your reason, in one line").fill(why)
    form.get_by_role("button", name=re.compile("^Seal my recommendation")).click()
    toast(page, "Your recommendation for Jayden is sealed.")
    page.get_by_role("heading", name="Your sealed recommendation").wait_for()


def test_a_live_conference_from_seminar_to_plan(new_page, live_app) -> None:  # type: ignore[no-untyped-def]
    live_app.manage("load_scenarios")

    # The trainer plans the seminar and opens a room.
    trainer = new_page(DESKTOP)
    sign_in(trainer, "trainer")
    trainer.get_by_role("link", name="Trainer dashboard").click()
    trainer.locator("#main-content").get_by_role("link", name="Seminars").click()
    trainer.get_by_label("Title").fill("Level 3: the mock conference")
    trainer.get_by_label("Date").fill(SEMINAR_DATE)
    trainer.get_by_label("Venue (optional)").fill("Les Quennevais")
    trainer.get_by_role("button", name="Create the seminar").click()
    trainer.wait_for_url(re.compile(r"/seminars/\d+/$"))
    trainer.get_by_label("Room name").fill("Room A")
    jayden = trainer.locator("#id_scenario option", has_text="Jayden").first.get_attribute("value")
    trainer.get_by_label("Scenario").select_option(jayden)
    trainer.get_by_role("button", name="Open the room").click()
    code = trainer.locator("#main-content .app-room-card .app-code").first.inner_text().strip()
    assert re.fullmatch(r"[A-Z0-9]{6}", code)
    for role in COVERED:
        trainer.get_by_role(
            "button", name=re.compile(r"^Cover this seat myself\W+" + re.escape(role))
        ).click()
        trainer.get_by_role("row", name=re.compile(re.escape(role))).get_by_text(
            "Covered by you"
        ).wait_for()
    assert_accessible(trainer)
    screenshot(trainer, "conference-seminar")

    # The projector shows how to join.
    projector = trainer.context.new_page()
    projector.set_viewport_size({"width": 1600, "height": 900})
    projector.goto(f"/rooms/{code}/projector/")
    connected(projector)
    assert projector.locator(".app-projector__code").inner_text().replace("\n", "") == code
    assert projector.locator(".app-qr svg").is_visible()
    assert_accessible(projector)
    screenshot(projector, "conference-projector-join")

    # Three delegates join by code: the chair at a laptop, the GP and the
    # health visitor on phones.
    chair = new_page(DESKTOP)
    sign_in(chair, "delegate01")
    join(chair, code, "Conference chair")
    gp = new_page(PHONE, mobile=True)
    sign_in(gp, "delegate06")
    join(gp, code, "GP")
    hv = new_page(PHONE, mobile=True)
    sign_in(hv, "delegate03")
    join(hv, code, "Health visitor")
    assert gp.get_by_role("heading", name=re.compile("You are the GP")).is_visible()
    assert gp.get_by_role("heading", name="Your information pack").is_visible()

    # The console sees everyone connected.
    console = trainer
    console.goto(f"/rooms/{code}/console/")
    connected(console)
    for role in ("chair", "gp", "health_visitor"):
        console.locator(
            f'[data-presence-role="{role}"] [data-presence-state]', has_text="Connected"
        ).wait_for()

    # The health visitor is typing her report when the trainer releases an
    # inject: her form is redrawn (the inject joins her pack) without losing
    # a word or the focus.
    worries = hv.locator("#form-report").get_by_label("What are we worried about?")
    worries.fill("Missed home visits")
    console.locator("details", has_text="Injects").first.locator("summary").click()
    inject = console.locator("form", has_text="Paediatric opinion received")
    inject.get_by_label("Release to").select_option("")
    inject.get_by_role("button", name=re.compile("^Release")).click()
    hv.locator("#room-injects", has_text="Paediatric opinion received").wait_for()
    hv.locator("#st-0-item option", has_text="Paediatric opinion received").wait_for(
        state="attached"
    )
    assert worries.input_value() == "Missed home visits"
    assert hv.evaluate("document.activeElement.id") == "report-worries"

    # Reports with tagged statements.
    write_report(
        gp,
        "Three emergency attendances for injuries to the face and head in two years.",
        [
            {
                "text": "Records show three attendances at the Emergency Department.",
                "kind": "Fact",
                "link": "yes",
            },
            {
                "text": "A neighbour reports shouting and a child crying.",
                "kind": "Allegation",
                "source": "Housing officer",
            },
        ],
    )
    hv.locator("#room-record").get_by_text("GP's report").wait_for()
    assert worries.input_value() == "Missed home visits"
    write_report(
        hv,
        "Missed home visits: nobody has seen inside the home for years.",
        [
            {
                "text": "I have not seen Jayden at home since he was eight months old.",
                "kind": "Observation",
            }
        ],
    )
    assert_accessible(gp)
    screenshot(gp, "conference-gp-phone-report")

    # The trainer skips to recommendations from the console.
    for label in SKIPS:
        console.get_by_role("button", name=re.compile("^Skip to: " + re.escape(label))).click()
        console.locator(".app-console-stats", has_text=label).first.wait_for()
    console.locator(".app-console-stats", has_text="Recommendations").wait_for()
    gp.locator("#room-status", has_text="Recommendations").wait_for()

    # Sealed recommendations.
    recommend(
        gp,
        met=True,
        level="Safeguarding need (child protection)",
        category="Physical abuse",
        why="Repeated facial injuries with a disclosure.",
    )
    recommend(
        hv,
        met=True,
        level="Safeguarding need (child protection)",
        category="Physical abuse",
        why="Injuries and no access to the home.",
    )
    recommend(
        chair,
        met=False,
        level="Health or development need (child in need)",
        category=None,
        why="Father's care is protective for now.",
    )
    chair.locator("#who-has-voted", has_text="Jayden: 3 of 7").wait_for()
    console.locator(".app-console-stats", has_text="3 of 7").wait_for()
    assert gp.locator("#room-results").is_hidden()
    assert_accessible(gp)
    screenshot(gp, "conference-gp-phone-before-reveal")
    assert_accessible(console)
    screenshot(console, "conference-console")

    # The chair reveals: the projector shows the chart, the phones the results.
    chair.get_by_role("button", name="Reveal the recommendations").click()
    projector.locator(".app-chart").first.wait_for()
    met = projector.locator(".app-bar--met .app-bar__value").first.inner_text()
    assert met.startswith("2"), met
    gp.locator("#room-results .app-chart").wait_for()
    assert "Father's care is protective for now." in gp.locator("#room-results").text_content()
    assert_accessible(projector)
    screenshot(projector, "conference-projector-results")
    assert_accessible(gp)
    screenshot(gp, "conference-gp-phone-after-reveal")

    # The decision and the outline plan.
    chair.get_by_role("button", name="Move on to: Decision").click()
    decision = chair.locator("#form-decision-jayden")
    decision.get_by_label("Child protection plan", exact=True).check()
    decision.get_by_label("Category", exact=True).select_option("physical")
    decision.get_by_label("Why: the conference's reasons").fill(
        "A disclosure, a pattern of injuries across agencies and no access to the home."
    )
    decision.get_by_role("button", name=re.compile("^Record the decision")).click()
    toast(chair, "The decision for Jayden is recorded.")
    chair.get_by_role("button", name="Move on to: Outline plan").click()
    plan = chair.locator("#form-plan")
    core = plan.get_by_role("group", name="Core group")
    for member in (
        "Lead social worker (Children's Social Care)",
        "Health visitor",
        "GP",
        "Parent or carer",
    ):
        core.get_by_label(member, exact=True).check()
    plan.get_by_label("Date of the first core group").fill(FIRST_CORE_GROUP)
    plan.get_by_label("Contingency plan").fill(
        "If Jayden's mother withdraws her agreement, the lead social worker calls a strategy discussion the same day."
    )
    plan.get_by_role("button", name="Save the outline plan").click()
    toast(chair, "The outline plan is saved.")
    row = chair.locator("#form-plan-row")
    row.get_by_label("What needs to change").fill("Jayden is safe from physical harm")
    row.get_by_label("How", exact=True).fill("Weekly visits; a parenting programme for his mother")
    row.get_by_label("Who", exact=True).fill("Lead social worker")
    row.get_by_label("How we will know").fill("No new injuries; he says he feels safe")
    row.get_by_label("Review").fill("At each core group")
    row.get_by_role("button", name="Add the row").click()
    toast(chair, "The plan row is added.")
    record = gp.locator("#room-record")
    record.get_by_text("Jayden: Child protection plan").wait_for()
    record.get_by_text("Jayden is safe from physical harm").wait_for()
    assert "Tuesday 8 December 2026" in record.inner_text()
    chair.get_by_role("button", name="Move on to: Closed").click()
    gp.locator("#room-status", has_text="Closed").wait_for()
    projector.locator(".app-projector__decisions", has_text="Child protection plan").wait_for()
    assert_accessible(chair)
    screenshot(chair, "conference-chair-closed")
    assert_accessible(gp)
    screenshot(gp, "conference-gp-phone-record")


SEED_ROOM = """
from datetime import date
from accounts.models import User
from scenarios.selectors import scenario_get
from simulations import services
from simulations.engine.vocabulary import Role
seminar = services.seminar_create(
    trainer=User.objects.get(username="trainer"), title="Client checks", date=date(2026, 12, 3)
)
room = services.room_open(
    seminar=seminar, scenario=scenario_get(slug="jayden-physical-abuse"), name="Room C"
)
for username, role in (("delegate06", Role.GP), ("delegate01", Role.CHAIR)):
    services.seat_join(room=room, user=User.objects.get(username=username), role=role)
print(room.join_code)
"""


# Drop the socket and make every new one fail at once, as a dead network does.
NETWORK_DOWN = """() => {
  window.RealWebSocket = WebSocket;
  window.WebSocket = class {
    static OPEN = 1;
    readyState = 3;
    addEventListener(type, listener) {
      if (type === "close") setTimeout(() => listener({ code: 1006 }), 10);
    }
    send() {}
    close() {}
  };
  thresholdRooms[0].ws.close();
}"""
NETWORK_UP = """() => {
  window.WebSocket = window.RealWebSocket;
  thresholdRooms[0].reconnectNow();
}"""


def test_the_client_resyncs_reconnects_and_never_counts_a_vote_twice(new_page, live_app) -> None:  # type: ignore[no-untyped-def]
    live_app.manage("load_scenarios")
    code = live_app.manage("shell", "-c", SEED_ROOM).strip().splitlines()[-1]
    gp = new_page(PHONE, mobile=True)
    sign_in(gp, "delegate06")
    sent: list[dict] = []  # type: ignore[type-arg]
    gp.on("websocket", lambda ws: ws.on("framesent", lambda data: sent.append(json.loads(data))))
    gp.goto(f"/rooms/{code}/")
    connected(gp)
    console = new_page(DESKTOP)
    sign_in(console, "trainer")
    console.goto(f"/rooms/{code}/console/")
    connected(console)

    # The phone opened its pack on connecting (event 1). Pretend it missed
    # that event: the next one shows a gap, and the client asks for a snapshot.
    gp.wait_for_function("thresholdRooms[0].lastSeq === 1 && thresholdRooms[0].pending.size === 0")
    gp.evaluate("thresholdRooms[0].lastSeq = 0")
    console.get_by_role("button", name=re.compile("^Skip to: The chair's preparation")).click()
    gp.locator("#room-status", has_text="The chair's preparation").wait_for()
    gp.wait_for_function("thresholdRooms[0].lastSeq === 2 && !thresholdRooms[0].resyncing")
    assert {"type": "resync", "since": 0} in sent

    for label in SKIPS[1:]:
        console.get_by_role("button", name=re.compile("^Skip to: " + re.escape(label))).click()
        console.locator(".app-console-stats", has_text=label).first.wait_for()
    gp.locator("#form-vote-jayden").wait_for()

    # Offline: the vote waits on the phone, then goes with its id once
    # the socket is back; a second tap reuses the same id.
    gp.evaluate(NETWORK_DOWN)
    gp.locator('[data-connection-status][data-state="reconnecting"]').wait_for()
    form = gp.locator("#form-vote-jayden")
    form.get_by_role("group", name="Level of need").get_by_label(
        "Safeguarding need (child protection)"
    ).check()
    form.get_by_label("Yes, met").check()
    form.get_by_role("group", name="Primary category").get_by_label("Physical abuse").check()
    form.get_by_label("Your reason, in one line").fill("A disclosure and injuries.")
    gp.evaluate("document.getElementById('form-vote-jayden').requestSubmit()")
    toast(gp, "it will be sent when you are connected again")
    gp.evaluate("document.getElementById('form-vote-jayden').requestSubmit()")
    gp.evaluate(NETWORK_UP)
    connected(gp)
    toast(gp, "Your recommendation for Jayden is sealed.")
    votes = [f for f in sent if f["type"] == "command" and f["name"] == "CastVote"]
    assert len(votes) >= 1 and len({f["id"] for f in votes}) == 1, votes
    assert votes[0]["args"] == {
        "child_id": "jayden",
        "level_of_need": "safeguarding",
        "threshold_met": True,
        "primary_category": "physical",
        "other_categories": [],
        "rationale": "A disclosure and injuries.",
    }
    # Sending the same command again is acknowledged as a duplicate, not counted.
    gp.evaluate("frame => thresholdRooms[0].send(frame)", votes[0])
    console.locator(".app-console-stats", has_text="1 of 7").wait_for()
    gp.wait_for_timeout(500)
    assert console.locator(".app-console-stats", has_text="1 of 7").count() == 1
    assert_accessible(gp)
