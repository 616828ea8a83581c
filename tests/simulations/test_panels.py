"""Server-rendered panels: what each seat, the console and the projector are shown."""

from __future__ import annotations

import asyncio
import html
import json
import uuid
from typing import Any

import pytest
from asgiref.sync import sync_to_async

from accounts.models import User
from scenarios.selectors import scenario_role_pack
from simulations import panels, services
from simulations.engine.state import Actor, ConferenceState
from simulations.engine.vocabulary import Role
from simulations.hub import hub
from simulations.models import Room
from simulations.selectors import room_state, room_state_cache_clear
from tests.simulations.rooms import ROLES, connect, open_room

pytestmark = pytest.mark.django_db

VOTE = {
    "child_id": "jayden",
    "level_of_need": "safeguarding",
    "threshold_met": True,
    "primary_category": "physical",
    "other_categories": ["neglect"],
    "rationale": "Police see a pattern of injuries.",
}


@pytest.fixture
def room(demo_people, citations_resolve) -> Room:  # type: ignore[no-untyped-def]
    # Room ids are reused between tests: forget every cached room.
    panels.room_context_clear()
    room_state_cache_clear()
    return open_room()


def user_for(role: Role) -> User:
    return User.objects.get(username=f"delegate{ROLES.index(role) + 1:02d}")


def send(room: Room, who: Role | None, name: str, args: dict | None = None) -> None:  # type: ignore[type-arg]
    user = User.objects.get(username="trainer") if who is None else user_for(who)
    result = services.room_command_apply(
        room_id=room.pk, user=user, name=name, args=args or {}, command_id=uuid.uuid4().hex
    )
    assert result.accepted, (name, result.rejection)


def state_of(room: Room) -> tuple[ConferenceState, int]:
    fresh = Room.objects.get(pk=room.pk)
    return room_state(room=fresh), fresh.seq


def rendered(room: Room, actor: Actor) -> dict[str, str]:
    state, seq = state_of(room)
    context = panels.room_context(room.pk)
    return {
        k: html.unescape(v)
        for k, v in panels.render_panels_sync(state, actor, seq, context).items()
    }


def skip_to_recommendations(room: Room) -> None:
    for _ in range(6):
        send(room, None, "SkipPhase")


def police_texts(room: Room) -> list[str]:
    pack = scenario_role_pack(
        scenario=room.scenario, role=Role.POLICE, seminar_date=room.seminar.date
    )["pack"]
    return [item.text for item in pack.items]


def test_the_renderer_is_registered_with_the_hub() -> None:
    assert hub.panel_renderer is panels.render_panels


def test_a_seat_gets_the_room_panels_and_a_report_form(room: Room) -> None:
    gp = rendered(room, Actor.seat(Role.GP))
    assert set(gp) == set(panels.ROOM_PANELS)
    actions = gp["room-actions"]
    assert 'data-command="SubmitReport"' in actions
    assert actions.count('name="sections.') == 11
    assert 'name="statements.0.provenance"' in actions
    assert 'value="allegation"' in actions and 'data-row="statements"' in actions
    assert 'data-command="RecordReportSharing"' in actions
    assert 'data-command="FlagConfidential"' in actions
    assert 'data-command="OpenPack" data-auto-submit' in actions
    assert 'aria-current="step"' in gp["room-agenda"]
    chair = rendered(room, Actor.seat(Role.CHAIR))["room-actions"]
    assert "SubmitReport" not in chair
    assert 'data-command="ReadReport"' not in chair  # nothing submitted yet
    assert "Move on to: The chair's preparation" in chair


def test_panels_never_show_another_role_its_pack_or_flags(room: Room) -> None:
    police = police_texts(room)
    send(room, Role.POLICE, "FlagConfidential", {"item_id": "po-investigation", "note": "Bail"})
    for role in (Role.GP, Role.PARENT, Role.HEALTH_VISITOR):
        page = "".join(rendered(room, Actor.seat(role)).values())
        for text in police:
            assert text not in page, (role, text[:40])
        assert "Bail" not in page
    chair = rendered(room, Actor.seat(Role.CHAIR))["room-actions"]
    assert "Flagged to you" in chair and "Note: Bail" in chair


def test_sealed_ballots_stay_sealed_in_the_panels_until_revealed(room: Room) -> None:
    skip_to_recommendations(room)
    send(room, Role.POLICE, "CastVote", VOTE)
    gp = rendered(room, Actor.seat(Role.GP))
    assert VOTE["rationale"] not in "".join(gp.values())
    assert 'data-command="CastVote"' in gp["room-actions"]
    assert "hidden" in gp["room-results"].split(">")[0]
    police = rendered(room, Actor.seat(Role.POLICE))["room-actions"]
    assert VOTE["rationale"] in police and 'id="form-vote-jayden"' not in police
    chair = rendered(room, Actor.seat(Role.CHAIR))["room-actions"]
    assert "Jayden: 1 of 7" in chair and VOTE["rationale"] not in chair
    assert 'data-command="RevealVotes"' in chair
    console = rendered(room, Actor.trainer())[f"console-room-{room.pk}"]
    assert "<strong>1</strong> of 7" in console and VOTE["rationale"] not in console


