"""The Partnership Board's view of agreement with the answer key."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.models import PlatformRole
from simulations.analytics_selectors import agreement_by, votes


@require_GET
@role_required(PlatformRole.TRAINER, PlatformRole.ADMIN)
def partnership_analytics(request: HttpRequest) -> HttpResponse:
    found = votes()
    return render(
        request,
        "simulations/partnership_analytics.html",
        {
            "count": len(found),
            "tables": [
                ("agency", "By agency", agreement_by(found, "agency")),
                ("cohort", "By cohort", agreement_by(found, "cohort")),
                ("month", "By month", agreement_by(found, "month")),
            ],
        },
    )
