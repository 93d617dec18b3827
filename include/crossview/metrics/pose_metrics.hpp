// crossview::metrics: batched pose-accuracy metrics with per-joint and
// per-frame breakdowns and explicit missing-joint accounting.
//
// Inputs: `predicted` and `ground_truth` are std::vectors of F poses (types.hpp:
// Pose3d = J x 3, Pose2d = J x 2), frame f of one matched with frame f of the
// other (matching people across a multi-person scene is the caller's job).
// `visible` is optional: empty, or F masks of J flags (false = not annotated).
// A ground-truth joint is valid when its row is finite and visible; a predicted
// joint when its row is finite. Entry states and how each metric treats them are
// in types.hpp (JointState): missing ground truth is excluded everywhere;
// missing predictions (and frames whose alignment needs a missing predicted
// joint) are excluded from error means and scored as incorrect by rate metrics.
//
// Definitions (e = Euclidean distance between predicted and true joint after
// the stated alignment; lengths in the input unit, mm by convention):
//   MPJPE     mean e. Root-aligned by default (both poses translated so their
//             root joint is at the origin; Human3.6M "protocol 1", Ionescu et
//             al., TPAMI 2014). The root joint itself (e = 0) is included in the
//             mean, as in the standard 17-joint H36M protocol.
//   PA-MPJPE  mean e after the similarity Procrustes alignment of the prediction
//             onto the ground truth (Umeyama 1991: rotation, uniform scale,
//             translation, det R = +1) computed on the frame's jointly valid
//             joints ("protocol 2", e.g. Martinez et al., ICCV 2017).
//   N-MPJPE   mean e after root-centring both poses and scaling the prediction by
//             s = <p, q> / <p, p> over the jointly valid joints (Rhodin et al.,
//             CVPR 2018; used by EpipolarPose, Kocabas et al., CVPR 2019).
//   3D PCK    fraction of joints with e < threshold (150 mm default), root-aligned
//             by default (Mehta et al., MPI-INF-3DHP, 3DV 2017).
//   N-PCK     3D PCK after the N-MPJPE scale alignment (Rhodin et al. 2018).
//   AUC       mean of 3D PCK over a uniform threshold grid, default 31 thresholds
//             0, 5, ..., 150 mm (Mehta et al. 2017).
//   2D PCK    fraction of 2D joints with pixel error < threshold.
//   JDR       joint detection rate: fraction of 2D joints with error < 0.5 x the
//             frame's ground-truth head segment length (Qiu et al., ICCV 2019).
//   PCP       percentage of correct parts (Ferrari et al., CVPR 2008; 3D form of
//             Burenius et al., CVPR 2013 and Belagiannis et al., CVPR 2014, used
//             on Shelf and Campus): part (a, b) is correct when
//             (e_a + e_b) / 2 <= alpha * ||g_a - g_b||, alpha = 0.5, with the
//             GROUND-TRUTH part length, in absolute coordinates (no alignment).
//             Note the "<=" (as in the Shelf/Campus evaluation code), whereas
//             the PCK family uses a strict "<".
//
// Errors: mismatched frame counts, joint counts, mask sizes, out-of-range joint
// indices and invalid options throw std::invalid_argument naming the frame /
// option. An empty batch or a batch where nothing could be evaluated returns
// Status::kNoValidJoints with a message (never a NaN labelled success).
// Cost: O(F * J) (plus one 3x3 SVD per frame for PA-MPJPE).
#pragma once

#include <crossview/metrics/alignment.hpp>
#include <crossview/metrics/types.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::metrics {

/// Alignment applied to each predicted pose before measuring errors.
enum class Alignment : std::uint8_t {
  kNone = 0,    ///< Absolute coordinates.
  kRoot,        ///< Both poses translated so their root joint is at the origin.
  kScale,       ///< kRoot, then the prediction scaled by s = <p, q> / <p, p> (N-MPJPE, N-PCK).
  kProcrustes,  ///< Similarity Procrustes (Umeyama) of the prediction onto the ground truth.
};

constexpr const char* to_string(Alignment a) {
  switch (a) {
    case Alignment::kNone: return "none";
    case Alignment::kRoot: return "root";
    case Alignment::kScale: return "scale";
    case Alignment::kProcrustes: return "procrustes";
  }
  return "unknown";
}

