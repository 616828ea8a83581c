"""The delegate's workbook: contents, chapters, autosave, quizzes and print.

Views parse the request, call one service and render a page or, for htmx
requests, a fragment of ``assessments/workbook_answer.html``. Every query is
for ``request.user``; URLs name a page and a block, never an answer, so there
is no way to address somebody else's work.

Status codes a form sees: 200 saved, 422 not saved (too long, or nothing
chosen), 409 not saved because the form is stale (changed on another device,
or the block was edited), 401 signed out. The chapter page tells htmx to
swap those (``htmx-config``) so the delegate always sees why.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from assessments import marking_selectors, selectors, services
from assessments.selectors import BlockState
from assessments.services import RealIdentifierRefused, SaveStatus
from content.blocks import AnswerKind, ReportTaskBlock
from content.models import WorkbookChapterPage, WorkbookPage
from simulations.engine.identifiers import describe


class HtmxHttpRequest(HttpRequest):
    # Typing pattern recommended by django-htmx:
    # https://django-htmx.readthedocs.io/en/latest/tips.html#make-htmx-details-available-to-type-checkers
    htmx: HtmxDetails


View = Callable[..., HttpResponse]

UNPROCESSABLE = 422
CONFLICT = 409

STALE_STRUCTURE_MESSAGE = (
    "This part of the workbook was changed by the editors after you opened the page, "
    "so the text you just typed was not saved. Your earlier answer is kept and shown in "
    "the form, which now matches the updated questions. Copy your text from below into it."
)
STALE_REVISION_MESSAGE = (
    "These answers were changed in another tab or on another device after you opened "
    "this page, so the text you just typed was not saved. The form now shows the latest "
    "saved answers. Copy anything you want to keep from below."
)
BLOCK_GONE_MESSAGE = (
    "This task is no longer in the chapter: the editors may have removed it. Nothing was "
    "saved. Copy your text from below, then reload the page."
)


def login_required_for_forms(view: View) -> View:
    """Like ``login_required``, but tell an htmx form it was signed out.

    A redirect would swap the sign-in page into the form; instead the status
    region says what happened, and the typed text stays in the box.
    """

    @wraps(view)
    def wrapped(request: HtmxHttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if not request.htmx:
            return redirect_to_login(request.get_full_path())
        block_id = kwargs.get("block_id", "")
        response = render(
            request,
            "assessments/workbook_answer.html#signed-out",
            {
                "revision": request.POST.get("revision", ""),
                "structure": request.POST.get("structure", ""),
            },
            status=401,
        )
        retarget(response, f"#answer-status-{block_id}")
        return reswap(response, "innerHTML")

    return wrapped


# Helpers ------------------------------------------------------------------


def _chapter_or_404(page_id: int) -> tuple[WorkbookChapterPage, WorkbookPage]:
    chapter = selectors.chapter_get_live(page_id=page_id)
    if chapter is None:
        raise Http404("No such chapter.")
    workbook = selectors.workbook_of(chapter)
    if workbook is None:
        raise Http404("No such workbook.")
    return chapter, workbook


def _workbook_or_404(page_id: int) -> WorkbookPage:
    workbook = selectors.workbook_get_live(page_id=page_id)
    if workbook is None:
        raise Http404("No such workbook.")
    return workbook


def _block_url(chapter: WorkbookChapterPage, block_id: str) -> str:
    return f"{reverse('workbook_chapter', args=[chapter.pk])}#block-{block_id}"


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return -1


def _posted_texts(request: HttpRequest, known: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return every text the delegate sent: labelled where the block knows it.

    Text for questions or sections that no longer exist is added unlabelled.
    Report fields also carry choices (``met``, ``yes``); only values that read
    as writing (with a space) are offered back from those.
    """
    texts = list(known)
    seen = {text for _, text in known}
    for name in request.POST:
        prefix = name.split("-", 1)[0]
        if prefix not in {"answer", "f", "s", "t"} or name.endswith(("-count", "-tag")):
            continue
        for text in request.POST.getlist(name):
            writing = prefix == "answer" or " " in text.strip()
            if text.strip() and writing and text not in seen:
                texts.append(("Other text you typed", text))
                seen.add(text)
    return texts


