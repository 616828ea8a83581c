"""Generate fresh variants of a scenario so refresher courses never repeat.

A variant keeps the case (chronology, packs, injects, timescales, answer
keys) and changes who it happens to: every person gets a new name, ages are
drawn from the template's ranges, and the family gets a new invented Jersey
address and a fictional telephone number.

Names stay consistent because scenario texts never contain names, only
placeholders such as ``{jayden}`` or ``{mum.formal}`` (see
``simulations.engine.casefile``); changing the household records is enough
to rename someone everywhere. New names are drawn so that they:

- match the person's recorded gender (pronouns in the texts stay right);
- are unique within the case and differ from the template's names;
- are not a capitalised word that already appears in the case's texts, so a
  rendered sentence cannot confuse a name with an ordinary word;
- keep shared family names shared (siblings and parents who had one family
  name in the template have one new family name).

The same seed and seminar date always give the same variant.
"""

from __future__ import annotations

import dataclasses
import random
import re
import zlib
from datetime import date, timedelta

from faker import Faker

from scenarios.jersey import PARISHES, POSTCODE_DISTRICTS, STREETS, SURNAMES
from simulations.engine.casefile import (
    GENERIC_GIVEN_NAMES,
    Address,
    Child,
    Gender,
    Household,
    Offset,
    OffsetUnit,
    Person,
    Scenario,
    age_in_years,
    iter_texts,
    strip_placeholders,
)

_POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

#: Given names in current use for children; Faker's lists suit adults better.
CHILD_NAMES: dict[Gender, tuple[str, ...]] = {
    Gender.FEMALE: (
        "Amelia",
        "Ava",
        "Bella",
        "Chloe",
        "Daisy",
        "Darcy",
        "Ella",
        "Emily",
        "Erin",
        "Evie",
        "Freya",
        "Georgia",
        "Hannah",
        "Harper",
        "Holly",
        "Imogen",
        "Isla",
        "Ivy",
        "Jessica",
        "Layla",
        "Lola",
        "Maddison",
        "Maisie",
        "Matilda",
        "Millie",
        "Molly",
        "Niamh",
        "Olivia",
        "Phoebe",
        "Poppy",
        "Rosie",
        "Sienna",
        "Sophia",
        "Summer",
        "Willow",
        "Zara",
    ),
    Gender.MALE: (
        "Alfie",
        "Archie",
        "Arthur",
        "Bobby",
        "Charlie",
        "Dylan",
        "Ethan",
        "Finley",
        "Freddie",
        "George",
        "Harley",
        "Harrison",
        "Harry",
        "Henry",
        "Isaac",
        "Jack",
        "Jacob",
        "Jake",
        "Jenson",
        "Kai",
        "Leo",
        "Logan",
        "Louie",
        "Mason",
        "Max",
        "Noah",
        "Ollie",
        "Reggie",
        "Riley",
        "Ronnie",
        "Rory",
        "Sonny",
        "Teddy",
        "Theo",
        "Toby",
        "Tommy",
    ),
}
_MAX_DRAWS = 200


class VariantError(RuntimeError):
    """Raised when a variant cannot be drawn (for example, names run out)."""


