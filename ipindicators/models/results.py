"""What an assessment returns: typed results that keep the forecast they were judged on.

A :class:`TargetAssessment` is one target at one date: its verdict, its status, the numbers a
page prints and the :class:`~ipindicators.models.forecast.Forecast` (and outcome draws) behind
them. An :class:`Assessment` holds a region's targets with the forecasts of its series, so the
table, the charts, the downloads and the batch summary all render the same objects and nothing
is computed twice for display — in the spirit of statsmodels' results classes:
:meth:`Assessment.frame` is the table, :meth:`Assessment.summary_frame` the outcome intervals at
any level.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, overload

import numpy as np
import pandas as pd

from .forecast import Forecast
from .settings import Settings


class Status(StrEnum):
    """Where a target stands on the figures, before any probability is read."""

    ACHIEVED = "achieved"
    MISSED = "missed"
    OUTCOME_UNKNOWN = "outcome_unknown"
    """The target year is over but its figure is not held: the outcome is estimated."""
    ON_TRACK = "on_track"
    ACCELERATION_NEEDED = "acceleration_needed"
    LIMITED_PROGRESS = "limited_progress"
    MOVING_AWAY = "moving_away"
    NO_DATA = "no_data"
    REPORT_FAILED = "report_failed"
    """The region's report failed: the batch summary lists its targets with this status."""


class Verdict(StrEnum):
    """The one word a reader takes away, from the figures or the probability's band."""

    ACHIEVED = "achieved"
    MISSED = "missed"
    LIKELY = "likely"
    UNCERTAIN = "uncertain"
    UNLIKELY = "unlikely"
    PROBABLY_ACHIEVED = "probably achieved"
    OUTCOME_UNCERTAIN = "outcome uncertain"
    PROBABLY_MISSED = "probably missed"
    ALREADY_MET = "already met"
    """A level target the latest figure already meets, with too few figures for a probability."""
    PROGRAMME = "programme target"
    NO_DATA = "no data"
    NO_YEAR = "no target year"
    NOT_ASSESSED = "not assessed"

    @property
    def judged(self) -> bool:
        """Whether this is a verdict on the target (not a reason why there is none)."""
        return self not in UNTRACKED_VERDICTS


class Reason(StrEnum):
    """Why a target has no verdict, or how its numbers were made where it matters."""

    NONE = ""
    PROGRAMME = "programme"
    NO_FIGURE = "no_figure"
    PART_YEAR = "part_year"
    NOT_PUBLIC = "not_public"
    NO_YEAR = "no_year"
    RELATIVE = "relative"
    TOO_FEW = "too_few"
    TOO_FAR = "too_far"
    UNASSESSABLE = "unassessable"
    ERROR = "error"

    @property
    def verdict(self) -> Verdict:
        """The verdict a target without one gets for this reason."""
        return REASON_VERDICTS.get(self, Verdict.NOT_ASSESSED)


REASON_VERDICTS = {
    Reason.PROGRAMME: Verdict.PROGRAMME,
    Reason.NO_FIGURE: Verdict.NO_DATA,
    Reason.PART_YEAR: Verdict.NO_DATA,
    Reason.NOT_PUBLIC: Verdict.NO_DATA,
    Reason.NO_YEAR: Verdict.NO_YEAR,
}
"""The verdict of each reason without one; every other reason reads "not assessed"."""
UNTRACKED_VERDICTS = (Verdict.PROGRAMME, Verdict.NO_DATA, Verdict.NO_YEAR, Verdict.NOT_ASSESSED)
"""The verdicts of targets without an outcome or a probability, most specific first."""
SETTLED_STATUSES = (Status.ACHIEVED, Status.MISSED)

COLUMNS = [
    "target_id",
    "region",
    "indicator",
    "target_value",
    "target_year",
    "comparator",
    "basis",
    "as_of",
    "n_obs",
    "last_period",
    "last_value",
    "probability",
    "status",
    "observed_cagr",
    "required_cagr",
    "median_forecast",
    "interval_80_low",
    "interval_80_high",
    "expected_year",
    "inherited",
    "target_region",
    "unit",
    "reason_code",
    "reason",
    "verdict",
    "verdict_note",
    "tracking",
    "outcome",
]
"""The columns of :meth:`Assessment.frame`, in order."""


