"""``manage.py import_guidance``: official documents into the guidance library.

The official documents are read from ``../shared/seeds`` next to the
repository and never copied into it; those tests are skipped, with the
reason, when the folder is absent. The demo summary and small documents
built here cover everything else.
"""

from __future__ import annotations

import re
import time
from datetime import date
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from wagtail.models import Page

from content.guidance_selectors import guidance_cache_forget
from content.guidance_services import guidance_import_file
from content.models import (
    BlockKind,
    GuidanceBlock,
    GuidanceDocumentPage,
    GuidanceFootnote,
    GuidanceSection,
    GuidanceVersion,
    PageReview,
)
from tests.content.test_docx_reader import TWIN_TEXT, build_twin_docx
from tests.content.test_text_parser import (
    PART_9_HEADINGS,
    SECTION_READ_AS_SUB_HEADING,
    needs_reference,
    needs_seeds,
    reference_headings,
    same_heading,
    seed,
)

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "content" / "demo" / "procedures-summary.txt"
GUIDANCE_TITLE = "Statutory guidance: Children and Young People (Jersey) Law 2022"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()
    guidance_cache_forget()


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_guidance", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def import_statutory_guidance(*extra: str) -> tuple[str, float]:
    start = time.perf_counter()
    output = run(
        str(seed("001")),
        "--slug",
        "statutory-guidance",
        "--title",
        GUIDANCE_TITLE,
        "--effective-from",
        "2024-01-01",
        "--publish",
        *extra,
    )
    return output, time.perf_counter() - start


def counts() -> tuple[int, ...]:
    return (
        Page.objects.count(),
        GuidanceVersion.objects.count(),
        GuidanceSection.objects.count(),
        GuidanceBlock.objects.count(),
        GuidanceFootnote.objects.count(),
    )


# -- The statutory guidance and the workbook ---------------------------------------


@needs_seeds
@needs_reference
def test_statutory_guidance_imports_with_its_structure() -> None:
    """001: paragraphs, parts and sections as the reference lists them, no debris."""
    output, seconds = import_statutory_guidance()
    print(f"\nimported 001 ({seed('001').stat().st_size:,} bytes) in {seconds:.2f}s")  # noqa: T201 - figure for the report
    assert "578 numbered paragraphs" in output
    assert "25 key points boxes" in output
    assert "72 footnotes" in output
    # Warnings are reported with their line numbers.
    assert "001_4893f3462078e5c0.txt:796: paragraph 98 missing" in output
    assert "001_4893f3462078e5c0.txt:794: text starts mid-sentence" in output

    document = GuidanceDocumentPage.objects.get(slug="statutory-guidance")
    assert document.live
    assert document.title == GUIDANCE_TITLE
    version = document.versions.get()
    assert (version.effective_from, version.paragraph_count) == (date(2024, 1, 1), 578)
    assert version.source_name == seed("001").name

    numbers = list(
        GuidanceBlock.objects.filter(version=version, number__isnull=False)
        .order_by("order")
        .values_list("number", flat=True)
    )
    assert numbers == sorted(set(range(1, 580)) - {98})
    assert GuidanceBlock.objects.get(version=version, number=59).anchor == "para-59"

    sections = list(version.sections.order_by("order"))
    parts = []
    for section in sections:
        if section.part_number and (section.part_number, section.part_title) not in parts:
            parts.append((section.part_number, section.part_title))
    expected_parts = [text for level, _, text in reference_headings() if level == "L1"]
    assert [f"{number}. {title}" for number, title in parts] == expected_parts

    expected_sections = [
        text
        for level, line, text in reference_headings()
        if level in ("L0", "L2") and line not in SECTION_READ_AS_SUB_HEADING | PART_9_HEADINGS
    ]
    titles = [s.title for s in sections if not s.implicit]
    assert len(titles) == len(expected_sections)
    for title, expected in zip(titles, expected_sections, strict=True):
        assert same_heading(title, expected), (title, expected)

    continuum = GuidanceBlock.objects.get(
        version=version, kind=BlockKind.TABLE, data__caption="Continuum of Need"
    )
    assert continuum.header == ["Level of need", "Presentation", "Response"]
    assert [row[0] for row in continuum.rows] == [
        "Universal",
        "Wellbeing Need",
        "Health or Development Need",
        "Safeguarding needs",
    ]
    assert continuum.section.title == "Understanding levels of need"

    footnotes = list(version.footnotes.order_by("number"))
    assert [f.number for f in footnotes] == list(range(1, 73))
    assert footnotes[8].text == (
        "Article 17: Wellbeing assessment and plan for a child with a wellbeing need"
    )
    cited = GuidanceBlock.objects.get(version=version, number=32)
    assert cited.text.endswith("on more than one basis.")
    assert cited.refs == [[4, len(cited.text)]]

    texts = list(GuidanceBlock.objects.filter(version=version).values_list("text", flat=True))
    texts += [
        item["text"]
        for data in GuidanceBlock.objects.filter(version=version).values_list("data", flat=True)
        for item in data.get("items", ())
    ]
    for text in texts:
        assert not re.search(r"\bDraf\b|\bDraf t\b", text), text
        assert not re.fullmatch(r"\s*\d{1,3}\s*", text), text  # a stray page number
        assert not re.search(r"(?m)^\s*(?:Page\s+)?\d{1,3}\s*$", text), text


