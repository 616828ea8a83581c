"""Write sign-ins, sign-outs and permission changes to the audit log.

These are Django's own hooks, not ours: the auth signals are sent by
``login``/``logout`` whichever view calls them (the site's, Wagtail's admin,
Django's admin, an idle shared-device sign-out), and permission changes reach
the database through the User model and its group and permission relations
from the Wagtail user admin, Django's admin, services and the shell alike.
Listening where they all pass is the only way not to miss one.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_save

from accounts.models import User
from audit.context import current
from audit.services import audit_record

USER = "accounts.user"


def _acting_user() -> Any:
    context = current()
    user = context.user if context is not None else None
    return user if user is not None and user.is_authenticated else None


def signed_in(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    audit_record(action="auth.sign_in", actor=user, object_type=USER, object_id=user.pk)


def signed_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    reason = getattr(request, "sign_out_reason", "signed_out")
    audit_record(
        action="auth.sign_out",
        actor=user,
        object_type=USER,
        object_id=user.pk if user is not None else None,
        details={"reason": reason},
    )


def user_saved(
    sender: Any, instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:
        return
    if created:
        flags = {f: bool(getattr(instance, f)) for f in ("is_active", "is_staff", "is_superuser")}
        audit_record(
            action="accounts.user_create",
            actor=_acting_user(),
            object_type=USER,
            object_id=instance.pk,
            details=flags,
        )
        return
    for field, (old, new) in getattr(instance, "access_changes", {}).items():
        audit_record(
            action="permissions.change",
            actor=_acting_user(),
            object_type=USER,
            object_id=instance.pk,
            details={"field": field, "from": old, "to": new},
        )


def _relation_changed(kind: str, target: str) -> Any:
    def handler(
        sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
    ) -> None:
        if action == "pre_clear":
            # Record what is about to go; post_clear no longer knows.
            if reverse:
                pk_set, users = {instance.pk}, list(instance.user_set.values_list("pk", flat=True))
            else:
                pk_set, users = (
                    set(getattr(instance, kind).values_list("pk", flat=True)),
                    [instance.pk],
                )
            verb = "remove"
        elif action in {"post_add", "post_remove"}:
            users = sorted(pk_set) if reverse else [instance.pk]
            pk_set = {instance.pk} if reverse else pk_set
            verb = action.removeprefix("post_")
        else:
            return
        if not pk_set or not users:
            return
        actor = _acting_user()
        for user_id in users:
            audit_record(
                action=f"permissions.{target}_{verb}",
                actor=actor,
                object_type=USER,
                object_id=user_id,
                details={target: sorted(pk_set)},
            )

    return handler


def group_permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    """A role's permissions changed (``group.permissions``)."""
    if action not in {"post_add", "post_remove"} or not pk_set:
        return
    pairs = [(pk, [instance.pk]) for pk in pk_set] if reverse else [(instance.pk, sorted(pk_set))]
    for group_id, permission_ids in pairs:
        audit_record(
            action=f"permissions.group_permission_{action.removeprefix('post_')}",
            actor=_acting_user(),
            object_type="auth.group",
            object_id=group_id,
            details={"permission": permission_ids},
        )


def connect() -> None:
    user_logged_in.connect(signed_in, dispatch_uid="audit-signed-in")
    user_logged_out.connect(signed_out, dispatch_uid="audit-signed-out")
    post_save.connect(user_saved, sender=User, dispatch_uid="audit-user-saved")
    m2m_changed.connect(
        _relation_changed("groups", "group"),
        sender=User.groups.through,
        dispatch_uid="audit-user-groups",
        weak=False,
    )
    m2m_changed.connect(
        _relation_changed("user_permissions", "permission"),
        sender=User.user_permissions.through,
        dispatch_uid="audit-user-permissions",
        weak=False,
    )
    m2m_changed.connect(
        group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid="audit-group-permissions",
    )
