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

Eigen::RowVectorXd normalize(const Pose3d& pose, const NormalizationOptions& options, const std::string& what) {
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
namespace {

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

}  // namespace
}  // namespace detail

Model fit(const std::vector<Pose3d>& ground_truth_poses, int k, const FitOptions& options) {
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

int nearest_centre(const Model& model, const Pose3d& pose) {
  if (pose.rows() != model.num_joints) {
    throw std::invalid_argument("pss::nearest_centre: pose has " + std::to_string(pose.rows()) +
                                " joints, model expects " + std::to_string(model.num_joints));
  }
  if (model.centres.rows() == 0) throw std::invalid_argument("pss::nearest_centre: model has no centres");
  return detail::nearest_row(model.centres, normalize(pose, model.normalization, "pss::nearest_centre"));
}

ScoreResult score(const Model& model, const std::vector<Pose3d>& predicted,
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
