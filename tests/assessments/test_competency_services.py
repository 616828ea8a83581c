"""The framework and its evidence: seeding, mapping, immutability, uploads."""

from __future__ import annotations

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.models import PlatformRole
from assessments import competency_selectors as selectors
from assessments import competency_services as services
from assessments import services as workbook_services
from assessments.models import (
    AuditLog,
    Competency,
    CompetencyMapping,
    Evidence,
    EvidenceLocked,
    EvidenceState,
    MappingSource,
)
from assessments.rules import Status
from content.blocks import QuizOutcome
from tests.assessments.competency_helpers import competent, framework, member, teams
from tests.assessments.test_workbook_helpers import guidance_scheme, person, small_workbook

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"


def test_seed_competencies_is_idempotent_and_has_a_dry_run() -> None:
    out = StringIO()
    call_command("seed_competencies", dry_run=True, stdout=out)
    assert "Would create 12 competencies" in out.getvalue()
    assert Competency.objects.count() == 0
    call_command("seed_competencies", stdout=StringIO())
    counts = (Competency.objects.count(), CompetencyMapping.objects.count())
    call_command("seed_competencies", stdout=(out := StringIO()))
    assert (Competency.objects.count(), CompetencyMapping.objects.count()) == counts
    assert "Created 0 competencies and 0 mappings" in out.getvalue()
    assert counts[0] == 12
    objective = Competency.objects.get(code="obj-write-report")
    assert objective.parent.code == "l3-conference-report"
    assert CompetencyMapping.objects.filter(
        source=MappingSource.CONFERENCE_RULE, ref__startswith="R01", competency__code="l3-decisions"
    ).exists()


def test_seed_maps_the_demo_workbook_chapters() -> None:
    call_command("seed_pages", stdout=StringIO())
    call_command("seed_workbook", stdout=StringIO())
    call_command("seed_competencies", stdout=StringIO())
    assert CompetencyMapping.objects.filter(
        source=MappingSource.WORKBOOK_CHAPTER, competency__code="obj-write-report"
    ).exists()


def test_released_evidence_cannot_be_changed_or_deleted() -> None:
    outcome = framework()
    user = person("amira")
    evidence = competent(user, outcome, date(2026, 1, 5))[0]
    assert evidence.released_at is not None
    evidence.title = "Something else"
    with pytest.raises(EvidenceLocked):
        evidence.save()
    with pytest.raises(EvidenceLocked):
        evidence.delete()
    with pytest.raises(EvidenceLocked):
        Evidence.objects.filter(user=user).delete()
    with pytest.raises(EvidenceLocked):
        Evidence.objects.filter(user=user).update(title="x")
    assert Evidence.objects.get(pk=evidence.pk).title == "workbook_chapter"


def test_recording_the_same_source_twice_keeps_one_record() -> None:
    outcome = framework()
    user = person("amira")
    first = competent(user, outcome, date(2026, 1, 5))
    again = competent(user, outcome, date(2026, 1, 5))
    assert [e.pk for e in first] == [e.pk for e in again]
    assert Evidence.objects.count() == 4


def test_a_competency_with_evidence_cannot_be_deleted() -> None:
    outcome = framework()
    assert services.competency_delete_problem(outcome) is None
    competent(person("amira"), outcome, date(2026, 1, 5))
    problem = services.competency_delete_problem(outcome)
    assert problem is not None and "orphaned" in problem and "Is active" in problem
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        outcome.delete()


