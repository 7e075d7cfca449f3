"""Statistics files as downloaded: NBS 国家数据 exports and yearbook tables as tidy rows."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest

from ipindicators.data import readers
from ipindicators.data.build import build
from ipindicators.data.exports import (
    NBS_URL,
    read_nbs_export,
    read_yearbook_table,
    sniff_layout,
)
from ipindicators.data.layout import TIDY_COLUMNS
from ipindicators.errors import DataError, UsageError
from ipindicators.paths import data_dir

POPULATION = """数据库：分省年度数据
指标：年末常住人口(万人)
时间：最近3年
地区,2023年,2022年,2021年
北京市,2185.8,2184.3,2188.6
天津市,1364,,"1373"
内蒙古自治区,2396,2401.17,""
广西壮族自治区,,,
注：1.2020年数据为第七次全国人口普查数据。
2.2021年起为年末常住人口。
数据来源：国家统计局
"""
EDITION = "中国科技统计年鉴2017"
TITLE = "表8-9  国内三种专利有效数按地区分布(2016年)"


def _write(tmp_path: Path, text: str, name: str = "nbs.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _xlsx(tmp_path: Path, rows: list[list[object]], name: str) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    path = tmp_path / name
    book.save(path)
    return path


def _yearbook(tmp_path: Path, title: str = TITLE, name: str = "yearbook.xlsx") -> Path:
    return _xlsx(
        tmp_path,
        [
            [title, None, None, None, None, "单位：件"],
            [],
            [
                "地区",
                "Region",
                "合计\nTotal",
                "发明\nInvention",
                "实用新型\nUtility Model",
                "外观设计",
            ],
            ["全  国", "National Total", 5000, 1200, 2600, 1200],
            ["东部地区", "Eastern", 3000, 800, 1500, 700],
            ["北  京", "Beijing", 300, 150, 100, 50],
            ["内 蒙 古", "Inner Mongolia", 20, None, 15, 5],
            ["广  西", "Guangxi", 40, 10.0, 20, 10],
            ["香  港", "Hong Kong", 9, 9, 0, 0],
            ["注：不含国外。"],
        ],
        name,
    )


def _records(frame, *columns: str) -> list[tuple]:
    return list(frame[list(columns)].itertuples(index=False, name=None))


def _error(excinfo: pytest.ExceptionInfo[DataError]) -> str:
    return str(excinfo.value)


# --- the NBS export ---------------------------------------------------------------------------
def test_nbs_csv_by_region_gives_one_row_per_printed_figure(tmp_path):
    frame = read_nbs_export(_write(tmp_path, POPULATION), download_date="2024-05-01")
    assert list(frame.columns) == [*TIDY_COLUMNS, "_line"]
    assert _records(frame, "region", "period_end", "value", "as_printed", "_line") == [
        ("beijing", "2023-12-31", "2185.8", "2185.8万人", 5),
        ("beijing", "2022-12-31", "2184.3", "2184.3万人", 5),
        ("beijing", "2021-12-31", "2188.6", "2188.6万人", 5),
        ("tianjin", "2023-12-31", "1364", "1364万人", 6),
        ("tianjin", "2021-12-31", "1373", "1373万人", 6),
        ("inner_mongolia", "2023-12-31", "2396", "2396万人", 7),
        ("inner_mongolia", "2022-12-31", "2401.17", "2401.17万人", 7),
    ]
    assert frame["_line"].dtype == "int64"
    assert frame.iloc[0].drop("_line").to_dict() == {
        "region": "beijing",
        "indicator": "resident_population",
        "period_start": "",
        "period_end": "2023-12-31",
        "value": "2185.8",
        "unit": "万人",
        "as_printed": "2185.8万人",
        "source_url": NBS_URL,
        "source_title": "国家统计局 国家数据: 分省年度数据",
        "table": "指标：年末常住人口(万人); 时间：最近3年; file nbs.csv",
        "published": "",
        "excerpt": "北京市 2185.8 2184.3 2188.6",
        "note": "NBS export nbs.csv; downloaded 2024-05-01; "
        "注：1.2020年数据为第七次全国人口普查数据。 2.2021年起为年末常住人口。",
        "source_class": "official",
    }


def test_nbs_missing_cells_give_no_row_never_zero(tmp_path):
    frame = read_nbs_export(_write(tmp_path, POPULATION), download_date="2024-05-01")
    assert "guangxi" not in set(frame["region"])
    assert ("tianjin", "2022-12-31") not in set(zip(frame["region"], frame["period_end"]))
    assert "0" not in set(frame["value"])


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030", "gbk"])
def test_nbs_csv_encodings_read_alike(tmp_path, encoding):
    plain = read_nbs_export(_write(tmp_path, POPULATION), download_date="2024-05-01")
    other = _write(tmp_path, POPULATION, "nbs.csv", encoding)
    assert read_nbs_export(other, download_date="2024-05-01").equals(plain)


def test_nbs_download_date_defaults_to_the_file_date(tmp_path):
    path = _write(tmp_path, POPULATION)
    stamp = dt.datetime(2024, 3, 9, 12).timestamp()
    os.utime(path, (stamp, stamp))
    assert (
        read_nbs_export(path)["note"]
        .iloc[0]
        .startswith("NBS export nbs.csv; downloaded 2024-03-09; 注：1.")
    )
    given = read_nbs_export(path, download_date=dt.date(2024, 5, 2))
    assert given["note"].iloc[0].startswith("NBS export nbs.csv; downloaded 2024-05-02;")


def test_nbs_flow_gets_the_year_as_period_and_a_url_in_the_file_wins(tmp_path):
    text = (
        "数据库：分省年度数据\n指标：技术市场成交额（亿元）\n时间：2022-2023\n"
        "地区,2023年,2022年\n全国,61475.7,47791\n上海市,4850.2,4003.5\n"
        "数据来源：国家统计局 https://data.stats.gov.cn/easyquery.htm?cn=E0103\n"
    )
    frame = read_nbs_export(_write(tmp_path, text), download_date="2024-05-01")
    assert _records(frame, "region", "indicator", "period_start", "period_end", "value") == [
        ("china", "technology_market_turnover", "2023-01-01", "2023-12-31", "61475.7"),
        ("china", "technology_market_turnover", "2022-01-01", "2022-12-31", "47791"),
        ("shanghai", "technology_market_turnover", "2023-01-01", "2023-12-31", "4850.2"),
        ("shanghai", "technology_market_turnover", "2022-01-01", "2022-12-31", "4003.5"),
    ]
    assert set(frame["unit"]) == {"亿元"}
    assert set(frame["source_url"]) == {"https://data.stats.gov.cn/easyquery.htm?cn=E0103"}
    assert frame["note"].iloc[0] == "NBS export nbs.csv; downloaded 2024-05-01"
    assert frame["table"].iloc[0] == "指标：技术市场成交额（亿元）; 时间：2022-2023; file nbs.csv"


def test_nbs_xlsx_with_indicators_down_the_rows(tmp_path):
    path = _xlsx(
        tmp_path,
        [
            ["数据库：分省年度数据"],
            ["地区：北京市"],
            ["时间：最近2年"],
            ["指标", "2023年", "2022年"],
            ["年末常住人口(万人)", 2185.8, 2184.3],
            ["技术市场成交额(亿元)", 8536.9, None],
            ["有效发明专利数(件)", 57890, '""'],
            [],
            ["注：有效发明专利数为规模以上工业企业。"],
            ["数据来源：国家统计局"],
        ],
        "beijing.xlsx",
    )
    frame = read_nbs_export(path, download_date="2024-05-01")
    columns = ("region", "indicator", "period_start", "period_end", "value", "unit", "_line")
    assert _records(frame, *columns) == [
        ("beijing", "resident_population", "", "2023-12-31", "2185.8", "万人", 5),
        ("beijing", "resident_population", "", "2022-12-31", "2184.3", "万人", 5),
        ("beijing", "technology_market_turnover", "2023-01-01", "2023-12-31", "8536.9", "亿元", 6),
        ("beijing", "valid_invention_patents", "", "2023-12-31", "57890", "件", 7),
    ]
    assert frame["table"].iloc[2] == "指标：技术市场成交额(亿元); 时间：最近2年; file beijing.xlsx"
    assert frame["note"].iloc[0].endswith("注：有效发明专利数为规模以上工业企业。")


def test_nbs_xlsx_by_region_and_the_national_database(tmp_path):
    by_region = _xlsx(
        tmp_path,
        [
            ["数据库：分省年度数据"],
            ["指标：年末常住人口(万人)"],
            ["地区", "2023年"],
            ["广西壮族自治区", 5027],
            ["新疆维吾尔自治区", 2598.0],
        ],
        "regions.xlsx",
    )
    frame = read_nbs_export(by_region, download_date="2024-05-01")
    assert _records(frame, "region", "value", "_line") == [
        ("guangxi", "5027", 4),
        ("xinjiang", "2598", 5),
    ]
    national = "数据库：年度数据\n时间：最近1年\n指标,2023年\n年末总人口(万人),140967\n"
    frame = read_nbs_export(_write(tmp_path, national), download_date="2024-05-01")
    assert _records(frame, "region", "indicator", "value", "_line") == [
        ("china", "resident_population", "140967", 4)
    ]
    assert frame["source_title"].iloc[0] == "国家统计局 国家数据: 年度数据"


def test_nbs_rows_pass_the_readers_row_checks(tmp_path):
    paths = [_write(tmp_path, POPULATION), _yearbook(tmp_path)]
    frames = [
        read_nbs_export(paths[0], download_date="2024-05-01"),
        read_yearbook_table(paths[1], {"发明": "valid_invention_patents"}, EDITION),
    ]
    for path, frame in zip(paths, frames):
        assert len(frame)
        for record in frame.to_dict("records"):
            line = record.pop("_line")
            checked = readers._check_row(path, line, record)
            assert checked["line"] == line
            assert checked["value_as_printed"] == record["value"]


# --- NBS errors name the file, the line and the name ------------------------------------------
def test_nbs_unmapped_indicator_lists_the_known_names(tmp_path):
    text = POPULATION.replace("年末常住人口(万人)", "国内专利申请授权数(件)")
    with pytest.raises(DataError) as excinfo:
        read_nbs_export(_write(tmp_path, text))
    message = _error(excinfo)
    assert "nbs.csv, line 2" in message
    assert "'国内专利申请授权数'" in message
    assert "known names:" in message and "年末常住人口" in message and "技术市场成交额" in message


def test_nbs_unmapped_indicator_down_the_rows(tmp_path):
    text = "数据库：分省年度数据\n地区：北京市\n指标,2023年\n发明专利申请授权数(件),100\n"
    with pytest.raises(DataError) as excinfo:
        read_nbs_export(_write(tmp_path, text))
    assert "nbs.csv, line 4, field '指标'" in _error(excinfo)
    assert "'发明专利申请授权数'" in _error(excinfo)


def test_nbs_unmapped_region(tmp_path):
    text = POPULATION.replace("天津市,", "津门,")
    with pytest.raises(DataError) as excinfo:
        read_nbs_export(_write(tmp_path, text, encoding="gb18030"))
    assert "nbs.csv, line 6, field '地区'" in _error(excinfo)
    assert "'津门'" in _error(excinfo)


def test_nbs_value_with_a_comma_is_refused(tmp_path):
    text = POPULATION.replace("2185.8,", '"2,185.8",')
    with pytest.raises(DataError) as excinfo:
        read_nbs_export(_write(tmp_path, text))
    assert "nbs.csv, line 5, field '2023年'" in _error(excinfo)
    assert "'2,185.8'" in _error(excinfo) and "comma" in _error(excinfo)


def test_nbs_unquoted_comma_makes_the_row_too_long(tmp_path):
    text = POPULATION.replace("1364,", "1,364,")
    with pytest.raises(DataError) as excinfo:
        read_nbs_export(_write(tmp_path, text))
    assert "nbs.csv, line 6" in _error(excinfo) and "more cells than the header" in _error(excinfo)


def test_nbs_unknown_unit(tmp_path):
    text = POPULATION.replace("年末常住人口(万人)", "有效发明专利数(箱)")
    with pytest.raises(DataError) as excinfo:
        read_nbs_export(_write(tmp_path, text))
    assert "nbs.csv, line 2" in _error(excinfo) and "unknown unit '箱'" in _error(excinfo)


def test_nbs_unit_of_another_dimension(tmp_path):
    text = POPULATION.replace("(万人)", "(亿元)")
    with pytest.raises(DataError) as excinfo:
        read_nbs_export(_write(tmp_path, text))
    assert "nbs.csv, line 2" in _error(excinfo) and "cannot convert '亿元'" in _error(excinfo)


def test_nbs_text_in_a_value_and_a_quarter_column(tmp_path):
    with pytest.raises(DataError) as excinfo:
        read_nbs_export(_write(tmp_path, POPULATION.replace("1373", "—")))
    assert "nbs.csv, line 6, field '2021年'" in _error(excinfo) and "'—'" in _error(excinfo)
    with pytest.raises(DataError) as excinfo:
        read_nbs_export(_write(tmp_path, POPULATION.replace("2022年", "2022年第一季度")))
    assert "nbs.csv, line 4, field '2022年第一季度'" in _error(excinfo)


def test_xls_is_refused_with_advice(tmp_path):
    path = tmp_path / "export.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0 not really a workbook")
    for read in (
        read_nbs_export,
        lambda p: read_yearbook_table(p, {"发明": "valid_invention_patents"}, EDITION),
        sniff_layout,
    ):
        with pytest.raises(DataError) as excinfo:
            read(path)
        assert "export.xls" in _error(excinfo) and "save it as .xlsx or .csv" in _error(excinfo)


# --- the yearbook table -----------------------------------------------------------------------
def test_yearbook_xlsx_maps_the_chosen_columns(tmp_path):
    path = _yearbook(tmp_path)
    columns = {"发明": "valid_invention_patents", "Utility Model": "valid_trademark_registrations"}
    frame = read_yearbook_table(path, columns, EDITION)
    fields = ("region", "indicator", "period_end", "value", "unit", "as_printed", "_line")
    assert _records(frame, *fields) == [
        ("beijing", "valid_invention_patents", "2016-12-31", "150", "件", "150件", 6),
        ("beijing", "valid_trademark_registrations", "2016-12-31", "100", "件", "100件", 6),
        ("inner_mongolia", "valid_trademark_registrations", "2016-12-31", "15", "件", "15件", 7),
        ("guangxi", "valid_invention_patents", "2016-12-31", "10", "件", "10件", 8),
        ("guangxi", "valid_trademark_registrations", "2016-12-31", "20", "件", "20件", 8),
    ]
    first = frame.iloc[0]
    assert (
        first["table"]
        == "表8-9 国内三种专利有效数按地区分布(2016年), row 北 京, column 发明 Invention"
    )
    assert first["source_title"] == EDITION
    assert first["source_url"] == path.resolve().as_uri()
    assert first["period_start"] == "" and first["published"] == ""
    assert first["source_class"] == "official"
    assert first["note"] == "read from yearbook-layout file yearbook.xlsx; 注：不含国外。"


def test_yearbook_national_row_only_for_mainland_scope(tmp_path):
    path = _yearbook(tmp_path)
    kept = read_yearbook_table(
        path,
        {"合计": "valid_invention_patents"},
        EDITION,
        national_scope="mainland",
        source_url="https://example.org/yearbook",
    )
    assert _records(kept, "region", "value", "_line")[0] == ("china", "5000", 4)
    assert set(kept["source_url"]) == {"https://example.org/yearbook"}
    skipped = read_yearbook_table(path, {"合计": "valid_invention_patents"}, EDITION)
    assert list(skipped["region"]) == ["beijing", "inner_mongolia", "guangxi"]
    with pytest.raises(UsageError):
        read_yearbook_table(
            path, {"合计": "valid_invention_patents"}, EDITION, national_scope="all"
        )


def test_yearbook_csv_flow_with_two_row_header(tmp_path):
    text = (
        "表 3-12 各地区技术市场成交额（2019年）\n单位：万元\n"
        "地区,技术市场成交额\nRegion,Turnover\n北 京,56953000\n天 津,\n西部地区,1\n"
    )
    frame = read_yearbook_table(
        _write(tmp_path, text, "tech.csv", "gb18030"),
        {"技术市场成交额": "technology_market_turnover"},
        "中国科技统计年鉴2020",
    )
    assert _records(frame, "region", "period_start", "period_end", "value", "unit", "_line") == [
        ("beijing", "2019-01-01", "2019-12-31", "56953000", "万元", 5)
    ]


def test_yearbook_title_without_a_year(tmp_path):
    path = _yearbook(tmp_path, title="表8-9  国内三种专利有效数按地区分布")
    with pytest.raises(DataError) as excinfo:
        read_yearbook_table(path, {"发明": "valid_invention_patents"}, EDITION)
    assert "yearbook.xlsx, line 1" in _error(excinfo) and "(YYYY年)" in _error(excinfo)
    assert "国内三种专利有效数按地区分布" in _error(excinfo)


def test_yearbook_unmapped_region_and_column(tmp_path):
    path = _xlsx(
        tmp_path,
        [["表1 (2016年)"], ["单位：件"], ["地区", "发明"], ["北京", 1], ["其 他", 2]],
        "other.xlsx",
    )
    with pytest.raises(DataError) as excinfo:
        read_yearbook_table(path, {"发明": "valid_invention_patents"}, EDITION)
    assert "other.xlsx, line 5, field '地区'" in _error(excinfo) and "'其 他'" in _error(excinfo)
    with pytest.raises(DataError) as excinfo:
        read_yearbook_table(path, {"授权": "invention_patent_grants"}, EDITION)
    assert "other.xlsx, line 3, field '授权'" in _error(excinfo) and "发明" in _error(excinfo)
    with pytest.raises(UsageError):
        read_yearbook_table(path, {"发明": "no_such_indicator"}, EDITION)


def test_yearbook_comma_value_and_unknown_unit(tmp_path):
    comma = _xlsx(
        tmp_path, [["表1 (2016年)"], ["单位：件"], ["地区", "发明"], ["北京", "1,000"]], "c.xlsx"
    )
    with pytest.raises(DataError) as excinfo:
        read_yearbook_table(comma, {"发明": "valid_invention_patents"}, EDITION)
    assert "c.xlsx, line 4, field '发明'" in _error(excinfo) and "'1,000'" in _error(excinfo)
    unit = _xlsx(
        tmp_path, [["表1 (2016年)"], ["单位：箱"], ["地区", "发明"], ["北京", 1]], "u.xlsx"
    )
    with pytest.raises(DataError) as excinfo:
        read_yearbook_table(unit, {"发明": "valid_invention_patents"}, EDITION)
    assert "u.xlsx, line 2" in _error(excinfo) and "unknown unit '箱'" in _error(excinfo)


# --- telling the layouts apart ----------------------------------------------------------------
def test_sniff_layout(tmp_path):
    assert sniff_layout(_write(tmp_path, POPULATION, "a.csv")) == "nbs"
    assert sniff_layout(_write(tmp_path, POPULATION, "b.csv", "gb18030")) == "nbs"
    headless = POPULATION.split("\n", 3)[3]
    assert sniff_layout(_write(tmp_path, headless, "c.csv")) == "nbs"
    assert sniff_layout(_xlsx(tmp_path, [["数据库：分省年度数据"]], "d.xlsx")) == "nbs"
    assert sniff_layout(_yearbook(tmp_path)) == "yearbook"
    tidy = ",".join(TIDY_COLUMNS) + "\nbeijing,resident_population,,2023-12-31,1,万人,1,u,,,,,,\n"
    assert sniff_layout(_write(tmp_path, tidy, "tidy.csv")) == "table"
    assert sniff_layout(data_dir() / "examples" / "wide_example.csv") == "table"
    assert sniff_layout(_write(tmp_path, "", "empty.csv")) == "table"


# --- as files the build reads ------------------------------------------------------------------
def test_a_downloaded_nbs_export_builds_as_the_users_figures(tmp_path):
    path = _write(tmp_path, POPULATION, "export.csv", "gb18030")
    frame = readers.read_observations(path)
    beijing = frame[frame["region"] == "beijing"].set_index("period_end")["value"]
    assert beijing.to_dict() == {"2021-12-31": 2188.6, "2022-12-31": 2184.3, "2023-12-31": 2185.8}
    assert set(frame["source_class"]) == {"official"} and set(frame["line"]) >= {5, 6, 7}
    built = build(user_paths=[path], write=False).observations
    mine = built[(built["region"] == "beijing") & (built["indicator"] == "resident_population")]
    yours = mine["period_end"].between("2021-12-31", "2023-12-31")
    assert yours.sum() == 3 and (mine[yours]["origin"] == "user").all()


def test_a_known_yearbook_table_is_recognised_by_its_title(tmp_path):
    frame = readers.read_observations(_yearbook(tmp_path))
    assert _records(frame, "region", "indicator", "value", "source_title") == [
        ("beijing", "valid_invention_patents", 150.0, "中国科技统计年鉴2017"),
        ("guangxi", "valid_invention_patents", 10.0, "中国科技统计年鉴2017"),
    ]
    assert "edition inferred" in frame["note"].iloc[0]


def test_an_unknown_yearbook_table_says_how_to_read_it(tmp_path):
    path = _yearbook(tmp_path, title="表9-1  各地区某某统计(2016年)")
    with pytest.raises(DataError, match="not one of the known yearbook tables") as info:
        readers.read_observations(path)
    assert "read_yearbook_table" in str(info.value) and info.value.entry == 3
