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
//   k-means++ seeding, Lloyd to convergence (bounded), seeded restarts
//   keeping the lowest inertia (KMeansOptions::num_restarts, default 1;
//   kmeans.hpp).
// Poses are 3 x J (column j = joint j) and sets of poses are packed 3 x (F*J)
// (column f*J + j; docs/conventions.md#array-layouts). A normalized pose is
// flattened joint-major: (x0, y0, z0, x1, y1, z1, ...), i.e. the memory of its
// 3 x J matrix.
//
// Models are saved/loaded with crossview::io::save_pss_model/load_pss_model
// (include/crossview/io/pss_model.hpp, JSON) so scores are comparable across
// runs and papers.
//
// Errors: std::invalid_argument naming the problem and the frame index for an
// empty set, a set that is not 3 x (F*J) (transposed, a partial pose), NaN/Inf
// poses, zero-norm poses (all joints at the centre), k < 1 or k > number of
// poses (or of distinct poses), invalid options, and a model/pose joint-count
// mismatch in nearest_centre() / score().
// Cost: fit is O(n k d) for seeding plus bounded Lloyd iterations (d = 3 J;
// kmeans.hpp); score is O(F k d). k = 100 on 100 000 poses of 17 joints: see
// docs/benchmarks.md.
#pragma once

#include <crossview/metrics/kmeans.hpp>
#include <crossview/metrics/types.hpp>

#include <Eigen/Core>

#include <cstdint>
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
  KMeansOptions kmeans;  ///< Restarts (default 1), max_iterations (300), seed (0).
  void validate() const {
    normalization.validate();
    kmeans.validate();
  }
};

/// k cluster centres of normalized poses: k-means feature vectors, k x 3J
/// row-major with joint-major rows [x0, y0, z0, x1, ...] (numpy (k, 3J), the
/// layout of the model file; in memory the same as a packed 3 x (k*J) set).
/// centre(i) is centre i as a 3 x J pose.
struct Model {
  int num_joints = 0;
  NormalizationOptions normalization;
  RowMatrixXd centres;
  Eigen::Map<const Points3d> centre(int i) const {
    return Eigen::Map<const Points3d>(centres.row(i).data(), 3, num_joints);
  }
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

/// Normalized, flattened pose (1 x 3J) of a 3 x J pose. Throws
/// std::invalid_argument (message prefixed by `what`) when the pose is not 3 x J
/// (e.g. transposed), on NaN/Inf, a root index out of range or a zero norm.
Eigen::RowVectorXd normalize(const ConstPointsRef& pose, const NormalizationOptions& options,
                             const std::string& what = "pss::normalize");

/// Fits the PSS model on F ground-truth poses of `num_joints` joints packed
/// 3 x (F*num_joints), k clusters.
Model fit(const ConstPointsRef& ground_truth_poses, int num_joints, int k, const FitOptions& options = {});

/// Index of the centre nearest to the normalized pose (3 x model.num_joints).
int nearest_centre(const Model& model, const ConstPointsRef& pose);

/// PSS@k of predictions against their ground truth (frame f with frame f),
/// both packed 3 x (F*model.num_joints).
ScoreResult score(const Model& model, const ConstPointsRef& predicted, const ConstPointsRef& ground_truth);

}  // namespace crossview::metrics::pss

namespace crossview {
/// `crossview::pss::fit` / `crossview::pss::score` as named in the papers' terms.
namespace pss = metrics::pss;
}  // namespace crossview
