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

Every target of a series is judged on one forecast of that series, made to
:data:`EXPECTED_YEAR_HORIZON` years after ``as_of`` whatever the targets' years, and kept in
the result (:mod:`.results`): the charts draw that forecast, so a page cannot show two.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from pydantic import ValidationError

from ..catalog.indicators import indicator
from ..catalog.regions import region_id
from ..catalog.targets import Target, is_inherited, regions_with_targets, targets_for
from ..data.release import expected_release
from ..data.store import combined
from ..errors import UsageError
from ..params import CountFrom
from . import DEFAULT_MODEL
from .forecast import Forecast, forecast_series
from .pooling import FamilyPrior, family_priors
from .results import (
    COLUMNS,
    SETTLED_STATUSES,
    UNTRACKED_VERDICTS,
    Assessment,
    Reason,
    Status,
    TargetAssessment,
    Verdict,
)
from .series import (
    compound_growth,
    decimal_year,
    recent_growth,
    usable_observations,
    year_end_value,
)
from .settings import Settings

__all__ = ["COLUMNS", "UNTRACKED_VERDICTS", "assess", "assess_all", "assess_target"]

EXPECTED_YEAR_HORIZON = 15
MAX_LEAD_YEARS = 7
"""A probability is given up to this many years after the latest figure (the leads the
calibration is fitted and scored on, and the 15th plan's 2030 targets from 2023 figures); a
target further from its latest figure is not assessed."""
VERDICT_BANDS = ((0.66, Verdict.LIKELY), (0.33, Verdict.UNCERTAIN), (0.0, Verdict.UNLIKELY))
"""For a target whose year is still open: a probability of at least 0.66 reads "likely", below
0.33 "unlikely", anything between "uncertain" — the bands of the IPCC's calibrated language
(Mastrandrea et al. 2010), with "about as likely as not" widened to the middle third."""
ESTIMATE_BANDS = (
    (0.66, Verdict.PROBABLY_ACHIEVED),
    (0.33, Verdict.OUTCOME_UNCERTAIN),
    (0.0, Verdict.PROBABLY_MISSED),
)
"""The same bands for a target whose year is over but whose outcome figure is not held: the
probability is an estimate of what happened, from the figures around it, not a forecast."""


def growth_status(ratio: float) -> Status:
    """Growth-ratio category of R = observed / required growth."""
    if ratio >= 0.95:
        return Status.ON_TRACK
    if ratio >= 0.6:
        return Status.ACCELERATION_NEEDED
    if ratio >= 0:
        return Status.LIMITED_PROGRESS
    return Status.MOVING_AWAY


def observed_cagr(used: pd.DataFrame) -> float | None:
    """Compound annual growth over the last five years of figures (all of them if shorter)."""
    return recent_growth(decimal_year(used["period_end"]), used["value"].to_numpy(dtype=float))


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


def verdict_band(probability: float, closed: bool = False) -> Verdict:
    """The verdict of an attainment probability: :data:`VERDICT_BANDS` for an open target,
    :data:`ESTIMATE_BANDS` for one whose year is over (``closed``)."""
    bands = ESTIMATE_BANDS if closed else VERDICT_BANDS
    for threshold, label in bands:
        if probability >= threshold:
            return label
    return bands[-1][1]


_GROWTH_RULE_VERDICT = {
    Status.ON_TRACK: Verdict.LIKELY,
    Status.ACCELERATION_NEEDED: Verdict.UNCERTAIN,
    Status.LIMITED_PROGRESS: Verdict.UNLIKELY,
    Status.MOVING_AWAY: Verdict.UNLIKELY,
}
"""What the growth-ratio rule alone would say, to note where the probability disagrees."""
_RANK = {Verdict.UNLIKELY: 0, Verdict.UNCERTAIN: 1, Verdict.LIKELY: 2}


