"""Which targets the figures answer: tracking classes, growth targets, areas, the coverage table."""

from __future__ import annotations

import datetime as dt
import io

import numpy as np
import pandas as pd
import pytest

import ipindicators as ipi
from ipindicators.catalog.indicators import INDICATORS
from ipindicators.catalog.regions import REGIONS
from ipindicators.catalog.targets import TARGETS, Target, targets_for
from ipindicators.cli import main
from ipindicators.data.build import build
from ipindicators.models.assess import UNTRACKED_VERDICTS, assess, assess_catalog_target
from ipindicators.models.coverage import target_coverage
from ipindicators.models.settings import Settings


@pytest.fixture(scope="module")
def obs() -> pd.DataFrame:
    return ipi.observations()


def test_every_target_names_a_catalogued_indicator_and_programme_ones_are_labelled():
    programme = [t for t in TARGETS if t.tracking == "programme"]
    assert all(t.indicator in INDICATORS for t in TARGETS)
    assert programme and all(
        INDICATORS.get(t.indicator).tracking == "programme" for t in programme
    )
    # the plans' headline statistics are never programme targets
    headline = {"invention_patents_per_10k", "high_value_invention_patents_per_10k"}
    assert not any(t.indicator in headline for t in programme)


def test_programme_targets_say_so_and_never_read_as_missing_data(obs):
    rows = assess("henan", observations=obs, n_paths=200).frame()
    programme = rows[rows["tracking"] == "programme"]
    assert len(programme) >= 5
    assert set(programme["verdict"]) == {"programme target"}
    assert set(programme["reason_code"]) == {"programme"}
    assert programme["reason"].str.contains("no public statistic measures it").all()
    statistic = rows[rows["tracking"] == "statistic"]
    assert "programme target" not in set(statistic["verdict"])


def test_only_per_capita_ratios_are_inherited():
    inherited = [t for t in targets_for("sichuan", inherit=True) if t.region != "sichuan"]
    assert inherited, "sichuan inherits national per-10k targets"
    for item in inherited:
        spec = INDICATORS.get(item.indicator)
        assert spec.derived_from[1:] == ("resident_population",), item.id
    national = {t.indicator for t in TARGETS if t.region == "china"}
    assert "invention_patents_per_100m_revenue" in national
    assert "invention_patents_per_100m_revenue" not in {t.indicator for t in inherited}


def _growth_target(value: float, comparator: str = ">=") -> Target:
    return Target(
        id="growth",
        region="china",
        indicator="copyright_registrations_works",
        comparator=comparator,
        value=value,
        unit="%",
        year=2020,
        basis="average_growth",
        window_start=2016,
        document="custom",
        quote="作品著作权登记量年均增长",
    )


def _series(values: dict[int, float]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": "china",
            "indicator": "copyright_registrations_works",
            "period_start": [pd.Timestamp(y, 1, 1) for y in values],
            "period_end": [pd.Timestamp(y, 12, 31) for y in values],
            "value": list(values.values()),
            "unit": "件",
            "origin": "published",
            "source_class": "official",
            "released": [f"{y + 1}-03-31" for y in values],
        }
    )


def _assessed(item, frame, as_of, n_paths=2000) -> dict:
    """One target of China assessed from ``frame`` alone, as the row of its table."""
    return assess_catalog_target(item, "china", frame, Settings.of(as_of, n_paths)).record()


def test_an_average_growth_target_is_settled_by_the_compound_growth_of_its_window():
    frame = _series({2015: 100.0, 2016: 110.0, 2017: 120.0, 2018: 135.0, 2019: 150.0, 2020: 161.0})
    needed = 100.0 * ((161.0 / 100.0) ** (1 / 5) - 1)  # 10.0 % a year
    for value, status in ((needed - 0.1, "achieved"), (needed + 0.1, "missed")):
        row = _assessed(_growth_target(value), frame, dt.date(2022, 1, 1))
        assert row["status"] == status and row["verdict"] == status
        assert row["unit"] == "%" and row["last_value"] == pytest.approx(needed)


def test_an_open_growth_target_gets_a_probability_from_the_paths():
    frame = _series({2013: 80.0, 2014: 90.0, 2015: 100.0, 2016: 110.0, 2017: 121.0})
    easy = _assessed(_growth_target(1.0), frame, dt.date(2018, 6, 30), n_paths=400)
    hard = _assessed(_growth_target(40.0), frame, dt.date(2018, 6, 30), n_paths=400)
    assert easy["probability"] > 0.9 > 0.1 > hard["probability"]
    low, high = easy["interval_80_low"], easy["interval_80_high"]
    assert low < easy["median_forecast"] < high
    assert easy["last_value"] == pytest.approx(100.0 * ((121.0 / 100.0) ** (1 / 2) - 1))


def test_a_growth_target_without_its_base_year_says_which_figure_is_missing():
    frame = _series({2017: 120.0, 2018: 135.0, 2019: 150.0})
    row = _assessed(_growth_target(10.0), frame, dt.date(2020, 6, 30))
    assert row["verdict"] == "no data" and row["reason_code"] == "no_figure"
    assert "2015 figure" in row["reason"]


