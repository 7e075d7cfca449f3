"""Quantified plan targets: the catalog, its validation, and queries by region."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import Any, Literal, get_args

import numpy as np
from pydantic import computed_field

from ..chinese import is_chinese, restored
from ..errors import UsageError
from .documents import document, is_document
from .indicators import indicator, is_indicator
from .regions import ancestors, is_region
from .regions import region_id as region_id_of
from .registry import (
    Entry,
    Id,
    Number,
    Registry,
    Text,
    Year,
    YearCount,
    load_entries,
    unknown_reference,
)
from .units import UnitSymbol, conversion_factor

Comparator = Literal[">=", "<=", "==", ">", "<"]
EQUAL_TOLERANCE = 1e-9
"""Relative tolerance of the ``==`` comparator."""
Basis = Literal["level", "cumulative", "every_year", "average_growth"]
COMPARATORS: tuple[str, ...] = get_args(Comparator)
BASES: tuple[str, ...] = get_args(Basis)


class Target(Entry):
    """One quantified goal of a plan.

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``"hangzhou-2020-invention-patents-per-10k"``.
    region : str
        Region the target is set for.
    indicator : str
        Catalog indicator the target is measured by (a programme indicator where no public
        statistic measures it; see :attr:`tracking`).
    label_zh, label_en : str or None
        The indicator's name as the document prints it.
    comparator : {">=", "<=", "==", ">", "<"}
        How an outcome is compared with ``value`` (see :meth:`meets`).
    value : float or None
        Target value in ``unit``; None only for relative targets.
    unit : str
        Unit of ``value`` as printed.
    year : int or None
        Target year; None when the document does not say (e.g. "20XX").
    basis : {"level", "cumulative", "every_year", "average_growth"}
        Level in the target year, sum over a window, required in every year, or the average
        annual growth (in %) of the indicator from the year before ``window_start`` to ``year``.
    window_start : int or None
        First year of a cumulative or average-growth window.
    window_years : int or None
        Length of a cumulative window the document gives without dates.
    relative_to : str or None
        Indicator the value is compared with, for relative targets.
    baseline_value, baseline_year : float or int or None
        The plan's own base-year value, where it prints one.
    document : str
        Id of the document (文号 or file name).
    quote : str
        The words the target comes from.
    source_url : str or None
        Where the target was read, for documents outside the policies folder.
    note : str or None
        Interpretation of ambiguous text.
    unassessable : str or None
        Why the target cannot be assessed as printed although a statistic measures it (e.g. a
        value whose printed unit is implausible); the target is listed, never assessed.
    """

    id: Id
    region: Text
    indicator: Text
    label_zh: Text | None = None
    label_en: Text | None = None
    comparator: Comparator
    value: Number | None = None
    unit: UnitSymbol
    year: Year | None = None
    basis: Basis
    window_start: Year | None = None
    window_years: YearCount | None = None
    relative_to: Text | None = None
    baseline_value: Number | None = None
    baseline_year: Year | None = None
    document: Text
    quote: Text
    source_url: Text | None = None
    note: Text | None = None
    unassessable: Text | None = None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cumulative(self) -> bool:
        """Whether the target is a sum over a window."""
        return self.basis == "cumulative"

    @property
    def growth(self) -> bool:
        """Whether the target is an average annual growth rate of its indicator (in %)."""
        return self.basis == "average_growth"

    @property
    def tracking(self) -> str:
        """``statistic`` or ``programme``: the tracking class of the target's indicator."""
        return indicator(self.indicator).tracking

    @property
    def assessed_unit(self) -> str:
        """The unit the target is assessed in: its indicator's, ``%`` for a growth target, and
        the printed unit for a programme target (never assessed, so never converted)."""
        if self.growth:
            return "%"
        if self.tracking == "programme":
            return self.unit
        return indicator(self.indicator).unit

    def plan_words(self) -> tuple[str, str]:
        """The plan's words for the report, and how they were obtained.

        Returns
        -------
        (text, kind)
            ``kind`` is ``verbatim`` (the quote as printed), ``restored`` (a repost printed it in
            traditional characters with pinyin glosses: the glosses are removed and the
            characters converted back to simplified, one for one) or ``translation`` (only a
            translation of the plan was found; the text is the translation as printed).
        """
        if not is_chinese(self.quote):
            return self.quote, "translation"
        simple = restored(self.quote)
        return simple, "verbatim" if simple == self.quote else "restored"

    def value_in_indicator_unit(self) -> float | None:
        """The target value in :attr:`assessed_unit` (None for a relative target)."""
        if self.value is None:
            return None
        if self.growth or self.tracking == "programme":
            return self.value
        return self.value * conversion_factor(self.unit, indicator(self.indicator).unit)

    def goal(self) -> float:
        """The target value in its indicator's unit; :class:`UsageError` if it has none."""
        goal = self.value_in_indicator_unit()
        if goal is None:
            raise UsageError(f"target {self.id!r} has no numeric value in an indicator's unit")
        return goal

    def meets(self, outcomes: float | np.ndarray) -> np.ndarray:
        """Whether each outcome (in the indicator's unit) meets the target: the one comparator
        rule of the package. ``>`` and ``<`` (超过, 低于) read as ``>=`` and ``<=``: for a
        continuous outcome the difference has probability zero, and a settled figure exactly at
        the value is rare enough to be read in the plan's favour. ``==`` allows a relative
        difference of 1e-9."""
        goal = self.goal()
        values = np.asarray(outcomes, dtype=float)
        if self.comparator in (">=", ">"):
            return values >= goal
        if self.comparator in ("<=", "<"):
            return values <= goal
        return np.abs(values - goal) <= EQUAL_TOLERANCE * max(1.0, abs(goal))

    def met_by(self, outcome: float) -> bool:
        """Whether one outcome (in the indicator's unit) meets the target (see :meth:`meets`)."""
        return bool(self.meets(outcome))

    def problems(self, siblings: Mapping[str, Entry]) -> Iterator[tuple[str, str]]:
        references = (
            ("region", self.region, is_region, "region"),
            ("indicator", self.indicator, is_indicator, "indicator"),
            ("relative_to", self.relative_to, is_indicator, "indicator"),
            ("document", self.document, is_document, "document"),
        )
        for field, value, known, what in references:
            problem = unknown_reference(value, known, what)
            if problem:
                yield field, problem
        if self.value is None and self.relative_to is None:
            yield "value", "needs a numeric value (or relative_to)"
        if self.value is not None and self.relative_to is not None:
            yield "value", "set either value or relative_to, not both"
        if self.value is not None and self.value < 0 and not self.growth:
            yield "value", f"a level or total cannot be negative, got {self.value!r}"
        if self.growth and self.unit != "%":
            yield "unit", "an average_growth target is a percentage (unit: %)"
        if self.growth and self.window_start is None:
            yield "window_start", "an average_growth target needs window_start"
        measured = is_indicator(self.indicator) and self.tracking == "statistic"
        if measured and not self.growth and self.value is not None:
            try:
                conversion_factor(self.unit, indicator(self.indicator).unit)
            except UsageError as exc:
                yield "unit", str(exc)
        if self.basis not in ("cumulative", "average_growth") and (
            self.window_start or self.window_years
        ):
            yield "basis", "a window needs basis: cumulative or average_growth"
        if self.window_start and self.year and self.window_start > self.year:
            yield "window_start", "window_start is after the target year"
        if document(self.document).file is None and not self.source_url:
            yield "source_url", "targets of documents without a policy file need a source_url"


