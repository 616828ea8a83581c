from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulations.engine.calendar import (
    add_working_days,
    is_working_day,
    working_days_between,
)
from tests.simulations.engine.helpers import JERSEY_HOLIDAYS_2025

NO_HOLIDAYS: frozenset[date] = frozenset()


def test_weekends_and_holidays_are_not_working_days() -> None:
    assert is_working_day(date(2025, 5, 8), JERSEY_HOLIDAYS_2025) is True  # Thursday
    assert is_working_day(date(2025, 5, 10), JERSEY_HOLIDAYS_2025) is False  # Saturday
    assert is_working_day(date(2025, 5, 9), JERSEY_HOLIDAYS_2025) is False  # Liberation Day
    assert is_working_day(date(2025, 5, 9), NO_HOLIDAYS) is True


@pytest.mark.parametrize(
    ("start", "n", "holidays", "expected"),
    [
        (date(2025, 5, 1), 10, NO_HOLIDAYS, date(2025, 5, 15)),
        # 5 May (early May bank holiday) and 9 May (Liberation Day) push it out.
        (date(2025, 5, 1), 10, JERSEY_HOLIDAYS_2025, date(2025, 5, 19)),
        (date(2025, 5, 2), 1, NO_HOLIDAYS, date(2025, 5, 5)),  # Friday -> Monday
        (date(2025, 5, 2), 1, JERSEY_HOLIDAYS_2025, date(2025, 5, 6)),
        (date(2025, 5, 1), -2, NO_HOLIDAYS, date(2025, 4, 29)),
        # Easter: two working days before Wednesday 23 April is Thursday 17th.
        (date(2025, 4, 23), -2, JERSEY_HOLIDAYS_2025, date(2025, 4, 17)),
        (date(2025, 5, 10), 0, JERSEY_HOLIDAYS_2025, date(2025, 5, 10)),
    ],
)
def test_add_working_days(start: date, n: int, holidays: frozenset[date], expected: date) -> None:
    assert add_working_days(start, n, holidays) == expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (date(2025, 5, 1), date(2025, 5, 1), 0),
        (date(2025, 5, 1), date(2025, 5, 2), 1),
        (date(2025, 5, 1), date(2025, 5, 19), 10),
        (date(2025, 5, 1), date(2025, 5, 20), 11),
        (date(2025, 5, 2), date(2025, 5, 4), 0),  # over a weekend
        (date(2025, 5, 19), date(2025, 5, 1), -10),
    ],
)
def test_working_days_between(a: date, b: date, expected: int) -> None:
    assert working_days_between(a, b, JERSEY_HOLIDAYS_2025) == expected


holiday_sets = st.frozensets(
    st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31)), max_size=40
)


@given(
    start=st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31)),
    n=st.integers(min_value=-60, max_value=60),
    holidays=holiday_sets,
)
def test_working_days_between_inverts_add_working_days(
    start: date, n: int, holidays: frozenset[date]
) -> None:
    end = add_working_days(start, n, holidays)
    assert working_days_between(start, end, holidays) == n
    if n:
        assert is_working_day(end, holidays) is True


@given(
    a=st.dates(min_value=date(2025, 1, 1), max_value=date(2025, 12, 31)),
    span=st.integers(min_value=0, max_value=400),
    holidays=holiday_sets,
)
def test_working_days_between_matches_counting_day_by_day(
    a: date, span: int, holidays: frozenset[date]
) -> None:
    b = a + timedelta(days=span)
    counted = sum(
        1 for offset in range(1, span + 1) if is_working_day(a + timedelta(days=offset), holidays)
    )
    assert working_days_between(a, b, holidays) == counted
