"""Workbook benchmarks: autosave round trip and a 40-block chapter render.

Targets (the workbook issue): autosave under 50 ms median, a 40-block chapter
under 80 ms median, with a query count that does not grow with the number of
blocks. Run with ``make bench`` (``pytest tests/benchmarks -s``).
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from content.demo.workbook import (
    JAYDEN_PANELS,
    block,
    choice_quiz,
    definition,
    guidance,
    items,
    matching,
    option,
    paragraphs,
    reading,
    reflection,
    text,
    true_false,
    wellbeing,
)
from content.services import home_page_ensure
from content.workbook_services import workbook_ensure, workbook_index_ensure
from tests.assessments.test_workbook_helpers import (
    guidance_scheme,
    htmx,
    ordering_block,
    person,
    report_block,
)

pytestmark = pytest.mark.django_db

RUNS = 50
AUTOSAVE_TARGET_MS = 50
CHAPTER_TARGET_MS = 80
QUERY_BOUND = 15


def scenario(block_id: str) -> dict[str, Any]:
    return block(
        "scenario_activity",
        block_id,
        {
            "title": "Jayden, aged four",
            "introduction": paragraphs("Read what each agency knows."),
            "panels": items(f"{block_id}-panel", JAYDEN_PANELS),
            "questions": items(
                f"{block_id}-q", [{"prompt": f"Question {n}?", "hint": ""} for n in range(1, 8)]
            ),
        },
    )


def mixed_blocks(count: int) -> list[dict[str, Any]]:
    """Return ``count`` blocks cycling through every kind, with one report."""
    makers: list[Callable[[str], dict[str, Any]]] = [
        lambda i: text(i, paragraphs("A paragraph of workbook text, about a sentence long.")),
        lambda i: definition(
            i, "Neglect", paragraphs("A persistent failure."), guidance(22), ["No food"]
        ),
        lambda i: choice_quiz(
            "single_choice",
            i,
            "How many days?",
            [option("5", "No."), option("15", "Yes.", correct=True)],
            guidance(37),
        ),
        lambda i: choice_quiz(
            "multiple_choice",
            i,
            "Who must attend?",
            [option("CSC", correct=True), option("Two agencies", correct=True), option("Police")],
            guidance(41),
        ),
        lambda i: {**ordering_block(i), "id": i},
        lambda i: matching(
            i,
            "Which?",
            ["Fact", "Opinion"],
            [("Records show", "Fact", ""), ("Seems", "Opinion", "")],
            guidance(49),
        ),
        lambda i: true_false(i, "Parents only observe.", False, "No.", "Right.", guidance(44)),
        lambda i: reading(i, "Read this", guidance(24)),
        lambda i: reflection(i, "Reflect", ["What surprised you?", "What next?"]),
        scenario,
        lambda i: wellbeing(i, "Look after yourself", paragraphs("Take a break.")),
    ]
    blocks = [report_block("report")]
    blocks += [makers[n % len(makers)](f"b{n}") for n in range(count - 1)]
    return blocks


def build(count: int, slug: str) -> Any:
    home = home_page_ensure()
    index = workbook_index_ensure(
        home=home, spec={"title": "Workbooks", "slug": "workbooks", "intro": ""}
    )
    workbook, _ = workbook_ensure(
        index=index,
        spec={
            "slug": slug,
            "title": f"Bench {count}",
            "intro": "A workbook for benchmarks.",
            "about": "",
            "estimated_minutes": 10,
            "chapters": [
                {"slug": "chapter", "title": "Chapter", "summary": "", "body": mixed_blocks(count)}
            ],
        },
    )
    return workbook.chapters().get()


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


def test_chapter_render_and_autosave() -> None:
    with guidance_scheme():
        big = build(40, "bench-forty")
        small = build(10, "bench-ten")
        assert len(big.body) == 40
        client = Client()
        client.force_login(person("bench"))

        # Some answers already given, as a delegate part-way through would have.
        first = client.get(f"/learn/chapter/{big.pk}/").content.decode()
        status = first.split('id="answer-status-b9"', 1)[1]
        structure = re.search(r'name="structure" value="([0-9a-f]+)"', status)[1]  # type: ignore[index]
        url = f"/learn/chapter/{big.pk}/blocks/b9/answer/"
        revision = 0

        def save(words: str) -> None:
            nonlocal revision
            response = client.post(
                url,
                {"revision": str(revision), "structure": structure, "answer-b9-q-1": words},
                headers=htmx(),
            )
            assert response.status_code == 200, response.content[:500]
            revision = int(re.search(rb'name="revision" value="(\d+)"', response.content)[1])  # type: ignore[index]

        save("Warming up.")
        autosave, autosave_cpu = [], []
        for run in range(RUNS):
            started, cpu = time.perf_counter(), time.process_time()
            save(f"Jayden's life at home seems frightening (draft {run}).")
            autosave.append(time.perf_counter() - started)
            autosave_cpu.append(time.process_time() - cpu)

        queries = {}
        for page in (small, big):
            client.get(f"/learn/chapter/{page.pk}/")
            with CaptureQueriesContext(connection) as captured:
                assert client.get(f"/learn/chapter/{page.pk}/").status_code == 200
            queries[len(page.body)] = len(captured)

        render, render_cpu = [], []
        for _ in range(RUNS):
            started, cpu = time.perf_counter(), time.process_time()
            response = client.get(f"/learn/chapter/{big.pk}/")
            render.append(time.perf_counter() - started)
            render_cpu.append(time.process_time() - cpu)
            assert response.status_code == 200

    print(
        f"\nworkbook autosave round trip: median {median_ms(autosave):.1f} ms "
        f"(CPU {median_ms(autosave_cpu):.1f} ms), "
        f"p90 {statistics.quantiles(autosave, n=10)[-1] * 1000:.1f} ms over {RUNS} saves"
        f"\nworkbook chapter of 40 blocks: median {median_ms(render):.1f} ms "
        f"(CPU {median_ms(render_cpu):.1f} ms), "
        f"p90 {statistics.quantiles(render, n=10)[-1] * 1000:.1f} ms over {RUNS} renders; "
        f"{queries[40]} queries (10 blocks: {queries[10]})"
    )
    assert queries[40] == queries[10], "the query count grows with the number of blocks"
    assert queries[40] <= QUERY_BOUND
    assert median_ms(autosave) < AUTOSAVE_TARGET_MS
    assert median_ms(render) < CHAPTER_TARGET_MS
