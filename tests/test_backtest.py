"""Out-of-time evaluation: scores, recalibration without look-ahead, reproducibility."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy.stats import norm

import ipindicators as ipi
from ipindicators.catalog.indicators import indicator
from ipindicators.catalog.targets import all_targets
from ipindicators.models.backtest import (
    _assessable,
    available_baselines,
    brier_summary,
    brier_versus,
    hindcasts,
    out_of_time,
    paired,
    reliability,
    score,
    summarise,
    target_hindcasts,
)
from ipindicators.models.calibration import (
    LEVELS,
    MIN_CASES,
    Calibration,
    fit_calibration,
    quantile_score,
    shipped_vintages,
)
from ipindicators.models.forecast import forecast, forecast_many
from ipindicators.models.methods import _ols_line

PER_10K = ("china", "invention_patents_per_10k")
PCT = ("china", "pct_applications")


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return ipi.observations()


def _only(frame: pd.DataFrame, *keys: tuple[str, str]) -> pd.DataFrame:
    chosen = pd.Series(False, index=frame.index)
    for region, indicator_id in keys:
        chosen |= (frame["region"] == region) & (frame["indicator"] == indicator_id)
    return frame[chosen].reset_index(drop=True)


def _panel(frame: pd.DataFrame) -> pd.DataFrame:
    """Every region's valid invention patents: enough hindcasts to calibrate on."""
    return frame[frame["indicator"] == "valid_invention_patents"].reset_index(drop=True)


@pytest.fixture(scope="module")
def made(obs):
    return hindcasts(
        _panel(obs), n_paths=100, seed=3, models=("rw_shrunk",), baselines=("growth_ratio",)
    )


@pytest.fixture(scope="module")
def calibrated(made):
    return out_of_time(made)


# --- scoring rules --------------------------------------------------------------------------
def test_quantile_score_approximates_the_crps_of_a_normal():
    observed = np.array([0.0, 0.5, 2.0])
    quantiles = np.tile(norm.ppf(LEVELS), (3, 1))
    exact = [x * (2 * norm.cdf(x) - 1) + 2 * norm.pdf(x) - 1 / np.sqrt(np.pi) for x in observed]
    assert quantile_score(quantiles, observed) == pytest.approx(exact, rel=0.02)


def test_calibration_recovers_a_known_spread_and_growth():
    rng = np.random.default_rng(0)
    n = 4000
    last = np.zeros(n)
    # forecasts expect growth 1.0 with spread 0.1; outcomes grow 0.5 with spread 0.2
    quantiles = 1.0 + 0.1 * np.tile(norm.ppf(LEVELS), (n, 1))
    observed = 0.5 + 0.2 * rng.standard_normal(n)
    cal = fit_calibration(quantiles, last, observed, np.ones(n, dtype=int))
    assert cal.cases == (n,)
    assert cal.growth[0] == pytest.approx(0.5, abs=0.05)
    assert cal.spread[0] == pytest.approx(2.0, abs=0.1)


def test_a_half_life_lets_recent_outcomes_set_the_growth():
    rng = np.random.default_rng(2)
    n = 2000
    quantiles = 1.0 + 0.1 * np.tile(norm.ppf(LEVELS), (2 * n, 1))
    # old outcomes grew 0.4 of what was expected, recent ones all of it
    observed = np.concatenate([np.full(n, 0.4), np.full(n, 1.0)]) + 0.1 * rng.standard_normal(
        2 * n
    )
    age = np.concatenate([np.full(n, 12.0), np.zeros(n)])
    lead, last = np.ones(2 * n, dtype=int), np.zeros(2 * n)
    equal = fit_calibration(quantiles, last, observed, lead)
    recent = fit_calibration(quantiles, last, observed, lead, age=age, half_life=1.0)
    assert equal.growth[0] == pytest.approx(0.7, abs=0.1)
    assert recent.growth[0] == pytest.approx(1.0, abs=0.05)


def test_calibration_stops_at_the_first_lead_without_enough_cases():
    rng = np.random.default_rng(1)
    lead = np.array([1] * MIN_CASES + [2] * (MIN_CASES - 1) + [3] * MIN_CASES)
    quantiles = np.tile(norm.ppf(LEVELS), (len(lead), 1))
    cal = fit_calibration(quantiles, np.zeros(len(lead)), rng.standard_normal(len(lead)), lead)
    assert cal.cases == (MIN_CASES,)
    assert fit_calibration(quantiles[:10], np.zeros(10), np.zeros(10), lead[:10]).identity


