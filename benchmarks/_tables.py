"""Plain-text rendering of result tables for the benchmark scripts (no extra dependency)."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd


def _cell(value: object, digits: int) -> str:
    if isinstance(value, (float, np.floating)):
        return "" if np.isnan(value) else f"{value:.{digits}f}"
    return str(value)


def markdown(frame: pd.DataFrame, digits: int = 3) -> str:
    """A GitHub markdown table; floats with ``digits`` decimals, missing values empty."""
    header = "| " + " | ".join(map(str, frame.columns)) + " |"
    rule = (
        "| "
        + " | ".join(
            "---:" if pd.api.types.is_numeric_dtype(frame[c]) else "---" for c in frame.columns
        )
        + " |"
    )
    rows = [
        "| " + " | ".join(_cell(v, digits) for v in row) + " |"
        for row in frame.itertuples(index=False)
    ]
    return "\n".join([header, rule, *rows])


def csv(frame: pd.DataFrame, digits: int = 6) -> str:
    """CSV with floats rounded to ``digits`` decimals and Unix line ends."""
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n", float_format=f"%.{digits}f")
    return buffer.getvalue()


def render(frame: pd.DataFrame, fmt: str, digits: int = 3) -> str:
    """``markdown`` or ``csv`` text of a table."""
    return markdown(frame, digits) if fmt == "markdown" else csv(frame, digits)
