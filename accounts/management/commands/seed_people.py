"""Create the demo agencies, teams and people (idempotent, reproducible by seed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from faker import Faker

from accounts.models import AgencyKind, ManagerScope, PlatformRole
from accounts.roles import roles_ensure
from accounts.services import agency_upsert, person_upsert, team_upsert

DEMO_PASSWORD = "threshold-demo"  # noqa: S105 - published demo sign-in  # nosec B105

# (agency slug, kind, team slug, team name)
TEAMS = [
    ("childrens-social-care", AgencyKind.SOCIAL_CARE, "assessment", "Assessment and Intervention"),
    ("childrens-social-care", AgencyKind.SOCIAL_CARE, "children-in-need", "Children in Need"),
    ("health-visiting", AgencyKind.HEALTH_VISITING, "st-helier", "St Helier Health Visiting"),
    ("education", AgencyKind.EDUCATION, "primary-dsl", "Primary Designated Safeguarding Leads"),
    ("primary-care", AgencyKind.PRIMARY_CARE, "safeguarding-gps", "Safeguarding GPs"),
    ("police", AgencyKind.POLICE, "ppu", "Public Protection Unit"),
    ("housing", AgencyKind.HOUSING, "tenancy", "Tenancy Support"),
    ("probation", AgencyKind.PROBATION, "family-court", "Court and Family Team"),
    ("camhs", AgencyKind.CAMHS, "community", "Community CAMHS"),
    ("voluntary-sector", AgencyKind.VOLUNTARY, "family-support", "Family Support Projects"),
    ("safeguarding-partnership", AgencyKind.OTHER, "training", "Training and Development"),
]
AGENCY_NAMES = {
    "childrens-social-care": "Children's Social Care",
    "health-visiting": "Health Visiting and Family Nursing",
    "education": "Education",
    "primary-care": "GP and Primary Care",
    "police": "States of Jersey Police",
    "housing": "Housing",
    "probation": "Probation and After-Care Service",
    "camhs": "CAMHS",
    "voluntary-sector": "Voluntary and community sector",
    "safeguarding-partnership": "Safeguarding Partnership Board",
}
# Twelve delegates across agencies: (team key, job title).
DELEGATES = [
    ("childrens-social-care/assessment", "Social worker"),
    ("childrens-social-care/assessment", "Senior social worker"),
    ("childrens-social-care/assessment", "Social worker"),
    ("childrens-social-care/children-in-need", "Social worker"),
    ("health-visiting/st-helier", "Health visitor"),
    ("health-visiting/st-helier", "Family nurse"),
    ("education/primary-dsl", "Designated safeguarding lead"),
    ("education/primary-dsl", "Class teacher"),
    ("primary-care/safeguarding-gps", "General practitioner"),
    ("police/ppu", "Detective constable"),
    ("housing/tenancy", "Housing officer"),
    ("camhs/community", "Mental health practitioner"),
]


class Command(BaseCommand):
    help = "Create the demo agencies, teams and people."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=2026, help="Seed for invented names.")

    def handle(self, *args: Any, seed: int, **options: Any) -> None:
        fake = Faker("en_GB")
        fake.seed_instance(seed)
        groups = roles_ensure()
        teams = {}
        for agency_slug, kind, team_slug, team_name in TEAMS:
            agency = agency_upsert(name=AGENCY_NAMES[agency_slug], slug=agency_slug, kind=kind)
            teams[f"{agency_slug}/{team_slug}"] = team_upsert(
                agency=agency, name=team_name, slug=team_slug
            )

        def person(
            username: str, team_key: str | None, roles: tuple[PlatformRole, ...], **extra: Any
        ) -> list[str]:
            first, last = fake.first_name(), fake.last_name()
            person_upsert(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@threshold.test",
                team=teams[team_key] if team_key else None,
                roles=roles,
                password=DEMO_PASSWORD,
                groups=groups,
                **extra,
            )
            return [username, f"{first} {last}", ", ".join(role.value for role in roles)]

        rows = [
            person(
                "trainer",
                "safeguarding-partnership/training",
                (PlatformRole.TRAINER,),
                job_title="Safeguarding trainer",
            ),
            person(
                "manager",
                "childrens-social-care/assessment",
                (PlatformRole.MANAGER,),
                job_title="Team manager",
            ),
            person(
                "manager.agency",
                "childrens-social-care/children-in-need",
                (PlatformRole.MANAGER,),
                job_title="Service manager",
                manager_scope=ManagerScope.AGENCY,
            ),
            person(
                "editor",
                "safeguarding-partnership/training",
                (PlatformRole.CONTENT_EDITOR,),
                job_title="Content editor",
            ),
            person(
                "admin", None, (PlatformRole.ADMIN,), job_title="Administrator", is_superuser=True
            ),
        ]
        for number, (team_key, title) in enumerate(DELEGATES, start=1):
            rows.append(
                person(f"delegate{number:02d}", team_key, (PlatformRole.DELEGATE,), job_title=title)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo people ready ({len(rows)} sign-ins, password {DEMO_PASSWORD!r}):"
            )
        )
        for username, name, roles in rows:
            self.stdout.write(f"  {username:<16} {name:<28} {roles}")