@dataclass(frozen=True)
class TargetAssessment:
    """One target assessed at one date.

    The first fields are the columns of :data:`COLUMNS` (see
    :mod:`ipindicators.models.assess` for what each means); ``forecast`` is the forecast of the
    target's series the probability was read from (None when none was needed or possible) and
    ``draws`` the outcome it implies per path (the target year's value, a window's sum or the
    growth over the window), from which every probability and interval here is computed.
    """

    target_id: str
    region: str
    indicator: str
    target_value: float | None
    target_year: int | None
    comparator: str
    basis: str
    as_of: str
    inherited: bool
    target_region: str
    unit: str
    tracking: str
    n_obs: int = 0
    last_period: str | None = None
    last_value: float | None = None
    probability: float | None = None
    status: Status = Status.NO_DATA
    observed_cagr: float | None = None
    required_cagr: float | None = None
    median_forecast: float | None = None
    interval_80_low: float | None = None
    interval_80_high: float | None = None
    expected_year: int | None = None
    reason_code: Reason = Reason.NONE
    reason: str = ""
    verdict: Verdict = Verdict.NOT_ASSESSED
    verdict_note: str = ""
    outcome: float | None = None
    forecast: Forecast | None = field(default=None, repr=False, compare=False)
    draws: np.ndarray | None = field(default=None, repr=False, compare=False)

    def record(self) -> dict[str, Any]:
        """The row of :meth:`Assessment.frame`: plain values under :data:`COLUMNS`."""
        row = {name: getattr(self, name) for name in COLUMNS}
        for name in ("status", "reason_code", "verdict"):
            row[name] = str(row[name])
        return row

    def interval(self, alpha: float = 0.2) -> tuple[float, float] | None:
        """The central ``1 - alpha`` interval of the outcome draws (None without draws)."""
        if self.draws is None:
            return None
        low, high = np.quantile(self.draws, [alpha / 2, 1 - alpha / 2])
        return float(low), float(high)


@dataclass(frozen=True)
class Assessment(Sequence[TargetAssessment]):
    """A region's targets assessed with one set of :class:`Settings`.

    Attributes
    ----------
    region : str
    settings : Settings
        What the assessment was made with (the date, paths, seed, models, count rule).
    targets : tuple of TargetAssessment
        In catalog order: the region's own targets, then inherited ones.
    forecasts : mapping
        Indicator id → the :class:`Forecast` of the region's series every target of that
        indicator was judged on (one per series, reused by the charts).
    forecast_errors : mapping
        Indicator id → why its series has no forecast, where one was asked for and failed.
    """

    region: str
    settings: Settings
    targets: tuple[TargetAssessment, ...]
    forecasts: Mapping[str, Forecast] = field(default_factory=dict)
    forecast_errors: Mapping[str, str] = field(default_factory=dict)

    @overload
    def __getitem__(self, index: int) -> TargetAssessment: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[TargetAssessment]: ...
    def __getitem__(self, index: int | slice) -> TargetAssessment | Sequence[TargetAssessment]:
        return self.targets[index]

    def __len__(self) -> int:
        return len(self.targets)

    def __iter__(self) -> Iterator[TargetAssessment]:
        return iter(self.targets)

    def __repr__(self) -> str:
        judged = sum(t.verdict.judged for t in self.targets)
        return (
            f"Assessment({self.region}, as of {self.settings.as_of}: {len(self.targets)} "
            f"targets, {judged} with a verdict)"
        )

    @property
    def as_of(self) -> dt.date:
        """The date the figures were used up to."""
        return self.settings.as_of

    def without_forecasts(self) -> Assessment:
        """The same results without the series' forecast paths (each target keeps its outcome
        draws, so :meth:`summary_frame` still works): what many regions can hold at once."""
        light = tuple(replace(t, forecast=None) for t in self.targets)
        return replace(self, targets=light, forecasts={})

    def target(self, target_id: str) -> TargetAssessment:
        """One target's assessment by its id (KeyError if it is not here)."""
        for item in self.targets:
            if item.target_id == target_id:
                return item
        raise KeyError(target_id)

    def frame(self) -> pd.DataFrame:
        """One row per target with :data:`COLUMNS` (the table pages and downloads show)."""
        return pd.DataFrame([t.record() for t in self.targets], columns=COLUMNS)

    def summary_frame(self, alpha: float = 0.2) -> pd.DataFrame:
        """Each target's outcome distribution: probability, median and the central
        ``1 - alpha`` interval (``lower``, ``upper``), with its verdict.

        Targets settled by their figures or without draws have NaN bounds.
        """
        if not 0 < alpha < 1:
            raise ValueError(f"alpha must lie strictly between 0 and 1, not {alpha!r}")
        rows = []
        for item in self.targets:
            bounds = item.interval(alpha) or (None, None)
            rows.append(
                {
                    "target_id": item.target_id,
                    "indicator": item.indicator,
                    "target_year": item.target_year,
                    "probability": item.probability,
                    "median": item.median_forecast,
                    "lower": bounds[0],
                    "upper": bounds[1],
                    "verdict": str(item.verdict),
                }
            )
        columns = ["target_id", "indicator", "target_year", "probability", "median"]
        columns += ["lower", "upper", "verdict"]
        return pd.DataFrame(rows, columns=columns).astype({"lower": float, "upper": float})


def stacked(parts: Sequence[Assessment]) -> pd.DataFrame:
    """The frames of several assessments, one after the other (:data:`COLUMNS`)."""
    frames = [p.frame() for p in parts if len(p)]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)
