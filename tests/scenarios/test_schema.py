"""Scenario packs: the YAML schema, line-numbered errors and validation."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

import pytest

from scenarios.schema import (
    ScenarioFileError,
    SchemaError,
    check_library,
    dump_scenario,
    load_scenario,
    parse_scenario,
)
from simulations.engine.calendar import working_days_between
from simulations.engine.casefile import (
    Address,
    Adult,
    AgeRange,
    AnswerKey,
    AudienceLevel,
    Child,
    ChronologyEntry,
    Gender,
    Household,
    Inject,
    KeyDate,
    Offset,
    OffsetUnit,
    PackItem,
    PlanOutcome,
    RolePack,
    Scenario,
    SuggestedPhase,
    add_working_days,
    render_text,
    validate_scenario,
)
from simulations.engine.vocabulary import (
    Category,
    ConferenceType,
    LevelOfNeed,
    Provenance,
    Role,
)

FILE = "packs/sample.yaml"
SEMINAR = date(2026, 3, 10)


def make_scenario() -> Scenario:
    """Return a small scenario that passes every check."""
    packs = tuple(
        RolePack(
            role=role,
            briefing=f"You hold the {role.label} seat.",
            items=(
                PackItem(
                    id=f"{role.value}-1",
                    text=f"What the {role.label} knows about {{sam}}.",
                    provenance=Provenance.FACT,
                ),
            ),
        )
        for role in Role
        if role != Role.OBSERVER
    )
    packs = (
        *packs[:2],
        dataclasses.replace(
            packs[2],
            items=(
                *packs[2].items,
                PackItem(
                    id="hv-bruise",
                    text="Bruise seen on {sam}'s cheek at clinic.",
                    provenance=Provenance.OBSERVATION,
                    must_share=True,
                ),
                PackItem(
                    id="hv-neighbour",
                    text="A neighbour says she heard shouting.",
                    provenance=Provenance.ALLEGATION,
                    first_hand=False,
                    source="Neighbour, by telephone",
                ),
            ),
        ),
        *packs[3:],
    )
    return Scenario(
        slug="sample-case",
        title="Sample: {sam}, aged {sam.age}",
        summary="A short case about {sam} and {mum.formal}: test data only.",
        content_notes=("Injury to a young child.",),
        audience_level=AudienceLevel.LEVEL_3,
        conference_type=ConferenceType.INITIAL,
        key_dates=(KeyDate("strategy_discussion", "Strategy discussion", Offset.parse("-10wd")),),
        household=Household(
            address=Address("4", "Kestrel Mews", "St Helier", "JE2 4AB"),
            phone="07700 900001",
            children=(
                Child(
                    id="sam",
                    given_name="Samuel",
                    family_name="Quennell",
                    gender=Gender.MALE,
                    born=Offset(-3, OffsetUnit.YEARS),
                    age_range=AgeRange(3, 4),
                    communication_needs="None known.",
                ),
            ),
            adults=(
                Adult(
                    id="mum",
                    given_name="Harriet",
                    family_name="Quennell",
                    gender=Gender.FEMALE,
                    relationship="Mother",
                    parental_responsibility=True,
                    lives_in_home=True,
                    communication_needs="None known.",
                ),
            ),
        ),
        chronology=(
            ChronologyEntry(Offset.parse("sam+0d"), "{sam} is born."),
            ChronologyEntry(Offset.parse("-10wd"), "Strategy discussion about {sam}."),
        ),
        role_packs=packs,
        injects=(
            Inject(
                id="inj-1",
                title="New information",
                text="{mum} phones to say {sam} is unwell.",
                suggested_phase=SuggestedPhase.AGENCY_CONTRIBUTIONS,
            ),
        ),
        answer_keys=(
            AnswerKey(
                child_id="sam",
                level_of_need=LevelOfNeed.SAFEGUARDING,
                threshold_met=True,
                primary_category=Category.PHYSICAL,
                acceptable_secondary_categories=(Category.NEGLECT,),
                outcome=PlanOutcome.CHILD_PROTECTION_PLAN,
                key_risks=("Unexplained bruising.",),
                strengths=("{mum} took {sam} to the GP.",),
                complicating_factors=("None yet.",),
                must_reach_conference=("hv-bruise",),
                expected_core_group=(Role.LEAD_SOCIAL_WORKER, Role.PARENT),
                expected_plan_elements=("{sam} seen alone.",),
                rationale="Reasonable cause to suspect significant harm.",
                citations=("guidance:procedures-summary:para-15",),
            ),
        ),
    )


@pytest.fixture
def text() -> str:
    return dump_scenario(make_scenario())


def line_of(text: str, needle: str, start: int = 1) -> int:
    """Return the 1-based number of the first line at or after ``start`` containing ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start and needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def errors_for(text: str, **kwargs: object) -> list[SchemaError]:
    scenario, errors = parse_scenario(text, file=FILE, **kwargs)  # type: ignore[arg-type]
    assert scenario is None
    assert errors
    return errors


