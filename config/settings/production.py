"""Production: secrets and hosts from the environment; HTTPS enforced.

A proxy terminates TLS and forwards ``X-Forwarded-Proto``.
"""

from __future__ import annotations

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *

DEBUG = False
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY in production.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz/$"]
# Cookies travel only over HTTPS. The one-machine recipe in scripts/prod.sh
# serves plain HTTP on loopback and turns this off with DJANGO_SECURE_COOKIES=0.
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", 60 * 60 * 24 * 365))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", 60 * 60 * 8))

# Production sends real e-mail unless told otherwise.
MAILERS["default"]["BACKEND"] = os.environ.get(
    "MAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
