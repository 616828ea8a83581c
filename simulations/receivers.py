"""Receive Django's sign-in, sign-out and access-change signals, once each.

Each change is written to the audit log (``accounts.audit_hooks``) and, when
it changes what a person may do, closes their room sockets
(``socket_control``): signing out closes that session's sockets with
``CLOSE_SIGNED_OUT``; deactivation closes all of the person's sockets with
``CLOSE_SIGNED_OUT``; a change to their flags, manager scope, team, roles or
own permissions, or to the permissions of a role they hold, closes them
with ``CLOSE_ACCESS_CHANGED``.

One receiver per signal means one reading of who was affected, so the audit
log and the sockets cannot disagree. The receivers live here because this
app sits above ``accounts`` and owns the sockets.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import m2m_changed, post_save

from accounts import audit_hooks
from accounts.models import User
from simulations.socket_control import (
    CLOSE_ACCESS_CHANGED,
    CLOSE_SIGNED_OUT,
    user_sockets_close,
)


def signed_out(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    audit_hooks.signed_out(sender, request=request, user=user)
    if user is None:
        return
    session = getattr(request, "session", None)
    user_sockets_close(
        user_id=user.pk,
        code=CLOSE_SIGNED_OUT,
        session_key=getattr(session, "session_key", None),
    )


def user_saved(
    sender: Any, instance: User, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    audit_hooks.user_saved(sender, instance=instance, created=created, raw=raw)
    changes = getattr(instance, "access_changes", {})
    if raw or created or not changes:
        return
    deactivated = changes.get("is_active", (True, True))[1] is False
    user_sockets_close(
        user_id=instance.pk, code=CLOSE_SIGNED_OUT if deactivated else CLOSE_ACCESS_CHANGED
    )


def _user_relation_changed(kind: str, target: str) -> Any:
    def receiver(
        sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
    ) -> None:
        change = audit_hooks.relation_change(
            kind, instance=instance, action=action, reverse=reverse, pk_set=pk_set
        )
        if change is None:
            return
        audit_hooks.relation_audit(change, target=target)
        for user_id in change.user_ids:
            user_sockets_close(user_id=user_id, code=CLOSE_ACCESS_CHANGED)

    return receiver


def group_permissions_changed(sender: Any, **kwargs: Any) -> None:
    group_ids = audit_hooks.group_permissions_changed(sender, **kwargs)
    if not group_ids:
        return
    members = User.groups.through.objects.filter(group_id__in=group_ids)
    for user_id in sorted(set(members.values_list("user_id", flat=True))):
        user_sockets_close(user_id=user_id, code=CLOSE_ACCESS_CHANGED)


def connect() -> None:
    user_logged_in.connect(audit_hooks.signed_in, dispatch_uid="audit-signed-in")
    user_logged_out.connect(signed_out, dispatch_uid="signed-out")
    post_save.connect(user_saved, sender=User, dispatch_uid="user-saved")
    m2m_changed.connect(
        _user_relation_changed("groups", "group"),
        sender=User.groups.through,
        dispatch_uid="user-groups",
        weak=False,
    )
    m2m_changed.connect(
        _user_relation_changed("user_permissions", "permission"),
        sender=User.user_permissions.through,
        dispatch_uid="user-permissions",
        weak=False,
    )
    m2m_changed.connect(
        group_permissions_changed,
        sender=Group.permissions.through,
        dispatch_uid="group-permissions",
    )