def test_calibration_moves_growth_and_spread_around_the_median():
    values = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]])
    cal = Calibration(growth=(0.5, 0.5), spread=(2.0, 1.0), cases=(100, 100))
    moved = cal.apply(values, last=0.0, lead=np.array([1.0, 2.0]))
    assert np.allclose(moved, [[-1.0, 0.0], [1.0, 2.0], [3.0, 4.0]])
    assert Calibration().apply(values, 0.0, np.array([1.0, 2.0])) is values


def test_scores_agree_with_the_quantiles(calibrated):
    scores = score(calibrated)
    interval = scores[scores["method"] != "growth_ratio"]
    inside = (interval["lower80"] <= interval["observed"]) & (
        interval["observed"] <= interval["upper80"]
    )
    assert (interval["in80"] == inside.astype(float)).all()
    assert (interval["in80"] <= interval["in95"]).all()
    assert scores[scores["method"] == "growth_ratio"]["in80"].isna().all()
    assert (scores["crps_log"] >= 0).all()


# --- out of time ----------------------------------------------------------------------------
def test_calibration_at_an_origin_uses_only_outcomes_public_by_then(made, calibrated):
    cut = dt.date(2019, 3, 31)
    changed = made.rows["outcome_known"] > cut
    assert changed.any() and (~changed).any()
    perturbed = made.rows.copy()
    perturbed.loc[changed, "observed"] *= 3.0
    from dataclasses import replace

    again = out_of_time(replace(made, rows=perturbed))
    early = (calibrated.rows["as_of"] <= cut).to_numpy()
    assert early.any()
    assert np.array_equal(
        calibrated.quantiles[early], again.quantiles[(again.rows["as_of"] <= cut).to_numpy()]
    )
    late = (calibrated.rows["as_of"] > dt.date(2021, 3, 31)).to_numpy()
    later = (again.rows["as_of"] > dt.date(2021, 3, 31)).to_numpy()
    assert not np.array_equal(calibrated.quantiles[late], again.quantiles[later])


def test_only_forecasts_with_calibration_are_scored(made, calibrated):
    assert len(calibrated.rows) < len(made.rows)
    rows = calibrated.rows
    assert rows["cal_growth"].notna().all()
    own = rows["cal_cases"] > 0
    assert (rows.loc[own, "cal_cases"] >= MIN_CASES).all()
    # a lead without factors of its own borrows the longest fitted lead's, as production does
    rows = rows.assign(measure=[indicator(i).measure for i in rows["indicator"]])
    keys = ["method", "measure", "origin", "as_of"]
    borrowed = rows[~own.to_numpy()]
    fitted = rows[own.to_numpy()].groupby(keys)["lead"].max()
    longest = fitted.reindex(pd.MultiIndex.from_frame(borrowed[keys]))
    assert (borrowed["lead"].to_numpy() > longest.to_numpy()).all()
    first = calibrated.rows.groupby("method")["origin"].min()
    assert (first > made.rows.groupby("method")["origin"].min()).all()


def test_later_figures_never_reach_an_earlier_forecast(obs, made):
    cut = pd.Timestamp("2017-12-31")
    perturbed = _panel(obs)
    perturbed.loc[perturbed["period_end"] > cut, "value"] *= 7.0
    after = hindcasts(
        perturbed, n_paths=100, seed=3, models=("rw_shrunk",), baselines=("growth_ratio",)
    )
    before_rows = (made.rows["as_of"] < dt.date(2018, 1, 1)).to_numpy()
    after_rows = (after.rows["as_of"] < dt.date(2018, 1, 1)).to_numpy()
    assert before_rows.any()
    assert np.array_equal(made.quantiles[before_rows], after.quantiles[after_rows])


def test_hindcasts_are_reproducible_with_a_seed(obs, made):
    again = hindcasts(
        _panel(obs), n_paths=100, seed=3, models=("rw_shrunk",), baselines=("growth_ratio",)
    )
    pd.testing.assert_frame_equal(made.rows, again.rows)
    assert np.array_equal(made.quantiles, again.quantiles)
    other = hindcasts(_panel(obs), n_paths=100, seed=4, models=("rw_shrunk",), baselines=False)
    mine = made.subset((made.rows["method"] == "rw_shrunk").to_numpy())
    assert not np.array_equal(mine.quantiles, other.quantiles)


