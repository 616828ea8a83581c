"""Seminar, join, room, console and projector pages: who may see and change what."""

from __future__ import annotations

import html
from datetime import date

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from accounts.models import PlatformRole, User
from scenarios.models import Scenario
from scenarios.selectors import scenario_get, scenario_role_pack
from simulations import services
from simulations.engine.vocabulary import Role
from simulations.models import Room, Seat, Seminar
from simulations.panels import room_context_clear
from simulations.selectors import room_state_cache_clear
from tests.simulations.rooms import open_room

pytestmark = pytest.mark.django_db

SLUG = "jayden-physical-abuse"


@pytest.fixture
def room(demo_people, citations_resolve) -> Room:  # type: ignore[no-untyped-def]
    """A Jayden room with delegate01..09 in the nine seats (delegate06 is the GP)."""
    # Room ids are reused between tests: forget every cached room.
    room_context_clear()
    room_state_cache_clear()
    return open_room()


@pytest.fixture
def empty_room(room: Room) -> Room:
    """A second room of the same seminar, with every seat vacant."""
    return services.room_open(seminar=room.seminar, scenario=room.scenario, name="Room B")


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def other_trainer() -> User:
    user = User.objects.create_user(username="trainer.two", password="x")
    user.groups.add(Group.objects.get(name=PlatformRole.TRAINER.value))
    return user


def text_of(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.content.decode())


def pack_texts(room: Room, role: Role) -> list[str]:
    pack = scenario_role_pack(scenario=room.scenario, role=role, seminar_date=room.seminar.date)
    return [item.text for item in pack["pack"].items]


def trainer_urls(room: Room) -> list[str]:
    return [
        reverse("seminar_detail", args=[room.seminar_id]),
        reverse("room_console", args=[room.join_code]),
        reverse("room_projector", args=[room.join_code]),
    ]


# Trainer pages --------------------------------------------------------------------


def test_trainer_pages_refuse_delegates(room: Room) -> None:
    client = client_for(User.objects.get(username="delegate01"))
    assert client.get(reverse("seminar_list")).status_code == 403
    for url in trainer_urls(room):
        assert client.get(url).status_code == 403, url


def test_trainer_pages_refuse_another_trainer(room: Room) -> None:
    client = client_for(other_trainer())
    listing = client.get(reverse("seminar_list"))
    assert listing.status_code == 200
    assert room.seminar.title not in text_of(listing)
    for url in trainer_urls(room):
        assert client.get(url).status_code == 403, url
    response = client.post(
        reverse("room_add", args=[room.seminar_id]),
        {"name": "Intruder", "scenario": room.scenario_id},
    )
    assert response.status_code == 403
    assert not Room.objects.filter(name="Intruder").exists()


def test_an_administrator_may_see_any_seminar(room: Room) -> None:
    client = client_for(User.objects.get(username="admin"))
    for url in trainer_urls(room):
        assert client.get(url).status_code == 200, url


def test_anonymous_people_are_sent_to_sign_in(room: Room) -> None:
    client = Client()
    for url in [*trainer_urls(room), reverse("join"), reverse("room", args=[room.join_code])]:
        response = client.get(url)
        assert response.status_code == 302 and "/sign-in/" in response["Location"], url


def test_trainer_creates_a_seminar_and_opens_a_room(demo_people, citations_resolve) -> None:  # type: ignore[no-untyped-def]
    open_room()  # loads the scenario library
    client = client_for(demo_people["trainer"])
    response = client.post(
        reverse("seminar_list"),
        {"title": "Level 3 refresher", "date": "2026-12-03", "venue": "St Helier", "cohort": "L3"},
    )
    seminar = Seminar.objects.get(title="Level 3 refresher")
    assert response.status_code == 302
    assert response["Location"] == reverse("seminar_detail", args=[seminar.pk])
    assert seminar.trainer == demo_people["trainer"] and seminar.date == date(2026, 12, 3)
    scenario = scenario_get(slug=SLUG)
    response = client.post(
        reverse("room_add", args=[seminar.pk]), {"name": "Room A", "scenario": scenario.pk}
    )
    assert response.status_code == 302
    new_room = Room.objects.get(seminar=seminar)
    page = client.get(reverse("seminar_detail", args=[seminar.pk]))
    body = text_of(page)
    assert new_room.join_code in body
    assert reverse("room_console", args=[new_room.join_code]) in body
    assert reverse("room_projector", args=[new_room.join_code]) in body
    assert Seat.objects.filter(room=new_room).count() == 9


def test_seminar_form_errors_are_summarised(trainer) -> None:  # type: ignore[no-untyped-def]
    response = client_for(trainer).post(reverse("seminar_list"), {"title": "", "date": "soon"})
    assert response.status_code == 400
    body = text_of(response)
    assert "There is a problem" in body
    assert "Enter a title for the seminar" in body
    assert "Enter the date as a real date" in body


