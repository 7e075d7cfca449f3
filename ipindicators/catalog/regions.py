"""Region registry: country, provinces, CNIPA's sub-provincial cities and the plan regions."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from .registry import FieldSpec, check_reference, read_entries
from ..errors import UsageError
from ..paths import CATALOG_DIR

LEVELS = ("country", "province", "prefecture", "county")

_FIELDS = (
    FieldSpec("id", required=True),
    FieldSpec("name_zh", required=True),
    FieldSpec("name_en"),
    FieldSpec("level", required=True, choices=LEVELS),
    FieldSpec("parent"),
    FieldSpec("code"),
    FieldSpec("sub_provincial", "bool"),
    FieldSpec("note"),
)


@dataclass(frozen=True)
class Region:
    """An administrative region.

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``"hangzhou"``.
    name_zh : str
        Chinese name.
    name_en : str or None
        English name; None for a region kept unnamed because no source names it.
    level : {"country", "province", "prefecture", "county"}
        Administrative level.
    parent : str or None
        Id of the region it belongs to.
    code : str or None
        GB/T 2260 administrative division code.
    sub_provincial : bool
        One of the 15 cities CNIPA tabulates separately.
    note : str or None
        Anything a reader must know (renamed units, unnamed regions).
    """

    id: str
    name_zh: str
    name_en: str | None
    level: str
    parent: str | None
    code: str | None
    sub_provincial: bool
    note: str | None


def load_regions(path: Path) -> dict[str, Region]:
    """Read and validate a region catalog file; raise :class:`CatalogError` on bad entries."""
    registry = {}
    for entry in read_entries(path, _FIELDS):
        entry["sub_provincial"] = bool(entry["sub_provincial"])
        registry[entry["id"]] = Region(**entry)
    for item in registry.values():
        check_reference(path, item.id, "parent", item.parent, registry.__contains__, "region")
    return registry


@cache
def _registry() -> dict[str, Region]:
    return load_regions(CATALOG_DIR / "regions.yaml")


def region(region_id: str) -> Region:
    """Return one region.

    Raises
    ------
    UsageError
        If the id is not in the catalog.
    """
    try:
        return _registry()[region_id]
    except KeyError:
        raise UsageError(
            f"unknown region {region_id!r}; run `ipindicators regions` for the known ids"
        ) from None


def is_region(region_id: str) -> bool:
    """Whether ``region_id`` is in the catalog."""
    return region_id in _registry()


def ancestors(region_id: str) -> list[str]:
    """Ids of the region's parent, grandparent, … up to the country, nearest first."""
    chain = []
    current = region(region_id).parent
    while current is not None:
        chain.append(current)
        current = region(current).parent
    return chain


def regions(level: str | None = None) -> pd.DataFrame:
    """All regions (optionally of one level) as a DataFrame indexed by id."""
    rows = [asdict(r) for r in _registry().values() if level in (None, r.level)]
    return pd.DataFrame(rows).set_index("id")


def region_records() -> list[dict]:
    """All regions as plain dicts, for JSON output."""
    return [asdict(r) for r in _registry().values()]
