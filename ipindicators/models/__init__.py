"""Forecasts as sample paths (:mod:`.forecast`) from registered models (:mod:`.registry`),
partial pooling across regions (:mod:`.pooling`), calibration (:mod:`.calibration`), target
assessment (:mod:`.assess`, results in :mod:`.results`) and hindcasts with their scores
(:mod:`.backtest`)."""

DEFAULT_MODEL = "rw_shrunk"
"""The model forecasts use unless told otherwise, chosen on the out-of-time evaluation (kept
here, not in :mod:`.registry`, so the command line can name it without loading the models)."""
