"""The parsed-document structure: immutability, fingerprints and version diffs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from content.importers.structure import (
    Document,
    ImportFailed,
    ListItem,
    Paragraph,
    diff_documents,
    normalise_text,
    slugify,
)
from content.importers.text_parser import parse_text

SEEDS = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"

VERSION_1 = """\
Demonstration guidance

 1. Levels of need
Understanding need

Key Points

● Needs change over time

1. Needs are not fixed, and the response follows them.

2. The Continuum of Need has four levels:

○ Universal
○ Wellbeing
○ Health or development
○ Safeguarding

3. Help should come early.

Unnumbered remarks

4. A paragraph in a second section.
"""


def paragraph(text: str, *items: str, number: int | None = 1) -> Paragraph:
    return Paragraph(
        number=number,
        text=text,
        anchor=f"para-{number}",
        items=tuple(ListItem(text=item) for item in items),
    )


def test_structure_is_frozen() -> None:
    document = parse_text(VERSION_1, source_name="v1.txt")
    with pytest.raises(dataclasses.FrozenInstanceError):
        document.title = "Changed"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        document.paragraph(1).text = "Changed"  # type: ignore[misc]
    assert isinstance(document.parts, tuple)
    assert hash(document.paragraph(1).fingerprint())


def test_fingerprint_ignores_layout_but_not_wording() -> None:
    base = paragraph("The child\u2019s views  matter \u2013 always.", "first item")
    same = dataclasses.replace(
        base, text="THE CHILD'S VIEWS MATTER - ALWAYS.", line=99, anchor="elsewhere"
    )
    assert base.fingerprint() == same.fingerprint()
    assert base.fingerprint() != paragraph("The child's views matter - often.").fingerprint()
    changed_item = dataclasses.replace(base, items=(ListItem(text="second item"),))
    assert base.fingerprint() != changed_item.fingerprint()
    nested = dataclasses.replace(base, items=(ListItem(text="first item", level=2),))
    assert base.fingerprint() != nested.fingerprint()
    assert len(base.fingerprint()) == 64


def test_normalise_text_and_slugify() -> None:
    assert normalise_text("  A \u201cquoted\u201d\nphrase ;  ") == 'a "quoted" phrase;'
    assert slugify(
        "Service delivery in line with the aims of the children and young people\u2019s plan"
    ) == ("service-delivery-in-line-with-the-aims-of-the-children-and-young-people-s-plan")
    assert (
        slugify("Who is entitled to a personal adviser?") == "who-is-entitled-to-a-personal-adviser"
    )
    assert slugify("\u2014") == "section"
    assert len(slugify("word " * 40)) <= 80


def test_diff_names_exactly_the_altered_paragraph() -> None:
    old = parse_text(VERSION_1, source_name="v1.txt")
    new = parse_text(
        VERSION_1.replace("Help should come early.", "Help should come as early as possible."),
        source_name="v2.txt",
    )
    amendments = diff_documents(old, new)
    assert [a.number for a in amendments.altered] == [3]
    assert amendments.altered[0].before.text == "Help should come early."
    assert amendments.altered[0].after.text == "Help should come as early as possible."
    assert amendments.altered[0].anchor == "para-3"
    assert amendments.added == () and amendments.removed == ()


def test_diff_ignores_moves_and_reflowing() -> None:
    old = parse_text(VERSION_1, source_name="v1.txt")
    reflowed = VERSION_1.replace(
        "1. Needs are not fixed, and the response follows them.",
        "\n\n1. Needs are not fixed,\nand the response follows them.",
    )
    assert diff_documents(old, parse_text(reflowed, source_name="v2.txt")).is_empty


def test_diff_reports_added_removed_and_item_changes() -> None:
    old = parse_text(VERSION_1, source_name="v1.txt")
    new_text = VERSION_1.replace("○ Safeguarding", "○ Safeguarding needs").replace(
        "4. A paragraph in a second section.\n",
        "4. A paragraph in a second section.\n\n5. A new paragraph.\n",
    )
    amendments = diff_documents(old, parse_text(new_text, source_name="v2.txt"))
    assert [a.number for a in amendments.altered] == [2]
    assert [p.number for p in amendments.added] == [5]
    assert diff_documents(parse_text(new_text, source_name="v2.txt"), old).removed[0].number == 5


def test_diff_of_unnumbered_paragraphs_is_opt_in() -> None:
    text = VERSION_1.replace(
        "Unnumbered remarks\n\n", "Unnumbered remarks\n\nSummary of Law: one.\n\n"
    )
    old = parse_text(text, source_name="v1.txt")
    new = parse_text(text.replace("Summary of Law: one.", "Summary of Law: two."), source_name="v2")
    assert diff_documents(old, new).is_empty
    altered = diff_documents(old, new, include_unnumbered=True).altered
    assert [a.anchor for a in altered] == ["understanding-need-1"]


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"source documents not available: {SEEDS} is absent")
def test_diff_of_the_statutory_guidance_names_one_paragraph() -> None:
    path = sorted(SEEDS.glob("001_*.txt"))[0]
    raw = path.read_text(encoding="utf-8")
    old = parse_text(raw, source_name=path.name)
    sentence = "Consent must be informed, explicit, and freely given."
    assert raw.count(sentence) == 1
    new = parse_text(
        raw.replace(sentence, "Consent must be informed, explicit, specific and freely given."),
        source_name=path.name,
    )
    amendments = diff_documents(old, new)
    assert [a.number for a in amendments.altered] == [268]
    assert amendments.added == amendments.removed == ()
    assert old.checksum != new.checksum


def test_document_lookups() -> None:
    document = parse_text(VERSION_1, source_name="v1.txt")
    assert document.paragraph(2).items[3].text == "Safeguarding"
    assert set(document.numbered_paragraphs()) == {1, 2, 3, 4}
    with pytest.raises(KeyError):
        document.paragraph(99)
    with pytest.raises(KeyError):
        document.footnote(1)
    assert document.title == "Demonstration guidance"
    assert [s.title for s in document.sections()] == ["Understanding need"]
    kinds = [type(block).__name__ for block in document.blocks()]
    assert kinds == ["KeyPoints", "Paragraph", "Paragraph", "Paragraph", "Heading", "Paragraph"]


def test_without_positions_zeroes_every_line() -> None:
    document = parse_text(VERSION_1, source_name="v1.txt")
    stripped = document.without_positions()
    assert isinstance(stripped, Document)
    assert all(p.line == 0 for p in stripped.paragraphs())
    assert all(i.line == 0 for p in stripped.paragraphs() for i in p.items)
    assert all(s.line == 0 for s in stripped.sections())
    assert stripped.paragraph(3).text == document.paragraph(3).text
    assert stripped.checksum == document.checksum


def test_import_failed_names_file_and_line() -> None:
    error = ImportFailed("guidance.txt", 12, "something is wrong")
    assert (error.file, error.line, error.message) == ("guidance.txt", 12, "something is wrong")
    assert str(error) == "guidance.txt:12: something is wrong"
