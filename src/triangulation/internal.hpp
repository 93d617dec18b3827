// crossview: triangulation internals shared between src/triangulation/*.cpp
// (not installed, not part of the public API): the unchecked pointer kernels
// behind the public functions of linear.hpp and refine.hpp. triangulate() calls
// them on its per-thread scratch arrays (no allocation in steady state); the
// public functions check the 2 x V / 3 x V point sets and call them.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>
#include <crossview/triangulation/linear.hpp>
#include <crossview/triangulation/refine.hpp>

#include <Eigen/Core>

namespace crossview::triangulation::detail {

/// Weighted DLT on `num_views` projections / pixels (weights may be nullptr).
bool triangulate_dlt_homogeneous(const Matrix34d* projections, const Eigen::Vector2d* points_px,
                                 const double* weights, int num_views, Eigen::Vector4d* point_homogeneous);
Status triangulate_dlt(const Matrix34d* projections, const Eigen::Vector2d* points_px, const double* weights,
                       int num_views, Eigen::Vector3d* point_in_world);
/// Weighted midpoint of `num_views` rays (weights may be nullptr).
Status triangulate_midpoint(const Eigen::Vector3d* centers_in_world, const Eigen::Vector3d* directions_in_world,
                            const double* weights, int num_views, Eigen::Vector3d* point_in_world);
/// LM refinement over `num_views` cameras / pixels (weights may be nullptr;
/// reprojection_errors_px, when given, has num_views entries).
RefineSummary refine_point(const camera::Camera* const* cameras, const Eigen::Vector2d* pixels_px,
                           const double* weights, int num_views, const RefineOptions& options,
                           Eigen::Vector3d* point_in_world, double* reprojection_errors_px = nullptr);

/// Copies the columns of a D x N point set (shape already checked) into out[0..N)
/// through the Ref's run-time outer stride (any numpy-owned, unaligned buffer).
template <int D>
inline void copy_columns(const ConstPointsRef& points, Eigen::Matrix<double, D, 1>* out) {
  const double* p = points.data();
  const Eigen::Index stride = points.outerStride();
  for (Eigen::Index i = 0; i < points.cols(); ++i, p += stride) {
    out[i] = Eigen::Map<const Eigen::Matrix<double, D, 1>>(p);
  }
}

}  // namespace crossview::triangulation::detail
