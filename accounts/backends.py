"""The one authentication backend: Django's model backend behind the sign-in throttle.

Both the site's sign-in form and Wagtail's admin sign-in (and Django's admin)
call ``django.contrib.auth.authenticate``, so throttling here covers them all.
A locked username or address is refused before the password is checked;
``PermissionDenied`` makes ``authenticate`` stop and report a failure. The
sign-in forms check the lockout first as well, to say why.
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
        if throttle.signin_refusal(username=username, ip=ip) is not None:
            raise PermissionDenied("Too many failed sign-ins.")
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is None:
            throttle.signin_failure_record(username=username, ip=ip, reason="bad_credentials")
            return None
        throttle.signin_success_record(username=username)
        return user
