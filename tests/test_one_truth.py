"""One computation per target: the page's table, its charts' data and alt text, the downloads
and the batch summary all give each target the same probability, median, interval and verdict,
as of today and as of a past date."""

from __future__ import annotations

import datetime as dt
import html
import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

import ipindicators as ipi
from ipindicators.models.results import SETTLED_STATUSES
from ipindicators.reports import region_report as rr
from ipindicators.reports.batch import report
from ipindicators.reports.format import rounded

REGIONS = ["china", "liaoning", "hubei"]
PATHS = 300
NUMBERS = ["probability", "median_forecast", "interval_80_low", "interval_80_high"]


@pytest.fixture(scope="module", params=[None, "2021-06-30"], ids=["today", "2021-06-30"])
def reported(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("truth")
    result = report(
        REGIONS, as_of=request.param, out=out, n_paths=PATHS, progress=False, overview=False
    )
    assert result.ok, result.message()
    assessments = {region: ipi.assess(region, request.param, n_paths=PATHS) for region in REGIONS}
    return out, assessments


def _judged(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[frame["probability"].notna()]


def test_downloads_summary_and_assessment_give_every_target_the_same_numbers(reported):
    out, assessments = reported
    summary = pd.read_csv(out / "summary.csv")
    for region, assessment in assessments.items():
        expected = rounded(assessment.frame()).set_index("target_id")
        downloaded = rr.read_assessment(out / region / "assessment.csv").set_index("target_id")
        listed = summary[summary["region"] == region].set_index("target_id")
        assert len(_judged(expected)) >= 2, region  # the check has targets to bite on
        for shown in (downloaded, listed):
            assert list(shown.index) == list(expected.index)
            pd.testing.assert_frame_equal(
                shown[NUMBERS].astype(float), expected[NUMBERS].astype(float), rtol=1e-12
            )
            assert list(shown["verdict"]) == list(expected["verdict"])


def _band_at(ax: plt.Axes, year: int) -> tuple[float, float, float]:
    """The chart's 80 % band and median at ``year``, as drawn."""
    median = next(line for line in ax.get_lines() if line.get_label() == "median forecast")
    at = np.flatnonzero(median.get_xdata() == year)
    band = next(c for c in ax.collections if c.get_label() == "80% interval")
    vertices = band.get_paths()[0].vertices
    ys = vertices[np.isclose(vertices[:, 0], year), 1]
    return float(ys.min()), float(median.get_ydata()[at[0]]), float(ys.max())


def test_the_charts_draw_the_forecast_each_target_was_judged_on(reported):
    _, assessments = reported
    observations = ipi.observations()
    compared = 0
    for region, assessment in assessments.items():
        judged = {
            t.target_id: t
            for t in assessment
            if t.probability is not None
            and t.basis == "level"
            and t.status not in SETTLED_STATUSES
        }
        for indicator_id, figure, _ in rr.indicator_charts(region, observations, assessment):
            if figure is None:
                continue
            ax = figure.axes[0]
            drawn = set(np.asarray(ax.get_lines()[0].get_xdata()).astype(int))
            for result in judged.values():
                if result.indicator != indicator_id or result.target_year not in drawn:
                    continue
                low, median, high = _band_at(ax, int(result.target_year))
                assert median == pytest.approx(result.median_forecast, rel=1e-12)
                assert (low, high) == pytest.approx(
                    (result.interval_80_low, result.interval_80_high), rel=1e-12
                )
                assert result.forecast is assessment.forecasts[indicator_id]
                compared += 1
            plt.close(figure)
    assert compared >= 3


def test_the_page_prints_each_targets_numbers_once_in_table_and_chart(reported):
    out, assessments = reported
    for region, assessment in assessments.items():
        page = html.unescape((out / region / "report.html").read_text(encoding="utf-8"))
        alts = " ".join(re.findall(r'<img alt="([^"]*)"', page))
        cells = re.sub(r"<[^>]+>", " ", page)
        for result in assessment:
            if result.probability is None or result.inherited:
                continue
            said = rr.target_numbers(result)
            if result.basis == "level" and result.target_year is not None:
                assert said in alts, (region, result.target_id, said)
            probability = f"{100 * result.probability:.0f} %"
            assert probability in cells, (region, result.target_id)
            if result.status not in SETTLED_STATUSES:
                interval = rr.attainment_intervals(assessment.frame()).get(result.target_id)
                assert interval and interval in cells, (region, result.target_id)


def test_the_index_names_the_date_the_figures_were_public_by(reported):
    out, assessments = reported
    index = (out / "index.html").read_text(encoding="utf-8")
    as_of = next(iter(assessments.values())).as_of
    if as_of == dt.date.today():
        assert "Assessed from the figures public today" in index
    else:
        assert f"Assessed from the figures public on {as_of.isoformat()}," in index
    assert "31 December" not in index