def test_parallel_hindcasts_equal_the_serial_ones(obs):
    frame = _panel(obs)
    frame = frame[frame["region"].isin(["anhui", "beijing", "gansu"])]
    serial = hindcasts(frame, n_paths=50, models=("rw_shrunk",), baselines=("rw_gauss",))
    parallel = hindcasts(
        frame, n_paths=50, models=("rw_shrunk",), baselines=("rw_gauss",), n_jobs=2
    )
    pd.testing.assert_frame_equal(serial.rows, parallel.rows)
    assert np.array_equal(serial.quantiles, parallel.quantiles)


def test_no_80_percent_interval_collapses_at_two_or_more_years(calibrated):
    scores = score(calibrated)
    shrunk = scores[(scores["method"] == "rw_shrunk") & (scores["horizon"] >= 2)]
    assert len(shrunk) and (shrunk["narrow80"] == 0).all()


# --- summaries ------------------------------------------------------------------------------
def test_summaries_give_bootstrap_intervals_around_the_mean(calibrated):
    scores = score(calibrated)
    table = summarise(scores).set_index("method")
    row = table.loc["rw_shrunk"]
    assert row["crps_low"] <= row["crps_log"] <= row["crps_high"]
    assert row["coverage80_low"] <= row["coverage80"] <= row["coverage80_high"]
    assert np.isnan(table.loc["growth_ratio", "coverage80"])
    head = paired(scores, "rw_shrunk", n_boot=100).set_index("method")
    both = scores.pivot_table(
        index=["region", "indicator", "origin", "horizon"], columns="method", values="crps_log"
    ).dropna()
    assert head.loc["growth_ratio", "n"] == len(both)
    assert head.loc["growth_ratio", "crps_ratio"] == pytest.approx(
        both["rw_shrunk"].mean() / both["growth_ratio"].mean()
    )


def test_real_targets_get_probabilities_from_the_same_forecasts(obs):
    per_10k = obs[obs["indicator"] == "invention_patents_per_10k"]
    made = hindcasts(
        per_10k, n_paths=200, seed=5, models=("rw_shrunk",), baselines=("growth_ratio",)
    )
    rows = target_hindcasts(made)
    assert len(rows)
    rule = rows[rows["method"] == "growth_ratio"]
    assert set(rule["probability"]) <= {0.0, 1.0}
    assert np.allclose(rows["brier"], (rows["probability"] - rows["achieved"]) ** 2)
    one = rows[rows["target_id"] == "china-2020-invention-patents-per-10k-64"].iloc[0]
    at = made.rows.index[
        (made.rows["method"] == one["method"])
        & (made.rows["region"] == "china")
        & (made.rows["origin"] == one["origin"])
        & (made.rows["target_year"] == 2020)
    ][0]
    assert one["probability"] == pytest.approx((made.quantiles[at] >= np.log(14.0)).mean())
    summary = brier_summary(rows, n_boot=50).set_index("method")
    assert summary.loc["rw_shrunk", "targets"] == rows["target_id"].nunique()
    bands = reliability(rows, "rw_shrunk")
    assert bands["n"].sum() == (rows["method"] == "rw_shrunk").sum()


def test_unknown_methods_and_bad_horizons_are_refused(obs):
    with pytest.raises(ipi.UsageError, match="unknown method"):
        hindcasts(_only(obs, PER_10K), models=("prophet",))
    with pytest.raises(ipi.UsageError, match="horizons"):
        hindcasts(_only(obs, PER_10K), horizons=[0, 1])
    with pytest.raises(ipi.UsageError, match="count_from"):
        hindcasts(_only(obs, PER_10K), count_from="tomorrow")


def test_statsforecast_baselines_run_where_the_bench_extra_is_installed(obs):
    pytest.importorskip("statsforecast", reason="the bench extra (statsforecast) is not installed")
    made = hindcasts(
        _only(obs, PER_10K, PCT),
        n_paths=100,
        seed=1,
        models=("rw_shrunk",),
        baselines=("auto_ets", "auto_theta"),
    )
    assert {"auto_ets", "auto_theta"} <= set(made.rows["method"])


def test_statsforecast_baselines_without_statsforecast_say_how_to_install(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util,
        "find_spec",
        lambda name, *a: None if name == "statsforecast" else real(name, *a),
    )
    assert "auto_ets" not in available_baselines()
    with pytest.raises(ipi.UsageError, match=r"ipindicators\[bench\]"):
        hindcasts(baselines=("auto_ets",))


