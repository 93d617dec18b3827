// Real-data scene for the rpsm tests and benchmark: CMU mocap 131_01 mapped to
// the 17 Human3.6M joints (mm, Z-up), centred on the Human3.6M capture area,
// seen by the real Human3.6M cameras of subject S1. Needs crossview::io.
#pragma once

#include <crossview/io/bvh.hpp>
#include <crossview/io/rig.hpp>
#include <crossview_test/random.hpp>

#include <Eigen/Core>

#include <string>
#include <vector>

namespace crossview_test {

struct MocapScene {
  std::vector<crossview::camera::Camera> cameras;
  std::vector<Eigen::Matrix3Xd> poses;  ///< 3 x 17, mm, H36M world frame (Z up)
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
  const auto all = crossview::io::to_h36m_17(motion, o);
  Eigen::Vector2d mean_root = Eigen::Vector2d::Zero();
  for (const auto& p : all) mean_root += p.row(0).head<2>().transpose() / static_cast<double>(all.size());
  for (std::size_t f = 0; f < all.size(); f += stride) {
    Eigen::Matrix3Xd p = all[f].transpose();
    p.row(0).array() -= mean_root.x();
    p.row(1).array() -= mean_root.y();
    s.poses.push_back(p);
  }
  return s;
}

}  // namespace crossview_test
