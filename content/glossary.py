"""The glossary: finding terms in text, loading terms, and the A-Z page.

:class:`GlossaryMatcher` finds every glossary term in a piece of text in one
pass of two compiled patterns (one for terms matched in their exact case,
such as acronyms, and one for terms matched in any case). Guidance pages use
it to explain a term where it first appears on the page. The matcher is
built once per process and rebuilt when the guidance cache stamp changes,
which every glossary edit bumps.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from string import ascii_uppercase
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_GET
from wagtail.search.backends import get_search_backends

from content.models.glossary import GlossaryTerm

# A term stands alone: no letter, digit, hyphen or ampersand either side.
_BEFORE = r"(?<![\w&-])"
_AFTER = r"(?![\w&-])"


@dataclass(frozen=True, slots=True)
class TermMatch:
    start: int
    end: int
    term: GlossaryTerm


class GlossaryMatcher:
    """Find glossary terms (and their aliases) in text."""

    def __init__(self, terms: Iterable[GlossaryTerm]) -> None:
        self.all_terms = list(terms)
        self.terms = [t for t in self.all_terms if t.explain_in_text]
        exact: dict[str, GlossaryTerm] = {}
        folded: dict[str, GlossaryTerm] = {}
        for term in self.terms:
            for form in [term.term, *term.alias_list]:
                if term.match_case:
                    exact.setdefault(form, term)
                else:
                    folded.setdefault(form.casefold(), term)
        self._exact = exact
        self._folded = folded
        self._exact_pattern = _pattern(exact, flags=0)
        self._folded_pattern = _pattern(folded, flags=re.IGNORECASE)

    def find(self, text: str) -> list[TermMatch]:
        """Return the terms in ``text``, in order, without overlaps (longest first)."""
        found: list[TermMatch] = []
        if self._exact_pattern is not None:
            found.extend(
                TermMatch(m.start(), m.end(), self._exact[m.group(0)])
                for m in self._exact_pattern.finditer(text)
            )
        if self._folded_pattern is not None:
            found.extend(
                TermMatch(m.start(), m.end(), self._folded[m.group(0).casefold()])
                for m in self._folded_pattern.finditer(text)
            )
        found.sort(key=lambda match: (match.start, -match.end))
        kept: list[TermMatch] = []
        for match in found:
            if not kept or match.start >= kept[-1].end:
                kept.append(match)
        return kept


def _pattern(forms: Mapping[str, Any], *, flags: int) -> re.Pattern[str] | None:
    if not forms:
        return None
    alternatives = "|".join(re.escape(form) for form in sorted(forms, key=len, reverse=True))
    return re.compile(f"{_BEFORE}(?:{alternatives}){_AFTER}", flags)


_matcher_lock = threading.Lock()
_matcher: tuple[int, GlossaryMatcher] | None = None


def glossary_matcher() -> GlossaryMatcher:
    """Return the matcher for the current glossary (one query when it changed)."""
    global _matcher
    from content.guidance_selectors import guidance_cache_stamp

    stamp = guidance_cache_stamp()
    current = _matcher
    if current is not None and current[0] == stamp:
        return current[1]
    matcher = GlossaryMatcher(GlossaryTerm.objects.all())
    with _matcher_lock:
        _matcher = (stamp, matcher)
    return matcher


def glossary_forget() -> None:
    global _matcher
    with _matcher_lock:
        _matcher = None


# -- Loading ----------------------------------------------------------------------


@dataclass(frozen=True)
class GlossaryLoad:
    created: int
    updated: int
    unchanged: int


FIELDS = ("expansion", "definition", "aliases", "match_case", "explain_in_text")


@transaction.atomic
def glossary_load(entries: Sequence[Mapping[str, Any]]) -> GlossaryLoad:
    """Create or update terms by name (idempotent); other terms are left alone.

    New terms are created in one statement and indexed for search in one
    batch, rather than one save (and one index update) each.
    """
    from content.guidance_services import guidance_cache_bump

    existing = {term.term: term for term in GlossaryTerm.objects.all()}
    new: list[GlossaryTerm] = []
    updated = unchanged = 0
    for entry in entries:
        values = {
            name: entry.get(name, GlossaryTerm._meta.get_field(name).get_default())
            for name in FIELDS
        }
        term = existing.get(entry["term"])
        if term is None:
            new.append(GlossaryTerm(term=entry["term"], slug=slugify(entry["term"]), **values))
        elif any(getattr(term, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(term, name, value)
            term.save()
            updated += 1
        else:
            unchanged += 1
    if new:
        GlossaryTerm.objects.bulk_create(new)
        for backend in get_search_backends(with_auto_update=True):
            backend.add_bulk(GlossaryTerm, new)
    if new or updated:
        guidance_cache_bump()
    return GlossaryLoad(created=len(new), updated=updated, unchanged=unchanged)


# -- The A-Z page -----------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    letter: str
    terms: list[GlossaryTerm]

    @property
    def anchor(self) -> str:
        return f"letter-{self.letter.lower()}" if self.letter != "#" else "letter-other"


def glossary_letters(terms: Iterable[GlossaryTerm]) -> list[Letter]:
    """Return A-Z (and "#" for the rest), each with its terms; empty letters included."""
    by_letter: dict[str, list[GlossaryTerm]] = {letter: [] for letter in ascii_uppercase}
    for term in sorted(terms, key=lambda t: t.term.casefold()):
        by_letter.setdefault(term.letter, []).append(term)
    return [Letter(letter, items) for letter, items in by_letter.items()]


@require_GET
def glossary_index(request: HttpRequest) -> HttpResponse:
    """The glossary A-Z: every term, grouped by its first letter."""
    letters = glossary_letters(GlossaryTerm.objects.all())
    return render(
        request,
        "content/glossary_index.html",
        {"letters": letters, "count": sum(len(letter.terms) for letter in letters)},
    )
