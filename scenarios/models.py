"""Models for scenarios."""

from __future__ import annotations
