// Fuzzes triangulation::triangulate (every Method, refinement on/off, robust
// options) and triangulate_skeleton.
//
// Input layout (FuzzedDataProvider): entry byte, 2-5 cameras (realistic, from
// bytes, or raw parameters), options, then observations: projections of a
// point given by bytes with noise, occasionally replaced by raw values (NaN,
// Inf, 1e300), or raw pixels; confidences sane or raw. At most kMaxViews views
// and kMaxJoints joints.
//
// Contracts checked:
//   * only std::invalid_argument escapes (camera constructor, size mismatch,
//     invalid options);
//   * ok() implies a finite point, non-empty used_views (valid view indices),
//     finite reprojection errors on the used views, one error per view;
//   * every failure carries a non-empty message;
//   * triangulate_skeleton: one result per joint, points_in_world column j equal
//     to joints[j].point_in_world, num_success = number of ok() joints.
#include "fuzz_decode.hpp"

#include <crossview/triangulation/triangulate.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace {

namespace tri = crossview::triangulation;
using crossview::camera::Camera;
using crossview::fuzz::mostly_sane;
using crossview::fuzz::raw_double;

constexpr int kMaxViews = 4;
constexpr int kMaxJoints = 4;

void check_result(const tri::TriangulationResult& r, std::size_t num_views) {
  if (r.ok()) {
    CROSSVIEW_FUZZ_CHECK(r.point_in_world.allFinite());
    CROSSVIEW_FUZZ_CHECK(!r.used_views.empty());
    CROSSVIEW_FUZZ_CHECK(r.reprojection_error_px.size() == num_views);
    for (int v : r.used_views) {
      CROSSVIEW_FUZZ_CHECK(v >= 0 && static_cast<std::size_t>(v) < num_views);
      CROSSVIEW_FUZZ_CHECK(std::isfinite(r.reprojection_error_px[v]) && r.reprojection_error_px[v] >= 0.0);
    }
    CROSSVIEW_FUZZ_CHECK(std::isfinite(r.mean_reprojection_error_px));
  } else {
    CROSSVIEW_FUZZ_CHECK(!r.message.empty());
  }
}

Eigen::Vector2d observe(FuzzedDataProvider& fdp, const Camera& cam, const Eigen::Vector3d& X) {
  Eigen::Vector2d px(raw_double(fdp), raw_double(fdp));
  const int kind = fdp.ConsumeIntegralInRange<int>(0, 7);
  if (kind >= 2) {
    Eigen::Vector2d p;
    if (cam.project(X, &p) == crossview::camera::ProjectionStatus::kSuccess) {
      px = p + Eigen::Vector2d(mostly_sane(fdp, -2, 2), mostly_sane(fdp, -2, 2));
    }
  }
  return px;  // kind 0, 1 or an unprojectable point: raw bytes
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const bool skeleton = fdp.ConsumeBool();
  const int num_views = fdp.ConsumeIntegralInRange<int>(0, kMaxViews);
  std::vector<Camera> cameras;
  try {
    for (int v = 0; v < num_views; ++v) {
      const bool sane = (fdp.ConsumeIntegral<std::uint8_t>() & 7u) != 0;
      cameras.push_back(crossview::fuzz::make_camera(fdp, sane, "cam" + std::to_string(v)));
    }
  } catch (const std::invalid_argument&) {
    return 0;
  }
  tri::TriangulationOptions o;
  o.method = static_cast<tri::Method>(fdp.ConsumeIntegralInRange<int>(0, static_cast<int>(tri::Method::kRobustDlt)));
  o.refine = fdp.ConsumeBool();
  o.refinement.max_iterations = fdp.ConsumeIntegralInRange<int>(1, 8);
  o.refinement.loss = static_cast<decltype(o.refinement.loss)>(fdp.ConsumeIntegralInRange<int>(0, 2));
  o.min_confidence = fdp.ConsumeBool() ? 0.0 : mostly_sane(fdp, 0, 1);
  o.weight_by_confidence = fdp.ConsumeBool();
  o.min_triangulation_angle_deg = fdp.ConsumeBool() ? 0.1 : mostly_sane(fdp, 0, 10);
  o.robust.inlier_threshold_px = fdp.ConsumeBool() ? 10.0 : mostly_sane(fdp, 0.1, 100);
  o.robust.max_hypotheses = fdp.ConsumeIntegralInRange<int>(1, 8);
  o.robust.seed = fdp.ConsumeIntegral<std::uint16_t>();
  o.robust.max_median_iterations = fdp.ConsumeIntegralInRange<int>(1, 20);
  const bool with_conf = fdp.ConsumeBool();

  try {
    if (!skeleton) {
      const Eigen::Vector3d X(mostly_sane(fdp, -1, 1), mostly_sane(fdp, -1, 1), mostly_sane(fdp, -1, 1));
      crossview::Points2d pixels(2, num_views);  // column v = view v
      Eigen::VectorXd conf(with_conf ? num_views : 0);
      for (int v = 0; v < num_views; ++v) {
        pixels.col(v) = observe(fdp, cameras[v], X);
        if (with_conf) conf(v) = mostly_sane(fdp, 0, 1);
      }
      // A size mismatch now and then (must throw std::invalid_argument).
      if (fdp.ConsumeIntegralInRange<int>(0, 31) == 0 && pixels.cols() > 0) pixels.conservativeResize(2, num_views - 1);
      const tri::TriangulationResult r = tri::triangulate(cameras, pixels, conf, o);
      check_result(r, cameras.size());
    } else {
      const int J = fdp.ConsumeIntegralInRange<int>(0, kMaxJoints);
      std::vector<Eigen::Vector3d> joints;
      for (int j = 0; j < J; ++j) {
        joints.emplace_back(mostly_sane(fdp, -1, 1), mostly_sane(fdp, -1, 1), mostly_sane(fdp, -1, 1));
      }
      crossview::Points2d keypoints(2, num_views * J);  // column v*J + j
      Eigen::VectorXd conf(with_conf ? num_views * J : 0);
      for (int v = 0; v < num_views; ++v) {
        for (int j = 0; j < J; ++j) keypoints.col(v * J + j) = observe(fdp, cameras[v], joints[j]);
        if (with_conf) {
          for (int j = 0; j < J; ++j) conf(v * J + j) = mostly_sane(fdp, 0, 1);
        }
      }
      const tri::SkeletonResult r = tri::triangulate_skeleton(cameras, keypoints, conf, o);
      // With no view the joint count is unknown: an empty result (documented in docs/robustness.md).
      const int expected_joints = num_views > 0 ? J : 0;
      CROSSVIEW_FUZZ_CHECK(static_cast<int>(r.joints.size()) == expected_joints &&
                           r.points_in_world.cols() == expected_joints);
      int num_ok = 0;
      for (int j = 0; j < expected_joints; ++j) {
        check_result(r.joints[j], cameras.size());
        num_ok += r.joints[j].ok() ? 1 : 0;
        if (r.joints[j].ok()) {
          CROSSVIEW_FUZZ_CHECK((r.points_in_world.col(j) - r.joints[j].point_in_world).norm() == 0.0);
        }
      }
      CROSSVIEW_FUZZ_CHECK(num_ok == r.num_success);
    }
  } catch (const std::invalid_argument&) {
    return 0;
  }
  return 0;
}
