"""The typed results of an assessment: enums, frozen records that keep their forecast, and the
collection's frames."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import ipindicators as ipi
from ipindicators.models.results import (
    COLUMNS,
    UNTRACKED_VERDICTS,
    Reason,
    Status,
    TargetAssessment,
    Verdict,
)


@pytest.fixture(scope="module")
def assessment():
    return ipi.assess("liaoning", "2021-06-30", n_paths=300)


def test_every_result_is_typed_and_frozen(assessment):
    for result in assessment:
        assert isinstance(result, TargetAssessment)
        assert isinstance(result.status, Status) and isinstance(result.verdict, Verdict)
        assert isinstance(result.reason_code, Reason)
        assert result.verdict.judged == (result.verdict not in UNTRACKED_VERDICTS)
    with pytest.raises(dataclasses.FrozenInstanceError):
        assessment[0].probability = 0.5  # type: ignore[misc]


def test_the_frame_is_the_records_with_plain_values(assessment):
    frame = assessment.frame()
    assert list(frame.columns) == COLUMNS and len(frame) == len(assessment)
    assert all(type(v) is str for v in frame["verdict"])
    first = assessment[0]
    assert frame.loc[0, "target_id"] == first.target_id
    assert frame.loc[0, "verdict"] == first.verdict.value


def test_a_probability_is_the_share_of_its_draws_meeting_the_target(assessment):
    judged = [t for t in assessment if t.draws is not None]
    assert judged
    for result in judged:
        item = ipi.target(result.target_id) if result.target_id != "custom" else None
        assert item is not None
        assert result.probability == pytest.approx(float(item.meets(result.draws).mean()))
        assert result.median_forecast == pytest.approx(float(np.median(result.draws)))
        assert result.forecast is assessment.forecasts[result.indicator]


def test_summary_frame_gives_intervals_at_any_level(assessment):
    eighty = assessment.summary_frame(alpha=0.2).set_index("target_id")
    ninety_five = assessment.summary_frame(alpha=0.05).set_index("target_id")
    for result in assessment:
        if result.draws is None:
            assert np.isnan(eighty.loc[result.target_id, "lower"])
            continue
        low, high = eighty.loc[result.target_id, ["lower", "upper"]]
        assert (low, high) == pytest.approx((result.interval_80_low, result.interval_80_high))
        wide = ninety_five.loc[result.target_id]
        assert wide["lower"] <= low <= high <= wide["upper"]
    with pytest.raises(ValueError, match="alpha"):
        assessment.summary_frame(alpha=1.5)


def test_without_forecasts_keeps_the_numbers_and_drops_the_paths(assessment):
    light = assessment.without_forecasts()
    assert not light.forecasts and all(t.forecast is None for t in light)
    assert light.frame().equals(assessment.frame())
    assert light.summary_frame().equals(assessment.summary_frame())
