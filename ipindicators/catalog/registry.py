"""Reading declarative catalog files (YAML lists of entries) with field-level validation."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import CatalogError


@dataclass(frozen=True)
class FieldSpec:
    """How one field of a catalog entry is checked.

    Parameters
    ----------
    name : str
        Field name.
    kind : {"str", "int", "number", "bool", "list", "date"}
        Expected type. ``number`` accepts ints and floats but not booleans or text.
    required : bool
        Whether the field must be present and not null.
    choices : tuple, optional
        Allowed values.
    """

    name: str
    kind: str = "str"
    required: bool = False
    choices: tuple[Any, ...] | None = None


def _type_ok(kind: str, value: Any) -> bool:
    if kind == "str":
        return isinstance(value, str) and value.strip() != ""
    if kind == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == "number":
        return (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and math.isfinite(value)
        )
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "date":
        return isinstance(value, dt.date)
    raise ValueError(f"unknown field kind {kind!r}")


class _UniqueKeyLoader(yaml.SafeLoader):
    """Safe YAML loader that refuses a mapping with the same key twice."""


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict:
    keys = [loader.construct_object(key) for key, _ in node.value]
    duplicates = sorted({str(k) for k in keys if keys.count(k) > 1})
    if duplicates:
        raise yaml.constructor.ConstructorError(
            None, None, f"key {duplicates[0]!r} appears twice", node.start_mark
        )
    return loader.construct_mapping(node)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def read_entries(path: Path, specs: Iterable[FieldSpec]) -> list[dict[str, Any]]:
    """Read a YAML list of mappings and check every field of every entry.

    Parameters
    ----------
    path : Path
        YAML file holding a list of mappings, each with a unique ``id``.
    specs : iterable of FieldSpec
        The allowed fields. Unknown fields are errors (they are usually typos).

    Returns
    -------
    list of dict
        Entries with every declared field present (missing optional ones as None).

    Raises
    ------
    CatalogError
        Naming the file, entry and field of the first problem found.
    """
    specs = {s.name: s for s in specs}
    try:
        raw = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=_UniqueKeyLoader)
    except yaml.YAMLError as exc:
        raise CatalogError(str(path), f"not valid YAML: {exc}") from exc
    if not isinstance(raw, list):
        raise CatalogError(str(path), "expected a YAML list of entries")
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    for position, item in enumerate(raw, start=1):
        label = item.get("id") if isinstance(item, Mapping) else None
        entry_name = str(label) if label else f"#{position}"
        if not isinstance(item, Mapping):
            raise CatalogError(str(path), "entry is not a mapping", entry_name)
        unknown = sorted(set(item) - set(specs))
        if unknown:
            raise CatalogError(
                str(path), f"unknown field (allowed: {', '.join(specs)})", entry_name, unknown[0]
            )
        entry: dict[str, Any] = {}
        for name, spec in specs.items():
            value = item.get(name)
            if value is None:
                if spec.required:
                    raise CatalogError(str(path), "required field is missing", entry_name, name)
                entry[name] = [] if spec.kind == "list" else None
                continue
            if not _type_ok(spec.kind, value):
                raise CatalogError(
                    str(path), f"expected {spec.kind}, got {value!r}", entry_name, name
                )
            if spec.choices is not None and value not in spec.choices:
                raise CatalogError(
                    str(path),
                    f"{value!r} is not one of {', '.join(map(str, spec.choices))}",
                    entry_name,
                    name,
                )
            entry[name] = value
        if entry["id"] in seen:
            raise CatalogError(str(path), "duplicate id", entry_name, "id")
        seen.add(entry["id"])
        entries.append(entry)
    return entries


def check_reference(
    path: Path,
    entry_id: str,
    field: str,
    value: str | None,
    known: Callable[[str], bool],
    what: str,
) -> None:
    """Raise a :class:`CatalogError` if ``value`` is set but not a known id of ``what``."""
    if value is not None and not known(value):
        raise CatalogError(str(path), f"unknown {what} id {value!r}", entry_id, field)
