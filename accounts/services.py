"""Write-side operations on people and organisations."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Agency, ManagerScope, PlatformRole, Team, User
from accounts.roles import roles_ensure


@transaction.atomic
def person_upsert(
    *,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    team: Team | None,
    roles: tuple[PlatformRole, ...],
    password: str,
    job_title: str = "",
    manager_scope: str = ManagerScope.TEAM,
    is_superuser: bool = False,
    groups: dict[PlatformRole, Group] | None = None,
) -> User:
    """Create or update one person by username and set their roles exactly.

    :param groups: the role groups, when the caller has them already.
    """
    groups = groups or roles_ensure()
    user, created = User.objects.get_or_create(username=username)
    user.first_name = first_name
    user.last_name = last_name
    user.email = email
    user.team = team
    user.job_title = job_title
    user.manager_scope = manager_scope
    user.is_superuser = is_superuser
    user.is_staff = is_superuser
    user.is_active = True
    if created or not user.check_password(password):
        user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.set([groups[role] for role in roles])
    return user


def team_upsert(*, agency: Agency, name: str, slug: str) -> Team:
    team, _ = Team.objects.update_or_create(agency=agency, slug=slug, defaults={"name": name})
    return team


def agency_upsert(*, name: str, slug: str, kind: str) -> Agency:
    agency, _ = Agency.objects.update_or_create(slug=slug, defaults={"name": name, "kind": kind})
    return agency
