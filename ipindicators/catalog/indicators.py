"""Indicator definitions: what each series measures, its unit and how ratios derive from parts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from .registry import FieldSpec, check_reference, read_entries
from ..errors import CatalogError, UsageError
from ..paths import CATALOG_DIR
from .units import UNITS

KINDS = ("stock", "flow", "ratio", "rate", "count")
MEASURES = ("snapshot", "period_total")

_FIELDS = (
    FieldSpec("id", required=True),
    FieldSpec("name_zh", required=True),
    FieldSpec("name_en", required=True),
    FieldSpec("unit", required=True, choices=tuple(UNITS)),
    FieldSpec("kind", required=True, choices=KINDS),
    FieldSpec("measure", required=True, choices=MEASURES),
    FieldSpec("higher_is_better", "bool", required=True),
    FieldSpec("bounded", "bool"),
    FieldSpec("derived_from", "list"),
    FieldSpec("publisher", required=True),
    FieldSpec("definition", required=True),
    FieldSpec("aliases_zh", "list"),
)


@dataclass(frozen=True)
class Indicator:
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
    """

    id: str
    name_zh: str
    name_en: str
    unit: str
    kind: str
    measure: str
    higher_is_better: bool
    bounded: bool
    derived_from: tuple[str, ...]
    publisher: str
    definition: str
    aliases_zh: tuple[str, ...]

    @property
    def is_derived(self) -> bool:
        """Whether the indicator is a ratio computed from two other indicators."""
        return bool(self.derived_from)


def load_indicators(path: Path) -> dict[str, Indicator]:
    """Read and validate an indicator catalog file; raise :class:`CatalogError` on bad entries."""
    entries = read_entries(path, _FIELDS)
    registry = {}
    for entry in entries:
        entry["bounded"] = bool(entry["bounded"])
        entry["derived_from"] = tuple(entry["derived_from"])
        entry["aliases_zh"] = tuple(entry["aliases_zh"])
        registry[entry["id"]] = Indicator(**entry)
    for item in registry.values():
        if item.derived_from and len(item.derived_from) != 2:
            raise CatalogError(
                str(path), "needs exactly [numerator, denominator]", item.id, "derived_from"
            )
        for part in item.derived_from:
            check_reference(path, item.id, "derived_from", part, registry.__contains__, "indicator")
    return registry


@cache
def _registry() -> dict[str, Indicator]:
    return load_indicators(CATALOG_DIR / "indicators.yaml")


def indicator(indicator_id: str) -> Indicator:
    """Return the definition of one indicator.

    Parameters
    ----------
    indicator_id : str
        Catalog id, e.g. ``"invention_patents_per_10k"``.

    Raises
    ------
    UsageError
        If the id is not in the catalog; the message lists the known ids.
    """
    try:
        return _registry()[indicator_id]
    except KeyError:
        raise UsageError(
            f"unknown indicator {indicator_id!r}; known: {', '.join(sorted(_registry()))}"
        ) from None


def is_indicator(indicator_id: str) -> bool:
    """Whether ``indicator_id`` is in the catalog."""
    return indicator_id in _registry()


def indicators() -> pd.DataFrame:
    """All indicators as a DataFrame indexed by id (list fields joined with ``"; "``)."""
    rows = []
    for item in _registry().values():
        row = asdict(item)
        row["derived_from"] = " / ".join(item.derived_from)
        row["aliases_zh"] = "; ".join(item.aliases_zh)
        rows.append(row)
    return pd.DataFrame(rows).set_index("id")


def indicator_records() -> list[dict]:
    """All indicators as plain dicts (lists kept as lists), for JSON output."""
    return [
        {**asdict(i), "derived_from": list(i.derived_from), "aliases_zh": list(i.aliases_zh)}
        for i in _registry().values()
    ]
