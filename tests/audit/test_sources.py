"""What reaches the chained log from elsewhere: competency records and Wagtail's admin."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from assessments.models import AuditLog
from audit.models import AuditEntry, Outcome
from tests.assessments.competency_helpers import competent, framework, manager_of, member, teams

pytestmark = pytest.mark.django_db


def test_competency_views_exports_and_refusals_are_chained_with_ids_only() -> None:
    outcome = framework()
    team_a, team_b, _ = teams()
    amira, ben = member("amira", team_a), member("ben", team_b)
    competent(amira, outcome, timezone.localdate() - timedelta(days=40))
    boss = manager_of(team_a, "boss")
    client = Client()
    client.force_login(boss)
    assert client.get(reverse("manager_person", args=[amira.pk])).status_code == 200
    assert client.get(reverse("manager_export", args=["csv"])).status_code == 200
    assert client.get(reverse("manager_person", args=[ben.pk])).status_code == 404

    viewed = AuditEntry.objects.get(action="competency.view", object_id=str(amira.pk))
    legacy = AuditLog.objects.get(pk=viewed.details["competency_log"])
    assert (legacy.action, legacy.subject_id, viewed.actor_id) == ("view", amira.pk, boss.pk)
    exported = AuditEntry.objects.get(action="competency.export")
    assert exported.details["people"] == 1
    assert exported.source_ip == "127.0.0.1" and exported.request_id
    refused = AuditEntry.objects.get(action="competency.refused")
    assert refused.outcome == Outcome.REFUSED
    assert "Tester" not in str(list(AuditEntry.objects.values_list("details", flat=True)))
    out = StringIO()
    call_command("audit_verify", stdout=out)
    assert out.getvalue().startswith("chain intact:")


def test_wagtail_admin_actions_are_chained(demo_people) -> None:  # type: ignore[no-untyped-def]
    from wagtail.models import Page

    editor = demo_people["editor"]
    client = Client()
    client.force_login(editor)
    home = Page.objects.get(depth=2)
    response = client.post(
        reverse("wagtailadmin_pages:unpublish", args=[home.pk]), {"include_descendants": ""}
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="cms.wagtail.unpublish")
    assert (entry.actor_id, entry.object_type, entry.object_id) == (
        editor.pk,
        "wagtailcore.page",
        str(home.pk),
    )
    assert entry.actor_role == "Content editor"
    assert isinstance(entry.details["log_entry"], int)
