"""Writes the type stubs (.pyi) of the crossview package from the built extension.

    PYTHONPATH=build/py/python /usr/bin/python3 scripts/python_stubs.py src/python/crossview

pybind11 puts the C++ signature of every function, method and property on the first
line of its docstring ("name(arg: type = default) -> type"); this script turns those into
stubs, one file per public module (crossview, crossview.epipolar, ...triangulation, rpsm,
metrics, pss, io), and gives the array arguments that the bindings take as `object`
(anything numpy can convert) the type `numpy.typing.ArrayLike`. tests/python/test_stubs.py
checks that the committed stubs equal this script's output and name every public symbol.
"""
import inspect
import re
import sys
import textwrap

import crossview
from crossview import _core

MODULES = {  # stub file -> module object
    "__init__.pyi": _core,
    "epipolar.pyi": _core.epipolar,
    "triangulation.pyi": _core.triangulation,
    "rpsm.pyi": _core.rpsm,
    "metrics.pyi": _core.metrics,
    "pss.pyi": _core.metrics.pss,
    "io.pyi": _core.io,
    "association.pyi": _core.association,
    "temporal.pyi": _core.temporal,
    "calibration.pyi": _core.calibration,
}
PUBLIC_NAME = {_core: "crossview", _core.epipolar: "crossview.epipolar",
               _core.triangulation: "crossview.triangulation", _core.rpsm: "crossview.rpsm",
               _core.metrics: "crossview.metrics", _core.metrics.pss: "crossview.pss", _core.io: "crossview.io",
               _core.association: "crossview.association", _core.temporal: "crossview.temporal",
               _core.calibration: "crossview.calibration"}
SUBMODULES = {"epipolar", "triangulation", "rpsm", "metrics", "io", "pss", "association", "temporal", "calibration"}


def public_type(text):
    """C++-side type names in a pybind11 signature -> names a type checker resolves."""
    text = re.sub(r"numpy\.ndarray\[bool\]", "numpy.typing.NDArray[numpy.bool_]", text)
    text = re.sub(r"numpy\.ndarray\[numpy\.(\w+)\]", r"numpy.typing.NDArray[numpy.\1]", text)
    text = text.replace("crossview._core.metrics.pss.", "crossview.pss.")
    text = re.sub(r"crossview\._core\.(epipolar|triangulation|rpsm|metrics|io|association|temporal|calibration)\.", r"crossview.\1.", text)
    text = text.replace("crossview._core.", "crossview.")
    text = re.sub(r"\bList\[", "typing.List[", text)
    text = re.sub(r"\bTuple\[", "typing.Tuple[", text)
    text = re.sub(r"\bOptional\[", "typing.Optional[", text)
    text = re.sub(r"\bCallable\[", "typing.Callable[", text)
    return text


def argument_type(name, default):
    """Type of an argument the bindings take as `object`."""
    if name == "cameras":
        return "typing.Union[typing.Sequence[crossview.Camera], crossview.io.Rig]"
    if name == "options":
        return "typing.Any"
    if name in ("path", "folder"):
        return "typing.Union[str, os.PathLike[str]]"
    if name == "model":
        return "typing.Union[crossview.CameraModel, str]"
    return "numpy.typing.ArrayLike" + (" | None" if default == "None" else "")


def split_args(text):
    """Top-level comma split of an argument list."""
    out, depth, cur = [], 0, ""
    for ch in text:
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def signature(obj, name, method=False):
    doc = (obj.__doc__ or "").strip()
    lines = doc.splitlines()
    if not lines:
        return None
    first = lines[0]
    m = re.match(r"^(?:\d+\. )?" + re.escape(name) + r"\((.*)\)(?: -> (.+))?$", first)
    if not m:
        return None
    args, ret = m.group(1), (m.group(2) or "None")
    out = []
    for a in split_args(args):
        if a in ("*", "/") or a.startswith("**") or a.startswith("*"):
            out.append(a.replace("**kwargs", "**kwargs: typing.Any").replace("*args", "*args: typing.Any"))
            continue
        am = re.match(r"^(\w+)(?:: ([^=]+?))?(?: = (.+))?$", a)
        if not am:
            out.append(a)
            continue
        an, at, ad = am.group(1), (am.group(2) or "typing.Any").strip(), am.group(3)
        if method and an == "self":
            out.append("self")
            continue
        at = argument_type(an, ad) if at == "object" else public_type(at)
        if ad is not None:
            ad = ad if re.fullmatch(r"-?[\d.e+-]+|None|True|False|'[^']*'|\"[^\"]*\"", ad) else "..."
            out.append(f"{an}: {at} = {ad}")
        else:
            out.append(f"{an}: {at}")
    ret = public_type(ret)
    if ret == "object":
        ret = "typing.Any"
    return f"({', '.join(out)}) -> {ret}", "\n".join(lines[1:]).strip()


def docstring(text, indent):
    if not text:
        return ""
    text = text.replace("\\", "\\\\").replace('"""', "'''")
    return textwrap.indent(f'"""{text}"""', indent) + "\n"


