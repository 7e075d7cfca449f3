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
(h) the calibration factors each method would ship with (fitted on every published outcome);
(i) the default by period (origins before 2018, where choices are made, and from 2018, held
    out), measure and lead band, against the Gaussian random walk;
(j) what a user gets: ``ipindicators.forecast`` as of the 2018-2020 origins' dates (with the
    shipped calibration vintages public then, and without) for every province's stocks and
    ratios, against the year-end figures four and five years after the last year known, with
    the shares of outcomes below and above the 80 % interval. It reads the shipped
    calibration file, so run it again after ``--write-calibration``.

``--half-life YEARS`` weighs past outcomes down by their age in every calibration (a choice to
be made on the origins before 2018, table (i)). ``--write-calibration`` stores (h) in ``ipindicators/models/calibration.json``, the factors
``forecast`` applies. The same seed gives byte-identical output; the elapsed time goes to
standard error.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
from _tables import render

import ipindicators as ipi
from ipindicators.atomic import write_text
from ipindicators.catalog.indicators import indicator, population_indicators
from ipindicators.catalog.regions import regions
from ipindicators.models import DEFAULT_MODEL
from ipindicators.models.backtest import (
    available_baselines,
    brier_summary,
    brier_versus,
    fit_method,
    hindcasts,
    origin_date,
    out_of_time,
    paired,
    reliability,
    score,
    summarise,
    target_hindcasts,
)
from ipindicators.models.calibration import CALIBRATION_FILE
from ipindicators.models.series import scale_for, usable_panel

METHODS = ("rw_shrunk", "pool", "rw_drift")
MEASURES = ("snapshot", "period_total")


def _entry(known_by, cal) -> dict:
    return {
        "known_by": str(known_by),
        "growth": list(cal.growth),
        "spread": list(cal.spread),
        "cases": list(cal.cases),
    }


def shipped_table(made, methods, half_life: float | None = None) -> tuple[pd.DataFrame, dict]:
    """Factors per method, measure and lead fitted on every outcome (as a table), and the JSON
    entry: per method and measure the vintage of every origin date (fitted on the outcomes
    public by then, as the out-of-time evaluation fits them), then the one on every outcome."""
    newest = made.rows["outcome_known"].max()
    origins = sorted(set(made.rows["as_of"]))
    rows: list[dict] = []
    entries: dict[str, dict[str, list]] = {}
    for method in methods:
        entries[method] = {}
        for measure in MEASURES:
            vintages = [
                (d, fit_method(made, method, d, measure, half_life)) for d in origins if d < newest
            ]
            cal = fit_method(made, method, measure=measure, half_life=half_life)
            vintages.append((newest, cal))
            entries[method][measure] = [_entry(d, c) for d, c in vintages if not c.identity]
            for lead, (g, s, n) in enumerate(zip(cal.growth, cal.spread, cal.cases), start=1):
                rows.append(
                    {"method": method, "measure": measure, "lead": lead}
                    | {"growth": g, "spread": s, "cases": n}
                )
    return pd.DataFrame(rows), entries


SPLIT_ORIGIN = 2018
"""Origins from this year on are the held-out period the slices (i) report; earlier ones are
where choices of model or setting are to be made."""
LEAD_BANDS = {1: "1", 2: "2-3", 3: "2-3", 4: "4-5", 5: "4-5", 6: "6-7", 7: "6-7"}


