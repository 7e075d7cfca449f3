"""Charts for the reports: forecast fan charts with plan targets, and attainment heat maps.

Labels mix Chinese and English, so :func:`use_cjk_font` registers Noto Sans CJK SC (shipped
in the ``mplfonts`` package, so no system font is needed) as matplotlib's sans-serif font.
:func:`missing_glyphs` tells which characters of a label no configured font can draw.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Mapping, Sequence
from functools import cache
from importlib.resources import files
from typing import Any

import matplotlib
import matplotlib.colors
import matplotlib.patches
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ft2font import FT2Font
from matplotlib.ticker import MaxNLocator

from ..catalog.indicators import indicator
from ..catalog.targets import Target
from ..models.forecast import Forecast
from ..models.series import decimal_year

CJK_FONT_FILE = "NotoSansCJKsc-Regular.otf"
FALLBACK_FONT = "DejaVu Sans"
_MARKERS = ("o", "s", "^", "D", "v", "P", "X")


def use_cjk_font() -> str:
    """Make Noto Sans CJK SC the default sans-serif font of matplotlib.

    The plotting functions of this module call it themselves; calling it again is cheap.

    Returns
    -------
    str
        The font family name now first in ``font.sans-serif``.
    """
    name = _registered_cjk_font()
    matplotlib.rcParams["font.family"] = "sans-serif"
    matplotlib.rcParams["font.sans-serif"] = [name, FALLBACK_FONT]
    matplotlib.rcParams["axes.unicode_minus"] = False
    return name


@cache
def _registered_cjk_font() -> str:
    path = str(files("mplfonts").joinpath("fonts", CJK_FONT_FILE))
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that none of the configured sans-serif fonts can draw.

    Parameters
    ----------
    text : str
        A label, title or legend entry.

    Returns
    -------
    list of str
        The characters that would render as empty boxes (sorted, without duplicates).
    """
    fonts = []
    for family in matplotlib.rcParams["font.sans-serif"]:
        try:
            path = font_manager.findfont(
                font_manager.FontProperties(family=family), fallback_to_default=False
            )
        except ValueError:
            continue
        fonts.append(FT2Font(path))
    return sorted(
        {
            ch
            for ch in text
            if not ch.isspace() and all(font.get_char_index(ord(ch)) == 0 for font in fonts)
        }
    )


SOURCE_CLASS_LABELS = {
    "official": "official statistics",
    "state_media": "state media",
    "reprint": "reprint (no official figure for the date)",
    "user": "your figures",
}
"""How charts and tables name each source class (never by a website's name)."""


def source_labels(observed: pd.DataFrame) -> pd.Series:
    """The source-class label of each observation; derived ratios say what their parts are.

    Observations without a ``source_class`` column (tables built before it existed, or a
    user's own frame) count as ``user``.
    """
    classes = observed.get("source_class", pd.Series("user", index=observed.index))
    labels = classes.fillna("user").replace("", "user").map(SOURCE_CLASS_LABELS)
    derived = observed["origin"].to_numpy() == "derived"
    return labels.where(
        ~derived, "derived from " + labels.str.replace(r" \(.*\)$", "", regex=True)
    )


def fan_chart(
    fc: Forecast,
    targets: Sequence[Target] = (),
    ax: Axes | None = None,
    verdicts: Mapping[str, str] | None = None,
) -> Axes:
    """Observed figures (marked by source), forecast fan and plan targets of one series.

    Parameters
    ----------
    fc : Forecast
        A forecast from :func:`ipindicators.forecast`; its observations are plotted even when
        it has no paths.
    targets : list of Target
        Plan targets on this indicator: level targets are drawn as stars at their year,
        cumulative ones are stated in the legend; a dotted line marks each plan year.
        The value axis is cut just above the 80 % band (and the figures and targets), so a
        very wide 95 % band of a short series does not flatten the rest.
    ax : Axes, optional
        Where to draw (default: a new figure).
    verdicts : mapping, optional
        Target id → verdict, written beside each target's star with its value.

    Returns
    -------
    Axes
        Years on the axis are whole years; the legend sits outside the plot, to its right.
    """
    use_cjk_font()
    item = indicator(fc.indicator)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    observed = fc.observations
    if fc.ok:
        last_time = float(decimal_year(observed["period_end"])[-1]) - 1.0
        future = fc.years >= np.floor(last_time)
        years = fc.years[future]
        bands = np.quantile(fc.paths[:, future], [0.025, 0.1, 0.5, 0.9, 0.975], axis=0)
        ax.fill_between(years, bands[0], bands[4], color="C0", alpha=0.15, label="95% interval")
        ax.fill_between(years, bands[1], bands[3], color="C0", alpha=0.3, label="80% interval")
        ax.plot(years, bands[2], color="C0", lw=1.5, label="median forecast")
        goals = [t.value_in_indicator_unit() for t in targets if t.basis != "cumulative"]
        top = max(
            [
                float(observed["value"].max()),
                float(bands[3].max()),
                *(g for g in goals if g is not None),
            ]
        )
        ax.set_ylim(bottom=0, top=top * 1.08)
    times = decimal_year(observed["period_end"]) - 1.0
    groups = source_labels(observed)
    for marker, (name, rows) in zip(_MARKERS, groups.groupby(groups, sort=True)):
        ax.scatter(
            times[rows.index],
            observed.loc[rows.index, "value"],
            marker=marker,
            color="black",
            zorder=3,
            s=22,
            label=f"figure: {name}",
        )
    for target in targets:
        goal = target.value_in_indicator_unit()
        if target.year is None or goal is None:
            continue
        ax.axvline(target.year, color="grey", ls=":", lw=1)
        if target.cumulative:
            ax.plot(
                [],
                [],
                " ",
                label=f"target {target.comparator} {goal:g} cumulative "
                f"{target.window_start}–{target.year}",
            )
            continue
        ax.scatter(
            [target.year],
            [goal],
            marker="*",
            s=160,
            color="C3",
            zorder=4,
            label=f"target {target.comparator} {goal:g} by {target.year}"
            f"{' (inherited)' if target.region != fc.region else ''}",
        )
        verdict = (verdicts or {}).get(target.id)
        ax.annotate(
            f"{goal:g}" + (f" · {verdict}" if verdict else ""),
            (target.year, goal),
            xytext=(6, 6),
            textcoords="offset points",
            fontsize=8,
            color="C3",
        )
    ax.axvline(fc.as_of.year, color="C2", ls="--", lw=1, label=f"as of {fc.as_of}")
    if not fc.ok:  # no band: frame the figures, the target years and the as-of year
        shown = [*times, fc.as_of.year, *(t.year for t in targets if t.year is not None)]
        ax.set_xlim(min(shown) - 1, max(shown) + 1)
        goals = [t.value_in_indicator_unit() for t in targets if not t.cumulative]
        top = max([float(observed["value"].max()), *(g for g in goals if g is not None)])
        ax.set_ylim(bottom=0, top=top * 1.15)
    ax.set_title(f"{item.name_zh} · {item.name_en}")
    ax.set_ylabel(item.unit)
    ax.set_xlabel("year end")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    ax.grid(alpha=0.3)
    return ax