def stub_function(fn, name, indent="", method=False, static=False):
    sig = signature(fn, name, method=method)
    if sig is None:
        return f"{indent}def {name}(*args: typing.Any, **kwargs: typing.Any) -> typing.Any: ...\n"
    text, doc = sig
    head = f"{indent}@staticmethod\n" if static else ""
    body = docstring(doc, indent + "    ")
    if body:
        return f"{head}{indent}def {name}{text}:\n{body}"
    return f"{head}{indent}def {name}{text}: ...\n"


def is_enum(cls):
    return hasattr(cls, "__members__") and hasattr(cls, "__entries")


def stub_class(cls, name, owner):
    lines = [f"class {name}:\n"]
    doc = (cls.__doc__ or "").strip()
    if doc:
        lines.append(docstring(doc, "    "))
    if is_enum(cls):
        for member in cls.__members__:
            lines.append(f"    {member}: typing.ClassVar[{name}]\n")
        lines.append("    def __init__(self, value: int) -> None: ...\n")
        lines.append("    def __int__(self) -> int: ...\n")
        lines.append("    def __index__(self) -> int: ...\n")
        lines.append("    @property\n    def name(self) -> str: ...\n")
        lines.append("    @property\n    def value(self) -> int: ...\n")
    for attr, value in cls.__dict__.items():
        if attr.startswith("__") and attr not in ("__init__", "__len__", "__getitem__"):
            continue
        if attr.startswith("_") and not attr.startswith("__"):
            continue
        if is_enum(cls) and attr in cls.__members__:
            continue
        if is_enum(cls) and attr in ("name", "value", "__init__"):
            continue
        if isinstance(value, property):
            sig = signature(value.fget, "", method=True) if value.fget else None
            ret = "typing.Any"
            if value.fget is not None:
                m = re.match(r"^\((.*)\) -> (.+)$", (value.fget.__doc__ or "").strip().splitlines()[0]) \
                    if value.fget.__doc__ else None
                if m:
                    ret = public_type(m.group(2))
            if ret == "object":
                ret = "typing.Any"
            pdoc = (value.__doc__ or "").strip()
            pdoc = "\n".join(pdoc.splitlines()[1:]).strip() if pdoc.startswith("(") else pdoc
            lines.append(f"    @property\n    def {attr}(self) -> {ret}:" + ("\n" + docstring(pdoc, "        ") if pdoc else " ...\n"))
            if value.fset is not None:
                lines.append(f"    @{attr}.setter\n    def {attr}(self, value: {ret if 'NDArray' not in ret else 'numpy.typing.ArrayLike'}) -> None: ...\n")
            del sig
        elif isinstance(value, staticmethod) or type(value).__name__ == "staticmethod":
            lines.append(stub_function(getattr(cls, attr), attr, "    ", static=True))
        elif callable(value):
            if attr == "__init__" and not (value.__doc__ or "").startswith("__init__("):
                continue
            lines.append(stub_function(value, attr, "    ", method=True))
    if len(lines) == 1:
        lines.append("    ...\n")
    return "".join(lines)


def stub_module(module):
    own = PUBLIC_NAME[module]
    parts = [f'"""{own}: type stubs generated by scripts/python_stubs.py from the built extension."""\n',
             "import os\nimport typing\n\nimport numpy\nimport numpy.typing\n\nimport crossview\n"]
    imports = []
    if module is _core:
        imports = ["from . import association as association", "from . import calibration as calibration",
                   "from . import epipolar as epipolar", "from . import io as io", "from . import metrics as metrics",
                   "from . import pss as pss", "from . import rpsm as rpsm", "from . import temporal as temporal",
                   "from . import triangulation as triangulation",
                   "from .triangulation import triangulate as triangulate",
                   "from .triangulation import triangulate_batch as triangulate_batch",
                   "from .triangulation import triangulate_skeleton as triangulate_skeleton"]
    if module is _core.metrics:
        imports = ["from . import pss as pss"]
    parts.append("\n".join(imports) + ("\n" if imports else ""))
    body = []
    for name, value in sorted(vars(module).items(), key=lambda kv: kv[0].lower()):
        if name.startswith("__") and name != "__version__":
            continue
        if name.startswith("_") and module is not _core:
            continue
        if inspect.ismodule(value):
            continue
        if isinstance(value, type):
            if issubclass(value, BaseException):
                body.append(f"class {name}(OSError):\n{docstring((value.__doc__ or '').strip(), '    ')}"
                            "    file: str\n    field: str\n")
            else:
                body.append(stub_class(value, name, module))
        elif callable(value):
            body.append(stub_function(value, name))
        else:
            tname = type(value).__name__
            tname = {"list": "typing.List[typing.Tuple[int, int]]"}.get(tname, tname)
            body.append(f"{name}: {tname}\n")
    parts.append("\n\n".join(body))
    return "\n".join(parts)


def main(out_dir):
    for file, module in MODULES.items():
        with open(f"{out_dir}/{file}", "w") as f:
            f.write(stub_module(module))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else ".")
