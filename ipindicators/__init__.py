"""ipindicators: China's regional IP plan targets, the statistics that track them, and how likely
each target is to be met.

>>> import ipindicators as ipi
>>> ipi.targets(region="hangzhou")          # doctest: +SKIP
>>> ipi.indicator("invention_patents_per_10k").unit
'件/万人'
"""

from .build import build
from .data import coverage, observations
from .documents import Document, document, documents
from .extract import Candidate, extract_targets
from .errors import CatalogError, DataError, InputError, IPIndicatorsError, UsageError
from .assess import assess
from .backtest import backtest
from .forecast import Forecast, forecast, forecast_many
from .indicators import Indicator, indicator, indicators
from .observations import load_observations
from .regions import Region, region, regions
from .targets import Target, target, targets, targets_for

__version__ = "0.1.0"


def __getattr__(name: str):
    # The batch pulls in papermill and nbconvert; import it only when asked for.
    if name == "report":
        from .batch import report

        return report
    raise AttributeError(f"module 'ipindicators' has no attribute {name!r}")


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
    "backtest",
    "build",
    "coverage",
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
    "regions",
    "report",
    "target",
    "targets",
    "targets_for",
]