def only(errors: list[SchemaError], field_path: str) -> SchemaError:
    matching = [e for e in errors if e.field_path == field_path]
    assert len(matching) == 1, errors
    return matching[0]


# -- valid packs and round trips ---------------------------------------------


def test_sample_scenario_is_valid() -> None:
    """The fixture scenario has no problems."""
    assert validate_scenario(make_scenario()) == []


def test_load_dump_load_is_exact(text: str) -> None:
    """Dumping and loading gives back an equal scenario and identical text."""
    scenario = load_scenario(text, file=FILE)
    assert scenario == make_scenario()
    assert dump_scenario(scenario) == text


@pytest.mark.parametrize(
    "awkward",
    [
        "yes",
        "123",
        "-15",
        "null",
        "Note: a colon",
        "# not a comment",
        "{sam} starts with a brace",
        "- starts like a list",
        'He said "go away".',
        "It's a child's room.",
        "Two  spaces inside",
        " leading space",
        "trailing space ",
        "Line one\nLine two\n\nLine four",
        "ends with newline\n",
        "Accents: Querée, Genêts, naïve; dash – and ‘quotes’",
        "tab\tinside",
        "A long sentence that goes on and on " * 8,
        "",
    ],
)
def test_awkward_text_round_trips(awkward: str) -> None:
    """Any text survives dump and load unchanged."""
    scenario = make_scenario()
    scenario = dataclasses.replace(scenario, content_notes=(awkward,))
    dumped = dump_scenario(scenario)
    loaded = load_scenario(dumped, file=FILE)
    assert loaded.content_notes == (awkward,)
    assert dump_scenario(loaded) == dumped


# -- line-numbered errors -----------------------------------------------------


def test_broken_yaml_reports_the_line(text: str) -> None:
    """A YAML syntax error names the file and the line of the problem."""
    broken = text.replace("slug: sample-case", 'slug: "sample-case')
    errors = errors_for(broken)
    assert len(errors) == 1
    assert errors[0].file == FILE
    assert errors[0].line >= line_of(text, "slug:")
    assert "broken YAML" in errors[0].message


def test_bad_indentation_is_broken_yaml(text: str) -> None:
    """Mis-indented keys are reported as broken YAML with a line."""
    broken = text.replace("  phone: 07700 900001", "   phone: 07700 900001")
    [error] = errors_for(broken)
    assert error.line == line_of(text, "phone:")
    assert error.field_path == ""


def test_missing_answer_key(text: str) -> None:
    """A child without an answer key is reported at the child's id."""
    start = line_of(text, "answer_keys:")
    broken = "\n".join(text.splitlines()[: start - 1]) + "\nanswer_keys: []\n"
    error = only(errors_for(broken), "household.children[0].id")
    assert error.file == FILE
    assert error.line == line_of(text, "- id: sam")
    assert "no answer key" in error.message


def test_unknown_category(text: str) -> None:
    """An unknown enum value names the field, line and the allowed values."""
    broken = text.replace("primary_category: physical", "primary_category: bruising")
    error = only(errors_for(broken), "answer_keys[0].primary_category")
    assert error.line == line_of(text, "primary_category:")
    assert "bruising" in error.message
    assert "neglect" in error.message


def test_must_reach_item_in_no_pack(text: str) -> None:
    """An answer key may only expect items that some role holds."""
    broken = text.replace("    - hv-bruise", "    - hv-missing")
    errors = errors_for(broken)
    error = only(errors, "answer_keys[0].must_reach_conference[0]")
    assert error.line == line_of(text, "    - hv-bruise")
    assert "hv-missing" in error.message


def test_must_share_item_not_expected(text: str) -> None:
    """A must-share item that no answer key expects is reported at its flag."""
    broken = text.replace("    - hv-bruise", "    - hv-neighbour")
    error = only(errors_for(broken), "role_packs[2].items[1].must_share")
    assert error.line == line_of(text, "must_share: true")


