"""The scale-out path: real PostgreSQL and Redis, started by scripts/services.sh.

``make test`` runs these with ``DATABASE_URL`` and ``REDIS_URL`` pointing at
the private servers; without them these tests fail rather than pass quietly.
"""

from __future__ import annotations

import pytest
from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer
from django.conf import settings
from django.db import connection
from django.test import Client

pytestmark = pytest.mark.scaleout


@pytest.mark.django_db
def test_database_is_postgresql_with_a_pool() -> None:
    assert connection.vendor == "postgresql"
    assert "pool" in settings.DATABASES["default"]["OPTIONS"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


def test_channel_layer_is_redis() -> None:
    assert isinstance(get_channel_layer(), RedisChannelLayer)
    host = settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"][0]
    assert host["max_connections"] >= 100


@pytest.mark.django_db
def test_healthz_checks_both_for_real(client: Client) -> None:
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "channel_layer": "ok"}


async def test_a_group_message_crosses_between_two_workers_layers() -> None:
    """Two layer instances stand for two worker processes sharing Redis."""
    config = settings.CHANNEL_LAYERS["default"]["CONFIG"]
    worker_a = RedisChannelLayer(**config)
    worker_b = RedisChannelLayer(**config)
    channel = await worker_b.new_channel()
    await worker_b.group_add("meeting.scaleout-test", channel)
    try:
        await worker_a.group_send("meeting.scaleout-test", {"type": "meeting.event", "n": 1})
        message = await worker_b.receive(channel)
        assert message == {"type": "meeting.event", "n": 1}
    finally:
        await worker_b.group_discard("meeting.scaleout-test", channel)
        await worker_a.flush()
        await worker_b.close_pools()
        await worker_a.close_pools()


@pytest.mark.django_db
def test_search_uses_postgresql_full_text_search() -> None:
    """The search tests (tests/content/test_search.py) run on it in this job too."""
    from modelsearch.backends.database.postgres.postgres import PostgresSearchBackend
    from wagtail.search.backends import get_search_backend

    assert isinstance(get_search_backend(), PostgresSearchBackend)
