"""Forecast paths and target assessment: reproducibility, as_of discipline, sound summaries."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

import ipindicators as ipi
from ipindicators.cli import main
from ipindicators.models.assess import assess, growth_status
from ipindicators.models.forecast import forecast
from ipindicators.models.series import decimal_year


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return ipi.observations()


def test_decimal_year_puts_year_ends_on_integers():
    times = decimal_year(pd.to_datetime(["2020-12-31", "2014-09-30", "2016-06-30"]))
    assert times[0] == 2021.0
    assert 2014.74 < times[1] < 2014.76 and 2016.49 < times[2] < 2016.51


def test_same_seed_same_paths_and_other_seed_other_paths(obs):
    a = forecast(obs, "china", "invention_patents_per_10k", 2015, 2020, seed=3)
    b = forecast(obs, "china", "invention_patents_per_10k", 2015, 2020, seed=3)
    c = forecast(obs, "china", "invention_patents_per_10k", 2015, 2020, seed=4)
    assert np.array_equal(a.paths, b.paths) and not np.array_equal(a.paths, c.paths)


def test_observed_year_ends_are_fixed_and_future_is_uncertain(obs):
    fc = forecast(obs, "china", "invention_patents_per_10k", "2016-06-30", 2020, seed=0)
    assert np.all(fc.at(2015) == pytest.approx(6.3))
    future = fc.at(2020)
    assert future.std() > 0 and np.all(future > 0)
    summary = fc.summary()
    assert (summary["q0.1"] <= summary["q0.5"]).all() and (
        summary["q0.5"] <= summary["q0.9"]
    ).all()


def test_pool_splits_paths_between_supported_models(obs):
    fc = forecast(
        obs, "china", "invention_patents_per_10k", 2015, 2020, n_paths=1001, models="pool"
    )
    assert fc.paths.shape[0] == 1001
    assert set(fc.models) == set(fc.model_names) and len(fc.model_names) >= 2
    single = forecast(obs, "china", "invention_patents_per_10k", 2015, 2020, models="rw_drift")
    assert set(single.models) == {"rw_drift"}


def test_one_observation_gives_no_forecast_and_says_so(obs):
    fc = forecast(obs, "hangzhou", "ip_pledge_financing", 2026, 2026)
    assert not fc.ok and "one observation" in fc.message


def test_two_observations_give_wider_intervals_than_many(obs):
    many = forecast(obs, "china", "invention_patents_per_10k", "2016-06-30", 2020, seed=0)
    series = (obs.region == "china") & (obs.indicator == "invention_patents_per_10k")
    keep = obs.period_end.isin(pd.to_datetime(["2014-12-31", "2015-12-31"]))
    cut = obs[~series | keep]
    two = forecast(cut, "china", "invention_patents_per_10k", "2016-06-30", 2020, seed=0)
    assert len(two.observations) == 2

    def width(fc):
        low, high = np.quantile(fc.at(2020), [0.1, 0.9])
        return np.log(high / low)

    assert width(two) > width(many)


def test_nothing_after_as_of_changes_the_assessment(obs):
    before = assess("china", 2015, observations=obs, n_paths=500).frame()
    perturbed = obs.copy()
    later = perturbed["period_end"] > pd.Timestamp("2015-12-31")
    perturbed.loc[later, "value"] = perturbed.loc[later, "value"] * 7.0
    after = assess("china", 2015, observations=perturbed, n_paths=500).frame()
    pd.testing.assert_frame_equal(before, after)


def test_later_data_do_change_a_later_assessment(obs):
    perturbed = obs.copy()
    later = perturbed["period_end"] > pd.Timestamp("2015-12-31")
    perturbed.loc[later, "value"] = perturbed.loc[later, "value"] * 7.0
    a = assess("china", 2020, observations=obs, n_paths=500).frame()
    b = assess("china", 2020, observations=perturbed, n_paths=500).frame()
    assert not a["median_forecast"].equals(b["median_forecast"])


def test_assessment_is_reproducible(obs):
    a = assess("liaoning", 2015, observations=obs, n_paths=500, seed=9).frame()
    b = assess("liaoning", 2015, observations=obs, n_paths=500, seed=9).frame()
    pd.testing.assert_frame_equal(a, b)


def test_past_target_with_a_known_outcome_is_achieved_or_missed(obs):
    table = assess("china", 2024, observations=obs, n_paths=200).frame().set_index("target_id")
    assert table.loc["china-2015-invention-patents-per-10k", "status"] == "achieved"
    # 2020 PCT applications were 7.2万件, below the 75,000 of the 2014-2020 action plan
    assert table.loc["china-2020-pct-applications-64", "status"] == "missed"
    assert table.loc["china-2020-pct-applications-64", "probability"] == 0.0


def test_probability_for_a_future_target_is_between_zero_and_one(obs):
    row = (
        assess("china", 2015, observations=obs, n_paths=500)
        .frame()
        .set_index("target_id")
        .loc["china-2020-pct-applications-64"]
    )
    assert 0.0 < row["probability"] < 1.0
    assert row["status"] == growth_status(row["observed_cagr"] / row["required_cagr"])
    low, high = row["interval_80_low"], row["interval_80_high"]
    assert low < row["median_forecast"] < high


def test_regions_without_data_report_no_data_with_reasons(obs):
    table = assess("haidong", observations=obs).frame()
    assert (table["status"] == "no_data").all() and table["probability"].isna().all()
    assert (table["reason"] != "").all()
    assert set(table["reason_code"]) == {"no_figure"} and set(table["verdict"]) == {"no data"}
    doc003 = assess("nantong_doc003", observations=obs).frame().set_index("target_id")
    own = doc003[~doc003["inherited"]]
    relative = own[own["reason_code"] == "relative"]
    programme = own[own["reason_code"] == "programme"]
    assert len(relative) == 1 and len(programme) == len(own) - 1
    assert (programme["verdict"] == "programme target").all()
    assert programme["reason"].str.startswith("no public statistic measures it").all()
    assert relative["verdict"].tolist() == ["not assessed"]
    assert relative["reason"].iloc[0] == (
        "a relative target (compared with GDP growth); relative targets are not assessed yet: "
        "it needs the region's yearly figures of both Growth of public IP funding and GDP growth"
    )


def test_inherited_targets_are_flagged(obs):
    table = assess("beijing", 2016, observations=obs, n_paths=200).frame()
    assert table["inherited"].all() and set(table["target_region"]) == {"china"}


def test_growth_status_thresholds():
    assert [growth_status(r) for r in (1.2, 0.95, 0.8, 0.6, 0.3, 0.0, -0.1)] == [
        "on_track",
        "on_track",
        "acceleration_needed",
        "acceleration_needed",
        "limited_progress",
        "limited_progress",
        "moving_away",
    ]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["assess", "--region", "atlantis"], "unknown region"),
        (["assess", "--region", "hangzhou", "--as-of", "2005"], "before any figure"),
        (["assess", "--region", "china", "--models", "trend", "--paths", "5"], "n_paths"),
    ],
)
def test_bad_calls_give_a_message_not_a_traceback(capsys, argv, fragment):
    assert main(argv) == 2
    assert fragment in capsys.readouterr().err


def test_forecast_rejects_an_end_before_as_of(obs):
    with pytest.raises(ipi.UsageError, match="until must be a year from the as_of year 2015"):
        forecast(obs, "china", "invention_patents_per_10k", 2015, 2014)
    with pytest.raises(ipi.UsageError, match="unknown indicator"):
        forecast(obs, "china", "patents_per_cat", 2015, 2020)
    with pytest.raises(ipi.UsageError, match="is public by 2000-01-01"):
        forecast(obs, "china", "invention_patents_per_10k", dt.date(2000, 1, 1), 2020)


def test_cli_assess_json_has_the_documented_keys(capsys):
    import json

    assert (
        main(
            [
                "assess",
                "--region",
                "liaoning",
                "--as-of",
                "2015",
                "--paths",
                "200",
                "--format",
                "json",
            ]
        )
        == 0
    )
    rows = json.loads(capsys.readouterr().out)
    keys = {
        "target_id",
        "region",
        "indicator",
        "target_value",
        "target_year",
        "comparator",
        "as_of",
        "n_obs",
        "last_period",
        "last_value",
        "probability",
        "status",
        "observed_cagr",
        "required_cagr",
        "median_forecast",
        "interval_80_low",
        "interval_80_high",
        "expected_year",
    }
    assert keys <= set(rows[0])
    per_10k = next(r for r in rows if r["target_id"] == "liaoning-2020-invention-patents-per-10k")
    assert 0 <= per_10k["probability"] <= 1


def test_one_figure_already_meeting_a_level_target_is_on_track_without_probability(obs):
    # a made-up single figure above the 2020 target of 36, dated before the target year
    mine = (obs["region"] == "hangzhou") & (obs["indicator"] == "invention_patents_per_10k")
    one = obs[mine].iloc[:1].assign(period_end=pd.Timestamp("2018-12-31"), value=40.0)
    frame = pd.concat([obs[~mine], one], ignore_index=True)
    row = (
        assess("hangzhou", 2019, n_paths=100, observations=frame, combine="replace")
        .frame()
        .iloc[0]
    )
    assert row["target_id"] == "hangzhou-2020-invention-patents-per-10k"
    assert row["n_obs"] == 1 and row["last_value"] > 36
    assert row["status"] == "on_track" and pd.isna(row["probability"])
    assert "one observation" in row["reason"]


def test_part_year_flows_are_said_to_be_part_year(obs):
    table = assess("hangzhou", n_paths=100, observations=obs).frame().set_index("target_id")
    row = table.loc["hangzhou-2020-technology-market-turnover"]
    assert row["status"] == "no_data" and "part-year" in row["reason"]


@pytest.mark.parametrize(
    ("region", "target_id", "cumulative_from"),
    [
        ("china", "china-2020-invention-patents-per-10k-64", None),
        ("hangzhou", "hangzhou-2020-ip-pledge-financing", 2016),
    ],
)
def test_a_custom_target_is_assessed_like_the_same_catalog_target(
    region, target_id, cumulative_from
):
    item = ipi.target(target_id)
    catalog = ipi.assess(region, 2021, n_paths=300).frame().set_index("target_id").loc[target_id]
    custom = (
        ipi.assess_target(
            region,
            item.indicator,
            item.goal(),
            item.year,
            item.comparator,
            as_of=2021,
            cumulative_from=cumulative_from,
            n_paths=300,
        )
        .frame()
        .iloc[0]
    )
    assert custom["target_id"] == "custom"
    for column in ("probability", "status", "median_forecast", "last_value", "basis"):
        assert custom[column] == catalog[column] or (
            pd.isna(custom[column]) and pd.isna(catalog[column])
        ), column


def test_custom_targets_on_the_command_line(capsys):
    argv = [
        "assess",
        "--region",
        "china",
        "--indicator",
        "invention_patents_per_10k",
        "--target",
        "20",
        "--year",
        "2020",
        "--as-of",
        "2016",
        "--paths",
        "200",
        "--format",
        "json",
    ]
    assert main(argv) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["target_id"], row["target_value"], row["target_year"]) == ("custom", 20.0, 2020)
    assert 0 <= row["probability"] <= 1
    assert main([*argv, "--comparator", ">"]) == 0  # 超过: read as >= for a continuous forecast
    (strict,) = json.loads(capsys.readouterr().out)
    assert (strict["comparator"], strict["probability"]) == (">", row["probability"])
    assert main(["assess", "--region", "china", "--target", "20"]) == 2
    assert "needs one --region and all of" in capsys.readouterr().err
    assert (
        main(
            [
                "assess",
                "--region",
                "china",
                "--indicator",
                "cats",
                "--target",
                "1",
                "--year",
                "2020",
            ]
        )
        == 2
    )
    assert "unknown indicator 'cats'" in capsys.readouterr().err


def test_your_figures_are_added_to_the_embedded_ones_unless_they_replace_them(obs):
    mine = pd.DataFrame(
        {
            "region": ["hangzhou"],
            "indicator": ["invention_patents_per_10k"],
            "period_start": [pd.NaT],
            "period_end": [pd.Timestamp("2020-12-31")],
            "value": [30.0],
            "unit": ["件/万人"],
            "origin": ["user"],
            "source_url": ["https://example.org/mine"],
        }
    )
    added = (
        assess("hangzhou", "2021-06-30", n_paths=100, observations=mine)
        .frame()
        .set_index("target_id")
    )
    alone = (
        assess("hangzhou", "2021-06-30", n_paths=100, observations=mine, combine="replace")
        .frame()
        .set_index("target_id")
    )
    per_10k = "hangzhou-2020-invention-patents-per-10k"
    assert added.loc[per_10k, "status"] == "missed"  # yours (30 < 36) win for 2020
    assert added.loc[per_10k, "n_obs"] > 1 and alone.loc[per_10k, "n_obs"] == 1
    with pytest.raises(ipi.UsageError, match="combine"):
        assess("hangzhou", observations=mine, combine="merge").frame()
