"""The rule set as data: which rules run, their points and their citations.

A rule set is versioned so that a scorecard always says what it was scored
against, and re-scoring a stored conference with a new version is a choice,
not an accident. The default set lives here as plain data (the same shape
:func:`ruleset_from_dict` reads, so it can be exported, edited and loaded
back); :func:`ruleset_from_dict` refuses, with every problem listed, a set
that names an unknown rule, repeats a rule, weights one impossibly or cites
something that is not a paragraph key. The Django loader passes a
``citation_exists`` resolver so that a citation which does not resolve to a
guidance or workbook paragraph is refused at load time too;
:func:`ruleset_citations` lists the keys for it to check.

Citations are ``guidance:procedures-summary:para-N`` keys into Threshold's
demonstration summary of the procedures (``content/demo/README.md`` maps its
paragraphs). Points follow one scale: 1 for a simple record-keeping step, 2
for most checks, 3 or 4 where the procedures put the weight (the decision,
information sharing, confidentiality, report quality).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final

from simulations.engine.casefile import citation_is_well_formed
from simulations.engine.rules import RULES
from simulations.engine.scoring import RuleConfig, RuleSet

DEFAULT_VERSION: Final = "2026.1"

_G: Final = "guidance:procedures-summary:para-"


def _cite(*paragraphs: int) -> list[str]:
    return [f"{_G}{n}" for n in paragraphs]


DEFAULT_RULE_SET_DATA: Final[Mapping[str, Any]] = {
    "version": DEFAULT_VERSION,
    "rules": [
        # Recommendations and decisions.
        {"rule_id": "R01-level-of-need", "points": 2, "citations": _cite(8, 71)},
        {
            "rule_id": "R02-threshold",
            "points": 3,
            "partial_points": 1,
            "citations": _cite(15, 71),
        },
        {
            "rule_id": "R03-primary-category",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(23, 71),
        },
        {
            "rule_id": "R04-secondary-categories",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(23),
        },
        {
            "rule_id": "R05-decision-outcome",
            "points": 4,
            "partial_points": 2,
            "citations": _cite(74, 75),
        },
        {
            "rule_id": "R06-decision-category",
            "points": 3,
            "partial_points": 1,
            "citations": _cite(23, 74),
        },
        {
            "rule_id": "R07-decision-secondary-categories",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(23),
        },
        {
            "rule_id": "R08-dissent-recorded",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(76),
        },
        # Reports.
        {"rule_id": "R09-report-on-time", "points": 2, "citations": _cite(38, 60)},
        {"rule_id": "R10-report-submitted", "points": 2, "citations": _cite(43, 46)},
        {
            "rule_id": "R11-report-sections",
            "points": 3,
            "partial_points": 1,
            "citations": _cite(47),
        },
        {"rule_id": "R12-report-shared", "points": 2, "citations": _cite(56)},
        # No report field records family composition yet: off until one does.
        {
            "rule_id": "R13-family-composition",
            "points": 1,
            "citations": _cite(47),
            "enabled": False,
        },
        {
            "rule_id": "R14-provenance-tags",
            "points": 3,
            "partial_points": 1,
            "citations": _cite(49, 50, 51, 52, 53),
        },
        {
            "rule_id": "R15-second-hand-attributed",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(54),
        },
        {
            "rule_id": "R16-no-assumption-as-fact",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(55),
        },
        {
            "rule_id": "R17-worries-impact",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(48),
        },
        {
            "rule_id": "R18-confidential-handled",
            "points": 3,
            "partial_points": 1,
            "citations": _cite(57),
        },
        {
            "rule_id": "R19-must-share",
            "points": 3,
            "partial_points": 1,
            "citations": _cite(58, 65),
        },
        {
            "rule_id": "R20-impact-stated",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(65, 48),
        },
        # The meeting.
        {"rule_id": "R21-conference-timescale", "points": 2, "citations": _cite(37, 36)},
        {"rule_id": "R22-quorum", "points": 2, "citations": _cite(41, 42)},
        {
            "rule_id": "R23-chair-read-reports",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(60),
        },
        {"rule_id": "R24-family-met", "points": 1, "citations": _cite(63)},
        {
            "rule_id": "R25-opening",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(64),
        },
        {
            "rule_id": "R26-information-before-views",
            "points": 2,
            "citations": _cite(59, 65, 66),
        },
        {
            "rule_id": "R27-summary-before-recommendations",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(68, 69),
        },
        {"rule_id": "R28-exclusion-reason", "points": 1, "citations": _cite(44, 67)},
        {"rule_id": "R29-voice-of-child", "points": 2, "citations": _cite(83, 86)},
        {"rule_id": "R30-parents-views", "points": 1, "citations": _cite(66)},
        {
            "rule_id": "R31-must-reach-conference",
            "points": 3,
            "partial_points": 1,
            "citations": _cite(40, 58),
        },
        # The decision record and the plan.
        {
            "rule_id": "R32-decision-record-complete",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(74),
        },
        {"rule_id": "R33-lead-social-worker", "points": 1, "citations": _cite(77)},
        {"rule_id": "R34-first-core-group", "points": 2, "citations": _cite(39)},
        {
            "rule_id": "R35-core-group-covers-owners",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(78),
        },
        {
            "rule_id": "R36-core-group-expected",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(78),
        },
        {"rule_id": "R37-contingency-plan", "points": 1, "citations": _cite(82)},
        {
            "rule_id": "R38-plan-rows-complete",
            "points": 2,
            "partial_points": 1,
            "citations": _cite(80),
        },
        {"rule_id": "R39-seen-alone", "points": 1, "citations": _cite(79, 81)},
    ],
}
"""The default rule set, as data."""


class RuleSetError(ValueError):
    """Raise when rule set data cannot be used; ``problems`` lists why."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid rule set:\n" + "\n".join(f"- {p}" for p in problems))


