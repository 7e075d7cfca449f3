"""How time and memory grow with the number of regions, on a SYNTHETIC catalog.

For each size, a synthetic catalog and dataset (:mod:`synthetic`; nothing real is read) is
written to a temporary folder, then a fresh interpreter measures, for the assessment alone
(``assess_all``) and for the whole report batch (every region's notebook, the summary, the
overview and the index, with each number of jobs): wall seconds, seconds per region, and peak
resident memory. For the batch, memory is given for the driving process and for the largest
kernel (of the run with the most jobs).

With ``--assess-only`` the batch is left out and the table says how the assessment's time
grows from one size to the next (linear growth gives a ratio equal to the ratio of sizes).

Usage::

    python benchmarks/scale.py [--regions 50 100 200 300] [--jobs 1 2] [--paths 2000]
    python benchmarks/scale.py --assess-only --regions 300 500 1000 2000 3000
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from synthetic import write_synthetic


def _peak_mb(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024


def measure(what: str, jobs: int, n_paths: int, out: Path) -> dict[str, float]:
    """Run in the interpreter whose environment points at the synthetic data."""
    started = time.perf_counter()
    if what == "assess":
        from ipindicators.models.assess import assess_all

        rows = len(assess_all(n_paths=n_paths))
    else:
        from ipindicators.reports.batch import report

        result = report(out=out, jobs=jobs, n_paths=n_paths, progress=False)
        if not result.ok:
            raise SystemExit(result.message())
        rows = result.passed
    return {
        "seconds": time.perf_counter() - started,
        "rows": rows,
        "peak_mb": _peak_mb(resource.RUSAGE_SELF),
        "kernel_mb": _peak_mb(resource.RUSAGE_CHILDREN),
    }


def _run(what: str, env: dict[str, str], jobs: int, n_paths: int, out: Path) -> dict:
    command = [sys.executable, __file__, "--measure", what, "--jobs", str(jobs)]
    command += ["--paths", str(n_paths), "--out", str(out)]
    done = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def _assessment_growth(sizes: list[int], n_paths: int) -> None:
    """Print the assessment's time per size and its growth from the previous size."""
    print("\n| regions | assessment s | per region s | × time | × regions | peak MB |")
    print("|--:|--:|--:|--:|--:|--:|")
    previous: tuple[int, float] | None = None
    for regions in sizes:
        with tempfile.TemporaryDirectory(prefix="ipi-synthetic-") as tmp:
            folder = Path(tmp)
            env = write_synthetic(folder / "data", regions)
            alone = _run("assess", env, 1, n_paths, folder / "out")
        seconds = alone["seconds"]
        growth = (
            f"{seconds / previous[1]:.2f} | {regions / previous[0]:.2f}" if previous else "– | –"
        )
        print(
            f"| {regions} | {seconds:.1f} | {seconds / regions:.4f} | {growth} "
            f"| {alone['peak_mb']:.0f} |",
            flush=True,
        )
        previous = (regions, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, nargs="+", default=[50, 100, 200, 300])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--paths", type=int, default=2000)
    parser.add_argument("--assess-only", action="store_true", help="leave out the batch")
    parser.add_argument("--measure", choices=["assess", "notebooks"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.jobs[0], args.paths, args.out)))
        return
    print(f"SYNTHETIC regions (4 targets each); {args.paths} paths")
    if args.assess_only:
        _assessment_growth(args.regions, args.paths)
        return
    batch_heads = "".join(f" batch, {j} job{'s' if j > 1 else ''} s |" for j in args.jobs)
    print(
        f"\n| regions | assessment s | per region | peak MB |{batch_heads} "
        "per region | speed-up | driver peak MB | largest kernel MB |"
    )
    print("|--:" * (8 + len(args.jobs)) + "|")
    for regions in args.regions:
        with tempfile.TemporaryDirectory(prefix="ipi-synthetic-") as tmp:
            folder = Path(tmp)
            env = write_synthetic(folder / "data", regions)
            alone = _run("assess", env, args.jobs[0], args.paths, folder / "out")
            batches = [
                _run("notebooks", env, jobs, args.paths, folder / f"out{jobs}")
                for jobs in args.jobs
            ]
        walls = "".join(f" {b['seconds']:.1f} |" for b in batches)
        last = batches[-1]
        print(
            f"| {regions} | {alone['seconds']:.1f} | {alone['seconds'] / regions:.3f} "
            f"| {alone['peak_mb']:.0f} |{walls} {last['seconds'] / regions:.2f} "
            f"| {batches[0]['seconds'] / last['seconds']:.2f} | {last['peak_mb']:.0f} "
            f"| {last['kernel_mb']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
