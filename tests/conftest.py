"""Shared fixtures: demo people by role, signed-in clients, ASGI helpers."""

from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

import pytest
from django.core.management import call_command

if TYPE_CHECKING:
    from accounts.models import User


DEMO_PASSWORD = "threshold-demo"


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the browser tests last, in whatever order they were shuffled into.

    Playwright's sync API leaves its event loop marked as running on the main
    thread for the rest of the session, so an async test after the first
    browser test would fail with "Runner.run() cannot be called from a
    running event loop".
    """
    items.sort(key=lambda item: "/tests/e2e/" in str(item.path))


@pytest.fixture(autouse=True)
def _fresh_room_caches() -> None:
    """Forget cached room states: test databases reuse room ids."""
    from simulations.panels import room_context_clear
    from simulations.selectors import room_state_cache_clear

    room_state_cache_clear()
    room_context_clear()


@pytest.fixture(autouse=True)
def _fresh_socket_limits() -> None:
    """Forget rate-limit buckets and socket counts: test databases reuse ids."""
    from simulations.limits import limits

    limits.clear()


@pytest.fixture(autouse=True)
def _audit_entries_cleared_before_flush(request: pytest.FixtureRequest, _django_db_marker: None):  # type: ignore[no-untyped-def]
    """Empty the append-only audit log before a transactional test's flush.

    Its triggers refuse DELETE, which is how Django empties SQLite tables
    between transactional tests; this runs just before that teardown.
    """
    yield
    marker = request.node.get_closest_marker("django_db")
    if (
        (marker is not None and marker.kwargs.get("transaction"))
        or "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
    ):
        from tests.audit.helpers import audit_entries_purge

        audit_entries_purge()


@pytest.fixture
def demo_people(db: None) -> dict[str, User]:
    """Seed the demo people and home page; return users by username."""
    call_command("seed_people", seed=7, stdout=StringIO())
    call_command("seed_pages", stdout=StringIO())
    from accounts.models import User

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


@pytest.fixture
def citations_resolve() -> object:
    """Resolve guidance keys of the demo summary without importing it.

    Tests of the guidance importer use the real resolver; tests of other
    apps only need keys of the demo document to resolve.
    """
    from datetime import date

    from content import citations

    def fake(slug: str, anchor: str, on: date | None) -> citations.Citation | None:
        if slug == "procedures-summary" and anchor.startswith("para-"):
            return citations.Citation(
                f"guidance:{slug}:{anchor}", f"/guidance/{slug}/#{anchor}", anchor, ""
            )
        return None

    previous = citations._RESOLVERS.get("guidance")
    citations.register_scheme("guidance", fake)
    yield None
    if previous is None:
        citations._RESOLVERS.pop("guidance", None)
    else:
        citations.register_scheme("guidance", previous)
