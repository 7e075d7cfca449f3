r"""Probabilistic forecasts of one region × indicator series from sparse, irregular figures.

Official IP statistics arrive as month-end snapshots, year-ends and mid-year news, so time is
continuous here: an observation at 2014-09-30 sits at ``t = 2014.75``. Values are modelled on a
scale where the models' Gaussian assumptions are reasonable:

* positive stocks, ratios and annual flows on the log scale,
* bounded percentages on the angle scale :math:`\\arcsin\\sqrt{\\text{value} / 100}`, a
  path that crosses 0 % or 100 % staying there (see :class:`.series.Scale`),
* small whole numbers (counts) with a Poisson log-linear model.

Models
------
Each model (:mod:`.methods`, listed in :mod:`.registry`) returns seeded sample paths on the model
scale at the year-ends after the last figure. ``rw_shrunk``, a random walk with drift that borrows
strength from the same indicator in the other regions (:mod:`.pooling`), is the default;
``pool`` splits the paths equally between the pooled models a series supports (``trend``,
``rw_drift``, ``damped``). Year-ends that fall between two observations are filled by a Brownian
bridge between them.

Calibration (on by default)
---------------------------
Log-scale forecasts of every method get a growth and a spread factor per lead time
(:mod:`ipindicators.models.calibration`), fitted on past forecasts whose outcomes are published:
the growth the median expects from the last figure is damped (log-linear growth has overshot
decelerating series) and every path's distance from the median rescaled. The shipped factors are
written by ``python benchmarks/backtest.py --write-calibration``; ``calibrated=False`` gives
the plain models.

References
----------
Hyndman, R. J., & Athanasopoulos, G. (2021). *Forecasting: principles and practice*, 3rd ed.,
ch. 8 (exponential smoothing) and 5.6 (random walk with drift).
Eurostat (2023). *SDG indicators: methodology for assessing progress* (growth-rate rule).
Gardner, E. S., & McKenzie, E. (1985). Forecasting trends in time series. *Management
Science*, 31(10), 1237-1246.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from functools import cache
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController, threadpool_limits

from ..catalog.indicators import indicator
from ..catalog.regions import is_region, region_id
from ..errors import UsageError
from ..params import CountFrom, check_paths
from .calibration import Calibration, shipped_calibration
from .methods import inverse_chi2_scale, rw_volatility
from .pooling import (
    FamilyPrior,
    family_priors,
    posterior,
    prior_for,
    series_moments,
)
from .protocol import SeriesData
from .registry import DEFAULT_MODEL, check_models, method_name, model
from .series import Scale, decimal_year, scale_for, usable_observations
from .settings import Settings

MAX_HORIZON = 50
"""Forecasts end at most this many years after ``as_of``."""
QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)


# --- calibration ---------------------------------------------------------------------------
def _calibration(
    calibrated: bool | Calibration, method: str, measure: str, as_of: dt.date
) -> Calibration:
    if isinstance(calibrated, Calibration):
        return calibrated
    if not calibrated:
        return Calibration()
    return shipped_calibration(method, measure, as_of)


def _bridge(t, y, times, sigma2, rng):
    """Brownian-bridge draws at ``times`` inside the observed span (shape paths × times).

    A time that coincides with an observation gets the observed value exactly.
    """
    right = np.searchsorted(t, times, side="left")
    left = np.maximum(right - 1, 0)
    ta, tb, ya, yb = t[left], t[right], y[left], y[right]
    span = np.where(tb > ta, tb - ta, 1.0)
    weight = np.where(tb > ta, (times - ta) / span, 1.0)
    mean = np.where(weight >= 1.0, yb, ya + weight * (yb - ya))
    var = np.where(tb > ta, (times - ta) * (tb - times) / span, 0.0)
    draws = np.tile(mean, (len(sigma2), 1))
    free = var > 0
    noise = rng.standard_normal((len(sigma2), int(free.sum())))
    draws[:, free] += np.sqrt(sigma2[:, None] * var[None, free]) * noise
    return draws


# --- public API -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Forecast:
    """Seeded sample paths of one series at year-ends, with the observations behind them.

    Attributes
    ----------
    region, indicator : str
        The series.
    as_of : datetime.date
        Nothing after this date was used.
    years : ndarray of int
        Year-ends the paths describe (observed years inside the span included).
    paths : ndarray, shape (n_paths, n_years)
        Values in the indicator's unit; observed year-ends are fixed at their observed value.
    models : ndarray of str, shape (n_paths,)
        The model behind each path.
    observations : DataFrame
        The figures used (``period_end``, ``value``, ``origin``, ``source_url``).
    message : str
        Why there is no forecast (fewer than two usable observations), or a note on how it was
        made where it departs from the model asked for; else empty.
    """

    region: str
    indicator: str
    as_of: dt.date
    years: np.ndarray
    paths: np.ndarray
    models: np.ndarray
    observations: pd.DataFrame
    message: str = ""
    model_names: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Whether paths exist."""
        return self.paths.size > 0

    def __repr__(self) -> str:
        if not self.ok:
            return (
                f"Forecast({self.region}, {self.indicator}, as of {self.as_of}: no paths, "
                f"{self.message})"
            )
        models = ", ".join(self.model_names) or "-"
        return (
            f"Forecast({self.region}, {self.indicator}, as of {self.as_of}: "
            f"{self.paths.shape[0]} paths over {self.years[0]}-{self.years[-1]}, "
            f"{len(self.observations)} figures, models {models})"
        )

    def at(self, year: int) -> np.ndarray:
        """Path values at the end of ``year``."""
        if not self.ok:
            raise UsageError(f"no forecast of {self.indicator} for {self.region}: {self.message}")
        where = np.flatnonzero(self.years == year)
        if not len(where):
            raise UsageError(
                f"year {year} is outside the forecast ({self.years.min()}-{self.years.max()})"
            )
        return self.paths[:, where[0]]

    def through(self, year: int) -> Forecast:
        """The same forecast ending at ``year`` (the paths of the years up to it, unchanged)."""
        keep = self.years <= year
        return replace(self, years=self.years[keep], paths=self.paths[:, keep])

    def summary(self, quantiles: tuple[float, ...] = QUANTILES) -> pd.DataFrame:
        """Quantiles of the paths per year-end (columns ``q0.025`` …).

        No mean is given: on the log scale with few observations the predictive distribution
        has heavy right tails and its mean is not a useful summary.
        """
        if not self.ok:
            return pd.DataFrame(columns=["year", *(f"q{q:g}" for q in quantiles)])
        table = pd.DataFrame(
            np.quantile(self.paths, quantiles, axis=0).T,
            columns=[f"q{q:g}" for q in quantiles],
        )
        table.insert(0, "year", self.years)
        return table


