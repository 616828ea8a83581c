"""Models for assessments."""

from __future__ import annotations
