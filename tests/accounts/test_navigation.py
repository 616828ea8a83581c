"""The service navigation offers each person the places their role uses."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from accounts.models import User
from accounts.selectors import nav_items_for

pytestmark = pytest.mark.django_db


def labels(user: object, path: str = "/") -> list[str]:
    return [str(item["label"]) for item in nav_items_for(user=user, path=path)]  # type: ignore[arg-type]


def test_anonymous_readers_get_the_guidance_and_a_sign_in() -> None:
    assert labels(AnonymousUser()) == ["Home", "Guidance", "Workbook", "Search", "Sign in"]


def test_delegates_join_conferences_and_trainers_run_seminars(
    delegate: User, trainer: User, editor: User
) -> None:
    assert "Join a conference" in labels(delegate) and "Seminars" not in labels(delegate)
    assert "Seminars" in labels(trainer) and "Join a conference" not in labels(trainer)
    assert "Content admin" in labels(editor) and "Content admin" not in labels(delegate)


def test_the_current_section_is_marked(delegate: User) -> None:
    items = nav_items_for(user=delegate, path="/guidance/procedures-summary/para-59/")
    assert [item["label"] for item in items if item["active"]] == ["Guidance"]


def test_the_menu_is_on_every_page(client, delegate: User) -> None:  # type: ignore[no-untyped-def]
    client.force_login(delegate)
    html = client.get("/dashboard/", follow=True).content.decode()
    assert 'href="/join/"' in html and 'href="/guidance/"' in html


def test_auditors_find_the_audit_log(delegate: User) -> None:
    from django.contrib.auth.models import Permission

    assert "Audit log" not in labels(delegate)
    delegate.user_permissions.add(Permission.objects.get(codename="view_auditentry"))
    auditor = User.objects.get(pk=delegate.pk)  # permissions are cached per object
    items = nav_items_for(user=auditor, path="/audit/")
    assert [item["label"] for item in items if item["active"]] == ["Audit log"]
