"""Guidance benchmarks: import, section render, search, and cached pages.

Run with ``make bench`` (``pytest tests/benchmarks -p no:randomly -s``); the
figures are printed, and kept in ``docs/benchmarks.md`` under "Guidance".

Targets (issue C1-C4):
- import the statutory guidance text (227 KB) in under 10 s, re-import it
  unchanged in under 5 s;
- a section page with 60 paragraphs renders in under 50 ms median (warm, no
  cache) with a bounded number of queries;
- search answers in under 100 ms median over the imported documents;
- cached anonymous pages serve at 2,000 requests/s or more on two cores.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT.parent / "shared" / "seeds"
RUNS = 50
SECTION_PARAGRAPHS = 60

needs_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(), reason=f"source documents not available: {SEEDS} is absent"
)


def seed(prefix: str) -> Path:
    return sorted(SEEDS.glob(f"{prefix}_*.txt"))[0]


def report(line: str) -> None:
    load = os.getloadavg()[0]
    print(f"\n[guidance bench] {line} (load average {load:.1f} on {os.cpu_count()} cores)")


def median_ms(action: Callable[[], object], runs: int = RUNS) -> float:
    action()  # warm
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings)


def guidance_import_file(*args: object, **kwargs: object) -> object:
    # Imported here, not at the top: uvicorn imports this module (for
    # ``front_application``) before Django is set up.
    from content.guidance_services import guidance_import_file as import_file

    return import_file(*args, **kwargs)


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    from content.guidance_selectors import guidance_cache_forget

    cache.clear()
    guidance_cache_forget()
    yield
    cache.clear()
    guidance_cache_forget()


# -- Import ------------------------------------------------------------------------------


@needs_seeds
@pytest.mark.django_db
def test_import_statutory_guidance() -> None:
    path = seed("001")
    args = [str(path), "--slug", "statutory-guidance", "--title", "Statutory guidance"]
    start = time.perf_counter()
    call_command("import_guidance", *args, "--publish", stdout=StringIO())
    first = time.perf_counter() - start
    start = time.perf_counter()
    out = StringIO()
    call_command("import_guidance", *args, stdout=out)
    again = time.perf_counter() - start
    assert "No change" in out.getvalue()
    report(
        f"import 001 ({path.stat().st_size / 1024:.0f} KB): {first:.2f} s; "
        f"re-import unchanged: {again:.2f} s"
    )
    assert first < 10
    assert again < 5


# -- Rendering a section -----------------------------------------------------------------


def long_section(paragraphs: int) -> str:
    """A document whose one section has ``paragraphs`` numbered paragraphs,
    with what costs at render time: list items, cross references and
    glossary terms (laid out as the demo summary is)."""
    lines = ["Benchmark guidance", "", " What this is", "1. A document for the benchmark.", ""]
    lines += ["Part 1: The only part", "The long section", ""]
    lines += ["Key Points", "", "\u25cf The MASH and the Hub work together", ""]
    for n in range(2, paragraphs + 2):
        lines += [
            f"{n}. Paragraph {n}: when a child may be suffering significant harm, the MASH "
            "shares what agencies know, the strategy discussion decides the next steps and "
            f"the core group carries out the plan agreed at the ICPC (see paragraph {n - 1}).",
            "",
        ]
        if n % 5 == 0:
            lines += ["\u25cb the first point of the list;", "\u25cb the second point.", ""]
    return "\n".join(lines)


@pytest.mark.django_db
def test_section_with_60_paragraphs_renders_fast(
    client: Client, settings: object, tmp_path: Path
) -> None:
    settings.THRESHOLD_GUIDANCE_CACHE_SECONDS = 0  # type: ignore[attr-defined]
    call_command("seed_guidance", stdout=StringIO())  # the glossary, and the library page
    path = tmp_path / "bench.txt"
    path.write_text(long_section(SECTION_PARAGRAPHS), encoding="utf-8")
    guidance_import_file(path, slug="bench", publish=True)
    url = "/guidance/bench/the-long-section/"
    response = client.get(url)
    html = response.content.decode()
    assert html.count('class="app-para app-para--numbered"') == SECTION_PARAGRAPHS
    assert "<abbr" in html and 'href="#para-2"' in html
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = len(captured.captured_queries)
    ms = median_ms(lambda: client.get(url))
    report(
        f"section page, {SECTION_PARAGRAPHS} paragraphs, no cache: median {ms:.1f} ms "
        f"over {RUNS} runs, {queries} queries"
    )
    assert queries <= 12
    assert ms < 50
    if SEEDS.is_dir():
        guidance_import_file(
            seed("001"), slug="statutory-guidance", title="Statutory guidance", publish=True
        )
        url = "/guidance/statutory-guidance/wellbeing-assessments-and-plans-for-looked-after-children-and-care-leavers/"
        assert client.get(url).status_code == 200
        ms_001 = median_ms(lambda: client.get(url))
        report(
            f"largest section of 001 (46 blocks, footnotes, sub-headings), no cache: median {ms_001:.1f} ms"
        )
        assert ms_001 < 50


# -- Search ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_is_fast(client: Client) -> None:
    call_command("seed_guidance", stdout=StringIO())
    documents = ["procedures-summary"]
    if SEEDS.is_dir():
        guidance_import_file(
            seed("001"), slug="statutory-guidance", title="Statutory guidance", publish=True
        )
        guidance_import_file(seed("003"), slug="delegate-workbook", publish=True)
        documents += ["statutory-guidance", "delegate-workbook"]
    queries = ["Gillick", "core group", "strategy discussion", "consent", "wellbeing plan"]
    for query in queries:
        assert client.get("/search/", {"q": query}).status_code == 200
    position = iter(range(10**6))
    ms = median_ms(lambda: client.get("/search/", {"q": queries[next(position) % len(queries)]}))
    report(f"search over {', '.join(documents)}: median {ms:.1f} ms over {RUNS} runs")
    assert ms < 100


# -- Cached anonymous pages on a real server ---------------------------------------------

WORKERS = 2
CONNECTIONS = 32
LOAD_SECONDS = float(os.environ.get("THRESHOLD_BENCH_SECONDS", "10"))
MAX_REQUESTS = 200_000


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _load(port: int, paths: list[str], *, seconds: float) -> tuple[int, int, float]:
    """Keep ``CONNECTIONS`` keep-alive connections busy; return (ok, other, seconds)."""
    counts = {"ok": 0, "other": 0}
    deadline = time.perf_counter() + seconds

    async def connection_loop(offset: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        index = offset
        try:
            while time.perf_counter() < deadline and counts["ok"] + counts["other"] < MAX_REQUESTS:
                path = paths[index % len(paths)]
                index += 1
                writer.write(
                    f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n".encode()
                )
                status = int((await reader.readline()).split()[1])
                length = 0
                while (line := await reader.readline()) not in (b"\r\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    if name.lower() == "content-length":
                        length = int(value)
                await reader.readexactly(length)
                counts["ok" if status == 200 else "other"] += 1
        finally:
            writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(connection_loop(i) for i in range(CONNECTIONS)))
    return counts["ok"], counts["other"], time.perf_counter() - start


def django_only_application() -> object:
    """Django's ASGI handler alone, without the guidance page cache's ASGI front.

    ``config/asgi.py`` wraps HTTP as ``GuidancePageCache(django_asgi_app)``;
    uvicorn builds this (``--factory``) so that the benchmark measures both.
    """
    from config.asgi import django_asgi_app

    return django_asgi_app


APPLICATIONS = {
    "django": ["tests.benchmarks.test_guidance_bench:django_only_application", "--factory"],
    "front": ["config.asgi:application"],
}


@pytest.fixture(scope="module")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A migrated, seeded data folder for production settings, made once."""
    var = tmp_path_factory.mktemp("guidance-bench")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "benchmark-only-not-secret-" + "x" * 40,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_HSTS_SECONDS": "0",
        "THRESHOLD_VAR_DIR": str(var),
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    for args in (("migrate", "--noinput"), ("collectstatic", "--noinput"), ("seed_guidance",)):
        subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=900,
        )
    return env


