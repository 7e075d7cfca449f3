"""Building data/processed: provenance of raw rows, validation errors, resolution, derivation."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

import ipindicators as ipi
from ipindicators.data.build import build, raw_files, source_rank
from ipindicators.data.readers import TIDY_COLUMNS, read_observations
from ipindicators.errors import DataError
from ipindicators.paths import data_dir

RAW = data_dir() / "raw"
HEADER = ",".join(TIDY_COLUMNS)
URL = "https://example.org/test-table"


def _row(**change: str) -> str:
    row = {
        "region": "hangzhou",
        "indicator": "valid_invention_patents",
        "period_start": "",
        "period_end": "2016-12-31",
        "value": "100",
        "unit": "件",
        "as_printed": "100件",
        "source_url": URL,
        "source_title": "t",
        "table": "",
        "published": "",
        "excerpt": "",
        "note": "",
        "source_class": "",
    }
    row.update(change)
    return ",".join(row[c] for c in TIDY_COLUMNS)


def _table(tmp_path: Path, *rows: str, name: str = "user.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


# --- the embedded raw data ----------------------------------------------------------------------
def test_every_raw_row_has_a_url_and_the_number_as_printed():
    files = raw_files(RAW)
    assert files
    for path in files:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert (frame["source_url"].str.match(r"https?://")).all(), path.name
        for line, row in enumerate(frame.itertuples(), start=2):
            digits = re.sub(r"\D", "", row.as_printed)
            assert re.sub(r"\D", "", row.value).lstrip("0") in digits, (path.name, line)


def test_every_raw_row_matches_its_source_excerpt():
    """Re-check each figure against the verbatim excerpt recorded from its source page."""
    checked = 0
    for path in raw_files(RAW):
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        for line, row in enumerate(frame.itertuples(), start=2):
            excerpt = re.sub(r"[,\s]", "", row.excerpt)
            number = row.value.rstrip("0").rstrip(".") if "." in row.value else row.value
            assert number in excerpt, (path.name, line, row.value)
            checked += 1
    assert checked > 700


def test_embedded_raw_builds_without_errors_and_is_deterministic(tmp_path):
    first = build(out=tmp_path / "a")
    build(out=tmp_path / "b")
    for name in ("observations.csv", "figures.csv", "conflicts.csv", "crosscheck.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert not first.observations.duplicated(
        ["region", "indicator", "period_start", "period_end"]
    ).any()


def test_crosscheck_disagreements_are_all_explained(tmp_path):
    checks = build(out=tmp_path / "p").crosscheck
    assert (checks["status"] == "agrees").sum() >= 100
    disagreeing = checks[checks["status"] == "disagrees"]
    assert (disagreeing["explanation"] != "").all()


def test_coverage_meets_the_national_floor(tmp_path):
    table = ipi.coverage(
        build(write=False).observations.assign(
            period_end=lambda f: pd.to_datetime(f["period_end"])
        )
    )
    china = table[(table.region == "china") & (table.indicator == "invention_patents_per_10k")]
    assert int(china["n_year_ends"].iloc[0]) >= 10


# --- resolution, derivation, user data ---------------------------------------------------------
def test_source_precedence():
    assert source_rank("https://english.cnipa.gov.cn/x") == 1
    assert source_rank("http://www.gmw.cn/x") == 2
    assert source_rank("http://reprint.example.com/x") == 3
    assert source_rank("http://reprint.example.com/x", user=True) == 0


def test_per_10k_is_derived_from_parts(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _table(
        raw,
        _row(value="73000", as_printed="73000件"),
        _row(
            indicator="resident_population", value="1000.5", unit="万人", as_printed="1000.5万人"
        ),
        name="parts.csv",
    )
    result = build(raw=raw, write=False)
    derived = result.observations.query("indicator == 'invention_patents_per_10k'")
    assert derived["origin"].tolist() == ["derived"]
    assert derived["value"].iloc[0] == pytest.approx(73000 / 1000.5)


def test_units_are_normalised(tmp_path):
    frame = read_observations(
        _table(
            tmp_path,
            _row(value="1.2", unit="万件", as_printed="1.2万件"),
            _row(
                indicator="invention_patents_per_10k",
                value="802.6",
                unit="件/百万人",
                as_printed="802.6",
            ),
        )
    )
    assert frame["value"].tolist() == [12000.0, pytest.approx(8.026)]
    assert frame["unit"].tolist() == ["件", "件/万人"]


def test_user_rows_take_precedence_and_are_reported(tmp_path):
    embedded = build(write=False).observations
    row = embedded[
        (embedded.region == "hangzhou")
        & (embedded.indicator == "valid_invention_patents")
        & (embedded.origin == "published")
    ].iloc[0]
    user = _table(tmp_path, _row(period_end=row["period_end"], value="1", as_printed="1件"))
    result = build(write=False, user_paths=[user])
    chosen = result.observations[
        (result.observations.region == "hangzhou")
        & (result.observations.indicator == "valid_invention_patents")
        & (result.observations.period_end == row["period_end"])
    ]
    assert chosen["origin"].tolist() == ["user"] and chosen["value"].tolist() == [1.0]
    assert "user figures chosen over embedded ones: 1" in result.summary()
    assert len(result.conflicts) > 0


def test_wide_layout_example_reads_as_tidy():
    frame = ipi.load_observations(data_dir() / "examples" / "wide_example.csv")
    assert frame["period_end"].tolist() == ["2008-12-31", "2012-12-31"]
    assert frame["value"].tolist() == [0.8, 3.2]
    assert set(frame["indicator"]) == {"invention_patents_per_10k"}


def test_wide_layout_of_a_flow_gets_calendar_years(tmp_path):
    path = tmp_path / "wide.csv"
    path.write_text(
        f"# indicator: technology_market_turnover\n# unit: 亿元\n# source_url: {URL}\n"
        "region,2019,2020\nhangzhou,1.5,\n",
        encoding="utf-8",
    )
    frame = read_observations(path)
    assert frame[["period_start", "period_end"]].values.tolist() == [["2019-01-01", "2019-12-31"]]


def test_excel_tables_are_read(tmp_path):
    path = tmp_path / "user.xlsx"
    pd.read_csv(_table(tmp_path, _row()), dtype=str, keep_default_na=False).to_excel(
        path, index=False
    )
    assert read_observations(path)["value"].tolist() == [100.0]


# --- bad input ----------------------------------------------------------------------------------
BAD_CASES = {
    "missing column": (
        lambda p: p.write_text("region,indicator\nhangzhou,x\n", encoding="utf-8"),
        None,
        "period_end",
        "missing column",
    ),
    "text in a number": (
        lambda p: p.write_text(HEADER + "\n" + _row(value="about 5") + "\n", encoding="utf-8"),
        2,
        "value",
        "expected a number",
    ),
    "unknown region": (
        lambda p: p.write_text(HEADER + "\n" + _row(region="gotham") + "\n", encoding="utf-8"),
        2,
        "region",
        "unknown region",
    ),
    "unknown unit": (
        lambda p: p.write_text(HEADER + "\n" + _row(unit="箱") + "\n", encoding="utf-8"),
        2,
        "unit",
        "unknown unit",
    ),
    "impossible date": (
        lambda p: p.write_text(
            HEADER + "\n" + _row(period_end="2019-02-30") + "\n", encoding="utf-8"
        ),
        2,
        "period_end",
        "impossible date",
    ),
    "negative stock": (
        lambda p: p.write_text(HEADER + "\n" + _row(value="-3") + "\n", encoding="utf-8"),
        2,
        "value",
        "negative",
    ),
    "duplicate with another value": (
        lambda p: p.write_text(
            HEADER + "\n" + _row() + "\n" + _row(value="101") + "\n", encoding="utf-8"
        ),
        3,
        "value",
        "another value",
    ),
    "GBK-encoded": (
        lambda p: p.write_bytes((HEADER + "\n" + _row(as_printed="100件") + "\n").encode("gbk")),
        None,
        None,
        "GBK",
    ),
    "empty file": (lambda p: p.write_bytes(b""), None, None, "empty"),
    "flow without start": (
        lambda p: p.write_text(
            HEADER + "\n" + _row(indicator="technology_market_turnover", unit="亿元") + "\n",
            encoding="utf-8",
        ),
        2,
        "period_start",
        "give period_start",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_CASES))
def test_bad_input_names_file_line_and_column(tmp_path, case):
    write, line, column, fragment = BAD_CASES[case]
    path = tmp_path / "bad.csv"
    write(path)
    with pytest.raises(DataError) as info:
        read_observations(path)
    error = info.value
    assert error.path == str(path) and fragment in str(error)
    assert error.entry == line and error.field == column


@pytest.mark.parametrize("case", ["text in a number", "GBK-encoded"])
def test_failed_build_leaves_processed_untouched(tmp_path, case):
    out = tmp_path / "processed"
    build(out=out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.csv"
    BAD_CASES[case][0](bad)
    with pytest.raises(DataError):
        build(out=out, user_paths=[bad])
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    hidden = [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert [name for name in hidden if not name.endswith(".lock")] == []  # no staging left


def test_cli_build_reports_bad_input_and_exits_non_zero(tmp_path, capsys):
    from ipindicators.cli import main

    bad = tmp_path / "bad.csv"
    BAD_CASES["unknown region"][0](bad)
    assert main(["data", "build", "--raw", str(bad), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert str(bad) in err and "line 2" in err and "'region'" in err
    assert not (tmp_path / "out").exists()


def test_copy_of_raw_folder_builds_the_same_observations(tmp_path):
    shutil.copytree(RAW, tmp_path / "raw")
    a = build(raw=tmp_path / "raw", write=False).observations
    b = build(write=False).observations
    pd.testing.assert_frame_equal(a.drop(columns=["file"]), b.drop(columns=["file"]))


def test_committed_processed_tables_match_a_fresh_build(tmp_path):
    """data/processed is rebuilt by `ipindicators data build`; it must not go stale."""
    build(out=tmp_path / "fresh")
    committed = data_dir() / "processed"
    for name in ("observations.csv", "figures.csv", "conflicts.csv", "crosscheck.csv"):
        assert (committed / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes(), name


# --- source classes and scopes ------------------------------------------------------------------
def test_a_recorded_source_class_outranks_the_host(tmp_path):
    reprint = _row(value="100", as_printed="100件", source_url="https://reprints.example/x")
    yearbook = _row(
        value="101",
        as_printed="101件",
        source_url="https://github.com/owner/repo/blob/abc/table.xlsx",
        source_title="中国科技统计年鉴2017",
        source_class="official",
    )
    raw = tmp_path / "raw"
    raw.mkdir()
    _table(raw, reprint, yearbook, name="figures.csv")
    result = build(raw=raw, write=False)
    (chosen,) = result.observations.itertuples()
    assert (chosen.value, chosen.source_class) == (101, "official")
    assert source_rank("https://github.com/x", source_class="official") == 1
    assert source_rank("https://www.gov.cn/x") == 1 and source_rank("https://a.example/") == 3


def test_an_unknown_source_class_names_file_line_and_column(tmp_path):
    path = _table(tmp_path, _row(source_class="blog"))
    with pytest.raises(DataError) as info:
        read_observations(path)
    assert (info.value.entry, info.value.field) == (2, "source_class")
    assert "official, state_media, reprint" in str(info.value)


def test_china_derived_per_10k_matches_every_published_figure():
    checks = build(write=False).crosscheck
    china = checks[checks["region"] == "china"]
    assert len(china) >= 8
    assert (china["status"] == "agrees").all(), china[china["status"] != "agrees"]


def test_mainland_and_wider_domestic_counts_are_separate_series():
    obs = build(write=False).observations
    wide = obs[obs["indicator"] == "valid_invention_patents_incl_hk_mo_tw"]
    mainland = obs[(obs["region"] == "china") & (obs["indicator"] == "valid_invention_patents")]
    assert len(wide) >= 10 and set(wide["region"]) == {"china"}
    both = wide.merge(mainland, on="period_end", suffixes=("_wide", "_mainland"))
    # holders in Hong Kong, Macao and Taiwan make the wider count larger on every shared date
    assert (both["value_wide"] > both["value_mainland"]).all()


def test_yearbook_panels_cover_every_province_for_many_years():
    figures = build(write=False).figures
    yearbook = figures[figures["source_title"].str.startswith("中国科技统计年鉴")]
    year_ends = yearbook[yearbook["period_end"].str.endswith("-12-31")]
    per_province = year_ends.groupby(["indicator", "region"])["period_end"].nunique()
    assert (per_province["valid_invention_patents"] >= 14).sum() == 31
    assert (per_province["technology_market_turnover"] >= 10).sum() >= 25
    assert (yearbook["source_class"] == "official").all()


def test_an_official_derivation_replaces_a_reprinted_ratio_of_the_same_date(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    _table(
        raw,
        _row(
            indicator="valid_invention_patents",
            period_end="2016-12-31",
            value="1000",
            as_printed="1000件",
            source_class="official",
        ),
        _row(
            indicator="resident_population",
            period_end="2015-12-31",
            value="100",
            unit="万人",
            as_printed="100万人",
            source_class="official",
        ),
        _row(
            indicator="invention_patents_per_10k",
            period_end="2016-12-31",
            value="10.1",
            unit="件/万人",
            as_printed="10.1件",
            source_url="https://reprint.example/p",
        ),
        name="figures.csv",
    )
    obs = build(raw=raw, write=False).observations
    (ratio,) = obs[obs["indicator"] == "invention_patents_per_10k"].itertuples()
    assert (ratio.origin, ratio.source_class, ratio.value) == ("derived", "official", 10.0)
    # an official published ratio stays ahead of any derivation
    _table(
        raw,
        _row(
            indicator="invention_patents_per_10k",
            period_end="2016-12-31",
            value="10.1",
            unit="件/万人",
            as_printed="10.1件",
            source_class="official",
        ),
        name="official.csv",
    )
    obs = build(raw=raw, write=False).observations
    (ratio,) = obs[obs["indicator"] == "invention_patents_per_10k"].itertuples()
    assert (ratio.origin, ratio.value) == ("published", 10.1)


def test_a_user_build_is_used_or_refused_never_silently_ignored(tmp_path, monkeypatch):
    from ipindicators.errors import UsageError
    from ipindicators.paths import data_in_use

    monkeypatch.setenv("IPINDICATORS_USER_DIR", str(tmp_path / "user"))
    mine = tmp_path / "mine.csv"
    mine.write_text(
        "region,indicator,period_end,value,unit,as_printed,source_url\n"
        "haidong,invention_patents_per_10k,2024-12-31,0.5,件/万人,0.5件,https://example.gov.cn/a\n",
        encoding="utf-8",
    )
    build(user_paths=[mine])
    used = data_in_use()
    assert used.kind == "user build" and used.built and "your build of" in used.describe()
    assert (used.folder / "build.json").is_file()
    # the same user build, read while another raw folder is in use: refused, with the way out
    checkout = tmp_path / "checkout"
    shutil.copytree(RAW, checkout / "data" / "raw")
    monkeypatch.setenv("IPINDICATORS_HOME", str(checkout))
    with pytest.raises(UsageError, match="rebuild it with"):
        data_in_use()
    # rebuilt from the raw folder in use, it is used again
    build(user_paths=[mine])
    assert data_in_use().kind == "user build"