def _chapter_page(
    request: HttpRequest,
    chapter: WorkbookChapterPage,
    workbook: WorkbookPage,
    *,
    replace: BlockState | None = None,
    status: int = 200,
) -> HttpResponse:
    view = selectors.chapter_view(user=request.user, chapter=chapter, workbook=workbook)  # type: ignore[arg-type]
    if replace is not None:
        view.states = [replace if s.block_id == replace.block_id else s for s in view.states]
    return render(request, "assessments/workbook_chapter.html", {"view": view}, status=status)


def _block_response(
    request: HtmxHttpRequest,
    chapter: WorkbookChapterPage,
    workbook: WorkbookPage,
    state: BlockState,
    *,
    status: int = 200,
) -> HttpResponse:
    """Re-render one block: as a fragment for htmx, else the whole chapter."""
    if not request.htmx:
        return _chapter_page(request, chapter, workbook, replace=state, status=status)
    response = render(
        request, "assessments/workbook_answer.html#answer-form", {"state": state}, status=status
    )
    retarget(response, f"#{state.dom_id}")
    return reswap(response, "outerHTML")


# Pages --------------------------------------------------------------------


@require_GET
@never_cache
@login_required
def workbook_contents(request: HttpRequest, page_id: int) -> HttpResponse:
    workbook = _workbook_or_404(page_id)
    progress = selectors.workbook_progress(user=request.user, workbook=workbook)  # type: ignore[arg-type]
    return render(request, "assessments/workbook_contents.html", {"progress": progress})


@require_GET
@never_cache
@login_required
def workbook_resume(request: HttpRequest, page_id: int) -> HttpResponse:
    workbook = _workbook_or_404(page_id)
    progress = selectors.workbook_progress(user=request.user, workbook=workbook)  # type: ignore[arg-type]
    return HttpResponseRedirect(progress.resume_url)


@require_GET
@never_cache
@login_required
def workbook_chapter(request: HttpRequest, page_id: int) -> HttpResponse:
    chapter, workbook = _chapter_or_404(page_id)
    services.chapter_visit_record(user=request.user, chapter=chapter, workbook=workbook)  # type: ignore[arg-type]
    return _chapter_page(request, chapter, workbook)


@require_POST
@login_required
def workbook_chapter_submit(request: HttpRequest, page_id: int) -> HttpResponse:
    chapter, workbook = _chapter_or_404(page_id)
    progress = services.chapter_submit(user=request.user, chapter=chapter, workbook=workbook)  # type: ignore[arg-type]
    handed_in = marking_selectors.report_handed_in(
        user=request.user,  # type: ignore[arg-type]
        chapter=chapter,
        at=progress.submitted_at,  # type: ignore[arg-type]
    )
    note = " Your conference report has been handed in for marking." if handed_in else ""
    messages.success(request, f"You submitted '{chapter.title}'.{note}")
    return redirect("workbook_contents", workbook.pk)


@require_GET
@never_cache
@login_required
def workbook_results(request: HttpRequest, page_id: int) -> HttpResponse:
    workbook = _workbook_or_404(page_id)
    chapters = selectors.workbook_states(user=request.user, workbook=workbook)  # type: ignore[arg-type]
    quizzes = [state for chapter in chapters for state in chapter.quizzes]
    answered = [state for state in quizzes if state.outcome is not None]
    return render(
        request,
        "assessments/workbook_results.html",
        {
            "workbook": workbook,
            "chapters": [chapter for chapter in chapters if chapter.quizzes],
            "quiz_count": len(quizzes),
            "answered_count": len(answered),
            "correct_count": sum(1 for state in answered if state.outcome.is_correct),  # type: ignore[union-attr]
            "reports": marking_selectors.report_results(user=request.user, workbook=workbook),  # type: ignore[arg-type]
        },
    )


def _print_context(request: HttpRequest, workbook: WorkbookPage) -> dict[str, Any]:
    chapters = selectors.workbook_states(user=request.user, workbook=workbook)  # type: ignore[arg-type]
    return {
        "workbook": workbook,
        "chapters": chapters,
        "person": request.user,
        "printed_at": timezone.now(),
    }


