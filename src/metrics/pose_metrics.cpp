// crossview::metrics: MPJPE family, PCK/AUC, JDR and PCP; documented in
// include/crossview/metrics/pose_metrics.hpp. The per-entry core is templated
// on the pose dimension (2 or 3) and instantiated only here.
#include <crossview/metrics/pose_metrics.hpp>

#include <crossview/metrics/alignment.hpp>

#include <Eigen/Core>

#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::metrics {

namespace detail {
namespace {

template <int Dim>
using PoseD = Eigen::Matrix<double, Eigen::Dynamic, Dim>;

int check_batch_sizes(std::size_t num_pred, std::size_t num_gt,
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

void check_index(int index, int num_joints, const char* what, const char* name) {
  if (index < 0 || index >= num_joints) {
    throw std::invalid_argument(std::string(what) + ": " + name + " = " + std::to_string(index) +
                                " is out of range for " + std::to_string(num_joints) + " joints");
  }
}

void count_state(JointState s, JointCounts* c) {
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
    for (int j : candidates) {
      double err = (p.row(j) - q.row(j)).norm();
      // The squared norm overflows for differences above ~1e154; the scaled norm does not.
      if (!std::isfinite(err)) err = (p.row(j) - q.row(j)).stableNorm();
      out.error(f, j) = err;
    }
    for (int j = 0; j < J; ++j) count_state(out.state(f, j), &out.counts);
  }
  return out;
}

std::string counts_message(const JointCounts& c) {
  return std::to_string(c.evaluated) + " evaluated, " + std::to_string(c.missing_ground_truth) +
         " missing ground truth, " + std::to_string(c.missing_prediction) +
         " missing prediction, " + std::to_string(c.not_aligned) + " in unaligned frames";
}

ErrorSummary summarize_errors(const JointErrors& e) {
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
  if (e.counts.evaluated > 0 && !std::isfinite(total)) {
    s.status = Status::kOverflow;
    s.mean = kNaN;
    s.message = "a joint error or the sum of errors is not representable in double (finite coordinates of "
                "magnitude ~1e150 or more; " + counts_message(e.counts) + ")";
  } else if (e.counts.evaluated > 0) {
    s.status = Status::kSuccess;
    s.mean = total / e.counts.evaluated;
    s.message = counts_message(e.counts);
  } else {
    s.status = Status::kNoValidJoints;
    s.message = F == 0 ? "empty batch" : "no joint could be evaluated (" + counts_message(e.counts) + ")";
  }
  return s;
}

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

}  // namespace
}  // namespace detail

JointErrors joint_errors(const std::vector<Pose3d>& predicted,
                                const std::vector<Pose3d>& ground_truth,
                                const ErrorOptions& options,
                                const std::vector<JointMask>& visible) {
  options.validate();
  return detail::compute_errors<3>(predicted, ground_truth, visible, options.alignment,
                                   options.root_joint, "joint_errors");
}

ErrorSummary mpjpe(const std::vector<Pose3d>& predicted,
                          const std::vector<Pose3d>& ground_truth,
                          const ErrorOptions& options,
                          const std::vector<JointMask>& visible) {
  options.validate();
  return detail::summarize_errors(detail::compute_errors<3>(
      predicted, ground_truth, visible, options.alignment, options.root_joint, "mpjpe"));
}

ErrorSummary pa_mpjpe(const std::vector<Pose3d>& predicted,
                             const std::vector<Pose3d>& ground_truth,
                             const std::vector<JointMask>& visible) {
  return detail::summarize_errors(detail::compute_errors<3>(
      predicted, ground_truth, visible, Alignment::kProcrustes, 0, "pa_mpjpe"));
}

ErrorSummary n_mpjpe(const std::vector<Pose3d>& predicted,
                            const std::vector<Pose3d>& ground_truth, int root_joint,
                            const std::vector<JointMask>& visible) {
  if (root_joint < 0) throw std::invalid_argument("n_mpjpe: root_joint must be >= 0");
  return detail::summarize_errors(detail::compute_errors<3>(
      predicted, ground_truth, visible, Alignment::kScale, root_joint, "n_mpjpe"));
}

RateSummary pck_3d(const std::vector<Pose3d>& predicted,
                          const std::vector<Pose3d>& ground_truth,
                          const PckOptions& options,
                          const std::vector<JointMask>& visible) {
  options.validate();
  const JointErrors e = detail::compute_errors<3>(predicted, ground_truth, visible,
                                                  options.alignment, options.root_joint, "pck_3d");
  const double t = options.threshold;
  return detail::summarize_rate(e.state, e.counts,
                                [&](Eigen::Index f, Eigen::Index j) { return e.error(f, j) < t; });
}

RateSummary n_pck(const std::vector<Pose3d>& predicted,
                         const std::vector<Pose3d>& ground_truth, PckOptions options,
                         const std::vector<JointMask>& visible) {
  options.alignment = Alignment::kScale;
  return pck_3d(predicted, ground_truth, options, visible);
}

AucResult auc_3d(const std::vector<Pose3d>& predicted,
                        const std::vector<Pose3d>& ground_truth, const AucOptions& options,
                        const std::vector<JointMask>& visible) {
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

RateSummary pck_2d(const std::vector<Pose2d>& predicted,
                          const std::vector<Pose2d>& ground_truth, double threshold_px,
                          const std::vector<JointMask>& visible) {
  if (!(threshold_px > 0.0) || !std::isfinite(threshold_px)) {
    throw std::invalid_argument("pck_2d: threshold_px must be finite and > 0");
  }
  const JointErrors e = detail::compute_errors<2>(predicted, ground_truth, visible,
                                                  Alignment::kNone, 0, "pck_2d");
  return detail::summarize_rate(
      e.state, e.counts, [&](Eigen::Index f, Eigen::Index j) { return e.error(f, j) < threshold_px; });
}

RateSummary jdr(const std::vector<Pose2d>& predicted,
                       const std::vector<Pose2d>& ground_truth, const JdrOptions& options,
                       const std::vector<JointMask>& visible) {
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
namespace {
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
}  // namespace
}  // namespace detail

RateSummary pcp(const std::vector<Pose3d>& predicted, const std::vector<Pose3d>& ground_truth,
                       const PcpOptions& options, const std::vector<JointMask>& visible) {
  return detail::pcp_impl<3>(predicted, ground_truth, options, visible);
}

RateSummary pcp_2d(const std::vector<Pose2d>& predicted, const std::vector<Pose2d>& ground_truth,
                       const PcpOptions& options, const std::vector<JointMask>& visible) {
  return detail::pcp_impl<2>(predicted, ground_truth, options, visible);
}

}  // namespace crossview::metrics
