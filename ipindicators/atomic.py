"""Writing files and folders so that readers never see them half-written.

A folder that :func:`replace_folder` rebuilds (a processed build) has two lock files beside it:
``.<name>.build.lock``, held by one builder at a time (a second build waits for the first), and
``.<name>.lock``, held exclusively only for the swap and shared by readers
(:func:`folder_lock`), so a reader sees the old folder or the new one, never the moment
between. Locks are POSIX advisory locks (``flock``); where the platform has none, or the folder
is read-only (an installed package), reading takes no lock, as nothing can be rebuilt there.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import UsageError

try:
    import fcntl
except ImportError:  # Windows: no flock
    fcntl = None  # type: ignore[assignment]

_FILE_MODE = 0o666
LOCK_WAIT_SECONDS = 600.0
"""How long a build waits for another build of the same folder, and a reader for a swap."""


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


def swap_interrupted(folder: Path) -> bool:
    """Whether ``folder`` is missing and its retired copy is there (a swap under way, or one a
    crash interrupted)."""
    folder = Path(folder)
    return not folder.exists() and (folder.parent / f".{folder.name}.old").is_dir()


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


@contextmanager
def folder_lock(
    folder: Path, exclusive: bool, purpose: str = "", wait: float = LOCK_WAIT_SECONDS
) -> Iterator[None]:
    """Hold a lock on ``folder`` (shared for readers, exclusive for a writer).

    Parameters
    ----------
    folder : Path
        The folder locked; the lock file is ``.<name>[.<purpose>].lock`` beside it.
    exclusive : bool
        Exclusive (one holder, no readers) or shared (many readers).
    purpose : str
        ``"build"`` for the lock that serialises builds; empty for the swap/read lock.
    wait : float
        Seconds to wait for the lock.

    Raises
    ------
    UsageError
        When the lock is not free within ``wait`` seconds, naming the folder and the lock file.
    """
    folder = Path(folder)
    name = f".{folder.name}.{purpose}.lock" if purpose else f".{folder.name}.lock"
    lock_path = folder.parent / name
    try:
        descriptor = os.open(lock_path, os.O_RDWR | os.O_CREAT, _FILE_MODE & ~_umask())
    except OSError:
        if exclusive:
            raise
        yield  # a folder nobody can write to needs no read lock
        return
    try:
        _acquire(descriptor, exclusive, wait, folder, lock_path)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def _acquire(descriptor: int, exclusive: bool, wait: float, folder: Path, lock: Path) -> None:
    if fcntl is None:
        return
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(descriptor, mode)
            return
        except BlockingIOError:
            if time.monotonic() > deadline:
                raise UsageError(
                    f"{folder} is being rebuilt by another process (lock {lock}) and was not "
                    f"free after {wait:.0f} s; try again when that build has finished"
                ) from None
            time.sleep(0.05)


def _remove_leftovers(folder: Path) -> None:
    """Staging and retired folders of earlier runs that were killed (under the build lock, so
    no other build's staging folder is among them)."""
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
    with folder_lock(folder, exclusive=True, purpose="build"):
        with folder_lock(folder, exclusive=True):
            restore_interrupted_swap(folder)
            _remove_leftovers(folder)
        _fill_and_swap(folder, fill, owned)


def _fill_and_swap(
    folder: Path, fill: Callable[[Path], None], owned: Iterable[str] | None
) -> None:
    """:func:`replace_folder`'s work, under its build lock."""
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
    with folder_lock(folder, exclusive=True):
        if folder.exists():
            os.replace(folder, retired)
        os.replace(staging, folder)
    shutil.rmtree(retired, ignore_errors=True)
