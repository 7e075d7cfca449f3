"""Wall time of the report batch over every region with targets, against papermill's floor.

The floor is papermill executing a notebook holding only a parameters cell on a fresh kernel
(kernel start, execution and write-out, nothing else). A region's cost is the batch's wall
time (every region's report, the summary, the overview and the index) divided by the number
of regions; its ratio to the floor says what a report costs beyond running an empty notebook.
Runs with 1 and 2 jobs are interleaved, ``--repeat`` times each, and medians are shown, so
that a slow moment of the machine does not favour one side.

Usage::

    python benchmarks/batch.py [--paths 2000] [--repeat 3] [--jobs 1 2] [--dask]
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


def empty_notebook_seconds(folder: Path) -> float:
    """Seconds for papermill to run a notebook holding only a parameters cell."""
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
    started = time.perf_counter()
    papermill.execute_notebook(
        str(source),
        str(folder / "empty-out.ipynb"),
        parameters={"region": "china"},
        progress_bar=False,
        extra_arguments=["--IPKernelApp.log_level=CRITICAL"],
    )
    return time.perf_counter() - started


def batch_seconds(
    folder: Path, jobs: int, n_paths: int, scheduler: str | None = None
) -> tuple[float, float]:
    """Seconds for the whole batch and for its overview notebook (all regions must pass)."""
    started = time.perf_counter()
    result = report(out=folder, jobs=jobs, n_paths=n_paths, scheduler=scheduler, progress=False)
    seconds = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(result.message())
    assert result.overview is not None
    return seconds, result.overview.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each configuration")
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--dask", action="store_true", help="also on a Dask LocalCluster of 2 workers"
    )
    args = parser.parse_args()
    regions = len(regions_with_targets())
    times: dict[str, list[float]] = {"empty": []}
    overview: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cluster = None
        if args.dask:
            from distributed import LocalCluster

            cluster = LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
            )
        for run in range(args.repeat):
            times["empty"].append(empty_notebook_seconds(folder))
            for jobs in args.jobs:
                name = f"{jobs} job{'s' if jobs > 1 else ''}"
                seconds, last = batch_seconds(folder / f"jobs{jobs}-{run}", jobs, args.paths)
                times.setdefault(name, []).append(seconds)
                overview.setdefault(name, []).append(last)
            if cluster is not None:
                seconds, last = batch_seconds(
                    folder / f"dask-{run}", 1, args.paths, cluster.scheduler_address
                )
                times.setdefault("Dask, 2 workers", []).append(seconds)
                overview.setdefault("Dask, 2 workers", []).append(last)
        if cluster is not None:
            cluster.close()
    floor = statistics.median(times.pop("empty"))
    print(f"regions with targets: {regions}; paths: {args.paths}; medians of {args.repeat}")
    print(f"papermill, empty notebook (fresh kernel): {floor:.2f} s\n")
    print(
        "| run | wall s | s per region | per region / empty notebook | speed-up vs 1 job "
        "| of which overview s |"
    )
    print("|---|--:|--:|--:|--:|--:|")
    first = None
    for name, values in times.items():
        wall = statistics.median(values)
        first = first or wall
        print(
            f"| {name} | {wall:.1f} | {wall / regions:.2f} | {wall / regions / floor:.2f} "
            f"| {first / wall:.2f} | {statistics.median(overview[name]):.2f} |"
        )


if __name__ == "__main__":
    main()
