"""Calibration of forecast distributions from past forecasts whose outcomes are published.

Every method (ours and the baselines) gets the same two corrections per lead time ``h`` (whole
years from the last figure to the forecast year-end), on the log scale:

* ``growth[h]`` multiplies the growth the median forecast expects from the last figure (below 1
  when forecasts have run ahead of what followed, as log-linear growth does for decelerating
  series);
* ``spread[h]`` multiplies every path's distance from the median (above 1 when intervals have
  been too narrow).

A calibrated value is ``last + growth[h] × (median - last) + spread[h] × (value - median)``,
applied path by path, so sums over years (cumulative targets) keep each path's shape. Both
factors minimise the mean CRPS of the past forecasts at that lead time (coordinate descent on a
grid; the CRPS is the quantile score averaged over the levels 0.025, 0.05, …, 0.975,
Gneiting & Ranjan 2011). Factors
exist for the lead times 1, 2, … up to the first with fewer than :data:`MIN_CASES` past
forecasts; a forecast further ahead than that gets the last lead's factors, in production and in
the out-of-time evaluation alike.

In the out-of-time evaluation (:func:`ipindicators.models.backtest.out_of_time`) the factors are
refitted at every forecast origin on the outcomes published by then. The package ships the same
**vintages** (:data:`CALIBRATION_FILE`, written by ``python benchmarks/backtest.py
--write-calibration``): per method and measure (stocks and ratios apart from flows, whose
errors differ), the factors fitted on the outcomes public by each origin date, and last those
fitted on every outcome published so far. A forecast as of a date uses the
newest vintage public by then (:func:`shipped_calibration`), so an assessment of the past uses
only what was knowable then; before the first vintage it is uncalibrated. Only series modelled
on the log scale are calibrated.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np

LEVELS = np.round(np.arange(1, 200) / 200, 3)
"""Quantile levels 0.005, 0.01, …, 0.995 at which forecasts are stored and scored."""
FIT_COLUMNS = np.arange(4, len(LEVELS), 5)
"""Columns of :data:`LEVELS` calibration is fitted on: 0.025, 0.05, …, 0.975 (for speed)."""
MEDIAN_COLUMN = len(LEVELS) // 2
MAX_LEAD = 7
MIN_CASES = 100
GROWTH_GRID = np.round(np.arange(0.0, 1.51, 0.05), 2)
SPREAD_GRID = np.round(np.arange(0.3, 4.01, 0.05), 2)
CALIBRATION_FILE = "calibration.json"


@dataclass(frozen=True)
class Calibration:
    """Growth and spread factors per lead time 1 … :data:`MAX_LEAD` years.

    Attributes
    ----------
    growth, spread : tuple of float
        Factors for leads 1, 2, …; a lead beyond the last uses the last factor.
    cases : tuple of int
        Past forecasts each lead's factors were fitted on.
    """

    growth: tuple[float, ...] = ()
    spread: tuple[float, ...] = ()
    cases: tuple[int, ...] = ()

    @property
    def identity(self) -> bool:
        """Whether the calibration changes nothing."""
        return not self.growth

    def factors(self, lead: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Growth and spread factors for leads in years (rounded up to whole years)."""
        lead = np.asarray(lead, dtype=float)
        if self.identity:
            return np.ones_like(lead), np.ones_like(lead)
        index = np.clip(np.ceil(lead - 1e-9).astype(int), 1, len(self.growth)) - 1
        return np.asarray(self.growth)[index], np.asarray(self.spread)[index]

    def apply(self, values: np.ndarray, last: float, lead: np.ndarray) -> np.ndarray:
        """Calibrated paths (paths × year-ends) on the log scale.

        Parameters
        ----------
        values : ndarray
            Paths on the log scale, one column per future year-end.
        last : float
            The last figure on the log scale.
        lead : ndarray
            Years from the last figure to each column's year-end.
        """
        if self.identity:
            return values
        growth, spread = self.factors(lead)
        columns = values.T
        centre = np.median(values, axis=0)
        return recalibrate(columns, centre, np.full(len(centre), last), growth, spread).T

    def apply_to_quantiles(
        self, quantiles: np.ndarray, last: np.ndarray, lead: np.ndarray
    ) -> np.ndarray:
        """Calibrated quantiles (forecasts × :data:`LEVELS`, log scale), each at its own lead.

        Parameters
        ----------
        quantiles : ndarray
            One forecast per row, its quantiles at :data:`LEVELS`.
        last, lead : ndarray
            Each forecast's last figure (log scale) and its lead in years.
        """
        growth, spread = self.factors(lead)
        return recalibrate(quantiles, quantiles[:, MEDIAN_COLUMN], last, growth, spread)


def quantile_score(
    quantiles: np.ndarray, observed: np.ndarray, levels: np.ndarray = LEVELS
) -> np.ndarray:
    """CRPS approximated by twice the mean pinball loss over quantile levels, per row.

    Parameters
    ----------
    quantiles : ndarray, shape (rows, len(levels))
    observed : ndarray, shape (rows,)
    levels : ndarray
        The quantiles' levels (evenly spaced).
    """
    miss = observed[:, None] - quantiles
    return 2.0 * np.mean(np.maximum(levels * miss, (levels - 1.0) * miss), axis=1)


