"""Helpers shared by the marking tests: a written report, trainers, a submission."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group

from accounts.models import PlatformRole, User
from assessments import services
from assessments.marking_services import RubricMarks
from assessments.models import ReportSubmission, RubricCriterion, RubricLevel, WorkbookAnswer
from tests.assessments.test_workbook_helpers import PASSWORD


def complete_report(**fields: Any) -> dict[str, Any]:
    """Return a stored report answer with every section filled in well."""
    value: dict[str, Any] = {
        "fields": {
            "about.agency": "Health visiting service",
            "about.name": "Amira Test",
            "about.job_title": "Health visitor",
            "about.contact_details": "01534 000000",
            "about.conference_date": "2026-06-05",
            "about.attending": "yes",
            "sharing.shared_with_parents": "2026-06-01",
            "sharing.shared_with_young_person": "2026-06-01",
            "family.address": "7 Clos des Sept Cerisiers, St Saviour, JE2 9QX",
            "family.phone": "07700 900417",
            "working_well.text": "Dad takes Jayden to nursery every day.",
            "complicating_factors.text": "Mum's housing is insecure.",
            "child_views.text": "Jayden told me he likes his dad's flat.",
            "network_views.text": "Dad wants help with routines.",
            "next_steps.text": "Jayden is seen weekly and his injuries stop.",
            "views.trajectory": "A plan for six months.",
            "views.threshold": "met",
            "views.threshold_reason": "Repeated injuries to a young child.",
            "views.category": "physical",
            "views.service_support": "Weekly home visits.",
            "sign_off.name": "Amira Test",
            "sign_off.designation": "Health visitor",
            "sign_off.signature": "Amira Test",
            "sign_off.date": "2026-06-01",
        },
        "tables": {
            "children": [{"name": "Jayden", "communication_needs": "Speech delay."}],
            "siblings": [],
            "carers": [
                {
                    "name": "Kerry Marsh",
                    "relationship": "Mother",
                    "parental_responsibility": "yes",
                    "communication_needs": "None known.",
                }
            ],
            "significant_others": [],
        },
        "statements": {
            "worries": [
                {
                    "text": "Jayden has repeated bruises, which harm his health and leave him "
                    "frightened at home.",
                    "tag": "observation",
                    "second_hand": False,
                    "source": "",
                }
            ],
            "observations": [
                {
                    "text": "Jayden froze when his mother came in.",
                    "tag": "observation",
                    "second_hand": False,
                    "source": "",
                }
            ],
        },
    }
    value["fields"].update(fields)
    return value


def trainer(username: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username)
    group, _ = Group.objects.get_or_create(name=PlatformRole.TRAINER.value)
    user.groups.add(group)
    return user


def hand_in(
    user: User, workbook: Any, chapter: Any, value: dict[str, Any] | None = None
) -> ReportSubmission:
    """Save ``value`` as the delegate's report and submit its chapter."""
    WorkbookAnswer.objects.update_or_create(
        user=user,
        page=chapter,
        block_id="report",
        defaults={"kind": "report", "value": value or complete_report(), "structure": "s"},
    )
    services.chapter_submit(user=user, chapter=chapter, workbook=workbook)
    return ReportSubmission.objects.filter(user=user).latest("pk")


def all_marks(submission: ReportSubmission, *, level: int = 3, comment: str = "") -> RubricMarks:
    """Return marks giving every criterion the level at position ``level``."""
    chosen = RubricLevel.objects.get(rubric=submission.rubric, order=level)
    criteria = RubricCriterion.objects.filter(rubric=submission.rubric)
    return RubricMarks(
        levels={c.pk: chosen.pk for c in criteria},
        comments={c.pk: comment for c in criteria if comment},
        overall_comment="A clear report.",
    )
