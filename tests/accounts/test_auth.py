"""Sign in, sign out and password reset, including the ways they go wrong."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from tests.conftest import DEMO_PASSWORD


@pytest.mark.django_db
def test_sign_in_lands_on_dashboard(client: Client, delegate: User) -> None:
    response = client.post(
        "/sign-in/", {"username": "delegate01", "password": DEMO_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/dashboard/"
    assert "Your learning" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_gets_a_clear_message_and_no_session(client: Client, delegate: User) -> None:
    response = client.post("/sign-in/", {"username": "delegate01", "password": "wrong"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Enter a correct username and password" in body
    assert "_auth_user_id" not in client.session
    assert body.count("Error:") >= 1


@pytest.mark.django_db
def test_sign_out_needs_post_and_ends_the_session(client: Client, delegate: User) -> None:
    client.force_login(delegate)
    assert client.get("/sign-out/").status_code == 405
    client.post("/sign-out/")
    assert client.get("/dashboard/").status_code == 302


@pytest.mark.django_db
def test_password_reset_round_trip(client: Client, delegate: User) -> None:
    response = client.post("/password-reset/", {"email": delegate.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/password-reset/\S+/)", mail.outbox[0].body)
    assert link
    form = client.get(link.group(1), follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "a-Much-better-0ne", "new_password2": "a-Much-better-0ne"},
    )
    assert done.status_code == 302
    delegate.refresh_from_db()
    assert delegate.check_password("a-Much-better-0ne") is True


@pytest.mark.django_db
def test_unknown_email_sends_nothing_but_says_the_same(client: Client, delegate: User) -> None:
    response = client.post("/password-reset/", {"email": "nobody@example.test"}, follow=True)
    assert "Check your e-mail" in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_expired_or_used_reset_link_is_refused_clearly(client: Client, delegate: User) -> None:
    uid = urlsafe_base64_encode(force_bytes(delegate.pk))
    token = default_token_generator.make_token(delegate)
    delegate.set_password("changed-elsewhere-1")  # invalidates the token
    delegate.save()
    response = client.get(f"/password-reset/{uid}/{token}/", follow=True)
    assert "This link has expired" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0]
        if response.redirect_chain
        else f"/password-reset/{uid}/{token}/",
        {"new_password1": "x-Another-one-2", "new_password2": "x-Another-one-2"},
    )
    delegate.refresh_from_db()
    assert delegate.check_password("changed-elsewhere-1") is True


@pytest.mark.django_db
def test_account_page_shows_team_agency_and_roles(client: Client, manager: User) -> None:
    client.force_login(manager)
    body = client.get("/account/").content.decode()
    assert manager.team.name in body
    assert manager.team.agency.name.replace("'", "&#x27;") in body
    assert "Manager" in body
