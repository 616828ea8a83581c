"""The platform's roles, as Django groups with the permissions they carry.

A role is a group so that admins manage it in Wagtail's user admin. Scope
(which people a manager may see) is data on the user, enforced in selectors.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission

from accounts.models import PlatformRole

# Permission codenames per role, as "app_label.codename". Content editors get
# Wagtail's admin access and page permissions through the "Editors" pattern.
ROLE_PERMISSIONS: dict[PlatformRole, tuple[str, ...]] = {
    PlatformRole.DELEGATE: (),
    PlatformRole.TRAINER: (),
    PlatformRole.MANAGER: (),
    PlatformRole.CONTENT_EDITOR: ("wagtailadmin.access_admin",),
    PlatformRole.ADMIN: ("wagtailadmin.access_admin",),
}


def roles_ensure() -> dict[PlatformRole, Group]:
    """Create the role groups and give them their permissions (idempotent)."""
    groups: dict[PlatformRole, Group] = {}
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.get(
                content_type__app_label=app_label, codename=codename
            )
            group.permissions.add(permission)
        groups[role] = group
    return groups