def test_admin_delete_of_a_cited_competency_is_refused_with_a_message(client) -> None:  # type: ignore[no-untyped-def]
    outcome = framework()
    competent(person("amira"), outcome, date(2026, 1, 5))
    admin = member("root", None, PlatformRole.ADMIN, is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = f"/admin/snippets/assessments/competency/delete/{outcome.pk}/"
    response = client.post(url, follow=True)
    assert Competency.objects.filter(pk=outcome.pk).exists()
    assert "orphaned" in response.content.decode()
    assert AuditLog.objects.filter(action="framework", actor=admin).exists()


def test_admin_can_edit_the_framework(client) -> None:  # type: ignore[no-untyped-def]
    framework()
    admin = member("root", None, PlatformRole.ADMIN, is_superuser=True, is_staff=True)
    client.force_login(admin)
    response = client.get("/admin/snippets/assessments/competency/")
    assert response.status_code == 200
    assert "Take part in conferences" in response.content.decode()


def test_a_submitted_chapter_and_a_passed_quiz_become_evidence() -> None:
    with guidance_scheme():
        workbook, first, _ = small_workbook()
        amira = person("amira")
        outcome = framework()
        objective = Competency.objects.create(
            code="obj-test", title="Objective", kind="objective", parent=outcome
        )
        CompetencyMapping.objects.create(
            competency=objective, source=MappingSource.WORKBOOK_CHAPTER, ref=str(first.pk)
        )
        workbook_services.chapter_submit(user=amira, chapter=first, workbook=workbook)
        workbook_services.chapter_submit(user=amira, chapter=first, workbook=workbook)
        chapter_evidence = Evidence.objects.get(user=amira, kind="workbook_chapter")
        assert set(chapter_evidence.competencies.values_list("code", flat=True)) == {
            "obj-test",
            "l3-test",
        }
        wrong = QuizOutcome(is_correct=False, score=0, out_of=2, items=(), summary="")
        right = QuizOutcome(is_correct=True, score=2, out_of=2, items=(), summary="")
        for outcome_ in (wrong, right, right):
            workbook_services.quiz_attempt_record(
                user=amira, page=first, block_id="quiz", response={}, outcome=outcome_, structure=""
            )
        quiz = Evidence.objects.get(user=amira, kind="quiz_passed")
        assert quiz.score_percent == 100


def test_an_unmapped_chapter_records_nothing() -> None:
    with guidance_scheme():
        workbook, first, _ = small_workbook()
        workbook_services.chapter_submit(user=person("amira"), chapter=first, workbook=workbook)
    assert not Evidence.objects.exists()


def test_seminar_and_conference_evidence_carry_hours_role_and_score() -> None:
    call_command("seed_competencies", stdout=StringIO())
    amira = person("amira")
    seminar = services.seminar_attendance_record(
        user=amira, seminar_id=4, title="November", cohort="", on=date(2026, 11, 2)
    )
    assert (seminar.cpd_hours, seminar.participatory) == (3, True)
    assert list(seminar.competencies.values_list("code", flat=True)) == ["l3-meetings"]
    played = services.conference_evidence_record(
        user=amira,
        room_id=9,
        seminar_title="November",
        on=date(2026, 11, 2),
        role="health_visitor",
        points=30,
        max_points=40,
        rule_ids=["R01-level-of-need", "R10-report-submitted"],
        rule_set_version="2026.1",
    )
    assert played.score_percent == 75
    assert played.detail["role"] == "health_visitor"
    assert set(played.competencies.values_list("code", flat=True)) == {
        "l3-decisions",
        "l3-conference-report",
        "l3-meetings",
    }


def test_sign_off_needs_the_persons_trainer_or_manager_and_a_note() -> None:
    outcome = framework()
    team_a, team_b, _ = teams()
    amira = member("amira", team_a)
    ben = member("ben", team_b)
    cara = member("cara", team_b)
    boss = member("boss", team_a, PlatformRole.MANAGER)
    trainer = member("trainer", None, PlatformRole.TRAINER)
    services.seminar_attendance_record(
        user=ben,
        seminar_id=7,
        title="Level 3",
        cohort="",
        on=date(2026, 11, 2),
        recorded_by=trainer,
    )
    services.sign_off_record(signer=boss, person=amira, competency=outcome, note="Chaired well")
    services.sign_off_record(signer=trainer, person=ben, competency=outcome, note="Good")
    refusal = "people you manage or who attended a seminar you ran"
    with pytest.raises(services.EvidenceRefused, match=refusal):
        services.sign_off_record(signer=trainer, person=cara, competency=outcome, note="x")
    with pytest.raises(services.EvidenceRefused, match=refusal):
        services.sign_off_record(signer=boss, person=ben, competency=outcome, note="x")
    with pytest.raises(services.EvidenceRefused, match=refusal):
        services.sign_off_record(signer=amira, person=amira, competency=outcome, note="x")
    with pytest.raises(services.EvidenceRefused, match="short note"):
        services.sign_off_record(signer=boss, person=amira, competency=outcome, note=" ")
    signed = Evidence.objects.get(user=amira, kind="sign_off")
    assert signed.recorded_by == boss and signed.detail["note"] == "Chaired well"
    assert not Evidence.objects.filter(user=cara, kind="sign_off").exists()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("cert.exe", b"MZ", "must be a PDF, PNG, JPG, JPEG, DOCX"),
        ("cert.pdf", b"not a pdf", "not a real PDF"),
        ("cert.pdf", PDF + b"x" * 2048, "smaller than"),
    ],
)
def test_uploads_of_the_wrong_type_or_size_are_refused(name, content, message) -> None:  # type: ignore[no-untyped-def]
    amira = person("amira")
    with (
        override_settings(THRESHOLD_EVIDENCE_MAX_BYTES=1024),
        pytest.raises(services.EvidenceRefused, match=message),
    ):
        services.external_evidence_upload(
            user=amira,
            title="Level 3 refresher",
            occurred_on=date(2026, 1, 5),
            hours=3,
            participatory=False,
            file=upload(name, content),
        )
    assert not Evidence.objects.exists()


