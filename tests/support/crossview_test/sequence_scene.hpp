// Real-motion sequences for the temporal tests and benchmarks: a CMU mocap
// clip (millimetres, Z-up) seen by the four Human3.6M cameras of subject S1,
// with noisy detections packed as the temporal API takes them (2 x (F*V*J),
// column (f*V + v)*J + j). Needs crossview::io and the shared data.
//
// Two skeletons:
//   kH36m17  the 17 Human3.6M joints (io::to_h36m_17), bones = its 16 limbs;
//   kBvh25   25 of the clip's own BVH joints (the 31 without the hip-joint
//            and finger / thumb joints), bones = the BVH tree over them.
#pragma once

#include <crossview/io/bvh.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview_test/random.hpp>

#include <Eigen/Core>

#include <cmath>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace crossview_test {

enum class SequenceSkeleton { kH36m17, kBvh25 };

struct SequenceScene {
  std::vector<crossview::camera::Camera> cameras;  ///< H36M S1, mm
  int num_frames = 0;
  int num_joints = 0;
  double rate_hz = 0.0;
  Eigen::Matrix3Xd truth;                          ///< 3 x (F*J), mm
  std::vector<std::pair<int, int>> bones;
  Eigen::Matrix2Xd keypoints_px;                   ///< 2 x (F*V*J); NaN = missed
  Eigen::VectorXd scores;                          ///< F*V*J; 0 = missed
  int num_outliers = 0;
  int num_missed = 0;
};

struct SequenceNoise {
  double noise_px = 3.0;       ///< Gaussian, per axis
  double missed = 0.10;        ///< fraction of detections missing
  double outliers = 0.05;      ///< fraction displaced by 20-150 px in a random direction
  std::uint64_t seed = 1;
};

inline const crossview::io::BvhMotion& cmu_clip(const std::string& name) {
  static std::map<std::string, crossview::io::BvhMotion> cache;
  auto it = cache.find(name);
  if (it == cache.end()) it = cache.emplace(name, crossview::io::read_bvh(shared_data("cmu_mocap/" + name))).first;
  return it->second;
}

