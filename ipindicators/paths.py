"""Where the package finds its catalogs and the project's data folders."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
CATALOG_DIR = PACKAGE_DIR / "catalog"


def project_dir() -> Path:
    """Root of the project checkout (overridable with ``IPINDICATORS_HOME``)."""
    override = os.environ.get("IPINDICATORS_HOME")
    return Path(override).resolve() if override else PACKAGE_DIR.parent


def raw_dir() -> Path:
    """Folder of published figures as printed (never edited by code)."""
    return project_dir() / "data" / "raw"


def processed_dir() -> Path:
    """Folder of tidy, validated tables built from :func:`raw_dir`."""
    return project_dir() / "data" / "processed"


def notebooks_dir() -> Path:
    """Folder of the parameterised report notebooks."""
    return project_dir() / "notebooks"


def explanations_path() -> Path:
    """Reviewed explanations of derived-vs-published ratio disagreements."""
    return project_dir() / "data" / "crosscheck_explanations.csv"


def policies_dir() -> Path:
    """Folder of the policy texts the target catalog quotes (outside the project)."""
    override = os.environ.get("IPINDICATORS_POLICIES")
    return Path(override) if override else project_dir().parent / "shared" / "policies"
