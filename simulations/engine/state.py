"""Hold what a live conference knows: its setup, its state and their records.

The state machine in :mod:`simulations.engine.conference` folds events into a
:class:`ConferenceState`; the records in this module are the pieces of that
state and of the commands and events that carry them (a :class:`Statement`
travels in a report submission, a :class:`PlanRow` in a plan change). They
sit below commands and events so that all three share one definition.

Every record is a frozen, keyword-only dataclass built on :class:`Record`,
which gives it a JSON round trip (``to_dict``/``from_dict``) driven by its
type hints and turns mutable containers given to its constructor into
immutable ones (list to tuple, set to frozenset, dict to a read-only
mapping proxy). Nothing here mutates, reads a clock or does I/O.

Supported field types for the codec: ``str``, ``int``, ``bool``, ``None``,
``StrEnum`` subclasses, ``date``, ``datetime`` (ISO strings), nested records,
``X | None``, ``tuple[X, ...]``, ``frozenset[X]`` (sorted lists) and
``Mapping[K, V]`` with string-like keys (JSON objects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields, is_dataclass
from datetime import date, datetime
from enum import Enum, StrEnum
from types import MappingProxyType, NoneType, UnionType
from typing import Any, Self, Union, get_args, get_origin, get_type_hints

from simulations.engine.calendar import add_working_days
from simulations.engine.vocabulary import (
    Category,
    ConferenceType,
    ExclusionReason,
    LevelOfNeed,
    PlanOutcome,
    Provenance,
    ReportSection,
    Role,
    writes_report,
)

type JSONDict = dict[str, Any]

# ---------------------------------------------------------------------------
# The codec
# ---------------------------------------------------------------------------


class DecodeError(ValueError):
    """Raise when a JSON value does not describe the record asked for."""


@dataclass(frozen=True)
class _FieldSpec:
    name: str
    hint: Any
    required: bool
    immutable: type | None  # what a container field must hold, if it is one


_SPECS: dict[type, tuple[_FieldSpec, ...]] = {}  # a memo; classes never change


def _field_specs(cls: type) -> tuple[_FieldSpec, ...]:
    """Return the init fields of a dataclass with their resolved type hints."""
    specs = _SPECS.get(cls)
    if specs is None:
        specs = _SPECS[cls] = _resolve_specs(cls)
    return specs


def _resolve_specs(cls: type) -> tuple[_FieldSpec, ...]:
    if not is_dataclass(cls):
        msg = f"{cls.__name__} is not a dataclass"
        raise TypeError(msg)
    hints = get_type_hints(cls)
    return tuple(
        _FieldSpec(
            name=f.name,
            hint=hints[f.name],
            required=f.default is MISSING and f.default_factory is MISSING,
            immutable=_immutable_container(hints[f.name]),
        )
        for f in fields(cls)
        if f.init
    )


def _immutable_container(hint: Any) -> type | None:
    origin = get_origin(hint)
    if origin in (Union, UnionType):
        inner = [arg for arg in get_args(hint) if arg is not NoneType]
        return _immutable_container(inner[0]) if len(inner) == 1 else None
    return {tuple: tuple, frozenset: frozenset, Mapping: MappingProxyType}.get(origin)


class Record:
    """Give a frozen dataclass immutable containers and a JSON round trip."""

    __slots__ = ()

    def __post_init__(self) -> None:
        for spec in _field_specs(type(self)):
            if spec.immutable is None:
                continue
            value = getattr(self, spec.name)
            if value is not None and not isinstance(value, spec.immutable):
                object.__setattr__(self, spec.name, _freeze(spec.hint, value))

    def to_dict(self) -> JSONDict:
        """Return the record as plain JSON types."""
        return {spec.name: encode(getattr(self, spec.name)) for spec in _field_specs(type(self))}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Self:
        """Build the record from :meth:`to_dict` output; raise DecodeError."""
        kwargs = decode_fields(cls, data)
        try:
            return cls(**kwargs)
        except DecodeError:
            raise
        except (TypeError, ValueError) as error:  # a constructor's own checks
            msg = f"{cls.__name__}: {error}"
            raise DecodeError(msg) from error


def _freeze(hint: Any, value: Any) -> Any:
    """Return ``value`` with a mutable top-level container made immutable."""
    origin = get_origin(hint)
    if origin in (Union, UnionType):
        inner = [arg for arg in get_args(hint) if arg is not NoneType]
        return value if value is None or len(inner) != 1 else _freeze(inner[0], value)
    if origin is tuple and isinstance(value, list):
        return tuple(value)
    if origin is frozenset and isinstance(value, set | list | tuple):
        return frozenset(value)
    if origin is Mapping and not isinstance(value, MappingProxyType):
        value_hint = get_args(hint)[1]
        return MappingProxyType(
            {key: _freeze(value_hint, item) for key, item in dict(value).items()}
        )
    return value


def frozen_map[K, V](items: Mapping[K, V] | None = None) -> Mapping[K, V]:
    """Return a read-only mapping, the default for mapping fields."""
    return MappingProxyType(dict(items or {}))


def encode(value: object) -> Any:
    """Return ``value`` as plain JSON types (str, int, bool, list, ...)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, str):
        return value
    if isinstance(value, date):  # datetime is a date too
        return value.isoformat()
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, Mapping):
        return {str(encode(key)): encode(item) for key, item in value.items()}
    if isinstance(value, frozenset | set):
        return sorted((encode(item) for item in value), key=str)
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    msg = f"cannot encode {type(value).__name__}"
    raise TypeError(msg)


