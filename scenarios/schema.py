"""Read and write scenario packs as versioned, line-numbered YAML.

A scenario pack is one YAML document whose first key is
``format: threshold-scenario/1``. ``parse_scenario`` checks the whole
document before it builds anything and reports every problem it finds, each
as a ``SchemaError`` naming the file, the line and the field: broken YAML,
unknown or duplicate keys, missing fields, wrong types, unknown enum values,
real-looking personal identifiers, and every problem that
``simulations.engine.casefile.validate_scenario`` finds in the result.
``load_library`` adds the check for a slug used by two files.

``dump_scenario`` writes the canonical layout: keys in a fixed order, two
spaces of indentation, long text folded at 88 columns. Library files are
kept in that layout, so ``dump_scenario(load(text)) == text`` for each of
them and an edit round-trips without noise in review. The format is
described field by field in ``docs/scenario-format.md``.
"""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scenarios.identifiers import identifier_allowlist
from simulations.engine.casefile import (
    FORMAT,
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
    PackItem,
    PlanOutcome,
    RolePack,
    Scenario,
    SignificantOther,
    SuggestedPhase,
    validate_scenario,
)
from simulations.engine.identifiers import find_identifiers
from simulations.engine.vocabulary import (
    Category,
    ConferenceType,
    LevelOfNeed,
    Provenance,
    Role,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
LINE_WIDTH = 88
_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class SchemaError:
    """One problem in a scenario file, located by line and field path."""

    file: str
    line: int
    field_path: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field_path or '<document>'}: {self.message}"


