"""The case file of a mock child protection conference, as engine types.

A scenario is everything a trainer needs to run one conference: the
household, a dated chronology, an information pack per role, injects the
trainer can release during the meeting, and an answer key per child that the
scoring rules compare delegates' decisions against.

Theory of operation
-------------------
Dates. Nothing in a scenario carries a calendar date. Every date is an
``Offset`` from an anchor, written ``[anchor](+|-)N(unit)``:

- the anchor is the seminar date (the day the mock conference is held)
  unless the offset names a person id, in which case it is that person's
  date of birth (``jayden+3m`` is three months after Jayden was born);
- units are ``d`` (calendar days), ``wd`` (working days), ``w`` (weeks),
  ``m`` (calendar months) and ``y`` (calendar years);
- working days skip weekends, and Jersey public holidays when the caller
  passes a holiday-aware ``is_working_day`` (the engine is pure standard
  library, so the default knows only weekends);
- a date of birth is an offset of the seminar date; for an unborn child it
  is the expected date of delivery and is positive.

Key dates (strategy discussion, transfer notification, initial conference)
are working-day offsets so the procedural timescales hold whatever the
seminar date is.

Names. Every free-text field is a template. People are never named
literally; texts use placeholders that ``render_text`` fills in:

- ``{id}`` given name; ``{id.full}``, ``{id.family}``, ``{id.formal}``
  ("Ms Le Brun"); ``{id.age}`` ("4 years", "7 months"); ``{id.dob}``;
- pronouns ``{id.they}``, ``{id.them}``, ``{id.their}``, ``{id.theirs}``,
  ``{id.themself}`` and capitalised forms ``{id.They}`` etc.;
- ``{date.<key date id>}`` and ``{date.conference}``;
- ``{address}``, ``{address.street}``, ``{address.parish}``,
  ``{address.postcode}`` and ``{phone}``;
- ``{{`` and ``}}`` for literal braces.

Because names live only in the household records, a variant that renames
every person stays consistent in every pack, chronology entry and inject.
``validate_scenario`` rejects unknown placeholders and literal occurrences
of a person's name in any text.

Invariants checked by ``validate_scenario`` (pure, no I/O):

- ids are unique within their kind; person ids do not clash with the
  reserved placeholder namespaces;
- every child has exactly one answer key and every answer key names a
  child;
- threshold met implies level SAFEGUARDING, a primary category and a child
  protection plan; threshold not met implies no primary category, no
  secondary categories and another outcome;
- every must-reach item id exists in some role pack, and every must-share
  item is expected to reach the conference for at least one child;
- second-hand items name their source; first-hand items do not;
- injects address a role that has a pack, or everyone;
- citation keys are ``guidance:<slug>:para-N`` or
  ``workbook:<slug>:<block-id>`` and resolve when a resolver is given.
"""

from __future__ import annotations

import calendar
import dataclasses
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, ClassVar, cast

from simulations.engine.calendar import add_days_where
from simulations.engine.vocabulary import (
    Category,
    ConferenceType,
    LevelOfNeed,
    Provenance,
    Role,
)

FORMAT = "threshold-scenario/1"

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
PERSON_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
ITEM_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
CITATION_RE = re.compile(
    r"^(?:guidance:(?P<gslug>[a-z0-9]+(?:-[a-z0-9]+)*):para-(?P<para>[1-9][0-9]*)"
    r"|workbook:(?P<wslug>[a-z0-9]+(?:-[a-z0-9]+)*):(?P<block>[A-Za-z0-9][A-Za-z0-9_-]*))$"
)
OFFSET_RE = re.compile(
    r"^(?P<anchor>[a-z][a-z0-9_]*)?(?P<sign>[+-])(?P<amount>[0-9]+)(?P<unit>wd|d|w|m|y)$"
)
PLACEHOLDER_RE = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")

RESERVED_NAMESPACES = frozenset({"date", "address", "phone"})
PERSON_ATTRIBUTES = frozenset(
    {"full", "family", "formal", "age", "dob"}
    | {"they", "them", "their", "theirs", "themself"}
    | {"They", "Them", "Their", "Theirs", "Themself"}
)
ADDRESS_ATTRIBUTES = frozenset({"street", "parish", "postcode"})
CONFERENCE_DATE_ID = "conference"

