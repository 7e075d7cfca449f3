"""How many plan targets the figures answer: verdicts, probabilities and what the rest lack.

A region's own targets fall into three groups:

* **programme targets**, measured by no public statistic (designations, cultivation, training
  counts the plan's owner reports on): stated, never assessed;
* **statistic targets with a verdict**: settled by a published figure (achieved, missed),
  ``open`` (the target year is still ahead: likely, uncertain, unlikely, or already met by the
  latest figure), or ``estimated`` (the year is over but its figure is not held: probably
  achieved, outcome uncertain, probably missed);
* **statistic targets without one**: ``no data`` (no usable figure of the region is held),
  ``no target year``, or ``not assessed`` (relative targets, too few figures, a value that cannot
  be read as printed).

The share that matters is verdicts among statistic targets: programme targets can never have
one, so they are kept out of the denominator.
"""

from __future__ import annotations

import pandas as pd

from .assess import ESTIMATE_BANDS, VERDICT_BANDS
from .results import Verdict

SETTLED = (Verdict.ACHIEVED, Verdict.MISSED)
OPEN = (*(label for _, label in VERDICT_BANDS), Verdict.ALREADY_MET)
ESTIMATED = tuple(label for _, label in ESTIMATE_BANDS)
JUDGED = (*SETTLED, *OPEN, *ESTIMATED)
COLUMNS = [
    "region",
    "targets",
    "programme",
    "statistic",
    "verdict",
    "settled",
    "open",
    "estimated",
    "no_data",
    "other",
    "verdict_share",
    "lacking",
]


def _lacking(group: pd.DataFrame) -> str:
    """What the statistic targets without a verdict lack: indicators without figures, then the
    other reasons, each once."""
    without = group[~group["verdict"].isin(JUDGED)]
    no_data = without[without["verdict"] == "no data"]
    others = without[without["verdict"] != "no data"]
    parts = sorted(set(no_data["indicator"].astype(str)))
    parts += sorted({f"{v} ({r})" for v, r in zip(others["verdict"], others["reason_code"])})
    return "; ".join(parts)


def _counts(region: str, group: pd.DataFrame) -> dict:
    statistic = group[group["verdict"] != "programme target"]
    verdict = statistic["verdict"]
    with_verdict = int(verdict.isin(JUDGED).sum())
    no_data = int((verdict == "no data").sum())
    return {
        "region": region,
        "targets": len(group),
        "programme": len(group) - len(statistic),
        "statistic": len(statistic),
        "verdict": with_verdict,
        "settled": int(verdict.isin(SETTLED).sum()),
        "open": int(verdict.isin(OPEN).sum()),
        "estimated": int(verdict.isin(ESTIMATED).sum()),
        "no_data": no_data,
        "other": len(statistic) - with_verdict - no_data,
        "verdict_share": round(with_verdict / len(statistic), 3) if len(statistic) else None,
        "lacking": _lacking(statistic),
    }


def target_coverage(assessment: pd.DataFrame, inherited: bool = False) -> pd.DataFrame:
    """Per region: targets, programme targets, verdicts and what the others lack.

    Parameters
    ----------
    assessment : DataFrame
        Rows of :func:`ipindicators.models.assess.assess_all` (or a batch's ``summary.csv``).
    inherited : bool
        Count the targets regions inherit from parent plans too (default: own targets only,
        so that one national target is not counted once per province).

    Returns
    -------
    DataFrame
        One row per region with :data:`COLUMNS`, then a ``total`` row. ``verdict`` =
        ``settled`` + ``open`` + ``estimated``; ``verdict_share`` is verdicts over statistic
        targets; ``lacking`` names the indicators without figures and the other reasons.
    """
    rows = assessment if inherited else assessment[~assessment["inherited"].astype(bool)]
    out = [_counts(region, group) for region, group in rows.groupby("region", sort=True)]
    total = _counts("total", rows)
    total["lacking"] = ""
    return pd.DataFrame([*out, total], columns=COLUMNS)
