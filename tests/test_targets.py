"""The target catalog: values the plans set, inheritance, and errors on bad entries."""

from __future__ import annotations

from pathlib import Path

import pytest

import ipindicators as ipi
from ipindicators.catalog.targets import load_targets, targets_for
from ipindicators.errors import CatalogError


@pytest.mark.parametrize(
    ("target_id", "value", "unit", "year", "basis"),
    [
        ("hangzhou-2020-invention-patents-per-10k", 36, "件/万人", 2020, "level"),
        ("hangzhou-2020-technology-market-turnover", 100, "亿元", 2020, "level"),
        ("hangzhou-2020-ip-pledge-financing", 5, "亿元", 2020, "cumulative"),
        ("hangzhou-2020-admin-case-closure-rate", 93, "%", 2020, "level"),
        ("haidong-2025-high-value-invention-patents-per-10k", 0.11, "件/万人", 2025, "level"),
        ("haidong-2025-valid-trademark-registrations", 12000, "件", 2025, "level"),
        ("haidong-2025-invention-patents-per-10k", 0.76, "件/万人", 2025, "level"),
        ("nantong-doc003-ip-trainees-3y", 1000, "人", None, "cumulative"),
    ],
)
def test_plan_targets_have_the_printed_values(target_id, value, unit, year, basis):
    item = ipi.target(target_id)
    assert (item.value, item.unit, item.year, item.basis) == (value, unit, year, basis)


def test_cumulative_pledge_target_has_a_window():
    item = ipi.target("hangzhou-2020-ip-pledge-financing")
    assert item.cumulative and item.window_start == 2016


def test_document_003_years_stay_unknown():
    chosen = ipi.targets(region="nantong_doc003")
    assert len(chosen) == 6 and chosen["year"].isna().all()


def test_relative_target_has_no_value_but_a_benchmark():
    item = ipi.target("nantong-doc003-ip-funding-growth")
    assert item.value is None and item.relative_to == "gdp_growth"


def test_parent_targets_carry_their_source_url():
    parents = [t for t in ipi.targets().itertuples() if not t.document.endswith(".txt")]
    parents = [t for t in parents if ipi.document(t.document).file is None]
    assert len(parents) >= 20
    assert all(t.source_url.startswith("http") for t in parents)


def test_value_in_indicator_unit_converts_printed_units():
    assert (
        ipi.target("china-2020-technology-market-turnover-64").value_in_indicator_unit() == 20000
    )
    assert (
        ipi.target("sichuan-2020-valid-trademark-registrations").value_in_indicator_unit()
        == 450000
    )


def test_met_by_follows_the_comparator():
    item = ipi.target("hangzhou-2020-invention-patents-per-10k")
    assert item.met_by(36.0) and item.met_by(40) and not item.met_by(35.9)


def test_regions_without_own_ratio_targets_inherit_only_ratio_targets():
    inherited = [t for t in targets_for("beijing", inherit=True)]
    assert inherited and all(t.region == "china" for t in inherited)
    assert all(ipi.indicator(t.indicator).kind == "ratio" for t in inherited)
    own_hangzhou = {t.indicator for t in targets_for("hangzhou")}
    extra = [t for t in targets_for("hangzhou", inherit=True) if t.region != "hangzhou"]
    assert all(t.indicator not in own_hangzhou for t in extra)


GOOD = """
- id: t1
  region: hangzhou
  indicator: invention_patents_per_10k
  comparator: ">="
  value: 36
  unit: 件/万人
  year: 2020
  basis: level
  document: 000_80cd1bba055f4166.txt
  quote: 万人有效发明专利拥有量达36件
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_catalog_entry_loads(tmp_path):
    assert list(load_targets(_write(tmp_path, GOOD))) == ["t1"]


@pytest.mark.parametrize(
    ("change", "field", "fragment"),
    [
        (
            ("indicator: invention_patents_per_10k", "indicator: patents_per_head"),
            "indicator",
            "unknown indicator",
        ),
        (("region: hangzhou", "region: atlantis"), "region", "unknown region"),
        (("value: 36", "value: thirty-six"), "value", "expected number"),
        (("value: 36", "value: '36'"), "value", "expected number"),
        (('comparator: ">="', 'comparator: "=>"'), "comparator", "is not one of"),
        (("unit: 件/万人", "unit: 亿元"), "unit", "cannot convert"),
        (("year: 2020", "year: 2020\n  colour: red"), "colour", "unknown field"),
    ],
)
def test_bad_entries_name_file_entry_and_field(tmp_path, change, field, fragment):
    path = _write(tmp_path, GOOD.replace(*change))
    with pytest.raises(CatalogError) as info:
        load_targets(path)
    error = info.value
    assert error.path == str(path) and error.entry == "t1" and error.field == field
    assert fragment in str(error) and str(path) in str(error)


def test_duplicate_id_is_rejected(tmp_path):
    with pytest.raises(CatalogError, match="duplicate id") as info:
        load_targets(_write(tmp_path, GOOD + GOOD))
    assert info.value.entry == "t1" and info.value.field == "id"


def test_duplicate_key_in_one_entry_is_rejected(tmp_path):
    with pytest.raises(CatalogError, match="appears twice"):
        load_targets(_write(tmp_path, GOOD + "  year: 2021\n"))
