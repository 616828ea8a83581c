"""People and organisations: agencies, their teams, and the people in them.

Every other app refers to these, so they sit at the bottom of the import
graph in an app of their own rather than inside one of the four feature apps.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.functional import cached_property


class AgencyKind(models.TextChoices):
    SOCIAL_CARE = "social_care", "Children's Social Care"
    HEALTH_VISITING = "health_visiting", "Health Visiting and Family Nursing"
    EDUCATION = "education", "Education"
    PRIMARY_CARE = "primary_care", "GP and Primary Care"
    POLICE = "police", "States of Jersey Police"
    HOUSING = "housing", "Housing"
    PROBATION = "probation", "Probation and After-Care"
    CAMHS = "camhs", "Child and Adolescent Mental Health Services"
    VOLUNTARY = "voluntary", "Voluntary and community sector"
    OTHER = "other", "Other"


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=32, choices=AgencyKind.choices)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=80)

    class Meta:
        ordering = ["agency__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "slug"], name="team_slug_unique_in_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.agency.name})"


class PlatformRole(models.TextChoices):
    """Each role is a Django group of the same name; see ``accounts.roles``."""

    DELEGATE = "Delegate"
    TRAINER = "Trainer"
    MANAGER = "Manager"
    CONTENT_EDITOR = "Content editor"
    ADMIN = "Admin"


class ManagerScope(models.TextChoices):
    TEAM = "team", "Their team"
    AGENCY = "agency", "Their whole agency"


class User(AbstractUser):
    """A person who signs in: delegate, trainer, manager, editor or admin."""

    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    job_title = models.CharField(max_length=120, blank=True)
    manager_scope = models.CharField(
        max_length=12,
        choices=ManagerScope.choices,
        default=ManagerScope.TEAM,
        help_text="What a manager may see: their own team or their whole agency.",
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"

    # Fields that decide what a person may do or see. ``save`` compares them
    # with the values loaded from the database and leaves the differences in
    # ``access_changes`` for the audit log and for closing the person's sockets.
    ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser", "manager_scope", "team_id")

    @classmethod
    def from_db(cls, db: str | None, field_names: Any, values: Any, **kwargs: Any) -> User:
        instance = super().from_db(db, field_names, values, **kwargs)
        instance._remember_access()
        return instance

    def _remember_access(self) -> None:
        self._access_loaded = {
            f: self.__dict__[f] for f in self.ACCESS_FIELDS if f in self.__dict__
        }

    def save(self, *args: Any, **kwargs: Any) -> None:
        loaded = getattr(self, "_access_loaded", None)
        changes: dict[str, tuple[Any, Any]] = {}
        if loaded is not None and not self._state.adding:
            saving = kwargs.get("update_fields")
            names = None if saving is None else set(saving)
            for field, old in loaded.items():
                if names is not None and not {field, field.removesuffix("_id")} & names:
                    continue
                if old != self.__dict__.get(field):
                    changes[field] = (old, self.__dict__.get(field))
        self.access_changes = changes
        super().save(*args, **kwargs)
        self._remember_access()

    @cached_property
    def role_names(self) -> frozenset[str]:
        return frozenset(self.groups.values_list("name", flat=True))

    @property
    def role_list(self) -> list[str]:
        return sorted(self.role_names)

    def has_role(self, role: PlatformRole) -> bool:
        if self.is_superuser and role == PlatformRole.ADMIN:
            return True
        return role.value in self.role_names

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def agency(self) -> Agency | None:
        return self.team.agency if self.team_id else None  # type: ignore[union-attr]


class ThrottleScope(models.TextChoices):
    USERNAME = "username", "One username"
    ADDRESS = "address", "One source address"


class SignInThrottle(models.Model):
    """Failed sign-ins counted for one username or one source address.

    ``key`` is a keyed hash of the username or address, so the table holds
    neither. Shared by every process through the database.
    """

    scope = models.CharField(max_length=16, choices=ThrottleScope.choices)
    key = models.CharField(max_length=64)
    failures = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="signin_throttle_unique")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key[:8]}: {self.failures}"
