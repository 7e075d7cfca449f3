"""Every forecasting model, once: ours and the evaluation's baselines.

Adding a model is one class implementing :class:`~.protocol.Model` and one line here (or a
call to :func:`register` from outside the package); :func:`~.forecast.forecast` then accepts
its name, ``models="pool"`` mixes it if it says ``pooled``, and the hindcasts of
:mod:`.backtest` score it.
"""

from __future__ import annotations

from ..errors import UsageError
from . import DEFAULT_MODEL
from .baselines import GaussianRandomWalk, GrowthRatio, Linear, StatsForecast
from .methods import DampedTrend, RandomWalk, RandomWalkDrift, ShrunkRandomWalk, Trend
from .protocol import Model

__all__ = ["DEFAULT_MODEL", "Model", "check_models", "model", "register"]

_MODELS: dict[str, Model] = {}
_BASELINES: list[str] = []


def register(model: Model, baseline: bool = False) -> Model:
    """Add a model under its ``name`` (a baseline: one the evaluation compares ours with).

    Raises
    ------
    UsageError
        When the name is taken, or is ``pool``.
    """
    if model.name in _MODELS or model.name == "pool":
        raise UsageError(f"a model named {model.name!r} is already registered")
    _MODELS[model.name] = model
    if baseline:
        _BASELINES.append(model.name)
    return model


for _ours in (ShrunkRandomWalk(), Trend(), RandomWalkDrift(), DampedTrend(), RandomWalk()):
    register(_ours)
for _baseline in (
    GrowthRatio(),
    Linear(),
    GaussianRandomWalk(),
    StatsForecast(name="auto_ets"),
    StatsForecast(name="auto_theta"),
):
    register(_baseline, baseline=True)


def model(name: str) -> Model:
    """The registered model called ``name``; :class:`UsageError` for an unknown one."""
    found = _MODELS.get(name)
    if found is None:
        check_models((name,))  # raises, naming the models there are
    return _MODELS[name]


def model_names() -> tuple[str, ...]:
    """Our models (not the baselines), in the order pooled paths are split between them."""
    return tuple(name for name in _MODELS if name not in _BASELINES)


def baseline_names() -> tuple[str, ...]:
    """The evaluation's baselines."""
    return tuple(_BASELINES)


def pooled_names() -> tuple[str, ...]:
    """The models ``models="pool"`` mixes."""
    return tuple(name for name, m in _MODELS.items() if m.pooled)


def check_models(models: str | tuple[str, ...]) -> tuple[str, ...]:
    """The models a ``models`` argument names; :class:`UsageError` for an unknown one."""
    chosen = (
        pooled_names() if models == "pool" else ((models,) if isinstance(models, str) else models)
    )
    unknown = [m for m in chosen if m not in _MODELS]
    if unknown or not chosen:
        known = ", ".join(_MODELS)
        raise UsageError(f"unknown model {(unknown or [''])[0]!r}; use 'pool' or one of {known}")
    return tuple(chosen)


def method_name(models: str | tuple[str, ...]) -> str:
    """The name calibrations are kept under: ``pool``, a model, or the models joined by +."""
    return models if isinstance(models, str) else "+".join(models)