@pytest.mark.parametrize(
    "citation",
    [
        "guidance:procedures summary:para-15",
        "guidance:procedures-summary:para-0",
        "guidance:procedures-summary:15",
        "workbook:jayden",
        "paragraph 15",
    ],
)
def test_bad_citation_key(text: str, citation: str) -> None:
    """Malformed citation keys are errors at their line."""
    broken = text.replace("guidance:procedures-summary:para-15", citation)
    error = only(errors_for(broken), "answer_keys[0].citations[0]")
    assert error.line == line_of(text, "guidance:procedures-summary:para-15")


def test_unresolved_citation(text: str) -> None:
    """A well-formed key that the resolver does not know is an error."""
    error = only(
        errors_for(text, citation_exists=lambda key: key.endswith("para-1")),
        "answer_keys[0].citations[0]",
    )
    assert "does not resolve" in error.message


def test_workbook_citation_is_well_formed(text: str) -> None:
    """Workbook block citations are accepted."""
    changed = text.replace(
        "guidance:procedures-summary:para-15", "workbook:conference-reports:3f2a9c1e-44b1"
    )
    assert load_scenario(changed, file=FILE).answer_keys[0].citations == (
        "workbook:conference-reports:3f2a9c1e-44b1",
    )


def test_real_looking_nhs_number(text: str) -> None:
    """Text with a valid NHS number is refused, naming the field and line."""
    broken = text.replace("Bruise seen on", "NHS 943 476 5919. Bruise seen on")
    error = only(errors_for(broken), "role_packs[2].items[1].text")
    assert error.line == line_of(text, "text:", line_of(text, "id: hv-bruise"))
    assert "real-looking NHS number '943 476 5919'" in error.message


@pytest.mark.parametrize(
    ("replacement", "needle"),
    [
        ("07797 123456", "telephone number"),
        ("01534 481234", "telephone number"),
        ("AB 12 34 56 C", "National Insurance number"),
        ("JY 12 34 56 A", "Jersey social security number"),
    ],
)
def test_other_real_identifiers(text: str, replacement: str, needle: str) -> None:
    """Phone, NI and Jersey social security numbers are refused too."""
    broken = text.replace("phone: 07700 900001", f"phone: {replacement}")
    error = only(errors_for(broken), "household.phone")
    assert error.line == line_of(text, "phone:")
    assert f"real-looking {needle} '{replacement}'" in error.message


def test_duplicate_slug_across_files(tmp_path: Path, text: str) -> None:
    """A slug used by an earlier file is an error in the later file."""
    first = tmp_path / "a.yaml"
    second = tmp_path / "b.yaml"
    first.write_text(text, encoding="utf-8")
    second.write_text(text, encoding="utf-8")
    scenarios, errors = check_library([first, second])
    assert [s.slug for s in scenarios] == ["sample-case"]
    [error] = errors
    assert error.file == str(second)
    assert error.line == line_of(text, "slug:")
    assert error.field_path == "slug"
    assert str(first) in error.message


@pytest.mark.parametrize(
    ("old", "new", "field_path", "needle"),
    [
        (
            "threshold_met: true",
            'threshold_met: "yes"',
            "answer_keys[0].threshold_met",
            "true or false",
        ),
        ("age_range: [3, 4]", "age_range: [3]", "household.children[0].age_range", "[min, max]"),
        (
            "age_range: [3, 4]",
            "age_range: [three, 4]",
            "household.children[0].age_range[0]",
            "whole number",
        ),
        ("slug: sample-case", "slug: 42", "slug", "expected text"),
        (
            "audience_level: level_3",
            "audience_level: [level_3]",
            "audience_level",
            "expected one of",
        ),
        ("born: -3y", "born: three years ago", "household.children[0].born", "not an offset"),
        (
            "conference_type: initial",
            "conference_type: emergency",
            "conference_type",
            "unknown value",
        ),
    ],
)
def test_wrong_types(text: str, old: str, new: str, field_path: str, needle: str) -> None:
    """Wrong types and unknown values name the field and its line."""
    assert old in text
    error = only(errors_for(text.replace(old, new)), field_path)
    assert error.line == line_of(text, old)
    assert needle in error.message


def test_list_where_mapping_expected(text: str) -> None:
    """A list where a mapping belongs is a type error at that line."""
    old = '  address:\n    house: "4"\n    street: Kestrel Mews\n    parish: St Helier\n    postcode: JE2 4AB\n'
    assert old in text
    broken = text.replace(old, "  address:\n    - 4 Kestrel Mews\n")
    error = only(errors_for(broken), "household.address")
    assert "expected a mapping" in error.message


