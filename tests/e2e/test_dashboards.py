"""A delegate and a manager sign in and see their dashboards, on phone and desktop."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "viewport,label,mobile", [(PHONE, "phone", True), (DESKTOP, "desktop", False)]
)
def test_delegate_signs_in_and_sees_their_dashboard(new_page, viewport, label, mobile) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport, mobile=mobile)
    page.goto("/")
    assert_accessible(page)
    screenshot(page, f"home-{label}")
    sign_in(page, "delegate01")
    assert page.get_by_role("heading", name="Your learning").is_visible()
    assert page.get_by_role("heading", name="Your team").count() == 0
    assert_accessible(page)
    screenshot(page, f"delegate-dashboard-{label}")
    page.get_by_role("link", name="Your progress").click()
    page.wait_for_url("**/dashboard/delegate/")
    assert page.get_by_role("heading", name="Your progress").is_visible()
    assert_accessible(page)


@pytest.mark.parametrize(
    "viewport,label,mobile", [(PHONE, "phone", True), (DESKTOP, "desktop", False)]
)
def test_manager_signs_in_and_sees_their_team(new_page, live_app, viewport, label, mobile) -> None:  # type: ignore[no-untyped-def]
    page = new_page(viewport, mobile=mobile)
    sign_in(page, "manager")
    assert page.get_by_role("heading", name="Your team").is_visible()
    assert_accessible(page)
    screenshot(page, f"manager-dashboard-{label}")
    page.get_by_role("link", name="Team competency").click()
    page.wait_for_url("**/dashboard/manager/")
    rows = page.locator("tbody tr")
    assert rows.count() >= 3
    assert_accessible(page)
    screenshot(page, f"manager-team-{label}")


def test_wrong_password_shows_an_error_summary(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    page.goto("/sign-in/")
    page.get_by_label("Username").fill("delegate01")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter a correct username and password")
    assert_accessible(page)
    screenshot(page, "sign-in-error")


def test_delegate_is_refused_the_manager_dashboard(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    sign_in(page, "delegate01")
    response = page.goto("/dashboard/manager/")
    assert response is not None and response.status == 403
    assert page.get_by_role("heading", name="You cannot see this page").is_visible()


def test_websocket_echo_from_the_browser(new_page) -> None:  # type: ignore[no-untyped-def]
    page = new_page()
    sign_in(page, "delegate01")
    reply = page.evaluate(
        """() => new Promise((resolve, reject) => {
            const ws = new WebSocket(location.origin.replace('http', 'ws') + '/ws/echo/');
            const frames = [];
            ws.onmessage = (e) => { frames.push(JSON.parse(e.data));
              if (frames.length === 1) ws.send(JSON.stringify({type: 'echo', text: 'from the browser'}));
              else { ws.close(); resolve(frames); } };
            ws.onerror = () => reject('socket error');
            setTimeout(() => reject('timeout'), 5000);
        })"""
    )
    assert reply[0]["type"] == "welcome"
    assert reply[1] == {
        "type": "echo",
        "text": "from the browser",
        "ref": None,
        "user": "delegate01",
    }
