"""Wall time of the report batch: all regions with 1 and 2 jobs, against papermill's floor.

The floor is papermill executing a notebook with only a parameters cell (kernel start,
execution and write-out, nothing else). The cost per region is the batch's wall time divided
by the number of regions; the ratio says how much a region's real work adds to that floor.

Usage::

    python benchmarks/batch.py [--paths 2000] [--repeat 3] [--jobs 1 2]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import nbformat
import papermill
from nbformat.v4 import new_code_cell, new_notebook

from ipindicators.catalog.targets import regions_with_targets
from ipindicators.reports.batch import report


def empty_notebook_seconds(folder: Path, repeat: int) -> float:
    """Median seconds for papermill to run a notebook holding only a parameters cell."""
    cell = new_code_cell("region = 'china'")
    cell.metadata["tags"] = ["parameters"]
    notebook = new_notebook(
        cells=[cell],
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
    )
    source = folder / "empty.ipynb"
    nbformat.write(notebook, source)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        papermill.execute_notebook(
            str(source),
            str(folder / "empty-out.ipynb"),
            parameters={"region": "china"},
            progress_bar=False,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def batch_seconds(folder: Path, jobs: int, n_paths: int) -> tuple[float, int, int]:
    """Seconds for the whole batch, regions run, regions passed."""
    started = time.perf_counter()
    result = report(out=folder / f"jobs{jobs}", jobs=jobs, n_paths=n_paths, progress=False)
    return time.perf_counter() - started, len(result.runs), result.passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the empty notebook")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        floor = empty_notebook_seconds(folder, args.repeat)
        print(f"regions with targets: {len(regions_with_targets())}; paths: {args.paths}")
        print(f"papermill, empty notebook: {floor:.2f} s (median of {args.repeat})\n")
        print(
            "| jobs | wall s (incl. overview) | regions passed | s per region "
            "| per region / empty notebook | speed-up vs 1 job |"
        )
        print("|---|---|---|---|---|---|")
        first = None
        for jobs in args.jobs:
            wall, n, passed = batch_seconds(folder, jobs, args.paths)
            first = first or wall
            print(
                f"| {jobs} | {wall:.1f} | {passed}/{n} | {wall / n:.2f} | "
                f"{wall / n / floor:.1f} | {first / wall:.2f} |"
            )


if __name__ == "__main__":
    main()
