"""Check a multi-agency report written outside a conference.

The workbook asks each delegate to write the conference report for a case on
their own. Its automatic checks are the conference's report rules (R11 to
R17), run over that one report, so that a delegate's workbook report and the
report they send to a mock conference are judged the same way and cite the
same paragraphs.

Theory of operation
-------------------
:func:`score_written_report` builds the smallest conference record the
report rules can read: one seat for the author (and the chair, which every
conference needs), the report submitted, and the meeting moved past the
chair's preparation so that a missing sharing record counts as missing
rather than "not yet". Only the rules in :data:`WRITTEN_REPORT_RULES` run;
rules about the meeting itself (timing, quorum, decisions) do not apply to a
report written on its own.

Two checks need more than a conference report holds:

- Completeness (R11). The template also has a header ("about you and the
  conference") and a sign-off, which the conference form fills in from the
  seat; a written report lists any of their fields left empty in
  ``missing_details``, and each part with a gap counts as one more empty
  section.
- Family composition (R13). The conference form does not record it, so the
  conference rule reports "not assessable"; a written report carries its
  children and parents or carers, and the check here asks for parental
  responsibility for every parent or carer and communication needs for
  every child and adult listed.

Provenance (R14, R16) is checked against the case's truth only for
statements linked to a pack item. A written report has no links, so
:func:`link_statements` links a statement to the pack item it plainly
restates (most of the words of the shorter of the two appear in the other);
statements that match no item, or more than one equally well, stay
unlinked and uncheckable.

Everything is deterministic and does no I/O; findings come back in the
order of :data:`WRITTEN_REPORT_RULES`, one per rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final

from simulations.engine.casefile import (
    Address,
    AudienceLevel,
    Household,
    PackItem,
    Scenario,
)
from simulations.engine.rules import RULES, SECTION_LABELS
from simulations.engine.scoring import (
    Evidence,
    EvidenceKind,
    Finding,
    RuleConfig,
    RuleSet,
    Subject,
    Verdict,
    build_context,
    excerpt,
)
from simulations.engine.state import (
    Child,
    ConferenceSetup,
    ConferenceState,
    Phase,
    Report,
    Statement,
)
from simulations.engine.vocabulary import ConferenceType, ReportSection, Role, writes_report

WRITTEN_REPORT_RULES: Final[tuple[str, ...]] = (
    "R11-report-sections",
    "R12-report-shared",
    "R13-family-composition",
    "R14-provenance-tags",
    "R15-second-hand-attributed",
    "R16-no-assumption-as-fact",
    "R17-worries-impact",
)
"""The report rules that judge a report on its own, in the order shown."""

LINK_THRESHOLD: Final = 0.6
"""Share of the shorter text's words a statement and a pack item must share."""
LINK_MIN_WORDS: Final = 3
"""Fewest words a statement and a pack item must share to be linked."""

_WORD_RE: Final = re.compile(r"[a-z0-9']+")
_STOP_WORDS: Final = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "she",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "were",
        "which",
        "who",
        "with",
    ]
)


@dataclass(frozen=True, kw_only=True)
class FamilyMember:
    """A child, parent or carer listed in the report's family composition.

    ``parental_responsibility`` is None for a child; for a parent or carer
    it is what the writer chose ("yes", "no", "not-known") or "" if nothing.
    """

    name: str
    communication_needs: str = ""
    parental_responsibility: str | None = None


@dataclass(frozen=True, kw_only=True)
class WrittenReport:
    """One multi-agency report, as the engine's report rules read it.

    ``sections`` holds the template's free-text sections; ``missing_details``
    maps the header and sign-off parts to the labels of their empty fields.
    """

    author: Role
    sections: Mapping[ReportSection, str] = field(default_factory=dict)
    statements: tuple[Statement, ...] = ()
    shared_with_parents: bool | None = None
    shared_with_child: bool | None = None
    reason_not_shared: str = ""
    children: tuple[FamilyMember, ...] = ()
    carers: tuple[FamilyMember, ...] = ()
    missing_details: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not writes_report(self.author):
            msg = f"{self.author} does not write a multi-agency report"
            raise ValueError(msg)


