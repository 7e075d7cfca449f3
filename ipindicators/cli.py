"""The ``ipindicators`` command: thin subcommands over the library."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .assess import assess
from .build import build
from .data import coverage, observations
from .indicators import indicator_records
from .regions import LEVELS, region_records
from .targets import all_targets, target_records
from .errors import IPIndicatorsError
from .output import FORMATS, render

_TARGET_TABLE = ("id", "region", "indicator", "comparator", "value", "unit", "year", "basis")


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")


def _cmd_indicators(args: argparse.Namespace) -> str:
    return render(
        indicator_records(),
        args.format,
        ("id", "name_zh", "name_en", "unit", "kind", "measure", "derived_from"),
    )


def _cmd_regions(args: argparse.Namespace) -> str:
    records = [
        r for r in region_records() if args.level in (None, r["level"])
    ]
    return render(records, args.format, ("id", "name_zh", "name_en", "level", "parent", "code"))


def _cmd_targets(args: argparse.Namespace) -> str:
    region_id = None if args.region in (None, "all") else args.region
    records = target_records(region_id)
    return render(records, args.format, _TARGET_TABLE)


def _cmd_data_build(args: argparse.Namespace) -> str:
    result = build(raw=args.embedded, out=args.out, user_paths=args.raw or ())
    return result.summary()


def _cmd_data_coverage(args: argparse.Namespace) -> str:
    frame = observations()
    if args.region not in (None, "all"):
        frame = frame[frame["region"] == args.region]
    return render(
        coverage(frame).to_dict("records"),
        args.format,
        ("region", "indicator", "n_obs", "n_year_ends", "first", "last", "derived", "user"),
    )


_ASSESS_TABLE = ("target_id", "last_value", "probability", "status", "observed_cagr",
                 "required_cagr", "median_forecast", "expected_year")


def _cmd_assess(args: argparse.Namespace) -> str:
    with_targets = sorted({t.region for t in all_targets()})
    chosen = with_targets if args.region == "all" else [args.region]
    frames = [assess(r, args.as_of, n_paths=args.paths, seed=args.seed, models=args.models)
              for r in chosen]
    records = [rec for f in frames for rec in f.to_dict("records")]
    return render(records, args.format, ("region", *_ASSESS_TABLE))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``ipindicators`` command."""
    parser = argparse.ArgumentParser(
        prog="ipindicators",
        description="China's regional IP plan targets, their statistics and attainment.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("indicators", help="list the indicator catalog")
    _add_format(p)
    p.set_defaults(run=_cmd_indicators)

    p = sub.add_parser("regions", help="list the region catalog")
    p.add_argument("--level", choices=LEVELS, help="only regions of this level")
    _add_format(p)
    p.set_defaults(run=_cmd_regions)

    p = sub.add_parser("targets", help="list plan targets")
    p.add_argument("--region", help="region id, or 'all' (default)")
    _add_format(p)
    p.set_defaults(run=_cmd_targets)

    p = sub.add_parser("assess", help="probability and status of each target of a region")
    p.add_argument("--region", required=True, help="region id, or 'all' (regions with targets)")
    p.add_argument("--as-of", type=int, dest="as_of", help="year: use figures up to its end")
    p.add_argument("--paths", type=int, default=2000, help="sample paths (default 2000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--models", default="pool", choices=("pool", "trend", "rw_drift", "damped"))
    _add_format(p)
    p.set_defaults(run=_cmd_assess)

    data = sub.add_parser("data", help="build and inspect the statistics")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    p = data_sub.add_parser("build", help="validate data/raw and write data/processed")
    p.add_argument(
        "--raw", action="append", type=Path, metavar="PATH",
        help="your own table or folder of tables (tidy or wide, CSV or Excel); "
        "its figures take precedence; repeatable",
    )
    p.add_argument("--embedded", type=Path, help="folder of embedded raw tables (default data/raw)")
    p.add_argument("--out", type=Path, help="output folder (default data/processed)")
    p.set_defaults(run=_cmd_data_build)
    p = data_sub.add_parser("coverage", help="observations per region and indicator")
    p.add_argument("--region", help="region id, or 'all' (default)")
    _add_format(p)
    p.set_defaults(run=_cmd_data_coverage)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], str] = args.run
    try:
        text = run(args)
    except IPIndicatorsError as exc:
        print(f"ipindicators: error: {exc}", file=sys.stderr)
        return 2
    if text:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