def _judged(result: TargetAssessment) -> TargetAssessment:
    """The result with its verdict and, where the growth rule disagrees, why."""
    status, probability = result.status, result.probability
    if status in SETTLED_STATUSES:
        return replace(result, verdict=Verdict(status.value))
    if probability is None:
        if status == Status.ON_TRACK:
            return replace(
                result,
                verdict=Verdict.ALREADY_MET,
                verdict_note=(
                    "the latest figure already meets the target; too few figures for a probability"
                ),
            )
        reason = result.reason_code or Reason.TOO_FEW
        return replace(result, reason_code=reason, verdict=reason.verdict)
    if status == Status.OUTCOME_UNKNOWN:
        return replace(result, verdict=verdict_band(probability, closed=True))
    verdict = verdict_band(probability)
    by_growth = _GROWTH_RULE_VERDICT.get(status)
    if by_growth is None or by_growth == verdict:
        return replace(result, verdict=verdict)
    return replace(result, verdict=verdict, verdict_note=_disagreement(result, verdict, by_growth))


def _disagreement(result: TargetAssessment, verdict: Verdict, by_growth: Verdict) -> str:
    """Why the probability's verdict and the growth rule's differ, in a sentence."""
    observed, required = result.observed_cagr, result.required_cagr
    if result.status == Status.ON_TRACK and required is not None and required <= 0:
        return (
            "the latest figure already meets the target, but the forecast allows it to fall "
            "back below it by the target year"
        )
    pace = (
        f" ({100 * observed:+.1f} % a year so far, {100 * required:+.1f} % needed)"
        if observed is not None and required is not None
        else ""
    )
    if _RANK[verdict] > _RANK[by_growth]:
        return (
            f"growth so far is below the required pace{pace}, but the forecast's spread "
            "still reaches the target often enough"
        )
    return (
        f"growth so far is enough{pace}, but the forecast expects it to slow (past forecasts "
        "ran ahead of what followed)"
    )


# --- the figures of a target's series --------------------------------------------------------
def _in_target_year(item: Target, used: pd.DataFrame) -> pd.Series:
    years = used["period_end"].dt.year
    return (years >= (item.window_start or item.year)) & (years <= item.year)


def _status_from_figures(item: Target, used: pd.DataFrame) -> Status | None:
    """``achieved``/``missed`` when the target year-end is published, ``on_track`` when the
    latest figure already meets a level target, else None."""
    assert item.year is not None
    actual = year_end_value(used, item.year)
    if actual is not None:
        return Status.ACHIEVED if item.met_by(actual) else Status.MISSED
    if item.met_by(float(used["value"].iloc[-1])):
        return Status.ON_TRACK
    return None


def _settled_outcome(item: Target, used: pd.DataFrame) -> float | None:
    """The figure an achieved or missed target was judged on: the target year's figure, or
    for a cumulative target the sum of the window's published years."""
    assert item.year is not None
    if not item.cumulative:
        return year_end_value(used, item.year)
    inside = _in_target_year(item, used)
    return float(used.loc[inside, "value"].sum()) if inside.any() else None


def _published_years_suffice(item: Target, used: pd.DataFrame) -> bool:
    """Whether the published years of a cumulative "at least" target already reach it."""
    if not item.cumulative or item.comparator not in (">=", ">") or item.year is None:
        return False
    inside = _in_target_year(item, used)
    return bool(inside.any()) and float(used.loc[inside, "value"].sum()) >= item.goal()


def _window_published(item: Target, used: pd.DataFrame) -> bool:
    """Whether every year of a cumulative target's window has its figure."""
    assert item.year is not None
    years = set(used["period_end"].dt.year)
    return all(y in years for y in range(item.window_start or item.year, item.year + 1))


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


def _distribution(draws: np.ndarray) -> dict:
    """Median and central 80 % interval of outcome draws."""
    low, high = np.quantile(draws, [0.1, 0.9])
    return {
        "median_forecast": float(np.median(draws)),
        "interval_80_low": float(low),
        "interval_80_high": float(high),
    }


# --- one forecast per series ----------------------------------------------------------------
class SeriesForecasts:
    """The forecasts of one region's series under one :class:`Settings`, each made once.

    Every forecast runs to :data:`EXPECTED_YEAR_HORIZON` years after ``as_of``, so a series'
    paths do not depend on which targets asked for them.
    """

    def __init__(
        self,
        frame: pd.DataFrame,
        region: str,
        settings: Settings,
        priors: dict[str, FamilyPrior] | None,
    ) -> None:
        self.frame, self.region, self.settings, self.priors = frame, region, settings, priors
        self.made: dict[str, Forecast] = {}
        self.errors: dict[str, str] = {}

    @property
    def until(self) -> int:
        """The last year-end every forecast reaches."""
        return self.settings.as_of.year + EXPECTED_YEAR_HORIZON

    def get(self, indicator_id: str) -> Forecast:
        """The series' forecast; :class:`UsageError` (remembered) when it cannot be made."""
        if indicator_id in self.errors:
            raise UsageError(self.errors[indicator_id])
        if indicator_id not in self.made:
            try:
                self.made[indicator_id] = forecast_series(
                    self.frame,
                    self.region,
                    indicator_id,
                    self.settings,
                    self.until,
                    priors=self.priors,
                )
            except UsageError as exc:
                self.errors[indicator_id] = str(exc)
                raise
        return self.made[indicator_id]