def test_revealed_results_show_as_a_chart_with_a_table(room: Room) -> None:
    skip_to_recommendations(room)
    send(room, Role.POLICE, "CastVote", VOTE)
    send(
        room,
        Role.GP,
        "CastVote",
        {
            **VOTE,
            "threshold_met": False,
            "primary_category": None,
            "other_categories": [],
            "level_of_need": "health_development",
            "rationale": "Needs help.",
        },
    )
    send(room, Role.CHAIR, "RevealVotes")
    gp = rendered(room, Actor.seat(Role.GP))
    results = gp["room-results"]
    assert "hidden" not in results.split(">")[0]
    assert "Jayden: 2 recommendations" in results
    assert "app-bar__fill--50" in results  # one of two thought the threshold met
    assert "<caption" in results and "Recommendations for Jayden" in results
    assert VOTE["rationale"] in results and "Needs help." in results
    projector = rendered(room, Actor.trainer())[f"projector-{room.pk}"]
    assert "Recommendations" in projector and "app-chart--projector" in projector
    assert 'data-command="OpenRevote"' in rendered(room, Actor.seat(Role.CHAIR))["room-actions"]


def test_the_chair_records_decision_and_plan_through_the_offered_forms(room: Room) -> None:
    skip_to_recommendations(room)
    send(room, Role.GP, "CastVote", VOTE)
    send(room, Role.CHAIR, "RevealVotes")
    send(room, Role.CHAIR, "AdvancePhase")
    chair = rendered(room, Actor.seat(Role.CHAIR))["room-actions"]
    assert 'id="form-decision-jayden"' in chair
    send(
        room,
        Role.CHAIR,
        "RecordDecision",
        {
            "child_id": "jayden",
            "outcome": "child_protection_plan",
            "category": "physical",
            "rationale": "Agreed.",
        },
    )
    send(room, Role.CHAIR, "AdvancePhase")
    chair = rendered(room, Actor.seat(Role.CHAIR))
    assert 'data-command="SetPlan"' in chair["room-actions"]
    assert 'name="core_group"' in chair["room-actions"] and 'type="date"' in chair["room-actions"]
    state, _ = state_of(room)
    assert state.setup.first_core_group_deadline.strftime("%-d %B %Y") in chair["room-actions"]
    assert "Jayden: Child protection plan" in chair["room-record"]
    gp = rendered(room, Actor.seat(Role.GP))["room-actions"]
    assert 'data-command="SetPlan"' not in gp
    assert 'data-command="RecordDissent"' in gp


def test_paused_rooms_offer_no_forms(room: Room) -> None:
    send(room, None, "Pause", {"reason": "Fire drill"})
    gp = rendered(room, Actor.seat(Role.GP))
    assert "Fire drill" in gp["room-status"]
    assert "data-command=" not in gp["room-actions"]
    console = rendered(room, Actor.trainer())[f"console-room-{room.pk}"]
    assert 'data-command="Resume"' in console and 'data-command="Pause"' not in console


def test_rendering_needs_no_database_once_the_room_is_known(
    room: Room, django_assert_num_queries: Any
) -> None:
    state, seq = state_of(room)
    context = panels.room_context(room.pk)  # warm
    with django_assert_num_queries(0):
        direct = panels.render_panels_sync(state, Actor.seat(Role.CHAIR), seq, context)
        out = asyncio.run(panels.render_panels(state, Actor.seat(Role.GP), seq))
        console = asyncio.run(panels.render_panels(state, Actor.trainer(), seq))
    assert "room-actions" in direct and "room-actions" in out
    assert f"console-room-{room.pk}" in console


@pytest.mark.websockets
@pytest.mark.django_db(transaction=True)
async def test_browser_sockets_get_html_panels_with_each_change(
    demo_people: Any, citations_resolve: Any
) -> None:
    panels.room_context_clear()
    room_state_cache_clear()
    room = await sync_to_async(open_room)()
    gp = await connect(room, "delegate06", query="?format=html")
    first = await gp.until(lambda f: f["type"] == "html")
    assert first["seq"] == 0 and set(first["panels"]) == set(panels.ROOM_PANELS)
    chair = await connect(room, "delegate01")  # a JSON-only socket gets no html
    reply = await chair.command("AdvancePhase")
    assert reply["type"] == "ack"
    frame = await gp.until(lambda f: f["type"] == "html")
    assert frame["seq"] == 1
    assert "The chair&#x27;s preparation" in frame["panels"]["room-status"]
    await chair.drain(0.2)
    assert not [f for f in chair.frames if f["type"] == "html"]
    assert json.dumps(frame)  # plain JSON all the way
    await gp.ws.disconnect()
    await chair.ws.disconnect()
