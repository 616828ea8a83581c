"""Forms for marking a report against its rubric, and for moderating a mark.

The fields are built from the submission's rubric: for each criterion a
level (``level-<criterion id>``, one of the rubric's level ids) and a
comment (``comment-<criterion id>``). Anything else a browser sends is
ignored; a level that is not one of the rubric's is a form error.
"""

from __future__ import annotations

from typing import Any

from django import forms

from assessments.marking_services import RubricMarks
from assessments.models import Moderation, RubricCriterion, RubricLevel

MAX_COMMENT = 5_000


class RubricForm(forms.Form):
    ACTIONS = (("draft", "Save as draft"), ("mark", "Finish marking"))

    action = forms.ChoiceField(choices=ACTIONS, error_messages={"required": "Choose what to do."})
    overall_comment = forms.CharField(required=False, max_length=MAX_COMMENT * 2)

    def __init__(
        self,
        *args: Any,
        criteria: list[RubricCriterion],
        levels: list[RubricLevel],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        choices = [(level.pk, level.label) for level in levels]
        for criterion in criteria:
            self.fields[f"level-{criterion.pk}"] = forms.TypedChoiceField(
                choices=choices,
                coerce=int,
                required=False,
                empty_value=None,
                error_messages={
                    "invalid_choice": f"Choose one of the levels for '{criterion.title}'."
                },
            )
            self.fields[f"comment-{criterion.pk}"] = forms.CharField(
                required=False,
                max_length=MAX_COMMENT,
                error_messages={
                    "max_length": f"Keep the comment on '{criterion.title}' to "
                    f"{MAX_COMMENT:,} characters or fewer."
                },
            )

    def needs_every_level(self) -> bool:
        return self.cleaned_data.get("action") == "mark"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.needs_every_level():
            for criterion in self.criteria:
                name = f"level-{criterion.pk}"
                if name not in self.errors and cleaned.get(name) is None:
                    self.add_error(name, f"Choose a level for '{criterion.title}'.")
        return cleaned

    def marks(self) -> RubricMarks:
        data = self.cleaned_data
        return RubricMarks(
            levels={
                c.pk: data[f"level-{c.pk}"]
                for c in self.criteria
                if data.get(f"level-{c.pk}") is not None
            },
            comments={
                c.pk: data[f"comment-{c.pk}"] for c in self.criteria if data.get(f"comment-{c.pk}")
            },
            overall_comment=data.get("overall_comment", ""),
        )

    def sent_back(self) -> dict[str, Any]:
        """Return what was sent, with errors by criterion, for the page to show again."""
        levels: dict[int, int] = {}
        comments: dict[int, str] = {}
        errors: dict[int, str] = {}
        summary: list[tuple[str, str]] = []
        for criterion in self.criteria:
            raw = self.data.get(f"level-{criterion.pk}", "")
            if str(raw).isdigit():
                levels[criterion.pk] = int(raw)
            comments[criterion.pk] = str(self.data.get(f"comment-{criterion.pk}", ""))
            for name in (f"level-{criterion.pk}", f"comment-{criterion.pk}"):
                if name in self.errors:
                    message = str(self.errors[name][0])
                    errors.setdefault(criterion.pk, message)
                    summary.append((f"{name}-input", message))
        for name in ("action", "overall_comment", "outcome", "reason", "__all__"):
            if name in self.errors:
                summary.append((f"{name}-input", str(self.errors[name][0])))
        return {
            "levels": levels,
            "comments": comments,
            "errors": errors,
            "summary": summary,
            "overall_comment": str(self.data.get("overall_comment", "")),
        }


class ModerationForm(RubricForm):
    """Agree with a mark, or change it: every level and a reason are then needed."""

    action = forms.CharField(required=False)  # type: ignore[assignment]  # not asked
    outcome = forms.ChoiceField(
        choices=Moderation.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Say whether you agree with the mark or are changing it.",
            "invalid_choice": "Say whether you agree with the mark or are changing it.",
        },
    )
    reason = forms.CharField(required=False, max_length=MAX_COMMENT)

    def needs_every_level(self) -> bool:
        return self.cleaned_data.get("outcome") == Moderation.CHANGED

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.needs_every_level() and not cleaned.get("reason", "").strip():
            self.add_error("reason", "Give a reason for changing the mark.")
        return cleaned