@require_GET
@never_cache
@login_required
def workbook_print(request: HttpRequest, page_id: int) -> HttpResponse:
    workbook = _workbook_or_404(page_id)
    return render(request, "assessments/workbook_print.html", _print_context(request, workbook))


@require_GET
@never_cache
@login_required
def workbook_print_pdf(request: HttpRequest, page_id: int) -> HttpResponse:
    from weasyprint import HTML  # imported here: it is slow to import and rarely needed

    workbook = _workbook_or_404(page_id)
    html = render_to_string(
        "assessments/workbook_print_pdf.html", _print_context(request, workbook), request=request
    )
    pdf = HTML(string=html, base_url=request.build_absolute_uri("/")).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"{workbook.slug}-{request.user.get_username()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# Answers ------------------------------------------------------------------


@require_POST
@login_required_for_forms
def workbook_answer(request: HtmxHttpRequest, page_id: int, block_id: str) -> HttpResponse:
    """Save a written answer or a report draft (htmx autosave, or a plain post)."""
    chapter, workbook = _chapter_or_404(page_id)
    child = chapter.find_block(block_id)
    if child is None:
        return _block_gone(request, block_id)
    kind = getattr(child.block, "answer_kind", None)
    if kind not in {AnswerKind.TEXT, AnswerKind.REPORT}:
        raise Http404("This block takes no written answer.")
    state = selectors.block_state(user=request.user, chapter=chapter, child=child)  # type: ignore[arg-type]
    parsed = child.block.parse_answer(child.value, request.POST)
    action = request.POST.get("action", "")
    shown = parsed.value
    stored = parsed.value
    if kind == AnswerKind.REPORT:
        if action:
            shown = ReportTaskBlock.apply_action(copy.deepcopy(parsed.value), action)
            if action.startswith("add:"):
                state.focus = _added_focus(shown, action)
        stored = ReportTaskBlock.compact(shown)
    if not parsed.is_valid:
        state.shown_value = shown
        state.errors = parsed.errors
        return _block_response(request, chapter, workbook, state, status=UNPROCESSABLE)

    try:
        result = services.answer_save(
            user=request.user,  # type: ignore[arg-type]
            page=chapter,
            block_id=block_id,
            kind=kind,
            value=stored,
            structure=state.structure,
            client_structure=request.POST.get("structure", ""),
            client_revision=_int(request.POST.get("revision")),
        )
    except RealIdentifierRefused as refused:
        state.shown_value = shown
        state.errors = {
            f"identifier-{index}": message
            for index, message in enumerate(
                _identifier_problems(
                    refused, child.block.submitted_texts(child.value, request.POST)
                )
            )
        }
        return _block_response(request, chapter, workbook, state, status=UNPROCESSABLE)
    state.answer = result.answer
    if result.is_saved:
        state.just_saved = True
        if action or request.POST.get("refresh"):
            # A row was added or removed, or the form still shows an earlier
            # problem: send the whole block back, current and clean.
            state.shown_value = shown
            return _block_response(request, chapter, workbook, state)
        if request.htmx:
            return render(
                request, "assessments/workbook_answer.html#answer-status", {"state": state}
            )
        messages.success(request, "Your answers have been saved.")
        return HttpResponseRedirect(_block_url(chapter, block_id))

    state.message_title = "Not saved"
    state.message = (
        STALE_STRUCTURE_MESSAGE
        if result.status == SaveStatus.STALE_STRUCTURE
        else STALE_REVISION_MESSAGE
    )
    state.unsaved = _posted_texts(request, child.block.submitted_texts(child.value, request.POST))
    return _block_response(request, chapter, workbook, state, status=CONFLICT)


