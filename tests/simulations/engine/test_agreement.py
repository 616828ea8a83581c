"""Fleiss' kappa against published examples, and its degenerate cases."""

from __future__ import annotations

import pytest

from simulations.engine.agreement import (
    FleissResult,
    KappaUndefined,
    describe,
    fleiss_kappa,
    landis_koch,
)

# Fleiss (1971), "Measuring nominal scale agreement among many raters": 30
# patients, 6 psychiatrists, 5 diagnoses. Each row lists the six diagnoses
# (1-5) given to one patient; R's irr::kappam.fleiss(diagnoses) gives
# 0.4302445 for it.
FLEISS_1971 = [
    [4, 4, 4, 4, 4, 4],
    [2, 2, 2, 5, 5, 5],
    [2, 3, 3, 3, 3, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 2, 2, 4, 4, 4],
    [1, 1, 3, 3, 3, 3],
    [3, 3, 3, 3, 5, 5],
    [1, 1, 3, 3, 3, 4],
    [1, 1, 4, 4, 4, 4],
    [5, 5, 5, 5, 5, 5],
    [1, 4, 4, 4, 4, 4],
    [1, 2, 4, 4, 4, 4],
    [2, 2, 2, 3, 3, 3],
    [1, 4, 4, 4, 4, 4],
    [2, 2, 4, 4, 4, 5],
    [3, 3, 3, 3, 3, 5],
    [1, 1, 1, 4, 5, 5],
    [1, 1, 1, 1, 1, 2],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 5, 5, 5],
    [5, 5, 5, 5, 5, 5],
    [2, 4, 4, 4, 4, 4],
    [2, 2, 4, 5, 5, 5],
    [1, 1, 4, 4, 4, 4],
    [1, 4, 4, 4, 4, 5],
    [2, 2, 2, 2, 2, 4],
    [1, 1, 1, 1, 5, 5],
    [2, 2, 4, 4, 4, 4],
    [1, 3, 3, 3, 3, 3],
    [5, 5, 5, 5, 5, 5],
]

# The worked example on Wikipedia's "Fleiss' kappa" page: 10 subjects, 14
# raters, 5 categories, as counts. Pbar = 0.378, Pe = 0.213, kappa = 0.210.
WIKIPEDIA = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def as_counts(ratings: list[list[int]], categories: int) -> list[list[int]]:
    return [[row.count(c) for c in range(1, categories + 1)] for row in ratings]


def test_fleiss_1971_diagnoses() -> None:
    result = fleiss_kappa(as_counts(FLEISS_1971, 5))
    assert result.kappa == pytest.approx(0.4302445, abs=1e-7)
    assert result.subjects == 30
    assert result.ratings == 180
    assert result.band == "moderate"


def test_wikipedia_worked_example() -> None:
    result = fleiss_kappa(WIKIPEDIA)
    assert result.observed == pytest.approx(0.378, abs=5e-4)
    assert result.expected == pytest.approx(0.213, abs=5e-4)
    assert result.kappa == pytest.approx(0.210, abs=5e-4)
    assert result.band == "fair"


@pytest.mark.parametrize(
    ("table", "kappa"),
    [
        # Fixed-marginal kappa figures from Randolph's online calculator.
        ([[7, 1], [3, 5]], 0.161905),
        ([[6, 1, 0], [0, 7, 0]], 0.708333),
        ([[7, 0], [0, 7]], 1.0),
    ],
)
def test_small_tables(table: list[list[int]], kappa: float) -> None:
    assert fleiss_kappa(table).kappa == pytest.approx(kappa, abs=6e-6)


def test_perfect_agreement_on_different_answers_is_one() -> None:
    """Everyone agrees on each child, and the children differ: kappa 1."""
    result = fleiss_kappa([[5, 0], [0, 5], [5, 0]])
    assert result.kappa == pytest.approx(1.0)
    assert result.band == "almost perfect"


@pytest.mark.parametrize(
    ("table", "reason", "observed"),
    [
        ([], KappaUndefined.NO_SUBJECTS, None),
        ([[1, 0], [0, 1]], KappaUndefined.TOO_FEW_RATERS, None),  # a single rater each
        ([[0, 0]], KappaUndefined.TOO_FEW_RATERS, None),
        ([[4, 3]], KappaUndefined.SINGLE_SUBJECT, pytest.approx(9 / 21)),
        ([[7, 0], [7, 0]], KappaUndefined.NO_VARIATION, 1.0),  # everyone said the same
        ([[3, 0, 0]], KappaUndefined.NO_VARIATION, 1.0),
    ],
)
def test_degenerate_tables_have_no_kappa(
    table: list[list[int]], reason: KappaUndefined, observed: object
) -> None:
    result = fleiss_kappa(table)
    assert result.kappa is None
    assert result.undefined is reason
    assert result.band == "undefined"
    assert result.observed == observed


def test_single_subject_reports_share_of_agreeing_pairs() -> None:
    """Four of seven agree: 6 + 3 agreeing pairs of 21."""
    result = fleiss_kappa([[4, 3]])
    assert result.observed == pytest.approx(9 / 21)
    assert "43% of pairs" in describe(result, what="the threshold")


def test_rows_with_one_rating_are_dropped() -> None:
    assert fleiss_kappa([[7, 1], [3, 5], [1, 0]]) == fleiss_kappa([[7, 1], [3, 5]])


def test_unequal_rater_counts_use_the_generalised_formula() -> None:
    """A voter who missed one child leaves a row one short; still defined."""
    result = fleiss_kappa([[6, 1], [0, 6], [5, 1]])
    assert result.kappa is not None
    assert -1 <= result.kappa <= 1


@pytest.mark.parametrize(
    "table",
    [[[1, 2], [1]], [[1, -1]]],
)
def test_malformed_tables_are_refused(table: list[list[int]]) -> None:
    with pytest.raises(ValueError, match="row|negative"):
        fleiss_kappa(table)


@pytest.mark.parametrize(
    ("kappa", "band"),
    [
        (-0.3, "poor"),
        (-0.0001, "poor"),
        (0.0, "slight"),
        (0.20, "slight"),
        (0.21, "fair"),
        (0.40, "fair"),
        (0.41, "moderate"),
        (0.60, "moderate"),
        (0.61, "substantial"),
        (0.80, "substantial"),
        (0.81, "almost perfect"),
        (1.0, "almost perfect"),
    ],
)
def test_landis_and_koch_bands(kappa: float, band: str) -> None:
    assert landis_koch(kappa) == band


def test_describe_names_the_band_or_the_reason() -> None:
    assert describe(fleiss_kappa(WIKIPEDIA), what="the category") == (
        "Agreement on the category: kappa 0.21, fair agreement (Landis and Koch)."
    )
    none = describe(fleiss_kappa([]), what="the category")
    assert none.startswith("Agreement on the category: not measured.")
    same = describe(fleiss_kappa([[7, 0], [7, 0]]), what="the threshold")
    assert "100% of pairs" in same
    assert "agreement was complete" in same


def test_results_are_values() -> None:
    assert fleiss_kappa(WIKIPEDIA) == fleiss_kappa([list(row) for row in WIKIPEDIA])
    assert isinstance(fleiss_kappa(WIKIPEDIA), FleissResult)
