// Fuzzes the pose metrics (mpjpe with every alignment, pa_mpjpe, n_mpjpe,
// pck_3d) and PSS (pss::fit with tiny k, nearest_centre, score) on small
// batches: 0-6 frames of 1-6 joints, coordinates mostly plausible with raw
// values (NaN, Inf, 1e300, denormals) mixed in, optional visibility masks,
// occasional mismatched sizes.
//
// Contracts checked:
//   * only std::invalid_argument escapes (mismatched sizes, bad indices,
//     invalid options, NaN poses / k > N for PSS, as documented);
//   * ok() implies a finite, non-negative mean, per-joint means finite where
//     their count is > 0, a rate in [0, 1];
//   * every failure carries a non-empty message;
//   * pss::fit gives k finite centres; PSS@k lies in [0, 1] with one flag per
//     frame.
#include "fuzz_decode.hpp"

#include <crossview/metrics/pose_metrics.hpp>
#include <crossview/metrics/pss.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace {

namespace metrics = crossview::metrics;
namespace pss = crossview::metrics::pss;
using crossview::fuzz::mostly_sane;

constexpr int kMaxFrames = 6;
constexpr int kMaxJoints = 6;
// Raw values include finite coordinates near 1e300 whose differences overflow:
// the error means must then report Status::kOverflow, never +Inf as success
// (a former finding, see docs/robustness.md).
double coordinate(FuzzedDataProvider& fdp, double lo, double hi) { return mostly_sane(fdp, lo, hi); }

metrics::Pose3d make_pose(FuzzedDataProvider& fdp, int J) {
  metrics::Pose3d p(3, J);
  for (int j = 0; j < J; ++j) {
    for (int i = 0; i < 3; ++i) p(i, j) = coordinate(fdp, -1000, 1000);
  }
  return p;
}

/// Per-frame 3 x J poses packed 3 x (F*J) (the metrics' batch layout).
metrics::Pose3d pack(const std::vector<metrics::Pose3d>& frames) {
  Eigen::Index n = 0;
  for (const auto& f : frames) n += f.cols();
  metrics::Pose3d out(3, n);
  Eigen::Index c = 0;
  for (const auto& f : frames) {
    out.middleCols(c, f.cols()) = f;
    c += f.cols();
  }
  return out;
}

void check_error(const metrics::ErrorSummary& s) {
  if (s.ok()) {
    CROSSVIEW_FUZZ_CHECK(std::isfinite(s.mean) && s.mean >= 0.0);
    for (Eigen::Index j = 0; j < s.per_joint.size(); ++j) {
      if (s.per_joint_count[j] > 0) CROSSVIEW_FUZZ_CHECK(std::isfinite(s.per_joint[j]) && s.per_joint[j] >= 0.0);
    }
  } else {
    CROSSVIEW_FUZZ_CHECK(!s.message.empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const int F = fdp.ConsumeIntegralInRange<int>(0, kMaxFrames);
  const int J = fdp.ConsumeIntegralInRange<int>(1, kMaxJoints);
  const bool mismatch = fdp.ConsumeIntegralInRange<int>(0, 31) == 0;
  std::vector<metrics::Pose3d> predicted_frames, truth_frames;
  std::vector<bool> visible_flags;
  const bool masked = fdp.ConsumeBool();
  for (int f = 0; f < F; ++f) {
    truth_frames.push_back(make_pose(fdp, J));
    // Predictions near the truth most of the time (so alignments succeed).
    metrics::Pose3d p = truth_frames.back();
    for (int j = 0; j < J; ++j) {
      for (int i = 0; i < 3; ++i) p(i, j) += coordinate(fdp, -50, 50);
    }
    predicted_frames.push_back(mismatch && f == 0 ? make_pose(fdp, J + 1) : p);
    if (masked) {
      for (int j = 0; j < J; ++j) visible_flags.push_back(fdp.ConsumeBool());
    }
  }
  const metrics::Pose3d predicted = pack(predicted_frames), truth = pack(truth_frames);
  metrics::JointMask visible(static_cast<Eigen::Index>(visible_flags.size()));
  for (std::size_t i = 0; i < visible_flags.size(); ++i) visible(static_cast<Eigen::Index>(i)) = visible_flags[i];
  const int root = fdp.ConsumeIntegralInRange<int>(0, J);  // J = out of range
  try {
    metrics::ErrorOptions eo;
    eo.alignment = static_cast<metrics::Alignment>(fdp.ConsumeIntegralInRange<int>(0, 3));
    eo.root_joint = root;
    check_error(metrics::mpjpe(predicted, truth, J, eo, visible));
  } catch (const std::invalid_argument&) {
  }
  try {
    check_error(metrics::pa_mpjpe(predicted, truth, J, visible));
  } catch (const std::invalid_argument&) {
  }
  try {
    check_error(metrics::n_mpjpe(predicted, truth, J, root, visible));
  } catch (const std::invalid_argument&) {
  }
  try {
    metrics::PckOptions po;
    po.threshold = mostly_sane(fdp, 1, 300);
    po.root_joint = root;
    const metrics::RateSummary s = metrics::pck_3d(predicted, truth, J, po, visible);
    if (s.ok()) {
      CROSSVIEW_FUZZ_CHECK(s.rate >= 0.0 && s.rate <= 1.0 && s.num_correct <= s.num_scored);
    } else {
      CROSSVIEW_FUZZ_CHECK(!s.message.empty());
    }
  } catch (const std::invalid_argument&) {
  }

  // PSS with a tiny k (k > N included: documented std::invalid_argument).
  try {
    const int k = fdp.ConsumeIntegralInRange<int>(0, 4);
    pss::FitOptions fo;
    fo.normalization.centering = fdp.ConsumeBool() ? pss::Centering::kRoot : pss::Centering::kCentroid;
    fo.normalization.scaling = fdp.ConsumeBool() ? pss::Scaling::kFrobenius : pss::Scaling::kNone;
    fo.normalization.root_joint = root;
    fo.kmeans.num_restarts = fdp.ConsumeIntegralInRange<int>(1, 3);
    fo.kmeans.max_iterations = fdp.ConsumeIntegralInRange<int>(1, 50);
    fo.kmeans.seed = fdp.ConsumeIntegral<std::uint16_t>();
    fo.kmeans.num_local_trials = fdp.ConsumeIntegralInRange<int>(0, 3);
    const pss::Model model = pss::fit(truth, J, k, fo);
    CROSSVIEW_FUZZ_CHECK(model.k() == k && model.centres.cols() == 3 * J);
    CROSSVIEW_FUZZ_CHECK(model.centres.allFinite() && std::isfinite(model.inertia));
    const int c = pss::nearest_centre(model, truth.leftCols(J));
    CROSSVIEW_FUZZ_CHECK(c >= 0 && c < k);
    const pss::ScoreResult s = pss::score(model, predicted, truth);
    CROSSVIEW_FUZZ_CHECK(s.pss >= 0.0 && s.pss <= 1.0);
    CROSSVIEW_FUZZ_CHECK(s.per_frame.size() == F && s.num_frames == F);
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
