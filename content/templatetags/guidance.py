"""Template tags for guidance text: footnote markers, cross references, glossary.

A block's text is stored plain, with its footnote markers as offsets, so the
markup is decided here at render time: ``{% guidance_text renderer text refs %}``
escapes the text and puts back the footnote superscripts, links "paragraph 59"
to that paragraph, and marks the first appearance of each glossary term on
the page. ``{% glossary_details renderer %}`` then explains the terms the
preceding block introduced, in a GOV.UK details element after the block
(a ``<details>`` cannot sit inside a paragraph).

One :class:`TextRenderer` serves a whole page (``{% guidance_renderer ... as
renderer %}``), so "first appearance" and footnote reference ids are per page.

``{% guidance_blocks renderer blocks %}`` renders a section's blocks. They are
built here with ``format_html`` rather than a template per block: a section
of the statutory guidance has up to a hundred blocks, and an included
template per block (and per list, per glossary note) cost four times the
50 ms a section page may take. The markup is the GOV.UK markup the
templates used; page structure stays in the templates.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from content.glossary import GlossaryMatcher, glossary_matcher
from content.models.glossary import GlossaryTerm
from content.models.guidance import BlockKind, GuidanceBlock

register = template.Library()

# "paragraph 59", "paragraphs 73 to 104", "paragraphs 50-53", "paragraphs 8 and 9"
CROSS_REFERENCE = re.compile(
    r"\b(?P<word>[Pp]aragraphs?)\s+(?P<first>\d{1,4})"
    r"(?:(?P<joiner>\s*(?:-|\u2013|to|and)\s*)(?P<second>\d{1,4}))?\b"
)


@dataclass(frozen=True)
class IntroducedTerm:
    """A glossary term as it first appeared on the page."""

    term: GlossaryTerm
    shown: str

    @property
    def expansion(self) -> str:
        """Return the expansion, unless the text already spelt it out."""
        expansion = self.term.expansion
        return "" if expansion.casefold() == self.shown.casefold() else expansion


@dataclass
class TextRenderer:
    """Renders the text of one page's blocks; remembers what it has shown."""

    base_url: str
    local_numbers: frozenset[int] = frozenset()
    matcher: GlossaryMatcher | None = None
    glossary_url: str = "/glossary/"
    seen: set[int] = field(default_factory=set)
    pending: list[IntroducedTerm] = field(default_factory=list)
    footnote_uses: dict[int, int] = field(default_factory=dict)

    def paragraph_url(self, number: int) -> str:
        if number in self.local_numbers:
            return f"#para-{number}"
        return f"{self.base_url}para-{number}/"

    def render(
        self, text: str, refs: Sequence[Sequence[int]] = (), *, glossary: bool = True
    ) -> SafeString:
        """Return ``text`` escaped, with footnote markers, links and terms."""
        return mark_safe(self.html(text, refs, glossary=glossary))  # noqa: S308 - escaped  # nosec B308 B703

    def html(self, text: str, refs: Sequence[Sequence[int]] = (), *, glossary: bool = True) -> str:
        if not refs:
            return self._inline(text, glossary=glossary)
        pieces: list[str] = []
        position = 0
        for number, offset in sorted(refs, key=lambda ref: ref[1]):
            offset = max(position, min(offset, len(text)))
            pieces.append(self._inline(text[position:offset], glossary=glossary))
            pieces.append(self._footnote_marker(number))
            position = offset
        pieces.append(self._inline(text[position:], glossary=glossary))
        return "".join(pieces)

    def _footnote_marker(self, number: int) -> str:
        uses = self.footnote_uses.get(number, 0) + 1
        self.footnote_uses[number] = uses
        ref_id = f"fnref-{number}" if uses == 1 else f"fnref-{number}-{uses}"
        return (
            f'<sup class="app-footnote-ref"><a href="#fn-{number}" id="{ref_id}">'
            f'<span class="govuk-visually-hidden">footnote </span>{number}</a></sup>'
        )

    def _inline(self, text: str, *, glossary: bool) -> str:
        if not text:
            return ""
        marks: list[tuple[int, int, str]] = []
        for match in CROSS_REFERENCE.finditer(text):
            marks.append((match.start(), match.end(), self._cross_reference(match)))
        if glossary and self.matcher is not None:
            for found in self.matcher.find(text):
                if found.term.pk in self.seen:
                    continue
                if any(start < found.end and found.start < end for start, end, _ in marks):
                    continue
                shown = text[found.start : found.end]
                self.seen.add(found.term.pk)
                self.pending.append(IntroducedTerm(found.term, shown))
                marks.append((found.start, found.end, self._term(shown, found.term)))
        if not marks:
            return escape(text)
        marks.sort()
        out: list[str] = []
        position = 0
        for start, end, markup in marks:
            out.append(escape(text[position:start]))
            out.append(markup)
            position = end
        out.append(escape(text[position:]))
        return "".join(out)

    def _cross_reference(self, match: re.Match[str]) -> str:
        first = int(match["first"])
        markup = (
            f'{escape(match["word"])} <a href="{escape(self.paragraph_url(first))}" '
            f'class="govuk-link">{first}</a>'
        )
        if match["second"]:
            second = int(match["second"])
            markup += (
                f'{escape(match["joiner"])}<a href="{escape(self.paragraph_url(second))}" '
                f'class="govuk-link">{second}</a>'
            )
        return markup

    def _term(self, shown: str, term: GlossaryTerm) -> str:
        if term.expansion and term.expansion.casefold() != shown.casefold():
            return f'<abbr class="app-term" title="{escape(term.expansion)}">{escape(shown)}</abbr>'
        return f'<span class="app-term">{escape(shown)}</span>'

    def take_pending(self) -> list[IntroducedTerm]:
        terms, self.pending = self.pending, []
        return terms


