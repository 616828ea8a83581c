"""Read-side of scoring: scorecards and the trainer's debrief, ready to render.

A stored score (``RoomScore.scorecard``) is the engine's ScoreCard as plain
JSON; this module turns it into what the pages show: findings grouped by
area with their verdicts, points, explanations and links to the paragraphs
they cite (resolved for the conference date, so a link opens the text that
was in force then); totals; group agreement and how views moved. The
debrief adds the conference replayed event by event, the answer key and
the votes of every round.

Nothing here writes. Permissions are the views' job; every function takes
what the caller may see (a role, or the whole room for its trainer).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import Revision

from content.citations import CitationError, parse_key, resolve_citation
from content.models import GuidanceDocumentPage
from scenarios.models import Scenario
from scenarios.selectors import scenario_casefile
from simulations.engine import conference
from simulations.engine.casefile import Scenario as Casefile
from simulations.engine.casefile import render_scenario, render_text
from simulations.engine.events import (
    ConfidentialItemFlagged,
    ContributionFinished,
    ContributionOrderSet,
    DecisionRecorded,
    DissentRecorded,
    Event,
    ExclusionEnded,
    ExclusionStarted,
    FamilyMet,
    HandLowered,
    HandRaised,
    ImpactStated,
    InjectReleased,
    ItemShared,
    OpeningItemCovered,
    PackOpened,
    ParentAttendanceDecided,
    Paused,
    PhaseChanged,
    PlanRowAdded,
    PlanRowRemoved,
    PlanSet,
    ReportRead,
    ReportSharingRecorded,
    ReportSubmitted,
    Resumed,
    RevoteOpened,
    SpeakerCalled,
    SummaryGiven,
    ViewGiven,
    VoteCast,
    VotesRevealed,
    event_from_dict,
)
from simulations.engine.rules import OPENING_LABELS, OUTCOME_LABELS, RULES
from simulations.engine.state import (
    Ballot,
    ConferenceSetup,
    ConferenceState,
    DecodeError,
    Phase,
    PhaseMove,
    Voice,
    new_conference,
)
from simulations.engine.vocabulary import (
    CATEGORY_LABELS,
    LEVEL_LABELS,
    Category,
    ExclusionReason,
    LevelOfNeed,
    PlanOutcome,
    Role,
)
from simulations.models import Room, RoomEvent, RoomScore, Seat

# ---------------------------------------------------------------------------
# Stored scores
# ---------------------------------------------------------------------------


def room_scores(*, room: Room) -> QuerySet[RoomScore]:
    """Return every score of ``room``, newest first."""
    return RoomScore.objects.filter(room=room).order_by("-scored_at", "-pk")


def room_score_latest(*, room: Room) -> RoomScore | None:
    """Return the room's most recent score, or None if it was never scored."""
    return room_scores(room=room).first()


def scenario_at_revision(*, room: Room) -> tuple[Scenario, int | None]:
    """Return the scenario as ``room`` was opened from it, and that revision's id.

    Fall back to the scenario as it is now (revision None) when the revision
    is gone, so a score can say it was not judged against the original.
    """
    if room.scenario_revision_id is not None:
        revision = Revision.objects.filter(
            pk=room.scenario_revision_id, object_id=str(room.scenario_id)
        ).first()
        if revision is not None:
            scenario = revision.as_object()
            if isinstance(scenario, Scenario):
                return scenario, revision.pk
    return room.scenario, None


def scenario_title(*, room: Room) -> str:
    """Return the room's scenario title with its placeholders filled in."""
    scenario, _ = scenario_at_revision(room=room)
    try:
        raw = scenario_casefile(scenario=scenario)
        return render_text(raw, raw.title, seminar_date=room.seminar.date)
    except (KeyError, ValueError):
        return scenario.title


def room_casefile(*, room: Room) -> Casefile:
    """Return the room's case file rendered for its seminar date."""
    scenario, _ = scenario_at_revision(room=room)
    return render_scenario(scenario_casefile(scenario=scenario), seminar_date=room.seminar.date)


# ---------------------------------------------------------------------------
# Words
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Area:
    key: str
    title: str
    description: str


AREAS: Final[tuple[Area, ...]] = (
    Area(
        "decision",
        "Decision",
        "Level of need, threshold and category: each recommendation and the decision recorded.",
    ),
    Area(
        "report",
        "Report",
        "The written report: on time, complete, each statement tagged and attributed.",
    ),
    Area(
        "sharing",
        "Sharing",
        "What reached the conference, with its impact on the child, and who saw the report.",
    ),
    Area(
        "process",
        "Process",
        "How the meeting ran: timescales, quorum, the order of business, voices heard.",
    ),
    Area(
        "plan",
        "Plan",
        "The outline plan: lead social worker, core group, dates, contingency and actions.",
    ),
    Area(
        "rule_set",
        "Rule set",
        "Rules this version of the scorer could not apply. They score nothing.",
    ),
)
_AREA_BY_KEY: Final = {area.key: area for area in AREAS}

