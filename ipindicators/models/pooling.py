r"""Partial pooling across regions: a random walk with drift that borrows strength from its family.

A region's series of IP statistics is short (often 3-8 figures), so its own drift and volatility
are poorly determined: two figures give one increment and no volatility at all, a smooth series
gives a volatility near zero and an interval of zero width. The same indicator in the other
regions says what growth and volatility are plausible. The model ``rw_shrunk`` is a random walk
with drift on the model scale (log, or angle for bounded shares),

.. math:: dy = \mu_i\,dt + \sigma_i\,dW,

whose drift :math:`\mu_i` and volatility :math:`\sigma_i^2` get empirical-Bayes priors estimated,
at each ``as_of``, from every series of the same indicator (its *family*) with figures public by
then:

* volatility: :math:`\sigma_i^2 \sim \text{Scaled-Inv-}\chi^2(\nu_0, s_0^2)`, with
  :math:`s_0^2` the family's median volatility and :math:`\nu_0` from the spread of the log
  volatilities beyond what sampling explains (method of moments with the trigamma function);
  the posterior has :math:`\nu_0 + \text{df}_i` degrees of freedom and scale
  :math:`(\nu_0 s_0^2 + \text{df}_i s_i^2) / (\nu_0 + \text{df}_i)`, so no series has a
  volatility below a share of its family's;
* drift: :math:`\mu_i \sim N(m_0, \tau^2)`, with :math:`m_0` the family's median drift and
  :math:`\tau^2` the variance of the drifts less their sampling variance; the posterior mean is
  the precision-weighted average of the series' own drift (over its whole record for stocks
  and ratios, its last six years for annual flows: :data:`DRIFT_LOOKBACK_YEARS`) and
  :math:`m_0`. Its spread is left at the series' own sampling variance
  :math:`s^2 / \text{span}` rather than the smaller posterior variance;
* the drift of a stock or ratio **wanders**: it follows its own random walk with the variance
  :math:`\sigma_\zeta^2` per year that the family's changes of annual growth show
  (:func:`drift_wander`), the slope of a local linear trend (Harvey 1989). A stock's growth
  moves slowly but far (valid invention patents grew 37 % a year in 2011, 15 % in 2019 and
  24 % in 2023 in the median province), so its uncertainty five years ahead is mostly the
  drift's, growing with the cube of the lead. Both the wander and the whole-record drift were
  chosen on the forecasts made before 2018 (``docs/evaluation.md``).

A family needs :data:`MIN_FAMILY` series with a volatility estimate; smaller families (national
series) use the prior of every series of the same measure (``all snapshot`` for stocks and
ratios, ``all period_total`` for annual flows; bounded shares, on their own scale, ``all
shares``), the series whose catalog ``role`` is
``population`` left out: denominators with their own much smaller volatility, and the
census-revised vintage, published years after the years it describes. Nothing here is fitted on outcomes:
the calibration that follows (:mod:`ipindicators.models.calibration`) is.

References
----------
Harvey, A. C. (1989). *Forecasting, Structural Time Series Models and the Kalman Filter*,
ch. 2.3 (the local linear trend). Gelman, A., et al. (2013). *Bayesian Data Analysis*, 3rd ed., ch. 2.6 and 5 (conjugate normal
variance priors, hierarchical models). Efron, B., & Morris, C. (1975). Data analysis using
Stein's estimator and its generalizations. *JASA*, 70(350), 311-319.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import polygamma

from ..catalog.indicators import Indicator, indicator, population_indicators
from ..params import CountFrom
from .series import Scale, decimal_year, scale_for, usable_panel, year_end_run

DRIFT_LOOKBACK_YEARS = {"snapshot": math.inf, "period_total": 6.0}
"""Years of figures a series' own drift is measured over, by measure: a stock's whole record,
an annual flow's last six years (chosen on the forecasts made before 2018; see
``docs/evaluation.md``)."""
WANDER_MEASURES = frozenset({"snapshot"})
"""Measures whose drift wanders (:func:`drift_wander`): stocks and ratios, whose growth drifts
slowly; an annual flow's year-to-year noise hides any such wander (and adding it made the
flows' forecasts before 2018 worse)."""
MIN_FAMILY = 5
MIN_WANDER_PAIRS = 20
PRIOR_DF_RANGE = (4.0, 30.0)
"""Bounds of the prior's degrees of freedom :math:`\\nu_0`. A series' predictive is a Student t
with at least :math:`\\nu_0` degrees of freedom; from 4 up its variance (and kurtosis) is
finite. (Hubei's PCT applications, two figures as of 2021: the 2025 80 % interval spans a
factor of 131 from end to end with a floor of 2, 58 with 4.)"""


