from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """Django's sign-in form with plain-English errors."""

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