_RULE_AREAS: Final[Mapping[int, str]] = {
    **dict.fromkeys((1, 2, 3, 4, 5, 6, 7, 8, 32), "decision"),
    **dict.fromkeys((9, 10, 11, 13, 14, 15, 16, 17), "report"),
    **dict.fromkeys((12, 18, 19, 20, 31), "sharing"),
    **dict.fromkeys(range(21, 31), "process"),
    **dict.fromkeys(range(33, 40), "plan"),
}
_RULE_NUMBER: Final = re.compile(r"^R(\d+)-")


def rule_area(rule_id: str) -> Area:
    """Return the area a rule belongs to; unknown rules go under "Rule set"."""
    match = _RULE_NUMBER.match(rule_id)
    key = _RULE_AREAS.get(int(match[1])) if match and rule_id in RULES else None
    return _AREA_BY_KEY[key or "rule_set"]


def rule_title(rule_id: str) -> str:
    rule = RULES.get(rule_id)
    return rule.title if rule is not None else f"Unknown rule {rule_id}"


PHASE_LABELS: Final[Mapping[Phase, str]] = {
    Phase.PRE_CONFERENCE: "Reports before the meeting",
    Phase.CHAIRS_PREPARATION: "The chair's preparation",
    Phase.OPENING: "Opening",
    Phase.AGENCY_CONTRIBUTIONS: "Agency contributions",
    Phase.FAMILY_VIEWS: "Views of the parents and child",
    Phase.EXCLUSION: "Exclusion for confidential information",
    Phase.SUMMARY: "The chair's summary",
    Phase.RECOMMENDATIONS: "Recommendations",
    Phase.DECISION: "Decision",
    Phase.OUTLINE_PLAN: "Outline plan",
    Phase.CLOSED: "Closed",
}
EXCLUSION_LABELS: Final[Mapping[ExclusionReason, str]] = {
    ExclusionReason.SAFETY: "safety",
    ExclusionReason.SENSITIVITY: "sensitivity",
    ExclusionReason.CONFIDENTIALITY: "confidentiality",
    ExclusionReason.PREJUDICE_TO_CHILD: "their presence would prejudice the child's welfare",
}

VERDICTS: Final[Mapping[str, tuple[str, str]]] = {
    # verdict: (label, GOV.UK tag modifier)
    "met": ("Met", "green"),
    "partly_met": ("Partly met", "yellow"),
    "not_met": ("Not met", "red"),
    "not_applicable": ("Does not apply", "grey"),
    "not_assessable": ("Not assessable", "orange"),
}


def role_label(value: str | None) -> str:
    try:
        return Role(value).label if value else ""
    except ValueError:
        return str(value)


def phase_label(value: str | Phase) -> str:
    try:
        return PHASE_LABELS[Phase(value)]
    except ValueError:
        return str(value)


def category_label(value: str | Category | None) -> str:
    if not value or value == "none":
        return "No category"
    try:
        return CATEGORY_LABELS[Category(value)]
    except ValueError:
        return str(value)


def level_label(value: str | LevelOfNeed) -> str:
    try:
        return LEVEL_LABELS[LevelOfNeed(value)]
    except ValueError:
        return str(value)


def _format_day(day: date) -> str:
    return f"{day:%-d %B %Y}"


# ---------------------------------------------------------------------------
# Citations
# ---------------------------------------------------------------------------

_PARAGRAPH: Final = re.compile(r"^para-(\d+)$")


@dataclass(frozen=True)
class CitationLink:
    """A finding's citation as a link, or why it has none."""

    key: str
    url: str
    title: str
    label: str
    quotation: str = ""
    found: bool = True


class CitationLinks:
    """Resolve citation keys for one date, each key once."""

    def __init__(self, on: date) -> None:
        self.on = on
        self._links: dict[str, CitationLink] = {}

    def __call__(self, keys: Iterable[str]) -> tuple[CitationLink, ...]:
        return tuple(self.link(key) for key in keys)

    def link(self, key: str) -> CitationLink:
        found = self._links.get(key)
        if found is None:
            found = self._links[key] = self._resolve(key)
        return found

    def _resolve(self, key: str) -> CitationLink:
        try:
            citation = resolve_citation(key, on=self.on)
        except CitationError:
            return CitationLink(
                key=key,
                url="",
                title=key,
                label=f"{key} (not found in the guidance in force on {_format_day(self.on)})",
                found=False,
            )
        try:
            anchor = parse_key(key)[2]
        except CitationError:  # pragma: no cover - resolved keys parse
            anchor = ""
        paragraph = _PARAGRAPH.match(anchor)
        label = f"Read paragraph {paragraph[1]}" if paragraph else f"Read {citation.title}"
        return CitationLink(
            key=key,
            url=citation.url,
            title=citation.title,
            label=label,
            quotation=citation.quotation,
        )


