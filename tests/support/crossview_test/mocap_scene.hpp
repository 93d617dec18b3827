// Real-data scene for the rpsm tests and benchmark: CMU mocap 131_01 mapped to
// the 17 Human3.6M joints (mm, Z-up), centred on the Human3.6M capture area,
// seen by the real Human3.6M cameras of subject S1. Needs crossview::io.
#pragma once

#include <crossview/io/bvh.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/triangulation/triangulate.hpp>
#include <crossview_test/points.hpp>
#include <crossview_test/pose_scene.hpp>
#include <crossview_test/random.hpp>

#include <Eigen/Core>

#include <string>
#include <vector>

namespace crossview_test {

struct MocapScene {
  std::vector<crossview::camera::Camera> cameras;
  /// The sampled frames packed 3 x (F*17) (column f*17 + j), mm, H36M world
  /// frame (Z up), joints in pose::h36m order.
  crossview::Points3d poses;
  int num_frames() const { return static_cast<int>(poses.cols() / crossview::pose::h36m::kNumJoints); }
  /// Frame f, 3 x 17.
  Eigen::Matrix3Xd pose(std::size_t f) const {
    constexpr Eigen::Index J = crossview::pose::h36m::kNumJoints;
    return poses.middleCols(static_cast<Eigen::Index>(f) * J, J);
  }
};

/// Every `stride`-th frame of 131_01.bvh. The clip is translated so that its
/// mean root position sits at the H36M world origin horizontally (the floor
/// stays at z = 0 up to the mocap's own floor offset).
inline MocapScene load_mocap_scene(int stride) {
  MocapScene s;
  s.cameras = crossview::io::read_h36m_json(shared_data("h36m/camera-parameters.json"), "S1").cameras;
  const auto motion = crossview::io::read_bvh(shared_data("cmu_mocap/131_01.bvh"));
  crossview::io::BvhToH36mOptions o;
  o.z_up = true;
  const crossview::Points3d all = crossview::io::to_h36m_17(motion, o);  // 3 x (F*17)
  constexpr Eigen::Index J = crossview::pose::h36m::kNumJoints;
  const Eigen::Index num_all = all.cols() / J;
  Eigen::Vector2d mean_root = Eigen::Vector2d::Zero();
  for (Eigen::Index f = 0; f < num_all; ++f) mean_root += all.col(f * J).head<2>() / static_cast<double>(num_all);
  std::vector<Eigen::Matrix3Xd> sampled;
  for (Eigen::Index f = 0; f < num_all; f += stride) {
    Eigen::Matrix3Xd p = all.middleCols(f * J, J);
    p.row(0).array() -= mean_root.x();
    p.row(1).array() -= mean_root.y();
    sampled.push_back(p);
  }
  s.poses = pack(sampled);
  return s;
}

/// Frame f of `scene` in the RPSM issue's reference setup: 80 x 80 sigma-2
/// heatmaps on fixed 320 x 320 image-px crops centred on the person (4 image
/// px per heatmap px), every 2D centre displaced by `noise` heatmap px in a
/// random direction (Rng(seed + 1000 f)). `centres` gets the displaced 2D
/// centres the heatmaps were drawn from, per view.
inline bool render_reference_setup(const MocapScene& scene, std::size_t f, double noise, std::uint64_t seed,
                                   std::vector<crossview::pose::HeatmapView>* views,
                                   std::vector<Eigen::Matrix2Xd>* centres) {
  Rng rng(seed + 1000 * f);
  HeatmapSceneOptions so;
  so.heatmap_width = so.heatmap_height = 80;
  so.crop_side_px = 320.0;
  so.noise_heatmap_px = noise;
  return render_views(scene.cameras, scene.pose(f), so, rng, views, centres);
}

/// The per-joint oracle: mean distance to `gt` of the optimal triangulation
/// (DLT + reprojection-error LM) of each joint's exact 2D centres in all
/// views (no heatmap, no crop), the floor of any per-joint estimate.
inline double oracle_triangulation_error(const std::vector<crossview::camera::Camera>& cameras,
                                         const std::vector<Eigen::Matrix2Xd>& centres,
                                         const Eigen::Matrix3Xd& gt) {
  double sum = 0.0;
  for (int j = 0; j < gt.cols(); ++j) {
    Eigen::Matrix2Xd px(2, static_cast<Eigen::Index>(centres.size()));  // column v = view v
    for (std::size_t v = 0; v < centres.size(); ++v) px.col(static_cast<Eigen::Index>(v)) = centres[v].col(j);
    sum += (crossview::triangulation::triangulate(cameras, px).point_in_world - gt.col(j)).norm();
  }
  return sum / static_cast<double>(gt.cols());
}

}  // namespace crossview_test
