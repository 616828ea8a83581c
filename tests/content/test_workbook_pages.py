"""Workbook pages in the CMS: authoring with validation, previews, seeding, citations."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from wagtail import blocks
from wagtail.models import Page
from wagtail.test.utils.form_data import rich_text

from accounts.models import User
from content.blocks import WorkbookStreamBlock
from content.citations import CitationError, resolve_citation
from content.demo.workbook import WORKBOOK, all_citation_keys, choice_quiz, option
from content.models import WorkbookChapterPage, WorkbookIndexPage, WorkbookPage
from tests.assessments.test_workbook_helpers import (
    guidance_scheme,
    ordering_block,
    report_block,
    scenario_block,
    small_workbook,
)

pytestmark = pytest.mark.django_db


def block_form_data(block: blocks.Block, value: Any, prefix: str) -> dict[str, str]:
    """Turn raw StreamField JSON into the form data the page editor posts."""
    data: dict[str, str] = {}
    if isinstance(block, blocks.StreamBlock):
        data[f"{prefix}-count"] = str(len(value))
        for index, item in enumerate(value):
            child = f"{prefix}-{index}"
            data |= {
                f"{child}-type": item["type"],
                f"{child}-id": item.get("id", ""),
                f"{child}-deleted": "",
                f"{child}-order": str(index),
            }
            data |= block_form_data(
                block.child_blocks[item["type"]], item["value"], f"{child}-value"
            )
    elif isinstance(block, blocks.ListBlock):
        data[f"{prefix}-count"] = str(len(value))
        for index, item in enumerate(value):
            raw = item["value"] if isinstance(item, dict) and item.get("type") == "item" else item
            item_id = (
                item.get("id", "") if isinstance(item, dict) and item.get("type") == "item" else ""
            )
            child = f"{prefix}-{index}"
            data |= {f"{child}-id": item_id, f"{child}-deleted": "", f"{child}-order": str(index)}
            data |= block_form_data(block.child_block, raw, f"{child}-value")
    elif isinstance(block, blocks.StructBlock):
        for name, child_block in block.child_blocks.items():
            data |= block_form_data(child_block, (value or {}).get(name), f"{prefix}-{name}")
    elif isinstance(block, blocks.RichTextBlock):
        data[prefix] = rich_text(value or "")
    elif isinstance(block, blocks.BooleanBlock):
        if value:
            data[prefix] = "on"
    else:
        data[prefix] = "" if value is None else str(value)
    return data


@pytest.fixture
def editor_client() -> Client:
    client = Client()
    client.force_login(User.objects.create_superuser("chief-editor", "editor@example.com", "pw"))
    return client


@pytest.fixture
def workbook() -> WorkbookPage:
    with guidance_scheme():
        yield small_workbook()[0]


def add_chapter(
    client: Client, workbook: WorkbookPage, body: list[dict[str, Any]], *, publish: bool = True
) -> Any:
    data = {"title": "A new chapter", "slug": "a-new-chapter", "summary": ""}
    data |= block_form_data(WorkbookStreamBlock(), body, "body")
    data["action-publish" if publish else "action-draft"] = (
        "action-publish" if publish else "Save draft"
    )
    return client.post(f"/admin/pages/add/content/workbookchapterpage/{workbook.pk}/", data)


def editor_errors(response: Any) -> str:
    """The page editor's error messages (they travel as JSON to its scripts)."""
    return json.dumps(response.content.decode())


def test_editors_can_add_a_chapter_with_every_kind_of_block(editor_client, workbook) -> None:  # type: ignore[no-untyped-def]
    body = [
        {"type": "heading", "id": "h", "value": {"text": "Hello", "level": "h2"}},
        {"type": "text", "id": "t", "value": "<p>Some text.</p>"},
        scenario_block(),
        ordering_block(),
        report_block(),
        choice_quiz(
            "single_choice",
            "q",
            "Which?",
            [option("A", correct=True), option("B")],
            "guidance:procedures-summary:para-1",
        ),
    ]
    response = add_chapter(editor_client, workbook, body)
    assert response.status_code == 302, editor_errors(response)[:2000]
    chapter = WorkbookChapterPage.objects.get(slug="a-new-chapter")
    assert chapter.live and [child.id for child in chapter.body][:3] == ["h", "t", "scenario"]
    assert chapter.revisions.count() == 1


