"""Read-side queries about competency records, always scoped to the viewer.

Managers reach people only through ``accounts.selectors.people_in_scope``;
every function here that takes a manager starts from it, so no URL, filter,
export or fragment can name somebody outside their team or agency. Records
are judged by ``assessments.rules`` from released evidence fetched in two
queries per page, however many people it shows.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404

from accounts.models import Team, User
from accounts.selectors import people_in_scope
from assessments.models import (
    Competency,
    CompetencyKind,
    Evidence,
    EvidenceCompetency,
    EvidenceState,
)
from assessments.rules import (
    Fact,
    Overall,
    Policy,
    Requirement,
    Status,
    add_months,
    overall_status,
)

STATUS_CHOICES = [(status.value, status.label) for status in Status]
STATUS_TAGS = {
    Status.NOT_STARTED: "govuk-tag--grey",
    Status.IN_PROGRESS: "govuk-tag--light-blue",
    Status.COMPETENT: "govuk-tag--green",
    Status.EXPIRING: "govuk-tag--yellow",
    Status.EXPIRED: "govuk-tag--red",
}


def policy() -> Policy:
    """Return the rules' numbers from settings."""
    return Policy(
        cpd_hours=Decimal(str(settings.THRESHOLD_CPD_HOURS)),
        participatory_fraction=Decimal(str(settings.THRESHOLD_CPD_PARTICIPATORY_FRACTION)),
        window_years=int(settings.THRESHOLD_CPD_WINDOW_YEARS),
        pass_percent=int(settings.THRESHOLD_CONFERENCE_PASS_PERCENT),
        valid_months=int(settings.THRESHOLD_COMPETENCY_VALID_MONTHS),
        warning_days=int(settings.THRESHOLD_EXPIRY_WARNING_DAYS),
    )


def outcomes() -> list[Competency]:
    return list(Competency.objects.filter(is_active=True, kind=CompetencyKind.OUTCOME))


def requirements_for(competencies: Iterable[Competency]) -> list[Requirement]:
    return [Requirement(c.code, frozenset(c.required_kinds or [])) for c in competencies]


def facts_for(user_ids: QuerySet[User] | Sequence[int]) -> dict[int, list[Fact]]:
    """Return released evidence as rule facts, by person, in two queries."""
    rows = list(
        Evidence.objects.filter(user__in=user_ids, state=EvidenceState.RELEASED).values_list(
            "pk",
            "user_id",
            "kind",
            "occurred_on",
            "cpd_hours",
            "participatory",
            "score_percent",
        )
    )
    codes: dict[int, set[str]] = defaultdict(set)
    for evidence_id, code in EvidenceCompetency.objects.filter(
        evidence__user__in=user_ids, evidence__state=EvidenceState.RELEASED
    ).values_list("evidence_id", "competency__code"):
        codes[evidence_id].add(code)
    facts: dict[int, list[Fact]] = defaultdict(list)
    for pk, user_id, kind, on, hours, participatory, score in rows:
        facts[user_id].append(
            Fact(
                kind=kind,
                on=on,
                competencies=frozenset(codes.get(pk, ())),
                hours=hours,
                participatory=participatory,
                score_percent=score,
            )
        )
    return facts


def person_record(*, person: User, today: date) -> Overall:
    facts = facts_for([person.pk]).get(person.pk, [])
    return overall_status(requirements_for(outcomes()), facts, today=today, policy=policy())


def objectives_record(*, person: User, today: date) -> Overall:
    objectives = Competency.objects.filter(is_active=True, kind=CompetencyKind.OBJECTIVE)
    facts = facts_for([person.pk]).get(person.pk, [])
    return overall_status(requirements_for(objectives), facts, today=today, policy=policy())


def attended_seminar(*, person: User) -> bool:
    return Evidence.objects.filter(
        user=person, kind="seminar_attended", state=EvidenceState.RELEASED
    ).exists()


def competency_titles() -> dict[str, str]:
    return dict(Competency.objects.values_list("code", "title"))