@dataclass(frozen=True)
class SeriesMoments:
    """A series' own drift and volatility on the model scale, from its recent figures.

    Attributes
    ----------
    drift : float
        Average change per year over the years the drift is measured over.
    span : float
        Years the drift is measured over.
    s2 : float
        Volatility per year (variance of the increments around the drift, per year of spacing);
        NaN with fewer than two increments.
    df : int
        Its degrees of freedom (increments less one; 0 without an estimate).
    """

    drift: float
    span: float
    s2: float
    df: int


def series_moments(t: np.ndarray, y: np.ndarray, lookback: float) -> SeriesMoments:
    """Drift and volatility of one series (times ``t`` in decimal years, values ``y``) over its
    last ``lookback`` years of figures (see :data:`DRIFT_LOOKBACK_YEARS`)."""
    start = int(np.searchsorted(t, t[-1] - lookback - 1e-9))
    start = min(start, len(t) - 2)
    tt, yy = t[start:], y[start:]
    span = float(tt[-1] - tt[0])
    drift = float((yy[-1] - yy[0]) / span)
    gaps = np.diff(tt)
    if len(yy) < 3:
        return SeriesMoments(drift, span, float("nan"), 0)
    shocks = np.diff(yy) - drift * gaps
    df = len(yy) - 2
    return SeriesMoments(drift, span, float(np.sum(shocks**2 / gaps) / df), df)


@dataclass(frozen=True)
class FamilyPrior:
    """The empirical-Bayes prior of one indicator family at one ``as_of``.

    Attributes
    ----------
    s2 : float
        Prior scale of the volatility :math:`s_0^2` (per year, model scale).
    df : float
        Prior degrees of freedom :math:`\\nu_0`.
    drift : float
        Prior mean of the drift :math:`m_0`.
    tau2 : float
        Prior variance of the drift :math:`\\tau^2`.
    n_series : int
        Series it was estimated from.
    scope : str
        The indicator id, or ``all <scale>`` for the fallback.
    measure : str
        ``snapshot`` or ``period_total``: how its series' drifts are measured
        (:data:`DRIFT_LOOKBACK_YEARS`) and whether they wander.
    wander : float
        Variance per year of the drift's own random walk :math:`\\sigma_\\zeta^2` (see
        :func:`drift_wander`); 0 for flows and where the family's figures show none.
    """

    s2: float
    df: float
    drift: float
    tau2: float
    n_series: int
    scope: str
    measure: str = "snapshot"
    wander: float = 0.0

    @property
    def lookback(self) -> float:
        """Years of figures a series' own drift is measured over."""
        return DRIFT_LOOKBACK_YEARS[self.measure]


def _inverse_trigamma(value: float) -> float:
    """x with trigamma(x) = value (Newton's method from 1/value + 1/2)."""
    x = 0.5 + 1.0 / value
    for _ in range(20):
        step = (float(polygamma(1, x)) - value) / float(polygamma(2, x))
        x = max(x - step, 1e-6)
        if abs(step) < 1e-10:
            break
    return x


