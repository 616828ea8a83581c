"""Parse the official documents from Word (.docx) files, and dispatch by file type.

A Word file states what the text parser has to guess: heading levels are
paragraph styles, tables are tables, list items carry their nesting level.
This module reads those and feeds the same :class:`DocumentBuilder` as the
text parser, so the same content gives the same :class:`Document` whichever
format it arrives in.

Mapping:

- Style "Title": the document title.
- "Heading 1": a part. "1. Title", "Part 1: Title" give the number; a heading
  without one gets the next number.
- "Heading 2": a section. "Heading 3" and deeper: a sub-heading of that level.
- A paragraph whose text is "Key Points": a Key Points box; its list follows.
- A paragraph starting "N." (or "N.Text"): numbered paragraph N, under the same
  numbering rules as plain text (gaps warn, impossible numbers fail). A
  paragraph numbered by Word's own decimal list numbering at the top level
  gets the number Word would print, under the same rules.
- Bullet lists (Word list numbering with a bullet format, a "List Bullet"
  style, or a line starting with a bullet character): items of the open
  paragraph, Key Points box or free list, at the list level Word records (or
  that the style name states: "List Bullet 2" is level 2).
- Other paragraphs: as in plain text, a paragraph after one ending with ":"
  is a list item; otherwise an unnumbered paragraph ("Summary of Law: ..."
  callouts included).
- Tables: :class:`~content.importers.structure.Table`; the first row is the
  header when Word marks it as a header row or when it matches a known
  table's columns (which also gives the caption).
- Footnotes: read from the footnotes part and numbered in order of first
  citation; each citation is written into the text as the footnote number
  glued to the preceding word, then matched exactly as in plain text.

``line`` for a .docx element is its 1-based position in the document body.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from os import PathLike, fspath
from pathlib import Path
from typing import IO, Any

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import parse_xml
from docx.oxml.ns import qn
from docx.table import Table as DocxTable
from docx.text.paragraph import Paragraph as DocxParagraph

from content.importers._builder import DocumentBuilder, ItemKind
from content.importers.structure import Document, ImportFailed, Table
from content.importers.tables import spec_for_columns
from content.importers.text_parser import (
    BULLET_LINE,
    CALLOUT,
    KEY_POINTS,
    NUMBERED,
    PART_NUMERIC,
    PART_WORD,
    parse_text,
)

__all__ = ["parse_docx", "parse_file"]

_HEADING_STYLE = re.compile(r"^heading\s*(\d)$", re.IGNORECASE)
_LIST_STYLE_LEVEL = re.compile(r"^list(?: bullet| number| continue)?\s+(\d)$", re.IGNORECASE)
_FOOTNOTES_RELTYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
_SEPARATOR_TYPES = frozenset({"separator", "continuationSeparator", "continuationNotice"})

Source = str | PathLike[str] | bytes | IO[bytes]


def _open(source: Source, source_name: str) -> tuple[Any, bytes]:
    if isinstance(source, bytes):
        data = source
    elif isinstance(source, str | PathLike):
        try:
            data = Path(fspath(source)).read_bytes()
        except OSError as error:
            raise ImportFailed(source_name, 1, f"cannot read file: {error}") from error
    else:
        data = source.read()
    if not data:
        raise ImportFailed(source_name, 1, "file is empty")
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ImportFailed(source_name, 1, f"not a Word (.docx) document: {error}") from error
    return document, data


def _footnote_texts(document: Any) -> dict[str, str]:
    """Return footnote text by Word footnote id."""
    texts: dict[str, str] = {}
    for rel in document.part.rels.values():
        if rel.reltype != _FOOTNOTES_RELTYPE or rel.is_external:
            continue
        root = parse_xml(rel.target_part.blob)
        for note in root.iter(qn("w:footnote")):
            if note.get(qn("w:type")) in _SEPARATOR_TYPES:
                continue
            text = "".join(t.text or "" for t in note.iter(qn("w:t")))
            texts[note.get(qn("w:id"))] = " ".join(text.split())
    return texts


class _Numbering:
    """Word list numbering: bullet or decimal, and the number Word would print."""

    def __init__(self, document: Any) -> None:
        self.formats: dict[tuple[str, int], str] = {}
        self.starts: dict[tuple[str, int], int] = {}
        self.counters: dict[tuple[str, int], int] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            return
        abstract: dict[str, dict[int, tuple[str, int]]] = {}
        for definition in root.iter(qn("w:abstractNum")):
            levels: dict[int, tuple[str, int]] = {}
            for lvl in definition.iter(qn("w:lvl")):
                fmt = lvl.find(qn("w:numFmt"))
                start = lvl.find(qn("w:start"))
                levels[int(lvl.get(qn("w:ilvl")))] = (
                    fmt.get(qn("w:val")) if fmt is not None else "decimal",
                    int(start.get(qn("w:val"))) if start is not None else 1,
                )
            abstract[definition.get(qn("w:abstractNumId"))] = levels
        for num in root.iter(qn("w:num")):
            ref = num.find(qn("w:abstractNumId"))
            if ref is None:
                continue
            for level, (fmt, start) in abstract.get(ref.get(qn("w:val")), {}).items():
                key = (num.get(qn("w:numId")), level)
                self.formats[key] = fmt
                self.starts[key] = start

    def is_bullet(self, num_id: str, level: int) -> bool:
        return self.formats.get((num_id, level), "bullet") in ("bullet", "none")

    def next_number(self, num_id: str, level: int) -> int:
        key = (num_id, level)
        value = self.counters.get(key, self.starts.get(key, 1) - 1) + 1
        self.counters[key] = value
        return value


def _num_pr(paragraph: DocxParagraph) -> Any:
    """Return the paragraph's list properties, set directly or by its style."""
    ppr = paragraph._p.pPr
    num_pr = ppr.find(qn("w:numPr")) if ppr is not None else None
    style = paragraph.style
    while num_pr is None and style is not None:
        style_ppr = style.element.find(qn("w:pPr"))
        num_pr = style_ppr.find(qn("w:numPr")) if style_ppr is not None else None
        style = style.base_style
    return num_pr