@pytest.mark.timeout(900)
@pytest.mark.parametrize("variant", ["django", "front"])
def test_cached_anonymous_pages_throughput(
    server_env: dict[str, str], tmp_path: Path, variant: str
) -> None:
    """uvicorn with two workers on loopback, as production runs each node.

    ``django``: Django's handler alone, hits answered by the view inside it.
    ``front``: config.asgi as it is, hits answered by ``GuidancePageCache``
    before Django's handler; the target applies to it.
    """
    env = server_env
    port = free_port()
    log = (tmp_path / "server.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            *APPLICATIONS[variant],
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = "/guidance/procedures-summary/"
    paths = [
        base,
        f"{base}understanding-levels-of-need/",
        f"{base}significant-harm/",
        f"{base}strategy-discussion/",
        f"{base}writing-the-report/",
        f"{base}order-of-business/",
        f"{base}lead-social-worker-and-core-group/",
        f"{base}the-voice-of-the-child/",
    ]
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}{paths[0]}", timeout=5
                ) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                pass
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, "server did not start"
            time.sleep(0.5)
        asyncio.run(_load(port, paths, seconds=2))  # warm both workers' caches
        ok, other, seconds = asyncio.run(_load(port, paths, seconds=LOAD_SECONDS))
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    rate = ok / seconds
    report(
        f"cached anonymous pages ({variant}): {rate:,.0f} req/s ({ok:,} responses in "
        f"{seconds:.1f} s, {CONNECTIONS} keep-alive connections, uvicorn --workers {WORKERS}, "
        "load generator on the same machine)"
    )
    assert other == 0
    if variant == "front":
        assert rate >= float(os.environ.get("THRESHOLD_BENCH_MIN_RPS", "2000"))
