"""A scripted mock conference, as wire-level commands, for bots and tests.

``conference_script`` turns a room's snapshot view (what any seat receives
on connecting) and, optionally, the answer key's decisions into the list of
commands each seat would send to play the whole agenda. It deals only in the
JSON the protocol carries, so ``simulate_conference`` can drive a real
server with it and tests can drive the ASGI stack.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from simulations.engine.state import OpeningItem, Phase
from simulations.engine.vocabulary import (
    Category,
    LevelOfNeed,
    PlanOutcome,
    Provenance,
    ReportSection,
    Role,
)


@dataclass(frozen=True)
class Step:
    role: str  # the seat that sends it
    name: str
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Verdict:
    """How the script votes and decides for one child."""

    level_of_need: str
    threshold_met: bool
    primary_category: str | None
    other_categories: tuple[str, ...] = ()
    outcome: str = PlanOutcome.CHILD_PROTECTION_PLAN.value


DEFAULT_VERDICT = Verdict(
    LevelOfNeed.SAFEGUARDING.value, True, Category.PHYSICAL.value, (Category.NEGLECT.value,)
)


def _report(role: str, items: list[str], child_name: str) -> dict[str, Any]:
    sections = {
        section.value: f"{child_name}: what the {role.replace('_', ' ')} knows."
        for section in ReportSection
    }
    sections[ReportSection.WORRIES.value] = (
        f"We are worried about the impact on {child_name}'s safety and wellbeing."
    )
    statements = [
        {
            "text": f"Recorded in our notes ({item}).",
            "provenance": Provenance.FACT.value,
            "item_id": item,
        }
        for item in items[:2]
    ]
    statements.append(
        {
            "text": "A neighbour says there is shouting at night.",
            "provenance": Provenance.ALLEGATION.value,
            "second_hand": True,
            "source": "Neighbour",
        }
    )
    return {"sections": sections, "statements": statements}


def conference_script(
    view: Mapping[str, Any],
    items_by_role: Mapping[str, list[str]],
    *,
    verdicts: Mapping[str, Verdict] | None = None,
    voters: tuple[str, ...] | None = None,
) -> list[Step]:
    """Return every command of a complete conference, in agenda order.

    :param view: a snapshot view (``children``, ``seated_roles``,
        ``first_core_group_deadline``).
    :param items_by_role: each seat's pack item ids (``my_items`` in its view).
    :param verdicts: per child id; the default votes physical abuse, plan.
    """
    chair = Role.CHAIR.value
    seated = list(view["seated_roles"])
    authors = [
        r
        for r in seated
        if r not in {chair, Role.PARENT.value, Role.CHILDS_ADVOCATE.value, Role.OBSERVER.value}
    ]
    voting = list(voters) if voters is not None else [r for r in seated if Role(r).votes]
    children = view["children"]
    first_child = children[0]["name"]
    steps: list[Step] = []
    add = steps.append
    # Pre-conference: packs, reports, sharing, a confidential flag.
    for role in authors:
        add(Step(role, "OpenPack"))
        add(Step(role, "SubmitReport", _report(role, items_by_role.get(role, []), first_child)))
        add(
            Step(
                role,
                "RecordReportSharing",
                {
                    "shared_with_parents": True,
                    "shared_with_child": False,
                    "reason_not_shared": "Too young to read the report.",
                },
            )
        )
    add(Step(chair, "AdvancePhase"))
    # The chair's preparation.
    for role in authors:
        add(Step(chair, "ReadReport", {"author": role}))
    add(Step(chair, "DecideParentAttendance", {"attends_throughout": True}))
    add(Step(chair, "MeetFamily", {"note": "Explained how the meeting will run."}))
    add(Step(chair, "AdvancePhase"))
    # Opening.
    for item in OpeningItem:
        add(Step(chair, "CoverOpeningItem", {"item": item.value}))
    add(Step(chair, "AdvancePhase"))
    # Agency contributions, in order.
    for role in authors:
        add(Step(chair, "CallSpeaker"))
        for item in items_by_role.get(role, [])[:1]:
            add(Step(role, "ShareItem", {"item_id": item, "child_id": children[0]["id"]}))
        add(
            Step(
                role,
                "StateImpact",
                {
                    "child_id": children[0]["id"],
                    "text": f"{first_child} is frightened and unsettled.",
                },
            )
        )
    add(Step(authors[-1], "FinishContribution"))
    add(Step(chair, "AdvancePhase"))
    # Family views.
    if Role.PARENT.value in seated:
        add(
            Step(
                Role.PARENT.value,
                "GiveView",
                {"voice": "parent", "text": "We want to work with everyone."},
            )
        )
    if Role.CHILDS_ADVOCATE.value in seated:
        add(
            Step(
                Role.CHILDS_ADVOCATE.value,
                "GiveView",
                {
                    "voice": "child",
                    "child_id": children[0]["id"],
                    "text": f"{first_child} wants to feel safe.",
                },
            )
        )
    add(Step(chair, "AdvancePhase"))
    # Summary.
    add(Step(chair, "GiveSummary", {"text": "Agencies share serious worries about the injuries."}))
    add(Step(chair, "AdvancePhase"))
    # Recommendations: sealed ballots, reveal.
    verdicts = verdicts or {}
    for role in voting:
        for child in children:
            verdict = verdicts.get(child["id"], DEFAULT_VERDICT)
            add(
                Step(
                    role,
                    "CastVote",
                    {
                        "child_id": child["id"],
                        "level_of_need": verdict.level_of_need,
                        "threshold_met": verdict.threshold_met,
                        "primary_category": verdict.primary_category,
                        "other_categories": list(verdict.other_categories),
                        "rationale": "Based on what was shared.",
                    },
                )
            )
    add(Step(chair, "RevealVotes"))
    add(Step(chair, "AdvancePhase"))
    # Decision per child.
    any_plan = False
    for child in children:
        verdict = verdicts.get(child["id"], DEFAULT_VERDICT)
        plan = verdict.outcome == PlanOutcome.CHILD_PROTECTION_PLAN.value
        any_plan = any_plan or plan
        add(
            Step(
                chair,
                "RecordDecision",
                {
                    "child_id": child["id"],
                    "outcome": verdict.outcome,
                    "category": verdict.primary_category if plan else None,
                    "other_categories": list(verdict.other_categories) if plan else [],
                    "rationale": "The conference agreed on the evidence shared.",
                },
            )
        )
    add(Step(chair, "AdvancePhase"))
    # Outline plan.
    if any_plan:
        core = sorted(
            {Role.LEAD_SOCIAL_WORKER.value, *[r for r in authors if r != Role.POLICE.value][:3]}
            | ({Role.PARENT.value} if Role.PARENT.value in seated else set())
        )
        add(
            Step(
                chair,
                "SetPlan",
                {
                    "lead_social_worker": Role.LEAD_SOCIAL_WORKER.value,
                    "core_group": core,
                    "other_members": [],
                    "first_core_group_on": view["first_core_group_deadline"],
                    "contingency": "If the plan is not working, the lead social worker calls a strategy discussion.",
                },
            )
        )
        add(
            Step(
                chair,
                "AddPlanRow",
                {
                    "row": {
                        "row_id": "row-1",
                        "child_id": children[0]["id"],
                        "what": f"{first_child} is safe at home",
                        "how": "Weekly visits and a parenting programme",
                        "who": "Lead social worker",
                        "how_we_will_know": "No new injuries; school attendance",
                        "review": "At each core group",
                    }
                },
            )
        )
    add(Step(chair, "AdvancePhase"))
    return steps


FINAL_PHASE = Phase.CLOSED.value
