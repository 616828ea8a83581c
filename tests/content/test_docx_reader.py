"""The Word importer: same structure as the text importer for the same content."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import docx
import pytest
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn

from content.importers.docx_reader import parse_docx, parse_file
from content.importers.structure import Document, ImportFailed, Table
from content.importers.text_parser import parse_text

# The .txt twin, laid out as the statutory guidance is: part headings start a
# page (leading space), a footnote sits at the foot of its page.
TWIN_TEXT = """\
Twin guidance for the importer tests

 What this is
1. This document exists to test the importers.

 1. Levels of need
Understanding need

Key Points

● Needs change over time

● Each level has its own response

2. Needs are not fixed and the response should follow them.1

3. The levels of need are:

Level of need Presentation Response

Universal Children whose needs are met by
universal services.

No extra support is needed.

Wellbeing Need Children whose wellbeing is at risk.

A wellbeing assessment can be requested.

Health or Development Need Children with complex needs, where:

● They need services to stay healthy;

● They have a disability.

A wellbeing assessment must be made.

Safeguarding needs Children who may suffer significant harm.

A social worker must make enquiries.

This level is the same as 'Child Protection'.

Responding at each level

4. Doing nothing is never an acceptable response:

○ ask a manager;
○ ask the Children and Families Hub.

1 Safeguarding Partnership Board, Continuum of Need guidance
 2. Conferences
Before the conference

5. Reports are shared before the meeting.

Summary of Law: Reports go to the chair.

6. As a relevant provider, you must:

Article 4: cooperate to promote the wellbeing of children

Article 5: act in accordance with safeguarding arrangements

At the conference

