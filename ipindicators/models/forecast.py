r"""Probabilistic forecasts of one region × indicator series from sparse, irregular figures.

Official IP statistics arrive as month-end snapshots, year-ends and mid-year news, so time is
continuous here: an observation at 2014-09-30 sits at ``t = 2014.75``. Values are modelled on a
scale where the models' Gaussian assumptions are reasonable:

* positive stocks, ratios and annual flows on the log scale,
* bounded percentages on the logit scale of ``value / 100``,
* small whole numbers (counts) with a Poisson log-linear model.

Models (each returns seeded sample paths at year-ends)
-------------------------------------------------------
``trend``
    Log-linear trend :math:`y_t = a + b t + \varepsilon_t` fitted by OLS (statsmodels); paths
    draw :math:`\sigma^2` from its scaled inverse-:math:`\chi^2` posterior and :math:`(a, b)` from
    the normal given :math:`\sigma^2`, then add residual noise. Needs 3 observations.
``rw_drift``
    Random walk with drift in continuous time, :math:`dy = \mu\,dt + \sigma\,dW`: the drift is the
    average growth between the first and last observation (the CAGR rule made stochastic), the
    volatility comes from the increments scaled by their spacing. With only two observations the
    single increment sets the scale with one degree of freedom, which gives very wide intervals.
``damped``
    Additive damped-trend exponential smoothing (statsmodels ``ETSModel``) on the latest run of
    consecutive year-ends, when it has at least :data:`DAMPED_MIN_YEARS` points; paths from
    ``ETSResults.simulate``.

``pool`` (default) splits the paths equally between the models a series supports. Year-ends that
fall between two observations are filled by a Brownian bridge between them.

Calibration (on by default)
---------------------------
Rolling-origin hindcasts of the embedded IP series (:mod:`ipindicators.models.backtest`) showed the
plain pool's central 80 % intervals holding 57 % of the later year-end figures and its 95 %
intervals 81 %, worse the further ahead: log-linear growth overshoots series that decelerate
(China's invention patents per 10,000 people as of 2015: median 2020 forecast 28, actual
15.8), and with one or two residual degrees of freedom the volatility draws give tails so
heavy that paths overflow. ``forecast(..., calibrated=True)`` therefore applies
:data:`CALIBRATION` (see :class:`Calibration`):

* the drift of ``trend`` and ``rw_drift`` decays by ``phi`` per year after the last figure
  (a damped trend; Gardner & McKenzie 1985),
* their σ² draws get ``prior_df`` extra degrees of freedom,
* each future year's spread of the pooled paths around their median (on the model scale) is
  multiplied by a factor that grows with the years ahead.

``benchmarks/calibrate.py`` fits the constants: ``prior_df`` and the spread factors match the
central 80 % and 95 % interval coverage of the hindcasts, ``phi`` minimises their CRPS on the log
scale; leaving one region out at a time it measures coverage on regions the fit never saw.
Resident population is left out of the fit (a denominator with census-revision jumps, not a
target); its intervals stay too narrow (80 % intervals hold 55 % of its later figures).
``calibrated=False`` gives the plain models.

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
import warnings
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import cache, partial
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import ThreadpoolController, threadpool_limits

from ..catalog.indicators import indicator
from ..catalog.regions import is_region, region_id
from ..errors import UsageError
from ..params import CountFrom, as_of_date, check_paths, check_seed
from . import DEFAULT_MODEL, MODELS, POOLED
from .calibration import Calibration, shipped_calibrations
from .pooling import (
    FamilyPrior,
    family_priors,
    posterior,
    prior_for,
    series_moments,
    shrunk_rw_paths,
)
from .series import Scale, decimal_year, latest_run, scale_for, usable_observations

DAMPED_MIN_YEARS = 8
MAX_HORIZON = 50
"""Forecasts end at most this many years after ``as_of``."""
QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)


# --- calibration ---------------------------------------------------------------------------
def _calibration(calibrated: bool | Calibration, method: str) -> Calibration:
    if isinstance(calibrated, Calibration):
        return calibrated
    if not calibrated:
        return Calibration()
    return shipped_calibrations().get(method, Calibration())


# --- models ---------------------------------------------------------------------------------
def _inverse_chi2_scale(rng: np.random.Generator, s2: float, df: int, size: int) -> np.ndarray:
    return s2 * df / rng.chisquare(df, size=size)


def _ols_line(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, float, np.ndarray, int]:
    """OLS of ``y`` on ``[1, x]``: coefficients, residual variance, (X'X)⁻¹ and residual df.

    The closed form of ``statsmodels.OLS(y, add_constant(x)).fit()`` (``params``, ``scale``,
    ``normalized_cov_params``, ``df_resid``), without its per-call overhead.
    """
    design = np.column_stack([np.ones_like(x), x])
    cov = np.linalg.inv(design.T @ design)
    params = cov @ (design.T @ y)
    df = len(y) - 2
    residuals = y - design @ params
    return params, float(residuals @ residuals) / df, cov, df


def _trend_paths(t, y, horizon, n, rng):
    params, scale, cov, df = _ols_line(t - t[-1], y)
    s2 = max(scale, 1e-12)
    sigma2 = _inverse_chi2_scale(rng, s2, df, n)
    chol = np.linalg.cholesky(cov + 1e-15 * np.eye(2))
    z = rng.standard_normal((n, 2))
    slope = z[:, 0] * chol[1, 0] + z[:, 1] * chol[1, 1]
    beta = params[None, :] + np.sqrt(sigma2)[:, None] * np.column_stack(
        [z[:, 0] * chol[0, 0], slope]
    )
    mean = beta[:, :1] + beta[:, 1:] * (horizon - t[-1])[None, :]
    return mean + np.sqrt(sigma2)[:, None] * rng.standard_normal((n, len(horizon)))


def _rw_volatility(t, y) -> tuple[float, float, int]:
    span = t[-1] - t[0]
    drift = (y[-1] - y[0]) / span
    gaps = np.diff(t)
    shocks = np.diff(y) - drift * gaps
    if len(y) >= 3:
        df = len(y) - 2
        s2 = float(np.sum(shocks**2 / gaps) / df)
    else:
        df = 1
        s2 = float((y[-1] - y[0]) ** 2 / span)
    return drift, max(s2, 1e-12), df


def _rw_paths(t, y, horizon, n, rng):
    drift, s2, df = _rw_volatility(t, y)
    sigma2 = _inverse_chi2_scale(rng, s2, df, n)
    mu = drift + np.sqrt(sigma2 / (t[-1] - t[0])) * rng.standard_normal(n)
    gaps = np.diff(np.concatenate([[t[-1]], horizon]))
    shocks = (
        np.sqrt(sigma2)[:, None] * np.sqrt(gaps)[None, :] * rng.standard_normal((n, len(gaps)))
    )
    return y[-1] + mu[:, None] * (horizon - t[-1])[None, :] + np.cumsum(shocks, axis=1)


def _consecutive_year_ends(t, y) -> tuple[np.ndarray, np.ndarray]:
    """The latest run of consecutive year-ends (the one the forecast continues)."""
    ends = np.isclose(t, np.round(t))
    return latest_run(np.round(t[ends]).astype(int), y[ends])


def _damped_paths(t, y, horizon, n, rng):
    years, values = _consecutive_year_ends(t, y)
    from statsmodels.tools.sm_exceptions import ConvergenceWarning
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    with warnings.catch_warnings():
        # A short run often ends the likelihood search at its iteration limit; the fit is
        # still usable and the warning says nothing a user can act on.
        warnings.simplefilter("ignore", ConvergenceWarning)
        fit = ETSModel(values, error="add", trend="add", damped_trend=True).fit(disp=False)
    steps = round(horizon[-1]) - int(years[-1])
    simulated = fit.simulate(nsimulations=steps, anchor="end", repetitions=n, rng=rng)
    simulated = np.asarray(simulated).reshape(steps, n).T
    grid = years[-1] + np.arange(1, steps + 1)
    return simulated[:, np.searchsorted(grid, np.round(horizon).astype(int))]


def _count_paths(t, y, horizon, n, rng):
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    design = np.column_stack([np.ones_like(t), t - t[-1]])
    fit = GLM(y, design, family=Poisson()).fit()
    beta = rng.multivariate_normal(fit.params, fit.cov_params(), size=n)
    rate = np.exp(beta[:, :1] + beta[:, 1:] * (horizon - t[-1])[None, :])
    return rng.poisson(np.minimum(rate, 1e9)).astype(float)


def available_models(t: np.ndarray, scale: str) -> tuple[str, ...]:
    """Models a series of observation times supports (empty with fewer than 2 points)."""
    if len(t) < 2:
        return ()
    if scale == "count":
        return ("trend",)
    models = ["rw_shrunk", "rw_drift"] if len(t) == 2 else ["rw_shrunk", "trend", "rw_drift"]
    if len(_consecutive_year_ends(t, t)[0]) >= DAMPED_MIN_YEARS:
        models.append("damped")
    return tuple(models)


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


def check_models(models: str | tuple[str, ...]) -> tuple[str, ...]:
    """The models a ``models`` argument names; :class:`UsageError` for an unknown one."""
    chosen = POOLED if models == "pool" else ((models,) if isinstance(models, str) else models)
    unknown = [m for m in chosen if m not in MODELS]
    if unknown:
        raise UsageError(f"unknown model {unknown[0]!r}; use 'pool' or one of {', '.join(MODELS)}")
    return tuple(chosen)


def _method_name(models: str | tuple[str, ...]) -> str:
    """The name calibrations are kept under: ``pool``, a model, or the models joined by +."""
    return models if isinstance(models, str) else "+".join(models)


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
    models : {"rw_shrunk", "pool", "trend", "rw_drift", "damped"} or tuple
        The model (default :data:`DEFAULT_MODEL`), ``pool`` (trend, random walk and damped
        trend mixed equally), or a tuple of models to mix; models a series cannot support are
        skipped.
    calibrated : bool or Calibration
        Apply the shipped calibration of the method (default; see
        :mod:`ipindicators.models.calibration`), none (False), or the given factors. Only
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
    if not is_region(region) and not observations["region"].eq(region).any():
        region = region_id(region)  # a region's name, or a typo (then: "did you mean")
    with single_blas_thread():
        return _forecast(
            observations,
            region,
            indicator_id,
            as_of,
            until,
            n_paths,
            seed,
            models,
            calibrated,
            count_from,
            priors,
        )


def _forecast(
    observations: pd.DataFrame,
    region: str,
    indicator_id: str,
    as_of: int | str | dt.date,
    until: int,
    n_paths: int,
    seed: int,
    models: str | tuple[str, ...],
    calibrated: bool | Calibration,
    count_from: CountFrom,
    priors: dict[str, FamilyPrior] | None,
) -> Forecast:
    item = indicator(indicator_id)
    chosen_models = check_models(models)
    cutoff = as_of_date(as_of)
    check_seed(seed)
    if not isinstance(until, int) or until < cutoff.year or until > cutoff.year + MAX_HORIZON:
        raise UsageError(
            f"until must be a year from the as_of year {cutoff.year} to {MAX_HORIZON} years "
            f"after it, not {until!r}"
        )
    check_paths(n_paths)
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
        return Forecast(**{**empty.__dict__, "message": "only one observation: no forecast"})
    scale_name = scale_for(item)
    t = decimal_year(used["period_end"])
    values = used["value"].to_numpy(dtype=float)
    if scale_name == "log" and (values <= 0).any():
        return Forecast(
            **{
                **empty.__dict__,
                "message": "a figure of 0 cannot be modelled on the log scale: no forecast",
            }
        )
    y = values if scale_name == "count" else Scale(scale_name).forward(values)
    supported = [m for m in available_models(t, scale_name) if m in chosen_models]
    if not supported:
        return Forecast(
            **{**empty.__dict__, "message": f"model(s) {', '.join(chosen_models)} need more data"}
        )
    prior, note = None, ""
    if "rw_shrunk" in supported:
        if priors is None:
            priors = family_priors(observations, cutoff, count_from)
        prior = prior_for(priors, indicator_id)
        if prior is None:
            supported[supported.index("rw_shrunk")] = "rw_drift"
            supported = list(dict.fromkeys(supported))
            note = (
                "no other regions' series of this indicator to borrow strength from: "
                "plain random walk with drift"
            )
    first_year = int(np.floor(t[0] - 1e-9))
    years = np.arange(first_year, until + 1)
    check_paths(n_paths, len(years))
    times = years + 1.0
    future = times > t[-1] + 1e-9
    inside = ~future  # the grid starts at the first observation's year-end
    rng = np.random.default_rng(seed)
    shares = np.full(len(supported), n_paths // len(supported))
    shares[: n_paths % len(supported)] += 1
    streams = rng.spawn(len(supported) + 1)
    blocks = []
    generators: dict[str, Callable[..., np.ndarray]] = {
        "trend": _count_paths if scale_name == "count" else _trend_paths,
        "rw_drift": _rw_paths,
        "damped": _damped_paths,
    }
    if prior is not None:
        generators["rw_shrunk"] = partial(shrunk_rw_paths, prior=prior)
    for model, count, stream in zip(supported, shares, streams):
        block = np.empty((count, len(years)))
        if future.any():
            block[:, future] = generators[model](t, y, times[future], int(count), stream)
        blocks.append(block)
    paths = np.vstack(blocks)
    if inside.any():
        if scale_name == "count":
            sigma2 = np.zeros(n_paths)
        elif prior is not None:  # the family's volatility too, not two figures' alone
            post = posterior(series_moments(t, y), prior)
            sigma2 = post.s2 * post.df / streams[-1].chisquare(post.df, size=n_paths)
        else:
            _, s2, df = _rw_volatility(t, y)
            sigma2 = _inverse_chi2_scale(streams[-1], s2, df, n_paths)
        paths[:, inside] = _bridge(t, y, times[inside], sigma2, streams[-1])
    if scale_name == "log" and future.any():
        cal = _calibration(calibrated, "rw_drift" if note else _method_name(models))
        paths[:, future] = cal.apply(paths[:, future], float(y[-1]), times[future] - t[-1])
    if scale_name != "count":
        paths = Scale(scale_name).back(paths)
    labels = np.repeat(np.array(supported), shares)
    return Forecast(
        region, indicator_id, cutoff, years, paths, labels, used, note, tuple(supported)
    )


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


def _forecast_chunk(frame, keys, settings, reduce):
    groups = dict(iter(frame.groupby(["region", "indicator"], sort=False)))
    results = []
    for region, indicator_id in keys:
        series = groups.get((region, indicator_id), frame.iloc[:0])
        fc = forecast(series, region, indicator_id, **settings)
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
    cutoff = as_of_date(as_of)
    settings = {
        "as_of": cutoff,
        "until": until,
        "n_paths": n_paths,
        "seed": seed,
        "models": models,
        "calibrated": calibrated,
        "count_from": count_from,
        "priors": family_priors(observations, cutoff, count_from)
        if "rw_shrunk" in check_models(models)
        else {},
    }
    frame = observations[
        [pair in wanted for pair in zip(observations["region"], observations["indicator"])]
    ]
    if n_jobs <= 1 or len(keys) < 2:
        return _forecast_chunk(frame, keys, settings, reduce)
    step = min(len(keys), n_jobs * 4)
    positions = [range(start, len(keys), step) for start in range(step)]
    chunks = [[keys[p] for p in chosen] for chosen in positions]
    pairs = list(zip(frame["region"], frame["indicator"]))
    parts = [frame[[pair in own for pair in pairs]] for own in map(set, chunks)]
    with ProcessPoolExecutor(n_jobs, initializer=_one_blas_thread) as pool:
        done = pool.map(_forecast_chunk, parts, chunks, [settings] * step, [reduce] * step)
        results: list = [None] * len(keys)
        for chosen, found in zip(positions, done):
            for p, result in zip(chosen, found):
                results[p] = result
    return results
