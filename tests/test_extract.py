"""Extracting quantified targets from plan text: synthetic sentences, files, CLI and notebook."""

from __future__ import annotations

import json
import runpy
from pathlib import Path

import pytest
import yaml

import ipindicators as ipi
from ipindicators.catalog.targets import load_targets
from ipindicators.cli import main
from ipindicators.errors import InputError, UsageError
from ipindicators.text.extract import (
    Candidate,
    candidates_frame,
    candidates_html,
    candidates_to_yaml,
    extract_file,
    extract_targets,
    highlight_html,
    read_policy_text,
)

PROJECT = Path(__file__).resolve().parents[1]
HANGZHOU = "000_80cd1bba055f4166.txt"


def only(text: str) -> Candidate:
    """The single candidate of ``text``, checked to point back into the original text."""
    found = extract_targets(text)
    assert len(found) == 1, found
    candidate = found[0]
    start, end = candidate.sentence_span
    assert text[start:end] == candidate.text
    assert start <= candidate.span[0] < candidate.span[1] <= end
    return candidate


def printed(text: str, candidate: Candidate) -> str:
    return text[candidate.span[0] : candidate.span[1]]


# --- characters, spacing and line breaks -----------------------------------------------------


def test_full_width_digits_and_punctuation_keep_original_offsets():
    text = "到２０２０年，每万人口发明专利拥有量达到１２件。"
    c = only(text)
    assert (c.indicator, c.value, c.unit, c.comparator, c.year) == (
        "invention_patents_per_10k",
        12.0,
        "件/万人",
        ">=",
        2020,
    )
    assert printed(text, c) == "１２件"


def test_space_between_number_and_unit():
    text = "2025年,有效发明专利拥有量达到0.76 件。"
    c = only(text)
    assert printed(text, c) == "0.76 件"
    assert (c.value, c.year) == (0.76, 2025)
    assert (c.indicator, c.unit) == ("invention_patents_per_10k", "件/万人")
    assert "fraction" in c.note


def test_space_inside_number_and_thousands_separator():
    assert only("商标有效注册量达到1 200件。").value == 1200
    assert only("商标有效注册量达到12,000件。").value == 12000


def test_line_break_inside_a_sentence():
    text = "知识产权投融资较快发展,知识产权质押融资\n金额累\n计达5亿元。"
    c = only(text)
    assert (c.indicator, c.value, c.unit, c.basis) == (
        "ip_pledge_financing",
        5,
        "亿元",
        "cumulative",
    )
    assert c.label == "知识产权质押融资金额"
    assert "\n" in c.text


def test_traditional_characters():
    text = "到2025年，每萬人口高價值發明專利擁有量達到12件，海外發明專利授權量達到9萬件。"
    found = extract_targets(text)
    assert [(c.indicator, c.value, c.unit) for c in found] == [
        ("high_value_invention_patents_per_10k", 12, "件/万人"),
        ("overseas_invention_patent_grants", 9, "万件"),
    ]
    assert printed(text, found[1]) == "9萬件"


def test_pinyin_glosses_of_reprints_are_ignored():
    text = "知識產(chǎn)權質(zhì)押融資登記金額達(dá)到3200億元"
    c = only(text)
    assert (c.indicator, c.value, c.unit, c.comparator) == (
        "ip_pledge_financing",
        3200,
        "亿元",
        ">=",
    )


def test_numbered_lists_and_circled_numbers_are_not_quantities():
    text = "一、目标\n（二）指标\n1. 商标有效注册量达到5万件\n①PCT专利申请量达到300件；②10个以上园区开展试点。"
    found = extract_targets(text)
    assert [(c.indicator, c.value, c.unit) for c in found] == [
        ("valid_trademark_registrations", 5, "万件"),
        ("pct_applications", 300, "件"),
        (None, 10, "个"),
    ]


def test_headings_and_colons_end_sentences_at_line_breaks():
    text = "知识产权体系更加完善\n1.专利申请量达到100件\n主要目标:\n商标有效注册量达到5万件。"
    assert [c.text for c in extract_targets(text)] == [
        "1.专利申请量达到100件",
        "商标有效注册量达到5万件。",
    ]


def test_page_numbers_of_a_scanned_text_do_not_split_a_sentence():
    text = (
        "增强创新能力,加快转变经\n2、济发展方式,每年参加知识产权管理工程师培训不少于10人,"
        "全面提升知识产权创造、运用、保护和管理能力。"
    )
    c = only(text)
    assert c.text.startswith("增强创新能力") and c.value == 10


