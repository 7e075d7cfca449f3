"""Release dates as the sources print them (the raw rows' ``published`` column).

The build keeps a printed date as a figure's release date only where the source is the one
that released it; :mod:`.release` turns these dates, and the lags learned from them, into the
date each figure counts from.
"""

from __future__ import annotations

import pandas as pd

RELEASING_CLASSES = ("official", "state_media")
"""Source classes whose printed date is taken as the figure's release date."""


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
