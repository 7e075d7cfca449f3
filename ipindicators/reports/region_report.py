"""The pieces of a region's report: its plans and targets, its data and sources, its charts.

The report notebook (``notebooks/region_report.ipynb``) calls these functions and shows what
they return: the tables from the assessment's frame, the charts from the forecasts the
assessment was judged on. The notebook writes the assessment as a download
(:func:`vintage`), which the batch (:mod:`ipindicators.reports.batch`) reads back with
:func:`read_assessment`.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterator, Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from IPython.display import Markdown
from matplotlib.figure import Figure
from pandas.io.formats.style import Styler

from ..catalog.documents import document
from ..catalog.indicators import indicator
from ..catalog.regions import region as region_definition
from ..catalog.targets import Target, is_inherited, target, targets_for
from ..data.release import MIN_RELEASES, known_from, lags_in_use
from ..models.assess import COLUMNS, MAX_LEAD_YEARS, UNTRACKED_VERDICTS
from ..models.calibration import Vintage
from ..models.forecast import Forecast
from ..models.results import SETTLED_STATUSES, Assessment, TargetAssessment
from ..models.series import usable_observations
from ..params import as_of_date
from ..paths import data_in_use
from .format import (
    MISSING,
    citations,
    code_text,
    comparator,
    is_missing,
    number,
    percent,
    rounded,
    table,
    year,
)
from .plots import fan_chart, source_labels

FORECAST_YEARS_AFTER = 2


def region_title(region: str) -> str:
    """Markdown heading line: the region's Chinese and English names, level and parent."""
    item = region_definition(region)
    parent = f", part of {_safe(region_definition(item.parent).name_zh)}" if item.parent else ""
    names = " · ".join(_safe(n) for n in (item.name_zh, item.name_en) if n)
    return f"# {names}\n\n`{item.id}`: {item.level}{parent}"


def _safe(text: object) -> str:
    """Catalog or data text for a Markdown cell: ``<``, ``>`` and ``&`` as entities, so a name
    or a note never becomes HTML on the page."""
    return html.escape(str(text), quote=False)


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
        inherited, whose plan it is, document title and issue date, and the plan's words (marked
        where they are restored from a garbled repost or only a translation was found).
    """
    rows = []
    for item in targets_for(region, inherit=inherit):
        source = document(item.document)
        name = indicator(item.indicator).name_zh if item.indicator else item.label_zh
        name = name or item.label_en
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
                "plan_of": region_definition(item.region).name_zh,
                "document": source.title,
                "issued": source.issued,
                "quote": _shown_words(item),
            }
        )
    return pd.DataFrame(rows)


_WORDS_NOTE = {
    "restored": " [restored: the page read printed it in traditional characters with pinyin "
    "glosses]",
    "translation": " [translation: the Chinese text was not found; as printed on the page read]",
}


def _shown_words(item: Target) -> str:
    """The plan's words as the page shows them, with a note where they are not verbatim."""
    text, kind = item.plan_words()
    return text + _WORDS_NOTE.get(kind, "")


def tracked_indicators(region: str, inherit: bool = True) -> list[str]:
    """Statistics the region's targets are measured by (targets with a value and a year;
    programme targets, which no statistic measures, are left out)."""
    found = [
        t.indicator
        for t in targets_for(region, inherit=inherit)
        if t.tracking == "statistic" and t.value is not None and t.year is not None
    ]
    return list(dict.fromkeys(found))


def data_sources(
    region: str, observations: pd.DataFrame, as_of: int | str | dt.date | None = None
) -> pd.DataFrame:
    """The figures behind each tracked indicator: how many, when, the latest, and from where.

    Parameters
    ----------
    region : str
        Region id.
    observations : DataFrame
        Tidy observations (as from :func:`ipindicators.observations`).
    as_of : int, str or datetime.date, optional
        Ignore figures dated after this date (a year: its 31 December).

    Returns
    -------
    DataFrame
        One row per tracked indicator; ``source_classes`` counts its figures by source class
        (official statistics, state media, reprint, derived); ``n_figures`` is 0 and
        ``sources`` says "no data" where nothing was published or found.
    """
    cutoff = pd.Timestamp(as_of_date(as_of))
    rows = []
    for indicator_id in tracked_indicators(region):
        series = observations[
            (observations["region"] == region)
            & (observations["indicator"] == indicator_id)
            & (observations["period_end"] <= cutoff)
        ]
        series = series.sort_values("period_end")
        latest = series.iloc[-1] if len(series) else None
        cited = _citations(series, observations[observations["region"] == region])
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
                "sources": cited if cited else "no data",
            }
        )
    return pd.DataFrame(rows)


