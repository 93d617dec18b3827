// Example: refine a rough 3D pose with RPSM from multi-view 2D heatmaps.
//
// Heatmaps are rendered here as Gaussians around the synthetic scene's detections
// (64 x 64 on a crop around the person). With your own detector, fill
// pose::ViewHeatmaps with its output and the crop's affine map.
#include <crossview/pose/heatmaps.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/rpsm/rpsm.hpp>
#include <crossview/sim/scene.hpp>

#include <algorithm>
#include <cstdio>
#include <random>
#include <vector>

int main() {
  using namespace crossview;
  sim::SceneOptions scene_options;
  scene_options.num_frames = 1;
  scene_options.outlier_rate = 0.0;
  const sim::Scene scene = sim::make_scene(scene_options);
  const pose::Skeleton skeleton = pose::human36m_17();  // limb priors in mm

  std::vector<pose::HeatmapView> views;
  const int J = skeleton.num_joints();
  const sim::FrameDetections& detections = scene.detections[0];  // 2 x (V*J), column v*J + j
  for (size_t v = 0; v < scene.cameras.size(); ++v) {
    const auto kp = detections.keypoints_px.middleCols(static_cast<Eigen::Index>(v) * J, J);  // 2 x J of view v
    const auto scores = detections.scores.segment(static_cast<Eigen::Index>(v) * J, J);
    // The box around the detected joints (missed ones are NaN).
    Eigen::Vector2d lo = Eigen::Vector2d::Constant(1e300), hi = -lo;
    for (int j = 0; j < J; ++j) {
      if (!(scores(j) > 0.0)) continue;
      lo = lo.cwiseMin(kp.col(j));
      hi = hi.cwiseMax(kp.col(j));
    }
    const double side = 1.2 * (hi - lo).maxCoeff() + 40.0;
    const Eigen::Vector2d corner = 0.5 * (lo + hi) - Eigen::Vector2d::Constant(0.5 * side);
    const pose::Affine2d image_from_heatmap = pose::image_from_heatmap_for_box(corner.x(), corner.y(), side, side, 64, 64);
    views.push_back({scene.cameras[v], pose::render_gaussian_heatmaps(kp, scores, 64, 64, image_from_heatmap, 2.0)});
  }
  // A rough initial pose: the truth with 80 mm of noise per joint.
  std::mt19937_64 rng(3);
  std::normal_distribution<double> noise(0.0, 80.0);
  Eigen::Matrix3Xd initial = scene.pose(0);  // 3 x J
  for (int j = 0; j < initial.cols(); ++j) initial.col(j) += Eigen::Vector3d(noise(rng), noise(rng), noise(rng));

  const rpsm::RpsmResult r = rpsm::refine(views, skeleton, initial);
  if (!r.success()) {
    std::printf("RPSM failed: %s\n", r.message.c_str());
    return 1;
  }
  const Eigen::Matrix3Xd truth = scene.pose(0);
  const double before = (initial - truth).colwise().norm().mean();
  const double after = (r.joints_in_world - truth).colwise().norm().mean();
  std::printf("mean joint error: initial %.1f mm -> RPSM %.1f mm (%d levels, %.2f ms)\n", before, after,
              r.levels_completed, r.timings.recursion_ms);
  return after < before ? 0 : 1;
}
