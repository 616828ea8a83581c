"""Each role reaches what it should and is refused what it should not."""

from __future__ import annotations

import pytest
from django.test import Client

from accounts.models import User
from accounts.selectors import people_in_scope

# url -> usernames allowed (everyone else signed in gets 403).
ROLE_PAGES = {
    "/dashboard/delegate/": {"delegate01"},
    "/dashboard/trainer/": {"trainer"},
    "/dashboard/manager/": {"manager", "manager.agency"},
}
USERNAMES = ["delegate01", "trainer", "manager", "manager.agency", "editor", "admin"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", list(ROLE_PAGES))
@pytest.mark.parametrize("username", USERNAMES)
def test_role_pages(client: Client, demo_people: dict[str, User], url: str, username: str) -> None:
    client.force_login(demo_people[username])
    response = client.get(url)
    expected = 200 if username in ROLE_PAGES[url] else 403
    assert response.status_code == expected
    if expected == 403:
        assert "You cannot see this page" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "username,allowed",
    [
        ("delegate01", False),
        ("trainer", False),
        ("manager", False),
        ("editor", True),
        ("admin", True),
    ],
)
def test_cms_admin_only_for_editors_and_admins(
    client: Client, demo_people: dict[str, User], username: str, allowed: bool
) -> None:
    client.force_login(demo_people[username])
    response = client.get("/admin/")
    if allowed:
        assert response.status_code == 200
    else:
        assert response.status_code == 302
        assert "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_django_admin_only_for_admin(client: Client, demo_people: dict[str, User]) -> None:
    client.force_login(demo_people["editor"])
    assert client.get("/django-admin/").status_code == 302
    client.force_login(demo_people["admin"])
    assert client.get("/django-admin/").status_code == 200


@pytest.mark.django_db
def test_team_manager_sees_only_their_team(demo_people: dict[str, User]) -> None:
    manager = demo_people["manager"]
    people = list(people_in_scope(manager=manager))
    assert people
    assert {person.team_id for person in people} == {manager.team_id}
    assert manager not in people


@pytest.mark.django_db
def test_agency_manager_sees_their_whole_agency_and_nothing_else(
    demo_people: dict[str, User],
) -> None:
    manager = demo_people["manager.agency"]
    people = list(people_in_scope(manager=manager))
    teams = {person.team_id for person in people}
    assert len(teams) >= 2
    assert {person.team.agency_id for person in people} == {manager.team.agency_id}


@pytest.mark.django_db
def test_non_manager_sees_nobody(demo_people: dict[str, User]) -> None:
    assert not people_in_scope(manager=demo_people["trainer"]).exists()


@pytest.mark.django_db
def test_manager_dashboard_lists_only_people_in_scope(
    client: Client, demo_people: dict[str, User]
) -> None:
    manager = demo_people["manager"]
    client.force_login(manager)
    body = client.get("/dashboard/manager/").content.decode()
    for person in User.objects.exclude(pk=manager.pk):
        shown = person.get_full_name() in body
        assert shown == (person.team_id == manager.team_id and person.is_active), person.username