def growth_changes(t: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Year-on-year changes of the annual growth over the latest run of consecutive year-ends
    (second differences of ``y``; empty with fewer than three such figures)."""
    values = year_end_run(t, y)[1]
    return np.diff(values, n=2) if len(values) >= 3 else np.empty(0)


def drift_wander(changes: list[np.ndarray]) -> float:
    """Variance per year of a drift that follows a random walk, from a family's growth changes.

    In a local linear trend, :math:`y_t = y_{t-1} + \\beta_{t-1} + \\eta_t` and
    :math:`\\beta_t = \\beta_{t-1} + \\zeta_t`, the change of annual growth
    :math:`\\Delta^2 y_t = \\zeta_{t-1} + \\eta_t - \\eta_{t-1}` has variance
    :math:`\\sigma_\\zeta^2 + 2\\sigma_\\eta^2` and first autocovariance
    :math:`-\\sigma_\\eta^2`, so :math:`\\sigma_\\zeta^2 = \\gamma_0 + 2\\gamma_1` (Harvey 1989,
    ch. 2), both moments pooled over the family's series (0 when negative or with fewer than
    :data:`MIN_WANDER_PAIRS` lag pairs).
    """
    squares = np.concatenate([d**2 for d in changes]) if changes else np.empty(0)
    pairs = [d[1:] * d[:-1] for d in changes if len(d) >= 2]
    products = np.concatenate(pairs) if pairs else np.empty(0)
    if len(products) < MIN_WANDER_PAIRS:
        return 0.0
    return max(float(np.mean(squares) + 2.0 * np.mean(products)), 0.0)


def estimate_prior(
    moments: list[SeriesMoments],
    scope: str,
    measure: str = "snapshot",
    changes: list[np.ndarray] | None = None,
) -> FamilyPrior:
    """The family prior from its series' moments (method of moments; see the module), with
    the drift's wander from their growth changes where given (stocks and ratios)."""
    with_vol = [m for m in moments if m.df > 0 and m.s2 > 0]
    log_s2 = np.log([m.s2 for m in with_vol])
    dfs = np.array([m.df for m in with_vol], dtype=float)
    s2 = float(np.exp(np.median(log_s2)))
    excess = float(np.var(log_s2, ddof=1) - np.mean(polygamma(1, dfs / 2.0)))
    low, high = PRIOR_DF_RANGE
    prior_df = high if excess <= 0 else float(np.clip(2.0 * _inverse_trigamma(excess), low, high))
    drifts = np.array([m.drift for m in moments])
    sampling = np.array([(m.s2 if m.df > 0 else s2) / m.span for m in moments])
    tau2 = max(float(np.var(drifts, ddof=1) - np.mean(sampling)), 0.1 * float(np.mean(sampling)))
    wander = 0.0 if changes is None else drift_wander(changes)
    return FamilyPrior(
        s2, prior_df, float(np.median(drifts)), tau2, len(moments), scope, measure, wander
    )


@dataclass(frozen=True)
class Posterior:
    """A series' drift and volatility after shrinkage toward its family.

    ``drift_var`` is the variance of the drift the paths draw (see the module)."""

    drift: float
    drift_var: float
    s2: float
    df: float


def posterior(own: SeriesMoments, prior: FamilyPrior) -> Posterior:
    """Shrink a series' drift and volatility toward its family prior.

    A series of two figures has one increment, which cannot tell its drift from its shock: its
    distance from the family's drift, :math:`(\\Delta y - m_0\\,\\Delta t)^2 / \\Delta t`, counts
    as one degree of freedom of its volatility, so a step far from what the family does widens
    the series' paths and weighs its own drift down instead of being taken as a trend.
    """
    own_df: float = own.df
    own_s2 = own.s2 if own.df > 0 else 0.0
    if own.df == 0:
        own_df, own_s2 = 1.0, (own.drift - prior.drift) ** 2 * own.span
    df = prior.df + own_df
    s2 = (prior.df * prior.s2 + own_df * own_s2) / df
    sampling = s2 / own.span
    weight = prior.tau2 / (prior.tau2 + sampling)
    drift = weight * own.drift + (1.0 - weight) * prior.drift
    return Posterior(drift, sampling, s2, df)


def shrunk_rw_paths(
    t: np.ndarray,
    y: np.ndarray,
    horizon: np.ndarray,
    n: int,
    rng: np.random.Generator,
    prior: FamilyPrior,
) -> np.ndarray:
    """Sample paths (``n`` × ``horizon``) of the shrunk random walk with drift.

    Each path draws :math:`\\sigma^2` from its posterior, a drift from the normal posterior
    scaled by :math:`\\sigma^2 / s^2`, then Brownian increments from the last figure.
    """
    post = posterior(series_moments(t, y, prior.lookback), prior)
    sigma2 = post.s2 * post.df / rng.chisquare(post.df, size=n)
    drift = post.drift + np.sqrt(post.drift_var * sigma2 / post.s2) * rng.standard_normal(n)
    gaps = np.diff(np.concatenate([[t[-1]], horizon]))
    paths = y[-1] + drift[:, None] * (horizon - t[-1])[None, :] + brownian_walk(sigma2, gaps, rng)
    if prior.wander > 0:
        paths += _wander_paths(gaps, prior.wander * sigma2 / prior.s2, rng)
    return paths


