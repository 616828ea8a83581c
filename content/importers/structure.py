"""The parsed shape of an official document, independent of its file format.

The importers (``text_parser`` for plain text, ``docx_reader`` for Word files)
both produce a :class:`Document`. Everything here is a frozen dataclass made of
tuples and strings, so a parsed document can be compared, hashed, cached and
handed to the Wagtail side without any of it changing underneath. Nothing in
this module imports Django or Wagtail.

Shape::

    Document(title, parts, footnotes, warnings, source_name, checksum)
      Part(number, title, sections, line)         number 0 = front matter
        Section(title, slug, blocks, line, footnotes, implicit)
          Paragraph | KeyPoints | Table | ListBlock | Heading

Conventions that the Wagtail side can rely on:

- ``line`` on every element is the 1-based line in the source text where the
  element starts (for .docx files: the 1-based position of the paragraph or
  table in the document body). Line numbers are for error messages and
  provenance only; they never take part in comparisons that matter
  (:meth:`Paragraph.fingerprint`, :func:`diff_documents`).
- A numbered paragraph has ``number`` set and the anchor ``para-N``. The printed
  number is kept out of ``text``.
- An unnumbered paragraph has ``number=None`` and the anchor
  ``<section slug>-<ordinal>``, the ordinal counting unnumbered paragraphs
  within that section from 1. The anchor is stable as long as the section's
  title and the unnumbered paragraphs before it in that section do not change.
- Section slugs are unique within the document. A repeated title (every part
  has a "Who should read this guidance") gets ``-part-N`` appended after the
  first occurrence.
- Content that appears before the first section heading of a part lives in an
  *implicit* section (``implicit=True``) titled after the part; it has no
  heading of its own to render.
- Footnote markers are removed from the text they were glued to and recorded
  as :class:`FootnoteRef` (number and character offset into the cleaned text),
  so a template can put the superscript back where it was.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import cast

__all__ = [
    "Alteration",
    "Amendments",
    "Block",
    "Document",
    "Footnote",
    "FootnoteRef",
    "Heading",
    "ImportFailed",
    "KeyPoints",
    "ListBlock",
    "ListItem",
    "Paragraph",
    "ParseWarning",
    "Part",
    "Section",
    "Table",
    "diff_documents",
    "normalise_text",
    "slugify",
]


class ImportFailed(Exception):
    """The source cannot be imported; names the file and the line at fault."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """Something odd but survivable, such as a gap in the paragraph numbering."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


@dataclass(frozen=True, slots=True)
class Footnote:
    """A footnote as printed at the foot of a page (or in a .docx footnotes part)."""

    number: int
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class FootnoteRef:
    """A footnote marker: footnote ``number`` was cited at ``offset`` in the text."""

    number: int
    offset: int


@dataclass(frozen=True, slots=True)
class ListItem:
    """One item of a list inside a paragraph, a key-points box or a list block.

    ``level`` is 1 for top-level items and 2, 3, ... for nested ones.
    """

    text: str
    level: int = 1
    line: int = 0
    footnotes: tuple[FootnoteRef, ...] = ()


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph, numbered (citable as ``para-N``) or not.

    Bullets and other list lines that belong to the paragraph are kept in
    ``items`` so that numbering stays faithful to the source.
    """

    number: int | None
    text: str
    anchor: str
    line: int = 0
    items: tuple[ListItem, ...] = ()
    footnotes: tuple[FootnoteRef, ...] = ()

    def fingerprint(self) -> str:
        """Return a SHA-256 hex digest of the paragraph's normalised wording.

        Layout (line breaks, curly or straight quotes, dash styles, case, the
        source line) does not change the fingerprint; any change of wording
        does. Items are included, so a changed bullet alters the paragraph.
        """
        parts = [normalise_text(self.text)]
        parts.extend(f"{item.level}:{normalise_text(item.text)}" for item in self.items)
        return hashlib.sha256("\n".join(parts).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class KeyPoints:
    """A "Key Points" box: bullet points summarising the section that follows."""

    items: tuple[ListItem, ...]
    line: int = 0
    title: str = "Key Points"

    @property
    def text(self) -> str:
        """Return the items as plain text, one per line."""
        return "\n".join(item.text for item in self.items)


@dataclass(frozen=True, slots=True)
class Table:
    """A table: a header row (possibly empty) and rows of cell strings.

    Cells keep their internal paragraphs separated by ``"\\n"``.
    """

    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A list that does not belong to any paragraph (e.g. straight after a heading)."""

    items: tuple[ListItem, ...]
    line: int = 0


@dataclass(frozen=True, slots=True)
class Heading:
    """A sub-heading inside a section (the source's third level or deeper)."""

    text: str
    level: int = 3
    line: int = 0
    footnotes: tuple[FootnoteRef, ...] = ()


Block = Paragraph | KeyPoints | Table | ListBlock | Heading


@dataclass(frozen=True, slots=True)
class Section:
    """A section of a part: the unit the Wagtail side turns into a page."""

    title: str
    slug: str
    blocks: tuple[Block, ...]
    line: int = 0
    footnotes: tuple[FootnoteRef, ...] = ()
    implicit: bool = False

    def paragraphs(self) -> Iterator[Paragraph]:
        """Yield the section's paragraphs in order."""
        for block in self.blocks:
            if isinstance(block, Paragraph):
                yield block


