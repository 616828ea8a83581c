"""Write-side operations on the page tree."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from content.models import HomePage

HOME_INTRO = (
    "Practise child protection conferences the way Jersey's procedures lay them out, "
    "and see how your decisions measure up."
)
HOME_BODY = (
    "<h2>For delegates</h2>"
    "<p>Read the guidance, work through the workbook at your own pace, then join a mock "
    "conference from your phone or laptop with the code your trainer gives you. You play "
    "an agency, write its report, share what it knows and vote on each child.</p>"
    "<h2>For trainers</h2>"
    "<p>Run seminars with several conference rooms at once, drive the agenda, release new "
    "information and lead the debrief with every decision scored against the procedures.</p>"
    "<h2>For managers</h2>"
    "<p>See who in your team is competent, who is in progress and who is due a refresher, "
    "with the evidence behind every record.</p>"
)


def _root_page_create() -> Page:
    """Recreate Wagtail's root page (and default locale) on an emptied database."""
    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    return Page.add_root(title="Root", slug="root")


@transaction.atomic
def home_page_ensure() -> HomePage:
    """Make a ``HomePage`` the root of the default site (idempotent)."""
    home = HomePage.objects.first()
    root = Page.get_first_root_node() or _root_page_create()
    if home is None:
        home = HomePage(title="Threshold", slug="home", intro=HOME_INTRO, body=HOME_BODY)
        # Wagtail's own first migration makes a placeholder welcome page at
        # the slug "home"; move it aside before the real home page takes it.
        for placeholder in root.get_children().filter(slug="home"):
            placeholder.specific.delete()
        root.add_child(instance=home)
        home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Threshold",
        )
    elif site.root_page_id != home.pk:
        site.root_page = home
        site.site_name = "Threshold"
        site.save()
    return home
