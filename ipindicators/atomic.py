"""Writing files and folders so that readers never see them half-written."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from .errors import UsageError

_FILE_MODE = 0o666


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_text(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8, ``\\n`` line ends) to ``path`` via a temporary file and a rename."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.chmod(temporary, _FILE_MODE & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def restore_interrupted_swap(folder: Path) -> bool:
    """Finish a folder swap that a crash interrupted; return whether there was one.

    :func:`replace_folder` renames the old folder aside before renaming the new one into place.
    A crash between the two renames leaves only the old one, under its retired name: it is
    renamed back, so readers find the previous contents instead of nothing.
    """
    folder = Path(folder)
    retired = folder.parent / f".{folder.name}.old"
    if not folder.exists() and retired.is_dir():
        os.replace(retired, folder)
        return True
    return False


def _remove_leftovers(folder: Path) -> None:
    """Staging and retired folders of earlier runs that were killed (one writer at a time)."""
    for leftover in folder.parent.glob(f".{folder.name}.new.*"):
        shutil.rmtree(leftover, ignore_errors=True)
    retired = folder.parent / f".{folder.name}.old"
    if folder.exists():
        shutil.rmtree(retired, ignore_errors=True)


def replace_folder(
    folder: Path, fill: Callable[[Path], None], owned: Iterable[str] | None = None
) -> None:
    """Build a folder's new contents beside it, then swap it in with renames.

    A crash at any moment leaves the old or the new folder (or the old one under its retired
    name, which :func:`restore_interrupted_swap` puts back on the next run).

    Parameters
    ----------
    folder : Path
        Folder to replace; created if missing.
    fill : callable
        Writes the new contents into the temporary folder it is given. If it raises, the
        temporary folder is removed and ``folder`` is left exactly as it was.
    owned : iterable of str, optional
        The file names a previous run writes. An existing ``folder`` holding anything else is
        refused (:class:`UsageError`), so a user's own files are never deleted.
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    restore_interrupted_swap(folder)
    _remove_leftovers(folder)
    if owned is not None and folder.is_dir():
        foreign = sorted(p.name for p in folder.iterdir() if p.name not in set(owned))
        if foreign:
            raise UsageError(
                f"{folder} holds files this command did not write ({', '.join(foreign[:3])}"
                f"{' …' if len(foreign) > 3 else ''}); choose an empty or new folder"
            )
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.new.", dir=folder.parent))
    os.chmod(staging, 0o777 & ~_umask())
    try:
        fill(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    retired = folder.parent / f".{folder.name}.old"
    if folder.exists():
        os.replace(folder, retired)
    os.replace(staging, folder)
    shutil.rmtree(retired, ignore_errors=True)
