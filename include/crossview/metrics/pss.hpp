// crossview::metrics::pss (alias crossview::pss): the Pose Structure Score.
//
// Definition (Kocabas, Karagoz, Akbas, "Self-Supervised Learning of 3D Human
// Pose using Multi-view Geometry" (EpipolarPose), CVPR 2019): normalize every
// ground-truth pose of a reference set, cluster them with k-means into k
// "pose structures"; for a prediction p of ground truth q,
//   PSS(p, q) = 1 if nearest_centre(N(p)) == nearest_centre(N(q)) else 0,
// and PSS@k is its mean over the test frames. It ignores scale and position
// and scores the overall structure of the pose. The authors did not release
// their PSS code; this implementation fixes the usual choices:
//   N(p) = (p - p_root) / ||p - p_root||_F  (root-centred, unit Frobenius norm;
//   centring on the joint centroid or skipping the scaling are options),
//   k-means++ seeding, Lloyd to exact convergence (bounded), several seeded
//   restarts keeping the lowest inertia (kmeans.hpp).
// A normalized pose is flattened joint-major: (x0, y0, z0, x1, y1, z1, ...).
//
// Models are saved/loaded with crossview::io::save_pss_model/load_pss_model
// (include/crossview/io/pss_model.hpp, JSON) so scores are comparable across
// runs and papers.
//
// Errors: std::invalid_argument naming the problem and the frame index for an
// empty set, mismatched joint counts, NaN/Inf poses, zero-norm poses (all joints
// at the centre), k < 1 or k > number of poses (or of distinct poses), invalid
// options, and a model/pose joint-count mismatch in score().
// Cost: fit is O(n k d) for seeding plus fast Hamerly-accelerated Lloyd
// (d = 3 J); score is O(F k d). k = 100 on 100 000 poses of 17 joints: see
// docs/benchmarks.md.
#pragma once

#include <crossview/metrics/kmeans.hpp>
#include <crossview/metrics/types.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::metrics::pss {

enum class Centering : std::uint8_t {
  kRoot = 0,  ///< Subtract the root joint.
  kCentroid,  ///< Subtract the mean of all joints.
};
enum class Scaling : std::uint8_t {
  kFrobenius = 0,  ///< Divide by the Frobenius norm of the centred pose.
  kNone,           ///< Keep the scale (not scale-invariant).
};

constexpr const char* to_string(Centering c) { return c == Centering::kRoot ? "root" : "centroid"; }
constexpr const char* to_string(Scaling s) { return s == Scaling::kFrobenius ? "frobenius" : "none"; }

struct NormalizationOptions {
  Centering centering = Centering::kRoot;
  int root_joint = h36m::kRoot;  ///< Used with Centering::kRoot.
  Scaling scaling = Scaling::kFrobenius;
  void validate() const {
    if (root_joint < 0) throw std::invalid_argument("NormalizationOptions::root_joint must be >= 0");
  }
};

struct FitOptions {
  NormalizationOptions normalization;
  KMeansOptions kmeans;  ///< Restarts (default 3), max_iterations (300), seed (0).
  void validate() const {
    normalization.validate();
    kmeans.validate();
  }
};

/// k cluster centres of normalized poses (k x 3J, joint-major rows).
struct Model {
  int num_joints = 0;
  NormalizationOptions normalization;
  RowMatrixXd centres;
  Eigen::VectorXi cluster_sizes;  ///< Training poses per centre.
  double inertia = 0.0;           ///< Training inertia (sum of squared distances).
  int iterations = 0;
  bool converged = false;
  std::uint64_t seed = 0;
  int k() const { return static_cast<int>(centres.rows()); }
};

struct ScoreResult {
  double pss = 0.0;                    ///< PSS@k in [0, 1].
  Eigen::VectorXi per_frame;           ///< 1 when the frame's two nearest centres agree.
  Eigen::VectorXi predicted_cluster;   ///< Nearest centre of each normalized prediction.
  Eigen::VectorXi ground_truth_cluster;
  int num_frames = 0;
};

/// Normalized, flattened pose (1 x 3J). Throws std::invalid_argument (message
/// prefixed by `what`) on NaN/Inf, a root index out of range or a zero norm.
inline Eigen::RowVectorXd normalize(const Pose3d& pose, const NormalizationOptions& options,
                                    const std::string& what = "pss::normalize") {
  const Eigen::Index J = pose.rows();
  if (J == 0) throw std::invalid_argument(what + ": pose has no joints");
  if (!pose.allFinite()) throw std::invalid_argument(what + ": pose contains NaN or Inf");
  Eigen::RowVector3d centre;
  if (options.centering == Centering::kRoot) {
    if (options.root_joint >= J) {
      throw std::invalid_argument(what + ": root_joint = " + std::to_string(options.root_joint) +
                                  " is out of range for " + std::to_string(J) + " joints");
    }
    centre = pose.row(options.root_joint);
  } else {
    centre = pose.colwise().mean();
  }
  Eigen::RowVectorXd out(3 * J);
  for (Eigen::Index j = 0; j < J; ++j) out.segment<3>(3 * j) = pose.row(j) - centre;
  if (options.scaling == Scaling::kFrobenius) {
    const double norm = out.norm();
    if (!(norm > 0.0)) {
      throw std::invalid_argument(what + ": zero-norm pose (all joints at the centre)");
    }
    out /= norm;
  }
  return out;
}

