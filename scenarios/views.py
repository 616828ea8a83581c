"""Trainers' views of the scenario library: the whole case and each role's pack."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.models import PlatformRole
from scenarios.models import Scenario
from scenarios.selectors import (
    scenario_get,
    scenario_list,
    scenario_render_for_trainer,
    scenario_role_pack,
)
from simulations.engine.vocabulary import Role

STAFF = (PlatformRole.TRAINER, PlatformRole.CONTENT_EDITOR, PlatformRole.ADMIN)


def _scenario_or_404(slug: str) -> Scenario:
    try:
        return scenario_get(slug=slug)
    except Scenario.DoesNotExist as exc:
        raise Http404("No such scenario.") from exc


@require_GET
@role_required(*STAFF)
def scenario_index(request: HttpRequest) -> HttpResponse:
    return render(request, "scenarios/scenario_index.html", {"scenarios": scenario_list()})


@require_GET
@role_required(*STAFF)
def scenario_detail(request: HttpRequest, slug: str) -> HttpResponse:
    context = scenario_render_for_trainer(scenario=_scenario_or_404(slug))
    return render(request, "scenarios/scenario_detail.html", context)


@require_GET
@role_required(*STAFF)
def scenario_pack(request: HttpRequest, slug: str, role: str) -> HttpResponse:
    try:
        seat = Role(role)
    except ValueError as exc:
        raise Http404("No such role.") from exc
    context = scenario_role_pack(scenario=_scenario_or_404(slug), role=seat)
    return render(request, "scenarios/role_pack.html", context)
