"""All regions side by side: every target's assessment, the gaps still to close, missing data."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..catalog.indicators import indicator, is_indicator
from ..catalog.regions import region as region_definition
from ..models.assess import UNTRACKED_VERDICTS
from .format import MISSING, is_missing, number
from .region_report import VERDICTS, verdict_label


def headline(summary: pd.DataFrame) -> str:
    """The overview's first paragraph: the regions' own targets by verdict (Markdown)."""
    own = summary[~summary["inherited"].astype(bool)]
    counts = own["verdict"].value_counts()
    verdicts = "; ".join(f"{counts[v]} {verdict_label(v)}" for v in VERDICTS if counts.get(v))
    parents = len(summary) - len(own)
    return (
        f"**{len(own)} targets of the regions' own plans in {own['region'].nunique()} "
        f"regions**, as of {summary['as_of'].iloc[0]}: {verdicts}."
        + (
            f" The {parents} per-capita targets regions inherit from parent plans are counted "
            "in no region here; each region's report shows them apart."
            if parents
            else ""
        )
    )


def gap_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The regions' own level targets by how far their figure is from them.

    For an open target the figure is the latest one; for a settled (achieved or missed) target
    it is the target year's figure, so a missed target shows how far it fell short then.
    ``gap`` is the relative change needed: ``target / figure - 1`` for "at least" targets and
    ``figure / target - 1`` for "at most" targets; negative means met. Cumulative,
    average-growth, inherited and unassessable targets are left out. Sorted from the largest
    gap down.

    Parameters
    ----------
    summary : DataFrame
        Assessment rows of one or more regions.

    Returns
    -------
    DataFrame
    """
    own = ~summary["inherited"].astype(bool) if "inherited" in summary else True
    level = summary[
        own
        & ~summary["basis"].isin(["cumulative", "average_growth"])
        & summary["last_value"].notna()
        & summary["target_value"].notna()
    ].copy()
    settled = level["status"].isin(["achieved", "missed"]) & level["outcome"].notna()
    level["figure"] = np.where(settled, level["outcome"], level["last_value"]).astype(float)
    level["figure_period"] = np.where(
        settled,
        pd.to_numeric(level["target_year"]).astype("Int64").astype(str) + "-12-31",
        level["last_period"],
    )
    last = level["figure"]
    goal = level["target_value"].astype(float)
    level["gap"] = np.where(level["comparator"] == "<=", last / goal - 1.0, goal / last - 1.0)
    columns = [
        "region",
        "target_id",
        "indicator",
        "target_year",
        "figure_period",
        "figure",
        "target_value",
        "unit",
        "gap",
        "probability",
        "status",
        "expected_year",
    ]
    return level.sort_values(
        ["gap", "region", "target_id"], ascending=[False, True, True], kind="mergesort"
    )[columns].reset_index(drop=True)


def regions_lacking_data(summary: pd.DataFrame) -> pd.DataFrame:
    """Per region: own targets without a verdict, apart by why, and the indicators lacking
    figures.

    Parameters
    ----------
    summary : DataFrame
        Assessment rows of one or more regions (with ``verdict`` and ``reason_code``).

    Returns
    -------
    DataFrame
        One row per region with at least one target without a verdict: ``targets``,
        ``programme`` (programme targets, which no public statistic measures), ``no_data``
        (statistic targets whose figures are not held), ``other`` (no target year, relative,
        too few figures, …) and the ``indicators`` lacking figures; regions with nothing
        assessed first.
    """
    rows = []
    own = summary[~summary["inherited"].astype(bool)] if "inherited" in summary else summary
    for region_id, group in own.groupby("region", sort=True):
        without = group[group["verdict"].isin(UNTRACKED_VERDICTS)]
        if without.empty:
            continue
        no_data = without[without["verdict"] == "no data"]
        rows.append(
            {
                "region": region_id,
                "targets": len(group),
                "programme": int((without["verdict"] == "programme target").sum()),
                "no_data": len(no_data),
                "other": int((~without["verdict"].isin(["programme target", "no data"])).sum()),
                "nothing_assessed": len(without) == len(group),
                "indicators": ", ".join(sorted(set(no_data["indicator"].astype(str)))),
            }
        )
    columns = ["region", "targets", "programme", "no_data", "other", "nothing_assessed"]
    table = pd.DataFrame(rows, columns=[*columns, "indicators"])
    return table.sort_values(
        ["nothing_assessed", "no_data"], ascending=False, kind="mergesort"
    ).reset_index(drop=True)


