"""Trainers' marking of workbook conference reports.

The queue lists handed-in reports, oldest first; the marking page shows the
delegate's report beside the automatic findings and the rubric form. Each
POST parses its form, calls one service and redirects; a form with problems,
or a step the service refuses, comes back with a clear error and nothing
changed (400 for a malformed form, 409 for a step out of turn).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.decorators import role_required
from accounts.models import PlatformRole
from assessments import marking_selectors as selectors
from assessments import marking_services as services
from assessments.marking_forms import ModerationForm, RubricForm
from assessments.models import MarkingStatus, ReportSubmission, RubricCriterion, RubricLevel


def _int_or_none(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_GET
@never_cache
@role_required(PlatformRole.TRAINER)
def marking_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "to-mark")
    if status not in selectors.QUEUE_FILTERS:
        status = "to-mark"
    workbook_id = _int_or_none(request.GET.get("workbook"))
    queue = selectors.marking_queue(status=status, workbook_id=workbook_id)
    return render(
        request,
        "assessments/marking_queue.html",
        {
            "submissions": queue,
            "status": status,
            "filters": [(key, label) for key, (label, _) in selectors.QUEUE_FILTERS.items()],
            "workbooks": selectors.marking_workbooks(),
            "workbook_id": workbook_id,
            "status_tags": selectors.STATUS_TAGS,
        },
    )


def _forms_args(submission: ReportSubmission) -> dict[str, Any]:
    return {
        "criteria": list(RubricCriterion.objects.filter(rubric_id=submission.rubric_id)),
        "levels": list(RubricLevel.objects.filter(rubric_id=submission.rubric_id)),
    }


def _page(
    request: HttpRequest,
    submission: ReportSubmission,
    *,
    sent: dict[str, Any] | None = None,
    moderation: dict[str, Any] | None = None,
    refusal: str = "",
    status: int = 200,
) -> HttpResponse:
    user = request.user
    context = {
        "submission": submission,
        "report": selectors.report_view(submission),
        "findings": selectors.finding_views(submission),
        "rubric": selectors.rubric_view(submission, sent),
        "moderation_rubric": selectors.rubric_view(submission, moderation),
        "moderation_sent": moderation or {},
        "log": selectors.marking_log(submission),
        "status_tag": selectors.STATUS_TAGS.get(submission.status, ""),
        "refusal": refusal,
        "own_report": submission.user_id == user.pk,
        "can_mark": submission.status in {MarkingStatus.AWAITING, MarkingStatus.DRAFT},
        "can_moderate": submission.status == MarkingStatus.MARKED
        and not submission.moderation
        and submission.marker_id != user.pk,
        "can_release": submission.status == MarkingStatus.MARKED,
    }
    return render(request, "assessments/marking_detail.html", context, status=status)


def _submission_or_404(submission_id: int) -> ReportSubmission:
    return get_object_or_404(
        ReportSubmission.objects.select_related(
            "user", "page", "workbook", "marker", "moderator", "released_by"
        ),
        pk=submission_id,
    )


@require_http_methods(["GET", "POST"])
@never_cache
@role_required(PlatformRole.TRAINER)
def marking_detail(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission_or_404(submission_id)
    if request.method == "GET":
        return _page(request, submission)
    form = RubricForm(request.POST, **_forms_args(submission))
    if not form.is_valid():
        return _page(request, submission, sent=form.sent_back(), status=400)
    complete = form.cleaned_data["action"] == "mark"
    try:
        services.marking_save(
            submission_id=submission.pk,
            marker=request.user,  # type: ignore[arg-type]
            marks=form.marks(),
            complete=complete,
        )
    except services.MarkingRefused as refused:
        submission.refresh_from_db()
        return _page(
            request, submission, sent=form.sent_back(), refusal=refused.message, status=409
        )
    messages.success(request, "Marking finished." if complete else "Draft saved.")
    return redirect("marking_detail", submission.pk)


@require_POST
@role_required(PlatformRole.TRAINER)
def marking_moderate(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission_or_404(submission_id)
    form = ModerationForm(request.POST, **_forms_args(submission))
    if not form.is_valid():
        sent = form.sent_back() | {"outcome": request.POST.get("outcome", "")}
        sent["reason"] = request.POST.get("reason", "")
        return _page(request, submission, moderation=sent, status=400)
    outcome = form.cleaned_data["outcome"]
    try:
        services.marking_moderate(
            submission_id=submission.pk,
            moderator=request.user,  # type: ignore[arg-type]
            outcome=outcome,
            reason=form.cleaned_data.get("reason", ""),
            marks=form.marks() if outcome == "changed" else None,
        )
    except services.MarkingRefused as refused:
        submission.refresh_from_db()
        return _page(request, submission, refusal=refused.message, status=409)
    messages.success(request, "Moderation recorded.")
    return redirect("marking_detail", submission.pk)


@require_POST
@role_required(PlatformRole.TRAINER)
def marking_release(request: HttpRequest, submission_id: int) -> HttpResponse:
    submission = _submission_or_404(submission_id)
    try:
        services.marking_release(submission_id=submission.pk, user=request.user)  # type: ignore[arg-type]
    except services.MarkingRefused as refused:
        return _page(request, submission, refusal=refused.message, status=409)
    messages.success(request, f"Mark released to {submission.user.display_name}.")
    return redirect("marking_detail", submission.pk)
