"""Scheduled runs: a region reruns only when its inputs changed, and the run says what changed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest

import ipindicators as ipi
from ipindicators.data.build import build
from ipindicators.reports import region_report as rr
from ipindicators.reports.batch import report
from ipindicators.reports.incremental import (
    KEY_FILE,
    PREVIOUS,
    changes,
    figure_index,
    keep_previous_version,
)

REGIONS = ["haidong", "hangzhou", "sichuan", "china"]
PATHS = 100


def _hashes(out: Path) -> dict[str, str]:
    return {
        p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(out.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(out).parts)
    }


def _user_figures(tmp_path: Path, name: str, rows: list[str]) -> Path:
    path = tmp_path / name
    path.write_text(
        "region,indicator,period_start,period_end,value,unit,as_printed,source_url\n"
        + "\n".join(rows)
        + "\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def user_build(tmp_path, monkeypatch):
    """A user build of its own (a baseline figure that no report here reads), so that adding a
    figure later changes nothing but that figure."""
    monkeypatch.setenv("IPINDICATORS_USER_DIR", str(tmp_path / "user"))
    base = _user_figures(
        tmp_path,
        "base.csv",
        [
            ",".join(
                [
                    "xian",
                    "high_value_invention_patents",
                    "",
                    "2024-12-31",
                    "1",
                    "件",
                    "1件",
                    "https://example.gov.cn/base",
                ]
            )
        ],
    )
    build(user_paths=[base])
    return base


def _run(out: Path, **kwargs) -> dict[str, float]:
    result = report(REGIONS, out=out, jobs=2, n_paths=PATHS, progress=False, **kwargs)
    assert result.ok, result.message()
    return {run.region: run.seconds for run in result.runs}


def test_a_second_run_reuses_every_report_and_changes_no_byte(tmp_path, user_build):
    out = tmp_path / "out"
    first = _run(out)
    assert all(seconds > 0 for seconds in first.values())
    before = _hashes(out)
    second = _run(out)
    assert all(seconds == 0 for seconds in second.values()), second
    assert _hashes(out) == before
    assert not (out / "changes.csv").exists()  # nothing changed, so no changes page yet
    forced = _run(out, force=True)
    assert all(seconds > 0 for seconds in forced.values())
    assert _hashes(out) == before  # a forced rerun writes the same bytes


def test_one_new_figure_reruns_exactly_the_region_that_reads_it(tmp_path, user_build):
    out = tmp_path / "out"
    _run(out)
    before = _hashes(out)
    added = _user_figures(
        tmp_path,
        "added.csv",
        [
            ",".join(
                [
                    "haidong",
                    "valid_trademark_registrations",
                    "",
                    "2024-12-31",
                    "11000",
                    "件",
                    "11000件",
                    "https://example.gov.cn/haidong-2024",
                ]
            )
        ],
    )
    build(user_paths=[user_build, added])
    again = _run(out)
    assert {r for r, seconds in again.items() if seconds > 0} == {"haidong"}
    changed = {
        name.split("/")[0] for name, digest in _hashes(out).items() if before.get(name) != digest
    }
    assert changed >= {"haidong", "summary.csv", "changes.csv", "changes.html"}
    assert not changed & {"hangzhou", "sichuan", "china"}
    found = pd.read_csv(out / "changes.csv")
    figure = found[found["change"] == "new figure"].iloc[0]
    assert (figure["region"], figure["indicator"]) == ("haidong", "valid_trademark_registrations")
    moved = found[found["target_id"] == "haidong-2025-valid-trademark-registrations"]
    assert len(moved) == 1 and "the 2024-12-31 figure 11,000 件 arrived" in moved["reason"].iloc[0]
    page = (out / "haidong" / "report.html").read_text(encoding="utf-8")
    assert "What changed since the previous version" in page and "11,000 件 arrived" in page
    assert 'href="changes.html"' in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "summary.previous.csv").is_file()


def test_a_missing_or_corrupt_key_means_rerun(tmp_path, user_build):
    out = tmp_path / "out"
    _run(out)
    (out / "hangzhou" / KEY_FILE).write_text("{not json", encoding="utf-8")
    (out / "sichuan" / KEY_FILE).unlink()
    again = _run(out)
    assert {r for r, seconds in again.items() if seconds > 0} == {"hangzhou", "sichuan"}
    stored = json.loads((out / "hangzhou" / KEY_FILE).read_text(encoding="utf-8"))
    assert set(stored["inputs"]) >= {"package", "notebook", "parameters", "family_priors"}


def test_changes_name_verdicts_probabilities_targets_and_figures():
    def summary(rows):
        return pd.DataFrame(
            rows,
            columns=["region", "target_id", "indicator", "verdict", "probability", "as_of"],
        )

    before = summary(
        [
            ("a", "t1", "x", "likely", 0.70, "2026-01-01"),
            ("a", "t2", "y", "uncertain", 0.50, "2026-01-01"),
            ("a", "gone", "y", "no data", None, "2026-01-01"),
        ]
    )
    after = summary(
        [
            ("a", "t1", "x", "achieved", None, "2026-01-01"),
            ("a", "t2", "y", "uncertain", 0.62, "2026-01-01"),
            ("a", "t3", "y", "no data", None, "2026-01-01"),
        ]
    )
    figures = pd.DataFrame(
        {
            "region": ["a"],
            "indicator": ["x"],
            "period_end": pd.to_datetime(["2025-12-31"]),
            "value": [12.0],
            "unit": ["件"],
            "source_url": ["https://example.gov.cn/x"],
            "released": ["2026-02-01"],
        }
    )
    found = changes(
        before, after, figure_index(figures.iloc[0:0], ["a"]), figure_index(figures, ["a"])
    )
    kinds = sorted(zip(found["change"], found["target_id"].fillna("")))
    assert kinds == [
        ("new figure", ""),
        ("new target", "t3"),
        ("probability", "t2"),
        ("removed target", "gone"),
        ("verdict", "t1"),
    ]
    verdict = found[found["change"] == "verdict"].iloc[0]
    assert (verdict["before"], verdict["after"]) == ("likely", "achieved")
    assert "published on 2026-02-01" in verdict["reason"]


def test_a_page_shows_the_figures_of_one_indicator_in_one_row_named_by_site():
    from ipindicators.reports.incremental import CHANGE_COLUMNS, for_page

    figure = {"region": "liaoning", "target_id": "", "indicator": "patent_grants"}
    rows = [
        {
            **figure,
            "change": "new figure",
            "before": "",
            "after": f"{n} 件",
            "reason": f"the 20{n}-12-31 figure {n} 件 arrived (https://example.org/t/{n}.xlsx)",
        }
        for n in (10, 11, 12)
    ]
    rows.append(
        {
            **figure,
            "target_id": "t",
            "change": "verdict",
            "before": "likely",
            "after": "achieved",
            "reason": "the 2012-12-31 figure arrived",
        }
    )
    shown = for_page(pd.DataFrame(rows, columns=CHANGE_COLUMNS))
    assert list(shown["change"]) == ["verdict", "3 new figures"]
    grouped = shown.iloc[1]
    assert grouped["after"] == "12 件"
    assert grouped["reason"] == "the newest: the 2012-12-31 figure 12 件 arrived (example.org)"


def test_a_page_compared_with_its_unchanged_previous_version_finds_nothing_new(tmp_path):
    observations = ipi.observations()
    table = ipi.assess("china", "2026-06-30", n_paths=100, observations=observations).frame()
    figures = rr.download_tables("china", observations, table)["figures"]
    keep_previous_version(tmp_path, table, figure_index(figures, ["china"]))
    shown = rr.changes_view("china", table, observations, tmp_path / PREVIOUS)
    # the region's other statistics (population, patent agents) are not "new figures"
    assert "Nothing changed" in shown.data
