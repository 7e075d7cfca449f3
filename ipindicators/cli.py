"""The ``ipindicators`` command: thin subcommands over the library.

Each subcommand imports what it needs when it runs, so listing the catalogs starts in a fraction
of a second. Exit status: 0 on success, 1 when the work itself fails (bad data, a failing
region), 2 for a usage error (unknown option, region or indicator), 141 when the reader of the
output went away (``ipindicators extract … | head``), as for a program ended by SIGPIPE.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from .errors import InputError, IPIndicatorsError, UsageError
from .models import DEFAULT_MODEL
from .output import FORMATS, render
from .params import COUNT_FROM

_TARGET_TABLE = ("id", "region", "indicator", "comparator", "value", "unit", "year", "basis")
_ASSESS_TABLE = (
    "target_id",
    "target_year",
    "comparator",
    "target_value",
    "unit",
    "verdict",
    "probability",
    "last_value",
    "last_period",
)
_EXTRACT_TABLE = (
    "indicator",
    "label",
    "comparator",
    "value",
    "unit",
    "year",
    "basis",
    "window_years",
    "relative_to",
    "document",
)
_LEVELS = ("country", "province", "prefecture", "county")

EXIT_DOMAIN_ERROR = 1
EXIT_USAGE_ERROR = 2
EXIT_CLOSED_PIPE = 128 + 13


def _package_version() -> str:
    try:
        return version("ipindicators")
    except PackageNotFoundError:
        return "unknown (not installed)"


def _add_format(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="table", help="output format")


def _cmd_indicators(args: argparse.Namespace) -> str:
    from .catalog.indicators import indicator_records

    return render(
        indicator_records(),
        args.format,
        ("id", "name_zh", "name_en", "unit", "kind", "measure", "derived_from"),
    )


def _cmd_regions(args: argparse.Namespace) -> str:
    from .catalog.regions import region_records

    records = [r for r in region_records() if args.level in (None, r["level"])]
    return render(records, args.format, ("id", "name_zh", "name_en", "level", "parent", "code"))


def _cmd_targets(args: argparse.Namespace) -> str:
    from .catalog.targets import target_records

    region_id = None if args.region in (None, "all") else args.region
    return render(target_records(region_id), args.format, _TARGET_TABLE)


def _cmd_data_build(args: argparse.Namespace) -> str:
    from .data.build import build

    return build(raw=args.embedded, out=args.out, user_paths=args.raw or ()).summary()


def _cmd_data_coverage(args: argparse.Namespace) -> str:
    if args.targets:
        return _target_coverage(args)
    from .data.store import coverage, observations

    frame = observations()
    if args.region not in (None, "all"):
        frame = frame[frame["region"] == args.region]
    return render(
        coverage(frame).to_dict("records"),
        args.format,
        ("region", "indicator", "n_obs", "n_year_ends", "first", "last", "derived", "user"),
    )


def _target_coverage(args: argparse.Namespace) -> str:
    from .catalog.targets import regions_with_targets
    from .models.assess import assess_all
    from .models.coverage import target_coverage
    from .models.results import stacked

    chosen = None if args.region in (None, "all") else [args.region]
    assessment = stacked(assess_all(chosen or regions_with_targets(), n_paths=args.paths))
    table = target_coverage(assessment, inherited=args.inherited)
    columns = [c for c in table.columns if c != "lacking" or args.format != "table"]
    text = render(table.to_dict("records"), args.format, columns)
    if args.format != "table":
        return text
    total = table.iloc[-1]
    lacking = "\n".join(
        f"  {r.region}: {r.lacking}" for r in table.iloc[:-1].itertuples() if r.lacking
    )
    return (
        f"{text}\n\n{total['verdict']} of {total['statistic']} statistic targets have a verdict "
        f"({total['verdict_share']:.0%}); {total['programme']} programme targets are measured "
        f"by no public statistic.\nWhat the others lack:\n{lacking}"
    )


def _cmd_data_template(args: argparse.Namespace) -> str:
    from .data.template import write_figure_template

    out = args.out or Path(f"{args.region}-figures.{args.format}")
    written = write_figure_template(args.region, out, args.format)
    return f"wrote {written}: fill it, then run `ipindicators data build --raw {written}`"


def _cmd_assess(args: argparse.Namespace) -> str:
    from .catalog.targets import regions_with_targets
    from .models.assess import assess_all, assess_target
    from .models.results import stacked

    custom = (args.indicator, args.target, args.year)
    if any(v is not None for v in custom):
        if None in custom or args.region == "all":
            raise UsageError(
                "a custom target needs one --region and all of --indicator, --target and --year"
            )
        custom_target = assess_target(
            args.region,
            args.indicator,
            args.target,
            args.year,
            args.comparator,
            args.as_of,
            args.cumulative_from,
            n_paths=args.paths,
            seed=args.seed,
            models=args.models,
            count_from=args.count_from,
        )
        rows = custom_target.frame().to_dict("records")
        return render(rows, args.format, ("region", *_ASSESS_TABLE))
    chosen = regions_with_targets() if args.region == "all" else [args.region]
    parts = assess_all(
        chosen,
        args.as_of,
        n_paths=args.paths,
        seed=args.seed,
        models=args.models,
        count_from=args.count_from,
    )
    return render(stacked(parts).to_dict("records"), args.format, ("region", *_ASSESS_TABLE))


def _cmd_report(args: argparse.Namespace) -> tuple[str, int]:
    from .reports.batch import report

    if bool(args.all) == bool(args.region):
        raise UsageError("give --all, or one or more --region R")
    result = report(
        regions=None if args.all else args.region,
        as_of=args.as_of,
        out=args.out,
        jobs=args.jobs,
        scheduler=args.scheduler,
        n_paths=args.paths,
        seed=args.seed,
        models=args.models,
        count_from=args.count_from,
        force=args.force,
    )
    return result.message(), 0 if result.ok else EXIT_DOMAIN_ERROR


def _cmd_extract(args: argparse.Namespace) -> str:
    from .text.extract import candidate_records, candidates_to_yaml, extract_file

    per_file = [extract_file(path, args.region, args.document) for path in args.files]
    if args.format == "yaml":
        return "\n".join(candidates_to_yaml(found) for found in per_file if found).rstrip("\n")
    records = [r for found in per_file for r in candidate_records(found)]
    return render(records, args.format, _EXTRACT_TABLE)


def _cmd_backtest(args: argparse.Namespace) -> str:
    from .catalog.indicators import population_indicators
    from .models.backtest import backtest, summarise

    scores = backtest(
        n_paths=args.paths,
        seed=args.seed,
        calibrated=not args.uncalibrated,
        count_from=args.count_from,
        n_jobs=args.jobs,
    )
    scores = scores[~scores["indicator"].isin(population_indicators())]
    by = ("method",) if args.overall else ("method", "horizon")
    return render(summarise(scores, by).to_dict("records"), args.format)


def _add_forecast_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--as-of",
        dest="as_of",
        help="use figures up to the end of this year, or this date (YYYY-MM-DD)",
    )
    parser.add_argument("--paths", type=int, default=2000, help="sample paths (default 2000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--models",
        default=DEFAULT_MODEL,
        help=f"forecasting model: {DEFAULT_MODEL} (default), pool, or another registered model",
    )
    _add_count_from(parser)


def _add_count_from(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--count-from",
        dest="count_from",
        default="release",
        choices=COUNT_FROM,
        help="figures count from their release (default) or from their period's end",
    )


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``ipindicators`` command."""
    parser = argparse.ArgumentParser(
        prog="ipindicators",
        description="China's regional IP plan targets, their statistics and attainment.",
    )
    parser.add_argument(
        "--version", action="version", version=f"ipindicators {_package_version()}"
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("indicators", help="list the indicator catalog")
    _add_format(p)
    p.set_defaults(run=_cmd_indicators)

    p = sub.add_parser("regions", help="list the region catalog")
    p.add_argument("--level", choices=_LEVELS, help="only regions of this level")
    _add_format(p)
    p.set_defaults(run=_cmd_regions)

    p = sub.add_parser("targets", help="list plan targets")
    p.add_argument("--region", help="region id, or 'all' (default)")
    _add_format(p)
    p.set_defaults(run=_cmd_targets)

    p = sub.add_parser("assess", help="probability and status of each target of a region")
    p.add_argument("--region", required=True, help="region id, or 'all' (regions with targets)")
    custom = p.add_argument_group("a target of your own (instead of the catalog's)")
    custom.add_argument("--indicator", help="indicator id")
    custom.add_argument("--target", type=float, help="target value in the indicator's unit")
    custom.add_argument("--year", type=int, help="target year")
    custom.add_argument(
        "--comparator",
        choices=(">=", "<=", "==", ">", "<"),
        default=">=",
        help="how the figure is compared with the target (> and <, 超过 and 低于, read as >= "
        "and <= for a continuous forecast)",
    )
    custom.add_argument(
        "--cumulative-from",
        dest="cumulative_from",
        type=int,
        help="first year of a cumulative target (sum up to --year)",
    )
    _add_forecast_options(p)
    _add_format(p)
    p.set_defaults(run=_cmd_assess, reads_data=True)

    p = sub.add_parser(
        "report",
        help="write each region's report notebook and HTML, the summary table and the index",
    )
    chosen = p.add_mutually_exclusive_group()
    chosen.add_argument("--region", action="append", metavar="R", help="region id; repeatable")
    chosen.add_argument("--all", action="store_true", help="every region with targets")
    _add_forecast_options(p)
    p.add_argument("--jobs", type=int, default=1, help="notebooks run at once (default 1)")
    p.add_argument(
        "--out", type=Path, default=Path("reports"), help="output folder (default ./reports)"
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on this Dask distributed scheduler, e.g. tcp://host:8786 (needs the dask extra)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="rerun every region (default: a region whose inputs did not change keeps its report)",
    )
    p.set_defaults(run=_cmd_report, reads_data=True)

    p = sub.add_parser("extract", help="candidate targets found in policy text files")
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="UTF-8 or GBK text")
    p.add_argument("--region", help="region id (default: the catalog document's region)")
    p.add_argument("--document", help="document id (default: the catalog's, else the file name)")
    p.add_argument("--format", choices=(*FORMATS, "yaml"), default="table", help="output format")
    p.set_defaults(run=_cmd_extract)

    p = sub.add_parser("backtest", help="hindcast scores of our forecasts and the baselines")
    p.add_argument("--paths", type=int, default=1000, help="sample paths (default 1000)")
    p.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    p.add_argument("--overall", action="store_true", help="one row per method, all horizons")
    p.add_argument("--uncalibrated", action="store_true", help="plain models, no calibration")
    p.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    _add_count_from(p)
    _add_format(p)
    p.set_defaults(run=_cmd_backtest, reads_data=True)

    data = sub.add_parser("data", help="build and inspect the statistics")
    data_sub = data.add_subparsers(dest="data_command", required=True)
    p = data_sub.add_parser(
        "build", help="validate the raw tables and write the processed observations"
    )
    p.add_argument(
        "--raw",
        action="append",
        type=Path,
        metavar="PATH",
        help="your own table or folder of tables (tidy or wide, CSV or Excel); "
        "its figures take precedence; the build goes to your user data directory; repeatable",
    )
    p.add_argument(
        "--embedded", type=Path, help="folder of embedded raw tables (default data/raw)"
    )
    p.add_argument(
        "--out",
        type=Path,
        help="output folder (default: data/processed in a checkout, else the user data directory)",
    )
    p.set_defaults(run=_cmd_data_build)
    p = data_sub.add_parser(
        "template", help="write the table to fill with the figures a region's targets need"
    )
    p.add_argument("--region", required=True, help="region id")
    p.add_argument("--format", choices=("csv", "xlsx"), default="csv", help="file format")
    p.add_argument("--out", type=Path, help="file to write (default ./REGION-figures.FORMAT)")
    p.set_defaults(run=_cmd_data_template)
    p = data_sub.add_parser(
        "coverage",
        help="observations per region and indicator; with --targets, the plan targets they answer",
    )
    p.add_argument("--region", help="region id, or 'all' (default)")
    p.add_argument(
        "--targets",
        action="store_true",
        help="per region: targets, programme targets, verdicts, probabilities, what the rest lack",
    )
    p.add_argument(
        "--inherited",
        action="store_true",
        help="with --targets: count targets inherited from parent plans too",
    )
    p.add_argument(
        "--paths", type=int, default=500, help="with --targets: forecast paths per target"
    )
    _add_format(p)
    p.set_defaults(run=_cmd_data_coverage, reads_data=True)
    return parser


