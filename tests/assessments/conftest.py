"""Fixtures of the assessments tests: a real learning record store."""

from __future__ import annotations

from tests.assessments.lrs import lrs, lrs_credentials, lrs_server  # noqa: F401
