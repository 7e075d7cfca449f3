"""Scheduled runs: rerun only the reports whose inputs changed, and say what changed.

A region's report depends on the package, the notebook, its parameters (the as-of date
resolved), the catalog entries its targets name (the region and its parents, the targets, their
indicators and documents), the calibration, the data folder read, the region's own figures, and
the other regions' series its forecasts borrow from: the partial pooling's prior of each
targeted indicator's family (or the fallback prior the family uses). Its key is a hash of all
of them (:func:`region_key`), stored beside the outputs in ``.inputs.json`` with a summary of
the inputs; a run whose key is unchanged leaves the outputs as they are, byte for byte, which
is what a rerun would write (the reports are deterministic).

What changed between two runs (:func:`changes`) compares their ``summary.csv`` and the index
of the figures they used (``figures_index.csv``): verdicts that changed, probabilities that
moved by :data:`PROBABILITY_MOVE` or more, targets added or removed, and figures that arrived,
each with its reason in one line.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from ..atomic import write_text
from ..catalog.documents import document
from ..catalog.indicators import indicator
from ..catalog.regions import ancestors, region
from ..catalog.targets import targets_for
from ..models.pooling import FamilyPrior, prior_for
from ..paths import PACKAGE_DIR, data_in_use
from .format import number

KEY_FILE = ".inputs.json"
PROBABILITY_MOVE = 0.10
"""A probability that moves by this much or more is listed as a change."""
FIGURE_COLUMNS = ["region", "indicator", "period_end", "value", "unit", "source", "released"]
CHANGE_COLUMNS = ["region", "target_id", "indicator", "change", "before", "after", "reason"]


def _digest(payload: object) -> str:
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def _frame_digest(frame: pd.DataFrame) -> str:
    text = frame.to_csv(index=False, lineterminator="\n", float_format="%.12g")
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def region_key(
    region_id: str,
    notebook: Path,
    parameters: Mapping[str, object],
    observations: pd.DataFrame,
    priors: Mapping[str, FamilyPrior],
) -> tuple[str, dict]:
    """The key of a region's report and a readable summary of what went into it.

    Parameters
    ----------
    region_id : str
        The region.
    notebook : Path
        The report notebook.
    parameters : mapping
        The notebook's parameters, the as-of date resolved to a date (a report made on another
        day says another "as of").
    observations : DataFrame
        Every figure in use (the region's own are hashed; the others enter through ``priors``).
    priors : mapping
        The family priors at the as-of date (:func:`ipindicators.models.pooling.family_priors`).

    Returns
    -------
    (key, inputs)
        ``key`` a SHA-256 hex digest; ``inputs`` the summary stored beside it.
    """
    from importlib.metadata import version

    chosen = targets_for(region_id, inherit=True)
    indicator_ids = sorted(
        {t.indicator for t in chosen}
        | {part for t in chosen for part in indicator(t.indicator).derived_from}
    )
    own = observations[observations["region"] == region_id]
    families = {
        i: None if (p := prior_for(dict(priors), i)) is None else asdict(p) for i in indicator_ids
    }
    inputs = {
        "package": version("ipindicators"),
        "notebook": _file_digest(notebook),
        "parameters": dict(parameters),
        "calibration": _file_digest(PACKAGE_DIR / "models" / "calibration.json"),
        "data": data_in_use().identity(),
        "regions": [region(r).record() for r in [region_id, *ancestors(region_id)]],
        "targets": [t.record() for t in chosen],
        "indicators": [indicator(i).record() for i in indicator_ids],
        "documents": sorted({document(t.document).id for t in chosen}),
        "figures": {"count": len(own), "digest": _frame_digest(own)},
        "family_priors": families,
    }
    return _digest(inputs), inputs


def stored_key(folder: Path) -> str | None:
    """The key stored beside a region's outputs (None if missing or unreadable)."""
    try:
        return str(json.loads((folder / KEY_FILE).read_text(encoding="utf-8"))["key"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_key(folder: Path, key: str, inputs: Mapping[str, object]) -> None:
    """Store the key and the inputs' summary beside a region's outputs."""
    text = json.dumps({"key": key, "inputs": inputs}, ensure_ascii=False, indent=1, default=str)
    write_text(folder / KEY_FILE, text + "\n")


def figure_index(observations: pd.DataFrame, regions: list[str]) -> pd.DataFrame:
    """The figures the reports of ``regions`` rest on: one row per region, indicator and date,
    with the value, its source and release date (what :func:`changes` compares)."""
    chosen = observations[observations["region"].isin(regions)]
    frame = pd.DataFrame(
        {
            "region": chosen["region"],
            "indicator": chosen["indicator"],
            "period_end": pd.to_datetime(chosen["period_end"]).dt.date.astype(str),
            "value": chosen["value"].astype(float),
            "unit": chosen["unit"],
            "source": chosen["source_url"].astype(str),
            "released": chosen.get("released", pd.Series("", index=chosen.index)).astype(str),
        }
    )
    return frame.sort_values(FIGURE_COLUMNS[:3], kind="mergesort").reset_index(drop=True)


def _new_figures(before: pd.DataFrame | None, after: pd.DataFrame) -> pd.DataFrame:
    key = FIGURE_COLUMNS[:4]
    if before is None:  # the previous run kept no figure index: nothing to compare
        return after.iloc[0:0]
    seen = set(before[key].astype(str).itertuples(index=False, name=None))
    fresh = [
        row
        for row in after.itertuples(index=False)
        if tuple(str(getattr(row, k)) for k in key) not in seen
    ]
    return pd.DataFrame(fresh, columns=after.columns)


def _figure_reason(figure: Mapping) -> str:
    released = f", published on {figure['released']}" if figure["released"] else ""
    return (
        f"the {figure['period_end']} figure {number(figure['value'], figure['unit'])} "
        f"{figure['unit']} arrived ({figure['source'].split(' | ')[0]}{released})"
    )


def changes(
    before: pd.DataFrame,
    after: pd.DataFrame,
    figures_before: pd.DataFrame | None,
    figures_after: pd.DataFrame,
) -> pd.DataFrame:
    """What changed from one run to the next, one row per change with its reason.

    Parameters
    ----------
    before, after : DataFrame
        The two runs' ``summary.csv``.
    figures_before, figures_after : DataFrame
        The two runs' :func:`figure_index` (``figures_before`` None when the previous run kept
        none: no figure is then called new).

    Returns
    -------
    DataFrame
        :data:`CHANGE_COLUMNS`: ``change`` is ``verdict``, ``probability``, ``new target``,
        ``removed target`` or ``new figure``; ``reason`` says why in one line (the figure that
        arrived for the target's indicator, else the other input that moved).
    """
    new = _new_figures(figures_before, figures_after)
    arrived = {
        (f["region"], f["indicator"]): _figure_reason(f)
        for f in new.sort_values("period_end").to_dict("records")
    }
    as_of = (
        f"assessed as of {after['as_of'].iloc[0]} instead of {before['as_of'].iloc[0]}"
        if len(before) and len(after) and before["as_of"].iloc[0] != after["as_of"].iloc[0]
        else "a model, catalog or family change (no new figure of this series)"
    )
    rows = []
    keyed_before = before.set_index(["region", "target_id"]) if len(before) else None
    for row in after.to_dict("records"):
        reason = arrived.get((row["region"], row["indicator"]), as_of)
        if keyed_before is None or (row["region"], row["target_id"]) not in keyed_before.index:
            if keyed_before is not None:
                rows.append(_change(row, "new target", "", row["verdict"], "added to the catalog"))
            continue
        old = keyed_before.loc[(row["region"], row["target_id"])]
        if old["verdict"] != row["verdict"]:
            rows.append(_change(row, "verdict", old["verdict"], row["verdict"], reason))
        moved = pd.to_numeric(pd.Series([row["probability"], old["probability"]]))
        if moved.notna().all() and abs(moved[0] - moved[1]) >= PROBABILITY_MOVE:
            rows.append(_change(row, "probability", f"{moved[1]:.2f}", f"{moved[0]:.2f}", reason))
    if keyed_before is not None:
        now = set(zip(after["region"], after["target_id"]))
        for row in before.to_dict("records"):
            if (row["region"], row["target_id"]) not in now:
                rows.append(
                    _change(row, "removed target", row["verdict"], "", "removed from the catalog")
                )
    for figure in new.to_dict("records"):
        rows.append(
            {
                "region": figure["region"],
                "target_id": "",
                "indicator": figure["indicator"],
                "change": "new figure",
                "before": "",
                "after": f"{number(figure['value'], figure['unit'])} {figure['unit']}",
                "reason": _figure_reason(figure),
            }
        )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


def for_page(found: pd.DataFrame) -> pd.DataFrame:
    """A region's changes as its page shows them: the figures that arrived for one indicator in
    one row (how many, which dates, the newest and where it was published), sources named by
    their site; ``changes.csv`` keeps every figure with its full address."""
    figures = found["change"] == "new figure"
    rows = found[~figures].to_dict("records")
    for (region_id, indicator_id), group in found[figures].groupby(
        ["region", "indicator"], sort=False
    ):
        reasons = list(group["reason"])
        newest = _URL.sub(lambda m: urlsplit(m.group(0)).netloc, reasons[-1])
        count = len(group)
        rows.append(
            {
                "region": region_id,
                "target_id": "",
                "indicator": indicator_id,
                "change": "new figure" if count == 1 else f"{count} new figures",
                "before": "",
                "after": group["after"].iloc[-1],
                "reason": newest if count == 1 else f"the newest: {newest}",
            }
        )
    return pd.DataFrame(rows, columns=CHANGE_COLUMNS)


_URL = re.compile(r"https?://[^\s),|]+")


def _change(row: Mapping, kind: str, before: object, after: object, reason: str) -> dict:
    return {
        "region": row["region"],
        "target_id": row["target_id"],
        "indicator": row["indicator"],
        "change": kind,
        "before": before,
        "after": after,
        "reason": reason,
    }


def changes_html(found: pd.DataFrame, before_as_of: str, after_as_of: str) -> str:
    """The changes page: every change of the latest run that changed anything."""
    rows = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(r[c]))}</td>" for c in CHANGE_COLUMNS) + "</tr>"
        for r in found.to_dict("records")
    )
    heads = "".join(f"<th>{html.escape(c)}</th>" for c in CHANGE_COLUMNS)
    body = (
        f"<table><tr>{heads}</tr>{rows}</table>"
        if len(found)
        else "<p>No verdict, probability, target or figure changed.</p>"
    )
    return (
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">'
        "<title>What changed — IP plan targets</title><style>"
        "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;font-size:.85em}"
        "td,th{padding:.25em .5em;text-align:left;border-bottom:1px solid #ddd}</style></head>"
        f"<body><h1>What changed</h1><p>Reports as of {html.escape(after_as_of)} compared with "
        f"the previous reports (as of {html.escape(before_as_of)}): verdicts that changed, "
        f"probabilities that moved by {PROBABILITY_MOVE:.2f} or more, targets added or removed, "
        "and figures that arrived, each with its reason. "
        '<a href="changes.csv">changes.csv</a> has the same rows; '
        '<a href="index.html">back to the index</a>.</p>'
        f"{body}</body></html>\n"
    )


