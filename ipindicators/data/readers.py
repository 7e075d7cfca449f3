"""Reading and validating tables of published figures (tidy or wide, CSV or Excel, or the
files NBS and the yearbooks publish, through :mod:`.exports`).

A tidy table has one row per figure with the columns of :data:`TIDY_COLUMNS`. A wide table has
one row per region and one column per year (``2015``, ``2016`` …); its ``indicator``, ``unit`` and
source may be given once for the whole file as leading comment lines (``# unit: 件/万人``) or as
columns. Every problem is reported as a :class:`DataError` naming file, line, column and problem.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd

from ..catalog.indicators import indicator, is_indicator
from ..catalog.regions import is_region
from ..catalog.units import UNITS, conversion_factor
from ..errors import DataError, UsageError
from .exports import read_nbs_export, read_yearbook_table, sniff_layout
from .layout import REQUIRED_COLUMNS, SOURCE_CLASSES, TIDY_COLUMNS
from .limits import check_sheet_extent, check_table_file

WIDE_KEYS = (
    "region",
    "indicator",
    "unit",
    "source_url",
    "source_title",
    "table",
    "note",
    "source_class",
)
_YEAR_COLUMN = re.compile(r"^(19|20)\d{2}$")
_NUMBER = re.compile(r"^-?\d{1,15}(\.\d{1,15})?$")
"""A number as tables print it: at most 15 digits before and after the point (a float holds
15 significant digits; no published figure needs more)."""
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Columns a processed observation carries besides the figure itself.
NORMALISED_COLUMNS = (
    *TIDY_COLUMNS[:6],
    "value_as_printed",
    "unit_as_printed",
    "as_printed",
    "decimals",
    "source_url",
    "source_title",
    "table",
    "published",
    "note",
    "source_class",
    "file",
    "line",
)


def _decode(path: Path) -> str:
    data = path.read_bytes()
    if not data.strip():
        raise DataError(str(path), "the file is empty")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            data.decode("gb18030")
        except UnicodeDecodeError:
            raise DataError(
                str(path), f"not UTF-8 text (byte {exc.start} cannot be decoded)"
            ) from None
        raise DataError(
            str(path), "the file is GBK/GB18030-encoded; save it as UTF-8 and build again"
        ) from None


def _read_csv_text(path: Path) -> tuple[dict[str, str], pd.DataFrame, int]:
    """Leading ``# key: value`` lines, the table as text, and the line number of its header."""
    text = _decode(path)
    lines = text.splitlines()
    defaults: dict[str, str] = {}
    skip = 0
    for line in lines:
        if not line.startswith("#"):
            break
        key, _, value = line[1:].partition(":")
        if key.strip():
            defaults[key.strip()] = value.strip()
        skip += 1
    body = "\n".join(lines[skip:])
    if not body.strip():
        raise DataError(str(path), "the file has no table")
    try:
        frame = pd.read_csv(io.StringIO(body), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, csv.Error) as exc:
        found = re.search(r"line (\d+), saw (\d+)", str(exc))
        if found:  # pandas counts lines from the header; the file's own numbers include comments
            raise DataError(
                str(path),
                f"row has {found.group(2)} cells, more than the header's",
                int(found.group(1)) + skip,
            ) from None
        raise DataError(str(path), f"not a readable CSV table: {exc}") from None
    _refuse_repeated_columns(path, next(csv.reader([lines[skip]])), skip + 1)
    return defaults, frame, skip + 1


def _refuse_repeated_columns(path: Path, header: list[str], line: int) -> None:
    seen: set[str] = set()
    for name in (h.strip() for h in header):
        if name and name in seen:
            raise DataError(str(path), "column appears twice in the header", line, name)
        seen.add(name)


