// crossview Python bindings: numpy <-> layout helpers (see common.hpp).
#include "common.hpp"

#include <cstring>
#include <sstream>
#include <stdexcept>

namespace crossview::python {

std::atomic<std::int64_t>& copy_count() {
  static std::atomic<std::int64_t> count{0};
  return count;
}

std::string shape_string(const std::vector<py::ssize_t>& shape) {
  std::ostringstream s;
  s << "(";
  for (std::size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s << ", ";
    s << shape[i];
  }
  if (shape.size() == 1) s << ",";
  s << ")";
  return s.str();
}

namespace {

std::vector<py::ssize_t> shape_of(const py::array& a) {
  return std::vector<py::ssize_t>(a.shape(), a.shape() + a.ndim());
}

bool is_float64(const py::array& a) {
  return a.dtype().is(py::dtype::of<double>());
}

// A C-order float64 copy of anything numpy can convert; TypeError otherwise.
py::array convert(py::handle obj, const char* what) {
  auto converted = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!converted) {
    PyErr_Clear();
    throw py::type_error(std::string(what) + ": expected an array of numbers, got " +
                         std::string(py::str(py::type::handle_of(obj).attr("__name__"))));
  }
  copy_count().fetch_add(1);
  return std::move(converted);
}

}  // namespace

PointsArg points_arg(py::handle obj, int dim, const char* what, const char* expected, int min_ndim,
                     int max_ndim) {
  PointsArg out;
  py::array arr;
  bool borrow = false;
  if (py::isinstance<py::array>(obj)) {
    arr = py::reinterpret_borrow<py::array>(obj);
    if (is_float64(arr) && arr.ndim() >= 1) {
      const auto* strides = arr.strides();
      const int nd = static_cast<int>(arr.ndim());
      const bool last_contiguous = strides[nd - 1] == static_cast<py::ssize_t>(sizeof(double)) ||
                                   arr.shape(nd - 1) <= 1;
      const bool native = arr.dtype().attr("byteorder").cast<std::string>() != ">";
      if (last_contiguous && native) {
        if (nd <= 2) {
          // Any positive row stride that is a whole number of doubles, rows not overlapping.
          const py::ssize_t row_stride = nd == 2 ? strides[0] : arr.shape(0) * 8;
          borrow = nd == 1 || (row_stride % 8 == 0 && row_stride >= arr.shape(nd - 1) * 8) || arr.shape(0) <= 1;
        } else {
          borrow = (arr.flags() & py::array::c_style) != 0;
        }
      }
    }
  }
  if (!borrow) arr = convert(obj, what);
  out.shape = shape_of(arr);
  const int nd = static_cast<int>(arr.ndim());
  if (nd < min_ndim || nd > max_ndim || (nd >= 1 && out.shape.back() != dim)) {
    throw py::value_error(std::string(what) + " must have shape " + expected + ", got " + shape_string(out.shape));
  }
  out.rows = dim;
  out.cols = 1;
  for (int i = 0; i + 1 < nd; ++i) out.cols *= out.shape[static_cast<std::size_t>(i)];
  out.data = static_cast<const double*>(arr.data());
  out.outer_stride = dim;
  if (nd == 2 && out.shape[0] > 1) out.outer_stride = arr.strides()[0] / static_cast<py::ssize_t>(sizeof(double));
  out.borrowed = borrow;
  out.keep = std::move(arr);
  return out;
}

ScoresArg scores_arg(py::handle obj, const char* what, Eigen::Index count) {
  ScoresArg out;
  if (obj.is_none()) return out;
  py::array arr;
  bool borrow = false;
  if (py::isinstance<py::array>(obj)) {
    arr = py::reinterpret_borrow<py::array>(obj);
    borrow = is_float64(arr) && (arr.flags() & py::array::c_style) != 0 &&
             arr.dtype().attr("byteorder").cast<std::string>() != ">";
  }
  if (!borrow) arr = convert(obj, what);
  out.shape = shape_of(arr);
  out.size = static_cast<Eigen::Index>(arr.size());
  if (count >= 0 && out.size != count) {
    throw py::value_error(std::string(what) + " must have " + std::to_string(count) + " entries (one per point), got " +
                          std::to_string(out.size) + " (shape " + shape_string(out.shape) + ")");
  }
  out.data = static_cast<const double*>(arr.data());
  out.borrowed = borrow;
  out.keep = std::move(arr);
  return out;
}

