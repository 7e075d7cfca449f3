"""The figure template: one row per indicator a region's targets need, and it builds once filled."""

from __future__ import annotations

import pandas as pd
import pytest

import ipindicators as ipi
from ipindicators.cli import main
from ipindicators.data.build import build
from ipindicators.data.template import figure_template, write_figure_template


def _fill(path, value: str = "7") -> None:
    """Fill every year cell and the source of a CSV template (made-up test figures)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    body = [line for line in lines if not line.startswith("#")]
    header = body[0].split(",")
    years = [i for i, name in enumerate(header) if name.isdigit()]
    url = header.index("source_url")
    filled = [body[0]]
    for row in body[1:]:
        cells = row.split(",")
        cells[url] = "https://example.org/filled-by-hand"
        for i in years:
            cells[i] = value
        filled.append(",".join(cells))
    path.write_text("\n".join(filled) + "\n", encoding="utf-8")


def test_haidong_template_lists_its_targets_indicators_and_their_parts():
    table = figure_template("haidong")
    assert list(table["indicator"])[:3] == [
        "invention_patents_per_10k",
        "valid_invention_patents",
        "resident_population",
    ]
    assert "valid_trademark_registrations" in set(table["indicator"])
    assert {"2020", "2025"} <= set(table.columns)
    assert (table["unit"] == [ipi.indicator(i).unit for i in table["indicator"]]).all()


@pytest.mark.parametrize("region", list(ipi.regions().index))
def test_every_regions_template_builds_once_filled(tmp_path, region):
    # built on its own (as the only raw table) to keep the test quick
    path = write_figure_template(region, tmp_path / "raw" / f"{region}.csv")
    _fill(path)
    built = build(raw=path.parent, write=False).observations
    mine = built[(built["region"] == region) & (built["origin"] == "published")]
    expected = set(figure_template(region)["indicator"])
    assert set(mine["indicator"]) == expected


def test_an_unfilled_template_is_refused_as_having_no_figures(tmp_path):
    path = write_figure_template("haidong", tmp_path / "haidong.csv")
    with pytest.raises(ipi.DataError, match="no rows"):
        build(user_paths=[path], write=False)


def test_a_partly_filled_template_adds_the_users_figures(tmp_path):
    path = write_figure_template("haidong", tmp_path / "haidong.csv")
    text = path.read_text(encoding="utf-8").replace(
        "haidong,valid_trademark_registrations,商标有效注册量,件,,",
        "haidong,valid_trademark_registrations,商标有效注册量,件,https://example.org/mine,",
    )
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if "example.org/mine" in line)
    lines[row] = lines[row][: -len(",,,,,,")] + ",,,,,9876"  # a made-up 2025 figure
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    built = build(user_paths=[path], write=False).observations
    mine = built[built["origin"] == "user"]
    assert mine[["region", "indicator", "value"]].values.tolist() == [
        ["haidong", "valid_trademark_registrations", 9876.0]
    ]


def test_excel_template_and_the_cli(tmp_path, capsys):
    out = tmp_path / "h.xlsx"
    assert (
        main(["data", "template", "--region", "haidong", "--format", "xlsx", "--out", str(out)])
        == 0
    )
    assert "data build --raw" in capsys.readouterr().out
    sheets = pd.read_excel(out, sheet_name=None, dtype=str)
    assert list(sheets) == ["figures", "how to fill"]
    assert list(sheets["figures"]["indicator"]) == list(figure_template("haidong")["indicator"])
    assert main(["data", "template", "--region", "atlantis"]) == 2
