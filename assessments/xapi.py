"""xAPI statements for evidence: what a learning record store receives.

Each released piece of evidence becomes one statement (actor, verb,
activity, result, timestamp), queued in ``XapiStatement`` and sent by
``assessments.tasks.xapi_statements_send`` (``queued_statements_send``) to
the store at ``THRESHOLD_XAPI_ENDPOINT``, the store's xAPI base address,
with HTTP basic authentication. The actor is identified by account
(platform address and username), never by e-mail address, so the store
holds no contact details. A statement's id comes from the platform address
and the evidence, and the statement is stored whole when it is queued, so
every retry sends the same id and the store never holds it twice.
"""

from __future__ import annotations

import base64
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Sequence
from datetime import datetime, time
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.db.models import F
from django.utils import timezone

from assessments.models import Evidence, EvidenceKind, XapiStatement

XAPI_VERSION = "1.0.3"
VERBS: dict[str, tuple[str, str]] = {
    EvidenceKind.WORKBOOK_CHAPTER: ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    EvidenceKind.QUIZ_PASSED: ("http://adlnet.gov/expapi/verbs/passed", "passed"),
    EvidenceKind.REPORT_MARKED: ("http://adlnet.gov/expapi/verbs/scored", "scored"),
    EvidenceKind.SEMINAR_ATTENDED: ("http://adlnet.gov/expapi/verbs/attended", "attended"),
    EvidenceKind.CONFERENCE_PLAYED: ("http://adlnet.gov/expapi/verbs/completed", "completed"),
    EvidenceKind.SIGN_OFF: ("http://adlnet.gov/expapi/verbs/mastered", "mastered"),
    EvidenceKind.EXTERNAL_TRAINING: ("http://adlnet.gov/expapi/verbs/attended", "attended"),
}
# Namespace for statement ids derived from evidence ids (stable on retry).
NAMESPACE = uuid.UUID("5b0d3c0e-7c1c-4d0a-9a43-1f0c3e6f2a11")
TIMEOUT_SECONDS = 10
# Refusals for what a statement holds rather than for the store's state.
# Other 4xx answers are about the settings or the store (401, 403, 404, 405,
# redirects) or pass with time (408, 429): those statements stay queued.
REFUSED_FOR_CONTENT = frozenset(
    {
        HTTPStatus.BAD_REQUEST,
        HTTPStatus.CONFLICT,
        HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
        HTTPStatus.UNPROCESSABLE_ENTITY,
    }
)

logger = logging.getLogger(__name__)


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """Treat a redirect as an answer: urllib would turn the POST into a GET."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirects)


class LrsError(OSError):
    """The learning record store could not be reached or did not take statements."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


def platform_url() -> str:
    return str(settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def statement_for(evidence: Evidence) -> dict[str, Any]:
    """Return the xAPI statement for one released piece of evidence."""
    base = platform_url()
    verb_id, verb_name = VERBS[evidence.kind]
    activity = evidence.source_ref or f"evidence-{evidence.pk}"
    statement: dict[str, Any] = {
        "id": str(uuid.uuid5(NAMESPACE, f"{base}/evidence/{evidence.pk}")),
        "actor": {
            "objectType": "Agent",
            "account": {"homePage": base, "name": evidence.user.get_username()},
        },
        "verb": {"id": verb_id, "display": {"en-GB": verb_name}},
        "object": {
            "objectType": "Activity",
            "id": f"{base}/xapi/activities/{evidence.kind}/{activity.replace(':', '/')}",
            "definition": {"name": {"en-GB": evidence.title}},
        },
        "timestamp": timezone.make_aware(
            datetime.combine(evidence.occurred_on, time(12))
        ).isoformat(),
        "context": {
            "platform": "Threshold",
            "extensions": {f"{base}/xapi/extensions/cpd-hours": float(evidence.cpd_hours)},
        },
    }
    if evidence.score_percent is not None:
        statement["result"] = {
            "score": {"scaled": round(evidence.score_percent / 100, 2)},
            "success": evidence.kind != EvidenceKind.CONFERENCE_PLAYED
            or evidence.score_percent >= settings.THRESHOLD_CONFERENCE_PASS_PERCENT,
        }
    role = evidence.detail.get("role") if isinstance(evidence.detail, dict) else None
    if role:
        statement["context"]["extensions"][f"{base}/xapi/extensions/role"] = role
    return statement


def statement_queue(evidence: Evidence) -> XapiStatement | None:
    """Queue the statement for released evidence (once)."""
    if not evidence.is_released:
        return None
    statement = statement_for(evidence)
    queued, _ = XapiStatement.objects.get_or_create(
        statement_id=statement["id"], defaults={"evidence": evidence, "statement": statement}
    )
    return queued


def statements_url(endpoint: str) -> str:
    """Return the statements resource of the xAPI ``endpoint``.

    The endpoint is the store's xAPI base (``https://lrs.example/xAPI``);
    one that already names the statements resource is taken as it is.
    """
    url = endpoint.rstrip("/")
    if urllib.parse.urlsplit(url).scheme not in {"http", "https"}:
        raise LrsError(f"THRESHOLD_XAPI_ENDPOINT must be an http(s) address, not {endpoint!r}.")
    return url if url.endswith("/statements") else f"{url}/statements"


def statements_post(endpoint: str, statements: Sequence[dict[str, Any]]) -> list[str]:
    """POST a batch of statements to the store; return the ids it stored now.

    A store that already holds every statement of the batch stores nothing
    and answers 204, so the list may be empty. Raise ``LrsError`` when the
    store cannot be reached or does not take the batch.
    """
    url = statements_url(endpoint)
    request = urllib.request.Request(  # noqa: S310 - statements_url allows http(s) only
        url,
        data=json.dumps(list(statements)).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION},
    )
    user, password = settings.THRESHOLD_XAPI_USERNAME, settings.THRESHOLD_XAPI_PASSWORD
    if user:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    try:
        with OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:
            status, body = response.status, response.read()
    except urllib.error.HTTPError as error:
        raise LrsError(
            refusal_message(error.code, error_detail(error), url=url), status=error.code
        ) from error
    except OSError as error:  # URLError, timeouts, refused connections
        reason = getattr(error, "reason", error)
        raise LrsError(
            f"The learning record store at {url} could not be reached: {reason}."
        ) from error
    if status == HTTPStatus.NO_CONTENT:
        return []
    try:
        stored = json.loads(body)
    except ValueError:
        stored = None
    if status != HTTPStatus.OK or not isinstance(stored, list):
        raise LrsError(
            f"{url} answered {status} without the ids of the statements it stored; "
            "is THRESHOLD_XAPI_ENDPOINT the xAPI address of a learning record store?",
            status=status,
        )
    return [str(statement_id) for statement_id in stored]


