"""The report notebooks' parameters, checked by the rules of the command line.

Both notebooks call :func:`check_notebook_parameters` in the first cell after their
``parameters`` cell, so a bad value from papermill or a hand edit is refused there, with the
message the CLI gives for the same value.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import partial
from typing import Any

from ..catalog.regions import region_id
from ..errors import UsageError
from ..models.registry import check_models
from ..params import as_of_date, check_count_from, check_paths, check_seed


def check_notebook_parameters(**values: object) -> dict[str, object]:
    """A report notebook's parameters, checked by the rules of the command line.

    Papermill (``-p``/``-y``) and a hand edit can put any value in a parameter; each named here
    is checked the way the CLI checks its option, so a list for ``region`` gets the CLI's
    message, not a ``TypeError`` cells later.

    Parameters
    ----------
    **values
        Any of ``region``, ``as_of``, ``n_paths``, ``seed``, ``models``, ``count_from``,
        ``downloads``, ``previous``, ``summary_csv``.

    Returns
    -------
    dict
        The values in the order given, ``region`` as its catalog id.

    Raises
    ------
    UsageError
        Naming the first parameter that is out of its range.
    """
    checks: dict[str, Callable[[Any], object]] = {
        "region": region_id,
        "as_of": _as_of,
        "n_paths": check_paths,
        "seed": check_seed,
        "models": _models,
        "count_from": check_count_from,
        "downloads": partial(_optional_path, "downloads"),
        "previous": partial(_optional_path, "previous"),
        "summary_csv": partial(_optional_path, "summary_csv"),
    }
    unknown = [name for name in values if name not in checks]
    if unknown:
        raise UsageError(f"unknown notebook parameter {unknown[0]!r}")
    return {name: checks[name](value) for name, value in values.items()}


def _as_of(value: object) -> object:
    as_of_date(value)  # type: ignore[arg-type]  # refuses what is not a year, date or None
    return value


def _models(value: object) -> object:
    check_models(value)  # type: ignore[arg-type]
    return value


def _optional_path(name: str, value: object) -> object:
    if value is not None and not isinstance(value, str | os.PathLike):
        raise UsageError(f"{name} must be a path or None, not {value!r}")
    return value
