"""Turn a stream of parsing events into a frozen :class:`Document`.

The text parser and the .docx reader recognise elements in very different
ways, but once an element is recognised ("a part starts here", "numbered
paragraph 12", "a bullet", "a Key Points box") the rest is the same: which
container a bullet belongs to, how nested a list item is, where sections begin,
which headings are sections and which are sub-headings, where footnote markers
sit, and what each block's anchor is. Keeping that in one place is what makes
the two importers produce the same structure for the same content.

Rules applied in :meth:`DocumentBuilder.finish`, in this order:

1. Footnote markers. Markers are looked for in document order, expecting the
   footnotes in sequence: digits glued to the end of a word or to punctuation
   (``need9``, ``Law.3``, ``includes :21``, ``You51 52``) or a lone number at
   the very end of a text (``Reporting and outcomes 58``) count as a marker only
   when they are the next footnote due (or one of the two after it, so one lost
   marker does not lose the rest). Superscript digits (``Board³``) are markers
   for any defined footnote. Footnotes never cited get a warning.
2. Heading levels. A heading whose level the source states (a .docx style) keeps
   it. Otherwise, within each part: a heading ending in ":" is a sub-heading;
   "Who should/must read ..." and "What this guidance covers" are sections; if
   the part has an outline paragraph ("This guidance covers: ..." or "... is
   structured as follows: ..." with short bullet items), a heading matching a
   first-level item is a section and one matching a second-level item a
   sub-heading (each item matches once, the first heading to match takes it);
   a heading followed directly by a Key Points box is a section; in a part with
   neither Key Points nor outline every heading is a section; a heading with
   nothing after it at the end of a part is a section; everything else is a
   sub-heading.
3. Sections. Section headings start sections; blocks before the first one go
   to an implicit section named after the part.
4. Anchors and slugs, as described in ``structure``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import PurePath

from content.importers.structure import (
    Block,
    Document,
    Footnote,
    FootnoteRef,
    Heading,
    ImportFailed,
    KeyPoints,
    ListBlock,
    ListItem,
    Paragraph,
    ParseWarning,
    Part,
    Section,
    Table,
    normalise_text,
    slugify,
)

#: Largest forward jump in paragraph numbering still read as "paragraphs
#: missing" (with a warning). A bigger jump cannot come from a few lost
#: paragraphs, so the number is impossible and the import fails.
MAX_PARAGRAPH_JUMP = 100

TERMINAL_PUNCTUATION = (".", "!", "?", "\u2019.", ".\u2019", ".\u201d", "\u201d")

STANDARD_SECTION = re.compile(
    r"^(who (should|must) read this (guidance|document)|what this guidance covers)\b",
    re.IGNORECASE,
)
_OUTLINE_INTRO = re.compile(r"\b(structured as follows|covers)\b", re.IGNORECASE)
_OUTLINE_MAX_WORDS = 15

_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_SUPERSCRIPT_VALUE = {ch: str(i) for i, ch in enumerate(_SUPERSCRIPTS)}
_SUPERSCRIPT_MARKER = re.compile(f"[{_SUPERSCRIPTS}]+")
# Digits glued to a word or punctuation, possibly followed by more markers
# separated by single spaces ("You51 52"), ending at a word boundary.
_GLUED_MARKER = re.compile(
    r"(?<=[A-Za-z\u00c0-\u024f)\].,:;?!\u2019\u201d'\"%])"
    r"(\d{1,3}(?: \d{1,3})*)"
    r"(?=[\s.,;:)]|$)"
)
_TRAILING_MARKER = re.compile(r"(?<=\s)(\d{1,3})\s*$")


def superscript_to_int(text: str) -> int:
    """Return the integer written in superscript digits."""
    return int("".join(_SUPERSCRIPT_VALUE[ch] for ch in text))


class Verdict(StrEnum):
    """How a paragraph number relates to the numbering so far."""

    NEXT = "next"
    GAP = "gap"
    BACKWARDS = "backwards"
    IMPOSSIBLE = "impossible"


class ItemKind(StrEnum):
    """What an item is: a marked list line, plain text in a list, or a banner."""

    BULLET = "bullet"
    TEXT = "text"
    BANNER = "banner"


@dataclass
class ItemDraft:
    """A list item under construction."""

    text: str
    line: int
    symbol: str = ""
    kind: ItemKind = ItemKind.BULLET
    level: int | None = None
    refs: list[FootnoteRef] = field(default_factory=list)


@dataclass
class ParagraphDraft:
    """A paragraph under construction."""

    number: int | None
    text: str
    line: int
    items: list[ItemDraft] = field(default_factory=list)
    refs: list[FootnoteRef] = field(default_factory=list)


@dataclass
class KeyPointsDraft:
    """A Key Points box under construction."""

    line: int
    title: str = "Key Points"
    items: list[ItemDraft] = field(default_factory=list)


@dataclass
class ListDraft:
    """A free-standing list under construction."""

    line: int
    items: list[ItemDraft] = field(default_factory=list)


@dataclass
class HeadingDraft:
    """A heading whose level may still have to be inferred (``level=None``)."""

    text: str
    line: int
    level: int | None = None
    refs: list[FootnoteRef] = field(default_factory=list)


Entry = ParagraphDraft | KeyPointsDraft | ListDraft | HeadingDraft | Table
Container = ParagraphDraft | KeyPointsDraft | ListDraft


@dataclass
class PartDraft:
    """A part under construction: a flat list of entries in source order."""

    number: int
    title: str
    line: int
    entries: list[Entry] = field(default_factory=list)


def ends_sentence(text: str) -> bool:
    """Return ``True`` if ``text`` ends like a finished sentence."""
    return text.rstrip().endswith(TERMINAL_PUNCTUATION)


class DocumentBuilder:
    """Collect parsing events and produce a :class:`Document`.

    Events: :meth:`start_part`, :meth:`heading`, :meth:`paragraph`,
    :meth:`item`, :meth:`append`, :meth:`key_points`, :meth:`table`,
    :meth:`footnote`, :meth:`warn`. Containers (a paragraph, a Key Points box,
    a free list) stay open for items and continuations until something else
    starts.
    """

    def __init__(self, source_name: str) -> None:
        self.source_name = source_name
        self.title: str | None = None
        self.parts: list[PartDraft] = []
        self.footnotes: dict[int, Footnote] = {}
        self.warnings: list[ParseWarning] = []
        self.last_number = 0
        self.open: Container | None = None
        self._last_line = 1

    # -- State queries used by the parsers ------------------------------------

    @property
    def last_part_number(self) -> int:
        """Return the number of the latest part (0 before any part)."""
        return self.parts[-1].number if self.parts else 0

    @property
    def last_entry(self) -> Entry | None:
        """Return the latest entry of the current part, if any."""
        if not self.parts or not self.parts[-1].entries:
            return None
        return self.parts[-1].entries[-1]

    def verdict(self, number: int) -> Verdict:
        """Classify paragraph ``number`` against the numbering so far."""
        if number <= 0:
            return Verdict.IMPOSSIBLE
        if number == self.last_number + 1:
            return Verdict.NEXT
        if number <= self.last_number:
            return Verdict.BACKWARDS
        if number - self.last_number <= MAX_PARAGRAPH_JUMP:
            return Verdict.GAP
        return Verdict.IMPOSSIBLE

    def last_text(self) -> str | None:
        """Return the text that a continuation would extend, if any."""
        if self.open is None:
            return None
        if self.open.items:
            return self.open.items[-1].text
        if isinstance(self.open, ParagraphDraft):
            return self.open.text
        return None

    def in_list(self) -> bool:
        """Return ``True`` when list lines would join an open container.

        That is: a Key Points box is open, or the open paragraph introduces a
        list (its text ends with ":") or already has items.
        """
        if isinstance(self.open, KeyPointsDraft | ListDraft):
            return True
        if isinstance(self.open, ParagraphDraft):
            return bool(self.open.items) or self.open.text.rstrip().endswith(":")
        return False

    def takes_text_items(self, text: str = "", *, max_words: int | None = None) -> bool:
        """Return ``True`` if the plain text block ``text`` now reads as a list item.

        A paragraph ending with ":" takes the following text blocks as items
        ("As a corporate parent, you have a duty to:" / "Article 26: ..."), and
        keeps taking them while the items are plain text or end with ":".
        ``max_words`` limits the items to short ones.
        """
        if not isinstance(self.open, ParagraphDraft):
            return False
        if max_words is not None and len(text.split()) > max_words:
            return False
        if not self.open.items:
            return self.open.text.rstrip().endswith(":")
        last = self.open.items[-1]
        return last.kind is not ItemKind.BULLET or last.text.rstrip().endswith(":")

    # -- Events -----------------------------------------------------------------

    def warn(self, line: int, message: str) -> None:
        """Record a warning."""
        self.warnings.append(ParseWarning(line=line, message=message))

    def fail(self, line: int, message: str) -> ImportFailed:
        """Return an :class:`ImportFailed` for this source (the caller raises it)."""
        return ImportFailed(self.source_name, line, message)

    def _current(self) -> PartDraft:
        if not self.parts:
            self.parts.append(PartDraft(number=0, title="", line=1))
        return self.parts[-1]

    def _add(self, entry: Entry, line: int) -> None:
        self._last_line = max(self._last_line, line)
        self._current().entries.append(entry)

    def close(self) -> None:
        """Close the open container: nothing more will be added to it."""
        self.open = None

    def start_part(self, number: int, title: str, line: int) -> None:
        """Start part ``number``."""
        self.close()
        expected = self.last_part_number + 1
        if number != expected:
            self.warn(line, f"part {number} follows part {expected - 1}")
        self.parts.append(PartDraft(number=number, title=title.strip(), line=line))

    def heading(self, text: str, line: int, level: int | None = None) -> None:
        """Add a heading; ``level`` 2 is a section, 3+ a sub-heading, None = infer."""
        self.close()
        self._add(HeadingDraft(text=text.strip(), line=line, level=level), line)

    def paragraph(self, number: int | None, text: str, line: int) -> ParagraphDraft:
        """Open a paragraph (numbered if ``number`` is given) and return it.

        The caller has already decided that ``number`` is acceptable (see
        :meth:`verdict`); a gap is recorded here as a warning.
        """
        self.close()
        if number is not None:
            if number > self.last_number + 1:
                first, last = self.last_number + 1, number - 1
                missing = f"paragraph {first}" if first == last else f"paragraphs {first}-{last}"
                self.warn(
                    line, f"{missing} missing: numbering jumps from {self.last_number} to {number}"
                )
            self.last_number = number
        draft = ParagraphDraft(number=number, text=text.strip(), line=line)
        self._add(draft, line)
        self.open = draft
        return draft

    def numbered(self, number: int, text: str, line: int, *, source: str) -> None:
        """Add a block printed with paragraph number ``number``.

        The next number, or a forward gap of up to :data:`MAX_PARAGRAPH_JUMP`,
        opens a numbered paragraph (a gap with a warning). Otherwise, inside
        an open list the block is a list item (``source`` keeps its number);
        a number going backwards outside a list becomes unnumbered text with a
        warning; 0 or a larger jump is impossible and fails the import.
        """
        verdict = self.verdict(number)
        if verdict in (Verdict.NEXT, Verdict.GAP):
            self.paragraph(number, text, line)
        elif self.in_list():
            self.item(source, line, symbol="#")
        elif verdict is Verdict.BACKWARDS:
            self.warn(
                line,
                f"paragraph {number} after paragraph {self.last_number}: "
                "numbering goes backwards; imported as unnumbered text",
            )
            self.paragraph(None, source, line)
        else:
            raise self.fail(
                line, f"impossible paragraph number {number} after paragraph {self.last_number}"
            )

    def key_points(self, line: int, title: str = "Key Points") -> None:
        """Open a Key Points box."""
        self.close()
        draft = KeyPointsDraft(line=line, title=title)
        self._add(draft, line)
        self.open = draft

    def item(
        self,
        text: str,
        line: int,
        *,
        symbol: str = "",
        kind: ItemKind = ItemKind.BULLET,
        level: int | None = None,
    ) -> None:
        """Add a list item to the open container, or to a new free list."""
        if self.open is None:
            draft = ListDraft(line=line)
            self._add(draft, line)
            self.open = draft
        self.open.items.append(
            ItemDraft(text=text.strip(), line=line, symbol=symbol, kind=kind, level=level)
        )

    def append(self, text: str, line: int) -> None:
        """Continue the last text (item or paragraph) with ``text``."""
        text = text.strip()
        if self.open is not None and self.open.items:
            last = self.open.items[-1]
            last.text = f"{last.text} {text}".strip()
        elif isinstance(self.open, ParagraphDraft):
            self.open.text = f"{self.open.text} {text}".strip()
        else:
            self.paragraph(None, text, line)

    def table(self, table: Table) -> None:
        """Add a table."""
        self.close()
        self._add(table, table.line)

    def footnote(self, number: int, text: str, line: int) -> None:
        """Record the text of footnote ``number``."""
        if number in self.footnotes:
            self.warn(line, f"footnote {number} is defined twice; keeping the first")
            return
        self.footnotes[number] = Footnote(number=number, text=text.strip(), line=line)

    # -- Finishing -------------------------------------------------------------

    def finish(self, *, checksum: str) -> Document:
        """Return the finished document; raise ``ImportFailed`` if it has no headings."""
        self.close()
        has_headings = any(part.number > 0 for part in self.parts) or any(
            isinstance(entry, HeadingDraft) for part in self.parts for entry in part.entries
        )
        if not has_headings:
            raise self.fail(
                1, "no headings found: cannot divide the document into parts and sections"
            )
        self._extract_markers()
        title = self._title()
        for part in self.parts:
            _assign_levels(part)
        parts = _freeze_parts(self.parts, title)
        return Document(
            title=title,
            parts=parts,
            footnotes=tuple(self.footnotes[n] for n in sorted(self.footnotes)),
            warnings=tuple(sorted(self.warnings, key=lambda w: w.line)),
            source_name=self.source_name,
            checksum=checksum,
        )

    def _title(self) -> str:
        if self.title:
            return self.title
        for part in self.parts:
            for entry in part.entries:
                if isinstance(entry, HeadingDraft):
                    return entry.text
            if part.number > 0 and part.title:
                return part.title
        return PurePath(self.source_name).stem

    def _extract_markers(self) -> None:
        numbers = sorted(self.footnotes)
        state = _MarkerState(numbers=numbers)
        for part in self.parts:
            for entry in part.entries:
                if isinstance(entry, HeadingDraft | ParagraphDraft):
                    entry.text, refs = state.extract(entry.text)
                    entry.refs.extend(refs)
                if isinstance(entry, ParagraphDraft | KeyPointsDraft | ListDraft):
                    for item in entry.items:
                        item.text, refs = state.extract(item.text)
                        item.refs.extend(refs)
        for number in numbers:
            if number not in state.cited:
                self.warn(
                    self.footnotes[number].line,
                    f"footnote {number} is never cited in the text",
                )


@dataclass
class _MarkerState:
    numbers: list[int]
    position: int = 0
    cited: set[int] = field(default_factory=set)

    def _accept(self, number: int, *, window: int) -> bool:
        ahead = self.numbers[self.position : self.position + window]
        if number not in ahead:
            return False
        self.position = self.numbers.index(number) + 1
        self.cited.add(number)
        return True

    def extract(self, text: str) -> tuple[str, list[FootnoteRef]]:
        """Return ``text`` without its footnote markers, and the markers found."""
        if not self.numbers:
            return text, []
        spans: list[tuple[int, int, int]] = []  # start, end, number
        for match in _GLUED_MARKER.finditer(text):
            start = match.start(1)
            for token in match.group(1).split(" "):
                if not self._accept(int(token), window=3):
                    break
                end = start + len(token)
                spans.append((start, end, int(token)))
                start = end + 1
        trailing = _TRAILING_MARKER.search(text)
        if trailing and not any(s[0] == trailing.start(1) for s in spans):
            number = int(trailing.group(1))
            if self._accept(number, window=1):
                spans.append((trailing.start(1) - 1, trailing.end(1), number))
        for match in _SUPERSCRIPT_MARKER.finditer(text):
            number = superscript_to_int(match.group())
            if number in self.footnotes_set():
                self.cited.add(number)
                spans.append((match.start(), match.end(), number))
        if not spans:
            return text, []
        spans.sort()
        pieces: list[str] = []
        refs: list[FootnoteRef] = []
        cursor = 0
        length = 0
        for start, end, number in spans:
            piece = text[cursor:start]
            pieces.append(piece)
            length += len(piece)
            refs.append(FootnoteRef(number=number, offset=length))
            cursor = end
            # Markers separated by a space ("51 52"): drop the separator too.
            if (
                cursor < len(text)
                and text[cursor] == " "
                and any(s[0] == cursor + 1 for s in spans)
            ):
                cursor += 1
        pieces.append(text[cursor:])
        return "".join(pieces).rstrip(), refs

    def footnotes_set(self) -> set[int]:
        return set(self.numbers)


# -- Heading levels -------------------------------------------------------------


def _norm(text: str) -> str:
    text = normalise_text(text)
    text = re.sub(r"\d+$", "", text).strip()
    text = text.rstrip(":;.,").strip()
    return re.sub(r"^the ", "", text)


def _contains(haystack: str, needle: str) -> bool:
    return len(needle) >= 8 and f" {needle} " in f" {haystack} "


def _heading_matches(heading: str, item: str) -> bool:
    h, i = _norm(heading), _norm(item)
    if _contains(i, h) or _contains(h, i):
        return True
    if ":" in h:
        return _contains(i, h.split(":", 1)[1].strip())
    return False


def _outline(entries: Sequence[Entry]) -> list[tuple[str, int]] | None:
    for entry in entries:
        if not isinstance(entry, ParagraphDraft) or entry.number is None:
            continue
        if not _OUTLINE_INTRO.search(entry.text) or len(entry.items) < 2:
            continue
        levels = item_levels(entry.items)
        bullets = [it for it in entry.items if it.kind is ItemKind.BULLET]
        if len(bullets) != len(entry.items):
            continue
        if all(len(it.text.split()) <= _OUTLINE_MAX_WORDS for it in entry.items):
            return [(it.text, level) for it, level in zip(entry.items, levels, strict=True)]
    return None


def _assign_levels(part: PartDraft) -> None:
    entries = part.entries
    headings = [e for e in entries if isinstance(e, HeadingDraft)]
    if all(h.level is not None for h in headings):
        return
    outline = _outline(entries)
    unused = list(outline) if outline else []
    has_key_points = any(isinstance(e, KeyPointsDraft) for e in entries)
    flat = not has_key_points and outline is None
    for index, entry in enumerate(entries):
        if not isinstance(entry, HeadingDraft) or entry.level is not None:
            continue
        following = entries[index + 1] if index + 1 < len(entries) else None
        entry.level = _infer_level(entry, following, unused, flat=flat)


def _infer_level(
    heading: HeadingDraft,
    following: Entry | None,
    unused: list[tuple[str, int]],
    *,
    flat: bool,
) -> int:
    if heading.text.rstrip().endswith(":"):
        return 3
    if STANDARD_SECTION.match(heading.text):
        return 2
    for position, (item, level) in enumerate(unused):
        if _heading_matches(heading.text, item):
            del unused[position]
            return 2 if level == 1 else 3
    if isinstance(following, KeyPointsDraft) or flat or following is None:
        return 2
    return 3


# -- Freezing ---------------------------------------------------------------------


def item_levels(items: Sequence[ItemDraft]) -> list[int]:
    """Return the nesting level of each item.

    Explicit levels (from a .docx) win. Otherwise the first bullet symbol seen
    is level 1, a different symbol after it one level deeper, and going back
    to a symbol already seen goes back to its level. Plain text items and
    banners are always level 1 and start the symbol stack afresh.
    """
    stack: list[str] = []
    levels: list[int] = []
    for item in items:
        if item.level is not None:
            levels.append(item.level)
            continue
        if item.kind is not ItemKind.BULLET:
            stack = []
            levels.append(1)
            continue
        if item.symbol in stack:
            del stack[stack.index(item.symbol) + 1 :]
        else:
            stack.append(item.symbol)
        levels.append(len(stack))
    return levels


def _freeze_items(items: Sequence[ItemDraft]) -> tuple[ListItem, ...]:
    return tuple(
        ListItem(text=item.text, level=level, line=item.line, footnotes=tuple(item.refs))
        for item, level in zip(items, item_levels(items), strict=True)
    )


@dataclass
class _SectionDraft:
    title: str
    line: int
    implicit: bool
    refs: list[FootnoteRef]
    entries: list[Entry] = field(default_factory=list)


class _Names:
    """Hand out unique slugs and anchors."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str, *alternatives: str) -> str:
        for candidate in (wanted, *alternatives):
            if candidate not in self.used:
                self.used.add(candidate)
                return candidate
        counter = 2
        while f"{wanted}-{counter}" in self.used:
            counter += 1
        name = f"{wanted}-{counter}"
        self.used.add(name)
        return name