Eigen::Array<bool, Eigen::Dynamic, 1> mask_arg(py::handle obj, const char* what, Eigen::Index count) {
  Eigen::Array<bool, Eigen::Dynamic, 1> out;
  if (obj.is_none()) return out;
  auto arr = py::array_t<bool, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!arr) {
    PyErr_Clear();
    throw py::type_error(std::string(what) + ": expected an array of booleans");
  }
  if (static_cast<Eigen::Index>(arr.size()) != count) {
    throw py::value_error(std::string(what) + " must have " + std::to_string(count) + " entries (one per joint), got " +
                          std::to_string(arr.size()));
  }
  out.resize(count);
  for (Eigen::Index i = 0; i < count; ++i) out[i] = arr.data()[i];
  return out;
}

py::array_t<double> new_array(const std::vector<py::ssize_t>& shape) { return py::array_t<double>(shape); }

py::array_t<double> to_numpy_shaped(const double* data, const std::vector<py::ssize_t>& shape) {
  py::array_t<double> out(shape);
  if (out.size() > 0) std::memcpy(out.mutable_data(), data, static_cast<std::size_t>(out.size()) * sizeof(double));
  return out;
}

py::array_t<double> points_to_numpy(const Eigen::MatrixXd& points) {
  return to_numpy_shaped(points.data(), {static_cast<py::ssize_t>(points.cols()), static_cast<py::ssize_t>(points.rows())});
}

py::array_t<double> vector_to_numpy(const Eigen::VectorXd& v) {
  return to_numpy_shaped(v.data(), {static_cast<py::ssize_t>(v.size())});
}

py::array_t<int> ivector_to_numpy(const Eigen::VectorXi& v) {
  py::array_t<int> out(static_cast<py::ssize_t>(v.size()));
  for (Eigen::Index i = 0; i < v.size(); ++i) out.mutable_data()[i] = v[i];
  return out;
}

py::array_t<double> matrix_to_numpy(const Eigen::MatrixXd& m) {
  py::array_t<double> out({static_cast<py::ssize_t>(m.rows()), static_cast<py::ssize_t>(m.cols())});
  auto o = out.mutable_unchecked<2>();
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    for (Eigen::Index c = 0; c < m.cols(); ++c) o(r, c) = m(r, c);
  }
  return out;
}

py::array_t<bool> chars_to_bool(const std::vector<char>& v) {
  py::array_t<bool> out(static_cast<py::ssize_t>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) out.mutable_data()[i] = v[i] != 0;
  return out;
}

Eigen::MatrixXd matrix_arg(py::handle obj, int rows, int cols, const char* what) {
  auto arr = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!arr) {
    PyErr_Clear();
    throw py::type_error(std::string(what) + ": expected an array of numbers");
  }
  const std::vector<py::ssize_t> shape(arr.shape(), arr.shape() + arr.ndim());
  const bool vector_ok = cols == 1 && arr.ndim() == 1 && shape[0] == rows;
  if (!vector_ok && (arr.ndim() != 2 || shape[0] != rows || shape[1] != cols)) {
    std::string want = cols == 1 ? "(" + std::to_string(rows) + ",)"
                                 : "(" + std::to_string(rows) + ", " + std::to_string(cols) + ")";
    throw py::value_error(std::string(what) + " must have shape " + want + ", got " + shape_string(shape));
  }
  Eigen::MatrixXd m(rows, cols);
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) m(r, c) = arr.data()[r * cols + c];
  }
  return m;
}

void apply_kwargs(py::object target, const py::kwargs& kwargs, const char* class_name) {
  for (auto item : kwargs) {
    const std::string name = py::str(item.first);
    if (name.empty() || name[0] == '_' || !py::hasattr(target, name.c_str())) {
      throw py::type_error(std::string(class_name) + " has no option '" + name + "'");
    }
    target.attr(name.c_str()) = item.second;
  }
}

}  // namespace crossview::python
