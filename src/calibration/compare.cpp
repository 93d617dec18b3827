// Rig comparison up to a similarity (see include/crossview/calibration/compare.hpp).
#include <crossview/calibration/compare.hpp>

#include <Eigen/Geometry>
#include <Eigen/SVD>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace crossview::calibration {

namespace {

constexpr double kDegPerRad = 180.0 / 3.14159265358979323846;

double median_of(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

double RigComparison::median_rotation_error_deg() const { return median_of(rotation_error_deg); }

double RigComparison::max_rotation_error_deg() const {
  return rotation_error_deg.empty() ? 0.0 : *std::max_element(rotation_error_deg.begin(), rotation_error_deg.end());
}

double RigComparison::max_position_fraction() const {
  if (position_error.empty() || !(rig_size > 0.0)) return 0.0;
  return *std::max_element(position_error.begin(), position_error.end()) / rig_size;
}

RigComparison compare_rigs(const std::vector<camera::Camera>& estimated,
                           const std::vector<camera::Camera>& reference) {
  if (estimated.size() != reference.size()) {
    throw std::invalid_argument("compare_rigs: " + std::to_string(estimated.size()) + " estimated cameras vs " +
                                std::to_string(reference.size()) + " reference cameras");
  }
  const int n = static_cast<int>(reference.size());
  if (n < 2) throw std::invalid_argument("compare_rigs: needs at least 2 cameras, got " + std::to_string(n));
  for (int i = 0; i < n; ++i) {
    for (const camera::Camera* c : {&estimated[i], &reference[i]}) {
      if (!c->cam_from_world.rotation.coeffs().allFinite() || !c->cam_from_world.translation.allFinite()) {
        throw std::invalid_argument("compare_rigs: camera " + std::to_string(i) + " (" + c->name() +
                                    ") has a non-finite pose");
      }
    }
  }
  RigComparison out;
  Eigen::Matrix3d M = Eigen::Matrix3d::Zero();
  for (int i = 0; i < n; ++i) {
    M += reference[i].cam_from_world.rotation_matrix().transpose() * estimated[i].cam_from_world.rotation_matrix();
  }
  const Eigen::JacobiSVD<Eigen::Matrix3d> svd(M, Eigen::ComputeFullU | Eigen::ComputeFullV);
  Eigen::Matrix3d D = Eigen::Matrix3d::Identity();
  if ((svd.matrixU() * svd.matrixV().transpose()).determinant() < 0.0) D(2, 2) = -1.0;
  const Eigen::Matrix3d S = svd.matrixU() * D * svd.matrixV().transpose();  // R_est ~ R_ref S
  Eigen::Matrix3Xd src(3, n), dst(3, n);
  for (int i = 0; i < n; ++i) {
    const Eigen::Matrix3d aligned = estimated[i].cam_from_world.rotation_matrix() * S.transpose();
    out.rotation_error_deg.push_back(
        camera::rotation_angle_between(aligned, reference[i].cam_from_world.rotation_matrix()) * kDegPerRad);
    src.col(i) = estimated[i].center_in_world();
    dst.col(i) = reference[i].center_in_world();
  }
  const Eigen::Matrix4d T = Eigen::umeyama(src, dst, true);
  out.scale = T.block<3, 3>(0, 0).col(0).norm();
  for (int i = 0; i < n; ++i) {
    const Eigen::Vector3d p = T.block<3, 3>(0, 0) * src.col(i) + T.block<3, 1>(0, 3);
    out.position_error.push_back((p - dst.col(i)).norm());
    for (int k = i + 1; k < n; ++k) out.rig_size = std::max(out.rig_size, (dst.col(i) - dst.col(k)).norm());
  }
  return out;
}

}  // namespace crossview::calibration
