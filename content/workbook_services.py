"""Write-side operations for workbooks: build one from data, give editors access.

``workbook_ensure`` turns a workbook described as plain data (see
``content.demo.workbook``) into pages: an index, the workbook and its
chapters, each saved as a revision and published, so editors see the usual
history in the admin. It is idempotent: existing pages are left as editors
made them unless ``refresh`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from wagtail.models import GroupPagePermission, Page

from accounts.models import PlatformRole
from content.models import HomePage, WorkbookChapterPage, WorkbookIndexPage, WorkbookPage

EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


@dataclass
class EnsureReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _publish(page: Page) -> None:
    page.save_revision().publish()


def workbook_index_ensure(*, home: HomePage, spec: dict[str, Any]) -> WorkbookIndexPage:
    index = WorkbookIndexPage.objects.child_of(home).filter(slug=spec["slug"]).first()
    if index is None:
        index = WorkbookIndexPage(title=spec["title"], slug=spec["slug"], intro=spec["intro"])
        home.add_child(instance=index)
        _publish(index)
    return index


@transaction.atomic
def workbook_ensure(
    *, index: WorkbookIndexPage, spec: dict[str, Any], refresh: bool = False
) -> tuple[WorkbookPage, EnsureReport]:
    """Create the workbook and chapters in ``spec`` under ``index``.

    :param refresh: rewrite pages that already exist when their content
        differs from ``spec`` (a new revision, published).
    """
    report = EnsureReport()
    workbook = WorkbookPage.objects.child_of(index).filter(slug=spec["slug"]).first()
    fields = {
        "title": spec["title"],
        "intro": spec["intro"],
        "about": spec["about"],
        "estimated_minutes": spec["estimated_minutes"],
    }
    if workbook is None:
        workbook = WorkbookPage(slug=spec["slug"], **fields)
        index.add_child(instance=workbook)
        _publish(workbook)
        report.created.append(workbook.title)
    elif refresh and any(getattr(workbook, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(workbook, name, value)
        _publish(workbook)
        report.updated.append(workbook.title)
    else:
        report.unchanged.append(workbook.title)

    for chapter_spec in spec["chapters"]:
        chapter_ensure(workbook=workbook, spec=chapter_spec, refresh=refresh, report=report)
    return workbook, report


def chapter_ensure(
    *,
    workbook: WorkbookPage,
    spec: dict[str, Any],
    refresh: bool = False,
    report: EnsureReport | None = None,
) -> WorkbookChapterPage:
    report = report or EnsureReport()
    chapter = WorkbookChapterPage.objects.child_of(workbook).filter(slug=spec["slug"]).first()
    if chapter is None:
        chapter = WorkbookChapterPage(
            title=spec["title"], slug=spec["slug"], summary=spec.get("summary", "")
        )
        chapter.body = spec["body"]
        workbook.add_child(instance=chapter)
        _publish(chapter)
        report.created.append(chapter.title)
        return chapter
    if refresh and (
        chapter.title != spec["title"]
        or chapter.summary != spec.get("summary", "")
        or list(chapter.body.raw_data) != spec["body"]
    ):
        chapter.title = spec["title"]
        chapter.summary = spec.get("summary", "")
        chapter.body = spec["body"]
        _publish(chapter)
        report.updated.append(chapter.title)
    else:
        report.unchanged.append(chapter.title)
    return chapter


def workbook_editor_access_ensure(*, index: WorkbookIndexPage) -> None:
    """Let the Content editor role add, edit and publish workbooks."""
    group, _ = Group.objects.get_or_create(name=PlatformRole.CONTENT_EDITOR.value)
    for codename in EDITOR_PAGE_PERMISSIONS:
        permission = Permission.objects.get(
            content_type__app_label="wagtailcore", codename=codename
        )
        GroupPagePermission.objects.get_or_create(group=group, page=index, permission=permission)