# ---------------------------------------------------------------------------
# Scorecards
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FindingView:
    rule_id: str
    title: str
    area: Area
    verdict: str
    verdict_label: str
    tag: str
    points: int
    max_points: int
    explanation: str
    about: str  # the child, or the role, the finding is about, when that helps
    citations: tuple[CitationLink, ...]
    evidence: tuple[str, ...]
    anchor: str = ""  # unique within a card: the rule, and the child if any

    @property
    def scored(self) -> bool:
        return self.max_points > 0

    @property
    def to_work_on(self) -> bool:
        return self.verdict in {"not_met", "partly_met"}


@dataclass(frozen=True)
class TotalView:
    points: int
    max_points: int
    counts: tuple[tuple[str, str, int], ...]  # (label, tag, count), non-zero only

    @property
    def percent(self) -> int | None:
        return round(100 * self.points / self.max_points) if self.max_points else None


@dataclass(frozen=True)
class AreaView:
    area: Area
    findings: tuple[FindingView, ...]
    total: TotalView


@dataclass(frozen=True)
class CardView:
    """Findings about one subject (a role, or the room and its children)."""

    key: str  # a role value, or "room"
    label: str
    person: str
    total: TotalView
    areas: tuple[AreaView, ...]

    @property
    def to_work_on(self) -> list[FindingView]:
        return [f for a in self.areas for f in a.findings if f.to_work_on]


def _total(findings: Sequence[Mapping[str, Any]] | Sequence[FindingView]) -> TotalView:
    verdicts: Counter[str] = Counter()
    points = max_points = 0
    for finding in findings:
        if isinstance(finding, FindingView):
            verdict, got, most = finding.verdict, finding.points, finding.max_points
        else:
            verdict, got, most = finding["verdict"], finding["points"], finding["max_points"]
        verdicts[verdict] += 1
        points += got
        max_points += most
    counts = tuple(
        (label, tag, verdicts[key]) for key, (label, tag) in VERDICTS.items() if verdicts[key]
    )
    return TotalView(points=points, max_points=max_points, counts=counts)


def _evidence(items: Iterable[Mapping[str, Any]]) -> tuple[str, ...]:
    return tuple(str(item.get("detail") or "") for item in items if item.get("detail"))


def _finding_view(
    data: Mapping[str, Any], links: CitationLinks, child_names: Mapping[str, str]
) -> FindingView:
    verdict = str(data.get("verdict", ""))
    label, tag = VERDICTS.get(verdict, (verdict, "grey"))
    subject = data.get("subject") or {}
    child_id = data.get("child_id") or (subject.get("id") if subject.get("kind") == "child" else "")
    about = child_names.get(child_id, child_id) if child_id else ""
    rule_id = str(data.get("rule_id", ""))
    return FindingView(
        rule_id=rule_id,
        title=rule_title(rule_id),
        area=rule_area(rule_id),
        verdict=verdict,
        verdict_label=label,
        tag=tag,
        points=int(data.get("points", 0)),
        max_points=int(data.get("max_points", 0)),
        explanation=str(data.get("explanation", "")),
        about=about,
        citations=links(data.get("citations") or ()),
        evidence=_evidence(data.get("evidence") or ()),
        anchor=re.sub(r"[^A-Za-z0-9_-]", "-", "-".join(filter(None, (rule_id, str(child_id))))),
    )


def _areas(findings: Iterable[FindingView]) -> tuple[AreaView, ...]:
    grouped: dict[str, list[FindingView]] = {}
    for finding in findings:
        grouped.setdefault(finding.area.key, []).append(finding)
    return tuple(
        AreaView(area=area, findings=tuple(grouped[area.key]), total=_total(grouped[area.key]))
        for area in AREAS
        if area.key in grouped
    )


def _seat_people(room: Room) -> dict[str, str]:
    people: dict[str, str] = {}
    for seat in Seat.objects.filter(room=room).select_related("user"):
        if seat.user is not None and seat.role != Role.OBSERVER.value:
            people[seat.role] = seat.user.display_name
        elif seat.covered_by_trainer:
            people[seat.role] = "Covered by the trainer"
    return people


def guidance_note(note: str) -> list[str]:
    """Return the guidance versions a score names, in words."""
    pairs = []
    for part in filter(None, (p.strip() for p in note.split(";"))):
        slug, _, day = part.partition("@")
        pairs.append((slug, day))
    titles = dict(
        GuidanceDocumentPage.objects.filter(slug__in=[slug for slug, _ in pairs]).values_list(
            "slug", "title"
        )
    )
    words = []
    for slug, day in pairs:
        try:
            when = _format_day(date.fromisoformat(day))
        except ValueError:
            when = day
        words.append(f"{titles.get(slug, slug)}, the version in force from {when}")
    return words


