"""The pieces of a region's report: its plans and targets, its data and sources, its charts.

The report notebook (``notebooks/region_report.ipynb``) calls these functions and shows what
they return; the batch (:mod:`ipindicators.reports.batch`) reads the assessment table back from the
executed notebook through :func:`publish_assessment` / :func:`read_assessment`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ..catalog.documents import document
from ..catalog.indicators import indicator
from ..catalog.regions import region as region_definition
from ..catalog.targets import Target, is_inherited, targets_for
from ..models import DEFAULT_MODEL
from ..models.assess import COLUMNS
from ..models.forecast import forecast, usable_observations
from ..models.pooling import family_priors
from ..params import CountFrom, as_of_date
from .plots import fan_chart, source_labels

ASSESSMENT_TAG = "assessment"
ASSESSMENT_MIME = "application/vnd.ipindicators.assessment+json"
FORECAST_YEARS_AFTER = 5


def cutoff_date(as_of: int | str | dt.date | None) -> dt.date:
    """The date figures are used up to (see :func:`ipindicators.params.as_of_date`)."""
    return as_of_date(as_of)


def region_title(region: str) -> str:
    """Markdown heading line: the region's Chinese and English names, level and parent."""
    item = region_definition(region)
    parent = f", part of {region_definition(item.parent).name_zh}" if item.parent else ""
    names = " · ".join(n for n in (item.name_zh, item.name_en) if n)
    return f"# {names}\n\n`{item.id}`: {item.level}{parent}"


def plan_targets(region: str, inherit: bool = True) -> pd.DataFrame:
    """The region's plan targets with the document and the words each comes from.

    Parameters
    ----------
    region : str
        Region id.
    inherit : bool
        Include ratio targets inherited from parent regions' plans (flagged).

    Returns
    -------
    DataFrame
        One row per target: id, indicator (Chinese name), comparator, value, unit, year, basis,
        inherited, document title and issue date, quote.
    """
    rows = []
    for item in targets_for(region, inherit=inherit):
        source = document(item.document)
        name = indicator(item.indicator).name_zh if item.indicator else item.label_zh
        rows.append(
            {
                "target": item.id,
                "indicator": name,
                "comparator": item.comparator,
                "value": item.value,
                "unit": item.unit,
                "year": item.year,
                "basis": item.basis,
                "inherited": is_inherited(item, region),
                "document": source.title,
                "issued": source.issued,
                "quote": item.quote,
            }
        )
    return pd.DataFrame(rows)


def tracked_indicators(region: str, inherit: bool = True) -> list[str]:
    """Indicators of the region's targets that have a value, a year and a catalog id."""
    found = [
        t.indicator
        for t in targets_for(region, inherit=inherit)
        if t.indicator and t.value is not None and t.year is not None
    ]
    return list(dict.fromkeys(found))


def data_sources(
    region: str, observations: pd.DataFrame, as_of: int | None = None
) -> pd.DataFrame:
    """The figures behind each tracked indicator: how many, when, the latest, and from where.

    Parameters
    ----------
    region : str
        Region id.
    observations : DataFrame
        Tidy observations (as from :func:`ipindicators.observations`).
    as_of : int, optional
        Ignore figures dated after 31 December of this year.

    Returns
    -------
    DataFrame
        One row per tracked indicator; ``source_classes`` counts its figures by source class
        (official statistics, state media, reprint, derived); ``n_figures`` is 0 and
        ``sources`` says "no data" where nothing was published or found.
    """
    cutoff = pd.Timestamp(cutoff_date(as_of))
    rows = []
    for indicator_id in tracked_indicators(region):
        series = observations[
            (observations["region"] == region)
            & (observations["indicator"] == indicator_id)
            & (observations["period_end"] <= cutoff)
        ]
        series = series.sort_values("period_end")
        latest = series.iloc[-1] if len(series) else None
        urls = sorted({u for cell in series["source_url"] for u in str(cell).split(" | ") if u})
        rows.append(
            {
                "indicator": indicator_id,
                "name": indicator(indicator_id).name_zh,
                "n_figures": len(series),
                "first": series["period_end"].min().date() if len(series) else None,
                "last": latest["period_end"].date() if latest is not None else None,
                "latest_value": latest["value"] if latest is not None else None,
                "unit": indicator(indicator_id).unit,
                "source_classes": "; ".join(
                    f"{label} {count}"
                    for label, count in source_labels(series)
                    .value_counts(sort=False)
                    .sort_index()
                    .items()
                )
                or "no data",
                "sources": "\n".join(urls) if urls else "no data",
            }
        )
    return pd.DataFrame(rows)


def _targets_on(region: str, indicator_id: str) -> list[Target]:
    return [
        t
        for t in targets_for(region, inherit=True)
        if t.indicator == indicator_id and t.value is not None and t.year is not None
    ]


