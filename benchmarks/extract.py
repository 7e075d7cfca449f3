"""Precision and recall of target extraction against the hand-made target catalog.

Runs :func:`ipindicators.text.extract.extract_targets` on every catalog document that has a policy
file (the texts in ``ipindicators.paths.policies_dir()``) and compares the candidates with the
catalog targets of that document. A candidate is a true positive when it matches a catalog
target not matched yet: same comparator, same year where the catalog gives one, and the same
value after unit conversion (or, for relative targets, no value and the same ``relative_to``).

Usage::

    python benchmarks/extract.py

Prints one row per document and a total; exits 1 when the total precision or recall is below
0.95, and 2 when the policy texts are missing.

A second table scores the provincial plans whose full text is not stored: each catalog quote in
Chinese is extracted on its own (the region given), and a candidate is a true positive when its
value equals that of a catalog target quoting the same words (the quotes are too short to
carry their year). English and Japanese summaries are left out.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Sequence

import pandas as pd

from ipindicators.catalog.documents import document, documents
from ipindicators.catalog.targets import Target, all_targets
from ipindicators.catalog.units import conversion_factor
from ipindicators.errors import UsageError
from ipindicators.paths import policies_dir
from ipindicators.text.extract import Candidate, extract_targets, read_policy_text

THRESHOLD = 0.95
_CJK = re.compile(r"[\u4e00-\u9fff]")


def matches(candidate: Candidate, target: Target) -> bool:
    """Whether a candidate states the catalog target (value, unit, comparator and year)."""
    if candidate.comparator != target.comparator:
        return False
    if target.year is not None and candidate.year != target.year:
        return False
    if target.value is None or candidate.value is None:
        return (
            target.value is None
            and candidate.value is None
            and candidate.relative_to == target.relative_to
        )
    try:
        factor = conversion_factor(candidate.unit, target.unit)
    except UsageError:
        return False
    return math.isclose(candidate.value * factor, target.value, rel_tol=1e-9)


def true_positives(candidates: Sequence[Candidate], targets: Sequence[Target]) -> int:
    """Candidates matched one-to-one with targets, each to the first unmatched one it states."""
    unmatched = list(targets)
    found = 0
    for candidate in candidates:
        hit = next((t for t in unmatched if matches(candidate, t)), None)
        if hit is not None:
            unmatched.remove(hit)
            found += 1
    return found


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else math.nan


def score(document_id: str) -> dict:
    """Catalog size, candidates, true positives, precision and recall for one document."""
    item = document(document_id)
    path = item.text_path()
    if path is None:
        raise SystemExit(f"document {document_id} has no policy text file")
    text = read_policy_text(path)
    candidates = extract_targets(text, region=item.region, document=item.id)
    targets = [t for t in all_targets() if t.document == item.id]
    tp = true_positives(candidates, targets)
    return {
        "document": item.id,
        "n_catalog": len(targets),
        "n_candidates": len(candidates),
        "TP": tp,
        "precision": _ratio(tp, len(candidates)),
        "recall": _ratio(tp, len(targets)),
    }


def benchmark() -> pd.DataFrame:
    """One row per catalog document with a policy file, and a ``total`` row."""
    with_files = documents().index[documents()["file"].notna()]
    rows = [score(d) for d in with_files]
    totals = {k: sum(r[k] for r in rows) for k in ("n_catalog", "n_candidates", "TP")}
    rows.append(
        {
            "document": "total",
            **totals,
            "precision": _ratio(totals["TP"], totals["n_candidates"]),
            "recall": _ratio(totals["TP"], totals["n_catalog"]),
        }
    )
    return pd.DataFrame(rows)


def quote_benchmark() -> pd.DataFrame:
    """Precision and recall on the Chinese quotes of documents without a stored text."""
    without_files = set(documents().index[documents()["file"].isna()])
    quotes: dict[tuple[str, str], set[float]] = {}
    for target in all_targets():
        if target.document in without_files and _CJK.search(target.quote) and target.value:
            quotes.setdefault((target.region, target.quote), set()).add(target.value)
    rows = []
    for (region, quote), values in quotes.items():
        found = [c.value for c in extract_targets(quote, region=region)]
        hits = sum(any(math.isclose(v, f) for f in found if f is not None) for v in values)
        rows.append(
            {"region": region, "labelled": len(values), "candidates": len(found), "TP": hits}
        )
    frame = pd.DataFrame(rows)
    total = frame[["labelled", "candidates", "TP"]].sum()
    return pd.DataFrame(
        [
            {
                "quotes": len(frame),
                "provinces": frame["region"].nunique(),
                **total.to_dict(),
                "precision": _ratio(total["TP"], total["candidates"]),
                "recall": _ratio(total["TP"], total["labelled"]),
            }
        ]
    )


def main() -> int:
    """Print the tables; the exit code says whether the total reaches the threshold."""
    print(quote_benchmark().to_string(index=False, float_format=lambda v: f"{v:.3f}"), "\n")
    if not policies_dir().is_dir():
        print(f"policy texts not found at {policies_dir()}", file=sys.stderr)
        return 2
    table = benchmark()
    print(table.to_string(index=False, float_format=lambda v: f"{v:.3f}", na_rep="n/a"))
    total = table.iloc[-1]
    return 0 if min(total["precision"], total["recall"]) >= THRESHOLD else 1


if __name__ == "__main__":
    sys.exit(main())
