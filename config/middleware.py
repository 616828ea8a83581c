"""Project-wide middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.csp import CSP

# Wagtail's admin and Django's admin ship inline scripts and styles, so they
# get a policy that still forbids framing and foreign origins but allows
# inline code. The public site keeps the strict nonce-based policy.
ADMIN_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.UNSAFE_INLINE, CSP.UNSAFE_EVAL],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "blob:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
ADMIN_PREFIXES = ("/admin/", "/django-admin/")


class AdminContentSecurityPolicyMiddleware:
    """Give the CMS and Django admin their relaxed policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith(ADMIN_PREFIXES):
            response._csp_config = ADMIN_CSP  # type: ignore[attr-defined]
        return response
