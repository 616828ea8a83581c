"""The guidance library: documents, their dated versions, and review dates.

A guidance document is a Wagtail page (editors own its title, publisher,
status and summary), but its text is not page content: it arrives through the
importer (``manage.py import_guidance``) as a new :class:`GuidanceVersion`
each time the official file changes, and no editor types it. Each version
holds its sections, blocks (numbered paragraphs, key points, tables, lists,
sub-headings) and footnotes as plain rows, so a section renders from one
query for its blocks, and an old version stays readable at its own URL.

URLs of a document page (``RoutablePageMixin``)::

    /guidance/<doc>/                           contents of the text in force today
    /guidance/<doc>/<section>/                 a section; paragraphs at #para-N
    /guidance/<doc>/para-59/                   stable link: redirects to its section
    /guidance/<doc>/print/                     the whole text, for paper
    /guidance/<doc>/amendments/                every version and what it changed
    /guidance/<doc>/version/<YYYY-MM-DD>/...   a version by its effective date
    /guidance/<doc>/on/<YYYY-MM-DD>/...        the text in force on a date
                                               (redirects to its version)

Review dates (:class:`PageReview`) belong to any page, guidance or workbook,
and sit outside page revisions: changing who reviews a page, or when, is not
an edit of its content.

This module registers the ``guidance`` citation scheme:
``guidance:<doc>:<anchor>`` names a block of a document (``para-59``, or the
anchor of an unnumbered block), resolved against the version in force on a
date (see :func:`content.guidance_selectors.guidance_citation`).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from wagtail.admin.panels import FieldPanel, HelpPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path, re_path
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from content.citations import Citation, register_scheme

if TYPE_CHECKING:
    from content.guidance_selectors import VersionView

INTRO_FEATURES = ["bold", "italic", "link", "ol", "ul"]
DATE_PATTERN = r"(?P<effective>\d{4}-\d{2}-\d{2})"


class GuidanceIndexPage(Page):
    """The guidance library: lists the documents delegates and trainers read."""

    intro = RichTextField(blank=True, features=INTRO_FEATURES)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    search_fields = [*Page.search_fields, index.SearchField("intro")]

    parent_page_types = ["content.HomePage"]
    subpage_types = ["content.GuidanceDocumentPage"]
    max_count = 1
    template = "content/guidance_index_page.html"

    class Meta:
        verbose_name = "guidance library"

    def documents(self) -> models.QuerySet[GuidanceDocumentPage]:
        return GuidanceDocumentPage.objects.live().public().child_of(self).order_by("title")

    def get_context(self, request: HttpRequest, *args: Any, **kwargs: Any) -> dict[str, Any]:
        from content.guidance_selectors import documents_with_versions

        context = super().get_context(request, *args, **kwargs)
        context["documents"] = documents_with_versions(self.documents(), request=request)
        context.update(_placeholders(request))
        return context

    def serve(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return _mark_cacheable(request, super().serve(request, *args, **kwargs))

    def route(self, request: HttpRequest, path_components: list[str]) -> Any:
        """Find a document in one query (Wagtail's default takes two: the
        page, then its specific type)."""
        if not path_components:
            return super().route(request, path_components)
        document = (
            GuidanceDocumentPage.objects.child_of(self).filter(slug=path_components[0]).first()
        )
        if document is None:
            raise Http404("No such guidance document.")
        document._cached_parent_obj = self
        return document.route(request, path_components[1:])


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    FINAL = "final", "Final"
    WITHDRAWN = "withdrawn", "Withdrawn"


class GuidanceDocumentPage(RoutablePageMixin, Page):
    """One official document (statutory guidance, a workbook) in all its versions."""

    publisher = models.CharField(
        max_length=200, blank=True, help_text="Who issues the document, as printed on it."
    )
    status = models.CharField(
        max_length=20,
        choices=DocumentStatus.choices,
        default=DocumentStatus.FINAL,
        help_text="As the publisher marks it: statutory guidance issued in draft says so.",
    )
    summary = models.CharField(
        max_length=400, blank=True, help_text="One or two sentences shown in the library."
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("publisher"), FieldPanel("status")], heading="Document"),
        HelpPanel(
            content=(
                "<p>The text of this document is imported, never typed: run "
                "<code>manage.py import_guidance FILE --slug SLUG</code> with the "
                "official .txt or .docx file. Each changed file becomes a new dated "
                "version; set the review date and owner under "
                "<em>Reports &rsaquo; Review dates</em>.</p>"
            ),
            heading="Text and versions",
        ),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("publisher"),
    ]

    parent_page_types = ["content.GuidanceIndexPage"]
    subpage_types: list[str] = []
    template = "content/guidance_document_page.html"

    class Meta:
        verbose_name = "guidance document"

    # -- Routes ---------------------------------------------------------------
    # Order matters: the first pattern that matches wins, so the fixed words
    # come before the catch-all section slug.

    @path("")
    def contents(self, request: HttpRequest) -> HttpResponse:
        return self._contents(request, self._view(request))

    @re_path(r"^para-(?P<number>\d{1,4})/$")
    def paragraph_link(self, request: HttpRequest, number: str) -> HttpResponse:
        return self._paragraph(request, self._view(request), int(number))

    @path("print/")
    def print_view(self, request: HttpRequest) -> HttpResponse:
        return self._print(request, self._view(request))

    @path("amendments/")
    def amendments(self, request: HttpRequest) -> HttpResponse:
        from content.guidance_selectors import document_amendments

        view = self._view(request)
        context = {
            "view": view,
            "versions": document_amendments(self),
            "today": view.today,
            "page_url": view.page_url,
            "library_url": view.library_url,
        }
        return self._render(request, "content/guidance_amendments.html", context)

    @re_path(rf"^version/{DATE_PATTERN}/$")
    def version_contents(self, request: HttpRequest, effective: str) -> HttpResponse:
        return self._contents(request, self._view(request, effective=effective))

    @re_path(rf"^version/{DATE_PATTERN}/para-(?P<number>\d{{1,4}})/$")
    def version_paragraph(self, request: HttpRequest, effective: str, number: str) -> HttpResponse:
        return self._paragraph(request, self._view(request, effective=effective), int(number))

    @re_path(rf"^version/{DATE_PATTERN}/print/$")
    def version_print(self, request: HttpRequest, effective: str) -> HttpResponse:
        return self._print(request, self._view(request, effective=effective))

    @re_path(rf"^version/{DATE_PATTERN}/(?P<section_slug>[-a-z0-9]+)/$")
    def version_section(
        self, request: HttpRequest, effective: str, section_slug: str
    ) -> HttpResponse:
        return self._section(request, self._view(request, effective=effective), section_slug)

    @re_path(r"^on/(?P<on>\d{4}-\d{2}-\d{2})/(?P<rest>(?:[-a-z0-9]+/)?)$")
    def in_force_on(self, request: HttpRequest, on: str, rest: str) -> HttpResponse:
        """Redirect to the version in force on a date (404 before the first)."""
        view = self._view(request, on=on)
        return _mark_cacheable(request, redirect(view.base_url + rest))

    @re_path(r"^(?P<section_slug>[-a-z0-9]+)/$")
    def section(self, request: HttpRequest, section_slug: str) -> HttpResponse:
        return self._section(request, self._view(request), section_slug)

    # -- Rendering ------------------------------------------------------------

    def _view(
        self, request: HttpRequest, *, effective: str | None = None, on: str | None = None
    ) -> VersionView:
        """Return the version a request reads, or raise 404."""
        from content.guidance_selectors import version_view

        try:
            effective_date = date.fromisoformat(effective) if effective else None
            on_date = date.fromisoformat(on) if on else None
        except ValueError as error:
            raise Http404("Not a date.") from error
        view = version_view(
            self,
            page_url=self.get_url(request) or self.url or "/",
            effective=effective_date,
            on=on_date,
            today=timezone.localdate(),
        )
        if view is None:
            raise Http404("No version of this document for that date.")
        return view

    def _render(self, request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
        context = {**context, **_placeholders(request)}
        response = self.render(request, template=template, context_overrides=context)
        return _mark_cacheable(request, response)

    def _contents(self, request: HttpRequest, view: VersionView) -> HttpResponse:
        from content.guidance_selectors import contents_parts

        if view.version is None:
            return self._render(request, "content/guidance_document_page.html", {"view": view})
        context = {"view": view, "parts": contents_parts(view.version)}
        return self._render(request, "content/guidance_document_page.html", context)

    def _paragraph(self, request: HttpRequest, view: VersionView, number: int) -> HttpResponse:
        from content.guidance_selectors import paragraph_section_slug

        slug = paragraph_section_slug(view.version, number) if view.version else None
        if slug is None:
            raise Http404(f"No paragraph {number} in this version.")
        return _mark_cacheable(request, redirect(f"{view.base_url}{slug}/#para-{number}"))

    def _section(self, request: HttpRequest, view: VersionView, section_slug: str) -> HttpResponse:
        from content.guidance_selectors import section_page

        if view.version is None:
            raise Http404("This document has no text yet.")
        data = section_page(view.version, section_slug)
        if data is None:
            raise Http404("No such section.")
        return self._render(
            request, "content/guidance_section.html", {"view": view, "section_page": data}
        )

    def _print(self, request: HttpRequest, view: VersionView) -> HttpResponse:
        from content.guidance_selectors import print_sections

        if view.version is None:
            raise Http404("This document has no text yet.")
        context = {"view": view, "document": print_sections(view.version)}
        return self._render(request, "content/guidance_print.html", context)


def _placeholders(request: HttpRequest) -> dict[str, str]:
    """Return the per-request context to render as placeholders, if caching.

    The anonymous page cache (``content.search_views``) asks for a page to be
    rendered once with placeholders for the CSP nonce and the CSRF token,
    keeps that, and fills in each request's own values when it serves it.
    """
    if not getattr(request, "guidance_cache_render", False):
        return {}
    from content.guidance_selectors import page_cache_placeholders

    return page_cache_placeholders()


def _mark_cacheable(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Tell the anonymous page cache it may keep ``response``."""
    if getattr(request, "guidance_cache_render", False):
        response.guidance_cacheable = True  # type: ignore[attr-defined]
    return response


