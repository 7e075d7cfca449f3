"""Warm kernels: a notebook cannot tell a kernel that ran others from a fresh one."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from ipindicators.reports.batch import (
    REGION_NOTEBOOK,
    ReportTask,
    lanes,
    largest_first,
    notebook_path,
    run_notebook,
    task_cost,
)
from ipindicators.reports.kernels import KernelSlot, WarmKernel

PATHS = 200


def _notebook(tmp_path: Path, name: str, *sources: str) -> Path:
    parameters = new_code_cell("x = 0")
    parameters.metadata["tags"] = ["parameters"]
    cells = [parameters, *(new_code_cell(source) for source in sources)]
    notebook = new_notebook(
        cells=cells,
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    path = tmp_path / f"{name}.ipynb"
    nbformat.write(notebook, path)
    return path


def _outputs(notebook: nbformat.NotebookNode) -> list[list[dict]]:
    return [cell.outputs for cell in notebook.cells if cell.cell_type == "code"]


def _text(notebook: nbformat.NotebookNode) -> str:
    return "".join(
        output.get("text", "") + str(output.get("data", {}).get("text/plain", ""))
        for outputs in _outputs(notebook)
        for output in outputs
    )


@pytest.fixture(scope="module")
def kernel():
    with WarmKernel() as warm:
        yield warm


def test_names_figures_settings_and_counters_do_not_leak(kernel, tmp_path):
    first = _notebook(
        tmp_path,
        "first",
        "left_behind = 41",
        "%matplotlib inline\nimport matplotlib\nimport matplotlib.pyplot as plt\n"
        "matplotlib.rcParams['lines.linewidth'] = 9\nfigure = plt.figure()",
    )
    second = _notebook(
        tmp_path,
        "second",
        "print('left_behind' in dir())",
        "%matplotlib inline\nimport matplotlib\nimport matplotlib.pyplot as plt\n"
        "print(matplotlib.rcParams['lines.linewidth'], len(plt.get_fignums()))",
    )
    fresh = WarmKernel()
    try:
        alone = fresh.execute_notebook(second, {"x": 1})
    finally:
        fresh.shutdown()
    kernel.execute_notebook(first, {"x": 1})
    after = kernel.execute_notebook(second, {"x": 1})
    assert _text(after).split() == ["False", "1.5", "0"]
    assert _outputs(after) == _outputs(alone)
    counts = [c.execution_count for c in after.cells if c.cell_type == "code"]
    assert counts == [c.execution_count for c in alone.cells if c.cell_type == "code"]
    assert counts[0] == 1


def test_a_warning_shows_in_every_notebook_that_triggers_it(kernel, tmp_path):
    # the warning comes from a module that stays imported between notebooks
    (tmp_path / "warner.py").write_text(
        "import warnings\n\ndef f():\n    warnings.warn('check me', UserWarning)\n"
    )
    source = f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\nimport warner\nwarner.f()"
    path = _notebook(tmp_path, "warns", source)
    runs = [kernel.execute_notebook(path, {"x": 1}) for _ in range(2)]
    assert all("check me" in _text(run) for run in runs)


def test_a_region_report_is_the_same_after_other_regions(kernel, tmp_path):
    task = ReportTask(
        str(notebook_path(REGION_NOTEBOOK)),
        str(tmp_path / "fresh"),
        "report",
        {"region": "hangzhou", "as_of": 2021, "n_paths": PATHS},
    )
    assert run_notebook(task).ok
    for other in ("china", "haidong"):
        before = ReportTask(task.notebook, str(tmp_path / other), "report", {"region": other})
        run_notebook(before, kernel)
    warm = ReportTask(task.notebook, str(tmp_path / "warm"), "report", task.parameters)
    assert run_notebook(warm, kernel).ok
    for name in ("report.ipynb", "report.html", "assessment.csv", "figures.xlsx"):
        assert (tmp_path / "warm" / name).read_bytes() == (tmp_path / "fresh" / name).read_bytes()


def test_a_kernel_that_died_is_replaced(tmp_path):
    dies = _notebook(tmp_path, "dies", "import os\nos._exit(3)")
    fine = _notebook(tmp_path, "fine", "print(x + 1)")
    slot = KernelSlot()
    try:
        first = slot.kernel()
        with pytest.raises(Exception, match=r"(?i)dead|died"):
            first.execute_notebook(dies, {"x": 1})
        assert not first.alive
        second = slot.kernel()
        assert second is not first
        assert _text(second.execute_notebook(fine, {"x": 1})).strip() == "2"
    finally:
        slot.shutdown()


def _tasks(*regions: str) -> list[ReportTask]:
    return [ReportTask("nb", f"out/{r}", "report", {"region": r}) for r in regions]


def test_lanes_hold_every_task_once_and_balance_the_work():
    tasks = _tasks("china", "zhejiang", "hangzhou", "haidong", "liaoning", "shanghai", "anhui")
    split = lanes(tasks, 3)
    assert len(split) == 3
    assert sorted(t.folder for lane in split for t in lane) == sorted(t.folder for t in tasks)
    work = [sum(task_cost(t) for t in lane) for lane in split]
    assert max(work) - min(work) <= max(task_cost(t) for t in tasks)
    assert lanes(tasks[:2], 8) == [[t] for t in largest_first(tasks[:2])]
    costs = [task_cost(t) for t in largest_first(tasks)]
    assert costs == sorted(costs, reverse=True) and costs[0] > costs[-1]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_fault_in_one_region_fails_that_region_only(tmp_path, monkeypatch, jobs):
    from ipindicators.reports import batch

    real = batch.run_notebook

    def faulty(task, kernel=None):
        if task.parameters.get("region") == "haidong":
            raise RuntimeError("disk controller on fire")
        return real(task, kernel)

    monkeypatch.setattr(batch, "run_notebook", faulty)
    result = batch.report(
        ["haidong", "hangzhou", "liaoning"],
        as_of=2021,
        out=tmp_path,
        jobs=jobs,
        n_paths=PATHS,
        overview=False,
        progress=False,
    )
    failed = {run.region: run.error for run in result.runs if not run.ok}
    assert failed == {"haidong": "RuntimeError: disk controller on fire"}
    assert (tmp_path / "hangzhou" / "report.html").is_file()
    assert "FAILED haidong: RuntimeError: disk controller on fire" in result.message()


def test_kernels_run_one_linear_algebra_thread(kernel, tmp_path):
    path = _notebook(
        tmp_path, "threads", "import os\nprint(os.environ.get('OPENBLAS_NUM_THREADS'))"
    )
    assert _text(kernel.execute_notebook(path, {"x": 1})).strip() == "1"