7. The chair opens the meeting.
"""

FOOTNOTES_XML = (
    '<w:footnotes xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
    '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
    "</w:r></w:p></w:footnote>"
    '<w:footnote w:id="1"><w:p><w:r><w:t xml:space="preserve"> Safeguarding Partnership Board, '
    "Continuum of Need guidance</w:t></w:r></w:p></w:footnote>"
    "</w:footnotes>"
)


def add_footnote_reference(paragraph: object, word_id: int) -> None:
    """Append a footnote reference run (python-docx has no API for footnotes)."""
    run = OxmlElement("w:r")
    reference = OxmlElement("w:footnoteReference")
    reference.set(qn("w:id"), str(word_id))
    run.append(reference)
    paragraph._p.append(run)  # type: ignore[attr-defined]


def add_footnotes_part(document: object) -> None:
    part = Part(
        PackURI("/word/footnotes.xml"),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
        FOOTNOTES_XML.encode("utf-8"),
        document.part.package,  # type: ignore[attr-defined]
    )
    document.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)  # type: ignore[attr-defined]


def build_twin_docx() -> bytes:
    """Return the .docx twin of ``TWIN_TEXT``, built with python-docx."""
    document = docx.Document()
    document.add_paragraph("Twin guidance for the importer tests", style="Title")
    document.add_heading("What this is", level=2)
    document.add_paragraph("1. This document exists to test the importers.")
    document.add_heading("1. Levels of need", level=1)
    document.add_heading("Understanding need", level=2)
    document.add_paragraph("Key Points")
    document.add_paragraph("Needs change over time", style="List Bullet")
    document.add_paragraph("Each level has its own response", style="List Bullet")
    cited = document.add_paragraph("2. Needs are not fixed and the response should follow them.")
    add_footnote_reference(cited, 1)
    document.add_paragraph("3. The levels of need are:")
    rows = [
        ("Level of need", "Presentation", "Response"),
        (
            "Universal",
            "Children whose needs are met by universal services.",
            "No extra support is needed.",
        ),
        (
            "Wellbeing Need",
            "Children whose wellbeing is at risk.",
            "A wellbeing assessment can be requested.",
        ),
        (
            "Health or Development Need",
            "Children with complex needs, where:\n"
            "\u25cf They need services to stay healthy;\n"
            "\u25cf They have a disability.",
            "A wellbeing assessment must be made.",
        ),
        (
            "Safeguarding needs",
            "Children who may suffer significant harm.",
            "A social worker must make enquiries.\nThis level is the same as 'Child Protection'.",
        ),
    ]
    table = document.add_table(rows=len(rows), cols=3)
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            lines = value.split("\n")
            cell.paragraphs[0].text = lines[0]
            for line in lines[1:]:
                cell.add_paragraph(line)
    document.add_heading("Responding at each level", level=3)
    document.add_paragraph("4. Doing nothing is never an acceptable response:")
    document.add_paragraph("ask a manager;", style="List Bullet")
    document.add_paragraph("ask the Children and Families Hub.", style="List Bullet")
    document.add_heading("2. Conferences", level=1)
    document.add_heading("Before the conference", level=2)
    document.add_paragraph("5. Reports are shared before the meeting.")
    document.add_paragraph("Summary of Law: Reports go to the chair.")
    document.add_paragraph("6. As a relevant provider, you must:")
    document.add_paragraph("Article 4: cooperate to promote the wellbeing of children")
    document.add_paragraph("Article 5: act in accordance with safeguarding arrangements")
    document.add_heading("At the conference", level=2)
    document.add_paragraph("7. The chair opens the meeting.")
    add_footnotes_part(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def comparable(document: Document) -> Document:
    """Return ``document`` without what legitimately differs between formats."""
    return dataclasses.replace(document.without_positions(), source_name="", checksum="")


def test_docx_twin_has_the_same_structure_as_its_text() -> None:
    from_text = parse_text(TWIN_TEXT, source_name="twin.txt")
    from_word = parse_docx(build_twin_docx(), source_name="twin.docx")
    assert from_text.warnings == ()
    assert from_word.warnings == ()
    assert comparable(from_word) == comparable(from_text)
    # And the shared structure is the intended one.
    assert from_word.title == "Twin guidance for the importer tests"
    assert [(p.number, p.title) for p in from_word.parts] == [
        (0, "Twin guidance for the importer tests"),
        (1, "Levels of need"),
        (2, "Conferences"),
    ]
    assert [s.title for s in from_word.sections()] == [
        "What this is",
        "Understanding need",
        "Before the conference",
        "At the conference",
    ]
    assert [p.number for p in from_word.paragraphs()] == [1, 2, 3, 4, 5, None, 6, 7]
    assert [i.text for i in from_word.paragraph(6).items] == [
        "Article 4: cooperate to promote the wellbeing of children",
        "Article 5: act in accordance with safeguarding arrangements",
    ]
    table = next(b for b in from_word.blocks() if isinstance(b, Table))
    assert table.caption == "Continuum of Need"
    assert [row[0] for row in table.rows] == [
        "Universal",
        "Wellbeing Need",
        "Health or Development Need",
        "Safeguarding needs",
    ]
    cited = from_word.paragraph(2)
    assert cited.text.endswith("should follow them.")
    assert [(r.number, r.offset) for r in cited.footnotes] == [(1, len(cited.text))]
    assert (
        from_word.footnote(1).text == "Safeguarding Partnership Board, Continuum of Need guidance"
    )


def test_docx_lines_are_body_positions() -> None:
    document = parse_docx(build_twin_docx(), source_name="twin.docx")
    assert document.paragraph(1).line == 3  # after the title and the first heading
    table = next(b for b in document.blocks() if isinstance(b, Table))
    assert table.line == 11


def test_docx_word_numbering_gives_paragraph_numbers() -> None:
    document = docx.Document()
    document.add_heading("Numbered by Word", level=2)
    for text in ("First point.", "Second point.", "Third point."):
        document.add_paragraph(text, style="List Number")
    document.add_paragraph("Key Points")
    document.add_paragraph("A bullet", style="List Bullet")
    document.add_paragraph("A nested bullet", style="List Bullet 2")
    buffer = io.BytesIO()
    document.save(buffer)
    parsed = parse_docx(buffer.getvalue(), source_name="numbered.docx")
    assert [(p.number, p.text) for p in parsed.paragraphs()] == [
        (1, "First point."),
        (2, "Second point."),
        (3, "Third point."),
    ]
    box = parsed.parts[0].sections[0].blocks[-1]
    assert [(i.level, i.text) for i in box.items] == [(1, "A bullet"), (2, "A nested bullet")]  # type: ignore[union-attr]


def test_docx_without_headings_is_refused() -> None:
    document = docx.Document()
    document.add_paragraph("Just a paragraph.")
    document.add_paragraph("1. A numbered one, but no heading anywhere.")
    buffer = io.BytesIO()
    document.save(buffer)
    with pytest.raises(ImportFailed) as caught:
        parse_docx(buffer.getvalue(), source_name="flat.docx")
    assert (caught.value.file, caught.value.line) == ("flat.docx", 1)
    assert "no headings" in caught.value.message


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        pytest.param(b"", "file is empty", id="empty"),
        pytest.param(b"plain text, not a zip", "not a Word (.docx) document", id="text"),
        pytest.param(b"PK\x03\x04broken zip", "not a Word (.docx) document", id="broken-zip"),
    ],
)
def test_docx_that_is_not_word_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_docx(raw, source_name="bad.docx")
    assert (caught.value.file, caught.value.line) == ("bad.docx", 1)
    assert message in caught.value.message


def test_parse_file_dispatches_on_extension(tmp_path: Path) -> None:
    text_file = tmp_path / "twin.txt"
    text_file.write_text(TWIN_TEXT, encoding="utf-8")
    word_file = tmp_path / "twin.DOCX"
    word_file.write_bytes(build_twin_docx())
    from_text = parse_file(text_file)
    from_word = parse_file(word_file)
    assert from_text.source_name == "twin.txt"
    assert from_word.source_name == "twin.DOCX"
    assert comparable(from_text) == comparable(from_word)
    assert parse_file(text_file, title="Another title").title == "Another title"


@pytest.mark.parametrize("name", ["guidance.pdf", "guidance.doc", "guidance"])
def test_parse_file_refuses_other_types(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.7")
    with pytest.raises(ImportFailed) as caught:
        parse_file(path)
    assert caught.value.file == name
    assert "expected .txt or .docx" in caught.value.message


def test_parse_file_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_file(tmp_path / "absent.txt")
    assert caught.value.file == "absent.txt"
    assert "cannot read file" in caught.value.message


def test_footnotes_part_is_read_by_python_docx() -> None:
    """The helper really produces a footnotes part Word would read."""
    document = docx.Document(io.BytesIO(build_twin_docx()))
    rels = [r for r in document.part.rels.values() if r.reltype == RELATIONSHIP_TYPE.FOOTNOTES]
    assert len(rels) == 1
    root = parse_xml(rels[0].target_part.blob)
    assert len(root.findall(qn("w:footnote"))) == 3
