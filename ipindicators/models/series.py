"""What every model and score reads off a series: time, scale, usable figures, year-ends.

These helpers sit below the forecasts (:mod:`.forecast`), the family priors (:mod:`.pooling`),
the assessment (:mod:`.assess`) and the hindcasts (:mod:`.backtest`), which all read a series the
same way through them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..catalog.indicators import Indicator, indicator
from ..data.release import known_dates
from ..params import CountFrom, check_count_from


def decimal_year(dates: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Dates as fractional years: 2014-09-30 → 2014.75, 2020-12-31 → 2021.0.

    Year-ends map to the integer that starts the next year, so a target "by the end of 2020"
    sits at ``t = 2021.0``.
    """
    days = np.asarray(dates)
    if not np.issubdtype(days.dtype, np.datetime64):
        days = np.asarray(pd.to_datetime(dates))
    days = days.astype("datetime64[D]")
    starts = days.astype("datetime64[Y]")
    year = starts.astype(int) + 1970
    day_of_year = (days - starts.astype("datetime64[D]")).astype(int) + 1
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    return year + day_of_year / np.where(leap, 366.0, 365.0)


# --- scales ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Scale:
    """The scale a series is modelled on: ``log`` (positive values) or ``angle`` (shares in %).

    ``angle`` is the arcsine square root of the share, :math:`\\arcsin\\sqrt{p}`, which runs
    from 0 to :math:`\\pi/2` and is finite at 0 % and 100 % (real figures: every case closed).
    A path that crosses an edge stays at it (a latent share censored at 0 % and 100 %: a
    closure rate can be 100 % again), and the map back is monotone, so a forecast's quantiles
    are those of the latent path. A share at its bound moves away from it by what its
    volatility allows, not by a jump to the other edge. (A logit scale puts 100 % at an
    arbitrary clipped value, and one step from there became a drift that took a 100 %, 95 %
    closure rate to 0.1 % within three years.)
    """

    name: str

    def forward(self, values: np.ndarray) -> np.ndarray:
        """Values in the indicator's unit → model scale."""
        if self.name == "angle":
            share = np.clip(np.asarray(values, dtype=float) / 100.0, 0.0, 1.0)
            return np.arcsin(np.sqrt(share))
        return np.log(np.asarray(values, dtype=float))

    def back(self, values: np.ndarray) -> np.ndarray:
        """Model scale → the indicator's unit."""
        if self.name == "angle":
            return 100.0 * np.sin(np.clip(values, 0.0, np.pi / 2)) ** 2
        # A far tail path of a two-figure series can exceed float range: it becomes inf,
        # which quantiles and threshold probabilities handle, so the overflow is not reported.
        with np.errstate(over="ignore"):
            return np.exp(values)


def scale_for(item: Indicator) -> str:
    """Modelling scale of an indicator: ``log``, ``angle`` or ``count``."""
    if item.kind == "count":
        return "count"
    if item.kind == "rate" and item.bounded:
        return "angle"
    return "log"


# --- usable figures -------------------------------------------------------------------------
def usable_mask(
    frame: pd.DataFrame, measures: np.ndarray, as_of: dt.date, count_from: CountFrom = "release"
) -> np.ndarray:
    """Which rows a forecast made at ``as_of`` may use (the rule of :func:`usable_observations`).

    Parameters
    ----------
    frame : DataFrame
        Tidy observations of one or many series.
    measures : ndarray of str
        Each row's measure (``snapshot`` or ``period_total``).
    as_of : datetime.date
    count_from : {"release", "period_end"}
    """
    check_count_from(count_from)
    ends = frame["period_end"].to_numpy(dtype="datetime64[D]")
    known = known_dates(frame, measures) if count_from == "release" else ends
    keep = known <= np.datetime64(as_of, "D")
    totals = np.asarray(measures) == "period_total"
    if totals.any():
        starts = np.asarray(pd.to_datetime(frame["period_start"]), dtype="datetime64[D]")
        year_start = ends.astype("datetime64[Y]").astype("datetime64[D]")
        year_end = (ends.astype("datetime64[Y]") + 1).astype("datetime64[D]") - 1
        keep &= ~totals | ((starts == year_start) & (ends == year_end))
    return keep


