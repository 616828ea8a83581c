"""The admin form for a scenario: one YAML field, checked as it is saved."""

from __future__ import annotations

import random
from typing import Any

import yaml
from django import forms
from wagtail.admin.forms import WagtailAdminModelForm

from scenarios.checks import scenario_parse
from scenarios.identifiers import identifier_allowlist
from simulations.engine.identifiers import describe, find_identifiers

MAX_VARIANT_SEED = 2**31 - 1


class VariantSeedField(forms.IntegerField):
    """An optional variant seed: the same seed gives the same variant; empty draws one."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", "Variant seed (optional)")
        kwargs.setdefault(
            "help_text", "The same seed gives the same variant. Leave it empty for a random one."
        )
        super().__init__(
            required=False,
            min_value=0,
            max_value=MAX_VARIANT_SEED,
            error_messages={
                "invalid": "Enter the seed as a whole number",
                "min_value": "The seed cannot be negative",
                "max_value": f"The seed can be at most {MAX_VARIANT_SEED}",
            },
            **kwargs,
        )

    def clean(self, value: Any) -> int:
        seed = super().clean(value)
        return seed if seed is not None else random.randrange(1, 1_000_000)  # noqa: S311 - a variant seed, not security  # nosec B311


class ScenarioSourceField(forms.CharField):
    widget = forms.Textarea(attrs={"rows": 40, "spellcheck": "true", "class": "monospace"})


class ScenarioForm(WagtailAdminModelForm):
    """Saving a draft needs readable YAML with a slug and title; publishing needs a valid pack."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.casefile = None

    def clean_source(self) -> str:
        text: str = self.cleaned_data["source"]
        draft = getattr(self.fields["source"], "is_deferred_validation", False)
        casefile, errors = scenario_parse(text, file="scenario")
        if errors and not draft:
            raise forms.ValidationError(
                [f"Line {e.line}, {e.field_path or 'document'}: {e.message}" for e in errors[:30]]
            )
        # Not even a draft may hold a real person's identifier.
        identifiers = identifier_problems(text, errors)
        if identifiers:
            raise forms.ValidationError(identifiers[:30])
        if casefile is None:
            head = _draft_header(text)
            if head is None:
                raise forms.ValidationError(
                    "A draft must at least be readable YAML with a 'slug' and a 'title'."
                )
            self.instance.slug, self.instance.title = head
            self.instance.summary = ""
        else:
            self.casefile = casefile
            self.instance.slug = casefile.slug
            self.instance.title = casefile.title
            self.instance.summary = casefile.summary
            self.instance.conference_type = casefile.conference_type.value
        return text

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        slug = self.instance.slug
        if slug:
            clash = type(self.instance).objects.filter(slug=slug).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("source", f"Another scenario already uses the slug {slug!r}.")
        return cleaned


def identifier_problems(text: str, errors: list[Any]) -> list[str]:
    """Return refusals for real-looking identifiers in a pack, draft or not.

    The schema finds them field by field when the YAML is readable
    (``errors``); a line-by-line scan of the raw text finds them in a draft
    too broken to read.
    """
    found = [
        f"Line {e.line}, {e.field_path or 'document'}: {e.message}"
        for e in errors
        if e.message.startswith("real-looking ")
    ]
    lines = {e.line for e in errors if e.message.startswith("real-looking ")}
    allowed = identifier_allowlist()
    for number, line in enumerate(text.splitlines(), start=1):
        if number in lines:
            continue
        found.extend(
            f"Line {number}: {describe(match, 'the scenario')}"
            for match in find_identifiers(line, allowed=allowed)
        )
    return found


def _draft_header(text: str) -> tuple[str, str] | None:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return None
    if not isinstance(data, dict):
        return None
    slug, title = data.get("slug"), data.get("title")
    if isinstance(slug, str) and slug and isinstance(title, str) and title:
        return slug, title
    return None