#: Given names that are descriptions rather than names ("Baby" for an
#: unborn child) and so are neither renamed nor checked as literals.
GENERIC_GIVEN_NAMES = frozenset({"Baby"})


class Gender(StrEnum):
    """Gender as recorded on the report template (unknown before birth)."""

    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class OffsetUnit(StrEnum):
    """Units an ``Offset`` can count in."""

    DAYS = "d"
    WORKING_DAYS = "wd"
    WEEKS = "w"
    MONTHS = "m"
    YEARS = "y"


class AudienceLevel(StrEnum):
    """Intercollegiate safeguarding level a scenario is written for."""

    LEVEL_2 = "level_2"
    LEVEL_3 = "level_3"
    LEVEL_4 = "level_4"


class PlanOutcome(StrEnum):
    """What the conference should decide for a child."""

    CHILD_PROTECTION_PLAN = "child_protection_plan"
    CHILD_IN_NEED_PLAN = "child_in_need_plan"
    EARLY_HELP_PLAN = "early_help_plan"
    UNIVERSAL_SERVICES = "universal_services"


class SuggestedPhase(StrEnum):
    """Where in the agenda a trainer would normally release an inject."""

    REPORTS = "reports"
    PREPARATION = "preparation"
    OPENING = "opening"
    AGENCY_CONTRIBUTIONS = "agency_contributions"
    FAMILY_VIEWS = "family_views"
    EXCLUSION = "exclusion"
    SUMMARY = "summary"
    RECOMMENDATIONS = "recommendations"
    DECISION = "decision"
    OUTLINE_PLAN = "outline_plan"
    CLOSE = "close"


#: Key dates each conference type must define, by id.
REQUIRED_KEY_DATES: dict[ConferenceType, tuple[str, ...]] = {
    ConferenceType.INITIAL: ("strategy_discussion",),
    ConferenceType.UNBORN: ("strategy_discussion",),
    ConferenceType.TRANSFER_IN: ("transfer_notified",),
    ConferenceType.REVIEW: ("initial_conference",),
}

#: Roles whose packs a complete scenario provides (observers need none).
DEFAULT_REQUIRED_ROLES: frozenset[Role] = frozenset(Role) - {Role.OBSERVER}


def is_weekday(day: date) -> bool:
    """Return True for Monday to Friday (the default working-day rule)."""
    return day.weekday() < 5


def _add_months(day: date, months: int) -> date:
    """Return ``day`` moved by whole calendar months, clamping the day."""
    index = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(index, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def add_working_days(
    day: date, amount: int, is_working_day: Callable[[date], bool] = is_weekday
) -> date:
    """Return the date ``amount`` working days after (or before) ``day``.

    The starting day is not counted, so one working day after a Friday is
    the following Monday (the convention of ``simulations.engine.calendar``).
    """
    return add_days_where(day, amount, is_working_day)


@dataclass(frozen=True)
class Offset:
    """A signed distance from the seminar date or from a person's birth."""

    amount: int
    unit: OffsetUnit
    anchor: str | None = None

    @classmethod
    def parse(cls, text: str) -> Offset:
        """Parse ``[anchor](+|-)N(unit)``; raise ValueError if malformed."""
        match = OFFSET_RE.match(text)
        if match is None:
            raise ValueError(f"{text!r} is not an offset such as -12wd, +6w, -4y or jayden+3m")
        amount = int(match["amount"])
        if match["sign"] == "-":
            amount = -amount
        return cls(amount, OffsetUnit(match["unit"]), match["anchor"])

    def __str__(self) -> str:
        sign = "-" if self.amount < 0 else "+"
        return f"{self.anchor or ''}{sign}{abs(self.amount)}{self.unit.value}"

    def apply(self, base: date, is_working_day: Callable[[date], bool] = is_weekday) -> date:
        """Return ``base`` moved by this offset (the anchor is ignored)."""
        match self.unit:
            case OffsetUnit.DAYS:
                return base + timedelta(days=self.amount)
            case OffsetUnit.WEEKS:
                return base + timedelta(weeks=self.amount)
            case OffsetUnit.MONTHS:
                return _add_months(base, self.amount)
            case OffsetUnit.YEARS:
                return _add_months(base, 12 * self.amount)
            case OffsetUnit.WORKING_DAYS:
                return add_working_days(base, self.amount, is_working_day)
        raise AssertionError(self.unit)  # pragma: no cover

    def approximate_days(self) -> float:
        """Return the offset's rough length in days, for sanity checks."""
        per_unit = {
            OffsetUnit.DAYS: 1.0,
            OffsetUnit.WORKING_DAYS: 7 / 5,
            OffsetUnit.WEEKS: 7.0,
            OffsetUnit.MONTHS: 30.44,
            OffsetUnit.YEARS: 365.25,
        }
        return self.amount * per_unit[self.unit]


@dataclass(frozen=True)
class AgeRange:
    """Inclusive range of ages in whole years that a variant may choose."""

    min_years: int
    max_years: int


@dataclass(frozen=True)
class KeyDate:
    """A procedural date, such as the strategy discussion."""

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("label",)

    id: str
    label: str
    offset: Offset


@dataclass(frozen=True)
class Address:
    """The family address (invented; real parish names are fine)."""

    house: str
    street: str
    parish: str
    postcode: str

    def __str__(self) -> str:
        return f"{self.house} {self.street}, {self.parish}, {self.postcode}"


@dataclass(frozen=True, kw_only=True)
class Person:
    """Someone in or around the household."""

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("communication_needs",)

    id: str
    given_name: str
    family_name: str
    gender: Gender
    communication_needs: str
    born: Offset | None = None
    age_range: AgeRange | None = None

    @property
    def full_name(self) -> str:
        """Return given and family name."""
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True, kw_only=True)
class Child(Person):
    """A child the conference is about (the subject of an answer key)."""

    unborn: bool = False