# --- one target -----------------------------------------------------------------------------
def _start(item: Target, region: str, settings: Settings) -> TargetAssessment:
    return TargetAssessment(
        target_id=item.id,
        region=region,
        indicator=item.indicator,
        target_value=item.value_in_indicator_unit(),
        target_year=item.year,
        comparator=item.comparator,
        basis=item.basis,
        as_of=settings.as_of.isoformat(),
        inherited=is_inherited(item, region),
        target_region=item.region,
        unit=item.assessed_unit,
        tracking=item.tracking,
    )


def _untracked(result: TargetAssessment, reason: Reason, text: str) -> TargetAssessment:
    """``result`` without a verdict for ``reason``, saying why in ``text``."""
    return replace(result, reason_code=reason, reason=text, verdict=reason.verdict)


def _too_far(
    item: Target, result: TargetAssessment, used: pd.DataFrame
) -> TargetAssessment | None:
    """The result of a target whose year is more than :data:`MAX_LEAD_YEARS` past the latest
    figure (not assessed), or None."""
    assert item.year is not None
    ahead = item.year + 1 - float(decimal_year(used["period_end"])[-1])
    if ahead <= MAX_LEAD_YEARS:
        return None
    latest = used["period_end"].iloc[-1].date()
    return _untracked(
        result,
        Reason.TOO_FAR,
        f"the latest figure (of {latest}) is {ahead:.0f} years before the end of the target "
        f"year; probabilities are calibrated up to {MAX_LEAD_YEARS} years ahead",
    )


def assess_catalog_target(
    item: Target,
    region: str,
    frame: pd.DataFrame,
    settings: Settings,
    forecasts: SeriesForecasts | None = None,
) -> TargetAssessment:
    """Assess one target for one region; see the module docstring for the fields.

    ``forecasts`` holds the region's series forecasts (made here when not given); a target's
    problem (a bad series, a window before the first figure) becomes a result saying why.
    """
    forecasts = forecasts or SeriesForecasts(frame, region, settings, None)
    try:
        return _judged(_assessed(item, region, frame, settings, forecasts))
    except UsageError as exc:
        return _untracked(_start(item, region, settings), Reason.ERROR, str(exc))


def _assessed(
    item: Target,
    region: str,
    frame: pd.DataFrame,
    settings: Settings,
    forecasts: SeriesForecasts,
) -> TargetAssessment:
    start = _start(item, region, settings)
    if item.tracking == "programme":
        spec = indicator(item.indicator)
        return _untracked(
            start,
            Reason.PROGRAMME,
            f"no public statistic measures it (reported on by: {spec.publisher})",
        )
    if item.unassessable:
        return _untracked(start, Reason.UNASSESSABLE, item.unassessable)
    if item.value is None:
        benchmark = indicator(item.relative_to).name_en if item.relative_to else "its benchmark"
        return _untracked(
            start,
            Reason.RELATIVE,
            f"a relative target (compared with {benchmark}); relative targets are not assessed "
            f"yet: it needs the region's yearly figures of both "
            f"{indicator(item.indicator).name_en} and {benchmark}",
        )
    if item.year is None:
        return _untracked(start, Reason.NO_YEAR, "the document gives no target year")
    cutoff = settings.as_of
    series = frame[(frame["region"] == region) & (frame["indicator"] == item.indicator)]
    used = (
        usable_observations(series, indicator(item.indicator), cutoff, settings.count_from)
        if not series.empty
        else series
    )
    start = replace(start, n_obs=len(used))
    if used.empty:
        return _untracked(start, *_why_no_figure(series, cutoff))
    first = used["period_end"].iloc[0]
    if not item.growth and (item.window_start or item.year) < first.year:
        return _untracked(
            start,
            Reason.NO_FIGURE,
            f"no figure of {item.window_start or item.year} or earlier is held (the first is "
            f"of {first.date()})",
        )
    last = used.iloc[-1]
    start = replace(
        start,
        last_period=last["period_end"].date().isoformat(),
        last_value=float(last["value"]),
    )
    if item.growth:
        return _assessed_growth(item, start, used, cutoff, forecasts)
    settled_by_figures = (
        year_end_value(used, item.year) is not None
        if not item.cumulative
        else _published_years_suffice(item, used)
    )
    if not settled_by_figures and (too_far := _too_far(item, start, used)):
        return too_far
    fc = forecasts.get(item.indicator)
    if not fc.ok:
        return _without_paths(item, start, used, fc)
    return _from_paths(item, start, used, cutoff, fc)