def indicator_charts(
    region: str,
    observations: pd.DataFrame,
    as_of: int | None = None,
    n_paths: int = 2000,
    seed: int = 0,
    models: str = DEFAULT_MODEL,
    count_from: CountFrom = "release",
) -> Iterator[tuple[str, Figure | None, str]]:
    """One fan chart per tracked indicator that has figures public by ``as_of``.

    Yields
    ------
    (indicator, figure, message)
        ``figure`` is None, and ``message`` says why, when the series has no figure by then.
    """
    cutoff = cutoff_date(as_of)
    priors = family_priors(observations, cutoff, count_from)
    for indicator_id in tracked_indicators(region):
        series = observations[
            (observations["region"] == region) & (observations["indicator"] == indicator_id)
        ]
        if usable_observations(series, indicator(indicator_id), cutoff, count_from).empty:
            yield (
                indicator_id,
                None,
                (
                    "no published figure found"
                    if series.empty
                    else "no usable figure public by the as-of date (period totals count only "
                    "full years)"
                ),
            )
            continue
        targets = _targets_on(region, indicator_id)
        until = max([cutoff.year + FORECAST_YEARS_AFTER, *(t.year for t in targets if t.year)])
        fc = forecast(
            observations,
            region,
            indicator_id,
            cutoff,
            until,
            n_paths,
            seed,
            models,
            count_from=count_from,
            priors=priors,
        )
        figure, ax = plt.subplots(figsize=(8, 4.5))
        fan_chart(fc, targets, ax=ax)
        yield indicator_id, figure, fc.message


def _assessed(assessment: pd.DataFrame) -> pd.Series:
    """Rows with a probability or a status: everything else is untracked."""
    return assessment["probability"].notna() | (assessment["status"] != "no_data")


def attainment_table(assessment: pd.DataFrame) -> pd.DataFrame:
    """The assessment rows that have a probability or status, in reading order."""
    shown = assessment[_assessed(assessment)].copy()
    shown["interval_80"] = shown["interval_80"].map(
        lambda pair: f"{pair[0]:.4g} – {pair[1]:.4g}" if isinstance(pair, list) else ""
    )
    return shown[
        [
            "target_id",
            "indicator",
            "comparator",
            "target_value",
            "unit",
            "target_year",
            "last_period",
            "last_value",
            "probability",
            "status",
            "observed_cagr",
            "required_cagr",
            "median_forecast",
            "interval_80",
            "expected_year",
            "inherited",
        ]
    ].reset_index(drop=True)


def untracked_targets(assessment: pd.DataFrame) -> pd.DataFrame:
    """Targets without a probability or a status, and why (no data, no year, relative …)."""
    missing = assessment[~_assessed(assessment)]
    return missing[["target_id", "indicator", "target_year", "reason"]].reset_index(drop=True)


def _json_ready(value):
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def publish_assessment(assessment: pd.DataFrame) -> None:
    """Display the assessment as a table and as machine-readable data the batch collects.

    The output carries the rows under :data:`ASSESSMENT_MIME`; run it in a cell tagged
    :data:`ASSESSMENT_TAG`.
    """
    from IPython.display import display

    records = [
        {k: _json_ready(v) for k, v in row.items()} for row in assessment.to_dict("records")
    ]
    display({ASSESSMENT_MIME: records, "text/plain": f"{len(records)} assessed targets"}, raw=True)


def read_assessment(notebook: Mapping) -> pd.DataFrame:
    """The assessment rows published by an executed report notebook (empty if none).

    Parameters
    ----------
    notebook : mapping
        The notebook as read by ``nbformat.read`` (or parsed from its JSON).
    """
    for cell in notebook["cells"]:
        if ASSESSMENT_TAG not in cell.get("metadata", {}).get("tags", []):
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if ASSESSMENT_MIME in data:
                rows = data[ASSESSMENT_MIME]
                rows = json.loads(rows) if isinstance(rows, str) else rows
                return pd.DataFrame(rows, columns=COLUMNS)
    return pd.DataFrame(columns=COLUMNS)


def evaluation_note() -> str:
    """How honest the probabilities are, from the stored out-of-time evaluation (Markdown)."""
    from ..models.calibration import shipped_evaluation

    e = shipped_evaluation()
    best = e["best_baseline"].replace("rw_gauss", "a Gaussian random walk with drift")
    return (
        "**How honest the probabilities are**, measured out of time (calibration refitted at "
        "each forecast origin on what was public then; "
        f"{e['forecasts']:,} forecasts of {e['regions']} regions, 1–6 years ahead): 80 % "
        f"intervals held {e['coverage80']:.0%} of later figures and 95 % intervals "
        f"{e['coverage95']:.0%}; the mean CRPS of the log figures was {e['crps_log']:.3f}, "
        f"{1 - e['ratio_to_best_baseline']:.0%} below the best calibrated baseline ({best}) "
        f"and {1 - e['ratio_to_growth_rule']:.0%} below the growth-ratio rule. On "
        f"{e['targets']} real past plan targets ({e['target_probabilities']} probabilities, "
        f"{e['targets_missed']} targets missed) the Brier score was {e['brier']:.3f}, against "
        f"{e['brier_growth_rule']:.3f} for the growth-ratio rule. Details and caveats: "
        "`benchmarks/backtest.py` and the README."
    )
