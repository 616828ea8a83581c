"""Append to the audit log, one writer at a time, so the entries form one chain."""

from __future__ import annotations

import logging
import re
from datetime import UTC
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone

from audit import chain
from audit.context import current, normalise_ip
from audit.models import AuditChainHead, AuditEntry, Outcome

logger = logging.getLogger(__name__)

# Details hold ids, codes and dates: no names, titles or other free text.
_SAFE_TEXT = re.compile(r"^[A-Za-z0-9_.:+-]{0,80}$")
_ACTION = re.compile(r"^[a-z][a-z0-9_.]{1,63}$")


class AuditDetailsRefused(ValueError):
    """Details that could carry personal data beyond ids; nothing was recorded."""


def _check_value(key: str, value: Any, *, depth: int = 0) -> None:
    if value is None or isinstance(value, bool | int):
        return
    if isinstance(value, str) and _SAFE_TEXT.match(value):
        return
    if isinstance(value, list | tuple) and depth == 0 and len(value) <= 100:
        for item in value:
            _check_value(key, item, depth=1)
        return
    raise AuditDetailsRefused(
        f"Audit detail {key!r} must be an id, a number, a code or a date, "
        "or a short list of them, not free text."
    )


def details_check(details: dict[str, Any]) -> None:
    """Refuse details that are not ids, numbers, codes or dates."""
    for key, value in details.items():
        if not isinstance(key, str) or not _SAFE_TEXT.match(key):
            raise AuditDetailsRefused(f"Audit detail names must be short codes, not {key!r}.")
        _check_value(key, value)


def actor_role_of(user: Any) -> str:
    """The actor's roles (their groups), comma-separated; ``superuser`` first if so."""
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    names = getattr(user, "role_names", None)
    if names is None:
        names = user.groups.values_list("name", flat=True)
    roles = sorted(names)
    if user.is_superuser:
        roles.insert(0, "superuser")
    return ",".join(roles)[:120]


def _locked_head() -> AuditChainHead:
    """Lock the chain head for this transaction, creating it on an empty database."""
    if connection.vendor == "sqlite":
        # A write first, so this transaction holds SQLite's write lock before
        # it reads the head, even where transactions begin DEFERRED.
        AuditChainHead.objects.filter(pk=1).update(seq=F("seq"))
    try:
        return AuditChainHead.objects.select_for_update().get(pk=1)
    except AuditChainHead.DoesNotExist:
        try:
            with transaction.atomic():
                AuditChainHead.objects.create(pk=1, seq=0, hash=chain.GENESIS)
        except IntegrityError:
            pass  # another writer created it first
        return AuditChainHead.objects.select_for_update().get(pk=1)


def audit_record(
    *,
    action: str,
    actor: Any = None,
    actor_id: int | None = None,
    actor_role: str | None = None,
    object_type: str = "",
    object_id: Any = None,
    outcome: str = Outcome.SUCCESS,
    details: dict[str, Any] | None = None,
    source_ip: str | None = None,
    request_id: str | None = None,
) -> AuditEntry:
    """Append one entry to the chain and return it.

    :param action: a dotted code such as ``auth.sign_in`` or ``competency.export``.
    :param actor: the user who acted (or pass ``actor_id``); ``None`` for the system.
    :param object_type: what was acted on, as ``app_label.model``.
    :param details: ids, numbers, codes and dates only; anything else is refused
        with ``AuditDetailsRefused`` and nothing is recorded.
    :param source_ip, request_id: default to the current request's (see
        ``audit.context``).
    """
    details = dict(details or {})
    if not _ACTION.match(action):
        raise AuditDetailsRefused(f"Audit actions are lower-case dotted codes, not {action!r}.")
    if outcome not in Outcome.values:
        raise AuditDetailsRefused(f"Unknown audit outcome {outcome!r}.")
    try:
        details_check(details)
    except AuditDetailsRefused:
        logger.warning("audit: refused details for %s (keys %s)", action, sorted(details))
        raise
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id = actor.pk
        if actor_role is None:
            actor_role = actor_role_of(actor)
    context = current()
    if source_ip is None and context is not None:
        source_ip = context.source_ip
    if request_id is None and context is not None:
        request_id = context.request_id
    created = timezone.now().astimezone(UTC)
    with transaction.atomic():
        head = _locked_head()
        entry = AuditEntry(
            seq=head.seq + 1,
            created=created,
            actor_id=actor_id,
            actor_role=actor_role or "",
            action=action,
            object_type=object_type[:100],
            object_id="" if object_id is None else str(object_id)[:64],
            outcome=outcome,
            source_ip=normalise_ip(source_ip) or "",
            request_id=(request_id or "")[:128],
            details=details,
            prev_hash=head.hash,
        )
        entry.hash = chain.link_hash(head.hash, entry.chain_fields())
        entry.save()
        head.seq, head.hash = entry.seq, entry.hash
        head.save(update_fields=["seq", "hash"])
    return entry