def usable_observations(
    frame: pd.DataFrame, item: Indicator, as_of: dt.date, count_from: CountFrom = "release"
) -> pd.DataFrame:
    """Observations of one series that a forecast made at ``as_of`` may use.

    Keeps figures public on or before ``as_of`` (``count_from="release"``, see
    :mod:`ipindicators.data.release`) or whose period ends by then (``"period_end"``); for
    totals over a period keeps only full calendar years (a January-May figure is not an annual
    value); of several figures for one date, the last.
    """
    keep = usable_mask(frame, np.full(len(frame), item.measure), as_of, count_from)
    ends = frame["period_end"].to_numpy(dtype="datetime64[D]")
    rows = np.flatnonzero(keep)
    rows = rows[np.argsort(ends[rows], kind="stable")]
    last_of_date = np.ones(len(rows), dtype=bool)
    last_of_date[:-1] = ends[rows][1:] != ends[rows][:-1]
    chosen = frame.iloc[rows[last_of_date]]
    chosen.index = pd.RangeIndex(len(chosen))
    return chosen


def usable_panel(frame: pd.DataFrame, as_of: dt.date, count_from: CountFrom) -> pd.DataFrame:
    """The rows of every series a forecast at ``as_of`` may use, sorted by indicator, region and
    date (the rule of :func:`usable_observations`, applied to a whole panel at once)."""
    measure_of = {i: indicator(i).measure for i in frame["indicator"].unique()}
    keep = usable_mask(frame, frame["indicator"].map(measure_of).to_numpy(), as_of, count_from)
    chosen = frame[keep].sort_values(["indicator", "region", "period_end"], kind="stable")
    return chosen.drop_duplicates(["indicator", "region", "period_end"], keep="last")


# --- year-ends ------------------------------------------------------------------------------
def year_end_figures(used: pd.DataFrame) -> dict[int, float]:
    """The figures dated 31 December, by year (the year's total for flows)."""
    ends = used["period_end"]
    at_end = used[(ends.dt.month == 12) & (ends.dt.day == 31)]
    return dict(zip(at_end["period_end"].dt.year.astype(int), at_end["value"].astype(float)))


def year_end_value(used: pd.DataFrame, year: int) -> float | None:
    """The figure dated 31 December ``year``, if held."""
    return year_end_figures(used).get(year)


def latest_run(years: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The latest run of consecutive years (sorted ``years``) and its values: the stretch a
    model of year-ends continues."""
    years = np.asarray(years, dtype=int)
    if not len(years):
        return years, np.asarray(values)
    breaks = np.flatnonzero(np.diff(years) != 1)
    start = breaks[-1] + 1 if len(breaks) else 0
    return years[start:], np.asarray(values)[start:]


def year_end_run(t: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The latest run of consecutive year-ends among times ``t`` (decimal years; returned as
    integers) and their values ``y``."""
    ends = np.isclose(t, np.round(t))
    return latest_run(np.round(t[ends]).astype(int), y[ends])


# --- growth ---------------------------------------------------------------------------------
CAGR_LOOKBACK_YEARS = 5


def compound_growth(first: float, last: float, years: float) -> float | None:
    """Compound annual growth from ``first`` to ``last`` over ``years`` (None if undefined)."""
    if years <= 0 or first <= 0 or last <= 0:
        return None
    return (last / first) ** (1.0 / years) - 1.0


def recent_growth(t: np.ndarray, values: np.ndarray) -> float | None:
    """Compound annual growth over the last :data:`CAGR_LOOKBACK_YEARS` years of figures (all
    of them if shorter); None with fewer than two figures."""
    if len(t) < 2:
        return None
    start = int(np.searchsorted(t, t[-1] - CAGR_LOOKBACK_YEARS - 1e-9))
    start = min(start, len(t) - 2)
    return compound_growth(float(values[start]), float(values[-1]), float(t[-1] - t[start]))
