"""Development: the embedded default, debug on, e-mail to the console."""

from __future__ import annotations

import contextlib

from .base import *

DEBUG = True
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-threshold-7c1f0d9e2b"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

with contextlib.suppress(ImportError):
    from .local import *