def _why_no_figure(series: pd.DataFrame, cutoff: dt.date) -> tuple[Reason, str]:
    """Why a series held has no usable figure at ``cutoff`` (or none is held)."""
    if series.empty:
        return Reason.NO_FIGURE, "no published figure of this indicator for the region is held"
    if (series["period_end"] <= pd.Timestamp(cutoff)).any():
        return (
            Reason.PART_YEAR,
            "only part-year figures are held; a period total needs a full calendar year",
        )
    return (
        Reason.NOT_PUBLIC,
        f"no figure public by {cutoff} (first period: {series['period_end'].min().date()})",
    )


def _without_paths(
    item: Target, result: TargetAssessment, used: pd.DataFrame, fc: Forecast
) -> TargetAssessment:
    """A target whose series has too few figures for a forecast: settled by its figures where
    they suffice, else not assessed."""
    if not item.cumulative and (status := _status_from_figures(item, used)):
        result = replace(
            result, status=status, reason=f"{fc.message}; status from the published figures"
        )
    elif _published_years_suffice(item, used):
        result = replace(
            result,
            status=Status.ACHIEVED,
            reason=f"{fc.message}; the published years of the window alone reach the target",
        )
    else:
        return replace(result, reason=fc.message, reason_code=Reason.TOO_FEW)
    if result.status in SETTLED_STATUSES:
        result = replace(result, outcome=_settled_outcome(item, used))
    return result


def _from_paths(
    item: Target, result: TargetAssessment, used: pd.DataFrame, cutoff: dt.date, fc: Forecast
) -> TargetAssessment:
    """A level or cumulative target read from its series' forecast paths."""
    assert item.year is not None
    # a copy: a view into the paths would keep every path of the series alive with the result
    draws = _window_sums(item, fc) if item.cumulative else fc.at(item.year).copy()
    growth = observed_cagr(used)
    result = replace(
        result,
        probability=float(item.meets(draws).mean()),
        observed_cagr=growth,
        required_cagr=_required_growth(item, used),
        forecast=fc,
        draws=draws,
        expected_year=_expected_year(item, fc, cutoff),
        **_distribution(draws),
    )
    assert result.last_period is not None
    closed = cutoff > dt.date(item.year, 12, 31)
    from_figures = None if item.cumulative else _status_from_figures(item, used)
    if from_figures in SETTLED_STATUSES:
        status, reason = from_figures, ""
    elif not item.cumulative and closed:
        status, reason = Status.OUTCOME_UNKNOWN, _outcome_reason(item, cutoff, result.last_period)
    elif from_figures:
        status, reason = from_figures, ""
    elif _published_years_suffice(item, used):
        status, reason = Status.ACHIEVED, ""
    elif item.cumulative and cutoff.year >= item.year and _window_published(item, used):
        status = Status.ACHIEVED if item.met_by(float(draws[0])) else Status.MISSED
        reason = ""
    elif item.cumulative and closed:
        status, reason = Status.OUTCOME_UNKNOWN, _outcome_reason(item, cutoff, result.last_period)
    elif growth is not None and result.required_cagr not in (None, 0):
        assert result.required_cagr is not None
        status, reason = growth_status(growth / result.required_cagr), ""
    else:
        status, reason = Status.NO_DATA, "growth cannot be computed from the figures"
    outcome = _settled_outcome(item, used) if status in SETTLED_STATUSES else None
    return replace(result, status=status, reason=reason, outcome=outcome)


