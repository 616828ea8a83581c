"""Write-side services for seminars and conferences."""

from __future__ import annotations