@dataclass(frozen=True)
class ScoreMeta:
    """What a score was judged against, for the top of every scorecard."""

    rule_set_version: str
    guidance: list[str]
    scored_at: datetime
    seq: int
    room_seq: int
    phase: str
    closed: bool
    revision_id: int | None
    room_revision_id: int | None

    @property
    def stale(self) -> bool:
        """Return whether the room has moved on since it was scored."""
        return self.seq < self.room_seq

    @property
    def other_revision(self) -> bool:
        return self.room_revision_id is not None and self.revision_id != self.room_revision_id


def score_meta(*, room: Room, score: RoomScore) -> ScoreMeta:
    return ScoreMeta(
        rule_set_version=score.rule_set_version,
        guidance=guidance_note(score.guidance_version),
        scored_at=score.scored_at,
        seq=score.seq,
        room_seq=room.seq,
        phase=phase_label(score.phase),
        closed=score.phase == Phase.CLOSED.value,
        revision_id=score.scenario_revision_id,
        room_revision_id=room.scenario_revision_id,
    )


def scorecard_context(
    *, room: Room, score: RoomScore, roles: Sequence[Role] | None, base_url: str = ""
) -> dict[str, Any]:
    """Return what a scorecard page shows.

    :param roles: the delegate's role (their findings only), or None for
        the trainer (every seated role).
    :param base_url: prefix for citation links (the site's address, for a
        PDF; empty on the web).
    """
    card = score.scorecard
    child_names = {child.id: child.name for child in ConferenceSetup.from_dict(room.setup).children}
    links = CitationLinks(room.seminar.date)
    views = [_finding_view(f, links, child_names) for f in card.get("findings", [])]
    people = _seat_people(room)
    seated = [Role(r) for r in card.get("role_totals", {}) if r in Role._value2member_map_]
    order = list(Role)
    wanted = sorted(seated if roles is None else roles, key=order.index)
    role_cards = []
    for role in wanted:
        mine = [
            view
            for view, data in zip(views, card.get("findings", []), strict=True)
            if data.get("subject") == {"kind": "role", "id": role.value}
        ]
        role_cards.append(
            CardView(
                key=role.value,
                label=role.label,
                person=people.get(role.value, ""),
                total=_total(mine),
                areas=_areas(mine),
            )
        )
    room_findings = [
        view
        for view, data in zip(views, card.get("findings", []), strict=True)
        if (data.get("subject") or {}).get("kind") in {"room", "child"}
    ]
    room_card = CardView(
        key="room",
        label="The conference",
        person="",
        total=_total(room_findings),
        areas=_areas(room_findings),
    )
    return {
        "room": room,
        "seminar": room.seminar,
        "score": score,
        "meta": score_meta(room=room, score=score),
        "role_cards": role_cards,
        "room_card": room_card,
        "agreement": agreement_view(card.get("agreement") or {}, child_names),
        "scenario_title": scenario_title(room=room),
        "decisions": _decisions(room, child_names),
        "base_url": base_url,
        "areas": AREAS,
    }


def _decisions(room: Room, child_names: Mapping[str, str]) -> list[dict[str, str]]:
    """Return each child's final decision from the record (the latest recorded)."""
    decisions: dict[str, dict[str, str]] = {}
    for data in (
        RoomEvent.objects.filter(room=room, kind="DecisionRecorded")
        .order_by("seq")
        .values_list("data", flat=True)
    ):
        child_id = str(data.get("child_id", ""))
        decisions[child_id] = {
            "child": child_names.get(child_id, child_id),
            "outcome": _outcome_label(data.get("outcome")).capitalize(),
            "category": category_label(data.get("category")) if data.get("category") else "",
        }
    return [decisions[c] for c in child_names if c in decisions] + [
        d for c, d in decisions.items() if c not in child_names
    ]


def _outcome_label(value: Any) -> str:
    """Return an outcome in words: "a child protection plan"."""
    try:
        return OUTCOME_LABELS[PlanOutcome(value)]
    except ValueError:
        return str(value)


# ---------------------------------------------------------------------------
# Agreement and movement
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class KappaView:
    what: str
    kappa: float | None
    band: str
    observed: float | None
    subjects: int
    ratings: int
    note: str


@dataclass(frozen=True)
class CountRow:
    label: str
    first: int
    final: int

    @property
    def change(self) -> int:
        return self.final - self.first


@dataclass(frozen=True)
class MovementView:
    child: str
    first_round: int
    final_round: int
    threshold: tuple[CountRow, ...]
    category: tuple[CountRow, ...]
    changed: tuple[tuple[str, str, str], ...]  # (role, before, after)


