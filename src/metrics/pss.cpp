// crossview::metrics::pss: Pose Structure Score (normalization, model fit,
// scoring); documented in include/crossview/metrics/pss.hpp.
#include <crossview/metrics/pss.hpp>

#include <Eigen/Core>

#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace crossview::metrics::pss {

Eigen::RowVectorXd normalize(const ConstPointsRef& pose, const NormalizationOptions& options,
                             const std::string& what) {
  if (pose.rows() != 3) require_points(pose, 3, what + ": pose");  // throws
  const Eigen::Index J = pose.cols();
  if (J == 0) throw std::invalid_argument(what + ": pose has no joints");
  if (!pose.allFinite()) throw std::invalid_argument(what + ": pose contains NaN or Inf");
  Eigen::Vector3d centre;
  if (options.centering == Centering::kRoot) {
    if (options.root_joint >= J) {
      throw std::invalid_argument(what + ": root_joint = " + std::to_string(options.root_joint) +
                                  " is out of range for " + std::to_string(J) + " joints");
    }
    centre = pose.col(options.root_joint);
  } else {
    // The mean over J x 3 rows: the summation order the PSS models were fitted
    // with, bit for bit.
    const Eigen::Matrix<double, Eigen::Dynamic, 3> rows = pose.transpose();
    centre = rows.colwise().mean().transpose();
  }
  // Flattened joint-major (x0, y0, z0, x1, ...): the memory of the 3 x J pose.
  Eigen::RowVectorXd out(3 * J);
  for (Eigen::Index j = 0; j < J; ++j) out.segment<3>(3 * j) = (pose.col(j) - centre).transpose();
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
namespace {

/// Checks a packed set (3 x (F*J)) and returns F.
inline Eigen::Index num_poses(const ConstPointsRef& poses, int num_joints, const char* what, const char* set_name) {
  if (num_joints < 1) {
    throw std::invalid_argument(std::string(what) + ": num_joints must be >= 1, got " + std::to_string(num_joints));
  }
  return require_packed_points(poses, 3, num_joints,
                               std::string(what) + ": " + set_name + " (3 x (F*J), J = " + std::to_string(num_joints) +
                                   " joints)");
}

inline RowMatrixXd normalize_all(const ConstPointsRef& poses, int num_joints, const NormalizationOptions& options,
                                 const char* what, const char* set_name) {
  const Eigen::Index F = num_poses(poses, num_joints, what, set_name);
  RowMatrixXd out(F, 3 * num_joints);
  for (Eigen::Index f = 0; f < F; ++f) {
    const std::string where = std::string(what) + ": " + set_name + "[" + std::to_string(f) + "]";
    out.row(f) = normalize(poses.middleCols(f * num_joints, num_joints), options, where);
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

}  // namespace
}  // namespace detail

Model fit(const ConstPointsRef& ground_truth_poses, int num_joints, int k, const FitOptions& options) {
  options.validate();
  const Eigen::Index F = detail::num_poses(ground_truth_poses, num_joints, "pss::fit", "ground_truth_poses");
  if (F == 0) throw std::invalid_argument("pss::fit: empty set of ground-truth poses");
  if (k < 1) throw std::invalid_argument("pss::fit: k must be >= 1, got " + std::to_string(k));
  if (k > F) {
    throw std::invalid_argument("pss::fit: k = " + std::to_string(k) + " exceeds the number of poses (" +
                                std::to_string(F) + ")");
  }
  const int J = num_joints;
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

int nearest_centre(const Model& model, const ConstPointsRef& pose) {
  require_points(pose, 3, "pss::nearest_centre: pose (3 x model.num_joints)", model.num_joints);
  if (model.centres.rows() == 0) throw std::invalid_argument("pss::nearest_centre: model has no centres");
  return detail::nearest_row(model.centres, normalize(pose, model.normalization, "pss::nearest_centre"));
}

ScoreResult score(const Model& model, const ConstPointsRef& predicted, const ConstPointsRef& ground_truth) {
  if (model.centres.rows() == 0 || model.centres.cols() != 3 * model.num_joints) {
    throw std::invalid_argument("pss::score: model is empty or its centres are not k x 3*num_joints");
  }
  const Eigen::Index F = detail::num_poses(ground_truth, model.num_joints, "pss::score", "ground_truth");
  const Eigen::Index F_predicted = detail::num_poses(predicted, model.num_joints, "pss::score", "predicted");
  if (F_predicted != F) {
    throw std::invalid_argument("pss::score: predicted has " + std::to_string(F_predicted) +
                                " frames but ground_truth has " + std::to_string(F));
  }
  if (F == 0) throw std::invalid_argument("pss::score: empty set of poses");
  const int J = model.num_joints;
  const RowMatrixXd p = detail::normalize_all(predicted, J, model.normalization, "pss::score", "predicted");
  const RowMatrixXd q = detail::normalize_all(ground_truth, J, model.normalization, "pss::score", "ground_truth");
  ScoreResult r;
  r.num_frames = static_cast<int>(F);
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
