"""When a figure became public: its release date, or a documented publication lag.

A year-end statistic is not known on 31 December: CNIPA's annual tables, the provinces'
statistical bulletins and the NBS communiqué come out weeks to months later (the releases in the
embedded data with a printed date took a median of 53 days, three quarters of them 127 days or
less). A forecast "as of" a date may use only the figures public by then.

Rule
----
* A figure whose official or state-media source prints the date it was released (the raw row's
  ``published`` column) counts from that date. A reprint's page date is not the release date
  of the figure it repeats, so it is not used.
* Otherwise the figure counts from the end of the month :data:`DEFAULT_LAG_MONTHS` months after
  its period ends: a stock at the end of 2020 from 28 February 2021, the total of 2020 from
  31 March 2021, a September snapshot from 30 November. The default is per source class and measure (see the table), chosen to be no
  earlier than most releases seen.
* A ratio derived from two figures counts from the later of their release dates, or from the
  count's release date where only the count prints one (the denominator, a population of the
  previous year-end, is out by then), else by the default lag.

``count_from="period_end"`` (everywhere ``as_of`` is accepted) restores the rule that a figure
is known on the day its period ends.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

RELEASING_CLASSES = ("official", "state_media")
"""Source classes whose printed date is taken as the figure's release date."""
DEFAULT_LAG_MONTHS: dict[tuple[str, str], int] = {
    ("official", "snapshot"): 2,
    ("official", "period_total"): 3,
    ("state_media", "snapshot"): 2,
    ("state_media", "period_total"): 3,
    ("reprint", "snapshot"): 2,
    ("reprint", "period_total"): 3,
}
"""Months after the period's end by which a figure without a release date counts as public,
by source class and the indicator's measure (a month-end or year-end snapshot such as the
stock of valid patents, or a total over the period such as applications in a year)."""
FALLBACK_LAG_MONTHS = 3


def expected_release(period_end: dt.date, measure: str) -> dt.date:
    """The date by which an official figure of a period is due under the default lag.

    A figure not held after this date is "not among the figures held" rather than "not yet
    public": the rule the forecasts use to count a figure as public (:data:`DEFAULT_LAG_MONTHS`).
    """
    months = DEFAULT_LAG_MONTHS.get(("official", measure), FALLBACK_LAG_MONTHS)
    month = np.datetime64(period_end, "M") + np.timedelta64(months + 1, "M")
    return (month.astype("datetime64[D]") - np.timedelta64(1, "D")).astype(dt.date)


def release_dates(
    published: pd.Series, source_class: pd.Series, period_end: pd.Series
) -> pd.Series:
    """The release date each figure's source gives (ISO strings, empty where none applies).

    Parameters
    ----------
    published : Series of str
        The raw rows' ``published`` column (the date printed on the source page).
    source_class : Series of str
        Their source classes.
    period_end : Series
        Their period ends; a printed date before the period ends is not a release date.

    Returns
    -------
    Series of str
    """
    dates = pd.to_datetime(published.replace("", None), errors="coerce")
    ends = pd.to_datetime(period_end)
    ok = dates.notna() & source_class.isin(RELEASING_CLASSES) & (dates >= ends)
    return dates.dt.strftime("%Y-%m-%d").where(ok, "")


def known_dates(frame: pd.DataFrame, measures: np.ndarray | pd.Series) -> np.ndarray:
    """:func:`known_from` as a ``datetime64[D]`` array, for the forecasting hot path."""
    ends = frame["period_end"].to_numpy(dtype="datetime64[D]")
    classes = frame["source_class"].to_numpy() if "source_class" in frame else [""] * len(ends)
    months = np.fromiter(
        (
            DEFAULT_LAG_MONTHS.get((c, m), FALLBACK_LAG_MONTHS)
            for c, m in zip(classes, np.asarray(measures))
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
        ``source_class`` (frames without them get the default lag).
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
