"""Build ``data/processed`` from ``data/raw``: validate, normalise, resolve, derive, cross-check.

Steps
-----
1. Every raw table is read and validated (:func:`ipindicators.data.readers.read_observations`);
   values are converted to the indicator's catalog unit, the printed value kept beside them.
2. Figures for the same region, indicator and period from several sources are resolved by
   precedence of their source class: user files, then official publishers (statistical
   yearbooks, NBS, CNIPA, governments: a ``source_class`` recorded with the figure, else a
   ``*.gov.cn`` host), then state media, then other reprints; ties go to the figure printed at
   the finer resolution in the indicator's unit (1 万人 beats 0.1 百万人), then to the URL.
   Groups whose figures differ by more than 1 % are written to ``conflicts.csv``.
3. An area (a group of regions a plan targets together) gets the sum of its members' stocks and
   flows for every period all members have a figure for (:func:`sum_areas`), unless the area's
   own figure is published.
4. Ratio indicators are derived from their parts (invention patents per 10k = valid invention
   patents / resident population in 万人, with the population of the previous year-end, or the
   one a density table prints beside its counts, as the published ratios do) and
   compared with the published ratio where one exists (``crosscheck.csv``); a published ratio
   wins over a derived one unless the derivation's parts come from a better source class (an
   official count and population beat a reprinted ratio).
5. Outputs are written to a temporary folder and swapped in, so a failing build leaves the
   previous ``data/processed`` untouched. The same raw files give byte-identical outputs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import numpy as np
import pandas as pd

from ..atomic import replace_folder
from ..catalog.indicators import indicators as indicator_table
from ..catalog.indicators import ratio_parts
from ..catalog.regions import REGIONS
from ..catalog.units import conversion_factor
from ..errors import DataError
from ..paths import (
    BUILD_MANIFEST,
    default_build_dir,
    explanations_path,
    raw_dir,
    user_processed_dir,
)
from .layout import TIDY_COLUMNS
from .printed import release_dates
from .readers import read_observations

CONFLICT_THRESHOLD = 0.01
OFFICIAL_HOSTS = ("gov.cn", "cnipa.gov.cn", "sipo.gov.cn", "stats.gov.cn")
STATE_MEDIA_HOSTS = (
    "people.com.cn",
    "xinhuanet.com",
    "news.cn",
    "gmw.cn",
    "china.org.cn",
    "chinanews.com",
    "chinanews.com.cn",
    "cntv.cn",
    "cctv.com",
    "jjckb.cn",
    "81.cn",
    "tibet.cn",
    "chinadaily.com.cn",
    "scio.gov.cn",
    "cnr.cn",
    "ce.cn",
)
SOURCE_RANKS = {0: "user file", 1: "official publisher", 2: "state media", 3: "other reprint"}
CLASS_OF_RANK = {0: "user", 1: "official", 2: "state_media", 3: "reprint"}
RANK_OF_CLASS = {name: rank for rank, name in CLASS_OF_RANK.items()}
OUTPUT_FILES = ("observations.csv", "figures.csv", "conflicts.csv", "crosscheck.csv")
_KEY = ["region", "indicator", "period_start", "period_end"]


def source_rank(url: str, user: bool = False, source_class: str = "") -> int:
    """Precedence of a source: 0 user file, 1 official, 2 state media, 3 other (lower wins).

    A ``source_class`` recorded with the figure decides; otherwise the URL's host does.
    """
    if user:
        return 0
    if source_class:
        return RANK_OF_CLASS[source_class]
    host = (urlparse(url).hostname or "").lower()

    def under(domains: Iterable[str]) -> bool:
        return any(host == d or host.endswith("." + d) for d in domains)

    if under(OFFICIAL_HOSTS):
        return 1
    if under(STATE_MEDIA_HOSTS):
        return 2
    return 3


def raw_files(folder: Path) -> list[Path]:
    """Tables of figures below ``folder`` (``.csv``, ``.xlsx``), in sorted order."""
    found = [p for p in Path(folder).rglob("*") if p.suffix.lower() in (".csv", ".xlsx")]
    return sorted(p for p in found if not p.name.startswith((".", "~$")))


def read_figures(raw: Path, user_paths: Iterable[Path] = ()) -> pd.DataFrame:
    """All validated figures from the embedded raw folder and the user's files.

    Returns
    -------
    DataFrame
        The normalised rows of every table with ``origin`` (``published`` or ``user``) and
        ``source_rank`` columns.
    """
    frames = []
    for path in raw_files(raw):
        frame = read_observations(path)
        frame["origin"] = "published"
        frame["source_rank"] = [
            source_rank(u, source_class=c)
            for u, c in zip(frame["source_url"], frame["source_class"])
        ]
        frame["source_class"] = frame["source_rank"].map(CLASS_OF_RANK)
        frames.append(frame)
    for user_path in user_paths:
        paths = raw_files(user_path) if Path(user_path).is_dir() else [Path(user_path)]
        if not paths:
            raise DataError(str(user_path), "no .csv or .xlsx tables found")
        for path in paths:
            frame = read_observations(path)
            frame["origin"] = "user"
            frame["source_rank"] = 0
            frame["source_class"] = "user"
            frames.append(frame)
    if not frames:
        raise DataError(str(raw), "no raw tables found")
    figures = pd.concat(frames, ignore_index=True)
    exact = ["region", "indicator", "period_start", "period_end", "value", "source_url"]
    return figures.drop_duplicates(subset=exact, keep="first").reset_index(drop=True)


def _printed_step(figures: pd.DataFrame) -> pd.Series:
    """The resolution of each printed figure in its indicator's unit (108.5 百万人: 10 万人)."""
    factors = [
        conversion_factor(a, b) for a, b in zip(figures["unit_as_printed"], figures["unit"])
    ]
    return 10.0 ** (-figures["decimals"].astype(float)) * pd.Series(factors, index=figures.index)


