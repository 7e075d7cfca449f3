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
  installed package, and a build there is what :func:`processed_dir` reads first;
* the embedded data shipped with the package.
"""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

PACKAGE_DIR = Path(str(files("ipindicators")))
CATALOG_DIR = PACKAGE_DIR / "catalog"


def catalog_file(name: str) -> Path:
    """A catalog file (``regions.yaml`` …): from ``IPINDICATORS_CATALOG_DIR`` when that folder
    has one of this name, else the shipped one. Read once, when its catalog is first used."""
    override = os.environ.get("IPINDICATORS_CATALOG_DIR")
    if override and (Path(override) / name).is_file():
        return Path(override).resolve() / name
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


def processed_dir() -> Path:
    """The processed build that readers use: the user's own build if one exists, else the
    build of :func:`raw_dir`. A build whose swap a crash interrupted is restored first."""
    from .atomic import restore_interrupted_swap

    mine = user_processed_dir()
    restore_interrupted_swap(mine)
    restore_interrupted_swap(embedded_processed_dir())
    if home_dir() is None and (mine / "observations.csv").is_file():
        return mine
    return embedded_processed_dir()


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
