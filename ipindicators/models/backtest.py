"""Hindcasts: rolling-origin forecasts of every embedded series, scored against later figures.

For every region × indicator series, every year ``Y`` in which the series has a usable figure is
an origin: the forecast is made as of 31 December ``Y`` (so from the figures up to the last one
of that year) and compared with the observed year-end figures ``h = 1 … 6`` years later. Only
actual year-end observations are targets; irregular figures inform forecasts but are never scored.
A method runs at an origin when the series has ``min_points`` usable figures by then (two
suffice for ``rw_drift``) and the method applies (``damped``, ``auto_ets`` and ``auto_theta``
need eight consecutive year-ends).

Methods
-------
Ours (:func:`ipindicators.models.forecast.forecast`): ``pool``, ``trend``, ``rw_drift``, ``damped``.
Baselines:

``growth_ratio``
    The deterministic rule users know: last figure × (1 + observed CAGR)^years, with the CAGR of
    :func:`ipindicators.models.assess.observed_cagr`. A point forecast: its CRPS is its absolute
    (log) error, its attainment probabilities are 0 or 1 and it has no intervals.
``linear``
    OLS of the raw values on time (statsmodels); the 80 % and 95 % prediction intervals are
    turned into a Gaussian (see :func:`gaussian_sd`).
``rw_gauss``
    Classical random walk with drift on the log scale with plug-in Gaussian intervals
    (Hyndman & Athanasopoulos 2021, 5.2 and 5.5): variance ``s² (h + h² / span)`` for a lead
    time ``h``, which is their ``σ² h (1 + h / (T - 1))`` on annual data and extends it to
    irregular spacing.
``auto_ets``, ``auto_theta``
    statsforecast's ``AutoETS`` and ``AutoTheta`` on the log of the run of consecutive year-ends
    that ends at the last year-end before the origin, when it has at least
    :data:`STATSFORECAST_MIN_YEARS` points; a Gaussian on the log scale is fitted to their
    80 % and 95 % intervals.

Scores
------
Per method × series × origin × horizon:

``crps_log``
    CRPS of the log of the figure under the log of the sample paths (scoringrules
    ``crps_ensemble``, the exact CRPS of the empirical distribution). Raw CRPS is in the
    series' unit and cannot be averaged across series; on the log scale it is unit-free and
    reads as a relative error (0.1 ≈ 10 %). It also stays finite where our heavy-tailed
    log-scale forecasts have no finite mean in the original unit, which would make a scaled
    raw CRPS infinite. Paths at or below zero (only the ``linear`` baseline makes them) count
    as :data:`LOG_FLOOR` × the last figure, a 99.9 % collapse; paths that overflowed to
    infinity as the largest float.
``scale``
    The series' mean absolute one-year change up to the origin:
    ``Σ |v[i+1] - v[i]| / (t[n] - t[1])`` over consecutive usable figures. On annual data this
    is the in-sample mean absolute one-step change of MASE (Hyndman & Koehler 2006); on
    irregular data it is the same per year of spacing.
``ase``
    Absolute error of the median divided by ``scale`` (its mean is the MASE).
``in80``, ``in95``
    Whether the figure lies in the central 80 % / 95 % interval of the paths (empty for point
    forecasts).
``pit``
    Share of paths below the figure (ties count half): uniform when forecasts are calibrated.
``brier``
    Mean Brier score of the probabilities of reaching ``k × figure`` for ``k`` in
    :data:`SYNTHETIC_THRESHOLDS` (events with known outcomes on every forecast). The
    thresholds follow the outcome, so this is not a proper score: two of the three events
    always happen, and a forecast that runs high gains. The CRPS is its proper counterpart
    (the Brier score integrated over fixed thresholds).

:func:`target_hindcasts` scores the attainment probabilities of real past plan targets.
Everything is deterministic given ``seed``: each forecast's seed derives from ``seed`` and the
forecast's own method, series and origin, so it does not depend on which other series are run.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scoringrules as sr
import statsmodels.api as sm
from numpy.typing import ArrayLike
from scipy.stats import norm

from ..catalog.indicators import indicator
from ..catalog.targets import Target, all_targets
from ..data.store import observations as load_observations
from ..errors import UsageError
from .assess import _meets, observed_cagr
from .forecast import (
    MODELS,
    Calibration,
    _rw_volatility,
    decimal_year,
    forecast,
    usable_observations,
)

OURS = ("pool", *MODELS)
BASELINES = ("growth_ratio", "linear", "rw_gauss", "auto_ets", "auto_theta")
POINT_METHODS = ("growth_ratio",)
LOG_FLOOR = 1e-3
SYNTHETIC_THRESHOLDS = (0.9, 1.0, 1.1)
STATSFORECAST_MIN_YEARS = 8
STATSFORECAST_BASELINES = ("auto_ets", "auto_theta")
INTERVAL_LEVELS = (80, 95)
SCORE_COLUMNS = [
    "method",
    "region",
    "indicator",
    "origin",
    "n_obs",
    "horizon",
    "target_year",
    "observed",
    "median",
    "lower80",
    "upper80",
    "lower95",
    "upper95",
    "scale",
    "crps_log",
    "ase",
    "in80",
    "in95",
    "pit",
    "brier",
]
TARGET_COLUMNS = [
    "target_id",
    "region",
    "indicator",
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
    usable: pd.DataFrame
    year_ends: dict[int, float]


@dataclass(frozen=True)
class _Case:
    """One series at one origin: what a forecast made then could use."""

    series: _Series
    origin: int
    used: pd.DataFrame
    t: np.ndarray
    values: np.ndarray

    @property
    def as_of(self) -> dt.date:
        return dt.date(self.origin, 12, 31)

    @property
    def scale(self) -> float:
        span = self.t[-1] - self.t[0]
        return float(np.abs(np.diff(self.values)).sum() / span) if span > 0 else 0.0


def _year_end_figures(usable: pd.DataFrame) -> dict[int, float]:
    ends = usable[(usable["period_end"].dt.month == 12) & (usable["period_end"].dt.day == 31)]
    return dict(zip(ends["period_end"].dt.year.astype(int), ends["value"].astype(float)))


def _series(frame: pd.DataFrame) -> list[_Series]:
    """Every series with at least two usable, positive figures."""
    found = []
    for (region_id, indicator_id), group in frame.groupby(["region", "indicator"], sort=True):
        usable = usable_observations(group, indicator(indicator_id), dt.date.max)
        if len(usable) < 2 or (usable["value"] <= 0).any():
            continue
        found.append(_Series(region_id, indicator_id, group, usable, _year_end_figures(usable)))
    return found


def _cases(series: _Series, min_obs: int) -> Iterator[_Case]:
    """The series at each year with a usable figure and at least ``min_obs`` figures by then."""
    ends = series.usable["period_end"]
    for year in sorted(set(ends.dt.year.astype(int))):
        used = series.usable[ends <= pd.Timestamp(year, 12, 31)]
        if len(used) >= min_obs:
            values = used["value"].to_numpy(dtype=float)
            yield _Case(series, year, used, decimal_year(used["period_end"]), values)


def _stream_seed(seed: int, *key: object) -> int:
    digest = zlib.crc32("|".join(map(str, key)).encode())
    return int(np.random.SeedSequence([seed, digest]).generate_state(1)[0])


# --- sample paths per method ----------------------------------------------------------------
def gaussian_sd(bounds: dict[int, tuple[np.ndarray, np.ndarray]]) -> np.ndarray:
    """Standard deviation of the Gaussian that best matches central prediction intervals.

    Parameters
    ----------
    bounds : dict
        ``{level: (lower, upper)}`` with levels in percent.

    Returns
    -------
    ndarray
        For each lead time, the average over levels of ``(upper - lower) / (2 z)`` with ``z``
        the standard-normal quantile of ``(1 + level / 100) / 2``.
    """
    widths = [
        (np.asarray(hi) - np.asarray(lo)) / (2 * norm.ppf(0.5 + level / 200))
        for level, (lo, hi) in bounds.items()
    ]
    return np.maximum(np.mean(widths, axis=0), 0.0)


def _gaussian_samples(mean, sd, n_paths, seed) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return mean[None, :] + sd[None, :] * rng.standard_normal((n_paths, len(mean)))


def _ours(method, case, years, until, n_paths, seed, calibrated):
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
        calibrated=calibrated,
    )
    if not fc.ok:
        return None
    return np.column_stack([fc.at(int(y)) for y in years])


def _growth_ratio(case, years, n_paths):
    growth = observed_cagr(case.used)
    if growth is None:
        return None
    point = case.values[-1] * (1.0 + growth) ** (years + 1.0 - case.t[-1])
    return np.tile(point, (n_paths, 1))


def _linear(case, years, n_paths, seed):
    fit = sm.OLS(case.values, sm.add_constant(case.t - case.t[-1])).fit()
    exog = sm.add_constant(years + 1.0 - case.t[-1], has_constant="add")
    prediction = fit.get_prediction(exog)
    bounds = {}
    for level in INTERVAL_LEVELS:
        frame = prediction.summary_frame(alpha=1 - level / 100)
        bounds[level] = (frame["obs_ci_lower"].to_numpy(), frame["obs_ci_upper"].to_numpy())
    mean = prediction.predicted_mean
    return _gaussian_samples(mean, gaussian_sd(bounds), n_paths, seed)


def _rw_gauss(case, years, n_paths, seed):
    y = np.log(case.values)
    drift, s2, _ = _rw_volatility(case.t, y)
    lead = years + 1.0 - case.t[-1]
    span = case.t[-1] - case.t[0]
    sd = np.sqrt(s2 * (lead + lead**2 / span))
    return np.exp(_gaussian_samples(y[-1] + drift * lead, sd, n_paths, seed))


def _year_end_run(case) -> tuple[np.ndarray, np.ndarray]:
    """The run of consecutive year-ends ending at the last year-end before the origin."""
    figures = _year_end_figures(case.used)
    if not figures:
        return np.array([], dtype=int), np.array([])
    years = np.array(sorted(figures))
    gaps = np.flatnonzero(np.diff(years) != 1)
    start = gaps[-1] + 1 if len(gaps) else 0
    return years[start:], np.array([figures[y] for y in years[start:]])


def _statsforecast(method, case, years, n_paths, seed):
    from statsforecast.models import AutoETS, AutoTheta

    run_years, run_values = _year_end_run(case)
    if len(run_years) < STATSFORECAST_MIN_YEARS:
        return None
    model = AutoETS(season_length=1) if method == "auto_ets" else AutoTheta(season_length=1)
    steps = years - run_years[-1]
    fc = model.forecast(y=np.log(run_values), h=int(steps.max()), level=list(INTERVAL_LEVELS))
    pick = steps - 1
    mean = np.asarray(fc["mean"], dtype=float)[pick]
    bounds = {
        level: (
            np.asarray(fc[f"lo-{level}"], dtype=float)[pick],
            np.asarray(fc[f"hi-{level}"], dtype=float)[pick],
        )
        for level in INTERVAL_LEVELS
    }
    sd = gaussian_sd(bounds)
    return np.exp(_gaussian_samples(mean, sd, n_paths, seed))


def _samples(
    method: str,
    case: _Case,
    years: np.ndarray,
    until: int,
    n_paths: int,
    seed: int,
    min_obs: int,
    calibrated: bool | Calibration,
) -> np.ndarray | None:
    """Sample paths (paths × ``years``) of one method, or None where it does not apply."""
    if len(case.used) < (2 if method == "rw_drift" else min_obs):
        return None
    stream = _stream_seed(seed, method, case.series.region, case.series.indicator, case.origin)
    if method in OURS:
        return _ours(method, case, years, until, n_paths, stream, calibrated)
    if method == "growth_ratio":
        return _growth_ratio(case, years, n_paths)
    if method == "linear":
        return _linear(case, years, n_paths, stream)
    if method == "rw_gauss":
        return _rw_gauss(case, years, n_paths, stream)
    return _statsforecast(method, case, years, n_paths, stream)


# --- scoring --------------------------------------------------------------------------------
def crps(observed: np.ndarray, samples: np.ndarray) -> np.ndarray:
    """CRPS of sample paths (paths × lead times) against one figure per lead time.

    The exact CRPS of the empirical distribution of the paths (scoringrules' quantile
    decomposition estimator), in the unit of the values.
    """
    return np.asarray(
        sr.crps_ensemble(np.asarray(observed, dtype=float), samples.T, estimator="qd"), dtype=float
    )


def interval_hits(observed: np.ndarray, samples: np.ndarray, level: float) -> np.ndarray:
    """Whether each figure lies in the central ``level`` interval of the paths (columns)."""
    low, high = np.quantile(samples, [(1 - level) / 2, (1 + level) / 2], axis=0)
    return (low <= observed) & (observed <= high)


def brier(probability: ArrayLike, outcome: ArrayLike) -> np.ndarray:
    """Brier score of probabilities for events with 0/1 outcomes."""
    return (np.asarray(probability, dtype=float) - np.asarray(outcome, dtype=float)) ** 2


def _synthetic_brier(observed: np.ndarray, samples: np.ndarray) -> np.ndarray:
    scores = [
        brier((samples >= k * observed).mean(axis=0), observed >= k * observed)
        for k in SYNTHETIC_THRESHOLDS
    ]
    return np.mean(scores, axis=0)


def score(hindcast: Hindcast) -> pd.DataFrame:
    """Scores of one :class:`Hindcast`: one row per year-end with :data:`SCORE_COLUMNS`."""
    observed, samples, scale = hindcast.observed, hindcast.samples, hindcast.scale
    floor = LOG_FLOOR * hindcast.last
    quantiles = np.quantile(samples, [0.5, 0.1, 0.9, 0.025, 0.975], axis=0)
    point = hindcast.method in POINT_METHODS
    below = (samples < observed).mean(axis=0) + 0.5 * (samples == observed).mean(axis=0)
    return pd.DataFrame(
        {
            "method": hindcast.method,
            "region": hindcast.region,
            "indicator": hindcast.indicator,
            "origin": hindcast.origin,
            "n_obs": hindcast.n_obs,
            "horizon": hindcast.horizons,
            "target_year": hindcast.years,
            "observed": observed,
            "median": quantiles[0],
            "lower80": quantiles[1],
            "upper80": quantiles[2],
            "lower95": quantiles[3],
            "upper95": quantiles[4],
            "scale": scale,
            "crps_log": crps(
                np.log(observed), np.log(np.clip(samples, floor, np.finfo(float).max))
            ),
            "ase": np.abs(quantiles[0] - observed) / scale,
            "in80": np.nan if point else interval_hits(observed, samples, 0.8).astype(float),
            "in95": np.nan if point else interval_hits(observed, samples, 0.95).astype(float),
            "pit": below,
            "brier": _synthetic_brier(observed, samples),
        }
    )


# --- public API -----------------------------------------------------------------------------
def available_baselines() -> tuple[str, ...]:
    """The baselines that can run here: the statsforecast ones only where it is installed."""
    if importlib.util.find_spec("statsforecast") is None:
        return tuple(b for b in BASELINES if b not in STATSFORECAST_BASELINES)
    return BASELINES


def _methods(models: Iterable[str], baselines: bool | Iterable[str]) -> tuple[str, ...]:
    ours = tuple(models)
    extra = (
        available_baselines()
        if baselines is True
        else ()
        if baselines is False
        else tuple(baselines)
    )
    unknown = [m for m in ours if m not in OURS] + [b for b in extra if b not in BASELINES]
    if unknown:
        raise UsageError(f"unknown method {unknown[0]!r}; use {', '.join(OURS + BASELINES)}")
    needs = [b for b in extra if b in STATSFORECAST_BASELINES]
    if needs and importlib.util.find_spec("statsforecast") is None:
        raise UsageError(
            f"the {' and '.join(needs)} baselines need statsforecast: "
            "pip install 'ipindicators[bench]', or choose baselines without them"
        )
    return ours + extra


def _prepare(observations, horizons, n_paths, min_points):
    frame = load_observations() if observations is None else observations.copy()
    frame["period_end"] = pd.to_datetime(frame["period_end"])
    chosen = sorted({int(h) for h in horizons})
    if not chosen or chosen[0] < 1:
        raise UsageError("horizons must be positive whole years")
    if n_paths < 10:
        raise UsageError("n_paths must be at least 10")
    if min_points < 2:
        raise UsageError("min_points must be at least 2")
    return frame, chosen


@dataclass(frozen=True)
class Hindcast:
    """Sample paths of one method for one series at one origin, with the figures they predict.

    Attributes
    ----------
    method, region, indicator : str
        What was forecast and how.
    origin : int
        The forecast used the figures up to 31 December of this year.
    n_obs : int
        Usable figures at the origin.
    last : float
        The last of them.
    scale : float
        The series' mean absolute one-year change up to the origin (see the module docstring).
    horizons, years : ndarray of int
        Years ahead of the origin, and the year-ends they reach (only observed ones).
    observed : ndarray
        The year-end figures.
    samples : ndarray, shape (n_paths, len(years))
        Sample paths at those year-ends.
    """

    method: str
    region: str
    indicator: str
    origin: int
    n_obs: int
    last: float
    scale: float
    horizons: np.ndarray
    years: np.ndarray
    observed: np.ndarray
    samples: np.ndarray


def hindcasts(
    observations: pd.DataFrame | None = None,
    horizons: Iterable[int] = range(1, 7),
    n_paths: int = 1000,
    seed: int = 0,
    models: Iterable[str] = ("pool", "trend", "rw_drift", "damped"),
    baselines: bool | Iterable[str] = True,
    min_points: int = 3,
    calibrated: bool | Calibration = True,
) -> Iterator[Hindcast]:
    """Rolling-origin forecasts of every series, before scoring (arguments as :func:`backtest`).

    Yields
    ------
    Hindcast
        One per method × series × origin with at least one observed target year-end and a
        positive scale; methods that do not apply at an origin are skipped.
    """
    frame, chosen = _prepare(observations, horizons, n_paths, min_points)
    methods = _methods(models, baselines)
    for series in _series(frame):
        for case in _cases(series, 2):
            wanted = np.array([h for h in chosen if case.origin + h in series.year_ends])
            if not len(wanted) or case.scale <= 0:
                continue
            years = case.origin + wanted
            observed = np.array([series.year_ends[int(y)] for y in years])
            for method in methods:
                samples = _samples(
                    method,
                    case,
                    years,
                    case.origin + chosen[-1],
                    n_paths,
                    seed,
                    min_points,
                    calibrated,
                )
                if samples is not None:
                    yield Hindcast(
                        method,
                        series.region,
                        series.indicator,
                        case.origin,
                        len(case.used),
                        float(case.values[-1]),
                        case.scale,
                        wanted,
                        years,
                        observed,
                        samples,
                    )


def backtest(
    observations: pd.DataFrame | None = None,
    horizons: Iterable[int] = range(1, 7),
    n_paths: int = 1000,
    seed: int = 0,
    models: Iterable[str] = ("pool", "trend", "rw_drift", "damped"),
    baselines: bool | Iterable[str] = True,
    min_points: int = 3,
    calibrated: bool | Calibration = True,
) -> pd.DataFrame:
    """Rolling-origin hindcasts of every series, scored against later year-end figures.

    Parameters
    ----------
    observations : DataFrame, optional
        Tidy observations (default: the embedded data).
    horizons : iterable of int
        Years between the origin and the scored year-end.
    n_paths : int
        Sample paths per forecast.
    seed : int
        Base seed; the same inputs and seed give the same scores.
    models : iterable of str
        Our models to run (``pool``, ``trend``, ``rw_drift``, ``damped``); ``damped`` only
        where a series has enough consecutive year-ends.
    baselines : bool or iterable of str
        Every available baseline (True; see :func:`available_baselines`), none (False) or a
        selection of :data:`BASELINES`.
    min_points : int
        Usable figures needed at the origin (``rw_drift`` needs only two).
    calibrated : bool or Calibration
        Passed to :func:`ipindicators.models.forecast.forecast`.

    Returns
    -------
    DataFrame
        One row per method × series × origin × horizon with :data:`SCORE_COLUMNS` (see the
        module docstring); forecasts are only scored where the target year-end is observed.
    """
    parts = [
        score(h)
        for h in hindcasts(
            observations, horizons, n_paths, seed, models, baselines, min_points, calibrated
        )
    ]
    return _ordered(
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=SCORE_COLUMNS)
    )


def _assessable(item: Target) -> bool:
    return (
        item.indicator is not None
        and item.value is not None
        and item.year is not None
        and item.basis == "level"
    )


def target_hindcasts(
    observations: pd.DataFrame | None = None,
    horizons: Iterable[int] = range(1, 7),
    n_paths: int = 1000,
    seed: int = 0,
    models: Iterable[str] = ("pool", "trend", "rw_drift", "damped"),
    baselines: bool | Iterable[str] = True,
    min_points: int = 3,
    calibrated: bool | Calibration = True,
) -> pd.DataFrame:
    """Attainment probabilities of real past plan targets, made before their target year.

    Every catalog target on a level (not cumulative or every-year targets) whose target year's
    year-end figure is in the data is assessed from each origin ``h`` years before it, as
    :func:`ipindicators.models.assess.assess` would: the share of paths meeting the comparator. The
    paths are the ones :func:`backtest` scores (same seeds), so the two agree.

    Parameters
    ----------
    observations, horizons, n_paths, seed, models, baselines, min_points, calibrated
        As for :func:`backtest`.

    Returns
    -------
    DataFrame
        One row per target × method × origin with :data:`TARGET_COLUMNS`; ``brier`` is
        ``(probability - achieved)²``.
    """
    frame, chosen = _prepare(observations, horizons, n_paths, min_points)
    methods = _methods(models, baselines)
    by_key = {(s.region, s.indicator): s for s in _series(frame)}
    rows = []
    for item in filter(_assessable, all_targets()):
        series = by_key.get((item.region, item.indicator or ""))
        if series is None or item.year not in series.year_ends:
            continue
        outcome = series.year_ends[item.year]
        achieved = bool(_meets(item, np.array([outcome]))[0])
        for case in _cases(series, 2):
            if item.year - case.origin not in chosen:
                continue
            for method in methods:
                samples = _samples(
                    method,
                    case,
                    np.array([item.year]),
                    case.origin + chosen[-1],
                    n_paths,
                    seed,
                    min_points,
                    calibrated,
                )
                if samples is None:
                    continue
                probability = float(_meets(item, samples[:, 0]).mean())
                rows.append(
                    {
                        "target_id": item.id,
                        "region": item.region,
                        "indicator": item.indicator,
                        "comparator": item.comparator,
                        "target_value": item.value_in_indicator_unit(),
                        "target_year": item.year,
                        "outcome": outcome,
                        "achieved": achieved,
                        "method": method,
                        "origin": case.origin,
                        "horizon": item.year - case.origin,
                        "probability": probability,
                        "brier": float(brier(probability, achieved)),
                    }
                )
    return _ordered(pd.DataFrame(rows, columns=TARGET_COLUMNS))


def _ordered(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows sorted by method (ours first, then the baselines) and the other keys."""
    order = {m: i for i, m in enumerate(OURS + BASELINES)}
    keys = [
        c for c in ("target_id", "region", "indicator", "origin", "horizon") if c in frame.columns
    ]
    rank = frame["method"].map(order)
    return (
        frame.assign(_rank=rank)
        .sort_values(["_rank", *keys], kind="mergesort")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def summarise(scores: pd.DataFrame, by: tuple[str, ...] = ("method", "horizon")) -> pd.DataFrame:
    """Mean scores of :func:`backtest` rows by method (and horizon).

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`backtest`.
    by : tuple of str
        Grouping columns; must start with ``method``.

    Returns
    -------
    DataFrame
        ``n`` forecasts, mean ``crps_log``, ``coverage80``, ``coverage95`` (empty for point
        forecasts), ``mase`` and mean synthetic-threshold ``brier`` per group, methods in the
        order ours then baselines.
    """
    table = (
        scores.groupby(list(by), sort=False)
        .agg(
            n=("crps_log", "size"),
            crps_log=("crps_log", "mean"),
            coverage80=("in80", "mean"),
            coverage95=("in95", "mean"),
            mase=("ase", "mean"),
            brier=("brier", "mean"),
        )
        .reset_index()
    )
    order = {m: i for i, m in enumerate(OURS + BASELINES)}
    return (
        table.assign(_rank=table["method"].map(order))
        .sort_values(["_rank", *by[1:]], kind="mergesort")
        .drop(columns="_rank")
        .reset_index(drop=True)
    )


def paired(scores: pd.DataFrame, reference: str = "pool") -> pd.DataFrame:
    """Head-to-head comparison of ``reference`` with each other method on common forecasts.

    Parameters
    ----------
    scores : DataFrame
        Output of :func:`backtest`.
    reference : str
        The method compared with the others.

    Returns
    -------
    DataFrame
        Per other method: ``n`` forecasts (series × origin × horizon) both made, mean
        ``crps_log`` of each, ``crps_ratio`` (reference / other; below 1 means the reference is
        better), the share of forecasts where the reference has the lower CRPS, and the MASE
        of each.
    """
    key = ["region", "indicator", "origin", "horizon"]
    ours = scores[scores["method"] == reference].set_index(key)[["crps_log", "ase"]]
    rows = []
    for method in [m for m in OURS + BASELINES if m != reference]:
        other = scores[scores["method"] == method].set_index(key)[["crps_log", "ase"]]
        both = ours.add_suffix("_ref").join(other.add_suffix("_other"), how="inner")
        if both.empty:
            continue
        rows.append(
            {
                "method": method,
                "n": len(both),
                "crps_ref": both["crps_log_ref"].mean(),
                "crps_other": both["crps_log_other"].mean(),
                "crps_ratio": both["crps_log_ref"].mean() / both["crps_log_other"].mean(),
                "ref_wins": (both["crps_log_ref"] < both["crps_log_other"]).mean(),
                "mase_ref": both["ase_ref"].mean(),
                "mase_other": both["ase_other"].mean(),
            }
        )
    return pd.DataFrame(rows)
