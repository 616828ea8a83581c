"""Read-side queries for the guidance library.

Every function here reads; nothing writes. The page routes of
``GuidanceDocumentPage``, the search page, the citation resolver and the
review report all come through this module, so the number of queries a page
costs is decided in one place: a section page is one query for the versions
of its document, one for the sections of the version, one for the blocks of
the section and one for the footnotes they cite.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.query import PlainText

from content.citations import Citation
from content.models.glossary import GlossaryTerm
from content.models.guidance import (
    BlockKind,
    GuidanceBlock,
    GuidanceCacheStamp,
    GuidanceDocumentPage,
    GuidanceFootnote,
    GuidanceSection,
    GuidanceVersion,
    PageReview,
)

# -- Versions -------------------------------------------------------------------


def document_versions(document: GuidanceDocumentPage) -> list[GuidanceVersion]:
    """Return the document's versions, oldest first (one query)."""
    return list(
        GuidanceVersion.objects.filter(document=document)
        .defer("warnings")
        .order_by("effective_from")
    )


def version_in_force(versions: Sequence[GuidanceVersion], on: date) -> GuidanceVersion | None:
    """Return the version in force on ``on``: the latest that started by then."""
    in_force = None
    for version in versions:
        if version.effective_from <= on:
            in_force = version
    return in_force


@dataclass(frozen=True)
class VersionView:
    """Which version of a document a request reads, and where its pages live."""

    document: GuidanceDocumentPage
    version: GuidanceVersion | None
    versions: tuple[GuidanceVersion, ...]
    current: GuidanceVersion | None
    page_url: str
    base_url: str
    today: date

    @property
    def is_current(self) -> bool:
        return self.version is not None and self.version == self.current

    @property
    def library_url(self) -> str:
        """Return the guidance library's URL (the document page's parent)."""
        return self.page_url.rstrip("/").rsplit("/", 1)[0] + "/"

    @property
    def is_dated_url(self) -> bool:
        return self.base_url != self.page_url

    @property
    def not_yet_in_force(self) -> bool:
        return self.version is not None and self.version.effective_from > self.today

    @property
    def superseded_by(self) -> GuidanceVersion | None:
        """Return the version that followed this one, if any."""
        if self.version is None:
            return None
        later = [v for v in self.versions if v.effective_from > self.version.effective_from]
        return later[0] if later else None

    @property
    def in_force_until(self) -> date | None:
        following = self.superseded_by
        return following.effective_from - timedelta(days=1) if following else None

    def dated_base_url(self, version: GuidanceVersion) -> str:
        return f"{self.page_url}version/{version.effective_from.isoformat()}/"

    @property
    def stable_base_url(self) -> str:
        """Return the base of links that keep naming this text.

        Links into the current text use the undated address (it follows the
        text in force); links into any other version carry its date.
        """
        if self.version is None or self.is_current:
            return self.page_url
        return self.dated_base_url(self.version)


def version_view(
    document: GuidanceDocumentPage,
    *,
    page_url: str,
    today: date,
    effective: date | None = None,
    on: date | None = None,
) -> VersionView | None:
    """Return the view a request asks for; ``None`` when it names no version.

    ``effective`` names a version by the date it came into force (a dated
    URL); ``on`` asks for the version in force on a date. Without either, the
    version in force today (or, when every version starts in the future, the
    first of them).
    """
    versions = tuple(document_versions(document))
    current = version_in_force(versions, today) or (versions[0] if versions else None)
    if effective is not None:
        version = next((v for v in versions if v.effective_from == effective), None)
        if version is None:
            return None
        base_url = f"{page_url}version/{effective.isoformat()}/"
    elif on is not None:
        version = version_in_force(versions, on)
        if version is None:
            return None
        base_url = (
            page_url
            if version == current
            else f"{page_url}version/{version.effective_from.isoformat()}/"
        )
    else:
        version = current
        base_url = page_url
    return VersionView(
        document=document,
        version=version,
        versions=versions,
        current=current,
        page_url=page_url,
        base_url=base_url,
        today=today,
    )


