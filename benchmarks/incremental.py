"""Scheduled runs: a full batch, a rerun with nothing new, and a rerun after one new figure.

For the embedded data (every region with targets) and for SYNTHETIC catalogs (:mod:`synthetic`;
nothing real is read), a fresh interpreter times three runs of the report batch into one
folder: all regions forced, the same run again (every report reused), and a run after one
figure arrives (for the embedded data, a user build with one more figure for Haidong's valid
trademarks, which no other report reads; for the synthetic data, one more year of one region's
first series, which also moves that family's pooled prior and so reruns every region whose
forecasts borrow from it).

Usage::

    python benchmarks/incremental.py [--synthetic 300] [--jobs 2] [--paths 2000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
from synthetic import write_synthetic

HAIDONG_FIGURE = (
    "region,indicator,period_start,period_end,value,unit,as_printed,source_url\n"
    "haidong,valid_trademark_registrations,,2024-12-31,11000,件,11000件,"
    "https://example.gov.cn/benchmark\n"
)
BASELINE_FIGURE = (
    "region,indicator,period_start,period_end,value,unit,as_printed,source_url\n"
    "xian,high_value_invention_patents,,2024-12-31,1,件,1件,https://example.gov.cn/baseline\n"
)


def _timed(out: Path, jobs: int, n_paths: int, force: bool = False) -> tuple[float, int]:
    from ipindicators.reports.batch import report

    started = time.perf_counter()
    result = report(out=out, jobs=jobs, n_paths=n_paths, progress=False, force=force)
    seconds = time.perf_counter() - started
    if not result.ok:
        raise SystemExit(result.message())
    return seconds, sum(run.seconds > 0 for run in result.runs)


def _add_synthetic_figure(processed: Path) -> None:
    frame = pd.read_csv(processed / "observations.csv", keep_default_na=False)
    first = frame[frame["indicator"] == frame["indicator"].iloc[0]]
    last = first[first["region"] == first["region"].iloc[0]].iloc[-1].copy()
    year = int(str(last["period_end"])[:4]) + 1
    last["period_end"] = f"{year}-12-31"
    last["period_start"] = f"{year}-01-01" if last["period_start"] else ""
    last["value"] = round(float(last["value"]) * 1.1, 2)
    pd.concat([frame, last.to_frame().T]).to_csv(processed / "observations.csv", index=False)


def measure(kind: str, folder: Path, jobs: int, n_paths: int) -> dict:
    """The three runs, in the interpreter whose environment points at the data."""
    from ipindicators.catalog.targets import regions_with_targets
    from ipindicators.data.build import build

    out = folder / "reports"
    full, ran_full = _timed(out, jobs, n_paths, force=True)
    same, ran_same = _timed(out, jobs, n_paths)
    if kind == "embedded":
        (folder / "haidong.csv").write_text(HAIDONG_FIGURE, encoding="utf-8")
        build(user_paths=[folder / "baseline.csv", folder / "haidong.csv"])
    else:
        _add_synthetic_figure(folder / "home" / "data" / "processed")
    one, ran_one = _timed(out, jobs, n_paths)
    return {
        "regions": len(regions_with_targets()),
        "full": full,
        "same": same,
        "one": one,
        "ran": [ran_full, ran_same, ran_one],
    }


def _run(kind: str, folder: Path, env: dict[str, str], jobs: int, n_paths: int) -> dict:
    command = [sys.executable, __file__, "--measure", kind, "--folder", str(folder)]
    command += ["--jobs", str(jobs), "--paths", str(n_paths)]
    done = subprocess.run(
        command, env={**os.environ, **env}, capture_output=True, text=True, check=True
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--synthetic", type=int, nargs="*", default=[300])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--paths", type=int, default=2000)
    parser.add_argument("--measure", choices=["embedded", "synthetic"], help=argparse.SUPPRESS)
    parser.add_argument("--folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.folder, args.jobs, args.paths)))
        return
    print(f"{args.jobs} jobs, {args.paths} paths; seconds of wall time, regions rerun\n")
    print(
        "| data | regions | full run s | no-change rerun s | share of full "
        "| one-figure rerun s | regions rerun (full / no change / one figure) |"
    )
    print("|---|--:|--:|--:|--:|--:|---|")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        embedded = Path(tmp) / "embedded"
        embedded.mkdir()
        (embedded / "baseline.csv").write_text(BASELINE_FIGURE, encoding="utf-8")
        env = {"IPINDICATORS_USER_DIR": str(embedded / "user")}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "ipindicators",
                "data",
                "build",
                "--raw",
                str(embedded / "baseline.csv"),
            ],
            env={**os.environ, **env},
            capture_output=True,
            check=True,
        )
        rows.append(("embedded", _run("embedded", embedded, env, args.jobs, args.paths)))
        for count in args.synthetic:
            folder = Path(tmp) / f"synthetic-{count}"
            env = write_synthetic(folder, regions=count)
            env["IPINDICATORS_USER_DIR"] = str(folder / "user")
            rows.append(
                (f"SYNTHETIC {count}", _run("synthetic", folder, env, args.jobs, args.paths))
            )
    for name, r in rows:
        print(
            f"| {name} | {r['regions']} | {r['full']:.1f} | {r['same']:.1f} | "
            f"{r['same'] / r['full']:.1%} | {r['one']:.1f} | "
            f"{' / '.join(str(n) for n in r['ran'])} |"
        )


if __name__ == "__main__":
    main()
