"""C9: security headers on the pages people use, and CSRF on the Wagtail admin.

``make check`` runs ``check --deploy --fail-level WARNING`` with the
production settings; this checks what the responses actually carry.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings
from wagtail.models import Page

from accounts.models import User
from content.models import WorkbookPage
from tests.simulations.rooms import open_room

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
STRICT = ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'"]


@pytest.fixture
def pages(
    demo_people: dict[str, User], citations_resolve: object
) -> dict[str, tuple[str, User | None]]:
    """Return page name -> (URL, who asks for it)."""
    call_command("seed_guidance", stdout=StringIO())
    call_command("seed_workbook", stdout=StringIO())
    room = open_room()
    chapter = WorkbookPage.objects.get(slug="cp-conferences").chapters().first()
    return {
        "home": ("/", None),
        "guidance": ("/guidance/procedures-summary/understanding-levels-of-need/", None),
        "workbook": (chapter.url, None),
        "workbook chapter": (f"/learn/chapter/{chapter.pk}/", demo_people["delegate01"]),
        "sign-in": ("/sign-in/", None),
        "room": (f"/rooms/{room.join_code}/", demo_people["delegate01"]),
        "console": (f"/rooms/{room.join_code}/console/", demo_people["trainer"]),
        "wagtail admin": ("/admin/", demo_people["editor"]),
    }


def get(url: str, user: User | None, **extra: object):  # type: ignore[no-untyped-def]
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(url, **extra)
    assert response.status_code == 200, (url, response.status_code)
    return response


def test_every_page_carries_the_security_headers(pages) -> None:  # type: ignore[no-untyped-def]
    for name, (url, user) in pages.items():
        response = get(url, user)
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name
        csp = response["Content-Security-Policy"]
        if name == "wagtail admin":
            # The CMS needs inline code; it may still not be framed by others.
            assert "frame-ancestors 'self'" in csp and "object-src 'none'" in csp
            assert response["X-Frame-Options"] in {"DENY", "SAMEORIGIN"}
        else:
            for directive in STRICT:
                assert directive in csp, (name, directive, csp)
            script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
            assert "'nonce-" in script_src and "unsafe-inline" not in script_src, (name, csp)
            assert response["X-Frame-Options"] == "DENY", name


PRODUCTION = """
import json
from config.settings import production
print(json.dumps({k: getattr(production, k) for k in dir(production) if k.startswith("SECURE_")}))
"""


def production_security_settings() -> dict[str, object]:
    """Return the security settings of config.settings.production, as deployed."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env["DJANGO_SECRET_KEY"] = "headers-test-only-" + "k" * 40
    result = subprocess.run(
        [sys.executable, "-c", PRODUCTION],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    values = json.loads(result.stdout.strip().splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_with_production_settings_https_responses_carry_hsts(pages) -> None:  # type: ignore[no-untyped-def]
    production = production_security_settings()
    assert production["SECURE_HSTS_SECONDS"] >= 60 * 60 * 24 * 365
    with override_settings(**production):
        for name in ("home", "sign-in", "room"):
            url, user = pages[name]
            response = get(url, user, headers={"x-forwarded-proto": "https"})
            assert (
                response["Strict-Transport-Security"]
                == "max-age=31536000; includeSubDomains; preload"
            ), name
        # Plain HTTP is sent to HTTPS.
        redirect = Client().get("/sign-in/")
        assert redirect.status_code == 301
        assert redirect["Location"] == "https://testserver/sign-in/"


def test_a_wagtail_admin_post_without_a_csrf_token_is_refused(demo_people) -> None:  # type: ignore[no-untyped-def]
    admin = demo_people["admin"]
    home = Page.objects.get(depth=2)
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin)
    url = f"/admin/pages/{home.pk}/delete/"
    assert client.get(url).status_code == 200  # the administrator may delete it
    response = client.post(url)
    assert response.status_code == 403
    assert b"CSRF" in response.content
    assert Page.objects.filter(pk=home.pk).exists()
    # With the token from the confirmation page, the same request goes through.
    token = client.cookies["csrftoken"].value
    assert client.post(url, {"csrfmiddlewaretoken": token}).status_code == 302
    assert not Page.objects.filter(pk=home.pk).exists()
