"""Wagtail page models, one module per area, re-exported for Django."""

from __future__ import annotations

from content.models.home import HomePage

__all__ = ["HomePage"]
