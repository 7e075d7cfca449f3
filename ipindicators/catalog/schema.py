"""JSON Schemas of the catalog files, so editors check entries as they are typed.

Each YAML catalog names its schema on its first line (``# yaml-language-server: $schema=…``).
The schemas are generated from the entry models; after changing a model, rewrite them with
``python -m ipindicators.catalog.schema`` (a test fails while they are out of date).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..atomic import write_text
from ..paths import CATALOG_DIR
from .documents import Document
from .indicators import Indicator
from .regions import Region
from .registry import Entry
from .targets import Target

CATALOGS: dict[str, type[Entry]] = {
    "indicators": Indicator,
    "regions": Region,
    "documents": Document,
    "targets": Target,
}
SCHEMA_DIR = CATALOG_DIR / "schemas"


def catalog_schema(name: str) -> dict[str, Any]:
    """JSON Schema of one catalog file: a list of its entries.

    Parameters
    ----------
    name : {"indicators", "regions", "documents", "targets"}
        The catalog.
    """
    model = CATALOGS[name]
    item = model.model_json_schema(mode="validation")
    definitions = item.pop("$defs", {})
    schema: dict[str, Any] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"ipindicators {name} catalog",
        "description": (model.__doc__ or "").strip().splitlines()[0],
        "type": "array",
        "items": item,
    }
    if definitions:
        schema["$defs"] = definitions
    return schema


def schema_text(name: str) -> str:
    """:func:`catalog_schema` as stored in ``catalog/schemas/<name>.schema.json``."""
    return json.dumps(catalog_schema(name), ensure_ascii=False, indent=2) + "\n"


def schema_path(name: str) -> Path:
    """Where the schema of catalog ``name`` is stored."""
    return SCHEMA_DIR / f"{name}.schema.json"


def main() -> None:
    """Rewrite every stored schema from the models."""
    for name in CATALOGS:
        write_text(schema_path(name), schema_text(name))
        print(schema_path(name))


if __name__ == "__main__":
    main()
