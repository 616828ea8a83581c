"""Certificates: issue one, download it as a PDF, verify it by its URL.

The verification URL carries the certificate number signed with the
project's secret key, so anyone can open it to check a certificate is
genuine, and a changed number or signature is refused.
"""

from __future__ import annotations

from django.contrib import messages
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from accounts.decorators import role_required
from accounts.models import PlatformRole, User
from accounts.selectors import people_in_scope
from assessments import competency_selectors as selectors
from assessments import competency_services as services
from assessments.models import AuditAction, Certificate
from assessments.rules import Status

SALT = "assessments.certificate"
TITLE = "Safeguarding level 3: child protection conferences"


def verification_token(certificate: Certificate) -> str:
    return signing.Signer(salt=SALT).sign(certificate.number)


def verification_url(request: HttpRequest, certificate: Certificate) -> str:
    return request.build_absolute_uri(
        reverse("certificate_verify", args=[verification_token(certificate)])
    )


@require_POST
@role_required(PlatformRole.DELEGATE)
def certificate_issue(request: HttpRequest) -> HttpResponse:
    person: User = request.user  # type: ignore[assignment]
    record = selectors.person_record(person=person, today=timezone.localdate())
    if record.status not in {Status.COMPETENT, Status.EXPIRING}:
        messages.error(request, "You are not competent in every outcome yet, so no certificate.")
        return redirect("delegate_competency")
    titles = selectors.competency_titles()
    certificate = services.certificate_issue(
        user=person,
        title=TITLE,
        valid_until=record.expires_on,
        competencies=[
            {"code": j.code, "title": titles.get(j.code, j.code)} for j in record.judgements
        ],
    )
    return redirect("certificate_pdf", certificate.number)


@require_GET
@role_required(PlatformRole.DELEGATE, PlatformRole.MANAGER)
def certificate_pdf(request: HttpRequest, number: str) -> HttpResponse:
    certificate = get_object_or_404(Certificate.objects.select_related("user"), number=number)
    viewer: User = request.user  # type: ignore[assignment]
    if (
        certificate.user_id != viewer.pk
        and not people_in_scope(manager=viewer).filter(pk=certificate.user_id).exists()
    ):
        services.audit_record(
            actor=viewer, action=AuditAction.REFUSED, what=f"Certificate {number}"
        )
        raise PermissionDenied("This certificate is not yours or your team's.")
    services.audit_record(
        actor=viewer,
        action=AuditAction.VIEW,
        what=f"Certificate {number}",
        subject=certificate.user,
    )
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow to import: only here

    html = render_to_string(
        "assessments/certificate_pdf.html",
        {"certificate": certificate, "verify_url": verification_url(request, certificate)},
        request=request,
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{number}.pdf"'
    return response


@require_GET
def certificate_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Say whether a certificate is genuine: anyone may ask, signed in or not."""
    try:
        number = signing.Signer(salt=SALT).unsign(token)
        certificate = Certificate.objects.select_related("user").get(number=number)
    except (signing.BadSignature, Certificate.DoesNotExist):
        services.audit_record(
            actor=request.user if request.user.is_authenticated else None,
            action=AuditAction.REFUSED,
            what="Certificate verification failed",
            detail={"token": token[:120]},
        )
        return render(
            request, "assessments/certificate_verify.html", {"genuine": False}, status=404
        )
    return render(
        request,
        "assessments/certificate_verify.html",
        {
            "genuine": True,
            "certificate": certificate,
            "revoked": certificate.revoked_at is not None,
            "current": certificate.valid_until is None
            or certificate.valid_until >= timezone.localdate(),
        },
    )