def sliced(scores: pd.DataFrame, reference: str = DEFAULT_MODEL) -> pd.DataFrame:
    """The reference model and the Gaussian random walk by period (origins before or from
    :data:`SPLIT_ORIGIN`), measure (stocks and ratios, or annual flows) and lead band: coverage
    with bootstrap intervals, and the reference's CRPS ratio to the random walk on the
    forecasts both made."""
    measure = {i: indicator(i).measure for i in scores["indicator"].unique()}
    keyed = scores.assign(
        period=np.where(scores["origin"] >= SPLIT_ORIGIN, f">={SPLIT_ORIGIN}", f"<{SPLIT_ORIGIN}"),
        measure=scores["indicator"].map(measure),
        leads=scores["lead"].clip(upper=7).map(LEAD_BANDS),
    )
    rows = []
    for (period, kind, band), group in keyed.groupby(["period", "measure", "leads"], sort=True):
        if not (group["method"] == reference).any():
            continue
        mine = summarise(group[group["method"] == reference])
        versus = paired(group[group["method"].isin([reference, "rw_gauss"])], reference)
        row = mine.iloc[0]
        pit = group.loc[group["method"] == reference, "pit"]
        under, over = float((pit <= 0.1).mean()), float((pit >= 0.9).mean())
        record = {
            "period": period,
            "measure": kind,
            "leads": band,
            "n": int(row["n"]),
            "crps_log": row["crps_log"],
            "coverage80": row["coverage80"],
            "cov80_low": row["coverage80_low"],
            "cov80_high": row["coverage80_high"],
            "below_interval": under,
            "above_interval": over,
            "crps_ratio_rw_gauss": np.nan,
            "ratio_low": np.nan,
            "ratio_high": np.nan,
        }
        if not versus.empty:
            record.update(
                crps_ratio_rw_gauss=versus.iloc[0]["crps_ratio"],
                ratio_low=versus.iloc[0]["ratio_low"],
                ratio_high=versus.iloc[0]["ratio_high"],
            )
        rows.append(record)
    return pd.DataFrame(rows)


def evaluation_summary(scores: pd.DataFrame, targets: pd.DataFrame) -> dict:
    """The out-of-time headline the reports quote: the default against the best baseline."""
    table = summarise(scores).set_index("method")
    head = paired(scores, DEFAULT_MODEL).set_index("method")
    probabilistic = [m for m in available_baselines() if m in head.index and m != "growth_ratio"]
    best = min(probabilistic, key=lambda m: table.loc[m, "crps_log"])
    brier = brier_summary(targets).set_index("method")
    mine = table.loc[DEFAULT_MODEL]
    held_out = sliced(scores).set_index(["period", "measure", "leads"])
    stocks = held_out.loc[(f">={SPLIT_ORIGIN}", "snapshot", "4-5")]
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
        "held_out_from": SPLIT_ORIGIN,
        "stocks_4_5_forecasts": int(stocks["n"]),
        "stocks_4_5_coverage80": round(float(stocks["coverage80"]), 3),
        "stocks_4_5_above": round(float(stocks["above_interval"]), 3),
        "stocks_4_5_below": round(float(stocks["below_interval"]), 3),
    }


AS_PUBLISHED_ORIGINS = (2018, 2019, 2020)
AS_PUBLISHED_LEADS = (4, 5)


def _interval_80(fc, years: tuple[int, ...]) -> list[tuple[float, float]]:
    if not fc.ok:
        return [(np.nan, np.nan)] * len(years)
    return [tuple(np.quantile(fc.at(y), [0.1, 0.9])) for y in years]


