"""Detect identifiers in scenario text that could belong to a real person.

Scenarios must hold synthetic data only. Invented names and addresses are
expected, but a valid NHS number, a National Insurance number, a Jersey
social security number or a dialable telephone number could point at a real
person, so the scenario loader refuses text that contains one.

Patterns
--------
NHS number
    Ten digits, written together or grouped 3-3-4 with spaces or hyphens.
    Only numbers whose modulus 11 check digit is valid count, because any
    ten-digit string is otherwise far too common.
UK National Insurance number
    Two letters, six digits, a suffix A-D (spaces allowed between pairs).
    The first letter is not D, F, I, Q, U or V; the second is not D, F, I,
    O, Q, U or V; the prefixes BG, GB, KN, NK, NT, TN and ZZ are never
    allocated, so they do not count.
Jersey social security number
    Jersey numbers follow the National Insurance layout with the prefix
    ``JY`` (for example ``JY 12 34 56 A``); the suffix letter is optional
    here. No public specification was found, so this pattern is a deliberate
    over-match: anything shaped like ``JY`` plus six digits is reported.
Telephone numbers
    UK numbers beginning 01, 02, 03, 05, 07, 08 or 09 with ten digits after
    the leading zero (Jersey landlines are ``01534`` plus six digits; Jersey
    mobiles are ``07797``, ``07700`` and similar), and the same numbers
    written ``+44`` or ``0044`` with or without ``(0)``. Numbers inside
    Ofcom's ranges reserved for drama (``01632 960000``-``960999``,
    ``07700 900000``-``900999``, ``020 7946 0000``-``0999`` and the other
    ranges in ``DRAMA_RANGES``) are fictional and are not reported unless
    asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class IdentifierKind(StrEnum):
    """Kinds of identifier the scanner recognises."""

    NHS_NUMBER = "nhs_number"
    NATIONAL_INSURANCE = "national_insurance_number"
    JERSEY_SOCIAL_SECURITY = "jersey_social_security_number"
    PHONE = "phone_number"


IDENTIFIER_LABELS: dict[IdentifierKind, str] = {
    IdentifierKind.NHS_NUMBER: "NHS number",
    IdentifierKind.NATIONAL_INSURANCE: "National Insurance number",
    IdentifierKind.JERSEY_SOCIAL_SECURITY: "Jersey social security number",
    IdentifierKind.PHONE: "telephone number",
}


@dataclass(frozen=True)
class IdentifierMatch:
    """One identifier found in a text, with its position."""

    kind: IdentifierKind
    start: int
    end: int
    text: str
    fictional: bool = False

    @property
    def label(self) -> str:
        """Return a human name for the kind of identifier."""
        return IDENTIFIER_LABELS[self.kind]


#: Ofcom number ranges set aside for use in drama, as (prefix, first, last)
#: over the national significant number (digits after the leading 0).
DRAMA_RANGES: tuple[tuple[int, int], ...] = (
    (1632960000, 1632960999),  # UK-wide geographic drama range
    (7700900000, 7700900999),  # mobile
    (2079460000, 2079460999),  # London
    (1134960000, 1134960999),  # Leeds
    (1144960000, 1144960999),  # Sheffield
    (1154960000, 1154960999),  # Nottingham
    (1164960000, 1164960999),  # Leicester
    (1174960000, 1174960999),  # Bristol
    (1184960000, 1184960999),  # Reading
    (1214960000, 1214960999),  # Birmingham
    (1314960000, 1314960999),  # Edinburgh
    (1414960000, 1414960999),  # Glasgow
    (1514960000, 1514960999),  # Liverpool
    (1614960000, 1614960999),  # Manchester
    (1914980000, 1914980999),  # Tyneside
    (2896496000, 2896496999),  # Northern Ireland
    (2920180000, 2920180999),  # Cardiff
    (3069990000, 3069990999),  # UK-wide non-geographic
    (8081570000, 8081570999),  # freephone
    (9098790000, 9098790999),  # premium rate
)

_SEP = r"[ \u00a0-]?"

_NHS_RE = re.compile(r"(?<![\w])(?:\d{3}[ -]?\d{3}[ -]?\d{4})(?![\w])")
_NINO_RE = re.compile(
    r"(?<![A-Za-z0-9])([A-Za-z]{2})"
    + _SEP
    + r"(\d{2})"
    + _SEP
    + r"(\d{2})"
    + _SEP
    + r"(\d{2})"
    + r"(?:"
    + _SEP
    + r"([A-Za-z]))?(?![A-Za-z0-9])"
)
_PHONE_RE = re.compile(
    r"(?<![\w+])"
    r"(?:(?:\+|00)44[ \u00a0-]?(?:\(0\)[ \u00a0-]?)?|\(?0)"
    r"([1-35789](?:[ \u00a0()-]{0,2}\d){9})"
    r"(?![\w])"
)

_NINO_BAD_FIRST = set("DFIQUV")
_NINO_BAD_SECOND = set("DFIOQUV")
_NINO_UNALLOCATED = {"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"}


def nhs_check_digit_is_valid(digits: str) -> bool:
    """Return True if ten ``digits`` carry a valid modulus 11 check digit.

    Weights 10 down to 2 apply to the first nine digits; the check digit is
    11 minus the remainder of the sum divided by 11 (11 becomes 0, and 10
    means the number is never issued).
    """
    if len(digits) != 10 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def national_insurance_is_valid(text: str) -> bool:
    """Return True if ``text`` is shaped like an allocatable NI number."""
    compact = re.sub(r"[\s-]", "", text).upper()
    if not re.fullmatch(r"[A-Z]{2}\d{6}[A-D]", compact):
        return False
    prefix = compact[:2]
    return (
        prefix[0] not in _NINO_BAD_FIRST
        and prefix[1] not in _NINO_BAD_SECOND
        and prefix not in _NINO_UNALLOCATED
    )


def is_drama_number(national: str) -> bool:
    """Return True if the national number (no leading 0) is in a drama range."""
    if not national.isdigit() or len(national) != 10:
        return False
    value = int(national)
    return any(low <= value <= high for low, high in DRAMA_RANGES)


def find_identifiers(text: str, *, include_fictional: bool = False) -> list[IdentifierMatch]:
    """Return real-looking identifiers in ``text``, ordered by position.

    Fictional telephone numbers (Ofcom drama ranges) are left out unless
    ``include_fictional`` is True, in which case they carry
    ``fictional=True``.
    """
    matches: list[IdentifierMatch] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for m in _NINO_RE.finditer(text):
        prefix = m.group(1).upper()
        suffix = (m.group(5) or "").upper()
        digits = m.group(2) + m.group(3) + m.group(4)
        if prefix == "JY":
            if m.group(1) != "JY":
                continue
            kind = IdentifierKind.JERSEY_SOCIAL_SECURITY
        elif (
            m.group(1).isupper()
            and suffix
            and national_insurance_is_valid(prefix + digits + suffix)
        ):
            kind = IdentifierKind.NATIONAL_INSURANCE
        else:
            continue
        matches.append(IdentifierMatch(kind, m.start(), m.end(), m.group(0)))
        taken.append((m.start(), m.end()))

    for m in _PHONE_RE.finditer(text):
        national = re.sub(r"\D", "", m.group(1))
        if len(national) != 10 or national[0] not in "1235789":
            continue
        if national.startswith("10"):
            continue  # 010 is not a UK area code
        start = m.start()
        if text[start] == "(" and ")" not in m.group(0):
            start += 1
        if not free(start, m.end()):
            continue
        fictional = is_drama_number(national)
        if fictional and not include_fictional:
            taken.append((start, m.end()))
            continue
        matches.append(
            IdentifierMatch(IdentifierKind.PHONE, start, m.end(), text[start : m.end()], fictional)
        )
        taken.append((start, m.end()))

    for m in _NHS_RE.finditer(text):
        digits = re.sub(r"\D", "", m.group(0))
        if not free(m.start(), m.end()):
            continue
        if nhs_check_digit_is_valid(digits):
            matches.append(
                IdentifierMatch(IdentifierKind.NHS_NUMBER, m.start(), m.end(), m.group(0))
            )
            taken.append((m.start(), m.end()))

    return sorted(matches, key=lambda match: match.start)
