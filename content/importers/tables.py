"""Rebuild tables that PDF-to-text conversion flattened into loose lines.

A converted PDF keeps no column positions: a three-column table comes out as
runs of short lines, the row name glued to the first line of the next column,
and a page break can cut a cell in two. Reading columns back from such text in
general is guesswork, so only tables with a registered :class:`TableSpec` are
rebuilt. A spec names the header line that announces the table, the columns,
and the row labels in order; other flattened tables stay as text in reading
order (as list items of the paragraph that introduces them).

Row labels may be split over lines and blank lines ("Health or" /
"Development" / "Need"). Within a row, for a spec with two text columns
(for example Presentation and Response), the first text block after the label
starts the first column; blocks that continue it stay with it: a lowercase
continuation, a bullet, or an introduction ending in ":" that is followed by
bullets. The first other block starts the second column, and everything after
it belongs there, except that after a page break a lowercase or bullet block
continues the first column if that column was cut off mid-sentence or
mid-list.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from content.importers.structure import Table, normalise_text

BULLET = re.compile(r"^(?:[●•○■□▪◦·‣*\-–—]|\(?[a-z]\)|\(?[ivx]{1,4}\))\s+\S")


@dataclass(frozen=True, slots=True)
class TableSpec:
    """How to rebuild one known table from flattened text."""

    caption: str
    columns: tuple[str, ...]
    row_labels: tuple[str, ...]

    @property
    def header_line(self) -> str:
        """Return the header as it appears flattened on one line."""
        return " ".join(self.columns)


#: Tables of the statutory guidance (and of documents laid out like it).
KNOWN_TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        caption="Continuum of Need",
        columns=("Level of need", "Presentation", "Response"),
        row_labels=(
            "Universal",
            "Wellbeing Need",
            "Health or Development Need",
            "Safeguarding needs",
        ),
    ),
    TableSpec(
        caption="Audit and inspection of information sharing",
        columns=("Type of information sharing", "Arrangements for audit and inspections"),
        row_labels=("Promotion of wellbeing", "Safeguarding welfare", "Corporate parenting"),
    ),
    TableSpec(
        caption="Wellbeing indicators and service areas",
        columns=("Wellbeing indicators", "Service areas"),
        row_labels=(
            "Safe",
            "Healthy",
            "Achieving",
            "Nurtured",
            "Active",
            "Respected",
            "Responsible",
            "Included",
        ),
    ),
)


def spec_for_header(line: str, specs: Sequence[TableSpec] = KNOWN_TABLES) -> TableSpec | None:
    """Return the spec whose header line ``line`` is, if any."""
    wanted = normalise_text(line)
    for spec in specs:
        if normalise_text(spec.header_line) == wanted:
            return spec
    return None


def spec_for_columns(
    columns: Sequence[str], specs: Sequence[TableSpec] = KNOWN_TABLES
) -> TableSpec | None:
    """Return the spec with these column headings, if any (for .docx tables)."""
    wanted = [normalise_text(c) for c in columns]
    for spec in specs:
        if [normalise_text(c) for c in spec.columns] == wanted:
            return spec
    return None


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A blank-line-separated block of the flattened table."""

    text: str
    page_break_before: bool = False


@dataclass
class _Piece:
    text: str
    page_break_before: bool

    @property
    def is_bullet(self) -> bool:
        return bool(BULLET.match(self.text))

    @property
    def starts_lower(self) -> bool:
        first = self.text.lstrip()[:1]
        return first.islower()


def rebuild(spec: TableSpec, blocks: Sequence[TextBlock], *, line: int) -> tuple[Table, list[str]]:
    """Return the table rebuilt from ``blocks`` and the row labels not found."""
    words = [block.text.split() for block in blocks]
    starts: list[tuple[int, int, int, str]] = []  # block, end block, end word, label
    search_from = 0
    missing: list[str] = []
    for label in spec.row_labels:
        found = None
        for index in range(search_from, len(blocks)):
            end = _match_label(words, index, label.split())
            if end is not None:
                found = (index, end[0], end[1], label)
                break
        if found is None:
            missing.append(label)
            continue
        starts.append(found)
        search_from = found[1] + 1
    rows: list[tuple[str, ...]] = []
    for position, (_, end_block, end_word, label) in enumerate(starts):
        stop = starts[position + 1][0] if position + 1 < len(starts) else len(blocks)
        pieces: list[_Piece] = []
        rest = words[end_block][end_word:]
        if rest:
            pieces.append(_Piece(" ".join(rest), blocks[end_block].page_break_before))
        for index in range(end_block + 1, stop):
            pieces.append(_Piece(blocks[index].text, blocks[index].page_break_before))
        cells = _split_columns(pieces, len(spec.columns) - 1)
        rows.append((label, *cells))
    table = Table(caption=spec.caption, header=spec.columns, rows=tuple(rows), line=line)
    return table, missing


def _match_label(
    words: Sequence[Sequence[str]], index: int, label: Sequence[str]
) -> tuple[int, int] | None:
    block, word = index, 0
    for wanted in label:
        while word >= len(words[block]):
            block, word = block + 1, 0
            if block >= len(words):
                return None
        if words[block][word].casefold() != wanted.casefold():
            return None
        word += 1
    return block, word


def _join(pieces: Sequence[_Piece]) -> str:
    text = ""
    for piece in pieces:
        if not text:
            text = piece.text
        elif piece.starts_lower:
            text = f"{text} {piece.text}"
        else:
            text = f"{text}\n{piece.text}"
    return text


def _unfinished(pieces: Sequence[_Piece]) -> bool:
    if not pieces:
        return False
    last = pieces[-1]
    return last.is_bullet or not last.text.rstrip().endswith((".", "?", "!", "\u2019", "\u201d"))


def _split_columns(pieces: Sequence[_Piece], count: int) -> tuple[str, ...]:
    if count == 1:
        return (_join(pieces),)
    if count != 2:
        raise ValueError("only tables with one or two text columns after the label are supported")
    first: list[_Piece] = []
    second: list[_Piece] = []
    in_second = False
    for index, piece in enumerate(pieces):
        following = pieces[index + 1] if index + 1 < len(pieces) else None
        continues_list = (
            piece.text.rstrip().endswith(":") and following is not None and following.is_bullet
        )
        if not first:
            first.append(piece)
        elif (
            in_second
            and piece.page_break_before
            and (piece.starts_lower or piece.is_bullet)
            and _unfinished(first)
        ):
            in_second = False
            first.append(piece)
        elif not in_second and (piece.starts_lower or piece.is_bullet or continues_list):
            first.append(piece)
        else:
            in_second = True
            second.append(piece)
    return _join(first), _join(second)
