"""xAPI: a statement is queued for each released piece of evidence and sent once.

No learning record store is installable here, so the receiving end is a
small HTTP handler that records what it was sent: these tests check the
statements and the queue, not an LRS's conformance.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import XapiStatement
from assessments.tasks import xapi_statements_send
from tests.assessments.competency_helpers import competent, framework, member

pytestmark = pytest.mark.django_db


class Receiver(BaseHTTPRequestHandler):
    received: list[dict] = []
    headers_seen: list = []
    fail = False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.fail:
            self.send_response(503)
            self.end_headers()
            return
        Receiver.headers_seen.append(self.headers)
        statements = json.loads(body)
        Receiver.received.extend(statements)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps([s["id"] for s in statements]).encode())

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def endpoint(settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    Receiver.received, Receiver.headers_seen, Receiver.fail = [], [], False
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_port}/xapi"
    settings.THRESHOLD_XAPI_ENDPOINT = url
    settings.THRESHOLD_XAPI_USERNAME = "threshold"
    settings.THRESHOLD_XAPI_PASSWORD = "secret-for-tests"
    yield url
    server.shutdown()


def test_released_evidence_is_queued_with_a_statement() -> None:
    amira = member("amira", None)
    competent(amira, framework(), date(2026, 1, 5))
    queued = list(XapiStatement.objects.all())
    assert len(queued) == 4
    verbs = {q.statement["verb"]["display"]["en-GB"] for q in queued}
    assert verbs == {"completed", "mastered", "attended"}
    played = next(q.statement for q in queued if "conference_played" in q.statement["object"]["id"])
    assert played["actor"]["account"]["name"] == "amira"
    assert "mbox" not in played["actor"]
    assert played["result"] == {"score": {"scaled": 0.8}, "success": True}


def test_statements_are_sent_once_and_kept_when_the_store_is_down(endpoint) -> None:  # type: ignore[no-untyped-def]
    competent(member("amira", None), framework(), date(2026, 1, 5))
    Receiver.fail = True
    assert xapi_statements_send.enqueue().return_value == 0
    assert XapiStatement.objects.filter(sent_at__isnull=True, attempts=1).count() == 4
    Receiver.fail = False
    assert xapi_statements_send.enqueue().return_value == 4
    assert xapi_statements_send.enqueue().return_value == 0
    assert len(Receiver.received) == 4
    assert {s["id"] for s in Receiver.received} == {
        str(q.statement_id) for q in XapiStatement.objects.all()
    }
    assert Receiver.headers_seen[0]["X-Experience-API-Version"] == "1.0.3"
    assert Receiver.headers_seen[0]["Authorization"].startswith("Basic ")


def test_the_command_says_when_no_store_is_configured(settings) -> None:  # type: ignore[no-untyped-def]
    settings.THRESHOLD_XAPI_ENDPOINT = ""
    out = StringIO()
    call_command("send_xapi_statements", stdout=out)
    assert "THRESHOLD_XAPI_ENDPOINT is not set" in out.getvalue()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://127.0.0.1/xapi", "127.0.0.1/xapi"])
def test_an_endpoint_that_is_not_http_is_refused_and_statements_stay_queued(
    settings,  # type: ignore[no-untyped-def]
    url: str,
) -> None:
    competent(member("amira", None), framework(), date(2026, 1, 5))
    settings.THRESHOLD_XAPI_ENDPOINT = url
    assert xapi_statements_send.enqueue().return_value == 0
    unsent = XapiStatement.objects.filter(sent_at__isnull=True, attempts=1)
    assert unsent.count() == 4
    assert "must be an http:// or https:// URL" in unsent.first().last_error
