// Fuzzes the two-view solvers: estimate_fundamental, estimate_essential (with
// fuzzed cameras), fundamental_8point, fundamental_7point, essential_5point and
// recover_pose.
//
// Input layout (FuzzedDataProvider): entry-point byte, "scene" flag, options,
// then either a synthetic scene (a relative pose and 3D points from bytes,
// projected, with a few values replaced by raw bytes: NaN/Inf/huge/duplicates)
// or raw correspondences. At most kMaxPoints correspondences and
// kMaxIterations RANSAC iterations keep one input well under a millisecond.
//
// Contracts checked:
//   * only std::invalid_argument escapes (size mismatch / invalid options);
//   * success implies finite F / E / pose, |t| = 1, masks of the input size,
//     num_inliers = number of set mask entries;
//   * every non-success status carries a non-empty message;
//   * minimal solvers return the number of solutions they stored, all finite.
#include "fuzz_decode.hpp"

#include <crossview/epipolar/estimate.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace {

namespace ep = crossview::epipolar;
using crossview::fuzz::mostly_sane;
using crossview::fuzz::raw_double;

constexpr int kMaxPoints = 32;
constexpr int kMaxIterations = 32;

int count_mask(const std::vector<char>& mask) {
  return static_cast<int>(std::count_if(mask.begin(), mask.end(), [](char c) { return c != 0; }));
}

// Correspondences (normalized when `normalized`, else pixels of a 1000 px focal camera).
// 2 x n point sets (column i = correspondence i).
void make_points(FuzzedDataProvider& fdp, int n, bool normalized, crossview::Points2d* p1,
                 crossview::Points2d* p2) {
  const bool scene = fdp.ConsumeBool();
  p1->resize(2, n);
  p2->resize(2, n);
  if (scene) {
    const Eigen::Matrix3d R = Eigen::AngleAxisd(mostly_sane(fdp, -0.5, 0.5), Eigen::Vector3d::UnitY()).toRotationMatrix();
    const Eigen::Vector3d t(mostly_sane(fdp, -1, 1), mostly_sane(fdp, -0.2, 0.2), mostly_sane(fdp, -0.2, 0.2));
    const bool planar = fdp.ConsumeIntegralInRange<int>(0, 7) == 0;
    const double f = normalized ? 1.0 : 1000.0, c = normalized ? 0.0 : 500.0;
    for (int i = 0; i < n; ++i) {
      const Eigen::Vector3d X(mostly_sane(fdp, -2, 2), mostly_sane(fdp, -2, 2), planar ? 6.0 : mostly_sane(fdp, 4, 10));
      const Eigen::Vector3d Y = R * X + t;
      p1->col(i) = f * X.hnormalized() + Eigen::Vector2d::Constant(c);
      p2->col(i) = f * Y.hnormalized() + Eigen::Vector2d::Constant(c);
      // Occasional outlier / bad value / duplicate.
      switch (fdp.ConsumeIntegralInRange<int>(0, 15)) {
        case 0: {
          const double u = raw_double(fdp);
          p2->col(i) = Eigen::Vector2d(u, raw_double(fdp));
          break;
        }
        case 1: (*p1)(0, i) = raw_double(fdp); break;
        case 2: if (i > 0) { p1->col(i) = p1->col(i - 1); p2->col(i) = p2->col(i - 1); } break;
        default: break;
      }
    }
  } else {
    for (int i = 0; i < n; ++i) {
      const double u1 = raw_double(fdp);
      p1->col(i) = Eigen::Vector2d(u1, raw_double(fdp));
      const double u2 = raw_double(fdp);
      p2->col(i) = Eigen::Vector2d(u2, raw_double(fdp));
    }
  }
}

void fuzz_ransac_options(FuzzedDataProvider& fdp, crossview::robust::RansacOptions* r) {
  r->max_iterations = fdp.ConsumeIntegralInRange<int>(1, kMaxIterations);
  r->min_iterations = fdp.ConsumeIntegralInRange<int>(0, r->max_iterations);
  r->local_optimization = fdp.ConsumeBool();
  r->lo_max_iterations = fdp.ConsumeIntegralInRange<int>(0, 3);
  r->sprt = fdp.ConsumeBool();
  r->seed = fdp.ConsumeIntegral<std::uint32_t>();
  r->min_num_inliers = fdp.ConsumeIntegralInRange<int>(0, 20);
}


