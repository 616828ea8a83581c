"""Scorecards and the trainer's debrief, on the web and as PDF.

Who sees what:

- a delegate sees the scorecard of the role they sat in, in that room (and
  the room's results); asking for another role's is refused;
- the room's trainer sees every role's scorecard, the debrief, and can
  score a room that has not been scored (an abandoned one, say).

Views are thin: they check access, ask ``scoring_selectors`` for the
context and render it, or hand it to WeasyPrint for a PDF.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from simulations import scoring_selectors, scoring_services
from simulations.engine.state import Phase
from simulations.engine.vocabulary import Role
from simulations.models import Room
from simulations.selectors import is_room_trainer, room_by_code, seat_for

PRINT_WIDTHS = range(0, 101, 5)  # bar widths in the PDFs: classes, as on the web


def _room(code: str) -> Room:
    try:
        return room_by_code(code=code)
    except Room.DoesNotExist as exc:
        raise Http404("No conference has that code.") from exc


def _trainer_room(request: HttpRequest, code: str) -> Room:
    room = _room(code)
    if not is_room_trainer(room=room, user=request.user):
        raise PermissionDenied("Only the room's trainer can see its debrief.")
    return room


def _roles_for(request: HttpRequest, room: Room) -> tuple[list[Role] | None, bool]:
    """Return the roles whose findings ``request.user`` may see, and whether they train.

    None means every role (the trainer). ``?role=`` narrows the trainer's
    card to one role; a delegate may name only their own.
    """
    asked = request.GET.get("role")
    try:
        wanted = Role(asked) if asked else None
    except ValueError as exc:
        raise Http404("No such role.") from exc
    if is_room_trainer(room=room, user=request.user):
        return ([wanted] if wanted else None), True
    seat = seat_for(room=room, user=request.user)  # type: ignore[arg-type]
    if seat is None:
        raise PermissionDenied("Only the delegates of this room and its trainer see its scores.")
    mine = Role(seat.role)
    if wanted is not None and wanted is not mine:
        raise PermissionDenied("You can see your own scorecard only.")
    return ([] if mine is Role.OBSERVER else [mine]), False


def _scorecard(request: HttpRequest, code: str, *, base_url: str = "") -> dict[str, Any]:
    room = _room(code)
    roles, trainer = _roles_for(request, room)
    score = scoring_selectors.room_score_latest(room=room)
    context: dict[str, Any] = {
        "room": room,
        "seminar": room.seminar,
        "score": score,
        "is_trainer": trainer,
        "closed": room.phase == Phase.CLOSED.value,
        "role_param": request.GET.get("role", ""),
        "printed_at": timezone.now(),
        "print_widths": PRINT_WIDTHS,
    }
    if score is not None:
        context.update(
            scoring_selectors.scorecard_context(
                room=room, score=score, roles=roles, base_url=base_url
            )
        )
    context["is_trainer"] = trainer
    return context


def _pdf(html: str, *, request: HttpRequest, filename: str) -> HttpResponse:
    from weasyprint import HTML  # type: ignore[import-untyped]  # slow to import: only here

    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _site(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@require_GET
@never_cache
@login_required
def scorecard(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "simulations/scorecard.html", _scorecard(request, code))


@require_GET
@never_cache
@login_required
def scorecard_pdf(request: HttpRequest, code: str) -> HttpResponse:
    context = _scorecard(request, code, base_url=_site(request))
    cards = context.get("role_cards") or []
    who = cards[0].key if len(cards) == 1 and not context["is_trainer"] else "room"
    if context["is_trainer"] and context["role_param"]:
        who = context["role_param"]
    html = render_to_string("simulations/scorecard_print.html", context, request=request)
    return _pdf(html, request=request, filename=f"scorecard-{context['room'].join_code}-{who}.pdf")


def _debrief(request: HttpRequest, code: str, *, base_url: str = "") -> dict[str, Any]:
    room = _trainer_room(request, code)
    score = scoring_selectors.room_score_latest(room=room)
    context = scoring_selectors.debrief_context(room=room, score=score, base_url=base_url)
    context.update(
        closed=room.phase == Phase.CLOSED.value,
        history=list(scoring_selectors.room_scores(room=room)[:10]),
        printed_at=timezone.now(),
        print_widths=PRINT_WIDTHS,
    )
    return context


@require_GET
@never_cache
@login_required
def debrief(request: HttpRequest, code: str) -> HttpResponse:
    return render(request, "simulations/debrief.html", _debrief(request, code))


@require_GET
@never_cache
@login_required
def debrief_pdf(request: HttpRequest, code: str) -> HttpResponse:
    context = _debrief(request, code, base_url=_site(request))
    html = render_to_string("simulations/debrief_print.html", context, request=request)
    return _pdf(html, request=request, filename=f"debrief-{context['room'].join_code}.pdf")


@require_POST
@login_required
def room_score_now(request: HttpRequest, code: str) -> HttpResponse:
    """Score the room as it stands (the trainer's button for an unscored room)."""
    room = _trainer_room(request, code)
    try:
        score = scoring_services.room_score(room=room)
    except scoring_services.RoomScoreRefused as error:
        messages.error(request, error.message)
    else:
        where = (
            ""
            if score.phase == Phase.CLOSED.value
            else " Steps it never reached are not assessable."
        )
        messages.success(
            request, f"{room.name} is scored against rule set {score.rule_set_version}.{where}"
        )
    target = request.POST.get("next")
    if target not in {"scorecard", "debrief"}:
        target = "debrief"
    return redirect(reverse(f"room_{target}", args=[room.join_code]))
