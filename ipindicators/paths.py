"""Where the package finds its catalogs, notebooks and data, and where it writes user builds.

The catalogs, the report notebooks and the embedded dataset (raw tables and the processed
build) are package data, read through :mod:`importlib.resources`, so an installed wheel has
everything the main job needs. In a checkout, ``notebooks/`` and ``data/`` at the repository
root are the same files (the package links to them).

``IPINDICATORS_CATALOG_DIR`` names a folder whose ``indicators.yaml``, ``regions.yaml``,
``documents.yaml`` or ``targets.yaml`` replace the shipped catalog of that name (a user's own
regions and targets; the synthetic benchmark catalogs).

Folders, in order of precedence:

* ``IPINDICATORS_HOME``: a checkout (or any folder with ``data/raw``) whose data replace the
  embedded data;
* the user data directory (:func:`user_dir`, from ``platformdirs``; ``IPINDICATORS_USER_DIR``
  overrides it): ``data build --raw`` writes the user's own builds there, never into the
  installed package, and a build there is what :func:`processed_dir` reads first, as long as it
  was made from the raw folder in use (:func:`data_in_use` states the one rule);
* the embedded data shipped with the package.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("ipindicators")))
CATALOG_DIR = PACKAGE_DIR / "catalog"


CATALOG_NAMES = ("indicators.yaml", "regions.yaml", "documents.yaml", "targets.yaml")
"""The catalog files a user's catalog folder may replace."""


def catalog_file(name: str) -> Path:
    """A catalog file (``regions.yaml`` …): from ``IPINDICATORS_CATALOG_DIR`` when that folder
    has one of this name, else the shipped one. Read once, when its catalog is first used.

    Raises
    ------
    UsageError
        When ``IPINDICATORS_CATALOG_DIR`` is set but is not a folder, or holds none of the
        catalog files (a mistyped path is never silently ignored).
    """
    override = os.environ.get("IPINDICATORS_CATALOG_DIR")
    if not override:
        return CATALOG_DIR / name
    folder = Path(override)
    if not folder.is_dir():
        from .errors import UsageError

        raise UsageError(f"IPINDICATORS_CATALOG_DIR={override} is not a folder")
    if not any((folder / known).is_file() for known in CATALOG_NAMES):
        from .errors import UsageError

        raise UsageError(
            f"IPINDICATORS_CATALOG_DIR={override} holds none of {', '.join(CATALOG_NAMES)}"
        )
    if (folder / name).is_file():
        return folder.resolve() / name
    return CATALOG_DIR / name


def _embedded_data() -> Path:
    return PACKAGE_DIR / "data" / "embedded"


def home_dir() -> Path | None:
    """The checkout selected with ``IPINDICATORS_HOME``, or None."""
    override = os.environ.get("IPINDICATORS_HOME")
    return Path(override).resolve() if override else None


def data_dir() -> Path:
    """The data folder in use: ``$IPINDICATORS_HOME/data`` or the embedded one."""
    home = home_dir()
    return home / "data" if home else _embedded_data()


def is_checkout() -> bool:
    """Whether :func:`data_dir` belongs to a source checkout (so its build may be rewritten)."""
    root = data_dir().resolve().parent
    return (root / "pyproject.toml").is_file() and (root / "data" / "raw").is_dir()


def raw_dir() -> Path:
    """Folder of published figures as printed (never edited by code)."""
    return data_dir() / "raw"


def embedded_processed_dir() -> Path:
    """The processed build that belongs to :func:`raw_dir`."""
    return data_dir() / "processed"


def user_dir() -> Path:
    """The user's data directory (``IPINDICATORS_USER_DIR`` or the platform's default)."""
    override = os.environ.get("IPINDICATORS_USER_DIR")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("ipindicators", appauthor=False))


def user_processed_dir() -> Path:
    """Where ``data build --raw`` writes a build that includes the user's own figures."""
    return user_dir() / "processed"


BUILD_MANIFEST = "build.json"
"""Written beside a user's build: the raw folder it was built from, its files and its date."""


@dataclass(frozen=True)
class DataInUse:
    """The processed build readers use, and what it is.

    Attributes
    ----------
    kind : {"embedded", "checkout", "user build"}
        The package's own data, a source checkout's (``IPINDICATORS_HOME`` or the working
        tree), or a build that includes the user's own figures.
    folder : Path
        The processed folder read.
    built : str
        The user build's date (ISO), empty for the other kinds.
    """

    kind: str
    folder: Path
    built: str = ""

    def identity(self) -> str:
        """Which data folder this is, without the build's date: what a report's key holds (a
        rebuild that changes none of a region's figures leaves its report as it is)."""
        return f"{self.kind}: {self.folder}"

    def describe(self) -> str:
        """One line naming the data read, for commands and pages."""
        if self.kind == "user build":
            return f"your build of {self.built} in {self.folder}"
        if self.kind == "checkout":
            return f"the checkout's data in {self.folder}"
        return "the data embedded in the package"