def as_published(observations: pd.DataFrame, n_paths: int, seed: int, jobs: int) -> pd.DataFrame:
    """Table (j): 80 % intervals ``ipindicators.forecast`` gives as of past dates for the
    provinces' stocks and ratios, scored on the figures published since."""
    provinces = set(regions("province").index)
    denominators = set(population_indicators())
    stocks = observations[
        observations["region"].isin(provinces)
        & ~observations["indicator"].isin(denominators)
        & observations["indicator"].map(
            lambda i: indicator(i).measure == "snapshot" and scale_for(indicator(i)) == "log"
        )
    ]
    at_end = stocks[(stocks["period_end"].dt.month == 12) & (stocks["period_end"].dt.day == 31)]
    figure = {
        (r, i, y): v
        for r, i, y, v in zip(
            at_end["region"], at_end["indicator"], at_end["period_end"].dt.year, at_end["value"]
        )
    }
    series = sorted(set(zip(stocks["region"], stocks["indicator"])))
    found = []
    for origin in AS_PUBLISHED_ORIGINS:
        years = tuple(origin + lead for lead in AS_PUBLISHED_LEADS)
        as_of = origin_date(origin)
        public = usable_panel(stocks, as_of, "release")
        public = public[public["period_end"].dt.year == origin]
        known = sorted(set(zip(public["region"], public["indicator"])) & set(series))
        for calibrated in (True, False):
            intervals = ipi.forecast_many(
                observations,  # the whole panel, as a user passes it: the priors come from it
                known,
                as_of,
                until=years[-1],
                n_paths=n_paths,
                seed=seed,
                calibrated=calibrated,
                reduce=partial(_interval_80, years=years),
                n_jobs=jobs,
            )
            for (r, i), bounds in zip(known, intervals):
                for lead, year, (low, high) in zip(AS_PUBLISHED_LEADS, years, bounds):
                    outcome = figure.get((r, i, year))
                    if outcome is None or np.isnan(low):
                        continue
                    found.append(
                        {
                            "calibration": "shipped vintage" if calibrated else "none",
                            "lead": lead,
                            "below": outcome < low,
                            "above": outcome > high,
                        }
                    )
    frame = pd.DataFrame(found)
    return (
        frame.assign(leads="4-5")
        .groupby(["calibration", "leads"], sort=False)
        .agg(
            n=("below", "size"),
            coverage80=("below", lambda b: 1.0 - (b | frame.loc[b.index, "above"]).mean()),
            below_interval=("below", "mean"),
            above_interval=("above", "mean"),
        )
        .reset_index()
    )


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--format", choices=("markdown", "csv"), default="markdown")
    parser.add_argument("--count-from", choices=("release", "period_end"), default="release")
    parser.add_argument("--write-calibration", action="store_true")
    parser.add_argument(
        "--half-life",
        type=float,
        help="weigh past outcomes down by age in the calibration (years; default: equally)",
    )
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
    calibrated = out_of_time(made, args.half_life)
    scores = score(calibrated)
    raw = score(made)
    raw = raw.merge(scores[["method", "region", "indicator", "origin", "horizon"]])
    targets = target_hindcasts(calibrated)
    default = scores[scores["method"] == DEFAULT_MODEL]
    table, entries = shipped_table(made, (*METHODS, *available_baselines()), args.half_life)
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
            f"(f2) Real past plan targets: {DEFAULT_MODEL}'s Brier score minus each other "
            "method's, on the probabilities both gave (below 0: ours is better)",
            brier_versus(targets),
        ),
        (
            f"(g) Real past plan targets: reliability of {DEFAULT_MODEL}",
            reliability(targets, DEFAULT_MODEL),
        ),
        ("(h) Calibration factors fitted on every published outcome", table),
        (
            f"(i) {DEFAULT_MODEL} by period, measure and lead band (below/above_interval: "
            "outcomes under the 10 % or over the 90 % quantile)",
            sliced(scores),
        ),
        (
            "(j) What `forecast` gives as of the dates of the origins 2018-2020: provinces' "
            "stocks and ratios four and five years after the last year known",
            as_published(ipi.observations(), args.paths, args.seed, args.jobs),
        ),
    ]
    heading = "##" if args.format == "markdown" else "#"
    for title, frame in sections:
        print(f"{heading} {title}\n\n{render(frame, args.format)}\n")
    if args.write_calibration:
        newest = made.rows["outcome_known"].max()
        payload = {
            "about": (
                "Growth and spread factors per lead time (1, 2, ... years) per method and "
                "measure, one vintage per forecast origin fitted on the hindcasts whose "
                "outcomes were public by its known_by date, the last on every published "
                "outcome; by `python "
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
