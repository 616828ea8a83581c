"""Seminars and conference rooms: models arrive with the live conference."""

from __future__ import annotations
