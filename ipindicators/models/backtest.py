"""Out-of-time evaluation: rolling-origin hindcasts, recalibrated with only what was known.

Hindcasts
---------
For every region × indicator series and every year ``Y`` in which it has a figure, a forecast is
made when year ``Y``'s year-end figures are out (30 April of ``Y + 1`` under the publication
lags learned from the embedded data: :func:`origin_date`, :mod:`ipindicators.data.release`;
``count_from="period_end"`` uses 31 December ``Y`` and period ends instead) from the figures
public by then, and compared with the observed year-end figures ``h = 1 … 7`` years after
``Y`` (a 2030 target is seven years ahead of the 2023 figures). Only year-end figures are outcomes; irregular figures
inform forecasts but are never scored. A method runs when the series has ``min_points`` usable
figures (two suffice for ``rw_drift`` and ``rw_shrunk``) and the method applies (``damped``,
``auto_ets`` and ``auto_theta`` need eight consecutive year-ends). ``rw_shrunk`` gets the family
priors of the panel as public at the same date. Each forecast is kept as its quantiles at
:data:`~ipindicators.models.calibration.LEVELS` on the log scale, uncalibrated.

Out of time
-----------
:func:`out_of_time` then recalibrates each method's forecasts origin by origin: the factors of
:mod:`ipindicators.models.calibration` are fitted on that method's earlier forecasts whose
outcomes were public by the origin, and applied to the forecasts made at it. Every method,
baselines included, goes through the same procedure. A forecast is scored where its origin had
factors for lead 1 (:data:`~ipindicators.models.calibration.MIN_CASES` past outcomes of the same
method and measure), so the early origins drop out; a lead without factors of its own takes
those of the longest lead that has them, exactly as a forecast made by
:func:`~ipindicators.models.forecast.forecast` does, and is scored that way (``cal_cases`` 0).

Methods
-------
Every registered model (:mod:`.registry`): ours through
:func:`ipindicators.models.forecast.forecast` (``rw_shrunk``, ``pool``, ``trend``, ``rw_drift``,
``damped``), and the baselines of :mod:`.baselines` (``growth_ratio``, ``linear``,
``rw_gauss``, ``auto_ets``, ``auto_theta``) sampled directly on the log scale. A point forecast
(``growth_ratio``) has its absolute (log) error as CRPS, attainment probabilities of 0 or 1 and
no intervals.

Scores (per method × series × origin × horizon, see :func:`score`)
------------------------------------------------------------------
``crps_log``: CRPS of the log of the figure (unit-free, ≈ relative error), from the quantiles
(twice the mean pinball loss over 199 levels); ``in80``/``in95``: the figure inside the central
80 % / 95 % interval; ``width80``: that interval's width relative to the median; ``pit``: share
of the distribution below the figure. :func:`target_hindcasts` turns the same forecasts into
attainment probabilities of real past plan targets; :func:`summarise` averages with bootstrap
confidence intervals over regions (regions resampled whole, so series sharing a region or a
numerator move together).

Everything is deterministic given ``seed``: each forecast's seed derives from ``seed`` and the
forecast's own method, series and origin.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import zlib
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
import pandas as pd

from ..catalog.indicators import indicator
from ..catalog.targets import Target, all_targets
from ..data.release import expected_release, known_from
from ..data.store import observations as load_observations
from ..errors import UsageError
from ..params import CountFrom, check_count_from
from . import DEFAULT_MODEL
from .calibration import (
    LEVELS,
    MAX_LEAD,
    Calibration,
    fit_calibration,
)
from .forecast import _one_blas_thread, forecast
from .pooling import FamilyPrior, family_priors
from .protocol import SeriesData
from .registry import baseline_names, model, model_names
from .series import decimal_year, scale_for, usable_observations

DEFAULT_OURS = ("rw_shrunk", "pool", "rw_drift")
POINT_METHODS = ("growth_ratio",)
LOG_FLOOR = 1e-3
STATSFORECAST_BASELINES = ("auto_ets", "auto_theta")
NARROW_WIDTH = 0.02
"""An 80 % interval narrower than this share of its median at two or more years ahead is
flagged (``narrow80``)."""
KEY = ["region", "indicator", "origin", "horizon"]
ROW_COLUMNS = [
    "method",
    "region",
    "indicator",
    "origin",
    "as_of",
    "n_obs",
    "horizon",
    "lead",
    "target_year",
    "observed",
    "outcome_known",
    "last",
]
SCORE_COLUMNS = [
    *ROW_COLUMNS,
    "median",
    "lower80",
    "upper80",
    "lower95",
    "upper95",
    "crps_log",
    "in80",
    "in95",
    "width80",
    "narrow80",
    "pit",
]
TARGET_COLUMNS = [
    "target_id",
    "region",
    "indicator",
    "basis",
    "comparator",
    "target_value",
    "target_year",
    "outcome",
    "achieved",
    "method",
    "origin",
    "horizon",
    "probability",
    "brier",
]


# --- series and origins ---------------------------------------------------------------------
@dataclass(frozen=True)
class _Series:
    region: str
    indicator: str
    frame: pd.DataFrame
    year_ends: dict[int, float]
    year_end_known: dict[int, dt.date]


@dataclass(frozen=True)
class _Case:
    """One series at one origin: what a forecast made then could use."""

    series: _Series
    origin: int
    as_of: dt.date
    used: pd.DataFrame
    t: np.ndarray
    values: np.ndarray


def origin_date(origin: int, count_from: CountFrom = "release") -> dt.date:
    """The date a forecast of origin ``origin`` is made: when its year-end figures are out
    under the learned publication lags (stocks' and totals', whichever is later; 30 April
    with the embedded data), or 31 December with ``count_from="period_end"``."""
    if count_from != "release":
        return dt.date(origin, 12, 31)
    year_end = dt.date(origin, 12, 31)
    return max(expected_release(year_end, measure) for measure in ("snapshot", "period_total"))


def _series(frame: pd.DataFrame) -> list[_Series]:
    """Every series with at least two year-end or usable positive figures."""
    found = []
    for (region_id, indicator_id), group in frame.groupby(["region", "indicator"], sort=True):
        item = indicator(str(indicator_id))
        if scale_for(item) != "log":
            continue
        usable = usable_observations(group, item, dt.date.max, "period_end")
        if len(usable) < 2 or (usable["value"] <= 0).any():
            continue
        ends = usable["period_end"]
        at_year_end = usable[(ends.dt.month == 12) & (ends.dt.day == 31)]
        known = known_from(at_year_end, pd.Series(item.measure, index=at_year_end.index))
        years = at_year_end["period_end"].dt.year.astype(int)
        found.append(
            _Series(
                str(region_id),
                str(indicator_id),
                group,
                dict(zip(years, at_year_end["value"].astype(float))),
                dict(zip(years, (d.date() for d in known))),
            )
        )
    return found


def _cases(series: _Series, count_from: CountFrom) -> list[_Case]:
    """The series at each year with a new figure and at least two figures public by then."""
    item = indicator(series.indicator)
    years = sorted(set(series.frame["period_end"].dt.year.astype(int)))
    cases = []
    for year in years:
        as_of = origin_date(year, count_from)
        used = usable_observations(series.frame, item, as_of, count_from)
        if len(used) < 2 or not (used["period_end"].dt.year == year).any():
            continue
        values = used["value"].to_numpy(dtype=float)
        cases.append(_Case(series, year, as_of, used, decimal_year(used["period_end"]), values))
    return cases


def _stream_seed(seed: int, *key: object) -> int:
    digest = zlib.crc32("|".join(map(str, key)).encode())
    return int(np.random.SeedSequence([seed, digest]).generate_state(1)[0])


# --- sample paths per method ---
def _ours(method, case, years, until, n_paths, seed, count_from, priors):
    s = case.series
    fc = forecast(
        s.frame,
        s.region,
        s.indicator,
        case.as_of,
        until,
        n_paths,
        seed,
        method,
        calibrated=False,
        count_from=count_from,
        priors=priors,
    )
    if not fc.ok or (method != "pool" and fc.model_names != (method,)):
        return None  # not run, or run as another model (no family to borrow from)
    return np.column_stack([fc.at(int(y)) for y in years])


def _baseline(method, case, years, n_paths, seed):
    """A baseline's paths in the indicator's unit, or None where it does not apply."""
    data = SeriesData(case.t, np.log(case.values), case.values, "log")
    baseline = model(method)
    if not baseline.supports(data):
        return None
    logs = baseline.sample(data, years + 1.0, n_paths, np.random.default_rng(seed))
    return np.exp(logs)


def _samples(
    method: str,
    case: _Case,
    years: np.ndarray,
    until: int,
    n_paths: int,
    seed: int,
    min_points: int,
    count_from: CountFrom,
    priors: dict[str, FamilyPrior],
) -> np.ndarray | None:
    """Sample paths (paths × ``years``) of one method, or None where it does not apply."""
    if len(case.used) < (2 if method in ("rw_drift", "rw_shrunk") else min_points):
        return None
    stream = _stream_seed(seed, method, case.series.region, case.series.indicator, case.origin)
    if method in ours():
        return _ours(method, case, years, until, n_paths, stream, count_from, priors)
    return _baseline(method, case, years, n_paths, stream)


# --- hindcasts ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Hindcasts:
    """Forecasts of many series at many origins, as quantiles on the log scale.

    Attributes
    ----------
    rows : DataFrame
        One row per method × series × origin × horizon with :data:`ROW_COLUMNS`: ``lead`` is
        whole years from the last figure used to the outcome's year-end, ``outcome_known`` the
        date the outcome became public, ``last`` the last figure used.
    quantiles : ndarray, shape (len(rows), len(LEVELS))
        Log of the forecast's quantiles at :data:`~ipindicators.models.calibration.LEVELS`.
    calibrated : bool
        Whether :func:`out_of_time` has recalibrated them.
    """

    rows: pd.DataFrame
    quantiles: np.ndarray
    calibrated: bool = False

    @cached_property
    def measures(self) -> np.ndarray:
        """Each row's measure (``snapshot`` for stocks and ratios, ``period_total`` for flows):
        the two are calibrated apart."""
        measure_of = {i: indicator(i).measure for i in self.rows["indicator"].unique()}
        return self.rows["indicator"].map(measure_of).to_numpy()

    def subset(self, mask: np.ndarray) -> Hindcasts:
        """The hindcasts where ``mask`` holds."""
        mask = np.asarray(mask, dtype=bool)
        return replace(
            self, rows=self.rows[mask].reset_index(drop=True), quantiles=self.quantiles[mask]
        )


def ours() -> tuple[str, ...]:
    """Our methods: the default model, ``pool``, then the other registered models."""
    names = model_names()
    return (names[0], "pool", *names[1:])


def methods() -> tuple[str, ...]:
    """Every method the hindcasts can score: ours, then the baselines (the tables' order)."""
    return (*ours(), *baseline_names())


def available_baselines() -> tuple[str, ...]:
    """The baselines that can run here: the statsforecast ones only where it is installed."""
    if importlib.util.find_spec("statsforecast") is None:
        return tuple(b for b in baseline_names() if b not in STATSFORECAST_BASELINES)
    return baseline_names()


def _methods(models: Iterable[str], baselines: bool | Iterable[str]) -> tuple[str, ...]:
    chosen = tuple(models)
    extra = (
        available_baselines()
        if baselines is True
        else ()
        if baselines is False
        else tuple(baselines)
    )
    unknown = [m for m in chosen if m not in ours()]
    unknown += [b for b in extra if b not in baseline_names()]
    if unknown:
        raise UsageError(f"unknown method {unknown[0]!r}; use {', '.join(methods())}")
    needs = [b for b in extra if b in STATSFORECAST_BASELINES]
    if needs and importlib.util.find_spec("statsforecast") is None:
        raise UsageError(
            f"the {' and '.join(needs)} baselines need statsforecast: "
            "pip install 'ipindicators[bench]', or choose baselines without them"
        )
    return chosen + extra


def _series_hindcasts(series_list, methods, horizons, settings, priors_by_origin):
    """Rows and log quantiles of every method at every origin of some series."""
    n_paths, seed, min_points, count_from = settings
    rows, quantiles = [], []
    for series in series_list:
        for case in _cases(series, count_from):
            wanted = np.array([h for h in horizons if case.origin + h in series.year_ends])
            if not len(wanted):
                continue
            years = case.origin + wanted
            observed = np.array([series.year_ends[int(y)] for y in years])
            leads = np.maximum(np.ceil(years + 1.0 - case.t[-1] - 1e-9), 1).astype(int)
            priors = priors_by_origin.get(case.origin, {})
            for method in methods:
                samples = _samples(
                    method,
                    case,
                    years,
                    case.origin + horizons[-1],
                    n_paths,
                    seed,
                    min_points,
                    count_from,
                    priors,
                )
                if samples is None:
                    continue
                floor = LOG_FLOOR * case.values[-1]
                logs = np.log(np.clip(samples, floor, np.finfo(float).max))
                quantiles.append(np.quantile(logs, LEVELS, axis=0).T)
                for h, year, value, lead in zip(wanted, years, observed, leads):
                    rows.append(
                        (
                            method,
                            series.region,
                            series.indicator,
                            case.origin,
                            case.as_of,
                            len(case.used),
                            int(h),
                            int(lead),
                            int(year),
                            float(value),
                            series.year_end_known[int(year)],
                            float(case.values[-1]),
                        )
                    )
    stacked = np.vstack(quantiles) if quantiles else np.empty((0, len(LEVELS)))
    return rows, stacked


def _prepare(observations, horizons, n_paths, min_points, count_from):
    frame = load_observations() if observations is None else observations.copy()
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    chosen = sorted({int(h) for h in horizons})
    if not chosen or chosen[0] < 1:
        raise UsageError("horizons must be positive whole years")
    if n_paths < 10:
        raise UsageError("n_paths must be at least 10")
    if min_points < 2:
        raise UsageError("min_points must be at least 2")
    check_count_from(count_from)
    return frame, chosen


def hindcasts(
    observations: pd.DataFrame | None = None,
    horizons: Iterable[int] = range(1, MAX_LEAD + 1),
    n_paths: int = 1000,
    seed: int = 0,
    models: Iterable[str] = DEFAULT_OURS,
    baselines: bool | Iterable[str] = True,
    min_points: int = 3,
    count_from: CountFrom = "release",
    n_jobs: int = 1,
) -> Hindcasts:
    """Rolling-origin forecasts of every log-scale series, uncalibrated (see the module).

    Parameters
    ----------
    observations : DataFrame, optional
        Tidy observations (default: the embedded data).
    horizons : iterable of int
        Years between the origin and the scored year-end.
    n_paths : int
        Sample paths per forecast.
    seed : int
        Base seed; the same inputs and seed give the same forecasts.
    models : iterable of str
        Our models (:func:`ours`).
    baselines : bool or iterable of str
        Every available baseline (True; see :func:`available_baselines`), none (False) or a
        selection of :func:`~.registry.baseline_names`.
    min_points : int
        Usable figures needed at the origin (``rw_drift`` and ``rw_shrunk`` need two).
    count_from : {"release", "period_end"}
        When figures start to count (see :mod:`ipindicators.data.release`).
    n_jobs : int
        Worker processes.

    Returns
    -------
    Hindcasts
    """
    frame, chosen = _prepare(observations, horizons, n_paths, min_points, count_from)
    chosen_methods = _methods(models, baselines)
    all_series = _series(frame)
    priors_by_origin: dict[int, dict[str, FamilyPrior]] = {}
    if any(m in model_names() and model(m).needs_prior for m in chosen_methods):
        origins = sorted(set(frame["period_end"].dt.year.astype(int)))
        priors_by_origin = {
            year: family_priors(frame, origin_date(year, count_from), count_from)
            for year in origins
        }
    settings = (n_paths, seed, min_points, count_from)
    if n_jobs <= 1:
        parts = [_series_hindcasts(all_series, chosen_methods, chosen, settings, priors_by_origin)]
    else:
        chunks = [all_series[i :: n_jobs * 4] for i in range(n_jobs * 4)]
        with ProcessPoolExecutor(n_jobs, initializer=_one_blas_thread) as pool:
            parts = list(
                pool.map(
                    _series_hindcasts,
                    chunks,
                    *(
                        [v] * len(chunks)
                        for v in (chosen_methods, chosen, settings, priors_by_origin)
                    ),
                )
            )
    rows = pd.DataFrame([r for part, _ in parts for r in part], columns=ROW_COLUMNS)
    quantiles = np.vstack([q for _, q in parts]) if parts else np.empty((0, len(LEVELS)))
    order = _order(rows)
    return Hindcasts(rows.iloc[order].reset_index(drop=True), quantiles[order])


def _order(rows: pd.DataFrame) -> np.ndarray:
    """Row order: method (ours first, then the baselines), then series, origin, horizon."""
    rank = rows["method"].map({m: i for i, m in enumerate(methods())})
    keyed = rows.assign(_rank=rank, _position=np.arange(len(rows)))
    return keyed.sort_values(["_rank", *KEY], kind="mergesort")["_position"].to_numpy()


# --- out-of-time calibration ----------------------------------------------------------------
def _log_inputs(made: Hindcasts, mask: np.ndarray):
    rows = made.rows[mask]
    return (
        made.quantiles[mask],
        np.log(rows["last"].to_numpy(dtype=float)),
        np.log(rows["observed"].to_numpy(dtype=float)),
        rows["lead"].to_numpy(dtype=int),
    )


def fit_method(
    made: Hindcasts,
    method: str,
    known_by: dt.date | None = None,
    measure: str | None = None,
    half_life: float | None = None,
) -> Calibration:
    """A method's calibration from its hindcasts whose outcomes were public by ``known_by``
    (all of them by default), of one ``measure`` (both by default); with ``half_life`` (years)
    an outcome's weight halves with every ``half_life`` years it was public before
    ``known_by``."""
    mask = (made.rows["method"] == method).to_numpy().copy()
    if known_by is not None:
        mask &= (made.rows["outcome_known"] <= known_by).to_numpy()
    if measure is not None:
        mask &= made.measures == measure
    if not mask.any():
        return Calibration()
    public = pd.to_datetime(made.rows.loc[mask, "outcome_known"])
    reference = pd.Timestamp(known_by) if known_by is not None else public.max()
    age = ((reference - public).dt.days / 365.25).to_numpy()
    quantiles, last, observed, lead = _log_inputs(made, mask)
    return fit_calibration(quantiles, last, observed, lead, age=age, half_life=half_life)


def out_of_time(made: Hindcasts, half_life: float | None = None) -> Hindcasts:
    """Recalibrate every forecast with factors fitted only on outcomes public at its origin,
    of its own measure (stocks and ratios apart from flows).

    Parameters
    ----------
    made : Hindcasts
        Uncalibrated hindcasts (:func:`hindcasts`).
    half_life : float, optional
        Weigh past outcomes down by their age (see :func:`fit_method`); default: equally.

    Returns
    -------
    Hindcasts
        The forecasts whose origin had factors, recalibrated (a lead without factors of its own
        with the longest fitted lead's); ``rows`` gains ``cal_growth``, ``cal_spread`` and
        ``cal_cases`` (the past forecasts of that lead the factors were fitted on; 0 for a lead
        that borrowed another's).
    """
    quantiles = made.quantiles.copy()
    rows = made.rows.assign(
        cal_growth=np.nan, cal_spread=np.nan, cal_cases=0, measure=made.measures
    )
    keys = ["method", "measure", "origin", "as_of"]
    for (method, measure, _, as_of), group in rows.groupby(keys, sort=False):
        cal = fit_method(made, str(method), as_of, str(measure), half_life)
        if cal.identity:
            continue
        index = group.index.to_numpy()
        lead = group["lead"].to_numpy(dtype=int)
        last = np.log(group["last"].to_numpy(dtype=float))
        quantiles[index] = cal.apply_to_quantiles(made.quantiles[index], last, lead)
        growth, spread = cal.factors(lead)
        fitted = lead <= len(cal.cases)
        rows.loc[index, "cal_growth"] = growth
        rows.loc[index, "cal_spread"] = spread
        rows.loc[index, "cal_cases"] = np.where(
            fitted, np.asarray(cal.cases)[np.clip(lead, 1, len(cal.cases)) - 1], 0
        )
    rows = rows.drop(columns="measure")
    kept = rows["cal_growth"].notna().to_numpy()
    return Hindcasts(rows[kept].reset_index(drop=True), quantiles[kept], calibrated=True)


# --- scores ---------------------------------------------------------------------------------
def score(made: Hindcasts) -> pd.DataFrame:
    """Scores of hindcasts: one row per forecast with :data:`SCORE_COLUMNS` (see the module)."""
    q = made.quantiles
    observed = np.log(made.rows["observed"].to_numpy(dtype=float))
    level = {round(float(p), 3): i for i, p in enumerate(LEVELS)}
    pick = {name: q[:, level[p]] for name, p in _INTERVAL_QUANTILES.items()}
    miss = observed[:, None] - q
    crps_log = 2.0 * np.mean(np.maximum(LEVELS * miss, (LEVELS - 1.0) * miss), axis=1)
    point = made.rows["method"].isin(POINT_METHODS).to_numpy()
    width = np.exp(pick["upper80"]) / np.exp(pick["median"]) - np.exp(pick["lower80"]) / np.exp(
        pick["median"]
    )
    scores = made.rows.copy()
    for name, values in pick.items():
        scores[name] = np.exp(values)
    scores["crps_log"] = crps_log
    scores["in80"] = np.where(
        point, np.nan, (pick["lower80"] <= observed) & (observed <= pick["upper80"])
    )
    scores["in95"] = np.where(
        point, np.nan, (pick["lower95"] <= observed) & (observed <= pick["upper95"])
    )
    scores["width80"] = np.where(point, np.nan, width)
    scores["narrow80"] = np.where(
        point, np.nan, (width < NARROW_WIDTH) & (scores["horizon"].to_numpy() >= 2)
    )
    scores["pit"] = (q < observed[:, None]).mean(axis=1)
    return scores


_INTERVAL_QUANTILES = {
    "median": 0.5,
    "lower80": 0.1,
    "upper80": 0.9,
    "lower95": 0.025,
    "upper95": 0.975,
}


def backtest(
    observations: pd.DataFrame | None = None,
    horizons: Iterable[int] = range(1, MAX_LEAD + 1),
    n_paths: int = 1000,
    seed: int = 0,
    models: Iterable[str] = DEFAULT_OURS,
    baselines: bool | Iterable[str] = True,
    min_points: int = 3,
    calibrated: bool = True,
    count_from: CountFrom = "release",
    n_jobs: int = 1,
) -> pd.DataFrame:
    """Out-of-time scores of every method: :func:`hindcasts`, :func:`out_of_time`, :func:`score`.

    Parameters
    ----------
    observations, horizons, n_paths, seed, models, baselines, min_points, count_from, n_jobs
        As for :func:`hindcasts`.
    calibrated : bool
        Recalibrate out of time (default), or score the plain forecasts (False).

    Returns
    -------
    DataFrame
        One row per scored forecast with :data:`SCORE_COLUMNS`.
    """
    made = hindcasts(
        observations, horizons, n_paths, seed, models, baselines, min_points, count_from, n_jobs
    )
    return score(out_of_time(made) if calibrated else made)


def _assessable(item: Target) -> bool:
    return (
        item.indicator is not None
        and item.value is not None
        and item.year is not None
        and item.basis in ("level", "every_year")
    )


def target_hindcasts(made: Hindcasts) -> pd.DataFrame:
    """Attainment probabilities of real past plan targets from hindcasts.

    Every catalog target on a level, or required every year (judged, as
    :func:`~ipindicators.models.assess.assess` judges it, on the target year's figure), whose
    target year's year-end figure is in the data is assessed from each hindcast of its series
    that reached that year (cumulative and growth targets need whole paths, which hindcasts do
    not keep): the share of the forecast distribution meeting the comparator (from the 199
    quantiles, so between 0.005 and 0.995 unless every quantile agrees).

    Parameters
    ----------
    made : Hindcasts
        Usually :func:`out_of_time` of :func:`hindcasts`.

    Returns
    -------
    DataFrame
        One row per target × method × origin with :data:`TARGET_COLUMNS`; ``brier`` is
        ``(probability - achieved)²``.
    """
    rows = made.rows.reset_index(drop=True)
    by_key = rows.groupby(["region", "indicator", "target_year"], sort=False).indices
    found = []
    for item in filter(_assessable, all_targets()):
        where = by_key.get((item.region, item.indicator, item.year))
        if where is None:
            continue
        outcome = float(rows.loc[where[0], "observed"])
        achieved = item.met_by(outcome)
        for i in where:
            probability = float(item.meets(np.exp(made.quantiles[i])).mean())
            found.append(
                {
                    "target_id": item.id,
                    "region": item.region,
                    "indicator": item.indicator,
                    "basis": item.basis,
                    "comparator": item.comparator,
                    "target_value": item.value_in_indicator_unit(),
                    "target_year": item.year,
                    "outcome": outcome,
                    "achieved": achieved,
                    "method": rows.loc[i, "method"],
                    "origin": int(rows.loc[i, "origin"]),
                    "horizon": int(rows.loc[i, "horizon"]),
                    "probability": probability,
                    "brier": (probability - achieved) ** 2,
                }
            )
    table = pd.DataFrame(found, columns=TARGET_COLUMNS)
    rank = table["method"].map({m: i for i, m in enumerate(methods())})
    return (
        table.assign(_rank=rank)
        .sort_values(["_rank", "target_id", "origin"], kind="mergesort")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


# --- summaries with confidence intervals ----------------------------------------------------
def _bootstrap_ratio(
    numerator: np.ndarray, denominator: np.ndarray, clusters: np.ndarray, n_boot: int, seed: int
) -> tuple[float, float]:
    """90 % percentile interval of ``Σ numerator / Σ denominator``, resampling whole clusters
    (regions) ``n_boot`` times."""
    labels, inverse = np.unique(clusters, return_inverse=True)
    top = np.bincount(inverse, weights=numerator, minlength=len(labels))
    bottom = np.bincount(inverse, weights=denominator, minlength=len(labels))
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(len(labels), np.full(len(labels), 1 / len(labels)), size=n_boot)
    ratios = (draws @ top) / np.maximum(draws @ bottom, 1e-12)
    low, high = np.quantile(ratios, [0.05, 0.95])
    return float(low), float(high)


def _bootstrap_mean(
    values: np.ndarray, clusters: np.ndarray, n_boot: int, seed: int
) -> tuple[float, float]:
    """90 % percentile interval of the mean, resampling whole clusters (regions)."""
    keep = ~np.isnan(values)
    values, clusters = values[keep], clusters[keep]
    if not len(values) or not n_boot:
        return float("nan"), float("nan")
    return _bootstrap_ratio(values, np.ones(len(values)), clusters, n_boot, seed)


def summarise(
    scores: pd.DataFrame,
    by: tuple[str, ...] = ("method",),
    n_boot: int = 500,
    seed: int = 0,
) -> pd.DataFrame:
    """Mean scores by method (and other columns), with 90 % bootstrap intervals over regions.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`backtest` or :func:`score`.
    by : tuple of str
        Grouping columns; must start with ``method``.
    n_boot : int
        Bootstrap resamples of regions (0: no intervals).
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        ``n`` forecasts, ``regions``, mean ``crps_log`` with ``crps_low``/``crps_high``,
        ``coverage80`` and ``coverage95`` (empty for point forecasts) with their intervals,
        ``width80`` (median relative width) and ``narrow80`` (share of 80 % intervals under
        :data:`NARROW_WIDTH` of the median at two or more years ahead).
    """
    records = []
    for key, group in scores.groupby(list(by), sort=False):
        values = dict(zip(by, key if isinstance(key, tuple) else (key,)))
        regions = group["region"].to_numpy()
        record = {
            **values,
            "n": len(group),
            "regions": group["region"].nunique(),
            "crps_log": group["crps_log"].mean(),
            "coverage80": group["in80"].mean(),
            "coverage95": group["in95"].mean(),
            "width80": group["width80"].median(),
            "narrow80": group["narrow80"].mean(),
        }
        if n_boot:
            for name, column in (
                ("crps", "crps_log"),
                ("coverage80", "in80"),
                ("coverage95", "in95"),
            ):
                low, high = _bootstrap_mean(
                    group[column].to_numpy(dtype=float), regions, n_boot, seed
                )
                record[f"{name}_low"], record[f"{name}_high"] = low, high
        records.append(record)
    table = pd.DataFrame(records)
    rank = table["method"].map({m: i for i, m in enumerate(methods())})
    return (
        table.assign(_rank=rank)
        .sort_values(["_rank", *by[1:]], kind="mergesort")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def paired(
    scores: pd.DataFrame, reference: str = "rw_shrunk", n_boot: int = 500, seed: int = 0
) -> pd.DataFrame:
    """Head-to-head comparison of ``reference`` with each other method on common forecasts.

    Returns
    -------
    DataFrame
        Per other method: ``n`` forecasts (series × origin × horizon) both made, mean
        ``crps_log`` of each, ``crps_ratio`` (reference / other; below 1 means the reference is
        better) with a 90 % bootstrap interval over regions, and the share of forecasts where
        the reference has the lower CRPS.
    """
    ours = scores[scores["method"] == reference].set_index(KEY)[["crps_log"]]
    rows = []
    for method in [m for m in methods() if m != reference]:
        other = scores[scores["method"] == method].set_index(KEY)[["crps_log"]]
        both = ours.add_suffix("_ref").join(other.add_suffix("_other"), how="inner")
        if both.empty:
            continue
        ref, oth = both["crps_log_ref"].to_numpy(), both["crps_log_other"].to_numpy()
        regions = both.index.get_level_values("region").to_numpy()
        low, high = _bootstrap_ratio(ref, oth, regions, max(n_boot, 1), seed)
        rows.append(
            {
                "method": method,
                "n": len(both),
                "crps_ref": ref.mean(),
                "crps_other": oth.mean(),
                "crps_ratio": ref.mean() / oth.mean(),
                "ratio_low": low,
                "ratio_high": high,
                "ref_wins": float((ref < oth).mean()),
            }
        )
    return pd.DataFrame(rows)


def brier_summary(targets: pd.DataFrame, n_boot: int = 500, seed: int = 0) -> pd.DataFrame:
    """Brier score of real-target probabilities by method, on the targets every method scored.

    Returns
    -------
    DataFrame
        Per method: ``n`` probabilities, ``targets``, ``missed`` (targets not achieved),
        ``brier`` with a 90 % bootstrap interval over regions.
    """
    key = ["target_id", "origin"]
    common = None
    for _, group in targets.groupby("method", sort=False):
        keys = set(map(tuple, group[key].to_numpy()))
        common = keys if common is None else common & keys
    records = []
    for method, group in targets.groupby("method", sort=False):
        shared = group[[k in (common or set()) for k in map(tuple, group[key].to_numpy())]]
        low, high = _bootstrap_mean(
            shared["brier"].to_numpy(dtype=float), shared["region"].to_numpy(), n_boot, seed
        )
        records.append(
            {
                "method": method,
                "n": len(shared),
                "targets": shared["target_id"].nunique(),
                "missed": int((~shared.drop_duplicates("target_id")["achieved"]).sum()),
                "brier": shared["brier"].mean(),
                "brier_low": low,
                "brier_high": high,
            }
        )
    return pd.DataFrame(records)


def brier_versus(
    targets: pd.DataFrame, reference: str = DEFAULT_MODEL, n_boot: int = 500, seed: int = 0
) -> pd.DataFrame:
    """The reference method's Brier score against each other method's, on the probabilities
    both gave (same target and origin).

    Returns
    -------
    DataFrame
        Per other method: ``n`` probabilities, ``targets``, both Brier scores and their
        difference (reference minus other; below 0: the reference is better) with a 90 %
        bootstrap interval over regions (a region's targets resampled together).
    """
    key = ["target_id", "origin"]
    mine = targets[targets["method"] == reference].set_index(key)
    records = []
    for method, group in targets.groupby("method", sort=False):
        if method == reference:
            continue
        both = mine.join(group.set_index(key)["brier"].rename("other"), how="inner")
        if both.empty:
            continue
        difference = (both["brier"] - both["other"]).to_numpy(dtype=float)
        low, high = _bootstrap_mean(difference, both["region"].to_numpy(), n_boot, seed)
        records.append(
            {
                "method": method,
                "n": len(both),
                "targets": both.index.get_level_values("target_id").nunique(),
                "brier_ref": both["brier"].mean(),
                "brier_other": both["other"].mean(),
                "difference": float(difference.mean()),
                "diff_low": low,
                "diff_high": high,
            }
        )
    return pd.DataFrame(records)


def reliability(targets: pd.DataFrame, method: str, bins: int = 5) -> pd.DataFrame:
    """How often targets were met, by band of the probability a method gave them.

    Returns
    -------
    DataFrame
        Per band: its bounds, ``n`` probabilities, their mean and the share achieved.
    """
    mine = targets[targets["method"] == method]
    edges = np.linspace(0, 1, bins + 1)
    band = np.clip(np.digitize(mine["probability"], edges[1:-1]), 0, bins - 1)
    table = (
        mine.assign(band=band)
        .groupby("band")
        .agg(
            n=("probability", "size"),
            mean_probability=("probability", "mean"),
            achieved=("achieved", "mean"),
        )
        .reindex(range(bins))
        .reset_index()
    )
    table.insert(1, "from", edges[:-1])
    table.insert(2, "to", edges[1:])
    return table.drop(columns="band")
