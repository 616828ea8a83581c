"""Quiz questions: single and multiple choice, true or false, ordering, matching.

Each block marks a response itself (``mark``), so the answer key never
leaves the server: the delegate's browser only sees option ids and text until
the answer has been checked. Validation in ``clean`` refuses a question that
could never be answered correctly, unless the editor is only saving a draft.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from typing import Any, ClassVar

from django.utils.safestring import SafeString, mark_safe
from wagtail import blocks

from content.blocks.answers import (
    AnswerKind,
    OutcomeItem,
    QuizOutcome,
    html_attrs,
    structure_signature,
)
from content.blocks.base import PREVIEW_TEMPLATE, CitedValue, citation_key_block, list_error

QUIZ_ICON = "help"


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    text: str
    is_correct: bool
    feedback: str


@dataclass(frozen=True, slots=True)
class ChoiceView:
    """An option in the answer form (never says whether it is right).

    Option ids are unique in a page (ListBlock item ids), so they make the
    DOM ids. The input's attributes are built here rather than by template
    conditions: a chapter renders hundreds of them.
    """

    id: str
    text: str
    checked: bool
    input_type: str = "radio"
    disabled: bool = False

    @property
    def dom_id(self) -> str:
        return f"choice-{self.id}"

    @property
    def attrs(self) -> SafeString:
        control = "govuk-checkboxes" if self.input_type == "checkbox" else "govuk-radios"
        return html_attrs(
            {
                "class": f"{control}__input",
                "id": self.dom_id,
                "name": "choice",
                "type": self.input_type,
                "value": self.id,
                "checked": self.checked,
                "disabled": self.disabled,
            }
        )


@dataclass(frozen=True, slots=True)
class PositionView:
    """A step to place (ordering) or an item to sort (matching)."""

    id: str
    text: str
    selected: str
    choices: tuple[str, ...]
    field: str = "position"
    prompt: str = "Position"
    disabled: bool = False

    @property
    def dom_id(self) -> str:
        return f"{self.field}-{self.id}"

    @property
    def attrs(self) -> SafeString:
        return html_attrs(
            {
                "class": "govuk-select app-wb-positions__select",
                "id": self.dom_id,
                "name": f"{self.field}-{self.id}",
                "disabled": self.disabled,
            }
        )

    @property
    def options(self) -> SafeString:
        """The ``<option>`` elements, the chosen one selected."""
        options = [f'<option value="">{escape(self.prompt)}</option>']
        options += [
            f"<option{html_attrs({'value': choice, 'selected': choice == self.selected})}>"
            f"{escape(choice)}</option>"
            for choice in self.choices
        ]
        return mark_safe("".join(options))  # noqa: S308 - every value is escaped above  # nosec B308 B703


class QuizValue(CitedValue):
    """Template helpers for quiz questions rendered without a delegate."""

    @property
    def kind(self) -> str:
        return self.block.quiz_kind

    @property
    def control(self) -> str:
        """The GOV.UK class stem for the options: radios or checkboxes."""
        return "govuk-checkboxes" if self.block.input_type == "checkbox" else "govuk-radios"

    @property
    def hint(self) -> str:
        kind = self.block.quiz_kind
        if kind == "ordering":
            return f"Give each step its place, from 1 (first) to {len(self['items'])} (last)."
        return {
            "multiple": "Select all that apply.",
            "matching": "Choose a category for each item.",
        }.get(kind, "Select one answer.")

    @property
    def uses_positions(self) -> bool:
        return self.block.quiz_kind in {"ordering", "matching"}

    @property
    def blank_choices(self) -> list[ChoiceView]:
        return self.block.choice_views(self, {}, disabled=True)

    @property
    def blank_positions(self) -> list[PositionView]:
        return self.block.position_views(self, {}, disabled=True)

    @property
    def answer_key(self) -> QuizOutcome:
        """The outcome of a perfect answer: used for the editors' preview."""
        return self.block.mark(self, self.block.perfect_response(self))