def _short_table(where: object) -> str:
    """A table's number and title without its row, column and cell (``8-33 技术市场…``)."""
    text = "" if is_missing(where) else str(where)
    return (
        text.split(", row ")[0].split(" row ")[0].strip()
        if text.startswith(tuple("0123456789"))
        else ""
    )


def _citations(series: pd.DataFrame, region_figures: pd.DataFrame) -> tuple:
    """The publications behind a series: ``(title, table, url, class)`` once each, the parts'
    sources for derived ratios (looked up among the region's figures by their URL)."""
    published = region_figures[region_figures["origin"] != "derived"]
    by_url = {url: row for url, row in zip(published["source_url"], published.to_dict("records"))}
    found: dict[tuple, None] = {}
    for cell in series["source_url"]:
        for url in str(cell).split(" | "):
            row = by_url.get(url)
            if row is None:
                continue
            title = str(row["source_title"]).split(" (")[0] if row["source_title"] else url
            found[(title, _short_table(row.get("table")), url, str(row["source_class"]))] = None
    return tuple(found)


def _targets_on(region: str, indicator_id: str) -> list[Target]:
    return [
        t
        for t in targets_for(region, inherit=True)
        if t.indicator == indicator_id and t.value is not None and t.year is not None
    ]


def indicator_charts(
    region: str, observations: pd.DataFrame, assessment: Assessment
) -> Iterator[tuple[str, Figure | None, str]]:
    """One fan chart per tracked indicator that has figures public at the assessment's date.

    Each chart draws the forecast the assessment judged the indicator's targets on, to two
    years after the latest of the as-of year and the indicator's target years within
    :data:`~ipindicators.models.assess.MAX_LEAD_YEARS` of it (a target further ahead is listed,
    not drawn), each target annotated with its verdict.

    Yields
    ------
    (indicator, figure, message)
        ``figure`` is None, and ``message`` says why, when the series has no figure by then.
    """
    cutoff, count_from = assessment.settings.as_of, assessment.settings.count_from
    results = {t.target_id: t for t in assessment}
    verdicts = {target_id: verdict_label(t.verdict) for target_id, t in results.items()}
    for indicator_id in tracked_indicators(region):
        series = observations[
            (observations["region"] == region) & (observations["indicator"] == indicator_id)
        ]
        if usable_observations(series, indicator(indicator_id), cutoff, count_from).empty:
            yield indicator_id, None, _no_figure_note(indicator_id, series)
            continue
        fc = assessment.forecasts.get(indicator_id)
        if fc is None:
            why = assessment.forecast_errors.get(indicator_id, "no forecast was made")
            yield indicator_id, None, f"no chart: {why}"
            continue
        targets = [
            t
            for t in _targets_on(region, indicator_id)
            if t.year is None or t.year <= cutoff.year + MAX_LEAD_YEARS
        ]
        until = max([cutoff.year, *(t.year for t in targets if t.year)]) + FORECAST_YEARS_AFTER
        shown = fc.through(until)
        figure, ax = plt.subplots(figsize=(10, 4.5))
        fan_chart(shown, targets, ax=ax, verdicts=verdicts)
        figure.alt_text = chart_description(shown, targets, results)  # type: ignore[attr-defined]
        yield indicator_id, figure, fc.message


def _no_figure_note(indicator_id: str, series: pd.DataFrame) -> str:
    if series.empty:
        return "no published figure found"
    if indicator(indicator_id).measure == "period_total":
        return "no figure public by the as-of date (a period total counts only for a full calendar year)"
    return "no figure public by the as-of date"