def decode_fields(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """Return constructor arguments for ``cls`` decoded from ``data``."""
    if not isinstance(data, Mapping):
        msg = f"{cls.__name__}: expected an object, got {type(data).__name__}"
        raise DecodeError(msg)
    specs = _field_specs(cls)
    known = {spec.name for spec in specs} | {"type"}
    unknown = sorted(set(data) - known)
    if unknown:
        msg = f"{cls.__name__}: unknown field(s) {', '.join(unknown)}"
        raise DecodeError(msg)
    kwargs: dict[str, Any] = {}
    for spec in specs:
        if spec.name in data:
            kwargs[spec.name] = decode(spec.hint, data[spec.name], spec.name)
        elif spec.required:
            msg = f"{cls.__name__}: missing field {spec.name}"
            raise DecodeError(msg)
    return kwargs


def decode(hint: Any, value: Any, path: str = "") -> Any:
    """Return ``value`` (plain JSON) converted to the type ``hint``."""
    origin = get_origin(hint)
    if origin in (Union, UnionType):
        if value is None and NoneType in get_args(hint):
            return None
        inner = [arg for arg in get_args(hint) if arg is not NoneType]
        if len(inner) != 1:
            msg = f"{path}: unsupported union {hint}"
            raise TypeError(msg)
        return decode(inner[0], value, path)
    if origin is tuple:
        args = get_args(hint)
        items = _expect(list, value, path)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(args[0], item, f"{path}[]") for item in items)
        if len(items) != len(args):
            msg = f"{path}: expected {len(args)} items"
            raise DecodeError(msg)
        return tuple(decode(a, item, f"{path}[]") for a, item in zip(args, items, strict=True))
    if origin is frozenset:
        (item_hint,) = get_args(hint)
        items = _expect(list, value, path)
        return frozenset(decode(item_hint, item, f"{path}[]") for item in items)
    if origin is Mapping:
        key_hint, value_hint = get_args(hint)
        pairs = _expect(dict, value, path)
        return MappingProxyType(
            {
                decode(key_hint, key, f"{path}.key"): decode(value_hint, item, f"{path}.{key}")
                for key, item in pairs.items()
            }
        )
    if not isinstance(hint, type):
        msg = f"{path}: unsupported type {hint}"
        raise TypeError(msg)
    return _decode_scalar(hint, value, path)


