"""Forecasts as sample paths (:mod:`.forecast`), partial pooling across regions (:mod:`.pooling`),
calibration (:mod:`.calibration`), target assessment (:mod:`.assess`) and hindcasts with their
scores (:mod:`.backtest`)."""

MODELS = ("rw_shrunk", "trend", "rw_drift", "damped")
"""The forecasting models (see :mod:`.forecast`)."""
POOLED = ("trend", "rw_drift", "damped")
"""The models that ``models="pool"`` mixes."""
DEFAULT_MODEL = "rw_shrunk"
"""The model forecasts use unless told otherwise, chosen on the out-of-time evaluation."""
