"""What a forecasting model is: a class that says which series it supports and samples paths.

Every model — ours (:mod:`.methods`) and the evaluation's baselines (:mod:`.baselines`) —
implements :class:`Model` and is listed once in :mod:`.registry`; :func:`~.forecast.forecast`
and the hindcasts of :mod:`.backtest` both find it there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from .pooling import FamilyPrior


@dataclass(frozen=True)
class SeriesData:
    """One series as a model sees it.

    Attributes
    ----------
    t : ndarray
        Observation times in decimal years (a year-end at the integer that starts the next year).
    y : ndarray
        Values on the model scale (log or angle; the values themselves for counts).
    values : ndarray
        The values in the indicator's unit.
    scale : {"log", "angle", "count"}
    prior : FamilyPrior or None
        The family prior at the forecast's date, for models that borrow strength.
    """

    t: np.ndarray
    y: np.ndarray
    values: np.ndarray
    scale: str
    prior: FamilyPrior | None = None


class Model(Protocol):
    """A forecasting model.

    Attributes
    ----------
    name : str
        What ``models=`` calls it.
    pooled : bool
        Whether ``models="pool"`` mixes it in.
    needs_prior : bool
        Whether it borrows strength from the family prior (without one, the forecast uses a
        plain random walk with drift and says so).
    """

    @property
    def name(self) -> str: ...

    @property
    def pooled(self) -> bool: ...

    @property
    def needs_prior(self) -> bool: ...

    def supports(self, series: SeriesData) -> bool:
        """Whether the model can forecast this series."""
        ...

    def sample(
        self, series: SeriesData, horizon: np.ndarray, n: int, rng: np.random.Generator
    ) -> np.ndarray:
        """``n`` sample paths on the model scale at the times ``horizon`` (after ``t[-1]``),
        shape ``(n, len(horizon))``."""
        ...