def _region_name(region_id: str) -> str:
    item = region_definition(region_id)
    return item.name_zh or item.name_en or region_id


def verdict_grid(summary: pd.DataFrame, inherited: bool = False) -> pd.DataFrame:
    """Regions × indicators: the verdict of each region's latest target on each indicator.

    Only the regions' own targets by default (``inherited=True`` adds the parents' targets
    where a region has none of its own); among several, the latest target year. Programme
    targets are left out (no statistic measures them), and so are indicators on which no
    region's target has a verdict (the table of regions lacking data lists them).

    Returns
    -------
    DataFrame
        Verdicts, regions ("中文名 English") down the rows, indicators (Chinese and English
        names on two lines) across, missing where the region has no target on the indicator.
    """
    known = summary[
        summary["indicator"].map(lambda i: isinstance(i, str) and is_indicator(i))
        & (summary["verdict"] != "programme target")
        & (inherited | ~summary["inherited"].astype(bool))
    ]
    judged = known.loc[~known["verdict"].isin(UNTRACKED_VERDICTS), "indicator"]
    known = known[known["indicator"].isin(set(judged))]
    ranked = known.assign(
        _own=~known["inherited"].astype(bool),
        _year=pd.to_numeric(known["target_year"]).fillna(0),
    ).sort_values(["region", "indicator", "_own", "_year"], kind="mergesort")
    chosen = ranked.groupby(["region", "indicator"], sort=True).tail(1)
    grid = chosen.pivot(index="region", columns="indicator", values="verdict")
    grid.index = [_bilingual_region(r) for r in grid.index]
    grid.columns = [f"{indicator(i).name_zh}\n{indicator(i).name_en}" for i in grid.columns]
    return grid


def _bilingual_region(region_id: str) -> str:
    item = region_definition(region_id)
    return " ".join(n for n in (item.name_zh, item.name_en) if n)


def grid_description(grid: pd.DataFrame) -> str:
    """Alt text of the verdict map: how many region × indicator cells have each verdict."""
    counts = pd.Series(grid.to_numpy().ravel()).dropna().value_counts()
    parts = ", ".join(f"{n} {v}" for v, n in counts.items())
    return (
        f"Map of verdicts, {len(grid)} regions by {grid.shape[1]} indicators: {parts}; "
        "blank cells: no target."
    )


def gap_view(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`gap_table` for reading and sorting: names, links, rounded numbers, verdicts.

    Returns
    -------
    DataFrame
        ``region`` (a link to its report), ``indicator``, ``target year``, ``target``,
        ``figure`` (the target year's for a settled target, else the latest, with its date), ``gap %`` (rounded to 0.1; negative: met),
        ``probability %`` (whole percent; empty without a forecast) and ``verdict``.
    """
    gaps = gap_table(summary).merge(
        summary[["region", "target_id", "verdict"]], on=["region", "target_id"], how="left"
    )
    return pd.DataFrame(
        {
            "region": [
                f'<a href="{r}/report.html">{html.escape(_region_name(r))}</a>'
                for r in gaps["region"]
            ],
            "indicator": [indicator(i).name_zh for i in gaps["indicator"]],
            "target year": pd.to_numeric(gaps["target_year"]).astype("Int64"),
            "target": [f"{number(v, u)} {u}" for v, u in zip(gaps["target_value"], gaps["unit"])],
            "figure": [
                f"{number(v, u)} ({d})"
                for v, u, d in zip(gaps["figure"], gaps["unit"], gaps["figure_period"])
            ],
            "gap %": (100 * gaps["gap"].astype(float)).round(1),
            "probability %": (100 * pd.to_numeric(gaps["probability"])).round(0).astype("Int64"),
            "verdict": [MISSING if is_missing(v) else verdict_label(v) for v in gaps["verdict"]],
        }
    )


def lacking_view(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`regions_lacking_data` in words: Chinese names, the indicators lacking figures.

    Returns
    -------
    DataFrame
        ``region`` (Chinese name), ``targets``, ``no data`` (statistic targets whose figures
        are not held), ``programme targets``, ``other`` and ``indicators without figures``.
    """
    table = regions_lacking_data(summary)
    return pd.DataFrame(
        {
            "region": [_region_name(r) for r in table["region"]],
            "targets": table["targets"],
            "no data": table["no_data"],
            "programme targets": table["programme"],
            "other": table["other"],
            "indicators without figures": [
                "; ".join(indicator(i).name_zh for i in ids.split(", ") if is_indicator(i))
                for ids in table["indicators"]
            ],
        }
    )