# --- comparators and units ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "comparator"),
    [
        ("专利申请量达5000件。", ">="),
        ("专利申请量达到5000件。", ">="),
        ("示范企业达到35家以上。", ">="),
        ("培训人次不少于400人次。", ">="),
        ("结案率不低于95%。", ">="),
        ("专利申请量超过5000件。", ">="),
        ("技术合同成交额突破200亿元。", ">="),
        ("专利代理机构力争50家。", ">="),
        ("积压案件在100件以内。", "<="),
        ("积压案件不超过100件。", "<="),
        ("积压案件控制在100件以下。", "<="),
        ("版权产业增加值占GDP比重达到7.5%左右。", "=="),
    ],
)
def test_comparators(text, comparator):
    assert only(text).comparator == comparator


@pytest.mark.parametrize(
    "text", ["技术市场交易额达到约100亿元。", "专利密集型产业增加值占GDP比重达到13%左右。"]
)
def test_approximate_values_are_noted(text):
    assert "approximate" in only(text).note


def test_missing_comparator_is_read_as_a_minimum_and_said_so():
    c = only("在全市每年扶持各级知识产权示范单位10家。")
    assert (c.comparator, c.indicator) == (">=", "ip_demonstration_units_supported")
    assert "no comparator" in c.note


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("发明专利授权量达到800件。", 800, "件"),
        ("发明专利申请量达到1.2万件。", 1.2, "万件"),
        ("技术市场交易额达100亿元。", 100, "亿元"),
        ("全市知识产权经费投入达到500万元。", 500, "万元"),
        ("人均知识产权经费达到20元。", 20, "元"),
        ("结案率达93%。", 93, "%"),
        ("国家级试点(示范)区域达6个以上。", 6, "个"),
        ("示范企业达到35家以上。", 35, "家"),
        ("参加各类知识产权培训不少于1000人。", 1000, "人"),
        ("全年培训人次不少于400人次。", 400, "人次"),
        ("全年培训不少于2万人次。", 20000, "人次"),
        ("每年组织培训不少于4期。", 4, "期"),
        ("知识产权普及教育覆盖达到1.5万人。", 1.5, "万人"),
    ],
)
def test_units(text, value, unit):
    c = only(text)
    assert (c.value, c.unit) == (value, unit)


def test_per_capita_label_turns_items_into_items_per_10k():
    c = only("万人有效发明专利拥有量达36件。")
    assert (c.indicator, c.unit) == ("invention_patents_per_10k", "件/万人")


def test_per_capita_label_outside_the_catalog_still_gets_items_per_10k():
    c = only("每万人口有效注册商标件数达到20件。")
    assert (c.indicator, c.unit) == (None, "件/万人")


def test_labels_match_catalog_aliases_only_with_a_compatible_unit():
    assert only("技术市场交易额达100亿元。").indicator == "technology_market_turnover"
    assert only("技术市场交易额达100件。").indicator is None


# --- basis, windows, relative targets, ranges, Chinese numerals ------------------------------


@pytest.mark.parametrize(
    ("text", "basis", "window"),
    [
        ("知识产权质押融资金额累计达5亿元。", "cumulative", None),
        ("三年内参加各类知识产权培训不少于1000人。", "cumulative", 3),
        ("5年内累计培训知识产权人才5000人。", "cumulative", 5),
        ("到2020年内培训知识产权人才5000人。", "level", None),
        ("每年参加知识产权管理工程师培训不少于10人。", "every_year", None),
        ("发明专利申请量年均增长15%以上。", "every_year", None),
        ("知识产权行政案件年结案率达93%以上。", "level", None),
    ],
)
def test_basis_and_window(text, basis, window):
    c = only(text)
    assert (c.basis, c.window_years) == (basis, window)


def test_every_year_carries_over_to_later_clauses_of_the_sentence():
    found = extract_targets(
        "每年组织全市知识产权有关知识培训不少于4期,全年培训人次不少于400人次。"
    )
    assert [(c.indicator, c.basis) for c in found] == [
        ("ip_training_sessions", "every_year"),
        ("ip_training_attendances", "every_year"),
    ]


def test_a_clause_with_its_own_year_does_not_carry_every_year_over():
    found = extract_targets("每年培训不少于4期,2020年建成10个专利导航中心。")
    assert [(c.basis, c.year) for c in found] == [("every_year", 2020), ("level", 2020)]


