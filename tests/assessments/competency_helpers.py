"""Small builders for competency tests: a framework, people in teams, evidence."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group

from accounts.models import Agency, ManagerScope, PlatformRole, Team, User
from assessments.competency_services import evidence_record
from assessments.models import Competency, CompetencyKind, Evidence

PASSWORD = "pw-for-tests-only"


def framework() -> Competency:
    """Return one outcome needing a chapter, a conference and a sign-off."""
    return Competency.objects.create(
        code="l3-test",
        title="Take part in conferences",
        kind=CompetencyKind.OUTCOME,
        required_kinds=["workbook_chapter", "conference_played", "sign_off"],
    )


def teams() -> tuple[Team, Team, Team]:
    """Return teams A and B of one agency, and team C of another."""
    one = Agency.objects.create(name="Agency One", slug="one", kind="social_care")
    two = Agency.objects.create(name="Agency Two", slug="two", kind="police")
    return (
        Team.objects.create(agency=one, name="Team A", slug="a"),
        Team.objects.create(agency=one, name="Team B", slug="b"),
        Team.objects.create(agency=two, name="Team C", slug="c"),
    )


def member(username: str, team: Team | None, *roles: PlatformRole, **extra: object) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        first_name=username.title(),
        last_name="Tester",
        email=f"{username}@example.test",
        team=team,
        **extra,  # type: ignore[arg-type]
    )
    for role in roles or (PlatformRole.DELEGATE,):
        group, _ = Group.objects.get_or_create(name=role.value)
        user.groups.add(group)
    return user


def manager_of(team: Team, username: str = "boss", *, agency: bool = False) -> User:
    scope = ManagerScope.AGENCY if agency else ManagerScope.TEAM
    return member(username, team, PlatformRole.MANAGER, manager_scope=scope)


def competent(user: User, competency: Competency, on: date) -> list[Evidence]:
    """Give ``user`` everything ``competency`` needs, and 12 participatory hours."""
    kinds = [("workbook_chapter", None), ("conference_played", 80), ("sign_off", None)]
    rows = [
        evidence_record(
            user=user,
            kind=kind,
            title=kind,
            occurred_on=on,
            competencies=[competency],
            source_ref=f"test:{kind}:{on}",
            score_percent=score,
        )
        for kind, score in kinds
    ]
    rows.append(
        evidence_record(
            user=user,
            kind="seminar_attended",
            title="Seminar",
            occurred_on=on,
            competencies=[],
            source_ref=f"test:seminar:{on}",
            hours=Decimal(12),
            participatory=True,
        )
    )
    return rows