struct ErrorOptions {
  Alignment alignment = Alignment::kRoot;
  int root_joint = h36m::kRoot;  ///< Used by kRoot and kScale.
  void validate() const {
    if (root_joint < 0) throw std::invalid_argument("ErrorOptions::root_joint must be >= 0");
  }
};

struct PckOptions {
  double threshold = 150.0;  ///< Same unit as the poses (mm); finite, > 0.
  Alignment alignment = Alignment::kRoot;
  int root_joint = h36m::kRoot;
  void validate() const {
    if (!(threshold > 0.0) || !std::isfinite(threshold)) {
      throw std::invalid_argument("PckOptions::threshold must be finite and > 0");
    }
    if (root_joint < 0) throw std::invalid_argument("PckOptions::root_joint must be >= 0");
  }
};

struct AucOptions {
  double max_threshold = 150.0;  ///< Grid is linspace(0, max_threshold, num_thresholds).
  int num_thresholds = 31;       ///< >= 2; 31 gives 0, 5, ..., 150.
  Alignment alignment = Alignment::kRoot;
  int root_joint = h36m::kRoot;
  void validate() const {
    if (!(max_threshold > 0.0) || !std::isfinite(max_threshold)) {
      throw std::invalid_argument("AucOptions::max_threshold must be finite and > 0");
    }
    if (num_thresholds < 2) throw std::invalid_argument("AucOptions::num_thresholds must be >= 2");
    if (root_joint < 0) throw std::invalid_argument("AucOptions::root_joint must be >= 0");
  }
};

struct AucResult {
  Status status = Status::kNoValidJoints;
  std::string message;
  double auc = 0.0;            ///< Mean of `pck` (in [0, 1]).
  Eigen::VectorXd thresholds;  ///< The grid.
  Eigen::VectorXd pck;         ///< PCK at each threshold.
  JointCounts counts;
  bool ok() const { return status == Status::kSuccess; }
};

struct JdrOptions {
  Limb head_segment = h36m::head_segment();  ///< Ground-truth joints whose distance is the head size.
  double fraction = 0.5;                     ///< Detected when error < fraction * head size.
  /// When > 0, a fixed head size in pixels for every frame instead of the segment.
  double fixed_head_size_px = 0.0;
  void validate() const {
    if (!(fraction > 0.0) || !std::isfinite(fraction)) {
      throw std::invalid_argument("JdrOptions::fraction must be finite and > 0");
    }
    if (!(fixed_head_size_px >= 0.0) || !std::isfinite(fixed_head_size_px)) {
      throw std::invalid_argument("JdrOptions::fixed_head_size_px must be finite and >= 0");
    }
    if (fixed_head_size_px == 0.0 && (head_segment.first < 0 || head_segment.second < 0)) {
      throw std::invalid_argument("JdrOptions::head_segment indices must be >= 0");
    }
  }
};

struct PcpOptions {
  Limbs parts = h36m::pcp_parts();
  double alpha = 0.5;  ///< Correct when mean endpoint error <= alpha * ground-truth part length.
  void validate() const {
    if (parts.empty()) throw std::invalid_argument("PcpOptions::parts must not be empty");
    if (!(alpha > 0.0) || !std::isfinite(alpha)) {
      throw std::invalid_argument("PcpOptions::alpha must be finite and > 0");
    }
    for (const Limb& l : parts) {
      if (l.first < 0 || l.second < 0 || l.first == l.second) {
        throw std::invalid_argument("PcpOptions::parts: invalid part (" + std::to_string(l.first) +
                                    ", " + std::to_string(l.second) + ")");
      }
    }
  }
};

/// Per-entry errors of a batch: the common core of every joint metric.
struct JointErrors {
  Eigen::MatrixXd error;  ///< F x J distances; NaN where state != kEvaluated.
  Eigen::Array<JointState, Eigen::Dynamic, Eigen::Dynamic> state;  ///< F x J.
  JointCounts counts;
};