@register.simple_tag
def guidance_renderer(
    base_url: str, numbers: Iterable[int] = (), glossary: bool = True
) -> TextRenderer:
    """Return a renderer for one page: ``{% guidance_renderer url numbers as renderer %}``."""
    return TextRenderer(
        base_url=base_url,
        local_numbers=frozenset(numbers),
        matcher=glossary_matcher() if glossary else None,
    )


# -- Blocks ------------------------------------------------------------------------


def _items_html(renderer: TextRenderer, items: Sequence[dict[str, Any]]) -> str:
    if not items:
        return ""
    rows = "".join(
        f"<li>{renderer.html(item['text'], item['refs'])}"
        f"{_items_html(renderer, item['children'])}</li>"
        for item in items
    )
    return f'<ul class="govuk-list govuk-list--bullet app-guidance-items">{rows}</ul>'


def _glossary_html(renderer: TextRenderer, anchor: str) -> str:
    terms = renderer.take_pending()
    if not terms:
        return ""
    names = [escape(term.shown) for term in terms]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    verb = "means" if len(names) == 1 else "mean"
    entries = []
    for item in terms:
        meaning = ""
        if item.expansion:
            meaning = f"<strong>{escape(item.expansion)}</strong>"
            if item.term.definition:
                meaning += ". "
        entries.append(
            f"<dt>{escape(item.shown)}</dt><dd>{meaning}{escape(item.term.definition)} "
            f'<a class="govuk-link" href="{escape(renderer.glossary_url)}#{escape(item.term.anchor)}">'
            f'Glossary<span class="govuk-visually-hidden">: {escape(item.term.term)}</span></a></dd>'
        )
    return (
        f'<details class="govuk-details app-glossary-details app-no-print" id="{escape(anchor)}-terms">'
        '<summary class="govuk-details__summary"><span class="govuk-details__summary-text">'
        f"What {listed} {verb}</span></summary>"
        f'<div class="govuk-details__text"><dl class="app-glossary-details__list">{"".join(entries)}'
        "</dl></div></details>"
    )


def _cell_html(cell: str) -> str:
    return "".join(
        f'<span class="{"app-cell-bullet" if line["bullet"] else "app-cell-line"}">'
        f"{escape(line['text'])}</span>"
        for line in cell_lines(cell)
    )


def _table_html(block: GuidanceBlock) -> str:
    anchor = escape(block.anchor)
    head = ""
    if block.header:
        cells = "".join(
            f'<th scope="col" class="govuk-table__header">{escape(cell)}</th>'
            for cell in block.header
        )
        head = f'<thead class="govuk-table__head"><tr class="govuk-table__row">{cells}</tr></thead>'
    rows = []
    for row in block.labelled_rows:
        cells = "".join(
            f'<th scope="row" class="govuk-table__header">{_cell_html(cell)}</th>'
            if index == 0
            else f'<td class="govuk-table__cell" data-label="{escape(label)}">{_cell_html(cell)}</td>'
            for index, (label, cell) in enumerate(row)
        )
        rows.append(f'<tr class="govuk-table__row">{cells}</tr>')
    return (
        f'<div class="app-table-wrapper" id="{anchor}" role="region" '
        f'aria-labelledby="{anchor}-caption" tabindex="0">'
        '<table class="govuk-table app-guidance-table">'
        f'<caption class="govuk-table__caption govuk-table__caption--m" id="{anchor}-caption">'
        f"{escape(block.caption or 'Table')}</caption>{head}"
        f'<tbody class="govuk-table__body">{"".join(rows)}</tbody></table></div>'
    )


