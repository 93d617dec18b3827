// crossview: the one array layout of every point set in the public API
// (docs/conventions.md#array-layouts).
//
// A set of N points of dimension D (D = 2: pixels, D = 3: world / camera
// points) is a D x N column-major double matrix: column n is point n, its
// coordinates contiguous. In memory this is exactly a C-order numpy array of
// shape (N, D), so Python and C++ exchange point sets without copies.
// Collections are packed in the same way, last numpy axis = Eigen row, every
// other axis flattened into the columns in C order:
//
//   one pose                  J joints           3 x J          numpy (J, 3)
//   one view's keypoints      J joints           2 x J          numpy (J, 2)
//   one frame, V views        view-major         2 x (V*J)      numpy (V, J, 2)
//   a sequence of F poses     frame-major        3 x (F*J)      numpy (F, J, 3)
//   F frames x V views        frame, view, joint 2 x (F*V*J)    numpy (F, V, J, 2)
//
// Per-point scalars (detection scores, validity, errors) are vectors with one
// entry per column of the matching point set, in the same order (numpy (V, J)
// or (F, V, J) flattened). A missing point is a NaN column (and, for
// detections, score 0).
//
// Entry points take point sets as `ConstPointsRef` (any column-major double
// matrix or map, bound without a copy when its columns are contiguous) and
// check the shape at run time with require_points(): a J x 3 (transposed)
// input is a std::invalid_argument naming the argument, never a silent
// transposition. (A 3 x 3 input is necessarily ambiguous and is read as three
// points.) Results are returned as Points2d / Points3d.
#pragma once

#include <Eigen/Core>

#include <string_view>

namespace crossview {

/// N pixels: 2 x N, column n = (u, v) of point n.
using Points2d = Eigen::Matrix2Xd;
/// N 3D points: 3 x N, column n = (x, y, z) of point n.
using Points3d = Eigen::Matrix3Xd;
/// Read-only point-set argument (no copy for Points2d / Points3d, Eigen::Map
/// over contiguous memory, or a block of whole columns).
using ConstPointsRef = Eigen::Ref<const Eigen::MatrixXd>;
/// Read-only per-point scalars (scores, weights), one per column.
using ConstScoresRef = Eigen::Ref<const Eigen::VectorXd>;

namespace detail {
/// Read access to the columns of a (checked) D x N point set by index:
/// columns[i] is column i as a fixed-size vector. Lets a kernel written for
/// `const Eigen::Matrix<double, D, 1>*` read an argument in place, whatever its
/// outer stride or alignment (numpy-owned buffers), without copying it.
template <int D>
struct Columns {
  const double* data;
  Eigen::Index stride;
  Eigen::Matrix<double, D, 1> operator[](Eigen::Index i) const {
    return Eigen::Map<const Eigen::Matrix<double, D, 1>>(data + i * stride);
  }
};
template <int D>
Columns<D> columns(const Eigen::Ref<const Eigen::MatrixXd>& points) {
  return {points.data(), points.outerStride()};
}

[[noreturn]] void throw_points_shape(Eigen::Index rows, Eigen::Index cols, int dim, std::string_view what,
                                     Eigen::Index count);
[[noreturn]] void throw_packed_shape(Eigen::Index rows, Eigen::Index cols, int dim, std::string_view what,
                                     Eigen::Index block);
[[noreturn]] void throw_scores_size(Eigen::Index size, Eigen::Index count, std::string_view what,
                                    bool allow_empty);
}  // namespace detail

/// Throws std::invalid_argument unless `points` has `dim` rows, and, when
/// `count` >= 0, exactly `count` columns. The message names `what` (e.g.
/// "triangulate_skeleton: keypoints_px"), the expected D x N shape and the
/// shape received, and says when the input looks transposed. The check is
/// inline (two comparisons); only the throw is out of line.
inline void require_points(const ConstPointsRef& points, int dim, std::string_view what,
                           Eigen::Index count = -1) {
  if (points.rows() != dim || (count >= 0 && points.cols() != count)) {
    detail::throw_points_shape(points.rows(), points.cols(), dim, what, count);
  }
}

/// A packed collection: throws std::invalid_argument unless `points` has `dim`
/// rows and a number of columns that is a multiple of `block` (>= 1), e.g. a
/// sequence of poses of `block` joints (3 x (F*J)). Returns the number of
/// blocks (columns / block).
inline Eigen::Index require_packed_points(const ConstPointsRef& points, int dim, Eigen::Index block,
                                          std::string_view what) {
  if (block < 1 || points.rows() != dim || points.cols() % block != 0) {
    detail::throw_packed_shape(points.rows(), points.cols(), dim, what, block);
  }
  return points.cols() / block;
}

/// Throws std::invalid_argument unless `scores` has exactly `count` entries
/// (or is empty and `allow_empty`). The message names `what`.
inline void require_scores(const ConstScoresRef& scores, Eigen::Index count, std::string_view what,
                           bool allow_empty = true) {
  if (!(allow_empty && scores.size() == 0) && scores.size() != count) {
    detail::throw_scores_size(scores.size(), count, what, allow_empty);
  }
}

}  // namespace crossview
