"""The conference-report task: the multi-agency report template, in order.

``REPORT_SECTIONS`` is the template every agency other than Children's Social
Care fills in for a child protection conference, section by section and field
by field, in the order the template sets out (procedures-reference 5.2). The
block lets an editor add guidance to each section; it refuses a task that
leaves out a section, because a delegate practising on half a template would
learn the wrong form.

Statements in the worries and observations sections are tagged as fact,
observation, allegation or opinion, and can be marked second-hand with their
source, because the report guidance asks writers to make that distinction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from wagtail import blocks

from content.blocks.answers import (
    MAX_TEXT_LENGTH,
    AnswerKind,
    ParsedAnswer,
    clean_text,
    html_attrs,
    structure_signature,
    text_too_long_message,
)
from content.blocks.base import PREVIEW_TEMPLATE, list_error

REPORT_TEMPLATE_VERSION = "2024-spb-1"
MAX_ROWS = 20
MAX_STATEMENTS = 60

YES_NO = (("yes", "Yes"), ("no", "No"))
YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("not-known", "Not known"))
GENDER = (("m", "M"), ("f", "F"), ("not-stated", "Not stated"))
THRESHOLD = (
    ("met", "Met: a child protection plan is needed"),
    ("not-met", "Not met"),
    ("unsure", "I am not sure yet"),
)
CATEGORIES = (
    ("physical", "Physical abuse"),
    ("emotional", "Emotional abuse"),
    ("sexual", "Sexual abuse"),
    ("neglect", "Neglect"),
)
PRIMARY_CATEGORY = (*CATEGORIES, ("none", "None: I do not think the threshold is met"))
STATEMENT_TAGS = (
    ("fact", "Fact"),
    ("observation", "Observation"),
    ("allegation", "Allegation"),
    ("opinion", "Opinion"),
)
TAG_LABELS = dict(STATEMENT_TAGS)


@dataclass(frozen=True, slots=True)
class ReportField:
    key: str
    label: str
    kind: str = "text"  # text, textarea, date, radios, checkboxes, select
    hint: str = ""
    choices: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class ReportTable:
    """A repeating group, such as the children living in the home."""

    key: str
    label: str
    row_label: str
    columns: tuple[ReportField, ...]


@dataclass(frozen=True, slots=True)
class ReportSection:
    key: str
    title: str
    hint: str = ""
    fields: tuple[ReportField, ...] = ()
    tables: tuple[ReportTable, ...] = ()
    statements: bool = False
    required: bool = True


def _person_columns(*extra: ReportField) -> tuple[ReportField, ...]:
    return (ReportField("name", "Name"), *extra)


REPORT_SECTIONS: tuple[ReportSection, ...] = (
    ReportSection(
        "about",
        "About you and the conference",
        fields=(
            ReportField("agency", "Agency"),
            ReportField("name", "Name"),
            ReportField("job_title", "Job title"),
            ReportField("contact_details", "Contact details"),
            ReportField("conference_date", "Date of conference", "date"),
            ReportField("attending", "Will you be attending?", "radios", choices=YES_NO),
            ReportField(
                "attending_instead",
                "If not, who will attend on your behalf?",
                hint="Send a well-briefed colleague who can speak to this report.",
            ),
        ),
    ),
    ReportSection(
        "sharing",
        "Sharing this report",
        hint="Share the report with the parents and the young person before the deadline.",
        fields=(
            ReportField("shared_with_parents", "Date report shared with parent(s)", "date"),
            ReportField(
                "shared_with_young_person", "Date report shared with the young person(s)", "date"
            ),
            ReportField(
                "not_shared_reason",
                "If it was not shared, why not?",
                "textarea",
                hint="Needed when either date above is empty.",
            ),
        ),
    ),
    ReportSection(
        "family",
        "Family composition and details",
        hint="Include everyone living in the family home.",
        tables=(
            ReportTable(
                "children",
                "Child or children the conference is about",
                "Child",
                _person_columns(
                    ReportField("dob", "Date of birth", "date"),
                    ReportField("gender", "Gender", "select", choices=GENDER),
                    ReportField("communication_needs", "Communication needs"),
                ),
            ),
            ReportTable(
                "siblings",
                "Siblings",
                "Sibling",
                _person_columns(
                    ReportField("dob", "Date of birth", "date"),
                    ReportField("gender", "Gender", "select", choices=GENDER),
                    ReportField("communication_needs", "Communication needs"),
                ),
            ),
            ReportTable(
                "carers",
                "Parents and carers",
                "Parent or carer",
                _person_columns(
                    ReportField("relationship", "Relationship to the child"),
                    ReportField(
                        "parental_responsibility",
                        "Parental responsibility?",
                        "select",
                        choices=YES_NO_UNKNOWN,
                    ),
                    ReportField("communication_needs", "Communication needs"),
                ),
            ),
        ),
        fields=(
            ReportField("address", "Family address, including postcode", "textarea"),
            ReportField("phone", "Phone number(s)"),
        ),
    ),
    ReportSection(
        "significant_others",
        "Significant others not living in the family home",
        tables=(
            ReportTable(
                "significant_others",
                "Significant others",
                "Person",
                _person_columns(
                    ReportField("dob", "Date of birth", "date"),
                    ReportField("relationship", "Relationship"),
                    ReportField(
                        "known_to_services",
                        "Previously known to Children's Services?",
                        "select",
                        choices=YES_NO_UNKNOWN,
                    ),
                ),
            ),
        ),
    ),
    ReportSection(
        "worries",
        "What are we worried about?",
        hint="Current harm, current risks or concerns, and how each one affects the child.",
        statements=True,
    ),
    ReportSection(
        "working_well",
        "What's working well?",
        hint="Strengths and protective factors: what is working now and what has worked before.",
        fields=(ReportField("text", "What's working well", "textarea"),),
    ),
    ReportSection(
        "complicating_factors",
        "Complicating factors",
        hint="What makes life and parenting harder for this family?",
        fields=(ReportField("text", "Complicating factors", "textarea"),),
    ),
    ReportSection(
        "child_views",
        "Views of the child or children: direct work",
        hint="What has the child told you about their daily life?",
        fields=(ReportField("text", "Views of the child", "textarea"),),
    ),
    ReportSection(
        "observations",
        "Observations of the child or children",
        hint="What you have seen and heard yourself, described without interpretation.",
        statements=True,
    ),
    ReportSection(
        "network_views",
        "Views of the parents, network and significant others",
        fields=(ReportField("text", "Views of the parents and network", "textarea"),),
    ),
    ReportSection(
        "next_steps",
        "What needs to happen and next steps",
        hint="How can the worries and the risk of harm be reduced? Say exactly what you "
        "would need to see to be satisfied the child is safe enough.",
        fields=(ReportField("text", "What needs to happen", "textarea"),),
    ),
    ReportSection(
        "views",
        "Your views",
        fields=(
            ReportField(
                "trajectory",
                "Your view on child protection planning and the timescale for change",
                "textarea",
            ),
            ReportField(
                "threshold",
                "Has the threshold been met for a child protection plan?",
                "radios",
                choices=THRESHOLD,
            ),
            ReportField("threshold_reason", "Why do you think so?", "textarea"),
            ReportField(
                "category",
                "Which category of harm is the child most at risk of?",
                "radios",
                choices=PRIMARY_CATEGORY,
            ),
            ReportField(
                "other_categories",
                "Any other categories that also apply",
                "checkboxes",
                choices=CATEGORIES,
            ),
            ReportField("service_support", "How can your service support?", "textarea"),
        ),
    ),
    ReportSection(
        "sign_off",
        "Report completed by",
        fields=(
            ReportField("name", "Name"),
            ReportField("designation", "Designation"),
            ReportField("signature", "Signature", hint="Type your name."),
            ReportField("date", "Date", "date"),
        ),
    ),
)
SECTIONS_BY_KEY = {section.key: section for section in REPORT_SECTIONS}
REQUIRED_SECTIONS = tuple(section.key for section in REPORT_SECTIONS if section.required)


# View models for the template -------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChoiceItem:
    """One radio, checkbox or select option of a report field."""

    value: str
    label: str
    selected: bool
    id: str
    attrs: str = ""  # for <input>: escaped, ready to render
    option_attrs: str = ""  # for <option>


@dataclass(slots=True)
class FieldView:
    name: str
    label: str
    kind: str
    hint: str = ""
    value: Any = ""
    error: str = ""
    choices: list[tuple[str, str, bool]] = field(default_factory=list)
    disabled: bool = False

    @property
    def id(self) -> str:
        return f"{self.name}-input"

    # Presentation decided here, once, rather than by conditions in the
    # template, which renders a hundred of these per report.
    @property
    def is_group(self) -> bool:
        return self.kind in {"radios", "checkboxes"}

    @property
    def group_class(self) -> str:
        if self.kind == "radios":
            inline = " govuk-radios--inline" if len(self.choices) <= 2 else ""
            return f"govuk-radios govuk-radios--small{inline}"
        return "govuk-checkboxes govuk-checkboxes--small"

    @property
    def control(self) -> str:
        """The GOV.UK class stem for the control: radios or checkboxes."""
        return "govuk-radios" if self.kind == "radios" else "govuk-checkboxes"

    @property
    def input_type(self) -> str:
        return {"radios": "radio", "checkboxes": "checkbox", "date": "date"}.get(self.kind, "text")

    @property
    def input_class(self) -> str:
        width = " govuk-input--width-10" if self.kind == "date" else ""
        error = " govuk-input--error" if self.error else ""
        return f"govuk-input{width}{error}"

    @property
    def describedby(self) -> str:
        ids = [f"{self.name}-hint"] if self.hint else []
        if self.error:
            ids.append(f"{self.name}-error")
        return " ".join(ids)

    @property
    def attrs(self) -> str:
        """The control's attributes, escaped: ``<input{{ field.attrs }}>``.

        Built in Python, as Django's widgets build theirs, because a report
        renders about a hundred controls and each template condition costs.
        """
        attrs: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.kind == "textarea":
            error = " govuk-textarea--error" if self.error else ""
            attrs |= {"class": f"govuk-textarea{error}", "rows": "5", "spellcheck": "true"}
        elif self.kind == "select":
            attrs["class"] = "govuk-select"
        else:
            attrs |= {"class": self.input_class, "type": self.input_type, "value": self.value}
        attrs["aria-describedby"] = self.describedby or None
        attrs["disabled"] = self.disabled
        return html_attrs(attrs)

    @property
    def items(self) -> list[ChoiceItem]:
        items = []
        for index, (value, label, selected) in enumerate(self.choices):
            item_id = self.id if index == 0 else f"{self.name}-{value}"
            attrs = {
                "class": f"{self.control}__input",
                "id": item_id,
                "name": self.name,
                "type": self.input_type,
                "value": value,
                "checked": selected,
                "disabled": self.disabled,
            }
            items.append(
                ChoiceItem(
                    value,
                    label,
                    selected,
                    item_id,
                    attrs=html_attrs(attrs),
                    option_attrs=html_attrs({"value": value, "selected": selected}),
                )
            )
        return items

    @property
    def display(self) -> str:
        """The answer as text: choice labels rather than their codes."""
        if self.choices:
            return ", ".join(label for _, label, selected in self.choices if selected)
        return str(self.value or "")


@dataclass(slots=True)
class RowView:
    index: int
    label: str
    fields: list[FieldView]
    remove_action: str


@dataclass(slots=True)
class TableView:
    key: str
    label: str
    row_label: str
    columns: list[str]
    rows: list[RowView]
    add_action: str
    count_name: str
    can_add: bool


@dataclass(slots=True)
class StatementView:
    index: int
    prefix: str
    text: str
    tag: str
    second_hand: bool
    source: str
    error: str = ""
    tags: list[tuple[str, str, bool]] = field(default_factory=list)
    disabled: bool = False

    @property
    def base(self) -> str:
        """The prefix of this statement's form field names."""
        return f"{self.prefix}-{self.index}"

    @property
    def text_attrs(self) -> str:
        error = " govuk-textarea--error" if self.error else ""
        return html_attrs(
            {
                "class": f"govuk-textarea{error}",
                "id": f"{self.base}-text-input",
                "name": f"{self.base}-text",
                "rows": "3",
                "spellcheck": "true",
                "aria-describedby": f"{self.base}-text-error" if self.error else None,
                "disabled": self.disabled,
            }
        )

    @property
    def tag_items(self) -> list[ChoiceItem]:
        return [
            ChoiceItem(
                tag,
                label,
                selected,
                f"{self.base}-tag-{tag}",
                attrs=html_attrs(
                    {
                        "class": "govuk-radios__input",
                        "id": f"{self.base}-tag-{tag}",
                        "name": f"{self.base}-tag",
                        "type": "radio",
                        "value": tag,
                        "checked": selected,
                        "disabled": self.disabled,
                    }
                ),
            )
            for tag, label, selected in self.tags
        ]

    @property
    def second_hand_attrs(self) -> str:
        return html_attrs(
            {
                "class": "govuk-checkboxes__input",
                "id": f"{self.base}-second_hand",
                "name": f"{self.base}-second_hand",
                "type": "checkbox",
                "value": "on",
                "checked": self.second_hand,
                "disabled": self.disabled,
            }
        )

    @property
    def source_attrs(self) -> str:
        return html_attrs(
            {
                "class": "govuk-input",
                "id": f"{self.base}-source-input",
                "name": f"{self.base}-source",
                "type": "text",
                "value": self.source,
                "disabled": self.disabled,
            }
        )

    @property
    def number(self) -> int:
        return self.index + 1

    @property
    def tag_label(self) -> str:
        return TAG_LABELS.get(self.tag, "")

    @property
    def remove_action(self) -> str:
        return f"remove:{self.prefix}:{self.index}"


