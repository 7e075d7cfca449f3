"""A table to fill with the figures that would track a region's targets.

Where no figures were published or found for a region, users collect them themselves. The
template is a wide table (see :mod:`.readers`): one row per indicator the region's targets need,
with its catalog unit, one column per year-end from the year before the earliest plan period to
the latest target year, and a ``source_url`` to fill. Ratio indicators are followed by rows for
their parts, so a user who finds the count and the population instead of the ratio fills those
and the build derives the ratio. Empty cells are no figure, so a partly filled template builds;
``ipindicators data build --raw FILE`` reads it like any other table.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import pandas as pd

from ..atomic import write_text
from ..catalog.indicators import indicator
from ..catalog.regions import region as region_definition
from ..catalog.targets import targets_for
from ..errors import UsageError

TEMPLATE_FORMATS = ("csv", "xlsx")
_KEYS = [
    "region",
    "indicator",
    "name_zh",
    "unit",
    "source_url",
    "source_title",
    "note",
    "needed_for",
]
_INSTRUCTIONS = (
    "Fill a year's cell with the figure as printed, in the row's unit (convert nothing else; "
    "use a tidy table for other units or dates).",
    "Give each row the URL (or publication) it was read in; split a row to cite two sources.",
    "Leave a cell empty where no figure exists: it is not a zero.",
    "Then run: ipindicators data build --raw THIS_FILE",
)


def _indicators_needed(region_id: str) -> list[tuple[str, str]]:
    """(indicator id, why) for every indicator the region's targets track, parts after ratios."""
    needed: dict[str, str] = {}
    for item in targets_for(region_id, inherit=True):
        if item.indicator is None or item.value is None:
            continue
        own = "own target" if item.region == region_id else f"target of {item.region}"
        needed.setdefault(item.indicator, f"{own} {item.id}")
        for part in indicator(item.indicator).derived_from:
            needed.setdefault(part, f"part of {item.indicator} (fill it or the ratio)")
    return list(needed.items())


def _years(region_id: str) -> list[int]:
    years = [t.year for t in targets_for(region_id, inherit=True) if t.year is not None]
    starts = [t.window_start for t in targets_for(region_id, inherit=True) if t.window_start]
    last = max([*years, dt.date.today().year - 1])
    first = min([*(y - 5 for y in years), *(s - 1 for s in starts), last - 5])
    return list(range(first, last + 1))


def figure_template(region_id: str) -> pd.DataFrame:
    """The empty wide table that would track ``region_id``'s targets.

    Parameters
    ----------
    region_id : str
        Catalog region id; its own targets and the ratio targets it inherits are covered.

    Returns
    -------
    DataFrame
        Columns ``region, indicator, name_zh, unit, source_url, source_title, note,
        needed_for`` (the target a row serves) and one column per year, all cells empty.
    """
    region_definition(region_id)
    needed = _indicators_needed(region_id)
    if not needed:
        raise UsageError(f"no target of {region_id!r} or its parents names a catalog indicator")
    years = [str(y) for y in _years(region_id)]
    rows = [
        {
            "region": region_id,
            "indicator": indicator_id,
            "name_zh": indicator(indicator_id).name_zh,
            "unit": indicator(indicator_id).unit,
            "source_url": "",
            "source_title": "",
            "note": "",
            "needed_for": why,
            **dict.fromkeys(years, ""),
        }
        for indicator_id, why in needed
    ]
    return pd.DataFrame(rows, columns=[*_KEYS, *years])


def write_figure_template(
    region_id: str, path: str | Path, fmt: Literal["csv", "xlsx"] = "csv"
) -> Path:
    """Write :func:`figure_template` to ``path`` (CSV with instructions as comments, or Excel).

    Returns
    -------
    Path
        The file written (atomically: a reader never sees half of it).
    """
    if fmt not in TEMPLATE_FORMATS:
        raise UsageError(f"format must be one of {', '.join(TEMPLATE_FORMATS)}, not {fmt!r}")
    table = figure_template(region_id)
    path = Path(path)
    if fmt == "csv":
        comments = "".join(f"# {line}\n" for line in _INSTRUCTIONS)
        write_text(path, comments + table.to_csv(index=False, lineterminator="\n"))
        return path
    staging = path.with_name(f".{path.name}.partial")
    with pd.ExcelWriter(staging, engine="openpyxl") as book:
        table.to_excel(book, sheet_name="figures", index=False)
        pd.DataFrame({"how to fill": list(_INSTRUCTIONS)}).to_excel(
            book, sheet_name="how to fill", index=False
        )
    staging.replace(path)
    return path