class ScenarioFileError(Exception):
    """Raised when one or more scenario files are invalid."""

    def __init__(self, errors: Sequence[SchemaError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


# --------------------------------------------------------------------------
# Reading


class _Invalid:
    """Marker for a value that could not be converted."""


INVALID = _Invalid()


@dataclass
class _Context:
    file: str
    errors: list[SchemaError] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)

    def error(self, node: Node | None, path: str, message: str) -> _Invalid:
        line = node.start_mark.line + 1 if node is not None else self.line_for(path)
        self.errors.append(SchemaError(self.file, line, path, message))
        return INVALID

    def line_for(self, path: str) -> int:
        probe = path
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = re.sub(r"(\.[^.\[\]]+|\[\d+\])$", "", probe)
        return self.lines.get("", 1)


Converter = Callable[[Node, str, _Context], Any]


def _kind(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    tag = node.tag.removeprefix(_TAG)
    return {
        "str": "text",
        "int": "a number",
        "float": "a number",
        "bool": "true/false",
        "null": "an empty value",
    }.get(tag, tag)


def _text(node: Node, path: str, ctx: _Context) -> Any:
    if not isinstance(node, ScalarNode) or node.tag != _TAG + "str":
        return ctx.error(node, path, f"expected text, found {_kind(node)}")
    value: str = node.value
    for match in find_identifiers(value, allowed=identifier_allowlist()):
        ctx.error(
            node,
            path,
            f"real-looking {match.label} {match.text!r}: scenarios hold invented data only",
        )
    return value


def _bool(node: Node, path: str, ctx: _Context) -> Any:
    if not isinstance(node, ScalarNode) or node.tag != _TAG + "bool":
        return ctx.error(node, path, f"expected true or false, found {_kind(node)}")
    return node.value.lower() in {"true", "yes", "on"}


def _int(node: Node, path: str, ctx: _Context) -> Any:
    if not isinstance(node, ScalarNode) or node.tag != _TAG + "int":
        return ctx.error(node, path, f"expected a whole number, found {_kind(node)}")
    try:
        return int(node.value.replace("_", ""), 10)
    except ValueError:
        return ctx.error(node, path, f"expected a whole number, found {node.value!r}")


def _enum[E: StrEnum](enum: type[E], *, none_word: str | None = None) -> Converter:
    allowed = [e.value for e in enum]

    def convert(node: Node, path: str, ctx: _Context) -> Any:
        if isinstance(node, ScalarNode) and node.tag == _TAG + "str":
            if none_word is not None and node.value == none_word:
                return None
            if node.value in allowed:
                return enum(node.value)
            options = ", ".join(allowed + ([none_word] if none_word else []))
            return ctx.error(
                node, path, f"unknown value {node.value!r}; expected one of: {options}"
            )
        return ctx.error(node, path, f"expected one of {', '.join(allowed)}, found {_kind(node)}")

    return convert


def _offset(node: Node, path: str, ctx: _Context) -> Any:
    value = _text(node, path, ctx)
    if value is INVALID:
        return INVALID
    try:
        return Offset.parse(value)
    except ValueError as exc:
        return ctx.error(node, path, str(exc))


def _list(item: Converter) -> Converter:
    def convert(node: Node, path: str, ctx: _Context) -> Any:
        if not isinstance(node, SequenceNode):
            return ctx.error(node, path, f"expected a list, found {_kind(node)}")
        values = []
        for index, child in enumerate(node.value):
            child_path = f"{path}[{index}]"
            ctx.lines.setdefault(child_path, child.start_mark.line + 1)
            values.append(item(child, child_path, ctx))
        if any(v is INVALID for v in values):
            return INVALID
        return tuple(values)

    return convert


def _age_range(node: Node, path: str, ctx: _Context) -> Any:
    values = _list(_int)(node, path, ctx)
    if values is INVALID:
        return INVALID
    if len(values) != 2:
        return ctx.error(node, path, "expected [min, max] in whole years")
    return AgeRange(values[0], values[1])


@dataclass(frozen=True)
class _Field:
    name: str
    convert: Converter
    required: bool = True
    default: Any = None


def _mapping(fields: Sequence[_Field], build: Callable[..., Any]) -> Converter:
    by_name = {f.name: f for f in fields}

    def convert(node: Node, path: str, ctx: _Context) -> Any:
        if not isinstance(node, MappingNode):
            return ctx.error(node, path, f"expected a mapping, found {_kind(node)}")
        ctx.lines.setdefault(path, node.start_mark.line + 1)
        prefix = f"{path}." if path else ""
        values: dict[str, Any] = {}
        ok = True
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                ctx.error(key_node, path, "keys must be plain words")
                ok = False
                continue
            key = key_node.value
            key_path = f"{prefix}{key}"
            if key not in by_name:
                ctx.error(
                    key_node,
                    key_path,
                    f"unknown key {key!r}; expected one of: {', '.join(by_name)}",
                )
                ok = False
                continue
            if key in values:
                ctx.error(key_node, key_path, f"duplicate key {key!r}")
                ok = False
                continue
            ctx.lines[key_path] = key_node.start_mark.line + 1
            values[key] = by_name[key].convert(value_node, key_path, ctx)
            ok = ok and values[key] is not INVALID
        for spec in fields:
            if spec.name not in values:
                if spec.required:
                    ctx.error(node, f"{prefix}{spec.name}", f"missing required key {spec.name!r}")
                    ok = False
                else:
                    values[spec.name] = spec.default
        if not ok:
            return INVALID
        return build(**values)

    return convert


def _person_fields(extra: Sequence[_Field]) -> list[_Field]:
    return [
        _Field("id", _text),
        _Field("given_name", _text),
        _Field("family_name", _text),
        _Field("gender", _enum(Gender)),
        *extra,
        _Field("born", _offset, required=False),
        _Field("age_range", _age_range, required=False),
        _Field("communication_needs", _text),
    ]


_CHILD = _mapping(_person_fields([_Field("unborn", _bool, required=False, default=False)]), Child)
_ADULT = _mapping(
    _person_fields(
        [
            _Field("relationship", _text),
            _Field("parental_responsibility", _bool),
            _Field("lives_in_home", _bool),
        ]
    ),
    Adult,
)
_SIGNIFICANT_OTHER = _mapping(
    _person_fields(
        [
            _Field("relationship", _text),
            _Field("known_to_childrens_services", _bool),
        ]
    ),
    SignificantOther,
)
_ADDRESS = _mapping(
    [
        _Field("house", _text),
        _Field("street", _text),
        _Field("parish", _text),
        _Field("postcode", _text),
    ],
    Address,
)
_HOUSEHOLD = _mapping(
    [
        _Field("address", _ADDRESS),
        _Field("phone", _text),
        _Field("children", _list(_CHILD)),
        _Field("adults", _list(_ADULT)),
        _Field("significant_others", _list(_SIGNIFICANT_OTHER), required=False, default=()),
    ],
    Household,
)
_KEY_DATE = _mapping(
    [_Field("id", _text), _Field("label", _text), _Field("offset", _offset)], KeyDate
)
_CHRONOLOGY = _mapping([_Field("offset", _offset), _Field("text", _text)], ChronologyEntry)
_ITEM = _mapping(
    [
        _Field("id", _text),
        _Field("provenance", _enum(Provenance)),
        _Field("first_hand", _bool, required=False, default=True),
        _Field("source", _text, required=False),
        _Field("confidential", _bool, required=False, default=False),
        _Field("must_share", _bool, required=False, default=False),
        _Field("text", _text),
    ],
    PackItem,
)
_PACK = _mapping(
    [_Field("role", _enum(Role)), _Field("briefing", _text), _Field("items", _list(_ITEM))],
    RolePack,
)
_INJECT = _mapping(
    [
        _Field("id", _text),
        _Field("title", _text),
        _Field("audience", _enum(Role, none_word="all")),
        _Field("suggested_phase", _enum(SuggestedPhase)),
        _Field("text", _text),
    ],
    Inject,
)
_ANSWER_KEY = _mapping(
    [
        _Field("child_id", _text),
        _Field("level_of_need", _enum(LevelOfNeed)),
        _Field("threshold_met", _bool),
        _Field("primary_category", _enum(Category, none_word="none")),
        _Field("acceptable_secondary_categories", _list(_enum(Category))),
        _Field("outcome", _enum(PlanOutcome)),
        _Field("key_risks", _list(_text)),
        _Field("strengths", _list(_text)),
        _Field("complicating_factors", _list(_text)),
        _Field("must_reach_conference", _list(_text)),
        _Field("expected_core_group", _list(_enum(Role))),
        _Field("expected_plan_elements", _list(_text)),
        _Field("rationale", _text),
        _Field("citations", _list(_text)),
    ],
    AnswerKey,
)


def _format_marker(node: Node, path: str, ctx: _Context) -> Any:
    value = _text(node, path, ctx)
    if value is not INVALID and value != FORMAT:
        return ctx.error(node, path, f"unsupported format {value!r}; expected {FORMAT!r}")
    return value


def _build_scenario(**values: Any) -> Scenario:
    values.pop("format")
    return Scenario(**values)


_SCENARIO = _mapping(
    [
        _Field("format", _format_marker),
        _Field("slug", _text),
        _Field("title", _text),
        _Field("summary", _text),
        _Field("content_notes", _list(_text)),
        _Field("audience_level", _enum(AudienceLevel)),
        _Field("conference_type", _enum(ConferenceType)),
        _Field("key_dates", _list(_KEY_DATE)),
        _Field("household", _HOUSEHOLD),
        _Field("chronology", _list(_CHRONOLOGY)),
        _Field("role_packs", _list(_PACK)),
        _Field("injects", _list(_INJECT)),
        _Field("answer_keys", _list(_ANSWER_KEY)),
    ],
    _build_scenario,
)


def parse_scenario(
    text: str,
    *,
    file: str = "<string>",
    citation_exists: Callable[[str], bool] | None = None,
) -> tuple[Scenario | None, list[SchemaError]]:
    """Return the scenario in ``text`` and every problem found in it.

    The scenario is None whenever there is at least one error.
    """
    ctx = _Context(file)
    try:
        documents = list(yaml.compose_all(text, Loader=yaml.SafeLoader))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        message = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        return None, [SchemaError(file, line, "", f"broken YAML: {message}")]
    except yaml.YAMLError as exc:
        return None, [SchemaError(file, 1, "", f"broken YAML: {exc}")]
    documents = [d for d in documents if d is not None]
    if len(documents) != 1:
        found = "no document" if not documents else f"{len(documents)} documents"
        line = documents[1].start_mark.line + 1 if len(documents) > 1 else 1
        return None, [SchemaError(file, line, "", f"expected one YAML document, found {found}")]
    root = documents[0]
    ctx.lines[""] = root.start_mark.line + 1
    if isinstance(root, MappingNode):
        first = root.value[0][0] if root.value else None
        if not isinstance(first, ScalarNode) or first.value != "format":
            ctx.error(first or root, "format", f"the first key must be 'format: {FORMAT}'")
    scenario = _SCENARIO(root, "", ctx)
    if not isinstance(scenario, Scenario) or ctx.errors:
        return None, ctx.errors
    for problem in validate_scenario(scenario, citation_exists=citation_exists):
        ctx.errors.append(
            SchemaError(file, ctx.line_for(problem.path), problem.path, problem.message)
        )
    if ctx.errors:
        return None, ctx.errors
    return scenario, []


def load_scenario(
    text: str,
    *,
    file: str = "<string>",
    citation_exists: Callable[[str], bool] | None = None,
) -> Scenario:
    """Return the scenario in ``text``; raise ScenarioFileError if invalid."""
    scenario, errors = parse_scenario(text, file=file, citation_exists=citation_exists)
    if scenario is None:
        raise ScenarioFileError(errors)
    return scenario


def load_scenario_file(
    path: Path, *, citation_exists: Callable[[str], bool] | None = None
) -> Scenario:
    """Return the scenario stored at ``path``; raise ScenarioFileError if invalid."""
    return load_scenario(
        path.read_text(encoding="utf-8"), file=str(path), citation_exists=citation_exists
    )


def library_paths(directory: Path = DATA_DIR) -> list[Path]:
    """Return the scenario files in ``directory``, sorted by name."""
    return sorted(directory.glob("*.yaml"))


def check_library(
    paths: Iterable[Path], *, citation_exists: Callable[[str], bool] | None = None
) -> tuple[list[Scenario], list[SchemaError]]:
    """Parse every file and return the valid scenarios and all errors.

    Besides each file's own problems, a slug used by an earlier file is an
    error in the later one.
    """
    scenarios: list[Scenario] = []
    errors: list[SchemaError] = []
    owners: dict[str, str] = {}
    for path in paths:
        text = path.read_text(encoding="utf-8")
        scenario, file_errors = parse_scenario(
            text, file=str(path), citation_exists=citation_exists
        )
        errors.extend(file_errors)
        if scenario is None:
            continue
        if scenario.slug in owners:
            errors.append(
                SchemaError(
                    str(path),
                    _slug_line(text),
                    "slug",
                    f"slug {scenario.slug!r} is already used by {owners[scenario.slug]}",
                )
            )
            continue
        owners[scenario.slug] = str(path)
        scenarios.append(scenario)
    return scenarios, errors


def load_library(
    paths: Iterable[Path] | None = None,
    *,
    citation_exists: Callable[[str], bool] | None = None,
) -> list[Scenario]:
    """Return every scenario, or raise ScenarioFileError listing all errors.

    Nothing should be written to the database unless this returns.
    """
    scenarios, errors = check_library(
        library_paths() if paths is None else paths, citation_exists=citation_exists
    )
    if errors:
        raise ScenarioFileError(errors)
    return scenarios


def _slug_line(text: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("slug:"):
            return number
    return 1


# --------------------------------------------------------------------------
# Writing


class _Flow(tuple[int, ...]):
    """A short list of numbers written on one line: ``[4, 6]``."""


_PLAIN_RE = re.compile(r"^[A-Za-z0-9+\-(][A-Za-z0-9 .,:;'()/+_\-?\u00c0-\u024f]*$")
_NON_PRINTABLE_RE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff]")


def _plain_ok(value: str) -> bool:
    if not value or value != value.strip() or not _PLAIN_RE.match(value):
        return False
    if ": " in value or value.endswith(":"):
        return False
    if value.startswith("-") and not re.match(r"^-\d", value):
        return False
    try:
        return bool(yaml.safe_load(f"k: {value}") == {"k": value})
    except yaml.YAMLError:
        return False


def _foldable(value: str) -> bool:
    return (
        bool(value)
        and value == value.strip()
        and "  " not in value
        and not _NON_PRINTABLE_RE.search(value)
        and "\t" not in value
    )


def _literal_ok(value: str) -> bool:
    if "\n" not in value or value.endswith("\n") or value[0] in " \n":
        return False
    if "\t" in value or _NON_PRINTABLE_RE.search(value.replace("\n", "")):
        return False
    return all(line == line.rstrip() for line in value.split("\n"))


def _quoted(value: str) -> str:
    dumped = json.dumps(value, ensure_ascii=False)
    return _NON_PRINTABLE_RE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", dumped)


def _scalar_lines(head: str, value: object, indent: int) -> list[str]:
    """Return lines for ``head`` (``key:`` or ``-``) followed by a scalar."""
    if isinstance(value, bool):
        return [f"{head} {'true' if value else 'false'}"]
    if isinstance(value, int):
        return [f"{head} {value}"]
    if isinstance(value, _Flow):
        return [f"{head} [{', '.join(str(v) for v in value)}]"]
    if not isinstance(value, str):
        raise TypeError(f"cannot write {value!r} as a scalar")
    pad = " " * indent
    if _plain_ok(value) and len(head) + 1 + len(value) <= LINE_WIDTH:
        return [f"{head} {value}"]
    quoted = _quoted(value)
    if "\n" not in value and len(head) + 1 + len(quoted) <= LINE_WIDTH:
        return [f"{head} {quoted}"]
    if "\n" not in value and _foldable(value):
        width = max(LINE_WIDTH - indent, 40)
        body = textwrap.wrap(value, width=width, break_long_words=False, break_on_hyphens=False)
        if " ".join(body) == value:
            return [f"{head} >-", *(pad + line for line in body)]
    if _literal_ok(value):
        return [f"{head} |-", *((pad + line) if line else "" for line in value.split("\n"))]
    return [f"{head} {quoted}"]


def _emit(data: dict[str, Any], indent: int) -> list[str]:
    lines: list[str] = []
    pad = " " * indent
    for key, value in data.items():
        head = f"{pad}{key}:"
        if isinstance(value, dict):
            lines.append(head)
            lines.extend(_emit(value, indent + 2))
        elif isinstance(value, list):
            if not value:
                lines.append(f"{head} []")
                continue
            lines.append(head)
            item_pad = " " * (indent + 2)
            for item in value:
                if isinstance(item, dict):
                    inner = _emit(item, indent + 4)
                    lines.append(f"{item_pad}- {inner[0][indent + 4 :]}")
                    lines.extend(inner[1:])
                else:
                    lines.extend(_scalar_lines(f"{item_pad}-", item, indent + 4))
        else:
            lines.extend(_scalar_lines(head, value, indent + 2))
    return lines


def _person(person: Child | Adult | SignificantOther) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": person.id,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "gender": person.gender.value,
    }
    if isinstance(person, Child):
        data["unborn"] = person.unborn
    if isinstance(person, Adult):
        data["relationship"] = person.relationship
        data["parental_responsibility"] = person.parental_responsibility
        data["lives_in_home"] = person.lives_in_home
    if isinstance(person, SignificantOther):
        data["relationship"] = person.relationship
        data["known_to_childrens_services"] = person.known_to_childrens_services
    if person.born is not None:
        data["born"] = str(person.born)
    if person.age_range is not None:
        data["age_range"] = _Flow((person.age_range.min_years, person.age_range.max_years))
    data["communication_needs"] = person.communication_needs
    return data


def _item(item: PackItem) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": item.id,
        "provenance": item.provenance.value,
        "first_hand": item.first_hand,
    }
    if item.source is not None:
        data["source"] = item.source
    data["confidential"] = item.confidential
    data["must_share"] = item.must_share
    data["text"] = item.text
    return data