@dataclass(slots=True)
class SectionView:
    key: str
    number: int
    title: str
    hint: str
    guidance: str
    fields: list[FieldView]
    tables: list[TableView]
    statements: list[StatementView] | None
    statements_prefix: str = ""
    statements_count_name: str = ""
    add_statement_action: str = ""
    has_content: bool = False


def _field_name(section: ReportSection, report_field: ReportField) -> str:
    return f"f-{section.key}-{report_field.key}"


def _empty_report() -> dict[str, Any]:
    return {"fields": {}, "tables": {}, "statements": {}}


def _statement_prefix(section: ReportSection) -> str:
    return f"s-{section.key}"


def _table_prefix(table: ReportTable) -> str:
    return f"t-{table.key}"


def _count(data: Mapping[str, Any], name: str, limit: int) -> int:
    try:
        return max(0, min(int(data.get(name, 0)), limit))
    except (TypeError, ValueError):
        return 0


def _getlist(data: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(data, "getlist", None)
    raw = getlist(name) if getlist else data.get(name, [])
    return [raw] if isinstance(raw, str) else list(raw)


def _choice_value(report_field: ReportField, data: Mapping[str, Any], name: str) -> Any:
    allowed = {value for value, _ in report_field.choices}
    if report_field.kind == "checkboxes":
        return [value for value in _getlist(data, name) if value in allowed]
    value = data.get(name, "")
    return value if value in allowed else ""


class ReportSectionChoiceBlock(blocks.StructBlock):
    section = blocks.ChoiceBlock(
        choices=[(section.key, section.title) for section in REPORT_SECTIONS]
    )
    guidance = blocks.TextBlock(
        required=False,
        help_text="Optional help for delegates on this section of the template.",
    )

    class Meta:
        icon = "form"
        template = "content/blocks/report_section_block.html"
        preview_template = PREVIEW_TEMPLATE
        preview_value = {"section": "worries", "guidance": "One concern per statement."}
        description = "A section of the multi-agency report template, with guidance."
        label = "Report section"


class ReportTaskValue(blocks.StructValue):
    @property
    def blank_sections(self) -> list[SectionView]:
        return self.block.section_views(self, None, disabled=True)


class ReportTaskBlock(blocks.StructBlock):
    """The multi-agency report for a child protection conference, as a task."""

    answer_kind: ClassVar[str] = AnswerKind.REPORT

    title = blocks.CharBlock(max_length=160, default="Write your conference report")
    instructions = blocks.RichTextBlock(
        features=["bold", "italic", "link", "ol", "ul"],
        help_text="Which case, which agency the delegate writes for, and what to focus on.",
    )
    sections = blocks.ListBlock(
        ReportSectionChoiceBlock(),
        default=[{"section": section.key, "guidance": ""} for section in REPORT_SECTIONS],
        help_text="Every section of the template must be present; they are shown in the "
        "template's order.",
    )

    class Meta:
        icon = "form"
        template = "content/blocks/report_task_block.html"
        preview_template = PREVIEW_TEMPLATE
        value_class = ReportTaskValue
        label = "Conference report task"
        description = "The multi-agency report template for a conference, with tagged statements."
        preview_value = {
            "title": "Write your conference report",
            "instructions": "<p>Write the report your agency would send for Jayden's "
            "initial conference.</p>",
            "sections": [{"section": section.key, "guidance": ""} for section in REPORT_SECTIONS],
        }

    # Structure -------------------------------------------------------------

    def included_sections(self, value: Any) -> list[tuple[ReportSection, str]]:
        guidance = {}
        for item in value["sections"]:
            key = item["section"]
            if key in SECTIONS_BY_KEY:
                guidance.setdefault(key, item["guidance"])
        return [
            (section, guidance[section.key])
            for section in REPORT_SECTIONS
            if section.key in guidance
        ]

    def structure_signature(self, value: Any) -> str:
        return structure_signature(
            "report",
            REPORT_TEMPLATE_VERSION,
            [section.key for section, _ in self.included_sections(value)],
        )

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        if self.is_deferred_validation:
            return value
        keys = [item["section"] for item in value["sections"]]
        repeated = {
            index: ("section", "This section is already in the report.")
            for index, key in enumerate(keys)
            if key in keys[:index]
        }
        if repeated:
            raise list_error(
                "sections", "Each section of the template can appear once.", items=repeated
            )
        missing = [SECTIONS_BY_KEY[key].title for key in REQUIRED_SECTIONS if key not in keys]
        if missing:
            raise list_error(
                "sections",
                "The report template is incomplete. Add the missing section"
                f"{'s' if len(missing) > 1 else ''}: {'; '.join(missing)}.",
            )
        return value

    # Answers ---------------------------------------------------------------

    def parse_answer(self, value: Any, data: Mapping[str, Any]) -> ParsedAnswer:
        """Turn the submitted report form into a JSON value.

        Empty rows and statements are dropped; an ``action`` of
        ``add:<prefix>`` or ``remove:<prefix>:<index>`` is applied by the
        caller through :meth:`apply_action`.
        """
        report = _empty_report()
        errors: dict[str, str] = {}

        def text(name: str, label: str) -> str:
            content = clean_text(data, name)
            if len(content) > MAX_TEXT_LENGTH:
                errors[name] = text_too_long_message(label, content)
            return content

        for section, _ in self.included_sections(value):
            for report_field in section.fields:
                name = _field_name(section, report_field)
                if report_field.choices:
                    content = _choice_value(report_field, data, name)
                else:
                    content = text(name, report_field.label)
                if content:
                    report["fields"][f"{section.key}.{report_field.key}"] = content
            for table in section.tables:
                prefix = _table_prefix(table)
                rows = []
                for index in range(_count(data, f"{prefix}-count", MAX_ROWS)):
                    row = {}
                    for column in table.columns:
                        name = f"{prefix}-{index}-{column.key}"
                        if column.choices:
                            content = _choice_value(column, data, name)
                        else:
                            content = text(name, f"{table.row_label} {index + 1}, {column.label}")
                        if content:
                            row[column.key] = content
                    rows.append(row)
                report["tables"][table.key] = rows
            if section.statements:
                prefix = _statement_prefix(section)
                statements = []
                for index in range(_count(data, f"{prefix}-count", MAX_STATEMENTS)):
                    base = f"{prefix}-{index}"
                    tag = data.get(f"{base}-tag", "")
                    statement = {
                        "text": text(f"{base}-text", f"{section.title} statement {index + 1}"),
                        "tag": tag if tag in TAG_LABELS else "",
                        "second_hand": data.get(f"{base}-second_hand") in {"on", "1", "true"},
                        "source": text(f"{base}-source", f"Statement {index + 1} source"),
                    }
                    statements.append(statement)
                report["statements"][section.key] = statements
        return ParsedAnswer(value=report, errors=errors)

    @staticmethod
    def compact(report: dict[str, Any]) -> dict[str, Any]:
        """Drop empty rows and statements, so saving a blank row changes nothing."""
        compacted = _empty_report()
        compacted["fields"] = dict(report.get("fields", {}))
        compacted["tables"] = {
            key: [row for row in rows if any(row.values())]
            for key, rows in report.get("tables", {}).items()
        }
        compacted["statements"] = {
            key: [
                item
                for item in items
                if item.get("text", "").strip() or item.get("source", "").strip()
            ]
            for key, items in report.get("statements", {}).items()
        }
        return compacted

    @staticmethod
    def apply_action(report: dict[str, Any], action: str) -> dict[str, Any]:
        """Add a blank row or statement, or remove one, as the form asked."""
        parts = action.split(":")
        kind = parts[0] if parts else ""
        if kind not in {"add", "remove"} or len(parts) < 2:
            return report
        prefix = parts[1]
        group = "tables" if prefix.startswith("t-") else "statements"
        key = prefix[2:]
        items = report.setdefault(group, {}).setdefault(key, [])
        if kind == "add":
            limit = MAX_ROWS if group == "tables" else MAX_STATEMENTS
            if len(items) < limit:
                items.append({} if group == "tables" else {"text": "", "tag": ""})
        elif len(parts) == 3 and parts[2].isdigit() and int(parts[2]) < len(items):
            items.pop(int(parts[2]))
        return report

    def progress(
        self, value: Any, answer_value: Any, *, attempted: bool = False
    ) -> tuple[int, int]:
        sections = self.included_sections(value)
        done = sum(
            1 for section, _ in sections if _section_has_content(section, answer_value or {})
        )
        return done, len(sections)

    def summary_text(self, value: Any) -> str:
        return str(value.get("title", ""))

    # Presentation ----------------------------------------------------------

    def section_views(
        self,
        value: Any,
        answer_value: Mapping[str, Any] | None,
        errors: Mapping[str, str] | None = None,
        *,
        blank_rows: bool = True,
        disabled: bool = False,
    ) -> list[SectionView]:
        """Return the report as sections of fields, rows and statements.

        With ``blank_rows``, every table and statement list ends with one
        empty row, so there is always somewhere to type; ``disabled`` shows
        the controls greyed out (for previews).
        """
        report = answer_value or _empty_report()
        errors = errors or {}
        views = []
        for number, (section, guidance) in enumerate(self.included_sections(value), start=1):
            fields = [
                _field_view(
                    _field_name(section, f),
                    f,
                    report.get("fields", {}).get(f"{section.key}.{f.key}", ""),
                    errors,
                    disabled,
                )
                for f in section.fields
            ]
            tables = []
            for table in section.tables:
                prefix = _table_prefix(table)
                rows_data = list(report.get("tables", {}).get(table.key, []))
                if blank_rows and (not rows_data or any(rows_data[-1].values())):
                    rows_data.append({})
                rows = [
                    RowView(
                        index=index,
                        label=f"{table.row_label} {index + 1}",
                        fields=[
                            _field_view(
                                f"{prefix}-{index}-{column.key}",
                                column,
                                row.get(column.key, ""),
                                errors,
                                disabled,
                            )
                            for column in table.columns
                        ],
                        remove_action=f"remove:{prefix}:{index}",
                    )
                    for index, row in enumerate(rows_data)
                ]
                tables.append(
                    TableView(
                        key=table.key,
                        label=table.label,
                        row_label=table.row_label,
                        columns=[column.label for column in table.columns],
                        rows=rows,
                        add_action=f"add:{prefix}",
                        count_name=f"{prefix}-count",
                        can_add=len(rows_data) < MAX_ROWS,
                    )
                )
            statements = None
            prefix = _statement_prefix(section)
            if section.statements:
                items = list(report.get("statements", {}).get(section.key, []))
                if blank_rows and (not items or items[-1].get("text", "").strip()):
                    items.append({"text": "", "tag": ""})
                statements = [
                    StatementView(
                        index=index,
                        prefix=prefix,
                        text=item.get("text", ""),
                        tag=item.get("tag", ""),
                        second_hand=bool(item.get("second_hand")),
                        source=item.get("source", ""),
                        error=errors.get(f"{prefix}-{index}-text", "")
                        or errors.get(f"{prefix}-{index}-source", ""),
                        tags=[
                            (tag, label, tag == item.get("tag", ""))
                            for tag, label in STATEMENT_TAGS
                        ],
                        disabled=disabled,
                    )
                    for index, item in enumerate(items)
                ]
            views.append(
                SectionView(
                    key=section.key,
                    number=number,
                    title=section.title,
                    hint=section.hint,
                    guidance=guidance,
                    fields=fields,
                    tables=tables,
                    statements=statements,
                    statements_prefix=prefix,
                    statements_count_name=f"{prefix}-count",
                    add_statement_action=f"add:{prefix}",
                    has_content=_section_has_content(section, report),
                )
            )
        return views

    def submitted_texts(self, value: Any, data: Mapping[str, Any]) -> list[tuple[str, str]]:
        """Return (label, text) for every non-empty text the delegate sent."""
        parsed = self.parse_answer(value, data).value
        texts: list[tuple[str, str]] = []
        for section, _ in self.included_sections(value):
            for f in section.fields:
                content = parsed["fields"].get(f"{section.key}.{f.key}")
                if isinstance(content, str) and content.strip() and not f.choices:
                    texts.append((f"{section.title}: {f.label}", content))
            for index, item in enumerate(parsed["statements"].get(section.key, []), start=1):
                if item["text"].strip():
                    texts.append((f"{section.title}: statement {index}", item["text"]))
        return texts


def _field_view(
    name: str,
    report_field: ReportField,
    content: Any,
    errors: Mapping[str, str],
    disabled: bool = False,
) -> FieldView:
    if report_field.kind == "checkboxes":
        chosen = set(content or [])
        choices = [(v, label, v in chosen) for v, label in report_field.choices]
    else:
        choices = [(v, label, v == content) for v, label in report_field.choices]
    return FieldView(
        name=name,
        label=report_field.label,
        kind=report_field.kind,
        hint=report_field.hint,
        value=content,
        error=errors.get(name, ""),
        choices=choices,
        disabled=disabled,
    )


def _section_has_content(section: ReportSection, report: Mapping[str, Any]) -> bool:
    fields = report.get("fields", {})
    if any(fields.get(f"{section.key}.{f.key}") for f in section.fields):
        return True
    if any(
        any(row.values())
        for table in section.tables
        for row in report.get("tables", {}).get(table.key, [])
    ):
        return True
    return any(
        item.get("text", "").strip() for item in report.get("statements", {}).get(section.key, [])
    )