namespace detail {

template <int Dim>
using PoseD = Eigen::Matrix<double, Eigen::Dynamic, Dim>;

inline int check_batch_sizes(std::size_t num_pred, std::size_t num_gt,
                             const std::vector<JointMask>& visible, const char* what) {
  if (num_pred != num_gt) {
    throw std::invalid_argument(std::string(what) + ": predicted has " + std::to_string(num_pred) +
                                " frames but ground_truth has " + std::to_string(num_gt));
  }
  if (!visible.empty() && visible.size() != num_gt) {
    throw std::invalid_argument(std::string(what) + ": visible has " +
                                std::to_string(visible.size()) + " masks for " +
                                std::to_string(num_gt) + " frames");
  }
  return static_cast<int>(num_gt);
}

template <int Dim>
int check_joint_counts(const std::vector<PoseD<Dim>>& predicted,
                       const std::vector<PoseD<Dim>>& ground_truth,
                       const std::vector<JointMask>& visible, const char* what) {
  if (ground_truth.empty()) return 0;
  const Eigen::Index J = ground_truth.front().rows();
  for (std::size_t f = 0; f < ground_truth.size(); ++f) {
    if (ground_truth[f].rows() != J || predicted[f].rows() != J) {
      throw std::invalid_argument(std::string(what) + ": frame " + std::to_string(f) +
                                  " has " + std::to_string(predicted[f].rows()) +
                                  " predicted and " + std::to_string(ground_truth[f].rows()) +
                                  " ground-truth joints, expected " + std::to_string(J));
    }
    if (!visible.empty() && visible[f].size() != J) {
      throw std::invalid_argument(std::string(what) + ": visible[" + std::to_string(f) + "] has " +
                                  std::to_string(visible[f].size()) + " entries, expected " +
                                  std::to_string(J));
    }
  }
  return static_cast<int>(J);
}

inline void check_index(int index, int num_joints, const char* what, const char* name) {
  if (index < 0 || index >= num_joints) {
    throw std::invalid_argument(std::string(what) + ": " + name + " = " + std::to_string(index) +
                                " is out of range for " + std::to_string(num_joints) + " joints");
  }
}

inline void count_state(JointState s, JointCounts* c) {
  switch (s) {
    case JointState::kEvaluated: ++c->evaluated; break;
    case JointState::kMissingGroundTruth: ++c->missing_ground_truth; break;
    case JointState::kMissingPrediction: ++c->missing_prediction; break;
    case JointState::kNotAligned: ++c->not_aligned; break;
  }
}

template <int Dim>
JointErrors compute_errors(const std::vector<PoseD<Dim>>& predicted,
                           const std::vector<PoseD<Dim>>& ground_truth,
                           const std::vector<JointMask>& visible, Alignment alignment,
                           int root_joint, const char* what) {
  const int F = check_batch_sizes(predicted.size(), ground_truth.size(), visible, what);
  const int J = check_joint_counts<Dim>(predicted, ground_truth, visible, what);
  if (F > 0 && (alignment == Alignment::kRoot || alignment == Alignment::kScale)) {
    check_index(root_joint, J, what, "root_joint");
  }
  if (alignment == Alignment::kProcrustes && Dim != 3) {
    throw std::invalid_argument(std::string(what) + ": Procrustes alignment needs 3D poses");
  }
  JointErrors out;
  out.error.setConstant(F, J, std::numeric_limits<double>::quiet_NaN());
  out.state.resize(F, J);
  PoseD<Dim> p, q;
  std::vector<int> candidates;
  candidates.reserve(static_cast<std::size_t>(J));
  for (int f = 0; f < F; ++f) {
    const PoseD<Dim>& pred = predicted[static_cast<std::size_t>(f)];
    const PoseD<Dim>& gt = ground_truth[static_cast<std::size_t>(f)];
    candidates.clear();
    for (int j = 0; j < J; ++j) {
      const bool gt_ok = gt.row(j).allFinite() &&
                         (visible.empty() || visible[static_cast<std::size_t>(f)](j));
      if (!gt_ok) {
        out.state(f, j) = JointState::kMissingGroundTruth;
      } else if (!pred.row(j).allFinite()) {
        out.state(f, j) = JointState::kMissingPrediction;
      } else {
        out.state(f, j) = JointState::kEvaluated;
        candidates.push_back(j);
      }
    }
    p = pred;
    q = gt;
    bool aligned = true;
    if (alignment == Alignment::kRoot || alignment == Alignment::kScale) {
      const bool gt_root_ok = gt.row(root_joint).allFinite() &&
                              (visible.empty() || visible[static_cast<std::size_t>(f)](root_joint));
      if (!gt_root_ok) {
        for (int j = 0; j < J; ++j) out.state(f, j) = JointState::kMissingGroundTruth;
        candidates.clear();
      } else if (!pred.row(root_joint).allFinite()) {
        aligned = false;
      } else {
        p.rowwise() -= pred.row(root_joint);
        q.rowwise() -= gt.row(root_joint);
        if (alignment == Alignment::kScale) {
          double pp = 0.0, pq = 0.0;
          for (int j : candidates) {
            pp += p.row(j).squaredNorm();
            pq += p.row(j).dot(q.row(j));
          }
          if (pp > 0.0 && std::isfinite(pp) && std::isfinite(pq)) {
            p *= pq / pp;
          } else {
            aligned = false;
          }
        }
      }
    } else if (alignment == Alignment::kProcrustes) {
      if constexpr (Dim == 3) {
        if (candidates.size() < 3) {
          aligned = false;
        } else {
          Eigen::Matrix<double, Eigen::Dynamic, 3> ps(candidates.size(), 3), qs(candidates.size(), 3);
          for (std::size_t i = 0; i < candidates.size(); ++i) {
            ps.row(static_cast<Eigen::Index>(i)) = pred.row(candidates[i]).template head<3>();
            qs.row(static_cast<Eigen::Index>(i)) = gt.row(candidates[i]).template head<3>();
          }
          Similarity3d sim;
          if (umeyama_similarity(ps, qs, &sim)) {
            for (int j : candidates) {
              const Eigen::Vector3d pj = pred.row(j).template head<3>().transpose();
              p.row(j).template head<3>() = (sim * pj).transpose();
            }
          } else {
            aligned = false;
          }
        }
      }
    }
    if (!aligned) {
      for (int j : candidates) out.state(f, j) = JointState::kNotAligned;
      candidates.clear();
    }
    for (int j : candidates) out.error(f, j) = (p.row(j) - q.row(j)).norm();
    for (int j = 0; j < J; ++j) count_state(out.state(f, j), &out.counts);
  }
  return out;
}

inline std::string counts_message(const JointCounts& c) {
  return std::to_string(c.evaluated) + " evaluated, " + std::to_string(c.missing_ground_truth) +
         " missing ground truth, " + std::to_string(c.missing_prediction) +
         " missing prediction, " + std::to_string(c.not_aligned) + " in unaligned frames";
}

inline ErrorSummary summarize_errors(const JointErrors& e) {
  const Eigen::Index F = e.error.rows(), J = e.error.cols();
  ErrorSummary s;
  s.counts = e.counts;
  s.per_joint = Eigen::VectorXd::Zero(J);
  s.per_joint_count = Eigen::VectorXi::Zero(J);
  s.per_frame = Eigen::VectorXd::Zero(F);
  s.per_frame_count = Eigen::VectorXi::Zero(F);
  double total = 0.0;
  for (Eigen::Index f = 0; f < F; ++f) {
    for (Eigen::Index j = 0; j < J; ++j) {
      if (e.state(f, j) != JointState::kEvaluated) continue;
      const double v = e.error(f, j);
      total += v;
      s.per_joint(j) += v;
      ++s.per_joint_count(j);
      s.per_frame(f) += v;
      ++s.per_frame_count(f);
    }
  }
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (Eigen::Index j = 0; j < J; ++j) {
    s.per_joint(j) = s.per_joint_count(j) > 0 ? s.per_joint(j) / s.per_joint_count(j) : kNaN;
  }
  for (Eigen::Index f = 0; f < F; ++f) {
    s.per_frame(f) = s.per_frame_count(f) > 0 ? s.per_frame(f) / s.per_frame_count(f) : kNaN;
  }
  if (e.counts.evaluated > 0) {
    s.status = Status::kSuccess;
    s.mean = total / e.counts.evaluated;
    s.message = counts_message(e.counts);
  } else {
    s.status = Status::kNoValidJoints;
    s.message = F == 0 ? "empty batch" : "no joint could be evaluated (" + counts_message(e.counts) + ")";
  }
  return s;
}

/// Rate over entries: `correct(f, j)` decides evaluated entries; entries whose
/// state is kMissingPrediction / kNotAligned are scored incorrect; missing
/// ground truth is skipped.
template <typename Correct>
RateSummary summarize_rate(const Eigen::Array<JointState, Eigen::Dynamic, Eigen::Dynamic>& state,
                           const JointCounts& counts, Correct correct) {
  const Eigen::Index F = state.rows(), J = state.cols();
  RateSummary s;
  s.counts = counts;
  s.per_item = Eigen::VectorXd::Zero(J);
  s.per_item_count = Eigen::VectorXi::Zero(J);
  s.per_frame = Eigen::VectorXd::Zero(F);
  s.per_frame_count = Eigen::VectorXi::Zero(F);
  for (Eigen::Index f = 0; f < F; ++f) {
    for (Eigen::Index j = 0; j < J; ++j) {
      const JointState st = state(f, j);
      if (st == JointState::kMissingGroundTruth) continue;
      const bool ok = st == JointState::kEvaluated && correct(f, j);
      ++s.num_scored;
      ++s.per_item_count(j);
      ++s.per_frame_count(f);
      if (ok) {
        ++s.num_correct;
        s.per_item(j) += 1.0;
        s.per_frame(f) += 1.0;
      }
    }
  }
  constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (Eigen::Index j = 0; j < J; ++j) {
    s.per_item(j) = s.per_item_count(j) > 0 ? s.per_item(j) / s.per_item_count(j) : kNaN;
  }
  for (Eigen::Index f = 0; f < F; ++f) {
    s.per_frame(f) = s.per_frame_count(f) > 0 ? s.per_frame(f) / s.per_frame_count(f) : kNaN;
  }
  if (s.num_scored > 0) {
    s.status = Status::kSuccess;
    s.rate = static_cast<double>(s.num_correct) / s.num_scored;
    s.message = std::to_string(s.num_correct) + " of " + std::to_string(s.num_scored) +
                " correct (" + counts_message(counts) + ")";
  } else {
    s.status = Status::kNoValidJoints;
    s.message = F == 0 ? "empty batch" : "nothing to score: every ground-truth entry is missing";
  }
  return s;
}

}  // namespace detail