class BaseQuizBlock(blocks.StructBlock):
    """What every quiz question has: the question, a summary and a citation."""

    answer_kind: ClassVar[str] = AnswerKind.QUIZ
    quiz_kind: ClassVar[str] = ""
    input_type: ClassVar[str] = ""

    question = blocks.TextBlock(help_text="Ask one thing, in plain words.")

    def structure_signature(self, value: Any) -> str:
        raise NotImplementedError

    def parse_response(self, value: Any, data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
        """Return (response, error message) from a submitted form."""
        raise NotImplementedError

    def mark(self, value: Any, response: Mapping[str, Any]) -> QuizOutcome:
        raise NotImplementedError

    def perfect_response(self, value: Any) -> dict[str, Any]:
        raise NotImplementedError

    def choice_views(
        self, value: Any, response: Mapping[str, Any], *, disabled: bool = False
    ) -> list[ChoiceView]:
        return []

    def position_views(
        self, value: Any, response: Mapping[str, Any], *, disabled: bool = False
    ) -> list[PositionView]:
        return []

    def response_fits(self, value: Any, response: Mapping[str, Any]) -> bool:
        """Return whether a stored response still fits the question as it is now."""
        try:
            self.mark(value, response)
        except (KeyError, ValueError, TypeError):
            return False
        return True

    def progress(self, value: Any, answer_value: Any, *, attempted: bool) -> tuple[int, int]:
        return (1 if attempted else 0), 1

    def summary_text(self, value: Any) -> str:
        return str(value.get("question", ""))


class QuizOptionBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=400)
    is_correct = blocks.BooleanBlock(required=False, label="This is a correct answer")
    feedback = blocks.TextBlock(
        required=False,
        help_text="What a delegate reads about this option once they have checked their answer.",
    )

    class Meta:
        icon = "radio-full"
        template = "content/blocks/quiz_option_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "text": "Neglect",
            "is_correct": True,
            "feedback": "Yes: a persistent failure to meet basic needs is neglect.",
        }
        description = "One answer a delegate can choose, with its feedback."
        label = "Option"


