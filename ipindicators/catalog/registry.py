"""Catalog files (YAML lists of entries) as typed, validated, read-only registries.

Every catalog entry is a frozen :mod:`pydantic` model derived from :class:`Entry`; one generic
:class:`Registry` reads a file of them, and every problem is reported as a
:class:`~ipindicators.errors.CatalogError` naming the file, the entry and the field. Checks that
need more than one field, or the other entries of the file, are an entry's :meth:`Entry.problems`.
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from functools import cached_property
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, ClassVar, Generic, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError
from pydantic_core import ErrorDetails

from ..errors import CatalogError, UsageError
from ..paths import catalog_file

ID_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,99}$"
"""Ids of regions, indicators and targets: lower-case letters, digits, ``_`` and ``-``, starting
with a letter or digit, at most 100 characters (they become file and folder names)."""
FIRST_YEAR, LAST_YEAR = 1949, 2100
"""The years a catalog may name (figures, targets, windows, plan horizons)."""
MAX_CATALOG_BYTES = 64 * 1024 * 1024
"""Largest catalog file read (a synthetic catalog of 3,000 regions is a few MB)."""

Text = Annotated[str, Field(min_length=1, pattern=r"\S", strict=True)]
"""A string with at least one non-blank character."""
Id = Annotated[str, Field(pattern=ID_PATTERN, strict=True)]
"""An id that is safe as a file name (see :data:`ID_PATTERN`)."""
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
"""A finite int or float (not a boolean, not text)."""
Year = Annotated[int, Field(strict=True, ge=FIRST_YEAR, le=LAST_YEAR)]
"""A calendar year from :data:`FIRST_YEAR` to :data:`LAST_YEAR`."""
YearCount = Annotated[int, Field(strict=True, ge=1, le=LAST_YEAR - FIRST_YEAR)]
"""A number of years."""
Flag = StrictBool
Texts = tuple[Text, ...]
"""A YAML list of strings."""

# What the reader is told was expected, by pydantic error type.
_EXPECTED = {
    "int_type": "int",
    "int_from_float": "int",
    "int_parsing": "int",
    "float_type": "number",
    "float_parsing": "number",
    "finite_number": "number",
    "bool_type": "bool",
    "bool_parsing": "bool",
    "string_type": "str",
    "string_too_short": "str",
    "string_pattern_mismatch": "str",
    "tuple_type": "list of str",
    "list_type": "list of str",
}


class Entry(BaseModel):
    """Base of every catalog entry: frozen, unknown fields refused, types checked strictly."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    list_separators: ClassVar[Mapping[str, str]] = {}
    """How :meth:`Registry.frame` joins a list field into one cell (default ``"; "``)."""

    id: Text

    def problems(self, siblings: Mapping[str, Entry]) -> Iterator[tuple[str, str]]:
        """``(field, problem)`` pairs that single-field types cannot catch.

        Parameters
        ----------
        siblings : mapping
            Every entry of the same file by id (for references within the catalog).
        """
        return iter(())

    def record(self) -> dict[str, Any]:
        """The entry as a plain, JSON-ready dict (lists as lists)."""
        return self.model_dump(mode="json")


EntryT = TypeVar("EntryT", bound=Entry)