@needs_seeds
def test_statutory_guidance_reimport_is_a_no_op() -> None:
    import_statutory_guidance()
    before = counts()
    output, seconds = import_statutory_guidance()
    print(f"\nre-imported 001 unchanged in {seconds:.2f}s")  # noqa: T201 - figure for the report
    assert "No change" in output and "already imported" in output
    assert counts() == before


@needs_seeds
def test_workbook_imports() -> None:
    """003: the conference steps are paragraphs 1-11; tables and sections come through."""
    output = run(str(seed("003")), "--slug", "delegate-workbook", "--publish")
    assert "11 numbered paragraphs" in output
    version = GuidanceVersion.objects.get(document__slug="delegate-workbook")
    assert version.title == "Delegate Workbook"
    titles = list(version.sections.values_list("title", flat=True))
    for expected in ("Learning Objectives", "Conference Process", "Acronyms"):
        assert expected in titles
    steps = GuidanceBlock.objects.filter(version=version, number__isnull=False).order_by("number")
    assert [b.number for b in steps] == list(range(1, 12))
    assert {b.section.title for b in steps} == {"Conference Process"}
    acronyms = GuidanceBlock.objects.get(
        version=version, kind=BlockKind.TABLE, data__caption="Acronyms"
    )
    assert ["MASH", "Multi Agency Safeguarding Hub"] in acronyms.rows


# -- The demo summary ------------------------------------------------------------------


def test_demo_import_reports_what_it_built() -> None:
    output = run(str(DEMO), "--slug", "procedures-summary", "--effective-from", "2025-09-01")
    assert "Created 'Threshold demonstration guidance" in output
    assert "in force from 2025-09-01" in output
    assert "91 numbered paragraphs" in output
    assert "1 tables" in output
    assert "warnings: none" in output
    document = GuidanceDocumentPage.objects.get(slug="procedures-summary")
    assert document.live is False  # a draft until published
    assert PageReview.objects.get(page=document).review_by > date.today()


def test_same_file_twice_changes_nothing() -> None:
    run(str(DEMO), "--slug", "procedures-summary", "--publish")
    before = counts()
    output = run(str(DEMO), "--slug", "procedures-summary", "--publish")
    assert "No change" in output
    assert counts() == before


def test_same_wording_in_another_file_changes_nothing(tmp_path: Path) -> None:
    run(str(DEMO), "--slug", "procedures-summary", "--effective-from", "2025-01-01")
    copy = tmp_path / "summary-resaved.txt"
    copy.write_text(DEMO.read_text(encoding="utf-8").replace("\n", "\r\n"), encoding="utf-8")
    before = counts()
    output = run(str(copy), "--slug", "procedures-summary", "--effective-from", "2025-06-01")
    assert "the wording is the same" in output
    assert counts() == before


def test_default_slug_is_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "Procedures Summary.txt"
    path.write_bytes(DEMO.read_bytes())
    run(str(path))
    assert GuidanceDocumentPage.objects.filter(slug="procedures-summary").exists()


def test_dry_run_writes_nothing() -> None:
    before = counts()
    output = run(str(DEMO), "--slug", "procedures-summary", "--dry-run")
    assert output.startswith("Dry run, nothing written")
    assert "91 numbered paragraphs" in output
    assert counts() == before


def test_changed_file_becomes_a_dated_version(tmp_path: Path) -> None:
    """A re-import with one paragraph altered names exactly that paragraph."""
    run(str(DEMO), "--slug", "procedures-summary", "--effective-from", "2025-01-01", "--publish")
    changed = tmp_path / "procedures-summary.txt"
    text = DEMO.read_text(encoding="utf-8")
    assert "59. " in text
    changed.write_text(
        text.replace("59. ", "59. In every conference, and without exception, ", 1),
        encoding="utf-8",
    )
    output = run(str(changed), "--slug", "procedures-summary", "--effective-from", "2026-02-01")
    assert "Added a version to 'Threshold demonstration guidance" in output
    assert "1 altered, 0 added, 0 removed" in output
    assert "altered: para-59" in output
    versions = list(GuidanceVersion.objects.order_by("effective_from"))
    assert [v.effective_from for v in versions] == [date(2025, 1, 1), date(2026, 2, 1)]
    old, new = (GuidanceBlock.objects.get(version=v, number=59).text for v in versions)
    assert not old.startswith("In every conference") and new.startswith("In every conference")


