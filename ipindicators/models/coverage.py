"""How many plan targets the figures answer: verdicts, probabilities and what the rest lack.

A region's own targets fall into three groups:

* **programme targets**, measured by no public statistic (designations, cultivation, training
  counts the plan's owner reports on): stated, never assessed;
* **statistic targets with a verdict**: settled by a published figure (achieved, missed) or
  given a probability (likely, uncertain, unlikely; ``open`` when the target year is still ahead,
  ``estimated`` when it is over but its figure is not held);
* **statistic targets without one**: ``no data`` (no usable figure of the region is held),
  ``no target year``, or ``not assessed`` (relative targets, too few figures, a value that cannot
  be read as printed).

The share that matters is verdicts among statistic targets: programme targets can never have
one, so they are kept out of the denominator.
"""

from __future__ import annotations

import pandas as pd

from .assess import VERDICT_BANDS

SETTLED = ("achieved", "missed")
BANDS = tuple(label for _, label in VERDICT_BANDS)
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
    without = group[~group["verdict"].isin((*SETTLED, *BANDS))]
    no_data = without[without["verdict"] == "no data"]
    others = without[without["verdict"] != "no data"]
    parts = sorted(set(no_data["indicator"].astype(str)))
    parts += sorted({f"{v} ({r})" for v, r in zip(others["verdict"], others["reason_code"])})
    return "; ".join(parts)


def _counts(region: str, group: pd.DataFrame) -> dict:
    statistic = group[group["verdict"] != "programme target"]
    verdict = statistic["verdict"]
    banded = statistic[verdict.isin(BANDS)]
    estimated = int((banded["status"] == "outcome_unknown").sum())
    with_verdict = int(verdict.isin((*SETTLED, *BANDS)).sum())
    return {
        "region": region,
        "targets": len(group),
        "programme": len(group) - len(statistic),
        "statistic": len(statistic),
        "verdict": with_verdict,
        "settled": int(verdict.isin(SETTLED).sum()),
        "open": len(banded) - estimated,
        "estimated": estimated,
        "no_data": int((verdict == "no data").sum()),
        "other": len(statistic) - with_verdict - int((verdict == "no data").sum()),
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