def block_html(
    renderer: TextRenderer,
    block: GuidanceBlock,
    *,
    heading_offset: int = 1,
    copy_links: bool = False,
    stable_url_base: str = "",
) -> str:
    """Return one block's HTML (escaped; the caller marks it safe)."""
    anchor = escape(block.anchor)
    if block.kind == BlockKind.PARAGRAPH:
        number = copy = ""
        if block.number is not None:
            number = (
                f'<a class="app-para__number" href="#{anchor}"><span class="govuk-visually-hidden">'
                f'Paragraph </span>{block.number}<span aria-hidden="true">.</span></a>'
            )
            if copy_links:
                copy = (
                    ' <button type="button" class="app-copy-link app-no-print" '
                    f'data-copy-link="{escape(stable_url_base)}para-{block.number}/" hidden>Copy link'
                    f'<span class="govuk-visually-hidden"> to paragraph {block.number}</span></button>'
                )
        numbered = " app-para--numbered" if block.number is not None else ""
        text = renderer.html(block.text, block.refs)
        items = _items_html(renderer, nested_items(block.list_items))
        return (
            f'<div class="app-para{numbered}" id="{anchor}">{number}<div class="app-para__body">'
            f'<p class="govuk-body">{text}{copy}</p>{items}{_glossary_html(renderer, block.anchor)}'
            "</div></div>"
        )
    if block.kind == BlockKind.KEY_POINTS:
        items = _items_html(renderer, nested_items(block.list_items))
        return (
            f'<aside class="app-key-points" id="{anchor}" aria-labelledby="{anchor}-title">'
            f'<h2 class="govuk-heading-s app-key-points__title" id="{anchor}-title">'
            f"{escape(block.box_title)}</h2>{items}{_glossary_html(renderer, block.anchor)}</aside>"
        )
    if block.kind == BlockKind.TABLE:
        return _table_html(block)
    if block.kind == BlockKind.LIST:
        items = _items_html(renderer, nested_items(block.list_items))
        return (
            f'<div class="app-guidance-list" id="{anchor}">{items}'
            f"{_glossary_html(renderer, block.anchor)}</div>"
        )
    if block.kind == BlockKind.HEADING:
        tag = heading_tag(block.level, heading_offset)
        size = "govuk-heading-m" if tag == "h2" else "govuk-heading-s"
        text = renderer.html(block.text, block.refs, glossary=False)
        return f'<{tag} class="{size} app-guidance-subheading" id="{anchor}">{text}</{tag}>'
    return ""


@register.simple_tag
def guidance_blocks(
    renderer: TextRenderer,
    blocks: Iterable[GuidanceBlock],
    heading_offset: int = 1,
    copy_links: bool = False,
    stable_url_base: str = "",
) -> SafeString:
    """Render blocks in order: ``{% guidance_blocks renderer blocks 1 True url %}``."""
    return mark_safe(  # noqa: S308 - every piece of text is escaped in block_html  # nosec B308 B703
        "\n".join(
            block_html(
                renderer,
                block,
                heading_offset=heading_offset,
                copy_links=copy_links,
                stable_url_base=stable_url_base,
            )
            for block in blocks
        )
    )


@register.simple_tag
def guidance_text(
    renderer: TextRenderer,
    text: str,
    refs: Sequence[Sequence[int]] | None = None,
    glossary: bool = True,
) -> SafeString:
    """Render a block's (or list item's) text with its markers, links and terms."""
    return renderer.render(text or "", refs or (), glossary=glossary)


@register.filter
def cell_lines(value: str) -> list[dict[str, Any]]:
    """Split a table cell into lines, telling bullets from plain text."""
    lines = []
    for line in (value or "").split("\n"):
        stripped = line.strip()
        if not stripped:
            continue
        bullet = stripped[0] in "\u25cf\u2022\u25cb\u25aa\u25a0-\u2013" and stripped[1:2] == " "
        lines.append({"text": stripped[2:] if bullet else stripped, "bullet": bullet})
    return lines


@register.filter
def nested_items(items: Sequence[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """Turn flat items with levels into a tree: ``[{"text", "refs", "children"}]``."""
    root: list[dict[str, Any]] = []
    stack: list[tuple[int, list[dict[str, Any]]]] = [(0, root)]
    for item in items or ():
        level = max(1, int(item.get("level", 1)))
        node = {"text": item.get("text", ""), "refs": item.get("refs", ()), "children": []}
        while len(stack) > 1 and stack[-1][0] >= level:
            stack.pop()
        stack[-1][1].append(node)
        stack.append((level, node["children"]))
    return root


@register.filter
def heading_tag(level: int, offset: int = 1) -> str:
    """Return ``h2``..``h6`` for a source heading level, shifted under the page's h1."""
    return f"h{min(6, max(2, int(level) - int(offset)))}"
