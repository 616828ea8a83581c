"""What delegates have done in a workbook: answers, quiz attempts, progress.

Everything is keyed by the person, the chapter page and the block's stable
StreamField id, never by anything a browser sends about whose answer it is.
Timestamps are kept so that competency records can cite this work as
evidence (when it was written, when it was submitted).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


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
