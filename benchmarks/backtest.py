"""Out-of-time evaluation of our forecasts and the baselines on every embedded IP series.

Usage::

    python benchmarks/backtest.py [--seed 0] [--paths 1000] [--jobs 2] [--format markdown|csv]
                                  [--count-from release|period_end] [--write-calibration]

Every method's rolling-origin hindcasts are made once, uncalibrated
(:func:`ipindicators.models.backtest.hindcasts`), then recalibrated origin by origin on the
outcomes public by then (:func:`ipindicators.models.backtest.out_of_time`) and scored. Resident
population (a denominator, not a target) is left out. Prints

(a) scores by method, with 90 % bootstrap intervals over regions;
(b) the default model head to head with every other method on the forecasts both made;
(c) scores by method and horizon; (d) the default by indicator family;
(e) the same forecasts uncalibrated, for comparison;
(f) Brier scores on real past plan targets (the targets every method scored), with the number
    of targets and misses, and (g) the default's reliability table on them;
(h) the calibration factors each method would ship with (fitted on every published outcome).

``--write-calibration`` stores (h) in ``ipindicators/models/calibration.json``, the factors
``forecast`` applies. The same seed gives byte-identical output; the elapsed time goes to
standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import pandas as pd
from _tables import render

from ipindicators.atomic import write_text
from ipindicators.catalog.indicators import population_indicators
from ipindicators.models import DEFAULT_MODEL
from ipindicators.models.backtest import (
    available_baselines,
    brier_summary,
    fit_method,
    hindcasts,
    out_of_time,
    paired,
    reliability,
    score,
    summarise,
    target_hindcasts,
)
from ipindicators.models.calibration import CALIBRATION_FILE

METHODS = ("rw_shrunk", "pool", "rw_drift")


def _entry(known_by, cal) -> dict:
    return {
        "known_by": str(known_by),
        "growth": list(cal.growth),
        "spread": list(cal.spread),
        "cases": list(cal.cases),
    }


def shipped_table(made, methods) -> tuple[pd.DataFrame, dict]:
    """Factors per method and lead fitted on every outcome (as a table), and the JSON entry:
    per method the vintage of every origin date (fitted on the outcomes public by then, as the
    out-of-time evaluation fits them), then the one fitted on every outcome."""
    newest = made.rows["outcome_known"].max()
    origins = sorted(set(made.rows["as_of"]))
    rows, entries = [], {}
    for method in methods:
        vintages = [(d, fit_method(made, method, d)) for d in origins if d < newest]
        cal = fit_method(made, method)
        vintages.append((newest, cal))
        entries[method] = [_entry(d, c) for d, c in vintages if not c.identity]
        for lead, (g, s, n) in enumerate(zip(cal.growth, cal.spread, cal.cases), start=1):
            rows.append({"method": method, "lead": lead, "growth": g, "spread": s, "cases": n})
    return pd.DataFrame(rows), entries


def evaluation_summary(scores: pd.DataFrame, targets: pd.DataFrame) -> dict:
    """The out-of-time headline the reports quote: the default against the best baseline."""
    table = summarise(scores).set_index("method")
    head = paired(scores, DEFAULT_MODEL).set_index("method")
    probabilistic = [m for m in available_baselines() if m in head.index and m != "growth_ratio"]
    best = min(probabilistic, key=lambda m: table.loc[m, "crps_log"])
    brier = brier_summary(targets).set_index("method")
    mine = table.loc[DEFAULT_MODEL]
    return {
        "model": DEFAULT_MODEL,
        "forecasts": int(mine["n"]),
        "regions": int(mine["regions"]),
        "crps_log": round(float(mine["crps_log"]), 3),
        "coverage80": round(float(mine["coverage80"]), 3),
        "coverage95": round(float(mine["coverage95"]), 3),
        "best_baseline": best,
        "ratio_to_best_baseline": round(float(head.loc[best, "crps_ratio"]), 3),
        "ratio_to_growth_rule": round(float(head.loc["growth_ratio", "crps_ratio"]), 3),
        "targets": int(brier.loc[DEFAULT_MODEL, "targets"]),
        "target_probabilities": int(brier.loc[DEFAULT_MODEL, "n"]),
        "targets_missed": int(brier.loc[DEFAULT_MODEL, "missed"]),
        "brier": round(float(brier.loc[DEFAULT_MODEL, "brier"]), 3),
        "brier_growth_rule": round(float(brier.loc["growth_ratio", "brier"]), 3),
    }


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    parser.add_argument("--count-from", choices=("release", "period_end"), default="release")
    parser.add_argument("--write-calibration", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    made = hindcasts(
        n_paths=args.paths,
        seed=args.seed,
        models=METHODS,
        baselines=True,
        count_from=args.count_from,
        n_jobs=args.jobs,
    )
    made = made.subset(~made.rows["indicator"].isin(population_indicators()).to_numpy())
    made_at = time.perf_counter() - started
    calibrated = out_of_time(made)
    scores = score(calibrated)
    raw = score(made)
    raw = raw.merge(scores[["method", "region", "indicator", "origin", "horizon"]])
    targets = target_hindcasts(calibrated)
    default = scores[scores["method"] == DEFAULT_MODEL]
    table, entries = shipped_table(made, (*METHODS, *available_baselines()))
    sections = [
        ("(a) Out of time, by method (90 % intervals over regions)", summarise(scores)),
        (
            f"(b) {DEFAULT_MODEL} head to head (crps_ratio < 1: {DEFAULT_MODEL} is better)",
            paired(scores, DEFAULT_MODEL),
        ),
        ("(c) Out of time, by method and horizon", summarise(scores, ("method", "horizon"), 0)),
        (
            f"(d) {DEFAULT_MODEL} by indicator family",
            summarise(default, ("method", "indicator"), 0),
        ),
        ("(e) The same forecasts uncalibrated", summarise(raw, ("method",), 0)),
        ("(f) Real past plan targets: Brier score", brier_summary(targets)),
        (
            f"(g) Real past plan targets: reliability of {DEFAULT_MODEL}",
            reliability(targets, DEFAULT_MODEL),
        ),
        ("(h) Calibration factors fitted on every published outcome", table),
    ]
    heading = "##" if args.format == "markdown" else "#"
    for title, frame in sections:
        print(f"{heading} {title}\n\n{render(frame, args.format)}\n")
    if args.write_calibration:
        newest = made.rows["outcome_known"].max()
        payload = {
            "about": (
                "Growth and spread factors per lead time (1, 2, ... years) per method, one "
                "vintage per forecast origin fitted on the hindcasts whose outcomes were public "
                "by its known_by date, the last on every published outcome; by `python "
                f"benchmarks/backtest.py --write-calibration --seed {args.seed} --paths "
                f"{args.paths}`."
            ),
            "newest_outcome_known": str(newest),
            "count_from": args.count_from,
            "methods": entries,
            "evaluation": evaluation_summary(scores, targets),
        }
        target = Path(__file__).resolve().parents[1] / "ipindicators" / "models" / CALIBRATION_FILE
        write_text(target, json.dumps(payload, indent=1, ensure_ascii=False) + "\n")
        print(f"wrote {target}", file=sys.stderr)
    print(
        f"hindcasts {made_at:.1f} s, total {time.perf_counter() - started:.1f} s "
        f"({args.jobs} jobs)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