def chart_note(indicator_id: str, message: str) -> Markdown:
    """The line shown above an indicator's chart, or instead of it, in the indicator's name."""
    return Markdown(f"*{_safe(indicator(indicator_id).name_zh)}: {_safe(message)}*")


def chart_description(
    fc: Forecast, targets: list[Target], results: Mapping[str, TargetAssessment]
) -> str:
    """Alt text of a fan chart: what it shows, in one paragraph, each target with the numbers
    of its assessment (the same as the attainment table's)."""
    item = indicator(fc.indicator)
    seen = fc.observations
    first, last = seen["period_end"].iloc[0].date(), seen["period_end"].iloc[-1].date()
    parts = [
        f"Chart of {item.name_zh} ({item.name_en}) in {item.unit}: {len(seen)} published "
        f"figures from {first} to {last}, the latest {number(seen['value'].iloc[-1], item.unit)}."
    ]
    if fc.ok:
        end = int(fc.years[-1])
        low, mid, high = np.quantile(fc.at(end), [0.1, 0.5, 0.9])
        parts.append(
            f"Forecast for {end}: median {number(mid, item.unit)}, 80 % interval "
            f"{number(low, item.unit)} to {number(high, item.unit)}."
        )
    for goal_target in targets:
        goal = goal_target.value_in_indicator_unit()
        if goal is None:
            continue
        found = results.get(goal_target.id)
        said = "" if found is None else f": {target_numbers(found)}"
        parts.append(
            f"Target {goal_target.comparator} {number(goal, item.unit)} by {goal_target.year}"
            f"{said}."
        )
    return " ".join(parts)


def target_numbers(result: TargetAssessment) -> str:
    """A target's verdict with its probability, median and 80 % interval where it has them:
    ``很可能实现 likely (probability 72 %, median 35.2, 80 % interval 30.1–40.3)``."""
    numbers = []
    if result.probability is not None:
        numbers.append(f"probability {percent(result.probability, 0)}")
    if result.median_forecast is not None and result.status not in SETTLED_STATUSES:
        numbers.append(f"median {number(result.median_forecast, result.unit)}")
        numbers.append(
            f"80 % interval {number(result.interval_80_low, result.unit)}–"
            f"{number(result.interval_80_high, result.unit)}"
        )
    label = verdict_label(result.verdict)
    return f"{label} ({', '.join(numbers)})" if numbers else label


def _assessed(assessment: pd.DataFrame) -> pd.Series:
    """Rows with a verdict (settled, estimated or forecast): the others say why not."""
    return ~assessment["verdict"].isin(UNTRACKED_VERDICTS)


def attainment_table(assessment: pd.DataFrame) -> pd.DataFrame:
    """The assessment rows that have a verdict, in reading order (every column)."""
    return assessment[_assessed(assessment)].reset_index(drop=True)


def untracked_targets(assessment: pd.DataFrame) -> pd.DataFrame:
    """Targets without a probability or a status, and why (no data, no year, relative …)."""
    missing = assessment[~_assessed(assessment)]
    return missing[["target_id", "indicator", "target_year", "reason"]].reset_index(drop=True)


