"""What delegates have done in a workbook: answers, quiz attempts, progress.

Everything is keyed by the person, the chapter page and the block's stable
StreamField id, never by anything a browser sends about whose answer it is.
Timestamps are kept so that competency records can cite this work as
evidence (when it was written, when it was submitted).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import InlinePanel


class AnswerKind(models.TextChoices):
    TEXT = "text", "Written answers"
    REPORT = "report", "Conference report draft"
    READING = "reading", "Reading task"


class WorkbookAnswer(models.Model):
    """A delegate's current answer to one block: text, a report or a reading.

    ``revision`` goes up by one each time the answer changes; a form carries
    the revision it was opened with, so a save from an older tab or device is
    recognised instead of overwriting newer work. ``structure`` is the
    block's shape (its questions, or the report's sections) when the answer
    was last written.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="workbook_answers"
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    block_id = models.CharField(max_length=64)
    kind = models.CharField(max_length=16, choices=AnswerKind.choices)
    value = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=1)
    structure = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "page", "block_id"], name="workbook_answer_one_per_block"
            )
        ]
        indexes = [models.Index(fields=["user", "page"], name="workbook_answer_user_page")]

    def __str__(self) -> str:
        return f"{self.user_id} · page {self.page_id} · {self.block_id} (r{self.revision})"


class QuizAttempt(models.Model):
    """One checked answer to a quiz question; every attempt is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiz_attempts"
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    block_id = models.CharField(max_length=64)
    response = models.JSONField(default=dict)
    is_correct = models.BooleanField()
    score = models.PositiveSmallIntegerField()
    out_of = models.PositiveSmallIntegerField()
    structure = models.CharField(max_length=32, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(
                fields=["user", "page", "block_id", "-created_at"], name="quiz_attempt_latest"
            )
        ]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} · page {self.page_id} · {self.block_id}: {self.score}/{self.out_of}"


class ChapterProgress(models.Model):
    """Where a delegate is in a chapter: last visit, last block, submission."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="chapter_progress"
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    workbook = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    last_block_id = models.CharField(max_length=64, blank=True)
    first_visited_at = models.DateTimeField(default=timezone.now)
    last_visited_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "page"], name="chapter_progress_one_per_page")
        ]
        indexes = [
            models.Index(
                fields=["user", "workbook", "-last_visited_at"], name="chapter_progress_resume"
            )
        ]
        verbose_name_plural = "chapter progress"

    def __str__(self) -> str:
        return f"{self.user_id} · chapter {self.page_id}"


# Report marking ---------------------------------------------------------------
#
# A delegate who submits the chapter holding the conference-report task hands
# their report in: a ReportSubmission keeps a copy of it as it was then, with
# the automatic findings. A trainer marks it against a rubric (criteria cite
# paragraphs; every criterion shares the rubric's levels), a second trainer
# may moderate, and the mark is released to the delegate. Every step is
# logged with who did it and when; once released, nothing changes.


class MarkingRubric(models.Model):
    """A set of criteria for marking conference reports, with shared levels."""

    slug = models.SlugField(max_length=64, unique=True)
    title = models.CharField(max_length=160)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="marking_rubric_one_default",
            )
        ]

    def __str__(self) -> str:
        return self.title


class RubricCriterion(models.Model):
    """One thing a marker judges, and the paragraphs it rests on."""

    rubric = models.ForeignKey(MarkingRubric, on_delete=models.CASCADE, related_name="criteria")
    order = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=160)
    description = models.TextField()
    citation_keys = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["rubric", "order"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "order"], name="rubric_criterion_order")
        ]
        verbose_name_plural = "rubric criteria"

    def __str__(self) -> str:
        return self.title


class RubricLevel(models.Model):
    """One level a criterion can be judged at, worth ``points``."""

    rubric = models.ForeignKey(MarkingRubric, on_delete=models.CASCADE, related_name="levels")
    order = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=60)
    descriptor = models.CharField(max_length=300)
    points = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["rubric", "order"]
        constraints = [
            models.UniqueConstraint(fields=["rubric", "order"], name="rubric_level_order")
        ]

    def __str__(self) -> str:
        return self.label


class MarkingStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting marking"
    DRAFT = "draft", "Draft mark"
    MARKED = "marked", "Marked, awaiting release"
    RELEASED = "released", "Released"


