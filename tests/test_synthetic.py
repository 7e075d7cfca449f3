"""The synthetic scaling catalog: read through IPINDICATORS_CATALOG_DIR, never mixed with real data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
sys.path.insert(0, str(BENCHMARKS))

from synthetic import SOURCE, write_synthetic  # noqa: E402

ASSESS = """
import json
import ipindicators as ipi
from ipindicators.models.assess import assess_all
from ipindicators.models.results import stacked
from ipindicators.catalog.targets import regions_with_targets
frame = ipi.observations()
summary = stacked(assess_all(n_paths=200))
print(json.dumps({
    "regions": regions_with_targets(),
    "sources": sorted(set(frame["source_url"])),
    "rows": len(summary),
    "assessed": sorted(set(summary["region"])),
    "with_probability": int(summary["probability"].notna().sum()),
}))
"""


def test_the_synthetic_catalog_replaces_the_real_one_entirely(tmp_path):
    env = write_synthetic(tmp_path, regions=3)
    clean = {k: v for k, v in os.environ.items() if not k.startswith("IPINDICATORS_")}
    done = subprocess.run(
        [sys.executable, "-c", ASSESS],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    regions = ["synthetic_0001", "synthetic_0002", "synthetic_0003"]
    assert seen["regions"] == regions and seen["assessed"] == regions
    assert seen["sources"] == [SOURCE]
    assert seen["rows"] == 12 and seen["with_probability"] == 12
