"""Handing in the conference report, its checks, marking, moderation and release."""

from __future__ import annotations

import pytest

from assessments import marking_services as marking
from assessments.marking_services import MarkingRefused, RubricMarks
from assessments.models import (
    CriterionMark,
    MarkingLogEntry,
    MarkingRubric,
    MarkingStatus,
    ReportSubmission,
)
from simulations.engine.vocabulary import ReportSection, Role
from simulations.engine.written_report import WRITTEN_REPORT_RULES
from tests.assessments.marking_helpers import all_marks, complete_report, hand_in, trainer
from tests.assessments.test_workbook_helpers import guidance_scheme, person, small_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    with guidance_scheme():
        workbook, first, second = small_workbook()
        yield workbook, second, person("amira"), trainer("tess"), trainer("tom")


def test_the_default_rubric_is_seeded_once_with_cited_criteria(setup) -> None:  # type: ignore[no-untyped-def]
    rubric = marking.rubric_default_ensure()
    assert marking.rubric_default_ensure() == rubric
    assert MarkingRubric.objects.count() == 1
    assert rubric.criteria.count() == 6 and rubric.levels.count() == 4
    assert all(criterion.citation_keys for criterion in rubric.criteria.all())


def test_the_stored_answer_becomes_the_engines_report() -> None:
    report = marking.written_report_from_answer(complete_report())
    assert report.author is Role.HEALTH_VISITOR
    assert report.sections[ReportSection.WORRIES].startswith("Jayden has repeated bruises")
    assert "Met" in report.sections[ReportSection.VIEW_ON_THRESHOLD]
    assert report.shared_with_parents is True and report.shared_with_child is True
    assert report.carers[0].parental_responsibility == "yes"
    assert report.missing_details == {
        "About you and the conference": (),
        "Report completed by": (),
    }
    assert [s.provenance.value for s in report.statements] == ["observation", "observation"]


def test_empty_header_fields_and_no_sharing_record_are_carried_over() -> None:
    value = complete_report(**{"sign_off.signature": "", "sharing.shared_with_parents": ""})
    value["fields"]["sharing.shared_with_young_person"] = ""
    report = marking.written_report_from_answer(value)
    assert report.missing_details["Report completed by"] == ("Signature",)
    assert report.shared_with_parents is None


@pytest.mark.parametrize(
    ("agency", "role"),
    [
        ("Children's Social Care", Role.LEAD_SOCIAL_WORKER),
        ("St Saviour's School", Role.DESIGNATED_TEACHER),
        ("States of Jersey Police", Role.POLICE),
        ("Somewhere else", Role.HEALTH_VISITOR),
    ],
)
def test_the_agency_chooses_the_role(agency: str, role: Role) -> None:
    assert marking.author_role(agency) is role