def _list_position(paragraph: DocxParagraph) -> tuple[str, int] | None:
    num_pr = _num_pr(paragraph)
    if num_pr is None:
        return None
    num_id = num_pr.find(qn("w:numId"))
    if num_id is None or num_id.get(qn("w:val")) in (None, "0"):
        return None
    ilvl = num_pr.find(qn("w:ilvl"))
    level = int(ilvl.get(qn("w:val"), "0")) if ilvl is not None else 0
    return str(num_id.get(qn("w:val"))), level


def _style_level(style: str) -> int:
    """Return the list level a style name implies ("List Bullet 2" is level 2)."""
    match = _LIST_STYLE_LEVEL.match(style)
    return int(match.group(1)) if match else 1


class _Reader:
    def __init__(self, document: Any, builder: DocumentBuilder) -> None:
        self.document = document
        self.builder = builder
        self.numbering = _Numbering(document)
        self.footnote_texts = _footnote_texts(document)
        self.footnote_numbers: dict[str, int] = {}
        self.footnote_lines: dict[str, int] = {}
        self.line = 0

    def run(self, title: str | None) -> None:
        if title:
            self.builder.title = title
        for position, block in enumerate(self.document.iter_inner_content(), start=1):
            self.line = position
            if isinstance(block, DocxTable):
                self._table(block, position)
            else:
                self._paragraph(block, position)
        for word_id, number in self.footnote_numbers.items():
            text = self.footnote_texts.get(word_id, "")
            self.builder.footnote(number, text, self.footnote_lines[word_id])

    def _text(self, paragraph: DocxParagraph) -> str:
        pieces: list[str] = []
        for element in paragraph._p.iter():
            if element.tag == qn("w:t"):
                pieces.append(element.text or "")
            elif element.tag in (qn("w:tab"), qn("w:br"), qn("w:cr")):
                pieces.append(" ")
            elif element.tag == qn("w:footnoteReference"):
                word_id = element.get(qn("w:id"))
                number = self.footnote_numbers.setdefault(word_id, len(self.footnote_numbers) + 1)
                self.footnote_lines.setdefault(word_id, self.line)
                pieces.append(str(number))
        return " ".join("".join(pieces).split())

    def _paragraph(self, paragraph: DocxParagraph, line: int) -> None:
        builder = self.builder
        text = self._text(paragraph)
        if not text:
            return
        style = paragraph.style.name if paragraph.style is not None else ""
        heading = _HEADING_STYLE.match(style)
        if style.casefold() == "title":
            builder.title = builder.title or text
            return
        if heading:
            level = int(heading.group(1))
            if level == 1:
                self._part(text, line)
            else:
                builder.heading(text, line, level=level)
            return
        if KEY_POINTS.match(text):
            builder.key_points(line, title=text.rstrip(":"))
            return
        position = _list_position(paragraph)
        bulleted_style = style.casefold().startswith("list bullet")
        if position is not None and not bulleted_style:
            num_id, level = position
            if not self.numbering.is_bullet(num_id, level):
                number = self.numbering.next_number(num_id, level)
                if level == 0 and not builder.in_list():
                    builder.numbered(number, text, line, source=f"{number}. {text}")
                else:
                    builder.item(f"{number}. {text}", line, symbol="#", level=level + 1)
                return
        if position is not None or bulleted_style:
            level = max(position[1] + 1 if position is not None else 1, _style_level(style))
            builder.item(text, line, symbol=f"word-{level}", level=level)
            return
        numbered = NUMBERED.match(text)
        if numbered:
            builder.numbered(int(numbered.group(1)), numbered.group(2), line, source=text)
            return
        bullet = BULLET_LINE.match(text)
        if bullet:
            builder.item(bullet.group(2), line, symbol=bullet.group(1))
        elif CALLOUT.match(text):
            builder.paragraph(None, text, line)
        elif builder.takes_text_items(text):
            builder.item(text, line, kind=ItemKind.TEXT)
        else:
            builder.paragraph(None, text, line)

    def _part(self, text: str, line: int) -> None:
        word = PART_WORD.match(text)
        numeric = PART_NUMERIC.match(text)
        if word and word.group(1).isdigit():
            self.builder.start_part(int(word.group(1)), word.group(2), line)
        elif numeric:
            self.builder.start_part(int(numeric.group(1)), numeric.group(2), line)
        else:
            self.builder.start_part(self.builder.last_part_number + 1, text, line)

    def _table(self, table: DocxTable, line: int) -> None:
        rows = [tuple(self._cell_text(cell) for cell in row.cells) for row in table.rows]
        if not rows:
            return
        header: tuple[str, ...] = ()
        caption = ""
        spec = spec_for_columns(rows[0])
        first_tr = table.rows[0]._tr
        marked = first_tr.trPr is not None and first_tr.trPr.find(qn("w:tblHeader")) is not None
        if spec is not None or marked:
            header, rows = rows[0], rows[1:]
            caption = spec.caption if spec is not None else ""
        self.builder.table(Table(caption=caption, header=header, rows=tuple(rows), line=line))

    def _cell_text(self, cell: Any) -> str:
        lines = (self._text(p) for p in cell.paragraphs)
        return "\n".join(text for text in lines if text)


