"""Scenario library benchmarks: load the library, generate variants, render a pack.

Targets (issue: scenario library): loading the whole library under 3 s;
generating 100 variants under 5 s; rendering a role pack under 30 ms median.
Run with ``make bench``; figures are printed and kept in docs/benchmarks.md.
"""

from __future__ import annotations

import statistics
import time
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from scenarios.schema import library_paths, load_scenario_file
from scenarios.variants import generate_variant


@pytest.mark.django_db
def test_load_whole_library(citations_resolve: None) -> None:
    started = time.perf_counter()
    call_command("load_scenarios", stdout=StringIO())
    elapsed = time.perf_counter() - started
    print(
        f"\nload_scenarios, {len(library_paths())} scenarios into an empty database: {elapsed:.2f} s (target < 3 s)"
    )
    started = time.perf_counter()
    call_command("load_scenarios", stdout=StringIO())
    print(f"load_scenarios again, unchanged: {time.perf_counter() - started:.2f} s")
    assert elapsed < 3


def test_generate_100_variants() -> None:
    template = load_scenario_file(library_paths()[0])
    started = time.perf_counter()
    for seed in range(100):
        generate_variant(template, seed=seed, seminar_date=date(2026, 12, 3))
    elapsed = time.perf_counter() - started
    print(f"\n100 variants of {template.slug}: {elapsed:.2f} s (target < 5 s)")
    assert elapsed < 5


@pytest.mark.django_db
def test_role_pack_render(client: Client, trainer, citations_resolve: None) -> None:  # type: ignore[no-untyped-def]
    call_command("load_scenarios", stdout=StringIO())
    client.force_login(trainer)
    url = "/scenarios/jayden-physical-abuse/packs/police/"
    assert client.get(url).status_code == 200
    timings = []
    for _ in range(50):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    median = statistics.median(timings)
    print(f"\nrole pack page, median of 50: {median:.1f} ms (target < 30 ms)")
    assert median < 30
