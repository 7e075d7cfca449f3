r"""The package's forecasting models (see :mod:`.forecast` for how they are mixed and used).

``rw_shrunk``
    Random walk with drift whose drift and volatility are shrunk toward the series' family
    (:mod:`.pooling`); the default.
``trend``
    Log-linear trend :math:`y_t = a + b t + \varepsilon_t` fitted by OLS; paths draw
    :math:`\sigma^2` from its scaled inverse-:math:`\chi^2` posterior and :math:`(a, b)` from the
    normal given :math:`\sigma^2`, then add residual noise. Needs 3 observations; for counts, a
    Poisson log-linear model.
``rw_drift``
    Random walk with drift in continuous time, :math:`dy = \mu\,dt + \sigma\,dW`: the drift is
    the average growth between the first and last observation, the volatility comes from the
    increments scaled by their spacing; two observations give one degree of freedom.
``rw``
    Random walk without drift: the series' volatility from its own increments about zero. What a
    bounded share gets when no other series can say what trend a share may have: two figures
    cannot tell a trend in a share from noise.
``damped``
    Additive damped-trend exponential smoothing (statsmodels ``ETSModel``) on the latest run of
    consecutive year-ends, when it has at least :data:`DAMPED_MIN_YEARS` points.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace

import numpy as np

from .pooling import brownian_walk, shrunk_rw_paths
from .protocol import SeriesData
from .series import year_end_run

DAMPED_MIN_YEARS = 8


def inverse_chi2_scale(rng: np.random.Generator, s2: float, df: float, size: int) -> np.ndarray:
    """Draws of a variance from the scaled inverse-χ² distribution (scale ``s2``, ``df``)."""
    return s2 * df / rng.chisquare(df, size=size)


def rw_volatility(t: np.ndarray, y: np.ndarray) -> tuple[float, float, int]:
    """Drift, volatility per year and its degrees of freedom of a random walk through ``y``."""
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


@dataclass(frozen=True)
class ShrunkRandomWalk:
    """``rw_shrunk``: a random walk with drift that borrows strength from its family."""

    name: str = "rw_shrunk"
    pooled: bool = False
    needs_prior: bool = True

    def supports(self, series: SeriesData) -> bool:
        return series.scale != "count" and len(series.t) >= 2

    def sample(self, series, horizon, n, rng):
        assert series.prior is not None
        prior = series.prior
        if series.scale == "angle" and len(series.t) < 3:
            # Two figures of a bounded share cannot tell its trend from noise (a 100 %, 95 %
            # closure rate is not falling five points a year): it takes its family's drift.
            prior = replace(prior, tau2=0.0)
        return shrunk_rw_paths(series.t, series.y, horizon, n, rng, prior=prior)


@dataclass(frozen=True)
class Trend:
    """``trend``: log-linear trend by OLS (Poisson log-linear for counts)."""

    name: str = "trend"
    pooled: bool = True
    needs_prior: bool = False

    def supports(self, series: SeriesData) -> bool:
        return len(series.t) >= (2 if series.scale == "count" else 3)

    def sample(self, series, horizon, n, rng):
        if series.scale == "count":
            return _count_paths(series.t, series.y, horizon, n, rng)
        t, y = series.t, series.y
        params, scale, cov, df = _ols_line(t - t[-1], y)
        sigma2 = inverse_chi2_scale(rng, max(scale, 1e-12), df, n)
        chol = np.linalg.cholesky(cov + 1e-15 * np.eye(2))
        z = rng.standard_normal((n, 2))
        slope = z[:, 0] * chol[1, 0] + z[:, 1] * chol[1, 1]
        beta = params[None, :] + np.sqrt(sigma2)[:, None] * np.column_stack(
            [z[:, 0] * chol[0, 0], slope]
        )
        mean = beta[:, :1] + beta[:, 1:] * (horizon - t[-1])[None, :]
        return mean + np.sqrt(sigma2)[:, None] * rng.standard_normal((n, len(horizon)))


def _count_paths(t, y, horizon, n, rng):
    from statsmodels.genmod.families import Poisson
    from statsmodels.genmod.generalized_linear_model import GLM

    design = np.column_stack([np.ones_like(t), t - t[-1]])
    fit = GLM(y, design, family=Poisson()).fit()
    beta = rng.multivariate_normal(fit.params, fit.cov_params(), size=n)
    rate = np.exp(beta[:, :1] + beta[:, 1:] * (horizon - t[-1])[None, :])
    return rng.poisson(np.minimum(rate, 1e9)).astype(float)


@dataclass(frozen=True)
class RandomWalkDrift:
    """``rw_drift``: the series' own random walk with drift."""

    name: str = "rw_drift"
    pooled: bool = True
    needs_prior: bool = False

    def supports(self, series: SeriesData) -> bool:
        return series.scale != "count" and len(series.t) >= 2

    def sample(self, series, horizon, n, rng):
        t, y = series.t, series.y
        drift, s2, df = rw_volatility(t, y)
        sigma2 = inverse_chi2_scale(rng, s2, df, n)
        mu = drift + np.sqrt(sigma2 / (t[-1] - t[0])) * rng.standard_normal(n)
        gaps = np.diff(np.concatenate([[t[-1]], horizon]))
        return y[-1] + mu[:, None] * (horizon - t[-1])[None, :] + brownian_walk(sigma2, gaps, rng)


@dataclass(frozen=True)
class RandomWalk:
    """``rw``: a random walk without drift."""

    name: str = "rw"
    pooled: bool = False
    needs_prior: bool = False

    def supports(self, series: SeriesData) -> bool:
        return series.scale != "count" and len(series.t) >= 2

    def sample(self, series, horizon, n, rng):
        t, y = series.t, series.y
        gaps = np.diff(t)
        df = len(y) - 1
        s2 = max(float(np.sum(np.diff(y) ** 2 / gaps) / df), 1e-12)
        sigma2 = inverse_chi2_scale(rng, s2, df, n)
        return y[-1] + brownian_walk(sigma2, np.diff(np.concatenate([[t[-1]], horizon])), rng)


@dataclass(frozen=True)
class DampedTrend:
    """``damped``: damped-trend exponential smoothing of the latest run of year-ends."""

    name: str = "damped"
    pooled: bool = True
    needs_prior: bool = False

    def supports(self, series: SeriesData) -> bool:
        return (
            series.scale != "count"
            and len(series.t) >= 3
            and len(year_end_run(series.t, series.t)[0]) >= DAMPED_MIN_YEARS
        )

    def sample(self, series, horizon, n, rng):
        from statsmodels.tools.sm_exceptions import ConvergenceWarning
        from statsmodels.tsa.exponential_smoothing.ets import ETSModel

        years, values = year_end_run(series.t, series.y)
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
