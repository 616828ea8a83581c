"""Detect identifiers in scenario and report text that could belong to a real person.

Scenarios, workbook reports and conference reports must hold synthetic data
only. Invented names and addresses are expected, but a valid NHS number, a
National Insurance number, a Jersey social security number, a dialable
telephone number, an e-mail address at a real domain, a full street address
with its postcode or a date of birth could point at a real person, so every
place where such text enters the platform refuses text that contains one:
the scenario loader and admin form, workbook answers, the conference's
``SubmitReport`` command, and ``manage.py scan_identifiers`` for what is
already stored.

This module is pure Python (it sits in the engine so that ``scenarios``,
``content``, ``assessments`` and ``simulations`` may all use it). Texts the
platform accepts although they look like identifiers (public contacts in
the official documents, ``THRESHOLD_IDENTIFIER_ALLOWLIST``) are passed in
as ``allowed`` by the caller; every guard and the stored-data scan pass the
same list (``scenarios.identifiers.identifier_allowlist``).

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
E-mail addresses
    ``local@domain.tld`` where the domain is not reserved for documentation
    or testing (RFC 2606 and RFC 6761): ``example.com``, ``example.net``,
    ``example.org`` and their subdomains, and the top-level domains
    ``.test``, ``.example``, ``.invalid`` and ``.localhost`` are fictional
    (``delegate01@threshold.test`` is fine).
Street address with postcode
    A house number (``7``, ``12a``, ``Flat 3,``), up to eight words of street
    and place on the same line, then a full UK-format postcode (outward code
    ``A9``, ``A99``, ``A9A``, ``AA9``, ``AA99`` or ``AA9A``, inward code
    ``9AA``), for example ``14 Rue des Pres, St Helier JE2 4QT``. A postcode
    on its own, or an address without a postcode, is not reported: a
    postcode covers many households and invented addresses are expected
    (scenario packs keep house, street and postcode in separate fields).
Date of birth
    A full date (``12/03/2015``, ``12-03-15``, ``12.03.2015``,
    ``2015-03-12``, ``12 March 2015``, ``12th Mar 2015``) that follows a
    date-of-birth label (``DOB``, ``D.O.B.``, ``date of birth``, ``born``,
    ``born on``, ``b.``) or that follows a capitalised forename and surname
    directly, in brackets or after a comma (``Jayden Smith (12/03/2015)``).
    Years, ages and month-year dates (``born in March 2019``) are not
    reported: scenarios give ages and relative dates.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum


class IdentifierKind(StrEnum):
    """Kinds of identifier the scanner recognises."""

    NHS_NUMBER = "nhs_number"
    NATIONAL_INSURANCE = "national_insurance_number"
    JERSEY_SOCIAL_SECURITY = "jersey_social_security_number"
    PHONE = "phone_number"
    EMAIL = "email_address"
    ADDRESS = "street_address_with_postcode"
    DATE_OF_BIRTH = "date_of_birth"


IDENTIFIER_LABELS: dict[IdentifierKind, str] = {
    IdentifierKind.NHS_NUMBER: "NHS number",
    IdentifierKind.NATIONAL_INSURANCE: "National Insurance number",
    IdentifierKind.JERSEY_SOCIAL_SECURITY: "Jersey social security number",
    IdentifierKind.PHONE: "telephone number",
    IdentifierKind.EMAIL: "e-mail address",
    IdentifierKind.ADDRESS: "street address with postcode",
    IdentifierKind.DATE_OF_BIRTH: "date of birth",
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

_EMAIL_RE = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@((?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+"
    r"[A-Za-z]{2,})(?![\w-])"
)
#: Domains reserved for documentation and testing (RFC 2606, RFC 6761).
RESERVED_EMAIL_DOMAINS: frozenset[str] = frozenset({"example.com", "example.net", "example.org"})
RESERVED_TOP_LEVEL_DOMAINS: frozenset[str] = frozenset({"test", "example", "invalid", "localhost"})

_POSTCODE = r"[A-Z]{1,2}[0-9][A-Z0-9]?[ \t\u00a0]*[0-9][A-Z]{2}"
_ADDRESS_RE = re.compile(
    r"(?<![\w/.-])(?:(?:Flat|Apartment|Apt\.?|Unit)[ \t\u00a0]+)?\d{1,4}[A-Za-z]?,?[ \t\u00a0]+"
    r"(?:[A-Za-z0-9\u00c0-\u017f'\u2019.-]+,?[ \t\u00a0]+){1,8}?"
    r"(" + _POSTCODE + r")(?![A-Za-z0-9])"
)

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)
_DATE = (
    r"(?:\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})"
    r"|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}(?:st|nd|rd|th)?[ \u00a0]+" + _MONTHS + r",?[ \u00a0]+\d{4})"
)
_DOB_LABEL = (
    r"(?:DOB|D\.O\.B\.?|[Dd]ate[ \u00a0]+of[ \u00a0]+[Bb]irth|[Bb]orn(?:[ \u00a0]+on)?|b\.)"
)
_NAME = r"[A-Z][a-z'\u2019-]+(?:[ \u00a0]+[A-Z][a-z'\u2019-]+){1,2}"
_DOB_RE = re.compile(
    r"(?:(?<![\w.])" + _DOB_LABEL + r"[ \u00a0]*[:\-]?[ \u00a0]*"
    r"|\b" + _NAME + r"(?:[ \u00a0]*\(|,[ \u00a0]*|[ \u00a0]+))"
    r"(" + _DATE + r")(?![\w/.-]\d)"
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


def email_domain_is_reserved(domain: str) -> bool:
    """Return True if ``domain`` is reserved for examples and tests."""
    domain = domain.lower().rstrip(".")
    top = domain.rsplit(".", 1)[-1]
    return top in RESERVED_TOP_LEVEL_DOMAINS or any(
        domain == reserved or domain.endswith("." + reserved) for reserved in RESERVED_EMAIL_DOMAINS
    )


def find_identifiers(
    text: str, *, include_fictional: bool = False, allowed: Collection[str] = ()
) -> list[IdentifierMatch]:
    """Return real-looking identifiers in ``text``, ordered by position.

    Fictional telephone numbers (Ofcom drama ranges) and e-mail addresses
    at reserved domains are left out unless ``include_fictional`` is True,
    in which case they carry ``fictional=True``. An identifier whose text
    is in ``allowed`` (any case) is left out.
    """
    matches = _find_identifiers(text, include_fictional=include_fictional)
    if allowed:
        folded = {text.casefold() for text in allowed}
        matches = [match for match in matches if match.text.casefold() not in folded]
    return matches


def _find_identifiers(text: str, *, include_fictional: bool) -> list[IdentifierMatch]:
    matches: list[IdentifierMatch] = []
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    for m in _EMAIL_RE.finditer(text):
        fictional = email_domain_is_reserved(m.group(1))
        taken.append((m.start(), m.end()))
        if fictional and not include_fictional:
            continue
        matches.append(
            IdentifierMatch(IdentifierKind.EMAIL, m.start(), m.end(), m.group(0), fictional)
        )

    for m in _DOB_RE.finditer(text):
        start, end = m.start(1), m.end(1)
        if free(start, end):
            matches.append(IdentifierMatch(IdentifierKind.DATE_OF_BIRTH, start, end, m.group(1)))
            taken.append((start, end))

    for m in _NINO_RE.finditer(text):
        if not free(m.start(), m.end()):
            continue
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

    for m in _ADDRESS_RE.finditer(text):
        if free(m.start(), m.end()):
            matches.append(IdentifierMatch(IdentifierKind.ADDRESS, m.start(), m.end(), m.group(0)))
            taken.append((m.start(), m.end()))

    return sorted(matches, key=lambda match: match.start)


def describe(match: IdentifierMatch, where: str = "") -> str:
    """Return a refusal message naming the kind of identifier and where it is.

    :param where: the place the text came from, e.g. ``"section 'Concerns'"``.
    """
    subject = f"{where[:1].upper()}{where[1:]}" if where else "The text"
    return (
        f"{subject} contains what looks like a real {match.label} ({match.text!r}). "
        "Use invented details only: nothing that could identify a real person."
    )


def find_in_texts(
    texts: Iterable[tuple[str, str]],
    *,
    include_fictional: bool = False,
    allowed: Collection[str] = (),
) -> list[tuple[str, IdentifierMatch]]:
    """Return ``(where, match)`` for each identifier in labelled ``(where, text)`` pairs."""
    return [
        (where, match)
        for where, text in texts
        for match in find_identifiers(text, include_fictional=include_fictional, allowed=allowed)
    ]


def strings_in(value: object, path: str = "") -> Iterator[tuple[str, str]]:
    """Yield ``(path, text)`` for every string in a JSON-like value, depth first.

    Paths look like ``fields.concerns.summary`` or ``statements.hv[0].text``,
    so a refusal can say where in a stored answer the identifier sits.
    """
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from strings_in(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from strings_in(item, f"{path}[{index}]")
