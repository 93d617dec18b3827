// Example: triangulate one skeleton seen by several calibrated cameras.
//
// The cameras and 2D detections come from crossview's synthetic scene (a ring of
// cameras with distortion; detections with noise, misses and outliers). With your
// own data, fill `cameras` (intrinsics + cam_from_world) and, per camera, a J x 2
// matrix of distorted pixels and J confidences (0 = not detected).
#include <crossview/sim/scene.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include <cstdio>
#include <vector>

int main() {
  using namespace crossview;
  sim::SceneOptions scene_options;
  scene_options.num_frames = 1;
  const sim::Scene scene = sim::make_scene(scene_options);

  std::vector<Eigen::MatrixX2d> pixels;   // per camera: J x 2 (u, v), distorted image
  std::vector<Eigen::VectorXd> confidences;  // per camera: J scores, 0 = missing
  for (const sim::Keypoints2d& detections : scene.detections[0]) {
    pixels.push_back(detections.leftCols<2>());
    confidences.push_back(detections.col(2));
  }
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
    const Eigen::Vector3d truth = scene.poses_in_world[0].row(j).transpose();
    std::printf("%-6d %8.1f %8.1f %8.1f %10.2f %7zu %10.2f\n", j, r.point_in_world.x(), r.point_in_world.y(),
                r.point_in_world.z(), (r.point_in_world - truth).norm(), r.used_views.size(),
                r.mean_reprojection_error_px);
  }
  std::printf("%d of %zu joints triangulated\n", result.num_success, result.joints.size());
  return result.num_success > 0 ? 0 : 1;
}
