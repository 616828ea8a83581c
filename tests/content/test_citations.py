"""The ``guidance`` citation scheme: keys to links and quotations, per date."""

from __future__ import annotations

from datetime import date
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command

from content import citations
from content.citations import CitationError, citation_check, citation_exists, resolve_citation
from content.guidance_selectors import guidance_cache_forget, guidance_citation
from content.guidance_services import guidance_import_file
from content.models import GuidanceDocumentPage

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "content" / "demo" / "procedures-summary.txt"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    cache.clear()
    guidance_cache_forget()


@pytest.fixture
def versions(tmp_path: Path) -> GuidanceDocumentPage:
    """The summary in force from 2025-01-01; paragraph 59 reworded from 2026-02-01,
    and paragraph 91 removed."""
    guidance_import_file(
        DEMO,
        slug="procedures-summary",
        page_title="Procedures summary",
        effective_from=date(2025, 1, 1),
        publish=True,
    )
    text = DEMO.read_text(encoding="utf-8")
    text = text.replace("59. ", "59. Reworded: ", 1)
    text = text[: text.index("\n91. ")] + "\n"
    changed = tmp_path / "procedures-summary.txt"
    changed.write_text(text, encoding="utf-8")
    result = guidance_import_file(
        changed, slug="procedures-summary", effective_from=date(2026, 2, 1)
    )
    return result.document


def test_the_scheme_is_registered_by_the_models_module() -> None:
    from content.models import guidance

    assert citations._RESOLVERS["guidance"] is guidance._resolve_guidance_key


def test_a_key_resolves_to_a_link_and_a_quotation(versions: GuidanceDocumentPage) -> None:
    citation = resolve_citation("guidance:procedures-summary:para-59", on=date(2026, 3, 1))
    assert citation.key == "guidance:procedures-summary:para-59"
    assert citation.url == "/guidance/procedures-summary/order-of-business/#para-59"
    assert citation.title == "Procedures summary, paragraph 59"
    assert citation.quotation.startswith("Reworded: ")
    assert len(citation.quotation) <= 220


def test_keys_resolve_per_date(versions: GuidanceDocumentPage) -> None:
    """Before the change, the old wording at the old version's dated address."""
    before = resolve_citation("guidance:procedures-summary:para-59", on=date(2025, 6, 1))
    assert (
        before.url == "/guidance/procedures-summary/version/2025-01-01/order-of-business/#para-59"
    )
    assert not before.quotation.startswith("Reworded")
    # Paragraph 91 exists in the first version only.
    assert citation_exists("guidance:procedures-summary:para-91", on=date(2025, 6, 1))
    assert not citation_exists("guidance:procedures-summary:para-91", on=date(2026, 6, 1))
    # Nothing is in force before the first version.
    with pytest.raises(CitationError, match="does not name any paragraph"):
        resolve_citation("guidance:procedures-summary:para-1", on=date(2024, 12, 31))


def test_the_default_date_is_today(versions: GuidanceDocumentPage) -> None:
    assert resolve_citation("guidance:procedures-summary:para-59").quotation.startswith("Reworded")


def test_unnumbered_blocks_are_citable(versions: GuidanceDocumentPage) -> None:
    citation = resolve_citation("guidance:procedures-summary:key-points-1")
    assert citation.url.endswith("/understanding-levels-of-need/#key-points-1")
    assert citation.title == "Procedures summary, Understanding levels of need"


def test_unknown_keys_are_errors(versions: GuidanceDocumentPage) -> None:
    problems = citation_check(
        [
            "guidance:procedures-summary:para-59",
            "guidance:procedures-summary:para-999",
            "guidance:no-such-document:para-1",
            "guidance:procedures-summary",
            "nonsense:procedures-summary:para-1",
        ]
    )
    assert len(problems) == 4
    assert "para-999" in problems[0] and "no-such-document" in problems[1]
    assert "not of the form" in problems[2] and "unknown scheme" in problems[3]


def test_draft_documents_do_not_resolve() -> None:
    guidance_import_file(DEMO, slug="procedures-summary")
    assert guidance_citation("procedures-summary", "para-1") is None


def test_a_new_version_is_seen_at_once(versions: GuidanceDocumentPage, tmp_path: Path) -> None:
    """Resolved citations are remembered, but an import forgets them."""
    assert resolve_citation("guidance:procedures-summary:para-1").quotation.startswith(
        "This summary"
    )
    changed = tmp_path / "again.txt"
    changed.write_text(
        DEMO.read_text(encoding="utf-8").replace("1. This summary", "1. Today this summary", 1),
        encoding="utf-8",
    )
    guidance_import_file(changed, slug="procedures-summary", effective_from=date(2026, 3, 1))
    assert resolve_citation(
        "guidance:procedures-summary:para-1", on=date(2026, 3, 2)
    ).quotation.startswith("Today")


def test_scenario_keys_resolve_against_the_seeded_demo() -> None:
    """Every key the scenario library cites resolves once the demo is seeded."""
    import re

    from scenarios.schema import library_paths

    call_command("seed_guidance", stdout=StringIO())
    keys = set()
    for path in library_paths():
        keys.update(re.findall(r"guidance:[a-z0-9-]+:[A-Za-z0-9_-]+", path.read_text()))
    assert keys, "the scenario library cites no guidance"
    assert citation_check(sorted(keys), on=date(2026, 5, 14)) == []
