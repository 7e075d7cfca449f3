"""Publication lag: a figure counts from its release, or from its period's end on request."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

import ipindicators as ipi
from ipindicators.data.printed import release_dates
from ipindicators.data.release import (
    FALLBACK_LAG_MONTHS,
    MIN_RELEASES,
    known_from,
    lag_months,
    learned_lags,
)
from ipindicators.models.assess import UNTRACKED_VERDICTS, verdict_band


def _series(released: str = "") -> pd.DataFrame:
    ends = pd.to_datetime([f"{y}-12-31" for y in range(2014, 2021)])
    return pd.DataFrame(
        {
            "region": "testland",
            "indicator": "valid_invention_patents",
            "period_start": ends,
            "period_end": ends,
            "value": [100.0 * 1.2**k for k in range(len(ends))],
            "unit": "件",
            "origin": "user",
            "source_url": "",
            "source_class": "official",
            "released": [""] * (len(ends) - 1) + [released],
        }
    )


def test_a_figure_without_a_release_date_counts_after_its_learned_lag():
    lags = lag_months()
    known = known_from(_series())
    assert lags[("snapshot", "year_end")] == 2  # the embedded releases: a median of 54 days
    assert known.iloc[-1] == pd.Timestamp("2021-02-28")
    flows = _series().assign(indicator="invention_patent_applications")
    flows["period_start"] = flows["period_end"] - pd.offsets.YearBegin(1)
    assert lags[("period_total", "year_end")] == 4  # a median of 117 days
    assert known_from(flows).iloc[-1] == pd.Timestamp("2021-04-30")
    month = _series().assign(period_end=pd.to_datetime(["2020-09-30"] * 7))
    assert known_from(month).iloc[0] == pd.Timestamp("2020-11-30")


def _dated(days: list[int], source_class: str = "official") -> pd.DataFrame:
    ends = pd.to_datetime([f"{2000 + k}-12-31" for k in range(len(days))])
    released = [(end + pd.Timedelta(days=d)).strftime("%Y-%m-%d") for end, d in zip(ends, days)]
    return pd.DataFrame(
        {
            "region": "testland",
            "indicator": "patent_applications",
            "period_end": ends,
            "released": released,
            "source_class": source_class,
        }
    )


def test_lags_are_learned_from_the_earliest_printed_release_of_each_figure():
    table = learned_lags(_dated([40, 100, 150, 160, 170, 200, 210, 220, 230, 240, 250]))
    totals = table.set_index(["measure", "period_type"]).loc[("period_total", "year_end")]
    assert totals["figures"] == 11 and totals["median_days"] == 200
    assert totals["months"] == 7  # 200 days: the end of the seventh month after
    # a later article repeating a figure prints a later date: the earliest counts
    repeated = pd.concat([_dated([30] * 12), _dated([400] * 12)], ignore_index=True)
    table = learned_lags(repeated).set_index(["measure", "period_type"])
    assert table.loc[("period_total", "year_end"), "months"] == 1


def test_too_few_or_reprinted_dates_fall_back_to_the_documented_lag():
    few = learned_lags(_dated([200] * (MIN_RELEASES - 1))).set_index(["measure", "period_type"])
    assert few.loc[("period_total", "year_end"), "months"] == FALLBACK_LAG_MONTHS
    reprints = learned_lags(_dated([200] * 20, "reprint")).set_index(["measure", "period_type"])
    assert reprints.loc[("period_total", "year_end"), "figures"] == 0


def test_a_printed_release_date_wins_and_a_reprint_date_does_not():
    assert known_from(_series("2021-01-20")).iloc[-1] == pd.Timestamp("2021-01-20")
    printed = pd.Series(["2021-01-20", "2021-01-20", "2019-05-01"])
    classes = pd.Series(["official", "reprint", "official"])
    ends = pd.Series(["2020-12-31", "2020-12-31", "2020-12-31"])
    assert release_dates(printed, classes, ends).tolist() == ["2021-01-20", "", ""]


@pytest.mark.parametrize(
    ("as_of", "count_from", "last"),
    [
        ("2021-02-27", "release", "2019-12-31"),
        ("2021-02-28", "release", "2020-12-31"),
        ("2020-12-31", "period_end", "2020-12-31"),
    ],
)
def test_forecasts_use_only_figures_public_by_as_of(as_of, count_from, last):
    fc = ipi.forecast(
        _series(),
        "testland",
        "valid_invention_patents",
        as_of,
        2022,
        n_paths=50,
        models="rw_drift",
        count_from=count_from,
    )
    assert str(fc.observations["period_end"].iloc[-1].date()) == last


def test_assess_waits_for_the_target_year_figure_to_be_released():
    frame = ipi.observations()
    at_year_end = ipi.assess_target(
        "china",
        "invention_patents_per_10k",
        4.5,
        2014,
        as_of="2014-12-31",
        observations=frame,
        n_paths=200,
    ).frame()
    published = ipi.assess_target(
        "china",
        "invention_patents_per_10k",
        4.5,
        2014,
        as_of="2015-12-31",
        observations=frame,
        n_paths=200,
    ).frame()
    old_rule = ipi.assess_target(
        "china",
        "invention_patents_per_10k",
        4.5,
        2014,
        as_of="2014-12-31",
        observations=frame,
        n_paths=200,
        count_from="period_end",
    ).frame()
    assert at_year_end["status"].iloc[0] not in ("achieved", "missed")
    assert published["status"].iloc[0] == "achieved" == old_rule["status"].iloc[0]


def test_count_from_is_checked():
    with pytest.raises(ipi.UsageError, match="count_from"):
        ipi.assess("china", 2015, count_from="tomorrow").frame()


def test_verdict_bands_and_disagreement_notes():
    assert [verdict_band(p) for p in (0.0, 0.32, 0.33, 0.65, 0.66, 1.0)] == [
        "unlikely",
        "unlikely",
        "uncertain",
        "uncertain",
        "likely",
        "likely",
    ]
    rows = ipi.assess("china", as_of=2015, n_paths=500).frame()
    tracked = rows[rows["probability"].notna()]
    assert (tracked["verdict"] == [verdict_band(p) for p in tracked["probability"]]).all()
    disagree = tracked[(tracked["status"] == "on_track") & (tracked["verdict"] != "likely")]
    assert (disagree["verdict_note"] != "").all()
    untracked = rows[rows["probability"].isna() & (rows["status"] == "no_data")]
    assert untracked["verdict"].isin(UNTRACKED_VERDICTS).all()
    assert dt.date.fromisoformat(rows["as_of"].iloc[0]) == dt.date(2015, 12, 31)


def test_a_cumulative_target_is_achieved_once_its_published_years_reach_it():
    years = {2016: 2.0, 2017: 4.0}  # 6 亿元 in two published years against 5 by 2020
    ends = pd.to_datetime([f"{y}-12-31" for y in years])
    mine = pd.DataFrame(
        {
            "region": "hangzhou",
            "indicator": "ip_pledge_financing",
            "period_start": pd.to_datetime([f"{y}-01-01" for y in years]),
            "period_end": ends,
            "value": list(years.values()),
            "unit": "亿元",
            "origin": "user",
            "source_url": "https://example.org/mine",
        }
    )
    rows = ipi.assess(
        "hangzhou", "2018-06-30", n_paths=200, observations=mine, combine="replace"
    ).frame()
    row = rows.set_index("target_id").loc["hangzhou-2020-ip-pledge-financing"]
    assert row["status"] == "achieved" and row["verdict"] == "achieved"
    one = (
        ipi.assess(
            "hangzhou", "2018-06-30", n_paths=200, observations=mine.iloc[:1], combine="replace"
        )
        .frame()
        .set_index("target_id")
    )
    assert one.loc["hangzhou-2020-ip-pledge-financing", "status"] == "no_data"
