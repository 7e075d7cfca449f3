"""Hindcast benchmark: our forecasts and the baselines on every embedded series.

Usage::

    python benchmarks/backtest.py [--seed 0] [--paths 1000] [--format markdown|csv]
                                  [--uncalibrated]

Prints (a) scores by method × horizon, (b) scores by method over all horizons (all series, and
without resident population), and the pool's by indicator, (c) the pool
head to head with every other method on the forecasts both made, (d) each method's Brier score
on real past plan targets and (e) the probability each method gave each of those targets before
its target year, with the outcome. The same seed gives byte-identical output; the elapsed time
goes to standard error.
"""

from __future__ import annotations

import argparse
import sys
import time

import pandas as pd
from _tables import render

from ipindicators.models.backtest import (
    BASELINES,
    OURS,
    backtest,
    paired,
    summarise,
    target_hindcasts,
)


def target_table(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per target × origin, one probability column per method."""
    keys = ["target_id", "target_year", "target_value", "outcome", "achieved", "origin", "horizon"]
    wide = rows.pivot_table(index=keys, columns="method", values="probability", sort=False)
    methods = [m for m in OURS + BASELINES if m in wide.columns]
    return wide[methods].reset_index().sort_values(["target_id", "origin"], kind="mergesort")


def target_brier(rows: pd.DataFrame) -> pd.DataFrame:
    """Mean Brier score of the real-target probabilities per method."""
    table = rows.groupby("method", sort=False).agg(n=("brier", "size"), brier=("brier", "mean"))
    order = [m for m in OURS + BASELINES if m in table.index]
    return table.loc[order].reset_index()


def main(argv: list[str] | None = None) -> int:
    """Run the hindcasts and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    parser.add_argument(
        "--uncalibrated", action="store_true", help="forecasts without the calibration constants"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    calibrated = not args.uncalibrated
    scores = backtest(n_paths=args.paths, seed=args.seed, calibrated=calibrated)
    targets = target_hindcasts(n_paths=args.paths, seed=args.seed, calibrated=calibrated)
    ip_series = scores[scores["indicator"] != "resident_population"]
    sections = [
        ("(a) Scores by method and horizon", summarise(scores)),
        ("(b) Scores by method, all horizons", summarise(scores, by=("method",))),
        (
            "(b) Scores by method, all horizons, without resident population (not a target; "
            "left out of the calibration fit)",
            summarise(ip_series, by=("method",)),
        ),
        (
            "(b) Our pool by indicator, all horizons",
            summarise(scores[scores["method"] == "pool"], by=("method", "indicator")),
        ),
        ("(c) Pool head to head (crps_ratio < 1: the pool is better)", paired(scores)),
        ("(d) Real past targets: Brier score of each method", target_brier(targets)),
        (
            "(e) Real past targets: probability of each method and the outcome",
            target_table(targets),
        ),
    ]
    heading = "##" if args.format == "markdown" else "#"
    for title, table in sections:
        print(f"{heading} {title}\n\n{render(table, args.format)}\n")
    print(f"elapsed {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