def test_a_fresh_variant_is_generated_from_the_seed(room: Room) -> None:
    client = client_for(User.objects.get(username="trainer"))
    response = client.post(
        reverse("room_add", args=[room.seminar_id]),
        {"name": "Refresher", "scenario": room.scenario_id, "fresh_variant": "on", "seed": "5"},
    )
    assert response.status_code == 302
    variant = Room.objects.get(name="Refresher").scenario
    assert variant.template_id == room.scenario_id and variant.variant_seed == 5
    assert variant.slug != SLUG


def test_room_needs_a_published_scenario(room: Room) -> None:
    draft = Scenario.objects.create(slug="draft-case", title="Draft", source="x", live=False)
    response = client_for(User.objects.get(username="trainer")).post(
        reverse("room_add", args=[room.seminar_id]), {"name": "Draft room", "scenario": draft.pk}
    )
    assert response.status_code == 400
    assert "Choose one of the published scenarios" in text_of(response)


def test_trainer_assigns_moves_covers_and_vacates_seats(room: Room) -> None:
    client = client_for(User.objects.get(username="trainer"))
    url = reverse("seat_change", args=[room.seminar_id, room.pk])
    prefix = f"room{room.pk}"
    newcomer = User.objects.get(username="delegate10")
    response = client.post(
        url, {f"{prefix}-role": "gp", f"{prefix}-action": "assign", f"{prefix}-user": newcomer.pk}
    )
    assert response.status_code == 302
    assert Seat.objects.get(room=room, role="gp").user == newcomer
    # Moving the newcomer to the police seat vacates the GP seat.
    client.post(
        url,
        {f"{prefix}-role": "police", f"{prefix}-action": "assign", f"{prefix}-user": newcomer.pk},
    )
    assert Seat.objects.get(room=room, role="police").user == newcomer
    assert Seat.objects.get(room=room, role="gp").user is None
    client.post(url, {f"{prefix}-role": "gp", f"{prefix}-action": "cover"})
    assert Seat.objects.get(room=room, role="gp").covered_by_trainer is True
    client.post(url, {f"{prefix}-role": "police", f"{prefix}-action": "unassign"})
    police = Seat.objects.get(room=room, role="police")
    assert police.user is None and police.covered_by_trainer is False
    # Assigning needs a person.
    response = client.post(url, {f"{prefix}-role": "gp", f"{prefix}-action": "assign"})
    assert response.status_code == 400
    assert "Choose the person to seat" in text_of(response)


def test_a_forged_seat_assignment_from_a_delegate_is_refused(room: Room) -> None:
    delegate = User.objects.get(username="delegate06")
    url = reverse("seat_change", args=[room.seminar_id, room.pk])
    prefix = f"room{room.pk}"
    response = client_for(delegate).post(
        url,
        {f"{prefix}-role": "chair", f"{prefix}-action": "assign", f"{prefix}-user": delegate.pk},
    )
    assert response.status_code == 403
    assert Seat.objects.get(room=room, role="chair").user.username == "delegate01"
    assert Seat.objects.get(room=room, role="gp").user == delegate
    response = client_for(other_trainer()).post(
        url, {f"{prefix}-role": "chair", f"{prefix}-action": "cover"}
    )
    assert response.status_code == 403
    assert Seat.objects.get(room=room, role="chair").covered_by_trainer is False


def test_console_covers_every_room_of_the_seminar(room: Room, empty_room: Room) -> None:
    client = client_for(User.objects.get(username="trainer"))
    body = text_of(client.get(reverse("room_console", args=[room.join_code])))
    for each in (room, empty_room):
        assert f'data-room-socket="{each.join_code}"' in body
        assert f'id="console-room-{each.pk}"' in body
    assert "Skip to: The chair's preparation" in body
    assert "Paediatric opinion received" in body  # the scenario's injects, by title
    assert "?as_role=police" in body


