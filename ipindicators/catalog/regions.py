"""Region registry: country, provinces, CNIPA's sub-provincial cities and the plan regions."""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any, Literal, get_args

from ..errors import UsageError
from .registry import Entry, Flag, Id, Registry, Text, Texts

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

    id: Id
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
        if loop := _parent_loop(self, siblings):
            yield "parent", f"the parent chain loops: {' → '.join(loop)}"
        if (self.level == "area") != bool(self.members):
            yield "members", "an area lists its member regions; other levels have none"
        for member in self.members:
            if member not in siblings:
                yield "members", f"unknown region id {member!r}"


def _parent_loop(start: Region, siblings: Mapping[str, Entry]) -> list[str]:
    """The ids of a parent chain that comes back to ``start`` (empty when it ends)."""
    chain = [start.id]
    current = siblings.get(start.parent) if start.parent else None
    while isinstance(current, Region) and len(chain) <= len(siblings):
        chain.append(current.id)
        if current.id == start.id:
            return chain
        current = siblings.get(current.parent) if current.parent else None
    return []


REGIONS = Registry(
    Region, "regions.yaml", "region", "run `ipindicators regions` for the known ids"
)


_SUFFIXES = (
    "壮族自治区",
    "回族自治区",
    "维吾尔自治区",
    "特别行政区",
    "自治区",
    "地区",
    "省",
    "市",
    "县",
)
"""Endings of Chinese region names that people often leave out (浙江省 → 浙江)."""


def _short_zh(name: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


@cache
def _names() -> dict[str, str]:
    """Every way of writing a region that names exactly one: id, English name (any case),
    Chinese name with and without its ending."""
    found: dict[str, set[str]] = {}
    for item in REGIONS:
        keys = {item.id, item.id.lower(), item.name_zh, _short_zh(item.name_zh)}
        if item.name_en:
            keys |= {item.name_en.lower(), item.name_en.lower().replace(" ", "_")}
        for key in keys:
            found.setdefault(key, set()).add(item.id)
    return {key: next(iter(ids)) for key, ids in found.items() if len(ids) == 1}


def region_id(text: str) -> str:
    """The id of a region written as people write it: its id, English name (any case) or
    Chinese name with or without 省/市/自治区 (``"浙江"``, ``"浙江省"``, ``"Zhejiang"``).

    Raises
    ------
    UsageError
        For a name that matches no region, with the closest ones as suggestions.
    """
    if not isinstance(text, str):
        raise UsageError(f"a region is given by its id or name, not {text!r}")
    if text in REGIONS:
        return text
    names = _names()
    for key in (text.strip(), text.strip().lower(), _short_zh(text.strip())):
        if key in names:
            return names[key]
    close = difflib.get_close_matches(text.strip().lower(), list(names), n=3, cutoff=0.6)
    suggestions = list(dict.fromkeys(names[c] for c in close))
    maybe = f"; did you mean {', '.join(map(repr, suggestions))}?" if suggestions else ""
    raise UsageError(
        f"unknown region {text!r}{maybe}; run `ipindicators regions` for the known ids"
    )


def region(region_id_or_name: str) -> Region:
    """Return one region, by id or by name (see :func:`region_id`).

    Raises
    ------
    UsageError
        If no region has this id or name.
    """
    return REGIONS.get(region_id(region_id_or_name))


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
