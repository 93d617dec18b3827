// The CMU clips of ../shared/data/cmu_mocap (131_01, 131_02, 131_03) as
// sources of multi-person scenes: 3 x (S*17) Human3.6M joints, mm, Z up,
// floor at z = 0. Needs crossview::io.
#pragma once

#include <crossview/io/bvh.hpp>
#include <crossview_test/random.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <string>
#include <vector>

namespace crossview_test {

inline std::vector<Eigen::Matrix3Xd> cmu_sources() {
  std::vector<Eigen::Matrix3Xd> out;
  for (const char* clip : {"131_01", "131_02", "131_03"}) {
    const auto motion = crossview::io::read_bvh(shared_data(std::string("cmu_mocap/") + clip + ".bvh"));
    crossview::io::BvhToH36mOptions o;
    o.z_up = true;
    Eigen::Matrix3Xd m = crossview::io::to_h36m_17(motion, o);  // packed 3 x (F*17)
    const double floor = m.row(2).minCoeff();
    m.row(2).array() -= floor;  // feet on z = 0
    out.push_back(m);
  }
  return out;
}

}  // namespace crossview_test
