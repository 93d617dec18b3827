// The 7x9 / 8x9 null spaces by partial pivoting (the fast path of the 7- and
// 8-point solvers, src/epipolar/internal.hpp) against complete pivoting on the
// Hartley-normalized systems of RANSAC samples: same spans, rare redo.
#include "internal.hpp"

#include "two_view_scene.hpp"

#include <catch2/catch.hpp>

#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <vector>

namespace {
using crossview::epipolar::detail::null_space_gauss_jordan;
using crossview::epipolar::detail::null_space_partial_pivoting;

/// Rows (kron(x2, x1) of per-sample Hartley-normalized points) of `kRows`
/// random correspondences of the scene.
template <int kRows>
void sample_system(const crossview_test::TwoViewScene& s, crossview_test::Rng& rng, double (&A)[kRows][9]) {
  const int n = static_cast<int>(s.points1_px.cols());
  int idx[kRows];
  for (int k = 0; k < kRows; ++k) idx[k] = std::min(n - 1, static_cast<int>(rng.uniform(0.0, n)));
  Eigen::Vector2d m1 = Eigen::Vector2d::Zero(), m2 = Eigen::Vector2d::Zero();
  for (int k = 0; k < kRows; ++k) {
    m1 += s.points1_px.col(idx[k]);
    m2 += s.points2_px.col(idx[k]);
  }
  m1 /= kRows;
  m2 /= kRows;
  double d1 = 0.0, d2 = 0.0;
  for (int k = 0; k < kRows; ++k) {
    d1 += (s.points1_px.col(idx[k]) - m1).norm();
    d2 += (s.points2_px.col(idx[k]) - m2).norm();
  }
  const double s1 = std::sqrt(2.0) * kRows / d1, s2 = std::sqrt(2.0) * kRows / d2;
  for (int k = 0; k < kRows; ++k) {
    const Eigen::Vector2d a = s1 * (s.points1_px.col(idx[k]) - m1), b = s2 * (s.points2_px.col(idx[k]) - m2);
    const double r[9] = {b.x() * a.x(), b.x() * a.y(), b.x(), b.y() * a.x(), b.y() * a.y(), b.y(), a.x(), a.y(), 1.0};
    std::copy(r, r + 9, A[k]);
  }
}

template <int kRows>
void compare_pivoting(double ratio, double max_redo_fraction) {
  constexpr int kNull = 9 - kRows;
  int compared = 0, redone = 0;
  double worst = 0.0;
  for (int sc = 0; sc < 24; ++sc) {
    crossview_test::TwoViewSceneOptions o;
    o.num_points = 600;
    o.outlier_ratio = sc % 2 ? 0.5 : 0.0;
    o.noise_px = sc % 4 < 2 ? 0.0 : 0.5;
    if (sc % 6 == 5) {  // nearly planar: many ill-conditioned samples
      o.planar = true;
      o.num_off_plane = 30;
    }
    const auto s = crossview_test::make_two_view_scene(300 + sc, o);
    crossview_test::Rng rng(sc);
    for (int it = 0; it < 300; ++it) {
      double A[kRows][9], B[kRows][9];
      sample_system<kRows>(s, rng, A);
      std::copy(&A[0][0], &A[0][0] + kRows * 9, &B[0][0]);
      Eigen::Matrix<double, 9, 1> complete[kNull], partial[kNull];
      if (!null_space_gauss_jordan<kRows>(A, 1e-9, complete)) continue;
      ++compared;
      if (!null_space_partial_pivoting<kRows>(B, ratio, partial)) {
        ++redone;
        continue;
      }
      Eigen::Matrix<double, 9, kNull> span;
      for (int j = 0; j < kNull; ++j) span.col(j) = complete[j];
      const Eigen::HouseholderQR<Eigen::Matrix<double, 9, kNull>> qr(span);
      const Eigen::Matrix<double, 9, kNull> q = qr.householderQ() * Eigen::Matrix<double, 9, kNull>::Identity();
      for (int j = 0; j < kNull; ++j) {
        worst = std::max(worst, (partial[j] - q * (q.transpose() * partial[j])).norm());
      }
    }
  }
  INFO(compared << " systems, " << redone << " redone, largest span distance " << worst);
  REQUIRE(compared > 6000);
  CHECK(worst < 1e-12);
  CHECK(redone < max_redo_fraction * compared);
  CHECK(redone > 0);  // near-planar scenes do produce small pivots
}
}  // namespace

TEST_CASE("Partial pivoting gives the complete-pivoting null space (7x9)", "[epipolar][null_space]") {
  compare_pivoting<7>(1e-3, 0.05);
}

TEST_CASE("Partial pivoting gives the complete-pivoting null space (8x9)", "[epipolar][null_space]") {
  // The 8x9 systems redo more often (measured 11.5 %; the 8-point minimal solver is
  // not RANSAC's, and the fast path still pays: 1.97 -> 1.58 us per solve).
  compare_pivoting<8>(1e-3, 0.2);
}

TEST_CASE("Partial pivoting refuses singular and non-finite systems", "[epipolar][null_space]") {
  double A[7][9];
  for (int r = 0; r < 7; ++r)
    for (int c = 0; c < 9; ++c) A[r][c] = (r % 3 + 1) * (c + 1.0);  // rank 1
  Eigen::Matrix<double, 9, 1> basis[2];
  CHECK_FALSE(null_space_partial_pivoting<7>(A, 1e-3, basis));
  for (int r = 0; r < 7; ++r)
    for (int c = 0; c < 9; ++c) A[r][c] = std::sin(1.0 + r * 9 + c);
  A[3][4] = std::nan("");
  CHECK_FALSE(null_space_partial_pivoting<7>(A, 1e-3, basis));
}
