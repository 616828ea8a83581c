"""Write-side operations for the guidance library: import, publish, invalidate.

``guidance_import`` turns a parsed :class:`~content.importers.structure.Document`
into a dated :class:`GuidanceVersion` of a :class:`GuidanceDocumentPage`, in
one transaction: the page (created on first import), the version, its
sections, blocks and footnotes, and their search index entries all commit
together or not at all.

Re-importing is idempotent. The same file (same SHA-256), or a file whose
wording is the same as the version it would follow (same content digest),
changes nothing. A changed file becomes a new version effective from the
date given (today by default); the old versions stay readable at their
dated URLs.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from os import PathLike, fspath
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from wagtail.search.backends import get_search_backends

from content.guidance_selectors import (
    VersionChanges,
    guidance_cache_forget,
    version_changes,
    version_in_force,
)
from content.importers.structure import (
    Document,
    FootnoteRef,
    Heading,
    ImportFailed,
    KeyPoints,
    ListBlock,
    ListItem,
    Paragraph,
    Table,
    normalise_text,
    slugify,
)
from content.models.guidance import (
    BlockKind,
    DocumentStatus,
    GuidanceBlock,
    GuidanceCacheStamp,
    GuidanceDocumentPage,
    GuidanceFootnote,
    GuidanceIndexPage,
    GuidanceSection,
    GuidanceVersion,
    PageReview,
)
from content.services import home_page_ensure

if TYPE_CHECKING:
    from accounts.models import User

GUIDANCE_INDEX_INTRO = (
    "<p>The procedures that Threshold scores against, imported from the official "
    "documents. Every numbered paragraph has its own link, so feedback can point to "
    "the words it rests on.</p>"
)
DEFAULT_REVIEW_DAYS = 365


class GuidanceImportError(Exception):
    """The import cannot go ahead; the message says why and what to do."""

    def __init__(self, file: str, message: str) -> None:
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


@dataclass(frozen=True)
class ImportResult:
    """What an import built, or why it changed nothing."""

    document: GuidanceDocumentPage
    version: GuidanceVersion
    parsed: Document
    created_document: bool = False
    created_version: bool = False
    published: bool = False
    unchanged_reason: str = ""
    changes: VersionChanges | None = None
    seconds: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


# -- Cache ------------------------------------------------------------------------


def guidance_cache_bump() -> None:
    """Retire every cached guidance page and resolved citation, in every process."""
    if GuidanceCacheStamp.objects.filter(pk=1).update(value=F("value") + 1) == 0:
        GuidanceCacheStamp.objects.create(pk=1, value=1)
    guidance_cache_forget()
    transaction.on_commit(guidance_cache_forget)


# -- Pages --------------------------------------------------------------------------


@transaction.atomic
def guidance_index_ensure() -> GuidanceIndexPage:
    """Return the guidance library page, creating it under the home page if absent."""
    index = GuidanceIndexPage.objects.first()
    if index is not None:
        return index
    home = home_page_ensure()
    index = GuidanceIndexPage(title="Guidance", slug="guidance", intro=GUIDANCE_INDEX_INTRO)
    home.add_child(instance=index)
    index.save_revision().publish()
    guidance_cache_bump()
    return index


def page_review_set(*, page: Any, review_by: date, owner: User | None = None) -> PageReview:
    """Set when ``page`` is next due for review, and by whom."""
    review, _ = PageReview.objects.update_or_create(
        page_id=page.pk, defaults={"review_by": review_by, "owner": owner}
    )
    return review


# -- Import -------------------------------------------------------------------------


def _refs(refs: tuple[FootnoteRef, ...]) -> list[list[int]]:
    return [[ref.number, ref.offset] for ref in refs]


def _items(items: tuple[ListItem, ...]) -> list[dict[str, Any]]:
    return [
        {
            "text": item.text,
            "level": item.level,
            **({"refs": _refs(item.footnotes)} if item.footnotes else {}),
        }
        for item in items
    ]


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode("utf-8")).hexdigest()


class _Anchors:
    """Hand out anchors unique within a version."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.counters: dict[str, int] = {}

    def numbered(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return self.claim(f"{prefix}-{self.counters[prefix]}")

    def claim(self, wanted: str) -> str:
        anchor = wanted[:110]
        suffix = 2
        while anchor in self.taken:
            anchor = f"{wanted[:104]}-{suffix}"
            suffix += 1
        self.taken.add(anchor)
        return anchor


@dataclass
class _Built:
    sections: list[GuidanceSection]
    blocks: list[list[GuidanceBlock]]  # per section
    footnotes: list[GuidanceFootnote]
    digest: str
    counts: dict[str, int]


def _block(block: object, anchors: _Anchors) -> GuidanceBlock:
    if isinstance(block, Paragraph):
        data: dict[str, Any] = {}
        if block.footnotes:
            data["refs"] = _refs(block.footnotes)
        if block.items:
            data["items"] = _items(block.items)
        return GuidanceBlock(
            kind=BlockKind.PARAGRAPH,
            number=block.number,
            anchor=anchors.claim(block.anchor),
            text=block.text,
            data=data,
            fingerprint=block.fingerprint(),
            line=block.line,
        )
    if isinstance(block, KeyPoints):
        return GuidanceBlock(
            kind=BlockKind.KEY_POINTS,
            anchor=anchors.numbered("key-points"),
            text=block.text,
            data={"title": block.title, "items": _items(block.items)},
            line=block.line,
        )
    if isinstance(block, Table):
        cells = [block.caption, *block.header, *(cell for row in block.rows for cell in row)]
        return GuidanceBlock(
            kind=BlockKind.TABLE,
            anchor=anchors.numbered("table"),
            text="\n".join(cell for cell in cells if cell),
            data={
                "caption": block.caption,
                "header": list(block.header),
                "rows": [list(row) for row in block.rows],
            },
            line=block.line,
        )
    if isinstance(block, ListBlock):
        return GuidanceBlock(
            kind=BlockKind.LIST,
            anchor=anchors.numbered("list"),
            text="\n".join(item.text for item in block.items),
            data={"items": _items(block.items)},
            line=block.line,
        )
    if isinstance(block, Heading):
        data = {"level": block.level}
        if block.footnotes:
            data["refs"] = _refs(block.footnotes)
        return GuidanceBlock(
            kind=BlockKind.HEADING,
            anchor=anchors.claim("h-" + slugify(block.text, max_length=60)),
            text=block.text,
            data=data,
            line=block.line,
        )
    raise TypeError(f"unknown block {block!r}")


def _build(parsed: Document) -> _Built:
    """Turn the parsed document into unsaved rows, and digest its wording."""
    anchors = _Anchors()
    sections: list[GuidanceSection] = []
    blocks: list[list[GuidanceBlock]] = []
    wording: list[object] = []
    counts = dict.fromkeys(
        ("paragraphs", "unnumbered", "tables", "key_points", "lists", "headings"), 0
    )
    order = 0
    for part in parsed.parts:
        for section in part.sections:
            built = []
            for block in section.blocks:
                row = _block(block, anchors)
                order += 1
                row.order = order
                built.append(row)
                wording.append(
                    [
                        row.kind,
                        row.anchor,
                        row.fingerprint or normalise_text(row.text),
                        row.data.get("header"),
                        row.data.get("rows"),
                    ]
                )
                if row.kind == BlockKind.PARAGRAPH:
                    counts["paragraphs" if row.number is not None else "unnumbered"] += 1
                else:
                    counts[
                        {
                            "key_points": "key_points",
                            "table": "tables",
                            "list": "lists",
                            "heading": "headings",
                        }[row.kind]
                    ] += 1
            numbers = [row.number for row in built if row.number is not None]
            sections.append(
                GuidanceSection(
                    order=len(sections) + 1,
                    part_number=part.number,
                    part_title=part.title,
                    slug=section.slug,
                    title=section.title,
                    implicit=section.implicit,
                    line=section.line,
                    footnotes=_refs(section.footnotes),
                    first_number=min(numbers) if numbers else None,
                    last_number=max(numbers) if numbers else None,
                )
            )
            blocks.append(built)
            wording.append([part.number, part.title, section.slug, normalise_text(section.title)])
    footnotes = [
        GuidanceFootnote(number=note.number, text=note.text, line=note.line)
        for note in parsed.footnotes
    ]
    wording.append([[note.number, normalise_text(note.text)] for note in parsed.footnotes])
    counts.update(
        parts=len(parsed.parts),
        sections=len(sections),
        footnotes=len(footnotes),
        warnings=len(parsed.warnings),
        blocks=order,
    )
    return _Built(sections, blocks, footnotes, _digest(wording), counts)


def _save_version(
    *,
    document: GuidanceDocumentPage,
    parsed: Document,
    built: _Built,
    effective_from: date,
    user: User | None,
) -> GuidanceVersion:
    counts = built.counts
    version = GuidanceVersion.objects.create(
        document=document,
        effective_from=effective_from,
        title=parsed.title,
        source_name=parsed.source_name,
        checksum=parsed.checksum,
        content_digest=built.digest,
        imported_by=user,
        part_count=counts["parts"],
        section_count=counts["sections"],
        paragraph_count=counts["paragraphs"],
        block_count=counts["blocks"],
        table_count=counts["tables"],
        key_points_count=counts["key_points"],
        footnote_count=counts["footnotes"],
        warnings=[[w.line, w.message] for w in parsed.warnings],
    )
    for section in built.sections:
        section.version = version
    GuidanceSection.objects.bulk_create(built.sections)
    rows = []
    for section, blocks in zip(built.sections, built.blocks, strict=True):
        for block in blocks:
            block.version = version
            block.section = section
            rows.append(block)
    GuidanceBlock.objects.bulk_create(rows, batch_size=500)
    for note in built.footnotes:
        note.version = version
    GuidanceFootnote.objects.bulk_create(built.footnotes)
    for backend in get_search_backends(with_auto_update=True):
        backend.add_bulk(GuidanceBlock, rows)
    return version


def _publish(document: GuidanceDocumentPage, user: User | None) -> bool:
    """Make the document page live if it is not; return whether it was published.

    A live page is left alone: a new version of the text needs no new page
    revision, and an editor's pending draft is not the importer's to publish.
    """
    if document.live:
        return False
    revision = document.latest_revision or document.save_revision(user=user)
    revision.publish(user=user)
    document.refresh_from_db()
    return True


def guidance_import(
    *,
    parsed: Document,
    slug: str,
    title: str | None = None,
    effective_from: date | None = None,
    publish: bool = False,
    publisher: str | None = None,
    status: str | None = None,
    user: User | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Store ``parsed`` as a version of the document ``slug`` (one transaction).

    :param slug: the document's address under the library (``/guidance/<slug>/``)
        and its name in citation keys; an existing document with this slug
        gets a new version, otherwise a document page is created.
    :param title: the page title for a new document (default: the parsed title).
    :param publisher: for a new document; editors keep it in the admin after.
    :param status: for a new document (``draft`` or ``final``); as ``publisher``.
    :param effective_from: when the version comes into force (default: today).
    :param publish: publish the document page (new pages are drafts otherwise).
    :param dry_run: do all the work, report it, and roll it back.
    :raises GuidanceImportError: when another version is already in force
        from the same date.
    """
    started = time.perf_counter()
    effective_from = effective_from or timezone.localdate()
    if status is not None and status not in DocumentStatus.values:
        raise GuidanceImportError(
            parsed.source_name, f"status must be one of {', '.join(DocumentStatus.values)}"
        )
    with transaction.atomic():
        index = guidance_index_ensure()
        document = GuidanceDocumentPage.objects.child_of(index).filter(slug=slug).first()
        built = _build(parsed)
        result: ImportResult
        if document is not None:
            versions = list(document.versions.order_by("effective_from"))
            same_file = next((v for v in versions if v.checksum == parsed.checksum), None)
            before = version_in_force(versions, effective_from)
            if same_file is not None:
                reason = f"this file is already imported (version in force from {same_file.effective_from})"
                existing = same_file
            elif before is not None and before.content_digest == built.digest:
                reason = (
                    f"the wording is the same as the version in force from {before.effective_from}"
                )
                existing = before
            else:
                existing = None
            if existing is not None:
                published = _publish(document, user) if publish else False
                if published:
                    guidance_cache_bump()
                result = ImportResult(
                    document=document,
                    version=existing,
                    parsed=parsed,
                    published=published,
                    unchanged_reason=reason,
                    counts=built.counts,
                )
            else:
                clash = next((v for v in versions if v.effective_from == effective_from), None)
                if clash is not None:
                    raise GuidanceImportError(
                        parsed.source_name,
                        f"{document.title!r} already has a version in force from "
                        f"{effective_from} (imported from {clash.source_name}); give the "
                        "new version its own date with --effective-from YYYY-MM-DD",
                    )
                version = _save_version(
                    document=document,
                    parsed=parsed,
                    built=built,
                    effective_from=effective_from,
                    user=user,
                )
                published = _publish(document, user) if publish else False
                guidance_cache_bump()
                result = ImportResult(
                    document=document,
                    version=version,
                    parsed=parsed,
                    created_version=True,
                    published=published,
                    changes=version_changes(version),
                    counts=built.counts,
                )
        else:
            document = GuidanceDocumentPage(
                title=(title or parsed.title)[:255],
                slug=slug,
                publisher=publisher or "",
                status=status or DocumentStatus.FINAL,
                live=False,
            )
            index.add_child(instance=document)
            document.save_revision(user=user)
            version = _save_version(
                document=document,
                parsed=parsed,
                built=built,
                effective_from=effective_from,
                user=user,
            )
            page_review_set(
                page=document,
                review_by=timezone.localdate() + timedelta(days=DEFAULT_REVIEW_DAYS),
                owner=user,
            )
            published = _publish(document, user) if publish else False
            guidance_cache_bump()
            result = ImportResult(
                document=document,
                version=version,
                parsed=parsed,
                created_document=True,
                created_version=True,
                published=published,
                changes=version_changes(version),
                counts=built.counts,
            )
        if dry_run:
            transaction.set_rollback(True)
    guidance_cache_forget()
    return dataclasses.replace(result, seconds=time.perf_counter() - started)


def default_slug(path: str | PathLike[str]) -> str:
    """Return the slug a file imports under when none is given: its name."""
    return slugify(Path(fspath(path)).stem, max_length=60)


def guidance_import_file(
    path: str | PathLike[str],
    *,
    slug: str | None = None,
    title: str | None = None,
    page_title: str | None = None,
    **options: Any,
) -> ImportResult:
    """Parse ``path`` (.txt or .docx) and import it; see :func:`guidance_import`.

    :param title: the document's title when the file has no title line of its
        own (the parser needs it then); also the page title of a new document.
    :param page_title: the page title of a new document, when it should differ
        from the title in the file.
    :raises ImportFailed: when the file cannot be read or parsed (it names the
        file and line); nothing is written.
    """
    file = Path(fspath(path))
    if not file.is_file():
        raise ImportFailed(str(file), 1, "file not found")
    # python-docx and lxml load only when a document is imported, not when a
    # server starts.
    from content.importers.docx_reader import parse_file

    parsed = parse_file(file, title=title)
    return guidance_import(
        parsed=parsed, slug=slug or default_slug(file), title=page_title or title, **options
    )