def _freeze_parts(drafts: Sequence[PartDraft], title: str) -> tuple[Part, ...]:
    names = _Names()
    parts: list[Part] = []
    for draft in drafts:
        part_title = draft.title or (title if draft.number == 0 else f"Part {draft.number}")
        sections: list[_SectionDraft] = []
        for entry in draft.entries:
            if isinstance(entry, HeadingDraft) and entry.level == 2:
                sections.append(
                    _SectionDraft(
                        title=entry.text, line=entry.line, implicit=False, refs=entry.refs
                    )
                )
                continue
            if not sections:
                sections.append(
                    _SectionDraft(title=part_title, line=draft.line, implicit=True, refs=[])
                )
            sections[-1].entries.append(entry)
        frozen = tuple(_freeze_section(section, draft.number, names) for section in sections)
        parts.append(Part(number=draft.number, title=part_title, sections=frozen, line=draft.line))
    return tuple(parts)


def _freeze_section(section: _SectionDraft, part_number: int, names: _Names) -> Section:
    base = slugify(section.title)
    slug = names.take(base, f"{base}-part-{part_number}")
    blocks: list[Block] = []
    ordinal = 0
    for entry in section.entries:
        if isinstance(entry, ParagraphDraft):
            if entry.number is not None:
                anchor = names.take(f"para-{entry.number}")
            else:
                ordinal += 1
                anchor = names.take(f"{slug}-{ordinal}")
            blocks.append(
                Paragraph(
                    number=entry.number,
                    text=entry.text,
                    anchor=anchor,
                    line=entry.line,
                    items=_freeze_items(entry.items),
                    footnotes=tuple(entry.refs),
                )
            )
        elif isinstance(entry, KeyPointsDraft):
            blocks.append(
                KeyPoints(items=_freeze_items(entry.items), line=entry.line, title=entry.title)
            )
        elif isinstance(entry, ListDraft):
            blocks.append(ListBlock(items=_freeze_items(entry.items), line=entry.line))
        elif isinstance(entry, HeadingDraft):
            blocks.append(
                Heading(
                    text=entry.text,
                    level=entry.level or 3,
                    line=entry.line,
                    footnotes=tuple(entry.refs),
                )
            )
        else:
            blocks.append(entry)
    return Section(
        title=section.title,
        slug=slug,
        blocks=tuple(blocks),
        line=section.line,
        footnotes=tuple(section.refs),
        implicit=section.implicit,
    )