def test_an_upload_waits_for_review_then_counts(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    team_a, _, _ = teams()
    amira = member("amira", team_a)
    boss = member("boss", team_a, PlatformRole.MANAGER)
    evidence = services.external_evidence_upload(
        user=amira,
        title="Level 3 refresher",
        occurred_on=timezone.localdate() - timedelta(days=3),
        hours=6,
        participatory=False,
        file=upload("cert.pdf", PDF),
    )
    assert evidence.state == EvidenceState.PENDING
    today = timezone.localdate()
    assert selectors.person_record(person=amira, today=today).hours.total == 0
    evidence.title = "Corrected while pending"
    evidence.save()
    services.evidence_release(reviewer=boss, evidence=evidence)
    assert selectors.person_record(person=amira, today=today).hours.total == 6
    assert AuditLog.objects.filter(action="release", subject=amira).exists()


def test_person_record_is_judged_from_released_evidence() -> None:
    outcome = framework()
    amira = person("amira")
    today = timezone.localdate()
    assert selectors.person_record(person=amira, today=today).status == Status.NOT_STARTED
    competent(amira, outcome, today - timedelta(days=10))
    assert selectors.person_record(person=amira, today=today).status == Status.COMPETENT


def test_the_admin_role_may_edit_the_framework_and_editors_may_not(client) -> None:  # type: ignore[no-untyped-def]
    from accounts.services import person_upsert

    framework()
    admin = person_upsert(
        username="keeper",
        first_name="K",
        last_name="Eeper",
        email="k@example.test",
        team=None,
        roles=(PlatformRole.ADMIN,),
        password="pw-for-tests-only",
    )
    editor = person_upsert(
        username="writer",
        first_name="W",
        last_name="Riter",
        email="w@example.test",
        team=None,
        roles=(PlatformRole.CONTENT_EDITOR,),
        password="pw-for-tests-only",
    )
    url = "/admin/snippets/assessments/competency/"
    client.force_login(admin)
    assert client.get(url).status_code == 200
    client.force_login(editor)
    assert client.get(url).status_code in {302, 403}


def test_demo_evidence_tells_a_story_and_is_idempotent(demo_people) -> None:  # type: ignore[no-untyped-def]
    call_command("seed_competencies", stdout=StringIO())
    call_command("seed_evidence", seed=3, stdout=StringIO())
    count = Evidence.objects.count()
    call_command("seed_evidence", seed=3, stdout=StringIO())
    assert Evidence.objects.count() == count > 0
    today = timezone.localdate()
    status = {
        name: selectors.person_record(person=demo_people[name], today=today).status
        for name in ("delegate01", "delegate03", "delegate04", "delegate06", "delegate12")
    }
    assert status == {
        "delegate01": Status.COMPETENT,
        "delegate03": Status.EXPIRING,
        "delegate04": Status.EXPIRED,
        "delegate06": Status.IN_PROGRESS,
        "delegate12": Status.NOT_STARTED,
    }


@pytest.mark.parametrize(
    "source,ref,message",
    [
        ("workbook_chapter", "999999", "page id of a workbook chapter"),
        ("quiz", "abc", "block id"),
        ("conference_rule", "R99-nothing", "no scoring rule"),
        ("seminar", "", "cohort"),
    ],
)
def test_a_mapping_to_nothing_is_refused_with_a_message(source, ref, message) -> None:  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    mapping = CompetencyMapping(competency=framework(), source=source, ref=ref)
    with pytest.raises(ValidationError, match=message):
        mapping.clean()


def test_mappings_to_real_things_are_accepted() -> None:
    with guidance_scheme():
        _, first, _ = small_workbook()
        block_id = first.body.raw_data[0]["id"]
        outcome = framework()
        for source, ref in [
            ("workbook_chapter", str(first.pk)),
            ("quiz", f"{first.pk}:{block_id}"),
            ("conference_rule", "R02-threshold"),
            ("seminar", "*"),
        ]:
            CompetencyMapping(competency=outcome, source=source, ref=ref).clean()


def test_the_admin_edit_form_refuses_a_bad_mapping(client) -> None:  # type: ignore[no-untyped-def]
    from wagtail.test.utils.form_data import inline_formset, nested_form_data

    outcome = framework()
    admin = member("root", None, PlatformRole.ADMIN, is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = f"/admin/snippets/assessments/competency/edit/{outcome.pk}/"
    assert client.get(url).status_code == 200

    def post(ref: str):  # type: ignore[no-untyped-def]
        return client.post(
            url,
            nested_form_data(
                {
                    "code": outcome.code,
                    "title": "Renamed",
                    "description": "",
                    "kind": "outcome",
                    "level": 3,
                    "parent": "",
                    "required_kinds": '["sign_off"]',
                    "position": 0,
                    "is_active": "on",
                    "mappings": inline_formset([{"source": "conference_rule", "ref": ref}]),
                }
            ),
        )

    refused = post("R99-nothing")
    assert refused.status_code == 200 and "no scoring rule" in refused.content.decode()
    assert Competency.objects.get(pk=outcome.pk).title == "Take part in conferences"
    accepted = post("R02-threshold")
    assert accepted.status_code == 302
    outcome.refresh_from_db()
    assert outcome.title == "Renamed" and outcome.required_kinds == ["sign_off"]
    assert list(outcome.mappings.values_list("ref", flat=True)) == ["R02-threshold"]
