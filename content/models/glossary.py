"""Glossary: acronyms and terms, explained where they first appear on a page.

Terms are snippets (editors keep them in the admin under Snippets); the
A-Z page lists them all and guidance pages mark a term's first appearance
with its expansion and definition (see ``content.glossary``).
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.functional import cached_property
from django.utils.text import slugify
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.search import index


class GlossaryTerm(index.Indexed, models.Model):
    """An acronym ("MASH") or a term ("Gillick competence") with its meaning."""

    term = models.CharField(
        max_length=60, unique=True, help_text='As it appears in text, e.g. "MASH".'
    )
    slug = models.SlugField(max_length=80, unique=True, blank=True)
    expansion = models.CharField(
        max_length=200,
        blank=True,
        help_text='What an acronym stands for, e.g. "Multi-Agency Safeguarding Hub".',
    )
    definition = models.TextField(
        blank=True, help_text="A sentence or two, in plain language, in our own words."
    )
    aliases = models.CharField(
        max_length=300,
        blank=True,
        help_text="Other forms to recognise in text, separated by commas.",
    )
    match_case = models.BooleanField(
        default=True,
        help_text="Recognise the term only in exactly this case (right for acronyms).",
    )
    explain_in_text = models.BooleanField(
        default=True,
        help_text="Explain the term where it first appears on a guidance page.",
    )

    panels = [
        FieldPanel("term"),
        FieldPanel("expansion"),
        FieldPanel("definition"),
        MultiFieldPanel(
            [FieldPanel("aliases"), FieldPanel("match_case"), FieldPanel("explain_in_text")],
            heading="Recognising the term in text",
        ),
        FieldPanel("slug"),
    ]
    search_fields = [
        index.SearchField("term"),
        index.AutocompleteField("term"),
        index.SearchField("expansion"),
        index.SearchField("definition"),
        index.SearchField("aliases"),
    ]

    class Meta:
        ordering = ["term"]
        verbose_name = "glossary term"

    def __str__(self) -> str:
        return f"{self.term} ({self.expansion})" if self.expansion else self.term

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = slugify(self.term) or "term"
        super().save(*args, **kwargs)

    @property
    def letter(self) -> str:
        first = self.term[:1].upper()
        return first if first.isalpha() else "#"

    @cached_property
    def alias_list(self) -> list[str]:
        return [alias.strip() for alias in self.aliases.split(",") if alias.strip()]

    @cached_property
    def alias_list_folded(self) -> list[str]:
        return [alias.casefold() for alias in self.alias_list]

    @property
    def anchor(self) -> str:
        return f"term-{self.slug}"