def parse_docx(source: Source, *, source_name: str, title: str | None = None) -> Document:
    """Parse a Word document; raise ``ImportFailed`` if it cannot be imported.

    :param source: a path, the file's bytes, or a binary file object.
    :param source_name: the file name, used in errors and kept on the document.
    :param title: the title to use when the document has no "Title" paragraph.
    """
    document, data = _open(source, source_name)
    builder = DocumentBuilder(source_name)
    _Reader(document, builder).run(title)
    return builder.finish(checksum=hashlib.sha256(data).hexdigest())


def parse_file(path: str | PathLike[str], *, title: str | None = None) -> Document:
    """Parse ``path`` as plain text (.txt) or Word (.docx), by its extension.

    Any other extension raises ``ImportFailed`` naming the file.
    """
    file = Path(fspath(path))
    suffix = file.suffix.casefold()
    if suffix == ".docx":
        return parse_docx(file, source_name=file.name, title=title)
    if suffix == ".txt":
        try:
            raw = file.read_bytes()
        except OSError as error:
            raise ImportFailed(file.name, 1, f"cannot read file: {error}") from error
        return parse_text(raw, source_name=file.name, title=title)
    raise ImportFailed(
        file.name,
        1,
        f"unsupported file type {suffix or '(no extension)'!r}: expected .txt or .docx",
    )
