"""The scenario library and the demo guidance it cites."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from scenarios.jersey import PARISHES, _holidays_for, is_jersey_working_day
from scenarios.schema import dump_scenario, library_paths, load_library, load_scenario
from simulations.engine.calendar import working_days_between
from simulations.engine.casefile import (
    PlanOutcome,
    Scenario,
    iter_texts,
    render_scenario,
    resolve_offset,
    validate_scenario,
)
from simulations.engine.identifiers import IdentifierKind, find_identifiers
from simulations.engine.vocabulary import Category, ConferenceType, Provenance, Role

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = ROOT / "content" / "demo" / "procedures-summary.txt"
README = ROOT / "content" / "demo" / "README.md"
PATHS = library_paths()
SEMINAR = date(2026, 5, 14)


def paragraph_numbers() -> list[int]:
    text = SUMMARY.read_text(encoding="utf-8")
    return [int(n) for n in re.findall(r"^(\d+)\. \S", text, flags=re.MULTILINE)]


PARAGRAPHS = set(paragraph_numbers())


def citation_exists(key: str) -> bool:
    match = re.fullmatch(r"guidance:procedures-summary:para-(\d+)", key)
    return match is not None and int(match.group(1)) in PARAGRAPHS


@pytest.fixture(scope="module")
def library() -> list[Scenario]:
    return load_library(PATHS, citation_exists=citation_exists)


# -- the demo guidance -----------------------------------------------------------


def test_summary_paragraphs_are_continuous() -> None:
    """Paragraphs run 1..N without gaps, with N in the planned range."""
    numbers = paragraph_numbers()
    assert numbers == list(range(1, len(numbers) + 1))
    assert 60 <= len(numbers) <= 95


def test_summary_layout_follows_the_guidance() -> None:
    """Title, part headings, key points and the levels table are present."""
    lines = SUMMARY.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("Threshold demonstration guidance")
    parts = [line for line in lines if re.fullmatch(r" \d\. [A-Z].*", line)]
    assert [p.split(".")[0].strip() for p in parts] == [str(n) for n in range(1, len(parts) + 1)]
    assert lines.count("Key Points") >= 1
    assert "Level of need Presentation Response" in lines
    for level in (
        "Universal ",
        "Wellbeing Need ",
        "Health or Development Need ",
        "Safeguarding needs ",
    ):
        assert any(line.startswith(level) for line in lines)


def test_summary_figures() -> None:
    """The timescales and quorum the platform scores are stated."""
    text = " ".join(SUMMARY.read_text(encoding="utf-8").split())
    for fact in (
        "within 15 working days of the strategy discussion",
        "at least 2 working days before an initial conference",
        "at least 5 working days before a review conference",
        "within 10 working days of the initial conference",
        "at least two other agencies or professional groups that have had direct contact",
    ):
        assert fact in text


def test_readme_maps_every_paragraph() -> None:
    """The README lists one line per paragraph number."""
    listed = [int(n) for n in re.findall(r"^- (\d+): ", README.read_text(encoding="utf-8"), re.M)]
    assert listed == paragraph_numbers()


# -- each library file -------------------------------------------------------------


def test_library_size() -> None:
    """There are at least six scenarios."""
    assert len(PATHS) >= 6


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_file_loads_validates_and_round_trips(path: Path) -> None:
    """Each file loads, has no problems and is in canonical form."""
    text = path.read_text(encoding="utf-8")
    scenario = load_scenario(text, file=str(path), citation_exists=citation_exists)
    assert validate_scenario(scenario, citation_exists=citation_exists) == []
    assert dump_scenario(scenario) == text
    assert load_scenario(dump_scenario(scenario), file=str(path)) == scenario
    assert path.stem == scenario.slug


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_file_meets_library_rules(path: Path) -> None:
    """Every scenario has full packs, injects, cited rationales and Jersey data."""
    scenario = load_scenario(path.read_text(encoding="utf-8"), file=str(path))
    roles = {pack.role for pack in scenario.role_packs}
    assert roles == set(Role) - {Role.OBSERVER}
    assert 1 <= len(scenario.injects) <= 2
    items = [item for pack in scenario.role_packs for item in pack.items]
    assert any(item.must_share for item in items)
    assert {item.provenance for item in items} >= {
        Provenance.FACT,
        Provenance.OBSERVATION,
        Provenance.ALLEGATION,
        Provenance.OPINION,
    }
    assert any(not item.first_hand for item in items)
    assert scenario.household.address.parish in PARISHES
    for key in scenario.answer_keys:
        assert len(key.rationale) > 200
        assert all(c.startswith("guidance:procedures-summary:para-") for c in key.citations)


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_only_fictional_phone_numbers(path: Path) -> None:
    """Any telephone number is in an Ofcom drama range."""
    scenario = load_scenario(path.read_text(encoding="utf-8"), file=str(path))
    texts = [text for _path, text in iter_texts(scenario)] + [scenario.household.phone]
    for text in texts:
        for match in find_identifiers(text, include_fictional=True):
            assert match.kind == IdentifierKind.PHONE
            assert match.fictional


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_timescales_and_rendering(path: Path) -> None:
    """Key dates meet the procedures' timescales and every text renders."""
    scenario = load_scenario(path.read_text(encoding="utf-8"), file=str(path))
    dates = {
        k.id: resolve_offset(
            scenario, k.offset, seminar_date=SEMINAR, is_working_day=is_jersey_working_day
        )
        for k in scenario.key_dates
    }
    start = dates.get("strategy_discussion") or dates.get("transfer_notified")
    if start is not None:
        assert (
            0
            < working_days_between(
                start, SEMINAR, _holidays_for(SEMINAR.year) | _holidays_for(SEMINAR.year - 1)
            )
            <= 15
        )
    for entry in scenario.chronology:
        assert resolve_offset(scenario, entry.offset, seminar_date=SEMINAR) <= SEMINAR
    rendered = render_scenario(scenario, seminar_date=SEMINAR, is_working_day=is_jersey_working_day)
    for _field, text in iter_texts(rendered):
        assert "{" not in text and "}" not in text


# -- the library as a whole ----------------------------------------------------------


def test_library_coverage(library: list[Scenario]) -> None:
    """The library covers the categories, outcomes and conference types required."""
    keys = [key for scenario in library for key in scenario.answer_keys]
    assert {k.primary_category for k in keys if k.primary_category} == set(Category)
    assert any(
        not k.threshold_met
        and k.outcome in {PlanOutcome.CHILD_IN_NEED_PLAN, PlanOutcome.EARLY_HELP_PLAN}
        for k in keys
    )
    types = Counter(s.conference_type for s in library)
    assert types[ConferenceType.UNBORN] >= 1
    assert types[ConferenceType.TRANSFER_IN] >= 1
    assert any(
        len(s.household.children) >= 2
        and len({(k.threshold_met, k.level_of_need) for k in s.answer_keys}) >= 2
        for s in library
    )
    assert any(c.given_name == "Jayden" for s in library for c in s.household.children), (
        "one scenario is built on the workbook's Jayden facts"
    )


def test_confidential_police_items(library: list[Scenario]) -> None:
    """Some scenarios hold confidential police information that must reach the chair."""
    confidential = [
        item
        for scenario in library
        for pack in scenario.role_packs
        if pack.role == Role.POLICE
        for item in pack.items
        if item.confidential and item.must_share
    ]
    assert len(confidential) >= 3


def test_slugs_are_unique(library: list[Scenario]) -> None:
    """No two files share a slug."""
    slugs = [s.slug for s in library]
    assert len(slugs) == len(set(slugs))
