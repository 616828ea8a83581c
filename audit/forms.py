from __future__ import annotations

import re

from django import forms

ACTION_FILTER = re.compile(r"^[a-z][a-z0-9_.]{0,63}$")

#: The kinds of action the log holds, as the filter prefix for each and what
#: it covers (docs/operations.md lists every action). A fixed list, so the
#: page never reads the whole log to find out.
ACTION_FAMILIES: tuple[tuple[str, str], ...] = (
    ("auth.", "Sign-ins, failed sign-ins, lockouts and sign-outs"),
    ("accounts.", "People created"),
    ("permissions.", "Changes to a person's access flags, roles and permissions"),
    ("cms.", "Wagtail admin actions: edits, publishing, workflow steps, user changes"),
    ("competency.", "Views, exports and changes of competency records"),
    ("subject_access.", "Subject-access exports of everything about one person"),
    ("retention.", "Runs of the retention purge, with what each deleted"),
    ("audit.", "Readings of this log"),
)


class AuditFilterForm(forms.Form):
    actor = forms.IntegerField(
        label="Actor id", required=False, min_value=1, help_text="The person's user id."
    )
    action = forms.CharField(
        label="Action",
        required=False,
        max_length=64,
        help_text="An action such as auth.sign_in, or the start of one ending in a full stop, such as auth.",
    )
    date_from = forms.DateField(
        label="From (day)", required=False, help_text="For example, 2026-12-01"
    )
    date_to = forms.DateField(label="To (day)", required=False, help_text="For example, 2026-12-31")

    def clean_action(self) -> str:
        action = self.cleaned_data.get("action", "").strip()
        if action and not ACTION_FILTER.match(action):
            raise forms.ValidationError(
                "Enter an action in lower case letters, digits, full stops and underscores."
            )
        return action

    def clean(self) -> dict[str, object] | None:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The 'to' day must be the same as or after the 'from' day.")
        return cleaned
