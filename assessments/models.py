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
