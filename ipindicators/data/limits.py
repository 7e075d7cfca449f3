"""Limits a table of figures is checked against before it is parsed.

A table of published figures is small: the largest raw table holds a few thousand rows and its
longest line about 1,200 characters. A file far outside these bounds is a mistake (a stray cell
on row 1,048,576, a pasted document in one cell) or hostile (a zip bomb), and is refused with a
message naming the file, and the line or cell, before anything large is allocated.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from ..errors import DataError

MAX_TABLE_BYTES = 100 * 1024 * 1024
"""Largest table file read."""
MAX_LINE_BYTES = 64 * 1024
"""Longest line of a CSV table (so also its longest field)."""
MAX_UNPACKED_BYTES = 256 * 1024 * 1024
"""Most an Excel workbook (a zip archive) may expand to."""
MAX_ROWS = 200_000
"""Most rows of a sheet."""
MAX_COLUMNS = 2_000
"""Most columns of a sheet."""
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def check_table_file(path: Path) -> None:
    """Refuse a table file that is too large, has an overlong line, or is an Excel file that
    cannot be an ordinary workbook (encrypted, not a zip archive, or expanding past
    :data:`MAX_UNPACKED_BYTES`).

    Parameters
    ----------
    path : Path
        A ``.csv``, ``.xlsx`` or ``.xlsm`` file.

    Raises
    ------
    DataError
        Naming the file (and the line, for an overlong CSV line) and the limit.
    """
    size = path.stat().st_size
    if size > MAX_TABLE_BYTES:
        raise DataError(
            str(path),
            f"{size:,} bytes is more than a table of figures may be ({MAX_TABLE_BYTES:,})",
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _check_lines(path)
    elif suffix in (".xlsx", ".xlsm"):
        _check_workbook_archive(path)


def _check_lines(path: Path) -> None:
    with path.open("rb") as handle:
        for number, line in enumerate(handle, start=1):
            if len(line) > MAX_LINE_BYTES:
                raise DataError(
                    str(path),
                    f"the line is {len(line):,} bytes long; a line of a table of figures has at "
                    f"most {MAX_LINE_BYTES:,} (is a whole document pasted into one cell?)",
                    number,
                )


def _check_workbook_archive(path: Path) -> None:
    with path.open("rb") as handle:
        head = handle.read(len(_OLE_SIGNATURE))
    if head == _OLE_SIGNATURE:
        raise DataError(
            str(path),
            "the workbook is password-protected (encrypted), or an old-format .xls named .xlsx; "
            "remove the password, or save it as .xlsx, and build again",
        )
    if not head.strip():
        return  # an empty file: the reader says so
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(member.file_size for member in archive.infolist())
    except (zipfile.BadZipFile, OSError) as exc:
        raise DataError(str(path), f"not an Excel workbook (not a zip archive: {exc})") from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise DataError(
            str(path),
            f"the workbook expands to {unpacked:,} bytes, more than a table of figures may "
            f"({MAX_UNPACKED_BYTES:,}); it is refused unread",
        )


def check_sheet_extent(path: Path, sheet: Any) -> None:
    """Refuse a worksheet that reaches past :data:`MAX_ROWS` rows or :data:`MAX_COLUMNS`
    columns (usually a stray cell far below or right of the table), naming its last cell.

    Parameters
    ----------
    path : Path
        The workbook, for the message.
    sheet : openpyxl worksheet
        Its first sheet.
    """
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows > MAX_ROWS or columns > MAX_COLUMNS:
        from openpyxl.utils import get_column_letter

        corner = f"{get_column_letter(max(columns, 1))}{rows}"
        raise DataError(
            str(path),
            f"sheet {sheet.title!r} reaches cell {corner} ({rows:,} rows, {columns:,} columns); "
            f"a table of figures has at most {MAX_ROWS:,} rows and {MAX_COLUMNS:,} columns; "
            "delete the stray cells far from the table",
        )