/// `frames` frames of `clip` from `first`, every `stride`-th BVH frame (the
/// clips are 120 Hz: stride 2 gives 60 Hz), centred horizontally on the H36M
/// capture area.
inline SequenceScene make_sequence_scene(const std::string& clip, SequenceSkeleton skeleton, int first, int frames,
                                         int stride, const SequenceNoise& noise) {
  using crossview::camera::ProjectionStatus;
  SequenceScene s;
  s.cameras = crossview::io::read_h36m_json(shared_data("h36m/camera-parameters.json"), "S1").cameras;
  const crossview::io::BvhMotion& m = cmu_clip(clip);
  s.rate_hz = m.frame_rate_hz() / stride;
  s.num_frames = frames;
  std::vector<int> keep;       // BVH joints kept (kBvh25)
  if (skeleton == SequenceSkeleton::kH36m17) {
    s.num_joints = 17;
    s.bones = crossview::pose::human36m_17(false).limbs();
  } else {
    const std::vector<std::string> drop = {"LHipJoint", "RHipJoint", "LFingers", "LThumb", "RFingers", "RThumb"};
    std::map<int, int> index;  // BVH joint -> kept index
    for (int j = 0; j < static_cast<int>(m.joints.size()); ++j) {
      const auto& bj = m.joints[static_cast<std::size_t>(j)];
      if (bj.is_end_site || std::find(drop.begin(), drop.end(), bj.name) != drop.end()) continue;
      index[j] = static_cast<int>(keep.size());
      keep.push_back(j);
    }
    s.num_joints = static_cast<int>(keep.size());
    for (int k = 0; k < s.num_joints; ++k) {
      int p = m.joints[static_cast<std::size_t>(keep[static_cast<std::size_t>(k)])].parent;
      while (p >= 0 && index.find(p) == index.end()) p = m.joints[static_cast<std::size_t>(p)].parent;
      if (p >= 0) s.bones.emplace_back(index[p], k);
    }
  }
  const int J = s.num_joints, V = static_cast<int>(s.cameras.size());
  s.truth.resize(3, static_cast<Eigen::Index>(frames) * J);
  crossview::io::BvhToH36mOptions o;
  o.z_up = true;
  for (int f = 0; f < frames; ++f) {
    const int bf = first + f * stride;
    Eigen::Matrix3Xd p(3, J);
    if (skeleton == SequenceSkeleton::kH36m17) {
      p = crossview::io::to_h36m_17(m, bf, o);
    } else {
      const Eigen::Matrix3Xd all = crossview::io::forward_kinematics(m, bf, crossview::io::kCmuBvhUnitMm);
      for (int k = 0; k < J; ++k) {
        const Eigen::Vector3d y_up = all.col(keep[static_cast<std::size_t>(k)]);
        p.col(k) = Eigen::Vector3d(y_up.x(), -y_up.z(), y_up.y());  // as to_h36m_17's z_up
      }
    }
    s.truth.middleCols(static_cast<Eigen::Index>(f) * J, J) = p;
  }
  // Centre horizontally (the H36M capture area is around the world origin).
  Eigen::Vector2d centre = Eigen::Vector2d::Zero();
  for (int f = 0; f < frames; ++f) centre += s.truth.col(static_cast<Eigen::Index>(f) * J).head<2>() / frames;
  s.truth.row(0).array() -= centre.x();
  s.truth.row(1).array() -= centre.y();

  Rng rng(noise.seed);
  const Eigen::Index n = static_cast<Eigen::Index>(frames) * V * J;
  s.keypoints_px.setConstant(2, n, std::numeric_limits<double>::quiet_NaN());
  s.scores.setZero(n);
  for (int f = 0; f < frames; ++f) {
    for (int v = 0; v < V; ++v) {
      for (int j = 0; j < J; ++j) {
        const Eigen::Index i = (static_cast<Eigen::Index>(f) * V + v) * J + j;
        Eigen::Vector2d px;
        const bool seen = s.cameras[static_cast<std::size_t>(v)].project(s.truth.col(static_cast<Eigen::Index>(f) * J + j),
                                                                         &px) == ProjectionStatus::kSuccess;
        const double a = rng.uniform(0.0, 2.0 * M_PI), r = rng.uniform(20.0, 150.0);
        const double nx = rng.normal(noise.noise_px), ny = rng.normal(noise.noise_px);
        const double u_miss = rng.uniform(), u_out = rng.uniform();
        if (!seen || u_miss < noise.missed) {
          ++s.num_missed;
          continue;
        }
        px += Eigen::Vector2d(nx, ny);
        if (u_out < noise.outliers) {
          px += r * Eigen::Vector2d(std::cos(a), std::sin(a));
          ++s.num_outliers;
        }
        s.keypoints_px.col(i) = px;
        s.scores[i] = 1.0;
      }
    }
  }
  return s;
}

/// Mean Euclidean error (scene units) over the samples finite in `estimate`;
/// `count` gets their number.
inline double mpjpe(const Eigen::Matrix3Xd& estimate, const Eigen::Matrix3Xd& truth, int* count = nullptr) {
  double sum = 0.0;
  int n = 0;
  for (Eigen::Index i = 0; i < truth.cols(); ++i) {
    if (!estimate.col(i).allFinite()) continue;
    sum += (estimate.col(i) - truth.col(i)).norm();
    ++n;
  }
  if (count != nullptr) *count = n;
  return n > 0 ? sum / n : std::numeric_limits<double>::quiet_NaN();
}

/// Per bone, the standard deviation of its length over the frames where both
/// joints are finite; returns their mean (and the mean coefficient of
/// variation in *cv).
inline double bone_length_std(const Eigen::Matrix3Xd& points, int num_joints,
                              const std::vector<std::pair<int, int>>& bones, double* cv = nullptr) {
  const Eigen::Index F = points.cols() / num_joints;
  double sum_std = 0.0, sum_cv = 0.0;
  int nb = 0;
  for (const auto& [p, c] : bones) {
    double s = 0.0, s2 = 0.0;
    int n = 0;
    for (Eigen::Index f = 0; f < F; ++f) {
      const Eigen::Vector3d a = points.col(f * num_joints + p), b = points.col(f * num_joints + c);
      if (!a.allFinite() || !b.allFinite()) continue;
      const double l = (a - b).norm();
      s += l;
      s2 += l * l;
      ++n;
    }
    if (n < 2) continue;
    const double mean = s / n;
    const double sd = std::sqrt(std::max(0.0, (s2 - n * mean * mean) / (n - 1)));
    sum_std += sd;
    sum_cv += sd / mean;
    ++nb;
  }
  if (cv != nullptr) *cv = nb > 0 ? sum_cv / nb : std::numeric_limits<double>::quiet_NaN();
  return nb > 0 ? sum_std / nb : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace crossview_test