class ChoiceQuizBlock(BaseQuizBlock):
    """Shared by single choice, multiple choice and true or false."""

    def choices(self, value: Any) -> list[Choice]:
        return [
            Choice(
                id=child.id,
                text=child.value["text"],
                is_correct=bool(child.value.get("is_correct")),
                feedback=child.value.get("feedback", ""),
            )
            for child in value["options"].bound_blocks
        ]

    def structure_signature(self, value: Any) -> str:
        return structure_signature(self.quiz_kind, [choice.id for choice in self.choices(value)])

    def chosen_ids(self, response: Mapping[str, Any]) -> set[str]:
        return set(response.get("choices", []))

    def parse_response(self, value: Any, data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
        known = {choice.id for choice in self.choices(value)}
        getlist = getattr(data, "getlist", None)
        raw = getlist("choice") if getlist else data.get("choice", [])
        if isinstance(raw, str):
            raw = [raw]
        chosen = [item for item in dict.fromkeys(raw) if item in known]
        if not chosen:
            return {"choices": []}, self.empty_message
        if self.input_type == "radio" and len(chosen) > 1:
            return {"choices": chosen[:1]}, "Choose one answer."
        return {"choices": chosen}, ""

    empty_message = "Choose an answer before checking."

    def mark(self, value: Any, response: Mapping[str, Any]) -> QuizOutcome:
        choices = self.choices(value)
        chosen = self.chosen_ids(response)
        unknown = chosen - {choice.id for choice in choices}
        if unknown:
            raise KeyError(f"unknown options {sorted(unknown)}")
        items = tuple(
            OutcomeItem(
                id=choice.id,
                text=choice.text,
                chosen=choice.id in chosen,
                correct=choice.is_correct,
                right=(choice.id in chosen) == choice.is_correct,
                feedback=choice.feedback,
            )
            for choice in choices
        )
        if self.input_type == "radio":
            score = int(any(item.chosen and item.correct for item in items))
            out_of = 1
        else:
            score = sum(item.right for item in items)
            out_of = len(items)
        return QuizOutcome(
            is_correct=score == out_of,
            score=score,
            out_of=out_of,
            items=items,
            summary=value.get("explanation", ""),
        )

    def perfect_response(self, value: Any) -> dict[str, Any]:
        return {"choices": [choice.id for choice in self.choices(value) if choice.is_correct]}

    def choice_views(
        self, value: Any, response: Mapping[str, Any], *, disabled: bool = False
    ) -> list[ChoiceView]:
        chosen = self.chosen_ids(response)
        return [
            ChoiceView(
                id=choice.id,
                text=choice.text,
                checked=choice.id in chosen,
                input_type=self.input_type,
                disabled=disabled,
            )
            for choice in self.choices(value)
        ]

    def _duplicate_items(self, value: Any) -> dict[int, tuple[str, str]]:
        seen: dict[str, int] = {}
        problems: dict[int, tuple[str, str]] = {}
        for index, choice in enumerate(self.choices(value)):
            key = choice.text.strip().casefold()
            if key in seen:
                problems[index] = ("text", "This option repeats another one.")
            seen.setdefault(key, index)
        return problems


class SingleChoiceQuizBlock(ChoiceQuizBlock):
    quiz_kind = "single"
    input_type = "radio"

    options = blocks.ListBlock(QuizOptionBlock(), min_num=2, max_num=8)
    explanation = blocks.TextBlock(
        required=False, help_text="Shown to everyone after checking, whatever they chose."
    )
    citation_key = citation_key_block(help_text="The paragraph the right answer rests on.")

    class Meta:
        icon = QUIZ_ICON
        template = "content/blocks/quiz_block.html"
        preview_template = PREVIEW_TEMPLATE
        value_class = QuizValue
        label = "Quiz: single choice"
        description = "A question with one right answer among several options."
        preview_value = {
            "question": "Within how many working days of the strategy discussion should an "
            "initial child protection conference take place?",
            "options": [
                {"text": "5", "is_correct": False, "feedback": "Five is for review reports."},
                {"text": "15", "is_correct": True, "feedback": "Yes: 15 working days."},
            ],
            "explanation": "The clock starts at the strategy discussion.",
            "citation_key": "guidance:procedures-summary:para-37",
        }

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if self.is_deferred_validation:
            return value
        correct = sum(choice.is_correct for choice in self.choices(value))
        if correct == 0:
            raise list_error(
                "options",
                "This question has no correct answer. Tick 'This is a correct answer' on "
                "the right option.",
            )
        if correct > 1:
            raise list_error(
                "options",
                f"A single-choice question has exactly one correct answer, but {correct} "
                "options are ticked. Untick the others, or use a multiple-choice question.",
            )
        duplicates = self._duplicate_items(value)
        if duplicates:
            raise list_error("options", "Each option must be different.", items=duplicates)
        return value


class MultipleChoiceQuizBlock(ChoiceQuizBlock):
    quiz_kind = "multiple"
    input_type = "checkbox"
    empty_message = "Choose at least one answer before checking."

    options = blocks.ListBlock(QuizOptionBlock(), min_num=2, max_num=12)
    explanation = blocks.TextBlock(
        required=False, help_text="Shown to everyone after checking, whatever they chose."
    )
    citation_key = citation_key_block(help_text="The paragraph the right answer rests on.")

    class Meta:
        icon = QUIZ_ICON
        template = "content/blocks/quiz_block.html"
        preview_template = PREVIEW_TEMPLATE
        value_class = QuizValue
        label = "Quiz: multiple choice"
        description = "A question where a delegate ticks every answer that applies."
        preview_value = {
            "question": "Who must be at an initial conference for it to be quorate?",
            "options": [
                {"text": "Children's Social Care", "is_correct": True, "feedback": ""},
                {
                    "text": "Two other agencies with direct contact",
                    "is_correct": True,
                    "feedback": "",
                },
                {"text": "The child's GP in every case", "is_correct": False, "feedback": ""},
            ],
            "explanation": "",
            "citation_key": "guidance:procedures-summary:para-41",
        }

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if self.is_deferred_validation:
            return value
        if not any(choice.is_correct for choice in self.choices(value)):
            raise list_error(
                "options",
                "This question has no correct answer. Tick 'This is a correct answer' on at "
                "least one option.",
            )
        duplicates = self._duplicate_items(value)
        if duplicates:
            raise list_error("options", "Each option must be different.", items=duplicates)
        return value


class TrueFalseQuizBlock(ChoiceQuizBlock):
    quiz_kind = "true_false"
    input_type = "radio"

    answer = blocks.ChoiceBlock(
        choices=[("true", "True"), ("false", "False")],
        help_text="Is the statement in the question true or false?",
    )
    feedback_true = blocks.TextBlock(
        required=False, label="Feedback for 'True'", help_text="Shown to a delegate who chose True."
    )
    feedback_false = blocks.TextBlock(
        required=False,
        label="Feedback for 'False'",
        help_text="Shown to a delegate who chose False.",
    )
    explanation = blocks.TextBlock(required=False)
    citation_key = citation_key_block(help_text="The paragraph the right answer rests on.")

    class Meta:
        icon = QUIZ_ICON
        template = "content/blocks/quiz_block.html"
        preview_template = PREVIEW_TEMPLATE
        value_class = QuizValue
        label = "Quiz: true or false"
        description = "A statement a delegate decides is true or false."
        preview_value = {
            "question": "A child's parents are usually invited to the conference.",
            "answer": "true",
            "feedback_true": "Yes: parents take an active part unless that would harm the child.",
            "feedback_false": "Parents are active participants unless that would harm the child.",
            "explanation": "",
            "citation_key": "guidance:procedures-summary:para-44",
        }

    def choices(self, value: Any) -> list[Choice]:
        answer = value.get("answer") or "true"
        return [
            Choice("true", "True", answer == "true", value.get("feedback_true", "")),
            Choice("false", "False", answer == "false", value.get("feedback_false", "")),
        ]


class OrderItemBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=300)
    feedback = blocks.TextBlock(
        required=False, help_text="Shown against this step once the delegate has checked."
    )

    class Meta:
        icon = "list-ol"
        template = "content/blocks/quiz_option_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {"text": "The chair reads the reports", "feedback": ""}
        description = "One step, in its right place in the list."
        label = "Step"


