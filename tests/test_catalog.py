"""The indicator, region and document catalogs load and hold what the plans need."""

from __future__ import annotations

import ipindicators as ipi
from ipindicators.catalog.indicators import KINDS
from ipindicators.catalog.regions import ancestors
from ipindicators.catalog.units import conversion_factor

REQUIRED_INDICATORS = {
    "invention_patents_per_10k",
    "high_value_invention_patents_per_10k",
    "valid_trademark_registrations",
    "technology_market_turnover",
    "ip_pledge_financing",
    "valid_invention_patents",
    "high_value_invention_patents",
    "resident_population",
    "pct_applications",
    "ip_admin_case_closure_rate",
    "national_ip_pilot_demo_zones",
    "national_ip_advantage_demo_enterprises",
    "ip_trainees",
    "ip_training_sessions",
    "ip_funding_growth",
}


def test_required_indicators_are_defined_with_metadata():
    table = ipi.indicators()
    assert set(table.index) >= REQUIRED_INDICATORS
    for column in ("name_zh", "name_en", "unit", "kind", "definition", "publisher"):
        assert table[column].notna().all(), column
    assert set(table["kind"]) <= set(KINDS)


def test_ratio_indicators_derive_from_parts_in_matching_units():
    for item_id in ("invention_patents_per_10k", "high_value_invention_patents_per_10k"):
        ratio = ipi.indicator(item_id)
        numerator, denominator = (ipi.indicator(p) for p in ratio.derived_from)
        assert ratio.kind == "ratio" and ratio.is_derived
        # numerator / denominator in catalog units is already the ratio's unit: 件 / 万人 = 件/万人
        assert (numerator.unit, denominator.unit, ratio.unit) == ("件", "万人", "件/万人")


def test_aliases_cover_plan_phrases():
    aliases = ipi.indicator("invention_patents_per_10k").aliases_zh
    assert "万人有效发明专利拥有量" in aliases and "每万人口发明专利拥有量" in aliases
    assert "技术市场交易额" in ipi.indicator("technology_market_turnover").aliases_zh


def test_regions_cover_country_provinces_cities_and_plan_regions():
    table = ipi.regions()
    assert (table["level"] == "province").sum() == 31
    assert table["sub_provincial"].sum() == 15
    for region_id in ("china", "hangzhou", "haidong", "chengdu", "nantong", "liaoning"):
        assert region_id in table.index
    codes = table["code"].dropna()
    assert codes.str.fullmatch(r"\d{6}").all() and codes.is_unique


def test_every_region_reaches_china_through_its_parents():
    for region_id in ipi.regions().index:
        if region_id != "china":
            assert ancestors(region_id)[-1] == "china", region_id
    assert ancestors("haidong") == ["qinghai", "china"]


def test_unnamed_county_city_of_document_003_is_explicit():
    item = ipi.region("nantong_doc003")
    assert item.parent == "nantong" and item.level == "county"
    assert item.name_en is None and "unnamed" in item.note


def test_units_convert_within_a_dimension_only():
    assert conversion_factor("万件", "件") == 1e4
    assert conversion_factor("件/百万人", "件/万人") == 0.01
    assert conversion_factor("billion yuan", "亿元") == 10.0
    try:
        conversion_factor("件", "亿元")
    except ipi.UsageError as exc:
        assert "cannot convert" in str(exc)
    else:
        raise AssertionError("converting items to yuan must fail")
