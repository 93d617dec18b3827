// crossview::metrics: MPJPE family, PCK/AUC, JDR and PCP; documented in
// include/crossview/metrics/pose_metrics.hpp. The per-entry core is templated
// on the pose dimension (2 or 3) and instantiated only here.
#include <crossview/metrics/pose_metrics.hpp>

#include <crossview/metrics/alignment.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::metrics {

namespace detail {
namespace {

/// Per-entry errors as F x J tables (the metrics' internal form; the public
/// JointErrors is the same data aligned with the packed columns).
struct ErrorTable {
  Eigen::MatrixXd error;                                    ///< F x J
  Eigen::Array<JointState, Eigen::Dynamic, Eigen::Dynamic> state;  ///< F x J
  JointCounts counts;
};

/// Checks a packed batch pair (Dim x (F*J) each, same size) and the mask (empty
/// or F*J); returns F.
int check_batch(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                const JointMask& visible, int dim, const char* what) {
  if (num_joints < 1) {
    throw std::invalid_argument(std::string(what) + ": num_joints must be >= 1, got " + std::to_string(num_joints));
  }
  const std::string d = std::to_string(dim);
  const Eigen::Index F = require_packed_points(
      ground_truth, dim, num_joints, std::string(what) + ": ground_truth (" + d + " x (F*J), J = num_joints)");
  require_points(predicted, dim, std::string(what) + ": predicted (the shape of ground_truth)", ground_truth.cols());
  if (visible.size() != 0 && visible.size() != ground_truth.cols()) {
    throw std::invalid_argument(std::string(what) + ": visible has " + std::to_string(visible.size()) +
                                " entries, expected none or one per column of ground_truth (" +
                                std::to_string(ground_truth.cols()) + ")");
  }
  return static_cast<int>(F);
}

/// Squared norm and dot product of Dim-vectors summed as c0 + (c1 + c2): the
/// order of Eigen's unrolled reduction over the rows of the J x Dim poses these
/// metrics were first written for, so that the packed (column) form gives the
/// same results bit for bit.
template <int Dim>
double squared_norm(const Eigen::Matrix<double, Dim, 1>& v) {
  if constexpr (Dim == 3) {
    return v(0) * v(0) + (v(1) * v(1) + v(2) * v(2));
  } else {
    return v(0) * v(0) + v(1) * v(1);
  }
}
template <int Dim>
double dot(const Eigen::Matrix<double, Dim, 1>& a, const Eigen::Matrix<double, Dim, 1>& b) {
  if constexpr (Dim == 3) {
    return a(0) * b(0) + (a(1) * b(1) + a(2) * b(2));
  } else {
    return a(0) * b(0) + a(1) * b(1);
  }
}
/// |a - b| (Euclidean), with the scaled norm where the squared one overflows.
template <int Dim>
double distance(const Eigen::Matrix<double, Dim, 1>& a, const Eigen::Matrix<double, Dim, 1>& b) {
  const Eigen::Matrix<double, Dim, 1> d = a - b;
  const double e = std::sqrt(squared_norm<Dim>(d));
  // The squared norm overflows for differences above ~1e154; the scaled norm does not.
  return std::isfinite(e) ? e : d.stableNorm();
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
    case JointState::kDegenerateReference: ++c->degenerate_reference; break;
  }
}

template <int Dim>
ErrorTable compute_errors(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                          const JointMask& visible, Alignment alignment, int root_joint, const char* what) {
  const int F = check_batch(predicted, ground_truth, num_joints, visible, Dim, what);
  const int J = num_joints;
  const bool masked = visible.size() != 0;
  if (F > 0 && (alignment == Alignment::kRoot || alignment == Alignment::kScale)) {
    check_index(root_joint, J, what, "root_joint");
  }
  if (alignment == Alignment::kProcrustes && Dim != 3) {
    throw std::invalid_argument(std::string(what) + ": Procrustes alignment needs 3D poses");
  }
  ErrorTable out;
  out.error.setConstant(F, J, std::numeric_limits<double>::quiet_NaN());
  out.state.resize(F, J);
  using Vec = Eigen::Matrix<double, Dim, 1>;
  Eigen::Matrix<double, Dim, Eigen::Dynamic> p, q;  // per-frame aligned copies, allocated once
  std::vector<int> candidates;
  candidates.reserve(static_cast<std::size_t>(J));
  // Frame views with the row count fixed at compile time (unrolled column access).
  using FrameView = Eigen::Map<const Eigen::Matrix<double, Dim, Eigen::Dynamic>, 0, Eigen::OuterStride<>>;
  const Eigen::OuterStride<> pred_stride(predicted.outerStride()), gt_stride(ground_truth.outerStride());
  for (int f = 0; f < F; ++f) {
    const FrameView pred(predicted.data() + static_cast<Eigen::Index>(f) * J * predicted.outerStride(), Dim, J,
                         pred_stride);  // Dim x J, in place
    const FrameView gt(ground_truth.data() + static_cast<Eigen::Index>(f) * J * ground_truth.outerStride(), Dim, J,
                       gt_stride);
    const auto is_visible = [&](int j) { return !masked || visible(static_cast<Eigen::Index>(f) * J + j); };
    candidates.clear();
    for (int j = 0; j < J; ++j) {
      const bool gt_ok = gt.col(j).allFinite() && is_visible(j);
      if (!gt_ok) {
        out.state(f, j) = JointState::kMissingGroundTruth;
      } else if (!pred.col(j).allFinite()) {
        out.state(f, j) = JointState::kMissingPrediction;
      } else {
        out.state(f, j) = JointState::kEvaluated;
        candidates.push_back(j);
      }
    }
    // A degenerate reference (its valid joints coincide: spread, as the
    // largest coordinate difference from the first valid joint, <= 1e-9 x the
    // largest coordinate magnitude; overflow-free) is excluded and counted.
    {
      int first = -1, num_valid = 0;
      double spread = 0.0, magnitude = 0.0;
      for (int j = 0; j < J; ++j) {
        if (out.state(f, j) == JointState::kMissingGroundTruth) continue;
        ++num_valid;
        if (first < 0) first = j;
        spread = std::max(spread, (gt.col(j) - gt.col(first)).cwiseAbs().maxCoeff());
        magnitude = std::max(magnitude, gt.col(j).cwiseAbs().maxCoeff());
      }
      if (num_valid >= 2 && !(spread > 1e-9 * magnitude)) {
        for (int j = 0; j < J; ++j) {
          if (out.state(f, j) != JointState::kMissingGroundTruth) out.state(f, j) = JointState::kDegenerateReference;
        }
        candidates.clear();
      }
    }
    p = pred;
    q = gt;
    bool aligned = true;
    if (alignment == Alignment::kRoot || alignment == Alignment::kScale) {
      const bool gt_root_ok = gt.col(root_joint).allFinite() && is_visible(root_joint);
      if (!gt_root_ok) {
        for (int j = 0; j < J; ++j) out.state(f, j) = JointState::kMissingGroundTruth;
        candidates.clear();
      } else if (out.state(f, root_joint) == JointState::kDegenerateReference) {
        // already excluded
      } else if (!pred.col(root_joint).allFinite()) {
        aligned = false;
      } else {
        const Vec pred_root = pred.col(root_joint), gt_root = gt.col(root_joint);
        p.colwise() -= pred_root;
        q.colwise() -= gt_root;
        if (alignment == Alignment::kScale) {
          double pp = 0.0, pq = 0.0;
          for (int j : candidates) {
            const Vec pj = p.col(j), qj = q.col(j);
            pp += squared_norm<Dim>(pj);
            pq += dot<Dim>(pj, qj);
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
            ps.row(static_cast<Eigen::Index>(i)) = pred.col(candidates[i]).transpose();
            qs.row(static_cast<Eigen::Index>(i)) = gt.col(candidates[i]).transpose();
          }
          Similarity3d sim;
          if (detail::umeyama_rows(ps, qs, &sim)) {
            for (int j : candidates) {
              const Eigen::Vector3d pj = pred.col(j);
              p.col(j) = sim * pj;
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
    for (int j : candidates) out.error(f, j) = distance<Dim>(p.col(j), q.col(j));
    for (int j = 0; j < J; ++j) count_state(out.state(f, j), &out.counts);
  }
  return out;
}

std::string counts_message(const JointCounts& c) {
  return std::to_string(c.evaluated) + " evaluated, " + std::to_string(c.missing_ground_truth) +
         " missing ground truth, " + std::to_string(c.missing_prediction) +
         " missing prediction, " + std::to_string(c.not_aligned) + " in unaligned frames, " +
         std::to_string(c.degenerate_reference) + " with a degenerate ground truth (coincident joints)";
}

ErrorSummary summarize_errors(const ErrorTable& e) {
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
  } else if (e.counts.degenerate_reference > 0) {
    s.status = Status::kDegenerateReference;
    s.message = "no joint could be evaluated: every frame's ground truth is missing or degenerate (" +
                counts_message(e.counts) + ")";
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
      if (st == JointState::kMissingGroundTruth || st == JointState::kDegenerateReference) continue;
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
  } else if (counts.degenerate_reference > 0) {
    s.status = Status::kDegenerateReference;
    s.message = "nothing to score: every ground-truth entry is missing or degenerate (" + counts_message(counts) + ")";
  } else {
    s.status = Status::kNoValidJoints;
    s.message = F == 0 ? "empty batch" : "nothing to score: every ground-truth entry is missing";
  }
  return s;
}

}  // namespace
}  // namespace detail

JointErrors joint_errors(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                         const ErrorOptions& options, const JointMask& visible) {
  options.validate();
  const detail::ErrorTable t = detail::compute_errors<3>(predicted, ground_truth, num_joints, visible,
                                                         options.alignment, options.root_joint, "joint_errors");
  JointErrors out;
  out.num_frames = static_cast<int>(t.error.rows());
  out.num_joints = num_joints;
  out.counts = t.counts;
  out.error.resize(t.error.size());
  out.state.resize(t.state.size());
  for (Eigen::Index f = 0; f < t.error.rows(); ++f) {
    for (Eigen::Index j = 0; j < t.error.cols(); ++j) {
      out.error(f * num_joints + j) = t.error(f, j);
      out.state(f * num_joints + j) = t.state(f, j);
    }
  }
  return out;
}

ErrorSummary mpjpe(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                   const ErrorOptions& options, const JointMask& visible) {
  options.validate();
  return detail::summarize_errors(detail::compute_errors<3>(predicted, ground_truth, num_joints, visible,
                                                            options.alignment, options.root_joint, "mpjpe"));
}

ErrorSummary pa_mpjpe(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                      const JointMask& visible) {
  return detail::summarize_errors(detail::compute_errors<3>(predicted, ground_truth, num_joints, visible,
                                                            Alignment::kProcrustes, 0, "pa_mpjpe"));
}

ErrorSummary n_mpjpe(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                     int root_joint, const JointMask& visible) {
  if (root_joint < 0) throw std::invalid_argument("n_mpjpe: root_joint must be >= 0");
  return detail::summarize_errors(detail::compute_errors<3>(predicted, ground_truth, num_joints, visible,
                                                            Alignment::kScale, root_joint, "n_mpjpe"));
}

RateSummary pck_3d(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                   const PckOptions& options, const JointMask& visible) {
  options.validate();
  const detail::ErrorTable e = detail::compute_errors<3>(predicted, ground_truth, num_joints, visible,
                                                         options.alignment, options.root_joint, "pck_3d");
  const double t = options.threshold;
  return detail::summarize_rate(e.state, e.counts,
                                [&](Eigen::Index f, Eigen::Index j) { return e.error(f, j) < t; });
}

RateSummary n_pck(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                  PckOptions options, const JointMask& visible) {
  options.alignment = Alignment::kScale;
  return pck_3d(predicted, ground_truth, num_joints, options, visible);
}

AucResult auc_3d(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                 const AucOptions& options, const JointMask& visible) {
  options.validate();
  const detail::ErrorTable e = detail::compute_errors<3>(predicted, ground_truth, num_joints, visible,
                                                         options.alignment, options.root_joint, "auc_3d");
  AucResult r;
  r.counts = e.counts;
  r.thresholds = Eigen::VectorXd::LinSpaced(options.num_thresholds, 0.0, options.max_threshold);
  r.pck = Eigen::VectorXd::Zero(options.num_thresholds);
  int scored = 0;
  for (Eigen::Index f = 0; f < e.state.rows(); ++f) {
    for (Eigen::Index j = 0; j < e.state.cols(); ++j) {
      const JointState st = e.state(f, j);
      if (st == JointState::kMissingGroundTruth || st == JointState::kDegenerateReference) continue;
      ++scored;
      if (st != JointState::kEvaluated) continue;
      for (int t = 0; t < options.num_thresholds; ++t) {
        if (e.error(f, j) < r.thresholds(t)) r.pck(t) += 1.0;
      }
    }
  }
  if (scored == 0) {
    if (e.counts.degenerate_reference > 0) {
      r.status = Status::kDegenerateReference;
      r.message = "nothing to score: every ground-truth entry is missing or degenerate (" +
                  detail::counts_message(e.counts) + ")";
      return r;
    }
    r.message = e.state.rows() == 0 ? "empty batch" : "nothing to score: every ground-truth entry is missing";
    return r;
  }
  r.pck /= scored;
  r.auc = r.pck.mean();
  r.status = Status::kSuccess;
  r.message = std::to_string(scored) + " scored (" + detail::counts_message(e.counts) + ")";
  return r;
}

RateSummary pck_2d(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                   double threshold_px, const JointMask& visible) {
  if (!(threshold_px > 0.0) || !std::isfinite(threshold_px)) {
    throw std::invalid_argument("pck_2d: threshold_px must be finite and > 0");
  }
  const detail::ErrorTable e =
      detail::compute_errors<2>(predicted, ground_truth, num_joints, visible, Alignment::kNone, 0, "pck_2d");
  return detail::summarize_rate(
      e.state, e.counts, [&](Eigen::Index f, Eigen::Index j) { return e.error(f, j) < threshold_px; });
}

RateSummary jdr(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                const JdrOptions& options, const JointMask& visible) {
  options.validate();
  detail::ErrorTable e =
      detail::compute_errors<2>(predicted, ground_truth, num_joints, visible, Alignment::kNone, 0, "jdr");
  const Eigen::Index F = e.state.rows(), J = e.state.cols();
  Eigen::VectorXd threshold(F);
  if (options.fixed_head_size_px == 0.0 && F > 0) {
    detail::check_index(options.head_segment.first, static_cast<int>(J), "jdr", "head_segment.first");
    detail::check_index(options.head_segment.second, static_cast<int>(J), "jdr", "head_segment.second");
  }
  for (Eigen::Index f = 0; f < F; ++f) {
    double head = options.fixed_head_size_px;
    if (head == 0.0) {
      const int a = options.head_segment.first, b = options.head_segment.second;
      const bool ok = visible.size() == 0 || (visible(f * J + a) && visible(f * J + b));
      head = ok ? std::sqrt(detail::squared_norm<2>(ground_truth.col(f * J + a) - ground_truth.col(f * J + b)))
                : std::numeric_limits<double>::quiet_NaN();
    }
    threshold(f) = options.fraction * head;
    if (!(threshold(f) > 0.0) || !std::isfinite(threshold(f))) {
      // A finite head segment of zero length is a degenerate reference (its two
      // joints coincide); a missing one (NaN / masked) is missing ground truth.
      const JointState st = head == 0.0 ? JointState::kDegenerateReference : JointState::kMissingGroundTruth;
      for (Eigen::Index j = 0; j < J; ++j) {
        if (e.state(f, j) != JointState::kMissingGroundTruth) e.state(f, j) = st;
      }
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
RateSummary pcp_impl(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                     const PcpOptions& options, const JointMask& visible, const char* what) {
  options.validate();
  const ErrorTable e = compute_errors<Dim>(predicted, ground_truth, num_joints, visible, Alignment::kNone, 0, what);
  const Eigen::Index F = e.state.rows();
  const Eigen::Index P = static_cast<Eigen::Index>(options.parts.size());
  if (F > 0) {
    for (const Limb& l : options.parts) {
      check_index(l.first, static_cast<int>(e.state.cols()), what, "part joint");
      check_index(l.second, static_cast<int>(e.state.cols()), what, "part joint");
    }
  }
  Eigen::Array<JointState, Eigen::Dynamic, Eigen::Dynamic> state(F, P);
  Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> correct(F, P);
  JointCounts counts;
  for (Eigen::Index f = 0; f < F; ++f) {
    const auto gt = ground_truth.middleCols(f * num_joints, num_joints);
    for (Eigen::Index k = 0; k < P; ++k) {
      const int a = options.parts[static_cast<std::size_t>(k)].first;
      const int b = options.parts[static_cast<std::size_t>(k)].second;
      const JointState sa = e.state(f, a), sb = e.state(f, b);
      JointState s = JointState::kEvaluated;
      if (sa == JointState::kMissingGroundTruth || sb == JointState::kMissingGroundTruth) {
        s = JointState::kMissingGroundTruth;
      } else if (sa == JointState::kDegenerateReference || sb == JointState::kDegenerateReference ||
                 !(std::sqrt(squared_norm<Dim>(gt.col(a) - gt.col(b))) > 0.0)) {
        // Degenerate frame, or a part of zero ground-truth length (nothing
        // but an exact prediction could be "correct").
        s = JointState::kDegenerateReference;
      } else if (sa != JointState::kEvaluated || sb != JointState::kEvaluated) {
        s = JointState::kMissingPrediction;
      }
      state(f, k) = s;
      count_state(s, &counts);
      correct(f, k) = s == JointState::kEvaluated &&
                      0.5 * (e.error(f, a) + e.error(f, b)) <=
                          options.alpha * std::sqrt(squared_norm<Dim>(gt.col(a) - gt.col(b)));
    }
  }
  return summarize_rate(state, counts, [&](Eigen::Index f, Eigen::Index k) { return correct(f, k); });
}
}  // namespace
}  // namespace detail

RateSummary pcp(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                const PcpOptions& options, const JointMask& visible) {
  return detail::pcp_impl<3>(predicted, ground_truth, num_joints, options, visible, "pcp");
}

RateSummary pcp_2d(const ConstPointsRef& predicted, const ConstPointsRef& ground_truth, int num_joints,
                   const PcpOptions& options, const JointMask& visible) {
  return detail::pcp_impl<2>(predicted, ground_truth, num_joints, options, visible, "pcp_2d");
}

}  // namespace crossview::metrics
