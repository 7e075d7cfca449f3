"""Start-up: how long importing the package and the quick CLI commands take.

Each measurement runs in a fresh interpreter, ``--repeat`` times (default 7), and reports the
median wall time; import times also come from ``python -X importtime`` (the cumulative
microseconds of the top-level module, median over the runs). Aims: ``import ipindicators``
within 1.3x of ``import pandas``; ``ipindicators --version``, ``regions``, ``targets`` and
``indicators`` each under one second.

    python benchmarks/startup.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import time

_IMPORTS = ("pandas", "ipindicators", "ipindicators.catalog.targets")
_COMMANDS = (("--version",), ("regions",), ("targets",), ("indicators",))


def _wall(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _importtime(module: str, repeat: int) -> float:
    """Median cumulative import time of ``module`` in seconds, from ``-X importtime``."""
    pattern = re.compile(rf"^import time:\s+\d+ \|\s+(\d+) \|\s*{re.escape(module)}$", re.M)
    found = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", f"import {module}"],
            check=True,
            capture_output=True,
            text=True,
        )
        found.append(int(pattern.findall(done.stderr)[-1]) / 1e6)
    return statistics.median(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    python = [sys.executable]
    bare = _wall([*python, "-c", "pass"], args.repeat)
    print(f"interpreter start (python -c pass): {bare:.3f} s\n")
    print("| import | -X importtime (s) | wall, fresh interpreter (s) | ÷ pandas (importtime) |")
    print("|---|--:|--:|--:|")
    pandas_time = None
    for module in _IMPORTS:
        cumulative = _importtime(module, args.repeat)
        wall = _wall([*python, "-c", f"import {module}"], args.repeat)
        pandas_time = pandas_time or cumulative
        print(
            f"| `import {module}` | {cumulative:.3f} | {wall:.3f} | "
            f"{cumulative / pandas_time:.2f} |"
        )
    print("\n| command | wall (s) |")
    print("|---|--:|")
    for command in _COMMANDS:
        wall = _wall([*python, "-m", "ipindicators", *command], args.repeat)
        print(f"| `ipindicators {' '.join(command)}` | {wall:.3f} |")


if __name__ == "__main__":
    main()
