"""Blocks every page type can use, and the helpers the workbook blocks share.

``ContentStreamBlock`` is the common stream (headings, rich text, inset
text), as bakerydemo's ``BaseStreamBlock``; the workbook's stream extends it.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from wagtail import blocks

from content.citations import Citation, CitationError, parse_key, resolve_citation

RICH_TEXT_FEATURES = ["bold", "italic", "link", "ol", "ul"]
PREVIEW_TEMPLATE = "content/workbook_block_preview.html"


def validate_citation_key(value: str) -> None:
    """Refuse a key that is not ``scheme:document:anchor``."""
    if not value:
        return
    try:
        parse_key(value)
    except CitationError as error:
        raise ValidationError(
            f"{error} For example: guidance:procedures-summary:para-12 or "
            "workbook:cp-conferences:definition-neglect."
        ) from error


def citation_or_none(key: str) -> Citation | None:
    """Resolve ``key``; ``None`` when it names nothing (the page degrades)."""
    if not key:
        return None
    try:
        return resolve_citation(key)
    except CitationError:
        return None


def citation_key_block(*, required: bool = True, **kwargs: Any) -> blocks.CharBlock:
    return blocks.CharBlock(
        required=required,
        max_length=200,
        validators=[validate_citation_key],
        help_text=kwargs.pop(
            "help_text",
            "A citation key such as guidance:procedures-summary:para-12.",
        ),
        **kwargs,
    )


class CitedValue(blocks.StructValue):
    """A struct value with a ``citation_key``; resolves it once per render."""

    @cached_property
    def citation(self) -> Citation | None:
        return citation_or_none(self.get("citation_key", ""))


def struct_error(field: str, message: str) -> blocks.StructBlockValidationError:
    return blocks.StructBlockValidationError(block_errors={field: ValidationError(message)})


def list_error(
    field: str, message: str, *, items: dict[int, tuple[str, str]] | None = None
) -> blocks.StructBlockValidationError:
    """Return an error against list ``field``, optionally flagging items.

    ``items`` maps an item's index to (its child field, message).
    """
    item_errors = {
        index: blocks.StructBlockValidationError(
            block_errors={child: ValidationError(item_message)}
        )
        for index, (child, item_message) in (items or {}).items()
    }
    return blocks.StructBlockValidationError(
        block_errors={
            field: blocks.ListBlockValidationError(
                block_errors=item_errors, non_block_errors=[ValidationError(message)]
            )
        }
    )


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=160)
    level = blocks.ChoiceBlock(
        choices=[("h2", "Section heading"), ("h3", "Sub-heading")], default="h2"
    )

    class Meta:
        icon = "title"
        template = "content/blocks/heading_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {"text": "The strategy discussion", "level": "h2"}
        description = "A heading that starts a new part of the page."
        label = "Heading"


class InsetTextBlock(blocks.StructBlock):
    text = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "openquote"
        template = "content/blocks/inset_text_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "text": "<p>If in doubt, ask a manager, your Designated Safeguarding Lead "
            "or the Children and Families Hub. Never do nothing.</p>"
        }
        description = "A short passage set apart from the text, for a point to remember."
        label = "Inset text"


class ContentStreamBlock(blocks.StreamBlock):
    """The blocks any content page may use."""

    heading = HeadingBlock()
    text = blocks.RichTextBlock(
        features=["h3", *RICH_TEXT_FEATURES],
        icon="pilcrow",
        template="content/blocks/text_block.html",
        preview_template=PREVIEW_TEMPLATE,
        preview_value=(
            "<p>A child protection conference brings together the family and the "
            "professionals who know the child.</p>"
        ),
        description="Paragraphs of text with links and lists.",
        label="Text",
    )
    inset = InsetTextBlock()

    class Meta:
        icon = "doc-full"
        description = "Page content."