class GuidanceVersion(models.Model):
    """The text of a document as in force from ``effective_from``.

    Created by the importer, never edited. ``checksum`` is the SHA-256 of
    the imported file's bytes and ``content_digest`` that of its wording, so
    the same file (or a re-saved copy with the same words) is not imported
    twice.
    """

    document = models.ForeignKey(
        GuidanceDocumentPage, on_delete=models.CASCADE, related_name="versions"
    )
    effective_from = models.DateField()
    title = models.CharField(max_length=255, help_text="The title as printed in the file.")
    source_name = models.CharField(max_length=255)
    checksum = models.CharField(max_length=64)
    content_digest = models.CharField(max_length=64)
    imported_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    part_count = models.PositiveIntegerField(default=0)
    section_count = models.PositiveIntegerField(default=0)
    paragraph_count = models.PositiveIntegerField(default=0, help_text="Numbered paragraphs.")
    block_count = models.PositiveIntegerField(default=0)
    table_count = models.PositiveIntegerField(default=0)
    key_points_count = models.PositiveIntegerField(default=0)
    footnote_count = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list, blank=True, help_text="[[line, message], ...]")

    class Meta:
        ordering = ["document", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["document", "effective_from"], name="guidance_version_one_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (in force from {self.effective_from:%-d %B %Y})"


class GuidanceSection(models.Model):
    """A section of one version: the unit a reader sees as one page."""

    version = models.ForeignKey(GuidanceVersion, on_delete=models.CASCADE, related_name="sections")
    order = models.PositiveIntegerField()
    part_number = models.PositiveSmallIntegerField()
    part_title = models.CharField(max_length=500)
    slug = models.SlugField(max_length=100, allow_unicode=False)
    title = models.CharField(max_length=500)
    implicit = models.BooleanField(
        default=False, help_text="Text before a part's first heading: titled after the part."
    )
    line = models.PositiveIntegerField(default=0)
    footnotes = models.JSONField(default=list, blank=True, help_text="Markers on the heading.")
    first_number = models.PositiveIntegerField(null=True, blank=True)
    last_number = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "slug"], name="guidance_section_slug"),
            models.UniqueConstraint(fields=["version", "order"], name="guidance_section_order"),
        ]

    def __str__(self) -> str:
        return self.title


