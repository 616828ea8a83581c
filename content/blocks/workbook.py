"""The workbook's own blocks: objectives, reading, definitions, activities.

Answerable blocks (reading tasks, scenario activities, reflections, quizzes
and the report task) carry an ``answer_kind`` and say how their answers are
shaped; see ``content.blocks.answers``. Every answer is stored against the
block's stable StreamField id, so editors may reword a block without
orphaning what delegates have written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from django.core.validators import URLValidator
from django.utils.html import strip_tags
from wagtail import blocks

from content.blocks.answers import (
    MAX_TEXT_LENGTH,
    AnswerKind,
    ParsedAnswer,
    TextField,
    clean_text,
    structure_signature,
    text_too_long_message,
)
from content.blocks.base import (
    PREVIEW_TEMPLATE,
    RICH_TEXT_FEATURES,
    CitedValue,
    ContentStreamBlock,
    citation_key_block,
    list_error,
    struct_error,
)
from content.blocks.quiz import (
    MatchingQuizBlock,
    MultipleChoiceQuizBlock,
    OrderingQuizBlock,
    SingleChoiceQuizBlock,
    TrueFalseQuizBlock,
)
from content.blocks.report import ReportTaskBlock


class LearningObjectivesBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="Learning objectives")
    intro = blocks.CharBlock(
        max_length=200, required=False, default="When you have finished, you will be able to:"
    )
    objectives = blocks.ListBlock(blocks.CharBlock(max_length=300, label="Objective"), min_num=1)

    class Meta:
        icon = "tick-inverse"
        template = "content/blocks/learning_objectives_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "heading": "Learning objectives",
            "intro": "When you have finished, you will be able to:",
            "objectives": [
                "explain what a child protection conference is for",
                "write a report that separates fact from opinion",
            ],
        }
        description = "What a delegate will be able to do after this workbook or chapter."
        label = "Learning objectives"

    def summary_text(self, value: Any) -> str:
        return str(value.get("heading", ""))


class ReadingTaskValue(CitedValue):
    pass


class ReadingTaskBlock(blocks.StructBlock):
    """'Read this': a paragraph of guidance, recorded as read when opened."""

    answer_kind: ClassVar[str] = AnswerKind.READING

    title = blocks.CharBlock(max_length=200, help_text="For example: Read about quorum.")
    citation_key = citation_key_block(help_text="The guidance paragraph to read.")
    focus = blocks.TextBlock(
        required=False, help_text="What to look out for while reading (optional)."
    )

    class Meta:
        icon = "doc-full-inverse"
        template = "content/blocks/reading_task_block.html"
        preview_template = PREVIEW_TEMPLATE
        value_class = ReadingTaskValue
        preview_value = {
            "title": "Read about the strategy discussion",
            "citation_key": "guidance:procedures-summary:para-24",
            "focus": "Who calls it, who chairs it and what it must decide.",
        }
        description = "A paragraph of the guidance to read; opening it counts as done."
        label = "Read this"

    def structure_signature(self, value: Any) -> str:
        return structure_signature("reading", value.get("citation_key", ""))

    def progress(
        self, value: Any, answer_value: Any, *, attempted: bool = False
    ) -> tuple[int, int]:
        return (1 if answer_value else 0), 1

    def summary_text(self, value: Any) -> str:
        return str(value.get("title", ""))


class DefinitionCardBlock(blocks.StructBlock):
    term = blocks.CharBlock(max_length=120)
    definition = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    examples = blocks.ListBlock(
        blocks.CharBlock(max_length=300, label="Example"),
        min_num=0,
        default=[],
        help_text="Short examples or signs (optional).",
    )
    citation_key = citation_key_block(
        required=False, help_text="Where the definition comes from (optional)."
    )

    class Meta:
        icon = "openquote"
        template = "content/blocks/definition_card_block.html"
        preview_template = PREVIEW_TEMPLATE
        value_class = CitedValue
        preview_value = {
            "term": "Neglect",
            "definition": "<p>A persistent failure to meet a child's basic physical or "
            "emotional needs, likely to seriously harm their health or development.</p>",
            "examples": ["Not enough food, clothing or shelter", "No medical care"],
            "citation_key": "guidance:procedures-summary:para-21",
        }
        description = "A term and its definition, on a card."
        label = "Definition card"

    def summary_text(self, value: Any) -> str:
        return str(value.get("term", ""))


class FreeTextValue(blocks.StructValue):
    @property
    def blank_fields(self) -> list[TextField]:
        return self.block.answer_fields(self, None)


class FreeTextQuestionsBlock(blocks.StructBlock):
    """A block whose answers are one free-text box per question."""

    answer_kind: ClassVar[str] = AnswerKind.TEXT
    questions_field: ClassVar[str] = "questions"
    rows: ClassVar[int] = 5

    def questions(self, value: Any) -> list[tuple[str, str, str]]:
        return [
            (child.id, child.value["prompt"], child.value.get("hint", ""))
            for child in value[self.questions_field].bound_blocks
        ]

    def structure_signature(self, value: Any) -> str:
        return structure_signature(
            self.__class__.__name__, [qid for qid, _, _ in self.questions(value)]
        )

    def answer_fields(
        self,
        value: Any,
        answer_value: Mapping[str, Any] | None,
        errors: Mapping[str, str] | None = None,
    ) -> list[TextField]:
        answers = (answer_value or {}).get("answers", {})
        errors = errors or {}
        return [
            TextField(
                name=f"answer-{qid}",
                label=prompt,
                hint=hint,
                text=answers.get(qid, ""),
                error=errors.get(f"answer-{qid}", ""),
                rows=self.rows,
            )
            for qid, prompt, hint in self.questions(value)
        ]

    def parse_answer(self, value: Any, data: Mapping[str, Any]) -> ParsedAnswer:
        answers: dict[str, str] = {}
        errors: dict[str, str] = {}
        for number, (qid, _prompt, _) in enumerate(self.questions(value), start=1):
            name = f"answer-{qid}"
            text = clean_text(data, name)
            if len(text) > MAX_TEXT_LENGTH:
                errors[name] = text_too_long_message(f"Question {number}", text)
            if text.strip():
                answers[qid] = text
        return ParsedAnswer(value={"answers": answers}, errors=errors)

    def submitted_texts(self, value: Any, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        return [
            (field.label, field.text)
            for field in self.answer_fields(value, self.parse_answer(value, data).value)
            if field.text.strip()
        ]

    def progress(
        self, value: Any, answer_value: Any, *, attempted: bool = False
    ) -> tuple[int, int]:
        answers = (answer_value or {}).get("answers", {})
        questions = self.questions(value)
        return sum(1 for qid, _, _ in questions if answers.get(qid, "").strip()), len(questions)


class AgencyPanelBlock(blocks.StructBlock):
    agency = blocks.CharBlock(max_length=120, help_text="For example: Health visitor.")
    information = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)

    class Meta:
        icon = "group"
        template = "content/blocks/agency_panel_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "agency": "Housing",
            "information": "<p>Neighbours have complained about shouting at the flat.</p>",
        }
        description = "What one agency knows about the family."
        label = "Agency information"


class QuestionBlock(blocks.StructBlock):
    prompt = blocks.CharBlock(max_length=300)
    hint = blocks.CharBlock(max_length=300, required=False)

    class Meta:
        icon = "help"
        template = "content/blocks/question_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {"prompt": "What is working well for the child?", "hint": ""}
        description = "A question answered in the delegate's own words."
        label = "Question"


class ScenarioActivityBlock(FreeTextQuestionsBlock):
    """A case, told agency by agency, and questions about it."""

    title = blocks.CharBlock(max_length=160)
    introduction = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    panels = blocks.ListBlock(AgencyPanelBlock(), min_num=1, label="Information from each agency")
    questions = blocks.ListBlock(QuestionBlock(), min_num=1)

    class Meta:
        icon = "group"
        template = "content/blocks/scenario_activity_block.html"
        preview_template = PREVIEW_TEMPLATE
        value_class = FreeTextValue
        preview_value = {
            "title": "Scenario activity",
            "introduction": "<p>Read what each agency knows, then answer the questions.</p>",
            "panels": [
                {"agency": "School", "information": "<p>The child often arrives hungry.</p>"}
            ],
            "questions": [{"prompt": "What worries you most?", "hint": ""}],
        }
        description = "A case with information from each agency and free-text questions."
        label = "Scenario activity"

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if self.is_deferred_validation:
            return value
        agencies = [str(panel["agency"]).strip().casefold() for panel in value["panels"]]
        if len(set(agencies)) != len(agencies):
            raise list_error("panels", "Give each agency one panel: an agency appears twice.")
        return value

    def summary_text(self, value: Any) -> str:
        return str(value.get("title", ""))


class ReflectionBlock(FreeTextQuestionsBlock):
    questions_field = "prompts"
    rows = 4

    heading = blocks.CharBlock(max_length=120, default="Reflect on your practice")
    prompts = blocks.ListBlock(QuestionBlock(), min_num=1)

    class Meta:
        icon = "edit"
        template = "content/blocks/reflection_block.html"
        preview_template = PREVIEW_TEMPLATE
        value_class = FreeTextValue
        preview_value = {
            "heading": "Reflect on your practice",
            "prompts": [{"prompt": "When did you last share a worry with another agency?"}],
        }
        description = "Prompts for the delegate to think about their own work."
        label = "Reflection prompts"

    def summary_text(self, value: Any) -> str:
        return str(value.get("heading", ""))


def validate_link(value: str) -> None:
    """Accept a site path (``/dashboard/``) or a full http(s) address."""
    if value.startswith("/") and not value.startswith("//"):
        return
    URLValidator(schemes=["http", "https"])(value)


class SignpostBlock(blocks.StructBlock):
    name = blocks.CharBlock(max_length=160)
    detail = blocks.CharBlock(
        max_length=300, required=False, help_text="A phone number, opening hours or a note."
    )
    url = blocks.CharBlock(max_length=300, required=False, validators=[validate_link])

    class Meta:
        icon = "site"
        template = "content/blocks/signpost_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {"name": "Your line manager", "detail": "", "url": ""}
        description = "Somewhere a delegate can go for support."
        label = "Support"


class WellbeingNoticeBlock(blocks.StructBlock):
    heading = blocks.CharBlock(max_length=120, default="Look after yourself")
    message = blocks.RichTextBlock(features=RICH_TEXT_FEATURES)
    signposts = blocks.ListBlock(SignpostBlock(), min_num=1, label="Where to find support")
    step_away_label = blocks.CharBlock(max_length=80, default="Step away for now")
    step_away_url = blocks.CharBlock(
        max_length=300,
        default="/dashboard/",
        validators=[validate_link],
        help_text="Where 'step away' goes. Answers are saved as delegates type.",
    )

    class Meta:
        icon = "warning"
        template = "content/blocks/wellbeing_notice_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {
            "heading": "Look after yourself",
            "message": "<p>This material describes harm to children. Take a break whenever "
            "you need one.</p>",
            "signposts": [{"name": "Your line manager", "detail": "", "url": ""}],
            "step_away_label": "Step away for now",
            "step_away_url": "/dashboard/",
        }
        description = "A notice about difficult content, with support and a way to step away."
        label = "Wellbeing notice"

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if not self.is_deferred_validation and not value.get("step_away_url"):
            raise struct_error("step_away_url", "Give delegates somewhere to step away to.")
        return value

    def summary_text(self, value: Any) -> str:
        return str(value.get("heading", ""))


class WorkbookStreamBlock(ContentStreamBlock):
    """Everything a workbook chapter can contain."""

    learning_objectives = LearningObjectivesBlock()
    reading_task = ReadingTaskBlock()
    definition = DefinitionCardBlock()
    scenario_activity = ScenarioActivityBlock()
    single_choice = SingleChoiceQuizBlock()
    multiple_choice = MultipleChoiceQuizBlock()
    true_false = TrueFalseQuizBlock()
    ordering = OrderingQuizBlock()
    matching = MatchingQuizBlock()
    report_task = ReportTaskBlock()
    reflection = ReflectionBlock()
    wellbeing_notice = WellbeingNoticeBlock()

    class Meta:
        icon = "doc-full"
        description = "The content and tasks of a workbook chapter."
        block_counts = {"report_task": {"max_num": 1}}


def block_summary(block: Any, value: Any) -> str:
    """Return a short text naming a block's content, for citations and lists."""
    summary = getattr(block, "summary_text", None)
    if summary is not None:
        return summary(value)
    if isinstance(value, blocks.StructValue) and "text" in value:
        value = value["text"]
    source = getattr(value, "source", value)
    return " ".join(strip_tags(str(source)).split())


def answerable(block: Any) -> bool:
    return getattr(block, "answer_kind", None) is not None


__all__ = [
    "AgencyPanelBlock",
    "DefinitionCardBlock",
    "LearningObjectivesBlock",
    "ReadingTaskBlock",
    "ReflectionBlock",
    "ScenarioActivityBlock",
    "SignpostBlock",
    "WellbeingNoticeBlock",
    "WorkbookStreamBlock",
    "answerable",
    "block_summary",
]
