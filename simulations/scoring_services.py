"""Score conference rooms against the procedures, and re-score stored ones.

The pure engine (``simulations.engine.scoring``) judges a conference record;
this module gathers what it needs from the database and keeps the result:

- the state, rebuilt from the room's event log (never from a snapshot, so a
  re-score reads exactly what happened);
- the scenario revision the room was opened from, rendered for the seminar
  date so that quoted pack texts carry names, not placeholders;
- the strategy discussion (or transfer notice) date from the scenario's key
  dates, counted in Jersey working days, and Jersey's public holidays;
- a rule set from :data:`RULE_SETS`, checked when it is loaded: every rule
  known to the engine and every citation resolving to a paragraph in force
  on the conference date. A rule set that fails is refused with its
  problems listed, never used to produce a silently wrong score.

Each score is a :class:`~simulations.models.RoomScore` row keyed by (room,
rule set version, last event), so scoring the same record twice returns the
stored row and a new rule set adds a row beside the old ones.

A room is scored when it reaches the closed phase
(:func:`room_score_if_closed`, called after the command that closes it
commits) and on demand by ``manage.py rescore`` (:func:`rescore_rooms`).
This module does not import ``simulations.services`` at load time, so
``services`` can import it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from types import MappingProxyType
from typing import Any, Final
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from assessments import competency_services
from content.citations import CitationError, citation_exists, parse_key
from content.guidance_selectors import document_versions, version_in_force
from content.models import GuidanceDocumentPage
from scenarios.selectors import scenario_casefile
from simulations.engine.calendar import is_working_day
from simulations.engine.casefile import Scenario as Casefile
from simulations.engine.casefile import render_scenario, resolve_offset
from simulations.engine.events import Event, event_from_dict
from simulations.engine.ruleset import (
    DEFAULT_RULE_SET,
    DEFAULT_RULE_SET_DATA,
    RuleSetError,
    ruleset_citations,
    ruleset_from_dict,
    unresolved_citations,
)
from simulations.engine.scoring import RuleSet, ScoreCard, score_events
from simulations.engine.state import ConferenceSetup, DecodeError, Phase
from simulations.models import Room, RoomEvent, RoomScore
from simulations.scoring_selectors import scenario_at_revision

logger = logging.getLogger(__name__)

RULE_SETS: Final[Mapping[str, Mapping[str, Any]]] = MappingProxyType(
    {str(data["version"]): data for data in (DEFAULT_RULE_SET_DATA,)}
)
"""Every rule set a room can be scored against, by version, as data.

Add a version by adding its data here (the shape ``ruleset_from_dict``
reads); never change a released version's data: re-score with a new one.
"""


class UnknownRuleSet(LookupError):
    """Raise when no rule set has the version asked for."""

    def __init__(self, version: str) -> None:
        self.version = version
        known = ", ".join(sorted(RULE_SETS))
        super().__init__(f"There is no rule set {version!r}. Known versions: {known}.")


class RoomScoreRefused(Exception):
    """A room that cannot be scored as asked; ``message`` says why, for people."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def ruleset_get(version: str, *, on: date | None = None) -> RuleSet:
    """Return rule set ``version``, checked; raise UnknownRuleSet or RuleSetError.

    :param on: the date citations must resolve on (default: today).
    """
    data = RULE_SETS.get(version)
    if data is None:
        raise UnknownRuleSet(version)
    return ruleset_from_dict(data, citation_exists=partial(_citation_exists, on=on))


def _citation_exists(key: str, *, on: date | None) -> bool:
    return citation_exists(key, on=on)


# ---------------------------------------------------------------------------
# What a score needs besides the events, memoised across a re-score run
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Inputs:
    casefile: Casefile
    revision_id: int | None
    strategy_discussion_on: date | None
    transfer_notified_on: date | None
    holidays: frozenset[date]