_RULE_FIELDS: Final = frozenset({"rule_id", "points", "partial_points", "citations", "enabled"})


def _whole(value: object) -> int | None:
    """Return ``value`` if it is a whole number of 0 or more, else None."""
    # type() rather than isinstance(): a JSON true is not a number of points.
    return value if type(value) is int and value >= 0 else None


def ruleset_from_dict(
    data: Mapping[str, Any], *, citation_exists: Callable[[str], bool] | None = None
) -> RuleSet:
    """Return the rule set ``data`` describes; raise RuleSetError listing every problem.

    :param citation_exists: when given, a citation key it rejects is a
        problem too (the Django loader passes its paragraph resolver).
    """
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise RuleSetError(["a rule set must be an object with 'version' and 'rules'"])
    unknown_top = sorted(set(data) - {"version", "rules"})
    if unknown_top:
        problems.append(f"unknown field(s) {', '.join(unknown_top)}")
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        problems.append("'version' must be a non-empty string")
    raw_rules = data.get("rules")
    if not isinstance(raw_rules, list) or not raw_rules:
        problems.append("'rules' must be a non-empty list")
        raw_rules = []
    rules: list[RuleConfig] = []
    seen: set[str] = set()
    for index, raw in enumerate(raw_rules):
        path = f"rules[{index}]"
        if not isinstance(raw, Mapping):
            problems.append(f"{path}: expected an object")
            continue
        config = _rule_from_dict(raw, path, problems, seen, citation_exists)
        if config is not None:
            rules.append(config)
    if problems:
        raise RuleSetError(problems)
    return RuleSet(version=str(version), rules=tuple(rules))


def _rule_from_dict(
    raw: Mapping[str, Any],
    path: str,
    problems: list[str],
    seen: set[str],
    citation_exists: Callable[[str], bool] | None,
) -> RuleConfig | None:
    before = len(problems)
    unknown = sorted(set(raw) - _RULE_FIELDS)
    if unknown:
        problems.append(f"{path}: unknown field(s) {', '.join(unknown)}")
    rule_id = raw.get("rule_id")
    if not isinstance(rule_id, str):
        problems.append(f"{path}.rule_id: expected a rule id such as 'R01-level-of-need'")
    elif rule_id not in RULES:
        problems.append(
            f"{path}.rule_id: unknown rule {rule_id!r}; this engine knows "
            f"{', '.join(sorted(RULES))}"
        )
    elif rule_id in seen:
        problems.append(f"{path}.rule_id: rule {rule_id!r} is listed twice")
    else:
        seen.add(rule_id)
    points = _whole(raw.get("points"))
    partial = _whole(raw.get("partial_points", 0))
    if points is None:
        problems.append(f"{path}.points: expected a whole number of points, 0 or more")
    elif partial is None or partial > points:
        problems.append(f"{path}.partial_points: expected a whole number from 0 to {points}")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append(f"{path}.enabled: expected true or false")
    citations = raw.get("citations", [])
    if not isinstance(citations, list) or not all(isinstance(c, str) for c in citations):
        problems.append(f"{path}.citations: expected a list of citation keys")
        citations = []
    elif not citations:
        problems.append(f"{path}.citations: a rule must cite at least one paragraph")
    for number, key in enumerate(citations):
        if not citation_is_well_formed(key):
            problems.append(
                f"{path}.citations[{number}]: {key!r} is not a guidance:<slug>:para-N or "
                "workbook:<slug>:<block-id> key"
            )
        elif citation_exists is not None and not citation_exists(key):
            problems.append(f"{path}.citations[{number}]: {key!r} does not resolve")
    if len(problems) > before or points is None or partial is None:
        return None
    return RuleConfig(
        rule_id=str(rule_id),
        points=points,
        partial_points=partial,
        citations=tuple(citations),
        enabled=bool(enabled),
    )


def ruleset_to_dict(ruleset: RuleSet) -> dict[str, Any]:
    """Return ``ruleset`` as the data :func:`ruleset_from_dict` reads."""
    return {
        "version": ruleset.version,
        "rules": [
            {
                "rule_id": config.rule_id,
                "points": config.points,
                "partial_points": config.partial_points,
                "citations": list(config.citations),
                "enabled": config.enabled,
            }
            for config in ruleset.rules
        ],
    }


def ruleset_citations(ruleset: RuleSet) -> frozenset[str]:
    """Return every citation key the rule set uses, for a resolver to check."""
    return frozenset(key for config in ruleset.rules for key in config.citations)


def unresolved_citations(
    ruleset: RuleSet, citation_exists: Callable[[str], bool]
) -> tuple[str, ...]:
    """Return the rule set's citation keys ``citation_exists`` rejects, sorted."""
    return tuple(sorted(key for key in ruleset_citations(ruleset) if not citation_exists(key)))


DEFAULT_RULE_SET: Final[RuleSet] = ruleset_from_dict(DEFAULT_RULE_SET_DATA)
"""The rule set new conferences are scored against."""
