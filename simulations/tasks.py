"""Background work for conference rooms (Django's tasks framework)."""

from __future__ import annotations

from django.tasks import task

from simulations.scoring_services import room_score_if_closed


@task()
def room_score_task(room_id: int) -> int | None:
    """Score a room that has just closed; return the score's id, or None."""
    score = room_score_if_closed(room_id)
    return score.pk if score is not None else None