@dataclass
class ScoringMemo:
    """Inputs shared by many rooms: one per scenario revision, date or rule set.

    ``rescore_rooms`` passes one memo to every room it scores, so a thousand
    rooms on one scenario render its case file once.
    """

    inputs: dict[tuple[int, int | None, date], _Inputs] = field(default_factory=dict)
    holidays: dict[date, frozenset[date]] = field(default_factory=dict)
    unresolved: dict[tuple[str, date], tuple[str, ...]] = field(default_factory=dict)
    guidance: dict[tuple[str, date], str] = field(default_factory=dict)
    rulesets: dict[str, RuleSet] = field(default_factory=dict)

    def holidays_around(self, day: date) -> frozenset[date]:
        found = self.holidays.get(day)
        if found is None:
            from simulations.services import jersey_holidays  # services imports this module

            found = self.holidays[day] = jersey_holidays(day)
        return found

    def unresolved_on(self, ruleset: RuleSet, day: date) -> tuple[str, ...]:
        key = (ruleset.version, day)
        if key not in self.unresolved:
            self.unresolved[key] = unresolved_citations(ruleset, partial(_citation_exists, on=day))
        return self.unresolved[key]

    def guidance_on(self, ruleset: RuleSet, day: date) -> str:
        key = (ruleset.version, day)
        if key not in self.guidance:
            self.guidance[key] = guidance_versions_note(ruleset, on=day)
        return self.guidance[key]

    def inputs_for(self, room: Room) -> _Inputs:
        day = room.seminar.date
        key = (room.scenario_id, room.scenario_revision_id, day)
        found = self.inputs.get(key)
        if found is None:
            found = self.inputs[key] = _scoring_inputs(room, self.holidays_around(day))
        return found


def guidance_versions_note(ruleset: RuleSet, *, on: date) -> str:
    """Return which version of each cited guidance document was in force ``on``.

    The note reads ``"procedures-summary@2025-09-01"`` (several joined by
    ``"; "``); documents with no version in force on that date are left out,
    so the note is empty when no guidance has been imported.
    """
    slugs = set()
    for key in ruleset_citations(ruleset):
        try:
            scheme, slug, _ = parse_key(key)
        except CitationError:
            continue
        if scheme == "guidance":
            slugs.add(slug)
    notes = []
    for document in GuidanceDocumentPage.objects.live().filter(slug__in=slugs).order_by("slug"):
        version = version_in_force(document_versions(document), on)
        if version is not None:
            notes.append(f"{document.slug}@{version.effective_from.isoformat()}")
    return "; ".join(notes)


def _scoring_inputs(room: Room, holidays: frozenset[date]) -> _Inputs:
    day = room.seminar.date
    scenario, revision_id = scenario_at_revision(room=room)
    try:
        raw = scenario_casefile(scenario=scenario)
        casefile = render_scenario(raw, seminar_date=day)
    except (KeyError, ValueError) as error:
        raise RoomScoreRefused(
            f"The scenario {scenario.slug!r} could not be read for scoring: {error}"
        ) from error

    def key_date(key_id: str) -> date | None:
        key = next((k for k in raw.key_dates if k.id == key_id), None)
        if key is None:
            return None
        try:
            return resolve_offset(
                raw,
                key.offset,
                seminar_date=day,
                is_working_day=lambda d: is_working_day(d, holidays),
            )
        except ValueError:  # an anchor with no date of birth: the rule says not assessable
            return None

    return _Inputs(
        casefile=casefile,
        revision_id=revision_id,
        strategy_discussion_on=key_date("strategy_discussion"),
        transfer_notified_on=key_date("transfer_notified"),
        holidays=holidays,
    )


def _room_events(room: Room) -> tuple[ConferenceSetup, list[Event]]:
    """Return the room's setup and its whole event log; refuse a damaged log."""
    rows = list(
        RoomEvent.objects.filter(room=room, seq__lte=room.seq)
        .order_by("seq")
        .values_list("seq", "data")
    )
    if [seq for seq, _ in rows] != list(range(1, room.seq + 1)):
        raise RoomScoreRefused(
            f"The event log of room {room.name!r} has gaps ({len(rows)} of {room.seq} events "
            "stored), so it cannot be scored."
        )
    try:
        setup = ConferenceSetup.from_dict(room.setup)
        events = [event_from_dict(data) for _, data in rows]
    except DecodeError as error:
        raise RoomScoreRefused(
            f"The record of room {room.name!r} cannot be read, so it cannot be scored: {error}"
        ) from error
    return setup, events


def _totals(card: ScoreCard) -> dict[str, Any]:
    return {
        "room": {"points": card.room_total.points, "max_points": card.room_total.max_points},
        "roles": {
            role.value: {"points": total.points, "max_points": total.max_points}
            for role, total in card.role_totals.items()
        },
    }


# ---------------------------------------------------------------------------
# Scoring
# ---------------------------------------------------------------------------