def _required_growth(item: Target, used: pd.DataFrame) -> float | None:
    """The compound annual growth from the latest figure that reaches the target."""
    assert item.year is not None
    last = used.iloc[-1]
    last_value = float(last["value"])
    if item.cumulative:
        done = float(used.loc[_in_target_year(item, used), "value"].sum())
        left = item.year - int(last["period_end"].year)
        return _required_cumulative_growth(last_value, done, item.goal(), left)
    remaining = item.year + 1 - float(decimal_year(used["period_end"])[-1])
    return compound_growth(last_value, item.goal(), remaining) if remaining > 0 else None


def _expected_year(item: Target, fc: Forecast, cutoff: dt.date) -> int | None:
    """The first year-end (up to :data:`EXPECTED_YEAR_HORIZON` years after ``cutoff``) at which
    the median path meets the target."""
    median_path = np.median(fc.paths, axis=0)
    if item.cumulative:
        start = item.window_start or item.year
        median_path = np.cumsum(np.where(fc.years >= start, median_path, 0.0))
    horizon = fc.years <= cutoff.year + EXPECTED_YEAR_HORIZON
    hits = fc.years[horizon & item.meets(median_path)]
    return int(hits[0]) if len(hits) else None


def _assessed_growth(
    item: Target,
    result: TargetAssessment,
    used: pd.DataFrame,
    cutoff: dt.date,
    forecasts: SeriesForecasts,
) -> TargetAssessment:
    """An ``average_growth`` target: the indicator's compound annual growth (in %) from the
    year before the window to the target year, from the figures or, while the target year's
    figure is not held, from the forecast paths of that year."""
    assert item.year is not None and item.window_start is not None
    base_year = item.window_start - 1
    base = year_end_value(used, base_year)
    if base is None or base <= 0:
        return _untracked(
            result,
            Reason.NO_FIGURE,
            f"growth is measured from the {base_year} figure, which is not held",
        )
    span = item.year - base_year
    last_year = float(decimal_year(used["period_end"])[-1])
    so_far = last_year - (base_year + 1)
    assert result.last_value is not None
    growth_so_far = float(_growth_percent(base, result.last_value, so_far)) if so_far > 0 else None
    result = replace(
        result,
        last_value=growth_so_far,
        observed_cagr=None if growth_so_far is None else growth_so_far / 100.0,
    )
    end = year_end_value(used, item.year)
    if end is not None:
        outcome = float(_growth_percent(base, end, span))
        return replace(
            result,
            last_value=outcome,
            last_period=f"{item.year}-12-31",
            status=Status.ACHIEVED if item.met_by(outcome) else Status.MISSED,
            outcome=outcome,
        )
    if too_far := _too_far(item, result, used):
        return too_far
    fc = forecasts.get(item.indicator)
    if not fc.ok:
        return _untracked(result, Reason.TOO_FEW, fc.message)
    draws = _growth_percent(base, np.clip(fc.at(item.year), 1e-12, None), span)
    needed_end = base * (1.0 + item.goal() / 100.0) ** span
    remaining = item.year + 1 - last_year
    last_level = float(used["value"].iloc[-1])
    required = compound_growth(last_level, needed_end, remaining) if remaining > 0 else None
    result = replace(
        result,
        probability=float(item.meets(draws).mean()),
        required_cagr=required,
        forecast=fc,
        draws=draws,
        **_distribution(draws),
    )
    if cutoff > dt.date(item.year, 12, 31):
        assert result.last_period is not None
        return replace(
            result,
            status=Status.OUTCOME_UNKNOWN,
            reason=_outcome_reason(item, cutoff, result.last_period),
        )
    if result.observed_cagr is not None and required:
        return replace(result, status=growth_status(result.observed_cagr / required))
    return result


