"""Guidance pages: contents, sections, paragraph links, versions, print, cache."""

from __future__ import annotations

import re
from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from content.guidance_selectors import guidance_cache_forget
from content.guidance_services import guidance_import_file
from content.models import GuidanceDocumentPage, GuidanceIndexPage, HomePage

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "content" / "demo" / "procedures-summary.txt"
BASE = "/guidance/procedures-summary/"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()
    guidance_cache_forget()


@pytest.fixture
def summary() -> GuidanceDocumentPage:
    """The demo summary, imported and published as seed_demo does."""
    call_command("seed_guidance", stdout=StringIO())
    return GuidanceDocumentPage.objects.get(slug="procedures-summary")


def body(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def altered_summary(tmp_path: Path, effective: str) -> GuidanceDocumentPage:
    """Import a second version of the summary with paragraph 59 reworded."""
    changed = tmp_path / "procedures-summary.txt"
    changed.write_text(
        DEMO.read_text(encoding="utf-8").replace("59. ", "59. Reworded: ", 1), encoding="utf-8"
    )
    result = guidance_import_file(
        changed, slug="procedures-summary", effective_from=date.fromisoformat(effective)
    )
    return result.document


# -- Contents and sections ---------------------------------------------------------------


def test_library_lists_the_documents(client: Client, summary: GuidanceDocumentPage) -> None:
    response = client.get("/guidance/")
    assert response.status_code == 200
    html = body(response)
    assert 'href="/guidance/procedures-summary/"' in html
    assert "Procedures summary" in html
    assert "In force from 1 September 2025" in html


def test_contents_lists_parts_and_sections(client: Client, summary: GuidanceDocumentPage) -> None:
    html = body(client.get(BASE))
    assert '<h1 class="govuk-heading-xl">Procedures summary</h1>' in html
    assert "1. Levels of need" in html and "7. The child" in html
    assert f'href="{BASE}order-of-business/"' in html
    assert "paragraphs 59 to 76" in html
    assert "91 numbered paragraphs in 8 sections" in html
    assert f'href="{BASE}print/"' in html and f'href="{BASE}amendments/"' in html


def test_section_shows_numbered_paragraphs_with_anchors(
    client: Client, summary: GuidanceDocumentPage
) -> None:
    html = body(client.get(f"{BASE}order-of-business/"))
    assert 'id="para-59"' in html
    assert 'href="#para-59"' in html
    assert f'data-copy-link="{BASE}para-59/"' in html
    # Previous and next sections.
    assert 'rel="prev"' in html and 'rel="next"' in html
    assert re.search(r'<h1 class="govuk-heading-l">Order of business</h1>', html)


def test_key_points_table_and_lists(client: Client, summary: GuidanceDocumentPage) -> None:
    html = body(client.get(f"{BASE}understanding-levels-of-need/"))
    assert 'class="app-key-points"' in html
    assert '<caption class="govuk-table__caption govuk-table__caption--m"' in html
    for level in (
        "Universal",
        "Wellbeing Need",
        "Health or Development Need",
        "Safeguarding needs",
    ):
        assert (
            f'<th scope="row" class="govuk-table__header"><span class="app-cell-line">{level}</span></th>'
            in html
        )
    assert 'data-label="Response"' in html
    assert 'class="app-cell-bullet"' in html


def test_paragraph_link_redirects_to_its_section(
    client: Client, summary: GuidanceDocumentPage
) -> None:
    response = client.get(f"{BASE}para-59/")
    assert response.status_code == 302
    assert response["Location"] == f"{BASE}order-of-business/#para-59"
    assert client.get(f"{BASE}para-999/").status_code == 404


def test_unknown_section_is_not_found(client: Client, summary: GuidanceDocumentPage) -> None:
    assert client.get(f"{BASE}no-such-section/").status_code == 404


def test_cross_references_link_to_paragraphs(client: Client, summary: GuidanceDocumentPage) -> None:
    html = body(client.get(f"{BASE}writing-the-report/"))
    # "paragraphs 50 to 53" are in the same section: in-page links.
    assert '<a href="#para-50" class="govuk-link">50</a>' in html


def test_print_view_has_the_whole_text(client: Client, summary: GuidanceDocumentPage) -> None:
    html = body(client.get(f"{BASE}print/"))
    for number in (1, 59, 91):
        assert f'id="para-{number}"' in html
    assert html.count('class="app-print-section"') == 8
    assert "data-print" in html
    assert "Copy link" not in html


def test_draft_document_is_not_public(client: Client) -> None:
    guidance_import_file(DEMO, slug="procedures-summary")
    assert client.get(BASE).status_code == 404


# -- Versions ----------------------------------------------------------------------


def test_versions_are_readable_at_their_own_urls(
    client: Client, summary: GuidanceDocumentPage, tmp_path: Path
) -> None:
    altered_summary(tmp_path, "2026-02-01")
    current = body(client.get(f"{BASE}order-of-business/"))
    assert "Reworded:" in current
    old = body(client.get(f"{BASE}version/2025-09-01/order-of-business/"))
    assert "Reworded:" not in old
    assert "This is an earlier version, in force from 1 September 2025 to 31 January 2026" in old
    assert f'data-copy-link="{BASE}version/2025-09-01/para-59/"' in old
    assert client.get(f"{BASE}version/2025-09-02/").status_code == 404
    assert client.get(f"{BASE}version/2025-02-30/").status_code == 404


def test_text_in_force_on_a_date_is_a_url(
    client: Client, summary: GuidanceDocumentPage, tmp_path: Path
) -> None:
    altered_summary(tmp_path, "2026-02-01")
    assert client.get(f"{BASE}on/2025-08-31/").status_code == 404  # before the first version
    response = client.get(f"{BASE}on/2025-12-25/order-of-business/")
    assert response["Location"] == f"{BASE}version/2025-09-01/order-of-business/"
    response = client.get(f"{BASE}on/2026-03-01/")
    assert response["Location"] == BASE
    response = client.get(f"{BASE}version/2025-09-01/para-59/")
    assert response["Location"] == f"{BASE}version/2025-09-01/order-of-business/#para-59"


def test_amendments_name_exactly_the_altered_paragraph(
    client: Client, summary: GuidanceDocumentPage, tmp_path: Path
) -> None:
    altered_summary(tmp_path, "2026-02-01")
    html = body(client.get(f"{BASE}amendments/"))
    assert "In force from 1 February 2026" in html and "In force from 1 September 2025" in html
    assert "1 altered, 0 added, 0 removed" in html
    assert re.findall(r'data-anchor="([^"]+)"', html) == ["para-59"]
    assert "Reworded:" in html


def test_future_version_is_not_yet_in_force(
    client: Client, summary: GuidanceDocumentPage, tmp_path: Path
) -> None:
    altered_summary(tmp_path, "2099-01-01")
    assert "Reworded:" not in body(client.get(f"{BASE}order-of-business/"))
    html = body(client.get(f"{BASE}version/2099-01-01/order-of-business/"))
    assert "Reworded:" in html
    assert "This text comes into force on 1 January 2099" in html


# -- Queries and the page cache --------------------------------------------------------


def _section_with(count: int) -> str:
    lines = [
        "Query count document",
        "",
        " 1. Only part",
        "Only section",
        "",
        "Key Points",
        "",
        "\u25cf A point",
        "",
    ]
    lines += [f"{n}. Paragraph {n} says what MASH and the Hub do.\n" for n in range(1, count + 1)]
    return "\n".join(lines)


def test_section_queries_do_not_grow_with_its_length(
    client: Client, summary: GuidanceDocumentPage, tmp_path: Path, settings: object
) -> None:
    """A section costs the same few queries with 5 paragraphs as with 60 (no cache)."""
    settings.THRESHOLD_GUIDANCE_CACHE_SECONDS = 0  # type: ignore[attr-defined]
    queries = {}
    for count in (5, 60):
        path = tmp_path / f"queries-{count}.txt"
        path.write_text(_section_with(count), encoding="utf-8")
        guidance_import_file(path, slug=f"queries-{count}", publish=True)
        url = f"/guidance/queries-{count}/only-section/"
        assert client.get(url).status_code == 200  # warm
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert body(response).count('class="app-para app-para--numbered"') == count
        queries[count] = len(captured.captured_queries)
    assert queries[5] == queries[60]
    # Wagtail's routing (site, the pages on the path, aliases, view
    # restrictions) and the section: versions, sections, blocks.
    assert queries[60] <= 12, queries


def test_anonymous_pages_come_from_the_cache(
    client: Client, summary: GuidanceDocumentPage, tmp_path: Path
) -> None:
    url = f"{BASE}order-of-business/"
    first = client.get(url)
    with CaptureQueriesContext(connection) as captured:
        second = client.get(url)
    assert len(captured.captured_queries) == 0
    assert body(second) == body(first).replace(_nonce(first), _nonce(second))
    # Nothing on a cached page posts, so it carries no CSRF token or cookie.
    assert '"X-CSRFToken": ""' in body(second)
    assert "csrftoken" not in second.cookies
    # Each response has its own nonce, and its header names that nonce.
    assert _nonce(first) != _nonce(second)
    assert f"'nonce-{_nonce(second)}'" in second["Content-Security-Policy"]
    # An import retires the cached pages.
    altered_summary(tmp_path, "2026-02-01")
    assert "Reworded:" in body(client.get(url))


def test_signed_in_readers_are_not_served_from_the_cache(
    client: Client, summary: GuidanceDocumentPage, django_user_model: object
) -> None:
    url = f"{BASE}order-of-business/"
    client.get(url)
    user = django_user_model.objects.create_user(username="reader", password="x")  # type: ignore[attr-defined]
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert len(captured.captured_queries) > 0
    assert "Sign out" in body(response)


def test_publishing_retires_cached_pages(client: Client, summary: GuidanceDocumentPage) -> None:
    client.get(BASE)
    summary.summary = "A new summary line."
    summary.save_revision().publish()
    # Publishing in the admin runs the after_publish_page hook; here, as any
    # code that publishes must, bump the stamp.
    from content.guidance_services import guidance_cache_bump

    guidance_cache_bump()
    assert "A new summary line." in body(client.get(BASE))


def _nonce(response: object) -> str:
    match = re.search(r'nonce="([^"]+)"', body(response))
    assert match
    return match.group(1)


# -- Page models -------------------------------------------------------------------------


class GuidancePageTests(WagtailPageTestCase):
    def test_page_tree_rules(self) -> None:
        self.assertAllowedParentPageTypes(GuidanceIndexPage, {HomePage})
        self.assertAllowedSubpageTypes(GuidanceIndexPage, {GuidanceDocumentPage})
        self.assertAllowedParentPageTypes(GuidanceDocumentPage, {GuidanceIndexPage})
        self.assertAllowedSubpageTypes(GuidanceDocumentPage, set())

    def test_editor_can_create_a_document_page(self) -> None:
        call_command("seed_pages", stdout=StringIO())
        index = GuidanceIndexPage(title="Guidance", slug="guidance")
        Page.objects.get(slug="home").add_child(instance=index)
        self.login()
        self.assertCanCreate(
            index,
            GuidanceDocumentPage,
            {
                "title": "Another document",
                "slug": "another-document",
                "summary": "What it is.",
                "publisher": "Someone",
                "status": "final",
            },
        )