class _CatalogLoader(yaml.SafeLoader):
    """Safe YAML loader that refuses aliases (so no entity expansion) and a mapping with the same
    key twice."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                "aliases (*name) are not allowed in a catalog; write each entry out",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _construct_unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    keys = [loader.construct_object(key) for key, _ in node.value]
    counts = Counter(k if isinstance(k, str | int | float | bool) else str(k) for k in keys)
    duplicates = sorted(str(k) for k, n in counts.items() if n > 1)
    if duplicates:
        raise yaml.constructor.ConstructorError(
            None, None, f"key {duplicates[0]!r} appears twice", node.start_mark
        )
    return loader.construct_mapping(node)


_CatalogLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_unique_mapping
)


def _describe(model: type[Entry], error: ErrorDetails) -> tuple[str | None, str]:
    """The field and the reader-facing problem of one pydantic error."""
    field = str(error["loc"][0]) if error["loc"] else None
    kind = error["type"]
    value = error.get("input")
    if kind == "missing":
        return field, "required field is missing"
    if kind == "extra_forbidden":
        return field, f"unknown field (allowed: {', '.join(model.model_fields)})"
    if kind == "literal_error":
        choices = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
        return field, f"{value!r} is not one of {choices}"
    if kind == "string_pattern_mismatch" and field == "id":
        return field, (
            f"{value!r} is not an id: use lower-case letters, digits, _ and - (at most 100 "
            "characters, starting with a letter or digit)"
        )
    if kind in _EXPECTED:
        return field, f"expected {_EXPECTED[kind]}, got {value!r}"
    bounds = error.get("ctx", {})
    if kind == "greater_than_equal":
        return field, f"expected at least {bounds.get('ge')}, got {value!r}"
    if kind == "less_than_equal":
        return field, f"expected at most {bounds.get('le')}, got {value!r}"
    if kind == "value_error":
        return field, str(error.get("ctx", {}).get("error", error["msg"]))
    return field, f"{error['msg']}, got {value!r}"


def _parse(path: Path) -> Any:
    """The YAML content of a catalog file, read with the limits of a catalog."""
    size = path.stat().st_size
    if size > MAX_CATALOG_BYTES:
        raise CatalogError(
            str(path), f"{size:,} bytes is larger than a catalog may be ({MAX_CATALOG_BYTES:,})"
        )
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        seen = (
            "it looks like GBK/GB18030"
            if _decodes(data, "gb18030")
            else "its encoding is not recognised"
        )
        raise CatalogError(
            str(path),
            f"the file is not UTF-8 (byte {data[exc.start]:#04x} at offset {exc.start}; {seen}); "
            "save it as UTF-8",
        ) from None
    try:
        return yaml.load(text, Loader=_CatalogLoader)
    except yaml.YAMLError as exc:
        raise CatalogError(str(path), f"not valid YAML: {exc}") from None
    except RecursionError:
        raise CatalogError(str(path), "nested too deeply to be a catalog") from None


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        data.decode(encoding)
    except UnicodeDecodeError:
        return False
    return True


def load_entries(path: Path, model: type[EntryT]) -> dict[str, EntryT]:
    """Read a YAML list of entries and validate each with ``model``.

    Parameters
    ----------
    path : Path
        YAML file holding a list of mappings, each with a unique ``id``.
    model : type of Entry
        The entry model; its fields are the allowed keys (unknown keys are usually typos).

    Returns
    -------
    dict
        Entries by id, in file order.

    Raises
    ------
    CatalogError
        Naming the file, entry and field of the first problem found.
    """
    raw = _parse(Path(path))
    if not isinstance(raw, list):
        raise CatalogError(str(path), "expected a YAML list of entries")
    entries: dict[str, EntryT] = {}
    for position, item in enumerate(raw, start=1):
        label = item.get("id") if isinstance(item, Mapping) else None
        entry_name = str(label) if label else f"#{position}"
        if not isinstance(item, Mapping):
            raise CatalogError(str(path), "entry is not a mapping", entry_name)
        try:
            entry = model.model_validate(item)
        except ValidationError as exc:
            field, problem = _describe(model, exc.errors()[0])
            raise CatalogError(str(path), problem, entry_name, field) from None
        if entry.id in entries:
            raise CatalogError(str(path), "duplicate id", entry_name, "id")
        entries[entry.id] = entry
    for entry in entries.values():
        for field, problem in entry.problems(entries):
            raise CatalogError(str(path), problem, entry.id, field)
    return entries


def unknown_reference(value: str | None, known: Callable[[str], bool], what: str) -> str | None:
    """The problem of a reference to another catalog's id, or None when it is fine."""
    if value is not None and not known(value):
        return f"unknown {what} id {value!r}"
    return None


def _is_integer(annotation: Any) -> bool:
    """Whether a field holds whole numbers (``int``, ``StrictInt``, optionally None)."""
    options = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else ()
    inner = [a for a in options if a is not type(None)] if options else [annotation]
    if len(inner) != 1:
        return False
    base = get_args(inner[0])[0] if get_origin(inner[0]) is Annotated else inner[0]
    return base is int


class Registry(Generic[EntryT]):
    """One catalog file, read on first use.

    Parameters
    ----------
    model : type of Entry
        Model of the entries.
    name : str
        The catalog file's name (``"regions.yaml"``), found by
        :func:`~ipindicators.paths.catalog_file` when the catalog is first used.
    what : str
        What an entry is called in messages (``"indicator"``).
    hint : str
        Appended to the message for an unknown id (e.g. which command lists the ids).
    """

    def __init__(self, model: type[EntryT], name: str, what: str, hint: str = "") -> None:
        self.model = model
        self.name = name
        self.what = what
        self.hint = hint

    @cached_property
    def path(self) -> Path:
        """The YAML file read: the user's (``IPINDICATORS_CATALOG_DIR``) or the shipped one."""
        return catalog_file(self.name)

    @cached_property
    def entries(self) -> dict[str, EntryT]:
        """Entries by id, in file order."""
        return load_entries(self.path, self.model)

    def get(self, entry_id: str) -> EntryT:
        """The entry with this id; :class:`UsageError` naming the unknown id otherwise."""
        try:
            return self.entries[entry_id]
        except (KeyError, TypeError):
            close = difflib.get_close_matches(str(entry_id), list(self.entries), n=3, cutoff=0.6)
            maybe = f"; did you mean {', '.join(map(repr, close))}?" if close else ""
            hint = f"; {self.hint}" if self.hint else ""
            raise UsageError(f"unknown {self.what} {entry_id!r}{maybe}{hint}") from None

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self.entries

    def __iter__(self) -> Iterator[EntryT]:
        return iter(self.entries.values())

    def __len__(self) -> int:
        return len(self.entries)

    def records(self) -> list[dict[str, Any]]:
        """Every entry as a plain dict, for JSON output."""
        return [entry.record() for entry in self]

    def frame(self, entries: list[EntryT] | None = None) -> Any:
        """Entries (default: all) as a DataFrame indexed by id, list fields joined."""
        import pandas as pd

        chosen = list(self) if entries is None else entries
        columns = list(self.model.model_fields) + list(self.model.model_computed_fields)
        rows = []
        for entry in chosen:
            row = entry.record()
            for name, value in row.items():
                if isinstance(value, list):
                    row[name] = self.model.list_separators.get(name, "; ").join(value)
            rows.append(row)
        frame = pd.DataFrame(rows, columns=columns).set_index("id")
        for name, info in self.model.model_fields.items():
            if _is_integer(info.annotation):
                frame[name] = frame[name].astype("Int64")  # years stay whole with gaps
        return frame
