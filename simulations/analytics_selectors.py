"""Partnership analytics: how often delegates' votes agree with the answer key.

Agreement is read from stored scorecards (the latest score of each room
against the current rule set): a role's finding for the threshold rule and
for the primary-category rule is "agreed" when met, "disagreed" when not
met or partly met, and left out when not assessable. Rows are grouped by
the delegate's own agency (not the role they played), by the seminar's
cohort and by month, so the Board can see, for example, which agencies
under-call a category.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from simulations.engine.ruleset import DEFAULT_RULE_SET
from simulations.models import RoomScore, Seat

RULES = {"R02-threshold": "Threshold", "R03-primary-category": "Primary category"}
COUNTED = {"met": True, "partly_met": False, "not_met": False}


@dataclass(frozen=True, slots=True)
class Vote:
    agency: str
    cohort: str
    month: str
    rule: str
    agreed: bool


@dataclass(frozen=True, slots=True)
class Agreement:
    group: str
    rule: str
    agreed: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.agreed / self.total) if self.total else 0


def votes(*, rule_set_version: str | None = None) -> list[Vote]:
    """Return one vote per seated delegate, rule and room, from stored scores."""
    version = rule_set_version or DEFAULT_RULE_SET.version
    latest: dict[int, RoomScore] = {}
    for score in (
        RoomScore.objects.filter(rule_set_version=version)
        .select_related("room__seminar")
        .order_by("room_id", "-scored_at", "-pk")
    ):
        latest.setdefault(score.room_id, score)
    seats = {
        (seat.room_id, seat.role): seat
        for seat in Seat.objects.filter(
            room_id__in=latest, user__isnull=False, covered_by_trainer=False
        ).select_related("user__team__agency")
    }
    found = []
    for room_id, score in latest.items():
        seminar = score.room.seminar
        for finding in score.scorecard.get("findings", []):
            subject = finding.get("subject", {})
            rule = str(finding.get("rule_id", ""))
            verdict = str(finding.get("verdict", ""))
            if subject.get("kind") != "role" or rule not in RULES or verdict not in COUNTED:
                continue
            seat = seats.get((room_id, subject.get("id")))
            if seat is None:
                continue
            team = seat.user.team  # type: ignore[union-attr]
            found.append(
                Vote(
                    agency=team.agency.name if team else "No agency",
                    cohort=seminar.cohort or seminar.title,
                    month=f"{seminar.date:%Y-%m}",
                    rule=RULES[rule],
                    agreed=COUNTED[verdict],
                )
            )
    return found


def agreement_by(found: Iterable[Vote], key: str) -> list[Agreement]:
    """Group votes by ``key`` (agency, cohort or month) and rule."""
    tally: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for vote in found:
        cell = tally[(getattr(vote, key), vote.rule)]
        cell[0] += vote.agreed
        cell[1] += 1
    return [
        Agreement(group, rule, agreed, total)
        for (group, rule), (agreed, total) in sorted(tally.items())
    ]
