"""Shared fixtures: the policy texts beside the project, and a private user data directory."""

from __future__ import annotations

import pytest

from ipindicators.paths import policies_dir


@pytest.fixture(autouse=True, scope="session")
def private_user_dir(tmp_path_factory):
    """Keep user builds made by the tests out of the real user data directory."""
    folder = tmp_path_factory.mktemp("user-data")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IPINDICATORS_USER_DIR", str(folder))
        yield folder


@pytest.fixture(scope="session")
def policies():
    """Folder of the five policy texts; skip when the project is used without shared/."""
    folder = policies_dir()
    if not (folder / "INDEX.md").exists():
        pytest.skip(f"policy texts not found at {folder} (shared/ is not beside this checkout)")
    return folder
