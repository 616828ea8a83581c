"""Server-rendered panels of the live conference, for pages and sockets alike.

A room page, the trainer's console and the projector are made of panels:
elements with a stable id (``room-actions``, ``console-room-12``...) that
the browser swaps whole when the conference changes. The hub calls
:func:`render_panels` once per audience after each batch of events; the
views call :func:`render_panels_sync` to draw the same panels into the
first page, so a page works before its socket connects.

Everything a panel shows comes from ``conference.view_for(state, actor)``,
the engine's own filter of what a seat may see (sealed ballots, confidential
flags, exclusions), plus the room's scenario texts. Those texts need the
database, so they are loaded once per room and kept in memory
(:func:`room_context`); rendering a panel never queries.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from asgiref.sync import sync_to_async
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from scenarios.selectors import scenario_casefile
from simulations.engine import conference
from simulations.engine.casefile import Inject, render_scenario
from simulations.engine.commands import MESSAGES as REJECTION_MESSAGES
from simulations.engine.commands import (
    AddPlanRow,
    AdvancePhase,
    CallSpeaker,
    CastVote,
    Command,
    CoverOpeningItem,
    DecideParentAttendance,
    FinishContribution,
    FlagConfidential,
    GiveSummary,
    GiveView,
    GoBack,
    LowerHand,
    MeetFamily,
    OpenPack,
    OpenRevote,
    Pause,
    RaiseHand,
    ReadReport,
    RecordDecision,
    RecordDissent,
    RecordReportSharing,
    ReleaseInject,
    RemovePlanRow,
    Resume,
    RevealVotes,
    SetPlan,
    ShareItem,
    SkipPhase,
    StartExclusion,
    StateImpact,
    SubmitReport,
)
from simulations.engine.state import (
    Actor,
    ConferenceState,
    OpeningItem,
    Phase,
    PlanRow,
    Voice,
)
from simulations.engine.vocabulary import (
    CATEGORY_LABELS,
    LEVEL_LABELS,
    REPORT_AUTHORS,
    Category,
    ExclusionReason,
    LevelOfNeed,
    PlanOutcome,
    Provenance,
    ReportSection,
    Role,
)

P = Phase

# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------

PHASE_LABELS: Final[Mapping[Phase, str]] = {
    P.PRE_CONFERENCE: "Reports before the meeting",
    P.CHAIRS_PREPARATION: "The chair's preparation",
    P.OPENING: "Opening",
    P.AGENCY_CONTRIBUTIONS: "Agency contributions",
    P.FAMILY_VIEWS: "Views of the parents and child",
    P.EXCLUSION: "Exclusion for confidential information",
    P.SUMMARY: "The chair's summary",
    P.RECOMMENDATIONS: "Recommendations",
    P.DECISION: "Decision",
    P.OUTLINE_PLAN: "Outline plan",
    P.CLOSED: "Closed",
}

SECTION_LABELS: Final[Mapping[ReportSection, tuple[str, str]]] = {
    ReportSection.WORRIES: (
        "What are we worried about?",
        "Current harm, risks or concerns, and how they impact on the child.",
    ),
    ReportSection.WORKING_WELL: (
        "What's working well?",
        "Strengths and protective factors, now and in the past.",
    ),
    ReportSection.COMPLICATING_FACTORS: (
        "Complicating factors",
        "What makes the family's life and parenting harder?",
    ),
    ReportSection.VIEWS_OF_CHILD: (
        "Views of the child",
        "What has the child told you about their daily lived experience?",
    ),
    ReportSection.OBSERVATIONS_OF_CHILD: ("Observations of the child", ""),
    ReportSection.VIEWS_OF_PARENTS: ("Views of the parents, network and significant others", ""),
    ReportSection.NEXT_STEPS: (
        "What needs to happen and next steps",
        "What outcomes would show you there is enough safety?",
    ),
    ReportSection.VIEW_ON_PLANNING: (
        "Your view on child protection planning",
        "And the timescale for change.",
    ),
    ReportSection.VIEW_ON_THRESHOLD: (
        "Has the threshold for a child protection plan been met?",
        "Your view, with your reasons.",
    ),
    ReportSection.VIEW_ON_CATEGORY: (
        "Which category of risk applies?",
        "Physical, emotional or sexual abuse, or neglect.",
    ),
    ReportSection.SERVICE_SUPPORT: ("How can your service support?", ""),
}

PROVENANCE_LABELS: Final[Mapping[Provenance, tuple[str, str]]] = {
    Provenance.FACT: ("Fact", "Verifiable, first-hand information, such as a record."),
    Provenance.OBSERVATION: ("Observation", "What you saw or heard, without interpretation."),
    Provenance.ALLEGATION: ("Allegation", "A claim someone has made that is not verified."),
    Provenance.OPINION: ("Opinion", "Your professional judgement, labelled as such."),
}

OUTCOME_LABELS: Final[Mapping[PlanOutcome, str]] = {
    PlanOutcome.CHILD_PROTECTION_PLAN: "Child protection plan",
    PlanOutcome.CHILD_IN_NEED_PLAN: "Child in need plan",
    PlanOutcome.EARLY_HELP_PLAN: "Early help (wellbeing) plan",
    PlanOutcome.UNIVERSAL_SERVICES: "Universal services",
}

OPENING_LABELS: Final[Mapping[OpeningItem, str]] = {
    OpeningItem.INTRODUCTIONS: "Introductions",
    OpeningItem.GROUND_RULES: "Ground rules",
    OpeningItem.PURPOSE: "The purpose and process of the meeting",
    OpeningItem.CONFIDENTIALITY: "Confidentiality",
}

EXCLUSION_LABELS: Final[Mapping[ExclusionReason, str]] = {
    ExclusionReason.SAFETY: "Safety",
    ExclusionReason.SENSITIVITY: "Sensitivity",
    ExclusionReason.CONFIDENTIALITY: "Confidentiality",
    ExclusionReason.PREJUDICE_TO_CHILD: "Their presence would prejudice the child's welfare",
}

VOICE_LABELS: Final[Mapping[Voice, str]] = {
    Voice.PARENT: "The parents' views",
    Voice.CHILD: "The child's views",
}


@dataclass(frozen=True)
class AgendaStep:
    number: int
    title: str
    phases: tuple[Phase, ...]


AGENDA_STEPS: Final[tuple[AgendaStep, ...]] = (
    AgendaStep(1, "The chair reads the reports", (P.CHAIRS_PREPARATION,)),
    AgendaStep(2, "The chair plans for any exclusion or safety issues", (P.CHAIRS_PREPARATION,)),
    AgendaStep(3, "The chair, social worker and family consider the child's part", ()),
    AgendaStep(4, "The chair meets the family", (P.CHAIRS_PREPARATION,)),
    AgendaStep(5, "Opening: introductions, ground rules, process, confidentiality", (P.OPENING,)),
    AgendaStep(
        6, "Agencies share information and its impact on the child", (P.AGENCY_CONTRIBUTIONS,)
    ),
    AgendaStep(7, "Views of the parents, carers and child", (P.FAMILY_VIEWS,)),
    AgendaStep(8, "Exclusion for confidential information, if needed", (P.EXCLUSION,)),
    AgendaStep(9, "The chair summarises", (P.SUMMARY,)),
    AgendaStep(10, "Professionals recommend; the chair decides", (P.RECOMMENDATIONS, P.DECISION)),
    AgendaStep(11, "An outline plan", (P.OUTLINE_PLAN,)),
)
"""The eleven steps of the conference (procedures ref. 4.3; 003:595-606)."""

# Steps 1 to 4 are all the chair's preparation; step 3 happens with them.
_STEP_PHASES: Final[Mapping[int, tuple[Phase, ...]]] = {
    step.number: step.phases or (P.CHAIRS_PREPARATION,) for step in AGENDA_STEPS
}
PHASE_ORDER: Final[tuple[Phase, ...]] = tuple(Phase)


def phase_label(phase: str | Phase) -> str:
    return PHASE_LABELS[Phase(phase)]


def role_label(role: str | Role | None) -> str:
    return Role(role).label if role else ""


def current_step(phase: Phase) -> int:
    """Return the agenda step a phase belongs to (0 before the meeting, 12 after)."""
    if phase is P.PRE_CONFERENCE:
        return 0
    if phase is P.CLOSED:
        return 12
    return min(number for number, phases in _STEP_PHASES.items() if phase in phases)


# ---------------------------------------------------------------------------
# What a room needs from the database, once
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ItemText:
    """A pack item or inject, as the seminar sees it (placeholders filled)."""

    id: str
    text: str
    provenance: str = ""
    holder: Role | None = None  # whose pack; None for an inject
    first_hand: bool = True
    source: str = ""
    confidential: bool = False
    title: str = ""  # injects only

    @property
    def short(self) -> str:
        text = self.title or self.text
        return text if len(text) <= 90 else text[:88].rstrip() + "…"


@dataclass(frozen=True)
class RoomContext:
    room_id: int
    code: str
    name: str
    seminar_id: int
    seminar_title: str
    seminar_date: date
    scenario_title: str
    items: Mapping[str, ItemText]
    injects: tuple[Inject, ...]
    pack_order: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


_CONTEXTS: dict[int, RoomContext] = {}
_CONTEXTS_LOCK = threading.Lock()
_CONTEXTS_LIMIT = 500


def room_context_for(room: Any) -> RoomContext:
    """Return (and cache) the scenario texts ``room`` needs; queries on a miss."""
    with _CONTEXTS_LOCK:
        cached = _CONTEXTS.get(room.pk)
    if cached is not None:
        return cached
    seminar = room.seminar
    case = render_scenario(scenario_casefile(scenario=room.scenario), seminar_date=seminar.date)
    items: dict[str, ItemText] = {}
    order: dict[str, tuple[str, ...]] = {}
    for pack in case.role_packs:
        order[pack.role.value] = tuple(item.id for item in pack.items)
        for item in pack.items:
            items[item.id] = ItemText(
                id=item.id,
                text=item.text,
                provenance=item.provenance.value,
                holder=pack.role,
                first_hand=item.first_hand,
                source=item.source or "",
                confidential=item.confidential,
            )
    for inject in case.injects:
        items[inject.id] = ItemText(id=inject.id, text=inject.text, title=inject.title)
    context = RoomContext(
        room_id=room.pk,
        code=room.join_code,
        name=room.name,
        seminar_id=seminar.pk,
        seminar_title=seminar.title,
        seminar_date=seminar.date,
        scenario_title=case.title,
        items=items,
        injects=case.injects,
        pack_order=order,
    )
    with _CONTEXTS_LOCK:
        if len(_CONTEXTS) >= _CONTEXTS_LIMIT:
            _CONTEXTS.clear()
        _CONTEXTS[room.pk] = context
    return context


def room_context(room_id: int) -> RoomContext:
    """Return the cached context of room ``room_id``, loading it if needed."""
    with _CONTEXTS_LOCK:
        cached = _CONTEXTS.get(room_id)
    if cached is not None:
        return cached
    from simulations.models import Room

    room = Room.objects.select_related("seminar", "scenario").get(pk=room_id)
    return room_context_for(room)


def room_context_clear() -> None:
    with _CONTEXTS_LOCK:
        _CONTEXTS.clear()


# ---------------------------------------------------------------------------
# What the actor may do now: ask the engine's own tables
# ---------------------------------------------------------------------------

_PROBE_FIELDS: Final[Mapping[type[Command], Callable[[], dict[str, Any]]]] = {
    ReleaseInject: lambda: {"inject_id": ""},
    RecordReportSharing: lambda: {"shared_with_parents": True, "shared_with_child": True},
    FlagConfidential: lambda: {"item_id": ""},
    ReadReport: lambda: {"author": Role.GP},
    DecideParentAttendance: lambda: {"attends_throughout": True},
    CoverOpeningItem: lambda: {"item": OpeningItem.INTRODUCTIONS},
    ShareItem: lambda: {"item_id": ""},
    StateImpact: lambda: {"child_id": "", "text": ""},
    GiveView: lambda: {"voice": Voice.PARENT, "text": ""},
    StartExclusion: lambda: {"excluded": frozenset(), "reason": ExclusionReason.SAFETY},
    GiveSummary: lambda: {"text": ""},
    CastVote: lambda: {
        "child_id": "",
        "level_of_need": LevelOfNeed.UNIVERSAL,
        "threshold_met": False,
        "rationale": "",
    },
    RecordDecision: lambda: {
        "child_id": "",
        "outcome": PlanOutcome.CHILD_PROTECTION_PLAN,
        "rationale": "",
    },
    RecordDissent: lambda: {"child_id": "", "role": Role.GP, "reason": ""},
    SetPlan: lambda: {
        "lead_social_worker": Role.LEAD_SOCIAL_WORKER,
        "core_group": frozenset(),
        "first_core_group_on": date(2000, 1, 1),
        "contingency": "",
    },
    AddPlanRow: lambda: {
        "row": PlanRow(
            row_id="", child_id=None, what="", how="", who="", how_we_will_know="", review=""
        )
    },
    RemovePlanRow: lambda: {"row_id": ""},
}


def may(state: ConferenceState, actor: Actor, kind: type[Command], **fields: Any) -> bool:
    """Return whether ``actor`` could issue a ``kind`` command now.

    The engine decides for real; this asks the same tables (phase, pause,
    seat and role guards) so a form is offered only when it can succeed.
    """
    if state.paused and kind is not Resume:
        return False
    if kind not in conference.ALLOWED_IN_PHASE[state.phase]:
        return False
    probe_fields = {**_PROBE_FIELDS.get(kind, dict)(), **fields}
    probe = kind(command_id="probe", actor=actor, **probe_fields)
    return conference.permission_problem(actor, probe, state) is None


# ---------------------------------------------------------------------------
# Presenting a view
# ---------------------------------------------------------------------------


def _bar(label: str, count: int, total: int) -> dict[str, Any]:
    percent = round(100 * count / total) if total else 0
    return {
        "label": label,
        "count": count,
        "percent": percent,
        "width": 5 * round(percent / 5),  # a CSS class per 5%: no inline styles (CSP)
    }


def results_for(view: Mapping[str, Any], children: list[dict[str, str]]) -> dict[str, Any] | None:
    """Return the latest revealed round's recommendations, counted per child."""
    revealed = [rnd for rnd in view["rounds"] if rnd["revealed"]]
    if not revealed:
        return None
    rnd = revealed[-1]
    per_child = []
    for child in children:
        ballots = [b for b in rnd["ballots"] if b["child_id"] == child["id"]]
        total = len(ballots)
        levels = Counter(b["level_of_need"] for b in ballots)
        met = sum(1 for b in ballots if b["threshold_met"])
        primary = Counter(b["primary_category"] for b in ballots if b["primary_category"])
        others = Counter(c for b in ballots for c in b["other_categories"])
        per_child.append(
            {
                "child": child,
                "total": total,
                "levels": [_bar(LEVEL_LABELS[lv], levels[lv.value], total) for lv in LevelOfNeed],
                "threshold": [
                    _bar("Threshold met", met, total),
                    _bar("Threshold not met", total - met, total),
                ],
                "primary": [_bar(CATEGORY_LABELS[c], primary[c.value], total) for c in Category],
                "others": [_bar(CATEGORY_LABELS[c], others[c.value], total) for c in Category],
                "ballots": [
                    {
                        "role": role_label(b["role"]),
                        "level": LEVEL_LABELS[LevelOfNeed(b["level_of_need"])],
                        "threshold_met": b["threshold_met"],
                        "primary": CATEGORY_LABELS[Category(b["primary_category"])]
                        if b["primary_category"]
                        else "",
                        "others": [CATEGORY_LABELS[Category(c)] for c in b["other_categories"]],
                        "rationale": b["rationale"],
                    }
                    for b in sorted(ballots, key=lambda b: list(Role).index(Role(b["role"])))
                ],
            }
        )
    return {
        "round": rnd["number"],
        "rounds": len(view["rounds"]),
        "revote_open": not view["rounds"][-1]["revealed"],
        "children": per_child,
    }