def _kappa_view(data: Mapping[str, Any], what: str) -> KappaView:
    from simulations.engine.agreement import UNDEFINED_MESSAGES, KappaUndefined, landis_koch

    kappa = data.get("kappa")
    undefined = data.get("undefined")
    note = ""
    if undefined:
        try:
            note = UNDEFINED_MESSAGES[KappaUndefined(undefined)]
        except ValueError:
            note = str(undefined)
    return KappaView(
        what=what,
        kappa=kappa,
        band=landis_koch(kappa) if kappa is not None else "not measured",
        observed=data.get("observed"),
        subjects=int(data.get("subjects") or 0),
        ratings=int(data.get("ratings") or 0),
        note=note,
    )


def _parts(ballot: Mapping[str, Any]) -> tuple[str, str, str]:
    threshold = "met" if ballot.get("threshold_met") else "not met"
    category = category_label(ballot.get("primary_category")).lower()
    return level_label(ballot.get("level_of_need", "")), f"threshold {threshold}", category


def _summary(ballot: Mapping[str, Any]) -> str:
    return "; ".join(_parts(ballot))


def _change(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, str]:
    """Return what changed between two recommendations: only the parts that differ."""
    pairs = [(b, a) for b, a in zip(_parts(before), _parts(after), strict=True) if b != a]
    return "; ".join(b for b, _ in pairs), "; ".join(a for _, a in pairs)


def agreement_view(data: Mapping[str, Any], child_names: Mapping[str, str]) -> dict[str, Any]:
    """Return kappa on threshold and category, and how views moved per child."""
    movement = []
    for child in data.get("movement") or ():
        child_id = child.get("child_id", "")
        threshold = tuple(
            CountRow(
                label="Threshold met" if key == "met" else "Threshold not met",
                first=int(child.get("first_threshold", {}).get(key, 0)),
                final=int(child.get("final_threshold", {}).get(key, 0)),
            )
            for key in ("met", "not_met")
        )
        categories = [*(c.value for c in Category), "none"]
        category = tuple(
            CountRow(
                label=category_label(key),
                first=int(child.get("first_category", {}).get(key, 0)),
                final=int(child.get("final_category", {}).get(key, 0)),
            )
            for key in categories
        )
        changed = tuple(
            (role_label(c.get("role")), *_change(c.get("before", {}), c.get("after", {})))
            for c in child.get("changed") or ()
        )
        movement.append(
            MovementView(
                child=child_names.get(child_id, child_id),
                first_round=int(child.get("first_round") or 0),
                final_round=int(child.get("final_round") or 0),
                threshold=threshold,
                category=category,
                changed=changed,
            )
        )
    kappa_threshold = _kappa_view(data.get("kappa_threshold") or {}, "Whether the threshold is met")
    kappa_category = _kappa_view(data.get("kappa_category") or {}, "The category")
    return {
        "threshold": kappa_threshold,
        "category": kappa_category,
        "kappas": (kappa_threshold, kappa_category),
        "interpretation": str(data.get("interpretation") or ""),
        "movement": movement,
        "moved": sum(len(m.changed) for m in movement),
    }


# ---------------------------------------------------------------------------
# The debrief: the conference replayed
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    step: int
    seq: int
    at: datetime
    new_day: bool
    phase: str
    new_phase: bool
    who: str
    person: str
    what: str
    kind: str


def _short(text: str, limit: int = 110) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