void run_fundamental(FuzzedDataProvider& fdp) {
  ep::FundamentalOptions o;
  fuzz_ransac_options(fdp, &o.ransac);
  o.max_error_px = fdp.ConsumeBool() ? mostly_sane(fdp, 0.1, 5.0) : raw_double(fdp);
  o.check_dominant_plane = fdp.ConsumeBool();
  o.refine = fdp.ConsumeBool();
  o.refine_options.max_iterations = fdp.ConsumeIntegralInRange<int>(1, 10);
  const int n = fdp.ConsumeIntegralInRange<int>(0, kMaxPoints);
  crossview::Points2d p1, p2;
  make_points(fdp, n, false, &p1, &p2);
  Eigen::VectorXd scores;
  if (fdp.ConsumeIntegralInRange<int>(0, 3) == 0) {
    scores.resize(n);
    for (int i = 0; i < n; ++i) scores(i) = mostly_sane(fdp, 0, 1);
  }
  ep::FundamentalResult r;
  try {
    r = ep::estimate_fundamental(p1, p2, o, scores);
  } catch (const std::invalid_argument&) {
    return;
  }
  CROSSVIEW_FUZZ_CHECK(static_cast<Eigen::Index>(r.inlier_mask.size()) == p1.cols() || !r.success());
  if (r.success()) {
    CROSSVIEW_FUZZ_CHECK(r.F.allFinite());
    CROSSVIEW_FUZZ_CHECK(std::abs(r.F.norm() - 1.0) < 1e-6);
    CROSSVIEW_FUZZ_CHECK(r.num_inliers == count_mask(r.inlier_mask));
  } else {
    CROSSVIEW_FUZZ_CHECK(!r.message.empty());
  }
}

void run_essential(FuzzedDataProvider& fdp) {
  ep::EssentialOptions o;
  fuzz_ransac_options(fdp, &o.ransac);
  o.max_error_px = fdp.ConsumeBool() ? mostly_sane(fdp, 0.1, 5.0) : raw_double(fdp);
  o.refine = fdp.ConsumeBool();
  o.refine_options.max_iterations = fdp.ConsumeIntegralInRange<int>(1, 10);
  const bool sane_cams = fdp.ConsumeIntegralInRange<int>(0, 3) != 0;
  crossview::camera::Camera cam1, cam2;
  try {
    cam1 = crossview::fuzz::make_camera(fdp, sane_cams, "cam1");
    cam2 = crossview::fuzz::make_camera(fdp, sane_cams, "cam2");
  } catch (const std::invalid_argument&) {
    return;
  }
  const int n = fdp.ConsumeIntegralInRange<int>(0, kMaxPoints);
  crossview::Points2d p1, p2;
  make_points(fdp, n, false, &p1, &p2);
  ep::EssentialResult r;
  try {
    r = ep::estimate_essential(p1, p2, cam1, cam2, o);
  } catch (const std::invalid_argument&) {
    return;
  }
  if (r.success()) {
    CROSSVIEW_FUZZ_CHECK(r.E.allFinite());
    CROSSVIEW_FUZZ_CHECK(r.cam2_from_cam1.is_finite());
    CROSSVIEW_FUZZ_CHECK(std::abs(r.cam2_from_cam1.translation.norm() - 1.0) < 1e-6);
    CROSSVIEW_FUZZ_CHECK(static_cast<Eigen::Index>(r.inlier_mask.size()) == p1.cols() && static_cast<Eigen::Index>(r.cheirality_mask.size()) == p1.cols());
    CROSSVIEW_FUZZ_CHECK(r.num_inliers == count_mask(r.inlier_mask));
    CROSSVIEW_FUZZ_CHECK(r.num_in_front == count_mask(r.cheirality_mask));
  } else {
    CROSSVIEW_FUZZ_CHECK(!r.message.empty());
  }
}

