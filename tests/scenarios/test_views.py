"""Trainers read whole cases; packs show one role; delegates are refused."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from accounts.models import User


@pytest.fixture
def library(db: None, citations_resolve: None) -> None:
    call_command("load_scenarios", stdout=StringIO())


@pytest.mark.django_db
def test_trainer_reads_the_whole_case_with_answer_key(
    client: Client, trainer: User, library: None
) -> None:
    client.force_login(trainer)
    index = client.get("/scenarios/")
    assert index.status_code == 200
    assert "jayden-physical-abuse" in index.content.decode()
    body = client.get("/scenarios/jayden-physical-abuse/").content.decode()
    assert "Answer key" in body
    assert "Jayden" in body
    assert "{jayden" not in body, "placeholders must be rendered"
    for role in ["Police (Public Protection Unit)", "GP", "Health visitor"]:
        assert role in body


@pytest.mark.django_db
def test_role_pack_shows_only_that_role(client: Client, trainer: User, library: None) -> None:
    from scenarios.selectors import scenario_casefile, scenario_get
    from simulations.engine.vocabulary import Role

    client.force_login(trainer)
    case = scenario_casefile(scenario=scenario_get(slug="jayden-physical-abuse"))
    body = client.get("/scenarios/jayden-physical-abuse/packs/gp/").content.decode()
    assert "Your pack: GP" in body
    police = case.pack(Role.POLICE)
    assert police is not None
    gp_ids = {item.id for item in case.pack(Role.GP).items}
    # No police item's text (rendered) appears in the GP pack.
    from django.utils import timezone

    from simulations.engine.casefile import render_text

    for item in police.items:
        if item.id in gp_ids:
            continue
        text = render_text(case, item.text, seminar_date=timezone.localdate())
        assert text[:60] not in body
    assert "Answer key" not in body
    assert "Must be shared" not in body


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/scenarios/",
        "/scenarios/jayden-physical-abuse/",
        "/scenarios/jayden-physical-abuse/packs/police/",
    ],
)
def test_delegates_and_managers_are_refused(
    client: Client, demo_people: dict, library: None, url: str
) -> None:
    for username in ["delegate01", "manager"]:
        client.force_login(demo_people[username])
        assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_unknown_scenario_and_role_are_404(client: Client, trainer: User, library: None) -> None:
    client.force_login(trainer)
    assert client.get("/scenarios/no-such-case/").status_code == 404
    assert client.get("/scenarios/jayden-physical-abuse/packs/astronaut/").status_code == 404
