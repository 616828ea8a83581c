"""Throttled sign-in: lock a username, or a source address, after repeated failures.

After ``THRESHOLD_SIGNIN_MAX_FAILURES`` failed sign-ins for one username
within ``THRESHOLD_SIGNIN_WINDOW_SECONDS``, that username is refused for
``THRESHOLD_SIGNIN_LOCKOUT_SECONDS``, even with the right password. Each
source address has its own, larger limit (``THRESHOLD_SIGNIN_IP_MAX_FAILURES``)
against one machine guessing across many usernames. A successful sign-in
clears the username's count (not the address's: one good account must not
reset a guesser's budget). The counts live in the database, so every process
sees the same ones; rows are keyed by an HMAC of the username or address, so
the table holds neither.

Every refusal, failure and lockout is written to the audit log.
"""

from __future__ import annotations

import hashlib
import hmac
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.formats import time_format

from accounts.models import SignInThrottle, ThrottleScope
from audit.models import Outcome
from audit.services import audit_record


@dataclass(frozen=True)
class Lockout:
    scope: ThrottleScope
    until: datetime

    @property
    def message(self) -> str:
        when = time_format(timezone.localtime(self.until), "H:i")
        minutes = max(1, round(settings.THRESHOLD_SIGNIN_LOCKOUT_SECONDS / 60))
        if self.scope == ThrottleScope.USERNAME:
            return (
                f"Too many failed attempts to sign in to this account. It is locked for "
                f"{minutes} minutes: try again after {when}, or reset your password."
            )
        return (
            f"Too many failed sign-ins from this network. Wait {minutes} minutes and "
            f"try again after {when}."
        )


def _key(scope: ThrottleScope, value: str) -> str:
    if scope == ThrottleScope.USERNAME:
        value = unicodedata.normalize("NFKC", value).strip().casefold()
    secret = settings.SECRET_KEY.encode()
    return hmac.new(secret, f"{scope}:{value}".encode(), hashlib.sha256).hexdigest()


def _keys(username: str, ip: str | None) -> list[tuple[ThrottleScope, str, int]]:
    keys = [
        (
            ThrottleScope.USERNAME,
            _key(ThrottleScope.USERNAME, username),
            settings.THRESHOLD_SIGNIN_MAX_FAILURES,
        )
    ]
    if ip:
        keys.append(
            (
                ThrottleScope.ADDRESS,
                _key(ThrottleScope.ADDRESS, ip),
                settings.THRESHOLD_SIGNIN_IP_MAX_FAILURES,
            )
        )
    return keys


def _user_id(username: str) -> int | None:
    model = get_user_model()
    return (
        model._default_manager.filter(**{model.USERNAME_FIELD: username})
        .values_list("pk", flat=True)
        .first()
    )


def signin_lockout(*, username: str, ip: str | None) -> Lockout | None:
    """Return the lockout in force for ``username`` or ``ip`` now, if any."""
    now = timezone.now()
    for scope, key, _limit in _keys(username, ip):
        until = (
            SignInThrottle.objects.filter(scope=scope, key=key, locked_until__gt=now)
            .values_list("locked_until", flat=True)
            .first()
        )
        if until is not None:
            return Lockout(scope, until)
    return None


def signin_refusal(*, username: str, ip: str | None) -> Lockout | None:
    """Return the lockout if ``username`` may not try now, and audit the refusal."""
    lockout = signin_lockout(username=username, ip=ip)
    if lockout is not None:
        audit_record(
            action="auth.sign_in",
            outcome=Outcome.REFUSED,
            object_type="accounts.user",
            object_id=_user_id(username),
            source_ip=ip,
            details={"reason": "locked_out", "scope": str(lockout.scope)},
        )
    return lockout


def _count_failure(scope: ThrottleScope, key: str, limit: int, now: datetime) -> bool:
    """Count one failure; return True if this failure starts a lockout."""
    window = timedelta(seconds=settings.THRESHOLD_SIGNIN_WINDOW_SECONDS)
    row, _ = SignInThrottle.objects.select_for_update().get_or_create(
        scope=scope, key=key, defaults={"window_started": now}
    )
    lock_over = row.locked_until is not None and row.locked_until <= now
    if lock_over or row.window_started <= now - window:
        row.failures, row.window_started, row.locked_until = 0, now, None
    row.failures += 1
    starts = row.locked_until is None and row.failures >= limit
    if starts:
        row.locked_until = now + timedelta(seconds=settings.THRESHOLD_SIGNIN_LOCKOUT_SECONDS)
    row.save(update_fields=["failures", "window_started", "locked_until"])
    return starts


def signin_failure_record(*, username: str, ip: str | None, reason: str) -> Lockout | None:
    """Count a failed sign-in against the username and address; audit it.

    :returns: the lockout this failure started, if it started one.
    """
    now = timezone.now()
    user_id = _user_id(username)
    started: Lockout | None = None
    with transaction.atomic():
        for scope, key, limit in _keys(username, ip):
            if _count_failure(scope, key, limit, now) and started is None:
                started = Lockout(
                    scope, now + timedelta(seconds=settings.THRESHOLD_SIGNIN_LOCKOUT_SECONDS)
                )
    audit_record(
        action="auth.sign_in",
        outcome=Outcome.FAILURE,
        object_type="accounts.user",
        object_id=user_id,
        source_ip=ip,
        details={"reason": reason},
    )
    if started is not None:
        audit_record(
            action="auth.lockout",
            outcome=Outcome.REFUSED,
            object_type="accounts.user",
            object_id=user_id,
            source_ip=ip,
            details={
                "scope": str(started.scope),
                "seconds": settings.THRESHOLD_SIGNIN_LOCKOUT_SECONDS,
            },
        )
    return started


def signin_success_record(*, username: str) -> None:
    """Clear the username's failures after a successful sign-in."""
    SignInThrottle.objects.filter(
        scope=ThrottleScope.USERNAME, key=_key(ThrottleScope.USERNAME, username)
    ).delete()