def test_submitting_the_chapter_hands_the_report_in_with_findings(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, chapter, amira, _, _ = setup
    submission = hand_in(amira, workbook, chapter)
    assert submission.status == MarkingStatus.AWAITING
    assert submission.report["fields"]["about.agency"] == "Health visiting service"
    assert [f["rule_id"] for f in submission.findings] == list(WRITTEN_REPORT_RULES)
    verdicts = {f["rule_id"]: f["verdict"] for f in submission.findings}
    assert verdicts["R11-report-sections"] == "met"
    assert verdicts["R13-family-composition"] == "met"
    assert verdicts["R17-worries-impact"] == "met"
    # No scenario is loaded, so tags cannot be checked against a case.
    assert verdicts["R14-provenance-tags"] == "not_assessable"
    assert all(f["explanation"] and f["citations"] for f in submission.findings)
    assert submission.log_entries.get().action == MarkingLogEntry.Action.SUBMITTED


def test_a_poor_report_gets_failing_findings(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, chapter, amira, _, _ = setup
    value = complete_report(**{"sharing.shared_with_parents": ""})
    value["fields"]["sharing.shared_with_young_person"] = ""
    value["fields"]["sharing.not_shared_reason"] = ""
    value["tables"]["carers"][0]["parental_responsibility"] = ""
    value["statements"]["worries"] = [{"text": "Mum shouts.", "tag": "fact"}]
    submission = hand_in(amira, workbook, chapter, value)
    verdicts = {f["rule_id"]: f["verdict"] for f in submission.findings}
    assert verdicts["R12-report-shared"] == "not_met"
    assert verdicts["R13-family-composition"] in {"partly_met", "not_met"}
    assert verdicts["R17-worries-impact"] == "not_met"


def test_a_chapter_without_a_report_answer_hands_nothing_in(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, chapter, amira, _, _ = setup
    from assessments import services

    services.chapter_submit(user=amira, chapter=chapter, workbook=workbook)
    assert not ReportSubmission.objects.exists()


def test_resubmitting_before_marking_replaces_and_after_adds(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, chapter, amira, tess, _ = setup
    first = hand_in(amira, workbook, chapter)
    again = hand_in(amira, workbook, chapter, complete_report(**{"about.name": "Amira T"}))
    assert again.pk == first.pk and again.report["fields"]["about.name"] == "Amira T"
    marking.marking_save(
        submission_id=first.pk, marker=tess, marks=all_marks(first), complete=False
    )
    third = hand_in(amira, workbook, chapter)
    assert third.pk != first.pk
    assert ReportSubmission.objects.count() == 2


def test_draft_then_mark_then_moderate_then_release(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, chapter, amira, tess, tom = setup
    submission = hand_in(amira, workbook, chapter)
    partial = all_marks(submission)
    first_criterion = next(iter(partial.levels))
    draft = RubricMarks(levels={first_criterion: partial.levels[first_criterion]}, comments={})
    marking.marking_save(submission_id=submission.pk, marker=tess, marks=draft, complete=False)
    submission.refresh_from_db()
    assert submission.status == MarkingStatus.DRAFT and submission.criterion_marks.count() == 1

    marking.marking_save(
        submission_id=submission.pk,
        marker=tess,
        marks=all_marks(submission, comment="Good."),
        complete=True,
    )
    submission.refresh_from_db()
    assert submission.status == MarkingStatus.MARKED and submission.marker == tess
    assert submission.marked_at is not None

    marking.marking_moderate(
        submission_id=submission.pk,
        moderator=tom,
        outcome="changed",
        reason="Worries need more on impact.",
        marks=all_marks(submission, level=2),
    )
    submission.refresh_from_db()
    assert submission.moderator == tom and submission.moderation == "changed"
    assert {m.level.order for m in submission.criterion_marks.all()} == {2}
    moderated = submission.log_entries.get(action=MarkingLogEntry.Action.MODERATED)
    assert moderated.actor == tom and "Worries need more" in moderated.note
    assert moderated.marks["before"] != moderated.marks["after"]

    marking.marking_release(submission_id=submission.pk, user=tom)
    submission.refresh_from_db()
    assert submission.status == MarkingStatus.RELEASED
    assert submission.released_by == tom and submission.released_at is not None


def refused(call, *args, **kwargs) -> str:  # type: ignore[no-untyped-def]
    with pytest.raises(MarkingRefused) as error:
        call(*args, **kwargs)
    return error.value.message


def test_out_of_turn_steps_are_refused_and_change_nothing(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, chapter, amira, tess, tom = setup
    submission = hand_in(amira, workbook, chapter)
    assert "not been marked" in refused(
        marking.marking_release, submission_id=submission.pk, user=tess
    )
    assert "finished mark" in refused(
        marking.marking_moderate, submission_id=submission.pk, moderator=tom, outcome="agreed"
    )
    marking.marking_save(
        submission_id=submission.pk, marker=tess, marks=all_marks(submission), complete=True
    )
    assert "Moderation needs a second trainer" in refused(
        marking.marking_moderate, submission_id=submission.pk, moderator=tess, outcome="agreed"
    )
    assert "Give a reason" in refused(
        marking.marking_moderate,
        submission_id=submission.pk,
        moderator=tom,
        outcome="changed",
        marks=all_marks(submission, level=1),
    )
    marking.marking_release(submission_id=submission.pk, user=tess)
    before = list(CriterionMark.objects.values_list("pk", "level_id", "comment"))
    assert "released" in refused(
        marking.marking_save,
        submission_id=submission.pk,
        marker=tom,
        marks=all_marks(submission, level=1),
        complete=False,
    )
    assert "released" in refused(
        marking.marking_moderate, submission_id=submission.pk, moderator=tom, outcome="agreed"
    )
    assert "already been released" in refused(
        marking.marking_release, submission_id=submission.pk, user=tom
    )
    assert list(CriterionMark.objects.values_list("pk", "level_id", "comment")) == before


def test_marking_your_own_report_is_refused(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, chapter, _, tess, _ = setup
    submission = hand_in(tess, workbook, chapter)
    assert "your own report" in refused(
        marking.marking_save,
        submission_id=submission.pk,
        marker=tess,
        marks=all_marks(submission),
        complete=True,
    )
    submission.refresh_from_db()
    assert submission.status == MarkingStatus.AWAITING


def test_a_delegate_cannot_mark(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, chapter, amira, _, _ = setup
    other = person("ben")
    submission = hand_in(amira, workbook, chapter)
    assert "Only trainers" in refused(
        marking.marking_save,
        submission_id=submission.pk,
        marker=other,
        marks=all_marks(submission),
        complete=False,
    )


def test_incomplete_or_foreign_marks_are_refused(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, chapter, amira, tess, _ = setup
    submission = hand_in(amira, workbook, chapter)
    marks = all_marks(submission)
    some = RubricMarks(levels=dict(list(marks.levels.items())[:2]), comments={})
    assert "every criterion" in refused(
        marking.marking_save, submission_id=submission.pk, marker=tess, marks=some, complete=True
    )
    foreign = RubricMarks(levels={**marks.levels, 999_999: 1}, comments={})
    assert "not in this rubric" in refused(
        marking.marking_save,
        submission_id=submission.pk,
        marker=tess,
        marks=foreign,
        complete=False,
    )
    submission.refresh_from_db()
    assert submission.status == MarkingStatus.AWAITING
    assert not submission.criterion_marks.exists()


def test_tags_are_checked_against_the_case_the_task_names(setup) -> None:  # type: ignore[no-untyped-def]
    from io import StringIO

    from django.core.management import call_command

    workbook, chapter, amira, _, _ = setup
    call_command("load_scenarios", stdout=StringIO())
    value = complete_report()
    value["statements"]["observations"].append(
        {
            "text": "There was a lock high up on the outside of Jayden's bedroom door.",
            "tag": "opinion",
        }
    )
    submission = hand_in(amira, workbook, chapter, value)
    assert submission.scenario_slug == "jayden-physical-abuse"
    tags = next(f for f in submission.findings if f["rule_id"] == "R14-provenance-tags")
    assert tags["verdict"] == "not_met"
    assert "as an opinion; it is an observation" in tags["explanation"]


def test_a_moderator_who_agrees_leaves_the_marks_and_is_recorded(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, chapter, amira, tess, tom = setup
    submission = hand_in(amira, workbook, chapter)
    marking.marking_save(
        submission_id=submission.pk, marker=tess, marks=all_marks(submission), complete=True
    )
    before = list(CriterionMark.objects.values_list("criterion_id", "level_id"))
    marking.marking_moderate(
        submission_id=submission.pk,
        moderator=tom,
        outcome="agreed",
        marks=all_marks(submission, level=1),  # ignored when agreeing
    )
    submission.refresh_from_db()
    assert submission.moderation == "agreed" and submission.moderated_at is not None
    assert list(CriterionMark.objects.values_list("criterion_id", "level_id")) == before
    assert "already been moderated" in refused(
        marking.marking_moderate, submission_id=submission.pk, moderator=tom, outcome="agreed"
    )


def test_the_default_rubric_cites_paragraphs_of_the_procedures_summary() -> None:
    from simulations.engine.casefile import citation_is_well_formed

    keys = [key for _, _, cited in marking.DEFAULT_RUBRIC["criteria"] for key in cited]
    assert keys and all(citation_is_well_formed(key) for key in keys)
    # The demo summary numbers its paragraphs 1 to 89 (content/demo/README.md).
    assert all(1 <= int(key.rsplit("-", 1)[1]) <= 89 for key in keys)


def test_a_released_mark_becomes_evidence_for_the_report_competency(setup) -> None:  # type: ignore[no-untyped-def]
    from assessments.models import Competency, CompetencyMapping, Evidence, MappingSource

    workbook, chapter, amira, tess, tom = setup
    submission = hand_in(amira, workbook, chapter)
    report = Competency.objects.create(code="report", title="Write a conference report")
    CompetencyMapping.objects.create(
        competency=report,
        source=MappingSource.REPORT_TASK,
        ref=f"{chapter.pk}:{submission.block_id}",
    )
    marking.marking_save(
        submission_id=submission.pk,
        marker=tess,
        marks=all_marks(submission, level=2),
        complete=True,
    )
    assert not Evidence.objects.filter(kind="report_marked").exists()  # not before release
    marking.marking_release(submission_id=submission.pk, user=tess)
    evidence = Evidence.objects.get(kind="report_marked", user=amira)
    top = max(level.points for level in submission.rubric.levels.all())
    level_two = submission.rubric.levels.get(order=2).points
    assert evidence.score_percent == round(100 * level_two / top)
    assert evidence.recorded_by == tess and list(evidence.competencies.all()) == [report]
