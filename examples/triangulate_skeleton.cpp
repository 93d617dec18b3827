// Example: triangulate one skeleton seen by several calibrated cameras.
//
// The cameras and 2D detections come from crossview's synthetic scene (a ring of
// cameras with distortion; detections with noise, misses and outliers). With your
// own data, fill `cameras` (intrinsics + cam_from_world) and the frame's detections
// packed view-major: a 2 x (V*J) matrix of distorted pixels, column v*J + j = joint
// j in camera v (numpy (V, J, 2) C-order, no copy), and V*J confidences (0 = not
// detected). See docs/conventions.md#array-layouts.
#include <crossview/sim/scene.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include <cstdio>
#include <vector>

int main() {
  using namespace crossview;
  sim::SceneOptions scene_options;
  scene_options.num_frames = 1;
  const sim::Scene scene = sim::make_scene(scene_options);

  const Points2d& pixels = scene.detections[0].keypoints_px;      // column v*J + j: joint j in camera v
  const Eigen::VectorXd& confidences = scene.detections[0].scores;  // aligned with the columns, 0 = missing
  triangulation::TriangulationOptions options;
  options.method = triangulation::Method::kRobust;  // tolerates outlier views
  options.robust.seed = 7;                           // deterministic
  const triangulation::SkeletonResult result =
      triangulation::triangulate_skeleton(scene.cameras, pixels, confidences, options);

  std::printf("%-6s %8s %8s %8s %10s %7s %10s\n", "joint", "x [mm]", "y [mm]", "z [mm]", "error [mm]", "views",
              "reproj[px]");
  for (int j = 0; j < static_cast<int>(result.joints.size()); ++j) {
    const triangulation::TriangulationResult& r = result.joints[j];
    if (!r.ok()) {
      std::printf("%-6d %s\n", j, r.message.c_str());  // a status, never a silent NaN
      continue;
    }
    const Eigen::Vector3d truth = scene.pose(0).col(j);
    std::printf("%-6d %8.1f %8.1f %8.1f %10.2f %7zu %10.2f\n", j, r.point_in_world.x(), r.point_in_world.y(),
                r.point_in_world.z(), (r.point_in_world - truth).norm(), r.used_views.size(),
                r.mean_reprojection_error_px);
  }
  std::printf("%d of %zu joints triangulated\n", result.num_success, result.joints.size());
  return result.num_success > 0 ? 0 : 1;
}
