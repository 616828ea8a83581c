"""Write sign-ins, sign-outs and permission changes to the audit log.

These functions take Django's own hooks, not ours: the auth signals are sent
by ``login``/``logout`` whichever view calls them (the site's, Wagtail's
admin, Django's admin, an idle shared-device sign-out), and permission
changes reach the database through the User model and its group and
permission relations from the Wagtail user admin, Django's admin, services
and the shell alike. Listening where they all pass is the only way not to
miss one.

``simulations.receivers`` connects them, together with closing the person's
room sockets, so each signal has one receiver; this app sits below
``simulations`` and cannot reach the sockets itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class RelationChange:
    """Who gained or lost which groups or permissions in one m2m change."""

    verb: str  # "add" or "remove"
    user_ids: list[int]
    related_ids: list[int]


def relation_change(
    kind: str, *, instance: Any, action: str, reverse: bool, pk_set: Any
) -> RelationChange | None:
    """Return the change a ``m2m_changed`` on ``User.<kind>`` makes, or ``None``.

    ``kind`` is ``"groups"`` or ``"user_permissions"``. A clear is read at
    ``pre_clear``, because ``post_clear`` no longer knows what went.
    """
    if action == "pre_clear":
        if reverse:
            related, users = {instance.pk}, list(instance.user_set.values_list("pk", flat=True))
        else:
            related = set(getattr(instance, kind).values_list("pk", flat=True))
            users = [instance.pk]
        verb = "remove"
    elif action in {"post_add", "post_remove"}:
        users = sorted(pk_set) if reverse else [instance.pk]
        related = {instance.pk} if reverse else pk_set
        verb = action.removeprefix("post_")
    else:
        return None
    if not related or not users:
        return None
    return RelationChange(verb, sorted(users), sorted(related))


def relation_audit(change: RelationChange, *, target: str) -> None:
    """Record one entry per person whose ``target`` (group, permission) changed."""
    actor = _acting_user()
    for user_id in change.user_ids:
        audit_record(
            action=f"permissions.{target}_{change.verb}",
            actor=actor,
            object_type=USER,
            object_id=user_id,
            details={target: change.related_ids},
        )


def group_permissions_changed(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> list[int]:
    """Audit a change to roles' permissions (``group.permissions``).

    Return the ids of the roles whose permissions changed. A clear is read
    at ``pre_clear``, as for people's relations.
    """
    if action == "pre_clear":
        verb = "remove"
        if reverse:
            groups = instance.group_set.values_list("pk", flat=True)
            pairs = [(pk, [instance.pk]) for pk in sorted(groups)]
        else:
            permissions = sorted(instance.permissions.values_list("pk", flat=True))
            pairs = [(instance.pk, permissions)] if permissions else []
    elif action in {"post_add", "post_remove"} and pk_set:
        verb = action.removeprefix("post_")
        pairs = (
            [(pk, [instance.pk]) for pk in sorted(pk_set)]
            if reverse
            else [(instance.pk, sorted(pk_set))]
        )
    else:
        return []
    for group_id, permission_ids in pairs:
        audit_record(
            action=f"permissions.group_permission_{verb}",
            actor=_acting_user(),
            object_type="auth.group",
            object_id=group_id,
            details={"permission": permission_ids},
        )
    return [group_id for group_id, _ in pairs]
