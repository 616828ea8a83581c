"""Workbook blocks: validation, marking, answer parsing; no database."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.test import SimpleTestCase
from wagtail import blocks

from content.blocks import (
    MAX_TEXT_LENGTH,
    REPORT_SECTIONS,
    MatchingQuizBlock,
    MultipleChoiceQuizBlock,
    OrderingQuizBlock,
    ReportTaskBlock,
    ScenarioActivityBlock,
    SingleChoiceQuizBlock,
    TrueFalseQuizBlock,
    WorkbookStreamBlock,
)
from tests.assessments.test_workbook_helpers import (
    guidance_scheme,
    ordering_block,
    report_block,
    scenario_block,
)


def error_messages(error: ValidationError) -> str:
    """Flatten a block validation error as the editor would show it."""
    return json.dumps(error.as_json_data() if hasattr(error, "as_json_data") else error.messages)


def single_choice(options: list[dict[str, Any]]) -> Any:
    return SingleChoiceQuizBlock().to_python(
        {
            "question": "Which?",
            "options": [{"type": "item", "id": f"o{i}", "value": o} for i, o in enumerate(options)],
            "explanation": "",
            "citation_key": "guidance:procedures-summary:para-1",
        }
    )


def querydict(data: dict[str, Any]) -> QueryDict:
    result = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list):
            result.setlist(key, value)
        else:
            result[key] = value
    return result


class QuizValidationTests(SimpleTestCase):
    def test_single_choice_without_a_correct_option_is_refused(self) -> None:
        block = SingleChoiceQuizBlock()
        value = single_choice(
            [{"text": "A", "is_correct": False}, {"text": "B", "is_correct": False}]
        )
        with self.assertRaises(ValidationError) as caught:
            block.clean(value)
        self.assertIn("has no correct answer", error_messages(caught.exception))

    def test_single_choice_with_two_correct_options_is_refused(self) -> None:
        value = single_choice(
            [{"text": "A", "is_correct": True}, {"text": "B", "is_correct": True}]
        )
        with self.assertRaises(ValidationError) as caught:
            SingleChoiceQuizBlock().clean(value)
        self.assertIn("exactly one correct answer", error_messages(caught.exception))

    def test_single_choice_with_one_correct_option_is_accepted(self) -> None:
        value = single_choice(
            [{"text": "A", "is_correct": True}, {"text": "B", "is_correct": False}]
        )
        self.assertEqual(SingleChoiceQuizBlock().clean(value)["question"], "Which?")

    def test_a_draft_may_have_no_correct_option_yet(self) -> None:
        value = single_choice(
            [{"text": "A", "is_correct": False}, {"text": "B", "is_correct": False}]
        )
        self.assertEqual(SingleChoiceQuizBlock().clean_deferred(value)["question"], "Which?")

    def test_multiple_choice_without_a_correct_option_is_refused(self) -> None:
        block = MultipleChoiceQuizBlock()
        value = block.to_python(
            {
                "question": "Which?",
                "options": [
                    {"type": "item", "id": "a", "value": {"text": "A", "is_correct": False}},
                    {"type": "item", "id": "b", "value": {"text": "B", "is_correct": False}},
                ],
                "citation_key": "guidance:procedures-summary:para-1",
            }
        )
        with self.assertRaises(ValidationError) as caught:
            block.clean(value)
        self.assertIn("has no correct answer", error_messages(caught.exception))

    def test_ordering_task_with_duplicate_steps_is_refused(self) -> None:
        block = OrderingQuizBlock()
        value = block.to_python(
            {
                "question": "Order?",
                "items": [
                    {"type": "item", "id": "s1", "value": {"text": "Chair reads reports"}},
                    {"type": "item", "id": "s2", "value": {"text": "Chair opens meeting"}},
                    {"type": "item", "id": "s3", "value": {"text": "chair reads reports "}},
                ],
                "citation_key": "guidance:procedures-summary:para-59",
            }
        )
        with self.assertRaises(ValidationError) as caught:
            block.clean(value)
        messages = error_messages(caught.exception)
        self.assertIn("The steps contain duplicates", messages)
        self.assertIn("This step repeats step 1", messages)

    def test_matching_item_needs_one_of_the_categories(self) -> None:
        block = MatchingQuizBlock()
        value = block.to_python(
            {
                "question": "Match",
                "categories": [
                    {"type": "item", "id": "c1", "value": "Fact"},
                    {"type": "item", "id": "c2", "value": "Opinion"},
                ],
                "items": [
                    {"type": "item", "id": "i1", "value": {"text": "X", "category": "Rumour"}}
                ],
                "citation_key": "guidance:procedures-summary:para-49",
            }
        )
        with self.assertRaises(ValidationError) as caught:
            block.clean(value)
        self.assertIn("'Rumour' is not one of the categories", error_messages(caught.exception))

    def test_a_malformed_citation_key_is_refused(self) -> None:
        value = single_choice([{"text": "A", "is_correct": True}, {"text": "B"}])
        value["citation_key"] = "paragraph twelve"
        with self.assertRaises(ValidationError) as caught:
            SingleChoiceQuizBlock().clean(value)
        self.assertIn("scheme:document:anchor", error_messages(caught.exception))


class ReportTaskValidationTests(SimpleTestCase):
    def test_the_default_report_task_has_every_section_and_is_valid(self) -> None:
        block = ReportTaskBlock()
        value = block.to_python(report_block()["value"])
        self.assertEqual(
            [s.key for s, _ in block.included_sections(block.clean(value))],
            [s.key for s in REPORT_SECTIONS],
        )

    def test_a_report_task_missing_a_required_section_is_refused(self) -> None:
        raw = report_block()["value"]
        raw["sections"] = [s for s in raw["sections"] if s["value"]["section"] != "worries"]
        block = ReportTaskBlock()
        with self.assertRaises(ValidationError) as caught:
            block.clean(block.to_python(raw))
        messages = error_messages(caught.exception)
        self.assertIn("The report template is incomplete", messages)
        self.assertIn("What are we worried about?", messages)

    def test_a_section_cannot_appear_twice(self) -> None:
        raw = report_block()["value"]
        raw["sections"].append({"type": "item", "id": "again", "value": {"section": "views"}})
        block = ReportTaskBlock()
        with self.assertRaises(ValidationError) as caught:
            block.clean(block.to_python(raw))
        self.assertIn("can appear once", error_messages(caught.exception))

    def test_the_template_lists_every_field_of_the_multi_agency_report_in_order(self) -> None:
        keys = [section.key for section in REPORT_SECTIONS]
        self.assertEqual(
            keys,
            [
                "about",
                "sharing",
                "family",
                "significant_others",
                "worries",
                "working_well",
                "complicating_factors",
                "child_views",
                "observations",
                "network_views",
                "next_steps",
                "views",
                "sign_off",
            ],
        )
        fields = {s.key: [f.key for f in s.fields] for s in REPORT_SECTIONS}
        self.assertEqual(
            fields["about"],
            [
                "agency",
                "name",
                "job_title",
                "contact_details",
                "conference_date",
                "attending",
                "attending_instead",
            ],
        )
        self.assertEqual(
            fields["sharing"],
            ["shared_with_parents", "shared_with_young_person", "not_shared_reason"],
        )
        self.assertIn("threshold", fields["views"])
        self.assertIn("category", fields["views"])
        family = next(s for s in REPORT_SECTIONS if s.key == "family")
        carers = next(t for t in family.tables if t.key == "carers")
        self.assertIn("parental_responsibility", [c.key for c in carers.columns])
        self.assertTrue(
            all("communication_needs" in [c.key for c in t.columns] for t in family.tables)
        )
        statements = [s.key for s in REPORT_SECTIONS if s.statements]
        self.assertEqual(statements, ["worries", "observations"])


class MarkingTests(SimpleTestCase):
    def test_single_choice_is_marked_with_feedback_for_every_option(self) -> None:
        block = SingleChoiceQuizBlock()
        value = single_choice(
            [
                {"text": "Five", "is_correct": False, "feedback": "No: review reports."},
                {"text": "Fifteen", "is_correct": True, "feedback": "Yes."},
            ]
        )
        response, error = block.parse_response(value, querydict({"choice": "o0"}))
        self.assertEqual(error, "")
        outcome = block.mark(value, response)
        self.assertIs(outcome.is_correct, False)
        self.assertEqual([item.feedback for item in outcome.items], ["No: review reports.", "Yes."])
        self.assertIs(block.mark(value, {"choices": ["o1"]}).is_correct, True)

    def test_choosing_nothing_is_an_error_not_an_attempt(self) -> None:
        value = single_choice([{"text": "A", "is_correct": True}, {"text": "B"}])
        _, error = SingleChoiceQuizBlock().parse_response(value, querydict({}))
        self.assertEqual(error, "Choose an answer before checking.")

    def test_unknown_option_ids_from_a_forged_form_are_ignored(self) -> None:
        value = single_choice([{"text": "A", "is_correct": True}, {"text": "B"}])
        response, error = SingleChoiceQuizBlock().parse_response(
            value, querydict({"choice": "hacked"})
        )
        self.assertEqual(response, {"choices": []})
        self.assertTrue(error)

    def test_true_false(self) -> None:
        block = TrueFalseQuizBlock()
        value = block.to_python(
            {
                "question": "Parents only observe.",
                "answer": "false",
                "citation_key": "guidance:x:para-1",
            }
        )
        self.assertIs(block.mark(value, {"choices": ["false"]}).is_correct, True)
        self.assertIs(block.mark(value, {"choices": ["true"]}).is_correct, False)

    def test_ordering_checks_positions_and_refuses_duplicates(self) -> None:
        block = OrderingQuizBlock()
        value = block.to_python(ordering_block()["value"])
        ids = [child.id for child in value["items"].bound_blocks]
        _, error = block.parse_response(
            value,
            querydict(
                {f"position-{ids[0]}": "1", f"position-{ids[1]}": "1", f"position-{ids[2]}": "3"}
            ),
        )
        self.assertEqual(error, "Use each position once: you have used 1 more than once.")
        response, error = block.parse_response(
            value,
            querydict(
                {f"position-{ids[0]}": "2", f"position-{ids[1]}": "1", f"position-{ids[2]}": "3"}
            ),
        )
        self.assertEqual(error, "")
        outcome = block.mark(value, response)
        self.assertEqual((outcome.score, outcome.out_of, outcome.is_correct), (1, 3, False))
        self.assertIs(block.mark(value, block.perfect_response(value)).is_correct, True)

    def test_ordering_shows_steps_in_an_order_that_is_not_the_answer(self) -> None:
        block = OrderingQuizBlock()
        value = block.to_python(ordering_block()["value"])
        shown = [view.id for view in block.position_views(value, {})]
        self.assertNotEqual(shown, [child.id for child in value["items"].bound_blocks])
        self.assertEqual(sorted(shown), sorted(child.id for child in value["items"].bound_blocks))


class AnswerParsingTests(SimpleTestCase):
    def test_free_text_over_the_limit_is_an_error_that_keeps_the_text(self) -> None:
        block = ScenarioActivityBlock()
        value = block.to_python(scenario_block()["value"])
        long_text = "x" * (MAX_TEXT_LENGTH + 1)
        parsed = block.parse_answer(value, querydict({"answer-scenario-q-1": long_text}))
        self.assertIs(parsed.is_valid, False)
        self.assertIn("20,001 characters long", parsed.errors["answer-scenario-q-1"])
        self.assertIn("20,000 characters or fewer", parsed.errors["answer-scenario-q-1"])
        self.assertEqual(parsed.value["answers"]["scenario-q-1"], long_text)

    def test_html_is_kept_as_plain_text(self) -> None:
        block = ScenarioActivityBlock()
        value = block.to_python(scenario_block()["value"])
        parsed = block.parse_answer(
            value, querydict({"answer-scenario-q-1": "<script>alert(1)</script>"})
        )
        self.assertEqual(parsed.value, {"answers": {"scenario-q-1": "<script>alert(1)</script>"}})

    def test_structure_changes_when_a_question_is_added_not_when_reworded(self) -> None:
        block = ScenarioActivityBlock()
        before = block.structure_signature(block.to_python(scenario_block()["value"]))
        reworded = scenario_block()["value"]
        reworded["questions"][0]["value"]["prompt"] = "Reworded?"
        self.assertEqual(before, block.structure_signature(block.to_python(reworded)))
        added = block.to_python(scenario_block(questions=3)["value"])
        self.assertNotEqual(before, block.structure_signature(added))

    def test_report_statements_carry_tag_second_hand_and_source(self) -> None:
        block = ReportTaskBlock()
        value = block.to_python(report_block()["value"])
        data = querydict(
            {
                "f-about-agency": "Housing",
                "f-views-threshold": "met",
                "f-views-other_categories": ["neglect", "emotional", "made-up"],
                "t-carers-count": "1",
                "t-carers-0-name": "Mum",
                "t-carers-0-parental_responsibility": "yes",
                "s-worries-count": "2",
                "s-worries-0-text": "Neighbours report a child crying.",
                "s-worries-0-tag": "allegation",
                "s-worries-0-second_hand": "on",
                "s-worries-0-source": "Neighbour complaint, March",
                "s-worries-1-text": "",
                "s-worries-1-tag": "fact",
            }
        )
        parsed = block.parse_answer(value, data)
        self.assertIs(parsed.is_valid, True)
        report = block.compact(parsed.value)
        self.assertEqual(report["fields"]["about.agency"], "Housing")
        self.assertEqual(report["fields"]["views.other_categories"], ["neglect", "emotional"])
        self.assertEqual(
            report["tables"]["carers"], [{"name": "Mum", "parental_responsibility": "yes"}]
        )
        self.assertEqual(
            report["statements"]["worries"],
            [
                {
                    "text": "Neighbours report a child crying.",
                    "tag": "allegation",
                    "second_hand": True,
                    "source": "Neighbour complaint, March",
                }
            ],
        )
        done, total = block.progress(value, report)
        self.assertEqual((done, total), (4, len(REPORT_SECTIONS)))

    def test_adding_and_removing_statements(self) -> None:
        report = {"statements": {"worries": [{"text": "a"}, {"text": "b"}]}}
        ReportTaskBlock.apply_action(report, "add:s-worries")
        self.assertEqual(len(report["statements"]["worries"]), 3)
        ReportTaskBlock.apply_action(report, "remove:s-worries:0")
        self.assertEqual(report["statements"]["worries"][0], {"text": "b"})
        ReportTaskBlock.apply_action(report, "remove:s-worries:99")
        self.assertEqual(len(report["statements"]["worries"]), 2)


def all_blocks(block: blocks.Block) -> list[blocks.Block]:
    found = [block]
    for child in getattr(block, "child_blocks", {}).values():
        found += all_blocks(child)
    if isinstance(block, blocks.ListBlock):
        found += all_blocks(block.child_block)
    return found


@pytest.mark.parametrize(
    "block",
    list(
        {
            id(b): b
            for b in [
                *WorkbookStreamBlock().child_blocks.values(),
                *(
                    b
                    for b in all_blocks(WorkbookStreamBlock())
                    if isinstance(b, blocks.StructBlock)
                ),
            ]
        }.values()
    ),
    ids=lambda b: b.name or type(b).__name__,
)
def test_every_block_describes_itself_and_its_preview_is_valid(block: blocks.Block) -> None:
    """Each block sets icon, template, preview value and description; the preview cleans."""
    for option_name in ("icon", "template", "preview_value", "description"):
        assert getattr(block.meta, option_name, None), f"{block.name} lacks Meta.{option_name}"
    value = block.get_preview_value()
    block.clean(value)
    with guidance_scheme():  # previews cite guidance; resolve it without a database
        assert block.render(value, {"id": "preview"})
