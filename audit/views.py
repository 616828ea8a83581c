"""The audit log for auditors: newest first, filtered by actor, action and day.

Only people with the ``audit.view_auditentry`` permission may read it, and
each reading is itself recorded.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from audit.forms import ACTION_FAMILIES, AuditFilterForm
from audit.models import Outcome
from audit.selectors import audit_entries
from audit.services import audit_record

PER_PAGE = 50
OUTCOME_TAGS = {
    Outcome.SUCCESS: "govuk-tag--green",
    Outcome.FAILURE: "govuk-tag--orange",
    Outcome.REFUSED: "govuk-tag--red",
}


@require_GET
@never_cache
@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not request.user.has_perm("audit.view_auditentry"):
        audit_record(action="audit.view", actor=request.user, outcome=Outcome.REFUSED)
        raise PermissionDenied("The audit log is for auditors.")
    form = AuditFilterForm(request.GET or None)
    filters: dict[str, object] = {}
    if form.is_bound and form.is_valid():
        filters = {
            "actor_id": form.cleaned_data["actor"],
            "action": form.cleaned_data["action"],
            "date_from": form.cleaned_data["date_from"],
            "date_to": form.cleaned_data["date_to"],
        }
    page = Paginator(audit_entries(**filters), PER_PAGE).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    actor_ids = {entry.actor_id for entry in page if entry.actor_id is not None}
    usernames = dict(
        get_user_model().objects.filter(pk__in=actor_ids).values_list("pk", "username")
    )
    audit_record(
        action="audit.view",
        actor=request.user,
        details={
            "actor_filter": filters.get("actor_id"),
            "action_filter": filters.get("action") or None,
            "page": page.number,
        },
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/entry_list.html",
        {
            "form": form,
            "page": page,
            "entries": [(entry, usernames.get(entry.actor_id)) for entry in page],
            "action_families": ACTION_FAMILIES,
            "outcome_tags": OUTCOME_TAGS,
            "query": query.urlencode(),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
