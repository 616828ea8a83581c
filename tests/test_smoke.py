"""Every page the demo serves answers: 200, or a redirect to sign in."""

from __future__ import annotations

import pytest
from django.test import Client
from wagtail.models import Page

PUBLIC_PAGES = ["/", "/sign-in/", "/password-reset/", "/password-reset/sent/", "/healthz/"]
SIGNED_IN_PAGES = [
    "/dashboard/",
    "/account/",
    "/account/password/",
    "/account/password/done/",
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_PAGES)
def test_public_page_answers(client: Client, demo_people: dict, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_signed_in_page_redirects_anonymous_to_sign_in(
    client: Client, demo_people: dict, url: str
) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.django_db
@pytest.mark.parametrize("url", SIGNED_IN_PAGES)
def test_signed_in_page_answers_for_everyone(client: Client, demo_people: dict, url: str) -> None:
    for username in ["delegate01", "trainer", "manager", "editor", "admin"]:
        client.force_login(demo_people[username])
        assert client.get(url).status_code == 200, (username, url)


@pytest.mark.django_db
def test_every_live_wagtail_page_answers(client: Client, demo_people: dict) -> None:
    pages = Page.objects.live().filter(depth__gt=1).specific()
    assert pages, "the demo has no live pages"
    for page in pages:
        response = client.get(page.url)
        assert response.status_code == 200, page.url


@pytest.mark.django_db
def test_home_page_is_the_site_root_and_says_what_threshold_is(
    client: Client, demo_people: dict
) -> None:
    body = client.get("/").content.decode()
    assert '<h1 class="govuk-heading-xl">Threshold</h1>' in body
    assert "mock" in body and "conference" in body


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_reproducible(demo_people: dict) -> None:
    from io import StringIO

    from django.core.management import call_command

    from accounts.models import Agency, Team, User

    before = (User.objects.count(), Team.objects.count(), Agency.objects.count())
    names = {u.username: u.get_full_name() for u in User.objects.all()}
    out = StringIO()
    call_command("seed_demo", seed=7, stdout=out)
    assert (User.objects.count(), Team.objects.count(), Agency.objects.count()) == before
    assert {u.username: u.get_full_name() for u in User.objects.all()} == names
    assert "delegate12" in out.getvalue() and "threshold-demo" in out.getvalue()
    assert User.objects.filter(groups__name="Delegate").count() == 12
    assert (
        User.objects.filter(groups__name="Delegate").values("team__agency").distinct().count() >= 6
    )
