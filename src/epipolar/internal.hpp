// crossview: epipolar internals shared between the src/epipolar/*.cpp files
// (not installed, not part of the public API).
#pragma once

#include <crossview/epipolar/refine.hpp>

#include <Eigen/Core>

namespace crossview::epipolar::detail {

/// Linear two-view triangulation in camera-1 coordinates: the depths (d1, d2) that
/// minimise |d1 R x1 + t - d2 x2|^2 for homogeneous normalized points x1 = (u1, v1, 1),
/// x2 = (u2, v2, 1) (so d1, d2 are the depths along z in camera 1 and camera 2; the
/// point is d1 x1). Returns false for (near-)parallel rays (no unique depths).
/// Defined in pose.cpp.
bool triangulate_depths(const Eigen::Matrix3d& R, const Eigen::Vector3d& t,
                        const Eigen::Vector3d& x1, const Eigen::Vector3d& x2, double* d1,
                        double* d2);

/// LM on rank-2 F over pixel correspondences (indices may be nullptr = 0..num-1,
/// weights optional); costs reported in pixels^2. Defined in refine.cpp.
RefineSummary refine_fundamental_lm(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2,
                                    const int* indices, int num, const double* weights,
                                    const RefineOptions& options, Eigen::Matrix3d* F);

/// LM on E = [t]x R (5 dof: R <- R exp([w]x), unit t in its tangent plane) over
/// `num` normalized correspondences (indices may be nullptr = 0..num-1, weights
/// optional, indexed like `indices`); *R, *t are updated on success. Fewer than 5
/// correspondences: unchanged, success == false. Defined in refine.cpp.
RefineSummary refine_essential_lm(const Eigen::Vector2d* x1, const Eigen::Vector2d* x2,
                                  const int* indices, int num, const double* weights,
                                  const RefineOptions& options, Eigen::Matrix3d* R,
                                  Eigen::Vector3d* t);

}  // namespace crossview::epipolar::detail
