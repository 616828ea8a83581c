"""Workbook pages: an index of workbooks, a workbook, and its chapters.

A workbook is a page whose children are chapters; a chapter's body is a
StreamField of workbook blocks, each with a stable id that answers are keyed
on. The pages themselves render the content read-only (for previews, for
editors and for anyone not signed in); a signed-in delegate is sent to the
interactive version in ``assessments``, which keeps their answers.

This module also registers the ``workbook`` citation scheme:
``workbook:<workbook-slug>:<block-id>`` names one block of a workbook.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.text import Truncator
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page
from wagtail.search import index

from content.blocks import WorkbookStreamBlock, block_summary
from content.citations import Citation, register_scheme

INTRO_FEATURES = ["bold", "italic", "link", "ol", "ul"]


def _is_preview(request: HttpRequest) -> bool:
    return bool(getattr(request, "is_preview", False))


class WorkbookIndexPage(Page):
    """Lists the workbooks delegates can work through."""

    intro = RichTextField(blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.WorkbookPage"]
    template = "content/workbook_index_page.html"

    def workbooks(self) -> models.QuerySet[WorkbookPage]:
        return WorkbookPage.objects.live().public().child_of(self).order_by("path")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["workbooks"] = self.workbooks()
        return context


class WorkbookPage(Page):
    """A workbook: an introduction and, as child pages, its chapters."""

    intro = models.CharField(
        max_length=400, help_text="One or two sentences on what the workbook covers."
    )
    about = RichTextField(
        blank=True,
        features=INTRO_FEATURES,
        help_text="How to use the workbook: time needed, what to bring to the seminar.",
    )
    estimated_minutes = models.PositiveIntegerField(
        default=120, help_text="Roughly how long the whole workbook takes, in minutes."
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("about"),
        FieldPanel("estimated_minutes"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("about")]

    parent_page_types = ["content.WorkbookIndexPage"]
    subpage_types = ["content.WorkbookChapterPage"]
    template = "content/workbook_page.html"

    def chapters(self) -> models.QuerySet[WorkbookChapterPage]:
        return WorkbookChapterPage.objects.live().child_of(self).order_by("path")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        context["chapters"] = self.chapters()
        return context

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not _is_preview(request):
            return redirect(reverse("workbook_contents", args=[self.pk]))
        return super().serve(request, *args, **kwargs)


class WorkbookChapterPage(Page):
    """One chapter of a workbook: content and tasks, as workbook blocks."""

    summary = models.CharField(
        max_length=300, blank=True, help_text="Shown in the workbook's contents."
    )
    body = StreamField(WorkbookStreamBlock(), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("summary"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["content.WorkbookPage"]
    subpage_types: list[str] = []
    template = "content/workbook_chapter_page.html"

    def find_block(self, block_id: str) -> Any | None:
        """Return the top-level block with ``block_id``, or ``None``.

        Looks the id up in the raw JSON first, so only blocks of the found
        block's type are converted to Python, not the whole chapter.
        """
        for position, item in enumerate(self.body.raw_data):
            if item.get("id") == block_id:
                return self.body[position]
        return None

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated and not _is_preview(request):
            return redirect(reverse("workbook_chapter", args=[self.pk]))
        return super().serve(request, *args, **kwargs)

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context(request, *args, **kwargs)
        # A chapter previewed before it is first saved has no place in the tree.
        parent = self.get_parent() if self.path else None
        context["workbook"] = parent.specific if parent else None
        return context


def resolve_workbook_key(slug: str, anchor: str, on: date | None) -> Citation | None:
    """Resolve ``workbook:<slug>:<block-id>`` against the live workbook.

    Workbooks are not versioned by date as guidance is, so ``on`` is not
    used: the citation is always to the block as it is now.
    """
    workbook = WorkbookPage.objects.live().filter(slug=slug).first()
    if workbook is None:
        return None
    for chapter in workbook.chapters():
        child = chapter.find_block(anchor)
        if child is not None:
            summary = Truncator(block_summary(child.block, child.value)).chars(160)
            return Citation(
                key=f"workbook:{slug}:{anchor}",
                url=f"{chapter.url}#block-{anchor}",
                title=f"{workbook.title}: {chapter.title}",
                quotation=summary,
            )
    return None


register_scheme("workbook", resolve_workbook_key)
