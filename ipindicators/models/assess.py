"""Target attainment: probability from forecast paths, and the growth-ratio rule users know.

For each target of a region (its own, then ratio targets inherited from parent plans):

* ``probability``: share of forecast paths meeting the comparator at the end of the target year;
  for cumulative targets the paths are summed over the window, observed years fixed.
* ``status``: ``achieved`` / ``missed`` when the target year's figure is known at ``as_of``
  (a cumulative "at least" target is achieved as soon as its published years reach it);
  ``outcome_unknown`` when the target year is over but its figure is not known at ``as_of`` (not
  yet published, or not among the figures held; the probability then comes from the figures
  around it); otherwise the growth-ratio rule of SDG monitoring (Eurostat, open-sdg): with
  R = observed CAGR / required CAGR, ``on_track`` R ≥ 0.95, ``acceleration_needed`` 0.6-0.95,
  ``limited_progress`` 0-0.6, ``moving_away`` R < 0; ``no_data`` when the series has no figure.
* ``interval_80_low``, ``interval_80_high``: the 10 % and 90 % quantiles of the outcome.
* ``observed_cagr`` over the last five years of figures (or all, if shorter); ``required_cagr``
  from the last figure to the target at the end of the target year.
* ``outcome``: for an achieved or missed target, the figure it was judged on (the target
  year's figure, a cumulative window's sum, or the growth over the window).
* ``expected_year``: first year-end (up to 15 years after ``as_of``) at which the median path
  meets the target; a year before ``as_of`` means the figures already met it then.
* ``verdict``: ``achieved`` / ``missed`` from the figures, else the probability's band
  (:data:`VERDICT_BANDS`: ``likely``, ``uncertain``, ``unlikely``); a target without a verdict
  says why in words a reader can act on (:data:`UNTRACKED_VERDICTS`): ``programme target`` (no
  public statistic measures it), ``no data`` (the statistic is catalogued but no usable figure
  of the region is held), ``no target year``, or ``not assessed`` (anything else: a relative
  target, too few figures, a value that cannot be read as printed); ``reason_code`` names the
  reason as a code (:data:`REASONS`) and ``reason`` in a sentence; ``verdict_note`` says why the
  verdict and the growth-ratio category disagree where they do.
* ``average_growth`` targets compare the indicator's compound annual growth from the year before
  ``window_start`` to the target year (in %) with the value: settled when both figures are held,
  else estimated from the forecast paths of the target year.

``as_of`` is a year (its 31 December) or a date: only figures public by then are used
(``count_from="release"``, see :mod:`ipindicators.data.release`), or with
``count_from="period_end"`` every figure whose period ended by then.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ..catalog.indicators import indicator
from ..catalog.regions import region_id
from ..catalog.targets import Target, is_inherited, regions_with_targets, targets_for
from ..data.release import expected_release
from ..data.store import combined
from ..errors import UsageError
from ..params import CountFrom, as_of_date, check_count_from, check_paths, check_seed
from . import DEFAULT_MODEL
from .forecast import Forecast, forecast
from .pooling import FamilyPrior, family_priors
from .series import decimal_year, usable_observations, year_end_value

EXPECTED_YEAR_HORIZON = 15
MAX_LEAD_YEARS = 7
"""A probability is given up to this many years after the latest figure (the leads the
calibration is fitted and scored on, and the 15th plan's 2030 targets from 2023 figures); a
target further from its latest figure is not assessed."""
CAGR_LOOKBACK_YEARS = 5
COLUMNS = [
    "target_id",
    "region",
    "indicator",
    "target_value",
    "target_year",
    "comparator",
    "basis",
    "as_of",
    "n_obs",
    "last_period",
    "last_value",
    "probability",
    "status",
    "observed_cagr",
    "required_cagr",
    "median_forecast",
    "interval_80_low",
    "interval_80_high",
    "expected_year",
    "inherited",
    "target_region",
    "unit",
    "reason_code",
    "reason",
    "verdict",
    "verdict_note",
    "tracking",
    "outcome",
]
REASONS = {
    "programme": "programme target",
    "no_figure": "no data",
    "part_year": "no data",
    "not_public": "no data",
    "no_year": "no target year",
    "relative": "not assessed",
    "too_few": "not assessed",
    "too_far": "not assessed",
    "unassessable": "not assessed",
    "error": "not assessed",
}
"""Why a target has no verdict (``reason_code``), and the verdict word each reason gives."""
UNTRACKED_VERDICTS = ("programme target", "no data", "no target year", "not assessed")
"""The verdicts of targets without an outcome or a probability, most specific first."""
VERDICT_BANDS = ((0.66, "likely"), (0.33, "uncertain"), (0.0, "unlikely"))
"""For a target whose year is still open: a probability of at least 0.66 reads "likely", below
0.33 "unlikely", anything between "uncertain" — the bands of the IPCC's calibrated language
(Mastrandrea et al. 2010), with "about as likely as not" widened to the middle third."""
ESTIMATE_BANDS = (
    (0.66, "probably achieved"),
    (0.33, "outcome uncertain"),
    (0.0, "probably missed"),
)
"""The same bands for a target whose year is over but whose outcome figure is not held: the
probability is an estimate of what happened, from the figures around it, not a forecast."""
ALREADY_MET = "already met"
"""A level target the latest figure already meets, with too few figures for a probability."""


def growth_status(ratio: float) -> str:
    """Growth-ratio category of R = observed / required growth."""
    if ratio >= 0.95:
        return "on_track"
    if ratio >= 0.6:
        return "acceleration_needed"
    if ratio >= 0:
        return "limited_progress"
    return "moving_away"


def _cagr(first: float, last: float, years: float) -> float | None:
    if years <= 0 or first <= 0 or last <= 0:
        return None
    return (last / first) ** (1.0 / years) - 1.0


def observed_cagr(used: pd.DataFrame) -> float | None:
    """Compound annual growth over the last five years of figures (all of them if shorter)."""
    if len(used) < 2:
        return None
    t = decimal_year(used["period_end"])
    start = int(np.searchsorted(t, t[-1] - CAGR_LOOKBACK_YEARS - 1e-9))
    start = min(start, len(t) - 2)
    return _cagr(used["value"].iloc[start], used["value"].iloc[-1], t[-1] - t[start])


def _required_cumulative_growth(last: float, done: float, goal: float, years: int) -> float | None:
    """Constant growth g of the annual flow with done + Σ last·(1+g)^k (k = 1…years) = goal."""
    if years <= 0 or last <= 0:
        return None

    def shortfall(g: float) -> float:
        return done + last * sum((1 + g) ** k for k in range(1, years + 1)) - goal

    try:
        from scipy.optimize import brentq  # only cumulative targets need a root

        return brentq(shortfall, -0.99, 10.0)
    except ValueError:
        return None


def _row(item: Target, region_id: str, cutoff: dt.date) -> dict:
    return {
        "target_id": item.id,
        "region": region_id,
        "indicator": item.indicator,
        "target_value": item.value_in_indicator_unit(),
        "target_year": item.year,
        "comparator": item.comparator,
        "basis": item.basis,
        "as_of": cutoff.isoformat(),
        "n_obs": 0,
        "last_period": None,
        "last_value": None,
        "probability": None,
        "status": "no_data",
        "observed_cagr": None,
        "required_cagr": None,
        "median_forecast": None,
        "interval_80_low": None,
        "interval_80_high": None,
        "expected_year": None,
        "inherited": is_inherited(item, region_id),
        "target_region": item.region,
        "unit": item.assessed_unit,
        "reason_code": "",
        "reason": "",
        "verdict": "not assessed",
        "verdict_note": "",
        "tracking": item.tracking,
        "outcome": None,
    }


def _untracked(row: dict, code: str, reason: str) -> dict:
    """Mark ``row`` as without a verdict for ``code`` (see :data:`REASONS`), saying why."""
    row["reason_code"], row["reason"] = code, reason
    return row


def verdict_band(probability: float, closed: bool = False) -> str:
    """The verdict of an attainment probability: :data:`VERDICT_BANDS` for an open target,
    :data:`ESTIMATE_BANDS` for one whose year is over (``closed``)."""
    bands = ESTIMATE_BANDS if closed else VERDICT_BANDS
    for threshold, label in bands:
        if probability >= threshold:
            return label
    return bands[-1][1]


_GROWTH_RULE_VERDICT = {
    "on_track": "likely",
    "acceleration_needed": "uncertain",
    "limited_progress": "unlikely",
    "moving_away": "unlikely",
}
"""What the growth-ratio rule alone would say, to note where the probability disagrees."""


def _verdict(row: dict) -> tuple[str, str]:
    """The verdict of an assessed row and, where the growth rule disagrees, why."""
    status, probability = row["status"], row["probability"]
    if status in ("achieved", "missed"):
        return status, ""
    if probability is None:
        if status == "on_track":
            return ALREADY_MET, (
                "the latest figure already meets the target; too few figures for a probability"
            )
        if not row["reason_code"]:
            row["reason_code"] = "too_few"
        return REASONS.get(row["reason_code"], "not assessed"), ""
    if status == "outcome_unknown":
        return verdict_band(probability, closed=True), ""
    verdict = verdict_band(probability)
    by_growth = _GROWTH_RULE_VERDICT.get(status)
    if by_growth is None or by_growth == verdict:
        return verdict, ""
    observed, required = row["observed_cagr"], row["required_cagr"]
    if status == "on_track" and required is not None and required <= 0:
        return verdict, (
            "the latest figure already meets the target, but the forecast allows it to fall "
            "back below it by the target year"
        )
    pace = (
        f" ({100 * observed:+.1f} % a year so far, {100 * required:+.1f} % needed)"
        if observed is not None and required is not None
        else ""
    )
    ranks = {"unlikely": 0, "uncertain": 1, "likely": 2}
    if ranks[verdict] > ranks[by_growth]:
        return verdict, (
            f"growth so far is below the required pace{pace}, but the forecast's spread "
            "still reaches the target often enough"
        )
    return verdict, (
        f"growth so far is enough{pace}, but the forecast expects it to slow (past forecasts "
        "ran ahead of what followed)"
    )


def _status_from_figures(item: Target, used: pd.DataFrame) -> str | None:
    """``achieved``/``missed`` when the target year-end is published, ``on_track`` when the
    latest figure already meets a level target, else None."""
    ends = used["period_end"]
    in_target_year = (ends.dt.year == item.year) & (ends.dt.month == 12) & (ends.dt.day == 31)
    if in_target_year.any():
        actual = float(used.loc[in_target_year, "value"].iloc[-1])
        return "achieved" if item.met_by(actual) else "missed"
    if item.met_by(float(used["value"].iloc[-1])):
        return "on_track"
    return None


def _settled_outcome(item: Target, used: pd.DataFrame) -> float | None:
    """The figure an achieved or missed target was judged on: the target year's figure, or
    for a cumulative target the sum of the window's published years."""
    assert item.year is not None
    if not item.cumulative:
        return year_end_value(used, item.year)
    years = used["period_end"].dt.year
    inside = (years >= (item.window_start or item.year)) & (years <= item.year)
    return float(used.loc[inside, "value"].sum()) if inside.any() else None


def _published_years_suffice(item: Target, used: pd.DataFrame) -> bool:
    """Whether the published years of a cumulative "at least" target already reach it."""
    if not item.cumulative or item.comparator != ">=" or item.year is None:
        return False
    years = used["period_end"].dt.year
    inside = (years >= (item.window_start or item.year)) & (years <= item.year)
    return bool(inside.any()) and float(used.loc[inside, "value"].sum()) >= item.goal()


def _window_sums(item: Target, fc: Forecast) -> np.ndarray:
    end = item.year
    if end is None:
        raise UsageError(f"the cumulative target {item.id} has no target year")
    columns = [np.flatnonzero(fc.years == y) for y in range(item.window_start or end, end + 1)]
    if any(len(c) == 0 for c in columns):
        raise UsageError(f"the cumulative window of {item.id} starts before the first figure")
    return fc.paths[:, [c[0] for c in columns]].sum(axis=1)


def _outcome_reason(item: Target, cutoff: dt.date, last_period: str) -> str:
    """Why a past target year's outcome is estimated: its figure is not due yet under the
    publication-lag rule, or due and not among the figures held."""
    assert item.year is not None
    due = expected_release(dt.date(item.year, 12, 31), indicator(item.indicator).measure)
    why = (
        f"the {item.year} figure is not yet due (expected by {due})"
        if cutoff < due
        else f"the {item.year} figure, due by {due}, is not among the figures held"
    )
    return f"{why}; estimated from the figures up to {last_period}"


def _growth_percent(start: float | np.ndarray, end: float | np.ndarray, years: float):
    """Compound annual growth in percent from ``start`` to ``end`` over ``years``."""
    return 100.0 * ((np.asarray(end, dtype=float) / start) ** (1.0 / years) - 1.0)


def _assessed_growth(
    item: Target,
    row: dict,
    used: pd.DataFrame,
    cutoff: dt.date,
    make_forecast: Callable[[], Forecast],
) -> dict:
    """An ``average_growth`` target: the indicator's compound annual growth (in %) from the
    year before the window to the target year, from the figures or, while the target year's
    figure is not held, from the forecast paths of that year."""
    assert item.year is not None and item.window_start is not None
    base_year = item.window_start - 1
    base = year_end_value(used, base_year)
    if base is None or base <= 0:
        return _untracked(
            row,
            "no_figure",
            f"growth is measured from the {base_year} figure, which is not held",
        )
    span = item.year - base_year
    last_year = float(decimal_year(used["period_end"])[-1])
    so_far = last_year - (base_year + 1)
    row["last_value"] = (
        float(_growth_percent(base, row["last_value"], so_far)) if so_far > 0 else None
    )
    row["observed_cagr"] = None if row["last_value"] is None else row["last_value"] / 100.0
    end = year_end_value(used, item.year)
    if end is not None:
        outcome = float(_growth_percent(base, end, span))
        row["last_value"], row["last_period"] = outcome, f"{item.year}-12-31"
        row["status"] = "achieved" if item.met_by(outcome) else "missed"
        row["outcome"] = outcome
        return row
    if too_far := _too_far(item, row, used):
        return too_far
    fc = make_forecast()
    if not fc.ok:
        return _untracked(row, "too_few", fc.message)
    outcome = _growth_percent(base, np.clip(fc.at(item.year), 1e-12, None), span)
    row["probability"] = float(item.meets(outcome).mean())
    row["median_forecast"] = float(np.median(outcome))
    low, high = np.quantile(outcome, [0.1, 0.9])
    row["interval_80_low"], row["interval_80_high"] = float(low), float(high)
    needed_end = base * (1.0 + item.goal() / 100.0) ** span
    remaining = item.year + 1 - last_year
    last_level = float(used["value"].iloc[-1])
    row["required_cagr"] = _cagr(last_level, needed_end, remaining) if remaining > 0 else None
    if cutoff > dt.date(item.year, 12, 31):
        row["status"] = "outcome_unknown"
        row["reason"] = _outcome_reason(item, cutoff, row["last_period"])
    elif row["observed_cagr"] is not None and row["required_cagr"]:
        row["status"] = growth_status(row["observed_cagr"] / row["required_cagr"])
    return row


def _too_far(item: Target, row: dict, used: pd.DataFrame) -> dict | None:
    """The row of a target whose year is more than :data:`MAX_LEAD_YEARS` past the latest
    figure (not assessed), or None."""
    assert item.year is not None
    ahead = item.year + 1 - float(decimal_year(used["period_end"])[-1])
    if ahead <= MAX_LEAD_YEARS:
        return None
    latest = used["period_end"].iloc[-1].date()
    return _untracked(
        row,
        "too_far",
        f"the latest figure (of {latest}) is {ahead:.0f} years before the end of the target "
        f"year; probabilities are calibrated up to {MAX_LEAD_YEARS} years ahead",
    )


def assess_catalog_target(
    item: Target,
    region_id: str,
    frame: pd.DataFrame,
    cutoff: dt.date,
    n_paths: int = 2000,
    seed: int = 0,
    models: str = DEFAULT_MODEL,
    count_from: CountFrom = "release",
    priors: dict[str, FamilyPrior] | None = None,
) -> dict:
    """Assess one target for one region; see the module docstring for the fields.

    ``priors`` are the family priors at ``cutoff`` (computed from ``frame`` when needed).
    """
    row = _assessed(item, region_id, frame, cutoff, n_paths, seed, models, count_from, priors)
    row["verdict"], row["verdict_note"] = _verdict(row)
    return row


def _assessed(
    item: Target,
    region_id: str,
    frame: pd.DataFrame,
    cutoff: dt.date,
    n_paths: int,
    seed: int,
    models: str,
    count_from: CountFrom,
    priors: dict[str, FamilyPrior] | None,
) -> dict:
    row = _row(item, region_id, cutoff)
    if item.tracking == "programme":
        spec = indicator(item.indicator)
        return _untracked(
            row,
            "programme",
            f"no public statistic measures it (reported on by: {spec.publisher})",
        )
    if item.unassessable:
        return _untracked(row, "unassessable", item.unassessable)
    if item.value is None:
        benchmark = indicator(item.relative_to).name_en if item.relative_to else "its benchmark"
        return _untracked(
            row,
            "relative",
            f"a relative target (compared with {benchmark}); relative targets are not assessed "
            f"yet: it needs the region's yearly figures of both "
            f"{indicator(item.indicator).name_en} and {benchmark}",
        )
    if item.year is None:
        return _untracked(row, "no_year", "the document gives no target year")
    spec = indicator(item.indicator)
    series = frame[(frame["region"] == region_id) & (frame["indicator"] == item.indicator)]
    used = usable_observations(series, spec, cutoff, count_from) if not series.empty else series
    row["n_obs"] = len(used)
    if used.empty:
        if series.empty:
            return _untracked(
                row, "no_figure", "no published figure of this indicator for the region is held"
            )
        if (series["period_end"] <= pd.Timestamp(cutoff)).any():
            return _untracked(
                row,
                "part_year",
                "only part-year figures are held; a period total needs a full calendar year",
            )
        return _untracked(
            row,
            "not_public",
            f"no figure public by {cutoff} (first period: {series['period_end'].min().date()})",
        )
    first_year = int(used["period_end"].iloc[0].year)
    if not item.growth and (item.window_start or item.year) < first_year:
        return _untracked(
            row,
            "no_figure",
            f"no figure of {item.window_start or item.year} or earlier is held (the first is "
            f"of {used['period_end'].iloc[0].date()})",
        )
    last = used.iloc[-1]
    row["last_period"] = last["period_end"].date().isoformat()
    row["last_value"] = float(last["value"])
    goal = item.goal()
    until = max(item.year, cutoff.year) + EXPECTED_YEAR_HORIZON

    def make_forecast() -> Forecast:
        return forecast(
            frame,
            region_id,
            item.indicator,
            cutoff,
            until,
            n_paths,
            seed,
            models,
            count_from=count_from,
            priors=priors,
        )

    if item.growth:
        return _assessed_growth(item, row, used, cutoff, make_forecast)
    settled_by_figures = (
        year_end_value(used, item.year) is not None
        if not item.cumulative
        else _published_years_suffice(item, used)
    )
    if not settled_by_figures and (too_far := _too_far(item, row, used)):
        return too_far
    fc = make_forecast()
    if not fc.ok:
        row["reason"] = fc.message
        if not item.cumulative and (status := _status_from_figures(item, used)):
            row["status"] = status
            row["reason"] += "; status from the published figures"
        elif _published_years_suffice(item, used):
            row["status"] = "achieved"
            row["reason"] += "; the published years of the window alone reach the target"
        else:
            row["reason_code"] = "too_few"
        if row["status"] in ("achieved", "missed"):
            row["outcome"] = _settled_outcome(item, used)
        return row
    outcome = _window_sums(item, fc) if item.cumulative else fc.at(item.year)
    row["probability"] = float(item.meets(outcome).mean())
    row["median_forecast"] = float(np.median(outcome))
    low, high = np.quantile(outcome, [0.1, 0.9])
    row["interval_80_low"], row["interval_80_high"] = float(low), float(high)
    growth = observed_cagr(used)
    row["observed_cagr"] = growth
    t_last = float(decimal_year(used["period_end"])[-1])
    remaining = item.year + 1 - t_last
    if item.cumulative:
        done_years = [
            y
            for y in range(item.window_start or item.year, item.year + 1)
            if (used["period_end"].dt.year == y).any()
        ]
        done = float(used[used["period_end"].dt.year.isin(done_years)]["value"].sum())
        left = item.year - int(last["period_end"].year)
        row["required_cagr"] = _required_cumulative_growth(float(last["value"]), done, goal, left)
    else:
        row["required_cagr"] = (
            _cagr(float(last["value"]), goal, remaining) if remaining > 0 else None
        )
    from_figures = None if item.cumulative else _status_from_figures(item, used)
    if from_figures in ("achieved", "missed"):
        row["status"] = from_figures
    elif not item.cumulative and cutoff > dt.date(item.year, 12, 31):
        row["status"] = "outcome_unknown"
        row["reason"] = _outcome_reason(item, cutoff, row["last_period"])
    elif from_figures:
        row["status"] = from_figures
    elif _published_years_suffice(item, used):
        row["status"] = "achieved"
    elif (
        item.cumulative
        and cutoff.year >= item.year
        and all(
            (used["period_end"].dt.year == y).any()
            for y in range(item.window_start or item.year, item.year + 1)
        )
    ):
        row["status"] = "achieved" if item.met_by(float(outcome[0])) else "missed"
    elif item.cumulative and cutoff > dt.date(item.year, 12, 31):
        row["status"] = "outcome_unknown"
        row["reason"] = _outcome_reason(item, cutoff, row["last_period"])
    elif growth is not None and row["required_cagr"] not in (None, 0):
        row["status"] = growth_status(growth / row["required_cagr"])
    else:
        row["status"] = "no_data"
        row["reason"] = "growth cannot be computed from the figures"
    median_path = np.median(fc.paths, axis=0)
    if item.cumulative:
        start = item.window_start or item.year
        median_path = np.cumsum(np.where(fc.years >= start, median_path, 0.0))
    horizon = fc.years <= cutoff.year + EXPECTED_YEAR_HORIZON
    hits = fc.years[horizon & item.meets(median_path)]
    row["expected_year"] = int(hits[0]) if len(hits) else None
    if row["status"] in ("achieved", "missed"):
        row["outcome"] = _settled_outcome(item, used)
    return row


def assess(
    region: str,
    as_of: int | str | dt.date | None = None,
    n_paths: int = 2000,
    seed: int = 0,
    models: str = DEFAULT_MODEL,
    observations: pd.DataFrame | None = None,
    inherit: bool = True,
    count_from: CountFrom = "release",
    priors: dict[str, FamilyPrior] | None = None,
    combine: str = "add",
) -> pd.DataFrame:
    """Assess every target of a region at ``as_of``.

    Parameters
    ----------
    region : str
        Region id.
    as_of : int, str or datetime.date, optional
        What was knowable then (a year means its 31 December, a string an ISO date or year);
        default: today.
    n_paths, seed, models
        Passed to :func:`ipindicators.models.forecast.forecast`.
    observations : DataFrame, optional
        Your tidy observations (as from :func:`ipindicators.load_observations`); how they meet
        the embedded data is ``combine``'s. Default: the embedded data alone.
    inherit : bool
        Include ratio targets inherited from parent regions' plans (flagged ``inherited``).
    count_from : {"release", "period_end"}
        When a figure starts to count: from its release (default) or its period's end.
    priors : dict, optional
        Family priors at ``as_of`` (:func:`ipindicators.models.pooling.family_priors`),
        computed from the observations when not given.
    combine : {"add", "replace"}
        ``add`` (default): your observations are added to the embedded ones, yours winning
        where both give a figure for the same region, indicator and date; ``replace``: only
        yours are used.

    Returns
    -------
    DataFrame
        One row per target with :data:`COLUMNS`.

    Raises
    ------
    UsageError
        For an unknown region, or an ``as_of`` before every figure the region's targets use.
    """
    region = region_id(region)
    cutoff = as_of_date(as_of)
    check_paths(n_paths)
    check_seed(seed)
    check_count_from(count_from)
    frame = combined(observations, combine)
    chosen = targets_for(region, inherit=inherit)
    series = frame[frame["region"] == region]
    if not series.empty and (series["period_end"] > pd.Timestamp(cutoff)).all():
        raise UsageError(
            f"as_of {cutoff} is before any figure for {region} "
            f"(first: {series['period_end'].min().date()})"
        )
    if priors is None:
        priors = family_priors(frame, cutoff, count_from)
    settings = (cutoff, n_paths, seed, models, count_from, priors)
    rows = [_assess_or_explain(t, region, frame, *settings) for t in chosen]
    return pd.DataFrame(rows, columns=COLUMNS)


def _assess_or_explain(
    item: Target,
    region_id: str,
    frame: pd.DataFrame,
    cutoff: dt.date,
    n_paths: int,
    seed: int,
    models: str,
    count_from: CountFrom,
    priors: dict[str, FamilyPrior] | None,
) -> dict:
    """:func:`assess_catalog_target`, or a row saying why not: one bad series costs only its
    targets."""
    try:
        return assess_catalog_target(
            item, region_id, frame, cutoff, n_paths, seed, models, count_from, priors
        )
    except UsageError as exc:
        row = _untracked(_row(item, region_id, cutoff), "error", str(exc))
        row["verdict"] = REASONS["error"]
        return row


def assess_all(
    regions: Sequence[str] | None = None,
    as_of: int | str | dt.date | None = None,
    n_paths: int = 2000,
    seed: int = 0,
    models: str = DEFAULT_MODEL,
    observations: pd.DataFrame | None = None,
    count_from: CountFrom = "release",
    combine: str = "add",
) -> pd.DataFrame:
    """Assess the targets of several regions (default: every region with targets of its own).

    Parameters are those of :func:`ipindicators.assess`; returns its rows, region after region.
    The family priors are estimated once for all regions, and the figures are split by region
    once, so the time grows with the number of regions, not with its square.
    """
    chosen = regions or regions_with_targets()
    frame = combined(observations, combine)
    cutoff = as_of_date(as_of)
    check_count_from(count_from)
    priors = family_priors(frame, cutoff, count_from)
    by_region = dict(tuple(frame.groupby("region", sort=False)))
    parts = [
        assess(
            r,
            cutoff,
            n_paths,
            seed,
            models,
            observations=by_region.get(region_id(r), frame.iloc[0:0]),
            count_from=count_from,
            priors=priors,
            combine="replace",
        )
        for r in chosen
    ]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=COLUMNS)