def error_detail(error: urllib.error.HTTPError) -> str:
    """Return what the store said about a refusal, in a line."""
    if 300 <= error.code < 400:
        return f"to {error.headers.get('Location', 'nowhere')}"
    try:
        text = error.read().decode(errors="replace")
    except OSError:
        return error.reason or ""
    try:
        detail = json.loads(text).get("detail", text)
    except (ValueError, AttributeError):
        detail = text
    if isinstance(detail, list) and detail and isinstance(detail[0], dict):
        first = detail[0]
        where = ".".join(str(part) for part in first.get("loc", ()))
        detail = f"{where}: {first.get('msg', '')}" + (
            f" (and {len(detail) - 1} more)" if len(detail) > 1 else ""
        )
    return " ".join(str(detail).split())[:200]


def refusal_message(status: int, detail: str, *, url: str) -> str:
    """Say in words why the store at ``url`` refused a batch."""
    if status in {HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN}:
        user = settings.THRESHOLD_XAPI_USERNAME
        who = f"the credentials of {user!r}" if user else "a request without credentials"
        return (
            f"The learning record store refused {who} ({status}: {detail}); "
            "check THRESHOLD_XAPI_USERNAME and THRESHOLD_XAPI_PASSWORD."
        )
    if 300 <= status < 400:
        return (
            f"The learning record store redirects ({status}) {detail}: set "
            "THRESHOLD_XAPI_ENDPOINT to the address it redirects to."
        )
    if status in {HTTPStatus.NOT_FOUND, HTTPStatus.METHOD_NOT_ALLOWED}:
        return (
            f"There is no xAPI statements resource at {url} ({status}: {detail}); "
            "check THRESHOLD_XAPI_ENDPOINT."
        )
    if status == HTTPStatus.CONFLICT:
        return f"The learning record store holds other content under this statement id ({detail})."
    if status in REFUSED_FOR_CONTENT:
        return f"The learning record store rejected the statements ({status}: {detail})."
    return f"The learning record store answered {status} ({detail})."


def queued_statements_send(*, endpoint: str, batch: int = 100) -> int:
    """Send the queued statements to the store, oldest first; return how many it took.

    Statements go in batches of ``batch``. When the store cannot take a
    batch for a reason of its own (it cannot be reached, refuses the
    credentials, is not where the settings say or fails with a 5xx), the
    batch stays queued with the error and sending stops until next time.
    When it refuses a batch for what a statement holds (400, 409, 413, 422:
    batches are all or nothing), each statement of the batch is sent alone,
    so one bad statement holds up no other: a statement refused as invalid
    is marked failed with its error and never sent again (it would be
    refused again), and one refused because the store already holds its id
    counts as sent (statements never change, so the store keeps the first).
    """
    sent = 0
    while True:
        queued = list(
            XapiStatement.objects.filter(sent_at__isnull=True, failed_at__isnull=True)[:batch]
        )
        if not queued:
            return sent
        error = _post_or_error(endpoint, [q.statement for q in queued])
        if error is None:
            _record_sent(queued)
            sent += len(queued)
            continue
        if error.status not in REFUSED_FOR_CONTENT:
            _record_failure(queued, error)
            return sent
        for position, one in enumerate(queued):
            alone = error if len(queued) == 1 else _post_or_error(endpoint, [one.statement])
            if alone is None:
                _record_sent([one])
                sent += 1
            elif alone.status == HTTPStatus.CONFLICT:
                logger.warning("xAPI statement %s already held by the store: %s", one, alone)
                _record_sent([one], note=str(alone))
                sent += 1
            elif alone.status in REFUSED_FOR_CONTENT:
                _record_failure([one], alone, permanent=True)
            else:
                _record_failure(queued[position:], alone)
                return sent


def _post_or_error(endpoint: str, statements: Sequence[dict[str, Any]]) -> LrsError | None:
    try:
        statements_post(endpoint, statements)
    except LrsError as error:
        return error
    return None


def _record_sent(queued: Sequence[XapiStatement], *, note: str = "") -> None:
    XapiStatement.objects.filter(pk__in=[q.pk for q in queued]).update(
        sent_at=timezone.now(), last_error=note[:300]
    )


def _record_failure(
    queued: Sequence[XapiStatement], error: LrsError, *, permanent: bool = False
) -> None:
    XapiStatement.objects.filter(pk__in=[q.pk for q in queued]).update(
        attempts=F("attempts") + 1,
        last_error=str(error)[:300],
        failed_at=timezone.now() if permanent else None,
    )
    if permanent:
        logger.error("xAPI statement %s refused by the store, not sent again: %s", queued[0], error)
    else:
        logger.warning("%d xAPI statements not sent: %s", len(queued), error)
