"""Throttled sign-in with lockout, shared-device sessions, and what the audit log records."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client, override_settings

from accounts.models import SignInThrottle, User
from accounts.sessions import LAST_SEEN
from audit.models import AuditEntry, Outcome
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str, **extra: str) -> object:
    return client.post("/sign-in/", {"username": username, "password": password, **extra})


def test_five_failures_lock_the_username_even_for_the_right_password(delegate: User) -> None:
    client = Client()
    for _ in range(4):
        response = sign_in(client, "delegate01", "wrong")
        assert "Enter a correct username and password" in response.content.decode()
    response = sign_in(client, "delegate01", "wrong")
    assert "Too many failed attempts to sign in to this account" in response.content.decode()
    response = sign_in(client, "delegate01", DEMO_PASSWORD)
    page = response.content.decode()
    assert response.status_code == 200
    assert "It is locked for 15 minutes" in page
    assert "_auth_user_id" not in client.session
    assert (
        AuditEntry.objects.filter(
            action="auth.sign_in", outcome=Outcome.FAILURE, object_id=str(delegate.pk)
        ).count()
        == 5
    )
    assert AuditEntry.objects.filter(action="auth.lockout", object_id=str(delegate.pk)).count() == 1
    refused = AuditEntry.objects.get(action="auth.sign_in", outcome=Outcome.REFUSED)
    assert refused.details == {"reason": "locked_out", "scope": "username"}
    assert refused.source_ip == "127.0.0.1"


def test_the_lockout_holds_for_other_usernames_spelling_and_ends_after_the_cool_off(
    delegate: User,
) -> None:
    client = Client()
    for _ in range(5):
        sign_in(client, "delegate01", "wrong")
    assert "locked" in sign_in(client, "DELEGATE01", "wrong").content.decode()
    SignInThrottle.objects.update(locked_until="2000-01-01T00:00Z")
    response = sign_in(client, "delegate01", DEMO_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(delegate.pk)


def test_a_success_resets_the_count(delegate: User) -> None:
    client = Client()
    for _ in range(4):
        sign_in(client, "delegate01", "wrong")
    assert sign_in(client, "delegate01", DEMO_PASSWORD).status_code == 302
    Client().post("/sign-out/")
    for _ in range(4):
        response = sign_in(Client(), "delegate01", "wrong")
    assert "Enter a correct username and password" in response.content.decode()
    assert sign_in(Client(), "delegate01", DEMO_PASSWORD).status_code == 302


@override_settings(THRESHOLD_SIGNIN_IP_MAX_FAILURES=3)
def test_one_address_guessing_across_usernames_is_locked_out(delegate: User) -> None:
    client = Client()
    for name in ("nobody1", "nobody2", "nobody3"):
        sign_in(client, name, "guess")
    response = sign_in(client, "delegate01", DEMO_PASSWORD)
    assert "Too many failed sign-ins from this network" in response.content.decode()
    other = Client(REMOTE_ADDR="10.9.8.7")
    assert sign_in(other, "delegate01", DEMO_PASSWORD).status_code == 302


def test_wagtail_admin_sign_in_is_throttled_too(editor: User) -> None:
    client = Client()
    for _ in range(5):
        client.post("/admin/login/", {"username": "editor", "password": "wrong"})
    response = client.post("/admin/login/", {"username": "editor", "password": DEMO_PASSWORD})
    assert response.status_code == 200
    assert "Too many failed attempts to sign in to this account" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_django_admin_sign_in_is_throttled_too(editor: User) -> None:
    editor.is_staff = True
    editor.save()
    client = Client()
    for _ in range(5):
        client.post("/django-admin/login/", {"username": "editor", "password": "wrong"})
    response = client.post(
        "/django-admin/login/", {"username": "editor", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.filter(
        action="auth.sign_in", outcome=Outcome.REFUSED, object_id=str(editor.pk)
    ).exists()


@pytest.mark.parametrize("path", ["/sign-in/", "/admin/login/"])
@pytest.mark.parametrize("password", ["wrong", DEMO_PASSWORD])
def test_each_sign_in_checks_the_throttle_once(
    editor: User, monkeypatch: pytest.MonkeyPatch, path: str, password: str
) -> None:
    """The form does not check the lockout again beside the backend."""
    from accounts import throttle

    checks: list[str] = []
    check = throttle.signin_lockout

    def counting(*, username: str, ip: str | None) -> throttle.Lockout | None:
        checks.append(username)
        return check(username=username, ip=ip)

    monkeypatch.setattr(throttle, "signin_lockout", counting)
    Client().post(path, {"username": "editor", "password": password})
    assert checks == ["editor"]


def test_sign_in_and_sign_out_are_audited(delegate: User) -> None:
    client = Client()
    sign_in(client, "delegate01", DEMO_PASSWORD)
    client.post("/sign-out/")
    signed_in = AuditEntry.objects.get(action="auth.sign_in", outcome=Outcome.SUCCESS)
    assert signed_in.actor_id == delegate.pk and signed_in.actor_role == "Delegate"
    assert signed_in.request_id
    signed_out = AuditEntry.objects.get(action="auth.sign_out")
    assert signed_out.details == {"reason": "signed_out"}


# Shared devices ------------------------------------------------------------


def test_a_shared_device_session_ends_with_the_browser(delegate: User) -> None:
    client = Client()
    sign_in(client, "delegate01", DEMO_PASSWORD, shared_device="on")
    assert client.session.get_expire_at_browser_close() is True
    assert client.cookies["sessionid"]["max-age"] == ""


def test_an_ordinary_session_lasts_the_usual_age(delegate: User, settings) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    sign_in(client, "delegate01", DEMO_PASSWORD)
    assert client.session.get_expire_at_browser_close() is False
    assert client.cookies["sessionid"]["max-age"] == settings.SESSION_COOKIE_AGE


def test_a_shared_device_session_ends_after_the_idle_timeout(delegate: User) -> None:
    client = Client()
    sign_in(client, "delegate01", DEMO_PASSWORD, shared_device="on")
    assert client.get("/account/").status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/account/")
    assert response.status_code == 302 and "/sign-in/" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert AuditEntry.objects.get(action="auth.sign_out").details == {"reason": "idle"}


def test_an_ordinary_session_is_not_ended_by_idling(delegate: User) -> None:
    client = Client()
    sign_in(client, "delegate01", DEMO_PASSWORD)
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 5 * 60 * 60
    session.save()
    assert client.get("/account/").status_code == 200


# Permission changes --------------------------------------------------------


def test_permission_changes_are_audited_with_the_acting_admin(
    delegate: User, demo_people: dict[str, User]
) -> None:
    trainers = Group.objects.get(name="Trainer")
    before = AuditEntry.objects.count()
    delegate.groups.add(trainers)
    delegate.is_staff = True
    delegate.save()
    new = AuditEntry.objects.filter(seq__gt=before)
    added = new.get(action="permissions.group_add")
    assert added.object_id == str(delegate.pk) and added.details == {"group": [trainers.pk]}
    assert added.actor_id is None  # no request: the system
    flag = new.get(action="permissions.change")
    assert flag.details == {"field": "is_staff", "from": False, "to": True}
    delegate.last_login = None
    delegate.save(update_fields=["last_login"])
    assert new.filter(action="permissions.change").count() == 1


def test_clearing_a_roles_permissions_is_audited(demo_people: dict[str, User]) -> None:
    trainers = Group.objects.get(name="Trainer")
    trainers.permissions.add(*Permission.objects.filter(codename__startswith="view_")[:2])
    held = sorted(trainers.permissions.values_list("pk", flat=True))
    trainers.permissions.clear()
    cleared = AuditEntry.objects.get(action="permissions.group_permission_remove")
    assert (cleared.object_type, cleared.object_id) == ("auth.group", str(trainers.pk))
    assert cleared.details == {"permission": held}
