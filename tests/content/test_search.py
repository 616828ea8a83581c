"""Search across the guidance in force, the glossary and workbook pages."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from content.guidance_selectors import guidance_cache_forget, guidance_search, search_snippet
from content.guidance_services import guidance_import_file

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "content" / "demo" / "procedures-summary.txt"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()
    guidance_cache_forget()


@pytest.fixture
def seeded() -> None:
    call_command("seed_guidance", stdout=StringIO())


def test_gillick_finds_its_paragraph(client: Client, seeded: None) -> None:
    response = client.get("/search/", {"q": "Gillick"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/guidance/procedures-summary/the-voice-of-the-child/#para-91"' in html
    assert "Paragraph 91" in html
    assert "<mark>Gillick</mark>" in html
    # The glossary's entry for the term comes first.
    assert html.index("Gillick competence") < html.index("Paragraph 91")


def test_results_are_ranked_and_counted(seeded: None) -> None:
    results = guidance_search("core group")
    assert results.count >= 2
    assert results.hits is not None
    first = results.hits[0]
    assert first.url.startswith("/guidance/procedures-summary/")
    assert "#" in first.url


def test_only_the_text_in_force_is_searched(seeded: None, tmp_path: Path) -> None:
    changed = tmp_path / "procedures-summary.txt"
    changed.write_text(
        DEMO.read_text(encoding="utf-8").replace("59. ", "59. Zebracrossing ", 1), encoding="utf-8"
    )
    guidance_import_file(changed, slug="procedures-summary", effective_from=date(2099, 1, 1))
    assert guidance_search("Zebracrossing").count == 0
    guidance_import_file(
        DEMO.with_name("procedures-summary.txt"), slug="procedures-summary"
    )  # unchanged: no new version
    assert guidance_search("Gillick").count >= 1


def test_drafts_are_not_searched(tmp_path: Path) -> None:
    guidance_import_file(DEMO, slug="procedures-summary")
    assert guidance_search("Gillick").count == 0


def test_empty_and_hostile_queries(client: Client, seeded: None) -> None:
    assert client.get("/search/").status_code == 200
    html = client.get("/search/", {"q": '<script>alert(1)</script> "AND OR'}).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert client.get("/search/", {"q": "Gillick", "page": "99"}).status_code == 200


def test_one_document_can_be_chosen(seeded: None, tmp_path: Path) -> None:
    other = tmp_path / "other.txt"
    other.write_text(
        "Other guidance\n\n 1. Only part\nOnly section\n\nKey Points\n\n\u25cf Gillick matters\n\n"
        "1. Gillick competence is assessed case by case.\n",
        encoding="utf-8",
    )
    guidance_import_file(other, slug="other", publish=True)
    everywhere = guidance_search("Gillick")
    only = guidance_search("Gillick", document_slug="other")
    assert {hit.document.slug for hit in everywhere.hits} == {"procedures-summary", "other"}  # type: ignore[union-attr]
    assert {hit.document.slug for hit in only.hits} == {"other"}  # type: ignore[union-attr]


def test_workbook_pages_are_searched_when_present(seeded: None) -> None:
    from django.apps import apps

    try:
        apps.get_model("content", "WorkbookChapterPage")
    except LookupError:
        pytest.skip("no workbook pages in this build")
    try:
        call_command("seed_workbook", stdout=StringIO())
    except Exception as error:  # noqa: BLE001 - another app's command
        pytest.skip(f"workbook demo not available: {error}")
    call_command("update_index", stdout=StringIO(), verbosity=0)
    results = guidance_search("conference")
    assert any("workbook" in hit.kind for hit in results.pages), results.pages


def test_snippet_marks_the_words_and_escapes() -> None:
    text = "A <child> who is Gillick competent may consent. " + "word " * 80 + "Gillick again."
    snippet = search_snippet(text, "gillick")
    assert snippet.startswith("A &lt;child&gt; who is <mark>Gillick</mark>")
    assert snippet.endswith("\u2026")
    late = search_snippet("word " * 100 + "the Gillick test", "Gillick")
    assert late.startswith("\u2026") and "<mark>Gillick</mark>" in late
