"""ipindicators: China's regional IP plan targets, the statistics that track them, and how likely
each target is to be met.

>>> import ipindicators as ipi
>>> ipi.targets(region="hangzhou")          # doctest: +SKIP
>>> ipi.indicator("invention_patents_per_10k").unit
'件/万人'
"""

from .documents import Document, document, documents
from .errors import CatalogError, DataError, InputError, IPIndicatorsError, UsageError
from .indicators import Indicator, indicator, indicators
from .regions import Region, region, regions
from .targets import Target, target, targets, targets_for

__version__ = "0.1.0"

__all__ = [
    "CatalogError",
    "DataError",
    "Document",
    "IPIndicatorsError",
    "Indicator",
    "InputError",
    "Region",
    "Target",
    "UsageError",
    "document",
    "documents",
    "indicator",
    "indicators",
    "region",
    "regions",
    "target",
    "targets",
    "targets_for",
]
