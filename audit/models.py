"""An append-only audit log whose entries form a hash chain.

Entries are only ever added, through ``audit.services.audit_record``. The
model and its queryset refuse to change or delete rows, and database triggers
(installed by migration 0001) refuse UPDATE and DELETE underneath the ORM.
``manage.py audit_verify`` recomputes the chain to show nothing was altered.

People are referred to by id only (``actor_id``, ``object_id``): no foreign
keys, so deleting a user never touches the log, and no names or free text.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models


class AuditLogImmutable(Exception):
    """Raised on any attempt to change or delete an audit entry."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AuditLogImmutable("Audit entries are append-only: they cannot be changed or deleted.")


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    update = _refuse  # type: ignore[assignment]
    delete = _refuse  # type: ignore[assignment]
    bulk_update = _refuse  # type: ignore[assignment]
    bulk_create = _refuse  # type: ignore[assignment]
    update_or_create = _refuse  # type: ignore[assignment]
    _raw_delete = _refuse  # type: ignore[assignment]


class Outcome(models.TextChoices):
    SUCCESS = "success", "Succeeded"
    FAILURE = "failure", "Failed"
    REFUSED = "refused", "Refused"


class AuditEntry(models.Model):
    seq = models.PositiveBigIntegerField(unique=True, help_text="Position in the chain, from 1.")
    created = models.DateTimeField(db_index=True, help_text="When, in UTC.")
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_role = models.CharField(max_length=120, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=100, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.SUCCESS)
    source_ip = models.CharField(max_length=45, blank=True)
    request_id = models.CharField(
        max_length=128, blank=True, help_text="The request's id, or the socket's channel name."
    )
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["actor_id", "-created"], name="audit_actor_created")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.created:%Y-%m-%d %H:%M:%S} {self.action} {self.outcome}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            _refuse()
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:  # type: ignore[override]
        _refuse()

    def chain_fields(self) -> dict[str, Any]:
        """The fields the hash covers, as the chain serialises them."""
        return {
            "seq": self.seq,
            "created": self.created.isoformat(),
            "actor_id": self.actor_id,
            "actor_role": self.actor_role,
            "action": self.action,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "outcome": self.outcome,
            "source_ip": self.source_ip,
            "request_id": self.request_id,
            "details": self.details,
        }


class AuditChainHead(models.Model):
    """One row: the last entry's position and hash.

    Writers lock it to append in turn, and ``audit_verify`` compares it with
    the last entry, so removing entries from the end is noticed too.
    """

    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.seq}"