def read_assessment(path: str | Path) -> pd.DataFrame:
    """An assessment table written for download by :func:`vintage` (:data:`COLUMNS`), with
    the types :meth:`~ipindicators.models.results.Assessment.frame` gives them."""
    frame = pd.read_csv(
        path,
        encoding="utf-8-sig",
        dtype=ASSESSMENT_DTYPES,
    )
    missing = [c for c in COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: the assessment table has no column {missing[0]!r}")
    return frame[COLUMNS]


ASSESSMENT_DTYPES = {
    "n_obs": "Int64",
    "target_year": "Int64",
    "expected_year": "Int64",
    "inherited": "boolean",
}
"""The columns of a stored assessment table that are not text or floats."""


_LAG_LABELS = {
    ("snapshot", "year_end"): "year-end stocks and ratios",
    ("snapshot", "part_year"): "stocks within the year",
    ("period_total", "year_end"): "a year's totals",
    ("period_total", "part_year"): "totals within the year",
}


def publication_lag_note() -> str:
    """The publication lags the forecasts applied and what they were learned from (Markdown)."""
    table = lags_in_use()
    parts = []
    for measure, kind, figures, days, months in table.itertuples(index=False):
        label = _LAG_LABELS[(measure, kind)]
        if figures >= MIN_RELEASES:
            parts.append(
                f"{label} {months} months (median {days:.0f} days over {figures} figures)"
            )
        else:
            parts.append(f"{label} {months} months ({figures} printed dates: too few to learn)")
    return (
        "**Publication lags in use**, learned from the release dates the official and "
        "state-media sources print (the median days from a period's end to a figure's first "
        "printed release, rounded up to whole months): " + "; ".join(parts) + "."
    )


def evaluation_note(assessment: Assessment) -> str:
    """How honest the probabilities are, from the stored out-of-time evaluation, and the
    calibration vintage the assessment's forecasts used (Markdown)."""
    from ..models.calibration import shipped_evaluation, shipped_vintage
    from ..models.registry import method_name

    e = shipped_evaluation()
    best = e["best_baseline"].replace("rw_gauss", "a Gaussian random walk with drift")
    settings = assessment.settings
    method = method_name(settings.models)
    vintages = [
        (label, shipped_vintage(method, measure, settings.as_of))
        for label, measure in (("stocks and ratios", "snapshot"), ("flows", "period_total"))
    ]
    narrow = (
        " — narrower than they should be, so probabilities far from 50 % are somewhat "
        "overconfident"
        if e["coverage80"] < 0.75
        else ""
    )
    return (
        "**How honest the probabilities are**, measured out of time (calibration refitted at "
        "each forecast origin on what was public then; "
        f"{e['forecasts']:,} forecasts of {e['regions']} regions' stocks, ratios and flows, "
        "1–7 years ahead; bounded percentages have too few figures to be scored): 80 % "
        f"intervals held {e['coverage80']:.0%} of later figures and 95 % intervals "
        f"{e['coverage95']:.0%}{narrow}; the mean CRPS of the log figures was "
        f"{e['crps_log']:.3f}, {1 - e['ratio_to_best_baseline']:.0%} below the best calibrated "
        f"baseline ({best}) and {1 - e['ratio_to_growth_rule']:.0%} below the growth-ratio rule. "
        f"On {e['targets']} real past plan targets ({e['target_probabilities']} probabilities, "
        f"{e['targets_missed']} targets missed) the Brier score was {e['brier']:.3f}, against "
        f"{e['brier_growth_rule']:.3f} for the growth-ratio rule. Where most plan targets "
        f"are, stocks and ratios four to five years ahead, the forecasts made from "
        f"{e['held_out_from']} on (held out: this version's modelling choices were made on "
        "the earlier ones) held "
        f"{e['stocks_4_5_coverage80']:.0%} of {e['stocks_4_5_forecasts']} later figures in their "
        f"80 % intervals, {e['stocks_4_5_above']:.0%} falling above and "
        f"{e['stocks_4_5_below']:.0%} below. {_vintage_words(vintages)} "
        "Details and caveats: `docs/evaluation.md`."
    )


def _vintage_words(vintages: list[tuple[str, Vintage | None]]) -> str:
    """Which calibration the forecasts used, per measure, in a sentence."""
    parts = []
    for label, vintage in vintages:
        if vintage is None:
            parts.append(f"{label}: none was knowable at this date, so they are uncalibrated")
            continue
        growth = vintage.calibration.growth
        span = (
            f"×{growth[0]:.2f} one year ahead to ×{growth[-1]:.2f} {len(growth)} years ahead"
            if len(growth) > 1
            else f"×{growth[0]:.2f}"
        )
        parts.append(f"{label}: fitted on the outcomes public by {vintage.known_by}, {span}")
    return (
        "The calibration these forecasts used damps the growth their median expects ("
        + "; ".join(parts)
        + ")."
    )


# --- the report as a policymaker reads it ---------------------------------------------------
VERDICTS = {
    "achieved": ("已实现", "achieved"),
    "missed": ("未实现", "missed"),
    "probably achieved": ("估计已实现", "probably achieved"),
    "outcome uncertain": ("结果不确定", "outcome uncertain"),
    "probably missed": ("估计未实现", "probably missed"),
    "already met": ("已达到", "already met"),
    "likely": ("很可能实现", "likely"),
    "uncertain": ("能否实现尚不确定", "uncertain"),
    "unlikely": ("不太可能实现", "unlikely"),
    "no data": ("暂无数据", "no data"),
    "not assessed": ("未评估", "not assessed"),
    "no target year": ("无目标年份", "no target year"),
    "programme target": ("计划类目标", "programme target"),
}
"""Chinese and English labels of each verdict, in the order the headline counts them: settled
by a figure, estimated for a past year whose figure is not held, forecast for an open year,
then the targets without a verdict."""
STATUS_LABELS = {
    "achieved": "achieved",
    "missed": "missed",
    "outcome_unknown": "outcome not known",
    "on_track": "on track",
    "acceleration_needed": "acceleration needed",
    "limited_progress": "limited progress",
    "moving_away": "moving away",
    "no_data": "—",
}
SOURCE_CLASS_LABELS = {
    "official": "official statistics",
    "state_media": "state media",
    "reprint": "a reprint",
}
DOWNLOADS = ("figures", "targets", "assessment")
"""Tables the batch writes beside each report, as CSV and XLSX."""


def verdict_label(verdict: str) -> str:
    """``很可能实现 likely``: the Chinese label first, the English after."""
    zh, en = VERDICTS.get(verdict, (verdict, verdict))
    return f"{zh} {en}"


def target_label(row: Mapping) -> str:
    """A target in words: indicator (Chinese name), comparator, value, unit and year."""
    item = target(row["target_id"]) if row["target_id"] != "custom" else None
    if not is_missing(row["indicator"]):
        name = indicator(row["indicator"]).name_zh
    elif item is not None:
        name = item.label_zh or item.label_en or row["target_id"]
    else:
        name = row["target_id"]
    value, unit = row["target_value"], row["unit"]
    if is_missing(value) and item is not None:
        value, unit = item.value, item.unit
    sign = {">=": "≥", "<=": "≤", "==": "="}.get(row["comparator"], row["comparator"])
    when = f"by {year(row['target_year'])}" if not is_missing(row["target_year"]) else "(no year)"
    if is_missing(value) and item is not None and item.relative_to:
        return f"{name} {sign} {indicator(item.relative_to).name_zh} {when}"
    cumulative = " in total" if row.get("basis") == "cumulative" else ""
    growth = " a year on average" if row.get("basis") == "average_growth" else ""
    return f"{name} {sign} {number(value, unit)} {unit}{cumulative}{growth} {when}"


def _figure_on(observations: pd.DataFrame, row: Mapping, date: pd.Timestamp) -> pd.Series | None:
    """The figure of a target row's region and indicator dated ``date`` (None if not held)."""
    found = observations[
        (observations["region"] == row["region"])
        & (observations["indicator"] == row["indicator"])
        & (observations["period_end"] == date)
    ]
    return None if found.empty else found.iloc[-1]


def _latest_class(observations: pd.DataFrame, row: Mapping) -> str:
    if is_missing(row["last_period"]):
        return ""
    found = _figure_on(observations, row, pd.Timestamp(row["last_period"]))
    return "" if found is None else SOURCE_CLASS_LABELS.get(str(found["source_class"]), "")


def _newest_figure(region: str, observations: pd.DataFrame, cutoff: dt.date) -> str:
    """The newest period of the region's targeted indicators among the figures public by
    ``cutoff`` (the assessment's as-of date; see :mod:`ipindicators.data.release`)."""
    own = observations[
        (observations["region"] == region)
        & observations["indicator"].isin(tracked_indicators(region))
    ]
    public = own[known_from(own) <= pd.Timestamp(cutoff)] if len(own) else own
    newest = public["period_end"].max()
    return newest.date().isoformat() if pd.notna(newest) else ""


def own_targets(assessment: pd.DataFrame) -> pd.DataFrame:
    """The rows of the region's own targets (a parent plan's targets are reported apart)."""
    return assessment[~assessment["inherited"].astype(bool)]


def inherited_targets(assessment: pd.DataFrame) -> pd.DataFrame:
    """The rows of targets that apply to the region only through a parent region's plan."""
    return assessment[assessment["inherited"].astype(bool)]


def verdict_counts(assessment: pd.DataFrame) -> str:
    """``**3** 已实现 achieved; **1** 很可能实现 likely …`` in the order of :data:`VERDICTS`."""
    counts = assessment["verdict"].value_counts()
    return "; ".join(f"**{counts[v]}** {verdict_label(v)}" for v in VERDICTS if counts.get(v, 0))


def headline(assessment: pd.DataFrame, observations: pd.DataFrame, region: str) -> str:
    """The report's first paragraph: the region's own targets by verdict, as of when, and how
    many parent-plan targets are shown apart (Markdown)."""
    own = own_targets(assessment)
    as_of = assessment["as_of"].iloc[0] if len(assessment) else dt.date.today().isoformat()
    newest = _newest_figure(region, observations, dt.date.fromisoformat(as_of))
    figures = (
        f"the newest figure of its targeted indicators is of {newest}"
        if newest
        else "no figure of its targeted indicators is held"
    )
    text = (
        f"**{len(own)} targets of its own plans** as of {as_of}, from the figures public by "
        f"then ({figures}): {verdict_counts(own) or 'none'}."
    )
    estimated = int((own["status"] == "outcome_unknown").sum())
    if estimated:
        text += (
            f" For {estimated} of them the target year is over but its figure is not held, so "
            "the outcome is estimated from the figures around it."
        )
    parents = inherited_targets(assessment)
    if len(parents):
        text += (
            f" {len(parents)} per-capita target(s) of parent plans apply where the region set "
            "none of its own; they are shown apart, for reference, and not counted here."
        )
    return text


def verdict_sentences(assessment: pd.DataFrame, observations: pd.DataFrame) -> str:
    """One plain-language sentence per target: verdict, evidence, and what is missing.

    Targets come in the order of :data:`VERDICTS` (settled, estimated, forecast, then those
    without a verdict), in catalog order within each.
    """
    order = {v: i for i, v in enumerate(VERDICTS)}
    rows = sorted(assessment.to_dict("records"), key=lambda r: order.get(r["verdict"], 99))
    text = "\n".join(_verdict_sentence(row, observations) for row in rows)
    lacking = [r for r in rows if r.get("reason_code") == "no_figure"]
    if lacking:
        text += (
            f"\n\nTo add the figures {len(lacking)} target(s) lack: "
            f"`ipindicators data template --region {lacking[0]['region']}`, fill in the "
            "published figures with their sources, then `ipindicators data build --raw FILE`."
        )
    return text or "*No target.*"


def parent_targets_note(assessment: pd.DataFrame, region: str) -> str:
    """Where the parent-plan targets come from and why they are apart (Markdown)."""
    parents = inherited_targets(assessment)
    item = region_definition(region)
    if item.parent is None:
        return f"*No parent plan applies to {_safe(item.name_zh)}: its targets are all its own.*"
    if parents.empty:
        return (
            f"*{_safe(item.name_zh)}'s own plans set a target on every per-capita indicator its "
            "parents' plans target, so no parent target is shown.*"
        )
    names = list(
        dict.fromkeys(_safe(region_definition(r).name_zh) for r in parents["target_region"])
    )
    return (
        f"Targets of {'、'.join(names)} plans on per-capita indicators that "
        f"{_safe(region_definition(region).name_zh)}'s own plans do not set. They are the "
        "parent's "
        "aims, shown to compare the region with them; they are not the region's own targets "
        "and are not counted in its verdicts, the index or the overview."
    )


def _verdict_sentence(row: Mapping, observations: pd.DataFrame) -> str:
    lead = f"- **{_safe(target_label(row))}** — {verdict_label(row['verdict'])}"
    unit = _safe(row["unit"])
    if row["verdict"] in UNTRACKED_VERDICTS:
        return f"{lead}: {_safe(_missing_text(row))}"
    source = _latest_class(observations, row)
    latest = (
        f"latest figure {number(row['last_value'], unit)} {unit} "
        f"({row['last_period']}{', ' + source if source else ''})"
    )
    if row["verdict"] in ("achieved", "missed"):
        outcome = row.get("outcome")
        what = (
            f"the {year(row['target_year'])} figure"
            if row.get("basis") != "cumulative"
            else "the sum of the window's published years"
        )
        shown = (
            f"{what} is {number(outcome, unit)} {unit}"
            if not is_missing(outcome)
            else f"the {year(row['target_year'])} figures are public"
        )
        return f"{lead}: {shown}; {latest}."
    if is_missing(row["probability"]):
        return f"{lead}: {latest}; {_safe(row['verdict_note'] or row['reason'])}."
    low, high = row["interval_80_low"], row["interval_80_high"]
    growth = (
        f"; growth so far {percent(row['observed_cagr'])} a year, "
        f"{percent(row['required_cagr'])} needed"
        if not is_missing(row["required_cagr"])
        else ""
    )
    note = (
        f" Why the growth rule differs: {_safe(row['verdict_note'])}."
        if row["verdict_note"]
        else ""
    )
    spread = (
        f"median {number(row['median_forecast'], unit)}, 80 % interval "
        f"{number(low, unit)}–{number(high, unit)}"
    )
    if row["status"] == "outcome_unknown":
        why = _safe(str(row["reason"]).split(";")[0])
        return (
            f"{lead} (estimated probability {percent(row['probability'], 0)}): outcome not "
            f"among the figures held: {why}; estimated from the figures around it: {spread}; "
            f"{latest}.{note}"
        )
    return (
        f"{lead} (probability {percent(row['probability'], 0)}): {latest}; forecast for "
        f"{year(row['target_year'])}: {spread}{growth}.{note}"
    )


def _missing_text(row: Mapping) -> str:
    reason = str(row["reason"] or "no probability could be computed").rstrip(".")
    return reason + "."


def plans_view(region: str) -> Styler:
    """:func:`plan_targets` formatted for the page."""
    frame = plan_targets(region)
    return table(
        frame,
        {
            "indicator": "indicator 指标",
            "comparator": "",
            "value": "target",
            "unit": "unit",
            "year": "year",
            "basis": "basis",
            "plan_of": "plan of 规划",
            "document": "document 文件",
            "quote": "words of the plan 原文",
        },
        {"comparator": comparator, "value": number, "year": year},
        units="unit",
    )


def sources_view(region: str, observations: pd.DataFrame, as_of: int | None = None) -> Styler:
    """:func:`data_sources` formatted for the page, sources cited by publication and table."""
    frame = data_sources(region, observations, as_of)
    frame["first"] = frame["first"].map(lambda d: MISSING if is_missing(d) else str(d))
    frame["last"] = frame["last"].map(lambda d: MISSING if is_missing(d) else str(d))
    return table(
        frame,
        {
            "name": "indicator 指标",
            "n_figures": "figures",
            "first": "first",
            "last": "latest",
            "latest_value": "latest value",
            "unit": "unit",
            "source_classes": "by source",
            "sources": "sources",
        },
        {"latest_value": number, "sources": citations},
        units="unit",
    )


def attainment_view(assessment: pd.DataFrame) -> Styler | Markdown:
    """:func:`attainment_table` formatted for the page (a sentence when it has no row)."""
    if not _assessed(assessment).any():
        return Markdown("*No target of this region has a probability or an outcome yet.*")
    frame = attainment_table(assessment)
    frame["target"] = [target_label(r) for r in frame.to_dict("records")]
    frame["verdict"] = frame["verdict"].map(verdict_label)
    low_high = attainment_intervals(assessment)
    frame["interval"] = [low_high.get(t, MISSING) for t in frame["target_id"]]
    settled = frame["status"].isin(["achieved", "missed"]).to_numpy()
    frame.loc[settled, "interval"] = MISSING  # the outcome is known: no forecast to show
    frame["median_forecast"] = frame["median_forecast"].where(~settled, None)
    frame["status"] = frame["status"].map(lambda s: STATUS_LABELS.get(s, s))
    return table(
        frame,
        {
            "target": "target 目标",
            "verdict": "verdict 判断",
            "probability": "probability",
            "last_value": "latest figure",
            "last_period": "as of",
            "median_forecast": "forecast (median)",
            "interval": "80 % interval",
            "observed_cagr": "growth so far",
            "required_cagr": "growth needed",
            "status": "growth rule",
            "verdict_note": "why they differ",
        },
        {
            "probability": lambda v: percent(v, 0),
            "last_value": number,
            "median_forecast": number,
            "observed_cagr": percent,
            "required_cagr": percent,
        },
        units="unit",
    )


def attainment_intervals(assessment: pd.DataFrame) -> dict[str, str]:
    """Each target's 80 % interval as text in its unit's decimals."""
    return {
        row["target_id"]: f"{number(row['interval_80_low'], row['unit'])}–"
        f"{number(row['interval_80_high'], row['unit'])}"
        for row in assessment.to_dict("records")
        if not is_missing(row["interval_80_low"])
    }


def untracked_view(assessment: pd.DataFrame) -> Styler | Markdown:
    """:func:`untracked_targets` formatted for the page: which figure is missing and why."""
    if _assessed(assessment).all():
        return Markdown("*Every target of this region can be tracked.*")
    frame = assessment[~_assessed(assessment)].copy()
    frame["target"] = [target_label(r) for r in frame.to_dict("records")]
    frame["what"] = [_missing_text(r) for r in frame.to_dict("records")]
    return table(
        frame, {"target": "target 目标", "what": "what is missing 缺少什么"}, {"what": code_text}
    )


def changes_view(
    region: str,
    assessment: pd.DataFrame,
    observations: pd.DataFrame,
    previous: str | Path | None,
) -> Styler | Markdown:
    """What changed since the previous version of this report (kept by the batch in the folder
    ``previous``): verdicts, probabilities that moved by 0.10 or more, targets added or removed,
    figures that arrived, each with its reason."""
    from .incremental import CHANGE_COLUMNS, for_page, read_previous, region_changes

    if previous is None or read_previous(Path(previous))[0].empty:
        return Markdown(
            "*No previous version of this report is kept here (a first run, or a notebook run "
            "by hand), so nothing to compare with.*"
        )
    # the previous version kept the figures its page downloads: compare the same indicators
    tracked = observations[observations["indicator"].isin(tracked_indicators(region))]
    found = region_changes(region, assessment, tracked, previous)
    if found.empty:
        return Markdown("*Nothing changed since the previous version of this report.*")
    headers = {c: c for c in CHANGE_COLUMNS if c != "region"}
    return table(for_page(found), headers)


def vintage(
    region: str,
    observations: pd.DataFrame,
    assessment: pd.DataFrame,
    downloads: str | Path | None = None,
) -> str:
    """Data vintage, report date, package version and the downloads beside the page.

    Parameters
    ----------
    downloads : str or Path, optional
        Folder to write the download tables to (the notebook's own folder when it is run by
        hand); None when the batch writes them beside the page it publishes.
    """
    from importlib.metadata import version

    from .downloads import write_downloads

    if downloads is not None:
        write_downloads(Path(downloads), download_tables(region, observations, assessment))
    files = ", ".join(f"[{n}.csv]({n}.csv) / [{n}.xlsx]({n}.xlsx)" for n in DOWNLOADS)
    as_of = assessment["as_of"].iloc[0] if len(assessment) else dt.date.today().isoformat()
    newest = _newest_figure(region, observations, dt.date.fromisoformat(as_of)) or "none held"
    return (
        f"Figures public by {as_of}, from {data_in_use().describe()}; newest figure of the "
        f"targeted indicators: {newest}; ipindicators {version('ipindicators')}. Downloads "
        f"beside this page: {files}."
    )


def download_tables(
    region: str, observations: pd.DataFrame, assessment: pd.DataFrame
) -> dict[str, pd.DataFrame]:
    """The tables offered for download with a region's report: figures, targets, assessment."""
    figures = observations[
        (observations["region"] == region)
        & observations["indicator"].isin(tracked_indicators(region))
    ].copy()
    figures["period_end"] = figures["period_end"].dt.date
    return {
        "figures": figures,
        "targets": plan_targets(region),
        "assessment": rounded(assessment),
    }
