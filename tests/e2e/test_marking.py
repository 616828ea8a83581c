"""A trainer marks a delegate's workbook conference report and releases the mark."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.e2e

# Hand in delegate11's report for Jayden's conference, as submitting the
# chapter does; the workbook's own report form is covered by test_workbook.
HAND_IN = """
from accounts.models import User
from assessments import services
from assessments.models import WorkbookAnswer
from content.models import WorkbookChapterPage
from tests.assessments.marking_helpers import complete_report

user = User.objects.get(username="delegate11")
chapter = WorkbookChapterPage.objects.get(slug="conference-report")
value = complete_report()
value["statements"]["worries"].append(
    {"text": "Mum said the health visitor advised the lock.", "tag": "fact"}
)
WorkbookAnswer.objects.update_or_create(
    user=user, page=chapter, block_id="jayden-report",
    defaults={"kind": "report", "value": value, "structure": "e2e"},
)
services.chapter_submit(user=user, chapter=chapter, workbook=chapter.get_parent())
print(user.display_name)
"""


def test_trainer_marks_and_releases_a_report(new_page, live_app) -> None:  # type: ignore[no-untyped-def]
    live_app.manage("load_scenarios")
    # Other browser tests may hand in reports too: mark this delegate's.
    name = live_app.manage("shell", "-c", HAND_IN).strip().splitlines()[-1]

    page = new_page(DESKTOP)
    sign_in(page, "trainer")
    page.goto("/marking/")
    expect(page.get_by_role("heading", level=1, name="Marking queue")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("row").filter(has_text=name).get_by_role("link").first.click()
    expect(page.get_by_role("heading", level=1, name=re.compile("Mark .* report"))).to_be_visible()
    findings = page.locator(".app-marking-findings")
    expect(findings).to_contain_text("Every section of the report template is completed")
    expect(findings.get_by_role("link").first).to_have_attribute("href", re.compile("para-"))
    assert_accessible(page)
    screenshot(page, "marking-page-desktop")

    # Finishing with no levels chosen is refused with a clear message.
    page.get_by_role("button", name="Finish marking").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Choose a level for")
    for criterion in page.locator(".app-marking-criterion").all():
        criterion.get_by_label(re.compile(r"^Secure")).check()
    page.get_by_label("Overall comment for the delegate").first.fill(
        "A clear, child-focused report."
    )
    page.get_by_role("button", name="Finish marking").click()
    expect(page.get_by_text("Marking finished.")).to_be_visible()
    page.get_by_role("button", name="Release to the delegate").click()
    expect(page.get_by_text(re.compile("Mark released to"))).to_be_visible()

    phone = new_page(PHONE, mobile=True)
    sign_in(phone, "delegate11")
    phone.goto("/dashboard/delegate/")
    phone.get_by_role("link", name=re.compile("Contents and your answers")).first.click()
    phone.goto(phone.url.rstrip("/") + "/results/")
    expect(phone.get_by_text("A clear, child-focused report.")).to_be_visible()
    assert_accessible(phone)
    screenshot(phone, "marking-released-phone")
