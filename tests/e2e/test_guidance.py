"""Reading the guidance in a browser: contents, paragraph links, search, print."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, assert_accessible, screenshot

pytestmark = pytest.mark.e2e

SUMMARY = "/guidance/procedures-summary/"


def script_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Collect CSP complaints about scripts (inline code without the nonce)."""
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text)
            if "Content Security Policy" in message.text and "script-src" in message.text
            else None
        ),
    )
    return found


def test_read_the_guidance_and_follow_links(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    violations = script_violations(page)
    page.goto("/guidance/")
    assert_accessible(page)
    screenshot(page, "guidance-library")

    page.get_by_role("link", name="Procedures summary").click()
    page.wait_for_url(f"**{SUMMARY}")
    assert page.get_by_role("heading", level=1).inner_text() == "Procedures summary"
    assert_accessible(page)
    screenshot(page, "guidance-contents")

    # The table of contents leads to a section.
    page.get_by_role("navigation", name="Contents").get_by_role(
        "link", name="Order of business"
    ).click()
    page.wait_for_url(f"**{SUMMARY}order-of-business/")
    assert page.locator("#para-59").is_visible()
    assert_accessible(page)
    screenshot(page, "guidance-section")

    # Next section, then the stable paragraph link back.
    page.get_by_role("link", name="Next section").click()
    page.wait_for_url(f"**{SUMMARY}lead-social-worker-and-core-group/")
    page.goto(f"{SUMMARY}para-72/")
    page.wait_for_url(f"**{SUMMARY}order-of-business/#para-72")
    assert page.evaluate("document.querySelector(':target').id") == "para-72"
    assert page.locator("#para-72").is_visible()
    box = page.locator("#para-72").bounding_box()
    assert box is not None and -2 <= box["y"] < 900

    # "Copy link" puts the stable link on the clipboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.locator("#para-72").hover()
    page.locator("#para-72").get_by_role("button", name="Copy link to paragraph 72").click()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied.endswith(f"{SUMMARY}para-72/")
    expect(page.locator("[data-copy-status]")).to_contain_text("Link copied")

    # A glossary term opens its definition where it first appears.
    page.goto(f"{SUMMARY}understanding-levels-of-need/")
    details = page.locator("#para-12 details")
    details.locator("summary").click()
    assert details.get_by_text("Multi Agency Safeguarding Hub").is_visible()
    assert violations == []


def test_search_lands_on_the_paragraph(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(f"{SUMMARY}order-of-business/")
    page.get_by_role("searchbox", name="Search the guidance").fill("Gillick")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**/search/?q=Gillick")
    assert_accessible(page)
    screenshot(page, "guidance-search")
    page.get_by_role("link", name="Paragraph 91: The voice of the child").click()
    page.wait_for_url(f"**{SUMMARY}the-voice-of-the-child/#para-91")
    assert page.evaluate("document.querySelector(':target').id") == "para-91"
    assert "Gillick" in page.locator("#para-91").inner_text()


def test_print_view(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto(f"{SUMMARY}print/")
    assert page.get_by_role("button", name="Print this document").is_visible()
    assert_accessible(page)
    page.emulate_media(media="print")
    # On paper: no navigation, no buttons, no glossary disclosures, and the
    # Continuum table whole (no scrolling container cutting it off).
    assert not page.locator(".govuk-header").is_visible()
    assert not page.get_by_role("button", name="Print this document").is_visible()
    assert not page.locator(".app-glossary-details").first.is_visible()
    table = page.locator("table.app-guidance-table").first
    assert table.is_visible()
    assert table.locator("tbody tr").count() == 4
    wrapper = page.locator(".app-table-wrapper").first
    assert page.evaluate("(el) => el.scrollWidth <= el.clientWidth + 1", wrapper.element_handle())
    screenshot(page, "guidance-print")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000


def test_on_a_phone(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page(PHONE, mobile=True)
    page.goto(f"{SUMMARY}understanding-levels-of-need/")
    # Nothing wider than the screen: the table becomes one card per level.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.locator("td[data-label='Response']").first.is_visible()
    # Touch screens always show the copy button.
    assert page.get_by_role("button", name="Copy link to paragraph 5").is_visible()
    assert_accessible(page)
    screenshot(page, "guidance-section-phone")
    page.goto("/glossary/")
    assert_accessible(page)
    screenshot(page, "guidance-glossary-phone")
    page.goto("/search/?q=core+group")
    assert_accessible(page)
    screenshot(page, "guidance-search-phone")