def _excel_text(value: object, number_format: str) -> str:
    """A cell as the text it shows: whole numbers without ``.0``, dates as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() != dt.time(0):
            raise ValueError(f"a date with a time of day ({value})")
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and "." not in number_format:
        return str(int(value))
    return str(value).strip()


def _read_xlsx(path: Path) -> pd.DataFrame:
    """The first sheet as text, refusing what Excel shows but the file does not hold."""
    import openpyxl

    try:
        values = openpyxl.load_workbook(path, data_only=True, read_only=False)
        formulas = openpyxl.load_workbook(path, data_only=False, read_only=False)
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        raise DataError(str(path), f"not a readable Excel workbook: {exc}") from None
    sheet, source = values.worksheets[0], formulas.worksheets[0]
    check_sheet_extent(path, sheet)
    if sheet.merged_cells.ranges:
        merged = ", ".join(str(r) for r in sheet.merged_cells.ranges)
        raise DataError(
            str(path), f"merged cells ({merged}) in sheet {sheet.title!r}; unmerge them"
        )
    rows = []
    for cells, written in zip(sheet.iter_rows(), source.iter_rows()):
        row = []
        for cell, raw in zip(cells, written):
            if cell.value is None and isinstance(raw.value, str) and raw.value.startswith("="):
                raise DataError(
                    str(path),
                    f"cell {cell.coordinate} holds the formula {raw.value} without a stored "
                    "value; open and save the workbook in Excel, or paste values",
                    cell.row,
                )
            try:
                row.append(_excel_text(cell.value, cell.number_format))
            except ValueError as exc:
                raise DataError(str(path), f"cell {cell.coordinate}: {exc}", cell.row) from None
        rows.append(row)
    rows = [r for r in rows if any(r)] if rows else rows
    if not rows:
        raise DataError(str(path), "the workbook's first sheet is empty")
    header = rows[0]
    _refuse_repeated_columns(path, header, 1)
    return pd.DataFrame(rows[1:], columns=header)


def _read_table(path: Path) -> tuple[dict[str, str], pd.DataFrame, int]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv_text(path)
    if suffix in (".xlsx", ".xlsm"):
        if not path.read_bytes().strip():
            raise DataError(str(path), "the file is empty")
        return {}, _read_xlsx(path), 1
    raise DataError(str(path), f"unsupported file type {suffix!r}; use .csv or .xlsx")


_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


def _wide_number(path: Path, line: int, column: str, cell: str) -> str:
    """A wide cell's number: commas only as thousands separators (1,234,567.5), never decimal.

    A comma followed by anything but groups of three digits ("0,8", "3,2") could be a decimal
    comma and is refused rather than guessed at.
    """
    if "," not in cell:
        return cell
    if _THOUSANDS.match(cell):
        return cell.replace(",", "")
    raise DataError(
        str(path),
        f"{_shown(cell)}: a comma here is not a thousands separator (groups of three digits); "
        "write decimals with a point",
        line,
        column,
    )


def _wide_to_tidy(
    path: Path, defaults: dict[str, str], frame: pd.DataFrame, header_line: int
) -> pd.DataFrame:
    years = [c for c in frame.columns if _YEAR_COLUMN.match(str(c).strip())]
    rows = []
    for position, record in enumerate(frame.to_dict("records")):
        base = {key: (record.get(key) or defaults.get(key, "")).strip() for key in WIDE_KEYS}
        for year in years:
            cell = str(record[year]).strip()
            if cell == "":
                continue
            item = indicator(base["indicator"]) if is_indicator(base["indicator"]) else None
            flow = item is not None and item.measure == "period_total"
            rows.append(
                {
                    **base,
                    "period_start": f"{year}-01-01" if flow else "",
                    "period_end": f"{year}-12-31",
                    "value": _wide_number(path, header_line + 1 + position, year, cell),
                    "as_printed": cell,
                    "published": "",
                    "excerpt": "",
                    "_row": position,
                }
            )
    return pd.DataFrame(rows, columns=[*TIDY_COLUMNS, "_row"])


def _shown(text: str, width: int = 40) -> str:
    """A cell for a message: quoted, and cut with its length when long."""
    if len(text) <= width:
        return repr(text)
    return f"{text[:width]!r}… ({len(text):,} characters)"


def _parse_date(path: Path, line: int, column: str, text: str) -> dt.date:
    if not _DATE.match(text):
        raise DataError(str(path), f"expected a date YYYY-MM-DD, got {_shown(text)}", line, column)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise DataError(str(path), f"impossible date {_shown(text)}", line, column) from None


def _check_row(path: Path, line: int, row: dict[str, str]) -> dict:
    for column in REQUIRED_COLUMNS:
        if not row[column].strip():
            raise DataError(str(path), "empty required value", line, column)
    if not is_region(row["region"]):
        raise DataError(str(path), f"unknown region {_shown(row['region'])}", line, "region")
    if not is_indicator(row["indicator"]):
        raise DataError(
            str(path), f"unknown indicator {_shown(row['indicator'])}", line, "indicator"
        )
    item = indicator(row["indicator"])
    if row["unit"] not in UNITS:
        raise DataError(
            str(path),
            f"unknown unit {_shown(row['unit'])} (known: {', '.join(UNITS)})",
            line,
            "unit",
        )
    try:
        factor = conversion_factor(row["unit"], item.unit)
    except UsageError as exc:
        raise DataError(str(path), str(exc), line, "unit") from None
    text = row["value"].strip()
    if not _NUMBER.match(text):
        raise DataError(str(path), f"expected a number, got {_shown(text)}", line, "value")
    value = float(text)
    if value < 0 and item.kind in ("stock", "ratio", "count", "flow"):
        raise DataError(
            str(path), f"negative value {text} for a {item.kind} indicator", line, "value"
        )
    if item.bounded and not 0 <= value * factor <= 100:
        raise DataError(
            str(path), f"{text}{row['unit']} is outside 0-100 % for {item.id}", line, "value"
        )
    end = _parse_date(path, line, "period_end", row["period_end"].strip())
    if end > dt.date.today():
        raise DataError(
            str(path),
            f"{end} is after today ({dt.date.today()}): not yet a figure",
            line,
            "period_end",
        )
    start_text = row["period_start"].strip()
    start = _parse_date(path, line, "period_start", start_text) if start_text else None
    if item.measure == "period_total" and start is None:
        raise DataError(
            str(path),
            f"{item.id} is a total over a period: give period_start",
            line,
            "period_start",
        )
    if start is not None and start > end:
        raise DataError(str(path), "period_start is after period_end", line, "period_start")
    published = row["published"].strip()
    if published:
        _parse_date(path, line, "published", published)
    source_class = row["source_class"].strip()
    if source_class and source_class not in SOURCE_CLASSES:
        raise DataError(
            str(path),
            f"unknown source class {_shown(source_class)} (known: {', '.join(SOURCE_CLASSES)})",
            line,
            "source_class",
        )
    decimals = len(text.partition(".")[2])
    return {
        "region": row["region"],
        "indicator": item.id,
        "period_start": start.isoformat() if start else "",
        "period_end": end.isoformat(),
        "value": round(value * factor, 12),
        "unit": item.unit,
        "value_as_printed": text,
        "unit_as_printed": row["unit"],
        "as_printed": row["as_printed"],
        "decimals": decimals,
        "source_url": row["source_url"].strip(),
        "source_title": row["source_title"],
        "table": row["table"],
        "published": published,
        "note": row["note"],
        "source_class": source_class,
        "file": path.name,
        "line": line,
    }


def read_observations(path: str | Path) -> pd.DataFrame:
    """Read one table of published figures and validate every row.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` (UTF-8) or ``.xlsx`` file, tidy (columns :data:`TIDY_COLUMNS`) or wide
        (``region`` plus year columns, with ``indicator``, ``unit`` and ``source_url`` as columns
        or as leading ``# key: value`` lines); or, as downloaded, an NBS 国家数据 export or a
        known yearbook table (:mod:`ipindicators.data.exports`).

    Returns
    -------
    DataFrame
        One row per figure with :data:`NORMALISED_COLUMNS`: the value converted to the
        indicator's catalog unit, the printed value and unit kept beside it, and the file and
        line it came from.

    Raises
    ------
    DataError
        Naming file, line, column and problem: missing column, text in a number, unknown
        region, indicator or unit, impossible date, negative stock, an exact duplicate figure
        with another value, a GBK-encoded or empty file.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(str(path), "no such file")
    check_table_file(path)
    layout = sniff_layout(path)
    if layout != "table":
        exported = read_nbs_export(path) if layout == "nbs" else read_yearbook_table(path)
        return _validated(path, exported[list(TIDY_COLUMNS)], exported["_line"].tolist())
    defaults, frame, header_line = _read_table(path)
    frame.columns = [str(c).strip() for c in frame.columns]
    wide = any(_YEAR_COLUMN.match(c) for c in frame.columns)
    if wide:
        frame = _wide_to_tidy(path, defaults, frame, header_line)
        lines = (frame["_row"] + header_line + 1).tolist()
        needed = ("region", "indicator", "unit", "source_url")
        for column in needed:
            if (frame[column] == "").all() and len(frame):
                raise DataError(
                    str(path),
                    "wide table needs this as a column or a '# key: value' line",
                    None,
                    column,
                )
    else:
        missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
        if missing:
            raise DataError(
                str(path),
                f"missing column (also missing: {missing[1:] or 'none'})",
                None,
                missing[0],
            )
        for column in TIDY_COLUMNS:
            if column not in frame.columns:
                frame[column] = ""
        lines = list(range(header_line + 1, header_line + 1 + len(frame)))
    return _validated(path, frame[list(TIDY_COLUMNS)], lines)


def _validated(path: Path, frame: pd.DataFrame, lines: list[int]) -> pd.DataFrame:
    """Every row checked (:func:`_check_row`), normalised, and refused if it contradicts another."""
    if frame.empty:
        raise DataError(str(path), "the table has no rows")
    records = frame.to_dict("records")
    checked = [_check_row(path, line, row) for line, row in zip(lines, records)]
    result = pd.DataFrame(checked, columns=list(NORMALISED_COLUMNS))
    _reject_conflicting_duplicates(path, result)
    return result


def _reject_conflicting_duplicates(path: Path, frame: pd.DataFrame) -> None:
    key = ["region", "indicator", "period_start", "period_end", "source_url"]
    for _, group in frame.groupby(key, sort=False):
        if group["value"].nunique() > 1:
            first, second = group.iloc[0], group.iloc[1]
            raise DataError(
                str(path),
                f"same figure as line {first['line']} ({first['region']}, {first['indicator']}, "
                f"{first['period_end']}, same source) with another value "
                f"({first['value_as_printed']} vs {second['value_as_printed']})",
                int(second["line"]),
                "value",
            )


def load_observations(path: str | Path) -> pd.DataFrame:
    """Load a user's table of figures (tidy or wide, CSV or Excel) for forecasting.

    This is :func:`read_observations` under the name users look for; see it for the layout.
    """
    return read_observations(path)
