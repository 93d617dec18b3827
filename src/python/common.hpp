// crossview Python bindings: shared helpers (numpy <-> the library's array
// layout, options from keyword arguments, enums with their C++ messages).
//
// The layout (docs/conventions.md#array-layouts, docs/python.md): a set of N
// points of dimension D is numpy (N, D) float64 C-order = Eigen D x N
// column-major. points_arg() binds such an array in place (no copy) when its
// dtype is float64 and its last axis is contiguous (any row stride for 2-D
// arrays; C-contiguous for 3-D and more); anything else (float32, Fortran
// order, lists, non-contiguous views) is converted once to a C-order float64
// copy, counted by copy_count() so tests can prove the zero-copy path.
#pragma once

#include <crossview/core/points.hpp>

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <Eigen/Core>

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

namespace crossview::python {

namespace py = pybind11;

/// Number of input arrays converted (copied) by points_arg / scores_arg since
/// the module was loaded (exposed as crossview._debug_copy_count()).
std::atomic<std::int64_t>& copy_count();

using PointsMap = Eigen::Map<const Eigen::MatrixXd, 0, Eigen::OuterStride<>>;

/// A point-set argument: numpy (..., D) read as an Eigen D x (prod of the
/// leading axes) matrix. `keep` holds the buffer alive (the caller's array
/// when borrowed, the converted copy otherwise).
struct PointsArg {
  py::object keep;
  const double* data = nullptr;
  Eigen::Index rows = 0;
  Eigen::Index cols = 0;
  Eigen::Index outer_stride = 0;
  bool borrowed = false;
  std::vector<py::ssize_t> shape;  ///< numpy shape as received (after conversion)
  PointsMap map() const { return PointsMap(data, rows, cols, Eigen::OuterStride<>(outer_stride)); }
  py::ssize_t dim(int axis) const { return shape[static_cast<std::size_t>(axis)]; }
  int ndim() const { return static_cast<int>(shape.size()); }
};

/// Reads `obj` as a point set whose last numpy axis has `dim` entries and
/// whose number of axes is in [min_ndim, max_ndim]. A wrong number of axes or
/// last-axis size is a ValueError naming `what` and both shapes (e.g.
/// "triangulate: pixels_px must have shape (V, 2), got (2, 5)"); `expected`
/// is the shape written in that message.
PointsArg points_arg(py::handle obj, int dim, const char* what, const char* expected, int min_ndim = 2,
                     int max_ndim = 2);

/// A per-point scalar argument (scores, weights): any shape, read flat in C
/// order as `count` float64 values (`count` < 0: any). None = empty vector.
/// Borrowed when float64 and C-contiguous.
struct ScoresArg {
  py::object keep;
  const double* data = nullptr;
  Eigen::Index size = 0;
  bool borrowed = false;
  std::vector<py::ssize_t> shape;
  Eigen::Map<const Eigen::VectorXd> map() const { return Eigen::Map<const Eigen::VectorXd>(data, size); }
};
ScoresArg scores_arg(py::handle obj, const char* what, Eigen::Index count = -1);

/// Boolean flags (visibility masks), any shape, read flat; None = empty.
Eigen::Array<bool, Eigen::Dynamic, 1> mask_arg(py::handle obj, const char* what, Eigen::Index count);

/// "(2, 5)" for a numpy shape.
std::string shape_string(const std::vector<py::ssize_t>& shape);

/// A new C-order float64 numpy array of the given shape (uninitialised).
py::array_t<double> new_array(const std::vector<py::ssize_t>& shape);

/// numpy (N, D) copy of a D x N Eigen matrix (the same bytes: one memcpy).
py::array_t<double> points_to_numpy(const Eigen::MatrixXd& points);
/// numpy with the given shape, the bytes of a column-major matrix / vector
/// whose size matches (packed collections: (F, J, 3) from 3 x (F*J)).
py::array_t<double> to_numpy_shaped(const double* data, const std::vector<py::ssize_t>& shape);
py::array_t<double> vector_to_numpy(const Eigen::VectorXd& v);
py::array_t<int> ivector_to_numpy(const Eigen::VectorXi& v);
py::array_t<double> matrix_to_numpy(const Eigen::MatrixXd& m);  ///< numpy (rows, cols) values
py::array_t<bool> chars_to_bool(const std::vector<char>& v);

/// 3x3 (or rows x cols) matrix argument from any numpy-convertible object;
/// ValueError naming `what` on another shape.
Eigen::MatrixXd matrix_arg(py::handle obj, int rows, int cols, const char* what);

/// Sets the attributes named by `kwargs` on `target` (a bound options
/// object): an unknown name is a TypeError listing the options class.
void apply_kwargs(py::object target, const py::kwargs& kwargs, const char* class_name);

/// Options of type O from an optional options object plus keyword overrides.
template <class O>
O make_options(const py::object& options, const py::kwargs& kwargs, const char* class_name) {
  O out;
  if (!options.is_none()) out = options.cast<O>();
  if (kwargs.size() > 0) {
    py::object obj = py::cast(out);  // a copy owned by Python
    apply_kwargs(obj, kwargs, class_name);
    out = obj.cast<O>();
  }
  return out;
}

/// Adds a `kwargs` constructor, __repr__ listing `fields` and keeps the class
/// otherwise as bound by the caller.
template <class C>
void add_options_init(C& cls, const char* class_name) {
  using T = typename C::type;
  cls.def(py::init([class_name](const py::kwargs& kwargs) {
            T value;
            if (kwargs.size() > 0) {
              py::object obj = py::cast(value);
              apply_kwargs(obj, kwargs, class_name);
              value = obj.cast<T>();
            }
            return value;
          }),
          (std::string("Options with the C++ defaults; keyword arguments set fields by name (") +
           class_name + ").")
              .c_str());
}

/// A `message` property (the C++ to_string text) on an enum.
template <class E, class C>
void add_enum_message(C& cls) {
  cls.def_property_readonly(
      "message", [](E e) { return std::string(to_string(e)); }, "The C++ to_string() text of this value.");
}

// Registration of each part of the module (one translation unit each).
void init_core(py::module_& m);
void init_camera(py::module_& m);
void init_epipolar(py::module_& m);
void init_triangulation(py::module_& m);
void init_pose_rpsm(py::module_& m);
void init_metrics(py::module_& m);
void init_io(py::module_& m);
void init_io_formats(py::module_& io, py::module_& root);
void init_association(py::module_& m);
void init_temporal(py::module_& m);
void init_calibration(py::module_& m);

}  // namespace crossview::python