def _decode_scalar(hint: type, value: Any, path: str) -> Any:
    if issubclass(hint, Record):
        return hint.from_dict(_expect(dict, value, path))
    if issubclass(hint, Enum):
        try:
            return hint(_expect(str, value, path))
        except ValueError as error:
            msg = f"{path}: {value!r} is not a valid {hint.__name__}"
            raise DecodeError(msg) from error
    if hint is bool or hint is int or hint is str:
        return _expect(hint, value, path)
    if hint is datetime or hint is date:
        text = _expect(str, value, path)
        try:
            return hint.fromisoformat(text)
        except ValueError as error:
            msg = f"{path}: {text!r} is not an ISO {hint.__name__}"
            raise DecodeError(msg) from error
    msg = f"{path}: unsupported type {hint.__name__}"
    raise TypeError(msg)


def _expect[T](kind: type[T], value: Any, path: str) -> T:
    # bool is an int subclass; a JSON true must not pass as a number.
    matches = type(value) is int if kind is int else isinstance(value, kind)
    if not matches:
        msg = f"{path}: expected {kind.__name__}, got {type(value).__name__}"
        raise DecodeError(msg)
    return value  # type: ignore[no-any-return]  # checked just above


# ---------------------------------------------------------------------------
# Vocabulary of the live conference
# ---------------------------------------------------------------------------


class Phase(StrEnum):
    """Where the conference is on its agenda (ref. 4.3, the 11 steps)."""

    PRE_CONFERENCE = "pre_conference"
    CHAIRS_PREPARATION = "chairs_preparation"
    OPENING = "opening"
    AGENCY_CONTRIBUTIONS = "agency_contributions"
    FAMILY_VIEWS = "family_views"
    EXCLUSION = "exclusion"
    SUMMARY = "summary"
    RECOMMENDATIONS = "recommendations"
    DECISION = "decision"
    OUTLINE_PLAN = "outline_plan"
    CLOSED = "closed"


class PhaseMove(StrEnum):
    """How a phase was entered."""

    START = "start"
    ADVANCE = "advance"  # the chair moved on, with the phase's work done
    SKIP = "skip"  # the trainer moved on regardless
    BACK = "back"  # the trainer went back a step
    EXCLUDE = "exclude"  # the chair started an exclusion segment


class OpeningItem(StrEnum):
    """What the chair covers when opening the meeting (003:600)."""

    INTRODUCTIONS = "introductions"
    GROUND_RULES = "ground_rules"
    PURPOSE = "purpose"
    CONFIDENTIALITY = "confidentiality"


class Voice(StrEnum):
    """Whose views a contribution in the family segment gives."""

    PARENT = "parent"
    CHILD = "child"


# ---------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Actor(Record):
    """Who issues a command: a seated role, or the trainer.

    A trainer who takes over a seat acts with that seat's ``role`` and keeps
    ``is_trainer``, so the log can tell a delegate's action from a trainer's.
    The trainer's console acts with no role.
    """

    role: Role | None = None
    is_trainer: bool = False

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.role is None and not self.is_trainer:
            msg = "an actor without a role must be the trainer"
            raise ValueError(msg)

    @classmethod
    def seat(cls, role: Role) -> Actor:
        """Return the delegate sitting in ``role``."""
        return cls(role=role)

    @classmethod
    def trainer(cls, *, as_role: Role | None = None) -> Actor:
        """Return the trainer, at the console or covering ``as_role``."""
        return cls(role=as_role, is_trainer=True)


@dataclass(frozen=True, kw_only=True)
class Child(Record):
    id: str
    name: str


REPORT_NOTICE_WORKING_DAYS: Mapping[ConferenceType, int] = MappingProxyType(
    {
        ConferenceType.INITIAL: 2,
        ConferenceType.UNBORN: 2,
        ConferenceType.TRANSFER_IN: 2,
        ConferenceType.REVIEW: 5,
    }
)
"""Working days before conference by which reports are due (003:596)."""

