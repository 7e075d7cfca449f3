"""The family priors of ``rw_shrunk``: the drift's wander and how drifts are measured."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import ipindicators as ipi
from ipindicators.models.pooling import (
    DRIFT_LOOKBACK_YEARS,
    MIN_WANDER_PAIRS,
    drift_wander,
    family_priors,
    growth_changes,
    posterior,
    series_moments,
    shrunk_rw_paths,
)


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return ipi.observations()


def _local_linear_trend(rng, n_series, n_years, level_var, slope_var):
    """Year-end series of a local linear trend on the log scale (times as decimal years)."""
    t = 2001.0 + np.arange(n_years)
    panel = []
    for _ in range(n_series):
        slope = 0.2 + np.sqrt(slope_var) * np.cumsum(rng.standard_normal(n_years))
        steps = np.concatenate([[0.0], slope[:-1]]) + np.sqrt(level_var) * rng.standard_normal(
            n_years
        )
        panel.append((t, np.cumsum(steps)))
    return panel


@pytest.mark.parametrize("slope_var", [0.0, 0.001, 0.004])
def test_drift_wander_recovers_the_slope_variance_of_a_local_linear_trend(slope_var):
    rng = np.random.default_rng(7)
    panel = _local_linear_trend(rng, 300, 12, level_var=0.0005, slope_var=slope_var)
    estimate = drift_wander([growth_changes(t, y) for t, y in panel])
    assert estimate == pytest.approx(slope_var, abs=0.0003)


def test_growth_changes_use_the_latest_run_of_year_ends_only():
    t = np.array([2001.0, 2002.0, 2003.5, 2005.0, 2006.0, 2007.0, 2008.0])
    y = np.array([0.0, 1.0, 5.0, 3.0, 4.0, 6.0, 9.0])
    # the run is 2005-2008 (2004 is missing; 2003.5 is not a year-end): growth 1, 2, 3
    assert growth_changes(t, y) == pytest.approx([1.0, 1.0])
    assert growth_changes(t[:3], y[:3]).size == 0


def test_too_few_growth_changes_give_no_wander():
    changes = [np.array([0.1, -0.1])] * (MIN_WANDER_PAIRS - 1)
    assert drift_wander(changes) == 0.0
    assert drift_wander([]) == 0.0


def test_stocks_wander_and_use_their_whole_record_while_flows_do_not(obs):
    priors = family_priors(obs, dt.date(2024, 6, 30))
    stock, flow = priors["valid_invention_patents"], priors["patent_applications"]
    assert stock.wander > 0 and stock.lookback == DRIFT_LOOKBACK_YEARS["snapshot"] == np.inf
    assert flow.wander == 0.0 and flow.lookback == DRIFT_LOOKBACK_YEARS["period_total"] == 6
    assert priors["all snapshot"].wander > 0


def test_a_wandering_drift_widens_far_leads_more_than_near_ones(obs):
    prior = family_priors(obs, dt.date(2024, 6, 30))["valid_invention_patents"]
    t = 2015.0 + np.arange(9)
    y = np.log(1000.0) + 0.15 * np.arange(9)
    horizon = t[-1] + np.arange(1, 8)

    def widths(chosen):
        paths = shrunk_rw_paths(t, y, horizon, 20000, np.random.default_rng(3), chosen)
        low, high = np.quantile(paths, [0.1, 0.9], axis=0)
        return high - low

    still, wandering = widths(replace(prior, wander=0.0)), widths(prior)
    growth = wandering / still
    assert growth[0] < 1.1  # one year ahead the wander adds little
    assert growth[-1] > growth[2] > growth[0] * 1.2  # seven years ahead it dominates


def test_one_step_far_from_the_family_widens_the_series_instead_of_becoming_its_trend(obs):
    prior = family_priors(obs, dt.date(2024, 6, 30))["valid_invention_patents"]
    t = np.array([2022.0, 2023.0])
    usual = np.log([1000.0, 1000.0 * np.exp(prior.drift)])
    odd = np.log([1000.0, 1000.0 * np.exp(prior.drift + 0.8)])
    common, far = (posterior(series_moments(t, y, prior.lookback), prior) for y in (usual, odd))
    assert far.s2 > 3 * common.s2
    assert common.drift == pytest.approx(prior.drift)
    # without the step counted as volatility, the weight on its own drift would be this
    naive = prior.tau2 / (prior.tau2 + common.s2)
    assert far.drift - prior.drift < 0.5 * naive * 0.8
