"""The identifier allowlist, read from settings for the pure detector.

``simulations.engine.identifiers`` finds real-looking identifiers and knows
nothing of settings. ``THRESHOLD_IDENTIFIER_ALLOWLIST`` lists texts that look
like identifiers but are public contacts from the official documents; every
guard on incoming text (scenario packs, workbook answers, conference
reports) and ``manage.py scan_identifiers`` pass this same list in, so what
one accepts the others accept too.
"""

from __future__ import annotations

from django.conf import settings


def identifier_allowlist() -> frozenset[str]:
    """Return the allowed texts, case-folded."""
    return frozenset(
        text.casefold() for text in getattr(settings, "THRESHOLD_IDENTIFIER_ALLOWLIST", ())
    )