FIRST_CORE_GROUP_WORKING_DAYS = 10
"""The first core group meets within this many working days (003:618)."""


@dataclass(frozen=True, kw_only=True)
class ConferenceSetup(Record):
    """What the service knows about a room before the conference starts.

    ``seated_roles`` is ordered; report authors are asked to contribute in
    that order unless the chair sets another. ``pack_items`` lists the item
    ids in each role's information pack and ``inject_ids`` the injects the
    trainer may release: the engine accepts only those ids when a role
    shares, cites or flags an item. ``holidays`` are the Jersey public
    holidays around the conference date, for working-day timescales.
    """

    room_id: str
    conference_type: ConferenceType
    conference_date: date
    children: tuple[Child, ...]
    seated_roles: tuple[Role, ...]
    holidays: frozenset[date] = frozenset()
    pack_items: Mapping[Role, frozenset[str]] = field(default_factory=frozen_map)
    inject_ids: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        super().__post_init__()
        child_ids = [child.id for child in self.children]
        if not child_ids or len(set(child_ids)) != len(child_ids):
            msg = "a conference needs at least one child, each with a unique id"
            raise ValueError(msg)
        if len(set(self.seated_roles)) != len(self.seated_roles):
            msg = "a role can be seated once"
            raise ValueError(msg)
        if Role.CHAIR not in self.seated_roles:
            msg = "a conference needs a chair"
            raise ValueError(msg)

    @property
    def child_ids(self) -> tuple[str, ...]:
        return tuple(child.id for child in self.children)

    @property
    def report_notice_working_days(self) -> int:
        return REPORT_NOTICE_WORKING_DAYS[self.conference_type]

    @property
    def report_deadline(self) -> date:
        """Return the last day a report counts as on time."""
        return add_working_days(
            self.conference_date, -self.report_notice_working_days, self.holidays
        )

    @property
    def first_core_group_deadline(self) -> date:
        """Return the last day the first core group may meet."""
        return add_working_days(self.conference_date, FIRST_CORE_GROUP_WORKING_DAYS, self.holidays)

    @property
    def report_authors(self) -> tuple[Role, ...]:
        """Return the seated roles that write a report, in seating order."""
        return tuple(role for role in self.seated_roles if writes_report(role))


@dataclass(frozen=True, kw_only=True)
class Statement(Record):
    """One item of information in a report, tagged with what kind it is.

    ``second_hand`` marks information from another source, named in
    ``source`` (003:323). ``item_id`` links it to a pack item, when it has
    one, so the scorer can compare tags with the answer key.
    """

    text: str
    provenance: Provenance
    second_hand: bool = False
    source: str = ""
    item_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class ConfidentialItem(Record):
    """A pack item its holder flagged to the chair instead of the report."""

    item_id: str
    note: str
    flagged_at: datetime


@dataclass(frozen=True, kw_only=True)
class Report(Record):
    """One role's multi-agency report and what its author did with it.

    ``revision`` counts submissions; 0 means not submitted yet (the record
    can exist earlier because sharing and confidential flags may come
    first). ``shared_with_parents``/``shared_with_child`` are ``None`` until
    the author records them.
    """

    author: Role
    sections: Mapping[ReportSection, str] = field(default_factory=frozen_map)
    statements: tuple[Statement, ...] = ()
    revision: int = 0
    first_submitted_at: datetime | None = None
    submitted_at: datetime | None = None
    shared_with_parents: bool | None = None
    shared_with_child: bool | None = None
    reason_not_shared: str = ""
    sharing_recorded_at: datetime | None = None
    confidential: tuple[ConfidentialItem, ...] = ()
    read_revision: int = 0
    read_at: datetime | None = None

    @property
    def submitted(self) -> bool:
        return self.revision > 0