class BlockKind(models.TextChoices):
    PARAGRAPH = "paragraph", "Paragraph"
    KEY_POINTS = "key_points", "Key points"
    TABLE = "table", "Table"
    LIST = "list", "List"
    HEADING = "heading", "Sub-heading"


class GuidanceBlock(index.Indexed, models.Model):
    """One block of a section, in document order.

    ``text`` is the block's own plain text (for quotations; a paragraph's
    list items are not part of it, and a table's is its cells); ``data``
    holds what the template needs beyond it: footnote markers as
    ``[[number, offset], ...]``, list items as ``{"text", "level", "refs"}``,
    a table's caption, header and rows, a sub-heading's level.
    """

    version = models.ForeignKey(GuidanceVersion, on_delete=models.CASCADE, related_name="blocks")
    section = models.ForeignKey(GuidanceSection, on_delete=models.CASCADE, related_name="blocks")
    order = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=BlockKind.choices)
    number = models.PositiveIntegerField(null=True, blank=True)
    anchor = models.CharField(max_length=120)
    text = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    line = models.PositiveIntegerField(default=0)

    search_fields = [
        index.SearchField("search_text"),
        index.FilterField("version"),
        index.FilterField("kind"),
        index.FilterField("number"),
    ]

    class Meta:
        ordering = ["version", "order"]
        constraints = [
            models.UniqueConstraint(fields=["version", "anchor"], name="guidance_block_anchor"),
        ]
        indexes = [models.Index(fields=["version", "number"], name="guidance_block_number")]

    def __str__(self) -> str:
        if self.number is not None:
            return f"Paragraph {self.number}"
        return f"{self.get_kind_display()} {self.anchor}"

    # Templates read ``data`` through these: ``data.items`` in a template
    # would find ``dict.items`` when the key is absent.

    @property
    def list_items(self) -> list[dict[str, Any]]:
        return list(self.data.get("items", ()))

    @property
    def refs(self) -> list[list[int]]:
        return list(self.data.get("refs", ()))

    @property
    def level(self) -> int:
        return int(self.data.get("level", 3))

    @property
    def caption(self) -> str:
        return str(self.data.get("caption", ""))

    @property
    def header(self) -> list[str]:
        return list(self.data.get("header", ()))

    @property
    def rows(self) -> list[list[str]]:
        return list(self.data.get("rows", ()))

    @property
    def labelled_rows(self) -> list[list[tuple[str, str]]]:
        """Return each row's cells with their column headings (for narrow screens)."""
        header = self.header
        return [
            [(header[i] if i < len(header) else "", cell) for i, cell in enumerate(row)]
            for row in self.rows
        ]

    @property
    def box_title(self) -> str:
        return str(self.data.get("title", "")) or "Key points"

    def search_text(self) -> str:
        """Return the words search finds this block by: its text and list items."""
        items = [item.get("text", "") for item in self.data.get("items", ())]
        return "\n".join([self.text, *items]) if self.kind == BlockKind.PARAGRAPH else self.text