def test_relative_target_has_no_value_and_names_its_benchmark():
    text = "全市知识产权经费年投入增长幅度不低于本市经济增长幅度。"
    c = only(text)
    assert (c.indicator, c.value, c.relative_to, c.comparator, c.basis) == (
        "ip_funding_growth",
        None,
        "gdp_growth",
        ">=",
        "every_year",
    )
    assert printed(text, c) == "不低于本市经济增长幅度"


def test_relative_target_with_a_benchmark_outside_the_catalog_keeps_the_phrase():
    c = only("知识产权经费增速高于财政收入增速。")
    assert c.relative_to == "财政收入增速" and "not in the indicator catalog" in c.note


@pytest.mark.parametrize("separator", ["-", "~", "至", "－"])
def test_range_keeps_the_lower_bound_with_a_note(separator):
    text = f"支持建设1{separator}2个高价值专利培育中心,促进产业发展。"
    c = only(text)
    assert (c.value, c.comparator, c.unit) == (1, ">=", "个")
    assert (c.label, c.indicator) == (
        "高价值专利培育中心",
        "high_value_patent_cultivation_centres",
    )
    assert "range" in c.note


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("每年新增知识产权示范企业十家。", 10, "家"),
        ("建成两家国家级知识产权服务中心。", 2, "家"),
        ("力争建设一个高价值专利培育中心。", 1, "个"),
        ("每年举办培训不少于十二期。", 12, "期"),
    ],
)
def test_chinese_numerals_for_small_counts(text, value, unit):
    c = only(text)
    assert (c.value, c.unit) == (value, unit)


# --- what is not a target --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "本意见自2016年1 月11 日起施行。",
        "根据《关于印发〈2015年度考评细则〉的通知》(浙政办发〔2015〕58号)精神。",
        "按照第3号令和第五条的规定,经第22次常务会议审议通过。",
        "举办第5期知识产权培训班,评选第10家示范企业。",
        "联系电话:0571-87654321,投诉举报请拨打12345热线。",
        "对获得授权的发明专利每件资助5000元。",
        "对企业商标国际注册给予70%补助。",
        "按实际支出的50%给予补贴,最高不超过50万元。",
        "根据年度综合评价结果择优分级给予50万元、80万元专项资金资助,支持3个年度。",
        "本实施意见自公布之日起施行,有效期5年,项目支持期为3年。",
        "截至2015年底,全市每万人口发明专利拥有量已达20件。",
        "坚持“三个代表”重要思想,落实第十二个五年规划,千家万户受益。",
        "推进园区建成二期,服务覆盖到每一家,责任落实到一人。",
        "到2020年内完成园区一期建设。",
        "印发《关于建设10个知识产权示范区的通知》。",
        "（二）申报条件\n1.企业员工100人以上,年销售收入5000万元以上。",
        "2016年全市专利申请量达到1.2万件,同比增长20%。",
        "目前全市已有国家知识产权示范企业12家。",
    ],
)
def test_non_targets_are_not_reported(text):
    assert extract_targets(text) == []


def test_baseline_of_a_from_to_target_is_not_a_candidate():
    c = only("每万人口发明专利拥有量由2015年的6.3件提高到2020年的12件。")
    assert (c.value, c.year, c.label) == (12, 2020, "每万人口发明专利拥有量")


# --- years -----------------------------------------------------------------------------------


def test_year_from_the_clause_and_shared_label():
    found = extract_targets("全省商标有效注册量2017年达到32万件,2020年达到45万件。")
    assert [(c.value, c.year, c.label) for c in found] == [
        (32, 2017, "全省商标有效注册量"),
        (45, 2020, "全省商标有效注册量"),
    ]
    assert "previous quantity" in found[1].note


def test_a_bare_growth_predicate_takes_the_subject_of_the_previous_quantity():
    found = extract_targets("每万人口发明专利拥有量达到15件以上,年均增长15%。")
    assert [(c.label, c.basis) for c in found] == [
        ("每万人口发明专利拥有量", "level"),
        ("每万人口发明专利拥有量增长", "every_year"),
    ]


def test_growth_over_a_base_year_is_a_target_for_the_later_year():
    c = only("到2020年,专利申请量比2015年增长50%。")
    assert (c.value, c.unit, c.year) == (50, "%", 2020)


@pytest.mark.parametrize(
    "text", ["自2016年起,每年参加培训不少于100人。", "比2015年翻一番,专利申请量达到1000件。"]
)
def test_start_and_comparison_years_are_not_target_years(text):
    assert only(text).year is None


