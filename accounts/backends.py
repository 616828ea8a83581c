"""The one authentication backend: Django's model backend behind the sign-in throttle.

Both the site's sign-in form and Wagtail's admin sign-in (and Django's admin)
call ``django.contrib.auth.authenticate``, so throttling here covers them all.
A locked username or address is refused before the password is checked;
``PermissionDenied`` makes ``authenticate`` stop and report a failure. This
is the one place the throttle is checked: a lockout in force, or one this
failure started, is left on the request as ``signin_lockout`` so that a
sign-in form can say why (``accounts.forms.ThrottledSignInMixin``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from accounts import throttle
from audit.context import client_ip


class ThrottledModelBackend(ModelBackend):
    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if username is None or password is None:
            return None
        ip = client_ip(request.META) if request is not None else None
        lockout = throttle.signin_refusal(username=username, ip=ip)
        if lockout is not None:
            _remember(request, lockout)
            raise PermissionDenied("Too many failed sign-ins.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            started = throttle.signin_failure_record(
                username=username, ip=ip, reason="bad_credentials"
            )
            if started is not None:
                _remember(request, started)
            return None
        throttle.signin_success_record(username=username)
        return user


def _remember(request: HttpRequest | None, lockout: throttle.Lockout) -> None:
    if request is not None:
        request.signin_lockout = lockout  # type: ignore[attr-defined]