def statuses_for(*, user_ids: Sequence[int], today: date) -> dict[int, Overall]:
    """Return each person's overall record, for registers and cohort results."""
    facts = facts_for(list(user_ids))
    requirements = requirements_for(outcomes())
    rules = policy()
    return {
        pk: overall_status(requirements, facts.get(pk, []), today=today, policy=rules)
        for pk in user_ids
    }


def person_evidence(*, person: User) -> QuerySet[Evidence]:
    return (
        Evidence.objects.filter(user=person)
        .select_related("recorded_by")
        .prefetch_related("competencies")
        .order_by("-occurred_on", "-pk")
    )


# ---------------------------------------------------------------------------
# Managers
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Filters:
    status: str = ""
    team: int | None = None
    q: str = ""

    @classmethod
    def from_query(cls, query: dict[str, str] | object) -> Filters:
        get = getattr(query, "get", lambda key, default="": default)
        status = str(get("status", "") or "")
        team = str(get("team", "") or "")
        return cls(
            status=status if status in Status.__members__.values() else "",
            team=int(team) if team.isdigit() else None,
            q=str(get("q", "") or "").strip()[:80],
        )

    def as_query(self) -> dict[str, str]:
        query = {"status": self.status, "team": str(self.team or ""), "q": self.q}
        return {key: value for key, value in query.items() if value}


@dataclass(frozen=True, slots=True)
class PersonRow:
    person: User
    record: Overall

    @property
    def status(self) -> Status:
        return self.record.status


def scope_teams(*, manager: User) -> QuerySet[Team]:
    """Return the teams a manager may filter by: theirs, or their agency's."""
    return Team.objects.filter(members__in=people_in_scope(manager=manager)).distinct()


def scoped_people(*, manager: User, filters: Filters) -> QuerySet[User]:
    people = people_in_scope(manager=manager)
    if filters.team is not None:
        people = people.filter(team_id=filters.team)
    if filters.q:
        from django.db.models import Q

        people = people.filter(
            Q(first_name__icontains=filters.q)
            | Q(last_name__icontains=filters.q)
            | Q(job_title__icontains=filters.q)
        )
    return people


def team_rows(*, manager: User, filters: Filters, today: date) -> list[PersonRow]:
    """Return each person in the manager's scope with their status, filtered."""
    people = list(scoped_people(manager=manager, filters=filters))
    facts = facts_for([p.pk for p in people])
    requirements = requirements_for(outcomes())
    rules = policy()
    rows = [
        PersonRow(p, overall_status(requirements, facts.get(p.pk, []), today=today, policy=rules))
        for p in people
    ]
    if filters.status:
        rows = [row for row in rows if row.status == filters.status]
    return rows


def person_in_scope(*, manager: User, person_id: int) -> User:
    """Return one person the manager may see; 404 for anyone else."""
    person = people_in_scope(manager=manager).filter(pk=person_id).first()
    if person is None:
        raise Http404("There is nobody with that number in your team.")
    return person


def status_counts(rows: Iterable[PersonRow]) -> list[tuple[Status, int]]:
    counts = dict.fromkeys(Status, 0)
    for row in rows:
        counts[row.status] += 1
    return list(counts.items())


@dataclass(frozen=True, slots=True)
class Point:
    month: date
    competent: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.competent / self.total) if self.total else 0


def month_ends(today: date, months: int) -> list[tuple[date, date]]:
    """Return (first day, day judged) for each of the last ``months`` months."""
    first_of_month = today.replace(day=1)
    spans = []
    for back in range(months - 1, -1, -1):
        start = add_months(first_of_month, -back)
        end = add_months(start, 1)
        spans.append((start, today if end > today else end - timedelta(days=1)))
    return spans


def completion_series(
    *, people: Sequence[int], facts: dict[int, list[Fact]], today: date, months: int = 12
) -> list[Point]:
    """Return how many of ``people`` were competent at the end of each recent month."""
    requirements = requirements_for(outcomes())
    rules = policy()
    held = {Status.COMPETENT, Status.EXPIRING}
    points = []
    for start, end in month_ends(today, months):
        competent = sum(
            1
            for pk in people
            if overall_status(requirements, facts.get(pk, []), today=end, policy=rules).status
            in held
        )
        points.append(Point(start, competent, len(people)))
    return points


