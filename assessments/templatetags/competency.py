"""Template helpers for competency pages: status tags and labels."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from assessments.competency_selectors import STATUS_TAGS
from assessments.models import EvidenceKind
from assessments.rules import Status

register = template.Library()


@register.simple_tag
def status_tag(status: str) -> SafeString:
    """Render a status as a GOV.UK tag coloured by how urgent it is."""
    value = Status(status)
    return format_html('<strong class="govuk-tag {}">{}</strong>', STATUS_TAGS[value], value.label)


@register.filter
def kind_label(kind: str) -> str:
    try:
        return str(EvidenceKind(kind).label)
    except ValueError:
        return kind


@register.filter
def lookup(mapping: dict[str, str], key: str) -> str:
    return mapping.get(key, key)
