"""Wagtail admin views for scenarios beyond Wagtail's own: making a variant."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from wagtail.actions.publish_revision import PublishPermissionError
from wagtail.admin.widgets import AdminDateInput

from scenarios.forms import VariantSeedField
from scenarios.models import Scenario
from scenarios.schema import ScenarioFileError
from scenarios.services import scenario_variant_create


class VariantForm(forms.Form):
    seminar_date = forms.DateField(
        label="Seminar date",
        help_text="The variant's key dates are set relative to this day.",
        widget=AdminDateInput,
        error_messages={"required": "Enter the seminar date", "invalid": "Enter a real date"},
    )
    seed = VariantSeedField(label="Seed (optional)")


def scenario_variant(request: HttpRequest, pk: int) -> HttpResponse:
    """Generate a variant of scenario ``pk`` (fresh names and dates) and publish it."""
    if not (
        request.user.has_perm("scenarios.add_scenario")
        and request.user.has_perm("scenarios.publish_scenario")
    ):
        raise PermissionDenied
    template = get_object_or_404(Scenario, pk=pk)
    form = VariantForm(request.POST or None, initial={"seminar_date": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                variant = scenario_variant_create(
                    template=template,
                    seed=form.cleaned_data["seed"],
                    seminar_date=form.cleaned_data["seminar_date"],
                    user=request.user,  # type: ignore[arg-type]
                )
            except ScenarioFileError as error:
                problems = "; ".join(str(problem) for problem in error.errors[:3])
                form.add_error(None, f"That variant did not pass the checks: {problems}")
            except PublishPermissionError:
                form.add_error(None, "You do not have permission to publish scenarios.")
            else:
                messages.success(
                    request,
                    f"Variant '{variant.title}' published (seed {form.cleaned_data['seed']}).",
                )
                return redirect(
                    reverse("wagtailsnippets_scenarios_scenario:edit", args=[variant.pk])
                )
        status = 400
    context: dict[str, Any] = {
        "page_title": f"Make a variant of {template.title}",
        "header_icon": "clipboard-list",
        "breadcrumbs_items": [
            {"url": reverse("wagtailadmin_home"), "label": "Home"},
            {"url": reverse("wagtailsnippets_scenarios_scenario:list"), "label": "Scenarios"},
            {
                "url": reverse("wagtailsnippets_scenarios_scenario:edit", args=[template.pk]),
                "label": template.title,
            },
            {"url": "", "label": "Make a variant"},
        ],
        "form": form,
        "template_scenario": template,
        "action_url": request.path,
        "submit_button_label": "Generate and publish",
        "submit_button_active_label": "Generating…",
        "media": form.media,
    }
    return TemplateResponse(request, "scenarios/admin/variant.html", context, status=status)