/// Per-entry errors (F x J) after `options.alignment`: the building block of
/// every metric below, exposed for custom breakdowns.
inline JointErrors joint_errors(const std::vector<Pose3d>& predicted,
                                const std::vector<Pose3d>& ground_truth,
                                const ErrorOptions& options = {},
                                const std::vector<JointMask>& visible = {}) {
  options.validate();
  return detail::compute_errors<3>(predicted, ground_truth, visible, options.alignment,
                                   options.root_joint, "joint_errors");
}

/// Mean per-joint position error (default: root-aligned MPJPE; set
/// options.alignment to kNone for absolute MPJPE).
inline ErrorSummary mpjpe(const std::vector<Pose3d>& predicted,
                          const std::vector<Pose3d>& ground_truth,
                          const ErrorOptions& options = {},
                          const std::vector<JointMask>& visible = {}) {
  options.validate();
  return detail::summarize_errors(detail::compute_errors<3>(
      predicted, ground_truth, visible, options.alignment, options.root_joint, "mpjpe"));
}

/// PA-MPJPE: MPJPE after per-frame similarity Procrustes (needs >= 3 jointly
/// valid, not all coincident, joints per frame; otherwise the frame is kNotAligned).
inline ErrorSummary pa_mpjpe(const std::vector<Pose3d>& predicted,
                             const std::vector<Pose3d>& ground_truth,
                             const std::vector<JointMask>& visible = {}) {
  return detail::summarize_errors(detail::compute_errors<3>(
      predicted, ground_truth, visible, Alignment::kProcrustes, 0, "pa_mpjpe"));
}

