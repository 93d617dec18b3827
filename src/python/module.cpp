// crossview Python bindings: the extension module crossview._core. Each part of
// the API is registered by its own translation unit (bind_*.cpp) so none of
// them grows heavy; the package crossview (src/python/crossview/__init__.py)
// re-exports it.
#include "common.hpp"

#include <crossview/io/error.hpp>
#include <crossview/version.hpp>

namespace crossview::python {

void init_core(py::module_& m) {
  m.attr("__version__") = crossview::library_version();
  m.def("_debug_copy_count", []() { return copy_count().load(); },
        "Number of array arguments converted (copied) so far because they were not float64 with a\n"
        "contiguous last axis. Debug helper: the tests use it to prove that inputs in the documented\n"
        "layout are read in place.");
  m.def(
      "_debug_points_info",
      [](py::handle points, int dim) {
        const PointsArg a = points_arg(points, dim, "_debug_points_info: points", "(N, D)", 1, 8);
        const py::array original = py::isinstance<py::array>(points) ? py::reinterpret_borrow<py::array>(points)
                                                                      : py::array();
        const bool same = original && original.data() == static_cast<const void*>(a.data);
        return py::make_tuple(a.borrowed && same, static_cast<std::uintptr_t>(reinterpret_cast<std::uintptr_t>(a.data)),
                              a.rows, a.cols, a.outer_stride);
      },
      py::arg("points"), py::arg("dim"),
      "Debug helper: (borrowed, data address, rows, cols, outer stride) of the Eigen D x N view the\n"
      "bindings make of `points` (numpy (..., D)); borrowed = read in place, without a copy.");
}

}  // namespace crossview::python

PYBIND11_MODULE(_core, m) {
  using namespace crossview::python;
  m.doc() =
      "crossview: multi-view geometry and 3D human pose (C++ core). Point sets are numpy (N, D)\n"
      "float64 C-order arrays, read in place when already in that layout (docs/python.md).";
  // io::IoError -> crossview.IoError (a subclass of OSError) with .file and .field.
  static py::exception<crossview::io::IoError> io_error(m, "IoError", PyExc_OSError);
  io_error.doc() =
      "A file could not be read or written, or is malformed (crossview::io::IoError). Subclass of\n"
      "OSError; `file` and `field` name the file and the offending field (empty for whole-file errors).";
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const crossview::io::IoError& e) {
      py::object instance = py::reinterpret_borrow<py::object>(io_error.ptr())(py::str(e.what()));
      instance.attr("file") = e.file();
      instance.attr("field") = e.field();
      PyErr_SetObject(io_error.ptr(), instance.ptr());
    }
  });
  init_core(m);
  init_camera(m);
  py::module_ epipolar = m.def_submodule("epipolar", "Two-view geometry: minimal solvers, robust estimation, relative pose.");
  init_epipolar(epipolar);
  py::module_ triangulation = m.def_submodule("triangulation", "Multi-view triangulation of points and skeletons.");
  init_triangulation(triangulation);
  init_pose_rpsm(m);
  py::module_ metrics = m.def_submodule("metrics", "Pose-accuracy metrics (MPJPE family, PCK, AUC, PCP, JDR) and PSS.");
  init_metrics(metrics);
  py::module_ io = m.def_submodule("io", "File formats: rigs (TOML / JSON), OpenPose JSON, TRC, PSS models.");
  init_io(io);
  init_io_formats(io, m);
  py::module_ association = m.def_submodule("association", "Multi-person association across views and tracking.");
  init_association(association);
  py::module_ temporal = m.def_submodule("temporal", "Filters, gap filling and refinement of 3D sequences.");
  init_temporal(temporal);
  py::module_ calibration = m.def_submodule("calibration", "Rig calibration from the people the cameras see.");
  init_calibration(calibration);
}
