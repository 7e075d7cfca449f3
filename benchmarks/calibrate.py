"""Estimate the forecast calibration constants from hindcasts of the embedded data.

Usage::

    python benchmarks/calibrate.py [--paths 1000] [--seed 0]

For every drift damping ``phi`` and prior degrees of freedom ``prior_df`` of a grid, the pooled
model's hindcasts of every series are made once (:func:`ipindicators.models.backtest.hindcasts`,
calibrated with ``Calibration(phi, prior_df)`` and no spread factor). Fitting on a set of
forecasts then means:

1. per horizon, the spread factor whose central 80 % and 95 % intervals cover the figures as
   closely as possible to 80 % and 95 % (squared errors weighted by the inverse binomial
   variance ``1 / (level (1 - level))``; factors made non-decreasing in the horizon);
2. for each ``phi``, the ``prior_df`` (tail weight) whose spread leaves the smallest coverage
   misfit; of those, the ``phi`` (centre) with the lowest mean CRPS of the log figures (scale
   free, so every series counts alike).

The fit leaves out resident population (``--exclude``): it is a denominator, not a plan
target, its figures jump at census revisions, and with almost a third of all hindcasts it
would pull the constants towards its own needs and widen every IP indicator's intervals. Its
coverage under the fitted constants is printed apart.

Held-out check: leave one region out (every series of a region shares its dynamics, so a
region is the unit left out): constants fitted on all other regions are scored on the left-out
region's forecasts, and the coverage of all held-out forecasts is reported by horizon, next to
the uncalibrated model. The constants stored in ``ipindicators.models.forecast.CALIBRATION`` are the
ones fitted on all regions, printed last.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from itertools import product

import numpy as np
import pandas as pd
from _tables import markdown

from ipindicators.models.backtest import Hindcast, hindcasts
from ipindicators.models.forecast import Calibration

PHIS = (1.0, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.6)
PRIOR_DFS = (0, 1, 2, 4, 8, 16, 32, 64)
LEVELS = (0.8, 0.95)
HORIZONS = tuple(range(1, 7))
FACTORS = np.round(np.arange(0.5, 8.0 + 1e-9, 0.05), 2)
EXCLUDED = ("resident_population",)


@dataclass(frozen=True)
class Columns:
    """One row per forecast year-end of the pooled hindcasts under one (phi, prior_df)."""

    phi: float
    prior_df: float
    region: np.ndarray
    indicator: np.ndarray
    horizon: np.ndarray
    needed: dict[float, np.ndarray]
    log_crps: np.ndarray


def _needed_factor(log_obs: np.ndarray, log_paths: np.ndarray, level: float) -> np.ndarray:
    """Smallest spread factor that puts each figure inside the central ``level`` interval."""
    low, centre, high = np.quantile(log_paths, [(1 - level) / 2, 0.5, (1 + level) / 2], axis=0)
    reach = np.where(log_obs >= centre, high - centre, centre - low)
    gap = np.abs(log_obs - centre)
    return np.where(reach > 0, gap / np.where(reach > 0, reach, 1.0), np.inf)


def _log_crps_by_factor(item: Hindcast) -> np.ndarray:
    """CRPS of the log figures (rows: year-ends) with the spread multiplied by each of FACTORS.

    Spreading around the median keeps the sorted order of the paths, so the CRPS of the
    empirical distribution, ``E|X - z| - E|X - X'| / 2``, is computed from one sort per year-end
    (the same estimator as :func:`ipindicators.models.backtest.crps`).
    """
    logs = np.sort(np.log(item.samples), axis=0)
    n = len(logs)
    weights = (2 * np.arange(1, n + 1) - n - 1) / n**2
    rows = []
    for j in range(len(item.years)):
        centre = np.median(logs[:, j])
        gap = np.log(item.observed[j]) - centre
        deviations = logs[:, j] - centre
        mean_abs = np.abs(FACTORS[:, None] * deviations[None, :] - gap).mean(axis=1)
        rows.append(mean_abs - FACTORS * float(weights @ deviations))
    return np.array(rows)


def columns(phi: float, prior_df: float, n_paths: int, seed: int) -> Columns:
    """The pooled hindcasts of every series under ``Calibration(phi, prior_df)``."""
    found = list(
        hindcasts(
            None, HORIZONS, n_paths, seed, ("pool",), False, calibrated=Calibration(phi, prior_df)
        )
    )
    region = np.concatenate([[h.region] * len(h.years) for h in found])
    indicator = np.concatenate([[h.indicator] * len(h.years) for h in found])
    horizon = np.concatenate([h.horizons for h in found])
    needed = {
        level: np.concatenate(
            [_needed_factor(np.log(h.observed), np.log(h.samples), level) for h in found]
        )
        for level in LEVELS
    }
    return Columns(
        phi,
        prior_df,
        region,
        indicator,
        horizon,
        needed,
        np.vstack([_log_crps_by_factor(h) for h in found]),
    )


def _miss(coverage: np.ndarray | float, level: float) -> np.ndarray | float:
    """Squared coverage error in units of its binomial variance."""
    return (coverage - level) ** 2 / (level * (1 - level))


def fit_spread(table: Columns, rows: np.ndarray) -> tuple[np.ndarray, float]:
    """Per-horizon spread fitted on ``rows`` (indices into FACTORS) and its coverage misfit.

    Each horizon's factor minimises the sum over levels of (coverage - level)² /
    (level (1 - level)), the squared coverage errors in units of their binomial variance; the
    factors are then made non-decreasing in the horizon, and the misfit is that sum over
    horizons and levels for the final factors.
    """
    chosen: list[int] = []
    curves: list[np.ndarray] = []
    for h in HORIZONS:
        mine = rows & (table.horizon == h)
        if not mine.any():
            chosen.append(chosen[-1] if chosen else int(np.argmin(np.abs(FACTORS - 1.0))))
            curves.append(np.zeros(len(FACTORS)))
            continue
        misses = [
            np.asarray(
                _miss(np.mean(table.needed[lv][mine][:, None] <= FACTORS[None, :], axis=0), lv)
            )
            for lv in LEVELS
        ]
        curves.append(np.sum(misses, axis=0))
        chosen.append(int(np.argmin(curves[-1])))
    spread = np.maximum.accumulate(chosen)
    return spread, float(sum(curve[k] for curve, k in zip(curves, spread)))


def _factor_index(table: Columns, spread: np.ndarray) -> np.ndarray:
    return spread[table.horizon - 1]


def fit(tables: list[Columns], rows: np.ndarray) -> tuple[Columns, np.ndarray, float]:
    """Constants fitted on ``rows``: the best table, its spread and its mean log CRPS.

    For each ``phi`` the ``prior_df`` whose fitted spread leaves the smallest coverage misfit
    (the tail shape); then the ``phi`` with the lowest mean CRPS of the log figures. Grid
    points whose paths overflow (infinite CRPS) are left out.
    """
    shapes: dict[float, tuple[float, float, Columns, np.ndarray]] = {}
    for table in tables:
        spread, misfit = fit_spread(table, rows)
        chosen = _factor_index(table, spread)[rows]
        loss = float(np.mean(table.log_crps[np.flatnonzero(rows), chosen]))
        if np.isfinite(loss) and (table.phi not in shapes or misfit < shapes[table.phi][0]):
            shapes[table.phi] = (misfit, loss, table, spread)
    _, loss, table, spread = min(shapes.values(), key=lambda shape: shape[1])
    return table, spread, loss


def _coverage(table: Columns, rows: np.ndarray, factor: np.ndarray) -> pd.DataFrame:
    """Per held-out year-end: horizon, interval hits and log CRPS with spread ``factor``."""
    scores = table.log_crps[np.flatnonzero(rows), np.searchsorted(FACTORS, factor)]
    return pd.DataFrame(
        {
            "horizon": table.horizon[rows],
            "in80": table.needed[0.8][rows] <= factor,
            "in95": table.needed[0.95][rows] <= factor,
            "log_crps": scores,
        }
    )


def summary(frame: pd.DataFrame) -> pd.DataFrame:
    """Coverage and CRPS of the log figures by horizon, then over all horizons."""
    table = (
        frame.groupby("horizon")
        .agg(
            n=("in80", "size"),
            coverage80=("in80", "mean"),
            coverage95=("in95", "mean"),
            log_crps=("log_crps", "mean"),
        )
        .reset_index()
    )
    overall = {
        "horizon": "mean over horizons",
        "n": int(table["n"].sum()),
        "coverage80": table["coverage80"].mean(),
        "coverage95": table["coverage95"].mean(),
        "log_crps": frame["log_crps"].mean(),
    }
    return pd.concat([table.astype({"horizon": str}), pd.DataFrame([overall])], ignore_index=True)


def leave_one_region_out(tables: list[Columns], used: np.ndarray) -> pd.DataFrame:
    """Held-out scores: each region's ``used`` forecasts under constants fitted without it."""
    parts = []
    for region in sorted(set(tables[0].region[used])):
        table, spread, _ = fit(tables, used & (tables[0].region != region))
        rows = used & (table.region == region)
        parts.append(_coverage(table, rows, FACTORS[_factor_index(table, spread)[rows]]))
    return pd.concat(parts, ignore_index=True)