/// N-MPJPE: root-centred, prediction scaled by s = <p, q> / <p, p>.
inline ErrorSummary n_mpjpe(const std::vector<Pose3d>& predicted,
                            const std::vector<Pose3d>& ground_truth, int root_joint = h36m::kRoot,
                            const std::vector<JointMask>& visible = {}) {
  if (root_joint < 0) throw std::invalid_argument("n_mpjpe: root_joint must be >= 0");
  return detail::summarize_errors(detail::compute_errors<3>(
      predicted, ground_truth, visible, Alignment::kScale, root_joint, "n_mpjpe"));
}

/// 3D PCK: fraction of joints with error < options.threshold (strict).
inline RateSummary pck_3d(const std::vector<Pose3d>& predicted,
                          const std::vector<Pose3d>& ground_truth,
                          const PckOptions& options = {},
                          const std::vector<JointMask>& visible = {}) {
  options.validate();
  const JointErrors e = detail::compute_errors<3>(predicted, ground_truth, visible,
                                                  options.alignment, options.root_joint, "pck_3d");
  const double t = options.threshold;
  return detail::summarize_rate(e.state, e.counts,
                                [&](Eigen::Index f, Eigen::Index j) { return e.error(f, j) < t; });
}

/// N-PCK: 3D PCK after the N-MPJPE scale alignment (options.alignment ignored).
inline RateSummary n_pck(const std::vector<Pose3d>& predicted,
                         const std::vector<Pose3d>& ground_truth, PckOptions options = {},
                         const std::vector<JointMask>& visible = {}) {
  options.alignment = Alignment::kScale;
  return pck_3d(predicted, ground_truth, options, visible);
}

