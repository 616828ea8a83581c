"""Parse the official documents from plain text into a :class:`Document`.

The official documents reach the platform as plain text extracted from PDF or
Word, which loses all formatting: no fonts, no heading styles, no table cells.
This module recovers the structure from what the text still shows. It reads
two layouts, chosen automatically:

*Wrapped* text (PDF extraction, like the statutory guidance): lines wrapped at
about 85 characters, blocks separated by blank lines, the first line of each
page starting with one space, footnotes at page bottoms, page numbers and the
"Draft" watermark ("Draf" / "t") between pages.

*Unwrapped* text (Word extraction, like the delegate workbook): one paragraph
per line, table cells on lines starting with a tab, "[image: ...]" markers.
A document is unwrapped when more than 2% of its non-blank lines are longer
than 120 characters.

How elements are recognised (wrapped layout unless stated):

- Debris removed first: the watermark ("Draft", "DRAFT", "Draf t", or "Draf"
  followed by "t"), bare page numbers ("12", "Page 12", "12 of 40"), lone URLs
  within six lines of such debris (link targets printed under the page), lines
  repeated at the top or bottom of at least three pages (running headers and
  footers), table-of-contents entries (text, dot leader or tab, page number),
  and Word's "[image: ...]" / "[bookmark: ...]" markers.
- Part headings: "Part N: Title" (any layout), or "N. Title" on the first line
  of a page when N is the next part number and the title is short (at most
  ten words, no closing punctuation). If N is also the next paragraph number,
  it is a part heading only when a paragraph N follows within a few blocks.
  A lowercase next line continues the title.
- Numbered paragraphs: a block starting "N." or "N.Text" (the number may be
  glued to the text). Numbering rules: the next number is accepted; a forward
  jump of up to 100 is accepted with a warning naming the missing paragraphs;
  a number that goes backwards is a list item when a list is open (a Key Points
  box, or a paragraph introducing a list), otherwise it is kept as unnumbered
  text with a warning; 0, or a jump of more than 100, is impossible and fails
  the import.
- Paragraphs continue across blank lines and page breaks: a block starting in
  lowercase continues the previous text, as does a block after text that stops
  mid-sentence at a footnote marker ("... and Working27" / "Together to ..."),
  and, unless it is a heading or a list entry, a block that starts a page
  either straight after the text (no blank line) or after text that stopped
  without closing punctuation.
- Lists: lines starting with a bullet (``● • ○ ■ ▪ · - –``) or a letter
  ("a)", "(b)") are items of the open paragraph, Key Points box or free list;
  nesting follows the order symbols appear in. Plain text blocks after a
  paragraph ending in ":" are items too ("Article 26: ...").
- Key Points boxes: a line "Key Points"; its bullets follow.
- Footnotes: blocks "N Text" at the bottom of a page (the next thing is a page
  break), in any order; lines starting with superscript digits ("¹ Text").
  Markers are matched to footnotes afterwards (see ``_builder``).
- Headings: a block of one or two lines (up to four for "Label: text"
  headings such as "Responsibility Five: ..."), starting with a capital, not
  ending in "." "," or ";" (except "Label: ... ."), without loose numbers
  (legal references such as "Article 42" are fine) and not ending in a joining
  word such as "and". It is a heading only if what follows is a numbered
  paragraph, a Key Points box, a part heading, a "Summary of Law:"-style
  callout or (for a one-line heading) a bullet; or one more heading followed
  by one of those, when the text before has finished its sentence; or if it is
  one line ending with "?". It is never a heading when an open paragraph
  ending with ":" still awaits its list, when it starts with the same word as
  the plain-text list entry before it ("Article 3: ..." after "Article 26:
  ..."), or when it follows a short unfinished fragment of a flattened table
  (at most eight words, no closing punctuation, no "Label:"), unless it is a
  standard heading ("Who should read this guidance") or a Key Points box
  follows it. A one-line heading ending in a footnote marker may be followed
  by a fragment whose start is lost (001's paragraph 98); the fragment is
  kept with a warning. Which headings are sections and which sub-headings is
  decided per part by the builder.
- Graphic banners (a strip of words such as "Safe Healthy Achieving
  Nurtured" printed more than once) become list items of the paragraph they
  illustrate, or a free list.
- Tables: known tables are rebuilt from their header line (see ``tables``);
  in the unwrapped layout, tab-separated cells become tables when they make at
  least two rows of at least two columns.
- Unwrapped layout: each line is a block; a heading is a line of at most 10
  words and 90 characters, capitalised, without closing punctuation, commas,
  colons or web addresses, followed by content (possibly through one more
  heading). Plain lines become list items only after a paragraph ending in
  ":" and only while they are short (15 words at most).

Bad input raises :class:`~content.importers.structure.ImportFailed` naming the
file and line: an empty file, a binary file (NUL bytes, or bytes that are not
UTF-8), a document with no headings, an impossible paragraph number.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from content.importers._builder import (
    STANDARD_SECTION,
    DocumentBuilder,
    HeadingDraft,
    ItemKind,
    ListDraft,
    ParagraphDraft,
    Verdict,
    ends_sentence,
    superscript_to_int,
)
from content.importers.structure import Document, ImportFailed, Table
from content.importers.tables import TableSpec, TextBlock, rebuild, spec_for_header

__all__ = ["parse_text"]

NUMBERED = re.compile(r"^(\d{1,4})\.(?!\d)\s*(\S.*)$")
BULLET_LINE = re.compile(r"^([●•○■□▪◦·‣*\-–—]|\(?[a-z]\)|\(?[ivx]{1,4}\))\s+(\S.*)$")
FOOTNOTE = re.compile(r"^(\d{1,3})\s+([A-Z\u2018\u201c\"'(].*)$")
SUPERSCRIPT_FOOTNOTE = re.compile(r"^([⁰¹²³⁴⁵⁶⁷⁸⁹]+)\s*(\S.*)$")
KEY_POINTS = re.compile(r"^key\s+points?\s*:?$", re.IGNORECASE)
CALLOUT = re.compile(r"^(summary of law|example|nb|n\.b\.|note|please note)\s*:", re.IGNORECASE)
PART_WORD = re.compile(r"^part\s+(\d{1,2}|[ivxlc]{1,6})\s*[:.\-–—]?\s+(\S.*)$", re.IGNORECASE)
PART_NUMERIC = re.compile(r"^(\d{1,2})\.\s*(\S.*)$")
PAGE_NUMBER = re.compile(r"(?:page\s+)?\d{1,4}(?:\s+of\s+\d{1,4})?", re.IGNORECASE)
URL_ONLY = re.compile(r"(?:https?://|www\.)\S+")
CONTENTS_ENTRY = re.compile(r"^\S.{0,120}?(?:\.{3,}|\t)\s*\d{1,3}$")
WORD_MARKERS = re.compile(r"\[(?:image|bookmark):[^\]]*\]", re.DOTALL)
ORPHAN_ALT_TEXT = re.compile(r"^[ \t]*Description automatically generated[^\]\n]*\]", re.MULTILINE)
GLUED_NUMBER = re.compile(r"(?<=[^\s\d])(\d{1,3})$")
LOOSE_NUMBER = re.compile(r"(?<![\w.])\d+(?![\w.])")
LEGAL_REFERENCE = re.compile(r"\b(?:Articles?|Parts?|Sections?|Schedules?|Regulations?)\s+\d+")
LABEL_COLON = re.compile(r"^[A-Z][\w\u2019' ]{0,40}:\s")
DOMAIN = re.compile(r"\w\.\w")
ACRONYM = re.compile(r"^[A-Z][A-Z()&/]{1,9}$")

WATERMARKS = frozenset({"draft", "draf t"})
ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
# Words a heading does not end with.
CONNECTIVES = frozenset(
    ("a", "an", "and", "or", "the", "of", "to", "in", "for", "with", "by", "from")
    + ("on", "as", "at", "that", "which")
)
# Words a graphic banner ("Safe Healthy Achieving Nurtured") does not contain.
STOPWORDS = CONNECTIVES | frozenset(
    ("is", "are", "be", "this", "these", "who", "what", "how", "when", "why")
    + ("should", "must", "your", "you")
)

UNWRAPPED_LONG_LINE = 120
UNWRAPPED_SHARE = 0.02
DEBRIS_URL_WINDOW = 6
RUNNING_HEADER_PAGES = 3
UNWRAPPED_ITEM_WORDS = 15
UNWRAPPED_HEADING_WORDS = 10


# -- Input ------------------------------------------------------------------------


def _decode(raw: bytes | str, source_name: str) -> tuple[str, str]:
    """Return the text and the SHA-256 of the raw bytes; reject unusable input."""
    data = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
    checksum = hashlib.sha256(data).hexdigest()
    if not data.strip():
        raise ImportFailed(source_name, 1, "file is empty")
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ImportFailed(source_name, line, "binary file: contains NUL bytes, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ImportFailed(
            source_name,
            line,
            f"not UTF-8 text: byte 0x{data[error.start]:02x} cannot be decoded",
        ) from error
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(8, len(text) // 200):
        first = next(i for i, ch in enumerate(text) if ord(ch) < 32 and ch not in "\t\n\r\f")
        raise ImportFailed(
            source_name, text[:first].count("\n") + 1, "binary file: control characters"
        )
    return text, checksum


@dataclass
class _Line:
    no: int
    text: str
    raw: str
    page_start: bool = False
    debris: bool = False
    page_debris: bool = False

    @property
    def blank(self) -> bool:
        return not self.text


def _split_lines(text: str, *, wrapped: bool) -> list[_Line]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = WORD_MARKERS.sub(lambda m: "\n" * m.group().count("\n"), text)
    text = ORPHAN_ALT_TEXT.sub("", text)
    lines: list[_Line] = []
    for no, raw in enumerate(text.split("\n"), start=1):
        raw = raw.replace("\u00a0", " ").replace("\u200b", "").replace("\ufeff", "")
        page_start = raw.startswith("\f")
        raw = raw.replace("\f", "")
        if wrapped:
            page_start = page_start or (
                raw.startswith(" ") and not raw.startswith("  ") and bool(raw.strip())
            )
            raw = raw.replace("\t", " ")
        lines.append(_Line(no=no, text=raw.strip(), raw=raw, page_start=page_start))
    return lines


def _is_wrapped(text: str) -> bool:
    lines = [line for line in text.splitlines() if line.strip()]
    long_lines = sum(1 for line in lines if len(line) > UNWRAPPED_LONG_LINE)
    return long_lines <= max(2, UNWRAPPED_SHARE * len(lines))


def _mark_debris(lines: list[_Line], *, wrapped: bool) -> None:
    content = [line for line in lines if not line.blank]
    for index, line in enumerate(content):
        lowered = line.text.casefold()
        if lowered in WATERMARKS or PAGE_NUMBER.fullmatch(line.text):
            line.debris = line.page_debris = True
        elif CONTENTS_ENTRY.match(line.raw.strip()):
            line.debris = True  # a table-of-contents entry: text, leader, page number
        elif lowered == "draf" and index + 1 < len(content) and content[index + 1].text == "t":
            line.debris = line.page_debris = True
            content[index + 1].debris = content[index + 1].page_debris = True
    if not wrapped:
        return
    debris_lines = [line.no for line in lines if line.page_debris]
    for line in content:
        if URL_ONLY.fullmatch(line.text) and any(
            abs(line.no - no) <= DEBRIS_URL_WINDOW for no in debris_lines
        ):
            line.debris = True
    _mark_running_headers(lines)


def _mark_running_headers(lines: list[_Line]) -> None:
    """Mark lines repeated at the top or bottom of at least three pages."""
    content = [line for line in lines if not line.blank and not line.debris]
    edges: Counter[str] = Counter()
    totals: Counter[str] = Counter(line.text for line in content)
    for index, line in enumerate(content):
        if _structural(line.text):
            continue
        previous = lines[line.no - 2] if line.no >= 2 else None
        following = lines[line.no] if line.no < len(lines) else None
        top = line.page_start or (previous is not None and previous.page_debris)
        bottom = (following is not None and following.page_debris) or (
            index + 1 < len(content) and content[index + 1].page_start
        )
        if top or bottom:
            edges[line.text] += 1
    for line in content:
        count = edges[line.text]
        if count >= RUNNING_HEADER_PAGES and count >= 0.8 * totals[line.text]:
            line.debris = True


def _structural(text: str) -> bool:
    return bool(
        NUMBERED.match(text)
        or BULLET_LINE.match(text)
        or KEY_POINTS.match(text)
        or FOOTNOTE.match(text)
    )


# -- Tab tables (unwrapped layout) -------------------------------------------------


def _is_tab_line(raw: str) -> bool:
    return raw.startswith("\t")


def _extract_tab_tables(lines: list[_Line]) -> list[_Line | Table]:
    out: list[_Line | Table] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not _is_tab_line(line.raw) or line.debris:
            out.append(line)
            index += 1
            continue
        end = _tab_region_end(lines, index)
        region = lines[index : end + 1]
        table = _tab_table(region)
        if table is None:
            for part in region:
                out.append(replace(part, raw=part.raw.replace("\t", " ").strip()))
        else:
            out.append(table)
        index = end + 1
    return out


def _tab_region_end(lines: Sequence[_Line], start: int) -> int:
    last = start
    blanks = 0
    for position in range(start + 1, len(lines)):
        raw = lines[position].raw
        if _is_tab_line(raw):
            last, blanks = position, 0
        elif not raw.strip():
            blanks += 1
        elif blanks >= 2:
            break
        else:
            last, blanks = position, 0
    return last


def _tab_table(region: Sequence[_Line]) -> Table | None:
    cells: list[list[str]] = []
    first_row = 0
    first_row_done = False
    for line in region:
        if _is_tab_line(line.raw):
            segments = line.raw.split("\t")[1:]
            if any(s.strip() for s in segments):
                while segments and not segments[-1].strip():
                    segments.pop()
            for segment in segments:
                cells.append([segment.strip()] if segment.strip() else [])
            if not first_row_done:
                first_row += len(segments)
        elif not line.raw.strip():
            if cells:
                first_row_done = True
        elif cells:
            cells[-1].append(line.raw.strip())
    columns = first_row
    if columns < 2 or len(cells) <= columns:
        return None
    texts = ["\n".join(parts) for parts in cells]
    texts += [""] * (-len(texts) % columns)
    rows = [tuple(texts[i : i + columns]) for i in range(0, len(texts), columns)]
    header: tuple[str, ...] = ()
    if all(rows[0]) and not ACRONYM.match(rows[0][0]):
        header, rows = rows[0], rows[1:]
    return Table(caption="", header=header, rows=tuple(rows), line=region[0].no)


# -- Blocks ----------------------------------------------------------------------


@dataclass(eq=False)
class _Chunk:
    """A block of lines between blank lines (wrapped) or one line (unwrapped)."""

    lines: list[_Line] = field(default_factory=list)
    page_break: bool = False
    soft: bool = False
    glued: bool = False
    table: Table | None = None

    @property
    def line(self) -> int:
        if self.table is not None:
            return self.table.line
        return self.lines[0].no

    @property
    def last_line(self) -> int:
        return self.line if self.table is not None else self.lines[-1].no

    @property
    def first_text(self) -> str:
        return self.lines[0].text if self.lines else ""

    @property
    def text(self) -> str:
        return " ".join(line.text for line in self.lines)


def _part_title_line(line: _Line, *, wrapped: bool) -> bool:
    if PART_WORD.match(line.text):
        return True
    match = PART_NUMERIC.match(line.text)
    return bool(wrapped and line.page_start and match and _title_like(match.group(2)))


def _title_like(text: str) -> bool:
    words = text.split()
    return (
        0 < len(words) <= 10
        and len(text) <= 70
        and text[:1].isupper()
        and not text.rstrip().endswith((".", ",", ";", ":"))
    )


def _chunk_wrapped(lines: Sequence[_Line]) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    current: _Chunk | None = None
    page_break = False
    in_part_title = False
    for line in lines:
        if line.blank or line.debris:
            if current is not None:
                chunks.append(current)
                current = None
            page_break = page_break or line.page_debris
            continue
        is_part = _part_title_line(line, wrapped=True)
        glued = in_part_title and not line.text[:1].islower()
        if current is None or line.page_start or is_part or glued:
            if current is not None:
                chunks.append(current)
            current = _Chunk(page_break=page_break or line.page_start, glued=glued)
            page_break = False
            in_part_title = is_part
        current.lines.append(line)
    if current is not None:
        chunks.append(current)
    return chunks


def _chunk_unwrapped(items: Sequence[_Line | Table]) -> list[_Chunk]:
    chunks: list[_Chunk] = []
    for item in items:
        if isinstance(item, Table):
            chunks.append(_Chunk(table=item))
        elif not item.blank and not item.debris:
            text = " ".join(item.raw.split())
            chunks.append(_Chunk(lines=[replace(item, text=text)]))
    return chunks


def _footnote_like(chunk: _Chunk) -> bool:
    return (
        chunk.table is None
        and bool(FOOTNOTE.match(chunk.first_text))
        and not NUMBERED.match(chunk.first_text)
    )


def _take_footnotes(
    chunks: Sequence[_Chunk], builder: DocumentBuilder, *, wrapped: bool
) -> list[_Chunk]:
    kept: list[_Chunk] = []
    index = 0
    while index < len(chunks):
        chunk = chunks[index]
        superscript = SUPERSCRIPT_FOOTNOTE.match(chunk.first_text) if chunk.table is None else None
        if superscript:
            rest = " ".join([superscript.group(2), *(line.text for line in chunk.lines[1:])])
            builder.footnote(superscript_to_int(superscript.group(1)), rest, chunk.line)
            index += 1
            continue
        if wrapped and _footnote_like(chunk):
            end = index
            while end < len(chunks) and _footnote_like(chunks[end]):
                end += 1
            if end == len(chunks) or chunks[end].page_break:
                for note in chunks[index:end]:
                    match = FOOTNOTE.match(note.first_text)
                    assert match is not None  # noqa: S101 (guaranteed by _footnote_like)  # nosec B101
                    text = " ".join([match.group(2), *(line.text for line in note.lines[1:])])
                    builder.footnote(int(match.group(1)), text, note.line)
                index = end
                continue
        kept.append(chunk)
        index += 1
    # A page that starts straight after the previous block (no blank line and
    # nothing removed in between) may continue that block's paragraph.
    for previous, chunk in zip(kept, kept[1:], strict=False):
        chunk.soft = bool(
            chunk.lines and chunk.lines[0].page_start and previous.last_line == chunk.line - 1
        )
    return kept


def _banners(chunks: Sequence[_Chunk]) -> frozenset[str]:
    counts: Counter[str] = Counter(
        chunk.text for chunk in chunks if chunk.table is None and len(chunk.lines) == 1
    )
    banners = set()
    for text, count in counts.items():
        words = text.split()
        if (
            count >= 2
            and len(words) >= 4
            and text[:1].isupper()
            and not any(w.casefold() in STOPWORDS for w in words)
            and not any(ch.isdigit() for ch in text)
            and not text.endswith((".", ":", ";", ",", "?"))
            and not _structural(text)
        ):
            banners.add(text)
    return frozenset(banners)


@dataclass
class _Element:
    kind: str  # "numbered", "bullet", "key_points" or "text"
    text: str
    line: int
    number: int = 0
    symbol: str = ""
    source: str = ""


def _elements(chunk: _Chunk) -> list[_Element]:
    elements: list[_Element] = []
    for position, line in enumerate(chunk.lines):
        text = line.text
        numbered = NUMBERED.match(text)
        bullet = BULLET_LINE.match(text)
        in_list = bool(elements) and elements[-1].kind in ("numbered", "bullet")
        if numbered and (position == 0 or (in_list and int(numbered.group(1)) <= 50)):
            elements.append(
                _Element(
                    "numbered",
                    numbered.group(2),
                    line.no,
                    number=int(numbered.group(1)),
                    source=text,
                )
            )
        elif bullet:
            elements.append(
                _Element("bullet", bullet.group(2), line.no, symbol=bullet.group(1), source=text)
            )
        elif KEY_POINTS.match(text):
            elements.append(_Element("key_points", text, line.no, source=text))
        elif elements:
            elements[-1].text = f"{elements[-1].text} {text}"
            elements[-1].source = f"{elements[-1].source} {text}"
        else:
            elements.append(_Element("text", text, line.no, source=text))
    return elements


def _strip_glued_number(text: str) -> str:
    return GLUED_NUMBER.sub("", text.rstrip())


def _roman(text: str) -> int:
    values = [ROMAN[ch] for ch in text.casefold()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


# -- Assembly --------------------------------------------------------------------


class _Assembler:
    """Walk the blocks in order and feed the builder."""

    def __init__(
        self,
        chunks: list[_Chunk],
        builder: DocumentBuilder,
        *,
        wrapped: bool,
        banners: frozenset[str],
    ) -> None:
        self.chunks = chunks
        self.builder = builder
        self.wrapped = wrapped
        self.banners = banners
        self.after_part = False

    def run(self, title: str | None) -> None:
        start = 0
        if title:
            self.builder.title = title
        elif self.chunks:
            self._split_at_paragraph(0)
            if self._is_title(self.chunks[0]):
                self.builder.title = self.chunks[0].text
                start = 1
        index = start
        while index < len(self.chunks):
            index = self._step(index)

    def _is_title(self, chunk: _Chunk) -> bool:
        if chunk.table is not None or len(chunk.lines) > 2:
            return False
        if self._part(chunk) is not None or _elements(chunk)[0].kind != "text":
            return False
        if CALLOUT.match(chunk.first_text):
            return False
        following = self.chunks[1] if len(self.chunks) > 1 else None
        if following is None or following.table is not None or self._part(following):
            return True
        first = following.first_text
        return not (
            KEY_POINTS.match(first) or CALLOUT.match(first) or self._plausible_number(first)
        )

    # -- Classification helpers --------------------------------------------------

    def _part(self, chunk: _Chunk) -> tuple[int, str] | None:
        if chunk.table is not None:
            return None
        first = chunk.lines[0]
        rest = " ".join(line.text for line in chunk.lines[1:])
        word = PART_WORD.match(first.text)
        if word:
            token = word.group(1)
            number = int(token) if token.isdigit() else _roman(token)
            return number, f"{word.group(2)} {rest}".strip()
        numeric = PART_NUMERIC.match(first.text)
        if not (self.wrapped and first.page_start and numeric and _title_like(numeric.group(2))):
            return None
        number = int(numeric.group(1))
        if number != self.builder.last_part_number + 1:
            return None
        if number == self.builder.last_number + 1 and not self._paragraph_ahead(chunk, number):
            return None  # the next paragraph, not a part
        if any(not line.text[:1].islower() for line in chunk.lines[1:]):
            return None
        return number, f"{numeric.group(2)} {rest}".strip()

    def _paragraph_ahead(self, chunk: _Chunk, number: int, *, window: int = 12) -> bool:
        """Return ``True`` if paragraph ``number`` still starts a block soon after ``chunk``."""
        index = next((i for i, candidate in enumerate(self.chunks) if candidate is chunk), None)
        if index is None:
            return False
        for following in self.chunks[index + 1 : index + 1 + window]:
            match = NUMBERED.match(following.first_text) if following.table is None else None
            if match and int(match.group(1)) == number:
                return True
        return False

    def _plausible_number(self, text: str) -> bool:
        match = NUMBERED.match(text)
        if match is None:
            return False
        return self.builder.verdict(int(match.group(1))) in (Verdict.NEXT, Verdict.GAP)

    def _successor(self, chunk: _Chunk) -> bool:
        """Return ``True`` if ``chunk`` is something a heading can introduce."""
        if chunk.table is not None:
            return False
        first = chunk.first_text
        return bool(
            KEY_POINTS.match(first)
            or CALLOUT.match(first)
            or self._plausible_number(first)
            or self._part(chunk) is not None
        )

    def _heading_like(self, chunk: _Chunk) -> bool:
        if chunk.table is not None or not chunk.lines:
            return False
        first = chunk.first_text
        if _structural(first) or CALLOUT.match(first) or SUPERSCRIPT_FOOTNOTE.match(first):
            return False
        core = _strip_glued_number(chunk.text)
        if not self.wrapped:
            words = core.split()
            return (
                0 < len(words) <= UNWRAPPED_HEADING_WORDS
                and len(core) <= 90
                and core[:1].isupper()
                and not core.endswith((".", "!", "?"))
                and not any(mark in core for mark in (",", ";", ":"))
                and not DOMAIN.search(core)
                and words[-1] not in CONNECTIVES
            )
        labelled = bool(LABEL_COLON.match(core))
        if len(chunk.lines) > 4 or len(core) > 300:
            return False
        if len(chunk.lines) > 2 and not labelled:
            return False
        if len(core) > 160 and not labelled:
            return False
        if not core[:1].isupper() or core.endswith((",", ";")):
            return False
        if core.endswith(".") and not labelled:
            return False
        if LOOSE_NUMBER.search(LEGAL_REFERENCE.sub("", core)) or chunk.text in self.banners:
            return False
        return core.split()[-1].strip(":?") not in CONNECTIVES

    def _is_heading(self, index: int) -> bool:
        chunk = self.chunks[index]
        if not self._heading_like(chunk):
            return False
        following = self.chunks[index + 1] if index + 1 < len(self.chunks) else None
        if not self.wrapped:
            return self._introduces_content(index + 1, chain=True)
        if self._continues_list(chunk):
            return False
        if following is None:
            return True
        if following.first_text[:1].islower():
            # Only a single-line heading ending in a footnote marker can be
            # followed by a fragment (its paragraph lost its start).
            return len(chunk.lines) == 1 and GLUED_NUMBER.search(chunk.text) is not None
        if following.table is None and KEY_POINTS.match(following.first_text):
            return True  # Key Points boxes only ever follow headings
        if self._after_fragment() and not STANDARD_SECTION.match(chunk.text):
            return False
        if len(chunk.lines) == 1 and _strip_glued_number(chunk.text).endswith("?"):
            return True
        if self._successor(following):
            return True
        if len(chunk.lines) == 1 and BULLET_LINE.match(following.first_text):
            return True  # a sub-heading over a bulleted principle
        last_text = self.builder.last_text()
        chain_allowed = last_text is None or ends_sentence(last_text) or last_text.endswith(":")
        if not chain_allowed or index + 2 >= len(self.chunks):
            return False
        return self._heading_like(following) and self._successor(self.chunks[index + 2])

    def _continues_after_marker(self) -> bool:
        """Return ``True`` if the last text stops mid-sentence at a footnote marker."""
        previous = self.builder.last_text()
        if previous is None or self.builder.open is None or not self.wrapped:
            return False
        glued = GLUED_NUMBER.search(previous.rstrip())
        if glued and int(glued.group(1)) in self.builder.footnotes:
            return not ends_sentence(_strip_glued_number(previous))
        return False

    def _introduces_content(self, index: int, *, chain: bool) -> bool:
        """Return ``True`` if the block at ``index`` is content (unwrapped layout).

        Content is anything but another heading-like line; with ``chain`` one
        heading-like line may come first (a heading straight over a
        sub-heading).
        """
        if index >= len(self.chunks):
            return False
        following = self.chunks[index]
        if following.table is not None:
            return True
        if following.first_text[:1].islower():
            return False
        if not self._heading_like(following):
            return True
        return chain and self._introduces_content(index + 1, chain=False)

    def _continues_list(self, chunk: _Chunk) -> bool:
        """Return ``True`` if ``chunk`` must be the next entry of an open list.

        A paragraph ending with ":" is followed by its list, not by a heading;
        and in a list of plain text entries, a block that starts with the same
        word as the last entry ("Article 3: ...", "Article 23: ...") is one more.
        """
        current = self.builder.open
        if not isinstance(current, ParagraphDraft):
            return False
        if not current.items:
            return current.text.rstrip().endswith(":")
        last = current.items[-1]
        if last.kind is not ItemKind.TEXT:
            return False
        return last.text.split()[0].casefold() == chunk.text.split()[0].casefold()

    def _continues_over_page_break(self, chunk: _Chunk) -> bool:
        """Return ``True`` if a page break fell inside the open paragraph.

        Either the page starts straight after the text with no blank line, or
        the text before the break stops without closing punctuation.
        """
        previous = self.builder.last_text()
        if previous is None or not self.wrapped:
            return False
        if chunk.soft:
            return True
        return chunk.page_break and not ends_sentence(previous) and not previous.endswith(":")

    def _after_fragment(self) -> bool:
        """Return ``True`` if the last text is a fragment such as a table cell.

        A short unfinished text block (at most eight words, no closing
        punctuation, no "Label:") that is a plain text item or an unnumbered
        paragraph is a piece of a flattened table; what follows belongs with it.
        """
        builder = self.builder
        current = builder.open
        if current is None:
            return False
        if current.items:
            last = current.items[-1]
            if last.kind is not ItemKind.TEXT:
                return False
            text = last.text
        elif isinstance(current, ParagraphDraft) and current.number is None:
            text = current.text
        else:
            return False
        text = _strip_glued_number(text)
        return len(text.split()) <= 8 and not ends_sentence(text) and ":" not in text

    # -- Steps ---------------------------------------------------------------------

    def _step(self, index: int) -> int:
        chunk = self.chunks[index]
        builder = self.builder
        if chunk.table is not None:
            table = chunk.table
            previous = builder.last_entry
            if not table.caption and isinstance(previous, HeadingDraft):
                table = replace(table, caption=previous.text)
            builder.table(table)
            self.after_part = False
            return index + 1
        part = self._part(chunk)
        if part is not None:
            builder.start_part(part[0], part[1], chunk.line)
            self.after_part = True
            return index + 1
        glued_to_paragraph = chunk.glued and not self.after_part
        self.after_part = False
        self._split_at_paragraph(index)
        if len(chunk.lines) == 1:
            spec = spec_for_header(chunk.first_text)
            if spec is not None:
                return self._spec_table(index, spec)
        elements = _elements(chunk)
        head = elements[0]
        if glued_to_paragraph and head.kind == "text":
            builder.append(head.text, head.line)
        elif head.kind == "key_points":
            builder.key_points(head.line, title=head.text.rstrip(":"))
        elif head.kind == "numbered":
            builder.numbered(head.number, head.text, head.line, source=head.source)
        elif head.kind == "bullet":
            builder.item(head.text, head.line, symbol=head.symbol)
        else:
            self._text(index, chunk, head)
        for element in elements[1:]:
            if element.kind == "key_points":
                builder.key_points(element.line, title=element.text.rstrip(":"))
            elif element.kind == "bullet":
                builder.item(element.text, element.line, symbol=element.symbol)
            else:
                builder.item(element.source, element.line, symbol="#")
        return index + 1

    def _split_at_paragraph(self, index: int) -> None:
        """Start a new block where a paragraph number follows a text line.

        A heading printed straight above a paragraph on a new page has no
        blank line between them (" Who should read this document?" /
        "9. There are ...").
        """
        chunk = self.chunks[index]
        for position in range(1, len(chunk.lines)):
            previous = chunk.lines[position - 1].text
            if BULLET_LINE.match(previous) or NUMBERED.match(previous):
                continue
            if self._plausible_number(chunk.lines[position].text):
                rest = _Chunk(lines=chunk.lines[position:])
                del chunk.lines[position:]
                self.chunks.insert(index + 1, rest)
                return

    def _text(self, index: int, chunk: _Chunk, element: _Element) -> None:
        builder = self.builder
        text = element.text
        if chunk.text in self.banners and len(chunk.lines) == 1:
            self._banner(text, element.line)
        elif text[:1].islower():
            if builder.open is None:
                builder.warn(
                    element.line,
                    "text starts mid-sentence; the start of its paragraph may be missing",
                )
            builder.append(text, element.line)
        elif CALLOUT.match(text):
            builder.paragraph(None, text, element.line)
        elif self._is_heading(index):
            builder.heading(text, element.line)
        elif self._continues_after_marker():
            builder.append(text, element.line)
        elif builder.takes_text_items(
            text, max_words=None if self.wrapped else UNWRAPPED_ITEM_WORDS
        ):
            builder.item(text, element.line, kind=ItemKind.TEXT)
        elif self._continues_over_page_break(chunk):
            builder.append(text, element.line)
        else:
            builder.paragraph(None, text, element.line)

    def _banner(self, text: str, line: int) -> None:
        builder = self.builder
        current = builder.open
        if isinstance(current, ParagraphDraft) and (current.items or current.text.endswith(":")):
            builder.item(text, line, kind=ItemKind.BANNER)
            return
        if not (
            isinstance(current, ListDraft)
            and current.items
            and current.items[-1].kind is ItemKind.BANNER
        ):
            builder.close()
        builder.item(text, line, kind=ItemKind.BANNER)

    def _spec_table(self, index: int, spec: TableSpec) -> int:
        header = self.chunks[index]
        blocks: list[TextBlock] = []
        end = index + 1
        while end < len(self.chunks):
            chunk = self.chunks[end]
            if chunk.table is not None or self._successor(chunk):
                break
            following = self.chunks[end + 1] if end + 1 < len(self.chunks) else None
            starts_row = any(
                chunk.text.casefold().startswith(label.casefold()) for label in spec.row_labels
            )
            if (
                not starts_row
                and self._heading_like(chunk)
                and (following is None or self._successor(following))
            ):
                break
            blocks.append(TextBlock(text=chunk.text, page_break_before=chunk.page_break))
            end += 1
        table, missing = rebuild(spec, blocks, line=header.line)
        if missing:
            self.builder.warn(
                header.line, f"table '{spec.caption}': rows not found: {', '.join(missing)}"
            )
        self.builder.table(table)
        return end


# -- Entry point -------------------------------------------------------------------


def parse_text(raw: bytes | str, *, source_name: str, title: str | None = None) -> Document:
    """Parse a plain-text document; raise ``ImportFailed`` if it cannot be imported.

    :param raw: the file's bytes (or already decoded text).
    :param source_name: the file name, used in errors and kept on the document.
    :param title: the document title, when the text has no title line of its
        own (the statutory guidance starts straight with a heading). Without
        it, a first line that does not introduce content is the title, and
        failing that the first heading is.
    """
    text, checksum = _decode(raw, source_name)
    wrapped = _is_wrapped(text)
    builder = DocumentBuilder(source_name)
    lines = _split_lines(text, wrapped=wrapped)
    _mark_debris(lines, wrapped=wrapped)
    chunks = _chunk_wrapped(lines) if wrapped else _chunk_unwrapped(_extract_tab_tables(lines))
    chunks = _take_footnotes(chunks, builder, wrapped=wrapped)
    banners = _banners(chunks) if wrapped else frozenset()
    if not chunks:
        raise ImportFailed(source_name, 1, "file has no text once page debris is removed")
    _Assembler(chunks, builder, wrapped=wrapped, banners=banners).run(title)
    return builder.finish(checksum=checksum)