@pytest.mark.parametrize(
    "body,message",
    [
        (
            [
                choice_quiz(
                    "single_choice", "q", "Which?", [option("A"), option("B")], "guidance:x:para-1"
                )
            ],
            "This question has no correct answer",
        ),
        (
            [
                {
                    **ordering_block(),
                    "value": {
                        **ordering_block()["value"],
                        "items": [
                            {"type": "item", "id": "a", "value": {"text": "Same", "feedback": ""}},
                            {"type": "item", "id": "b", "value": {"text": "Same", "feedback": ""}},
                        ],
                    },
                }
            ],
            "The steps contain duplicates",
        ),
        (
            [
                {
                    **report_block(),
                    "value": {
                        **report_block()["value"],
                        "sections": [
                            s
                            for s in report_block()["value"]["sections"]
                            if s["value"]["section"] != "observations"
                        ],
                    },
                }
            ],
            "Add the missing section: Observations of the child or children",
        ),
    ],
    ids=["quiz-without-correct-option", "ordering-with-duplicates", "report-missing-section"],
)
def test_the_editor_refuses_invalid_blocks_with_a_clear_message(
    editor_client, workbook, body, message
) -> None:  # type: ignore[no-untyped-def]
    response = add_chapter(editor_client, workbook, body)
    assert response.status_code == 200
    assert "The page could not be created due to validation errors" in response.content.decode()
    assert message in editor_errors(response)
    assert not WorkbookChapterPage.objects.filter(slug="a-new-chapter").exists()


def test_an_unfinished_quiz_can_be_saved_as_a_draft(editor_client, workbook) -> None:  # type: ignore[no-untyped-def]
    body = [
        choice_quiz("single_choice", "q", "Which?", [option("A"), option("B")], "guidance:x:para-1")
    ]
    response = add_chapter(editor_client, workbook, body, publish=False)
    assert response.status_code == 302
    assert WorkbookChapterPage.objects.get(slug="a-new-chapter").live is False


def test_editors_can_preview_a_new_chapter_before_saving_it(editor_client, workbook) -> None:  # type: ignore[no-untyped-def]
    data = {"title": "Draft chapter", "slug": "draft-chapter", "summary": ""}
    data |= block_form_data(
        WorkbookStreamBlock(),
        [
            ordering_block(),
            choice_quiz(
                "single_choice",
                "q",
                "Which?",
                [option("A", "Right.", correct=True), option("B")],
                "guidance:x:para-1",
            ),
        ],
        "body",
    )
    url = f"/admin/pages/add/content/workbookchapterpage/{workbook.pk}/preview/"
    assert editor_client.post(url, data).json()["is_valid"] is True
    response = editor_client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Put these in order." in html and "Answer key and feedback" in html


def test_page_types_nest_index_workbook_chapter() -> None:
    assert WorkbookIndexPage.allowed_subpage_models() == [WorkbookPage]
    assert WorkbookPage.allowed_subpage_models() == [WorkbookChapterPage]
    assert WorkbookChapterPage.allowed_subpage_models() == []
    assert WorkbookChapterPage.allowed_parent_page_models() == [WorkbookPage]


def test_the_preview_shows_editors_the_answer_key(workbook) -> None:  # type: ignore[no-untyped-def]
    chapter = workbook.chapters().first()
    response = chapter.make_preview_request()
    html = response.content.decode()
    assert response.status_code == 200
    assert "Answer key and feedback (editors' preview)" in html
    assert "Yes: fifteen." in html


def test_anyone_not_signed_in_sees_the_chapter_read_only(workbook) -> None:  # type: ignore[no-untyped-def]
    chapter = workbook.chapters().first()
    html = Client().get(chapter.url).content.decode()
    assert "Sign in</a> to answer" in html
    assert "disabled" in html and "hx-post" not in html
    assert "Answer key" not in html