def _identifier_problems(
    refused: RealIdentifierRefused, labelled: list[tuple[str, str]]
) -> list[str]:
    """Name each refused identifier by the label of the field it was typed in.

    The service has found them already; this only looks up which labelled
    text holds each one, and keeps the service's path where none does (a
    table cell, say).
    """
    problems = []
    named: set[tuple[str, str]] = set()  # the same identifier in two fields
    for (_, match), message in zip(refused.found, refused.problems, strict=True):
        label = next(
            (
                label
                for label, text in labelled
                if match.text in text and (label, match.text) not in named
            ),
            None,
        )
        if label is None:
            problems.append(message)
        else:
            named.add((label, match.text))
            problems.append(describe(match, f"'{label}'"))
    return problems


def _added_focus(report: dict[str, Any], action: str) -> str:
    prefix = action.split(":", 1)[1]
    group = "tables" if prefix.startswith("t-") else "statements"
    count = len(report.get(group, {}).get(prefix[2:], []))
    if not count:
        return ""
    # A new statement is focused by its base name, a new row by its first field.
    return f"{prefix}-{count - 1}" if group == "statements" else f"{prefix}-{count - 1}-name"


def _block_gone(request: HtmxHttpRequest, block_id: str) -> HttpResponse:
    texts = _posted_texts(request, [])
    context = {"block_id": block_id, "message": BLOCK_GONE_MESSAGE, "texts": texts}
    if not request.htmx:
        return render(request, "assessments/workbook_not_saved.html", context, status=CONFLICT)
    response = render(
        request, "assessments/workbook_chapter.html#block-gone", context, status=CONFLICT
    )
    retarget(response, f"#block-{block_id}")
    return reswap(response, "outerHTML")


@require_POST
@login_required_for_forms
def workbook_quiz_check(request: HtmxHttpRequest, page_id: int, block_id: str) -> HttpResponse:
    """Mark a quiz answer on the server, keep the attempt, show feedback."""
    chapter, workbook = _chapter_or_404(page_id)
    child = chapter.find_block(block_id)
    if child is None:
        return _block_gone(request, block_id)
    if getattr(child.block, "answer_kind", None) != AnswerKind.QUIZ:
        raise Http404("This block is not a quiz question.")
    state = selectors.block_state(user=request.user, chapter=chapter, child=child)  # type: ignore[arg-type]
    if request.POST.get("structure", "") != state.structure:
        state.message_title = "This question has changed"
        state.message = (
            "The editors changed this question after you opened the page, so your answer "
            "was not checked. Here is the current version: please answer it again."
        )
        return _block_response(request, chapter, workbook, state, status=CONFLICT)
    response, error = child.block.parse_response(child.value, request.POST)
    if error:
        state.response = response
        state.quiz_error = error
        return _block_response(request, chapter, workbook, state, status=UNPROCESSABLE)
    outcome = child.block.mark(child.value, response)
    state.attempt = services.quiz_attempt_record(
        user=request.user,  # type: ignore[arg-type]
        page=chapter,
        block_id=block_id,
        response=response,
        outcome=outcome,
        structure=state.structure,
    )
    state.attempts += 1
    state.just_checked = True
    if request.htmx:
        return _block_response(request, chapter, workbook, state)
    return HttpResponseRedirect(_block_url(chapter, block_id))


@require_http_methods(["GET", "POST"])
@login_required
def workbook_reading(request: HttpRequest, page_id: int, block_id: str) -> HttpResponse:
    """Record that a reading task was opened, then open the paragraph.

    A GET comes from the link itself; a POST from "Mark as read" when the
    paragraph cannot be linked to.
    """
    chapter, _ = _chapter_or_404(page_id)
    child = chapter.find_block(block_id)
    if child is None or getattr(child.block, "answer_kind", None) != AnswerKind.READING:
        raise Http404("No such reading task.")
    services.reading_record(
        user=request.user,  # type: ignore[arg-type]
        page=chapter,
        block_id=block_id,
        structure=child.block.structure_signature(child.value),
    )
    citation = selectors.CitationMemo().get(child.value["citation_key"])
    if (
        request.method == "GET"
        and citation is not None
        and url_has_allowed_host_and_scheme(citation.url, allowed_hosts={request.get_host()})
    ):
        return HttpResponseRedirect(citation.url)
    messages.success(request, f"Marked '{child.value['title']}' as read.")
    return HttpResponseRedirect(_block_url(chapter, block_id))
