"""Seminars, conference rooms, seats and each room's event log.

A room is event-sourced: ``RoomEvent`` rows are the record, numbered per
room; ``Room.seq`` is the number of the last one and ``Room.snapshot`` a
periodic copy of the engine's state (at ``snapshot_seq``) so a worker can
rebuild a room without replaying from the start. Both change in the same
transaction as the events they summarise.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from simulations.engine.vocabulary import Role

# No 0/O, 1/I/L, 5/S, 2/Z, 8/B: codes are read aloud and typed on phones.
JOIN_CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
JOIN_CODE_LENGTH = 6
ROLE_CHOICES = [(role.value, role.label) for role in Role]


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


class Seminar(models.Model):
    title = models.CharField(max_length=200)
    date = models.DateField()
    venue = models.CharField(max_length=200, blank=True)
    cohort = models.CharField(
        max_length=120, blank=True, help_text="For example: 'November 2026 level 3'."
    )
    trainer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="seminars_led"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-date", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.date:%d %b %Y})"


class Room(models.Model):
    seminar = models.ForeignKey(Seminar, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=80)
    join_code = models.CharField(max_length=JOIN_CODE_LENGTH, unique=True, default=new_join_code)
    scenario = models.ForeignKey(
        "scenarios.Scenario", on_delete=models.PROTECT, related_name="rooms"
    )
    scenario_revision_id = models.PositiveIntegerField(
        null=True, help_text="The scenario revision the room was opened from."
    )
    setup = models.JSONField(help_text="The engine's ConferenceSetup, as opened.")
    seq = models.PositiveIntegerField(default=0)
    snapshot = models.JSONField(null=True, blank=True)
    snapshot_seq = models.PositiveIntegerField(default=0)
    phase = models.CharField(max_length=32, default="pre_conference")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    transcript_purged_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the retention schedule deleted the room's event log and snapshot "
        "(manage.py purge_expired); scores and evidence stay.",
    )

    class Meta:
        ordering = ["seminar", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.join_code})"


class Seat(models.Model):
    """Who plays a role in a room. Observers may be many; other roles one each."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="seats")
    role = models.CharField(max_length=32, choices=ROLE_CHOICES)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="seats",
    )
    covered_by_trainer = models.BooleanField(default=False)
    joined_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["room", "role"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "role"],
                condition=~Q(role=Role.OBSERVER.value),
                name="one_seat_per_role",
            ),
            models.UniqueConstraint(
                fields=["room", "user"], condition=Q(user__isnull=False), name="one_seat_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.room}: {self.role}"


class RoomEvent(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=40)
    data = models.JSONField()
    command_id = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["room", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["room", "seq"], name="event_seq_unique_in_room")
        ]
        indexes = [models.Index(fields=["room", "command_id"], name="event_command_idx")]

    def __str__(self) -> str:
        return f"{self.room_id}#{self.seq} {self.kind}"


class RoomScore(models.Model):
    """One scoring of a room's event log against one version of the rule set.

    A score is a record, not a cache: re-scoring with a new rule set (or
    after the room moved on) adds a row and keeps the old ones, so a
    scorecard always says what it was judged against. The same room, rule
    set version and last event are scored once (``room_score`` returns the
    stored row), which makes ``manage.py rescore`` idempotent.
    """

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="scores")
    rule_set_version = models.CharField(max_length=40)
    seq = models.PositiveIntegerField(help_text="The room's last event when it was scored.")
    phase = models.CharField(
        max_length=32, help_text="Where the room was on its agenda when it was scored."
    )
    scenario_revision_id = models.PositiveIntegerField(
        null=True, help_text="The scenario revision whose answer keys were used."
    )
    guidance_version = models.CharField(
        max_length=255,
        blank=True,
        help_text="The guidance versions in force on the conference date that findings cite, "
        "as 'document-slug@YYYY-MM-DD'; empty if none was found.",
    )
    scored_at = models.DateTimeField(auto_now_add=True)
    scorecard = models.JSONField(help_text="The engine's ScoreCard, as ScoreCard.to_dict().")
    totals = models.JSONField(
        default=dict, help_text="Points per role and for the room, for listings and exports."
    )

    class Meta:
        ordering = ["room", "-scored_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "rule_set_version", "seq"], name="room_score_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.room_id} scored against {self.rule_set_version} at #{self.seq}"