def recalibrate(
    quantiles: np.ndarray,
    centre: np.ndarray,
    last: np.ndarray,
    growth: float | np.ndarray,
    spread: float | np.ndarray,
) -> np.ndarray:
    """Quantiles (rows × levels) after growth and spread factors around their median ``centre``.

    ``growth`` and ``spread`` are numbers or one factor per row.
    """
    growth = np.reshape(growth, (-1, 1)) if np.ndim(growth) else growth
    spread = np.reshape(spread, (-1, 1)) if np.ndim(spread) else spread
    centre, last = centre[:, None], last[:, None]
    return last + growth * (centre - last) + spread * (quantiles - centre)


def _best(grid, score) -> float:
    scores = [score(value) for value in grid]
    return float(grid[int(np.argmin(scores))])


def fit_lead(
    quantiles: np.ndarray,
    last: np.ndarray,
    observed: np.ndarray,
    weights: np.ndarray | None = None,
) -> tuple[float, float]:
    """Growth and spread factors minimising the (weighted) mean quantile score of past
    forecasts.

    ``quantiles`` are at :data:`LEVELS`; the score uses the columns :data:`FIT_COLUMNS`.
    """
    centre = quantiles[:, MEDIAN_COLUMN]
    sub = quantiles[:, FIT_COLUMNS]
    levels = LEVELS[FIT_COLUMNS]

    def mean_score(growth: float, spread: float) -> float:
        moved = recalibrate(sub, centre, last, growth, spread)
        return float(np.average(quantile_score(moved, observed, levels), weights=weights))

    growth = _best(GROWTH_GRID, lambda g: mean_score(g, 1.0))
    spread = _best(SPREAD_GRID, lambda s: mean_score(growth, s))
    growth = _best(GROWTH_GRID, lambda g: mean_score(g, spread))
    return growth, spread


def fit_calibration(
    quantiles: np.ndarray,
    last: np.ndarray,
    observed: np.ndarray,
    lead: np.ndarray,
    age: np.ndarray | None = None,
    half_life: float | None = None,
) -> Calibration:
    """Factors per lead time from past forecasts on the log scale.

    Parameters
    ----------
    quantiles : ndarray, shape (rows, len(LEVELS))
        Each past forecast's quantiles at :data:`LEVELS` (log scale).
    last, observed : ndarray, shape (rows,)
        The last figure the forecast used and the outcome.
    lead : ndarray of int, shape (rows,)
        Whole years from the last figure to the outcome.
    age, half_life : ndarray and float, optional
        Years since each outcome became public, and the half-life (years) of its weight; by
        default every past forecast weighs the same.

    Returns
    -------
    Calibration
        Factors for the leads 1, 2, … up to the first with fewer than :data:`MIN_CASES`
        forecasts (identity when lead 1 has fewer).
    """
    weights = None if age is None or half_life is None else 0.5 ** (age / half_life)
    growth, spread, cases = [], [], []
    for h in range(1, MAX_LEAD + 1):
        rows = np.flatnonzero(lead == h)
        if len(rows) < MIN_CASES:
            break
        chosen = None if weights is None else weights[rows]
        fitted = fit_lead(quantiles[rows], last[rows], observed[rows], chosen)
        growth.append(fitted[0])
        spread.append(fitted[1])
        cases.append(len(rows))
    return Calibration(tuple(growth), tuple(spread), tuple(cases))


@cache
def _shipped() -> dict:
    text = resources.files(__package__).joinpath(CALIBRATION_FILE).read_text(encoding="utf-8")
    return json.loads(text)


def shipped_evaluation() -> dict:
    """The out-of-time scores stored beside the shipped factors (see ``benchmarks/backtest.py``):
    the default model's CRPS, coverage and real-target Brier score against the baselines."""
    return dict(_shipped()["evaluation"])


@dataclass(frozen=True)
class Vintage:
    """Factors fitted on the outcomes public by ``known_by``."""

    known_by: dt.date
    calibration: Calibration


@cache
def shipped_vintages() -> dict[tuple[str, str], tuple[Vintage, ...]]:
    """The vintages the package ships per method and measure (``snapshot`` for stocks and
    ratios, ``period_total`` for flows), oldest first (from :data:`CALIBRATION_FILE`)."""
    return {
        (method, measure): tuple(
            Vintage(
                dt.date.fromisoformat(entry["known_by"]),
                Calibration(tuple(entry["growth"]), tuple(entry["spread"]), tuple(entry["cases"])),
            )
            for entry in entries
        )
        for method, by_measure in _shipped()["methods"].items()
        for measure, entries in by_measure.items()
    }


def shipped_vintage(method: str, measure: str, as_of: dt.date | None = None) -> Vintage | None:
    """The newest shipped vintage of ``method`` for series of ``measure`` public by ``as_of``
    (default: the newest of all); None when there is none, or none was public then."""
    found = [
        v
        for v in shipped_vintages().get((method, measure), ())
        if as_of is None or v.known_by <= as_of
    ]
    return found[-1] if found else None


def shipped_calibration(method: str, measure: str, as_of: dt.date | None = None) -> Calibration:
    """The factors a forecast of ``method`` of a ``measure`` series as of ``as_of`` applies:
    those of :func:`shipped_vintage`, or none (identity) before the first vintage."""
    vintage = shipped_vintage(method, measure, as_of)
    return Calibration() if vintage is None else vintage.calibration