@dataclass(frozen=True, kw_only=True)
class ParentAttendance(Record):
    attends_throughout: bool
    reason: str
    decided_at: datetime


@dataclass(frozen=True, kw_only=True)
class SharedItem(Record):
    """A pack item a role put into the conference record."""

    role: Role
    item_id: str
    child_id: str | None
    phase: Phase
    at: datetime
    withheld_from: frozenset[Role] = frozenset()


@dataclass(frozen=True, kw_only=True)
class ImpactStatement(Record):
    """What a contributor said the information means for one child."""

    role: Role
    child_id: str
    text: str
    phase: Phase
    at: datetime
    withheld_from: frozenset[Role] = frozenset()


@dataclass(frozen=True, kw_only=True)
class View(Record):
    """Views of a parent or of the child given in the family segment."""

    role: Role
    voice: Voice
    child_id: str | None
    text: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Exclusion(Record):
    excluded: frozenset[Role]
    reason: ExclusionReason
    note: str
    started_at: datetime
    ended_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class Summary(Record):
    text: str
    at: datetime


@dataclass(frozen=True, kw_only=True)
class Ballot(Record):
    """One professional's sealed recommendation for one child."""

    role: Role
    child_id: str
    level_of_need: LevelOfNeed
    threshold_met: bool
    primary_category: Category | None
    other_categories: frozenset[Category]
    rationale: str
    cast_at: datetime


@dataclass(frozen=True, kw_only=True)
class BallotRound(Record):
    """A round of voting; rounds are numbered from 1 and never discarded."""

    number: int
    ballots: tuple[Ballot, ...] = ()
    revealed_at: datetime | None = None

    @property
    def revealed(self) -> bool:
        return self.revealed_at is not None

    def ballot(self, child_id: str, role: Role) -> Ballot | None:
        """Return ``role``'s ballot for ``child_id`` in this round, if cast."""
        for ballot in self.ballots:
            if ballot.child_id == child_id and ballot.role is role:
                return ballot
        return None


@dataclass(frozen=True, kw_only=True)
class Decision(Record):
    """The chair's decision for one child, after the given ballot round."""

    child_id: str
    outcome: PlanOutcome
    category: Category | None
    other_categories: frozenset[Category]
    rationale: str
    after_round: int
    decided_at: datetime


@dataclass(frozen=True, kw_only=True)
class Dissent(Record):
    """A professional's recorded disagreement with a child's decision."""

    child_id: str
    role: Role
    reason: str
    recorded_at: datetime


@dataclass(frozen=True, kw_only=True)
class PlanRow(Record):
    """One row of the plan table (003:625-630); ``child_id`` None = all."""

    row_id: str
    child_id: str | None
    what: str
    how: str
    who: str
    how_we_will_know: str
    review: str


@dataclass(frozen=True, kw_only=True)
class OutlinePlan(Record):
    lead_social_worker: Role | None = None
    core_group: frozenset[Role] = frozenset()
    other_members: tuple[str, ...] = ()
    first_core_group_on: date | None = None
    contingency: str = ""
    rows: tuple[PlanRow, ...] = ()
    set_at: datetime | None = None

    @property
    def complete(self) -> bool:
        """Return whether the plan has what a decision needs (ref. R17)."""
        return (
            self.lead_social_worker is not None
            and bool(self.core_group)
            and self.first_core_group_on is not None
            and bool(self.contingency.strip())
            and bool(self.rows)
        )


@dataclass(frozen=True, kw_only=True)
class ReleasedInject(Record):
    """An inject the trainer released; ``to`` None means every role."""

    inject_id: str
    to: Role | None
    at: datetime


@dataclass(frozen=True, kw_only=True)
class PhaseEntry(Record):
    phase: Phase
    move: PhaseMove
    at: datetime | None


