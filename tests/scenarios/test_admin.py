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
@pytest.mark.parametrize(
    ("insert", "label"),
    [
        ("NHS number 943 476 5919. ", "NHS number"),
        ("Mum's DOB: 02/05/1990. ", "date of birth"),
        ("Email jo.bloggs@gmail.com. ", "e-mail address"),
    ],
)
def test_real_looking_identifier_is_refused_even_as_a_draft(
    editor_client: Client, insert: str, label: str
) -> None:
    """A draft is saved without checks, except this one: nothing is stored."""
    text = re.sub(r"(summary: >-\n  )", rf"\1{insert}", without_answer_keys(PACK), count=1)
    response = editor_client.post(ADD_URL, {"source": text})
    assert response.status_code == 200
    assert f"real-looking {label}" in response.content.decode()
    assert Scenario.objects.count() == 0


@pytest.mark.django_db
def test_unreadable_draft_with_an_identifier_names_the_line(editor_client: Client) -> None:
    text = "slug: x\ntitle: y\nsummary: [call 01534 123456\n"
    response = editor_client.post(ADD_URL, {"source": text})
    assert response.status_code == 200
    assert "Line 3: The scenario contains what looks like a real telephone number" in (
        response.content.decode().replace("&#x27;", "'")
    )
    assert Scenario.objects.count() == 0


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


# Making a variant from the admin -------------------------------------------------


@pytest.fixture
def published(editor_client: Client) -> Scenario:
    editor_client.post(ADD_URL, {"source": PACK, "action-publish": "publish"})
    return Scenario.objects.get()


@pytest.mark.django_db
def test_the_listing_offers_a_variant_of_each_scenario(
    editor_client: Client, published: Scenario
) -> None:
    page = editor_client.get("/admin/snippets/scenarios/scenario/").content.decode()
    assert f"/admin/snippets/scenarios/scenario/variant/{published.pk}/" in page
    assert "Make a variant" in page


@pytest.mark.django_db
def test_editor_makes_a_published_variant_with_fresh_people(
    editor_client: Client, editor: User, published: Scenario
) -> None:
    url = f"/admin/snippets/scenarios/scenario/variant/{published.pk}/"
    assert editor_client.get(url).status_code == 200
    response = editor_client.post(url, {"seminar_date": "2026-12-03", "seed": "41"})
    assert response.status_code == 302, response.content.decode()[:2000]
    variant = Scenario.objects.exclude(pk=published.pk).get()
    assert variant.live and variant.template_id == published.pk and variant.variant_seed == 41
    assert variant.slug != published.slug
    assert variant.latest_revision.user == editor  # published as the editor, with history
    assert response["Location"] == f"/admin/snippets/scenarios/scenario/edit/{variant.pk}/"
    before = published.source
    published.refresh_from_db()
    assert published.source == before  # the template is untouched


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"seminar_date": "", "seed": "1"}, "Enter the seminar date"),
        ({"seminar_date": "2026-02-30", "seed": "1"}, "Enter a real date"),
        ({"seminar_date": "2026-12-03", "seed": "-4"}, "The seed cannot be negative"),
        ({"seminar_date": "2026-12-03", "seed": "x" * 5000}, "Enter the seed as a whole number"),
    ],
)
def test_a_bad_variant_form_is_refused_and_changes_nothing(
    editor_client: Client, published: Scenario, data: dict[str, str], message: str
) -> None:
    url = f"/admin/snippets/scenarios/scenario/variant/{published.pk}/"
    response = editor_client.post(url, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert Scenario.objects.count() == 1


@pytest.mark.django_db
def test_delegates_cannot_make_variants(
    client: Client, delegate: User, published: Scenario
) -> None:
    client.force_login(delegate)
    url = f"/admin/snippets/scenarios/scenario/variant/{published.pk}/"
    response = client.post(url, {"seminar_date": "2026-12-03", "seed": "41"})
    assert response.status_code in (302, 403)
    assert Scenario.objects.count() == 1
