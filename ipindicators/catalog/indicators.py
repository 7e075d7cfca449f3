"""Indicator definitions: what each series measures, its unit and how ratios derive from parts."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Literal, get_args

from .registry import Entry, Flag, Id, Registry, Text, Texts
from .units import UnitSymbol

Kind = Literal["stock", "flow", "ratio", "rate", "count"]
Measure = Literal["snapshot", "period_total"]
Tracking = Literal["statistic", "programme"]
Role = Literal["population"]
KINDS: tuple[str, ...] = get_args(Kind)
MEASURES: tuple[str, ...] = get_args(Measure)
TRACKING: tuple[str, ...] = get_args(Tracking)


class Indicator(Entry):
    """One statistical indicator.

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``"invention_patents_per_10k"``.
    name_zh, name_en : str
        Chinese and English names.
    unit : str
        Unit in which the package stores values (observations are converted to it).
    kind : {"stock", "flow", "ratio", "rate", "count"}
        Stocks are levels at a date, flows totals over a period, ratios a stock per population,
        rates percentages, counts small whole numbers.
    measure : {"snapshot", "period_total"}
        Whether a value describes the period end or the whole period.
    higher_is_better : bool
        Direction of progress.
    bounded : bool
        A percentage that cannot leave 0-100.
    derived_from : tuple of str
        ``(numerator, denominator)`` indicator ids for ratios; empty otherwise.
    publisher, definition : str
        Who publishes it and how it is computed.
    aliases_zh : tuple of str
        Phrases plans use for it.
    tracking : {"statistic", "programme"}
        ``statistic``: a published statistic measures it; ``programme``: an output the plan's
        owner reports on (designations, cultivation or training counts) that no public
        statistic measures, so its targets are stated but never assessed.
    role : {"population"} or None
        ``population``: a denominator of per-capita ratios, not a target; its series are left
        out of the fallback priors of :mod:`ipindicators.models.pooling` and of the accuracy
        tables.
    """

    list_separators: ClassVar[Mapping[str, str]] = {"derived_from": " / "}

    id: Id
    name_zh: Text
    name_en: Text
    unit: UnitSymbol
    kind: Kind
    measure: Measure
    higher_is_better: Flag
    bounded: Flag = False
    derived_from: Texts = ()
    publisher: Text
    definition: Text
    aliases_zh: Texts = ()
    tracking: Tracking = "statistic"
    role: Role | None = None

    @property
    def per_capita(self) -> bool:
        """Whether the indicator is a ratio to the resident population (comparable across
        regions of any size, so a parent plan's target can apply to a child region)."""
        return len(self.derived_from) == 2 and self.derived_from[1] == "resident_population"

    @property
    def is_derived(self) -> bool:
        """Whether the indicator is a ratio computed from two other indicators."""
        return bool(self.derived_from)

    def problems(self, siblings: Mapping[str, Entry]) -> Iterator[tuple[str, str]]:
        if self.derived_from and len(self.derived_from) != 2:
            yield "derived_from", "needs exactly [numerator, denominator]"
        for part in self.derived_from:
            if part not in siblings:
                yield "derived_from", f"unknown indicator id {part!r}"


INDICATORS = Registry(
    Indicator,
    "indicators.yaml",
    "indicator",
    "run `ipindicators indicators` for the known ids",
)


def indicator(indicator_id: str) -> Indicator:
    """Return the definition of one indicator.

    Parameters
    ----------
    indicator_id : str
        Catalog id, e.g. ``"invention_patents_per_10k"``.

    Raises
    ------
    UsageError
        If the id is not in the catalog.
    """
    return INDICATORS.get(indicator_id)


def is_indicator(indicator_id: str) -> bool:
    """Whether ``indicator_id`` is in the catalog."""
    return indicator_id in INDICATORS


def population_indicators() -> tuple[str, ...]:
    """The ids of the indicators whose ``role`` is ``population``."""
    return tuple(item.id for item in INDICATORS if item.role == "population")


def ratio_parts() -> dict[str, tuple[str, str]]:
    """Each derived ratio's ``(numerator, denominator)`` indicator ids."""
    return {
        item.id: (item.derived_from[0], item.derived_from[1])
        for item in INDICATORS
        if item.is_derived
    }


def indicators() -> Any:
    """All indicators as a DataFrame indexed by id (list fields joined)."""
    return INDICATORS.frame()


def indicator_records() -> list[dict[str, Any]]:
    """All indicators as plain dicts (lists kept as lists), for JSON output."""
    return INDICATORS.records()
