"""A SYNTHETIC catalog and dataset of many regions, for measuring how the batch scales.

Nothing here is a statistic. Every region is called ``synthetic_NNNN`` (名称 "合成地区 NNNN"),
every series is a seeded geometric random walk, every figure's source is
``synthetic:benchmark`` with the title "SYNTHETIC series for benchmarks (not a statistic)".
The files are written to a folder the caller chooses (a temporary one), never into the
project's data: the benchmark points ``IPINDICATORS_HOME``, ``IPINDICATORS_USER_DIR`` and
``IPINDICATORS_CATALOG_DIR`` at it, so no real figure or region is read alongside.

Usage::

    python benchmarks/synthetic.py FOLDER --regions 300
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

SOURCE = "synthetic:benchmark"
TITLE = "SYNTHETIC series for benchmarks (not a statistic)"
YEARS = range(2012, 2025)
# indicator, unit, measure ("snapshot": year-end stock or ratio; "flow": the year's total),
# typical first value, target year
SERIES = (
    ("valid_invention_patents", "件", "snapshot", 5000.0, 2025),
    ("invention_patents_per_10k", "件/万人", "snapshot", 3.0, 2025),
    ("technology_market_turnover", "亿元", "flow", 50.0, 2027),
    ("pct_applications", "件", "flow", 300.0, 2027),
)


def region_id(number: int) -> str:
    """Id of the synthetic region ``number`` (from 1)."""
    return f"synthetic_{number:04d}"


def _regions(count: int) -> list[dict]:
    return [
        {
            "id": region_id(n),
            "name_zh": f"合成地区 {n:04d}",
            "name_en": f"Synthetic region {n:04d}",
            "level": "prefecture",
            "note": "SYNTHETIC region for benchmarks; not a real place.",
        }
        for n in range(1, count + 1)
    ]


def _observations(count: int, rng: np.random.Generator) -> pd.DataFrame:
    rows = []
    for n in range(1, count + 1):
        for indicator, unit, measure, start, _ in SERIES:
            level = start * rng.lognormal(0.0, 0.5)
            growth, spread = rng.normal(0.10, 0.04), rng.uniform(0.02, 0.10)
            for year in YEARS:
                level *= float(np.exp(rng.normal(growth, spread)))
                value = round(level, 2) if unit in ("件/万人", "亿元") else round(level)
                rows.append(
                    {
                        "region": region_id(n),
                        "indicator": indicator,
                        "period_start": f"{year}-01-01" if measure == "flow" else "",
                        "period_end": f"{year}-12-31",
                        "released": "",
                        "value": value,
                        "unit": unit,
                        "origin": "published",
                        "source_class": "user",
                        "n_sources": 1,
                        "source_url": SOURCE,
                        "source_title": TITLE,
                        "table": "",
                        "as_printed": f"{value} {unit}",
                        "note": "SYNTHETIC",
                        "file": "synthetic.csv",
                        "line": "",
                    }
                )
    return pd.DataFrame(rows)


def _targets(observations: pd.DataFrame) -> list[dict]:
    latest = observations.groupby(["region", "indicator"])["value"].last()
    targets = []
    for (region, indicator), value in latest.items():
        _, unit, _, _, year = next(s for s in SERIES if s[0] == indicator)
        goal = round(float(value) * 1.3, 2)
        targets.append(
            {
                "id": f"{region}-{year}-{indicator}",
                "region": region,
                "indicator": indicator,
                "label_zh": "合成目标",
                "comparator": ">=",
                "value": goal,
                "unit": unit,
                "year": year,
                "basis": "level",
                "document": "synthetic-plan",
                "source_url": SOURCE,
                "quote": f"SYNTHETIC target {goal}",
                "note": "SYNTHETIC target for benchmarks.",
            }
        )
    return targets


def write_synthetic(folder: Path, regions: int, seed: int = 0) -> dict[str, str]:
    """Write a synthetic catalog and processed dataset of ``regions`` regions into ``folder``.

    Returns
    -------
    dict
        The environment variables that make the package read them (and nothing real).
    """
    rng = np.random.default_rng(seed)
    catalog = folder / "catalog"
    processed = folder / "home" / "data" / "processed"
    (folder / "home" / "data" / "raw").mkdir(parents=True, exist_ok=True)
    catalog.mkdir(parents=True, exist_ok=True)
    processed.mkdir(parents=True, exist_ok=True)
    observations = _observations(regions, rng)
    observations.to_csv(processed / "observations.csv", index=False)
    document = {
        "id": "synthetic-plan",
        "region": region_id(1),
        "issuer": "SYNTHETIC",
        "title": "SYNTHETIC plan for benchmarks (not a real document)",
        "issued": "2021-01-01",
        "horizon": 2027,
    }
    files = {
        "regions.yaml": _regions(regions),
        "documents.yaml": [document],
        "targets.yaml": _targets(observations),
    }
    for name, entries in files.items():
        text = yaml.safe_dump(entries, allow_unicode=True, sort_keys=False)
        (catalog / name).write_text(text, encoding="utf-8")
    return {
        "IPINDICATORS_CATALOG_DIR": str(catalog),
        "IPINDICATORS_HOME": str(folder / "home"),
        "IPINDICATORS_USER_DIR": str(folder / "user"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--regions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    env = write_synthetic(args.folder, args.regions, args.seed)
    print("\n".join(f"export {k}={v}" for k, v in env.items()))


if __name__ == "__main__":
    main()