def forecast(
    observations: pd.DataFrame,
    region: str,
    indicator_id: str,
    as_of: int | str | dt.date,
    until: int,
    n_paths: int = 2000,
    seed: int = 0,
    models: str | tuple[str, ...] = DEFAULT_MODEL,
    calibrated: bool | Calibration = True,
    count_from: CountFrom = "release",
    priors: dict[str, FamilyPrior] | None = None,
) -> Forecast:
    """Predictive sample paths for one region × indicator from what was known at ``as_of``.

    Parameters
    ----------
    observations : DataFrame
        Tidy observations (as from :func:`ipindicators.observations`). The forecast is of one
        series; ``rw_shrunk`` borrows strength from the other regions' series of the same
        indicator, so pass the whole panel (or ``priors``).
    region, indicator_id : str
        The series to forecast.
    as_of : int, str or datetime.date
        A year (meaning its 31 December), an ISO date or a date; figures not public by then
        are ignored (see :func:`ipindicators.params.as_of_date` and ``count_from``).
    until : int
        Last year-end to forecast: from the year of ``as_of`` to :data:`MAX_HORIZON` years later.
    n_paths : int
        Number of sample paths (split equally between pooled models).
    seed : int
        Seed of the random generator; the same inputs and seed give the same paths.
    models : str or tuple
        A registered model (default :data:`~.registry.DEFAULT_MODEL`; see
        :mod:`.registry`), ``pool`` (the pooled models mixed equally), or a tuple of models to
        mix; models a series cannot support are skipped.
    calibrated : bool or Calibration
        Apply the shipped calibration of the method and the series' measure knowable at
        ``as_of`` (default; see
        :func:`ipindicators.models.calibration.shipped_calibration`), none (False), or the
        given factors. Only
        log-scale series are calibrated; mixtures without shipped factors are left as they are.
    count_from : {"release", "period_end"}
        When a figure starts to count: when it was published (default; see
        :mod:`ipindicators.data.release`) or at the end of its period.
    priors : dict, optional
        Family priors from :func:`ipindicators.models.pooling.family_priors` at the same
        ``as_of`` (computed from ``observations`` when needed and not given).

    Returns
    -------
    Forecast
        Paths over every year-end from the first observation's year to ``until``; with fewer
        than two usable observations, no paths and a ``message`` saying why.
    """
    settings = Settings.of(as_of, n_paths, seed, models, count_from)
    return forecast_series(observations, region, indicator_id, settings, until, calibrated, priors)


