"""The tables offered beside each report, as CSV and as XLSX, byte-stable between runs."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..atomic import write_bytes, write_text
from .format import SHARE_DECIMALS, VALUE_COLUMNS, decimals_of

_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_STAMPS = re.compile(rb"<dcterms:(?:created|modified)[^>]*>[^<]*</dcterms:(?:created|modified)>")


def xlsx_bytes(frame: pd.DataFrame, sheet: str) -> bytes:
    """One sheet as an Excel workbook whose bytes depend only on the table.

    openpyxl stamps the creation and save times into the workbook's properties and every zip
    entry; the properties' times are removed and the entries' fixed, so the same table gives the
    same file.
    """
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        frame.to_excel(writer, sheet_name=sheet[:31], index=False)
        _format_sheet(writer.sheets[sheet[:31]], frame)
    stable = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _STAMPS.sub(b"", data)
            info = zipfile.ZipInfo(entry.filename, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return stable.getvalue()


def _format_sheet(worksheet: Any, frame: pd.DataFrame) -> None:
    """A bold, frozen header row, readable column widths, and figures in the number format of
    their row's unit (thousands separators, the unit's decimals); growth rates and
    probabilities as percentages."""
    from openpyxl.styles import Font

    worksheet.freeze_panes = "A2"
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    units = list(frame["unit"]) if "unit" in frame else [""] * len(frame)
    for j, column in enumerate(frame.columns, start=1):
        letter = worksheet.cell(row=1, column=j).column_letter
        worksheet.column_dimensions[letter].width = min(40, max(10, len(str(column)) + 2))
        if column in VALUE_COLUMNS:
            for i, unit in enumerate(units, start=2):
                decimals = decimals_of(unit)
                pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
                worksheet.cell(row=i, column=j).number_format = pattern
        elif column in ("probability", *SHARE_DECIMALS):
            for i in range(2, len(frame) + 2):
                worksheet.cell(row=i, column=j).number_format = "0.0%"


def write_downloads(folder: Path, tables: Mapping[str, pd.DataFrame]) -> list[Path]:
    """Write each table as ``<name>.csv`` (UTF-8 with BOM, so Excel reads the Chinese) and
    ``<name>.xlsx`` into ``folder``, each through a temporary file and a rename.

    Returns
    -------
    list of Path
        The files written.
    """
    written = []
    for name, frame in tables.items():
        csv_path, xlsx_path = Path(folder) / f"{name}.csv", Path(folder) / f"{name}.xlsx"
        write_text(csv_path, "\ufeff" + frame.to_csv(index=False, lineterminator="\n"))
        write_bytes(xlsx_path, xlsx_bytes(frame, name))
        written += [csv_path, xlsx_path]
    return written