def test_workbook_citation_keys_resolve_to_the_block_on_its_chapter(workbook) -> None:  # type: ignore[no-untyped-def]
    chapter = workbook.chapters().first()
    citation = resolve_citation("workbook:small-workbook:single")
    assert citation.url == f"{chapter.url}#block-single"
    assert citation.title == "Small workbook: First chapter"
    assert citation.quotation.startswith("Within how many working days")
    with pytest.raises(CitationError):
        resolve_citation("workbook:small-workbook:no-such-block")
    with pytest.raises(CitationError):
        resolve_citation("workbook:no-such-workbook:single")


def test_seed_workbook_is_idempotent_and_keeps_block_ids(db: None) -> None:
    out = StringIO()
    call_command("seed_workbook", stdout=out)
    assert "12 pages created" in out.getvalue()
    workbook = WorkbookPage.objects.get(slug="cp-conferences")
    chapters = list(workbook.chapters())
    assert [c.title for c in chapters] == [c["title"] for c in WORKBOOK["chapters"]]
    ids = [child.id for chapter in chapters for child in chapter.body]
    pages = Page.objects.count()
    out = StringIO()
    call_command("seed_workbook", stdout=out)
    assert "0 pages created, 0 updated, 12 unchanged" in out.getvalue()
    assert Page.objects.count() == pages
    assert [child.id for chapter in workbook.chapters() for child in chapter.body] == ids
    call_command("seed_workbook", "--refresh", stdout=StringIO())
    assert Page.objects.count() == pages


def test_content_editors_may_author_workbooks(db: None) -> None:
    from accounts.models import PlatformRole
    from accounts.roles import roles_ensure

    groups = roles_ensure()
    call_command("seed_workbook", stdout=StringIO())
    editor = User.objects.create_user("ed", password="x")
    editor.groups.add(groups[PlatformRole.CONTENT_EDITOR])
    client = Client()
    client.force_login(editor)
    workbook = WorkbookPage.objects.get(slug="cp-conferences")
    add = f"/admin/pages/add/content/workbookchapterpage/{workbook.pk}/"
    assert client.get(add).status_code == 200
    assert client.get(f"/admin/pages/{workbook.chapters().first().pk}/edit/").status_code == 200
    index = workbook.get_parent()
    assert client.get(f"/admin/pages/add/content/workbookpage/{index.pk}/").status_code == 200


def test_the_demo_workbook_covers_every_topic_and_the_jayden_activity(db: None) -> None:
    call_command("seed_workbook", stdout=StringIO())
    workbook = WorkbookPage.objects.get(slug="cp-conferences")
    types = {child.block_type for chapter in workbook.chapters() for child in chapter.body}
    assert {
        "learning_objectives",
        "reading_task",
        "definition",
        "scenario_activity",
        "single_choice",
        "multiple_choice",
        "true_false",
        "ordering",
        "matching",
        "report_task",
        "reflection",
        "wellbeing_notice",
    } <= types
    jayden = workbook.chapters().get(slug="jayden").find_block("jayden-activity")
    assert [panel["agency"] for panel in jayden.value["panels"]] == [
        "Health visitor",
        "Designated teacher",
        "Housing",
        "GP",
    ]
    assert len(jayden.value["questions"]) == 7
    steps = workbook.chapters().get(slug="conference-process").find_block("quiz-eleven-steps")
    assert len(steps.value["items"]) == 11
    for chapter in workbook.chapters():
        for child in chapter.body:
            child.block.clean(child.value)  # every demo block is valid


def test_every_workbook_key_in_the_demo_resolves(db: None) -> None:
    call_command("seed_workbook", stdout=StringIO())
    keys = [key for key in all_citation_keys() if key.startswith("workbook:")]
    assert keys
    for key in keys:
        assert resolve_citation(key).url.startswith("/workbooks/cp-conferences/")


def test_every_demo_chapter_answers_for_a_delegate_and_for_everyone_else(db: None) -> None:
    call_command("seed_workbook", stdout=StringIO())
    delegate = User.objects.create_user("dee", password="x")
    signed_in = Client()
    signed_in.force_login(delegate)
    for chapter in WorkbookPage.objects.get(slug="cp-conferences").chapters():
        assert Client().get(chapter.url).status_code == 200
        assert signed_in.get(f"/learn/chapter/{chapter.pk}/").status_code == 200
