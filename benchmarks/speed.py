"""Speed: our forecasts and attainment probabilities for 1,000 series, against statsforecast.

Usage::

    python benchmarks/speed.py [--series 1000] [--paths 2000] [--seed 0]

The panel resamples the embedded series that have at least seven usable figures (AutoETS in
statsforecast refuses shorter ones) and multiplies every figure by an independent log-normal
factor (sd 2 %), keeping the real, irregular dates. Ours: :func:`ipindicators.forecast_many`
with the default model and calibration, as of 2025 until 2030, each forecast reduced to the
probability that the 2030 value reaches 1.5 × the last figure, as an assessment does.
statsforecast: ``AutoETS`` and ``RandomWalkWithDrift`` on the same figures as a regular
sequence (it cannot use irregular dates), 6 steps ahead with 80 % and 95 % intervals. Every
configuration is timed after an untimed warm-up on 20 series (imports, numba compilation);
the best of three runs is shown, with the CPU time of that run (all threads, worker processes
included). One more row runs ours in one process with BLAS free to use every core, as before
forecasts were limited to one BLAS thread: same paths, more CPU. statsforecast rows need the
``bench`` extra and are left out without it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import importlib.util
import resource
import time
from functools import partial
from unittest import mock

import numpy as np
import pandas as pd

import ipindicators as ipi
from ipindicators.catalog.indicators import indicator
from ipindicators.models import DEFAULT_MODEL
from ipindicators.models import forecast as forecast_module
from ipindicators.models.forecast import Forecast, forecast_many
from ipindicators.models.series import usable_observations

AS_OF, UNTIL, GOAL = 2025, 2030, 1.5
OURS_LABEL = f"ipindicators {DEFAULT_MODEL} (default) + probability"
MIN_FIGURES = 7


def panel(n_series: int, seed: int) -> pd.DataFrame:
    """``n_series`` perturbed copies of embedded series with at least seven usable, positive
    figures."""
    frame = ipi.observations()
    pool = []
    for (_, indicator_id), group in frame.groupby(["region", "indicator"], sort=True):
        used = usable_observations(group, indicator(indicator_id), dt.date(AS_OF, 12, 31))
        if len(used) >= MIN_FIGURES and (used["value"] > 0).all():
            pool.append(used)
    rng = np.random.default_rng(seed)
    copies = []
    for i, pick in enumerate(rng.integers(len(pool), size=n_series)):
        copy = pool[pick].copy()
        copy["region"] = f"panel{i:04d}"
        copy["value"] = copy["value"] * np.exp(rng.normal(0.0, 0.02, len(copy)))
        copies.append(copy)
    return pd.concat(copies, ignore_index=True)


def attainment(fc: Forecast) -> float:
    """Share of paths whose 2030 value reaches 1.5 × the last figure."""
    goal = GOAL * float(fc.observations["value"].iloc[-1])
    return float((fc.at(UNTIL) >= goal).mean())


def _ours(frame: pd.DataFrame, keys: list, n_paths: int, n_jobs: int) -> list[float]:
    return forecast_many(frame, keys, AS_OF, UNTIL, n_paths, reduce=attainment, n_jobs=n_jobs)


def _regular(frame: pd.DataFrame) -> pd.DataFrame:
    ordered = frame.sort_values(["region", "period_end"], kind="mergesort")
    return pd.DataFrame(
        {
            "unique_id": ordered["region"].to_numpy(),
            "ds": ordered.groupby("region").cumcount().to_numpy() + 1,
            "y": ordered["value"].to_numpy(),
        }
    )


def _statsforecast(data: pd.DataFrame, model_name: str, n_jobs: int) -> pd.DataFrame:
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS, RandomWalkWithDrift

    model = AutoETS(season_length=1) if model_name == "AutoETS" else RandomWalkWithDrift()
    return StatsForecast(models=[model], freq=1, n_jobs=n_jobs).forecast(
        df=data, h=UNTIL - AS_OF, level=[80, 95]
    )


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _timed(run: partial, repeats: int = 3) -> tuple[float, float]:
    """Wall and CPU seconds of the fastest of ``repeats`` runs (the least disturbed one)."""
    times = []
    for _ in range(repeats):
        started, cpu = time.perf_counter(), _cpu_seconds()
        run()
        times.append((time.perf_counter() - started, _cpu_seconds() - cpu))
    return min(times)


def _blas_unlimited() -> contextlib.AbstractContextManager:
    return mock.patch.object(forecast_module, "single_blas_thread", contextlib.nullcontext)


def _ours_blas_unlimited(frame: pd.DataFrame, keys: list, n_paths: int) -> list[float]:
    with _blas_unlimited():
        return _ours(frame, keys, n_paths, 1)


def main() -> None:
    """Time every configuration and print a markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--series", type=int, default=1000)
    parser.add_argument("--paths", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    frame = panel(args.series, args.seed)
    keys = list(dict.fromkeys(zip(frame["region"], frame["indicator"])))
    regular = _regular(frame)
    warm = regular[regular["unique_id"].isin([k[0] for k in keys[:20]])]
    with_statsforecast = importlib.util.find_spec("statsforecast") is not None
    others = ("AutoETS", "RandomWalkWithDrift") if with_statsforecast else ()
    _ours(frame, keys[:20], args.paths, 1)
    for name in others:
        _statsforecast(warm, name, 1)
    runs = []
    for n_jobs in (1, 2):
        runs.append(
            (
                OURS_LABEL,
                n_jobs,
                *_timed(partial(_ours, frame, keys, args.paths, n_jobs)),
            )
        )
        for name in others:
            runs.append(
                (
                    f"statsforecast {name}",
                    n_jobs,
                    *_timed(partial(_statsforecast, regular, name, n_jobs)),
                )
            )
    same = _ours(frame, keys, args.paths, 1) == _ours_blas_unlimited(frame, keys, args.paths)
    runs.append(
        (
            "ipindicators, BLAS threads not limited",
            1,
            *_timed(partial(_ours_blas_unlimited, frame, keys, args.paths)),
        )
    )
    table = pd.DataFrame(runs, columns=["method", "n_jobs", "seconds", "cpu_seconds"])
    table["ms_per_series"] = 1000 * table["seconds"] / len(keys)
    ours = table[table["method"] == OURS_LABEL].set_index("n_jobs")["seconds"]
    table["ours_over_this"] = [ours[j] / s for j, s in zip(table["n_jobs"], table["seconds"])]
    print(f"{len(keys)} series ({len(frame)} figures), {args.paths} paths\n")
    print("| method | n_jobs | seconds | CPU seconds | ms per series | ours / this |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for row in table.itertuples(index=False):
        print(
            f"| {row.method} | {row.n_jobs} | {row.seconds:.2f} | {row.cpu_seconds:.2f} "
            f"| {row.ms_per_series:.2f} | {row.ours_over_this:.2f} |"
        )
    print(f"\nprobabilities identical with and without the BLAS limit: {same}")
    if not with_statsforecast:
        print(
            "statsforecast is not installed (pip install 'ipindicators[bench]'): its rows "
            "are left out"
        )


if __name__ == "__main__":
    main()