/// AUC: mean 3D PCK over linspace(0, max_threshold, num_thresholds).
inline AucResult auc_3d(const std::vector<Pose3d>& predicted,
                        const std::vector<Pose3d>& ground_truth, const AucOptions& options = {},
                        const std::vector<JointMask>& visible = {}) {
  options.validate();
  const JointErrors e = detail::compute_errors<3>(predicted, ground_truth, visible,
                                                  options.alignment, options.root_joint, "auc_3d");
  AucResult r;
  r.counts = e.counts;
  r.thresholds = Eigen::VectorXd::LinSpaced(options.num_thresholds, 0.0, options.max_threshold);
  r.pck = Eigen::VectorXd::Zero(options.num_thresholds);
  int scored = 0;
  for (Eigen::Index f = 0; f < e.state.rows(); ++f) {
    for (Eigen::Index j = 0; j < e.state.cols(); ++j) {
      const JointState st = e.state(f, j);
      if (st == JointState::kMissingGroundTruth) continue;
      ++scored;
      if (st != JointState::kEvaluated) continue;
      for (int t = 0; t < options.num_thresholds; ++t) {
        if (e.error(f, j) < r.thresholds(t)) r.pck(t) += 1.0;
      }
    }
  }
  if (scored == 0) {
    r.message = predicted.empty() ? "empty batch" : "nothing to score: every ground-truth entry is missing";
    return r;
  }
  r.pck /= scored;
  r.auc = r.pck.mean();
  r.status = Status::kSuccess;
  r.message = std::to_string(scored) + " scored (" + detail::counts_message(e.counts) + ")";
  return r;
}

/// 2D PCK: fraction of joints with pixel error < threshold_px (strict).
inline RateSummary pck_2d(const std::vector<Pose2d>& predicted,
                          const std::vector<Pose2d>& ground_truth, double threshold_px,
                          const std::vector<JointMask>& visible = {}) {
  if (!(threshold_px > 0.0) || !std::isfinite(threshold_px)) {
    throw std::invalid_argument("pck_2d: threshold_px must be finite and > 0");
  }
  const JointErrors e = detail::compute_errors<2>(predicted, ground_truth, visible,
                                                  Alignment::kNone, 0, "pck_2d");
  return detail::summarize_rate(
      e.state, e.counts, [&](Eigen::Index f, Eigen::Index j) { return e.error(f, j) < threshold_px; });
}

