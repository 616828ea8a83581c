"""Background work on competency records: expiry reminders, xAPI sending.

Run by Django's tasks framework (``settings.TASKS``; in-process by default)
and enqueued daily by ``manage.py send_competency_reminders`` from cron or
a scheduler. Each reminder is sent once per person and expiry date: the
audit log remembers it, so running the task twice sends nothing new.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.tasks import task

from accounts.models import ManagerScope, PlatformRole, User
from assessments.competency_selectors import facts_for, outcomes, policy, requirements_for
from assessments.competency_services import audit_record
from assessments.models import AuditAction, AuditLog
from assessments.rules import Status, overall_status
from assessments.xapi import queued_statements_send


def managers_of(person: User) -> list[User]:
    """Return the managers whose scope includes ``person``."""
    if person.team_id is None:
        return []
    return list(
        User.objects.filter(
            is_active=True,
            groups__name=PlatformRole.MANAGER.value,
        )
        .filter(
            Q(manager_scope=ManagerScope.TEAM, team_id=person.team_id)
            | Q(manager_scope=ManagerScope.AGENCY, team__agency_id=person.team.agency_id)  # type: ignore[union-attr]
        )
        .exclude(pk=person.pk)
        .distinct()
    )


@task
def competency_reminders_send(today: str) -> int:
    """E-mail each person whose competence is expiring, and their managers.

    :param today: the day to judge on, as ISO ``YYYY-MM-DD`` (task
        arguments must be JSON).
    """
    day = date.fromisoformat(today)
    requirements = requirements_for(outcomes())
    rules = policy()
    people = User.objects.filter(is_active=True, evidence__isnull=False).distinct()
    facts = facts_for(people)
    sent = 0
    for person in people.select_related("team__agency"):
        record = overall_status(requirements, facts.get(person.pk, []), today=day, policy=rules)
        if record.status != Status.EXPIRING or record.expires_on is None:
            continue
        expires = record.expires_on.isoformat()
        if AuditLog.objects.filter(
            action=AuditAction.REMINDER, subject=person, detail__expires_on=expires
        ).exists():
            continue
        when = f"{record.expires_on:%-d %B %Y}"
        send_mail(
            subject="Your child protection conference competence is about to expire",
            message=(
                f"Dear {person.display_name},\n\nYour level 3 competence in child protection "
                f"conferences expires on {when}. Book a refresher seminar and bring your "
                "evidence up to date before then.\n\nThreshold"
            ),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[person.email],
        )
        managers = [m.email for m in managers_of(person) if m.email]
        if managers:
            send_mail(
                subject=f"{person.display_name}'s competence expires on {when}",
                message=(
                    f"{person.display_name}'s level 3 competence in child protection "
                    f"conferences expires on {when}. You can see their evidence on your "
                    "team dashboard.\n\nThreshold"
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=managers,
            )
        audit_record(
            actor=None,
            action=AuditAction.REMINDER,
            what="Expiry reminder sent",
            subject=person,
            detail={"expires_on": expires, "managers": len(managers)},
        )
        sent += 1
    return sent


@task
def xapi_statements_send(batch: int = 100) -> int:
    """Send queued xAPI statements to the learning record store, oldest first.

    Does nothing without ``THRESHOLD_XAPI_ENDPOINT``. A batch the store does
    not take stays queued with its error and is tried again next time (see
    ``assessments.xapi.queued_statements_send``).
    """
    endpoint = settings.THRESHOLD_XAPI_ENDPOINT
    if not endpoint:
        return 0
    return queued_statements_send(endpoint=endpoint, batch=batch)