def _user_build_raw(folder: Path) -> Path | None:
    """The raw folder a user build was made from (None for a build without a manifest)."""
    manifest = folder / BUILD_MANIFEST
    if not manifest.is_file():
        return None
    try:
        return Path(json.loads(manifest.read_text(encoding="utf-8"))["raw"])
    except (ValueError, KeyError, TypeError):
        return None


def data_in_use() -> DataInUse:
    """The processed build readers use, by one rule.

    A user build (``data build --raw``) is used whenever it exists and was made from the raw
    folder in use (:func:`raw_dir`); a user build made from another raw folder (for example
    before ``IPINDICATORS_HOME`` was set) is refused with a message, never silently ignored.
    Otherwise the build beside the raw folder: a checkout's, or the embedded one. A build whose
    swap a crash interrupted is restored first. To read the build's files consistently while a
    build may be running, use :func:`reading_data`.

    Raises
    ------
    UsageError
        When a user build exists that was made from another raw folder.
    """
    with reading_data() as found:
        return found


@contextmanager
def reading_data() -> Iterator[DataInUse]:
    """:func:`data_in_use`, holding the builds' read locks until the block ends, so the files
    read in it are all of the old build or all of the new one, never missing mid-swap."""
    from .atomic import folder_lock

    mine, beside_raw = user_processed_dir(), embedded_processed_dir()
    for folder in (mine, beside_raw):
        _recover_interrupted_swap(folder)
    with folder_lock(mine, exclusive=False), folder_lock(beside_raw, exclusive=False):
        yield _resolve(mine, beside_raw)


def _recover_interrupted_swap(folder: Path) -> None:
    """Put back a build whose swap a crash interrupted (after any running swap has ended)."""
    from .atomic import folder_lock, restore_interrupted_swap, swap_interrupted

    if swap_interrupted(folder):
        with folder_lock(folder, exclusive=True):
            restore_interrupted_swap(folder)


def _resolve(mine: Path, beside_raw: Path) -> DataInUse:
    from .errors import UsageError

    if (mine / "observations.csv").is_file():
        made_from = _user_build_raw(mine) or _embedded_data() / "raw"
        if made_from.resolve() == raw_dir().resolve():
            manifest = mine / BUILD_MANIFEST
            built = (
                json.loads(manifest.read_text(encoding="utf-8")).get("built", "")
                if manifest.is_file()
                else ""
            )
            return DataInUse("user build", mine, built)
        raise UsageError(
            f"your build in {mine} was made from the figures in {made_from}, but the package "
            f"now reads {raw_dir()} (IPINDICATORS_HOME); rebuild it with `ipindicators data "
            f"build --raw FILE`, or delete {mine} to use {raw_dir().parent}"
        )
    kind = "checkout" if home_dir() is not None or is_checkout() else "embedded"
    return DataInUse(kind, beside_raw)


def processed_dir() -> Path:
    """The processed build that readers use (see :func:`data_in_use`)."""
    return data_in_use().folder


def default_build_dir(with_user_figures: bool) -> Path:
    """Where ``data build`` writes when no ``--out`` is given.

    A build with the user's own figures goes to :func:`user_processed_dir`. A plain rebuild of
    the raw tables goes beside them in a checkout and to the user directory otherwise, so an
    installed package is never written to.
    """
    if not with_user_figures and (home_dir() is not None or is_checkout()):
        return embedded_processed_dir()
    return user_processed_dir()


def notebooks_dir() -> Path:
    """Folder of the parameterised report notebooks (package data)."""
    return PACKAGE_DIR / "reports" / "notebooks"


def explanations_path() -> Path:
    """Reviewed explanations of derived-vs-published ratio disagreements."""
    return data_dir() / "crosscheck_explanations.csv"


def policies_dir() -> Path:
    """Folder of the policy texts the target catalog quotes (outside the project).

    ``IPINDICATORS_POLICIES`` overrides it; by default ``../shared/policies`` beside the
    checkout.
    """
    override = os.environ.get("IPINDICATORS_POLICIES")
    if override:
        return Path(override)
    root = home_dir() or _embedded_data().resolve().parent
    return root.parent / "shared" / "policies"