SVG_SETTINGS: dict[Any, Any] = {"svg.fonttype": "none", "svg.hashsalt": "ipindicators"}
"""Charts are SVG with their text kept as text (drawn by the reader's browser in the page's
own fonts, selectable and sharp at any zoom) and ids derived from a fixed salt, so the same
figure gives the same bytes."""


def figure_html(figure: Figure, alt: str | None = None) -> str:
    """A chart as an HTML image with alt text (SVG embedded, at most the page's width).

    ``alt`` defaults to the figure's ``alt_text`` attribute where the caller set one.
    """
    buffer = io.BytesIO()
    with matplotlib.rc_context(SVG_SETTINGS):
        figure.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    encoded = base64.b64encode(buffer.getvalue()).decode()
    text = str(alt or getattr(figure, "alt_text", "chart"))
    return (
        f'<img alt="{html.escape(text, quote=True)}" style="max-width:100%" '
        f'src="data:image/svg+xml;base64,{encoded}">'
    )


VERDICT_COLOURS = {
    "achieved": "#1a9850",
    "probably achieved": "#66bd63",
    "likely": "#a6d96a",
    "already met": "#d9ef8b",
    "uncertain": "#fee08b",
    "outcome uncertain": "#fdd049",
    "unlikely": "#fdae61",
    "probably missed": "#f46d43",
    "missed": "#d73027",
    "no data": "#d9d9d9",
    "not assessed": "#bdbdbd",
    "no target year": "#f0f0f0",
    "programme target": "#c6dbef",
}
"""Colour of each verdict in the overview: greens for met, likely or probably met, yellows for
uncertain, oranges to red for unlikely, probably missed and missed, greys for targets without a
verdict, pale blue for programme targets."""


def verdict_heatmap(grid: pd.DataFrame, ax: Axes | None = None) -> Figure:
    """Regions × indicators coloured by verdict, with a legend of the verdicts.

    Parameters
    ----------
    grid : DataFrame
        Verdicts (strings of :data:`VERDICT_COLOURS`, or missing where the region has no
        target on the indicator), regions down the rows, indicators across.
    ax : Axes, optional
        Where to draw.

    Returns
    -------
    Figure
    """
    use_cjk_font()
    names = list(VERDICT_COLOURS)
    codes = grid.apply(lambda column: column.map({v: i for i, v in enumerate(names)}))
    if ax is None:
        _, ax = plt.subplots(figsize=(4.5 + 0.9 * grid.shape[1], 3.0 + 0.36 * len(grid)))
    cmap = matplotlib.colors.ListedColormap([VERDICT_COLOURS[v] for v in names])
    cmap.set_bad("white")
    ax.imshow(
        np.ma.masked_invalid(codes.to_numpy(dtype=float)),
        cmap=cmap,
        vmin=-0.5,
        vmax=len(names) - 0.5,
        aspect="auto",
    )
    ax.set_xticks(range(grid.shape[1]), grid.columns, rotation=40, ha="right", fontsize=10)
    ax.set_yticks(range(len(grid)), grid.index, fontsize=10)
    ax.set_xticks(np.arange(-0.5, grid.shape[1]), minor=True)
    ax.set_yticks(np.arange(-0.5, len(grid)), minor=True)
    ax.grid(which="minor", color="white", linewidth=1.5)
    ax.tick_params(which="minor", length=0)
    handles = [matplotlib.patches.Patch(color=VERDICT_COLOURS[v], label=v) for v in names] + [
        matplotlib.patches.Patch(facecolor="white", edgecolor="#999", label="no target")
    ]
    ax.legend(
        handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8
    )
    figure = ax.get_figure(root=True)
    assert isinstance(figure, Figure)
    return figure
