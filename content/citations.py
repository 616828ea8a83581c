"""Citation keys: stable names for a paragraph of guidance or a workbook block.

A key is ``<scheme>:<document-slug>:<anchor>``, for example
``guidance:procedures-summary:para-59`` or ``workbook:cp-conferences:<block-id>``.
Scoring findings, scenario answer keys and workbook tasks store keys, never
URLs; this module turns a key into a link and a short quotation, for the
version in force on a given date.

Each scheme registers a resolver (guidance and workbook register theirs in
their own modules). An unknown key is an error when content is loaded
(``citation_check``), so a broken link never reaches a delegate.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

KEY_PATTERN = re.compile(
    r"^(?P<scheme>[a-z]+):(?P<slug>[a-z0-9][a-z0-9-]*):(?P<anchor>[A-Za-z0-9_-]+)$"
)


@dataclass(frozen=True, slots=True)
class Citation:
    key: str
    url: str
    title: str  # e.g. "Procedures summary, paragraph 59"
    quotation: str  # a short extract of the cited text


class CitationError(ValueError):
    """A key is malformed or names nothing."""


Resolver = Callable[[str, str, date | None], Citation | None]
_RESOLVERS: dict[str, Resolver] = {}


def register_scheme(scheme: str, resolver: Resolver) -> None:
    """Register ``resolver(slug, anchor, on)`` for keys of ``scheme``."""
    _RESOLVERS[scheme] = resolver


def parse_key(key: str) -> tuple[str, str, str]:
    match = KEY_PATTERN.match(key)
    if match is None:
        raise CitationError(f"Citation key {key!r} is not of the form scheme:document:anchor.")
    return match["scheme"], match["slug"], match["anchor"]


def resolve_citation(key: str, *, on: date | None = None) -> Citation:
    """Return the citation for ``key`` as in force on ``on`` (default: today)."""
    scheme, slug, anchor = parse_key(key)
    resolver = _RESOLVERS.get(scheme)
    if resolver is None:
        raise CitationError(f"Citation key {key!r} uses an unknown scheme {scheme!r}.")
    citation = resolver(slug, anchor, on)
    if citation is None:
        raise CitationError(f"Citation key {key!r} does not name any paragraph or block.")
    return citation


def citation_exists(key: str, *, on: date | None = None) -> bool:
    try:
        resolve_citation(key, on=on)
    except CitationError:
        return False
    return True


def citation_check(keys: list[str], *, on: date | None = None) -> list[str]:
    """Return one message per key that does not resolve (empty when all do)."""
    problems = []
    for key in keys:
        try:
            resolve_citation(key, on=on)
        except CitationError as error:
            problems.append(str(error))
    return problems
