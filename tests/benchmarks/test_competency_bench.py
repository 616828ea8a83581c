"""Competency benchmarks: the manager dashboard and the XLSX export at scale.

Targets (the competency issue): with 5,000 delegates, 200 managers and
100,000 evidence records, the manager dashboard renders in under 200 ms
median with a bounded query count, and the XLSX export of an agency of
1,000 people finishes in under 5 s. Run with ``make bench``.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import Agency, ManagerScope, PlatformRole, Team, User
from assessments.models import Competency, Evidence, EvidenceCompetency, EvidenceState
from tests.benchmarks.record import record_row

pytestmark = pytest.mark.django_db

AGENCIES, TEAMS_PER_AGENCY, PEOPLE_PER_TEAM = 5, 40, 25  # 5,000 delegates, 200 teams
EVIDENCE_PER_PERSON = 20  # 100,000 records
RUNS = 20
DASHBOARD_TARGET_MS = 200
EXPORT_TARGET_S = 5
QUERY_BOUND = 20
KINDS = [
    ("workbook_chapter", None, 0, False),
    ("quiz_passed", 90, 0, False),
    ("seminar_attended", None, 3, True),
    ("conference_played", 75, 0, False),
    ("sign_off", None, 0, False),
    ("external_training", None, 2, False),
]


def build() -> tuple[User, User]:
    """Build the population; return a team manager and an agency manager."""
    rng = random.Random(5)
    call_command("seed_competencies", stdout=StringIO())
    competencies = list(Competency.objects.filter(kind="outcome"))
    delegate_group, _ = Group.objects.get_or_create(name=PlatformRole.DELEGATE.value)
    manager_group, _ = Group.objects.get_or_create(name=PlatformRole.MANAGER.value)
    teams = []
    for a in range(AGENCIES):
        agency = Agency.objects.create(name=f"Agency {a}", slug=f"agency-{a}", kind="other")
        teams += Team.objects.bulk_create(
            Team(agency=agency, name=f"Team {a}-{t}", slug=f"t{t}") for t in range(TEAMS_PER_AGENCY)
        )
    people = User.objects.bulk_create(
        User(
            username=f"p{t.pk}-{n}",
            first_name=f"Person{n}",
            last_name=f"Team{t.pk}",
            password="!",
            team=t,
            job_title="Social worker",
        )
        for t in teams
        for n in range(PEOPLE_PER_TEAM)
    )
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=p.pk, group_id=delegate_group.pk) for p in people
    )
    managers = User.objects.bulk_create(
        User(
            username=f"m{t.pk}",
            password="!",
            team=t,
            manager_scope=ManagerScope.AGENCY if i % TEAMS_PER_AGENCY == 0 else ManagerScope.TEAM,
        )
        for i, t in enumerate(teams)
    )
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=m.pk, group_id=manager_group.pk) for m in managers
    )
    today = timezone.localdate()
    now = timezone.now()
    evidence = []
    for person in people:
        for n in range(EVIDENCE_PER_PERSON):
            kind, score, hours, participatory = KINDS[n % len(KINDS)]
            evidence.append(
                Evidence(
                    user_id=person.pk,
                    kind=kind,
                    title=kind,
                    occurred_on=today - timedelta(days=rng.randint(0, 1500)),
                    cpd_hours=Decimal(hours),
                    participatory=participatory,
                    score_percent=score,
                    state=EvidenceState.RELEASED,
                    released_at=now,
                )
            )
    evidence = Evidence.objects.bulk_create(evidence, batch_size=5000)
    EvidenceCompetency.objects.bulk_create(
        (
            EvidenceCompetency(evidence_id=e.pk, competency_id=c.pk)
            for i, e in enumerate(evidence)
            for c in (competencies[i % 6], competencies[(i + 3) % 6])
        ),
        batch_size=5000,
    )
    return managers[1], managers[0]


def timed(client: Client, url: str, runs: int = RUNS) -> tuple[float, int]:
    client.get(url)  # warm caches and templates
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(times), len(queries)


def test_manager_dashboard_and_export_at_scale() -> None:
    team_manager, agency_manager = build()
    assert Evidence.objects.count() == AGENCIES * TEAMS_PER_AGENCY * PEOPLE_PER_TEAM * 20
    client = Client()
    client.force_login(team_manager)
    team_ms, team_queries = timed(client, "/dashboard/manager/")
    client.force_login(agency_manager)
    agency_ms, agency_queries = timed(client, "/dashboard/manager/", runs=5)
    start = time.perf_counter()
    response = client.get("/dashboard/manager/export.xlsx")
    export_s = time.perf_counter() - start
    assert response.status_code == 200 and len(response.content) > 10_000
    print(
        f"team dashboard {team_ms:.0f} ms ({team_queries} queries); "
        f"agency dashboard (1,000 people) {agency_ms:.0f} ms ({agency_queries} queries); "
        f"XLSX export of 1,000 people {export_s:.2f} s"
    )
    command = "pytest tests/benchmarks/test_competency_bench.py -s"
    record_row(
        "Competency",
        benchmark="Manager dashboard, team of 25 (5,000 delegates, 100,000 evidence)",
        result=f"{team_ms:.0f} ms median, {team_queries} queries",
        target=f"< {DASHBOARD_TARGET_MS} ms, bounded queries",
        met="yes" if team_ms < DASHBOARD_TARGET_MS else "no",
        command=command,
    )
    record_row(
        "Competency",
        benchmark="Manager dashboard, agency of 1,000",
        result=f"{agency_ms:.0f} ms median, {agency_queries} queries",
        target="(not set)",
        met="-",
        command=command,
    )
    record_row(
        "Competency",
        benchmark="XLSX export, agency of 1,000",
        result=f"{export_s:.2f} s",
        target=f"< {EXPORT_TARGET_S} s",
        met="yes" if export_s < EXPORT_TARGET_S else "no",
        command=command,
    )
    assert team_queries <= QUERY_BOUND and agency_queries <= QUERY_BOUND
    assert team_ms < DASHBOARD_TARGET_MS
    assert export_s < EXPORT_TARGET_S