@dataclass(frozen=True, kw_only=True)
class Adult(Person):
    """A parent or carer in the family composition."""

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("relationship", "communication_needs")

    relationship: str
    parental_responsibility: bool
    lives_in_home: bool


@dataclass(frozen=True, kw_only=True)
class SignificantOther(Person):
    """Someone important to the child who does not live in the home."""

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("relationship", "communication_needs")

    relationship: str
    known_to_childrens_services: bool


@dataclass(frozen=True)
class Household:
    """Family composition as the report template records it."""

    address: Address
    phone: str
    children: tuple[Child, ...]
    adults: tuple[Adult, ...]
    significant_others: tuple[SignificantOther, ...] = ()

    def people(self) -> tuple[Person, ...]:
        """Return every person, children first."""
        return (*self.children, *self.adults, *self.significant_others)


@dataclass(frozen=True)
class ChronologyEntry:
    """One dated event in the child's chronology of significant events."""

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("text",)

    offset: Offset
    text: str


@dataclass(frozen=True)
class PackItem:
    """One piece of information a role holds."""

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("text", "source")

    id: str
    text: str
    provenance: Provenance
    first_hand: bool = True
    source: str | None = None
    confidential: bool = False
    must_share: bool = False


@dataclass(frozen=True)
class RolePack:
    """The private information pack for one conference role."""

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("briefing",)

    role: Role
    briefing: str
    items: tuple[PackItem, ...]


@dataclass(frozen=True)
class Inject:
    """New information the trainer can release during the conference."""

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("title", "text")

    id: str
    title: str
    text: str
    suggested_phase: SuggestedPhase
    audience: Role | None = None  # None: everyone in the room


@dataclass(frozen=True)
class AnswerKey:
    """The defensible outcome for one child, with its reasoning."""

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = (
        "key_risks",
        "strengths",
        "complicating_factors",
        "expected_plan_elements",
        "rationale",
    )

    child_id: str
    level_of_need: LevelOfNeed
    threshold_met: bool
    primary_category: Category | None
    acceptable_secondary_categories: tuple[Category, ...]
    outcome: PlanOutcome
    key_risks: tuple[str, ...]
    strengths: tuple[str, ...]
    complicating_factors: tuple[str, ...]
    must_reach_conference: tuple[str, ...]
    expected_core_group: tuple[Role, ...]
    expected_plan_elements: tuple[str, ...]
    rationale: str
    citations: tuple[str, ...]


