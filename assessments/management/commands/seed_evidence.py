"""Give the demo delegates competency evidence, so the dashboards have a story.

Invented people only (``delegate01``..``delegate12`` from ``seed_people``):
some competent, one expiring, one expired, some in progress, some not
started. Idempotent: every record has a ``demo:`` source, so running it
again adds nothing. Run ``seed_competencies`` first.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from accounts.models import User
from assessments.competency_services import evidence_record
from assessments.models import Competency

# delegate number -> (profile, days ago the evidence was gathered)
PROFILES: dict[int, tuple[str, int]] = {
    1: ("competent", 150),
    2: ("competent", 60),
    3: ("competent", 1060),  # expiring within the warning period
    4: ("competent", 1200),  # expired
    5: ("competent", 240),
    6: ("workbook", 20),
    7: ("workbook_seminar", 45),
    8: ("competent", 300),
    9: ("low_score", 30),
}


class Command(BaseCommand):
    help = "Create demo competency evidence for the demo delegates (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Seed for invented data.")

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets  # nosec B311
        competencies = list(Competency.objects.filter(is_active=True))
        if not competencies:
            self.stdout.write("No competencies: run seed_competencies first.")
            return
        trainer = User.objects.filter(username="trainer").first()
        today = timezone.localdate()
        count = 0
        for number, (profile, days_ago) in PROFILES.items():
            person = User.objects.filter(username=f"delegate{number:02d}").first()
            if person is None:
                continue
            start = today - timedelta(days=days_ago)
            for kind, on, extra in _plan(profile, start, rng):
                evidence_record(
                    user=person,
                    kind=kind,
                    title=extra.pop("title"),
                    occurred_on=on,
                    competencies=competencies if kind != "external_training" else [],
                    source_ref=f"demo:{kind}:{on.isoformat()}",
                    recorded_by=trainer if kind in {"sign_off", "seminar_attended"} else None,
                    **extra,
                )
                count += 1
        self.stdout.write(self.style.SUCCESS(f"Demo evidence ready ({count} records)."))


Plan = list[tuple[str, date, dict[str, Any]]]


def _plan(profile: str, start: date, rng: random.Random) -> list[tuple[str, date, dict[str, Any]]]:
    def day(offset: int) -> date:
        return start + timedelta(days=offset)

    workbook: Plan = [
        ("workbook_chapter", day(0), {"title": "Workbook chapter: The Continuum of Need"}),
        (
            "quiz_passed",
            day(0),
            {"title": "Quiz passed in 'The Continuum of Need'", "score_percent": 100},
        ),
        ("workbook_chapter", day(1), {"title": "Workbook chapter: Writing your conference report"}),
    ]
    seminar: Plan = [
        (
            "seminar_attended",
            day(7),
            {
                "title": "Seminar attended: Child protection conferences",
                "hours": 6,
                "participatory": True,
            },
        ),
        (
            "external_training",
            day(3),
            {
                "title": "External training: online level 3 refresher",
                "hours": 6,
                "participatory": False,
            },
        ),
    ]
    score = rng.randint(68, 94) if profile != "low_score" else rng.randint(35, 55)
    conference: Plan = [
        (
            "conference_played",
            day(7),
            {
                "title": "Mock conference as health visitor",
                "score_percent": score,
                "detail": {"role": "health_visitor"},
            },
        ),
    ]
    sign_off: Plan = [
        (
            "sign_off",
            day(10),
            {
                "title": "Signed off: conference practice",
                "detail": {"note": "Took a full part and gave clear reasons."},
            },
        ),
    ]
    plans: dict[str, Plan] = {
        "workbook": workbook,
        "workbook_seminar": workbook + seminar,
        "low_score": workbook + seminar + conference,
        "competent": workbook + seminar + conference + sign_off,
    }
    return [(str(kind), on, {**extra}) for kind, on, extra in plans[profile]]
