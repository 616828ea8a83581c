"""Saving workbook answers: revisions, stale forms, readings, attempts, progress."""

from __future__ import annotations

import pytest

from assessments import selectors, services
from assessments.models import ChapterProgress, QuizAttempt, WorkbookAnswer
from assessments.services import SaveStatus
from tests.assessments.test_workbook_helpers import guidance_scheme, person, small_workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup():  # type: ignore[no-untyped-def]
    with guidance_scheme():
        workbook, first, second = small_workbook()
        yield workbook, first, second, person("amira"), person("ben")


def save(user, page, value, *, revision=0, structure="s", client_structure="s"):  # type: ignore[no-untyped-def]
    return services.answer_save(
        user=user,
        page=page,
        block_id="scenario",
        kind="text",
        value=value,
        structure=structure,
        client_structure=client_structure,
        client_revision=revision,
    )


def test_first_save_creates_revision_one_and_later_saves_count_up(setup) -> None:  # type: ignore[no-untyped-def]
    _, first, _, amira, _ = setup
    result = save(amira, first, {"answers": {"q": "one"}})
    assert result.status == SaveStatus.SAVED and result.answer.revision == 1
    result = save(amira, first, {"answers": {"q": "two"}}, revision=1)
    assert result.status == SaveStatus.SAVED and result.answer.revision == 2
    assert WorkbookAnswer.objects.get(user=amira).value == {"answers": {"q": "two"}}


def test_saving_the_same_value_changes_nothing(setup) -> None:  # type: ignore[no-untyped-def]
    _, first, _, amira, _ = setup
    save(amira, first, {"answers": {"q": "one"}})
    result = save(amira, first, {"answers": {"q": "one"}}, revision=1)
    assert result.status == SaveStatus.UNCHANGED and result.answer.revision == 1


def test_a_form_from_an_older_revision_never_overwrites(setup) -> None:  # type: ignore[no-untyped-def]
    _, first, _, amira, _ = setup
    save(amira, first, {"answers": {"q": "from the laptop"}})
    result = save(amira, first, {"answers": {"q": "from the phone"}}, revision=0)
    assert result.status == SaveStatus.STALE_REVISION
    assert WorkbookAnswer.objects.get(user=amira).value == {"answers": {"q": "from the laptop"}}


def test_a_form_for_an_edited_block_never_overwrites(setup) -> None:  # type: ignore[no-untyped-def]
    _, first, _, amira, _ = setup
    save(amira, first, {"answers": {"q": "kept"}})
    result = save(amira, first, {"answers": {"q": "lost?"}}, revision=1, client_structure="old")
    assert result.status == SaveStatus.STALE_STRUCTURE
    assert result.answer.value == {"answers": {"q": "kept"}}


def test_two_people_have_separate_answers_to_the_same_block(setup) -> None:  # type: ignore[no-untyped-def]
    _, first, _, amira, ben = setup
    save(amira, first, {"answers": {"q": "Amira's"}})
    save(ben, first, {"answers": {"q": "Ben's"}})
    assert WorkbookAnswer.objects.get(user=amira).value["answers"]["q"] == "Amira's"
    assert WorkbookAnswer.objects.get(user=ben).value["answers"]["q"] == "Ben's"


def test_reading_is_recorded_once_with_first_and_latest_opening(setup) -> None:  # type: ignore[no-untyped-def]
    _, first, _, amira, _ = setup
    one = services.reading_record(user=amira, page=first, block_id="read", structure="x")
    services.reading_record(user=amira, page=first, block_id="read", structure="x")
    answer = WorkbookAnswer.objects.get(user=amira, block_id="read")
    assert answer.pk == one.pk and answer.kind == "reading"
    assert answer.updated_at >= answer.created_at


def test_every_quiz_attempt_is_kept(setup) -> None:  # type: ignore[no-untyped-def]
    _, first, _, amira, _ = setup
    child = first.find_block("single")
    for choice in ("single-option-1", "single-option-2"):
        response = {"choices": [choice]}
        services.quiz_attempt_record(
            user=amira,
            page=first,
            block_id="single",
            response=response,
            outcome=child.block.mark(child.value, response),
            structure=child.block.structure_signature(child.value),
        )
    attempts = QuizAttempt.objects.filter(user=amira)
    assert [a.is_correct for a in attempts] == [True, False]  # newest first
    state = selectors.block_state(user=amira, chapter=first, child=child)
    assert state.attempts == 2 and state.outcome.is_correct is True


def test_progress_visits_submission_and_resume(setup) -> None:  # type: ignore[no-untyped-def]
    workbook, first, second, amira, _ = setup
    progress = selectors.workbook_progress(user=amira, workbook=workbook)
    assert progress.started is False and progress.resume_url.endswith(f"/learn/chapter/{first.pk}/")
    services.chapter_visit_record(user=amira, chapter=second, workbook=workbook)
    services.answer_save(
        user=amira,
        page=second,
        block_id="report",
        kind="report",
        value={"fields": {"about.agency": "Housing"}, "tables": {}, "statements": {}},
        structure="s",
        client_structure="s",
        client_revision=0,
    )
    services.chapter_submit(user=amira, chapter=second, workbook=workbook)
    progress = selectors.workbook_progress(user=amira, workbook=workbook)
    assert progress.resume_url.endswith(f"/learn/chapter/{second.pk}/#block-report")
    rows = {row.link.title: row for row in progress.rows}
    assert rows["Second chapter"].status == "Submitted"
    assert (rows["Second chapter"].done, rows["Second chapter"].total) == (1, 13)
    assert rows["First chapter"].status == "Not yet started"
    assert ChapterProgress.objects.get(user=amira, page=second).submitted_at is not None
