"""Access to the processed observations, and coverage of the series they hold."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pandas as pd

from ..catalog.indicators import indicator as indicator_definition
from ..catalog.regions import region_id
from ..errors import DataError, UsageError
from ..paths import reading_data
from .build import build

_DTYPES = {
    "period_start": str,
    "period_end": str,
    "source_url": str,
    "note": str,
    "as_printed": str,
    "table": str,
    "file": str,
    "line": str,
}


def observations(
    region: str | None = None,
    indicator: str | None = None,
    path: str | Path | None = None,
) -> pd.DataFrame:
    """Observations (published, derived or user-supplied figures) as a tidy DataFrame.

    Parameters
    ----------
    region, indicator : str, optional
        Keep only this region / indicator (ids are checked against the catalogs).
    path : str or Path, optional
        A processed ``observations.csv`` (default: ``data/processed``; built in memory from
        ``data/raw`` when it does not exist yet).

    Returns
    -------
    DataFrame
        Columns ``region, indicator, period_start, period_end, value, unit, origin, n_sources,
        source_url, …``; ``period_end`` as ``datetime64``; sorted by region, indicator, date.
    """
    if region is not None:
        region = region_id(region)
    if indicator is not None:
        indicator_definition(indicator)
    if path is not None:
        source = Path(path)
        if not source.is_file():
            raise DataError(str(source), "no such file; run `ipindicators data build`")
        frame = pd.read_csv(source, dtype=_DTYPES, keep_default_na=False)
    else:
        with reading_data() as data:
            source = data.folder / "observations.csv"
            found = source.is_file()
            if found:
                frame = pd.read_csv(source, dtype=_DTYPES, keep_default_na=False)
        if not found:
            frame = build(write=False).observations
    frame = frame.copy()
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    frame["period_start"] = pd.to_datetime(frame["period_start"].replace("", None))
    if region is not None:
        frame = frame[frame["region"] == region]
    if indicator is not None:
        frame = frame[frame["indicator"] == indicator]
    return frame.reset_index(drop=True)


def coverage(frame: pd.DataFrame | None = None) -> pd.DataFrame:
    """How many periods each region × indicator series has, and from which sources.

    Parameters
    ----------
    frame : DataFrame, optional
        Observations as returned by :func:`observations` (default: all of them).

    Returns
    -------
    DataFrame
        One row per series: ``n_obs``, ``n_year_ends``, ``first``, ``last``, counts by origin
        and the source hosts.
    """
    frame = observations() if frame is None else frame
    rows = []
    for (region_key, indicator_id), group in frame.groupby(["region", "indicator"], sort=True):
        ends = group["period_end"]
        hosts = sorted({urlparse(u.split(" | ")[0]).hostname or "" for u in group["source_url"]})
        rows.append(
            {
                "region": region_key,
                "indicator": indicator_id,
                "n_obs": len(group),
                "n_year_ends": int(((ends.dt.month == 12) & (ends.dt.day == 31)).sum()),
                "first": ends.min().date().isoformat(),
                "last": ends.max().date().isoformat(),
                "published": int((group["origin"] == "published").sum()),
                "derived": int((group["origin"] == "derived").sum()),
                "user": int((group["origin"] == "user").sum()),
                "sources": "; ".join(h for h in hosts if h),
            }
        )
    return pd.DataFrame(rows)


COMBINE = ("add", "replace")
"""How a user's observations meet the embedded ones: ``add`` (yours win where both give a figure
for the same region, indicator and date) or ``replace`` (only yours)."""


def combined(frame: pd.DataFrame | None, combine: str = "add") -> pd.DataFrame:
    """The figures an assessment uses: the embedded ones with ``frame`` added, or ``frame`` alone.

    Parameters
    ----------
    frame : DataFrame or None
        Your tidy observations (None: the embedded data alone).
    combine : {"add", "replace"}
        See :data:`COMBINE`.

    Returns
    -------
    DataFrame
        Sorted by region, indicator and date; ``period_end`` as ``datetime64``.
    """
    if combine not in COMBINE:
        raise UsageError(f"combine must be one of {', '.join(COMBINE)}, not {combine!r}")
    if frame is None:
        return observations()
    mine = frame.copy()
    mine["period_end"] = pd.to_datetime(mine["period_end"])
    if combine == "replace":
        return mine
    both = pd.concat([observations(), mine], ignore_index=True)
    both = both.drop_duplicates(["region", "indicator", "period_end"], keep="last")
    return both.sort_values(["region", "indicator", "period_end"], kind="mergesort").reset_index(
        drop=True
    )
