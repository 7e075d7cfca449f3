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
    Additive damped-trend exponential smoothing (statsmodels ``ETSModel``) on the longest run of
    consecutive year-ends, when it has at least :data:`DAMPED_MIN_YEARS` points; paths from
    ``ETSResults.simulate``.

``pool`` (default) splits the paths equally between the models a series supports. Year-ends that
fall between two observations are filled by a Brownian bridge between them.

References
----------
Hyndman, R. J., & Athanasopoulos, G. (2021). *Forecasting: principles and practice*, 3rd ed.,
ch. 8 (exponential smoothing) and 5.6 (random walk with drift).
Eurostat (2023). *SDG indicators: methodology for assessing progress* (growth-rate rule).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tsa.exponential_smoothing.ets import ETSModel

from .errors import UsageError
from .indicators import Indicator, indicator

MODELS = ("trend", "rw_drift", "damped")
DAMPED_MIN_YEARS = 8
QUANTILES = (0.025, 0.1, 0.5, 0.9, 0.975)


def decimal_year(dates: pd.Series | pd.DatetimeIndex) -> np.ndarray:
    """Dates as fractional years: 2014-09-30 → 2014.75, 2020-12-31 → 2021.0.

    Year-ends map to the integer that starts the next year, so a target "by the end of 2020"
    sits at ``t = 2021.0``.
    """
    stamps = pd.to_datetime(pd.Series(dates))
    start = pd.to_datetime(stamps.dt.year.astype(str) + "-01-01")
    length = np.where(stamps.dt.is_leap_year, 366.0, 365.0)
    return (stamps.dt.year + ((stamps - start).dt.days + 1) / length).to_numpy(dtype=float)


def year_end_time(year: int) -> float:
    """Decimal time of the end of ``year``."""
    return float(year + 1)


# --- scales ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Scale:
    name: str

    def forward(self, values: np.ndarray) -> np.ndarray:
        if self.name == "logit":
            share = np.asarray(values, dtype=float) / 100.0
            return np.log(share / (1.0 - share))
        return np.log(np.asarray(values, dtype=float))

    def back(self, values: np.ndarray) -> np.ndarray:
        if self.name == "logit":
            return 100.0 / (1.0 + np.exp(-values))
        return np.exp(values)


def scale_for(item: Indicator) -> str:
    """Modelling scale of an indicator: ``log``, ``logit`` or ``count``."""
    if item.kind == "count":
        return "count"
    if item.kind == "rate" and item.bounded:
        return "logit"
    return "log"


# --- series preparation ---------------------------------------------------------------------
def usable_observations(frame: pd.DataFrame, item: Indicator, as_of: dt.date) -> pd.DataFrame:
    """Observations of one series that a forecast made at ``as_of`` may use.

    Keeps figures whose period ends on or before ``as_of``; for totals over a period keeps only
    full calendar years (a January-May figure is not an annual value).
    """
    chosen = frame[frame["period_end"] <= pd.Timestamp(as_of)].copy()
    if item.measure == "period_total":
        start = pd.to_datetime(chosen["period_start"])
        end = chosen["period_end"]
        full_year = (start.dt.month == 1) & (start.dt.day == 1) & (end.dt.month == 12) & (
            end.dt.day == 31) & (start.dt.year == end.dt.year)
        chosen = chosen[full_year]
    chosen = chosen.sort_values("period_end", kind="mergesort")
    return chosen.drop_duplicates("period_end", keep="last").reset_index(drop=True)


# --- models ---------------------------------------------------------------------------------
def _inverse_chi2_scale(rng: np.random.Generator, s2: float, df: int, size: int) -> np.ndarray:
    return s2 * df / rng.chisquare(df, size=size)