@dataclass(frozen=True, kw_only=True)
class LogEntry(Record):
    """One applied event, in order, without its payload.

    ``phase`` is the phase the event happened in (for a phase change, the
    phase being left). ``role`` is the role the event is about when it names
    one (the voter, the speaker, the hand raised), else the issuer's role.
    The scorer reads process order from this: for example the index of the
    first ``ViewGiven`` against the last ``ItemShared`` in contributions.
    """

    index: int
    event: str
    at: datetime
    phase: Phase
    role: Role | None
    by_trainer: bool
    child_id: str | None = None


@dataclass(frozen=True, kw_only=True)
class ConferenceState(Record):
    """Everything the conference knows; change it only through ``apply``."""

    setup: ConferenceSetup
    phase: Phase = Phase.PRE_CONFERENCE
    paused: bool = False
    pause_reason: str = ""
    phase_history: tuple[PhaseEntry, ...] = ()
    # Pre-conference and the chair's preparation.
    packs_opened: Mapping[Role, datetime] = field(default_factory=frozen_map)
    reports: Mapping[Role, Report] = field(default_factory=frozen_map)
    parent_attendance: ParentAttendance | None = None
    family_met_at: datetime | None = None
    # The meeting.
    opening_items: tuple[OpeningItem, ...] = ()
    contribution_order: tuple[Role, ...] = ()
    current_speaker: Role | None = None
    contributed: tuple[Role, ...] = ()
    raised_hands: tuple[Role, ...] = ()
    shared_items: tuple[SharedItem, ...] = ()
    impacts: tuple[ImpactStatement, ...] = ()
    views: tuple[View, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()
    summary: Summary | None = None
    # Recommendations, decision and plan.
    rounds: tuple[BallotRound, ...] = (BallotRound(number=1),)
    decisions: Mapping[str, Decision] = field(default_factory=frozen_map)
    dissents: tuple[Dissent, ...] = ()
    plan: OutlinePlan = OutlinePlan()
    # Trainer.
    injects: tuple[ReleasedInject, ...] = ()
    # Bookkeeping.
    processed_commands: frozenset[str] = frozenset()
    log: tuple[LogEntry, ...] = ()

    @property
    def current_round(self) -> BallotRound:
        return self.rounds[-1]

    @property
    def active_exclusion(self) -> Exclusion | None:
        """Return the exclusion in force, if the meeting is in one."""
        if self.phase is Phase.EXCLUSION and self.exclusions:
            last = self.exclusions[-1]
            if last.ended_at is None:
                return last
        return None

    def is_excluded(self, role: Role) -> bool:
        exclusion = self.active_exclusion
        return exclusion is not None and role in exclusion.excluded

    def report(self, role: Role) -> Report:
        """Return ``role``'s report, or an empty one if it has none yet."""
        return self.reports.get(role) or Report(author=role)

    def items_available_to(self, role: Role) -> frozenset[str]:
        """Return the pack items and released injects ``role`` holds."""
        injects = {
            inject.inject_id for inject in self.injects if inject.to is None or inject.to is role
        }
        return self.setup.pack_items.get(role, frozenset()) | injects


def new_conference(setup: ConferenceSetup) -> ConferenceState:
    """Return the state of a conference that has not started yet."""
    return ConferenceState(
        setup=setup,
        phase_history=(PhaseEntry(phase=Phase.PRE_CONFERENCE, move=PhaseMove.START, at=None),),
        contribution_order=setup.report_authors,
    )


SNAPSHOT_VERSION = 1


def snapshot(state: ConferenceState) -> JSONDict:
    """Return the whole state as plain JSON types, for storage or resync."""
    return {"version": SNAPSHOT_VERSION, "state": state.to_dict()}


def state_from_snapshot(data: Mapping[str, Any]) -> ConferenceState:
    """Rebuild the state :func:`snapshot` saved; raise DecodeError."""
    if data.get("version") != SNAPSHOT_VERSION:
        msg = f"unsupported snapshot version {data.get('version')!r}"
        raise DecodeError(msg)
    return ConferenceState.from_dict(_expect(dict, data.get("state"), "state"))
