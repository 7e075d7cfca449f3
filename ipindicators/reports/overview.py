"""All regions side by side: every target's assessment, the gaps still to close, missing data."""

from __future__ import annotations

import numpy as np
import pandas as pd


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
