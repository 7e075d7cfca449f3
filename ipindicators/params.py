"""Parameters every entry point shares, checked once and the same way.

The API (:func:`ipindicators.assess`, :func:`ipindicators.forecast`, :func:`ipindicators.report`,
:func:`ipindicators.backtest`), the command line and the batch all call these, so a bad value
gets the same message wherever it is given, naming the parameter and its allowed range.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from typing import Literal

from .errors import UsageError

CountFrom = Literal["release", "period_end"]
COUNT_FROM = ("release", "period_end")
"""When a figure starts to count: from its release (the default; see
:mod:`ipindicators.data.release`) or from the end of its period."""

FIRST_YEAR = 1985
"""The earliest ``as_of`` year: China's Patent Law took effect in 1985."""
MAX_PATHS = 1_000_000
MAX_PATH_BYTES = 2 * 1024**3
"""Sample paths are refused when their working memory would pass this (2 GiB) or the memory
available (see :func:`available_memory`)."""
WORKING_COPIES = 8
"""Arrays of paths × year-ends a forecast holds at its peak (measured: about 7)."""
TYPICAL_YEAR_ENDS = 10
"""Year-ends of a short forecast grid (first figure to two years past the target), for the
up-front memory check of a command."""
MAX_SEED = 2**63 - 1
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def as_of_date(as_of: int | str | dt.date | None, today: dt.date | None = None) -> dt.date:
    """The date figures are used up to.

    Parameters
    ----------
    as_of : int, str, datetime.date or None
        A year (its 31 December), an ISO date string (``"2015-06-30"``) or a year string
        (``"2015"``), a date, or None for today. Years run from :data:`FIRST_YEAR` to this
        year; a date may not be after today (nothing later is knowable).
    today : datetime.date, optional
        The date taken as today (for tests).

    Raises
    ------
    UsageError
        Naming the value and the allowed range.
    """
    today = today or dt.date.today()
    allowed = f"a year {FIRST_YEAR}-{today.year}, a date YYYY-MM-DD up to {today}, or none"
    if as_of is None:
        return today
    if isinstance(as_of, str):
        text = as_of.strip()
        if text.isdigit():
            as_of = int(text)
        elif _ISO_DATE.match(text):
            try:
                as_of = dt.date.fromisoformat(text)
            except ValueError:
                raise UsageError(f"as_of {as_of!r} is not a real date; use {allowed}") from None
        else:
            raise UsageError(f"as_of must be {allowed}, not {as_of!r}")
    if isinstance(as_of, int) and not isinstance(as_of, bool):
        if not FIRST_YEAR <= as_of <= today.year:
            raise UsageError(f"as_of must be {allowed}, not {as_of}")
        return min(dt.date(as_of, 12, 31), today)
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    if isinstance(as_of, dt.date):
        if not dt.date(FIRST_YEAR, 1, 1) <= as_of <= today:
            raise UsageError(f"as_of must be {allowed}, not {as_of}")
        return as_of
    raise UsageError(f"as_of must be {allowed}, not {as_of!r}")


def check_seed(seed: object) -> int:
    """A random seed: an integer from 0 to 2**63 - 1."""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise UsageError(f"seed must be an integer from 0 to {MAX_SEED}, not {seed!r}")
    return seed


def check_paths(n_paths: object, year_ends: int = TYPICAL_YEAR_ENDS) -> int:
    """A number of sample paths: 10 to 1,000,000, and small enough to hold in memory.

    Parameters
    ----------
    n_paths : int
        Paths asked for.
    year_ends : int
        Year-ends each path holds, for the memory estimate. A command checks up front with
        :data:`TYPICAL_YEAR_ENDS`; each forecast checks again with its own grid.
    """
    if isinstance(n_paths, bool) or not isinstance(n_paths, int) or not 10 <= n_paths <= MAX_PATHS:
        raise UsageError(f"n_paths must be an integer from 10 to {MAX_PATHS:,}, not {n_paths!r}")
    needed = n_paths * max(year_ends, 1) * 8 * WORKING_COPIES
    if needed > MAX_PATH_BYTES:
        raise UsageError(
            f"n_paths {n_paths:,} over {year_ends} year-ends needs about {needed / 1024**3:.1f} GiB "
            f"(limit {MAX_PATH_BYTES // 1024**3} GiB); ask for fewer paths"
        )
    available = available_memory()
    if available is not None and needed > available:
        raise UsageError(
            f"n_paths {n_paths:,} over {year_ends} year-ends needs about {needed / 1024**2:,.0f} "
            f"MiB, and this process can allocate about {max(available, 0) / 1024**2:,.0f} MiB "
            "more; ask for fewer paths"
        )
    return n_paths


def available_memory() -> int | None:
    """Bytes this process can still allocate: the smaller of the memory the system has
    available and what the address-space limit (``ulimit -v``) leaves; None where neither is
    known (systems without ``/proc``)."""
    bounds = []
    with contextlib.suppress(ImportError, OSError, ValueError):
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            bounds.append(soft - _proc_kib("/proc/self/status", "VmSize:") * 1024)
    with contextlib.suppress(OSError, ValueError):
        bounds.append(_proc_kib("/proc/meminfo", "MemAvailable:") * 1024)
    return min(bounds) if bounds else None


def _proc_kib(path: str, key: str) -> int:
    """A ``kB`` value from a ``/proc`` file."""
    with open(path, encoding="ascii") as handle:
        for line in handle:
            if line.startswith(key):
                return int(line.split()[1])
    raise ValueError(f"{key} not in {path}")


def max_jobs() -> int:
    """The largest number of worker processes accepted: four per CPU."""
    return 4 * (os.cpu_count() or 1)


def check_jobs(jobs: object) -> int:
    """A number of worker processes: 1 to :func:`max_jobs`."""
    if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= max_jobs():
        raise UsageError(f"jobs must be an integer from 1 to {max_jobs()}, not {jobs!r}")
    return jobs


def check_count_from(count_from: object) -> str:
    """When figures start to count: ``release`` or ``period_end``."""
    if count_from not in COUNT_FROM:
        raise UsageError(f"count_from must be one of {', '.join(COUNT_FROM)}, not {count_from!r}")
    return str(count_from)
