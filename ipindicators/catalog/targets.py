"""Quantified plan targets: the catalog, its validation, and queries by region."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import pandas as pd

from .registry import FieldSpec, check_reference, read_entries
from .documents import document, is_document
from ..errors import CatalogError
from .indicators import indicator, is_indicator
from ..paths import CATALOG_DIR
from .regions import ancestors, is_region, region
from .units import UNITS, UsageError, conversion_factor

COMPARATORS = (">=", "<=", "==")
BASES = ("level", "cumulative", "every_year")

_FIELDS = (
    FieldSpec("id", required=True),
    FieldSpec("region", required=True),
    FieldSpec("indicator"),
    FieldSpec("label_zh"),
    FieldSpec("label_en"),
    FieldSpec("comparator", required=True, choices=COMPARATORS),
    FieldSpec("value", "number"),
    FieldSpec("unit", required=True, choices=tuple(UNITS)),
    FieldSpec("year", "int"),
    FieldSpec("basis", required=True, choices=BASES),
    FieldSpec("window_start", "int"),
    FieldSpec("window_years", "int"),
    FieldSpec("relative_to"),
    FieldSpec("baseline_value", "number"),
    FieldSpec("baseline_year", "int"),
    FieldSpec("document", required=True),
    FieldSpec("quote", required=True),
    FieldSpec("source_url"),
    FieldSpec("note"),
)


@dataclass(frozen=True)
class Target:
    """One quantified goal of a plan.

    Attributes
    ----------
    id : str
        Stable identifier, e.g. ``"hangzhou-2020-invention-patents-per-10k"``.
    region : str
        Region the target is set for.
    indicator : str or None
        Catalog indicator, or None when no indicator fits (the labels are kept).
    label_zh, label_en : str or None
        The indicator's name as the document prints it.
    comparator : {">=", "<=", "=="}
        How an outcome is compared with ``value``.
    value : float or None
        Target value in ``unit``; None only for relative targets.
    unit : str
        Unit of ``value`` as printed.
    year : int or None
        Target year; None when the document does not say (e.g. "20XX").
    basis : {"level", "cumulative", "every_year"}
        Level in the target year, sum over a window, or required in every year.
    window_start : int or None
        First year of a cumulative window.
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
    """

    id: str
    region: str
    indicator: str | None
    label_zh: str | None
    label_en: str | None
    comparator: str
    value: float | None
    unit: str
    year: int | None
    basis: str
    window_start: int | None
    window_years: int | None
    relative_to: str | None
    baseline_value: float | None
    baseline_year: int | None
    document: str
    quote: str
    source_url: str | None
    note: str | None

    @property
    def cumulative(self) -> bool:
        """Whether the target is a sum over a window."""
        return self.basis == "cumulative"

    def value_in_indicator_unit(self) -> float | None:
        """The target value converted to its indicator's catalog unit (None if untracked)."""
        if self.indicator is None or self.value is None:
            return None
        return self.value * conversion_factor(self.unit, indicator(self.indicator).unit)

    def met_by(self, outcome: float) -> bool:
        """Whether an outcome (in the indicator's unit) meets the target."""
        goal = self.value_in_indicator_unit()
        if goal is None:
            raise UsageError(f"target {self.id!r} has no numeric value in an indicator's unit")
        if self.comparator == ">=":
            return outcome >= goal
        if self.comparator == "<=":
            return outcome <= goal
        return abs(outcome - goal) <= 1e-9 * max(1.0, abs(goal))