class _Describer:
    """Say in words what each event did, with names and pack texts filled in."""

    def __init__(self, setup: ConferenceSetup, casefile: Casefile | None) -> None:
        self.children = {child.id: child.name for child in setup.children}
        self.items: dict[str, str] = {}
        self.injects: dict[str, str] = {}
        if casefile is not None:
            for pack in casefile.role_packs:
                for item in pack.items:
                    self.items[item.id] = item.text
            for inject in casefile.injects:
                self.injects[inject.id] = inject.title
                self.items[inject.id] = inject.title

    def child(self, child_id: str | None) -> str:
        return self.children.get(child_id or "", child_id or "")

    def item(self, item_id: str) -> str:
        return f"“{_short(self.items[item_id], 90)}”" if item_id in self.items else item_id

    def __call__(self, event: Event) -> str:
        match event:
            case Paused():
                return (
                    f"Paused the meeting: {event.reason}" if event.reason else "Paused the meeting"
                )
            case Resumed():
                return "Resumed the meeting"
            case PhaseChanged() if event.to_phase is Phase.CLOSED:
                return "Closed the conference"
            case PhaseChanged():
                verb = {
                    PhaseMove.SKIP: "Skipped on to",
                    PhaseMove.BACK: "Went back to",
                    PhaseMove.EXCLUDE: "Started an exclusion:",
                }.get(event.move, "Moved on to")
                return f"{verb} {phase_label(event.to_phase).lower()}"
            case InjectReleased():
                to = role_label(event.to) if event.to else "everyone"
                return f"Released new information to {to}: {self.item(event.inject_id)}"
            case PackOpened():
                return "Opened their information pack"
            case ReportSubmitted():
                count = len(event.statements)
                verb = (
                    "Submitted"
                    if event.revision <= 1
                    else f"Resubmitted (version {event.revision})"
                )
                return (
                    f"{verb} their report, with {count} tagged statement{'s' if count != 1 else ''}"
                )
            case ReportSharingRecorded():
                parents = "shared" if event.shared_with_parents else "not shared"
                child = "shared" if event.shared_with_child else "not shared"
                reason = f" ({event.reason_not_shared})" if event.reason_not_shared else ""
                return f"Recorded their report as {parents} with the parents and {child} with the child{reason}"
            case ConfidentialItemFlagged():
                return f"Flagged to the chair as confidential: {self.item(event.item_id)}"
            case ReportRead():
                return f"Read the report of the {role_label(event.author).lower()}"
            case ParentAttendanceDecided():
                if event.attends_throughout:
                    return "Decided the parents attend throughout"
                return f"Decided the parents attend in part: {event.reason}"
            case FamilyMet():
                return "Met the family before the meeting"
            case OpeningItemCovered():
                return f"Covered {OPENING_LABELS[event.item]}"
            case ContributionOrderSet():
                return "Set the order of contributions: " + ", ".join(
                    role_label(r) for r in event.order
                )
            case SpeakerCalled():
                return f"Called the {role_label(event.role).lower()} to speak"
            case ContributionFinished():
                return f"The {role_label(event.role).lower()} finished their contribution"
            case ItemShared():
                about = f" about {self.child(event.child_id)}" if event.child_id else ""
                excluded = " (during an exclusion)" if event.withheld_from else ""
                return f"Shared{about}: {self.item(event.item_id)}{excluded}"
            case ImpactStated():
                return (
                    f"Said what it means for {self.child(event.child_id)}: “{_short(event.text)}”"
                )
            case HandRaised():
                return "Raised a hand"
            case HandLowered():
                return f"Lowered the {role_label(event.role).lower()}'s hand"
            case ViewGiven():
                if event.voice is Voice.CHILD:
                    whose = f"{self.child(event.child_id) or 'The child'}'s views"
                else:
                    whose = "The parents' views"
                return f"{whose}: “{_short(event.text)}”"
            case ExclusionStarted():
                names = ", ".join(role_label(r) for r in sorted(event.excluded))
                return f"Excluded {names} ({EXCLUSION_LABELS[event.reason]})"
            case ExclusionEnded():
                return "Ended the exclusion"
            case SummaryGiven():
                return f"Summarised: “{_short(event.text)}”"
            case VoteCast():
                return (
                    f"Recommended for {self.child(event.child_id)} (round {event.round}): "
                    + _summary(
                        {
                            "level_of_need": event.level_of_need,
                            "threshold_met": event.threshold_met,
                            "primary_category": event.primary_category,
                        }
                    )
                )
            case VotesRevealed():
                return f"Revealed the recommendations of round {event.round}"
            case RevoteOpened():
                return f"Opened round {event.round} of recommendations"
            case DecisionRecorded():
                category = f" ({category_label(event.category).lower()})" if event.category else ""
                return (
                    f"Decided for {self.child(event.child_id)}: "
                    f"{_outcome_label(event.outcome).lower()}{category}"
                )
            case DissentRecorded():
                return (
                    f"Recorded the {role_label(event.role).lower()}'s dissent about "
                    f"{self.child(event.child_id)}: “{_short(event.reason)}”"
                )
            case PlanSet():
                return (
                    f"Set the plan: core group of {len(event.core_group)}, first core group on "
                    f"{_format_day(event.first_core_group_on)}"
                )
            case PlanRowAdded():
                return f"Added a plan row: “{_short(event.row.what)}”"
            case PlanRowRemoved():
                return "Removed a plan row"
        words = re.sub(r"(?<!^)([A-Z])", r" \1", type(event).__name__).lower()
        return words[:1].upper() + words[1:]


def _who(event: Event) -> str:
    actor = event.actor
    if actor.is_trainer:
        return f"Trainer (as {role_label(actor.role).lower()})" if actor.role else "Trainer"
    return role_label(actor.role)


