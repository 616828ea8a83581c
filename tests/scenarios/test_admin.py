"""Authoring scenarios in the Wagtail admin: drafts may be incomplete; publishing checks everything."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from accounts.models import User
from scenarios.models import Scenario
from scenarios.schema import library_paths

ADD_URL = "/admin/snippets/scenarios/scenario/add/"
PACK = library_paths()[0].read_text(encoding="utf-8")


def without_answer_keys(text: str) -> str:
    return text[: text.index("\nanswer_keys:")] + "\n"


@pytest.fixture
def editor_client(client: Client, editor: User, citations_resolve: None) -> Client:
    client.force_login(editor)
    return client


@pytest.mark.django_db
def test_editor_publishes_a_valid_pack(editor_client: Client) -> None:
    response = editor_client.post(ADD_URL, {"source": PACK, "action-publish": "publish"})
    assert response.status_code == 302, response.content.decode()[:2000]
    scenario = Scenario.objects.get()
    assert scenario.live is True
    assert scenario.title and scenario.slug
    assert scenario.revisions.count() == 1


@pytest.mark.django_db
def test_incomplete_pack_saves_as_draft_but_cannot_be_published(editor_client: Client) -> None:
    draft = without_answer_keys(PACK)
    response = editor_client.post(ADD_URL, {"source": draft})
    assert response.status_code == 302
    scenario = Scenario.objects.get()
    assert scenario.live is False
    edit_url = f"/admin/snippets/scenarios/scenario/edit/{scenario.pk}/"
    response = editor_client.post(edit_url, {"source": draft, "action-publish": "publish"})
    assert response.status_code == 200
    assert "answer_keys" in response.content.decode()
    scenario.refresh_from_db()
    assert scenario.live is False


@pytest.mark.django_db
def test_real_looking_nhs_number_blocks_publishing(editor_client: Client) -> None:
    # 943 476 5919 has a valid NHS check digit.
    text = re.sub(r"(summary: >-\n  )", r"\1NHS number 943 476 5919. ", PACK, count=1)
    response = editor_client.post(ADD_URL, {"source": text, "action-publish": "publish"})
    assert response.status_code == 200
    assert "NHS" in response.content.decode()
    assert not Scenario.objects.filter(live=True).exists()


@pytest.mark.django_db
def test_broken_yaml_is_refused_even_as_a_draft(editor_client: Client) -> None:
    response = editor_client.post(ADD_URL, {"source": "slug: [unclosed"})
    assert response.status_code == 200
    assert "readable YAML" in response.content.decode()
    assert Scenario.objects.count() == 0


@pytest.mark.django_db
def test_duplicate_slug_is_refused(editor_client: Client) -> None:
    assert (
        editor_client.post(ADD_URL, {"source": PACK, "action-publish": "publish"}).status_code
        == 302
    )
    response = editor_client.post(ADD_URL, {"source": PACK, "action-publish": "publish"})
    assert response.status_code == 200
    assert "already uses the slug" in response.content.decode()
    assert Scenario.objects.count() == 1


@pytest.mark.django_db
def test_preview_renders_the_case(editor_client: Client) -> None:
    editor_client.post(ADD_URL, {"source": PACK, "action-publish": "publish"})
    scenario = Scenario.objects.get()
    response = editor_client.get(f"/admin/snippets/scenarios/scenario/preview/{scenario.pk}/")
    assert response.status_code in {200, 405}