# --- regions --------------------------------------------------------------------------------
def assess_region(
    region: str,
    frame: pd.DataFrame,
    settings: Settings,
    inherit: bool = True,
    priors: dict[str, FamilyPrior] | None = None,
    every_series: bool = True,
) -> Assessment:
    """Every target of a region (a catalog id) from the figures in ``frame``, with checked
    ``settings``; :func:`assess` is the same from raw arguments. With ``every_series`` the
    result also holds the forecast of every targeted series with figures (the report charts
    them), not only of those a probability was read from."""
    chosen = targets_for(region, inherit=inherit)
    series = frame[frame["region"] == region]
    cutoff = settings.as_of
    if not series.empty and (series["period_end"] > pd.Timestamp(cutoff)).all():
        raise UsageError(
            f"as_of {cutoff} is before any figure for {region} "
            f"(first: {series['period_end'].min().date()})"
        )
    if priors is None:
        priors = family_priors(frame, cutoff, settings.count_from)
    forecasts = SeriesForecasts(frame, region, settings, priors)
    results = tuple(assess_catalog_target(t, region, frame, settings, forecasts) for t in chosen)
    for indicator_id in _charted(chosen, frame, region) if every_series else ():
        with contextlib.suppress(UsageError):  # kept in forecasts.errors: the chart says why
            forecasts.get(indicator_id)
    return Assessment(region, settings, results, forecasts.made, forecasts.errors)


def _charted(chosen: list[Target], frame: pd.DataFrame, region: str) -> list[str]:
    """The statistics with a numeric, dated target that have figures of the region."""
    held = set(frame.loc[frame["region"] == region, "indicator"])
    return list(
        dict.fromkeys(
            t.indicator
            for t in chosen
            if t.tracking == "statistic"
            and t.value is not None
            and t.year is not None
            and t.indicator in held
        )
    )


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
) -> Assessment:
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
    Assessment
        One :class:`~.results.TargetAssessment` per target, with the forecasts behind them;
        ``.frame()`` is the table (:data:`COLUMNS`), ``.summary_frame(alpha)`` the outcome
        intervals.

    Raises
    ------
    UsageError
        For an unknown region, or an ``as_of`` before every figure the region's targets use.
    """
    settings = Settings.of(as_of, n_paths, seed, models, count_from)
    frame = combined(observations, combine)
    return assess_region(region_id(region), frame, settings, inherit, priors)


def assess_all(
    regions: Sequence[str] | None = None,
    as_of: int | str | dt.date | None = None,
    n_paths: int = 2000,
    seed: int = 0,
    models: str = DEFAULT_MODEL,
    observations: pd.DataFrame | None = None,
    count_from: CountFrom = "release",
    combine: str = "add",
    keep_forecasts: bool = False,
) -> list[Assessment]:
    """Assess the targets of several regions (default: every region with targets of its own).

    Parameters are those of :func:`ipindicators.assess`; returns one :class:`Assessment` per
    region (:func:`~.results.stacked` stacks their frames). The family priors are estimated
    once for all regions, and the figures are split by region once, so the time grows with the
    number of regions, not with its square. Each region's series forecasts are dropped once its
    targets are judged (their paths would grow memory with regions × paths × years; each target
    keeps its outcome draws) unless ``keep_forecasts``.
    """
    settings = Settings.of(as_of, n_paths, seed, models, count_from)
    chosen = [region_id(r) for r in (regions or regions_with_targets())]
    frame = combined(observations, combine)
    priors = family_priors(frame, settings.as_of, settings.count_from)
    by_region = dict(tuple(frame.groupby("region", sort=False)))
    parts = []
    for region in chosen:
        part = assess_region(
            region, by_region.get(region, frame.iloc[0:0]), settings, priors=priors
        )
        parts.append(part if keep_forecasts else part.without_forecasts())
    return parts


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
) -> Assessment:
    """Assess a target that is not in the catalog, as :func:`assess` assesses catalog targets.

    Parameters
    ----------
    region, indicator_id : str
        Catalog region and indicator ids.
    value : float
        The target, in the indicator's catalog unit (e.g. 件/万人, 亿元).
    year : int
        Target year: the value is compared with the figure at its year-end.
    comparator : {">=", "<=", "==", ">", "<"}
        How the outcome is compared with ``value``.
    as_of, n_paths, seed, models, observations, count_from, combine
        As for :func:`assess`.
    cumulative_from : int, optional
        First year of a cumulative target: the sum of the years ``cumulative_from`` to ``year``
        is compared with ``value``.

    Returns
    -------
    Assessment
        One target, ``custom``.
    """
    region = region_id(region)
    unit = indicator(indicator_id).unit
    settings = Settings.of(as_of, n_paths, seed, models, count_from)
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
    priors = family_priors(frame, settings.as_of, settings.count_from)
    forecasts = SeriesForecasts(frame, region, settings, priors)
    result = assess_catalog_target(item, region, frame, settings, forecasts)
    return Assessment(region, settings, (result,), forecasts.made, forecasts.errors)