def _rank_order(figures: pd.DataFrame) -> pd.DataFrame:
    """Figures of one key ordered best first: source class, then the finer printed resolution."""
    return (
        figures.assign(_step=_printed_step(figures))
        .sort_values(
            [*_KEY, "source_rank", "_step", "source_url", "file", "line"], kind="mergesort"
        )
        .drop(columns="_step")
    )


def resolve(figures: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pick one figure per region × indicator × period and list disagreements over 1 %.

    Returns
    -------
    resolved : DataFrame
        One row per key with ``n_sources``.
    conflicts : DataFrame
        One row per disagreeing key: the values and sources side by side and the relative gap.
    """
    ordered = _rank_order(figures)
    grouped = ordered.groupby(_KEY, sort=True)
    resolved = grouped.head(1).copy()
    resolved["n_sources"] = grouped["value"].transform("size").loc[resolved.index]
    rows = []
    for key, group in grouped:
        low, high = group["value"].min(), group["value"].max()
        gap = (high - low) / abs(low) if low else np.inf
        if len(group) > 1 and gap > CONFLICT_THRESHOLD:
            chosen = group.iloc[0]
            rows.append(
                {
                    **dict(zip(_KEY, key)),
                    "chosen_value": chosen["value"],
                    "chosen_source": chosen["source_url"],
                    "relative_gap": round(gap, 6),
                    "values": "; ".join(f"{v:g}" for v in group["value"]),
                    "sources": "; ".join(group["source_url"]),
                    "notes": "; ".join(n for n in group["note"] if n),
                }
            )
    conflicts = pd.DataFrame(
        rows,
        columns=[
            *_KEY,
            "chosen_value",
            "chosen_source",
            "relative_gap",
            "values",
            "sources",
            "notes",
        ],
    )
    return resolved.reset_index(drop=True), conflicts


def _printing_tolerance(value_as_printed: pd.Series, decimals: pd.Series) -> pd.Series:
    printed = value_as_printed.astype(float)
    return 0.5 * 10.0 ** (-decimals.astype(float)) / printed.abs()


def sum_areas(resolved: pd.DataFrame) -> pd.DataFrame:
    """Stocks and flows of each area region: the sum of its members' figures of one period.

    A period counts only when every member has a figure for it (a partial sum would understate
    the area); a figure the area publishes itself wins. Ratios and rates are never summed: they
    are derived afterwards from the summed parts, like any region's.

    Returns
    -------
    DataFrame
        Rows in the layout of ``resolved`` with ``origin == "derived"``, the weaker source
        class of the parts, their sources joined by `` | `` and their printed values by ``+``.
    """
    table = indicator_table()
    additive = set(table.index[table["kind"].isin(["stock", "flow", "count"])])
    out = []
    for area in (r for r in REGIONS if r.members):
        parts = resolved[
            resolved["region"].isin(area.members) & resolved["indicator"].isin(additive)
        ]
        published = set(
            map(tuple, resolved.loc[resolved["region"] == area.id, _KEY[1:]].to_numpy())
        )
        for key, group in parts.groupby(_KEY[1:], sort=True):
            if group["region"].nunique() < len(area.members) or key in published:
                continue
            group = group.sort_values("region", kind="mergesort")
            row = group.iloc[0].copy()
            step = float(_printed_step(group).max())
            row["region"] = area.id
            row["value"] = round(float(group["value"].sum()), 10)
            row["value_as_printed"] = row["value"]
            row["decimals"] = max(0, int(-np.floor(np.log10(step)))) if step < 1 else 0
            row["unit_as_printed"] = row["unit"]
            row["origin"] = "derived"
            row["source_class"] = CLASS_OF_RANK[
                max(RANK_OF_CLASS[c] for c in group["source_class"])
            ]
            row["source_rank"] = RANK_OF_CLASS[row["source_class"]]
            row["source_url"] = " | ".join(group["source_url"])
            row["source_title"] = "derived: sum of " + ", ".join(group["region"])
            row["as_printed"] = " + ".join(group["as_printed"])
            row["note"] = f"sum of the figures of {', '.join(area.members)} for the same period"
            row["file"] = " | ".join(group["file"].astype(str))
            row["line"] = " | ".join(group["line"].astype(str))
            row["released"] = (
                max(r for r in group["released"] if r) if any(group["released"]) else ""
            )
            row["n_sources"] = len(group)
            out.append(row)
    return pd.DataFrame(out, columns=resolved.columns)


@dataclass(frozen=True)
class _Ratio:
    id: str
    numerator: str
    denominator: str


def _ratios() -> list[_Ratio]:
    return [_Ratio(i, *parts) for i, parts in ratio_parts().items()]


def _previous_year_end(period_end: pd.Series) -> pd.Series:
    return (period_end.str[:4].astype(int) - 1).astype(str) + "-12-31"


def _pair_parts(top: pd.DataFrame, bottom: pd.DataFrame) -> pd.DataFrame:
    """Numerator rows joined with the denominator their published ratio divides by.

    A table that prints its own denominator beside the count (CNIPA's density tables) is paired
    within the table; otherwise the count is divided by the population at the end of the
    previous year, the latest one published when the count is: that is how CNIPA and the
    provinces compute the per-10k figures they publish (it reproduces them to the printed digit
    where the same-year population misses by up to 4 %). Where the previous year-end is not
    held, the population of the same date is used, and the row's note says so.
    """
    within = top.merge(bottom, on=["region", "period_end", "source_url"], suffixes=("_n", "_d"))
    within["source_url_n"] = within["source_url_d"] = within["source_url"]
    within["denominator_end"] = within["period_end"]
    previous = top.assign(denominator_end=_previous_year_end(top["period_end"])).merge(
        bottom.rename(columns={"period_end": "denominator_end"}),
        on=["region", "denominator_end"],
        suffixes=("_n", "_d"),
    )
    same_date = top.merge(bottom, on=["region", "period_end"], suffixes=("_n", "_d"))
    same_date["denominator_end"] = same_date["period_end"]
    paired = pd.concat([within, previous, same_date], ignore_index=True)
    return paired.drop_duplicates(subset=["region", "period_end"], keep="first")


def derive(resolved: pd.DataFrame) -> pd.DataFrame:
    """Ratio indicators computed from resolved parts (see :func:`_pair_parts` for which).

    Returns
    -------
    DataFrame
        Rows in the layout of ``resolved`` with ``origin == "derived"``, ``value`` the ratio in
        the indicator's unit and ``tolerance`` the relative error its parts' printed precision
        allows.
    """
    out = []
    for ratio in _ratios():
        top = resolved[resolved["indicator"] == ratio.numerator]
        bottom = resolved[resolved["indicator"] == ratio.denominator]
        pairs = _pair_parts(top, bottom)
        if pairs.empty:
            continue
        tolerance = _printing_tolerance(pairs["value_as_printed_n"], pairs["decimals_n"]) + (
            _printing_tolerance(pairs["value_as_printed_d"], pairs["decimals_d"])
        )
        out.append(
            pd.DataFrame(
                {
                    "region": pairs["region"],
                    "indicator": ratio.id,
                    "period_start": "",
                    "period_end": pairs["period_end"],
                    "value": (pairs["value_n"] / pairs["value_d"]).round(10),
                    "unit": indicator_table().loc[ratio.id, "unit"],
                    "origin": "derived",
                    "source_class": [
                        CLASS_OF_RANK[max(RANK_OF_CLASS[n], RANK_OF_CLASS[d])]
                        for n, d in zip(pairs["source_class_n"], pairs["source_class_d"])
                    ],
                    "source_url": pairs["source_url_n"] + " | " + pairs["source_url_d"],
                    "source_title": "derived: " + ratio.numerator + " / " + ratio.denominator,
                    "as_printed": pairs["as_printed_n"] + " / " + pairs["as_printed_d"],
                    "note": np.select(
                        [
                            pairs["denominator_end"] != pairs["period_end"],
                            pairs["source_url_n"] == pairs["source_url_d"],
                        ],
                        [
                            "denominator at the previous year-end ("
                            + pairs["denominator_end"]
                            + ")",
                            "denominator printed in the same table",
                        ],
                        "denominator of the same date (the previous year-end's is not held)",
                    ),
                    "file": pairs["file_n"] + " | " + pairs["file_d"],
                    "line": pairs["line_n"].astype(str) + " | " + pairs["line_d"].astype(str),
                    "released": [
                        max(n, d) if n and d else n
                        for n, d in zip(pairs["released_n"], pairs["released_d"])
                    ],
                    "tolerance": tolerance.round(8),
                }
            )
        )
    columns = [
        *TIDY_COLUMNS[:6],
        "origin",
        "source_class",
        "source_url",
        "source_title",
        "as_printed",
        "note",
        "file",
        "line",
        "released",
        "tolerance",
    ]
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame(columns=columns)


def read_explanations(path: Path) -> pd.DataFrame:
    """Reviewed explanations of cross-check disagreements (region, indicator, period_end)."""
    if not Path(path).is_file():
        return pd.DataFrame(columns=["region", "indicator", "period_end", "explanation"])
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = {"region", "indicator", "period_end", "explanation"} - set(frame.columns)
    if missing:
        raise DataError(str(path), "missing column", None, sorted(missing)[0])
    return frame


def crosscheck(
    resolved: pd.DataFrame, derived: pd.DataFrame, explanations: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Compare derived ratios with published ones for the same region, indicator and date.

    A pair ``agrees`` when the relative gap is within 1 % or within what the printed precision
    of the parts and of the published ratio allows; otherwise it ``disagrees``, and the
    ``explanation`` column carries the reviewed reason where ``explanations`` has one.
    """
    published = resolved[resolved["indicator"].isin(derived["indicator"].unique())]
    pairs = published.merge(
        derived, on=["region", "indicator", "period_end"], suffixes=("_published", "_derived")
    )
    columns = [
        "region",
        "indicator",
        "period_end",
        "published",
        "derived",
        "relative_gap",
        "allowed_gap",
        "status",
        "explanation",
        "published_source",
        "derived_from",
    ]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    gap = (pairs["value_derived"] - pairs["value_published"]).abs() / pairs["value_published"]
    own = _printing_tolerance(pairs["value_as_printed"], pairs["decimals"])
    allowed = np.maximum(CONFLICT_THRESHOLD, pairs["tolerance"] + own)
    table = pd.DataFrame(
        {
            "region": pairs["region"],
            "indicator": pairs["indicator"],
            "period_end": pairs["period_end"],
            "published": pairs["value_published"],
            "derived": pairs["value_derived"],
            "relative_gap": gap.round(6),
            "allowed_gap": allowed.round(6),
            "status": np.where(gap <= allowed, "agrees", "disagrees"),
            "published_source": pairs["source_url_published"],
            "derived_from": pairs["source_url_derived"],
        }
    )
    if explanations is None:
        explanations = pd.DataFrame(columns=["region", "indicator", "period_end", "explanation"])
    table = table.merge(explanations, on=["region", "indicator", "period_end"], how="left")
    table["explanation"] = (
        table["explanation"].fillna("").where(table["status"] == "disagrees", "")
    )
    return table[columns].sort_values(["region", "indicator", "period_end"], kind="mergesort")


@dataclass(frozen=True)
class BuildResult:
    """What a build produced (all tables are also written to the output folder)."""

    observations: pd.DataFrame
    figures: pd.DataFrame
    conflicts: pd.DataFrame
    crosscheck: pd.DataFrame
    out: Path | None

    def summary(self) -> str:
        """A few lines for the console: counts of figures, series, conflicts and checks."""
        obs = self.observations
        origin = obs["origin"].value_counts().to_dict()
        checks = self.crosscheck["status"].value_counts().to_dict()
        unexplained = int(
            (
                (self.crosscheck["status"] == "disagrees") & (self.crosscheck["explanation"] == "")
            ).sum()
        )
        users = int((self.figures["origin"] == "user").sum())
        lines = [
            f"figures read: {len(self.figures)} from "
            f"{self.figures['file'].nunique()} files ({users} from user files)",
            f"observations: {len(obs)} ({', '.join(f'{k} {v}' for k, v in sorted(origin.items()))})"
            f" in {obs.groupby(['region', 'indicator']).ngroups} region x indicator series",
            f"disagreements over 1 % between sources: {len(self.conflicts)} (conflicts.csv)",
            "derived vs published ratios: "
            + (", ".join(f"{k} {v}" for k, v in sorted(checks.items())) or "none")
            + f", unexplained {unexplained} (crosscheck.csv)",
        ]
        if users:
            lines.append(
                f"user figures chosen over embedded ones: {int((obs['origin'] == 'user').sum())}"
            )
        if self.out is not None:
            lines.append(f"written to {self.out}")
            if self.out == user_processed_dir():
                lines.append(
                    "this build is what the package reads from now on (while its raw folder "
                    "is the one in use); delete the folder to return to the embedded data"
                )
        return "\n".join(lines)


_OBSERVATION_COLUMNS = [
    "region",
    "indicator",
    "period_start",
    "period_end",
    "released",
    "value",
    "unit",
    "origin",
    "source_class",
    "n_sources",
    "source_url",
    "source_title",
    "table",
    "as_printed",
    "note",
    "file",
    "line",
]


def _to_csv(frame: pd.DataFrame, path: Path) -> None:
    frame.to_csv(path, index=False, lineterminator="\n", float_format="%.10g")


def _published_or_derived(
    resolved: pd.DataFrame, derived: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The resolved figures to keep and the derived ratios to add, one per date.

    A derived ratio fills a date no published ratio covers. Where both exist, the published
    ratio is kept unless the derivation comes from a better source class (an official count and
    population against a reprinted ratio): official first, as everywhere else.
    """
    key = ["region", "indicator", "period_end"]
    rank = resolved.set_index(key)["source_class"].map(RANK_OF_CLASS)
    derived_rank = derived["source_class"].map(RANK_OF_CLASS)
    published_rank = pd.Series(
        [rank.get(k) for k in derived[key].itertuples(index=False, name=None)],
        index=derived.index,
        dtype=float,
    )
    takes_over = published_rank.notna() & (derived_rank < published_rank)
    fill = derived[published_rank.isna() | takes_over].assign(n_sources=1, table="")
    replaced = set(derived.loc[takes_over, key].itertuples(index=False, name=None))
    mask = [k not in replaced for k in resolved[key].itertuples(index=False, name=None)]
    return resolved[mask], fill


def build(
    raw: Path | None = None,
    out: Path | None = None,
    user_paths: Iterable[Path] = (),
    write: bool = True,
) -> BuildResult:
    """Build the processed tables from raw figures (and a user's own files).

    Parameters
    ----------
    raw : Path, optional
        Folder of embedded raw tables (default ``data/raw``).
    out : Path, optional
        Output folder, replaced as a whole, atomically. By default the raw tables' own
        ``processed`` folder in a checkout, and the user data directory
        (:func:`ipindicators.paths.user_processed_dir`) for a build with ``user_paths`` or
        from an installed package.
    user_paths : iterable of Path
        The user's own tables or folders of tables; their figures take precedence.
    write : bool
        Write the outputs (False builds in memory only).

    Returns
    -------
    BuildResult

    Raises
    ------
    DataError
        On the first malformed raw or user table; nothing is written then.
    """
    raw = Path(raw) if raw else raw_dir()
    user_paths = list(user_paths)
    figures = read_figures(raw, user_paths)
    resolved, conflicts = resolve(figures)
    resolved["released"] = release_dates(
        resolved["published"], resolved["source_class"], resolved["period_end"]
    )
    areas = sum_areas(resolved)
    resolved = pd.concat([resolved, areas], ignore_index=True) if len(areas) else resolved
    derived = derive(resolved)
    checks = crosscheck(resolved, derived, read_explanations(explanations_path()))
    kept, fill = _published_or_derived(resolved, derived)
    observations = (
        pd.concat([kept, fill], ignore_index=True)[_OBSERVATION_COLUMNS]
        .sort_values(["region", "indicator", "period_end", "period_start"], kind="mergesort")
        .reset_index(drop=True)
    )
    figures_out = figures.sort_values(
        ["region", "indicator", "period_end", "file", "line"], kind="mergesort"
    ).reset_index(drop=True)
    target = Path(out) if out else default_build_dir(with_user_figures=bool(user_paths))

    for_user = target.resolve() == user_processed_dir().resolve()

    def fill_folder(folder: Path) -> None:
        _to_csv(observations, folder / "observations.csv")
        _to_csv(figures_out, folder / "figures.csv")
        _to_csv(conflicts, folder / "conflicts.csv")
        _to_csv(checks, folder / "crosscheck.csv")
        if for_user:  # says which raw folder and files it was made from, and when
            manifest = {
                "raw": str(raw.resolve()),
                "user_files": [str(Path(p).resolve()) for p in user_paths],
                "built": dt.date.today().isoformat(),
            }
            (folder / BUILD_MANIFEST).write_text(
                json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
            )

    if write:
        replace_folder(target, fill_folder, owned=(*OUTPUT_FILES, BUILD_MANIFEST))
    return BuildResult(observations, figures_out, conflicts, checks, target if write else None)
