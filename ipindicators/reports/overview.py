"""All regions side by side: every target's assessment, the gaps still to close, missing data."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from ..catalog.indicators import indicator, is_indicator
from ..catalog.regions import region as region_definition
from ..catalog.targets import target
from .format import MISSING, is_missing, number
from .region_report import verdict_label


def gap_table(summary: pd.DataFrame) -> pd.DataFrame:
    """Level targets by how far the latest figure still is from them.

    ``gap`` is the relative change still needed: ``target / last - 1`` for "at least" targets
    and ``last / target - 1`` for "at most" targets; negative means already met. Cumulative and
    unassessable targets are left out. Sorted from the largest gap down.

    Parameters
    ----------
    summary : DataFrame
        Assessment rows of one or more regions.

    Returns
    -------
    DataFrame
    """
    level = summary[
        (summary["basis"] != "cumulative")
        & summary["last_value"].notna()
        & summary["target_value"].notna()
    ].copy()
    last = level["last_value"].astype(float)
    goal = level["target_value"].astype(float)
    level["gap"] = np.where(level["comparator"] == "<=", last / goal - 1.0, goal / last - 1.0)
    columns = [
        "region",
        "target_id",
        "indicator",
        "target_year",
        "last_period",
        "last_value",
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
    """Per region: how many targets could not be assessed, and the indicators without data.

    Returns
    -------
    DataFrame
        One row per region with at least one unassessed target: ``targets``, ``unassessed``
        and the ``indicators`` (or reasons) behind them; regions with nothing assessed first.
    """
    rows = []
    for region_id, group in summary.groupby("region", sort=True):
        missing = group[group["probability"].isna()]
        if missing.empty:
            continue
        why = sorted(
            {
                str(ind) if isinstance(ind, str) else str(reason)
                for ind, reason in zip(missing["indicator"], missing["reason"])
            }
        )
        rows.append(
            {
                "region": region_id,
                "targets": len(group),
                "unassessed": len(missing),
                "nothing_assessed": len(missing) == len(group),
                "indicators": ", ".join(why),
            }
        )
    table = pd.DataFrame(
        rows, columns=["region", "targets", "unassessed", "nothing_assessed", "indicators"]
    )
    return table.sort_values(
        ["nothing_assessed", "unassessed"], ascending=False, kind="mergesort"
    ).reset_index(drop=True)


def _region_name(region_id: str) -> str:
    item = region_definition(region_id)
    return item.name_zh or item.name_en or region_id


def verdict_grid(summary: pd.DataFrame) -> pd.DataFrame:
    """Regions × indicators: the verdict of each region's latest target on each indicator.

    A region's own target wins over one it inherits; among several, the latest target year.
    Targets on indicators outside the catalog are left out (they are never trackable).

    Returns
    -------
    DataFrame
        Verdicts, regions (Chinese names) down the rows, indicators (Chinese names) across,
        missing where the region has no target on the indicator.
    """
    known = summary[summary["indicator"].map(lambda i: isinstance(i, str) and is_indicator(i))]
    ranked = known.assign(
        _own=~known["inherited"].astype(bool),
        _year=pd.to_numeric(known["target_year"]).fillna(0),
    ).sort_values(["region", "indicator", "_own", "_year"], kind="mergesort")
    chosen = ranked.groupby(["region", "indicator"], sort=True).tail(1)
    grid = chosen.pivot(index="region", columns="indicator", values="verdict")
    grid.index = [_region_name(r) for r in grid.index]
    grid.columns = [indicator(i).name_zh for i in grid.columns]
    return grid


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
        ``latest`` (with its date), ``gap %`` (rounded to 0.1; negative: met),
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
            "latest": [
                f"{number(v, u)} ({d})"
                for v, u, d in zip(gaps["last_value"], gaps["unit"], gaps["last_period"])
            ],
            "gap %": (100 * gaps["gap"].astype(float)).round(1),
            "probability %": (100 * pd.to_numeric(gaps["probability"])).round(0).astype("Int64"),
            "verdict": [MISSING if is_missing(v) else verdict_label(v) for v in gaps["verdict"]],
        }
    )


def _target_words(target_id: str) -> str:
    if target_id == "custom":
        return target_id
    item = target(target_id)
    return item.label_zh or item.label_en or target_id


def lacking_view(summary: pd.DataFrame) -> pd.DataFrame:
    """Per region: the targets without a probability and what they lack, in words.

    Returns
    -------
    DataFrame
        ``region`` (Chinese name), ``targets``, ``without a probability`` and ``what is
        missing`` (the indicators without figures, or the reason), regions with nothing
        assessed first.
    """
    table = regions_lacking_data(summary)
    lacking = []
    for region_id in table["region"]:
        group = summary[(summary["region"] == region_id) & summary["probability"].isna()]
        lacking.append(
            "; ".join(
                sorted(
                    {
                        indicator(i).name_zh
                        if isinstance(i, str) and is_indicator(i)
                        else f"{_target_words(t)} (not in the catalog)"
                        for i, t in zip(group["indicator"], group["target_id"])
                    }
                )
            )
        )
    return pd.DataFrame(
        {
            "region": [_region_name(r) for r in table["region"]],
            "targets": table["targets"],
            "without a probability": table["unassessed"],
            "what is missing": lacking,
        }
    )
