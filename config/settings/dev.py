"""Development: the embedded default, debug on, e-mail to the console."""

from __future__ import annotations

import contextlib

from .base import *

DEBUG = True
# daphne's runserver serves WebSockets in development (`make run`). Servers run
# uvicorn, so production does not import daphne (and Twisted) at start-up.
INSTALLED_APPS = ["daphne", *INSTALLED_APPS]
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-threshold-7c1f0d9e2b"
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

with contextlib.suppress(ImportError):
    from .local import *