# --- forecasts ------------------------------------------------------------------------------
def test_closed_form_ols_matches_statsmodels():
    x = np.array([-3.5, -2.0, -1.25, 0.0])
    y = np.array([1.0, 2.2, 2.9, 4.1])
    fit = sm.OLS(y, sm.add_constant(x)).fit()
    params, scale, cov, df = _ols_line(x, y)
    assert np.allclose(params, fit.params) and scale == pytest.approx(fit.scale)
    assert np.allclose(cov, fit.normalized_cov_params) and df == fit.df_resid


def test_shipped_calibration_changes_only_future_years(obs):
    shipped = {key: v[-1].calibration for key, v in shipped_vintages().items()}
    methods = {"rw_shrunk", "pool", "rw_drift"}
    assert {(m, k) for m in methods for k in ("snapshot", "period_total")} <= set(shipped)
    assert all(len(c.growth) == len(c.spread) == len(c.cases) >= 1 for c in shipped.values())
    plain = forecast(obs, *PER_10K, 2015, 2020, n_paths=400, seed=2, calibrated=False)
    explicit = forecast(obs, *PER_10K, 2015, 2020, n_paths=400, seed=2, calibrated=Calibration())
    assert np.array_equal(plain.paths, explicit.paths)
    calibrated = forecast(obs, *PER_10K, 2015, 2020, n_paths=400, seed=2)
    assert np.array_equal(calibrated.at(2013), plain.at(2013))
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


def test_a_vintage_fitted_on_later_outcomes_changes_no_past_assessment(monkeypatch):
    from dataclasses import replace

    from ipindicators.models import calibration

    past = dt.date(2019, 6, 30)
    shipped = calibration.shipped_vintages()
    used = calibration.shipped_vintage("rw_shrunk", "snapshot", past)
    newest = shipped[("rw_shrunk", "snapshot")][-1].known_by
    assert used is not None and used.known_by <= past < newest
    before_past = ipi.assess("liaoning", past, n_paths=200).frame()
    today = dt.date.today()
    obs = ipi.observations()
    before_now = forecast(obs, *PER_10K, today, today.year + 4, n_paths=200, seed=1)
    wild = Calibration((1.5,) * 6, (3.0,) * 6, (100,) * 6)
    later = {
        key: tuple(v if v.known_by <= past else replace(v, calibration=wild) for v in vintages)
        for key, vintages in shipped.items()
    }
    monkeypatch.setattr(calibration, "shipped_vintages", lambda: later)
    pd.testing.assert_frame_equal(ipi.assess("liaoning", past, n_paths=200).frame(), before_past)
    now = forecast(obs, *PER_10K, today, today.year + 4, n_paths=200, seed=1)
    assert not np.array_equal(now.paths, before_now.paths)  # today, the later vintage is used


def test_before_the_first_vintage_a_forecast_is_uncalibrated(obs):
    from ipindicators.models.calibration import shipped_vintages

    first = shipped_vintages()[("rw_shrunk", "snapshot")][0].known_by
    early = first - dt.timedelta(days=1)
    if early.year < 2011:
        pytest.skip(f"the first vintage ({first}) leaves no figure before it")
    shipped = forecast(obs, *PER_10K, early, early.year + 3, n_paths=200, seed=1)
    plain = forecast(obs, *PER_10K, early, early.year + 3, n_paths=200, seed=1, calibrated=False)
    assert np.array_equal(shipped.paths, plain.paths)


def test_brier_versus_pairs_the_probabilities_both_methods_gave():
    rows = pd.DataFrame(
        {
            "target_id": ["a", "a", "b", "a", "a", "c"],
            "origin": [2015, 2016, 2015, 2015, 2016, 2015],
            "region": ["x", "x", "y", "x", "x", "z"],
            "method": ["rw_shrunk"] * 3 + ["rw_gauss"] * 3,
            "brier": [0.01, 0.04, 0.09, 0.25, 0.16, 0.5],
        }
    )
    table = brier_versus(rows, "rw_shrunk", n_boot=50).set_index("method")
    # only target a at 2015 and 2016 is shared: (0.01 - 0.25 + 0.04 - 0.16) / 2
    assert table.loc["rw_gauss", "n"] == 2 and table.loc["rw_gauss", "targets"] == 1
    assert table.loc["rw_gauss", "difference"] == pytest.approx(-0.18)
    assert table.loc["rw_gauss", "diff_low"] <= -0.18 <= table.loc["rw_gauss", "diff_high"]


def test_every_year_targets_are_scored_on_their_target_year_like_levels():
    kinds = {t.basis: t for t in all_targets() if t.indicator and t.value and t.year}
    assert _assessable(kinds["every_year"]) and _assessable(kinds["level"])
    assert not _assessable(kinds["cumulative"])