def _words(text: str) -> frozenset[str]:
    return frozenset(w for w in _WORD_RE.findall(text.lower()) if w not in _STOP_WORDS)


def link_statements(
    statements: Iterable[Statement], items: Iterable[PackItem]
) -> tuple[Statement, ...]:
    """Return ``statements``, each unlinked one linked to the item it restates.

    A statement and an item match when they share at least
    :data:`LINK_MIN_WORDS` words (leaving out short common ones) and those
    make up at least :data:`LINK_THRESHOLD` of the shorter text's words, so
    a statement that restates part of a long item still matches it. The
    statement is linked to the best match when no other item matches as
    well; statements that already carry an ``item_id`` are left alone.
    """
    vocab = [(item, _words(item.text)) for item in items]
    vocab = [(item, words) for item, words in vocab if words]
    linked: list[Statement] = []
    for statement in statements:
        said = _words(statement.text)
        if statement.item_id is not None or not said:
            linked.append(statement)
            continue
        scores = sorted(
            (
                (len(said & words) / min(len(said), len(words)), item.id)
                for item, words in vocab
                if len(said & words) >= LINK_MIN_WORDS
            ),
            reverse=True,
        )
        if (
            scores
            and scores[0][0] >= LINK_THRESHOLD
            and (len(scores) == 1 or scores[1][0] < scores[0][0])
        ):
            statement = replace(statement, item_id=scores[0][1])
        linked.append(statement)
    return tuple(linked)


def _no_casefile() -> Scenario:
    """Return an empty case: no pack items to check provenance against."""
    return Scenario(
        slug="",
        title="",
        summary="",
        content_notes=(),
        audience_level=AudienceLevel.LEVEL_3,
        conference_type=ConferenceType.INITIAL,
        key_dates=(),
        household=Household(
            address=Address(house="", street="", parish="", postcode=""),
            phone="",
            children=(),
            adults=(),
        ),
        chronology=(),
        role_packs=(),
        injects=(),
        answer_keys=(),
    )


def _record(report: WrittenReport, casefile: Scenario, submitted_at: datetime) -> ConferenceState:
    # The case's children, or else those the report lists, so that a worry
    # naming the child by name counts as being about the child.
    named = [child.name.split()[0] for child in report.children if child.name.split()]
    children = (
        tuple(Child(id=child.id, name=child.given_name) for child in casefile.household.children)
        or tuple(Child(id=f"child-{n}", name=name) for n, name in enumerate(named, 1))
        or (Child(id="child", name="the child"),)
    )
    setup = ConferenceSetup(
        room_id="written-report",
        conference_type=casefile.conference_type,
        conference_date=submitted_at.date(),
        children=children,
        seated_roles=(Role.CHAIR, report.author),
    )
    submitted = Report(
        author=report.author,
        sections=report.sections,
        statements=report.statements,
        revision=1,
        first_submitted_at=submitted_at,
        submitted_at=submitted_at,
        shared_with_parents=report.shared_with_parents,
        shared_with_child=report.shared_with_child,
        reason_not_shared=report.reason_not_shared,
    )
    # A written report is finished when it is handed in: the record stands
    # as if the meeting were over, so nothing is "not yet" assessable.
    return ConferenceState(setup=setup, phase=Phase.CLOSED, reports={report.author: submitted})


def _sections(report: WrittenReport, config: RuleConfig, finding: Finding) -> Finding:
    """Return R11 counting the header and sign-off as sections too."""
    gaps = {part: labels for part, labels in report.missing_details.items() if labels}
    if not report.missing_details or (not gaps and finding.verdict is Verdict.MET):
        return finding
    subject = Subject.role(report.author)
    empty = [s for s in ReportSection if not report.sections.get(s, "").strip()]
    total = len(ReportSection) + len(report.missing_details)
    missing = len(empty) + len(gaps)
    described = [f"'{SECTION_LABELS[s]}'" for s in empty] + [
        f"'{part}' ({', '.join(labels)})" for part, labels in gaps.items()
    ]
    verdict = Verdict.PARTLY_MET if missing * 2 <= total else Verdict.NOT_MET
    evidence = [
        *finding.evidence,
        *(Evidence(kind=EvidenceKind.REPORT, ref=f"{report.author.value}:{part}") for part in gaps),
    ]
    return config.judge(
        subject,
        verdict,
        f"You left {missing} of {total} parts of the template incomplete: {'; '.join(described)}.",
        evidence,
    )