def test_year_from_the_section_heading():
    found = extract_targets(
        "（一）2020年主要目标\n1.每万人口发明专利拥有量达到12件\n2.商标有效注册量达到5万件"
    )
    assert [c.year for c in found] == [2020, 2020]
    assert "heading" in found[0].note


def test_a_heading_ends_the_section_of_its_predecessor_of_the_same_level():
    text = "（一）2020年目标\n1.专利申请量达到100件\n（二）远景目标\n1.商标有效注册量达到5万件"
    assert [c.year for c in extract_targets(text)] == [2020, None]


def test_year_from_the_plan_horizon_in_the_goals_section():
    text = (
        "根据《行动计划(2014—2020年)》制定本意见。\n一、实施目标\n到2020年,知识产权强市基本建成。\n"
        "1. 创造能力显著增强\n万人有效发明专利拥有量达36件。"
    )
    c = only(text)
    assert c.year == 2020 and "horizon" in c.note


def test_horizon_prefers_the_goals_section():
    text = "本计划在2015年试点基础上制定。\n一、发展目标\n到2020年,体系基本建成。\n二、任务\n专利申请量达到100件。"
    assert only(text).year == 2020


def test_placeholder_year_is_unknown_and_blocks_the_horizon():
    text = "三、目标与任务。确保在20XX年通过省示范市验收。专利申请量达到1000件。"
    assert only(text).year is None
    assert only("确保在20XX年建成示范市,专利申请量达到1000件。").year is None


def test_no_year_and_dates_or_titles_are_no_horizon():
    text = "根据《行动计划(2014—2020年)》,2024年7月28日印发。支持建设1-2个高价值专利培育中心。"
    assert only(text).year is None


# --- HTML, records and YAML ------------------------------------------------------------------


def test_highlight_html_marks_the_quantity_and_escapes_the_text():
    c = only("专利<申请>量&授权量达到5000件。")
    assert highlight_html(c) == "专利&lt;申请&gt;量&amp;授权量达到<mark>5000件</mark>。"
    table = candidates_html([c])
    assert "<mark>5000件</mark>" in table and table.count("<tr>") == 2


def test_candidates_frame_has_one_row_per_candidate():
    frame = candidates_frame(extract_targets("专利申请量达到5000件,结案率达到95%。"))
    assert list(frame["unit"]) == ["件", "%"]
    assert "sentence_span" in frame.columns


def test_yaml_entries_load_as_catalog_targets(tmp_path):
    text = "到2020年,万人有效发明专利拥有量达36件,知识产权行政案件年结案率达93%以上。"
    found = extract_targets(text, region="hangzhou", document=HANGZHOU)
    dumped = candidates_to_yaml(found)
    assert '  comparator: ">="' in dumped and '  unit: "%"' in dumped
    path = tmp_path / "targets.yaml"
    path.write_text(dumped, encoding="utf-8")
    loaded = load_targets(path)
    assert list(loaded) == [
        "hangzhou-2020-invention-patents-per-10k",
        "hangzhou-2020-ip-admin-case-closure-rate",
    ]
    item = loaded["hangzhou-2020-invention-patents-per-10k"]
    assert (item.value, item.unit, item.year, item.quote) == (36, "件/万人", 2020, text)


def test_yaml_ids_are_unique_and_relative_targets_keep_their_benchmark():
    text = "专利申请量达到100件。专利申请量达到200件。知识产权经费增长幅度不低于经济增长幅度。"
    entries = yaml.safe_load(candidates_to_yaml(extract_targets(text), "hangzhou", HANGZHOU))
    assert [e["id"] for e in entries] == [
        "hangzhou-patent-applications",
        "hangzhou-patent-applications-2",
        "hangzhou-ip-funding-growth",
    ]
    assert entries[2]["relative_to"] == "gdp_growth" and "value" not in entries[2]


def test_yaml_needs_a_known_region():
    found = extract_targets("专利申请量达到100件。")
    with pytest.raises(UsageError):
        candidates_to_yaml(found)
    with pytest.raises(UsageError, match="unknown region"):
        candidates_to_yaml(found, "atlantis", HANGZHOU)


