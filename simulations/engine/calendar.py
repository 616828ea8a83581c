"""Count Jersey working days for the procedures' timescales.

The procedures measure their deadlines in working days: reports two (initial)
or five (review) working days before conference, the first core group within
ten working days of it, the initial conference within fifteen of the strategy
discussion. The sources name no holiday list, and Jersey's public holidays
change by States decision (Liberation Day on 9 May, occasional one-off
holidays), so every function here takes the holiday dates as an argument.
The service layer supplies them; this module never looks them up.

A working day is a Monday to Friday that is not in ``holidays``.

Counting convention: the start day is never counted. "Within 10 working days
of 1 May" means on or before ``add_working_days(1 May, 10)``, and
``working_days_between(a, add_working_days(a, n)) == n`` for every ``n``.
"""

from __future__ import annotations

from collections.abc import Callable, Set
from datetime import date, timedelta

_SATURDAY = 5
_ONE_DAY = timedelta(days=1)


def is_working_day(day: date, holidays: Set[date]) -> bool:
    """Return whether ``day`` is a weekday and not a public holiday."""
    return day.weekday() < _SATURDAY and day not in holidays


def add_working_days(start: date, n: int, holidays: Set[date]) -> date:
    """Return the date ``n`` working days after ``start``.

    A negative ``n`` counts backwards, so ``add_working_days(conference, -2,
    holidays)`` is the last day an initial conference report is on time.
    ``start`` itself is not counted, and ``n == 0`` returns ``start``
    unchanged even when it is not a working day.
    """
    return add_days_where(start, n, lambda day: is_working_day(day, holidays))


def add_days_where(start: date, n: int, counts: Callable[[date], bool]) -> date:
    """Return the date ``n`` counted days after ``start``, counting days where ``counts``.

    The same convention as :func:`add_working_days`, for callers that decide
    what a working day is themselves (a scenario rendered without holidays).
    """
    step = _ONE_DAY if n > 0 else -_ONE_DAY
    remaining = abs(n)
    day = start
    while remaining:
        day += step
        if counts(day):
            remaining -= 1
    return day


def working_days_between(a: date, b: date, holidays: Set[date]) -> int:
    """Return how many working days ``b`` lies after ``a``.

    Count the working days in ``(a, b]``. When ``b`` is before ``a``, return
    minus the number of working days in ``[b, a)``, which makes this the
    inverse of :func:`add_working_days` in both directions.
    """
    if b < a:
        return -_weekdays_in(b, a - _ONE_DAY) + _holidays_in(b, a - _ONE_DAY, holidays)
    return _weekdays_in(a + _ONE_DAY, b) - _holidays_in(a + _ONE_DAY, b, holidays)


def _weekdays_in(first: date, last: date) -> int:
    """Return the number of Mondays to Fridays from ``first`` to ``last``."""
    if last < first:
        return 0
    days = (last - first).days + 1
    weeks, rest = divmod(days, 7)
    start = first.weekday()
    extra = sum(1 for offset in range(rest) if (start + offset) % 7 < _SATURDAY)
    return weeks * 5 + extra


def _holidays_in(first: date, last: date, holidays: Set[date]) -> int:
    """Return the number of weekday holidays from ``first`` to ``last``."""
    return sum(1 for day in holidays if first <= day <= last and day.weekday() < _SATURDAY)
