"""Dashboards for delegates, trainers and managers.

Each dashboard is a page of its own, refused to people without the role;
``/dashboard/`` shows the sections for every role a person holds.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from accounts.decorators import role_required
from accounts.models import PlatformRole
from accounts.selectors import people_in_scope
from assessments.competency_selectors import attended_seminar, person_record
from assessments.marking_selectors import marking_queue
from assessments.selectors import workbooks_progress

DASHBOARD_ROLES = (
    PlatformRole.DELEGATE,
    PlatformRole.TRAINER,
    PlatformRole.MANAGER,
    PlatformRole.CONTENT_EDITOR,
)


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    roles = [role for role in DASHBOARD_ROLES if user.has_role(role)]  # type: ignore[union-attr]
    context: dict[str, Any] = {"roles": [role.value for role in roles]}
    if PlatformRole.MANAGER in roles:
        context["team_size"] = people_in_scope(manager=user).count()  # type: ignore[arg-type]
    return render(request, "assessments/dashboard.html", context)


@require_GET
@role_required(PlatformRole.DELEGATE)
def delegate_dashboard(request: HttpRequest) -> HttpResponse:
    workbooks = workbooks_progress(user=request.user)  # type: ignore[arg-type]
    record = person_record(person=request.user, today=timezone.localdate())  # type: ignore[arg-type]
    return render(
        request,
        "assessments/delegate_dashboard.html",
        {
            "workbooks": workbooks,
            "record": record,
            "attended": attended_seminar(person=request.user),  # type: ignore[arg-type]
        },
    )


@require_GET
@role_required(PlatformRole.TRAINER)
def trainer_dashboard(request: HttpRequest) -> HttpResponse:
    to_mark = marking_queue(status="to-mark").count()
    return render(request, "assessments/trainer_dashboard.html", {"to_mark": to_mark})