def _trend_paths(t, y, horizon, n, rng):
    design = sm.add_constant(t - t[-1])
    fit = sm.OLS(y, design).fit()
    df = int(fit.df_resid)
    s2 = max(float(fit.scale), 1e-12)
    sigma2 = _inverse_chi2_scale(rng, s2, df, n)
    cov = fit.normalized_cov_params
    chol = np.linalg.cholesky(cov + 1e-15 * np.eye(2))
    beta = fit.params[None, :] + np.sqrt(sigma2)[:, None] * (rng.standard_normal((n, 2)) @ chol.T)
    steps = horizon - t[-1]
    mean = beta[:, :1] + beta[:, 1:] * steps[None, :]
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
    shocks = np.sqrt(sigma2)[:, None] * np.sqrt(gaps)[None, :] * rng.standard_normal((n, len(gaps)))
    return y[-1] + mu[:, None] * (horizon - t[-1])[None, :] + np.cumsum(shocks, axis=1)


def _consecutive_year_ends(t, y) -> tuple[np.ndarray, np.ndarray]:
    ends = np.isclose(t, np.round(t))
    years, values = np.round(t[ends]).astype(int), y[ends]
    best_start, best_len, start = 0, min(1, len(years)), 0
    for i in range(1, len(years) + 1):
        if i == len(years) or years[i] != years[i - 1] + 1:
            if i - start > best_len:
                best_start, best_len = start, i - start
            start = i
    return years[best_start: best_start + best_len], values[best_start: best_start + best_len]


def _damped_paths(t, y, horizon, n, rng):
    years, values = _consecutive_year_ends(t, y)
    fit = ETSModel(values, error="add", trend="add", damped_trend=True).fit(disp=False)
    steps = int(round(horizon[-1])) - int(years[-1])
    simulated = fit.simulate(nsimulations=steps, anchor="end", repetitions=n, rng=rng)
    simulated = np.asarray(simulated).reshape(steps, n).T
    grid = years[-1] + np.arange(1, steps + 1)
    return simulated[:, np.searchsorted(grid, np.round(horizon).astype(int))]


def _count_paths(t, y, horizon, n, rng):
    design = sm.add_constant(t - t[-1])
    fit = sm.GLM(y, design, family=sm.families.Poisson()).fit()
    beta = rng.multivariate_normal(fit.params, fit.cov_params(), size=n)
    rate = np.exp(beta[:, :1] + beta[:, 1:] * (horizon - t[-1])[None, :])
    return rng.poisson(np.minimum(rate, 1e9)).astype(float)


def available_models(t: np.ndarray, scale: str) -> tuple[str, ...]:
    """Models a series of observation times supports (empty with fewer than 2 points)."""
    if len(t) < 2:
        return ()
    if scale == "count":
        return ("trend",)
    models = ["rw_drift"] if len(t) == 2 else ["trend", "rw_drift"]
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
    noise = rng.standard_normal((len(sigma2), len(times)))
    return mean[None, :] + np.sqrt(sigma2[:, None] * var[None, :]) * noise


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
        Why there is no forecast (fewer than two usable observations), else empty.
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

    def at(self, year: int) -> np.ndarray:
        """Path values at the end of ``year``."""
        where = np.flatnonzero(self.years == year)
        if not len(where):
            raise UsageError(f"year {year} is outside the forecast ({self.years.min()}-"
                             f"{self.years.max()})")
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


def _check_models(models: str | tuple[str, ...]) -> tuple[str, ...]:
    chosen = MODELS if models == "pool" else ((models,) if isinstance(models, str) else models)
    unknown = [m for m in chosen if m not in MODELS]
    if unknown:
        raise UsageError(f"unknown model {unknown[0]!r}; use 'pool' or one of {', '.join(MODELS)}")
    return tuple(chosen)


