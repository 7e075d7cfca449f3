"""Every sentence a report prints is true on the day it is read: checked over `report --all`."""

from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd
import pytest

from ipindicators.catalog.targets import targets_for
from ipindicators.chinese import PINYIN_GLOSS, is_chinese
from ipindicators.data.release import expected_release
from ipindicators.models.assess import ESTIMATE_BANDS, VERDICT_BANDS
from ipindicators.reports.batch import report
from ipindicators.reports.region_report import VERDICTS, verdict_label

FORECAST = {label for _, label in VERDICT_BANDS}
ESTIMATE = {label for _, label in ESTIMATE_BANDS}


@pytest.fixture(scope="module")
def every_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("all-reports")
    result = report(out=out, jobs=2, n_paths=200, progress=False)
    assert result.ok, result.message()
    summary = pd.read_csv(out / "summary.csv")
    pages = {
        region: html.unescape((out / region / "report.html").read_text(encoding="utf-8"))
        for region in summary["region"].unique()
    }
    return out, summary, pages


def _text(page: str) -> str:
    return re.sub(r"<[^>]+>", " ", page)


def test_no_inherited_target_is_counted_in_a_regions_verdicts(every_report):
    out, summary, pages = every_report
    index = html.unescape((out / "index.html").read_text(encoding="utf-8"))
    for region, page in pages.items():
        rows = summary[summary["region"] == region]
        own = rows[~rows["inherited"].astype(bool)]
        headline = re.search(r"<strong>(\d+) targets of its own plans</strong>(.*?)</p>", page)
        assert headline and int(headline.group(1)) == len(own), region
        counted = re.findall(r"<strong>(\d+)</strong> ([^;<.]+)", headline.group(2))
        expected = {(str(n), verdict_label(v)) for v, n in own["verdict"].value_counts().items()}
        assert {(n, label.strip()) for n, label in counted} == expected, region
        name = re.escape(region)
        assert re.search(name, index)
    # the index counts own targets only, parents' apart
    assert "parent-plan targets (for reference)" in index


def test_no_forecast_verdict_on_a_past_target_year(every_report):
    _, summary, pages = every_report
    today = dt.date.fromisoformat(summary["as_of"].iloc[0])
    past = summary[pd.to_numeric(summary["target_year"]) < today.year]
    assert len(past) > 50
    assert not past["verdict"].isin(FORECAST).any()
    for region, page in pages.items():
        for year, label in re.findall(r"by (\d{4})</strong> — ([^:(<]+)", page):
            if int(year) < today.year:
                assert label.strip() not in {verdict_label(v) for v in FORECAST}, region


def test_no_forecast_or_estimate_without_its_probability(every_report):
    _, summary, pages = every_report
    banded = summary[summary["verdict"].isin(FORECAST | ESTIMATE)]
    assert banded["probability"].notna().all()
    assert banded[["interval_80_low", "interval_80_high"]].notna().all().all()
    labels = {verdict_label(v) for v in FORECAST | ESTIMATE}
    for region, page in pages.items():
        for label, after in re.findall(r"</strong> — ([^:(<]+)(.{0,40})", page):
            if label.strip() in labels:
                assert "probability" in after, (region, label)


def test_no_figure_is_called_not_yet_public_after_its_release_date(every_report):
    _, summary, pages = every_report
    today = dt.date.fromisoformat(summary["as_of"].iloc[0])
    for region, page in pages.items():
        assert "not yet public" not in page, region
        for due in re.findall(r"not yet due \(expected by (\d{4}-\d{2}-\d{2})\)", page):
            assert dt.date.fromisoformat(due) > today, region
    waiting = summary[summary["status"] == "outcome_unknown"]
    for row in waiting.itertuples():
        year = int(row.target_year)
        due = min(expected_release(dt.date(year, 12, 31), m) for m in ("snapshot", "period_total"))
        if today > max(due, expected_release(dt.date(year, 12, 31), "period_total")):
            assert "not among the figures held" in row.reason, row.target_id


def test_the_plans_words_are_chinese_or_marked_as_a_translation(every_report):
    _, _, pages = every_report
    translations: set[str] = set()
    for region, page in pages.items():
        text = _text(page)
        plans = text.split("Plans and targets")[-1].split("The figures and their sources")[0]
        assert not PINYIN_GLOSS.search(plans), region
        for item in targets_for(region, inherit=True):
            words, kind = item.plan_words()
            assert " ".join(words.split()) in " ".join(text.split()), (region, item.id)
            if kind == "translation":
                translations.add(item.id)
                assert "[translation: the Chinese text was not found" in text, item.id
            else:
                assert is_chinese(words), item.id
    # English or Japanese summaries the Chinese text of which the stored pages lack
    assert len(translations) <= 45


def test_sources_are_cited_never_as_a_bare_code_host(every_report):
    _, _, pages = every_report
    for region, page in pages.items():
        for host in ("github.com", "gitee.com", "gitlab.com"):
            assert f">{host}</a>" not in page, region
        sources = page.split("The figures and their sources")[-1]
        for link in re.findall(r"read at <a [^>]+>github\.com/[^<]+</a>", sources):
            assert link  # a reproduction is named with its repository, after the publication


def test_pages_are_titled_by_region(every_report):
    out, summary, _ = every_report
    page = (out / "hangzhou" / "report.html").read_text(encoding="utf-8")
    assert "<title>杭州市 Hangzhou — IP plan targets</title>" in page
    assert set(VERDICTS) >= set(summary["verdict"])
