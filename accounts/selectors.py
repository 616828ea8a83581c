"""Read-side queries about people, always scoped to what the viewer may see."""

from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import ManagerScope, PlatformRole, User


def people_in_scope(*, manager: User) -> QuerySet[User]:
    """Return the people a manager may see: their team, or their agency.

    Anyone without the Manager role, or a manager with no team, sees nobody.
    """
    if not manager.has_role(PlatformRole.MANAGER) or manager.team_id is None:
        return User.objects.none()
    people = User.objects.filter(is_active=True).select_related("team__agency")
    if manager.manager_scope == ManagerScope.AGENCY:
        people = people.filter(team__agency_id=manager.team.agency_id)  # type: ignore[union-attr]
    else:
        people = people.filter(team_id=manager.team_id)
    return people.exclude(pk=manager.pk).order_by("last_name", "first_name")


def nav_items_for(*, user: User, path: str) -> list[dict[str, object]]:
    """Return the service navigation links a person should see."""
    items: list[tuple[str, str]] = [("Home", "/")]
    if user.is_authenticated:
        items.append(("Dashboard", "/dashboard/"))
    items += [("Guidance", "/guidance/"), ("Workbook", "/workbooks/")]
    if user.is_authenticated:
        if user.has_role(PlatformRole.TRAINER) or user.has_role(PlatformRole.ADMIN):
            items.append(("Seminars", "/seminars/"))
        elif user.has_role(PlatformRole.DELEGATE):
            items.append(("Join a conference", "/join/"))
        items.append(("Search", "/search/"))
        items.append(("Your account", "/account/"))
        if user.has_role(PlatformRole.CONTENT_EDITOR) or user.has_role(PlatformRole.ADMIN):
            items.append(("Content admin", "/admin/"))
        if user.has_perm("audit.view_auditentry"):
            items.append(("Audit log", "/audit/"))
    else:
        items += [("Search", "/search/"), ("Sign in", "/sign-in/")]

    def active(url: str) -> bool:
        return path == "/" if url == "/" else path.startswith(url)

    return [{"label": label, "url": url, "active": active(url)} for label, url in items]
