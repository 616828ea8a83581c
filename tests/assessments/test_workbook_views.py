"""The delegate's workbook over HTTP: autosave, quizzes, ownership, bad input."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from assessments.models import ChapterProgress, QuizAttempt, WorkbookAnswer
from content.blocks import MAX_TEXT_LENGTH
from content.workbook_services import chapter_ensure
from tests.assessments.test_workbook_helpers import (
    SMALL_WORKBOOK,
    guidance_scheme,
    htmx,
    person,
    scenario_block,
    small_workbook,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def book():  # type: ignore[no-untyped-def]
    with guidance_scheme():
        workbook, first, second = small_workbook()
        yield {"workbook": workbook, "first": first, "second": second}


@pytest.fixture
def amira(book) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.user = person("amira")  # type: ignore[attr-defined]
    client.force_login(client.user)  # type: ignore[attr-defined]
    return client


@pytest.fixture
def ben(book) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.user = person("ben")  # type: ignore[attr-defined]
    client.force_login(client.user)  # type: ignore[attr-defined]
    return client


def chapter_url(page: Any) -> str:
    return reverse("workbook_chapter", args=[page.pk])


def answer_url(page: Any, block_id: str) -> str:
    return reverse("workbook_answer", args=[page.pk, block_id])


def check_url(page: Any, block_id: str) -> str:
    return reverse("workbook_quiz_check", args=[page.pk, block_id])


def form_state(html: str, block_id: str) -> dict[str, str]:
    """Return the hidden revision and structure of a block's form."""
    status = html.split(f'id="answer-status-{block_id}"', 1)[1]
    return {
        "revision": re.search(r'name="revision" value="(\d+)"', status)[1],  # type: ignore[index]
        "structure": re.search(r'name="structure" value="([0-9a-f]+)"', status)[1],  # type: ignore[index]
    }


def quiz_structure(html: str, block_id: str) -> str:
    form = html.split(f'id="answer-form-{block_id}"', 1)[1]
    return re.search(r'name="structure" value="([0-9a-f]+)"', form)[1]  # type: ignore[index]


def autosave(client: Client, page: Any, block_id: str, data: dict[str, Any], **extra: Any) -> Any:
    state = form_state(client.get(chapter_url(page)).content.decode(), block_id)
    return client.post(answer_url(page, block_id), {**state, **data}, headers=htmx(), **extra)


# The chapter page --------------------------------------------------------------


