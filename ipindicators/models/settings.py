"""How forecasts and assessments are made, checked once where a request enters the package."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..params import CountFrom, as_of_date, check_count_from, check_paths, check_seed
from .registry import DEFAULT_MODEL, check_models


@dataclass(frozen=True)
class Settings:
    """The settings every forecast and assessment of a request shares.

    Built by :meth:`of` at the public API and the command line, then passed down whole, so a
    value is parsed and checked once and every layer reads the same one.

    Attributes
    ----------
    as_of : datetime.date
        Only figures public by then (or whose period ended by then, see ``count_from``) count.
    n_paths : int
        Sample paths per forecast.
    seed : int
        Seed of the random generator: the same inputs and seed give the same numbers.
    models : str or tuple of str
        A registered model, ``pool``, or a tuple of models to mix (:mod:`.registry`).
    count_from : {"release", "period_end"}
        When a figure starts to count.
    """

    as_of: dt.date
    n_paths: int = 2000
    seed: int = 0
    models: str | tuple[str, ...] = DEFAULT_MODEL
    count_from: CountFrom = "release"

    @classmethod
    def of(
        cls,
        as_of: int | str | dt.date | None = None,
        n_paths: int = 2000,
        seed: int = 0,
        models: str | tuple[str, ...] = DEFAULT_MODEL,
        count_from: CountFrom = "release",
    ) -> Settings:
        """Checked settings; :class:`~ipindicators.errors.UsageError` names a bad value.

        ``as_of`` is a year (its 31 December), an ISO date or year string, a date, or None for
        today (see :func:`ipindicators.params.as_of_date`).
        """
        check_models(models)
        return cls(
            as_of_date(as_of),
            check_paths(n_paths),
            check_seed(seed),
            models,
            check_count_from(count_from),  # type: ignore[arg-type]
        )
