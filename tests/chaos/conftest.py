"""Fixtures of the fault tests: a seeded database to copy, the scale-out services."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.simulations.live_server import prepare_database, seeded_template, server_env

from .harness import Netns, scaleout_urls


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database with the scenario library, copied per test."""
    return seeded_template(tmp_path_factory)


@pytest.fixture(scope="session")
def scaleout_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Server environment on the private PostgreSQL and Redis, migrated and seeded."""
    database_url, redis_url = scaleout_urls()
    var = tmp_path_factory.mktemp("scaleout-var")
    env = server_env(var, DATABASE_URL=database_url, REDIS_URL=redis_url)
    prepare_database(env)
    return env


@pytest.fixture
def namespaces() -> Iterator[Callable[[], Netns]]:
    """Make network namespaces joined by veth pairs; delete them all afterwards.

    Skips when namespaces cannot be made here (``ip netns add`` needs root,
    or CAP_SYS_ADMIN and CAP_NET_ADMIN).
    """
    made: list[Netns] = []

    def make() -> Netns:
        netns = Netns(len(made) + 1)
        made.append(netns)
        try:
            return netns.up()
        except (RuntimeError, FileNotFoundError) as error:
            if os.geteuid() == 0 and "not permitted" not in str(error):
                raise
            pytest.skip(f"cannot make a network namespace here (needs root): {error}")

    try:
        yield make
    finally:
        for netns in made:
            netns.down()
