"""Builds the extension crossview._core with CMake for `pip install .` (see pyproject.toml).

The C++ library, its io part and the pybind11 module are configured in a build folder of
setuptools' own (build/temp.*) with tests, benchmarks, examples and the CLI off, built
(CMAKE_BUILD_PARALLEL_LEVEL jobs, default 2) and the module copied where setuptools
expects it. Needs cmake, a C++17 compiler, Eigen, fmt, nlohmann-json, toml++ and
pybind11-dev (scripts/install-deps.sh --python installs them on Debian).
Environment: CROSSVIEW_CMAKE_ARGS adds arguments to the CMake configure step.
"""
import os
import pathlib
import shlex
import shutil
import subprocess
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = pathlib.Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name):
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = pathlib.Path(self.build_temp).resolve() / "cmake"
        build_dir.mkdir(parents=True, exist_ok=True)
        args = [
            "-DCMAKE_BUILD_TYPE=Release",
            "-DCROSSVIEW_BUILD_PYTHON=ON",
            "-DCROSSVIEW_BUILD_TESTS=OFF",
            "-DCROSSVIEW_BUILD_BENCHMARKS=OFF",
            "-DCROSSVIEW_BUILD_EXAMPLES=OFF",
            "-DCROSSVIEW_BUILD_CLI=OFF",
            "-DCROSSVIEW_INSTALL=OFF",
            f"-DPython_EXECUTABLE={sys.executable}",
        ]
        if shutil.which("ninja"):
            args += ["-G", "Ninja"]
        args += shlex.split(os.environ.get("CROSSVIEW_CMAKE_ARGS", ""))
        subprocess.check_call(["cmake", "-S", str(ROOT), "-B", str(build_dir)] + args)
        jobs = os.environ.get("CMAKE_BUILD_PARALLEL_LEVEL", "2")
        subprocess.check_call(["cmake", "--build", str(build_dir), "--target", "crossview_python", "-j", jobs])
        built = list((build_dir / "python" / "crossview").glob("_core*.so"))
        if len(built) != 1:
            raise RuntimeError(f"crossview: expected one built _core module in {build_dir}, found {built}")
        target = pathlib.Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], target)


setup(ext_modules=[CMakeExtension("crossview._core")], cmdclass={"build_ext": CMakeBuild})
