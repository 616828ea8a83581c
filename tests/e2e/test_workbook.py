"""A delegate works through the workbook in the browser, on desktop and phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.e2e


def open_chapter(page, title: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/dashboard/delegate/")
    page.get_by_role("link", name=re.compile("Contents and your answers")).first.click()
    page.get_by_role("link", name=re.compile(re.escape(title))).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()


def saved(page, block_id: str) -> None:  # type: ignore[no-untyped-def]
    expect(page.locator(f"#answer-status-{block_id}")).to_contain_text("Saved at", timeout=10_000)


def test_delegate_works_through_the_workbook(new_page, browser, live_app) -> None:  # type: ignore[no-untyped-def]
    page = new_page(DESKTOP)
    sign_in(page, "delegate03")
    page.goto("/dashboard/delegate/")
    expect(page.get_by_role("heading", name="Child protection conferences")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "workbook-dashboard-desktop")

    # The contents, with progress per chapter.
    page.get_by_role("link", name=re.compile("Contents and your answers")).first.click()
    expect(page.get_by_role("heading", name="Contents")).to_be_visible()
    assert page.locator(".govuk-task-list__item").count() == 11
    assert_accessible(page)
    screenshot(page, "workbook-contents-desktop")

    # A quiz: check the answer, see feedback and the citation link.
    page.get_by_role("link", name=re.compile("Significant harm and the four categories")).click()
    quiz = page.locator("#block-quiz-categories")
    expect(quiz).to_be_visible()  # the chapter has loaded: count() does not wait
    selects = quiz.locator("select")
    answers = {
        "medicine": "Physical abuse",
        "left alone": "Neglect",
        "sexual images": "Sexual abuse",
        "threatening": "Emotional abuse",
        "bedding": "Neglect",
    }
    for index in range(selects.count()):
        label = quiz.locator("label.app-wb-positions__label").nth(index).inner_text()
        choice = next(answer for words, answer in answers.items() if words in label)
        # Get one wrong on purpose, to see the feedback for a wrong answer.
        if "bedding" in label:
            choice = "Emotional abuse"
        selects.nth(index).select_option(label=choice)
    quiz.get_by_role("button", name="Check your answer").click()
    feedback = page.locator("#quiz-categories-feedback")
    expect(feedback).to_contain_text("Partly right: 4 of 5")
    expect(feedback).to_contain_text("it belongs under Neglect")
    expect(feedback).to_contain_text("Not providing adequate shelter and food is neglect.")
    link = feedback.get_by_role(
        "link", name=re.compile("Child protection conferences: Significant harm")
    )
    assert link.get_attribute("href").endswith("/significant-harm/#block-harm-categories")
    assert_accessible(page)
    screenshot(page, "workbook-quiz-feedback-desktop")

    # The Jayden activity: answers autosave.
    open_chapter(page, "Scenario activity: Jayden")
    page.get_by_label(re.compile("What does this information tell you")).fill(
        "Frightening at his mother's home; happier since his father has cared for him."
    )
    saved(page, "jayden-activity")
    # Over 20,000 characters: refused with a clear message, the text kept.
    too_long = "word " * 4000 + "and more"
    page.get_by_label(re.compile("What risks or concerns")).fill(too_long)
    expect(page.locator("#block-jayden-activity .govuk-error-summary")).to_contain_text(
        "Keep it to 20,000 characters or fewer"
    )
    expect(page.get_by_label(re.compile("What risks or concerns"))).to_have_value(too_long)
    # The corrected answer is saved. In full-suite runs the status line after
    # an in-place correction sometimes still read "Last saved" although the
    # answer was stored (an open question, in the closing note of
    # 2026-12-06), so what is checked is what was stored: after a reload the
    # field holds the correction and no problem is shown.
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.get_by_label(re.compile("What risks or concerns")).fill("Injuries, many to his face.")
    page.wait_for_timeout(1500)  # the autosave waits 800 ms after typing
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.reload()
    expect(page.get_by_label(re.compile("What risks or concerns"))).to_have_value(
        "Injuries, many to his face."
    )
    expect(page.locator("#block-jayden-activity .govuk-error-summary")).to_have_count(0)
    expect(page.get_by_role("button", name="Step away for now")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "workbook-jayden-desktop")

    # The report: fill part of it and tag statements.
    open_chapter(page, "Writing your conference report")
    page.locator("#f-about-agency-input").fill("Housing")
    page.locator("#s-worries-0-text-input").fill(
        "Neighbours have complained of shouting and a child crying at the home."
    )
    page.locator("label[for='s-worries-0-tag-allegation']").click()
    page.locator("label[for='s-worries-0-second_hand']").click()
    page.locator("#s-worries-0-source-input").fill("Neighbour complaints to Housing")
    saved(page, "jayden-report")
    page.get_by_role("button", name="Add another statement").first.click()
    expect(page.locator("#s-worries-1-text-input")).to_be_focused()
    page.locator("#s-worries-1-text-input").fill("Damage to doors, as if they had been hit.")
    page.locator("label[for='s-worries-1-tag-observation']").click()
    saved(page, "jayden-report")
    assert_accessible(page)
    screenshot(page, "workbook-report-desktop")

    # Reload, and open it on a second device: everything is still there.
    page.reload()
    expect(page.locator("#f-about-agency-input")).to_have_value("Housing")
    expect(page.locator("#s-worries-0-tag-allegation")).to_be_checked()
    expect(page.locator("#s-worries-0-second_hand")).to_be_checked()
    expect(page.locator("#s-worries-1-text-input")).to_have_value(
        "Damage to doors, as if they had been hit."
    )
    other_device = new_page(PHONE, mobile=True)
    sign_in(other_device, "delegate03")
    open_chapter(other_device, "Scenario activity: Jayden")
    expect(
        other_device.get_by_label(re.compile("What does this information tell you"))
    ).to_have_value(re.compile("happier since his father"))

    # Complete the chapter.
    page.get_by_role("button", name="Submit this chapter").click()
    expect(page.get_by_text("You submitted 'Writing your conference report'.")).to_be_visible()
    row = page.locator(".govuk-task-list__item", has_text="Writing your conference report")
    expect(row.locator(".govuk-task-list__status")).to_have_text("Submitted")

    # Print the report, and download it as a PDF.
    page.get_by_role("link", name="A printable copy of your answers and report").click()
    expect(
        page.get_by_role("heading", name="Write your report for Jayden's conference")
    ).to_be_visible()
    expect(page.locator(".app-print__statements").first).to_contain_text("Allegation")
    expect(page.locator(".app-print__statements").first).to_contain_text(
        "(second-hand: Neighbour complaints to Housing)"
    )
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "workbook-print-desktop")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download as PDF").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(4) == b"%PDF"


def test_delegate_answers_on_a_phone(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page(PHONE, mobile=True)
    sign_in(page, "delegate04")
    open_chapter(page, "The conference process")
    quiz = page.locator("#block-quiz-eleven-steps")
    labels = quiz.locator("label.app-wb-positions__label")
    steps = [
        "reads the agencies",
        "excluded, or safety",
        "should be invited",
        "meets the family beforehand",
        "opens the meeting",
        "share their information",
        "asks the parents",
        "ask people to leave",
        "summarises",
        "give the chair their recommendation",
        "outline plan",
    ]
    for index in range(labels.count()):
        text = labels.nth(index).inner_text()
        position = next(n for n, words in enumerate(steps, start=1) if words in text)
        quiz.locator("select").nth(index).select_option(str(position))
    quiz.get_by_role("button", name="Check your answer").click()
    expect(page.locator("#quiz-eleven-steps-feedback")).to_contain_text("Correct: 11 of 11")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    assert_accessible(page)
    screenshot(page, "workbook-quiz-phone")

    open_chapter(page, "Writing your conference report")
    page.locator("#s-observations-0-text-input").fill("He froze and watched his mother.")
    page.locator("label[for='s-observations-0-tag-observation']").click()
    saved(page, "jayden-report")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(page)
    screenshot(page, "workbook-report-phone")

    page.goto("/dashboard/delegate/")
    page.get_by_role("link", name=re.compile("Contents and your answers")).first.click()
    assert_accessible(page)
    screenshot(page, "workbook-contents-phone")
