"""Notebooks are stored reviewable: no outputs, no run state, only the metadata they need.

Diffs of a notebook then show only changes to its cells. To clean a notebook after running
it by hand: ``jupyter nbconvert --clear-output --inplace notebooks/NAME.ipynb``.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from ipindicators.paths import notebooks_dir

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted(notebooks_dir().glob("*.ipynb"))
ALLOWED_CELL_METADATA = {"tags"}
ALLOWED_NOTEBOOK_METADATA = {"kernelspec", "language_info"}


def test_the_root_notebooks_folder_is_the_packaged_one():
    assert NOTEBOOKS, "no notebooks found in the package"
    root = REPO / "notebooks"
    if root.exists():
        assert root.resolve() == notebooks_dir().resolve()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs_or_run_state(path):
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    for number, cell in enumerate(notebook.cells, start=1):
        where = f"{path.name} cell {number}"
        assert set(cell.metadata) <= ALLOWED_CELL_METADATA, f"{where}: {sorted(cell.metadata)}"
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{where} has outputs"
    assert set(notebook.metadata) <= ALLOWED_NOTEBOOK_METADATA, sorted(notebook.metadata)
