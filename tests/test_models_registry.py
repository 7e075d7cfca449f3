"""Adding a model is one class and one registry line: forecasts, assessments and hindcasts
then take it by name."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import ipindicators as ipi
from ipindicators.errors import UsageError
from ipindicators.models import registry
from ipindicators.models.backtest import hindcasts
from ipindicators.models.protocol import SeriesData


@dataclass(frozen=True)
class LastFigure:
    """A toy model: every path stays at the last figure."""

    name: str = "last_figure"
    pooled: bool = False
    needs_prior: bool = False

    def supports(self, series: SeriesData) -> bool:
        return series.scale == "log" and len(series.t) >= 2

    def sample(self, series, horizon, n, rng):
        return np.full((n, len(horizon)), series.y[-1])


@pytest.fixture
def with_toy(monkeypatch):
    monkeypatch.setattr(registry, "_MODELS", dict(registry._MODELS))
    registry.register(LastFigure())  # the one line
    return LastFigure.name


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return ipi.observations()


def test_a_registered_model_forecasts_by_its_name(with_toy, obs):
    fc = ipi.forecast(obs, "liaoning", "valid_invention_patents", 2019, 2022, 50, models=with_toy)
    last = float(fc.observations["value"].iloc[-1])
    assert fc.model_names == (with_toy,)
    assert np.allclose(fc.at(2022), last, rtol=1e-12)


def test_a_registered_model_assesses_targets(with_toy, obs):
    assessment = ipi.assess("liaoning", 2019, n_paths=50, models=with_toy, observations=obs)
    judged = [t for t in assessment if t.forecast is not None]
    assert judged and all(t.forecast.model_names == (with_toy,) for t in judged)
    # a point forecast: every probability is 0 or 1
    assert {t.probability for t in judged} <= {0.0, 1.0}


def test_the_hindcasts_score_a_registered_model(with_toy, obs):
    panel = obs[obs["indicator"] == "valid_invention_patents"].reset_index(drop=True)
    made = hindcasts(panel, horizons=[1, 2], n_paths=20, models=(with_toy,), baselines=False)
    assert set(made.rows["method"]) == {with_toy}
    # its median is the last figure at every lead
    assert np.allclose(made.quantiles[:, made.quantiles.shape[1] // 2], np.log(made.rows["last"]))


def test_a_name_is_registered_once(with_toy):
    with pytest.raises(UsageError, match="already registered"):
        registry.register(LastFigure())
    with pytest.raises(UsageError, match="unknown model 'nothing'"):
        ipi.forecast(
            ipi.observations(),
            "china",
            "valid_invention_patents",
            2020,
            2021,
            20,
            models="nothing",
        )
