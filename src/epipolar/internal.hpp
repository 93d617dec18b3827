// crossview: epipolar internals shared between the src/epipolar/*.cpp files
// (not installed, not part of the public API).
#pragma once

#include <crossview/core/points.hpp>
#include <crossview/epipolar/detail/homography.hpp>
#include <crossview/epipolar/pose.hpp>
#include <crossview/epipolar/refine.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace crossview::epipolar::detail {

/// Null space of a rank-(kRows) kRows x 9 system (rows of `A`, destroyed) by
/// Gauss-Jordan elimination with complete pivoting: after elimination A P = [I | B]
/// with the column permutation P, and the null space is spanned by P [-B; I].
/// Writes the 9 - kRows basis vectors (unit norm) to `basis`. Returns false when a
/// pivot is not above `rank_tolerance` times the first one (rank-deficient
/// system) or is not finite. Fixed-size arrays only: no allocation.
template <int kRows>
bool null_space_gauss_jordan(double (&A)[kRows][9], double rank_tolerance,
                             Eigen::Matrix<double, 9, 1>* basis) {
  constexpr int kNull = 9 - kRows;
  int column_of[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  double first_pivot = 0.0;
  for (int k = 0; k < kRows; ++k) {
    int pr = k;
    int pc = k;
    double best = -1.0;
    for (int r = k; r < kRows; ++r) {
      for (int c = k; c < 9; ++c) {
        const double v = std::abs(A[r][c]);
        if (v > best) {
          best = v;
          pr = r;
          pc = c;
        }
      }
    }
    if (k == 0) first_pivot = best;
    if (!(best > rank_tolerance * first_pivot) || !std::isfinite(best)) return false;
    if (pr != k) {
      for (int c = 0; c < 9; ++c) std::swap(A[k][c], A[pr][c]);
    }
    if (pc != k) {
      for (int r = 0; r < kRows; ++r) std::swap(A[r][k], A[r][pc]);
      std::swap(column_of[k], column_of[pc]);
    }
    // Whole 9-wide rows (fixed trip count: unrolled and vectorised). Row k is zero
    // left of column k, so the entries right of k get exactly the arithmetic of a
    // trailing-part update and those left of it are unchanged; column k is then set
    // to the exact unit column.
    const double inv = 1.0 / A[k][k];
    for (int c = 0; c < 9; ++c) A[k][c] *= inv;
    A[k][k] = 1.0;
    for (int r = 0; r < kRows; ++r) {
      if (r == k) continue;
      const double f = A[r][k];
      if (f == 0.0) continue;
      for (int c = 0; c < 9; ++c) A[r][c] -= f * A[k][c];
      A[r][k] = 0.0;
    }
  }
  for (int j = 0; j < kNull; ++j) {
    Eigen::Matrix<double, 9, 1> v;
    for (int r = 0; r < kRows; ++r) v(column_of[r]) = -A[r][kRows + j];
    for (int q = 0; q < kNull; ++q) v(column_of[kRows + q]) = q == j ? 1.0 : 0.0;
    basis[j] = v / v.norm();
  }
  return true;
}

/// The same null space by Gauss-Jordan elimination with partial (row) pivoting
/// and the columns in their natural order: the fast path, about a third of the
/// complete-pivoting cost. Returns false, leaving the result undefined, as soon
/// as a pivot is not above `min_pivot_ratio` times the largest entry of `A`
/// (or is not finite): the caller then runs the complete-pivoting version on an
/// untouched copy, which picks the best-conditioned columns itself. With a
/// ratio well above the rank tolerance this keeps the complete-pivoting
/// accuracy (tests/epipolar/test_null_space.cpp) and only costs a redo on near-degenerate
/// samples.
template <int kRows>
bool null_space_partial_pivoting(double (&A)[kRows][9], double min_pivot_ratio,
                                 Eigen::Matrix<double, 9, 1>* basis) {
  constexpr int kNull = 9 - kRows;
  double largest = 0.0;
  for (int r = 0; r < kRows; ++r) {
    for (int c = 0; c < 9; ++c) largest = std::max(largest, std::abs(A[r][c]));
  }
  const double min_pivot = min_pivot_ratio * largest;
  // Columns left of k are final (unit columns of earlier pivots, zero in row
  // k), so each step only updates columns k+1..8; the step loop is unrolled so
  // that these trip counts are constants.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 8
#endif
  for (int k = 0; k < kRows; ++k) {
    int pr = k;
    for (int r = k + 1; r < kRows; ++r) pr = std::abs(A[r][k]) > std::abs(A[pr][k]) ? r : pr;
    if (!(std::abs(A[pr][k]) > min_pivot) || !std::isfinite(A[pr][k])) return false;
    if (pr != k) {
      for (int c = k; c < 9; ++c) std::swap(A[k][c], A[pr][c]);
    }
    const double inv = 1.0 / A[k][k];
    for (int c = k + 1; c < 9; ++c) A[k][c] *= inv;
    for (int r = 0; r < kRows; ++r) {
      if (r == k) continue;
      const double f = A[r][k];
      for (int c = k + 1; c < 9; ++c) A[r][c] -= f * A[k][c];
    }
  }
  for (int j = 0; j < kNull; ++j) {
    Eigen::Matrix<double, 9, 1> v;
    for (int r = 0; r < kRows; ++r) v(r) = -A[r][kRows + j];
    for (int q = 0; q < kNull; ++q) v(kRows + q) = q == j ? 1.0 : 0.0;
    basis[j] = v / v.norm();
  }
  return true;
}

/// The null space of `A` (left unchanged) by partial pivoting, redone by complete
/// pivoting on `A` when a pivot is below `min_pivot_ratio` of the largest entry.
/// Returns false when complete pivoting finds the system rank-deficient.
template <int kRows>
bool null_space_partial_then_complete(const double (&A)[kRows][9], double min_pivot_ratio,
                                      double rank_tolerance, Eigen::Matrix<double, 9, 1>* basis) {
  double work[kRows][9];
  std::copy(&A[0][0], &A[0][0] + kRows * 9, &work[0][0]);
  if (null_space_partial_pivoting<kRows>(work, min_pivot_ratio, basis)) return true;
  std::copy(&A[0][0], &A[0][0] + kRows * 9, &work[0][0]);
  return null_space_gauss_jordan<kRows>(work, rank_tolerance, basis);
}

/// Adjugate (transposed cofactor matrix) of a 3x3 matrix: adj(M) M = det(M) I.
inline Eigen::Matrix3d adjugate(const Eigen::Matrix3d& M) {
  Eigen::Matrix3d adj;
  adj(0, 0) = M(1, 1) * M(2, 2) - M(1, 2) * M(2, 1);
  adj(0, 1) = M(0, 2) * M(2, 1) - M(0, 1) * M(2, 2);
  adj(0, 2) = M(0, 1) * M(1, 2) - M(0, 2) * M(1, 1);
  adj(1, 0) = M(1, 2) * M(2, 0) - M(1, 0) * M(2, 2);
  adj(1, 1) = M(0, 0) * M(2, 2) - M(0, 2) * M(2, 0);
  adj(1, 2) = M(0, 2) * M(1, 0) - M(0, 0) * M(1, 2);
  adj(2, 0) = M(1, 0) * M(2, 1) - M(1, 1) * M(2, 0);
  adj(2, 1) = M(0, 1) * M(2, 0) - M(0, 0) * M(2, 1);
  adj(2, 2) = M(0, 0) * M(1, 1) - M(0, 1) * M(1, 0);
  return adj;
}

/// Null vector of a (numerically) rank-2 3x3 matrix: the largest of the cross
/// products of its rows (every one is orthogonal to all three rows). Not normalised;
/// zero when the rank is below 2.
inline Eigen::Vector3d null_vector_of_rows(const Eigen::Matrix3d& M) {
  const Eigen::Vector3d c01 = M.row(0).cross(M.row(1));
  const Eigen::Vector3d c02 = M.row(0).cross(M.row(2));
  const Eigen::Vector3d c12 = M.row(1).cross(M.row(2));
  const double n01 = c01.squaredNorm();
  const double n02 = c02.squaredNorm();
  const double n12 = c12.squaredNorm();
  return (n01 >= n02 && n01 >= n12) ? c01 : (n02 >= n12 ? c02 : c12);
}

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

/// Copies the columns of a D x N point set (shape already checked) into out[0..N):
/// raw access through the Ref's run-time outer stride, the cheapest read of an
/// arbitrary (possibly unaligned, numpy-owned) buffer into aligned Eigen vectors.
template <int D>
inline void copy_columns(const ConstPointsRef& points, Eigen::Matrix<double, D, 1>* out) {
  const double* p = points.data();
  const Eigen::Index stride = points.outerStride();
  for (Eigen::Index i = 0; i < points.cols(); ++i, p += stride) {
    out[i] = Eigen::Map<const Eigen::Matrix<double, D, 1>>(p);
  }
}

// --- Pointer kernels -----------------------------------------------------------
// The public solvers (essential.hpp, fundamental.hpp, pose.hpp, refine.hpp) take
// 2 x N / 3 x N point sets, check their shapes and call these unchecked kernels on
// contiguous Eigen vectors; RANSAC's estimators call them directly on their
// samples. Documentation in the public headers.

/// The 5-point solver on rays1[0..5), rays2[0..5). Defined in essential.cpp.
int essential_5point(const Eigen::Vector3d* rays1, const Eigen::Vector3d* rays2,
                     std::vector<Eigen::Matrix3d>* essentials);
/// The normalized 8-point on `num_points` pairs (weights may be nullptr).
/// Defined in fundamental.cpp.
int fundamental_8point(const Eigen::Vector2d* points1, const Eigen::Vector2d* points2, int num_points,
                       Eigen::Matrix3d* F, const double* weights);
/// The 7-point solver on points1[0..7), points2[0..7). Defined in fundamental.cpp.
int fundamental_7point(const Eigen::Vector2d* points1, const Eigen::Vector2d* points2,
                       std::vector<Eigen::Matrix3d>* fundamentals);
/// The oriented epipolar constraint on `num_points` pairs. Defined in fundamental.cpp.
bool oriented_epipolar_consistent(const Eigen::Matrix3d& F, const Eigen::Vector2d* points1,
                                  const Eigen::Vector2d* points2, int num_points);
/// recover_pose on `n` pairs (options already validated). Defined in pose.cpp.
RecoverPoseResult recover_pose(const Eigen::Matrix3d& E, const Eigen::Vector2d* normalized1,
                               const Eigen::Vector2d* normalized2, int n, const RecoverPoseOptions& options);
/// refine_relative_pose on `num` pairs (mask empty or `num` entries, options
/// validated). Defined in refine.cpp.
RefineSummary refine_relative_pose(const Eigen::Vector2d* normalized1, const Eigen::Vector2d* normalized2,
                                   int num, const std::vector<char>& inlier_mask,
                                   camera::Rigid3d* cam2_from_cam1, const RefineOptions& options);

/// Scales *m to unit Frobenius norm, dividing by its largest entry first: the
/// norm of entries beyond ~1e154 overflows (and m / inf = 0), below ~1e-154 it
/// underflows (found by fuzz_epipolar). False, *m untouched, when *m is zero or
/// not finite.
inline bool normalize_frobenius(Eigen::Matrix3d* m) {
  const double largest = m->cwiseAbs().maxCoeff();
  if (!(largest > 0.0) || !m->allFinite()) return false;
  const Eigen::Matrix3d scaled = *m / largest;
  const double norm = scaled.norm();
  if (!(norm > 0.0) || !std::isfinite(norm)) return false;
  *m = scaled / norm;
  return true;
}

/// RANSAC estimator for robust::ransac over a subset of correspondences.
struct HomographyEstimator {
  using Model = Eigen::Matrix3d;
  static constexpr int kMinSampleSize = 4;
  const Eigen::Vector2d* x1;
  const Eigen::Vector2d* x2;
  const int* subset;  ///< data point k is correspondence subset[k]
  int num;

  int num_data() const { return num; }
  int minimal_solve(const int* sample, std::vector<Model>* models) const {
    int idx[4];
    for (int k = 0; k < 4; ++k) idx[k] = subset[sample[k]];
    Eigen::Matrix3d H;
    if (!homography_4point(x1, x2, idx, &H)) return 0;
    models->push_back(H);
    return 1;
  }
  bool refit(const int* indices, int n, const double* weights, Model* H) const {
    std::vector<int> idx(n);
    for (int k = 0; k < n; ++k) idx[k] = subset[indices[k]];
    return homography_dlt(x1, x2, idx.data(), n, weights, H);
  }
  double squared_residual(const Model& H, int k) const {
    return homography_transfer_error_squared(H, x1[subset[k]], x2[subset[k]]);
  }
};

}  // namespace crossview::epipolar::detail