class GuidanceFootnote(models.Model):
    """A footnote of one version, numbered as printed."""

    version = models.ForeignKey(GuidanceVersion, on_delete=models.CASCADE, related_name="footnotes")
    number = models.PositiveIntegerField()
    text = models.TextField()
    line = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["version", "number"]
        constraints = [
            models.UniqueConstraint(fields=["version", "number"], name="guidance_footnote_number"),
        ]

    def __str__(self) -> str:
        return f"Footnote {self.number}"


class PageReview(models.Model):
    """When a page is next due for review, and who reviews it.

    Kept beside the page rather than in it: the review date is editorial
    housekeeping, so setting it needs no new revision of the text, and it
    works for every page type (guidance documents, workbooks and chapters).
    """

    page = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE, related_name="review")
    review_by = models.DateField(help_text="The date by which the page must be reviewed.")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who is responsible for the review.",
    )
    notes = models.CharField(max_length=300, blank=True)

    panels = [
        FieldPanel("page"),
        FieldPanel("review_by"),
        FieldPanel("owner"),
        FieldPanel("notes"),
    ]

    class Meta:
        ordering = ["review_by"]
        verbose_name = "review date"

    def __str__(self) -> str:
        return f"{self.page.title}: review by {self.review_by:%-d %B %Y}"


class GuidanceCacheStamp(models.Model):
    """A counter bumped whenever what a cached guidance page shows may change.

    The anonymous page cache keys every entry on it (see
    ``content.search_views``), so an import, a publish or a glossary edit in
    any process retires every cached page in every process.
    """

    value = models.PositiveBigIntegerField(default=0)
    changed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Guidance cache stamp {self.value}"


def _resolve_guidance_key(slug: str, anchor: str, on: date | None) -> Citation | None:
    from content.guidance_selectors import guidance_citation

    return guidance_citation(slug, anchor, on=on)


register_scheme("guidance", _resolve_guidance_key)
