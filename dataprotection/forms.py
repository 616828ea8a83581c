from __future__ import annotations

from django import forms

from accounts.models import User


class SubjectAccessForm(forms.Form):
    username = forms.CharField(
        max_length=150,
        help_text="The username of the person who asked for their data.",
    )

    def clean_username(self) -> User:
        username = self.cleaned_data["username"].strip()
        person = User.objects.filter(username=username).first()
        if person is None:
            raise forms.ValidationError(f"There is nobody with the username {username!r}.")
        return person