void run_minimal(FuzzedDataProvider& fdp, int which) {
  const int n = which == 0 ? fdp.ConsumeIntegralInRange<int>(0, kMaxPoints) : which == 1 ? 7 : 5;
  crossview::Points2d p1, p2;
  make_points(fdp, n, which == 2, &p1, &p2);
  if (which == 0) {
    Eigen::Matrix3d F = Eigen::Matrix3d::Constant(-7.0);
    Eigen::VectorXd w;
    const bool weighted = fdp.ConsumeBool();
    if (weighted) w.resize(n);
    for (int i = 0; weighted && i < n; ++i) w(i) = mostly_sane(fdp, 0, 2);
    const int k = ep::fundamental_8point(p1, p2, &F, w);
    CROSSVIEW_FUZZ_CHECK(k == 0 || k == 1);
    if (k == 1) CROSSVIEW_FUZZ_CHECK(F.allFinite() && std::abs(F.norm() - 1.0) < 1e-6);
    if (k == 0) CROSSVIEW_FUZZ_CHECK((F.array() == -7.0).all());  // untouched
  } else if (which == 1) {
    std::vector<Eigen::Matrix3d> Fs(4, Eigen::Matrix3d::Zero());
    const int k = ep::fundamental_7point(p1, p2, &Fs);
    CROSSVIEW_FUZZ_CHECK(k >= 0 && k <= 3 && static_cast<int>(Fs.size()) == k);
    for (const auto& F : Fs) CROSSVIEW_FUZZ_CHECK(F.allFinite());
  } else {
    const crossview::Points3d r1 = p1.colwise().homogeneous();
    const crossview::Points3d r2 = p2.colwise().homogeneous();
    std::vector<Eigen::Matrix3d> Es(11, Eigen::Matrix3d::Zero());
    const int k = ep::essential_5point(r1, r2, &Es);
    CROSSVIEW_FUZZ_CHECK(k >= 0 && k <= 10 && static_cast<int>(Es.size()) == k);
    for (const auto& E : Es) CROSSVIEW_FUZZ_CHECK(E.allFinite());
  }
}

void run_recover_pose(FuzzedDataProvider& fdp) {
  const int n = fdp.ConsumeIntegralInRange<int>(0, kMaxPoints);
  crossview::Points2d p1, p2;
  make_points(fdp, n, true, &p1, &p2);
  Eigen::Matrix3d E;
  if (fdp.ConsumeBool()) {
    const Eigen::Matrix3d R =
        Eigen::AngleAxisd(mostly_sane(fdp, -0.5, 0.5), Eigen::Vector3d::UnitY()).toRotationMatrix();
    Eigen::Vector3d t(mostly_sane(fdp, -1, 1), mostly_sane(fdp, -1, 1), mostly_sane(fdp, -1, 1));
    Eigen::Matrix3d tx;
    tx << 0, -t.z(), t.y(), t.z(), 0, -t.x(), -t.y(), t.x(), 0;
    E = tx * R;
  } else {
    for (int i = 0; i < 9; ++i) E(i / 3, i % 3) = raw_double(fdp);
  }
  ep::RecoverPoseOptions o;
  o.min_triangulation_angle_deg = fdp.ConsumeFloatingPointInRange<double>(0.0, 5.0);
  ep::RecoverPoseResult r;
  try {
    r = ep::recover_pose(E, p1, p2, o);
  } catch (const std::invalid_argument&) {
    return;
  }
  if (r.success()) {
    CROSSVIEW_FUZZ_CHECK(r.cam2_from_cam1.is_finite());
    CROSSVIEW_FUZZ_CHECK(std::abs(r.cam2_from_cam1.translation.norm() - 1.0) < 1e-6);
    CROSSVIEW_FUZZ_CHECK(static_cast<Eigen::Index>(r.in_front_mask.size()) == p1.cols());
    CROSSVIEW_FUZZ_CHECK(r.num_in_front == count_mask(r.in_front_mask));
  } else {
    CROSSVIEW_FUZZ_CHECK(!r.message.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  switch (fdp.ConsumeIntegralInRange<int>(0, 5)) {
    case 0: run_fundamental(fdp); break;
    case 1: run_essential(fdp); break;
    case 2: run_minimal(fdp, 0); break;
    case 3: run_minimal(fdp, 1); break;
    case 4: run_minimal(fdp, 2); break;
    default: run_recover_pose(fdp); break;
  }
  return 0;
}