def room_score(
    *,
    room: Room,
    ruleset: RuleSet = DEFAULT_RULE_SET,
    force: bool = False,
    memo: ScoringMemo | None = None,
) -> RoomScore:
    """Score ``room``'s record up to ``room.seq`` against ``ruleset``; return the stored score.

    A record already scored against this rule set version is not scored
    again: the stored row is returned (``force`` scores it afresh and
    replaces that row). Raise RoomScoreRefused when the room cannot be
    scored honestly: a citation of the rule set does not resolve on the
    conference date, the event log is damaged or the scenario is unreadable.
    A room abandoned part-way is scored: the steps it never reached are
    "not assessable".
    """
    memo = memo or ScoringMemo()
    existing = RoomScore.objects.filter(
        room=room, rule_set_version=ruleset.version, seq=room.seq
    ).first()
    if existing is not None and not force:
        return existing
    day = room.seminar.date
    unresolved = memo.unresolved_on(ruleset, day)
    if unresolved:
        raise RoomScoreRefused(
            f"Rule set {ruleset.version} cites paragraphs that do not resolve on "
            f"{day:%-d %B %Y}: {', '.join(unresolved)}. Import the guidance in force then, "
            "or score against another rule set."
        )
    inputs = memo.inputs_for(room)
    setup, events = _room_events(room)
    card = score_events(
        setup=setup,
        events=events,
        casefile=inputs.casefile,
        ruleset=ruleset,
        strategy_discussion_on=inputs.strategy_discussion_on,
        transfer_notified_on=inputs.transfer_notified_on,
        holidays=inputs.holidays,
        local_tz=ZoneInfo(settings.TIME_ZONE),
    )
    values = {
        "phase": room.phase,
        "scenario_revision_id": inputs.revision_id,
        "guidance_version": memo.guidance_on(ruleset, day),
        "scorecard": card.to_dict(),
        "totals": _totals(card),
    }
    with transaction.atomic():
        if existing is not None:
            for name, value in values.items():
                setattr(existing, name, value)
            existing.scored_at = timezone.now()
            existing.save(update_fields=[*values, "scored_at"])
            return existing
        score, _ = RoomScore.objects.get_or_create(
            room=room, rule_set_version=ruleset.version, seq=room.seq, defaults=values
        )
    return score


def room_score_if_closed(room_id: int) -> RoomScore | None:
    """Score room ``room_id`` if it has reached the closed phase; never raise.

    Call it after the command that closes a room has committed. A room that
    cannot be scored is logged and left unscored: the trainer's scorecard
    and debrief pages say so and offer to score it again.
    """
    room = Room.objects.select_related("seminar", "scenario").filter(pk=room_id).first()
    if room is None or room.phase != Phase.CLOSED.value:
        return None
    try:
        score = room_score(room=room)
    except (RoomScoreRefused, RuleSetError) as error:
        logger.warning("Room %s was not scored: %s", room_id, error)
        return None
    except Exception:
        logger.exception("Scoring room %s failed", room_id)
        return None
    try:
        room_evidence_record(room=room, score=score)
    except Exception:
        logger.exception("Recording competency evidence for room %s failed", room_id)
    return score


def room_evidence_record(*, room: Room, score: RoomScore) -> None:
    """Record attendance and the conference played for each delegate seated.

    A seat covered by the trainer is nobody's evidence. Each delegate's
    evidence cites the rules that judged their role, and the room's own.
    """
    seminar = room.seminar
    roles = score.totals.get("roles", {})
    for seat in room.seats.filter(user__isnull=False, covered_by_trainer=False).select_related(
        "user"
    ):
        competency_services.seminar_attendance_record(
            user=seat.user,
            seminar_id=seminar.pk,
            title=seminar.title,
            cohort=seminar.cohort,
            on=seminar.date,
            recorded_by=seminar.trainer,
        )
        total = roles.get(seat.role, {})
        rule_ids = sorted(
            {
                str(finding["rule_id"])
                for finding in score.scorecard.get("findings", [])
                if finding.get("subject", {}).get("id")
                in {seat.role, score.scorecard.get("room_id")}
                or finding.get("subject", {}).get("kind") != "role"
            }
        )
        competency_services.conference_evidence_record(
            user=seat.user,
            room_id=room.pk,
            seminar_title=seminar.title,
            on=seminar.date,
            role=seat.role,
            points=int(total.get("points", 0)),
            max_points=int(total.get("max_points", 0)),
            rule_ids=rule_ids,
            rule_set_version=score.rule_set_version,
        )


# ---------------------------------------------------------------------------
# Re-scoring
# ---------------------------------------------------------------------------


@dataclass
class RescoreReport:
    """What a re-score run did: counts, and each refused room with why."""

    total: int = 0
    scored: int = 0
    unchanged: int = 0
    not_closed: int = 0
    workers: int = 1
    refused: list[tuple[int, str]] = field(default_factory=list)


_CHUNK = 10  # rooms per task for a worker process: small, so progress stays smooth


