"""Faker-based variants keep the case and change the people."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from scenarios.jersey import PARISHES, POSTCODE_DISTRICTS, STREETS
from scenarios.schema import dump_scenario, library_paths, load_scenario
from scenarios.variants import generate_variant
from simulations.engine.casefile import (
    Child,
    Scenario,
    age_in_years,
    date_of_birth,
    iter_texts,
    render_scenario,
    render_text,
    resolve_offset,
    validate_scenario,
)
from simulations.engine.identifiers import find_identifiers

SEEDS = range(200)
SEMINAR = date(2026, 9, 15)
TEMPLATES = [load_scenario(p.read_text(encoding="utf-8"), file=str(p)) for p in library_paths()]
IDS = [t.slug for t in TEMPLATES]


def names(scenario: Scenario) -> tuple[str, ...]:
    return tuple(p.full_name for p in scenario.household.people())


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_two_hundred_seeds_validate(template: Scenario) -> None:
    """Every seed gives a valid variant with the same case and fresh people."""
    seen: set[tuple[str, ...]] = set()
    for seed in SEEDS:
        variant = generate_variant(template, seed=seed, seminar_date=SEMINAR)
        assert validate_scenario(variant) == [], seed
        assert variant.slug == f"{template.slug}-v{seed}"
        assert variant.answer_keys == template.answer_keys
        assert variant.role_packs == template.role_packs
        assert variant.chronology == template.chronology
        assert variant.injects == template.injects
        assert variant.key_dates == template.key_dates
        seen.add(names(variant))
        check_people(template, variant)
        check_dates(variant)
    assert len(seen) >= len(SEEDS) - 2


def check_people(template: Scenario, variant: Scenario) -> None:
    old = template.household.people()
    new = variant.household.people()
    assert [p.id for p in new] == [p.id for p in old]
    for before, after in zip(old, new, strict=True):
        assert after.gender == before.gender
        assert type(after) is type(before)
        if before.given_name != "Baby":
            assert after.given_name != before.given_name
        assert after.family_name != before.family_name
        same = dataclasses.replace(
            after, given_name=before.given_name, family_name=before.family_name, born=before.born
        )
        assert same == before, "only names and ages change"
    families: dict[str, str] = {}
    for before, after in zip(old, new, strict=True):
        assert families.setdefault(before.family_name, after.family_name) == after.family_name
    assert len({p.given_name for p in new}) == len(new)
    address = variant.household.address
    assert address.parish in PARISHES and address.street in STREETS
    assert address.postcode.startswith(POSTCODE_DISTRICTS[address.parish] + " ")
    assert all(
        m.fictional for m in find_identifiers(variant.household.phone, include_fictional=True)
    )


def check_dates(variant: Scenario) -> None:
    for person in variant.household.people():
        born = date_of_birth(person, SEMINAR)
        if isinstance(person, Child) and person.unborn:
            assert born is not None and born > SEMINAR
        elif person.age_range is not None:
            assert born is not None
            low, high = person.age_range.min_years, person.age_range.max_years
            assert low <= age_in_years(born, SEMINAR) <= high
    for entry in variant.chronology:
        assert resolve_offset(variant, entry.offset, seminar_date=SEMINAR) <= SEMINAR
    for key_date in variant.key_dates:
        assert resolve_offset(variant, key_date.offset, seminar_date=SEMINAR) < SEMINAR


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_same_seed_same_variant(template: Scenario) -> None:
    """A seed and date always give the same variant."""
    first = generate_variant(template, seed=41, seminar_date=SEMINAR)
    second = generate_variant(template, seed=41, seminar_date=SEMINAR)
    assert first == second
    assert dump_scenario(first) == dump_scenario(second)


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_different_seeds_different_names(template: Scenario) -> None:
    """Different seeds give different people."""
    one = generate_variant(template, seed=1, seminar_date=SEMINAR)
    two = generate_variant(template, seed=2, seminar_date=SEMINAR)
    assert names(one) != names(two)


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_names_are_consistent_when_rendered(template: Scenario) -> None:
    """Rendered variants use the new names everywhere and never the old ones."""
    variant = generate_variant(template, seed=7, seminar_date=SEMINAR)
    rendered = render_scenario(variant, seminar_date=SEMINAR)
    texts = [text for _path, text in iter_texts(rendered)]
    joined = "\n".join(texts)
    for person in template.household.people():
        if person.given_name != "Baby":
            assert person.given_name not in joined
        assert person.family_name not in joined
    child = variant.household.children[0]
    assert child.given_name in joined
    assert all("{" not in text for text in texts)


@pytest.mark.parametrize("template", TEMPLATES, ids=IDS)
def test_variant_round_trips(template: Scenario) -> None:
    """A variant can be written out and read back as a pack."""
    variant = generate_variant(template, seed=3, seminar_date=SEMINAR)
    text = dump_scenario(variant)
    assert load_scenario(text, file="variant.yaml") == variant


def test_pronouns_follow_gender() -> None:
    """Pronoun placeholders render from the person's recorded gender."""
    template = next(t for t in TEMPLATES if t.slug == "jayden-physical-abuse")
    variant = generate_variant(template, seed=5, seminar_date=SEMINAR)
    text = render_text(
        variant, "{jayden.They} told {mum.them} {jayden.their} news.", seminar_date=SEMINAR
    )
    child = variant.household.children[0].given_name
    assert text.startswith("He told her his news.")
    assert child not in text


def test_negative_seed_is_refused() -> None:
    """Seeds are zero or positive."""
    with pytest.raises(ValueError, match="seed"):
        generate_variant(TEMPLATES[0], seed=-1, seminar_date=SEMINAR)
