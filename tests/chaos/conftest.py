"""Fixtures of the fault tests: a seeded database to copy, the scale-out services."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.simulations.live_server import prepare_database, seeded_template, server_env

from .harness import scaleout_urls


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