def test_unknown_and_duplicate_keys(text: str) -> None:
    """Unknown keys and repeated keys are both reported."""
    broken = text.replace("title: ", "colour: blue\ntitle: ", 1)
    broken = broken.replace(
        "conference_type: initial", "conference_type: initial\nconference_type: review"
    )
    errors = errors_for(broken)
    unknown = only(errors, "colour")
    assert unknown.line == line_of(broken, "colour:")
    assert "unknown key" in unknown.message
    duplicate = only(errors, "conference_type")
    assert duplicate.line == line_of(broken, "conference_type: review")


def test_missing_required_key(text: str) -> None:
    """A missing required key is reported against its parent mapping."""
    start = line_of(text, "- id: mum")
    lines = text.splitlines()
    relationship = line_of(text, "relationship: Mother", start)
    del lines[relationship - 1]
    error = only(errors_for("\n".join(lines) + "\n"), "household.adults[0].relationship")
    assert error.line == start
    assert "missing required key" in error.message


def test_wrong_format_version(text: str) -> None:
    """Only the supported format version loads."""
    broken = text.replace("threshold-scenario/1", "threshold-scenario/2")
    error = only(errors_for(broken), "format")
    assert error.line == 1


def test_all_errors_are_collected(text: str) -> None:
    """Several problems in one file are all reported, in one pass."""
    broken = text.replace("primary_category: physical", "primary_category: bruising")
    broken = broken.replace("gender: male", "gender: boy")
    broken = broken.replace("provenance: allegation", "provenance: rumour")
    errors = errors_for(broken)
    assert {e.field_path for e in errors} >= {
        "answer_keys[0].primary_category",
        "household.children[0].gender",
        "role_packs[2].items[2].provenance",
    }


def test_load_raises_with_every_error(text: str) -> None:
    """load_scenario raises one exception carrying every error."""
    broken = text.replace("gender: male", "gender: boy").replace("- hv-bruise", "- nope")
    with pytest.raises(ScenarioFileError) as info:
        load_scenario(broken, file=FILE)
    assert len(info.value.errors) >= 1
    assert f"{FILE}:" in str(info.value)


def test_empty_and_multi_document_files() -> None:
    """Empty files and files with several documents are refused."""
    assert parse_scenario("", file=FILE)[1][0].message.startswith("expected one YAML document")
    assert "2 documents" in parse_scenario("a: 1\n---\nb: 2\n", file=FILE)[1][0].message


# -- semantic validation --------------------------------------------------------


def problems(scenario: Scenario) -> dict[str, str]:
    found: dict[str, str] = {}
    for problem in validate_scenario(scenario):
        found[problem.path] = f"{found.get(problem.path, '')}{problem.message}; "
    return found


def with_key(**changes: object) -> Scenario:
    scenario = make_scenario()
    key = dataclasses.replace(scenario.answer_keys[0], **changes)  # type: ignore[arg-type]
    return dataclasses.replace(scenario, answer_keys=(key,))


def test_threshold_met_needs_category_and_safeguarding_level() -> None:
    """A met threshold implies a primary category and the safeguarding level."""
    found = problems(with_key(primary_category=None, level_of_need=LevelOfNeed.WELLBEING))
    assert "answer_keys[0].primary_category" in found
    assert "answer_keys[0].level_of_need" in found


def test_threshold_not_met_has_no_category() -> None:
    """A threshold that is not met carries no categories and no CP plan."""
    found = problems(with_key(threshold_met=False))
    assert "answer_keys[0].primary_category" in found
    assert "answer_keys[0].acceptable_secondary_categories" in found
    assert "answer_keys[0].outcome" in found


def test_threshold_not_met_valid() -> None:
    """A child in need answer without categories is valid."""
    scenario = with_key(
        threshold_met=False,
        level_of_need=LevelOfNeed.HEALTH_DEVELOPMENT,
        primary_category=None,
        acceptable_secondary_categories=(),
        outcome=PlanOutcome.CHILD_IN_NEED_PLAN,
    )
    assert validate_scenario(scenario) == []


def test_ids_must_be_unique() -> None:
    """Duplicate item and inject ids are problems."""
    scenario = make_scenario()
    first = scenario.role_packs[0]
    clash = dataclasses.replace(first, items=(*first.items, first.items[0]))
    inject = scenario.injects[0]
    scenario = dataclasses.replace(
        scenario, role_packs=(clash, *scenario.role_packs[1:]), injects=(inject, inject)
    )
    found = problems(scenario)
    assert "role_packs[0].items[1].id" in found
    assert "injects[1].id" in found