def brownian_walk(sigma2: np.ndarray, gaps: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Cumulative Brownian increments over successive ``gaps`` (years), one path per variance
    in ``sigma2`` (per year): shape ``(len(sigma2), len(gaps))``."""
    shocks = rng.standard_normal((len(sigma2), len(gaps)))
    return np.cumsum(np.sqrt(sigma2)[:, None] * np.sqrt(gaps)[None, :] * shocks, axis=1)


def _wander_paths(gaps: np.ndarray, wander: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """What a drift following a random walk (variance ``wander`` per year, one per path) adds to
    the level at each horizon: the integral of a Brownian motion, drawn exactly per gap."""
    draws = rng.standard_normal((len(gaps), 2, len(wander)))
    z1, z2 = draws[:, 0, :].T, draws[:, 1, :].T  # paths × gaps
    scale = np.sqrt(wander)[:, None]
    root = np.sqrt(gaps)[None, :]
    # (integral of W over a gap, increment of W): covariance [[g³/3, g²/2], [g²/2, g]]
    steps = scale * root * z2
    integrals = scale * (gaps[None, :] * root * (z2 / 2.0 + z1 / np.sqrt(12.0)))
    slope_before = np.cumsum(steps, axis=1) - steps  # the drift's change up to each gap's start
    return np.cumsum(slope_before * gaps[None, :] + integrals, axis=1)


def fallback_scope(item: Indicator) -> str:
    """The fallback prior an indicator without a family of its own uses: ``all shares`` for
    bounded percentages, else ``all <measure>``."""
    return "all shares" if scale_for(item) == "angle" else f"all {item.measure}"


def _drift_measure(item: Indicator) -> str:
    """The measure whose drift rules (:data:`DRIFT_LOOKBACK_YEARS`, :data:`WANDER_MEASURES`)
    a series of ``item`` follows: its own on the log scale; a bounded share's are a flow's
    (six years, no wander) whatever its measure, as the shares' fallback pool mixes both."""
    return "period_total" if scale_for(item) == "angle" else item.measure


def family_priors(
    observations: pd.DataFrame, as_of: dt.date, count_from: CountFrom = "release"
) -> dict[str, FamilyPrior]:
    """The prior of every indicator family from the series public at ``as_of``.

    Parameters
    ----------
    observations : DataFrame
        Tidy observations of many regions (the panel the series borrow strength from).
    as_of : datetime.date
        Only figures public by then are used.
    count_from : {"release", "period_end"}
        When a figure starts to count (see :mod:`ipindicators.data.release`).

    Returns
    -------
    dict
        Indicator id → :class:`FamilyPrior`, plus the fallbacks ``"all snapshot"``,
        ``"all period_total"`` and ``"all shares"`` (see the module and
        :func:`fallback_scope`). Indicators modelled as counts have none.
    """
    denominators = set(population_indicators())
    pools: dict[str, list[SeriesMoments]] = {}
    changes: dict[str, list[np.ndarray]] = {}
    measures: dict[str, str] = {}
    usable = usable_panel(observations, as_of, count_from)
    for (indicator_id, _), group in usable.groupby(["indicator", "region"], sort=True):
        item = indicator(str(indicator_id))
        scale = scale_for(item)
        values = group["value"].to_numpy(dtype=float)
        if scale == "count" or len(group) < 2 or (scale == "log" and (values <= 0).any()):
            continue
        t = decimal_year(group["period_end"])
        y = Scale(scale).forward(values)
        measure = _drift_measure(item)
        moments = series_moments(t, y, DRIFT_LOOKBACK_YEARS[measure])
        if moments.span <= 0:
            continue
        scopes = [item.id] if item.id in denominators else [item.id, fallback_scope(item)]
        for scope in scopes:
            measures[scope] = measure
            pools.setdefault(scope, []).append(moments)
            if measure in WANDER_MEASURES:
                changes.setdefault(scope, []).append(growth_changes(t, y))
    priors = {}
    for scope, pooled in pools.items():
        fallback = scope.startswith("all ")
        if sum(m.df > 0 for m in pooled) >= (2 if fallback else MIN_FAMILY):
            priors[scope] = estimate_prior(pooled, scope, measures[scope], changes.get(scope))
    return priors


def prior_for(priors: dict[str, FamilyPrior], indicator_id: str) -> FamilyPrior | None:
    """The family prior of an indicator, or its fallback (None if neither exists)."""
    return priors.get(indicator_id) or priors.get(fallback_scope(indicator(indicator_id)))
