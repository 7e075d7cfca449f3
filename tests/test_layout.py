"""The package layout: stages import only down the flow, and no function hides a module."""

from __future__ import annotations

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import ipindicators

PACKAGE = Path(ipindicators.__file__).parent
# A stage may import itself, the shared modules and the stages before it.
STAGES = {"catalog": 1, "data": 2, "text": 2, "models": 3, "reports": 4, "cli": 5}
SHARED = {"errors", "paths", "params", "atomic", "output", "chinese"}


def _stage(module: str) -> str:
    return module.split(".")[1] if module.count(".") else module


def _internal_imports(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module.rsplit(".", 1)[0] if path.name != "__init__.py" else module
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            target = ".".join([*base, node.module] if node.module else base)
            found.add(target)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("ipindicators"):
            found.add(node.module or "")
    return {f for f in found if f.startswith("ipindicators.")}


MODULES = sorted(
    info.name
    for info in pkgutil.walk_packages([str(PACKAGE)], prefix="ipindicators.")
    if not info.name.endswith("__main__")
)


@pytest.mark.parametrize("module", MODULES)
def test_imports_point_down_the_flow(module):
    spec = importlib.util.find_spec(module)
    assert spec is not None and spec.origin is not None
    mine = _stage(module)
    for target in _internal_imports(Path(spec.origin), module):
        theirs = _stage(target)
        if theirs in SHARED or theirs == mine or mine in SHARED:
            continue
        assert STAGES[theirs] < STAGES[mine], f"{module} imports {target} (up the flow)"


def test_no_public_name_hides_a_module():
    for name in ipindicators.__all__:
        value = getattr(ipindicators, name)
        assert not hasattr(value, "__path__") and type(value).__name__ != "module", name
    for module in MODULES:
        importlib.import_module(module)
        parent, _, child = module.rpartition(".")
        owner = importlib.import_module(parent)
        assert getattr(owner, child).__name__ == module, f"{parent}.{child} is not the module"


def test_the_tree_shows_the_stages():
    folders = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file()}
    assert {"catalog", "data", "models", "reports", "text"} <= folders
