"""Region registry: country, provinces, CNIPA's sub-provincial cities and the plan regions."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal, get_args

from ..paths import catalog_file
from .registry import Entry, Flag, Registry, Text, Texts

Level = Literal["country", "province", "prefecture", "county", "area"]
LEVELS: tuple[str, ...] = get_args(Level)


class Region(Entry):
    """An administrative region.

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``"hangzhou"``.
    name_zh : str
        Chinese name.
    name_en : str or None
        English name; None for a region kept unnamed because no source names it.
    level : {"country", "province", "prefecture", "county", "area"}
        Administrative level; ``area`` is a group of regions a plan targets together.
    parent : str or None
        Id of the region it belongs to.
    code : str or None
        GB/T 2260 administrative division code.
    sub_provincial : bool
        One of the 15 cities CNIPA tabulates separately.
    members : tuple of str
        For an ``area``: the regions it is made of (its stocks are their sums).
    note : str or None
        Anything a reader must know (renamed units, unnamed regions).
    """

    name_zh: Text
    name_en: Text | None = None
    level: Level
    parent: Text | None = None
    code: Text | None = None
    sub_provincial: Flag = False
    members: Texts = ()
    note: Text | None = None

    def problems(self, siblings: Mapping[str, Entry]) -> Iterator[tuple[str, str]]:
        if self.parent is not None and self.parent not in siblings:
            yield "parent", f"unknown region id {self.parent!r}"
        if (self.level == "area") != bool(self.members):
            yield "members", "an area lists its member regions; other levels have none"
        for member in self.members:
            if member not in siblings:
                yield "members", f"unknown region id {member!r}"


REGIONS = Registry(
    Region, catalog_file("regions.yaml"), "region", "run `ipindicators regions` for the known ids"
)


def region(region_id: str) -> Region:
    """Return one region.

    Raises
    ------
    UsageError
        If the id is not in the catalog.
    """
    return REGIONS.get(region_id)


def is_region(region_id: str) -> bool:
    """Whether ``region_id`` is in the catalog."""
    return region_id in REGIONS


def ancestors(region_id: str) -> list[str]:
    """Ids of the region's parent, grandparent, … up to the country, nearest first."""
    chain = []
    current = region(region_id).parent
    while current is not None:
        chain.append(current)
        current = region(current).parent
    return chain


def regions(level: str | None = None) -> Any:
    """All regions (optionally of one level) as a DataFrame indexed by id."""
    return REGIONS.frame([r for r in REGIONS if level in (None, r.level)])


def region_records() -> list[dict[str, Any]]:
    """All regions as plain dicts, for JSON output."""
    return REGIONS.records()