@dataclass(frozen=True)
class LibraryEntry:
    document: GuidanceDocumentPage
    current: GuidanceVersion | None
    url: str


def documents_with_versions(
    documents: QuerySet[GuidanceDocumentPage], *, request: HttpRequest | None = None
) -> list[LibraryEntry]:
    """Return each document with the version in force today (two queries)."""
    documents_list = list(documents)
    today = timezone.localdate()
    by_document: dict[int, list[GuidanceVersion]] = {}
    for version in (
        GuidanceVersion.objects.filter(document__in=[d.pk for d in documents_list])
        .defer("warnings")
        .order_by("effective_from")
    ):
        by_document.setdefault(version.document_id, []).append(version)
    entries = []
    for document in documents_list:
        versions = by_document.get(document.pk, [])
        current = version_in_force(versions, today) or (versions[0] if versions else None)
        entries.append(
            LibraryEntry(document=document, current=current, url=document.get_url(request) or "")
        )
    return entries


# -- Sections -------------------------------------------------------------------

SECTION_FIELDS = (
    "id",
    "order",
    "part_number",
    "part_title",
    "slug",
    "title",
    "implicit",
    "footnotes",
    "first_number",
    "last_number",
)
SUBHEADING_LEVEL_IN_CONTENTS = 3
BLOCK_FIELDS = ("id", "section_id", "order", "kind", "number", "anchor", "text", "data")


@dataclass
class ContentsPart:
    number: int
    title: str
    sections: list[GuidanceSection] = field(default_factory=list)

    @property
    def anchor(self) -> str:
        return f"part-{self.number}"


def _sections(version: GuidanceVersion) -> list[GuidanceSection]:
    return list(
        GuidanceSection.objects.filter(version=version).only(*SECTION_FIELDS).order_by("order")
    )


def _group_parts(sections: Iterable[GuidanceSection]) -> list[ContentsPart]:
    parts: list[ContentsPart] = []
    for section in sections:
        if not parts or parts[-1].number != section.part_number:
            parts.append(ContentsPart(number=section.part_number, title=section.part_title))
        parts[-1].sections.append(section)
    return parts


@dataclass(frozen=True)
class ContentsHeading:
    anchor: str
    text: str


def contents_parts(version: GuidanceVersion) -> list[ContentsPart]:
    """Return the table of contents: parts, sections and their first-level
    sub-headings (two queries)."""
    sections = _sections(version)
    headings: dict[int, list[ContentsHeading]] = {}
    for section_id, anchor, text, data in (
        GuidanceBlock.objects.filter(version=version, kind=BlockKind.HEADING)
        .order_by("order")
        .values_list("section_id", "anchor", "text", "data")
    ):
        if int(data.get("level", 3)) <= SUBHEADING_LEVEL_IN_CONTENTS:
            headings.setdefault(section_id, []).append(ContentsHeading(anchor, text))
    for section in sections:
        section.subheadings = headings.get(section.pk, [])  # type: ignore[attr-defined]
    return _group_parts(sections)


def paragraph_section_slug(version: GuidanceVersion, number: int) -> str | None:
    """Return the slug of the section holding paragraph ``number`` (one query)."""
    return (
        GuidanceBlock.objects.filter(version=version, number=number, kind=BlockKind.PARAGRAPH)
        .values_list("section__slug", flat=True)
        .first()
    )


def _cited_numbers(section: GuidanceSection, blocks: Iterable[GuidanceBlock]) -> set[int]:
    numbers = {number for number, _ in section.footnotes}
    for block in blocks:
        numbers.update(number for number, _ in block.data.get("refs", ()))
        for item in block.data.get("items", ()):
            numbers.update(number for number, _ in item.get("refs", ()))
    return numbers