def rescore_rooms(
    *,
    since: date | None = None,
    ruleset_version: str = DEFAULT_RULE_SET.version,
    progress: Callable[[int, int], None] | None = None,
    force: bool = False,
    workers: int = 1,
) -> RescoreReport:
    """Score every stored conference (held on or after ``since``) against a rule set.

    Rooms with at least one event are scored from their event logs; a room
    already scored against this version at its last event counts as
    unchanged (``force`` scores it again). Rooms that never closed are
    scored too, with "not assessable" findings for the steps they never
    reached. Raise UnknownRuleSet or RuleSetError before scoring anything
    if the rule set cannot be loaded; a room that cannot be scored is
    listed in the report and the run goes on.

    :param progress: called as ``progress(done, total)`` as rooms finish.
    :param workers: processes to score in. More than one needs a database
        other processes can read (not SQLite in memory) and no open
        transaction; otherwise the rooms are scored here, one by one.
    """
    ruleset = ruleset_get(ruleset_version)
    rooms = Room.objects.filter(seq__gt=0)
    if since is not None:
        rooms = rooms.filter(seminar__date__gte=since)
    rows = list(rooms.order_by("pk").values_list("pk", "seq", "phase"))
    already = set(
        RoomScore.objects.filter(rule_set_version=ruleset.version, room__in=rooms)
        .values_list("room_id", "seq")
        .iterator()
    )
    report = RescoreReport(total=len(rows))
    report.not_closed = sum(1 for _, _, phase in rows if phase != Phase.CLOSED.value)
    todo = [pk for pk, seq, _ in rows if force or (pk, seq) not in already]
    report.unchanged = report.total - len(todo)
    done = report.unchanged
    if progress is not None:
        progress(done, report.total)
    report.workers = workers if workers > 1 and _workers_can_connect() else 1
    chunks = [todo[start : start + _CHUNK] for start in range(0, len(todo), _CHUNK)]
    for count, refused in _score_chunks(chunks, ruleset.version, force, report.workers):
        report.scored += count - len(refused)
        report.refused.extend(refused)
        done += count
        if progress is not None:
            progress(done, report.total)
    return report


def _workers_can_connect() -> bool:
    """Return whether other processes would see this process's rooms."""
    from django.db import connection

    if connection.in_atomic_block:
        return False
    return not (connection.vendor == "sqlite" and connection.is_in_memory_db())  # type: ignore[attr-defined]  # SQLite's wrapper has it


type _Outcome = tuple[int, list[tuple[int, str]]]


def _score_chunks(
    chunks: list[list[int]], version: str, force: bool, workers: int
) -> Iterable[_Outcome]:
    if workers <= 1 or len(chunks) <= 1:
        memo = ScoringMemo()
        for chunk in chunks:
            yield _score_ids(chunk, version, force, memo)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    import django
    from django.db import connections

    # Each process opens its own connection: close this one (and a PostgreSQL
    # pool, whose sockets and threads must not cross a fork) before forking.
    for connection in connections.all(initialized_only=True):
        close_pool = getattr(connection, "close_pool", None)  # PostgreSQL only
        if callable(close_pool):
            close_pool()
    connections.close_all()
    # "fork" starts a worker in milliseconds with Django already loaded;
    # "spawn" (where there is no fork) imports it afresh. Either way the
    # initializer sets Django up before a task, and so this module with its
    # models, is unpickled in the worker.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=django.setup
    ) as pool:
        futures = [pool.submit(_worker_score, chunk, version, force) for chunk in chunks]
        for future in as_completed(futures):
            yield future.result()


_WORKER_MEMO: ScoringMemo | None = None


def _worker_score(room_ids: list[int], version: str, force: bool) -> _Outcome:
    global _WORKER_MEMO
    if _WORKER_MEMO is None:
        _WORKER_MEMO = ScoringMemo()
    return _score_ids(room_ids, version, force, _WORKER_MEMO)


def _score_ids(room_ids: list[int], version: str, force: bool, memo: ScoringMemo) -> _Outcome:
    """Score the rooms ``room_ids``; return how many were tried and which were refused."""
    ruleset = memo.rulesets.get(version)
    if ruleset is None:
        ruleset = memo.rulesets[version] = ruleset_get(version)
    refused: list[tuple[int, str]] = []
    rooms = Room.objects.filter(pk__in=room_ids).select_related("seminar", "scenario")
    for room in rooms.order_by("pk"):
        try:
            room_score(room=room, ruleset=ruleset, force=force, memo=memo)
        except RoomScoreRefused as error:
            refused.append((room.pk, error.message))
    return len(room_ids), refused