def test_same_date_for_a_different_file_is_refused(tmp_path: Path) -> None:
    run(str(DEMO), "--slug", "procedures-summary", "--effective-from", "2025-01-01")
    changed = tmp_path / "procedures-summary.txt"
    changed.write_text(
        DEMO.read_text(encoding="utf-8").replace("59. ", "59. Now ", 1), encoding="utf-8"
    )
    before = counts()
    with pytest.raises(CommandError, match="already has a version in force from 2025-01-01"):
        run(str(changed), "--slug", "procedures-summary", "--effective-from", "2025-01-01")
    assert counts() == before


def test_docx_imports_to_the_same_structure_as_its_text_twin(tmp_path: Path) -> None:
    (tmp_path / "twin.txt").write_text(TWIN_TEXT, encoding="utf-8")
    (tmp_path / "twin.docx").write_bytes(build_twin_docx())
    run(str(tmp_path / "twin.txt"), "--slug", "twin-text")
    run(str(tmp_path / "twin.docx"), "--slug", "twin-word")

    def structure(slug: str) -> dict[str, object]:
        version = GuidanceVersion.objects.get(document__slug=slug)
        return {
            "sections": list(
                version.sections.order_by("order").values_list(
                    "part_number", "part_title", "slug", "title", "first_number", "last_number"
                )
            ),
            "blocks": list(
                version.blocks.order_by("order").values_list(
                    "section__slug", "kind", "number", "anchor", "text", "data", "fingerprint"
                )
            ),
            "footnotes": list(version.footnotes.values_list("number", "text")),
            "counts": (version.paragraph_count, version.table_count, version.key_points_count),
        }

    from_text, from_word = structure("twin-text"), structure("twin-word")
    assert from_word == from_text
    assert from_text["counts"] == (7, 1, 1)
    assert from_text["footnotes"] == [
        (1, "Safeguarding Partnership Board, Continuum of Need guidance")
    ]


def test_import_is_one_transaction() -> None:
    """A failure part-way through leaves no page, version or row behind."""
    before = counts()
    with (
        mock.patch(
            "content.guidance_services.GuidanceFootnote.objects.bulk_create",
            side_effect=RuntimeError("disk full"),
        ),
        pytest.raises(RuntimeError, match="disk full"),
    ):
        guidance_import_file(DEMO, slug="procedures-summary", publish=True)
    assert counts()[1:] == before[1:]
    assert not GuidanceDocumentPage.objects.exists()


# -- Bad input -------------------------------------------------------------------------


def _word_without_headings() -> bytes:
    import io

    import docx

    document = docx.Document()
    document.add_paragraph("Just some text, with no heading anywhere.")
    document.add_paragraph("And a second paragraph of plain text.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


BROKEN_NUMBERING = """\
Broken numbering

 1. Levels of need
Understanding need

Key Points

\u25cf Needs change

1. The first paragraph.

2. The second paragraph.

250. A number that cannot follow 2.
"""


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.txt", None, r"missing\.txt:1: file not found"),
        ("empty.txt", b"", r"empty\.txt:1: file is empty"),
        ("binary.txt", b"GIF89a\x00\x01\x02\x03", r"binary\.txt:1: binary file"),
        ("not-utf8.txt", b"Title\n\nCaf\xe9\n", r"not-utf8\.txt:3: not UTF-8 text"),
        ("no-headings.docx", "word", r"no-headings\.docx:\d+: .*no headings"),
        ("broken.txt", BROKEN_NUMBERING.encode(), r"broken\.txt:14: .*250"),
        ("guidance.pdf", b"%PDF-1.7", r"guidance\.pdf:1: unsupported file type"),
    ],
)
def test_bad_input_fails_cleanly(
    tmp_path: Path, name: str, content: bytes | str | None, message: str
) -> None:
    """A clear error naming the file and line; nothing imported."""
    path = tmp_path / name
    if content == "word":
        path.write_bytes(_word_without_headings())
    elif content is not None:
        path.write_bytes(content)  # type: ignore[arg-type]
    before = counts()
    with pytest.raises(CommandError, match=message):
        run(str(path), "--slug", "bad")
    assert counts() == before


def test_bad_input_exits_non_zero(tmp_path: Path) -> None:
    """Through manage.py, an error is one line on stderr and exit status 1."""
    import subprocess
    import sys

    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_guidance", str(path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={
            **__import__("os").environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "SQLITE_PATH": str(tmp_path / "db.sqlite3"),
        },
        check=False,
    )
    assert result.returncode == 1
    assert "empty.txt:1: file is empty" in result.stderr


def test_strict_refuses_warnings(tmp_path: Path) -> None:
    path = tmp_path / "gap.txt"
    path.write_text(BROKEN_NUMBERING.replace("250.", "4."), encoding="utf-8")
    output = run(str(path), "--slug", "gap", "--dry-run")
    assert "paragraph 3 missing" in output
    with pytest.raises(CommandError, match=r"gap\.txt:14: paragraph 3 missing"):
        run(str(path), "--slug", "gap", "--strict")


def test_effective_from_must_be_a_date() -> None:
    with pytest.raises(CommandError, match="not a date"):
        run(str(DEMO), "--effective-from", "next week")