@dataclass(frozen=True)
class Scenario:
    """A complete mock conference case."""

    TEXT_FIELDS: ClassVar[tuple[str, ...]] = ("title", "summary", "content_notes")

    slug: str
    title: str
    summary: str
    content_notes: tuple[str, ...]
    audience_level: AudienceLevel
    conference_type: ConferenceType
    key_dates: tuple[KeyDate, ...]
    household: Household
    chronology: tuple[ChronologyEntry, ...]
    role_packs: tuple[RolePack, ...]
    injects: tuple[Inject, ...]
    answer_keys: tuple[AnswerKey, ...]

    def pack(self, role: Role) -> RolePack | None:
        """Return the pack for ``role``, if the scenario has one."""
        return next((p for p in self.role_packs if p.role == role), None)

    def item(self, item_id: str) -> PackItem | None:
        """Return the pack item with ``item_id`` from any role's pack."""
        for pack in self.role_packs:
            for item in pack.items:
                if item.id == item_id:
                    return item
        return None

    def person(self, person_id: str) -> Person | None:
        """Return the person with ``person_id``."""
        return next((p for p in self.household.people() if p.id == person_id), None)

    def answer_key(self, child_id: str) -> AnswerKey | None:
        """Return the answer key for ``child_id``."""
        return next((k for k in self.answer_keys if k.child_id == child_id), None)


@dataclass(frozen=True)
class Problem:
    """A reason a scenario is not usable, located by a field path."""

    path: str
    message: str


# --------------------------------------------------------------------------
# Walking text fields


