"""A user's own catalog (``IPINDICATORS_CATALOG_DIR``) is read with the care of a data file.

Every entry below is made up for the test.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ipindicators.catalog.regions import Region
from ipindicators.catalog.registry import load_entries
from ipindicators.catalog.targets import Target
from ipindicators.errors import CatalogError
from ipindicators.paths import CATALOG_DIR

PROVINCE = "- id: {id}\n  name_zh: 甲省\n  level: province\n  parent: {parent}\n"


def _refused(tmp_path: Path, text: str | bytes, model: type = Region) -> CatalogError:
    path = tmp_path / "regions.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as info:
        load_entries(path, model)
    assert str(path) in str(info.value)
    return info.value


def test_yaml_aliases_are_refused_before_anything_expands(tmp_path):
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    text = "- id: x\n  name_zh: 甲\n  level: country\n  note:\n" + "".join(
        f"    {line}\n" for line in levels
    )
    error = _refused(tmp_path, text)
    assert "aliases" in str(error)


def test_an_entry_with_thousands_of_keys_is_refused_by_its_first_unknown_field(tmp_path):
    keys = "".join(f"  k{i}: {i}\n" for i in range(20_000))
    error = _refused(tmp_path, "- id: x\n  name_zh: 甲\n  level: country\n" + keys)
    assert error.entry == "x" and error.field == "k0" and "unknown field" in str(error)


def test_a_gbk_catalog_is_refused_naming_the_encoding(tmp_path):
    error = _refused(tmp_path, "- id: x\n  name_zh: 中国\n  level: country\n".encode("gbk"))
    assert "not UTF-8" in str(error) and "GBK" in str(error)


@pytest.mark.parametrize("bad", ["../x", "Hunan", "a b", "x/y", "-x", "x" * 101])
def test_ids_outside_the_documented_pattern_are_refused(tmp_path, bad):
    error = _refused(tmp_path, f"- id: {bad!r}\n  name_zh: 甲\n  level: country\n")
    assert error.field == "id" and "lower-case letters, digits" in str(error)


def test_a_parent_chain_that_loops_is_refused(tmp_path):
    text = PROVINCE.format(id="a", parent="b") + PROVINCE.format(id="b", parent="a")
    error = _refused(tmp_path, text)
    assert error.field == "parent" and "a → b → a" in str(error)


def test_a_region_that_is_its_own_parent_is_refused(tmp_path):
    error = _refused(tmp_path, PROVINCE.format(id="a", parent="a"))
    assert "loops" in str(error)


def _target(**changes) -> str:
    entry = {
        "id": "hunan-test",
        "region": "hunan",
        "indicator": "invention_patent_applications",
        "comparator": ">=",
        "value": 3,
        "unit": "万件",
        "year": 2027,
        "basis": "level",
        "document": "湘知发〔2016〕81号",
        "quote": "test",
        "source_url": "https://example.org/t",
        **changes,
    }
    return yaml.safe_dump([entry], allow_unicode=True)


@pytest.mark.parametrize(
    ("changes", "field", "fragment"),
    [
        ({"year": 9999}, "year", "at most 2100"),
        ({"year": 1000}, "year", "at least 1949"),
        ({"basis": "cumulative", "window_years": 0}, "window_years", "at least 1"),
        ({"value": -3}, "value", "cannot be negative"),
        ({"value": float("inf")}, "value", "expected number"),
    ],
)
def test_target_years_and_values_outside_their_ranges_are_refused(
    tmp_path, changes, field, fragment
):
    error = _refused(tmp_path, _target(**changes), Target)
    assert error.field == field and fragment in str(error)


def test_a_negative_average_growth_target_is_a_valid_entry(tmp_path):
    path = tmp_path / "targets.yaml"
    path.write_text(
        _target(value=-2, unit="%", basis="average_growth", window_start=2021), encoding="utf-8"
    )
    assert load_entries(path, Target)["hunan-test"].value == -2


def _cli(*argv: str, catalog: Path | str) -> subprocess.CompletedProcess:
    env = {**os.environ, "IPINDICATORS_CATALOG_DIR": str(catalog)}
    return subprocess.run(
        [sys.executable, "-m", "ipindicators", *argv], env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize("folder", ["missing", "empty"])
def test_a_catalog_folder_that_is_missing_or_empty_is_refused(tmp_path, folder):
    (tmp_path / "empty").mkdir()
    done = _cli("regions", catalog=tmp_path / folder)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "IPINDICATORS_CATALOG_DIR" in done.stderr


def test_a_target_beyond_the_forecast_horizon_is_a_row_and_the_report_renders(tmp_path):
    """A target far ahead (2090) and a growth target of that year cannot be assessed; the
    region's page still renders, with each in its row."""
    targets = yaml.safe_load((CATALOG_DIR / "targets.yaml").read_text(encoding="utf-8"))
    targets += yaml.safe_load(_target(id="hunan-2090-level", year=2090))
    targets += yaml.safe_load(
        _target(
            id="hunan-2090-growth",
            indicator="valid_invention_patents",
            value=5,
            unit="%",
            year=2090,
            basis="average_growth",
            window_start=2021,
        )
    )
    folder = tmp_path / "catalog"
    folder.mkdir()
    (folder / "targets.yaml").write_text(yaml.safe_dump(targets, allow_unicode=True), "utf-8")
    out = tmp_path / "out"
    done = _cli("report", "--region", "hunan", "--paths", "50", "--out", str(out), catalog=folder)
    assert done.returncode == 0, done.stderr[-2000:]
    page = (out / "hunan" / "report.html").read_text(encoding="utf-8")
    assert page.count("years before the end of the target year") >= 2
    assert "until must be" not in page
    assessed = _cli(
        "assess", "--region", "hunan", "--paths", "50", "--format", "csv", catalog=folder
    )
    assert assessed.returncode == 0, assessed.stderr[-2000:]
    rows = [line for line in assessed.stdout.splitlines() if "hunan-2090" in line]
    assert len(rows) == 2 and all("calibrated up to 7 years ahead" in row for row in rows)