class Moderation(models.TextChoices):
    AGREED = "agreed", "Agreed"
    CHANGED = "changed", "Changed"


class ReportSubmission(models.Model):
    """A delegate's conference report as handed in, with its checks and mark.

    ``report`` is a copy of the answer when the chapter was submitted, so a
    later edit to the workbook does not change what was marked.
    ``findings`` are the automatic checks (the engine's findings as JSON).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_submissions"
    )
    page = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    workbook = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    block_id = models.CharField(max_length=64)
    report = models.JSONField(default=dict)
    findings = models.JSONField(default=list)
    rule_set_version = models.CharField(max_length=32)
    scenario_slug = models.SlugField(max_length=100, blank=True)
    submitted_at = models.DateTimeField(default=timezone.now)
    rubric = models.ForeignKey(MarkingRubric, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=16, choices=MarkingStatus.choices, default=MarkingStatus.AWAITING
    )
    overall_comment = models.TextField(blank=True)
    marker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    marked_at = models.DateTimeField(null=True, blank=True)
    moderator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    moderation = models.CharField(max_length=16, choices=Moderation.choices, blank=True)
    moderation_reason = models.TextField(blank=True)
    moderated_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="report_submission_queue"),
            models.Index(fields=["user", "workbook"], name="report_submission_user"),
        ]
        ordering = ["submitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.user_id} · page {self.page_id} · {self.block_id} ({self.status})"


class CriterionMark(models.Model):
    """The level and comment a marker gave one criterion."""

    submission = models.ForeignKey(
        ReportSubmission, on_delete=models.CASCADE, related_name="criterion_marks"
    )
    criterion = models.ForeignKey(RubricCriterion, on_delete=models.PROTECT, related_name="+")
    level = models.ForeignKey(RubricLevel, on_delete=models.PROTECT, related_name="+")
    comment = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "criterion"], name="criterion_mark_one_per_criterion"
            )
        ]
        ordering = ["criterion__order"]

    def __str__(self) -> str:
        return f"{self.submission_id} · {self.criterion_id}: {self.level_id}"


class MarkingLogEntry(models.Model):
    """Who did what to a mark, and when: the audit trail of marking."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", "Submitted by the delegate"
        DRAFT_SAVED = "draft_saved", "Draft saved"
        MARKED = "marked", "Marked"
        MODERATED = "moderated", "Moderated"
        RELEASED = "released", "Released to the delegate"

    submission = models.ForeignKey(
        ReportSubmission, on_delete=models.CASCADE, related_name="log_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    note = models.TextField(blank=True)
    marks = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = "marking log entries"

    def __str__(self) -> str:
        return f"{self.submission_id} · {self.action} at {self.at:%Y-%m-%d %H:%M}"


# ---------------------------------------------------------------------------
# Competency framework, evidence, audit and certificates
# ---------------------------------------------------------------------------


class CompetencyKind(models.TextChoices):
    OUTCOME = "outcome", "Level 3 outcome"
    OBJECTIVE = "objective", "Workbook learning objective"


class EvidenceKind(models.TextChoices):
    WORKBOOK_CHAPTER = "workbook_chapter", "Workbook chapter completed"
    QUIZ_PASSED = "quiz_passed", "Quiz passed"
    REPORT_MARKED = "report_marked", "Conference report marked"
    SEMINAR_ATTENDED = "seminar_attended", "Seminar attended"
    CONFERENCE_PLAYED = "conference_played", "Mock conference played"
    SIGN_OFF = "sign_off", "Signed off by a trainer or manager"
    EXTERNAL_TRAINING = "external_training", "External training"


class MappingSource(models.TextChoices):
    WORKBOOK_CHAPTER = "workbook_chapter", "Workbook chapter (page id)"
    QUIZ = "quiz", "Quiz question (page id:block id)"
    REPORT_TASK = "report_task", "Report task (page id:block id)"
    SEMINAR = "seminar", "Seminar (cohort, or * for every seminar)"
    CONFERENCE_RULE = "conference_rule", "Conference scoring rule (rule id)"


def default_required_kinds() -> list[str]:
    return [EvidenceKind.WORKBOOK_CHAPTER.value, EvidenceKind.SIGN_OFF.value]


class Competency(ClusterableModel):
    """One thing a practitioner must be able to do, with the evidence it needs.

    Outcomes are the safeguarding level 3 outcomes; objectives are the
    workbook's learning objectives, each serving an outcome (``parent``).
    ``required_kinds`` lists the evidence kinds that, together and recent
    enough, make a person competent (see ``assessments.rules``).
    """

    code = models.SlugField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    kind = models.CharField(
        max_length=16, choices=CompetencyKind.choices, default=CompetencyKind.OUTCOME
    )
    level = models.PositiveSmallIntegerField(
        default=3, help_text="Safeguarding training level (1 to 4)."
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="objectives",
        help_text="For a learning objective: the outcome it serves.",
    )
    required_kinds = models.JSONField(
        default=default_required_kinds,
        blank=True,
        help_text="Evidence kinds needed, by their code: " + ", ".join(EvidenceKind.values) + ".",
    )
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(
        default=True, help_text="Inactive competencies keep their evidence but are not judged."
    )

    panels = [
        "code",
        "title",
        "description",
        "kind",
        "level",
        "parent",
        "required_kinds",
        "position",
        "is_active",
        InlinePanel("mappings", heading="What counts as evidence", label="Mapping"),
    ]

    class Meta:
        ordering = ["level", "kind", "position", "code"]
        verbose_name_plural = "competencies"

    def __str__(self) -> str:
        return f"{self.title} (level {self.level})"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        unknown = [k for k in self.required_kinds or [] if k not in EvidenceKind.values]
        if not isinstance(self.required_kinds, list) or unknown:
            raise ValidationError(
                {"required_kinds": f"Unknown evidence kinds: {', '.join(map(str, unknown))}."}
            )
        if self.level not in range(1, 5):
            raise ValidationError({"level": "Choose a level from 1 to 4."})


class CompetencyMapping(models.Model):
    """Something on the platform that counts as evidence of a competency."""

    competency = ParentalKey(Competency, on_delete=models.CASCADE, related_name="mappings")
    source = models.CharField(max_length=20, choices=MappingSource.choices)
    ref = models.CharField(
        max_length=120, help_text="Page id, page id:block id, cohort or rule id (see source)."
    )

    panels = ["source", "ref"]

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["competency", "source", "ref"], name="competency_mapping_unique"
            )
        ]
        indexes = [models.Index(fields=["source", "ref"], name="competency_mapping_lookup")]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.ref} -> {self.competency_id}"

    def clean(self) -> None:
        """Refuse a reference that names nothing on the platform."""
        from django.core.exceptions import ValidationError

        problem = mapping_ref_problem(self.source, self.ref.strip())
        if problem:
            raise ValidationError({"ref": problem})


