"""The staff-only subject-access page, inside Django's admin site.

``admin.site.admin_view`` lets in active staff only; the page further
requires the Admin role, because the export holds everything about a
person. Each export is recorded in the audit log.
"""

from __future__ import annotations

import logging

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.models import PlatformRole
from dataprotection.forms import SubjectAccessForm
from dataprotection.subject_access import subject_access_export, subject_access_refused

logger = logging.getLogger(__name__)


@require_http_methods(["GET", "POST"])
@never_cache
def subject_access(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not user.has_role(PlatformRole.ADMIN):  # type: ignore[union-attr]
        subject_access_refused(actor=user)  # type: ignore[arg-type]
        raise PermissionDenied("Subject-access exports are for administrators.")
    form = SubjectAccessForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = form.cleaned_data["username"]
        data = subject_access_export(person=person, actor=user, via="admin")  # type: ignore[arg-type]
        response = HttpResponse(data, content_type="application/zip")
        filename = f"subject-access-{person.username}-{timezone.localdate():%Y%m%d}.zip"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if request.method == "POST":
        logger.info("Subject-access export refused: %s", form.errors.as_text())
    context = {
        **admin.site.each_context(request),
        "title": "Subject-access export",
        "form": form,
    }
    return render(
        request,
        "dataprotection/subject_access.html",
        context,
        status=200 if form.is_bound is False or form.is_valid() else 422,
    )


subject_access_view = admin.site.admin_view(subject_access)