def forecast_series(
    observations: pd.DataFrame,
    region: str,
    indicator_id: str,
    settings: Settings,
    until: int,
    calibrated: bool | Calibration = True,
    priors: dict[str, FamilyPrior] | None = None,
) -> Forecast:
    """:func:`forecast` with its settings already checked (see :class:`.settings.Settings`)."""
    if not is_region(region) and not observations["region"].eq(region).any():
        region = region_id(region)  # a region's name, or a typo (then: "did you mean")
    with single_blas_thread():
        return _forecast(observations, region, indicator_id, settings, until, calibrated, priors)


def _forecast(
    observations: pd.DataFrame,
    region: str,
    indicator_id: str,
    settings: Settings,
    until: int,
    calibrated: bool | Calibration,
    priors: dict[str, FamilyPrior] | None,
) -> Forecast:
    item = indicator(indicator_id)
    chosen_models = check_models(settings.models)
    cutoff, n_paths, count_from = settings.as_of, settings.n_paths, settings.count_from
    if not isinstance(until, int) or until < cutoff.year or until > cutoff.year + MAX_HORIZON:
        raise UsageError(
            f"until must be a year from the as_of year {cutoff.year} to {MAX_HORIZON} years "
            f"after it, not {until!r}"
        )
    # compared column-wise (not through object arrays, which cost a string per row)
    mine = (
        observations["region"].eq(region) & observations["indicator"].eq(indicator_id)
    ).to_numpy(dtype=bool)
    series = observations if mine.all() else observations[mine]
    if series.empty:
        raise UsageError(f"no observations of {indicator_id} for {region}")
    used = usable_observations(series, item, cutoff, count_from)
    if used.empty:
        first = series["period_end"].min().date()
        raise UsageError(
            f"no figure of {indicator_id} for {region} is public by {cutoff} "
            f"(first period: {first})"
        )
    empty = Forecast(
        region,
        indicator_id,
        cutoff,
        np.array([], dtype=int),
        np.empty((0, 0)),
        np.array([], dtype=str),
        used,
    )
    if len(used) < 2:
        return replace(empty, message="only one observation: no forecast")
    scale_name = scale_for(item)
    t = decimal_year(used["period_end"])
    values = used["value"].to_numpy(dtype=float)
    if scale_name == "log" and (values <= 0).any():
        return replace(
            empty, message="a figure of 0 cannot be modelled on the log scale: no forecast"
        )
    y = values if scale_name == "count" else Scale(scale_name).forward(values)
    data = SeriesData(t, y, values, scale_name)
    supported = [m for m in chosen_models if model(m).supports(data)]
    if not supported:
        return replace(empty, message=f"model(s) {', '.join(chosen_models)} need more data")
    prior, note = None, ""
    if any(model(m).needs_prior for m in supported):
        if priors is None:
            priors = family_priors(observations, cutoff, count_from)
        prior = prior_for(priors, indicator_id)
        if prior is None:
            if scale_name == "angle":
                fallback = "rw"
                plain = (
                    "random walk without drift (two figures cannot tell a share's trend "
                    "from noise)"
                )
            else:
                fallback, plain = "rw_drift", "plain random walk with drift"
            supported = [m if not model(m).needs_prior else fallback for m in supported]
            supported = list(dict.fromkeys(supported))
            note = f"no other regions' series of this indicator to borrow strength from: {plain}"
    data = replace(data, prior=prior)
    first_year = int(np.floor(t[0] - 1e-9))
    years = np.arange(first_year, until + 1)
    check_paths(n_paths, len(years))
    times = years + 1.0
    future = times > t[-1] + 1e-9
    inside = ~future  # the grid starts at the first observation's year-end
    rng = np.random.default_rng(settings.seed)
    shares = np.full(len(supported), n_paths // len(supported))
    shares[: n_paths % len(supported)] += 1
    streams = rng.spawn(len(supported) + 1)
    blocks = []
    for name, count, stream in zip(supported, shares, streams):
        block = np.empty((count, len(years)))
        if future.any():
            block[:, future] = model(name).sample(data, times[future], int(count), stream)
        blocks.append(block)
    paths = np.vstack(blocks)
    if inside.any():
        paths[:, inside] = _bridge(
            t, y, times[inside], _bridge_variance(data, n_paths, streams[-1]), streams[-1]
        )
    if scale_name == "log" and future.any():
        method = "rw_drift" if note else method_name(settings.models)
        cal = _calibration(calibrated, method, item.measure, cutoff)
        paths[:, future] = cal.apply(paths[:, future], float(y[-1]), times[future] - t[-1])
    if scale_name != "count":
        paths = Scale(scale_name).back(paths)
    labels = np.repeat(np.array(supported), shares)
    return Forecast(
        region, indicator_id, cutoff, years, paths, labels, used, note, tuple(supported)
    )


def _bridge_variance(data: SeriesData, n: int, rng: np.random.Generator) -> np.ndarray:
    """Volatility draws for the bridge between observed figures: the family's with a prior,
    the series' own without one, none for counts."""
    if data.scale == "count":
        return np.zeros(n)
    if data.prior is not None:  # the family's volatility too, not two figures' alone
        post = posterior(series_moments(data.t, data.y, data.prior.lookback), data.prior)
        return inverse_chi2_scale(rng, post.s2, post.df, n)
    _, s2, df = rw_volatility(data.t, data.y)
    return inverse_chi2_scale(rng, s2, df, n)


@cache
def _blas_controller() -> ThreadpoolController:
    import scipy.linalg  # noqa: F401  (loads SciPy's own BLAS, so the controller sees it)

    return ThreadpoolController()


def single_blas_thread() -> AbstractContextManager[Any]:
    """A context in which BLAS runs one thread (the previous limits come back on exit).

    The models solve small problems, for which BLAS threads only spin: one damped-trend fit
    took several times longer with two threads than with one, for bit-identical results.
    """
    return _blas_controller().limit(limits=1, user_api="blas")


def _one_blas_thread() -> None:
    """Keep BLAS single-threaded for the whole life of a worker process."""
    threadpool_limits(1)


def _forecast_chunk(frame, keys, settings, until, calibrated, priors, reduce):
    groups = dict(iter(frame.groupby(["region", "indicator"], sort=False)))
    results = []
    for region, indicator_id in keys:
        series = groups.get((region, indicator_id), frame.iloc[:0])
        fc = forecast_series(series, region, indicator_id, settings, until, calibrated, priors)
        results.append(fc if reduce is None else reduce(fc))
    return results


def forecast_many(
    observations: pd.DataFrame,
    series: Iterable[tuple[str, str]],
    as_of: int | str | dt.date,
    until: int,
    n_paths: int = 2000,
    seed: int = 0,
    models: str | tuple[str, ...] = DEFAULT_MODEL,
    calibrated: bool | Calibration = True,
    reduce: Callable[[Forecast], Any] | None = None,
    n_jobs: int = 1,
    count_from: CountFrom = "release",
) -> list:
    """:func:`forecast` of many series, optionally in parallel processes.

    Parameters
    ----------
    observations : DataFrame
        Tidy observations holding every series (and the panel the family priors come from).
    series : iterable of (region, indicator)
        The series to forecast.
    as_of, until, n_paths, seed, models, calibrated, count_from
        As for :func:`forecast`; each series gets exactly the paths ``forecast`` gives it.
    reduce : callable, optional
        Applied to each :class:`Forecast` where it is made (e.g. a probability), so that only
        its result travels back from a worker process; must be picklable when ``n_jobs > 1``.
    n_jobs : int
        Worker processes (1: run here).

    Returns
    -------
    list
        One :class:`Forecast`, or ``reduce`` of it, per series, in order.
    """
    keys = list(series)
    wanted = set(keys)
    settings = Settings.of(as_of, n_paths, seed, models, count_from)
    borrows = any(model(m).needs_prior for m in check_models(models))
    priors = family_priors(observations, settings.as_of, count_from) if borrows else {}
    shared = (settings, until, calibrated, priors, reduce)
    frame = observations[
        [pair in wanted for pair in zip(observations["region"], observations["indicator"])]
    ]
    if n_jobs <= 1 or len(keys) < 2:
        return _forecast_chunk(frame, keys, *shared)
    step = min(len(keys), n_jobs * 4)
    positions = [range(start, len(keys), step) for start in range(step)]
    chunks = [[keys[p] for p in chosen] for chosen in positions]
    pairs = list(zip(frame["region"], frame["indicator"]))
    parts = [frame[[pair in own for pair in pairs]] for own in map(set, chunks)]
    with ProcessPoolExecutor(n_jobs, initializer=_one_blas_thread) as pool:
        done = pool.map(_forecast_chunk, parts, chunks, *([value] * step for value in shared))
        results: list = [None] * len(keys)
        for chosen, found in zip(positions, done):
            for p, result in zip(chosen, found):
                results[p] = result
    return results
