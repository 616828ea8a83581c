"""Shared fixtures: demo people by role, signed-in clients, ASGI helpers."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.models import User

DEMO_PASSWORD = "threshold-demo"


@pytest.fixture
def demo_people(db: None) -> dict[str, User]:
    """Seed the demo people and home page; return users by username."""
    call_command("seed_people", seed=7, stdout=StringIO())
    call_command("seed_pages", stdout=StringIO())
    return {user.username: user for user in User.objects.all()}


@pytest.fixture
def delegate(demo_people: dict[str, User]) -> User:
    return demo_people["delegate01"]


@pytest.fixture
def trainer(demo_people: dict[str, User]) -> User:
    return demo_people["trainer"]


@pytest.fixture
def manager(demo_people: dict[str, User]) -> User:
    return demo_people["manager"]


@pytest.fixture
def editor(demo_people: dict[str, User]) -> User:
    return demo_people["editor"]
