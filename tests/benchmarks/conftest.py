"""Benchmark session hooks: the load ladder writes its table when the session ends."""

from __future__ import annotations

import pytest

from tests.benchmarks import ladder


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    ladder.write(int(exitstatus), session.config.invocation_params.args)
