"""Wagtail page models, one module per area, re-exported for Django."""

from __future__ import annotations

from content.models.glossary import GlossaryTerm
from content.models.guidance import (
    BlockKind,
    DocumentStatus,
    GuidanceBlock,
    GuidanceCacheStamp,
    GuidanceDocumentPage,
    GuidanceFootnote,
    GuidanceIndexPage,
    GuidanceSection,
    GuidanceVersion,
    PageReview,
)
from content.models.home import HomePage
from content.models.workbook import WorkbookChapterPage, WorkbookIndexPage, WorkbookPage

__all__ = [
    "BlockKind",
    "DocumentStatus",
    "GlossaryTerm",
    "GuidanceBlock",
    "GuidanceCacheStamp",
    "GuidanceDocumentPage",
    "GuidanceFootnote",
    "GuidanceIndexPage",
    "GuidanceSection",
    "GuidanceVersion",
    "PageReview",
    "HomePage",
    "WorkbookChapterPage",
    "WorkbookIndexPage",
    "WorkbookPage",
]
