"""ipindicators: China's regional IP plan targets, the statistics that track them, and how likely
each target is to be met.

The package is laid out along its data flow::

    catalog/   indicators, regions, documents and targets (YAML + typed models), units
    data/      reading and validating raw tables, the build of the processed observations
    models/    forecasts (sample paths), target assessment, hindcasts and their scores
    reports/   region report and overview notebooks, plots, the papermill batch
    text/      quantified targets found in plan text

The names below are the public verbs; each is imported from its module on first use, so
``import ipindicators`` stays as light as the command-line start-up needs.

>>> import ipindicators as ipi
>>> ipi.targets(region="hangzhou")          # doctest: +SKIP
>>> ipi.indicator("invention_patents_per_10k").unit
'件/万人'
"""

from __future__ import annotations

import importlib
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

try:
    __version__ = version("ipindicators")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0+unknown"

_PUBLIC = {
    # catalog
    "Indicator": "catalog.indicators",
    "indicator": "catalog.indicators",
    "indicators": "catalog.indicators",
    "Region": "catalog.regions",
    "region": "catalog.regions",
    "regions": "catalog.regions",
    "Document": "catalog.documents",
    "document": "catalog.documents",
    "documents": "catalog.documents",
    "Target": "catalog.targets",
    "target": "catalog.targets",
    "targets": "catalog.targets",
    "targets_for": "catalog.targets",
    # data
    "load_observations": "data.readers",
    "build": "data.build",
    "observations": "data.store",
    "coverage": "data.store",
    "data_in_use": "paths",
    # models
    "Forecast": "models.forecast",
    "forecast": "models.forecast",
    "forecast_many": "models.forecast",
    "assess": "models.assess",
    "assess_target": "models.assess",
    "backtest": "models.backtest",
    # reports and text
    "report": "reports.batch",
    "region_id": "catalog.regions",
    "Candidate": "text.extract",
    "extract_targets": "text.extract",
    # errors
    "IPIndicatorsError": "errors",
    "InputError": "errors",
    "CatalogError": "errors",
    "DataError": "errors",
    "UsageError": "errors",
}

__all__ = [
    "Candidate",
    "CatalogError",
    "DataError",
    "Document",
    "Forecast",
    "IPIndicatorsError",
    "Indicator",
    "InputError",
    "Region",
    "Target",
    "UsageError",
    "assess",
    "assess_target",
    "backtest",
    "build",
    "coverage",
    "data_in_use",
    "document",
    "documents",
    "extract_targets",
    "forecast",
    "forecast_many",
    "indicator",
    "indicators",
    "load_observations",
    "observations",
    "region",
    "region_id",
    "regions",
    "report",
    "target",
    "targets",
    "targets_for",
]


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'ipindicators' has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*__all__, "__version__"})


if TYPE_CHECKING:
    from .catalog.documents import Document, document, documents
    from .catalog.indicators import Indicator, indicator, indicators
    from .catalog.regions import Region, region, region_id, regions
    from .catalog.targets import Target, target, targets, targets_for
    from .data.build import build
    from .data.readers import load_observations
    from .data.store import coverage, observations
    from .errors import CatalogError, DataError, InputError, IPIndicatorsError, UsageError
    from .models.assess import assess, assess_target
    from .models.backtest import backtest
    from .models.forecast import Forecast, forecast, forecast_many
    from .paths import data_in_use
    from .reports.batch import report
    from .text.extract import Candidate, extract_targets