def test_projector_shows_the_code_link_and_an_inline_qr_code(room: Room) -> None:
    response = client_for(User.objects.get(username="trainer")).get(
        reverse("room_projector", args=[room.join_code])
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and 'aria-label="QR code for the join link"' in body
    assert f"/join/{room.join_code}/" in body
    assert "".join(f"<span>{c}</span>" for c in room.join_code) in body
    assert 'src="http' not in body and "style=" not in body


# Joining ------------------------------------------------------------------------------


def test_join_by_code_then_pick_a_free_role(empty_room: Room) -> None:
    client = client_for(User.objects.get(username="delegate10"))
    typed = f" {empty_room.join_code[:3].lower()} {empty_room.join_code[3:].lower()} "
    response = client.post(reverse("join"), {"code": typed})
    assert response.status_code == 302
    assert response["Location"] == reverse("join_room", args=[empty_room.join_code])
    page = client.get(response["Location"])
    assert "Health visitor" in text_of(page) and "Which role will you play?" in text_of(page)
    response = client.post(response["Location"], {"role": "health_visitor"})
    assert response.status_code == 302
    assert response["Location"] == reverse("room", args=[empty_room.join_code])
    seat = Seat.objects.get(room=empty_room, user__username="delegate10")
    assert seat.role == "health_visitor"
    # Coming back by the link goes straight to the room.
    again = client.get(reverse("join_room", args=[empty_room.join_code]))
    assert again.status_code == 302 and again["Location"].endswith(
        f"/rooms/{empty_room.join_code}/"
    )


def test_joining_a_taken_seat_gives_a_clear_error(empty_room: Room) -> None:
    services.seat_join(room=empty_room, user=User.objects.get(username="delegate11"), role=Role.GP)
    client = client_for(User.objects.get(username="delegate10"))
    response = client.post(reverse("join_room", args=[empty_room.join_code]), {"role": "gp"})
    assert response.status_code == 400
    assert "That seat has just been taken: choose another role" in text_of(response)


@pytest.mark.parametrize(
    "code,message",
    [
        ("ACDEFG", "There is no conference with the code ACDEFG"),
        ("12", "Enter the code as 6 letters and numbers"),
        ("", "Enter the conference code"),
    ],
)
def test_an_unknown_code_gives_a_clear_error(room: Room, code: str, message: str) -> None:
    if Room.objects.filter(join_code="ACDEFG").exists():  # pragma: no cover - 1 in 244m
        pytest.skip("the random code happened to be ACDEFG")
    response = client_for(User.objects.get(username="delegate10")).post(
        reverse("join"), {"code": code}
    )
    body = text_of(response)
    assert response.status_code == 400
    assert "There is a problem" in body and message in body
    assert 'class="govuk-input govuk-input--width-10 app-code-input govuk-input--error"' in body


def test_a_direct_link_with_an_unknown_code_says_so(room: Room) -> None:
    response = client_for(User.objects.get(username="delegate10")).get("/join/ACDEFG/")
    assert response.status_code == 404
    assert "There is no conference with the code ACDEFG" in text_of(response)


# The room ---------------------------------------------------------------------------


def test_a_delegate_sees_their_role_and_only_their_pack(room: Room) -> None:
    response = client_for(User.objects.get(username="delegate06")).get(
        reverse("room", args=[room.join_code])
    )
    body = text_of(response)
    assert response.status_code == 200
    assert "You are the" in body and "GP" in body
    assert "Reports before the meeting" in body
    for text in pack_texts(room, Role.GP):
        assert text in body
    for role in Role:
        if role in (Role.GP, Role.OBSERVER):
            continue
        for text in pack_texts(room, role):
            assert text not in body, (role, text[:40])
    assert 'data-command="SubmitReport"' in body
    assert 'data-room-socket="' + room.join_code + '"' in body


def test_the_gp_cannot_see_the_police_pack_by_any_url(room: Room) -> None:
    client = client_for(User.objects.get(username="delegate06"))
    police = pack_texts(room, Role.POLICE)
    code = room.join_code
    attempts = {
        reverse("room", args=[code]): 200,
        reverse("room", args=[code]) + "?as_role=police": 403,
        reverse("room_panels", args=[code]): 200,
        reverse("room_panels", args=[code]) + "?as_role=police": 403,
        reverse("room_console", args=[code]): 403,
        reverse("room_projector", args=[code]): 403,
        reverse("join_room", args=[code]): 302,
        reverse("scenario_detail", args=[SLUG]): 403,
        reverse("scenario_pack", args=[SLUG, "police"]): 403,
        reverse("scenario_index"): 403,
    }
    for url, status in attempts.items():
        response = client.get(url)
        assert response.status_code == status, url
        body = text_of(response)
        for text in police:
            assert text not in body, url


def test_someone_without_a_seat_is_sent_to_join(room: Room) -> None:
    response = client_for(User.objects.get(username="delegate10")).get(
        reverse("room", args=[room.join_code])
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("join_room", args=[room.join_code])
    panels = client_for(User.objects.get(username="delegate10")).get(
        reverse("room_panels", args=[room.join_code])
    )
    assert panels.status_code == 403


def test_the_trainer_is_sent_to_the_console_or_takes_over_a_seat(room: Room) -> None:
    client = client_for(User.objects.get(username="trainer"))
    response = client.get(reverse("room", args=[room.join_code]))
    assert response.status_code == 302
    assert response["Location"] == reverse("room_console", args=[room.join_code])
    response = client.get(reverse("room", args=[room.join_code]) + "?as_role=chair")
    body = text_of(response)
    assert response.status_code == 200
    assert 'data-as-role="chair"' in body and "acting as the" in body
    assert client.get(reverse("room", args=[room.join_code]) + "?as_role=nobody").status_code == 404
    data = client.get(reverse("room_panels", args=[room.join_code]) + "?as_role=chair").json()
    assert set(data["panels"]) >= {"room-status", "room-actions", "room-record"}
    assert data["seq"] == 0


def test_dashboards_link_to_seminars_and_joining(demo_people) -> None:  # type: ignore[no-untyped-def]
    trainer = client_for(demo_people["trainer"]).get(reverse("trainer_dashboard"))
    assert reverse("seminar_list") in trainer.content.decode()
    delegate = client_for(demo_people["delegate01"]).get(reverse("dashboard"))
    assert reverse("join") in delegate.content.decode()
