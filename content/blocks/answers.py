"""What a workbook block asks of a delegate, as plain data.

Each answerable block decides the shape of its own answer: which boxes it
shows, how a submitted form becomes a JSON value, how that value is checked
and what counts as progress. ``assessments`` stores the values (keyed by page
and block id) and never needs to know a block's internals; it works with the
types below.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django.utils.safestring import SafeString, mark_safe

MAX_TEXT_LENGTH = 20_000


class AnswerKind:
    """How a block is answered; also stored on each answer."""

    TEXT = "text"
    REPORT = "report"
    READING = "reading"
    QUIZ = "quiz"


def structure_signature(*parts: Any) -> str:
    """Return a short, stable hash of the identifiers that shape an answer.

    An editor who rewords a question leaves the signature alone; one who adds,
    removes or replaces a question or an option changes it, so a form opened
    before the change is recognised as stale.
    """
    payload = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(payload).hexdigest()[:16]


def text_too_long_message(label: str, text: str) -> str:
    return (
        f"{label}: your text is {len(text):,} characters long. Keep it to "
        f"{MAX_TEXT_LENGTH:,} characters or fewer. Nothing has been lost: your text is "
        "still in the box."
    )


def html_attrs(attrs: Mapping[str, Any]) -> SafeString:
    """Return HTML attributes, each value escaped: ``True`` alone, falsy left out.

    Django's ``flatatt`` does the same through ``format_html`` and is several
    times slower; a report renders a few hundred attributes.
    """
    parts = []
    for key, value in attrs.items():
        if value is True:
            parts.append(f" {key}")
        elif value is not None and value is not False:
            parts.append(f' {key}="{escape(str(value), quote=True)}"')
    return mark_safe("".join(parts))  # noqa: S308 - every value is escaped above  # nosec B308 B703


def clean_text(data: Mapping[str, Any], name: str) -> str:
    """Return the submitted text for ``name``, newlines normalised, not trimmed."""
    value = data.get(name, "")
    if not isinstance(value, str):
        return ""
    return value.replace("\r\n", "\n")


@dataclass(frozen=True, slots=True)
class TextField:
    """One free-text box as the delegate sees it."""

    name: str
    label: str
    hint: str = ""
    text: str = ""
    error: str = ""
    rows: int = 5

    @property
    def id(self) -> str:
        return f"{self.name}-input"

    @property
    def attrs(self) -> SafeString:
        """The textarea's attributes: ``<textarea{{ field.attrs }}>``."""
        described = [f"{self.name}-hint"] if self.hint else []
        if self.error:
            described.append(f"{self.name}-error")
        return html_attrs(
            {
                "class": "govuk-textarea govuk-textarea--error" if self.error else "govuk-textarea",
                "id": self.id,
                "name": self.name,
                "rows": self.rows,
                "spellcheck": "true",
                "aria-describedby": " ".join(described) or None,
            }
        )


@dataclass(slots=True)
class ParsedAnswer:
    """A submitted form turned into an answer value, with any problems."""

    value: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class OutcomeItem:
    """One option or item of a checked quiz question, for feedback."""

    id: str
    text: str
    chosen: bool = False  # chosen by the delegate (choice questions)
    correct: bool = False  # is a right answer (choice questions)
    right: bool = False  # the delegate got this one right
    given: str = ""  # what the delegate said (ordering, matching)
    expected: str = ""  # what was right (ordering, matching)
    feedback: str = ""


@dataclass(frozen=True, slots=True)
class QuizOutcome:
    """The result of checking one response against a quiz block."""

    is_correct: bool
    score: int
    out_of: int
    items: tuple[OutcomeItem, ...]
    summary: str

    @property
    def label(self) -> str:
        if self.is_correct:
            return "Correct"
        if self.score:
            return "Partly right"
        return "Not right this time"