def _shuffled(items: list[Any], seed: str) -> list[Any]:
    """Return ``items`` in a fixed order that does not give the answer away."""

    def rank(item: Any) -> str:
        return hashlib.sha256(f"{seed}:{item.id}".encode()).hexdigest()

    shuffled = sorted(items, key=rank)
    if len(shuffled) > 2 and [i.id for i in shuffled] == [i.id for i in items]:
        shuffled = shuffled[1:] + shuffled[:1]
    return shuffled


class OrderingQuizBlock(BaseQuizBlock):
    """Put steps in order, such as the eleven steps of a conference."""

    quiz_kind = "ordering"

    items = blocks.ListBlock(
        OrderItemBlock(), min_num=2, max_num=20, help_text="Enter the steps in the right order."
    )
    explanation = blocks.TextBlock(required=False)
    citation_key = citation_key_block(help_text="The paragraph that sets out the order.")

    class Meta:
        icon = "list-ol"
        template = "content/blocks/quiz_block.html"
        preview_template = PREVIEW_TEMPLATE
        value_class = QuizValue
        label = "Quiz: put in order"
        description = "Steps a delegate puts into the right order."
        preview_value = {
            "question": "Put these in the order they happen.",
            "items": [
                {"text": "Strategy discussion", "feedback": ""},
                {"text": "Article 42 enquiry", "feedback": ""},
                {"text": "Initial child protection conference", "feedback": ""},
            ],
            "explanation": "",
            "citation_key": "guidance:procedures-summary:para-59",
        }

    def steps(self, value: Any) -> list[Any]:
        return list(value["items"].bound_blocks)

    def structure_signature(self, value: Any) -> str:
        return structure_signature(self.quiz_kind, [child.id for child in self.steps(value)])

    def parse_response(self, value: Any, data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
        steps = self.steps(value)
        order: dict[str, int] = {}
        missing = 0
        for child in steps:
            raw = data.get(f"position-{child.id}", "")
            try:
                position = int(raw)
            except (TypeError, ValueError):
                missing += 1
                continue
            if 1 <= position <= len(steps):
                order[child.id] = position
            else:
                missing += 1
        if missing:
            return {"order": order}, "Give every step a position before checking."
        counts = Counter(order.values())
        repeated = sorted(position for position, count in counts.items() if count > 1)
        if repeated:
            listed = ", ".join(str(position) for position in repeated)
            return (
                {"order": order},
                f"Use each position once: you have used {listed} more than once.",
            )
        return {"order": order}, ""

    def mark(self, value: Any, response: Mapping[str, Any]) -> QuizOutcome:
        order = response["order"]
        steps = self.steps(value)
        if set(order) != {child.id for child in steps}:
            raise KeyError("the steps have changed")
        items = tuple(
            OutcomeItem(
                id=child.id,
                text=child.value["text"],
                right=int(order[child.id]) == index,
                given=str(order[child.id]),
                expected=str(index),
                feedback=child.value.get("feedback", ""),
            )
            for index, child in enumerate(steps, start=1)
        )
        score = sum(item.right for item in items)
        return QuizOutcome(
            is_correct=score == len(items),
            score=score,
            out_of=len(items),
            items=items,
            summary=value.get("explanation", ""),
        )

    def perfect_response(self, value: Any) -> dict[str, Any]:
        return {"order": {child.id: i for i, child in enumerate(self.steps(value), start=1)}}

    def position_views(
        self, value: Any, response: Mapping[str, Any], *, disabled: bool = False
    ) -> list[PositionView]:
        steps = self.steps(value)
        order = response.get("order", {})
        positions = tuple(str(i) for i in range(1, len(steps) + 1))
        return [
            PositionView(
                id=child.id,
                text=child.value["text"],
                selected=str(order.get(child.id, "")),
                choices=positions,
                disabled=disabled,
            )
            for child in _shuffled(steps, self.structure_signature(value))
        ]

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if self.is_deferred_validation:
            return value
        seen: dict[str, int] = {}
        duplicates: dict[int, tuple[str, str]] = {}
        for index, child in enumerate(self.steps(value)):
            key = child.value["text"].strip().casefold()
            if key in seen:
                duplicates[index] = (
                    "text",
                    f"This step repeats step {seen[key] + 1}. Each step must be different.",
                )
            seen.setdefault(key, index)
        if duplicates:
            raise list_error(
                "items",
                "The steps contain duplicates, so the order could not be marked. "
                "Make each step different.",
                items=duplicates,
            )
        return value


class MatchItemBlock(blocks.StructBlock):
    text = blocks.CharBlock(max_length=400)
    category = blocks.CharBlock(
        max_length=120, help_text="Type the category this belongs to, exactly as listed above."
    )
    feedback = blocks.TextBlock(required=False)

    class Meta:
        icon = "tag"
        template = "content/blocks/quiz_option_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "text": "A child is left without food",
            "category": "Neglect",
            "feedback": "",
        }
        description = "Something a delegate sorts into one of the categories."
        label = "Item"