def forecast(
    observations: pd.DataFrame,
    region: str,
    indicator_id: str,
    as_of: int | dt.date,
    until: int,
    n_paths: int = 2000,
    seed: int = 0,
    models: str | tuple[str, ...] = "pool",
) -> Forecast:
    """Predictive sample paths for one region × indicator from what was known at ``as_of``.

    Parameters
    ----------
    observations : DataFrame
        Tidy observations (as from :func:`ipindicators.observations`); other series are ignored.
    region, indicator_id : str
        The series to forecast.
    as_of : int or datetime.date
        A year (meaning its 31 December) or a date; later figures are ignored.
    until : int
        Last year-end to forecast; must not be before the year of ``as_of``.
    n_paths : int
        Number of sample paths (split equally between pooled models).
    seed : int
        Seed of the random generator; the same inputs and seed give the same paths.
    models : {"pool", "trend", "rw_drift", "damped"} or tuple
        Model or models to pool; models a series cannot support are skipped.

    Returns
    -------
    Forecast
        Paths over every year-end from the first observation's year to ``until``; with fewer
        than two usable observations, no paths and a ``message`` saying why.
    """
    item = indicator(indicator_id)
    chosen_models = _check_models(models)
    cutoff = dt.date(as_of, 12, 31) if isinstance(as_of, int) else as_of
    if until < cutoff.year:
        raise UsageError(f"forecast end {until} is before the as_of year {cutoff.year}")
    if n_paths < 10:
        raise UsageError("n_paths must be at least 10")
    series = observations[
        (observations["region"] == region) & (observations["indicator"] == indicator_id)
    ]
    if series.empty:
        raise UsageError(f"no observations of {indicator_id} for {region}")
    used = usable_observations(series, item, cutoff)
    if used.empty:
        first = series["period_end"].min().date()
        raise UsageError(
            f"as_of {cutoff} is before the first observation of {indicator_id} for {region} "
            f"({first})"
        )
    empty = Forecast(region, indicator_id, cutoff, np.array([], dtype=int),
                     np.empty((0, 0)), np.array([], dtype=str), used)
    if len(used) < 2:
        return Forecast(**{**empty.__dict__, "message": "only one observation: no forecast"})
    scale_name = scale_for(item)
    t = decimal_year(used["period_end"])
    values = used["value"].to_numpy(dtype=float)
    if scale_name != "count" and (values <= 0).any():
        raise UsageError(f"{indicator_id} for {region} has non-positive values; cannot model "
                         "them on the log scale")
    y = values if scale_name == "count" else _Scale(scale_name).forward(values)
    supported = [m for m in available_models(t, scale_name) if m in chosen_models]
    if not supported:
        return Forecast(**{**empty.__dict__,
                           "message": f"model(s) {', '.join(chosen_models)} need more data"})
    first_year = int(np.floor(t[0] - 1e-9))
    years = np.arange(first_year, until + 1)
    times = years + 1.0
    future = times > t[-1] + 1e-9
    inside = ~future  # the grid starts at the first observation's year-end
    rng = np.random.default_rng(seed)
    shares = np.full(len(supported), n_paths // len(supported))
    shares[: n_paths % len(supported)] += 1
    streams = rng.spawn(len(supported) + 1)
    blocks, labels = [], []
    generators = {"trend": _count_paths if scale_name == "count" else _trend_paths,
                  "rw_drift": _rw_paths, "damped": _damped_paths}
    for model, count, stream in zip(supported, shares, streams):
        block = np.empty((count, len(years)))
        if future.any():
            block[:, future] = generators[model](t, y, times[future], int(count), stream)
        blocks.append(block)
        labels += [model] * int(count)
    paths = np.vstack(blocks)
    if inside.any():
        if scale_name == "count":
            sigma2 = np.zeros(n_paths)
        else:
            _, s2, df = _rw_volatility(t, y)
            sigma2 = _inverse_chi2_scale(streams[-1], s2, df, n_paths)
        paths[:, inside] = _bridge(t, y, times[inside], sigma2, streams[-1])
    if scale_name != "count":
        paths = _Scale(scale_name).back(paths)
    return Forecast(region, indicator_id, cutoff, years, paths, np.array(labels), used,
                    "", tuple(supported))