def scenario_to_data(scenario: Scenario) -> dict[str, Any]:
    """Return ``scenario`` as plain data in canonical key order."""
    household = scenario.household
    address = household.address
    return {
        "format": FORMAT,
        "slug": scenario.slug,
        "title": scenario.title,
        "summary": scenario.summary,
        "content_notes": list(scenario.content_notes),
        "audience_level": scenario.audience_level.value,
        "conference_type": scenario.conference_type.value,
        "key_dates": [
            {"id": k.id, "label": k.label, "offset": str(k.offset)} for k in scenario.key_dates
        ],
        "household": {
            "address": {
                "house": address.house,
                "street": address.street,
                "parish": address.parish,
                "postcode": address.postcode,
            },
            "phone": household.phone,
            "children": [_person(c) for c in household.children],
            "adults": [_person(a) for a in household.adults],
            "significant_others": [_person(o) for o in household.significant_others],
        },
        "chronology": [{"offset": str(e.offset), "text": e.text} for e in scenario.chronology],
        "role_packs": [
            {
                "role": pack.role.value,
                "briefing": pack.briefing,
                "items": [_item(i) for i in pack.items],
            }
            for pack in scenario.role_packs
        ],
        "injects": [
            {
                "id": inject.id,
                "title": inject.title,
                "audience": inject.audience.value if inject.audience else "all",
                "suggested_phase": inject.suggested_phase.value,
                "text": inject.text,
            }
            for inject in scenario.injects
        ],
        "answer_keys": [
            {
                "child_id": key.child_id,
                "level_of_need": key.level_of_need.value,
                "threshold_met": key.threshold_met,
                "primary_category": key.primary_category.value if key.primary_category else "none",
                "acceptable_secondary_categories": [
                    c.value for c in key.acceptable_secondary_categories
                ],
                "outcome": key.outcome.value,
                "key_risks": list(key.key_risks),
                "strengths": list(key.strengths),
                "complicating_factors": list(key.complicating_factors),
                "must_reach_conference": list(key.must_reach_conference),
                "expected_core_group": [r.value for r in key.expected_core_group],
                "expected_plan_elements": list(key.expected_plan_elements),
                "rationale": key.rationale,
                "citations": list(key.citations),
            }
            for key in scenario.answer_keys
        ],
    }


def dump_scenario(scenario: Scenario) -> str:
    """Return ``scenario`` as canonical YAML text (ends with a newline)."""
    return "\n".join(_emit(scenario_to_data(scenario), 0)) + "\n"
