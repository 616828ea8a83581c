"""Competency pages: the manager's team view, drill-down, exports; the delegate's own record.

Views parse the request, call one selector or service and render a page or,
for htmx requests, a fragment. Managers reach people only through
``competency_selectors`` (scoped by ``people_in_scope``); a team filter or a
person outside that scope is refused, audited, and shows nothing. Every view
and export of somebody's competency record is written to the audit log.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST
from django_htmx.middleware import HtmxDetails

from accounts.decorators import role_required
from accounts.models import PlatformRole, User
from assessments import competency_exports as exports
from assessments import competency_selectors as selectors
from assessments import competency_services as services
from assessments.models import AuditAction, Competency, Evidence, EvidenceState


class HtmxHttpRequest(HttpRequest):
    # Typing pattern recommended by django-htmx:
    # https://django-htmx.readthedocs.io/en/latest/tips.html#make-htmx-details-available-to-type-checkers
    htmx: HtmxDetails


PEOPLE_PER_PAGE = 50  # counts, chart and exports cover everyone; the table shows a page


def _filters_or_refuse(request: HttpRequest, manager: User) -> selectors.Filters:
    """Parse the filters; refuse (403, audited) a team outside the manager's scope."""
    filters = selectors.Filters.from_query(request.GET)
    if (
        filters.team is not None
        and not selectors.scope_teams(manager=manager).filter(pk=filters.team).exists()
    ):
        services.audit_record(
            actor=manager,
            action=AuditAction.REFUSED,
            what=f"Team {filters.team} is outside the manager's scope",
            detail={"path": request.path},
        )
        raise PermissionDenied("You can only see the teams you manage.")
    return filters