def test_inject_audience_needs_a_pack() -> None:
    """Injects address a role that has a pack, or everyone."""
    scenario = make_scenario()
    scenario = dataclasses.replace(
        scenario,
        role_packs=tuple(p for p in scenario.role_packs if p.role != Role.HOUSING),
        injects=(dataclasses.replace(scenario.injects[0], audience=Role.HOUSING),),
    )
    found = problems(scenario)
    assert "injects[0].audience" in found
    assert "missing information pack" in found["role_packs"]


def test_placeholders_and_literal_names() -> None:
    """Unknown placeholders and literal names are both problems."""
    scenario = make_scenario()
    scenario = dataclasses.replace(
        scenario,
        summary="{sam} and {nobody} and {sam.shoe_size}",
        title="Samuel at home on {date.unknown}",
    )
    found = problems(scenario)
    assert "unknown person in {nobody}" in found["summary"]
    assert "unknown attribute in {sam.shoe_size}" in found["summary"]
    assert "name 'Samuel' written literally" in found["title"]
    assert "unknown key date in {date.unknown}" in found["title"]


def test_second_hand_needs_source() -> None:
    """Second-hand items name their source; first-hand ones do not."""
    scenario = make_scenario()
    pack = scenario.role_packs[2]
    items = (
        pack.items[0],
        dataclasses.replace(pack.items[1], source="Somebody"),
        dataclasses.replace(pack.items[2], source=None),
    )
    scenario = dataclasses.replace(
        scenario,
        role_packs=(
            *scenario.role_packs[:2],
            dataclasses.replace(pack, items=items),
            *scenario.role_packs[3:],
        ),
    )
    found = problems(scenario)
    assert "role_packs[2].items[1].source" in found
    assert "role_packs[2].items[2].source" in found


def test_key_dates_required_by_conference_type() -> None:
    """A transfer-in conference needs its notification date."""
    scenario = dataclasses.replace(make_scenario(), conference_type=ConferenceType.TRANSFER_IN)
    assert "transfer_notified" in problems(scenario)["key_dates"]


def test_unborn_conference_needs_unborn_child() -> None:
    """An unborn child conference is about an unborn child."""
    scenario = dataclasses.replace(make_scenario(), conference_type=ConferenceType.UNBORN)
    assert "household.children" in problems(scenario)


# -- dates and rendering --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-15wd", Offset(-15, OffsetUnit.WORKING_DAYS)),
        ("+6w", Offset(6, OffsetUnit.WEEKS)),
        ("jayden+3m", Offset(3, OffsetUnit.MONTHS, "jayden")),
        ("-4y", Offset(-4, OffsetUnit.YEARS)),
    ],
)
def test_offset_parse_and_format(text: str, expected: Offset) -> None:
    """Offsets parse and print back to the same text."""
    assert Offset.parse(text) == expected
    assert str(expected) == text


def test_working_days() -> None:
    """Working days skip weekends and the start day, in both directions."""
    friday = date(2026, 3, 13)
    assert add_working_days(friday, 1) == date(2026, 3, 16)
    assert add_working_days(date(2026, 3, 16), -1) == friday
    assert working_days_between(friday, date(2026, 3, 16), frozenset()) == 1
    assert working_days_between(date(2026, 3, 2), date(2026, 3, 23), frozenset()) == 15


def test_render_text() -> None:
    """Placeholders render names, pronouns, ages, dates and the address."""
    scenario = make_scenario()
    rendered = render_text(
        scenario,
        "{sam} ({sam.age}) lives with {mum.formal} at {address}; {sam.They} and {sam.their} "
        "mother; strategy on {date.strategy_discussion}; {{literal}}",
        seminar_date=SEMINAR,
    )
    assert rendered == (
        "Samuel (3 years) lives with Ms Quennell at 4 Kestrel Mews, St Helier, JE2 4AB; "
        "He and his mother; strategy on Tuesday 24 February 2026; {literal}"
    )


def test_documented_example_is_valid() -> None:
    """The example in docs/scenario-format.md loads and is in canonical form."""
    doc = (Path(__file__).resolve().parents[2] / "docs" / "scenario-format.md").read_text(
        encoding="utf-8"
    )
    example = doc.split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario = load_scenario(example, file="docs/scenario-format.md")
    assert dump_scenario(scenario) == example


def test_an_allowlisted_text_is_accepted(text: str, settings) -> None:  # type: ignore[no-untyped-def]
    """The schema takes the same allowlist as the other guards."""
    settings.THRESHOLD_IDENTIFIER_ALLOWLIST = ["01534 481234"]
    scenario, errors = parse_scenario(text.replace("phone: 07700 900001", "phone: 01534 481234"))
    assert errors == []
    assert scenario is not None
