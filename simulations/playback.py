"""Play a mock conference through the services, without sockets.

``play`` drives ``services.room_command_apply`` with the steps of
``simulations.script.conference_script``, as each seat would send them: the
demo seminar's finished room is played this way, and tests get a real stored
event log in well under a second.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from accounts.models import User
from simulations import services
from simulations.engine import conference
from simulations.engine.state import Actor
from simulations.engine.vocabulary import Role
from simulations.models import Room, Seat
from simulations.script import Step, Verdict, conference_script
from simulations.selectors import room_state


class PlaybackError(Exception):
    """A scripted step was refused: the room's state is not what the script expects."""

    def __init__(self, step: Step, rejection: object) -> None:
        super().__init__(f"{step.role} {step.name} was refused: {rejection}")
        self.step, self.rejection = step, rejection


def script_for(room: Room, *, verdicts: dict[str, Verdict] | None = None) -> list[Step]:
    """Return every command of a complete conference in ``room``."""
    state = room_state(room=room)
    view = conference.view_for(state, Actor.seat(Role.CHAIR))
    items = {
        role.value: conference.view_for(state, Actor.seat(role))["my_items"]
        for role in state.setup.seated_roles
    }
    return conference_script(view, items, verdicts=verdicts)


def play(
    room: Room,
    *,
    until: Callable[[Step], bool] | None = None,
    skip: Callable[[Step], bool] | None = None,
    verdicts: dict[str, Verdict] | None = None,
    revote: bool = False,
) -> Room:
    """Play ``room``'s conference to the close, or stop before the first step ``until`` picks.

    Steps ``skip`` picks are left out. Seats are played by whoever holds
    them; a vacant seat by the trainer. ``revote`` plays varied first-round
    ballots and a second round (see :func:`with_a_revote`).
    """
    seats = {seat.role: seat.user for seat in Seat.objects.filter(room=room).select_related("user")}
    trainer = room.seminar.trainer
    steps = script_for(room, verdicts=verdicts)
    for step in with_a_revote(steps) if revote else steps:
        if until is not None and until(step):
            break
        if skip is not None and skip(step):
            continue
        user: User | None = seats.get(step.role)
        as_role = None
        if user is None:
            user, as_role = trainer, Role(step.role)
        result = services.room_command_apply(
            room_id=room.pk,
            user=user,
            name=step.name,
            args=step.args,
            command_id=uuid.uuid4().hex,
            as_role=as_role,
        )
        if not result.accepted:
            raise PlaybackError(step, result.rejection)
    room.refresh_from_db()
    return room


# First-round views that differ from the script's, so a debrief has movement to show.
SECOND_THOUGHTS: dict[str, dict[str, object]] = {
    Role.GP.value: {
        "level_of_need": "health_development",
        "threshold_met": False,
        "primary_category": None,
        "other_categories": [],
        "rationale": "Explanations were plausible one injury at a time.",
    },
    Role.HOUSING.value: {
        "level_of_need": "wellbeing",
        "threshold_met": False,
        "primary_category": None,
        "other_categories": [],
        "rationale": "The flat is the problem; support would help.",
    },
    Role.POLICE.value: {
        "level_of_need": "safeguarding",
        "threshold_met": True,
        "primary_category": "emotional",
        "other_categories": ["physical"],
        "rationale": "He freezes when adults raise their voices.",
    },
}


def with_a_revote(
    steps: list[Step], first_round: dict[str, dict[str, object]] | None = None
) -> list[Step]:
    """Return ``steps`` with varied first-round ballots and a second round after the reveal.

    The second round casts the script's own ballots, so views move from the
    first round to the final one for the roles in ``first_round``.
    """
    first_round = SECOND_THOUGHTS if first_round is None else first_round
    votes = [step for step in steps if step.name == "CastVote"]
    changed: list[Step] = []
    for step in steps:
        if step.name == "CastVote" and step.role in first_round:
            changed.append(Step(step.role, step.name, {**step.args, **first_round[step.role]}))
        else:
            changed.append(step)
        if step.name == "RevealVotes":
            changed.append(Step(Role.CHAIR.value, "OpenRevote"))
            changed.extend(votes)
            changed.append(step)
    return changed
