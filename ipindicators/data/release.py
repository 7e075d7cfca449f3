"""When a figure became public: its release date, or a publication lag learned from the data.

A year-end statistic is not known on 31 December: CNIPA's annual tables, the provinces'
statistical bulletins and the NBS communiqué come out weeks to months later. A forecast "as of"
a date may use only the figures public by then.

Rule
----
* A figure whose official or state-media source prints the date it was released (the raw row's
  ``published`` column) counts from that date. A reprint's page date is not the release date
  of the figure it repeats, so it is not used.
* Otherwise the figure counts from the end of the month a **learned lag** after its period
  ends (:func:`learned_lags`): for each measure (stocks and ratios, or totals over a period)
  and period type (a year-end, or a month-end within the year), the median number of days from
  a period's end to the earliest printed release of a figure of it, among the figures in use,
  rounded up to whole months. A printed date can only be later than the first release (a
  later article repeating a figure prints its own date), so the median of the earliest ones
  errs late, never early. With the embedded data: year-end stocks two months (28 February),
  annual totals four (30 April: a median of 117 days), snapshots within the year two. Where
  fewer than :data:`MIN_RELEASES` figures print a date, :data:`FALLBACK_LAG_MONTHS`.
* A ratio derived from two figures counts from the later of their release dates, or from the
  count's release date where only the count prints one (the denominator, a population of the
  previous year-end, is out by then), else by the default lag.

``count_from="period_end"`` (everywhere ``as_of`` is accepted) restores the rule that a figure
is known on the day its period ends.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import cache

import numpy as np
import pandas as pd

from .printed import RELEASING_CLASSES

MEASURES = ("snapshot", "period_total")
PERIOD_TYPES = ("year_end", "part_year")
MIN_RELEASES = 10
"""Figures with a printed release date a lag is learned from, at least."""
FALLBACK_LAG_MONTHS = 3
DAYS_PER_MONTH = 365.25 / 12


def period_types(period_end: pd.Series | np.ndarray) -> np.ndarray:
    """``year_end`` for periods ending on 31 December, else ``part_year``."""
    days = np.asarray(period_end, dtype="datetime64[D]")
    year_end = (days.astype("datetime64[Y]") + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    return np.where(days == year_end, "year_end", "part_year")


def learned_lags(frame: pd.DataFrame) -> pd.DataFrame:
    """Publication lags learned from the printed release dates of ``frame`` (see the module).

    Parameters
    ----------
    frame : DataFrame
        Tidy observations with ``released``, ``source_class``, ``period_end`` and ``indicator``.

    Returns
    -------
    DataFrame
        One row per measure and period type: ``figures`` with a printed release date,
        ``median_days`` from the period's end to the earliest of them, and ``months``, the lag
        the rule uses (the median rounded up to whole months, or :data:`FALLBACK_LAG_MONTHS`
        with fewer than :data:`MIN_RELEASES` figures).
    """
    from ..catalog.indicators import indicator

    released = frame["released"].fillna("").astype(str)
    dated = frame[(released != "") & frame["source_class"].isin(RELEASING_CLASSES)]
    lags = pd.DataFrame(
        {
            "region": dated["region"],
            "indicator": dated["indicator"],
            "period_end": dated["period_end"],
            "days": (pd.to_datetime(dated["released"]) - dated["period_end"]).dt.days,
        }
    )
    first = lags.groupby(["region", "indicator", "period_end"], as_index=False)["days"].min()
    first["measure"] = first["indicator"].map(lambda i: indicator(i).measure)
    first["period_type"] = period_types(first["period_end"])
    rows = []
    for measure in MEASURES:
        for kind in PERIOD_TYPES:
            days = first.loc[
                (first["measure"] == measure) & (first["period_type"] == kind), "days"
            ]
            median = float(days.median()) if len(days) else float("nan")
            enough = len(days) >= MIN_RELEASES
            months = max(1, math.ceil(median / DAYS_PER_MONTH)) if enough else FALLBACK_LAG_MONTHS
            rows.append(
                {
                    "measure": measure,
                    "period_type": kind,
                    "figures": len(days),
                    "median_days": median,
                    "months": months,
                }
            )
    return pd.DataFrame(rows)


@cache
def lags_in_use() -> pd.DataFrame:
    """:func:`learned_lags` of the figures in use (:func:`ipindicators.observations`), learned
    once per process: the lags every forecast and report applies."""
    from .store import observations

    return learned_lags(observations())


@cache
def lag_months() -> dict[tuple[str, str], int]:
    """The lags (months) the rule uses, by measure and period type (:func:`lags_in_use`)."""
    table = lags_in_use()
    return {
        (m, k): int(n) for m, k, n in zip(table["measure"], table["period_type"], table["months"])
    }


def expected_release(period_end: dt.date, measure: str) -> dt.date:
    """The date by which a figure of a period is due under the learned lag.

    A figure not held after this date is "not among the figures held" rather than "not yet
    public": the rule the forecasts use to count a figure as public (:func:`lag_months`).
    """
    kind = str(period_types(np.array([period_end], dtype="datetime64[D]"))[0])
    months = lag_months().get((measure, kind), FALLBACK_LAG_MONTHS)
    month = np.datetime64(period_end, "M") + np.timedelta64(months + 1, "M")
    return (month.astype("datetime64[D]") - np.timedelta64(1, "D")).astype(dt.date)


def known_dates(frame: pd.DataFrame, measures: np.ndarray | pd.Series) -> np.ndarray:
    """:func:`known_from` as a ``datetime64[D]`` array, for the forecasting hot path."""
    ends = frame["period_end"].to_numpy(dtype="datetime64[D]")
    lags = lag_months()
    months = np.fromiter(
        (
            lags.get((m, k), FALLBACK_LAG_MONTHS)
            for m, k in zip(np.asarray(measures), period_types(ends))
        ),
        dtype=int,
        count=len(ends),
    )
    month = ends.astype("datetime64[M]") + months.astype("timedelta64[M]")
    known = (month + 1).astype("datetime64[D]") - np.timedelta64(1, "D")
    if "released" in frame:
        released = frame["released"].to_numpy()
        given = np.flatnonzero([isinstance(r, str) and r != "" for r in released])
        if len(given):
            known[given] = np.array(released[given], dtype="datetime64[D]")
    return known


def known_from(frame: pd.DataFrame, measures: pd.Series | None = None) -> pd.Series:
    """The date from which each figure counts as public.

    Parameters
    ----------
    frame : DataFrame
        Tidy observations with ``period_end`` and, where known, ``released`` and
        ``source_class`` (frames without them get the learned lag).
    measures : Series of str, optional
        Each row's measure (``snapshot`` or ``period_total``); looked up in the indicator
        catalog when not given.

    Returns
    -------
    Series of datetime64
        Aligned with ``frame``.
    """
    if measures is None:
        from ..catalog.indicators import indicator

        measure_of = {i: indicator(i).measure for i in frame["indicator"].unique()}
        measures = frame["indicator"].map(measure_of)
    dates = known_dates(frame, measures).astype("datetime64[ns]")
    return pd.Series(dates, index=frame.index)