def generate_variant(template: Scenario, *, seed: int, seminar_date: date) -> Scenario:
    """Return a renamed, re-aged, re-housed copy of ``template``.

    The slug gains the suffix ``-v<seed>``; answer keys, ids and texts are
    unchanged, so the variant is scored exactly as the template is.
    """
    if seed < 0:
        raise ValueError("seed must be zero or positive")
    # Mix the slug in so that one seed gives different people in each case.
    mixed = zlib.crc32(f"{template.slug}|{seed}".encode())
    rng = random.Random(mixed)  # noqa: S311 - reproducible variants, not secrets  # nosec B311
    fake = Faker("en_GB")
    fake.seed_instance(mixed)
    drawer = _NameDrawer(template, rng, fake)

    household = template.household
    people = household.people()
    families = {p.family_name: drawer.family_name(p.family_name) for p in people}

    def renamed[P: Person](person: P) -> P:
        return dataclasses.replace(
            person,
            given_name=drawer.given_name(person),
            family_name=families[person.family_name],
            born=_redraw_birth(person, rng, seminar_date),
        )

    new_household = Household(
        address=_address(rng, household.address),
        phone=f"07700 900{rng.randrange(1000):03d}",
        children=tuple(renamed(c) for c in household.children),
        adults=tuple(renamed(a) for a in household.adults),
        significant_others=tuple(renamed(o) for o in household.significant_others),
    )
    return dataclasses.replace(template, slug=f"{template.slug}-v{seed}", household=new_household)


class _NameDrawer:
    """Draw names that cannot be confused with anything in the case."""

    def __init__(self, template: Scenario, rng: random.Random, fake: Faker) -> None:
        self.rng = rng
        self.fake = fake
        words: set[str] = set()
        for _path, text in iter_texts(template):
            words.update(re.findall(r"[A-Z][\w'-]*", strip_placeholders(text)))
        old = set()
        for person in template.household.people():
            old.add(person.given_name)
            old.add(person.family_name)
        self.forbidden = words | old
        self.used: set[str] = set()

    def _accept(self, name: str) -> bool:
        parts = name.split()
        if name in self.used or any(part in self.forbidden for part in parts):
            return False
        self.used.add(name)
        return True

    def family_name(self, old: str) -> str:
        """Return a new family name to replace ``old``."""
        for _ in range(_MAX_DRAWS):
            island = self.rng.random() < 0.3
            name = self.rng.choice(SURNAMES) if island else self.fake.last_name()
            if self._accept(name):
                return name
        raise VariantError(f"could not draw a family name to replace {old!r}")

    def given_name(self, person: Person) -> str:
        """Return a new given name matching the person's gender."""
        if person.given_name in GENERIC_GIVEN_NAMES:
            return person.given_name
        for _ in range(_MAX_DRAWS):
            gender = person.gender
            if gender == Gender.UNKNOWN:
                gender = self.rng.choice((Gender.FEMALE, Gender.MALE))
            if isinstance(person, Child):
                name = self.rng.choice(CHILD_NAMES[gender])
            elif gender == Gender.FEMALE:
                name = self.fake.first_name_female()
            else:
                name = self.fake.first_name_male()
            if self._accept(name):
                return name
        raise VariantError(f"could not draw a given name for {person.id!r}")


def _redraw_birth(person: Person, rng: random.Random, seminar_date: date) -> Offset | None:
    """Return a date of birth within the person's age range, as days."""
    if person.age_range is None or person.born is None:
        return person.born
    age = rng.randint(person.age_range.min_years, person.age_range.max_years)
    latest = _years_before(seminar_date, age)
    earliest = _years_before(seminar_date, age + 1) + timedelta(days=1)
    born = earliest + timedelta(days=rng.randrange((latest - earliest).days + 1))
    if age_in_years(born, seminar_date) != age:  # pragma: no cover - guard
        raise VariantError(f"age arithmetic failed for {person.id!r}")
    return Offset(-(seminar_date - born).days, OffsetUnit.DAYS)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a non-leap year
        return day.replace(year=day.year - years, day=28)


def _address(rng: random.Random, old: Address) -> Address:
    streets = [s for s in STREETS if s != old.street] or list(STREETS)
    parish = rng.choice(PARISHES)
    inward = f"{rng.randint(1, 9)}{rng.choice(_POSTCODE_LETTERS)}{rng.choice(_POSTCODE_LETTERS)}"
    return Address(
        house=str(rng.randint(1, 48)),
        street=rng.choice(streets),
        parish=parish,
        postcode=f"{POSTCODE_DISTRICTS[parish]} {inward}",
    )