def test_chapter_renders_every_block_with_autosaving_forms(book, amira) -> None:  # type: ignore[no-untyped-def]
    response = amira.get(chapter_url(book["first"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    for block_id in (
        "intro",
        "read",
        "scenario",
        "single",
        "multiple",
        "order",
        "match",
        "truth",
        "reflect",
    ):
        assert f'id="block-{block_id}"' in html
    assert 'hx-trigger="input changed delay:800ms, change, submit"' in html
    assert 'aria-live="polite"' in html
    # htmx swaps the "not saved" answers (401, 409, 422) so the delegate sees why.
    assert '{"code": "401|409|422", "swap": true, "error": false}' in html
    assert "Chapter 1 of 2" in html
    assert ' style="' not in html  # the CSP forbids inline styles
    assert "Open Procedures summary, paragraph 24" in html


def test_the_wagtail_page_sends_a_signed_in_delegate_to_their_workbook(book, amira) -> None:  # type: ignore[no-untyped-def]
    response = amira.get(book["first"].url)
    assert response.status_code == 302 and response["Location"] == chapter_url(book["first"])
    assert Client().get(book["first"].url).status_code == 200  # read-only for everyone else


# Autosave ------------------------------------------------------------------------


def test_autosave_returns_the_saved_status_and_the_answer_survives_reload_and_devices(
    book, amira
) -> None:  # type: ignore[no-untyped-def]
    response = autosave(
        amira, book["first"], "scenario", {"answer-scenario-q-1": "Jayden's life is frightening."}
    )
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "Saved at" in fragment and 'name="revision" value="1"' in fragment
    assert "<html" not in fragment
    assert (
        "Jayden&#x27;s life is frightening."
        in amira.get(chapter_url(book["first"])).content.decode()
    )
    phone = Client()
    phone.force_login(amira.user)
    assert (
        "Jayden&#x27;s life is frightening."
        in phone.get(chapter_url(book["first"])).content.decode()
    )
    amira.logout()
    amira.force_login(amira.user)
    assert (
        "Jayden&#x27;s life is frightening."
        in amira.get(chapter_url(book["first"])).content.decode()
    )


def test_a_plain_post_without_javascript_saves_and_redirects_to_the_block(book, amira) -> None:  # type: ignore[no-untyped-def]
    state = form_state(amira.get(chapter_url(book["first"])).content.decode(), "reflect")
    response = amira.post(
        answer_url(book["first"], "reflect"), {**state, "answer-reflect-prompt-1": "Much."}
    )
    assert response.status_code == 302
    assert response["Location"] == chapter_url(book["first"]) + "#block-reflect"
    assert WorkbookAnswer.objects.get(user=amira.user, block_id="reflect").value == {
        "answers": {"reflect-prompt-1": "Much."}
    }


def test_text_over_twenty_thousand_characters_is_refused_and_kept_in_the_box(book, amira) -> None:  # type: ignore[no-untyped-def]
    long_text = "word " * (MAX_TEXT_LENGTH // 5) + "more"
    response = autosave(amira, book["first"], "scenario", {"answer-scenario-q-1": long_text})
    html = response.content.decode()
    assert response.status_code == 422
    assert response["HX-Retarget"] == "#block-scenario"
    assert "Keep it to 20,000 characters or fewer" in html
    assert long_text in html
    assert 'name="refresh" value="1"' in html
    assert not WorkbookAnswer.objects.filter(user=amira.user).exists()
    # Once shortened, it saves and the whole block comes back without the error.
    response = amira.post(
        answer_url(book["first"], "scenario"),
        {**form_state(html, "scenario"), "refresh": "1", "answer-scenario-q-1": "Shorter."},
        headers=htmx(),
    )
    assert response.status_code == 200 and response["HX-Retarget"] == "#block-scenario"
    assert "govuk-error-summary" not in response.content.decode()
    assert "Saved at" in response.content.decode()


def test_html_in_an_answer_is_stored_as_text_and_shown_escaped(book, amira) -> None:  # type: ignore[no-untyped-def]
    script = '<script>alert("x")</script><b>bold</b>'
    autosave(amira, book["first"], "scenario", {"answer-scenario-q-1": script})
    assert WorkbookAnswer.objects.get(user=amira.user).value["answers"]["scenario-q-1"] == script
    for url in (chapter_url(book["first"]), reverse("workbook_print", args=[book["workbook"].pk])):
        html = amira.get(url).content.decode()
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html
        assert '<script>alert("x")' not in html


def test_report_text_in_attributes_is_escaped_and_oversized_report_text_is_refused(
    book, amira
) -> None:  # type: ignore[no-untyped-def]
    autosave(amira, book["second"], "report", {"f-about-agency": '"><script>alert(1)</script>'})
    html = amira.get(chapter_url(book["second"])).content.decode()
    assert 'value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    assert "<script>alert(1)" not in html
    response = autosave(
        amira,
        book["second"],
        "report",
        {"s-worries-count": "1", "s-worries-0-text": "x" * (MAX_TEXT_LENGTH + 1)},
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert 'href="#s-worries-0-text-input"' in html  # the error summary links to the box
    assert "What are we worried about? statement 1: your text is 20,001 characters long" in html
    assert (
        WorkbookAnswer.objects.get(user=amira.user)
        .value["fields"]["about.agency"]
        .startswith('"><script>')
    )


def test_a_form_from_another_device_that_is_out_of_date_keeps_both_texts(book, amira) -> None:  # type: ignore[no-untyped-def]
    laptop_state = form_state(amira.get(chapter_url(book["first"])).content.decode(), "scenario")
    amira.post(
        answer_url(book["first"], "scenario"),
        {**laptop_state, "answer-scenario-q-1": "Written on the laptop."},
        headers=htmx(),
    )
    # The phone still has the form it opened before the laptop saved.
    response = amira.post(
        answer_url(book["first"], "scenario"),
        {**laptop_state, "answer-scenario-q-1": "Typed on the phone meanwhile."},
        headers=htmx(),
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "changed in another tab or on another device" in html
    assert "Typed on the phone meanwhile." in html  # offered for copying
    assert "Written on the laptop." in html  # the saved answer, in the form
    assert (
        WorkbookAnswer.objects.get(user=amira.user).value["answers"]["scenario-q-1"]
        == "Written on the laptop."
    )


def test_a_form_submitted_after_the_page_was_edited_gets_a_clear_message(book, amira) -> None:  # type: ignore[no-untyped-def]
    first = book["first"]
    old_state = form_state(amira.get(chapter_url(first)).content.decode(), "scenario")
    amira.post(
        answer_url(first, "scenario"), {**old_state, "answer-scenario-q-1": "Kept."}, headers=htmx()
    )
    # An editor adds a third question and publishes.
    spec = SMALL_WORKBOOK["chapters"][0]
    body = [scenario_block(questions=3) if b["id"] == "scenario" else b for b in spec["body"]]
    chapter_ensure(workbook=book["workbook"], spec={**spec, "body": body}, refresh=True)
    response = amira.post(
        answer_url(first, "scenario"),
        {**old_state, "revision": "1", "answer-scenario-q-1": "Kept, and more typed later."},
        headers=htmx(),
    )
    html = response.content.decode()
    assert response.status_code == 409
    assert "changed by the editors after you opened the page" in html
    assert "Kept, and more typed later." in html
    assert "Question 3?" in html  # the form now matches the edited block
    assert WorkbookAnswer.objects.get(user=amira.user).value["answers"]["scenario-q-1"] == "Kept."


def test_a_block_removed_by_the_editors_gives_back_the_text(book, amira) -> None:  # type: ignore[no-untyped-def]
    response = amira.post(
        answer_url(book["first"], "no-such-block"),
        {
            "revision": "0",
            "structure": "x",
            "answer-gone": "My careful answer to a removed question.",
        },
        headers=htmx(),
    )
    assert response.status_code == 409
    assert "no longer in the chapter" in response.content.decode()
    assert "My careful answer to a removed question." in response.content.decode()
    assert not WorkbookAnswer.objects.exists()


def test_signed_out_autosave_says_so_and_a_plain_post_goes_to_sign_in(book) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    response = client.post(
        answer_url(book["first"], "scenario"), {"revision": "3", "structure": "abc"}, headers=htmx()
    )
    assert response.status_code == 401
    assert response["HX-Retarget"] == "#answer-status-scenario"
    assert "You have been signed out" in response.content.decode()
    assert 'name="revision" value="3"' in response.content.decode()
    response = client.post(answer_url(book["first"], "scenario"), {})
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


# Ownership -----------------------------------------------------------------------


def test_two_delegates_answers_never_mix(book, amira, ben) -> None:  # type: ignore[no-untyped-def]
    autosave(amira, book["first"], "scenario", {"answer-scenario-q-1": "Amira's secret answer"})
    autosave(ben, book["first"], "scenario", {"answer-scenario-q-1": "Ben's own answer"})
    assert "Amira's" not in ben.get(chapter_url(book["first"])).content.decode().replace(
        "&#x27;", "'"
    )
    assert "Ben's" not in amira.get(chapter_url(book["first"])).content.decode().replace(
        "&#x27;", "'"
    )
    assert (
        WorkbookAnswer.objects.get(user=amira.user).value["answers"]["scenario-q-1"]
        == "Amira's secret answer"
    )


def test_a_forged_request_cannot_read_or_write_anothers_answers(book, amira, ben) -> None:  # type: ignore[no-untyped-def]
    autosave(amira, book["first"], "scenario", {"answer-scenario-q-1": "Amira's answer"})
    amira_answer = WorkbookAnswer.objects.get(user=amira.user)
    # Ben forges an htmx request naming Amira and her answer: both are ignored,
    # and his own answer is what gets written.
    response = ben.post(
        answer_url(book["first"], "scenario"),
        {
            "revision": "1",
            "structure": form_state(
                ben.get(chapter_url(book["first"])).content.decode(), "scenario"
            )["structure"],
            "user": str(amira.user.pk),
            "user_id": str(amira.user.pk),
            "answer_id": str(amira_answer.pk),
            "answer-scenario-q-1": "Overwritten by Ben",
        },
        headers=htmx(),
    )
    assert response.status_code in {200, 409}
    amira_answer.refresh_from_db()
    assert amira_answer.value["answers"]["scenario-q-1"] == "Amira's answer"
    assert "Amira" not in response.content.decode()
    # Direct URLs never reveal her work either, whatever the query string says.
    for url in (
        chapter_url(book["first"]) + f"?user={amira.user.pk}",
        reverse("workbook_print", args=[book["workbook"].pk]) + f"?user={amira.user.pk}",
        reverse("workbook_results", args=[book["workbook"].pk]) + f"?user_id={amira.user.pk}",
    ):
        assert "Amira&#x27;s answer" not in ben.get(url).content.decode()


def test_answer_urls_only_accept_workbook_chapters_and_the_right_kind_of_block(book, amira) -> None:  # type: ignore[no-untyped-def]
    home = book["workbook"].get_parent().get_parent()
    assert amira.post(answer_url(home, "scenario"), {}, headers=htmx()).status_code == 404
    assert amira.post(answer_url(book["first"], "single"), {}, headers=htmx()).status_code == 404
    assert amira.post(check_url(book["first"], "scenario"), {}, headers=htmx()).status_code == 404
    assert amira.get(answer_url(book["first"], "scenario")).status_code == 405


# Quizzes --------------------------------------------------------------------------


def test_checking_a_quiz_shows_feedback_and_the_citation_link(book, amira) -> None:  # type: ignore[no-untyped-def]
    html = amira.get(chapter_url(book["first"])).content.decode()
    structure = quiz_structure(html, "single")
    response = amira.post(
        check_url(book["first"], "single"),
        {"structure": structure, "choice": "single-option-1"},
        headers=htmx(),
    )
    fragment = response.content.decode()
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#block-single"
    assert "Not right this time" in fragment
    assert "Five is for review reports." in fragment and "Yes: fifteen." in fragment
    assert 'href="/guidance/procedures-summary/#para-37"' in fragment
    assert "autofocus" in fragment
    attempt = QuizAttempt.objects.get(user=amira.user)
    assert attempt.is_correct is False and attempt.response == {"choices": ["single-option-1"]}
    response = amira.post(
        check_url(book["first"], "single"),
        {"structure": structure, "choice": "single-option-2"},
        headers=htmx(),
    )
    assert "Correct" in response.content.decode()
    assert QuizAttempt.objects.filter(user=amira.user).count() == 2
    # After a reload the latest attempt and its feedback are still shown.
    assert "Yes: fifteen." in amira.get(chapter_url(book["first"])).content.decode()


def test_an_ordering_answer_with_a_repeated_position_is_refused(book, amira) -> None:  # type: ignore[no-untyped-def]
    structure = quiz_structure(amira.get(chapter_url(book["first"])).content.decode(), "order")
    response = amira.post(
        check_url(book["first"], "order"),
        {
            "structure": structure,
            "position-order-step-1": "1",
            "position-order-step-2": "1",
            "position-order-step-3": "2",
        },
        headers=htmx(),
    )
    assert response.status_code == 422
    assert "Use each position once" in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_a_quiz_edited_since_the_page_was_opened_is_not_marked(book, amira) -> None:  # type: ignore[no-untyped-def]
    response = amira.post(
        check_url(book["first"], "single"),
        {"structure": "0000", "choice": "single-option-2"},
        headers=htmx(),
    )
    assert response.status_code == 409
    assert "please answer it again" in response.content.decode()
    assert not QuizAttempt.objects.exists()


def test_quiz_results_summarise_feedback_with_links_to_the_paragraphs(book, amira) -> None:  # type: ignore[no-untyped-def]
    html = amira.get(chapter_url(book["first"])).content.decode()
    amira.post(
        check_url(book["first"], "truth"),
        {"structure": quiz_structure(html, "truth"), "choice": "false"},
    )
    response = amira.get(reverse("workbook_results", args=[book["workbook"].pk]))
    html = response.content.decode()
    assert "You have answered 1 of 5 questions, and 1 is right." in html
    assert "Parents only observe." in html and "Right." in html
    assert 'href="/guidance/procedures-summary/#para-44"' in html


# Reading tasks ----------------------------------------------------------------------


def test_opening_a_reading_task_records_it_and_opens_the_paragraph(book, amira) -> None:  # type: ignore[no-untyped-def]
    response = amira.get(reverse("workbook_reading", args=[book["first"].pk, "read"]))
    assert response.status_code == 302
    assert response["Location"] == "/guidance/procedures-summary/#para-24"
    assert WorkbookAnswer.objects.get(user=amira.user, block_id="read").kind == "reading"
    assert ">Read</strong>" in amira.get(chapter_url(book["first"])).content.decode()


def test_without_guidance_the_key_is_shown_and_can_be_marked_read(book, amira) -> None:  # type: ignore[no-untyped-def]
    with guidance_scheme(None):
        html = amira.get(chapter_url(book["first"])).content.decode()
        assert "guidance:procedures-summary:para-24</code> (link unavailable)" in html
        response = amira.post(reverse("workbook_reading", args=[book["first"].pk, "read"]))
    assert response.status_code == 302
    assert WorkbookAnswer.objects.filter(user=amira.user, block_id="read").exists()


# The report ---------------------------------------------------------------------------


def test_report_statements_are_tagged_saved_and_reloaded(book, amira) -> None:  # type: ignore[no-untyped-def]
    second = book["second"]
    response = autosave(
        amira,
        second,
        "report",
        {
            "f-about-agency": "Housing",
            "s-worries-count": "1",
            "s-worries-0-text": "Neighbours heard a child crying.",
            "s-worries-0-tag": "allegation",
            "s-worries-0-second_hand": "on",
            "s-worries-0-source": "Neighbour, by phone",
        },
    )
    assert response.status_code == 200
    html = amira.get(chapter_url(second)).content.decode()
    assert 'value="Housing"' in html
    assert "Neighbours heard a child crying." in html
    assert 'name="s-worries-0-tag" type="radio" value="allegation" checked' in html
    assert 'name="s-worries-0-second_hand" type="checkbox" value="on" checked' in html
    assert 'value="Neighbour, by phone"' in html


def test_adding_a_statement_saves_and_returns_the_report_with_a_new_row(book, amira) -> None:  # type: ignore[no-untyped-def]
    response = autosave(
        amira,
        book["second"],
        "report",
        {
            "s-observations-count": "1",
            "s-observations-0-text": "He froze.",
            "s-observations-0-tag": "observation",
            "action": "add:s-observations",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Retarget"] == "#block-report"
    assert 'id="s-observations-1-text-input"' in html and "autofocus" in html
    stored = WorkbookAnswer.objects.get(user=amira.user).value
    assert stored["statements"]["observations"] == [
        {"text": "He froze.", "tag": "observation", "second_hand": False, "source": ""}
    ]


def test_print_view_and_pdf_show_only_your_answers_and_report(book, amira, ben) -> None:  # type: ignore[no-untyped-def]
    autosave(
        amira,
        book["second"],
        "report",
        {
            "s-worries-count": "1",
            "s-worries-0-text": "Injuries to the face.",
            "s-worries-0-tag": "fact",
        },
    )
    autosave(
        ben,
        book["second"],
        "report",
        {"s-worries-count": "1", "s-worries-0-text": "Ben's worry.", "s-worries-0-tag": "opinion"},
    )
    html = amira.get(reverse("workbook_print", args=[book["workbook"].pk])).content.decode()
    assert "Injuries to the face." in html and "Ben&#x27;s worry." not in html
    assert "Fact</strong> Injuries to the face." in html
    assert "Multi-agency report for a child protection conference." in html
    response = amira.get(reverse("workbook_print_pdf", args=[book["workbook"].pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert 'filename="small-workbook-amira.pdf"' in response["Content-Disposition"]


# Progress ------------------------------------------------------------------------------


def test_submitting_a_chapter_shows_on_the_contents_and_dashboard(book, amira) -> None:  # type: ignore[no-untyped-def]
    amira.get(chapter_url(book["first"]))
    response = amira.post(reverse("workbook_chapter_submit", args=[book["first"].pk]))
    assert response.status_code == 302
    assert ChapterProgress.objects.get(user=amira.user, page=book["first"]).submitted_at
    html = amira.get(reverse("workbook_contents", args=[book["workbook"].pk])).content.decode()
    assert "You submitted &#x27;First chapter&#x27;." in html
    assert re.search(r'id="chapter-1-status">\s*Submitted', html)
    dashboard = amira.get(reverse("delegate_dashboard")).content.decode()
    assert "Small workbook" in dashboard and "Continue where you left off" in dashboard


def test_resume_goes_to_the_last_block_worked_on(book, amira) -> None:  # type: ignore[no-untyped-def]
    autosave(amira, book["first"], "reflect", {"answer-reflect-prompt-1": "Something."})
    response = amira.get(reverse("workbook_resume", args=[book["workbook"].pk]))
    assert response["Location"] == chapter_url(book["first"]) + "#block-reflect"