@dataclass(frozen=True, slots=True)
class Part:
    """A numbered part of the document; part 0 holds any front matter."""

    number: int
    title: str
    sections: tuple[Section, ...]
    line: int = 0

    def paragraphs(self) -> Iterator[Paragraph]:
        """Yield the part's paragraphs in order."""
        for section in self.sections:
            yield from section.paragraphs()


@dataclass(frozen=True, slots=True)
class Document:
    """A whole parsed document.

    ``checksum`` is the SHA-256 of the raw bytes that were parsed, so an import
    can tell "same file again" (idempotent re-import) from "new version".
    """

    title: str
    parts: tuple[Part, ...]
    footnotes: tuple[Footnote, ...]
    warnings: tuple[ParseWarning, ...]
    source_name: str
    checksum: str

    def sections(self) -> Iterator[Section]:
        """Yield every section of every part in order."""
        for part in self.parts:
            yield from part.sections

    def blocks(self) -> Iterator[Block]:
        """Yield every block in document order."""
        for section in self.sections():
            yield from section.blocks

    def paragraphs(self) -> Iterator[Paragraph]:
        """Yield every paragraph, numbered or not, in document order."""
        for part in self.parts:
            yield from part.paragraphs()

    def numbered_paragraphs(self) -> dict[int, Paragraph]:
        """Return the numbered paragraphs keyed by number."""
        return {p.number: p for p in self.paragraphs() if p.number is not None}

    def paragraph(self, number: int) -> Paragraph:
        """Return numbered paragraph ``number``; raise ``KeyError`` if absent."""
        for paragraph in self.paragraphs():
            if paragraph.number == number:
                return paragraph
        raise KeyError(number)

    def footnote(self, number: int) -> Footnote:
        """Return footnote ``number``; raise ``KeyError`` if absent."""
        for footnote in self.footnotes:
            if footnote.number == number:
                return footnote
        raise KeyError(number)

    def without_positions(self) -> Document:
        """Return a copy with every ``line`` set to 0.

        Useful to compare the structure of the same content read from two
        formats (a .docx and its .txt twin), whose line numbers differ.
        """
        return cast(Document, _zero_lines(self))


def _zero_lines(value: object) -> object:
    if isinstance(value, tuple):
        return tuple(_zero_lines(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes: dict[str, object] = {}
        for field in dataclasses.fields(value):
            current = getattr(value, field.name)
            if field.name == "line":
                changes["line"] = 0
            elif isinstance(current, tuple) or dataclasses.is_dataclass(current):
                changes[field.name] = _zero_lines(current)
        return dataclasses.replace(value, **changes)
    return value


# -- Text helpers shared by the parsers ----------------------------------------

_QUOTES = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00a0": " ",
    }
)
_SPACES = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Return ``text`` reduced to its wording: for fingerprints and comparisons.

    NFKC, straight quotes and hyphens, case-folded, whitespace collapsed and
    no space before punctuation.
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).casefold()
    text = _SPACES.sub(" ", text).strip()
    return re.sub(r" (?=[.,;:!?)])", "", text)


def slugify(text: str, *, max_length: int = 80) -> str:
    """Return a lowercase ASCII slug of ``text`` (``"section"`` if nothing is left)."""
    ascii_text = (
        unicodedata.normalize("NFKD", text.translate(_QUOTES))
        .encode("ascii", "ignore")
        .decode("ascii")
    )
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_length:
        cut = slug[:max_length]
        slug = cut.rsplit("-", 1)[0] if "-" in cut else cut
    return slug or "section"


# -- Comparing two versions ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Alteration:
    """A paragraph present in both versions whose wording changed."""

    before: Paragraph
    after: Paragraph

    @property
    def anchor(self) -> str:
        """Return the anchor shared by both versions of the paragraph."""
        return self.after.anchor

    @property
    def number(self) -> int | None:
        """Return the paragraph number shared by both versions, if numbered."""
        return self.after.number


@dataclass(frozen=True, slots=True)
class Amendments:
    """What changed between two versions of a document, paragraph by paragraph."""

    added: tuple[Paragraph, ...]
    removed: tuple[Paragraph, ...]
    altered: tuple[Alteration, ...]

    @property
    def is_empty(self) -> bool:
        """Return ``True`` when the two versions have the same paragraphs."""
        return not (self.added or self.removed or self.altered)


def diff_documents(old: Document, new: Document, *, include_unnumbered: bool = False) -> Amendments:
    """Return the paragraphs added, removed and altered from ``old`` to ``new``.

    Paragraphs are matched by anchor, which for numbered paragraphs is their
    number (``para-N``), and compared by :meth:`Paragraph.fingerprint`, so a
    paragraph that only moved to another line is not reported. Unnumbered
    paragraphs are left out by default: their anchors are ordinals within a
    section, so one insertion would report every later one as altered.
    Results are in the order of the document they come from.
    """

    def keyed(document: Document) -> dict[str, Paragraph]:
        return {
            p.anchor: p for p in document.paragraphs() if include_unnumbered or p.number is not None
        }

    before, after = keyed(old), keyed(new)
    added = tuple(p for anchor, p in after.items() if anchor not in before)
    removed = tuple(p for anchor, p in before.items() if anchor not in after)
    altered = tuple(
        Alteration(before=before[anchor], after=p)
        for anchor, p in after.items()
        if anchor in before and before[anchor].fingerprint() != p.fingerprint()
    )
    return Amendments(added=added, removed=removed, altered=altered)