def test_a_target_year_before_the_first_figure_is_no_data_not_a_forecast():
    level = _growth_target(10.0).model_copy(
        update={
            "basis": "level",
            "window_start": None,
            "unit": "件",
            "value": 4500.0,
            "year": 2017,
        }
    )
    frame = _series({2018: 170133.0, 2019: 171060.0, 2020: 180000.0})
    row = _assessed(level, frame, dt.date(2021, 6, 30))
    assert row["verdict"] == "no data" and row["reason_code"] == "no_figure"
    assert row["probability"] is None
    assert row["reason"] == "no figure of 2017 or earlier is held (the first is of 2018-12-31)"


def test_an_area_is_the_sum_of_its_members_only_where_all_are_held():
    observations = build(write=False).observations
    area = REGIONS.get("changzhutan")
    assert area.level == "area" and set(area.members) == {"changsha", "zhuzhou", "xiangtan"}
    members = observations[
        observations["region"].isin(area.members)
        & (observations["indicator"] == "valid_invention_patents")
    ]
    complete = members.groupby("period_end").filter(lambda g: g["region"].nunique() == 3)
    expected = complete.groupby("period_end")["value"].sum()
    summed = observations[
        (observations["region"] == "changzhutan")
        & (observations["indicator"] == "valid_invention_patents")
    ].set_index("period_end")["value"]
    assert len(expected) >= 2
    assert summed.to_dict() == pytest.approx(expected.to_dict())
    partial = set(members["period_end"]) - set(complete["period_end"])
    assert partial and not partial & set(summed.index)


def test_coverage_counts_verdicts_among_statistic_targets_only():
    assessment = pd.DataFrame(
        {
            "region": ["a"] * 6 + ["b"] * 2,
            "inherited": [False] * 5 + [True] + [False] * 2,
            "indicator": ["x", "y", "z", "p", "w", "x", "x", "v"],
            "verdict": [
                "achieved",
                "likely",
                "no data",
                "programme target",
                "not assessed",
                "missed",
                "outcome uncertain",
                "no target year",
            ],
            "status": [
                "achieved",
                "on_track",
                "no_data",
                "no_data",
                "no_data",
                "missed",
                "outcome_unknown",
                "no_data",
            ],
            "reason_code": ["", "", "no_figure", "programme", "relative", "", "", "no_year"],
        }
    )
    table = target_coverage(assessment).set_index("region")
    a, b, total = table.loc["a"], table.loc["b"], table.loc["total"]
    assert (a["targets"], a["programme"], a["statistic"], a["verdict"]) == (5, 1, 4, 2)
    assert (a["settled"], a["open"], a["estimated"], a["no_data"], a["other"]) == (1, 1, 0, 1, 1)
    assert a["verdict_share"] == 0.5 and a["lacking"] == "z; not assessed (relative)"
    assert (b["estimated"], b["other"], b["lacking"]) == (1, 1, "no target year (no_year)")
    assert (total["targets"], total["statistic"], total["verdict"]) == (7, 6, 3)
    with_inherited = target_coverage(assessment, inherited=True).set_index("region")
    assert with_inherited.loc["a", "settled"] == 2


def test_the_coverage_command_prints_the_counts_and_what_is_missing(capsys):
    assert main(["data", "coverage", "--targets", "--paths", "100"]) == 0
    out = capsys.readouterr().out
    assert "statistic targets have a verdict" in out and "programme targets" in out
    assert "What the others lack:" in out and "haidong:" in out
    assert main(["data", "coverage", "--targets", "--paths", "100", "--format", "csv"]) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    total = table.set_index("region").loc["total"]
    assert total["statistic"] + total["programme"] == total["targets"]
    assert total["verdict"] == total["settled"] + total["open"] + total["estimated"]
    assert np.isclose(total["verdict_share"], total["verdict"] / total["statistic"], atol=5e-4)
    assert set(UNTRACKED_VERDICTS) >= {"programme target", "no data"}


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("zhejiang", "zhejiang"),
        ("Zhejiang", "zhejiang"),
        ("ZHEJIANG", "zhejiang"),
        ("浙江", "zhejiang"),
        ("浙江省", "zhejiang"),
        ("Inner Mongolia", "inner_mongolia"),
        ("内蒙古", "inner_mongolia"),
        ("杭州市", "hangzhou"),
    ],
)
def test_regions_are_found_by_id_english_or_chinese_name(written, expected):
    from ipindicators.catalog.regions import region_id

    assert region_id(written) == expected
    rows = assess(written, n_paths=50).frame()
    assert set(rows["region"]) == {expected}


def test_a_misspelt_region_gets_suggestions_everywhere(capsys):
    from ipindicators.catalog.regions import region_id
    from ipindicators.errors import UsageError

    with pytest.raises(UsageError, match=r"did you mean 'zhejiang'"):
        region_id("zhejang")
    with pytest.raises(UsageError, match=r"did you mean 'zhejiang'"):
        ipi.forecast(ipi.observations(), "zhejang", "invention_patents_per_10k", 2020, 2022)
    assert main(["assess", "--region", "zhejang"]) == 2
    assert "did you mean 'zhejiang'" in capsys.readouterr().err


def test_commands_name_the_data_they_read(capsys):
    assert main(["assess", "--region", "haidong", "--paths", "50", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.err.startswith("ipindicators: figures from ")
    assert captured.out.startswith("target_id,")  # the data line stays off standard output
