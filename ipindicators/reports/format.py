"""Numbers and tables as a publication prints them: fixed decimals by unit, no index, links.

Every table of the reports goes through :func:`table`, which returns a pandas ``Styler``: human
headers, no index, thousands separators, the decimals of the unit, percentages as
percentages, "—" for a missing value, URLs as links, and long text wrapped instead of
overflowing the page.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Callable, Mapping

import pandas as pd
from pandas.io.formats.style import Styler

from ..chinese import PINYIN_GLOSS

MISSING = "—"
DECIMALS_BY_UNIT = {
    "件/万人": 2,
    "件/亿元": 2,
    "亿元": 1,
    "万元": 0,
    "百万件": 2,
    "万件": 1,
    "万人": 1,
    "%": 1,
    "分": 1,
    "年": 1,
    "billion yuan": 1,
    "billion USD": 1,
    "million yuan": 0,
    "million USD": 0,
}
"""Decimals shown per unit (others: whole numbers)."""
CODE_HOSTS = ("github.com", "gitee.com", "gitlab.com")
"""Hosts of repositories where published tables are kept in reproduction."""
TABLE_CSS = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 0.9em; max-width: 100%;"},
    {
        "selector": "th",
        "props": "text-align: left !important; padding: 4px 8px; border-bottom: 1px solid #999;",
    },
    {
        "selector": "td",
        "props": "text-align: left !important; padding: 4px 8px; vertical-align: top; "
        "overflow-wrap: break-word; border-bottom: 1px solid #ddd;",
    },
]


VALUE_COLUMNS = (
    "target_value",
    "last_value",
    "median_forecast",
    "interval_80_low",
    "interval_80_high",
    "outcome",
    "value",
)
"""Columns of tables holding figures in the unit of their row."""
SHARE_DECIMALS = {"observed_cagr": 4, "required_cagr": 4}
"""Decimals kept for growth rates (shares, not percentages); probabilities are shares of the
forecast paths and are kept as computed."""


def decimals_of(unit: object) -> int:
    """Decimals a figure in ``unit`` is printed with (:data:`DECIMALS_BY_UNIT`, else 0)."""
    return DECIMALS_BY_UNIT.get(str(unit), 0)


def rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for download: figures rounded to their unit's decimals (plus two, so nothing
    printed is lost) and growth rates to 0.0001."""
    out = frame.copy()
    units = out["unit"] if "unit" in out else pd.Series("", index=out.index)
    for column in VALUE_COLUMNS:
        if column in out:
            values = pd.to_numeric(out[column], errors="coerce")
            out[column] = [
                None if pd.isna(v) else round(float(v), decimals_of(u) + 2)
                for v, u in zip(values, units)
            ]
    for column, decimals in SHARE_DECIMALS.items():
        if column in out:
            out[column] = pd.to_numeric(out[column], errors="coerce").round(decimals)
    return out


def is_missing(value: object) -> bool:
    """Whether a cell holds no value (None, NaN, empty string)."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value == ""


def number(value: object, unit: str | None = None) -> str:
    """A figure with thousands separators and the decimals of its unit ("—" when missing)."""
    if is_missing(value):
        return MISSING
    return f"{float(value):,.{decimals_of(unit or '')}f}"  # type: ignore[arg-type]


def percent(value: object, decimals: int = 1) -> str:
    """A share or growth rate (0.123 → "12.3 %")."""
    if is_missing(value):
        return MISSING
    return f"{100 * float(value):.{decimals}f} %"  # type: ignore[arg-type]


def year(value: object) -> str:
    """A year as an integer ("2020", not "2020.0")."""
    return MISSING if is_missing(value) else str(int(float(value)))  # type: ignore[arg-type]


def text(value: object) -> str:
    """Any other cell, escaped."""
    return MISSING if is_missing(value) else html.escape(str(value))


def code_text(value: object) -> str:
    """Text whose `backticked` parts are commands, shown as code."""
    if is_missing(value):
        return MISSING
    parts = html.escape(str(value)).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def comparator(value: object) -> str:
    """``>=`` as ≥, ``<=`` as ≤."""
    return {">=": "≥", "<=": "≤", "==": "="}.get(str(value), text(value))


def links(value: object) -> str:
    """URLs (separated by new lines, `` | `` or ``; ``) as links showing their host."""
    if is_missing(value):
        return MISSING
    parts = [p.strip() for p in str(value).replace(" | ", "\n").replace("; ", "\n").split("\n")]
    shown = []
    for url in filter(None, parts):
        if not url.startswith("http"):
            shown.append(html.escape(url))
            continue
        host = url.split("/")[2]
        shown.append(f'<a href="{html.escape(url, quote=True)}">{html.escape(host)}</a>')
    return "<br>".join(shown) if shown else MISSING


def citations(value: object) -> str:
    """Sources as a statistician cites them: publication and table first, then where the figures
    were read as a link (its host), marked where the page is a reprint.

    ``value`` is a sequence of ``(title, table, url, source_class)``.
    """
    if is_missing(value) or isinstance(value, str) or not value:
        return MISSING if is_missing(value) or not value else text(value)
    shown = []
    for title, where, url, source_class in value:  # type: ignore[attr-defined]
        title = PINYIN_GLOSS.sub("", title)  # glosses a repost added are not the title's
        cited = html.escape(title) + (f", {html.escape(where)}" if where else "")
        parts = url.split("/")
        host = parts[2] if url.startswith("http") else url
        if host in CODE_HOSTS and len(parts) > 4:
            host = "/".join(parts[2:5])  # a reproduction in a repository: name the repository
        read = f'<a href="{html.escape(url, quote=True)}">{html.escape(host)}</a>'
        kind = " (a reprint)" if source_class == "reprint" else ""
        shown.append(f"{cited}{kind}; read at {read}")
    return "<br>".join(shown)


def table(
    frame: pd.DataFrame,
    headers: Mapping[str, str],
    formats: Mapping[str, Callable[[object], str]] | None = None,
    units: str | None = None,
) -> Styler:
    """A formatted table of the ``headers`` columns of ``frame``.

    Parameters
    ----------
    frame : DataFrame
        The rows to show.
    headers : mapping
        Column → header, in the order shown.
    formats : mapping, optional
        Column → formatter (default :func:`text`); a column named in ``units`` is formatted
        with :func:`number` in the unit of its row.
    units : str, optional
        Column holding each row's unit, for the columns formatted as numbers by unit.

    Returns
    -------
    Styler
        Renders as HTML in notebooks and in the exported report.
    """
    formats = dict(formats or {})
    shown = frame[list(headers)].copy()
    for column in headers:
        if formats.get(column) is number and units:
            shown[column] = [number(v, u) for v, u in zip(frame[column], frame[units])]
        else:
            shown[column] = [formats.get(column, text)(v) for v in frame[column]]
    shown = shown.rename(columns=dict(headers)).reset_index(drop=True)
    # the table's HTML id follows from its content, not chance: the same report, byte for byte
    digest = hashlib.sha1(shown.to_csv(index=False).encode("utf-8")).hexdigest()[:10]
    return shown.style.hide(axis="index").set_table_styles(TABLE_CSS).set_uuid(digest)
