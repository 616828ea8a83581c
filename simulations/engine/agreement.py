"""Measure how far a room's professionals agreed, beyond what chance explains.

A debrief asks two questions of the sealed recommendations: did the room
agree on threshold and category, and did discussion move anyone? The first
is Fleiss' kappa (Fleiss 1971) over the children of the conference, read
against the bands of Landis and Koch (1977); the second is a plain count of
the recommendations in the first round and the final one.

Theory of operation
-------------------
Input is a table of counts: one row per subject (a child), one column per
category (threshold met / not met, or a category of abuse), each cell the
number of raters who put that subject in that category. Rows may have
different totals (a voter who missed one child); this is the usual
generalisation of Fleiss' formula, and it equals Fleiss' own when every row
has the same total:

    P_i  = (sum_j n_ij^2 - n_i) / (n_i (n_i - 1))     agreement on subject i
    Pbar = mean of P_i                                 observed agreement
    p_j  = sum_i n_ij / sum_i n_i                      share of category j
    Pe   = sum_j p_j^2                                 agreement by chance
    kappa = (Pbar - Pe) / (1 - Pe)

Degenerate tables are reported, never raised and never turned into a
misleading number. ``FleissResult.kappa`` is None, with the reason in
``undefined``, when:

- no row has two or more ratings (``NO_SUBJECTS`` or ``TOO_FEW_RATERS``;
  rows with fewer than two ratings are dropped because one rater cannot
  agree with anyone);
- only one subject is left (``SINGLE_SUBJECT``): with one row, Pbar and Pe
  come from the same counts and kappa is always -1/(n-1) unless everyone
  agrees, which measures nothing; the observed agreement is still given;
- every rating falls in one category (``NO_VARIATION``): Pe is 1 and
  kappa is 0/0; observed agreement is then 1, which the result says.

Everything is pure and deterministic: sums run in row and column order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

_EPSILON = 1e-12


class KappaUndefined(StrEnum):
    """Why a table has no kappa."""

    NO_SUBJECTS = "no_subjects"
    TOO_FEW_RATERS = "too_few_raters"
    SINGLE_SUBJECT = "single_subject"
    NO_VARIATION = "no_variation"


UNDEFINED_MESSAGES: dict[KappaUndefined, str] = {
    KappaUndefined.NO_SUBJECTS: "There were no recommendations to compare.",
    KappaUndefined.TOO_FEW_RATERS: (
        "Each child had fewer than two recommendations, so there was no one to agree with."
    ),
    KappaUndefined.SINGLE_SUBJECT: (
        "Kappa compares agreement across several children; with one child it "
        "cannot separate agreement from chance, so only the share of agreeing "
        "pairs is reported."
    ),
    KappaUndefined.NO_VARIATION: (
        "Every recommendation gave the same answer, so agreement was complete "
        "and kappa (which needs some variation to compare with chance) is undefined."
    ),
}


@dataclass(frozen=True, kw_only=True)
class FleissResult:
    """Fleiss' kappa for one table, or the reason it has none.

    ``observed`` is Pbar, the share of agreeing rater pairs averaged over
    subjects; ``expected`` is Pe. Both are None when no row had two ratings.
    ``subjects`` counts the rows used; ``ratings`` the ratings in them.
    """

    kappa: float | None
    observed: float | None
    expected: float | None
    subjects: int
    ratings: int
    undefined: KappaUndefined | None = None

    @property
    def band(self) -> str:
        """Return the Landis and Koch band, or "undefined"."""
        return "undefined" if self.kappa is None else landis_koch(self.kappa)


def fleiss_kappa(table: Sequence[Sequence[int]]) -> FleissResult:
    """Return Fleiss' kappa for ``table`` (rows: subjects, columns: categories).

    Counts must be non-negative integers and every row the same length;
    raise ValueError otherwise (a programming error, not a data problem).
    """
    width = len(table[0]) if table else 0
    for row in table:
        if len(row) != width:
            msg = "every row of the table needs the same number of categories"
            raise ValueError(msg)
        if any(count < 0 for count in row):
            msg = "counts cannot be negative"
            raise ValueError(msg)
    if not table:
        return FleissResult(
            kappa=None,
            observed=None,
            expected=None,
            subjects=0,
            ratings=0,
            undefined=KappaUndefined.NO_SUBJECTS,
        )
    rows = [row for row in table if sum(row) >= 2]
    if not rows:
        return FleissResult(
            kappa=None,
            observed=None,
            expected=None,
            subjects=0,
            ratings=0,
            undefined=KappaUndefined.TOO_FEW_RATERS,
        )
    total = sum(sum(row) for row in rows)
    per_subject = [
        (sum(count * count for count in row) - sum(row)) / (sum(row) * (sum(row) - 1))
        for row in rows
    ]
    observed = sum(per_subject) / len(rows)
    shares = [sum(row[j] for row in rows) / total for j in range(width)]
    expected = sum(share * share for share in shares)
    undefined: KappaUndefined | None = None
    kappa: float | None = None
    if expected >= 1 - _EPSILON:
        undefined = KappaUndefined.NO_VARIATION
    elif len(rows) == 1:
        undefined = KappaUndefined.SINGLE_SUBJECT
    else:
        kappa = (observed - expected) / (1 - expected)
    return FleissResult(
        kappa=kappa,
        observed=observed,
        expected=expected,
        subjects=len(rows),
        ratings=total,
        undefined=undefined,
    )


LANDIS_KOCH_BANDS: tuple[tuple[float, str], ...] = (
    (0.0, "poor"),
    (0.20, "slight"),
    (0.40, "fair"),
    (0.60, "moderate"),
    (0.80, "substantial"),
)
"""Upper bounds (exclusive for poor, inclusive otherwise) of each band."""


def landis_koch(kappa: float) -> str:
    """Return the Landis and Koch (1977) name for the strength of ``kappa``.

    Below 0 poor; 0 to 0.20 slight; 0.21 to 0.40 fair; 0.41 to 0.60
    moderate; 0.61 to 0.80 substantial; 0.81 to 1 almost perfect.
    """
    if kappa < 0:
        return "poor"
    for upper, name in LANDIS_KOCH_BANDS[1:]:
        if kappa <= upper + _EPSILON:
            return name
    return "almost perfect"


def describe(result: FleissResult, *, what: str) -> str:
    """Return one plain-English sentence about ``result`` for a debrief."""
    if result.kappa is not None:
        return (
            f"Agreement on {what}: kappa {result.kappa:.2f}, {result.band} agreement "
            "(Landis and Koch)."
        )
    reason = UNDEFINED_MESSAGES[result.undefined] if result.undefined is not None else ""
    if result.observed is not None:
        return (
            f"Agreement on {what}: {result.observed:.0%} of pairs of professionals agreed. {reason}"
        )
    return f"Agreement on {what}: not measured. {reason}"
