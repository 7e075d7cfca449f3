"""Forecasts as sample paths (:mod:`.forecast`), target assessment (:mod:`.assess`) and
hindcasts with their scores (:mod:`.backtest`)."""