def assess_target(
    region: str,
    indicator_id: str,
    value: float,
    year: int,
    comparator: str = ">=",
    as_of: int | str | dt.date | None = None,
    cumulative_from: int | None = None,
    n_paths: int = 2000,
    seed: int = 0,
    models: str = DEFAULT_MODEL,
    observations: pd.DataFrame | None = None,
    count_from: CountFrom = "release",
    combine: str = "add",
) -> pd.DataFrame:
    """Assess a target that is not in the catalog, as :func:`assess` assesses catalog targets.

    Parameters
    ----------
    region, indicator_id : str
        Catalog region and indicator ids.
    value : float
        The target, in the indicator's catalog unit (e.g. 件/万人, 亿元).
    year : int
        Target year: the value is compared with the figure at its year-end.
    comparator : {">=", "<=", "=="}
        How the outcome is compared with ``value``.
    as_of, n_paths, seed, models, observations, count_from, combine
        As for :func:`assess`.
    cumulative_from : int, optional
        First year of a cumulative target: the sum of the years ``cumulative_from`` to ``year``
        is compared with ``value``.

    Returns
    -------
    DataFrame
        One row with :data:`COLUMNS`; ``target_id`` is ``custom``.
    """
    region = region_id(region)
    unit = indicator(indicator_id).unit
    cutoff = as_of_date(as_of)
    check_paths(n_paths)
    check_seed(seed)
    try:
        item = Target(
            id="custom",
            region=region,
            indicator=indicator_id,
            comparator=comparator,
            value=value,
            unit=unit,
            year=year,
            basis="cumulative" if cumulative_from is not None else "level",
            window_start=cumulative_from,
            document="custom",
            quote=f"{indicator_id} {comparator} {value} {unit} by {year}",
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        raise UsageError(f"{first['loc'][0]}: {first['msg']}, not {first['input']!r}") from None
    if cumulative_from is not None and cumulative_from > year:
        raise UsageError(f"cumulative_from {cumulative_from} is after the target year {year}")
    frame = combined(observations, combine)
    check_count_from(count_from)
    priors = family_priors(frame, cutoff, count_from)
    row = _assess_or_explain(
        item, region, frame, cutoff, n_paths, seed, models, count_from, priors
    )
    return pd.DataFrame([row], columns=COLUMNS)