PREVIOUS = ".previous"
"""Folder beside a region's outputs holding the assessment and figures of its previous version."""


def read_previous(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """A summary and a figure index kept in ``folder`` (an empty summary and None where
    none is)."""
    summary = folder / "summary.csv"
    figures = folder / "figures_index.csv"
    before = pd.read_csv(summary) if summary.is_file() else pd.DataFrame()
    listed = (
        pd.read_csv(figures, dtype={"released": str}, keep_default_na=False)
        if figures.is_file()
        else None
    )
    return before, listed


def keep_previous_version(folder: Path, assessment: pd.DataFrame, figures: pd.DataFrame) -> None:
    """Keep the assessment and figures of a region's current report as its previous version,
    before a report made from changed inputs replaces it."""
    target = folder / PREVIOUS
    target.mkdir(exist_ok=True)
    write_text(target / "summary.csv", assessment.to_csv(index=False, lineterminator="\n"))
    write_text(target / "figures_index.csv", figures.to_csv(index=False, lineterminator="\n"))


def region_changes(
    region_id: str,
    assessment: pd.DataFrame,
    observations: pd.DataFrame,
    previous: str | Path | None,
) -> pd.DataFrame:
    """A region's changes against the previous version of its report, kept in the folder
    ``previous`` (what its page shows); empty when there is none."""
    if previous is None:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    before, figures_before = read_previous(Path(previous))
    if before.empty:
        return pd.DataFrame(columns=CHANGE_COLUMNS)
    figures_after = figure_index(observations, [region_id])
    return changes(before, assessment.assign(region=region_id), figures_before, figures_after)
