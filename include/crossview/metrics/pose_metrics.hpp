// crossview::metrics: batched pose-accuracy metrics with per-joint and
// per-frame breakdowns and explicit missing-joint accounting.
//
// Inputs: `predicted` and `ground_truth` are batches of F poses packed
// 3 x (F*J) (2 x (F*J) for the 2D metrics; column f*J + j = joint j of frame f,
// docs/conventions.md#array-layouts), with the joint count `num_joints` = J;
// frame f of one is matched with frame f of the other (matching people across
// a multi-person scene is the caller's job). `visible` is optional: empty, or
// F*J flags aligned with the columns (false = not annotated). A ground-truth
// joint is valid when its column is finite and visible; a predicted joint when
// its column is finite. Entry states and how each metric treats them are
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
// Errors: a batch that is not D x (F*J) (transposed, a partial frame),
// predicted and ground truth of different sizes, a mask of another size,
// out-of-range joint indices and invalid options throw std::invalid_argument
// naming the argument / option. An empty batch or a batch where nothing could be evaluated returns
// Status::kNoValidJoints with a message (never a NaN labelled success). Finite
// coordinates so large that an error or the sum of errors overflows double
// (|x| ~ 1e150 and up) give Status::kOverflow, mean NaN, for the error means;
// rate metrics (PCK, PCP, JDR) count such a joint as incorrect.
// Cost: O(F * J) (plus one 3x3 SVD per frame for PA-MPJPE).
#pragma once

#include <crossview/metrics/alignment.hpp>
#include <crossview/metrics/types.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
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

/// Per-entry errors of a batch: the common core of every joint metric. Entries
/// are aligned with the columns of the packed batch: entry f*J + j is joint j
/// of frame f.
struct JointErrors {
  int num_frames = 0;
  int num_joints = 0;
  Eigen::VectorXd error;  ///< F*J distances; NaN where state != kEvaluated.
  Eigen::Array<JointState, Eigen::Dynamic, 1> state;  ///< F*J states.
  JointCounts counts;
};

/// Per-entry errors (F*J) after `options.alignment`: the building block of
/// every metric below, exposed for custom breakdowns.
JointErrors joint_errors(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                         const ErrorOptions& options = {}, const JointMask& visible = {});

/// Mean per-joint position error (default: root-aligned MPJPE; set
/// options.alignment to kNone for absolute MPJPE).
ErrorSummary mpjpe(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                   const ErrorOptions& options = {}, const JointMask& visible = {});

/// PA-MPJPE: MPJPE after per-frame similarity Procrustes (needs >= 3 jointly
/// valid, not all coincident, joints per frame; otherwise the frame is kNotAligned).
ErrorSummary pa_mpjpe(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                      const JointMask& visible = {});

/// N-MPJPE: root-centred, prediction scaled by s = <p, q> / <p, p>.
ErrorSummary n_mpjpe(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                     int root_joint = h36m::kRoot, const JointMask& visible = {});

/// 3D PCK: fraction of joints with error < options.threshold (strict).
RateSummary pck_3d(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                   const PckOptions& options = {}, const JointMask& visible = {});

/// N-PCK: 3D PCK after the N-MPJPE scale alignment (options.alignment ignored).
RateSummary n_pck(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                  PckOptions options = {}, const JointMask& visible = {});

/// AUC: mean 3D PCK over linspace(0, max_threshold, num_thresholds).
AucResult auc_3d(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                 const AucOptions& options = {}, const JointMask& visible = {});

/// 2D PCK over 2 x (F*J) batches: fraction of joints with pixel error <
/// threshold_px (strict).
RateSummary pck_2d(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                   double threshold_px, const JointMask& visible = {});

/// JDR over 2 x (F*J) batches: fraction of 2D joints with error < fraction *
/// head size, the head size being the frame's ground-truth head-segment length
/// (or fixed_head_size_px). Frames whose head segment is missing or has zero
/// length are not scorable: their joints are reported as kMissingGroundTruth.
RateSummary jdr(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                const JdrOptions& options = {}, const JointMask& visible = {});

/// PCP over 3D poses (Shelf/Campus convention: absolute coordinates, GT part
/// length, "<="). per_item is per part, in options.parts order.
RateSummary pcp(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                const PcpOptions& options = {}, const JointMask& visible = {});

/// PCP over 2D poses (pixels, 2 x (F*J) batches).
RateSummary pcp_2d(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                   const PcpOptions& options = {}, const JointMask& visible = {});

}  // namespace crossview::metrics