def _footnotes(version: GuidanceVersion, numbers: set[int]) -> list[GuidanceFootnote]:
    if not numbers:
        return []
    return list(
        GuidanceFootnote.objects.filter(version=version, number__in=numbers)
        .only("number", "text")
        .order_by("number")
    )


@dataclass
class SectionPage:
    """Everything a section page shows."""

    section: GuidanceSection
    blocks: list[GuidanceBlock]
    footnotes: list[GuidanceFootnote]
    parts: list[ContentsPart]
    previous: GuidanceSection | None
    next: GuidanceSection | None

    @property
    def part(self) -> ContentsPart:
        return next(p for p in self.parts if p.number == self.section.part_number)

    @property
    def numbers(self) -> frozenset[int]:
        return frozenset(b.number for b in self.blocks if b.number is not None)

    @property
    def subheadings(self) -> list[GuidanceBlock]:
        return [
            b
            for b in self.blocks
            if b.kind == BlockKind.HEADING and b.level <= SUBHEADING_LEVEL_IN_CONTENTS
        ]


def section_page(version: GuidanceVersion, slug: str) -> SectionPage | None:
    """Return a section with its blocks and footnotes (three queries)."""
    sections = _sections(version)
    position = next((i for i, s in enumerate(sections) if s.slug == slug), None)
    if position is None:
        return None
    section = sections[position]
    blocks = list(
        GuidanceBlock.objects.filter(section=section).only(*BLOCK_FIELDS).order_by("order")
    )
    return SectionPage(
        section=section,
        blocks=blocks,
        footnotes=_footnotes(version, _cited_numbers(section, blocks)),
        parts=_group_parts(sections),
        previous=sections[position - 1] if position > 0 else None,
        next=sections[position + 1] if position + 1 < len(sections) else None,
    )


@dataclass
class PrintSection:
    section: GuidanceSection
    blocks: list[GuidanceBlock]
    new_part: bool


@dataclass
class PrintDocument:
    sections: list[PrintSection]
    footnotes: list[GuidanceFootnote]
    parts: list[ContentsPart]

    @property
    def numbers(self) -> frozenset[int]:
        return frozenset(b.number for s in self.sections for b in s.blocks if b.number is not None)


def print_sections(version: GuidanceVersion) -> PrintDocument:
    """Return the whole text of a version for the print view (three queries)."""
    sections = _sections(version)
    by_section: dict[int, list[GuidanceBlock]] = {s.pk: [] for s in sections}
    for block in (
        GuidanceBlock.objects.filter(version=version).only(*BLOCK_FIELDS).order_by("order")
    ):
        by_section[block.section_id].append(block)
    printed = []
    previous_part = None
    for section in sections:
        printed.append(
            PrintSection(
                section=section,
                blocks=by_section[section.pk],
                new_part=section.part_number != previous_part,
            )
        )
        previous_part = section.part_number
    footnotes = list(
        GuidanceFootnote.objects.filter(version=version).only("number", "text").order_by("number")
    )
    return PrintDocument(sections=printed, footnotes=footnotes, parts=_group_parts(sections))


def block_by_anchor(version: GuidanceVersion, anchor: str) -> GuidanceBlock | None:
    return (
        GuidanceBlock.objects.filter(version=version, anchor=anchor)
        .select_related("section")
        .first()
    )


# -- Amendments -----------------------------------------------------------------


@dataclass(frozen=True)
class ParagraphRow:
    number: int
    anchor: str
    text: str
    section_slug: str
    fingerprint: str


@dataclass(frozen=True)
class VersionChanges:
    """What a version changed from the one before it (numbered paragraphs)."""

    version: GuidanceVersion
    previous: GuidanceVersion | None
    added: tuple[ParagraphRow, ...]
    removed: tuple[ParagraphRow, ...]
    altered: tuple[tuple[ParagraphRow, ParagraphRow], ...]

    @property
    def is_first(self) -> bool:
        return self.previous is None

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.altered)