# --- reading files -----------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8", "utf-8-sig"])
def test_read_policy_text_decodes_utf8_and_gbk(tmp_path, encoding):
    text = "到2020年，专利申请量达到１２件。\n"
    path = tmp_path / f"{encoding}.txt"
    path.write_bytes(text.encode(encoding))
    assert read_policy_text(path) == text


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "empty"),
        (b"\xef\xbb\xbf \n\t\n", "empty"),
        ("专利\x00申请".encode(), "NUL"),
        (bytes(range(1, 32)) * 20 + "专利".encode(), "binary"),
        (b"\xaa\xa1" * 200, "binary"),
        ("café résumé".encode("latin-1"), "neither UTF-8 nor GB18030"),
    ],
)
def test_read_policy_text_rejects_bad_files_naming_them(tmp_path, content, problem):
    path = tmp_path / "bad.txt"
    path.write_bytes(content)
    with pytest.raises(InputError, match=problem) as caught:
        read_policy_text(path)
    assert str(path) in str(caught.value)


def test_read_policy_text_reports_a_missing_file(tmp_path):
    with pytest.raises(InputError, match="cannot be read"):
        read_policy_text(tmp_path / "missing.txt")


def test_extract_file_defaults_to_the_file_name_for_unknown_documents(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes("商标有效注册量达到12000件。".encode("gbk"))
    (c,) = extract_file(path, region="haidong")
    assert (c.document, c.region, c.value) == ("plan.txt", "haidong", 12000)


# --- command line ------------------------------------------------------------------------------


def test_cli_json_output(tmp_path, capsys):
    path = tmp_path / "plan.txt"
    path.write_text("到2025年,商标有效注册量达到12000件。", encoding="utf-8")
    assert main(["extract", str(path), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [(r["indicator"], r["value"], r["unit"], r["year"], r["span"]) for r in rows] == [
        ("valid_trademark_registrations", 12000, "件", 2025, [16, 22])
    ]


def test_cli_csv_and_yaml_output(tmp_path, capsys):
    path = tmp_path / "plan.txt"
    path.write_text("到2025年,商标有效注册量达到12000件。", encoding="utf-8")
    assert main(["extract", str(path), "--format", "csv"]) == 0
    assert capsys.readouterr().out.startswith("indicator,label,value,unit,comparator,year")
    assert main(["extract", str(path), "--region", "haidong", "--format", "yaml"]) == 0
    (entry,) = yaml.safe_load(capsys.readouterr().out)
    assert (entry["id"], entry["document"]) == (
        "haidong-2025-valid-trademark-registrations",
        "plan.txt",
    )


def test_cli_fails_with_exit_1_on_a_binary_file(tmp_path, capsys):
    path = tmp_path / "scan.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert main(["extract", str(path)]) == 1
    err = capsys.readouterr().err
    assert "scan.txt" in err and "binary" in err


def test_cli_yaml_without_a_region_fails_with_exit_2(tmp_path, capsys):
    path = tmp_path / "plan.txt"
    path.write_text("商标有效注册量达到12000件。", encoding="utf-8")
    assert main(["extract", str(path), "--format", "yaml"]) == 2
    assert "region" in capsys.readouterr().err


def test_package_exports_extract_targets():
    assert ipi.extract_targets is extract_targets and ipi.Candidate is Candidate


# --- the policy texts ------------------------------------------------------------------------


def test_hangzhou_2020_targets_from_the_command_line(policies, capsys):
    assert main(["extract", str(policies / HANGZHOU), "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [
        (r["indicator"], r["value"], r["unit"], r["comparator"], r["year"], r["basis"])
        for r in rows
    ] == [
        ("invention_patents_per_10k", 36, "件/万人", ">=", 2020, "level"),
        ("technology_market_turnover", 100, "亿元", ">=", 2020, "level"),
        ("ip_pledge_financing", 5, "亿元", ">=", 2020, "cumulative"),
        ("ip_admin_case_closure_rate", 93, "%", ">=", 2020, "level"),
        ("national_ip_pilot_demo_zones", 6, "个", ">=", 2020, "level"),
        ("national_ip_advantage_demo_enterprises", 35, "家", ">=", 2020, "level"),
    ]
    assert {r["region"] for r in rows} == {"hangzhou"}


def test_haidong_2025_targets(policies):
    found = extract_file(policies / "001_ac11a834c7ff5f04.txt")
    assert [(c.indicator, c.value, c.unit, c.year) for c in found] == [
        ("invention_patents_per_10k", 0.76, "件/万人", 2025),
        ("high_value_invention_patents_per_10k", 0.11, "件/万人", 2025),
        ("valid_trademark_registrations", 12000, "件", 2025),
    ]


def test_chengdu_has_only_the_range_target(policies):
    (c,) = extract_file(policies / "002_371e778960edf182.txt")
    assert (c.indicator, c.value, c.comparator, c.year) == (
        "high_value_patent_cultivation_centres",
        1,
        ">=",
        None,
    )


def test_document_003_years_are_unknown_with_every_year_and_window_targets(policies):
    found = extract_file(policies / "003_65ee71ac7b3c2f4e.txt")
    assert [(c.value, c.unit, c.basis, c.window_years, c.relative_to) for c in found] == [
        (10, "家", "every_year", None, None),
        (1000, "人", "cumulative", 3, None),
        (10, "人", "every_year", None, None),
        (4, "期", "every_year", None, None),
        (400, "人次", "every_year", None, None),
        (None, "%", "every_year", None, "gdp_growth"),
    ]
    assert all(c.year is None for c in found)


def test_liaoning_text_without_its_table_gives_no_candidate(policies):
    assert extract_file(policies / "004_ea6c7ef1eb077f93.txt") == []


def test_candidate_spans_point_at_the_printed_value(policies):
    for path in sorted(policies.glob("*.txt")):
        text = read_policy_text(path)
        for c in extract_targets(text):
            quantity = text[c.span[0] : c.span[1]]
            assert c.value is None or f"{c.value:g}"[0] in quantity, (path.name, quantity)
            assert text[c.sentence_span[0] : c.sentence_span[1]] == c.text


def test_benchmark_reaches_the_precision_and_recall_aim(policies):
    bench = runpy.run_path(str(PROJECT / "benchmarks" / "extract.py"))
    table = bench["benchmark"]()
    total = table.set_index("document").loc["total"]
    assert total["n_catalog"] == 16
    assert total["precision"] >= bench["THRESHOLD"] and total["recall"] >= bench["THRESHOLD"]


def test_benchmark_matching_needs_value_unit_comparator_and_year():
    bench = runpy.run_path(str(PROJECT / "benchmarks" / "extract.py"))
    goal = ipi.target("hangzhou-2020-invention-patents-per-10k")
    c = only("到2020年,万人有效发明专利拥有量达36件。")
    assert bench["matches"](c, goal)
    assert not bench["matches"](only("到2021年,万人有效发明专利拥有量达36件。"), goal)
    assert not bench["matches"](only("到2020年,万人有效发明专利拥有量不超过36件。"), goal)
    assert not bench["matches"](only("到2020年,万人有效发明专利拥有量达37件。"), goal)
    assert bench["true_positives"]([c, c], [goal]) == 1


# --- notebook --------------------------------------------------------------------------------


def _run_notebook(tmp_path: Path, **parameters) -> str:
    papermill = pytest.importorskip("papermill")
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(PROJECT / "notebooks" / "extract_targets.ipynb"),
        str(out),
        parameters=parameters,
        kernel_name="python3",
        progress_bar=False,
        cwd=str(tmp_path),
    )
    return out.read_text(encoding="utf-8")


def test_notebook_shows_highlighted_candidates(policies, tmp_path):
    executed = _run_notebook(tmp_path, path=str(policies / HANGZHOU))
    assert "<mark>36件</mark>" in executed and "6 candidate targets" in executed
    assert "hangzhou-2020-ip-pledge-financing" in executed


def test_notebook_skips_a_missing_policy_file(tmp_path):
    executed = _run_notebook(tmp_path, path=str(tmp_path / "missing.txt"))
    assert "nothing to extract" in executed


def test_notebook_has_a_parameters_cell_first():
    notebook = json.loads((PROJECT / "notebooks" / "extract_targets.ipynb").read_text("utf-8"))
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert "parameters" in code[0]["metadata"]["tags"]


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        ("知识产权保护社会满意度达到82分以上", 82, "分"),
        ("新增貫標單位1萬家", 1, "万家"),
        ("培育500戶知識產權優勢示范企業", 500, "户"),
        ("培育1000項高價值發明專利", 1000, "项"),
    ],
)
def test_score_enterprise_and_item_units_in_either_script(text, value, unit):
    c = only(text)
    assert (c.value, c.unit, c.comparator) == (value, unit, ">=")


def test_traditional_text_converts_character_for_character():
    text = "國內(不含港澳臺)有效發明專利擁有量達到401.5萬件"
    c = only(text)
    assert (c.indicator, c.value, c.unit) == ("valid_invention_patents", 401.5, "万件")
    assert text[c.span[0] : c.span[1]].endswith("萬件")  # spans point into the text as given
