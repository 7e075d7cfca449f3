"""Units as printed in Chinese statistics, and conversion between units of one dimension.

Every unit belongs to a dimension and has a factor to that dimension's base unit, so
``convert(1.2, "万件", "件") == 12000``. Units of different dimensions never convert.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Annotated, TypeAlias

from pydantic import AfterValidator, Field

from ..errors import UsageError


@dataclass(frozen=True)
class Unit:
    """A unit: its symbol, dimension and exact factor to the dimension's base unit."""

    symbol: str
    dimension: str
    factor: Fraction
    name_en: str


_UNITS = (
    Unit("件", "items", Fraction(1), "items"),
    Unit("万件", "items", Fraction(10**4), "10k items"),
    Unit("百万件", "items", Fraction(10**6), "million items"),
    Unit("亿件", "items", Fraction(10**8), "100m items"),
    Unit("人", "persons", Fraction(1), "persons"),
    Unit("万人", "persons", Fraction(10**4), "10k persons"),
    Unit("百万人", "persons", Fraction(10**6), "million persons"),
    Unit("亿人", "persons", Fraction(10**8), "100m persons"),
    Unit("人次", "attendances", Fraction(1), "attendances"),
    Unit("元", "yuan", Fraction(1), "yuan"),
    Unit("万元", "yuan", Fraction(10**4), "10k yuan"),
    Unit("亿元", "yuan", Fraction(10**8), "100m yuan"),
    Unit("million yuan", "yuan", Fraction(10**6), "million yuan"),
    Unit("billion yuan", "yuan", Fraction(10**9), "billion yuan"),
    Unit("万亿元", "yuan", Fraction(10**12), "trillion yuan"),
    Unit("美元", "usd", Fraction(1), "US dollars"),
    Unit("million USD", "usd", Fraction(10**6), "million US dollars"),
    Unit("亿美元", "usd", Fraction(10**8), "100m US dollars"),
    Unit("billion USD", "usd", Fraction(10**9), "billion US dollars"),
    Unit("件/万人", "items_per_person", Fraction(1, 10**4), "items per 10k persons"),
    Unit("件/百万人", "items_per_person", Fraction(1, 10**6), "items per million persons"),
    Unit("件/亿元", "items_per_yuan", Fraction(1, 10**8), "items per 100m yuan"),
    Unit("件/万户", "items_per_entity", Fraction(1, 10**4), "items per 10k market entities"),
    Unit("%", "percent", Fraction(1), "percent"),
    Unit("分", "points", Fraction(1), "points (survey score)"),
    Unit("年", "years", Fraction(1), "years"),
    Unit("个", "items", Fraction(1), "items (个)"),
    Unit("次", "items", Fraction(1), "times (次, e.g. transactions recorded)"),
    Unit("万次", "items", Fraction(10**4), "10k times"),
    Unit("家", "organisations", Fraction(1), "organisations"),
    Unit("万家", "organisations", Fraction(10**4), "10k organisations"),
    Unit("户", "organisations", Fraction(1), "registered businesses"),
    Unit("项", "projects", Fraction(1), "projects or items (项)"),
    Unit("期", "sessions", Fraction(1), "sessions"),
)

UNITS: dict[str, Unit] = {u.symbol: u for u in _UNITS}


def _known_symbol(symbol: str) -> str:
    if symbol not in UNITS:
        raise ValueError(f"{symbol!r} is not one of {', '.join(UNITS)}")
    return symbol


UnitSymbol: TypeAlias = Annotated[
    str, Field(strict=True, json_schema_extra={"enum": list(UNITS)}), AfterValidator(_known_symbol)
]
"""A catalog field holding one of :data:`UNITS`."""


def unit(symbol: str) -> Unit:
    """Return the :class:`Unit` for ``symbol``; raise :class:`UsageError` if unknown."""
    try:
        return UNITS[symbol]
    except KeyError:
        raise UsageError(f"unknown unit {symbol!r}; known units: {', '.join(UNITS)}") from None


def conversion_factor(from_symbol: str, to_symbol: str) -> float:
    """Factor that turns a value in ``from_symbol`` into ``to_symbol``.

    Raises
    ------
    UsageError
        If either unit is unknown or they measure different dimensions.
    """
    source, target = unit(from_symbol), unit(to_symbol)
    if source.dimension != target.dimension:
        raise UsageError(
            f"cannot convert {from_symbol!r} ({source.dimension}) to "
            f"{to_symbol!r} ({target.dimension})"
        )
    return float(source.factor / target.factor)


def convert(value: float, from_symbol: str, to_symbol: str) -> float:
    """Convert ``value`` from one unit to another of the same dimension."""
    return value * conversion_factor(from_symbol, to_symbol)
