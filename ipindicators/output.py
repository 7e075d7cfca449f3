"""Rendering records as a text table, CSV or JSON for the command line."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from typing import Any

FORMATS = ("table", "csv", "json")


def _json_safe(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return _json_safe(value.item())
    return value


def render(
    records: Sequence[dict[str, Any]],
    fmt: str,
    table_columns: Sequence[str] | None = None,
) -> str:
    """Render a list of records.

    Parameters
    ----------
    records : sequence of dict
        One dict per row; all rows share the same keys.
    fmt : {"table", "csv", "json"}
        ``json`` gives a list of objects with every key; ``csv`` every key as columns;
        ``table`` a fixed-width text table of ``table_columns`` (all keys if None).
    table_columns : sequence of str, optional
        Columns shown by the table format.

    Returns
    -------
    str
    """
    if fmt == "json":
        rows = [{k: _json_safe(v) for k, v in r.items()} for r in records]
        return json.dumps(rows, ensure_ascii=False, indent=2)
    import pandas as pd

    frame = pd.DataFrame(list(records))
    if frame.empty:
        return "" if fmt == "csv" else "(no rows)"
    for column in frame.columns:
        if frame[column].map(lambda v: isinstance(v, (list, tuple))).any():
            frame[column] = frame[column].map(
                lambda v: "; ".join(map(str, v)) if isinstance(v, (list, tuple)) else v
            )
    if fmt == "csv":
        buffer = io.StringIO()
        frame.to_csv(buffer, index=False, lineterminator="\n")
        return buffer.getvalue()
    if fmt == "table":
        shown = frame[list(table_columns)] if table_columns else frame
        shown = shown.astype(object).where(shown.notna(), "")
        return shown.to_string(index=False)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
