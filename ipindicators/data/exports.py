"""Statistics files as downloaded: NBS 国家数据 exports and yearbook tables, as tidy rows.

Both readers return rows of :data:`TIDY_COLUMNS` (all text) plus ``_line``, the 1-based physical
line (CSV) or row (Excel) of the figure in the original file, header block included, so that
:mod:`.readers` can validate them with its row checks and cite the file's own line numbers.

NBS 国家数据 export (data.stats.gov.cn, downloaded as CSV or .xlsx)
    A header block of ``键：值`` lines (``数据库：分省年度数据``, ``指标：年末常住人口(万人)``,
    ``时间：最近10年``), a header row, data rows, and footer lines ``注：…`` and ``数据来源：…``
    that end the table. The header row is either ``地区,2023年,2022年,…`` (regions down the rows,
    the indicator from ``指标：名称(单位)``) or ``指标,2023年,…`` (``名称(单位)`` down the rows,
    the region from ``地区：北京市``; 数据库 ``年度数据`` is national). CSV may be UTF-8 (with or
    without BOM) or GBK/GB18030.
Yearbook table (e.g. 中国科技统计年鉴 表 8-9 国内三种专利有效数按地区分布(2016年))
    A title holding the data year ``(YYYY年)``, a ``单位：件`` line, a header row starting
    ``地区`` (a cell may hold Chinese and English on two lines), then one row per region
    (``北  京``). The caller maps header columns to indicators. Aggregates (东部地区 …) and
    港澳台 rows are skipped, and 全国 too (it includes Hong Kong, Macao and Taiwan) unless
    ``national_scope="mainland"``.

Rules for both. Names map to catalog ids exactly, never by similarity: an indicator by
:data:`NBS_INDICATOR_NAMES`, then the catalog's ``name_zh``, then an ``aliases_zh`` that belongs to
one indicator only; a region by ``name_zh`` with or without its 省/市/自治区 suffix (全国 is
china). A unit must be a catalog unit symbol that converts to the indicator's (项 does not convert to 件). An empty cell or ``""`` is a missing
figure and gives no row, never 0. A value must be a plain number as printed: a comma (thousands
separator or decimal comma), ``-``, ``…`` or other text is refused, not guessed at. Only annual
(``YYYY年``) columns are read; old ``.xls`` workbooks must be saved as .xlsx or .csv first. Every
problem is a :class:`~ipindicators.errors.DataError` naming file, line, column and the name.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import itertools
import re
import unicodedata
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from ..catalog.indicators import INDICATORS, indicator, is_indicator
from ..catalog.regions import REGIONS
from ..catalog.units import UNITS, conversion_factor
from ..errors import DataError, UsageError
from .layout import TIDY_COLUMNS
from .limits import check_sheet_extent, check_table_file

# Both layouts are official publications (NBS, statistical yearbooks): source_class "official".
NBS_URL = "https://data.stats.gov.cn/"
# Names NBS prints, tried before the catalog's own names. Left out on purpose: 国内专利申请授权数
# (all three kinds of patent; no catalog indicator) and 发明专利申请授权数 (no catalog indicator
# has exactly this name); NBS prints both in 项, which does not convert to 件 either.
NBS_INDICATOR_NAMES: dict[str, str] = {
    "年末常住人口": "resident_population",
    "技术市场成交额": "technology_market_turnover",
    "有效发明专利数": "valid_invention_patents",
}
# Yearbook tables recognised by their title, so ``data build --raw`` reads them without a
# mapping: 中国科技统计年鉴's tables of domestic patents by region (the 发明 column).
KNOWN_YEARBOOK_TABLES: dict[str, dict[str, str]] = {
    "国内三种专利有效数": {"发明": "valid_invention_patents"},
    "国内三种专利申请受理数": {"发明": "invention_patent_applications"},
    "国内三种专利申请数": {"发明": "invention_patent_applications"},
    "国内三种专利申请授权数": {"发明": "invention_patent_grants"},
    "国内三种专利授权数": {"发明": "invention_patent_grants"},
}
_REGION_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")
# Yearbook rows that are not one mainland region (全国 is decided by national_scope).
_SKIPPED_ROWS = frozenset(
    {
        *("东部地区", "中部地区", "西部地区", "东北地区", "东部", "中部", "西部", "东北"),
        *("港澳台", "港澳台地区", "香港", "澳门", "台湾", "香港特别行政区", "澳门特别行政区"),
        "台湾省",
    }
)
_HEAD_ROWS = 15  # rows sniff_layout reads
_NUMBER = re.compile(r"-?\d+(\.\d+)?")
_YEAR = re.compile(r"(\d{4})年")
_TITLE_YEAR = re.compile(r"\((\d{4})年\)")  # after NFKC: full-width brackets are half-width
_UNIT_LINE = re.compile(r"单位\s*:\s*([^\s,;()A-Za-z]+)")
_META = re.compile(r"(数据库|指标|地区|时间)\s*[:：]\s*(.*)")
_FOOTER = re.compile(r"(注|数据来源|资料来源)\s*[:：]")
_URL = re.compile(r"https?://[^\s,;，；)）]+")
_CJK = re.compile(r"[\u3400-\u9fff]")

Rows = list[tuple[int, list[str]]]


# --- reading a file as numbered rows of text --------------------------------------------------
def _decode(path: Path, data: bytes) -> str:
    if not data.strip():
        raise DataError(str(path), "the file is empty")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(str(path), "neither UTF-8 nor GBK/GB18030 text")


def _csv_rows(path: Path, limit: int | None) -> Rows:
    with path.open("rb") as handle:
        data = b"".join(itertools.islice(handle, limit)) if limit else handle.read()
    reader = csv.reader(io.StringIO(_decode(path, data), newline=""))
    rows: Rows = []
    end = 0
    try:
        for cells in reader:
            rows.append((end + 1, [cell.strip() for cell in cells]))
            end = reader.line_num
    except csv.Error as exc:
        raise DataError(str(path), f"not a readable CSV file: {exc}", end + 1) from None
    return rows


def _cell_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, float):
        fixed = re.fullmatch(r"[#,]*0(?:\.(0+))?", getattr(cell, "number_format", None) or "")
        if fixed:
            return f"{value:.{len(fixed.group(1) or '')}f}"
        return format(Decimal(repr(value)).normalize(), "f")
    return str(value).strip()


def _xlsx_rows(path: Path, limit: int | None) -> Rows:
    if not path.read_bytes().strip():
        raise DataError(str(path), "the file is empty")
    try:
        import openpyxl  # only Excel exports need it

        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for corrupt workbooks
        raise DataError(str(path), f"not a readable Excel workbook: {exc}") from None
    try:
        sheet = book.worksheets[0]
        if limit is None:
            check_sheet_extent(path, sheet)
        cells = sheet.iter_rows(min_row=1, max_row=limit)
        return [(line, [_cell_text(c) for c in row]) for line, row in enumerate(cells, start=1)]
    finally:
        book.close()


def _read_rows(path: Path, limit: int | None = None) -> Rows:
    """Every row of the file's first sheet as stripped text, with its 1-based line number."""
    if not path.is_file():
        raise DataError(str(path), "no such file")
    check_table_file(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise DataError(
            str(path),
            "old-format .xls workbooks cannot be read (xlrd is not available); "
            "open the file and save it as .xlsx or .csv",
        )
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_rows(path, limit)
    if suffix == ".csv":
        return _csv_rows(path, limit)
    raise DataError(str(path), f"unsupported file type {suffix!r}; use .csv or .xlsx")


# --- names, units and values ------------------------------------------------------------------
def _key(text: str) -> str:
    """Text for matching: NFKC (full-width brackets and colons half-width), no whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _label_key(text: str) -> str:
    """The Chinese part of a row label: ``北  京 Beijing`` -> ``北京``."""
    return re.sub(r"[A-Za-z].*$", "", _key(text))


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _line_text(cells: list[str]) -> str:
    return ",".join(cells).strip(",").strip()


@cache
def _indicator_names() -> dict[str, str]:
    by_alias: dict[str, set[str]] = {}
    for item in INDICATORS:
        for alias in item.aliases_zh:
            by_alias.setdefault(_key(alias), set()).add(item.id)
    names = {name: min(ids) for name, ids in by_alias.items() if len(ids) == 1}
    names.update({_key(item.name_zh): item.id for item in INDICATORS})
    names.update({_key(name): item_id for name, item_id in NBS_INDICATOR_NAMES.items()})
    return names


@cache
def _region_names() -> dict[str, str]:
    names = {"全国": "china"}
    short: dict[str, set[str]] = {}
    for region in REGIONS:
        full = _key(region.name_zh)
        names[full] = region.id
        for suffix in _REGION_SUFFIXES:
            if full.endswith(suffix) and len(full) - len(suffix) >= 2:
                short.setdefault(full.removesuffix(suffix), set()).add(region.id)
                break
    for name, ids in short.items():
        if len(ids) == 1:
            names.setdefault(name, min(ids))
    return names


def _region_for(path: Path, line: int, column: str, printed: str) -> str:
    name = _label_key(printed)
    if name not in _region_names():
        raise DataError(
            str(path),
            f"region {printed!r} is not a catalog region (give 北京市 or 北京, 全国 for the "
            "country; run `ipindicators regions` for the known regions)",
            line,
            column,
        )
    return _region_names()[name]


def _unit_for(path: Path, line: int, column: str, printed: str, indicator_id: str) -> str:
    symbol = _key(printed)
    if symbol not in UNITS:
        raise DataError(
            str(path), f"unknown unit {symbol!r} (known: {', '.join(UNITS)})", line, column
        )
    try:
        conversion_factor(symbol, indicator(indicator_id).unit)
    except UsageError as exc:
        raise DataError(str(path), f"{indicator_id}: {exc}", line, column) from None
    return symbol


def _indicator_for(path: Path, line: int, column: str, printed: str) -> tuple[str, str]:
    """Catalog id and unit symbol of a printed ``名称(单位)``."""
    match = re.fullmatch(r"(.+)\(([^()]+)\)", _key(printed))
    if match is None:
        raise DataError(
            str(path),
            f"{printed!r} has no unit in brackets, as in 年末常住人口(万人)",
            line,
            column,
        )
    name, unit = match.groups()
    names = _indicator_names()
    if name not in names:
        raise DataError(
            str(path),
            f"indicator {name!r} is not mapped to a catalog indicator "
            f"(known names: {', '.join(sorted(names))})",
            line,
            column,
        )
    return names[name], _unit_for(path, line, column, unit, names[name])


def _value(path: Path, line: int, column: str, text: str) -> str | None:
    """The number as printed; None for a missing figure."""
    if text in ("", '""'):
        return None
    if "," in text or "，" in text:
        raise DataError(
            str(path),
            f"value {text!r} contains a comma (thousands separator or decimal comma?); "
            "refusing to guess: give the number without it",
            line,
            column,
        )
    if not _NUMBER.fullmatch(text):
        raise DataError(
            str(path),
            f"expected a number, got {text!r} (leave the cell empty for a missing figure)",
            line,
            column,
        )
    return text


def _period(indicator_id: str, year: str) -> tuple[str, str]:
    flow = indicator(indicator_id).measure == "period_total"
    return (f"{year}-01-01" if flow else "", f"{year}-12-31")


def _figure(
    base: Mapping[str, str],
    region: str,
    indicator_id: str,
    year: str,
    value: str,
    unit: str,
    table: str,
    cells: list[str],
    line: int,
) -> dict[str, Any]:
    """One tidy row: a year's figure with the file-level fields in ``base``."""
    start, stop = _period(indicator_id, year)
    return {
        **base,
        "region": region,
        "indicator": indicator_id,
        "period_start": start,
        "period_end": stop,
        "value": value,
        "unit": unit,
        "as_printed": f"{value}{unit}",
        "table": table,
        "excerpt": _excerpt(cells),
        "_line": line,
    }


def _iso_date(value: str | dt.date) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise UsageError(f"download_date {value!r} is not a date YYYY-MM-DD") from None


def _frame(records: list[dict[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame(records, columns=[*TIDY_COLUMNS, "_line"])
    frame["_line"] = frame["_line"].astype("int64")
    return frame


def _excerpt(cells: list[str]) -> str:
    return " ".join(_collapse(cell) for cell in cells if cell)


def _note(first: str, footer: Rows) -> str:
    """``first``, then the footnotes (footer lines but the source line) joined."""
    texts = [_line_text(cells) for _, cells in footer]
    notes = " ".join(t for t in texts if t and not re.match(r"(数据|资料)来源\s*[:：]", t))
    return f"{first}; {notes}" if notes else first


def _header_at(path: Path, rows: Rows, labels: tuple[str, ...], what: str) -> tuple[int, int]:
    """Where the header row is: its index in ``rows`` and its label column (first cell)."""
    for index, (_, cells) in enumerate(rows):
        column = next((i for i, cell in enumerate(cells) if cell), None)
        if column is not None and _label_key(cells[column]) in labels:
            return index, column
    raise DataError(str(path), f"no header row starting with {' or '.join(labels)} (not {what}?)")


# --- the layouts --------------------------------------------------------------------------------
def sniff_layout(path: str | Path) -> str:
    """Which layout a file has, from its first rows only.

    Parameters
    ----------
    path : str or Path
        A ``.csv`` or ``.xlsx`` file.

    Returns
    -------
    str
        ``"nbs"`` (an NBS 国家数据 export: a ``数据库：`` line, or a header row ``地区``/``指标``
        followed by ``YYYY年`` columns), ``"yearbook"`` (a ``单位：`` line above the table) or
        ``"table"`` (anything else, including files that cannot be read: the tidy/wide reader
        reports their problem).

    Raises
    ------
    DataError
        For an ``.xls`` workbook, which no layout can read (save it as .xlsx or .csv).
    """
    path = Path(path)
    try:
        rows = [cells for _, cells in _read_rows(path, _HEAD_ROWS) if any(cells)]
    except DataError:
        if path.suffix.lower() == ".xls":
            raise
        return "table"
    if not rows:
        return "table"
    first = next(cell for cell in rows[0] if cell)
    if first.startswith("#") or not _CJK.search(first):
        return "table"
    for cells in rows:
        if re.match(r"数据库\s*[:：]", _line_text(cells)):
            return "nbs"
        if _key(cells[0]) in ("地区", "指标") and any(_YEAR.fullmatch(_key(c)) for c in cells):
            return "nbs"
        if any(_UNIT_LINE.search(unicodedata.normalize("NFKC", cell)) for cell in cells):
            return "yearbook"
    return "table"


def read_nbs_export(path: str | Path, download_date: str | dt.date | None = None) -> pd.DataFrame:
    """Tidy rows from an NBS 国家数据 (data.stats.gov.cn) export, as downloaded.

    Parameters
    ----------
    path : str or Path
        The ``.csv`` (UTF-8 or GBK/GB18030) or ``.xlsx`` file, unchanged.
    download_date : str or date, optional
        When the file was downloaded (``YYYY-MM-DD``), for the note; default the file's
        modification date.

    Returns
    -------
    DataFrame
        One row per printed figure: the :data:`TIDY_COLUMNS` as text (value and unit as printed,
        period ``YYYY-12-31``, from ``YYYY-01-01`` for totals over the year) and ``_line``, the
        figure's line in the file. Empty cells give no row.

    Raises
    ------
    DataError
        Naming file, line, column and the name: no header row, a column that is not ``YYYY年``,
        an indicator, region or unit the catalog does not know, a value with a comma or other
        text, a row longer than the header, an ``.xls`` workbook.
    """
    path = Path(path)
    rows = _read_rows(path)
    index, at = _header_at(path, rows, ("地区", "指标"), "an NBS export")
    meta: dict[str, tuple[str, int]] = {}
    for line, cells in rows[:index]:
        match = _META.fullmatch(_line_text(cells))
        if match:
            meta.setdefault(match.group(1), (match.group(2).strip(), line))
    header_line, header = rows[index]
    label_name = header[at]
    years: dict[int, str] = {}
    for position, cell in enumerate(header[at + 1 :], start=at + 1):
        found = _YEAR.fullmatch(_key(cell))
        if cell and found is None:
            raise DataError(
                str(path),
                f"column {cell!r} is not a year (YYYY年); only annual exports are read",
                header_line,
                cell,
            )
        if found:
            years[position] = found.group(1)
    by_region = _key(label_name) == "地区"
    fixed_indicator, fixed_region = ("", ""), ""
    if by_region and "指标" in meta:
        fixed_indicator = _indicator_for(path, meta["指标"][1], "指标", meta["指标"][0])
    elif by_region:
        raise DataError(str(path), "no 指标：名称(单位) line above the header", header_line)
    elif "地区" in meta:
        fixed_region = _region_for(path, meta["地区"][1], "地区", meta["地区"][0])
    elif meta.get("数据库", ("", 0))[0] == "年度数据":
        fixed_region = "china"  # the national database
    else:
        raise DataError(str(path), "no 地区：名称 line above the header", header_line)

    body = rows[index + 1 :]
    end = next((i for i, (_, c) in enumerate(body) if _FOOTER.match(_line_text(c))), len(body))
    url = _URL.search(" ".join(_line_text(c) for _, c in [*rows[:index], *body[end:]]))
    if download_date is None:
        date = dt.date.fromtimestamp(path.stat().st_mtime).isoformat()
    else:
        date = _iso_date(download_date)
    database = meta.get("数据库", ("", 0))[0]
    base = {
        "source_url": url.group() if url else NBS_URL,
        "source_title": f"国家统计局 国家数据: {database}" if database else "国家统计局 国家数据",
        "published": "",
        "source_class": "official",
        "note": _note(f"NBS export {path.name}; downloaded {date}", body[end:]),
    }
    when = [f"时间：{meta['时间'][0]}"] if "时间" in meta else []
    records = []
    for line, cells in body[:end]:
        if not any(cells):
            continue
        extra = [cell for cell in cells[len(header) :] if cell]
        if extra:
            raise DataError(
                str(path),
                f"row has more cells than the header ({extra[0]!r}; an unquoted comma?)",
                line,
            )
        label = cells[at] if at < len(cells) else ""
        if not label:
            raise DataError(str(path), "row has figures but no label", line, label_name)
        if by_region:
            region, (indicator_id, unit) = (
                _region_for(path, line, label_name, label),
                fixed_indicator,
            )
            printed = meta["指标"][0]
        else:
            region, printed = fixed_region, label
            indicator_id, unit = _indicator_for(path, line, label_name, label)
        table = "; ".join([f"指标：{printed}", *when, f"file {path.name}"])
        for position, year in years.items():
            cell = cells[position] if position < len(cells) else ""
            value = _value(path, line, header[position], cell)
            if value is None:
                continue
            records.append(
                _figure(base, region, indicator_id, year, value, unit, table, cells, line)
            )
    return _frame(records)


def read_yearbook_table(
    path: str | Path,
    columns: Mapping[str, str] | None = None,
    edition: str | None = None,
    national_scope: str | None = None,
    source_url: str | None = None,
) -> pd.DataFrame:
    """Tidy rows from a table in the layout statistical yearbooks print.

    Parameters
    ----------
    path : str or Path
        ``.xlsx`` or ``.csv`` file: a title with ``(YYYY年)``, a ``单位：`` line, a header row
        starting ``地区``, one row per region.
    columns : mapping of str to str, optional
        Header text (the Chinese or the English line of a header cell, e.g. ``"发明"``) to the
        catalog indicator id its figures are, e.g. ``{"发明": "valid_invention_patents"}``.
        By default the title must name one of :data:`KNOWN_YEARBOOK_TABLES`.
    edition : str, optional
        The yearbook, e.g. ``"中国科技统计年鉴2017"``; becomes the source title. By default, for
        a known table, 中国科技统计年鉴 of the data year + 1 (the note says it was inferred).
    national_scope : {None, "mainland"}, optional
        ``"mainland"`` keeps the 全国 row as china; by default it is skipped, because in these
        tables 全国 includes Hong Kong, Macao and Taiwan.
    source_url : str, optional
        Where the table is published; default the file's ``file://`` URI.

    Returns
    -------
    DataFrame
        One row per region and mapped column: the :data:`TIDY_COLUMNS` as text and ``_line``,
        the figure's row in the file. Aggregate (东部地区 …) and 港澳台 rows and empty cells give
        no row.

    Raises
    ------
    DataError
        Naming file, line, column and the name: a title without ``(YYYY年)``, no or an unknown
        unit, no header row, a mapped column missing or repeated, a region the catalog does not
        know, a value with a comma or other text, an ``.xls`` workbook.
    UsageError
        For an unknown indicator id in ``columns`` or an unknown ``national_scope``.
    """
    path = Path(path)
    if national_scope not in (None, "mainland"):
        raise UsageError(f"national_scope must be None or 'mainland', not {national_scope!r}")
    rows = _read_rows(path)
    title: tuple[str, str] | None = None
    unit_at: tuple[str, int] | None = None
    index, at = _header_at(path, rows, ("地区",), "a yearbook table")
    for line, cells in rows[:index]:
        for part in (p for cell in cells for p in cell.splitlines()):
            normal = unicodedata.normalize("NFKC", part)
            in_title, in_unit = _TITLE_YEAR.search(normal), _UNIT_LINE.search(normal)
            title = title or ((_collapse(part), in_title.group(1)) if in_title else None)
            unit_at = unit_at or ((in_unit.group(1), line) if in_unit else None)
    header_line, header = rows[index]
    if title is None:
        first = next(((n, _line_text(c)) for n, c in rows[:index] if any(c)), (header_line, ""))
        raise DataError(str(path), f"title {first[1]!r} has no data year (YYYY年)", first[0])
    if unit_at is None:
        raise DataError(str(path), "no 单位：… line above the header", header_line)
    inferred = ""
    if columns is None:
        known = [k for k in KNOWN_YEARBOOK_TABLES if k in _key(title[0])]
        if not known:
            raise DataError(
                str(path),
                f"table {title[0]!r} is not one of the known yearbook tables "
                f"({', '.join(KNOWN_YEARBOOK_TABLES)}); read it with "
                "ipindicators.data.exports.read_yearbook_table(path, columns=..., edition=...)",
                header_line,
            )
        columns = KNOWN_YEARBOOK_TABLES[max(known, key=len)]
        if edition is None:
            edition = f"中国科技统计年鉴{int(title[1]) + 1}"
            inferred = f"; edition inferred as the data year + 1 ({edition})"
    if edition is None:
        raise UsageError("give the yearbook edition for a table read with your own columns")
    if not columns:
        raise UsageError("columns must map at least one header to an indicator id")
    for indicator_id in columns.values():
        if not is_indicator(indicator_id):
            raise UsageError(
                f"unknown indicator {indicator_id!r}; run `ipindicators indicators` for the ids"
            )
    if len(set(columns.values())) < len(columns):
        raise UsageError("columns maps two headers to one indicator (two figures for each region)")
    wanted: dict[int, tuple[str, str]] = {}
    for printed, indicator_id in columns.items():
        hits = [
            i
            for i, cell in enumerate(header)
            if _key(printed) in {_key(cell), *map(_key, cell.splitlines())}
        ]
        if len(hits) != 1:
            found = " | ".join(_collapse(cell) for cell in header if cell)
            problem = "no" if not hits else f"{len(hits)} columns match"
            raise DataError(
                str(path),
                f"{problem} header column {printed!r} (header: {found})",
                header_line,
                printed,
            )
        unit = _unit_for(path, unit_at[1], "单位", unit_at[0], indicator_id)
        wanted[hits[0]] = (indicator_id, unit)

    body = rows[index + 1 :]
    end = next((i for i, (_, c) in enumerate(body) if _FOOTER.match(_line_text(c))), len(body))
    base = {
        "source_url": source_url or path.resolve().as_uri(),
        "source_title": edition,
        "published": "",
        "source_class": "official",
        "note": _note(f"read from yearbook-layout file {path.name}{inferred}", body[end:]),
    }
    label_name = _collapse(header[at])
    records = []
    for line, cells in body[:end]:
        label = cells[at] if at < len(cells) else ""
        texts = {p: (cells[p] if p < len(cells) else "") for p in wanted}
        name = _label_key(label)
        if not name:
            if any(_NUMBER.fullmatch(text) for text in texts.values()):
                raise DataError(str(path), "row has figures but no region label", line, label_name)
            continue  # a blank row, or the English line of a two-row header
        if name in _SKIPPED_ROWS or (name == "全国" and national_scope is None):
            continue
        region = _region_for(path, line, label_name, label)
        for position, (indicator_id, unit) in wanted.items():
            column = _collapse(header[position])
            value = _value(path, line, column, texts[position])
            if value is None:
                continue
            table = f"{title[0]}, row {_collapse(label)}, column {column}"
            records.append(
                _figure(base, region, indicator_id, title[1], value, unit, table, cells, line)
            )
    return _frame(records)