def mapping_ref_problem(source: str, ref: str) -> str | None:
    """Return why ``ref`` cannot be mapped from ``source``, or ``None``."""
    from content.models import WorkbookChapterPage
    from simulations.engine.ruleset import DEFAULT_RULE_SET_DATA

    if source == MappingSource.WORKBOOK_CHAPTER:
        if not ref.isdigit() or not WorkbookChapterPage.objects.filter(pk=int(ref)).exists():
            return "Enter the page id of a workbook chapter, for example 42."
    elif source in {MappingSource.QUIZ, MappingSource.REPORT_TASK}:
        page_id, _, block_id = ref.partition(":")
        chapter = (
            WorkbookChapterPage.objects.filter(pk=int(page_id)).first()
            if page_id.isdigit()
            else None
        )
        if chapter is None or not block_id or chapter.find_block(block_id) is None:
            return "Enter a chapter's page id and a block id, for example 42:need-quiz."
    elif source == MappingSource.CONFERENCE_RULE:
        known = {str(rule["rule_id"]) for rule in DEFAULT_RULE_SET_DATA["rules"]}
        if ref not in known:
            return f"There is no scoring rule {ref!r}. Rules look like R02-threshold."
    elif source == MappingSource.SEMINAR and not ref:
        return "Enter a seminar cohort, or * for every seminar."
    return None


