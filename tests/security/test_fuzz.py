"""C8: the coverage-guided fuzzer over the frame parser finds no crash in a short run.

``make fuzz`` runs the same target for FUZZ_SECONDS (default 300).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECONDS = int(os.environ.get("FUZZ_TEST_SECONDS", "20"))

pytestmark = pytest.mark.slow


def test_the_protocol_fuzzer_runs_without_a_crash(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "fuzz/protocol_fuzzer.py",
            str(corpus),
            "fuzz/corpus",
            "-dict=fuzz/protocol_fuzzer.dict",
            f"-max_total_time={SECONDS}",
            "-rss_limit_mb=2048",
            f"-artifact_prefix={tmp_path}/",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=SECONDS + 120,
        check=False,
    )
    log = result.stdout + result.stderr
    crashes = [path.name for path in tmp_path.iterdir() if path.name != "corpus"]
    assert result.returncode == 0, log[-4000:]
    assert crashes == [], log[-4000:]
    runs = next(line for line in log.splitlines() if line.startswith("Done "))
    assert int(runs.split()[1]) > 10_000, runs  # it really ran, and fast enough to matter
