"""The shared vocabulary of child protection conferences in Jersey.

These enumerations are the words every other part of Threshold uses for
levels of need, categories of abuse, conference types and conference roles.
They live in the pure engine so that the state machine, the scoring rules,
the scenario loader and the database models agree on one spelling.

Sources: the Continuum of Need's four levels (guidance 001, para 59 onwards),
the four categories of abuse (workbook 003, lines 108-123) and the roles a
mock conference needs (procedures reference, section 8).
"""

from __future__ import annotations

from enum import StrEnum


class LevelOfNeed(StrEnum):
    """The four levels of the Jersey Continuum of Need."""

    UNIVERSAL = "universal"
    WELLBEING = "wellbeing"  # "Early Help"
    HEALTH_DEVELOPMENT = "health_development"  # "Children in Need"
    SAFEGUARDING = "safeguarding"  # "Child Protection"

    @property
    def label(self) -> str:
        return LEVEL_LABELS[self]


LEVEL_LABELS: dict[LevelOfNeed, str] = {
    LevelOfNeed.UNIVERSAL: "Universal need",
    LevelOfNeed.WELLBEING: "Wellbeing need (early help)",
    LevelOfNeed.HEALTH_DEVELOPMENT: "Health or development need (child in need)",
    LevelOfNeed.SAFEGUARDING: "Safeguarding need (child protection)",
}


class Category(StrEnum):
    """The four categories of abuse under which a plan is made."""

    PHYSICAL = "physical"
    EMOTIONAL = "emotional"
    SEXUAL = "sexual"
    NEGLECT = "neglect"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS: dict[Category, str] = {
    Category.PHYSICAL: "Physical abuse",
    Category.EMOTIONAL: "Emotional abuse",
    Category.SEXUAL: "Sexual abuse",
    Category.NEGLECT: "Neglect",
}


class ConferenceType(StrEnum):
    INITIAL = "initial"
    REVIEW = "review"
    UNBORN = "unborn"
    TRANSFER_IN = "transfer_in"


class Role(StrEnum):
    """Seats at a mock conference."""

    CHAIR = "chair"
    LEAD_SOCIAL_WORKER = "lead_social_worker"
    HEALTH_VISITOR = "health_visitor"
    DESIGNATED_TEACHER = "designated_teacher"
    GP = "gp"
    HOUSING = "housing"
    POLICE = "police"
    PARENT = "parent"
    CHILDS_ADVOCATE = "childs_advocate"
    OBSERVER = "observer"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def votes(self) -> bool:
        """Professionals vote; parents, advocates and observers do not."""
        return self not in NON_VOTING_ROLES


ROLE_LABELS: dict[Role, str] = {
    Role.CHAIR: "Conference chair",
    Role.LEAD_SOCIAL_WORKER: "Lead social worker (Children's Social Care)",
    Role.HEALTH_VISITOR: "Health visitor",
    Role.DESIGNATED_TEACHER: "Designated teacher",
    Role.GP: "GP",
    Role.HOUSING: "Housing officer",
    Role.POLICE: "Police (Public Protection Unit)",
    Role.PARENT: "Parent or carer",
    Role.CHILDS_ADVOCATE: "Child's advocate",
    Role.OBSERVER: "Observer",
}

NON_VOTING_ROLES: frozenset[Role] = frozenset({Role.PARENT, Role.CHILDS_ADVOCATE, Role.OBSERVER})


class Provenance(StrEnum):
    """What kind of statement an item of information is."""

    FACT = "fact"
    OBSERVATION = "observation"
    ALLEGATION = "allegation"
    OPINION = "opinion"


# Words the live conference adds. Kept here, beside the roles and categories,
# so that the state machine, the scorer and the scenario answer keys spell
# them the same way.

REPORT_AUTHORS: frozenset[Role] = frozenset(
    role for role in Role if role.votes and role is not Role.CHAIR
)
"""Professionals who write a multi-agency report (procedures ref. 5.1)."""


def writes_report(role: Role) -> bool:
    """Return whether ``role`` writes a multi-agency report before conference.

    Every professional does, except the chair, who reads the reports.
    """
    return role in REPORT_AUTHORS


class ReportSection(StrEnum):
    """Free-text sections of the multi-agency report template (ref. 5.2)."""

    WORRIES = "worries"  # What are we worried about? (and the impact)
    WORKING_WELL = "working_well"
    COMPLICATING_FACTORS = "complicating_factors"
    VIEWS_OF_CHILD = "views_of_child"
    OBSERVATIONS_OF_CHILD = "observations_of_child"
    VIEWS_OF_PARENTS = "views_of_parents"
    NEXT_STEPS = "next_steps"
    VIEW_ON_PLANNING = "view_on_planning"
    VIEW_ON_THRESHOLD = "view_on_threshold"
    VIEW_ON_CATEGORY = "view_on_category"
    SERVICE_SUPPORT = "service_support"


class PlanOutcome(StrEnum):
    """What the conference decides for one child (ref. 4.3, ICPC decisions).

    A child protection plan goes with a category; otherwise the conference
    considers a child in need plan (003:610), or steps down to an early help
    (wellbeing) plan or universal services.
    """

    CHILD_PROTECTION_PLAN = "child_protection_plan"
    CHILD_IN_NEED_PLAN = "child_in_need_plan"
    EARLY_HELP_PLAN = "early_help_plan"
    UNIVERSAL_SERVICES = "universal_services"


class ExclusionReason(StrEnum):
    """Why the chair excludes someone from part of the meeting (003:603)."""

    SAFETY = "safety"
    SENSITIVITY = "sensitivity"
    CONFIDENTIALITY = "confidentiality"
    PREJUDICE_TO_CHILD = "prejudice_to_child"
