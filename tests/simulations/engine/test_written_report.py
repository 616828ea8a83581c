"""The report rules run over one report written outside a conference."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from simulations.engine.casefile import PackItem
from simulations.engine.ruleset import DEFAULT_RULE_SET
from simulations.engine.scoring import Finding, Verdict
from simulations.engine.state import Statement
from simulations.engine.vocabulary import Provenance, ReportSection, Role
from simulations.engine.written_report import (
    WRITTEN_REPORT_RULES,
    FamilyMember,
    WrittenReport,
    link_statements,
    score_written_report,
)
from tests.simulations.engine.scoring_helpers import rendered, report_sections, two_children_case

SUBMITTED = datetime(2025, 6, 2, 10, 0, tzinfo=UTC)
CASE = rendered(two_children_case())


def good_report(**changes: object) -> WrittenReport:
    report = WrittenReport(
        author=Role.HEALTH_VISITOR,
        sections=report_sections(CASE, Role.HEALTH_VISITOR),
        statements=(
            Statement(
                text="A&E records show three attendances in six months.",
                provenance=Provenance.FACT,
            ),
            Statement(
                text="The GP surgery reported a missed immunisation.",
                provenance=Provenance.FACT,
                second_hand=True,
                source="GP surgery records",
            ),
        ),
        shared_with_parents=True,
        shared_with_child=True,
        children=(FamilyMember(name="Jayden", communication_needs="None known."),),
        carers=(
            FamilyMember(
                name="Kerry", communication_needs="None known.", parental_responsibility="yes"
            ),
        ),
        missing_details={"About you and the conference": (), "Report completed by": ()},
    )
    return replace(report, **changes)  # type: ignore[arg-type]


def findings(report: WrittenReport, *, casefile: object = CASE) -> dict[str, Finding]:
    result = score_written_report(
        report=report,
        ruleset=DEFAULT_RULE_SET,
        submitted_at=SUBMITTED,
        casefile=casefile,  # type: ignore[arg-type]
    )
    return {finding.rule_id: finding for finding in result}


def test_a_complete_correct_report_meets_every_rule() -> None:
    result = findings(good_report())
    assert list(result) == list(WRITTEN_REPORT_RULES)
    assert {rule: f.verdict for rule, f in result.items()} == dict.fromkeys(
        WRITTEN_REPORT_RULES, Verdict.MET
    )
    assert all(f.citations for f in result.values())


def test_family_composition_is_checked_although_the_conference_set_disables_it() -> None:
    assert DEFAULT_RULE_SET.get("R13-family-composition").enabled is False  # type: ignore[union-attr]
    assert findings(good_report())["R13-family-composition"].verdict is Verdict.MET


@pytest.mark.parametrize(
    ("changes", "rule_id", "verdict", "words"),
    [
        (
            {"sections": {ReportSection.WORRIES: "Dad shouts."}},
            "R11-report-sections",
            Verdict.NOT_MET,
            "10 of 13",
        ),
        (
            {"missing_details": {"Report completed by": ("Signature",)}},
            "R11-report-sections",
            Verdict.PARTLY_MET,
            "'Report completed by' (Signature)",
        ),
        (
            {"shared_with_parents": False, "shared_with_child": False},
            "R12-report-shared",
            Verdict.NOT_MET,
            "gave no reason",
        ),
        (
            {"shared_with_parents": None, "shared_with_child": None},
            "R12-report-shared",
            Verdict.NOT_MET,
            "did not record",
        ),
        (
            {
                "carers": (
                    FamilyMember(name="Kerry", communication_needs="", parental_responsibility=""),
                )
            },
            "R13-family-composition",
            Verdict.NOT_MET,
            "parental responsibility for 'Kerry'",
        ),
        ({"carers": ()}, "R13-family-composition", Verdict.NOT_MET, "no parents or carers"),
        (
            {
                "statements": (
                    Statement(
                        text="A&E records show three attendances in six months.",
                        provenance=Provenance.OPINION,
                    ),
                )
            },
            "R14-provenance-tags",
            Verdict.NOT_MET,
            "as an opinion; it is a fact",
        ),
        (
            {
                "statements": (
                    Statement(
                        text="The GP surgery reported a missed immunisation.",
                        provenance=Provenance.FACT,
                    ),
                )
            },
            "R15-second-hand-attributed",
            Verdict.NOT_MET,
            "second-hand information",
        ),
        (
            {"statements": (Statement(text="Dad probably hit him.", provenance=Provenance.FACT),)},
            "R16-no-assumption-as-fact",
            Verdict.PARTLY_MET,
            "'probably'",
        ),
        (
            {
                "sections": {
                    **report_sections(CASE, Role.HEALTH_VISITOR),
                    ReportSection.WORRIES: "Dad shouts.",
                }
            },
            "R17-worries-impact",
            Verdict.NOT_MET,
            "what they mean for the child",
        ),
    ],
)
def test_each_rule_fails_a_report_that_breaks_it(
    changes: dict[str, object], rule_id: str, verdict: Verdict, words: str
) -> None:
    finding = findings(good_report(**changes))[rule_id]
    assert finding.verdict is verdict
    assert words in finding.explanation


def test_without_a_case_tags_cannot_be_checked() -> None:
    result = findings(good_report(), casefile=None)
    assert result["R14-provenance-tags"].verdict is Verdict.NOT_ASSESSABLE
    assert "not linked to a case" in result["R14-provenance-tags"].explanation
    assert result["R11-report-sections"].verdict is Verdict.MET
    # The children the report lists stand in for the case's, by name.
    assert result["R17-worries-impact"].verdict is Verdict.PARTLY_MET
    both = (FamilyMember(name="Jayden Le Brun"), FamilyMember(name="Mia Le Brun"))
    listed = findings(good_report(children=both), casefile=None)
    assert listed["R17-worries-impact"].verdict is Verdict.MET


def test_statements_link_to_the_item_they_restate_and_only_then() -> None:
    items = (
        PackItem(
            id="a",
            text="Neighbours complain of shouting at night.",
            provenance=Provenance.ALLEGATION,
        ),
        PackItem(
            id="b",
            text="There was a lock high up on the outside of the bedroom door. Mum told "
            "me it was to keep him out in the day, and that the health visitor advised it.",
            provenance=Provenance.OBSERVATION,
        ),
    )
    statements = (
        Statement(
            text="Neighbours have complained of shouting at night", provenance=Provenance.FACT
        ),
        Statement(text="Mum said the health visitor advised the lock.", provenance=Provenance.FACT),
        Statement(text="Something else entirely.", provenance=Provenance.FACT),
        Statement(text="At night.", provenance=Provenance.FACT),
        Statement(text="Bruising", provenance=Provenance.FACT, item_id="kept"),
    )
    linked = link_statements(statements, items)
    assert [s.item_id for s in linked] == ["a", "b", None, None, "kept"]


def test_unmatched_statements_are_described_against_the_case_not_a_pack() -> None:
    report = good_report(
        statements=(Statement(text="Something nobody recorded.", provenance=Provenance.FACT),)
    )
    explanation = findings(report)["R14-provenance-tags"].explanation
    assert "the case's information" in explanation and "pack" not in explanation


def test_a_statement_matching_two_items_equally_stays_unlinked() -> None:
    items = tuple(
        PackItem(id=i, text="Shouting heard at night by neighbours.", provenance=Provenance.FACT)
        for i in ("a", "b")
    )
    statement = Statement(text="Neighbours heard shouting at night.", provenance=Provenance.FACT)
    assert link_statements([statement], items)[0].item_id is None


def test_an_author_who_writes_no_report_is_refused() -> None:
    with pytest.raises(ValueError, match="does not write"):
        WrittenReport(author=Role.CHAIR)