def load_targets(path: Path) -> dict[str, Target]:
    """Read and validate a target catalog file.

    Parameters
    ----------
    path : Path
        YAML list of target entries (see ``catalog/targets.yaml``).

    Returns
    -------
    dict
        Targets by id, in file order.

    Raises
    ------
    CatalogError
        Naming the file, entry and field of the first problem (unknown region, indicator or
        document; missing or non-numeric value; duplicate id; inconsistent window or unit).
    """
    return load_entries(path, Target)


TARGETS = Registry(
    Target, "targets.yaml", "target", "run `ipindicators targets` for the known ids"
)


def all_targets() -> list[Target]:
    """Every target in the catalog, in catalog order."""
    return list(TARGETS)


@cache
def _own_targets() -> dict[str, list[Target]]:
    """Each region's own targets, in catalog order (one pass over the catalog)."""
    by_region: dict[str, list[Target]] = {}
    for item in TARGETS:
        by_region.setdefault(item.region, []).append(item)
    return by_region


def regions_with_targets() -> list[str]:
    """Regions whose own plans have at least one catalogued target (what ``--all`` runs)."""
    return sorted(_own_targets())


def target(target_id: str) -> Target:
    """Return one target by id; raise :class:`UsageError` if unknown."""
    return TARGETS.get(target_id)


def targets_for(region_id: str, inherit: bool = False) -> list[Target]:
    """Targets set for a region, optionally with those it inherits from its parents.

    Parameters
    ----------
    region_id : str
        Region id (checked against the catalog).
    inherit : bool
        Also return the nearest ancestor's targets on per-capita indicators (ratios to the
        resident population) the region sets no target for. Absolute levels (counts, amounts)
        never transfer from a larger region to a smaller one, and other ratios (per unit of
        revenue, per business) describe an economy's mix rather than a region's standing, so
        only per-capita targets are inherited.

    Returns
    -------
    list of Target
        Own targets first, then inherited ones (see :func:`is_inherited`).
    """
    region_id = region_id_of(region_id)
    own = list(_own_targets().get(region_id, ()))
    if not inherit:
        return own
    covered = {t.indicator for t in own if t.indicator}
    inherited: list[Target] = []
    for parent in ancestors(region_id):
        found = [
            t
            for t in _own_targets().get(parent, ())
            if t.indicator and t.indicator not in covered and indicator(t.indicator).per_capita
        ]
        inherited.extend(found)
        covered |= {t.indicator for t in found if t.indicator}
    return own + inherited


def is_inherited(item: Target, region_id: str) -> bool:
    """Whether ``item`` applies to ``region_id`` only through a parent region's plan."""
    return item.region != region_id


def target_records(region_id: str | None = None) -> list[dict[str, Any]]:
    """Targets as plain dicts (all, or one region's own), with a ``cumulative`` flag."""
    chosen = TARGETS if region_id is None else targets_for(region_id)
    return [t.record() for t in chosen]


def targets(region: str | None = None) -> Any:
    """Targets as a DataFrame indexed by id.

    Parameters
    ----------
    region : str, optional
        Only the targets set for this region (``None`` or ``"all"`` for every target).
    """
    region_id = None if region in (None, "all") else region
    return TARGETS.frame(None if region_id is None else targets_for(region_id))