/// JDR: fraction of 2D joints with error < fraction * head size, the head size
/// being the frame's ground-truth head-segment length (or fixed_head_size_px).
/// Frames whose head segment is missing or has zero length are not scorable:
/// their joints are reported as kMissingGroundTruth.
inline RateSummary jdr(const std::vector<Pose2d>& predicted,
                       const std::vector<Pose2d>& ground_truth, const JdrOptions& options = {},
                       const std::vector<JointMask>& visible = {}) {
  options.validate();
  JointErrors e = detail::compute_errors<2>(predicted, ground_truth, visible, Alignment::kNone, 0,
                                            "jdr");
  const Eigen::Index F = e.state.rows(), J = e.state.cols();
  Eigen::VectorXd threshold(F);
  if (options.fixed_head_size_px == 0.0 && F > 0) {
    detail::check_index(options.head_segment.first, static_cast<int>(J), "jdr", "head_segment.first");
    detail::check_index(options.head_segment.second, static_cast<int>(J), "jdr", "head_segment.second");
  }
  for (Eigen::Index f = 0; f < F; ++f) {
    double head = options.fixed_head_size_px;
    if (head == 0.0) {
      const auto& gt = ground_truth[static_cast<std::size_t>(f)];
      const int a = options.head_segment.first, b = options.head_segment.second;
      const bool ok = (visible.empty() || (visible[static_cast<std::size_t>(f)](a) &&
                                           visible[static_cast<std::size_t>(f)](b)));
      head = ok ? (gt.row(a) - gt.row(b)).norm() : std::numeric_limits<double>::quiet_NaN();
    }
    threshold(f) = options.fraction * head;
    if (!(threshold(f) > 0.0) || !std::isfinite(threshold(f))) {
      for (Eigen::Index j = 0; j < J; ++j) e.state(f, j) = JointState::kMissingGroundTruth;
    }
  }
  e.counts = JointCounts{};
  for (Eigen::Index f = 0; f < F; ++f)
    for (Eigen::Index j = 0; j < J; ++j) detail::count_state(e.state(f, j), &e.counts);
  return detail::summarize_rate(
      e.state, e.counts, [&](Eigen::Index f, Eigen::Index j) { return e.error(f, j) < threshold(f); });
}

namespace detail {
template <int Dim>
RateSummary pcp_impl(const std::vector<PoseD<Dim>>& predicted,
                     const std::vector<PoseD<Dim>>& ground_truth, const PcpOptions& options,
                     const std::vector<JointMask>& visible) {
  options.validate();
  const JointErrors e = compute_errors<Dim>(predicted, ground_truth, visible, Alignment::kNone, 0, "pcp");
  const Eigen::Index F = e.state.rows();
  const Eigen::Index P = static_cast<Eigen::Index>(options.parts.size());
  if (F > 0) {
    for (const Limb& l : options.parts) {
      check_index(l.first, static_cast<int>(e.state.cols()), "pcp", "part joint");
      check_index(l.second, static_cast<int>(e.state.cols()), "pcp", "part joint");
    }
  }
  Eigen::Array<JointState, Eigen::Dynamic, Eigen::Dynamic> state(F, P);
  Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> correct(F, P);
  JointCounts counts;
  for (Eigen::Index f = 0; f < F; ++f) {
    const auto& gt = ground_truth[static_cast<std::size_t>(f)];
    for (Eigen::Index k = 0; k < P; ++k) {
      const int a = options.parts[static_cast<std::size_t>(k)].first;
      const int b = options.parts[static_cast<std::size_t>(k)].second;
      const JointState sa = e.state(f, a), sb = e.state(f, b);
      JointState s = JointState::kEvaluated;
      if (sa == JointState::kMissingGroundTruth || sb == JointState::kMissingGroundTruth) {
        s = JointState::kMissingGroundTruth;
      } else if (sa != JointState::kEvaluated || sb != JointState::kEvaluated) {
        s = JointState::kMissingPrediction;
      }
      state(f, k) = s;
      count_state(s, &counts);
      correct(f, k) = s == JointState::kEvaluated &&
                      0.5 * (e.error(f, a) + e.error(f, b)) <= options.alpha * (gt.row(a) - gt.row(b)).norm();
    }
  }
  return summarize_rate(state, counts, [&](Eigen::Index f, Eigen::Index k) { return correct(f, k); });
}
}  // namespace detail

/// PCP over 3D poses (Shelf/Campus convention: absolute coordinates, GT part
/// length, "<="). per_item is per part, in options.parts order.
inline RateSummary pcp(const std::vector<Pose3d>& predicted, const std::vector<Pose3d>& ground_truth,
                       const PcpOptions& options = {}, const std::vector<JointMask>& visible = {}) {
  return detail::pcp_impl<3>(predicted, ground_truth, options, visible);
}

/// PCP over 2D poses (pixels).
inline RateSummary pcp_2d(const std::vector<Pose2d>& predicted, const std::vector<Pose2d>& ground_truth,
                       const PcpOptions& options = {}, const std::vector<JointMask>& visible = {}) {
  return detail::pcp_impl<2>(predicted, ground_truth, options, visible);
}

}  // namespace crossview::metrics