def _agenda(state: ConferenceState) -> list[dict[str, Any]]:
    here = PHASE_ORDER.index(state.phase)
    excluded_ever = bool(state.exclusions)
    steps = []
    for step in AGENDA_STEPS:
        phases = _STEP_PHASES[step.number]
        if state.phase in phases:
            status = "current"
        elif max(PHASE_ORDER.index(p) for p in phases) < here:
            status = "skipped" if step.number == 8 and not excluded_ever else "done"
        else:
            status = "upcoming"
        steps.append({"number": step.number, "title": step.title, "status": status})
    return steps


def _move_label(phase: Phase, kind: type[Command]) -> str:
    target = conference.PHASE_TRANSITIONS.get((phase, kind))
    return PHASE_LABELS[target] if target else ""


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _voting(view: Mapping[str, Any], children: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Return who has recommended what in the current round, as the viewer may see."""
    voters = [Role(r) for r in view["seated_roles"] if Role(r).votes]
    current = view["rounds"][-1]
    voted = {(v["child_id"], v["role"]) for v in current["voted"]}
    return [
        {
            "child": child,
            "count": sum(1 for r in voters if (child["id"], r.value) in voted),
            "of": len(voters),
            "roles": [
                {"role": r.value, "label": r.label, "voted": (child["id"], r.value) in voted}
                for r in voters
            ],
            "waiting": [r.label for r in voters if (child["id"], r.value) not in voted],
        }
        for child in children
    ]


def panel_context(
    state: ConferenceState, actor: Actor, seq: int, room: RoomContext
) -> dict[str, Any]:
    """Return the template context of every panel ``actor`` sees."""
    view = conference.view_for(state, actor)
    role = actor.role
    console = actor.is_trainer and role is None
    children = [{"id": c["id"], "name": c["name"]} for c in view["children"]]
    child_names = {c["id"]: c["name"] for c in children}
    items = room.items

    def item(item_id: str) -> ItemText:
        return items.get(item_id) or ItemText(id=item_id, text=item_id)

    def can(kind: type[Command], **fields: Any) -> bool:
        return may(state, actor, kind, **fields)

    seated = [Role(r) for r in view["seated_roles"]]
    reports = view["reports"]
    my_report = reports.get(role.value) if role else None
    current_round = view["rounds"][-1]
    my_votes = {b["child_id"] for b in current_round["ballots"] if role and b["role"] == role}
    raised = [Role(r) for r in view["raised_hands"]]
    speaker = view["current_speaker"]
    last_entry = view["phase_history"][-1]
    phase = state.phase
    next_phase = conference.PHASE_TRANSITIONS.get((phase, AdvancePhase))
    exit_condition = conference.EXIT_CONDITIONS.get(phase)
    blocker = exit_condition(state) if exit_condition else None
    my_items = [item(i) for i in view["my_items"]]
    my_items.sort(key=lambda it: (it.holder is None, it.id))
    shared_mine = {s["item_id"] for s in view["shared_items"] if s["role"] == (role or "")}
    flagged_mine = {
        c["item_id"] for c in (my_report or {}).get("confidential", []) if role is not None
    }

    statements = list((my_report or {}).get("statements", []))
    blank_rows = 2 if statements else 3
    statement_rows = [{"index": i, **s, "blank": False} for i, s in enumerate(statements)] + [
        {
            "index": len(statements) + n,
            "text": "",
            "provenance": "",
            "second_hand": False,
            "source": "",
            "item_id": None,
            "blank": True,
        }
        for n in range(blank_rows)
    ]
    sections = (my_report or {}).get("sections", {})
    report_sections = [
        {
            "key": section.value,
            "label": SECTION_LABELS[section][0],
            "hint": SECTION_LABELS[section][1],
            "text": sections.get(section.value, ""),
        }
        for section in ReportSection
    ]

    authors = [r for r in seated if r in REPORT_AUTHORS]
    report_rows = []
    for author in authors:
        report = reports.get(author.value)
        submitted = bool(report and report["revision"])
        report_rows.append(
            {
                "role": author.value,
                "label": author.label,
                "submitted": submitted,
                "revision": report["revision"] if report else 0,
                "read": bool(
                    report and report["read_revision"] == report["revision"] and submitted
                ),
                "sections": [
                    {"label": SECTION_LABELS[s][0], "text": report["sections"].get(s.value, "")}
                    for s in ReportSection
                    if report and report["sections"].get(s.value, "").strip()
                ],
                "statements": [
                    {
                        **s,
                        "provenance_label": PROVENANCE_LABELS[Provenance(s["provenance"])][0],
                        "item": item(s["item_id"]) if s.get("item_id") else None,
                    }
                    for s in (report["statements"] if report else [])
                ],
                "shared_with_parents": report["shared_with_parents"] if report else None,
                "shared_with_child": report["shared_with_child"] if report else None,
                "reason_not_shared": report["reason_not_shared"] if report else "",
                "confidential": [
                    {"item": item(c["item_id"]), "note": c["note"]}
                    for c in (report or {}).get("confidential", [])
                ],
            }
        )

    plan = view["plan"]
    rows = plan["rows"]
    next_row = 1 + max(
        (int(r["row_id"].split("-")[-1]) for r in rows if r["row_id"].split("-")[-1].isdigit()),
        default=0,
    )
    core_candidates = [r for r in seated if r not in (Role.CHAIR, Role.OBSERVER)]
    decisions = view["decisions"]

    context: dict[str, Any] = {
        "room": room,
        "seq": seq,
        "view": view,
        "actor_role": role.value if role else "",
        "role_label": role.label if role else "",
        "console": console,
        "as_role": role.value if actor.is_trainer and role else "",
        "is_chair": role is Role.CHAIR,
        "is_observer": role is Role.OBSERVER,
        "phase": phase.value,
        "phase_label": PHASE_LABELS[phase],
        "step": current_step(phase),
        "phase_entry": len(view["phase_history"]),
        "agenda": _agenda(state),
        "paused": state.paused,
        "pause_reason": state.pause_reason,
        "excluded": view["excluded"],
        "phase_since": _time(last_entry["at"]),
        "speaker": speaker,
        "speaker_label": role_label(speaker),
        "is_speaker": role is not None and speaker == role.value,
        "raised_hands": [{"role": r.value, "label": r.label} for r in raised],
        "my_hand_raised": role in raised,
        "children": children,
        "child_names": child_names,
        "seated": [{"role": r.value, "label": r.label} for r in seated],
        "next_phase_label": PHASE_LABELS[next_phase] if next_phase else "",
        "skip_label": _move_label(phase, SkipPhase),
        "back_label": _move_label(phase, GoBack),
        "blocker": REJECTION_MESSAGES[blocker] if blocker else "",
        "report_deadline": date.fromisoformat(view["report_deadline"]),
        "conference_date": date.fromisoformat(view["conference_date"]),
        "first_core_group_deadline": date.fromisoformat(view["first_core_group_deadline"]),
        # Pre-conference.
        "pack_opened": role is not None and role.value in view["packs_opened"],
        "my_items": my_items,
        "shareable_items": [it for it in my_items if it.id not in shared_mine],
        "flaggable_items": [it for it in my_items if it.id not in flagged_mine],
        "my_report": my_report,
        "report_sections": report_sections,
        "statement_rows": statement_rows,
        "provenances": [
            {"value": p.value, "label": PROVENANCE_LABELS[p][0], "hint": PROVENANCE_LABELS[p][1]}
            for p in Provenance
        ],
        "report_rows": report_rows,
        "reports_in": sum(1 for r in report_rows if r["submitted"]),
        "parent_attendance": view["parent_attendance"],
        "family_met": bool(view["family_met_at"]),
        # The meeting.
        "opening_items": [
            {"value": o.value, "label": OPENING_LABELS[o], "done": o.value in view["opening_items"]}
            for o in OpeningItem
        ],
        "contribution_order": [
            {
                "role": r,
                "label": role_label(r),
                "done": r in view["contributed"],
                "speaking": r == speaker,
            }
            for r in view["contribution_order"]
        ],
        "shared_items": [
            {
                "key": f"shared-{s['role']}-{s['item_id']}",
                "role_label": role_label(s["role"]),
                "item": item(s["item_id"]),
                "child": child_names.get(s["child_id"] or "", ""),
                "phase_label": PHASE_LABELS[Phase(s["phase"])],
            }
            for s in view["shared_items"]
        ],
        "impacts": [
            {
                "key": f"impact-{n}",
                "role_label": role_label(i["role"]),
                "child": child_names.get(i["child_id"], ""),
                "text": i["text"],
            }
            for n, i in enumerate(view["impacts"])
        ],
        "views": [
            {
                "key": f"view-{n}",
                "role_label": role_label(v["role"]),
                "voice": VOICE_LABELS[Voice(v["voice"])],
                "child": child_names.get(v["child_id"] or "", ""),
                "text": v["text"],
            }
            for n, v in enumerate(view["views"])
        ],
        "voices": [
            {"value": v.value, "label": VOICE_LABELS[v]} for v in Voice if can(GiveView, voice=v)
        ],
        "exclusions": [
            {
                "roles": [role_label(r) for r in e["excluded"]],
                "reason": EXCLUSION_LABELS[ExclusionReason(e["reason"])],
                "note": e["note"],
                "ended": bool(e["ended_at"]),
            }
            for e in view["exclusions"]
        ],
        "exclusion_reasons": [
            {"value": r.value, "label": EXCLUSION_LABELS[r]} for r in ExclusionReason
        ],
        "excludable": [r for r in seated if r is not Role.CHAIR],
        "summary": view["summary"],
        # Recommendations and decision.
        "levels": [{"value": lv.value, "label": LEVEL_LABELS[lv]} for lv in LevelOfNeed],
        "categories": [{"value": c.value, "label": CATEGORY_LABELS[c]} for c in Category],
        "outcomes": [{"value": o.value, "label": OUTCOME_LABELS[o]} for o in PlanOutcome],
        "round": current_round["number"],
        "round_revealed": current_round["revealed"],
        "ballots_in_round": len(current_round["voted"]),
        "vote_children": [c for c in children if c["id"] not in my_votes],
        "voted_children": [c for c in children if c["id"] in my_votes],
        "my_ballots": [
            {
                "child": child_names.get(b["child_id"], ""),
                "level": LEVEL_LABELS[LevelOfNeed(b["level_of_need"])],
                "threshold_met": b["threshold_met"],
                "primary": CATEGORY_LABELS[Category(b["primary_category"])]
                if b["primary_category"]
                else "",
                "rationale": b["rationale"],
            }
            for b in current_round["ballots"]
            if role and b["role"] == role.value
        ],
        "voting": _voting(view, children),
        "results": results_for(view, children),
        "decisions": [
            {
                "child": child_names.get(child_id, child_id),
                "child_id": child_id,
                "outcome": OUTCOME_LABELS[PlanOutcome(d["outcome"])],
                "category": CATEGORY_LABELS[Category(d["category"])] if d["category"] else "",
                "others": [CATEGORY_LABELS[Category(c)] for c in d["other_categories"]],
                "rationale": d["rationale"],
                "after_round": d["after_round"],
            }
            for child_id, d in decisions.items()
        ],
        "undecided": [c for c in children if c["id"] not in decisions],
        "decided_children": [c for c in children if c["id"] in decisions],
        "dissents": [
            {
                "child": child_names.get(d["child_id"], ""),
                "role_label": role_label(d["role"]),
                "reason": d["reason"],
            }
            for d in view["dissents"]
        ],
        "dissenters": [r for r in seated if r.votes and r is not Role.CHAIR],
        # Outline plan.
        "plan": plan,
        "plan_lead": role_label(plan["lead_social_worker"]),
        "plan_core": [role_label(r) for r in plan["core_group"]],
        "plan_first": date.fromisoformat(plan["first_core_group_on"])
        if plan["first_core_group_on"]
        else None,
        "plan_rows": [{**r, "child": child_names.get(r["child_id"] or "", "")} for r in rows],
        "next_row_id": f"row-{next_row}",
        "core_candidates": [
            {"role": r.value, "label": r.label, "checked": r.value in plan["core_group"]}
            for r in core_candidates
        ],
        "lead_in_room": Role.LEAD_SOCIAL_WORKER in seated,
        # Injects.
        "my_injects": [
            {"item": item(i["inject_id"]), "to": role_label(i["to"]) or "Everyone"}
            for i in view["injects"]
        ],
        "injects": [
            {
                "id": inject.id,
                "title": inject.title,
                "audience": inject.audience.value if inject.audience else "",
                "audience_label": inject.audience.label if inject.audience else "Everyone",
                "suggested": inject.suggested_phase.value.replace("_", " "),
                "released_to": [
                    role_label(i["to"]) or "Everyone"
                    for i in view["injects"]
                    if i["inject_id"] == inject.id
                ],
            }
            for inject in room.injects
        ],
    }
    context["can"] = {
        "open_pack": can(OpenPack) and not context["pack_opened"],
        "report": can(SubmitReport),
        "sharing": can(RecordReportSharing),
        "flag": can(FlagConfidential) and bool(context["flaggable_items"]),
        "read_reports": can(ReadReport),
        "parent_attendance": can(DecideParentAttendance),
        "meet_family": can(MeetFamily) and not context["family_met"],
        "advance": can(AdvancePhase),
        "opening": can(CoverOpeningItem),
        "call_speaker": can(CallSpeaker),
        "finish": can(FinishContribution) and speaker is not None,
        "share": can(ShareItem) and bool(context["shareable_items"]),
        "impact": can(StateImpact),
        "raise_hand": can(RaiseHand) and role not in raised,
        "lower_hand": can(LowerHand) and role in raised,
        "lower_others": role is Role.CHAIR and can(LowerHand) and bool(raised),
        "view": bool(context["voices"]),
        "exclude": can(StartExclusion),
        "summary": can(GiveSummary),
        "vote": can(CastVote) and not current_round["revealed"],
        "reveal": can(RevealVotes)
        and not current_round["revealed"]
        and bool(current_round["voted"]),
        "revote": can(OpenRevote) and current_round["revealed"],
        "decide": can(RecordDecision),
        "dissent": bool(decisions)
        and role is not None
        and (
            can(RecordDissent, role=role)
            if role is not Role.CHAIR
            else can(RecordDissent, role=Role.GP)
        ),
        "plan": can(SetPlan),
        "plan_rows": can(AddPlanRow),
        "remove_rows": can(RemovePlanRow) and bool(rows),
        # Trainer's console.
        "pause": console and can(Pause),
        "resume": console and state.paused,
        "skip": console and can(SkipPhase),
        "back": console and can(GoBack),
        "release": console and can(ReleaseInject),
    }
    context["sees_votes"] = console or role is Role.CHAIR
    context["has_actions"] = any(
        value for key, value in context["can"].items() if key != "open_pack"
    )
    return context


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

ROOM_PANELS: Final[tuple[str, ...]] = (
    "room-status",
    "room-agenda",
    "room-actions",
    "room-results",
    "room-record",
    "room-injects",
)
"""The panels of a seat's room page, by element id."""


def _render(name: str, context: Mapping[str, Any]) -> SafeString:
    return mark_safe(render_to_string(name, dict(context)))  # noqa: S308 - templates autoescape  # nosec B308 B703


def render_panels_sync(
    state: ConferenceState, actor: Actor, seq: int, room: RoomContext
) -> dict[str, SafeString]:
    """Return every panel ``actor`` sees, by element id; never queries."""
    context = panel_context(state, actor, seq, room)
    if actor.is_trainer and actor.role is None:
        return {
            f"console-room-{room.room_id}": _render(
                "simulations/console_panels.html#console_room", context
            ),
            f"projector-{room.room_id}": _render(
                "simulations/console_panels.html#projector_room", context
            ),
        }
    return {
        panel_id: _render(f"simulations/room_panels.html#{panel_id.replace('-', '_')}", context)
        for panel_id in ROOM_PANELS
    }


def _render_plain(
    state: ConferenceState, actor: Actor, seq: int, room: RoomContext
) -> dict[str, str]:
    return dict(render_panels_sync(state, actor, seq, room))


async def render_panels(state: ConferenceState, actor: Actor, seq: int) -> dict[str, str]:
    """Render ``actor``'s panels for the hub (registered as ``hub.panel_renderer``).

    Rendering takes 10-15 ms per audience, so it runs in a worker thread
    rather than holding up the event loop (and every socket's heartbeat).
    """
    room_id = int(state.setup.room_id)
    with _CONTEXTS_LOCK:
        room = _CONTEXTS.get(room_id)
    if room is None:
        room = await sync_to_async(room_context)(room_id)
    return await sync_to_async(_render_plain, thread_sensitive=False)(state, actor, seq, room)
