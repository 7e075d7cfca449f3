"""Source classes of the figures the reports show: how many are official.

For every region with targets of its own, the figures a region report shows are the
observations of each indicator it tracks (its own targets and inherited ratio targets). This
counts them by source class: official (statistical yearbooks, NBS, CNIPA, governments), state
media, reprint, and derived ratios by the weaker class of their parts.

    python benchmarks/sources.py [--observations PATH]

``--observations`` reads another processed table, e.g. one built before source classes were
recorded, whose classes then follow from the URL's host alone.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

import ipindicators as ipi
from ipindicators.catalog.targets import regions_with_targets
from ipindicators.data.build import CLASS_OF_RANK, source_rank
from ipindicators.reports.region_report import tracked_indicators


def shown_figures(observations: pd.DataFrame) -> pd.DataFrame:
    """The observations region reports show, one row per region × indicator × date."""
    parts = []
    for region in regions_with_targets():
        mine = observations[
            (observations["region"] == region)
            & observations["indicator"].isin(tracked_indicators(region))
        ]
        parts.append(mine)
    return pd.concat(parts, ignore_index=True)


def with_classes(observations: pd.DataFrame) -> pd.DataFrame:
    """Observations with a ``source_class``: the recorded one, else inferred from the host."""
    if "source_class" in observations.columns:
        return observations
    classes = []
    for url in observations["source_url"]:
        ranks = [source_rank(part) for part in str(url).split(" | ")]
        classes.append(CLASS_OF_RANK[max(ranks)])
    return observations.assign(source_class=classes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--observations", type=Path, help="a processed observations.csv")
    args = parser.parse_args()
    frame = pd.read_csv(args.observations) if args.observations else ipi.observations()
    shown = with_classes(shown_figures(frame))
    counts = shown.groupby(["source_class", "origin"]).size().rename("figures").reset_index()
    total = int(counts["figures"].sum())
    official = int(counts.loc[counts["source_class"] == "official", "figures"].sum())
    print(f"regions with targets: {len(regions_with_targets())}; figures shown: {total}\n")
    print("| source class | origin | figures | share |")
    print("|---|---|--:|--:|")
    for row in counts.itertuples(index=False):
        print(f"| {row.source_class} | {row.origin} | {row.figures} | {row.figures / total:.1%} |")
    print(f"\nofficial: {official} of {total} ({official / total:.1%})")


if __name__ == "__main__":
    main()
