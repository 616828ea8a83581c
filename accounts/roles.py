"""The platform's roles, as Django groups with the permissions they carry.

A role is a group so that admins manage it in Wagtail's user admin. Scope
(which people a manager may see) is data on the user, enforced in selectors.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

from accounts.models import PlatformRole

EDITING = (
    "wagtailadmin.access_admin",
    *(
        f"scenarios.{action}_scenario"
        for action in ("add", "change", "delete", "view", "publish", "lock", "unlock")
    ),
)
# Admins keep the competency framework (Wagtail's "Competencies" menu).
FRAMEWORK = tuple(
    f"assessments.{action}_competency" for action in ("add", "change", "delete", "view")
)
# Permission codenames per role, as "app_label.codename".
ROLE_PERMISSIONS: dict[PlatformRole, tuple[str, ...]] = {
    PlatformRole.DELEGATE: (),
    PlatformRole.TRAINER: (),
    PlatformRole.MANAGER: (),
    PlatformRole.CONTENT_EDITOR: EDITING,
    PlatformRole.ADMIN: (*EDITING, *FRAMEWORK),
}
# Editors may edit every page below the root, and every image and document.
PAGE_PERMISSIONS = (
    "add_page",
    "change_page",
    "publish_page",
    "lock_page",
    "unlock_page",
    "view_page",
)
COLLECTION_PERMISSIONS = (
    ("wagtailimages", ("add_image", "change_image", "choose_image")),
    ("wagtaildocs", ("add_document", "change_document", "choose_document")),
)
EDITOR_ROLES = (PlatformRole.CONTENT_EDITOR, PlatformRole.ADMIN)


def _permission(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def roles_ensure() -> dict[PlatformRole, Group]:
    """Create the role groups and give them their permissions (idempotent)."""
    groups: dict[PlatformRole, Group] = {}
    root_page = Page.get_first_root_node()
    root_collection = Collection.get_first_root_node()
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        group.permissions.add(*(_permission(*dotted.split(".")) for dotted in codenames))
        if role in EDITOR_ROLES:
            if root_page is not None:
                for codename in PAGE_PERMISSIONS:
                    GroupPagePermission.objects.get_or_create(
                        group=group, page=root_page, permission=_permission("wagtailcore", codename)
                    )
            if root_collection is not None:
                for app_label, names in COLLECTION_PERMISSIONS:
                    for codename in names:
                        GroupCollectionPermission.objects.get_or_create(
                            group=group,
                            collection=root_collection,
                            permission=_permission(app_label, codename),
                        )
        groups[role] = group
    return groups