def main() -> None:
    """Make the hindcasts, cross-validate the fit, then fit on everything."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--exclude",
        action="append",
        metavar="INDICATOR",
        help=f"indicator left out of the fit (default: {', '.join(EXCLUDED)}); "
        "repeatable; 'none' for none",
    )
    args = parser.parse_args()
    excluded = set(args.exclude or EXCLUDED) - {"none"}
    started = time.perf_counter()
    tables = [columns(phi, df, args.paths, args.seed) for phi, df in product(PHIS, PRIOR_DFS)]
    plain = next(t for t in tables if t.phi == 1.0 and t.prior_df == 0)
    used = ~np.isin(plain.indicator, list(excluded))
    print(f"fitted on every series but {', '.join(sorted(excluded)) or 'none'}\n")
    print("## Uncalibrated pool\n")
    print(markdown(summary(_coverage(plain, used, np.ones(int(used.sum()))))), "\n")
    print("## Calibrated pool, leave one region out (held-out)\n")
    print(markdown(summary(leave_one_region_out(tables, used))), "\n")
    table, spread, loss = fit(tables, used)
    factors = FACTORS[_factor_index(table, spread)]
    print("## Calibrated pool, constants fitted on all regions (in-sample)\n")
    print(markdown(summary(_coverage(table, used, factors[used]))), "\n")
    if (~used).any():
        print(f"## Left out of the fit ({', '.join(sorted(excluded))}), calibrated\n")
        print(markdown(summary(_coverage(table, ~used, factors[~used]))), "\n")
    constants = Calibration(table.phi, table.prior_df, tuple(float(FACTORS[i]) for i in spread))
    print(f"fitted on all regions (mean log CRPS {loss:.4f}):\n\n{constants!r}\n")
    print(f"elapsed {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
