"""Fast, deterministic settings for the test suite (bakerydemo's pattern)."""

from __future__ import annotations

import os

from .base import *

DEBUG = False
SECRET_KEY = "test-only-not-secret-threshold"  # noqa: S105 - tests only  # nosec B105
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
if not os.environ.get("DATABASE_URL"):
    DATABASES["default"]["NAME"] = os.environ.get("SQLITE_PATH", str(VAR_DIR / "test.sqlite3"))
    DATABASES["default"]["TEST"] = {"NAME": ""}
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
