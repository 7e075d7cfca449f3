"""Shared fixtures: the policy texts beside the project, and a scratch project folder."""

from __future__ import annotations

import pytest

from ipindicators.paths import policies_dir


@pytest.fixture(scope="session")
def policies():
    """Folder of the five policy texts; skip when the project is used without shared/."""
    folder = policies_dir()
    if not (folder / "INDEX.md").exists():
        pytest.skip(f"policy texts not found at {folder} (shared/ is not beside this checkout)")
    return folder
