"""The committed type stubs are current and name every public symbol of every module."""
import ast
import importlib.util
import inspect
import pathlib

import pytest

import crossview
from crossview import _core

ROOT = pathlib.Path(__file__).resolve().parents[2]
STUB_DIR = ROOT / "src" / "python" / "crossview"
MODULES = {"__init__.pyi": _core, "epipolar.pyi": _core.epipolar, "triangulation.pyi": _core.triangulation,
           "rpsm.pyi": _core.rpsm, "metrics.pyi": _core.metrics, "pss.pyi": _core.metrics.pss, "io.pyi": _core.io,
           "association.pyi": _core.association, "temporal.pyi": _core.temporal,
           "calibration.pyi": _core.calibration}


def load_generator():
    spec = importlib.util.spec_from_file_location("python_stubs", ROOT / "scripts" / "python_stubs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def top_level_names(tree):
    names = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names[node.name] = node
        elif isinstance(node, ast.AnnAssign):
            names[node.target.id] = node
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                names[alias.asname or alias.name] = node
    return names


@pytest.mark.parametrize("file", sorted(MODULES))
def test_stub_names_every_public_symbol(file):
    module = MODULES[file]
    tree = ast.parse((STUB_DIR / file).read_text())
    names = top_level_names(tree)
    public = [n for n in dir(module) if not n.startswith("_") or n == "__version__"]
    missing = [n for n in public if n not in names]
    assert not missing, f"{file} lacks {missing}"
    for name in public:
        value = getattr(module, name)
        if isinstance(value, type) and not issubclass(value, BaseException):
            members = {n.name if isinstance(n, (ast.FunctionDef, ast.ClassDef)) else n.target.id
                       for n in names[name].body if isinstance(n, (ast.FunctionDef, ast.AnnAssign))}
            attrs = [a for a in vars(value) if not a.startswith("_")]
            lacking = [a for a in attrs if a not in members]
            assert not lacking, f"{file}: {name} lacks {lacking}"


def test_package_names_are_in_the_package_stub():
    tree = ast.parse((STUB_DIR / "__init__.pyi").read_text())
    names = top_level_names(tree)
    assert [n for n in crossview.__all__ if n not in names] == []


def test_stubs_are_current():
    generator = load_generator()
    for file, module in MODULES.items():
        assert generator.stub_module(module) == (STUB_DIR / file).read_text(), (
            f"{file} is stale: run PYTHONPATH=build/py/python /usr/bin/python3 scripts/python_stubs.py src/python/crossview")


def test_everything_has_a_docstring():
    undocumented = []
    for file, module in MODULES.items():
        for name, value in vars(module).items():
            if name.startswith("_") or inspect.ismodule(value):
                continue
            if callable(value) and not (value.__doc__ or "").strip():
                undocumented.append(f"{file}:{name}")
            if isinstance(value, type) and not issubclass(value, BaseException):
                if not (value.__doc__ or "").strip():
                    undocumented.append(f"{file}:{name}")
    assert not undocumented, undocumented
