"""View decorators that enforce platform roles."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from accounts.models import PlatformRole

View = Callable[..., HttpResponse]


def role_required(*roles: PlatformRole) -> Callable[[View], View]:
    """Refuse (403) signed-in people with none of ``roles``; send others to sign in."""
    names = " or ".join(role.value for role in roles)

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not any(user.has_role(role) for role in roles):  # type: ignore[union-attr]
                raise PermissionDenied(f"This page is for the {names} role.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