def _paragraph_rows(versions: Sequence[GuidanceVersion]) -> dict[int, dict[str, ParagraphRow]]:
    rows: dict[int, dict[str, ParagraphRow]] = {v.pk: {} for v in versions}
    for values in (
        GuidanceBlock.objects.filter(
            version__in=[v.pk for v in versions],
            kind=BlockKind.PARAGRAPH,
            number__isnull=False,
        )
        .order_by("version_id", "order")
        .values_list("version_id", "number", "anchor", "text", "section__slug", "fingerprint")
    ):
        version_id, number, anchor, text, slug, fingerprint = values
        rows[version_id][anchor] = ParagraphRow(number, anchor, text, slug, fingerprint)
    return rows


def _changes(
    version: GuidanceVersion,
    previous: GuidanceVersion | None,
    rows: dict[int, dict[str, ParagraphRow]],
) -> VersionChanges:
    after = rows[version.pk]
    if previous is None:
        return VersionChanges(version, None, (), (), ())
    before = rows[previous.pk]
    return VersionChanges(
        version=version,
        previous=previous,
        added=tuple(row for anchor, row in after.items() if anchor not in before),
        removed=tuple(row for anchor, row in before.items() if anchor not in after),
        altered=tuple(
            (before[anchor], row)
            for anchor, row in after.items()
            if anchor in before and before[anchor].fingerprint != row.fingerprint
        ),
    )


def version_changes(version: GuidanceVersion) -> VersionChanges:
    """Return what ``version`` changed from the version in force before it."""
    previous = (
        GuidanceVersion.objects.filter(
            document_id=version.document_id, effective_from__lt=version.effective_from
        )
        .order_by("-effective_from")
        .first()
    )
    versions = [version] if previous is None else [previous, version]
    return _changes(version, previous, _paragraph_rows(versions))


def document_amendments(document: GuidanceDocumentPage) -> list[VersionChanges]:
    """Return every version with its changes, newest first (two queries)."""
    versions = document_versions(document)
    rows = _paragraph_rows(versions)
    changes = [
        _changes(version, versions[i - 1] if i else None, rows)
        for i, version in enumerate(versions)
    ]
    return list(reversed(changes))


# -- Citations ------------------------------------------------------------------

QUOTATION_CHARS = 220