@dataclass(frozen=True, slots=True)
class Dashboard:
    rows: list[PersonRow]
    series: list[Point]


def _matches(person: User, q: str) -> bool:
    q = q.casefold()
    return any(
        q in value.casefold() for value in (person.first_name, person.last_name, person.job_title)
    )


def manager_dashboard(*, manager: User, filters: Filters, today: date) -> Dashboard:
    """Return the rows (all filters) and the chart (team filter only) from one fetch."""
    people = list(scoped_people(manager=manager, filters=Filters(team=filters.team)))
    facts = facts_for([p.pk for p in people])
    requirements = requirements_for(outcomes())
    rules = policy()
    shown = [p for p in people if not filters.q or _matches(p, filters.q)]
    rows = [
        PersonRow(p, overall_status(requirements, facts.get(p.pk, []), today=today, policy=rules))
        for p in shown
    ]
    if filters.status:
        rows = [row for row in rows if row.status == filters.status]
    series = cached_series(people=[p.pk for p in people], facts=facts, today=today)
    return Dashboard(rows, series)


def cached_series(*, people: list[int], facts: dict[int, list[Fact]], today: date) -> list[Point]:
    """Return ``completion_series``, kept until the evidence, rules or day change.

    The key is a digest of everything the series is computed from (the
    people, how many released facts each has, the framework, the policy and
    the day), so a stale chart cannot be served.
    """
    import hashlib

    from django.core.cache import cache

    requirements = sorted((r.code, tuple(sorted(r.kinds))) for r in requirements_for(outcomes()))
    digest = hashlib.sha256(repr((today, requirements, policy())).encode())
    for pk in sorted(people):
        # Released evidence is append-only (never changed or deleted), so a
        # person's facts are fixed by how many there are: no need to hash them.
        digest.update(f"{pk}:{len(facts.get(pk, ()))};".encode())
    key = f"competency-series:{digest.hexdigest()}"
    series = cache.get(key)
    if series is None:
        series = completion_series(people=people, facts=facts, today=today)
        cache.set(key, series, 60 * 60 * 24)
    return list(series)


@dataclass(frozen=True, slots=True)
class Bar:
    point: Point
    x: int
    y: int
    height: int
    label_y: int


CHART_HEIGHT = 160
CHART_TOP = 20
BAR_STEP = 52


def chart_bars(series: Sequence[Point]) -> list[Bar]:
    """Lay out one bar per month for the server-rendered SVG chart."""
    bars = []
    for index, point in enumerate(series):
        height = round(CHART_HEIGHT * point.percent / 100)
        y = CHART_TOP + CHART_HEIGHT - height
        bars.append(Bar(point, 40 + index * BAR_STEP, y, height, max(y - 4, 12)))
    return bars


@dataclass(frozen=True, slots=True)
class WorkbookBefore:
    submitted: int
    total: int

    @property
    def complete(self) -> bool:
        return self.total > 0 and self.submitted >= self.total


def workbook_completion_before(
    *, user_ids: Sequence[int], before: date
) -> dict[int, WorkbookBefore]:
    """Return how many live workbook chapters each person submitted before ``before``.

    For a seminar register: who did the workbook before the day.
    """
    from django.db.models import Count

    from assessments.models import ChapterProgress
    from content.models import WorkbookChapterPage

    chapter_ids = list(WorkbookChapterPage.objects.live().values_list("pk", flat=True))
    counts = dict(
        ChapterProgress.objects.filter(
            user_id__in=user_ids, page_id__in=chapter_ids, submitted_at__date__lt=before
        )
        .values_list("user_id")
        .annotate(n=Count("page_id", distinct=True))
        .values_list("user_id", "n")
    )
    return {pk: WorkbookBefore(counts.get(pk, 0), len(chapter_ids)) for pk in user_ids}
