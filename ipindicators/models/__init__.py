"""Forecasts as sample paths (:mod:`.forecast`), target assessment (:mod:`.assess`) and
hindcasts with their scores (:mod:`.backtest`)."""

MODELS = ("trend", "rw_drift", "damped")
"""The forecasting models that ``models="pool"`` pools (see :mod:`.forecast`)."""
