"""The guidance library in the Wagtail admin: review dates, the report, the glossary."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import TYPE_CHECKING

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from content.guidance_selectors import guidance_cache_forget, guidance_cache_stamp, reviews_due
from content.guidance_services import page_review_set
from content.models import GlossaryTerm, GuidanceDocumentPage, GuidanceIndexPage, PageReview

if TYPE_CHECKING:
    from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()
    guidance_cache_forget()


@pytest.fixture
def summary(demo_people: dict[str, User]) -> GuidanceDocumentPage:
    call_command("seed_guidance", stdout=StringIO())
    return GuidanceDocumentPage.objects.get(slug="procedures-summary")


@pytest.fixture
def editor_client(client: Client, editor: User) -> Client:
    client.force_login(editor)
    return client


def test_a_new_document_gets_a_review_date_a_year_out(summary: GuidanceDocumentPage) -> None:
    review = PageReview.objects.get(page=summary)
    assert review.review_by == timezone.localdate() + timedelta(days=365)


def test_reviews_due_lists_overdue_and_soon_due_pages(
    summary: GuidanceDocumentPage, editor: User
) -> None:
    today = timezone.localdate()
    index = GuidanceIndexPage.objects.get()
    page_review_set(page=summary, review_by=today - timedelta(days=3), owner=editor)
    page_review_set(page=index, review_by=today + timedelta(days=60))
    assert [r.page_id for r in reviews_due(today=today)] == [summary.pk]
    page_review_set(page=index, review_by=today + timedelta(days=30))
    assert [r.page_id for r in reviews_due(today=today)] == [summary.pk, index.pk]


def test_report_page_for_editors(
    editor_client: Client, summary: GuidanceDocumentPage, editor: User
) -> None:
    today = timezone.localdate()
    page_review_set(page=summary, review_by=today - timedelta(days=3), owner=editor)
    response = editor_client.get("/admin/reports/reviews-due/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reviews due" in html
    assert "Procedures summary" in html
    assert "Overdue by 3 days" in html
    assert editor.get_full_name() in html or editor.username in html
    csv = editor_client.get("/admin/reports/reviews-due/?export=csv")
    assert csv.status_code == 200
    assert b"Procedures summary" in b"".join(csv.streaming_content)  # type: ignore[attr-defined]


def test_report_is_for_editors_only(
    client: Client, summary: GuidanceDocumentPage, delegate: User
) -> None:
    client.force_login(delegate)
    response = client.get("/admin/reports/reviews-due/")
    assert response.status_code in (302, 403)


def test_editors_set_review_dates_from_the_page_header(
    editor_client: Client, summary: GuidanceDocumentPage, editor: User
) -> None:
    PageReview.objects.filter(page=summary).delete()
    edit = editor_client.get(f"/admin/pages/{summary.pk}/edit/").content.decode()
    assert f"/admin/reports/review-dates/new/?page={summary.pk}" in edit
    form = editor_client.get(f"/admin/reports/review-dates/new/?page={summary.pk}")
    assert form.status_code == 200
    review_by = timezone.localdate() + timedelta(days=10)
    response = editor_client.post(
        "/admin/reports/review-dates/new/",
        {"page": summary.pk, "review_by": review_by.isoformat(), "owner": editor.pk, "notes": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    review = PageReview.objects.get(page=summary)
    assert (review.review_by, review.owner) == (review_by, editor)


def test_editors_keep_the_glossary(editor_client: Client, summary: GuidanceDocumentPage) -> None:
    listing = editor_client.get("/admin/snippets/content/glossaryterm/")
    assert listing.status_code == 200
    assert "Achieving Best Evidence" in listing.content.decode()
    stamp = guidance_cache_stamp()
    response = editor_client.post(
        "/admin/snippets/content/glossaryterm/add/",
        {
            "term": "CPIS",
            "expansion": "Child Protection Information Sharing",
            "definition": "A made-up term for this test.",
            "aliases": "",
            "match_case": "on",
            "explain_in_text": "on",
            "slug": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert GlossaryTerm.objects.filter(term="CPIS", slug="cpis").exists()
    guidance_cache_forget()
    assert guidance_cache_stamp() > stamp  # cached guidance pages are retired