@require_GET
@role_required(PlatformRole.MANAGER)
def manager_dashboard(request: HtmxHttpRequest) -> HttpResponse:
    manager: User = request.user  # type: ignore[assignment]
    filters = _filters_or_refuse(request, manager)
    today = timezone.localdate()
    if request.htmx:
        rows = selectors.team_rows(manager=manager, filters=filters, today=today)
        series = None
    else:
        dashboard = selectors.manager_dashboard(manager=manager, filters=filters, today=today)
        rows, series = dashboard.rows, dashboard.series
    services.audit_record(
        actor=manager,
        action=AuditAction.VIEW,
        what="Team competency",
        detail={"filters": filters.as_query(), "people": len(rows)},
    )
    page = Paginator(rows, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {
        "rows": rows,
        "page": page,
        "pages": page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
        "filters": filters,
        "query": f"?{urlencode(filters.as_query())}" if filters.as_query() else "",
        "page_query": urlencode(filters.as_query()),
        "teams": selectors.scope_teams(manager=manager),
        "statuses": selectors.STATUS_CHOICES,
        "counts": selectors.status_counts(rows),
    }
    if series is None:
        return render(request, "assessments/manager_dashboard.html#people", context)
    context["bars"] = selectors.chart_bars(series)
    context["chart_width"] = 40 + len(series) * selectors.BAR_STEP
    return render(request, "assessments/manager_dashboard.html", context)


@require_GET
@role_required(PlatformRole.MANAGER)
def manager_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"csv", "xlsx"}:
        raise Http404("Exports are CSV or XLSX.")
    manager: User = request.user  # type: ignore[assignment]
    filters = _filters_or_refuse(request, manager)
    rows = selectors.team_rows(manager=manager, filters=filters, today=timezone.localdate())
    services.audit_record(
        actor=manager,
        action=AuditAction.EXPORT,
        what=f"Team competency ({fmt.upper()})",
        detail={"filters": filters.as_query(), "people": len(rows)},
    )
    stamp = f"{timezone.localdate():%Y-%m-%d}"
    if fmt == "xlsx":
        response = HttpResponse(exports.rows_xlsx(rows), content_type=exports.XLSX_TYPE)
    else:
        response = HttpResponse(exports.rows_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="team-competency-{stamp}.{fmt}"'
    return response


def _person_or_refuse(request: HttpRequest, manager: User, person_id: int) -> User:
    try:
        return selectors.person_in_scope(manager=manager, person_id=person_id)
    except Http404:
        services.audit_record(
            actor=manager,
            action=AuditAction.REFUSED,
            what=f"Person {person_id} is outside the manager's scope",
            detail={"path": request.path},
        )
        raise


def _record_context(person: User, today: date) -> dict[str, Any]:
    return {
        "person": person,
        "record": selectors.person_record(person=person, today=today),
        "objectives": selectors.objectives_record(person=person, today=today),
        "evidence": selectors.person_evidence(person=person),
        "competency_titles": selectors.competency_titles(),
        "certificates": person.certificates.filter(revoked_at__isnull=True),
    }


@require_GET
@role_required(PlatformRole.MANAGER)
def manager_person(request: HttpRequest, person_id: int) -> HttpResponse:
    manager: User = request.user  # type: ignore[assignment]
    person = _person_or_refuse(request, manager, person_id)
    services.audit_record(
        actor=manager, action=AuditAction.VIEW, what="Competency record", subject=person
    )
    context = _record_context(person, timezone.localdate())
    context["sign_off_choices"] = Competency.objects.filter(is_active=True)
    return render(request, "assessments/manager_person.html", context)


@require_POST
@role_required(PlatformRole.MANAGER, PlatformRole.TRAINER)
def person_sign_off(request: HttpRequest, person_id: int) -> HttpResponse:
    signer: User = request.user  # type: ignore[assignment]
    person = get_object_or_404(User, pk=person_id, is_active=True)
    chosen = request.POST.get("competency", "")
    competency = Competency.objects.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    try:
        if competency is None:
            raise services.EvidenceRefused("Choose the competency you are signing off.")
        services.sign_off_record(
            signer=signer, person=person, competency=competency, note=request.POST.get("note", "")
        )
    except services.EvidenceRefused as error:
        if not services.may_sign_off(signer=signer, person=person):
            services.audit_record(
                actor=signer, action=AuditAction.REFUSED, what="Sign-off refused", subject=person
            )
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
    else:
        messages.success(request, f"You signed off {person.display_name}: {competency.title}.")
    return redirect("manager_person", person.pk)


@require_POST
@role_required(PlatformRole.MANAGER, PlatformRole.TRAINER)
def evidence_release(request: HttpRequest, evidence_id: int) -> HttpResponse:
    reviewer: User = request.user  # type: ignore[assignment]
    evidence = get_object_or_404(Evidence, pk=evidence_id, state=EvidenceState.PENDING)
    try:
        services.evidence_release(reviewer=reviewer, evidence=evidence)
    except services.EvidenceRefused as error:
        raise PermissionDenied(error.message) from error
    messages.success(request, f"Accepted: {evidence.title}.")
    return redirect("manager_person", evidence.user_id)


@require_GET
@role_required(PlatformRole.DELEGATE, PlatformRole.MANAGER, PlatformRole.TRAINER)
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """Open an uploaded file: its owner, a trainer, or a manager in scope."""
    viewer: User = request.user  # type: ignore[assignment]
    evidence = get_object_or_404(Evidence.objects.select_related("user"), pk=evidence_id)
    allowed = evidence.user_id == viewer.pk or services.may_sign_off(
        signer=viewer, person=evidence.user
    )
    if not allowed or not evidence.file:
        services.audit_record(
            actor=viewer, action=AuditAction.REFUSED, what=f"Evidence file {evidence_id}"
        )
        raise Http404("There is no such file for you.")
    services.audit_record(
        actor=viewer, action=AuditAction.VIEW, what=evidence.title, subject=evidence.user
    )
    name = str(evidence.file.name).rsplit("/", 1)[-1]
    # FileResponse streams; role_required is typed for HttpResponse.
    return FileResponse(evidence.file.open("rb"), as_attachment=True, filename=name)  # type: ignore[return-value]


# ---------------------------------------------------------------------------
# The delegate's own record
# ---------------------------------------------------------------------------


@require_GET
@role_required(PlatformRole.DELEGATE)
def delegate_competency(request: HttpRequest) -> HttpResponse:
    person: User = request.user  # type: ignore[assignment]
    context = _record_context(person, timezone.localdate())
    return render(request, "assessments/delegate_competency.html", context)


@require_POST
@role_required(PlatformRole.DELEGATE)
def evidence_upload(request: HttpRequest) -> HttpResponse:
    person: User = request.user  # type: ignore[assignment]
    try:
        on = date.fromisoformat(request.POST.get("occurred_on", ""))
    except ValueError:
        on = None
    try:
        hours = Decimal(request.POST.get("hours", "").strip() or "0")
    except InvalidOperation:
        hours = None
    if hours is not None and not hours.is_finite():
        hours = None
    try:
        services.external_evidence_upload(
            user=person,
            title=request.POST.get("title", ""),
            occurred_on=on,
            hours=hours,
            participatory=request.POST.get("participatory") == "yes",
            file=request.FILES.get("file"),
        )
    except services.EvidenceRefused as error:
        context = _record_context(person, timezone.localdate())
        context.update(upload_error=error.message, posted=request.POST)
        return render(request, "assessments/delegate_competency.html", context, status=422)
    messages.success(
        request, "Your evidence was uploaded. It will count once a trainer or manager accepts it."
    )
    return redirect("delegate_competency")
