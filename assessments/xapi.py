"""xAPI statements for evidence: what a learning record store receives.

Each released piece of evidence becomes one statement (actor, verb,
activity, result, timestamp), queued in ``XapiStatement`` and sent by
``assessments.tasks.xapi_statements_send`` to ``THRESHOLD_XAPI_ENDPOINT``.
The actor is identified by account (platform address and username), never
by e-mail address, so the store holds no contact details.
"""

from __future__ import annotations

import base64
import json
import urllib.request
import uuid
from collections.abc import Sequence
from datetime import datetime, time
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
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


def platform_url() -> str:
    return str(settings.WAGTAILADMIN_BASE_URL).rstrip("/")


def statement_for(evidence: Evidence) -> dict[str, Any]:
    """Return the xAPI statement for one released piece of evidence."""
    base = platform_url()
    verb_id, verb_name = VERBS[evidence.kind]
    activity = evidence.source_ref or f"evidence-{evidence.pk}"
    statement: dict[str, Any] = {
        "id": str(uuid.uuid5(NAMESPACE, f"evidence:{evidence.pk}")),
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


def statements_post(endpoint: str, statements: Sequence[dict[str, Any]]) -> None:
    """POST a batch of statements to ``endpoint``/statements; raise on failure.

    Only ``http`` and ``https`` endpoints are used: ``urlopen`` would also
    read ``file:`` and ``ftp:`` URLs.
    """
    if urlsplit(endpoint).scheme not in {"http", "https"}:
        raise OSError("THRESHOLD_XAPI_ENDPOINT must be an http:// or https:// URL.")
    request = urllib.request.Request(  # noqa: S310 - http(s) only, checked above  # nosec B310
        f"{endpoint.rstrip('/')}/statements",
        data=json.dumps(list(statements)).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "X-Experience-API-Version": XAPI_VERSION},
    )
    user, password = settings.THRESHOLD_XAPI_USERNAME, settings.THRESHOLD_XAPI_PASSWORD
    if user:
        token = base64.b64encode(f"{user}:{password}".encode()).decode()
        request.add_header("Authorization", f"Basic {token}")
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - http(s) only, checked above  # nosec B310
        if response.status not in {200, 204}:
            raise OSError(f"The learning record store answered {response.status}.")