def record_summary(state: ConferenceState) -> list[tuple[str, str, str]]:
    """Return the record at one point, as (key, label, value) rows."""
    setup = state.setup
    authors = setup.report_authors
    submitted = [r for r in authors if (rep := state.reports.get(r)) is not None and rep.submitted]
    shared = sum(1 for r in authors if (rep := state.reports.get(r)) and rep.shared_with_parents)
    rnd = state.current_round
    voters = [r for r in setup.seated_roles if r.votes]
    voted = len({b.role for b in rnd.ballots})
    names = {child.id: child.name for child in setup.children}
    decisions = [
        f"{names.get(d.child_id, d.child_id)}: {_outcome_label(d.outcome).lower()}"
        + (f" ({category_label(d.category).lower()})" if d.category else "")
        for d in state.decisions.values()
    ]
    plan = state.plan
    if plan.set_at is None and not plan.rows:
        plan_text = "Not set"
    else:
        plan_text = (
            f"Core group of {len(plan.core_group)}; {len(plan.rows)} "
            f"row{'s' if len(plan.rows) != 1 else ''}"
            + ("; contingency recorded" if plan.contingency.strip() else "")
        )
    status = "revealed" if rnd.revealed else "sealed"
    return [
        ("phase", "Phase", phase_label(state.phase) + (" (paused)" if state.paused else "")),
        ("reports", "Reports submitted", f"{len(submitted)} of {len(authors)}"),
        ("shared_reports", "Reports shared with the parents", f"{shared} of {len(authors)}"),
        ("items", "Information shared", str(len(state.shared_items))),
        ("impacts", "Impact statements", str(len(state.impacts))),
        ("views", "Family views heard", str(len(state.views))),
        (
            "votes",
            "Recommendations",
            f"Round {rnd.number}: {voted} of {len(voters)} voted ({status})",
        ),
        ("decisions", "Decisions", "; ".join(decisions) or "None yet"),
        ("plan", "Plan", plan_text),
    ]


@dataclass
class Replay:
    """The conference, event by event, and the record after each one."""

    entries: list[TimelineEntry] = field(default_factory=list)
    states: list[dict[str, Any]] = field(default_factory=list)
    final: list[tuple[str, str, str]] = field(default_factory=list)
    state: ConferenceState | None = None
    problem: str = ""


def room_replay(*, room: Room, casefile: Casefile | None) -> Replay:
    """Replay ``room``'s event log; never raise on a damaged log (say so instead)."""
    setup = ConferenceSetup.from_dict(room.setup)
    state = new_conference(setup)
    describe = _Describer(setup, casefile)
    replay = Replay()
    if room.transcript_purged_at is not None:
        replay.problem = (
            f"The transcript of this conference was deleted on "
            f"{timezone.localtime(room.transcript_purged_at):%-d %B %Y} under the retention "
            "schedule. The scorecard and any evidence it produced are kept."
        )
        return replay
    replay.states.append(
        {"step": 0, "label": "Before anything happened", "rows": record_summary(state)}
    )
    rows = (
        RoomEvent.objects.filter(room=room, seq__lte=room.seq)
        .select_related("user")
        .order_by("seq")
    )
    previous_day: date | None = None
    previous_phase = ""
    for step, row in enumerate(rows, start=1):
        try:
            event = event_from_dict(row.data)
            state = conference.replay(state, (event,))
        except (DecodeError, ValueError, KeyError) as error:
            replay.problem = f"Event {row.seq} cannot be read ({error}); the replay stops there."
            break
        at = timezone.localtime(event.at)
        person = ""
        if row.user is not None and not event.actor.is_trainer:
            person = row.user.display_name
        phase = phase_label(state.log[-1].phase) if state.log else ""
        entry = TimelineEntry(
            step=step,
            seq=row.seq,
            at=at,
            new_day=at.date() != previous_day,
            phase=phase,
            new_phase=phase != previous_phase,
            who=_who(event),
            person=person,
            what=describe(event),
            kind=type(event).__name__,
        )
        previous_day, previous_phase = at.date(), phase
        replay.entries.append(entry)
        replay.states.append(
            {
                "step": step,
                "label": f"After event {step}: {at:%H:%M:%S}, {entry.who}",
                "rows": record_summary(state),
            }
        )
    replay.final = record_summary(state)
    replay.state = state
    return replay


# ---------------------------------------------------------------------------
# The debrief: answer keys and votes
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    total: int
    tone: str = ""  # "met" or "not-met" for the threshold bars

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0

    @property
    def width(self) -> int:
        """Return the bar's width in steps of 5% (a CSS class each: no inline styles)."""
        return 5 * round(self.percent / 5)


@dataclass(frozen=True)
class RoundChart:
    round: int
    revealed: bool
    child: str
    total: int
    levels: tuple[Bar, ...]
    threshold: tuple[Bar, ...]
    primary: tuple[Bar, ...]
    others: tuple[Bar, ...]
    ballots: tuple[dict[str, str], ...]