class EvidenceState(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    RELEASED = "released", "Released"


class EvidenceLocked(Exception):
    """Released evidence is a record: it is never changed or deleted."""


def evidence_upload_to(instance: Evidence, filename: str) -> str:
    return f"evidence/{instance.user_id}/{timezone.now():%Y/%m}/{filename}"


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def delete(self) -> tuple[int, dict[str, int]]:
        if self.filter(state=EvidenceState.RELEASED).exists():
            raise EvidenceLocked("Released evidence cannot be deleted.")
        return super().delete()

    def update(self, **kwargs: Any) -> int:
        if self.filter(state=EvidenceState.RELEASED).exists():
            raise EvidenceLocked("Released evidence cannot be changed.")
        return super().update(**kwargs)


class Evidence(models.Model):
    """One dated, attributable piece of evidence; immutable once released.

    ``source_ref`` names what it came from (a chapter, a room, a seminar) so
    recording the same event twice returns the stored row. ``recorded_by``
    is the person who recorded or signed it (empty: the platform itself).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="evidence"
    )
    kind = models.CharField(max_length=24, choices=EvidenceKind.choices)
    title = models.CharField(max_length=200)
    occurred_on = models.DateField()
    recorded_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evidence_recorded",
    )
    source_ref = models.CharField(max_length=120, blank=True)
    competencies = models.ManyToManyField(
        Competency, through="EvidenceCompetency", related_name="evidence"
    )
    cpd_hours = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    participatory = models.BooleanField(default=False)
    score_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    file = models.FileField(upload_to=evidence_upload_to, blank=True)
    state = models.CharField(
        max_length=12, choices=EvidenceState.choices, default=EvidenceState.RELEASED
    )
    released_at = models.DateTimeField(null=True, blank=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        ordering = ["-occurred_on", "-pk"]
        verbose_name_plural = "evidence"
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="evidence_once_per_source",
            )
        ]
        indexes = [models.Index(fields=["user", "occurred_on"], name="evidence_user_date")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title} ({self.occurred_on})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            stored = Evidence.objects.filter(pk=self.pk).values_list("state", flat=True).first()
            if stored == EvidenceState.RELEASED:
                raise EvidenceLocked("Released evidence cannot be changed.")
        if self.state == EvidenceState.RELEASED and self.released_at is None:
            self.released_at = timezone.now()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if (
            self.pk is not None
            and Evidence.objects.filter(pk=self.pk, state=EvidenceState.RELEASED).exists()
        ):
            raise EvidenceLocked("Released evidence cannot be deleted.")
        return super().delete(*args, **kwargs)

    @property
    def is_released(self) -> bool:
        return self.state == EvidenceState.RELEASED


class EvidenceCompetency(models.Model):
    """Evidence for a competency. PROTECT: a competency with evidence stays."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="links")
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="links")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["evidence", "competency"], name="evidence_competency_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.evidence_id} -> {self.competency_id}"


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    EXPORT = "export", "Exported"
    REFUSED = "refused", "Refused"
    SIGN_OFF = "sign_off", "Signed off"
    UPLOAD = "upload", "Uploaded"
    RELEASE = "release", "Released"
    CERTIFICATE = "certificate", "Certificate issued"
    FRAMEWORK = "framework", "Framework change refused"
    REMINDER = "reminder", "Expiry reminder sent"


class AuditLog(models.Model):
    """Who looked at, exported or changed competency records, and when."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=16, choices=AuditAction.choices)
    what = models.CharField(max_length=200)
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The person whose record it was, for one person's record.",
    )
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["actor", "-at"], name="audit_actor_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_id} {self.action} {self.what}"


class Certificate(models.Model):
    """A certificate of level 3 competence, checkable by anyone at its URL."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="certificates"
    )
    number = models.CharField(max_length=20, unique=True)
    title = models.CharField(max_length=200)
    issued_on = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    competencies = models.JSONField(default=list, help_text="Codes and titles, as issued.")
    issued_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.number} ({self.user_id})"


class XapiStatement(models.Model):
    """An xAPI statement waiting to be sent to the learning record store.

    Statements are queued as evidence is recorded and sent in batches by
    ``assessments.tasks.xapi_statements_send``; ``sent_at`` is set once the
    store accepted them, so nothing is sent twice or lost while it is down.
    ``failed_at`` is set when the store refused the statement for what it
    holds: sending it again would get the same answer, so it is not sent
    again, and ``last_error`` says why (staff see both in Django's admin).
    """

    statement_id = models.UUIDField(unique=True)
    evidence = models.OneToOneField(
        Evidence, null=True, on_delete=models.SET_NULL, related_name="xapi_statement"
    )
    statement = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the store refused it for what it holds."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="xapi_queue")]

    def __str__(self) -> str:
        state = "sent" if self.sent_at else "failed" if self.failed_at else "queued"
        return f"{self.statement_id} ({state})"