def _resolve_region(args: argparse.Namespace) -> None:
    """``--region`` as people write it (浙江, 浙江省, Zhejiang) becomes the region's id."""
    given = getattr(args, "region", None)
    if isinstance(given, str) and given != "all":
        from .catalog.regions import region_id

        args.region = region_id(given)


def _write_quietly(text: str) -> int:
    """Print ``text``; if the reader has gone, end without a traceback."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Point stdout at /dev/null so the interpreter's final flush cannot fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_CLOSED_PIPE
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    args = build_parser().parse_args(argv)
    run: Callable[[argparse.Namespace], str | tuple[str, int]] = args.run
    try:
        _resolve_region(args)
        if getattr(args, "reads_data", False):
            from .paths import data_in_use

            print(f"ipindicators: figures from {data_in_use().describe()}", file=sys.stderr)
        outcome = run(args)
    except UsageError as exc:
        print(f"ipindicators: error: {exc}", file=sys.stderr)
        return EXIT_USAGE_ERROR
    except (InputError, IPIndicatorsError) as exc:
        print(f"ipindicators: error: {exc}", file=sys.stderr)
        return EXIT_DOMAIN_ERROR
    except MemoryError:
        print(
            "ipindicators: error: ran out of memory; ask for fewer paths (--paths) or fewer "
            "regions at once",
            file=sys.stderr,
        )
        return EXIT_DOMAIN_ERROR
    except OSError as exc:  # a read-only or full disk, a missing folder
        where = f" {exc.filename}" if exc.filename else ""
        print(f"ipindicators: error: cannot write{where}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_DOMAIN_ERROR
    text, code = outcome if isinstance(outcome, tuple) else (outcome, 0)
    if text:
        return _write_quietly(text) or code
    return code


if __name__ == "__main__":
    sys.exit(main())