def _chart(number: int, revealed: bool, child: str, ballots: Sequence[Ballot]) -> RoundChart:
    total = len(ballots)
    levels = Counter(b.level_of_need for b in ballots)
    primary = Counter(b.primary_category for b in ballots)
    others = Counter(c for b in ballots for c in b.other_categories)
    met = sum(1 for b in ballots if b.threshold_met)
    order = list(Role)
    return RoundChart(
        round=number,
        revealed=revealed,
        child=child,
        total=total,
        levels=tuple(Bar(LEVEL_LABELS[lv], levels[lv], total) for lv in LevelOfNeed),
        threshold=(
            Bar("Met", met, total, "met"),
            Bar("Not met", total - met, total, "not-met"),
        ),
        primary=tuple(Bar(CATEGORY_LABELS[c], primary[c], total) for c in Category)
        + (Bar("No category", primary[None], total),),
        others=tuple(Bar(CATEGORY_LABELS[c], others[c], total) for c in Category),
        ballots=tuple(
            {
                "role": b.role.label,
                "summary": _summary(
                    {
                        "level_of_need": b.level_of_need,
                        "threshold_met": b.threshold_met,
                        "primary_category": b.primary_category,
                    }
                ),
                "others": ", ".join(CATEGORY_LABELS[c] for c in sorted(b.other_categories)),
                "rationale": b.rationale,
            }
            for b in sorted(ballots, key=lambda b: order.index(b.role))
        ),
    )


def vote_charts(state: ConferenceState) -> list[dict[str, Any]]:
    """Return, per child, a chart of every round of recommendations that had ballots."""
    names = {child.id: child.name for child in state.setup.children}
    per_child = []
    for child_id, name in names.items():
        rounds = [
            _chart(
                rnd.number, rnd.revealed, name, [b for b in rnd.ballots if b.child_id == child_id]
            )
            for rnd in state.rounds
            if any(b.child_id == child_id for b in rnd.ballots)
        ]
        per_child.append({"id": child_id, "name": name, "rounds": rounds})
    unknown = sorted({b.child_id for rnd in state.rounds for b in rnd.ballots} - set(names))
    for child_id in unknown:
        per_child.append(
            {
                "id": child_id,
                "name": f"{child_id} (not a child of this conference)",
                "rounds": [
                    _chart(
                        rnd.number,
                        rnd.revealed,
                        child_id,
                        [b for b in rnd.ballots if b.child_id == child_id],
                    )
                    for rnd in state.rounds
                    if any(b.child_id == child_id for b in rnd.ballots)
                ],
            }
        )
    return per_child


def answer_keys(
    *, casefile: Casefile, state: ConferenceState | None, links: CitationLinks
) -> list[dict[str, Any]]:
    """Return each child's answer key with its rationale, beside the decision recorded."""
    keys = []
    names = {child.id: child.given_name for child in casefile.household.children}
    for key in casefile.answer_keys:
        decision = state.decisions.get(key.child_id) if state is not None else None
        decided = ""
        matches = None
        if decision is not None:
            decided = _outcome_label(decision.outcome).capitalize()
            if decision.category:
                decided += f" ({category_label(decision.category).lower()})"
            # The case file has its own PlanOutcome enum: compare the values.
            matches = str(decision.outcome) == str(key.outcome) and str(
                decision.category or ""
            ) == str(key.primary_category or "")
        keys.append(
            {
                "child_id": key.child_id,
                "child": names.get(key.child_id, key.child_id),
                "level": LEVEL_LABELS[key.level_of_need],
                "threshold": "Met" if key.threshold_met else "Not met",
                "primary": category_label(key.primary_category),
                "secondary": [CATEGORY_LABELS[c] for c in key.acceptable_secondary_categories],
                "outcome": _outcome_label(key.outcome).capitalize(),
                "key_risks": key.key_risks,
                "strengths": key.strengths,
                "complicating_factors": key.complicating_factors,
                "expected_core_group": [r.label for r in key.expected_core_group],
                "expected_plan_elements": key.expected_plan_elements,
                "rationale": key.rationale,
                "citations": links(key.citations),
                "decided": decided,
                "matches": matches,
            }
        )
    return keys


def debrief_context(*, room: Room, score: RoomScore | None, base_url: str = "") -> dict[str, Any]:
    """Return what the trainer's debrief shows (the score, if any, adds totals and agreement)."""
    links = CitationLinks(room.seminar.date)
    try:
        casefile: Casefile | None = room_casefile(room=room)
    except (KeyError, ValueError):
        casefile = None
    replay = room_replay(room=room, casefile=casefile)
    child_names = {child.id: child.name for child in ConferenceSetup.from_dict(room.setup).children}
    context: dict[str, Any] = {
        "room": room,
        "seminar": room.seminar,
        "score": score,
        "replay": replay,
        "answer_keys": answer_keys(casefile=casefile, state=replay.state, links=links)
        if casefile is not None
        else [],
        "charts": vote_charts(replay.state) if replay.state is not None else [],
        "scenario_title": casefile.title if casefile is not None else scenario_title(room=room),
        "base_url": base_url,
    }
    if score is not None:
        scorecard = scorecard_context(room=room, score=score, roles=None, base_url=base_url)
        context.update(
            meta=scorecard["meta"],
            agreement=scorecard["agreement"],
            role_cards=scorecard["role_cards"],
            room_card=scorecard["room_card"],
        )
    else:
        context["agreement"] = None
    context["child_names"] = child_names
    return context