def _family(report: WrittenReport, config: RuleConfig) -> Finding:
    """Return R13: parental responsibility and communication needs recorded."""
    subject = Subject.role(report.author)
    evidence = [Evidence(kind=EvidenceKind.REPORT, ref=f"{report.author.value}:family")]
    if not report.children or not report.carers:
        absent = _missing_people(report)
        return config.judge(
            subject,
            Verdict.NOT_MET,
            f"Your family composition lists no {absent}. Include everyone living in the "
            "family home.",
            evidence,
        )
    problems = [
        f"parental responsibility for {_name(carer)}"
        for carer in report.carers
        if not carer.parental_responsibility
    ] + [
        f"communication needs for {_name(member)}"
        for member in (*report.children, *report.carers)
        if not member.communication_needs.strip()
    ]
    if not problems:
        return config.judge(
            subject,
            Verdict.MET,
            "Your family composition records parental responsibility for each parent or "
            "carer and everyone's communication needs.",
            evidence,
        )
    people = len(report.children) + 2 * len(report.carers)
    verdict = Verdict.PARTLY_MET if len(problems) * 2 <= people else Verdict.NOT_MET
    return config.judge(
        subject,
        verdict,
        f"Your family composition does not record {'; '.join(problems)}. Say 'none known' "
        "rather than leaving communication needs blank.",
        evidence,
    )


def _missing_people(report: WrittenReport) -> str:
    if not report.children and not report.carers:
        return "children and no parents or carers"
    return "children" if not report.children else "parents or carers"


def _name(member: FamilyMember) -> str:
    return excerpt(member.name, 40) if member.name.strip() else "an unnamed person"


def score_written_report(
    *,
    report: WrittenReport,
    ruleset: RuleSet,
    submitted_at: datetime,
    casefile: Scenario | None = None,
) -> tuple[Finding, ...]:
    """Return the report rules' findings about ``report``.

    :param ruleset: supplies each rule's points and citations. Rules in
        :data:`WRITTEN_REPORT_RULES` run even when the set disables them for
        conferences (R13 is off there only because the conference form
        cannot record the family); rules the set does not name are skipped.
    :param casefile: the case the report is about, when known: its pack
        items are the truth provenance tags are checked against. Without
        one, tags cannot be checked and those rules say so.
    """
    case = casefile or _no_casefile()
    items = [item for pack in case.role_packs for item in pack.items]
    linked = replace(report, statements=link_statements(report.statements, items))
    ctx = build_context(state=_record(linked, case, submitted_at), casefile=case)
    findings: list[Finding] = []
    for rule_id in WRITTEN_REPORT_RULES:
        config = ruleset.get(rule_id)
        if config is None:
            continue
        if rule_id == "R13-family-composition":
            findings.append(_family(linked, config))
            continue
        results = RULES[rule_id].check(ctx, config)
        if rule_id == "R11-report-sections":
            results = [_sections(linked, config, finding) for finding in results]
        if rule_id == "R14-provenance-tags":
            results = [_about_the_case(finding, known=casefile is not None) for finding in results]
        findings.extend(results)
    return tuple(findings)


def _about_the_case(finding: Finding, *, known: bool) -> Finding:
    """Return R14 worded for a report written alone: no pack, but a case."""
    if not known and finding.verdict is Verdict.NOT_ASSESSABLE:
        text = (
            "This report task is not linked to a case in the scenario library, so your "
            "fact, observation, allegation and opinion tags could not be checked against "
            "the case. Your trainer will look at them."
        )
    else:
        text = finding.explanation.replace(
            "an item of your information pack", "the case's information"
        ).replace("no link to your pack", "no match in the case's information")
    return replace(finding, explanation=text)


__all__ = [
    "LINK_MIN_WORDS",
    "LINK_THRESHOLD",
    "WRITTEN_REPORT_RULES",
    "FamilyMember",
    "WrittenReport",
    "link_statements",
    "score_written_report",
]