def iter_texts(obj: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(path, text)`` for every free-text field under ``obj``.

    Paths mirror the YAML layout, for example
    ``role_packs[2].items[0].text`` or ``answer_keys[0].key_risks[1]``.
    """
    if isinstance(obj, tuple):
        for index, value in enumerate(obj):
            yield from iter_texts(value, f"{path}[{index}]")
        return
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return
    text_fields = getattr(obj, "TEXT_FIELDS", ())
    prefix = f"{path}." if path else ""
    for fld in dataclasses.fields(obj):
        value = getattr(obj, fld.name)
        here = f"{prefix}{fld.name}"
        if fld.name in text_fields:
            if isinstance(value, str):
                yield here, value
            elif isinstance(value, tuple):
                for index, text in enumerate(value):
                    if isinstance(text, str):
                        yield f"{here}[{index}]", text
        elif isinstance(value, tuple) or dataclasses.is_dataclass(value):
            yield from iter_texts(value, here)


def map_texts[T](obj: T, fn: Callable[[str], str]) -> T:
    """Return a copy of ``obj`` with ``fn`` applied to every text field."""
    return cast(T, _map_texts(obj, fn))


def _map_texts(obj: object, fn: Callable[[str], str]) -> object:
    if isinstance(obj, tuple):
        return tuple(_map_texts(v, fn) for v in obj)
    if not dataclasses.is_dataclass(obj) or isinstance(obj, type):
        return obj
    text_fields = getattr(obj, "TEXT_FIELDS", ())
    changes: dict[str, Any] = {}
    for fld in dataclasses.fields(obj):
        value = getattr(obj, fld.name)
        if fld.name in text_fields:
            if isinstance(value, str):
                changes[fld.name] = fn(value)
            elif isinstance(value, tuple):
                changes[fld.name] = tuple(fn(v) for v in value)
        elif isinstance(value, tuple) or dataclasses.is_dataclass(value):
            changes[fld.name] = _map_texts(value, fn)
    return dataclasses.replace(obj, **changes)


# --------------------------------------------------------------------------
# Placeholders and rendering


def placeholders(text: str) -> Iterator[str]:
    """Yield the contents of each ``{...}`` placeholder in ``text``."""
    for match in PLACEHOLDER_RE.finditer(text):
        if match.group(1) is not None:
            yield match.group(1)


def strip_placeholders(text: str) -> str:
    """Return ``text`` with every placeholder replaced by a space."""
    return PLACEHOLDER_RE.sub(" ", text)


_PRONOUNS: dict[Gender, dict[str, str]] = {
    Gender.FEMALE: {
        "they": "she",
        "them": "her",
        "their": "her",
        "theirs": "hers",
        "themself": "herself",
    },
    Gender.MALE: {
        "they": "he",
        "them": "him",
        "their": "his",
        "theirs": "his",
        "themself": "himself",
    },
    Gender.UNKNOWN: {
        "they": "they",
        "them": "them",
        "their": "their",
        "theirs": "theirs",
        "themself": "themself",
    },
}


def format_date(day: date) -> str:
    """Return a date the way reports write it: ``Tuesday 3 March 2026``."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def age_text(born: date, on: date) -> str:
    """Return an age such as ``4 years``, ``18 months`` or ``3 weeks``."""
    if born > on:
        return "unborn"
    months = (on.year - born.year) * 12 + on.month - born.month
    if on.day < born.day:
        months -= 1
    if months >= 24:
        years = months // 12
        return f"{years} years"
    if months >= 1:
        return f"{months} month" + ("s" if months != 1 else "")
    weeks = (on - born).days // 7
    return f"{weeks} week" + ("s" if weeks != 1 else "")


def age_in_years(born: date, on: date) -> int:
    """Return completed years of age on ``on``."""
    years = on.year - born.year
    if (on.month, on.day) < (born.month, born.day):
        years -= 1
    return years


def resolve_offset(
    scenario: Scenario,
    offset: Offset,
    *,
    seminar_date: date,
    is_working_day: Callable[[date], bool] = is_weekday,
) -> date:
    """Return the calendar date of ``offset`` for a seminar on ``seminar_date``."""
    base = seminar_date
    if offset.anchor is not None:
        person = scenario.person(offset.anchor)
        if person is None or person.born is None:
            raise ValueError(f"offset anchor {offset.anchor!r} has no date of birth")
        base = person.born.apply(seminar_date, is_working_day)
    return offset.apply(base, is_working_day)


def date_of_birth(person: Person, seminar_date: date) -> date | None:
    """Return the person's date of birth (or expected date of delivery)."""
    if person.born is None:
        return None
    return person.born.apply(seminar_date)


def render_text(
    scenario: Scenario,
    text: str,
    *,
    seminar_date: date,
    is_working_day: Callable[[date], bool] = is_weekday,
) -> str:
    """Return ``text`` with every placeholder filled in.

    Raise KeyError for a placeholder that does not resolve; run
    ``validate_scenario`` first to report such problems gracefully.
    """
    people = {p.id: p for p in scenario.household.people()}
    key_dates = {k.id: k for k in scenario.key_dates}

    def fill(match: re.Match[str]) -> str:
        whole = match.group(0)
        if whole in {"{{", "}}"}:
            return whole[0]
        name, _, attr = match.group(1).partition(".")
        if name == "date":
            if attr == CONFERENCE_DATE_ID:
                return format_date(seminar_date)
            key_date = key_dates[attr]
            return format_date(
                resolve_offset(
                    scenario,
                    key_date.offset,
                    seminar_date=seminar_date,
                    is_working_day=is_working_day,
                )
            )
        if name == "address":
            address = scenario.household.address
            if not attr:
                return str(address)
            if attr in ADDRESS_ATTRIBUTES:
                return str(getattr(address, attr))
            raise KeyError(match.group(1))
        if name == "phone" and not attr:
            return scenario.household.phone
        person = people[name]
        return _person_attribute(person, attr, seminar_date, match.group(1))

    return PLACEHOLDER_RE.sub(fill, text)


def _person_attribute(person: Person, attr: str, seminar_date: date, token: str) -> str:
    if not attr:
        return person.given_name
    if attr == "full":
        return person.full_name
    if attr == "family":
        return person.family_name
    if attr == "formal":
        title = {Gender.FEMALE: "Ms", Gender.MALE: "Mr"}.get(person.gender)
        return f"{title} {person.family_name}" if title else person.full_name
    if attr in {"age", "dob"}:
        born = date_of_birth(person, seminar_date)
        if born is None:
            raise KeyError(token)
        return age_text(born, seminar_date) if attr == "age" else format_date(born)
    lower = attr[0].lower() + attr[1:]
    if lower in _PRONOUNS[person.gender]:
        word = _PRONOUNS[person.gender][lower]
        return word[0].upper() + word[1:] if attr[0].isupper() else word
    raise KeyError(token)


def render_scenario(
    scenario: Scenario,
    *,
    seminar_date: date,
    is_working_day: Callable[[date], bool] = is_weekday,
) -> Scenario:
    """Return a copy of ``scenario`` with every text field rendered."""
    return map_texts(
        scenario,
        lambda text: render_text(
            scenario, text, seminar_date=seminar_date, is_working_day=is_working_day
        ),
    )


# --------------------------------------------------------------------------
# Validation


def citation_is_well_formed(key: str) -> bool:
    """Return True if ``key`` is a guidance or workbook citation key."""
    return CITATION_RE.match(key) is not None


def validate_scenario(
    scenario: Scenario,
    *,
    citation_exists: Callable[[str], bool] | None = None,
    required_roles: frozenset[Role] = DEFAULT_REQUIRED_ROLES,
) -> list[Problem]:
    """Return every problem that makes ``scenario`` unusable (empty if fine).

    :param citation_exists: resolver for citation keys; when given, keys that
        are well formed but do not resolve are reported too.
    :param required_roles: roles that must have an information pack.
    """
    checker = _Checker(scenario, citation_exists, required_roles)
    checker.run()
    return checker.problems


@dataclass
class _Checker:
    scenario: Scenario
    citation_exists: Callable[[str], bool] | None
    required_roles: frozenset[Role]
    problems: list[Problem] = field(default_factory=list)

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def run(self) -> None:
        s = self.scenario
        if not SLUG_RE.match(s.slug):
            self.add("slug", f"slug {s.slug!r} must be lower-case words joined by hyphens")
        for name in ("title", "summary"):
            if not getattr(s, name).strip():
                self.add(name, f"{name} must not be empty")
        self.check_key_dates()
        self.check_people()
        self.check_chronology()
        self.check_packs()
        self.check_injects()
        self.check_answer_keys()
        self.check_texts()

    # -- dates ---------------------------------------------------------

    def check_key_dates(self) -> None:
        s = self.scenario
        seen: set[str] = set()
        for index, key_date in enumerate(s.key_dates):
            path = f"key_dates[{index}]"
            if not PERSON_ID_RE.match(key_date.id) or key_date.id == CONFERENCE_DATE_ID:
                self.add(f"{path}.id", f"invalid key date id {key_date.id!r}")
            if key_date.id in seen:
                self.add(f"{path}.id", f"duplicate key date id {key_date.id!r}")
            seen.add(key_date.id)
            if key_date.offset.anchor is not None:
                self.add(f"{path}.offset", "key dates are offsets of the seminar date")
            if key_date.offset.amount >= 0:
                self.add(f"{path}.offset", "key dates must fall before the conference")
        for required in REQUIRED_KEY_DATES[s.conference_type]:
            if required not in seen:
                self.add(
                    "key_dates",
                    f"a {s.conference_type.value} conference needs key date {required!r}",
                )

    # -- people --------------------------------------------------------

    def check_people(self) -> None:
        s = self.scenario
        household = s.household
        if not household.children:
            self.add("household.children", "the household needs at least one child")
        seen: set[str] = set()
        groups = (
            ("children", household.children),
            ("adults", household.adults),
            ("significant_others", household.significant_others),
        )
        for group, people in groups:
            for index, person in enumerate(people):
                path = f"household.{group}[{index}]"
                if not PERSON_ID_RE.match(person.id) or person.id in RESERVED_NAMESPACES:
                    self.add(f"{path}.id", f"invalid person id {person.id!r}")
                if person.id in seen:
                    self.add(f"{path}.id", f"duplicate person id {person.id!r}")
                seen.add(person.id)
                if not person.given_name.strip() or not person.family_name.strip():
                    self.add(f"{path}.given_name", "given and family names are required")
                self.check_birth(path, person)
        if s.conference_type == ConferenceType.UNBORN and not any(
            c.unborn for c in household.children
        ):
            self.add("household.children", "an unborn child conference needs an unborn child")

    def check_birth(self, path: str, person: Person) -> None:
        born = person.born
        if isinstance(person, Child) and born is None:
            self.add(f"{path}.born", "a child needs a date of birth or expected date")
        if born is not None:
            if born.anchor is not None:
                self.add(f"{path}.born", "a date of birth is an offset of the seminar date")
            if born.unit == OffsetUnit.WORKING_DAYS:
                self.add(f"{path}.born", "use calendar units for a date of birth")
            unborn = isinstance(person, Child) and person.unborn
            if unborn and born.amount <= 0:
                self.add(f"{path}.born", "an unborn child's expected date is after the seminar")
            if not unborn and born.amount > 0:
                self.add(f"{path}.born", "a date of birth must be before the seminar")
        age_range = person.age_range
        if age_range is not None:
            if isinstance(person, Child) and person.unborn:
                self.add(f"{path}.age_range", "an unborn child has no age range")
            if not 0 <= age_range.min_years <= age_range.max_years:
                self.add(f"{path}.age_range", "age range must satisfy 0 <= min <= max")
            if born is None:
                self.add(f"{path}.age_range", "an age range needs a date of birth")
            elif born.unit == OffsetUnit.YEARS and not (
                age_range.min_years <= -born.amount <= age_range.max_years
            ):
                self.add(f"{path}.age_range", "the age range must include the template age")

    # -- chronology ----------------------------------------------------

    def check_chronology(self) -> None:
        s = self.scenario
        for index, entry in enumerate(s.chronology):
            path = f"chronology[{index}].offset"
            offset = entry.offset
            if offset.anchor is None:
                if offset.amount > 0:
                    self.add(path, "chronology entries must not be after the conference")
                continue
            person = s.person(offset.anchor)
            if person is None or person.born is None:
                self.add(path, f"anchor {offset.anchor!r} is not a person with a birth date")
                continue
            if offset.amount < 0:
                self.add(path, "an offset from a birth must not be negative")
            youngest = (
                person.age_range.min_years * 365.25
                if person.age_range is not None
                else -person.born.approximate_days()
            )
            if offset.approximate_days() > youngest:
                self.add(path, "this entry would fall after the conference for the youngest age")

    # -- packs ---------------------------------------------------------

    def check_packs(self) -> None:
        s = self.scenario
        roles: set[Role] = set()
        item_ids: set[str] = set()
        for index, pack in enumerate(s.role_packs):
            path = f"role_packs[{index}]"
            if pack.role in roles:
                self.add(f"{path}.role", f"duplicate pack for role {pack.role.value!r}")
            roles.add(pack.role)
            if not pack.items and pack.role != Role.OBSERVER:
                self.add(f"{path}.items", "a role pack needs at least one item")
            for item_index, item in enumerate(pack.items):
                item_path = f"{path}.items[{item_index}]"
                if not ITEM_ID_RE.match(item.id):
                    self.add(f"{item_path}.id", f"invalid item id {item.id!r}")
                if item.id in item_ids:
                    self.add(f"{item_path}.id", f"duplicate item id {item.id!r}")
                item_ids.add(item.id)
                if not item.text.strip():
                    self.add(f"{item_path}.text", "item text must not be empty")
                if not item.first_hand and not (item.source or "").strip():
                    self.add(f"{item_path}.source", "second-hand information must name its source")
                if item.first_hand and item.source is not None:
                    self.add(f"{item_path}.source", "first-hand information has no source")
        for role in sorted(self.required_roles - roles):
            self.add("role_packs", f"missing information pack for role {role.value!r}")
        must_reach = {i for k in s.answer_keys for i in k.must_reach_conference}
        for index, pack in enumerate(s.role_packs):
            for item_index, item in enumerate(pack.items):
                if item.must_share and item.id not in must_reach:
                    self.add(
                        f"role_packs[{index}].items[{item_index}].must_share",
                        f"must-share item {item.id!r} is in no answer key's must_reach_conference",
                    )

    # -- injects -------------------------------------------------------

    def check_injects(self) -> None:
        s = self.scenario
        roles = {p.role for p in s.role_packs}
        seen: set[str] = set()
        for index, inject in enumerate(s.injects):
            path = f"injects[{index}]"
            if not ITEM_ID_RE.match(inject.id):
                self.add(f"{path}.id", f"invalid inject id {inject.id!r}")
            if inject.id in seen:
                self.add(f"{path}.id", f"duplicate inject id {inject.id!r}")
            seen.add(inject.id)
            if inject.audience is not None and inject.audience not in roles:
                self.add(
                    f"{path}.audience",
                    f"inject audience {inject.audience.value!r} has no role pack",
                )

    # -- answer keys ---------------------------------------------------

    def check_answer_keys(self) -> None:
        s = self.scenario
        children = {c.id for c in s.household.children}
        seen: set[str] = set()
        for index, key in enumerate(s.answer_keys):
            path = f"answer_keys[{index}]"
            if key.child_id not in children:
                self.add(f"{path}.child_id", f"answer key for unknown child {key.child_id!r}")
            if key.child_id in seen:
                self.add(f"{path}.child_id", f"second answer key for {key.child_id!r}")
            seen.add(key.child_id)
            self.check_answer_key(path, key)
        for index, child in enumerate(s.household.children):
            if child.id not in seen:
                self.add(
                    f"household.children[{index}].id",
                    f"no answer key for child {child.id!r}",
                )

    def check_answer_key(self, path: str, key: AnswerKey) -> None:
        s = self.scenario
        if key.threshold_met:
            if key.primary_category is None:
                self.add(f"{path}.primary_category", "threshold met needs a primary category")
            if key.level_of_need != LevelOfNeed.SAFEGUARDING:
                self.add(f"{path}.level_of_need", "threshold met implies level 'safeguarding'")
            if key.outcome != PlanOutcome.CHILD_PROTECTION_PLAN:
                self.add(f"{path}.outcome", "threshold met implies a child protection plan")
            if Role.LEAD_SOCIAL_WORKER not in key.expected_core_group:
                self.add(
                    f"{path}.expected_core_group", "the core group needs the lead social worker"
                )
        else:
            if key.primary_category is not None:
                self.add(f"{path}.primary_category", "threshold not met: no primary category")
            if key.acceptable_secondary_categories:
                self.add(
                    f"{path}.acceptable_secondary_categories",
                    "threshold not met: no secondary categories",
                )
            if key.outcome == PlanOutcome.CHILD_PROTECTION_PLAN:
                self.add(f"{path}.outcome", "threshold not met: no child protection plan")
        if key.primary_category is not None and (
            key.primary_category in key.acceptable_secondary_categories
        ):
            self.add(
                f"{path}.acceptable_secondary_categories",
                "the primary category cannot also be secondary",
            )
        if len(set(key.acceptable_secondary_categories)) != len(
            key.acceptable_secondary_categories
        ):
            self.add(f"{path}.acceptable_secondary_categories", "duplicate category")
        for item_index, item_id in enumerate(key.must_reach_conference):
            if s.item(item_id) is None:
                self.add(
                    f"{path}.must_reach_conference[{item_index}]",
                    f"item {item_id!r} is in no role's pack",
                )
        if not key.rationale.strip():
            self.add(f"{path}.rationale", "a rationale is required")
        if not key.citations:
            self.add(f"{path}.citations", "at least one citation is required")
        for index, citation in enumerate(key.citations):
            cpath = f"{path}.citations[{index}]"
            if not citation_is_well_formed(citation):
                self.add(
                    cpath,
                    f"{citation!r} is not guidance:<slug>:para-N or workbook:<slug>:<block-id>",
                )
            elif self.citation_exists is not None and not self.citation_exists(citation):
                self.add(cpath, f"citation {citation!r} does not resolve")

    # -- texts ---------------------------------------------------------

    def check_texts(self) -> None:
        s = self.scenario
        people = {p.id: p for p in s.household.people()}
        key_dates = {k.id for k in s.key_dates} | {CONFERENCE_DATE_ID}
        literal_names: dict[str, re.Pattern[str]] = {}
        for person in people.values():
            for name in (person.given_name, person.family_name):
                if len(name) >= 3 and name not in GENERIC_GIVEN_NAMES:
                    literal_names[name] = re.compile(rf"(?<![\w-]){re.escape(name)}(?![\w-])")
        for path, text in iter_texts(s):
            for token in placeholders(text):
                problem = _placeholder_problem(token, people, key_dates)
                if problem:
                    self.add(path, problem)
            bare = strip_placeholders(text)
            if "{" in bare or "}" in bare:
                self.add(path, "unbalanced brace; write {{ or }} for a literal brace")
            for name, pattern in literal_names.items():
                if pattern.search(bare):
                    self.add(path, f"name {name!r} written literally; use a placeholder")


def _placeholder_problem(token: str, people: dict[str, Person], key_dates: set[str]) -> str | None:
    name, dot, attr = token.partition(".")
    if name == "date":
        return None if attr in key_dates else f"unknown key date in {{{token}}}"
    if name == "address":
        return None if not dot or attr in ADDRESS_ATTRIBUTES else f"unknown {{{token}}}"
    if name == "phone":
        return None if not dot else f"unknown {{{token}}}"
    person = people.get(name)
    if person is None:
        return f"unknown person in {{{token}}}"
    if dot and attr not in PERSON_ATTRIBUTES:
        return f"unknown attribute in {{{token}}}"
    if attr in {"age", "dob"} and person.born is None:
        return f"{{{token}}} needs a date of birth for {name!r}"
    return None
