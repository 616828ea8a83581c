from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm

from accounts import throttle


class ThrottledSignInMixin:
    """Say plainly when a username or address is locked out, instead of "wrong password".

    The throttle itself is checked once, in ``ThrottledModelBackend``, which
    every sign-in (the site's, Wagtail's admin, Django's admin) goes through;
    the backend leaves the lockout on the request for this message.
    """

    request: Any
    cleaned_data: dict[str, Any]

    def clean(self) -> dict[str, Any]:
        try:
            return super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            lockout: throttle.Lockout | None = getattr(self.request, "signin_lockout", None)
            if lockout is not None:
                raise forms.ValidationError(lockout.message, code="locked_out") from None
            raise


class SignInForm(ThrottledSignInMixin, AuthenticationForm):
    """Django's sign-in form with plain-English errors and the shared-device choice."""

    error_messages = {
        "invalid_login": ("Enter a correct username and password. Both are case-sensitive."),
        "inactive": "This account has been switched off. Ask your trainer or manager.",
    }
    username = forms.CharField(
        label="Username",
        max_length=150,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "autofocus": True, "spellcheck": "false"}
        ),
    )
    shared_device = forms.BooleanField(
        label="This is a shared device",
        required=False,
        help_text=(
            "You will be signed out when you close the browser, or after "
            f"{settings.THRESHOLD_SHARED_DEVICE_IDLE_SECONDS // 60} minutes without activity."
        ),
    )


class AdminSignInForm(ThrottledSignInMixin, WagtailLoginForm):
    """Wagtail's admin sign-in form with the same lockout message."""