def _check(path, t: dict) -> None:
    tid = t["id"]
    check_reference(path, tid, "region", t["region"], is_region, "region")
    check_reference(path, tid, "indicator", t["indicator"], is_indicator, "indicator")
    check_reference(path, tid, "relative_to", t["relative_to"], is_indicator, "indicator")
    check_reference(path, tid, "document", t["document"], is_document, "document")
    if not (t["indicator"] or t["label_zh"] or t["label_en"]):
        raise CatalogError(str(path), "needs an indicator or the printed label", tid, "indicator")
    if t["value"] is None and t["relative_to"] is None:
        raise CatalogError(str(path), "needs a numeric value (or relative_to)", tid, "value")
    if t["value"] is not None and t["relative_to"] is not None:
        raise CatalogError(str(path), "set either value or relative_to, not both", tid, "value")
    if t["indicator"] and t["value"] is not None:
        try:
            conversion_factor(t["unit"], indicator(t["indicator"]).unit)
        except UsageError as exc:
            raise CatalogError(str(path), str(exc), tid, "unit") from None
    if t["basis"] != "cumulative" and (t["window_start"] or t["window_years"]):
        raise CatalogError(str(path), "a window needs basis: cumulative", tid, "basis")
    if t["window_start"] and t["year"] and t["window_start"] > t["year"]:
        raise CatalogError(str(path), "window_start is after the target year", tid, "window_start")
    if document(t["document"]).file is None and not t["source_url"]:
        raise CatalogError(
            str(path), "targets of documents without a policy file need a source_url", tid,
            "source_url",
        )


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
    registry = {}
    for entry in read_entries(path, _FIELDS):
        _check(path, entry)
        for key in ("value", "baseline_value"):
            if entry[key] is not None:
                entry[key] = float(entry[key])
        registry[entry["id"]] = Target(**entry)
    return registry


@cache
def _registry() -> dict[str, Target]:
    return load_targets(CATALOG_DIR / "targets.yaml")


def all_targets() -> list[Target]:
    """Every target in the catalog, in catalog order."""
    return list(_registry().values())


def target(target_id: str) -> Target:
    """Return one target by id; raise :class:`UsageError` if unknown."""
    try:
        return _registry()[target_id]
    except KeyError:
        raise UsageError(f"unknown target {target_id!r}") from None


def targets_for(region_id: str, inherit: bool = False) -> list[Target]:
    """Targets set for a region, optionally with those it inherits from its parents.

    Parameters
    ----------
    region_id : str
        Region id (checked against the catalog).
    inherit : bool
        Also return the nearest ancestor's targets on per-capita (ratio) indicators the region
        sets no target for. Absolute levels (counts, amounts) never transfer from a larger
        region to a smaller one, so only ratio targets are inherited.

    Returns
    -------
    list of Target
        Own targets first, then inherited ones (see :func:`is_inherited`).
    """
    region(region_id)
    own = [t for t in _registry().values() if t.region == region_id]
    if not inherit:
        return own
    covered = {t.indicator for t in own if t.indicator}
    inherited: list[Target] = []
    for parent in ancestors(region_id):
        found = [
            t
            for t in _registry().values()
            if t.region == parent
            and t.indicator
            and t.indicator not in covered
            and indicator(t.indicator).kind == "ratio"
        ]
        inherited.extend(found)
        covered |= {t.indicator for t in found}
    return own + inherited


def is_inherited(item: Target, region_id: str) -> bool:
    """Whether ``item`` applies to ``region_id`` only through a parent region's plan."""
    return item.region != region_id


def target_records(region_id: str | None = None) -> list[dict]:
    """Targets as plain dicts (all, or one region's own), with a ``cumulative`` flag."""
    chosen = _registry().values() if region_id is None else targets_for(region_id)
    return [{**asdict(t), "cumulative": t.cumulative} for t in chosen]


def targets(region: str | None = None) -> pd.DataFrame:
    """Targets as a DataFrame indexed by id.

    Parameters
    ----------
    region : str, optional
        Only the targets set for this region (``None`` or ``"all"`` for every target).
    """
    region_id = None if region in (None, "all") else region
    columns = [f.name for f in _FIELDS] + ["cumulative"]
    return pd.DataFrame(target_records(region_id), columns=columns).set_index("id")
