"""Real-identifier detection now lives in ``simulations.engine.identifiers``.

This module re-exports it so that existing imports keep working; new code
imports the engine module, which every app may use.
"""

from __future__ import annotations

from simulations.engine.identifiers import (
    DRAMA_RANGES,
    IDENTIFIER_LABELS,
    IdentifierKind,
    IdentifierMatch,
    find_identifiers,
    is_drama_number,
    national_insurance_is_valid,
    nhs_check_digit_is_valid,
)

__all__ = [
    "DRAMA_RANGES",
    "IDENTIFIER_LABELS",
    "IdentifierKind",
    "IdentifierMatch",
    "find_identifiers",
    "is_drama_number",
    "national_insurance_is_valid",
    "nhs_check_digit_is_valid",
]
