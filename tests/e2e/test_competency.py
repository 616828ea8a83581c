"""Competency dashboards in a browser: chart, filters, export, drill-down, certificate."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "viewport,label,mobile", [(PHONE, "phone", True), (DESKTOP, "desktop", False)]
)
def test_manager_filters_exports_and_drills_down(new_page, viewport, label, mobile) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport, mobile=mobile)
    sign_in(page, "manager.agency")
    page.goto("/dashboard/manager/")
    assert page.locator("svg[role=img]").is_visible()
    assert page.locator("#people tbody tr").count() >= 4
    assert_accessible(page)
    screenshot(page, f"competency-manager-{label}")

    page.get_by_label("Status", exact=True).select_option("competent")
    page.wait_for_url("**status=competent**")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#people tbody tr')]"
        ".every(r => r.textContent.includes('Competent'))"
    )
    assert "Expired" not in page.locator("#people tbody").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = open(download.value.path(), encoding="utf-8").read()  # noqa: SIM115 - small file
    assert text.startswith("Name,") and "Competent" in text and "Expired" not in text

    page.locator("#people tbody a").first.click()
    page.wait_for_url("**/dashboard/manager/people/**")
    assert page.get_by_role("heading", name="Evidence").is_visible()
    assert_accessible(page)
    screenshot(page, f"competency-person-{label}")


def test_delegate_sees_their_record_and_downloads_a_certificate(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    # delegate02 is competent in the demo and plays in no other browser test
    # (delegate01 chairs the conference test, whose score then becomes their
    # latest conference evidence).
    sign_in(page, "delegate02")
    page.goto("/dashboard/delegate/competency/")
    assert page.get_by_role("heading", name="Your competency record").is_visible()
    assert_accessible(page)
    screenshot(page, "competency-delegate")
    with page.expect_download() as download:
        page.get_by_role("button", name="Get your certificate").click()
    assert open(download.value.path(), "rb").read(4) == b"%PDF"  # noqa: SIM115
    page.goto("/dashboard/delegate/competency/")
    assert page.get_by_role("link", name="(PDF)").count() >= 1 or "TH-" in page.content()


def test_trainer_opens_partnership_analytics(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page(PHONE, mobile=True)
    sign_in(page, "trainer")
    page.goto("/dashboard/trainer/")
    page.get_by_role("link", name="Agreement with the answer key").click()
    page.wait_for_url("**/analytics/agreement/")
    assert page.get_by_role("heading", name="Agreement with the answer key").is_visible()
    assert page.locator("table").count() == 3
    assert_accessible(page)
    screenshot(page, "competency-analytics-phone")
