"""Competency pages: scope on every route, exports, audit, certificates, uploads."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import PlatformRole
from assessments.models import AuditLog, Certificate, Evidence
from tests.assessments.competency_helpers import competent, framework, manager_of, member, teams

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():  # type: ignore[no-untyped-def]
    """Team A (amira, competent; aaron, nothing), team B (ben) and team C (cara)."""
    outcome = framework()
    team_a, team_b, team_c = teams()
    people = {
        "amira": member("amira", team_a),
        "aaron": member("aaron", team_a),
        "ben": member("ben", team_b),
        "cara": member("cara", team_c),
    }
    competent(people["amira"], outcome, timezone.localdate() - timedelta(days=40))
    competent(people["ben"], outcome, timezone.localdate() - timedelta(days=40))
    people["boss"] = manager_of(team_a, "boss")
    people["chief"] = manager_of(team_b, "chief", agency=True)
    people["teams"] = (team_a, team_b, team_c)  # type: ignore[assignment]
    people["outcome"] = outcome  # type: ignore[assignment]
    return people


def as_user(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def test_team_manager_sees_their_team_with_statuses_and_a_chart(world) -> None:  # type: ignore[no-untyped-def]
    response = as_user(world["boss"]).get(reverse("manager_dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Amira Tester" in body and "Aaron Tester" in body
    assert "Ben Tester" not in body and "Cara Tester" not in body
    assert "govuk-tag--green" in body and "Not started" in body
    assert "<svg" in body and "Show the figures as a table" in body
    assert AuditLog.objects.filter(actor=world["boss"], action="view").exists()


def test_agency_manager_sees_the_agency_but_not_other_agencies(world) -> None:  # type: ignore[no-untyped-def]
    body = as_user(world["chief"]).get(reverse("manager_dashboard")).content.decode()
    assert "Amira Tester" in body and "Ben Tester" in body and "Cara Tester" not in body


def test_filters_by_status_and_name_and_htmx_gets_the_fragment(world) -> None:  # type: ignore[no-untyped-def]
    client = as_user(world["boss"])
    body = client.get(reverse("manager_dashboard"), {"status": "competent"}).content.decode()
    assert "Amira Tester" in body and "Aaron Tester" not in body
    response = client.get(
        reverse("manager_dashboard"), {"q": "aaron"}, headers={"HX-Request": "true"}
    )
    fragment = response.content.decode()
    assert fragment.lstrip().startswith('<div id="people">')
    assert "Aaron Tester" in fragment and "Amira Tester" not in fragment


@pytest.mark.parametrize("htmx", [False, True])
def test_a_team_filter_outside_scope_is_refused_and_audited(world, htmx) -> None:  # type: ignore[no-untyped-def]
    team_b = world["teams"][1]
    headers = {"HX-Request": "true"} if htmx else {}
    response = as_user(world["boss"]).get(
        reverse("manager_dashboard"), {"team": team_b.pk}, headers=headers
    )
    assert response.status_code == 403
    assert "Ben Tester" not in response.content.decode()
    assert AuditLog.objects.filter(actor=world["boss"], action="refused").exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_for_a_team_you_do_not_manage_is_refused(world, fmt) -> None:  # type: ignore[no-untyped-def]
    team_c = world["teams"][2]
    response = as_user(world["chief"]).get(
        reverse("manager_export", args=[fmt]), {"team": team_c.pk}
    )
    assert response.status_code == 403
    assert AuditLog.objects.filter(actor=world["chief"], action="refused").exists()


def test_csv_export_holds_only_people_in_scope_and_is_audited(world) -> None:  # type: ignore[no-untyped-def]
    response = as_user(world["boss"]).get(reverse("manager_export", args=["csv"]))
    assert response["Content-Disposition"].startswith("attachment;")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][0] == "Name"
    assert sorted(r[1] for r in rows[1:]) == ["aaron", "amira"]
    statuses = {r[1]: r[5] for r in rows[1:]}
    assert statuses == {"amira": "Competent", "aaron": "Not started"}
    log = AuditLog.objects.get(actor=world["boss"], action="export")
    assert log.detail["people"] == 2


def test_xlsx_export_matches_the_filters(world) -> None:  # type: ignore[no-untyped-def]
    team_b = world["teams"][1]
    response = as_user(world["chief"]).get(
        reverse("manager_export", args=["xlsx"]), {"team": team_b.pk}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][0] == "Name" and [row[1] for row in values[1:]] == ["ben"]


def test_drill_down_shows_evidence_only_for_people_in_scope(world) -> None:  # type: ignore[no-untyped-def]
    client = as_user(world["boss"])
    ok = client.get(reverse("manager_person", args=[world["amira"].pk]))
    assert ok.status_code == 200 and "conference_played" in ok.content.decode()
    assert AuditLog.objects.filter(action="view", subject=world["amira"]).exists()
    for name in ("ben", "cara", "chief"):
        refused = client.get(reverse("manager_person", args=[world[name].pk]))
        assert refused.status_code == 404
    assert AuditLog.objects.filter(actor=world["boss"], action="refused").count() == 3


def test_delegates_and_trainers_cannot_open_manager_pages(world) -> None:  # type: ignore[no-untyped-def]
    trainer = member("trainer", None, PlatformRole.TRAINER)
    for user in (world["amira"], trainer):
        client = as_user(user)
        for url in (
            reverse("manager_dashboard"),
            reverse("manager_export", args=["csv"]),
            reverse("manager_person", args=[world["amira"].pk]),
        ):
            assert client.get(url).status_code == 403, url


def test_sign_off_outside_scope_is_refused_and_inside_recorded(world) -> None:  # type: ignore[no-untyped-def]
    client = as_user(world["boss"])
    outcome = world["outcome"]
    refused = client.post(
        reverse("person_sign_off", args=[world["ben"].pk]),
        {"competency": outcome.pk, "note": "Good"},
    )
    assert refused.status_code == 403
    assert not Evidence.objects.filter(user=world["ben"], recorded_by=world["boss"]).exists()
    client.post(
        reverse("person_sign_off", args=[world["aaron"].pk]),
        {"competency": outcome.pk, "note": "Chaired a core group well"},
    )
    assert Evidence.objects.filter(user=world["aaron"], kind="sign_off").exists()


def test_the_delegate_sees_their_record_and_can_upload(world, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    client = as_user(world["aaron"])
    assert "Your competency record" in client.get(reverse("delegate_competency")).content.decode()
    bad = client.post(
        reverse("evidence_upload"),
        {
            "title": "Refresher",
            "occurred_on": "2026-01-05",
            "hours": "3",
            "file": SimpleUploadedFile("virus.exe", b"MZ"),
        },
    )
    assert bad.status_code == 422
    assert "The file must be a PDF" in bad.content.decode()
    good = client.post(
        reverse("evidence_upload"),
        {
            "title": "Refresher",
            "occurred_on": "2026-01-05",
            "hours": "3",
            "participatory": "yes",
            "file": SimpleUploadedFile("cert.pdf", b"%PDF-1.4 test"),
        },
    )
    assert good.status_code == 302
    pending = Evidence.objects.get(user=world["aaron"], kind="external_training")
    assert pending.state == "pending" and pending.participatory is True
    file_url = reverse("evidence_file", args=[pending.pk])
    assert b"".join(client.get(file_url).streaming_content).startswith(b"%PDF")
    boss = as_user(world["boss"])
    assert boss.get(file_url).status_code == 200
    assert as_user(world["chief"]).get(file_url).status_code == 200  # the agency's manager
    outsider = manager_of(world["teams"][2], "outsider", agency=True)
    assert as_user(outsider).get(file_url).status_code == 404  # another agency
    assert as_user(world["ben"]).get(file_url).status_code == 404
    boss.post(reverse("evidence_release", args=[pending.pk]))
    assert Evidence.objects.get(pk=pending.pk).state == "released"


def test_certificate_issue_download_and_verification(world) -> None:  # type: ignore[no-untyped-def]
    client = as_user(world["amira"])
    response = client.post(reverse("certificate_issue"))
    certificate = Certificate.objects.get(user=world["amira"])
    assert response.url == reverse("certificate_pdf", args=[certificate.number])
    pdf = client.get(response.url)
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert client.post(reverse("certificate_issue")).url == response.url  # the same one

    from assessments.certificate_views import verification_token

    token = verification_token(certificate)
    anyone = Client()
    ok = anyone.get(reverse("certificate_verify", args=[token]))
    assert ok.status_code == 200 and "This certificate is genuine" in ok.content.decode()
    assert "Amira Tester" in ok.content.decode()
    tampered = token.replace(certificate.number, certificate.number[:-1] + "0")
    if tampered == token:
        tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    for bad in (tampered, token[:-2], "TH-2026-00000000:nonsense"):
        refused = anyone.get(reverse("certificate_verify", args=[bad]))
        assert refused.status_code == 404
        assert "could not be verified" in refused.content.decode()
    assert AuditLog.objects.filter(action="refused", what__startswith="Certificate").count() == 3


def test_no_certificate_before_competence_and_none_for_other_teams(world) -> None:  # type: ignore[no-untyped-def]
    response = as_user(world["aaron"]).post(reverse("certificate_issue"), follow=True)
    assert "not competent in every outcome yet" in response.content.decode()
    as_user(world["ben"]).post(reverse("certificate_issue"))
    number = Certificate.objects.get(user=world["ben"]).number
    assert as_user(world["boss"]).get(reverse("certificate_pdf", args=[number])).status_code == 403
    chief = as_user(world["chief"])  # ben's agency manager
    assert number in chief.get(reverse("manager_person", args=[world["ben"].pk])).content.decode()
    assert chief.get(reverse("certificate_pdf", args=[number])).status_code == 200
    assert as_user(world["amira"]).get(reverse("certificate_pdf", args=[number])).status_code == 403


def test_export_links_carry_the_filters(world) -> None:  # type: ignore[no-untyped-def]
    body = (
        as_user(world["boss"])
        .get(reverse("manager_dashboard"), {"status": "competent", "q": "am"})
        .content.decode()
    )
    assert f"{reverse('manager_export', args=['csv'])}?status=competent&amp;q=am" in body


def test_the_chart_counts_people_competent_at_each_month_end(world) -> None:  # type: ignore[no-untyped-def]
    from assessments import competency_selectors as selectors

    today = timezone.localdate()
    dashboard = selectors.manager_dashboard(
        manager=world["boss"], filters=selectors.Filters(), today=today
    )
    assert [p.total for p in dashboard.series] == [2] * 12
    assert dashboard.series[-1].competent == 1  # amira, competent 40 days ago
    assert dashboard.series[0].competent == 0
    spans = selectors.month_ends(today, 12)
    assert spans[-1][1] == today and spans[0][0].day == 1


def test_the_audit_log_is_readable_not_editable_in_the_admin(world) -> None:  # type: ignore[no-untyped-def]
    as_user(world["boss"]).get(reverse("manager_dashboard"))
    root = member("root", None, is_superuser=True, is_staff=True)
    client = as_user(root)
    listing = client.get("/django-admin/assessments/auditlog/")
    assert listing.status_code == 200 and "Team competency" in listing.content.decode()
    entry = AuditLog.objects.first()
    assert client.get(f"/django-admin/assessments/auditlog/{entry.pk}/delete/").status_code == 403
    assert client.get("/django-admin/assessments/auditlog/add/").status_code == 403


@pytest.mark.parametrize("hours", ["NaN", "Infinity", "three", "-2", "0"])
def test_nonsense_hours_are_refused_with_a_message(world, hours) -> None:  # type: ignore[no-untyped-def]
    response = as_user(world["aaron"]).post(
        reverse("evidence_upload"),
        {
            "title": "Refresher",
            "occurred_on": "2026-01-05",
            "hours": hours,
            "file": SimpleUploadedFile("cert.pdf", b"%PDF-1.4 test"),
        },
    )
    assert response.status_code == 422
    assert "Enter the hours of training" in response.content.decode()


def test_a_sign_off_without_a_valid_competency_says_so(world) -> None:  # type: ignore[no-untyped-def]
    response = as_user(world["boss"]).post(
        reverse("person_sign_off", args=[world["aaron"].pk]),
        {"competency": "not-a-number", "note": "Good"},
        follow=True,
    )
    assert "Choose the competency you are signing off" in response.content.decode()


def test_a_manager_cannot_accept_evidence_of_another_team(world, settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from assessments import competency_services as services

    settings.MEDIA_ROOT = tmp_path
    upload = services.external_evidence_upload(
        user=world["ben"],
        title="Refresher",
        occurred_on=timezone.localdate(),
        hours=3,
        participatory=False,
        file=SimpleUploadedFile("cert.pdf", b"%PDF-1.4 test"),
    )
    response = as_user(world["boss"]).post(reverse("evidence_release", args=[upload.pk]))
    assert response.status_code == 403
    assert Evidence.objects.get(pk=upload.pk).state == "pending"
    assert as_user(world["boss"]).get(reverse("evidence_file", args=[upload.pk])).status_code == 404


def test_the_cached_chart_changes_when_evidence_arrives(world) -> None:  # type: ignore[no-untyped-def]
    from assessments import competency_selectors as selectors

    today = timezone.localdate()

    def latest() -> int:
        dashboard = selectors.manager_dashboard(
            manager=world["boss"], filters=selectors.Filters(), today=today
        )
        return dashboard.series[-1].competent

    assert latest() == 1
    assert latest() == 1  # from the cache
    competent(world["aaron"], world["outcome"], today - timedelta(days=5))
    assert latest() == 2


def test_a_large_team_is_shown_a_page_at_a_time_with_everyone_counted(world) -> None:  # type: ignore[no-untyped-def]
    team_a = world["teams"][0]
    for number in range(60):
        member(f"extra{number:02d}", team_a)
    client = as_user(world["boss"])
    first = client.get(reverse("manager_dashboard"), {"status": "not_started"}).content.decode()
    assert first.count('href="/dashboard/manager/people/') == 50
    assert "61 people" in first and "Showing 1 to 50" in first  # aaron and the 60 extras
    assert 'href="?status=not_started&amp;page=2"' in first and 'rel="next"' in first
    second = client.get(
        reverse("manager_dashboard"), {"status": "not_started", "page": "2"}
    ).content.decode()
    assert second.count('href="/dashboard/manager/people/') == 11
    assert "Showing 51 to 61" in second and 'rel="prev"' in second
    nonsense = client.get(reverse("manager_dashboard"), {"page": "<script>"})
    assert nonsense.status_code == 200  # a bad page number shows the first page


def test_the_cached_chart_follows_newly_released_evidence(world) -> None:  # type: ignore[no-untyped-def]
    from assessments import competency_selectors as selectors

    today = timezone.localdate()
    before = selectors.manager_dashboard(
        manager=world["boss"], filters=selectors.Filters(), today=today
    ).series[-1]
    assert (before.competent, before.total) == (1, 2)  # amira of amira and aaron
    competent(world["aaron"], world["outcome"], today - timedelta(days=3))
    after = selectors.manager_dashboard(
        manager=world["boss"], filters=selectors.Filters(), today=today
    ).series[-1]
    assert (after.competent, after.total) == (2, 2)
