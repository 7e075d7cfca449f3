"""Hindcasts: scoring rules, coverage, reproducibility and no look-ahead."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

import ipindicators as ipi
from ipindicators.models.backtest import (
    Hindcast,
    available_baselines,
    brier,
    crps,
    interval_hits,
    paired,
    score,
    summarise,
    target_hindcasts,
)
from ipindicators.models.forecast import (
    UNCALIBRATED,
    Calibration,
    _ols_line,
    forecast,
    forecast_many,
)

PER_10K = ("china", "invention_patents_per_10k")
PCT = ("china", "pct_applications")


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return ipi.observations()


def _only(frame: pd.DataFrame, *keys: tuple[str, str]) -> pd.DataFrame:
    chosen = pd.Series(False, index=frame.index)
    for region, indicator in keys:
        chosen |= (frame["region"] == region) & (frame["indicator"] == indicator)
    return frame[chosen].reset_index(drop=True)


def _synthetic(values: dict[int, float]) -> pd.DataFrame:
    """Year-end figures of one made-up series (a stock of the valid-patents indicator)."""
    ends = pd.to_datetime([f"{y}-12-31" for y in values])
    return pd.DataFrame(
        {
            "region": "testland",
            "indicator": "valid_invention_patents",
            "period_start": ends,
            "period_end": ends,
            "value": list(values.values()),
            "unit": "件",
            "origin": "user",
            "source_url": "",
        }
    )


@pytest.fixture(scope="module")
def small(obs) -> pd.DataFrame:
    return ipi.backtest(_only(obs, PER_10K, PCT), n_paths=200, seed=5)


def test_crps_is_zero_for_a_perfect_ensemble_and_grows_with_the_error():
    observed = np.array([10.0, 10.0, 10.0])
    errors = np.array([0.0, 1.0, 3.0])
    samples = np.tile(observed + errors, (500, 1))
    assert crps(observed, samples) == pytest.approx(errors)
    spread = 10.0 + np.random.default_rng(0).normal(size=(2000, 1))
    values = [crps(np.array([10.0 + e]), spread)[0] for e in (0.0, 0.5, 1.0, 2.0)]
    assert values == sorted(values) and values[0] > 0


def test_interval_hits_and_brier_on_constructed_numbers():
    samples = np.tile(np.arange(1.0, 1001.0)[:, None], (1, 4))
    observed = np.array([500.0, 80.0, 960.0, 990.0])
    assert interval_hits(observed, samples, 0.8).tolist() == [True, False, False, False]
    assert interval_hits(observed, samples, 0.95).tolist() == [True, True, True, False]
    assert brier(np.array([1.0, 0.0, 0.25]), np.array([1, 1, 0])).tolist() == [0.0, 1.0, 0.0625]


def test_score_of_a_constructed_hindcast():
    samples = np.tile(np.arange(1.0, 1001.0)[:, None], (1, 3))
    observed = np.array([500.0, 80.0, 990.0])
    made = Hindcast(
        "pool",
        "testland",
        "valid_invention_patents",
        2015,
        4,
        400.0,
        50.0,
        np.array([1, 2, 3]),
        np.array([2016, 2017, 2018]),
        observed,
        samples,
    )
    rows = score(made)
    assert rows["in80"].tolist() == [1.0, 0.0, 0.0] and rows["in95"].tolist() == [1.0, 1.0, 0.0]
    assert rows["pit"].tolist() == pytest.approx([0.4995, 0.0795, 0.9895])
    assert rows["ase"].tolist() == pytest.approx(np.abs(500.5 - observed) / 50.0)
    expected = crps(np.log(observed), np.log(samples))
    assert rows["crps_log"].tolist() == pytest.approx(expected)
    assert rows["brier"].iloc[0] == pytest.approx(
        ((0.551 - 1) ** 2 + (0.501 - 1) ** 2 + (0.451 - 0) ** 2) / 3
    )


def test_exact_growth_is_forecast_without_error_by_the_growth_rule():
    grown = _synthetic({y: 1000.0 * 1.2 ** (y - 2010) for y in range(2010, 2020)})
    scores = ipi.backtest(grown, n_paths=50, models=(), baselines=("growth_ratio",))
    assert len(scores) and np.allclose(scores["crps_log"], 0.0) and np.allclose(scores["ase"], 0.0)
    assert scores["in80"].isna().all()


def test_coverage_columns_agree_with_the_intervals(small):
    inside80 = (small["lower80"] <= small["observed"]) & (small["observed"] <= small["upper80"])
    inside95 = (small["lower95"] <= small["observed"]) & (small["observed"] <= small["upper95"])
    interval = small[small["method"] != "growth_ratio"]
    assert (interval["in80"] == inside80[interval.index].astype(float)).all()
    assert (interval["in95"] == inside95[interval.index].astype(float)).all()
    assert (interval["in80"] <= interval["in95"]).all()


def test_scale_is_the_mean_absolute_yearly_change_up_to_the_origin():
    values = {2010: 100.0, 2011: 110.0, 2012: 105.0, 2013: 125.0, 2014: 130.0}
    scores = ipi.backtest(
        _synthetic(values), horizons=[1], n_paths=50, models=(), baselines=("growth_ratio",)
    )
    row = scores.set_index("origin").loc[2013]
    assert row["scale"] == pytest.approx((10 + 5 + 20) / 3)
    expected = 125.0 * (125.0 / 100.0) ** (1 / 3)
    assert row["ase"] == pytest.approx(abs(expected - 130.0) / row["scale"])


def test_small_backtest_covers_our_models_and_every_available_baseline(obs):
    scores = ipi.backtest(_only(obs, PER_10K, PCT), n_paths=300, seed=1)
    assert set(scores["method"]) == {"pool", "trend", "rw_drift", "damped", *available_baselines()}
    assert set(scores["horizon"]) == set(range(1, 7))
    assert scores["crps_log"].notna().all() and (scores["crps_log"] >= 0).all()
    table = summarise(scores)
    assert (
        table.groupby("method")["n"].sum().to_dict() == scores["method"].value_counts().to_dict()
    )
    assert np.isnan(table.set_index("method").loc["growth_ratio", "coverage80"]).all()
    head = paired(scores).set_index("method")
    assert head.loc["linear", "n"] == len(scores[scores["method"] == "linear"])


def test_statsforecast_baselines_run_where_the_bench_extra_is_installed(obs):
    pytest.importorskip("statsforecast", reason="the bench extra (statsforecast) is not installed")
    scores = ipi.backtest(
        _only(obs, PER_10K, PCT),
        n_paths=100,
        seed=1,
        models=("pool",),
        baselines=("auto_ets", "auto_theta"),
    )
    assert set(scores["method"]) == {"pool", "auto_ets", "auto_theta"}
    head = paired(scores).set_index("method")
    assert head.loc["auto_ets", "n"] == len(scores[scores["method"] == "auto_ets"]) > 0


def test_backtest_is_reproducible_with_a_seed(obs, small):
    again = ipi.backtest(_only(obs, PER_10K, PCT), n_paths=200, seed=5)
    pd.testing.assert_frame_equal(small, again)
    other = ipi.backtest(_only(obs, PER_10K, PCT), n_paths=200, seed=6)
    assert not small["crps_log"].equals(other["crps_log"])


def test_later_figures_never_reach_an_earlier_forecast(obs, small):
    cut = pd.Timestamp("2017-12-31")
    perturbed = _only(obs, PER_10K, PCT)
    later = perturbed["period_end"] > cut
    perturbed.loc[later, "value"] *= 7.0
    after = ipi.backtest(perturbed, n_paths=200, seed=5)
    key = ["method", "region", "indicator", "origin", "horizon"]
    before, after = small.set_index(key), after.set_index(key)
    unseen = before.index[before["target_year"] <= cut.year]
    pd.testing.assert_frame_equal(before.loc[unseen], after.loc[unseen])
    earlier = before.index[before.index.get_level_values("origin") <= cut.year]
    forecast_columns = ["median", "lower80", "upper80", "lower95", "upper95", "scale"]
    pd.testing.assert_frame_equal(
        before.loc[earlier, forecast_columns], after.loc[earlier, forecast_columns]
    )
    assert not before["observed"].equals(after["observed"])


def test_growth_rule_gives_certain_probabilities(obs):
    rows = target_hindcasts(
        _only(obs, PER_10K, PCT), n_paths=100, models=("pool",), baselines=("growth_ratio",)
    )
    rule = rows[rows["method"] == "growth_ratio"]
    assert len(rule) and set(rule["probability"]) <= {0.0, 1.0}
    pool = rows[rows["method"] == "pool"]
    assert ((pool["probability"] > 0) & (pool["probability"] < 1)).any()
    assert np.allclose(rows["brier"], (rows["probability"] - rows["achieved"]) ** 2)


def test_target_probabilities_come_from_the_scored_paths(obs):
    rows = target_hindcasts(
        _only(obs, PER_10K), n_paths=200, seed=5, models=("pool",), baselines=False
    ).set_index(["target_id", "origin"])
    probability = rows.loc[("china-2020-invention-patents-per-10k-64", 2017), "probability"]
    row = (
        ipi.backtest(_only(obs, PER_10K), n_paths=200, seed=5, models=("pool",), baselines=False)
        .set_index(["origin", "target_year"])
        .loc[(2017, 2020)]
    )
    assert (row["observed"] >= 14.0) and (row["lower80"] < 14.0) == (probability < 0.9)


def test_score_gives_one_row_per_year(small):
    assert len(small) == len(
        small.drop_duplicates(["method", "region", "indicator", "origin", "horizon"])
    )


def test_unknown_methods_and_bad_horizons_are_refused(obs):
    with pytest.raises(ipi.UsageError, match="unknown method"):
        ipi.backtest(_only(obs, PER_10K), models=("prophet",))
    with pytest.raises(ipi.UsageError, match="horizons"):
        ipi.backtest(_only(obs, PER_10K), horizons=[0, 1])


# --- calibration and the closed forms behind the speed-up ----------------------------------
def test_closed_form_ols_matches_statsmodels():
    x = np.array([-3.5, -2.0, -1.25, 0.0])
    y = np.array([1.0, 2.2, 2.9, 4.1])
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    params, scale, cov, df = _ols_line(x, y)
    assert np.allclose(params, fit.params) and scale == pytest.approx(fit.scale)
    assert np.allclose(cov, fit.normalized_cov_params) and df == fit.df_resid


def test_damping_shortens_the_lead_and_spread_scales_around_the_median():
    lead = np.array([0.5, 1.0, 5.0])
    assert np.allclose(Calibration().damped_lead(lead), lead)
    damped = Calibration(phi=0.8).damped_lead(lead)
    assert (damped < lead).all() and damped[-1] < 1 / -np.log(0.8)
    values = np.array([[1.0, 1.0], [2.0, 3.0], [3.0, 5.0]])
    wider = Calibration(spread=(2.0,)).inflate(values, np.array([1, 4]))
    assert np.allclose(wider, [[0.0, -1.0], [2.0, 3.0], [4.0, 7.0]])


def test_uncalibrated_forecast_is_the_plain_model(obs):
    plain = forecast(obs, *PER_10K, 2015, 2020, n_paths=400, seed=2, calibrated=False)
    explicit = forecast(obs, *PER_10K, 2015, 2020, n_paths=400, seed=2, calibrated=UNCALIBRATED)
    assert np.array_equal(plain.paths, explicit.paths)
    calibrated = forecast(obs, *PER_10K, 2015, 2020, n_paths=400, seed=2)
    assert np.array_equal(calibrated.at(2015), plain.at(2015))
    assert not np.array_equal(calibrated.at(2020), plain.at(2020))


def _last_value(fc) -> float:
    return float(fc.observations["value"].iloc[-1])


def test_forecast_many_gives_each_series_its_own_forecast_in_and_out_of_process(obs):
    keys = [PER_10K, PCT, ("anhui", "invention_patents_per_10k"), PER_10K]
    single = [forecast(obs, *key, 2016, 2020, n_paths=300, seed=4) for key in keys]
    many = forecast_many(obs, keys, 2016, 2020, n_paths=300, seed=4)
    assert all(np.array_equal(a.paths, b.paths) for a, b in zip(single, many))
    reduced = forecast_many(
        obs, keys, 2016, 2020, n_paths=300, seed=4, reduce=_last_value, n_jobs=2
    )
    assert reduced == [_last_value(fc) for fc in single]


def test_an_empty_forecast_says_why_when_asked_for_a_year(obs):
    fc = forecast(obs, "hangzhou", "ip_pledge_financing", 2026, 2026)
    with pytest.raises(ipi.UsageError, match="one observation"):
        fc.at(2026)


def test_cli_backtest_prints_one_row_per_method(capsys):
    import json

    from ipindicators.cli import main

    assert main(["backtest", "--overall", "--paths", "20", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["method"] for r in rows][:3] == ["pool", "trend", "rw_drift"]
    assert {"n", "crps_log", "coverage80", "coverage95", "mase", "brier"} <= set(rows[0])


def test_statsforecast_baselines_without_statsforecast_say_how_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "statsforecast" else real(name, *a),
    )
    with pytest.raises(ipi.UsageError, match=r"ipindicators\[bench\]"):
        ipi.backtest(baselines=("auto_ets",))