class MatchingQuizBlock(BaseQuizBlock):
    """Match items to categories, such as examples to a level of need."""

    quiz_kind = "matching"

    categories = blocks.ListBlock(
        blocks.CharBlock(max_length=120, label="Category"), min_num=2, max_num=10
    )
    items = blocks.ListBlock(MatchItemBlock(), min_num=1, max_num=20)
    explanation = blocks.TextBlock(required=False)
    citation_key = citation_key_block(help_text="The paragraph that defines the categories.")

    class Meta:
        icon = "tag"
        template = "content/blocks/quiz_block.html"
        preview_template = PREVIEW_TEMPLATE
        value_class = QuizValue
        label = "Quiz: match to categories"
        description = "Items a delegate sorts into categories or levels of need."
        preview_value = {
            "question": "Which category of abuse does each example describe?",
            "categories": ["Physical abuse", "Neglect"],
            "items": [
                {"text": "Shaking a baby", "category": "Physical abuse", "feedback": ""},
                {"text": "No food in the house for days", "category": "Neglect", "feedback": ""},
            ],
            "explanation": "",
            "citation_key": "guidance:procedures-summary:para-17",
        }

    def category_names(self, value: Any) -> list[str]:
        return [str(name) for name in value["categories"]]

    def structure_signature(self, value: Any) -> str:
        return structure_signature(
            self.quiz_kind,
            self.category_names(value),
            [child.id for child in value["items"].bound_blocks],
        )

    def parse_response(self, value: Any, data: Mapping[str, Any]) -> tuple[dict[str, Any], str]:
        names = set(self.category_names(value))
        matches: dict[str, str] = {}
        for child in value["items"].bound_blocks:
            chosen = data.get(f"category-{child.id}", "")
            if chosen in names:
                matches[child.id] = chosen
        if len(matches) < len(value["items"]):
            return {"matches": matches}, "Choose a category for every item before checking."
        return {"matches": matches}, ""

    def mark(self, value: Any, response: Mapping[str, Any]) -> QuizOutcome:
        matches = response["matches"]
        names = set(self.category_names(value))
        children = list(value["items"].bound_blocks)
        if set(matches) != {child.id for child in children} or not set(matches.values()) <= names:
            raise KeyError("the items have changed")
        items = tuple(
            OutcomeItem(
                id=child.id,
                text=child.value["text"],
                right=matches[child.id] == child.value["category"],
                given=matches[child.id],
                expected=child.value["category"],
                feedback=child.value.get("feedback", ""),
            )
            for child in children
        )
        score = sum(item.right for item in items)
        return QuizOutcome(
            is_correct=score == len(items),
            score=score,
            out_of=len(items),
            items=items,
            summary=value.get("explanation", ""),
        )

    def perfect_response(self, value: Any) -> dict[str, Any]:
        return {
            "matches": {child.id: child.value["category"] for child in value["items"].bound_blocks}
        }

    def position_views(
        self, value: Any, response: Mapping[str, Any], *, disabled: bool = False
    ) -> list[PositionView]:
        matches = response.get("matches", {})
        names = tuple(self.category_names(value))
        return [
            PositionView(
                id=child.id,
                text=child.value["text"],
                selected=matches.get(child.id, ""),
                choices=names,
                field="category",
                prompt="Choose a category",
                disabled=disabled,
            )
            for child in value["items"].bound_blocks
        ]

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if self.is_deferred_validation:
            return value
        names = self.category_names(value)
        if len({name.strip().casefold() for name in names}) != len(names):
            raise list_error("categories", "Each category must be different.")
        wrong = {
            index: (
                "category",
                f"'{child.value['category']}' is not one of the categories. "
                f"Use one of: {', '.join(names)}.",
            )
            for index, child in enumerate(value["items"].bound_blocks)
            if child.value["category"] not in names
        }
        if wrong:
            raise list_error(
                "items",
                "Every item needs one of the categories listed above as its right answer.",
                items=wrong,
            )
        return value