namespace detail {
inline RowMatrixXd normalize_all(const std::vector<Pose3d>& poses, int num_joints,
                                 const NormalizationOptions& options, const char* what,
                                 const char* set_name) {
  RowMatrixXd out(static_cast<Eigen::Index>(poses.size()), 3 * num_joints);
  for (std::size_t f = 0; f < poses.size(); ++f) {
    const std::string where = std::string(what) + ": " + set_name + "[" + std::to_string(f) + "]";
    if (poses[f].rows() != num_joints) {
      throw std::invalid_argument(where + " has " + std::to_string(poses[f].rows()) +
                                  " joints, expected " + std::to_string(num_joints));
    }
    out.row(static_cast<Eigen::Index>(f)) = normalize(poses[f], options, where);
  }
  return out;
}

inline int nearest_row(const RowMatrixXd& centres, const Eigen::RowVectorXd& v) {
  int best = 0;
  double best_d = std::numeric_limits<double>::infinity();
  for (Eigen::Index j = 0; j < centres.rows(); ++j) {
    const double d = (centres.row(j) - v).squaredNorm();
    if (d < best_d) {
      best_d = d;
      best = static_cast<int>(j);
    }
  }
  return best;
}
}  // namespace detail

/// Fits the PSS model on ground-truth poses (all with the same joint count).
inline Model fit(const std::vector<Pose3d>& ground_truth_poses, int k, const FitOptions& options = {}) {
  options.validate();
  if (ground_truth_poses.empty()) throw std::invalid_argument("pss::fit: empty set of ground-truth poses");
  if (k < 1) throw std::invalid_argument("pss::fit: k must be >= 1, got " + std::to_string(k));
  if (static_cast<std::size_t>(k) > ground_truth_poses.size()) {
    throw std::invalid_argument("pss::fit: k = " + std::to_string(k) + " exceeds the number of poses (" +
                                std::to_string(ground_truth_poses.size()) + ")");
  }
  const int J = static_cast<int>(ground_truth_poses.front().rows());
  const RowMatrixXd samples =
      detail::normalize_all(ground_truth_poses, J, options.normalization, "pss::fit", "ground_truth_poses");
  KMeansResult km;
  try {
    km = kmeans(samples, k, options.kmeans);
  } catch (const std::invalid_argument& e) {
    throw std::invalid_argument(std::string("pss::fit: ") + e.what());
  }
  Model m;
  m.num_joints = J;
  m.normalization = options.normalization;
  m.centres = std::move(km.centres);
  m.cluster_sizes = std::move(km.cluster_sizes);
  m.inertia = km.inertia;
  m.iterations = km.iterations;
  m.converged = km.converged;
  m.seed = options.kmeans.seed;
  return m;
}

/// Index of the centre nearest to the normalized pose.
inline int nearest_centre(const Model& model, const Pose3d& pose) {
  if (pose.rows() != model.num_joints) {
    throw std::invalid_argument("pss::nearest_centre: pose has " + std::to_string(pose.rows()) +
                                " joints, model expects " + std::to_string(model.num_joints));
  }
  if (model.centres.rows() == 0) throw std::invalid_argument("pss::nearest_centre: model has no centres");
  return detail::nearest_row(model.centres, normalize(pose, model.normalization, "pss::nearest_centre"));
}

/// PSS@k of predictions against their ground truth (frame f with frame f).
inline ScoreResult score(const Model& model, const std::vector<Pose3d>& predicted,
                         const std::vector<Pose3d>& ground_truth) {
  if (model.centres.rows() == 0 || model.centres.cols() != 3 * model.num_joints) {
    throw std::invalid_argument("pss::score: model is empty or its centres are not k x 3*num_joints");
  }
  if (predicted.size() != ground_truth.size()) {
    throw std::invalid_argument("pss::score: predicted has " + std::to_string(predicted.size()) +
                                " frames but ground_truth has " + std::to_string(ground_truth.size()));
  }
  if (predicted.empty()) throw std::invalid_argument("pss::score: empty set of poses");
  const int J = model.num_joints;
  const RowMatrixXd p = detail::normalize_all(predicted, J, model.normalization, "pss::score", "predicted");
  const RowMatrixXd q = detail::normalize_all(ground_truth, J, model.normalization, "pss::score", "ground_truth");
  ScoreResult r;
  r.num_frames = static_cast<int>(predicted.size());
  r.per_frame.resize(r.num_frames);
  r.predicted_cluster.resize(r.num_frames);
  r.ground_truth_cluster.resize(r.num_frames);
  int agree = 0;
  for (int f = 0; f < r.num_frames; ++f) {
    r.predicted_cluster(f) = detail::nearest_row(model.centres, p.row(f));
    r.ground_truth_cluster(f) = detail::nearest_row(model.centres, q.row(f));
    r.per_frame(f) = r.predicted_cluster(f) == r.ground_truth_cluster(f) ? 1 : 0;
    agree += r.per_frame(f);
  }
  r.pss = static_cast<double>(agree) / r.num_frames;
  return r;
}

}  // namespace crossview::metrics::pss

namespace crossview {
/// `crossview::pss::fit` / `crossview::pss::score` as named in the papers' terms.
namespace pss = metrics::pss;
}  // namespace crossview
