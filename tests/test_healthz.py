"""The health check tries the database and the channel layer for real."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client, override_settings


@pytest.mark.django_db
def test_healthy(client: Client) -> None:
    response = client.get("/healthz/")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "channel_layer": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_unreachable_channel_layer_is_a_503_naming_it(client: Client) -> None:
    broken = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": ["redis://127.0.0.1:1/0"]},
        }
    }
    from channels.layers import channel_layers

    with override_settings(CHANNEL_LAYERS=broken):
        channel_layers.backends.clear()
        try:
            response = client.get("/healthz/")
        finally:
            channel_layers.backends.clear()
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["channel_layer"].startswith("error")


@pytest.mark.django_db
def test_failing_database_is_a_503_naming_it(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        from django.db import OperationalError

        raise OperationalError("could not connect to server")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get("/healthz/")
    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError"
    assert response.json()["channel_layer"] == "ok"


def test_post_is_refused(client: Client) -> None:
    assert client.post("/healthz/").status_code == 405
