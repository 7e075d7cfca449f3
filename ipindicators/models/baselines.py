"""The evaluation's reference methods, as models (see :mod:`.backtest` for how they are scored).

``growth_ratio``
    The growth-ratio rule as a point forecast: the last figure grown at its recent compound
    annual growth (no uncertainty).
``linear``
    OLS line through the levels with statsmodels' prediction intervals, as a Gaussian.
``rw_gauss``
    Gaussian random walk with drift on the log scale, the drift's own uncertainty included.
``auto_ets``, ``auto_theta``
    statsforecast's AutoETS and AutoTheta on the log of the latest run of consecutive year-ends,
    when it has at least :data:`STATSFORECAST_MIN_YEARS` points (the ``bench`` extra).

Each works on log-scale series only. Interval forecasts are turned into Gaussian samples with
the standard deviation that best matches their 80 % and 95 % intervals (:func:`gaussian_sd`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .methods import rw_volatility
from .protocol import SeriesData
from .series import recent_growth, year_end_run

INTERVAL_LEVELS = (80, 95)
STATSFORECAST_MIN_YEARS = 8


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
    from scipy.stats import norm

    widths = [
        (np.asarray(hi) - np.asarray(lo)) / (2 * norm.ppf(0.5 + level / 200))
        for level, (lo, hi) in bounds.items()
    ]
    return np.maximum(np.mean(widths, axis=0), 0.0)


def _gaussian(mean: np.ndarray, sd: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    return mean[None, :] + sd[None, :] * rng.standard_normal((n, len(mean)))


@dataclass(frozen=True)
class _LogBaseline:
    """A reference method for log-scale series (not mixed into ``pool``, no prior)."""

    pooled: bool = False
    needs_prior: bool = False

    def supports(self, series: SeriesData) -> bool:
        return series.scale == "log" and len(series.t) >= 2


@dataclass(frozen=True)
class GrowthRatio(_LogBaseline):
    """``growth_ratio``: the last figure grown at its recent compound annual growth."""

    name: str = "growth_ratio"

    def sample(self, series, horizon, n, rng):
        growth = recent_growth(series.t, series.values)
        assert growth is not None  # positive figures at increasing times
        point = series.values[-1] * (1.0 + growth) ** (horizon - series.t[-1])
        return np.tile(np.log(point), (n, 1))


@dataclass(frozen=True)
class Linear(_LogBaseline):
    """``linear``: an OLS line through the levels, with its prediction intervals."""

    name: str = "linear"

    def sample(self, series, horizon, n, rng):
        import statsmodels.api as sm

        t = series.t
        fit = sm.OLS(series.values, sm.add_constant(t - t[-1])).fit()
        prediction = fit.get_prediction(sm.add_constant(horizon - t[-1], has_constant="add"))
        bounds = {}
        for level in INTERVAL_LEVELS:
            frame = prediction.summary_frame(alpha=1 - level / 100)
            bounds[level] = (frame["obs_ci_lower"].to_numpy(), frame["obs_ci_upper"].to_numpy())
        levels = _gaussian(prediction.predicted_mean, gaussian_sd(bounds), n, rng)
        return np.log(np.clip(levels, np.finfo(float).tiny, None))


@dataclass(frozen=True)
class GaussianRandomWalk(_LogBaseline):
    """``rw_gauss``: a Gaussian random walk with drift on the log scale."""

    name: str = "rw_gauss"

    def sample(self, series, horizon, n, rng):
        t, y = series.t, series.y
        drift, s2, _ = rw_volatility(t, y)
        lead = horizon - t[-1]
        sd = np.sqrt(s2 * (lead + lead**2 / (t[-1] - t[0])))
        return _gaussian(y[-1] + drift * lead, sd, n, rng)


@dataclass(frozen=True)
class StatsForecast(_LogBaseline):
    """``auto_ets`` / ``auto_theta``: statsforecast on the latest run of year-ends."""

    name: str = "auto_ets"

    def supports(self, series: SeriesData) -> bool:
        return (
            series.scale == "log"
            and len(year_end_run(series.t, series.t)[0]) >= STATSFORECAST_MIN_YEARS
        )

    def sample(self, series, horizon, n, rng):
        from statsforecast.models import AutoETS, AutoTheta

        run_times, run_values = year_end_run(series.t, series.values)
        model = AutoETS(season_length=1) if self.name == "auto_ets" else AutoTheta(season_length=1)
        steps = np.round(horizon).astype(int) - run_times[-1]
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
        return _gaussian(mean, gaussian_sd(bounds), n, rng)
