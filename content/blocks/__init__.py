"""StreamField blocks: the shared content stream and the workbook's blocks."""

from __future__ import annotations

from content.blocks.answers import (
    MAX_TEXT_LENGTH,
    AnswerKind,
    OutcomeItem,
    ParsedAnswer,
    QuizOutcome,
    TextField,
)
from content.blocks.base import ContentStreamBlock, HeadingBlock, InsetTextBlock
from content.blocks.quiz import (
    BaseQuizBlock,
    MatchingQuizBlock,
    MultipleChoiceQuizBlock,
    OrderingQuizBlock,
    SingleChoiceQuizBlock,
    TrueFalseQuizBlock,
)
from content.blocks.report import REPORT_SECTIONS, ReportTaskBlock
from content.blocks.workbook import (
    DefinitionCardBlock,
    LearningObjectivesBlock,
    ReadingTaskBlock,
    ReflectionBlock,
    ScenarioActivityBlock,
    WellbeingNoticeBlock,
    WorkbookStreamBlock,
    answerable,
    block_summary,
)

__all__ = [
    "MAX_TEXT_LENGTH",
    "REPORT_SECTIONS",
    "AnswerKind",
    "BaseQuizBlock",
    "ContentStreamBlock",
    "DefinitionCardBlock",
    "HeadingBlock",
    "InsetTextBlock",
    "LearningObjectivesBlock",
    "MatchingQuizBlock",
    "MultipleChoiceQuizBlock",
    "OrderingQuizBlock",
    "OutcomeItem",
    "ParsedAnswer",
    "QuizOutcome",
    "ReadingTaskBlock",
    "ReflectionBlock",
    "ReportTaskBlock",
    "ScenarioActivityBlock",
    "SingleChoiceQuizBlock",
    "TextField",
    "TrueFalseQuizBlock",
    "WellbeingNoticeBlock",
    "WorkbookStreamBlock",
    "answerable",
    "block_summary",
]