def shorten(text: str, limit: int = QUOTATION_CHARS) -> str:
    """Return ``text`` cut at a word boundary to at most ``limit`` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return f"{cut}\u2026"


def guidance_citation(slug: str, anchor: str, *, on: date | None = None) -> Citation | None:
    """Resolve ``guidance:<slug>:<anchor>`` against the version in force on ``on``.

    ``on`` defaults to today. The document must be live; a date before its
    first version, or an anchor that version lacks, resolves to ``None``
    (which ``resolve_citation`` turns into a ``CitationError``). The URL is
    the current address when the version is the one in force today, and the
    version's dated address otherwise.
    """
    today = timezone.localdate()
    return _cached_citation(slug, anchor, on or today, today, guidance_cache_stamp())


@lru_cache(maxsize=4096)
def _cached_citation(slug: str, anchor: str, on: date, today: date, stamp: int) -> Citation | None:
    document = GuidanceDocumentPage.objects.live().filter(slug=slug).first()
    if document is None:
        return None
    versions = document_versions(document)
    version = version_in_force(versions, on)
    if version is None:
        return None
    block = block_by_anchor(version, anchor)
    if block is None:
        return None
    current = version_in_force(versions, today) or versions[0]
    page_url = document.url or f"/guidance/{slug}/"
    base = page_url if version == current else f"{page_url}version/{version.effective_from}/"
    if block.number is not None:
        title = f"{document.title}, paragraph {block.number}"
    else:
        title = f"{document.title}, {block.section.title}"
    return Citation(
        key=f"guidance:{slug}:{anchor}",
        url=f"{base}{block.section.slug}/#{anchor}",
        title=title,
        quotation=shorten(block.text),
    )


# -- Search ---------------------------------------------------------------------

WORD = re.compile(r"[\w'\u2019-]+")
ENGINE_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class SearchHit:
    block: GuidanceBlock
    document: GuidanceDocumentPage
    url: str
    snippet: SafeString

    @property
    def label(self) -> str:
        if self.block.number is not None:
            return f"Paragraph {self.block.number}"
        return self.block.get_kind_display()


@dataclass(frozen=True)
class PageHit:
    page: Page
    url: str
    kind: str


@dataclass
class SearchResults:
    query: str
    hits: PaginatorPage[Any] | None
    count: int
    pages: list[PageHit]
    terms: list[GlossaryTerm]
    documents: list[GuidanceDocumentPage]


def search_snippet(text: str, query: str, *, width: int = 240) -> SafeString:
    """Return an escaped extract of ``text`` around the first query word, marked."""
    words = [w for w in WORD.findall(query) if len(w) > 1]
    if not words:
        return mark_safe(escape(shorten(text, width)))  # noqa: S308 - escaped  # nosec B308 B703
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")",
        re.IGNORECASE,
    )
    lines = (" ".join(line.split()) for line in text.splitlines())
    flat = " \u00b7 ".join(line for line in lines if line)
    match = pattern.search(flat)
    start = 0
    if match and match.start() > width // 3:
        start = flat.rfind(" ", 0, match.start() - width // 3) + 1
    extract = flat[start : start + width]
    if start + width < len(flat):
        extract = extract.rsplit(" ", 1)[0] + "\u2026"
    if start > 0:
        extract = "\u2026" + extract
    parts = []
    last = 0
    for found in pattern.finditer(extract):
        parts.append(escape(extract[last : found.start()]))
        parts.append(f"<mark>{escape(found.group(0))}</mark>")
        last = found.end()
    parts.append(escape(extract[last:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece is escaped  # nosec B308 B703


def _searchable_page_models() -> list[type[Page]]:
    models: list[type[Page]] = [GuidanceDocumentPage]
    for name in ("WorkbookPage", "WorkbookChapterPage"):
        try:
            models.append(apps.get_model("content", name))
        except LookupError:
            continue
    return models


def current_version_ids(documents: Iterable[GuidanceDocumentPage], today: date) -> dict[int, int]:
    """Return {version id: document id} for the version of each document in force today."""
    by_document: dict[int, list[GuidanceVersion]] = {}
    for version in (
        GuidanceVersion.objects.filter(document__in=[d.pk for d in documents])
        .only("id", "document_id", "effective_from")
        .order_by("effective_from")
    ):
        by_document.setdefault(version.document_id, []).append(version)
    ids = {}
    for document_id, versions in by_document.items():
        version = version_in_force(versions, today) or versions[0]
        ids[version.pk] = document_id
    return ids


def _sqlite_fts_available() -> bool:
    from modelsearch.backends import database

    return connection.vendor == "sqlite" and bool(database.USE_SQLITE_FTS)


SQLITE_CANDIDATES = 2000


class _LazyBlocks:
    """A ranked list of block ids that loads only the slice a page shows."""

    def __init__(self, blocks: QuerySet[GuidanceBlock], ids: list[int]) -> None:
        self.blocks = blocks
        self.ids = ids

    def __len__(self) -> int:
        return len(self.ids)

    def count(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: slice) -> list[GuidanceBlock]:
        wanted = self.ids[index]
        found = {block.pk: block for block in self.blocks.filter(pk__in=wanted)}
        return [found[pk] for pk in wanted if pk in found]


PAGE_HITS = 8


def _page_search(words: str) -> list[Page]:
    """Return live, public workbook and guidance pages matching ``words``."""
    models = _searchable_page_models()
    pages = Page.objects.live().public().type(*models)
    if _sqlite_fts_available():
        content_types = [ContentType.objects.get_for_model(m).pk for m in models]
        ranked = _sqlite_ranked_ids(words, content_types) or []
        found = {page.pk: page for page in pages.filter(pk__in=ranked)}
        return [found[pk] for pk in ranked if pk in found][:PAGE_HITS]
    return list(pages.search(PlainText(words, operator="and"))[:PAGE_HITS])


def _sqlite_ranked_ids(words: str, content_types: list[int]) -> list[int] | None:
    """Return the ids of guidance blocks matching every word, best first (SQLite).

    The search backend's own SQLite query filters index entries by content
    type before it matches, so SQLite runs the full-text match once per
    indexed object (about 200 ms over the statutory guidance and workbook).
    Matching first and then joining by rowid, with the same index and the
    same bm25 ranking, takes a few milliseconds. Other databases use the
    backend's query as it is.
    """
    from wagtail.search.models import IndexEntry, SQLiteFTSIndexEntry

    terms = ENGINE_WORD.findall(words)
    if not terms:
        return None
    # Every word must match; the last may be the start of a word, as the
    # backend's own queries allow.
    match = " AND ".join(f'"{term}"' for term in terms[:-1])
    match = (match + " AND " if match else "") + f'"{terms[-1]}"*'
    fts = connection.ops.quote_name(SQLiteFTSIndexEntry._meta.db_table)
    entries = connection.ops.quote_name(IndexEntry._meta.db_table)
    sql = (
        f"SELECT e.object_id FROM {fts} AS f CROSS JOIN {entries} AS e ON e.id = f.rowid "  # noqa: S608 - table names from models, values are parameters  # nosec B608
        f"WHERE {fts} MATCH %s AND e.content_type_id IN ({', '.join(['%s'] * len(content_types))}) "
        f"ORDER BY bm25({fts}) LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [f"{{title body}} : ({match})", *content_types, SQLITE_CANDIDATES])
        return [int(row[0]) for row in cursor.fetchall()]


def guidance_search(
    query: str,
    *,
    document_slug: str = "",
    page_number: int | str = 1,
    per_page: int = 20,
    request: HttpRequest | None = None,
) -> SearchResults:
    """Search the text in force today of every live document, and workbook pages.

    Hits are blocks (paragraphs first by relevance), each linking to its
    anchor on its section page.
    """
    query = " ".join(query.split())[:200]
    documents = list(GuidanceDocumentPage.objects.live().public().order_by("title"))
    # Words only: quotes and operators would reach the full-text engine's own
    # query syntax (SQLite FTS5 fails on an unbalanced quote).
    words = " ".join(ENGINE_WORD.findall(query))
    if not words:
        return SearchResults(query, None, 0, [], [], documents)
    chosen = [d for d in documents if not document_slug or d.slug == document_slug]
    today = timezone.localdate()
    versions = current_version_ids(chosen, today)
    by_id = {d.pk: d for d in documents}
    urls = {d.pk: d.get_url(request) or "" for d in chosen}
    blocks = (
        GuidanceBlock.objects.filter(version__in=list(versions))
        .exclude(kind=BlockKind.HEADING)
        .select_related("section")
        .only(*BLOCK_FIELDS, "version_id", "section__slug", "section__title")
    )
    ranked = (
        _sqlite_ranked_ids(words, [ContentType.objects.get_for_model(GuidanceBlock).pk])
        if _sqlite_fts_available()
        else None
    )
    results: Any
    if ranked is None:
        results = get_search_backend().search(PlainText(words, operator="and"), blocks)
    else:
        # Keep the blocks of the versions in force, in rank order; load only
        # the page of results shown.
        allowed = set(blocks.filter(pk__in=ranked).values_list("pk", flat=True))
        results = _LazyBlocks(blocks, [pk for pk in ranked if pk in allowed])
    paginator = Paginator(results, per_page)
    page = paginator.get_page(page_number)
    hits = []
    for block in page.object_list:
        document = by_id[versions[block.version_id]]
        hits.append(
            SearchHit(
                block=block,
                document=document,
                url=f"{urls[document.pk]}{block.section.slug}/#{block.anchor}",
                snippet=search_snippet(block.search_text(), query),
            )
        )
    page.object_list = hits
    pages: list[PageHit] = []
    if not document_slug:
        for found in _page_search(words):
            specific = found.specific_deferred
            pages.append(
                PageHit(
                    page=specific,
                    url=specific.get_url(request) or "",
                    kind=specific._meta.verbose_name,
                )
            )
    return SearchResults(
        query=query,
        hits=page,
        count=paginator.count,
        pages=pages,
        terms=glossary_terms_named(query),
        documents=documents,
    )


def glossary_terms_named(query: str) -> list[GlossaryTerm]:
    """Return glossary terms named by ``query``: the whole name, or its first words."""
    wanted = query.strip().casefold()
    if not wanted or len(wanted) > 60:
        return []

    def named(name: str) -> bool:
        return name == wanted or name.startswith(wanted + " ")

    from content.glossary import glossary_matcher

    return [
        term
        for term in glossary_matcher().all_terms
        if named(term.term.casefold()) or any(named(alias) for alias in term.alias_list_folded)
    ]


# -- Review dates ---------------------------------------------------------------

REVIEW_WINDOW_DAYS = 30


def reviews_due(*, today: date, within_days: int = REVIEW_WINDOW_DAYS) -> QuerySet[PageReview]:
    """Return review dates that are overdue or fall within ``within_days``."""
    return (
        PageReview.objects.filter(review_by__lte=today + timedelta(days=within_days))
        .select_related("page", "page__content_type", "owner")
        .order_by("review_by", "page__title")
    )


# -- The anonymous page cache ---------------------------------------------------

NONCE_PLACEHOLDER = "tHrEsHoLdCsPnOnCePlAcEhOlDeR"
STAMP_SECONDS = 1.0

_stamp_lock = threading.Lock()
_stamp: tuple[int, float] | None = None


def page_cache_placeholders() -> dict[str, str]:
    """Return the context that stands in for per-request values in a cached page.

    The nonce is filled in per response. There is no CSRF token: a cached
    page is only ever served to anonymous readers, and guidance pages have no
    form that posts, so they set no CSRF cookie (the sign-in page sets its
    own). A form that posts must not be added to these pages without
    changing this.
    """
    return {"csp_nonce": NONCE_PLACEHOLDER, "csrf_token": ""}  # not a password: no CSRF form here  # nosec B105


def guidance_cache_stamp() -> int:
    """Return the cache stamp, read from the database at most once a second.

    A process that changes guidance forgets its copy at once
    (:func:`guidance_cache_forget`); other processes see the change within
    ``STAMP_SECONDS``.
    """
    global _stamp
    now = time.monotonic()
    current = _stamp
    if current is not None and now - current[1] < STAMP_SECONDS:
        return current[0]
    value = GuidanceCacheStamp.objects.filter(pk=1).values_list("value", flat=True).first() or 0
    with _stamp_lock:
        _stamp = (value, now)
    return value


def cached_stamp() -> int | None:
    """Return this process's copy of the stamp if it is fresh, else ``None``.

    For async callers, which must not query the database on the event loop.
    """
    current = _stamp
    if current is not None and time.monotonic() - current[1] < STAMP_SECONDS:
        return current[0]
    return None


def guidance_cache_forget() -> None:
    """Drop this process's copy of the stamp and of resolved citations."""
    global _stamp
    with _stamp_lock:
        _stamp = None
    _cached_citation.cache_clear()


def cache_key_for(*, stamp: int, scheme: str, host: str, path: str) -> str:
    """Return the cache key of a guidance page (the same in the view and the ASGI front)."""
    raw = f"{stamp}|{timezone.localdate().isoformat()}|{scheme}|{host}|{path}"
    return "guidance-page:" + hashlib.sha256(raw.encode()).hexdigest()


def page_cache_key(request: HttpRequest) -> str:
    return cache_key_for(
        stamp=guidance_cache_stamp(),
        scheme=request.scheme,
        host=request.get_host(),
        path=request.path,
    )
