// crossview: robust two-view estimation pipelines (F and E); see
// include/crossview/epipolar/estimate.hpp for the documentation.
#include <crossview/epipolar/estimate.hpp>

#include <crossview/epipolar/detail/homography.hpp>

#include "internal.hpp"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::epipolar {

namespace detail {
namespace {

/// Scratch buffers of sampson_weighted_8point (reused across RANSAC refits).
struct RefitBuffers {
  std::vector<Eigen::Vector2d> x1, x2;
  std::vector<double> w;
};

/// Non-minimal refit shared by the F and E estimators: the 8-point solution on
/// the indexed correspondences, each row weighted by (caller weight) / (squared
/// gradient norm of the current model), so that the weighted algebraic least
/// squares approximates the Sampson error (one IRLS step). Returns false when
/// fewer than 8 points, degenerate weights or the 8-point solver fails.
bool sampson_weighted_8point(const Eigen::Vector2d* x1,
                             const Eigen::Vector2d* x2, const int* indices,
                             int n, const double* weights, const Eigen::Matrix3d& current,
                             RefitBuffers* buffers, Eigen::Matrix3d* out) {
  if (n < 8) return false;
  buffers->x1.resize(n);
  buffers->x2.resize(n);
  buffers->w.resize(n);
  for (int k = 0; k < n; ++k) {
    const int i = indices[k];
    buffers->x1[k] = x1[i];
    buffers->x2[k] = x2[i];
    const Eigen::Vector3d l2 = current * x1[i].homogeneous();
    const Eigen::Vector3d l1 = current.transpose() * x2[i].homogeneous();
    const double d = l2.head<2>().squaredNorm() + l1.head<2>().squaredNorm();
    buffers->w[k] = (weights ? weights[k] : 1.0) / std::max(d, 1e-300);
  }
  // Keep the weights O(1) for the solver's conditioning.
  const double wmax = *std::max_element(buffers->w.begin(), buffers->w.end());
  if (!(wmax > 0.0) || !std::isfinite(wmax)) return false;
  for (double& w : buffers->w) w /= wmax;
  return fundamental_8point(buffers->x1.data(), buffers->x2.data(), n, out, buffers->w.data()) == 1;
}


/// Finite correspondences, their original indices, and a degeneracy verdict.
struct CleanCorrespondences {
  std::vector<Eigen::Vector2d> p1, p2;
  std::vector<int> original;
  int dropped = 0;
};

/// Both point sets 2 x N with the same N, match scores empty or N entries
/// (`what1`, `what2`, `what_scores`: literals naming them in the messages).
void check_correspondences(const char* what1, const char* what2, const ConstPointsRef& a, const ConstPointsRef& b,
                           const ConstScoresRef* scores = nullptr, const char* what_scores = nullptr) {
  require_points(a, 2, what1);
  require_points(b, 2, what2, a.cols());
  if (scores != nullptr) require_scores(*scores, a.cols(), what_scores);
}

/// Returns an empty string when the points can determine a two-view model of
/// minimal sample `m`, else the reason (status in *status).
std::string check_degenerate(const std::vector<Eigen::Vector2d>& p1,
                             const std::vector<Eigen::Vector2d>& p2, int m,
                             EstimateStatus* status) {
  const int n = static_cast<int>(p1.size());
  if (n < m) {
    *status = EstimateStatus::kTooFewPoints;
    return "need at least " + std::to_string(m) + " finite correspondences, got " +
           std::to_string(n);
  }
  // Distinct correspondences.
  std::vector<std::array<double, 4>> keys(n);
  for (int i = 0; i < n; ++i) keys[i] = {p1[i].x(), p1[i].y(), p2[i].x(), p2[i].y()};
  std::sort(keys.begin(), keys.end());
  const int distinct = static_cast<int>(std::unique(keys.begin(), keys.end()) - keys.begin());
  if (distinct < m) {
    *status = EstimateStatus::kDegenerate;
    return "only " + std::to_string(distinct) + " distinct correspondences (duplicates), need " +
           std::to_string(m);
  }
  // Collinear (or coincident) points in either image: the epipolar geometry is
  // not determined.
  for (int img = 0; img < 2; ++img) {
    const auto& p = img == 0 ? p1 : p2;
    Eigen::Vector2d mean = Eigen::Vector2d::Zero();
    for (const auto& x : p) mean += x;
    mean /= n;
    Eigen::Matrix2d C = Eigen::Matrix2d::Zero();
    for (const auto& x : p) C += (x - mean) * (x - mean).transpose();
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(C);
    const Eigen::Vector2d ev = es.eigenvalues();
    if (!(ev(0) > 1e-12 * ev(1))) {
      *status = EstimateStatus::kDegenerate;
      return std::string("all points of image ") + (img == 0 ? "1" : "2") +
             " are collinear or coincident";
    }
  }
  return {};
}

CleanCorrespondences clean_correspondences(const ConstPointsRef& points1, const ConstPointsRef& points2) {
  CleanCorrespondences c;
  const Eigen::Index n = points1.cols();
  c.p1.resize(static_cast<std::size_t>(n));
  c.p2.resize(static_cast<std::size_t>(n));
  c.original.resize(static_cast<std::size_t>(n));
  // Raw column access (the outer stride is a run-time value of the Ref).
  const double* a = points1.data();
  const double* b = points2.data();
  const Eigen::Index sa = points1.outerStride(), sb = points2.outerStride();
  std::size_t k = 0;
  for (Eigen::Index i = 0; i < n; ++i, a += sa, b += sb) {
    if (std::isfinite(a[0]) && std::isfinite(a[1]) && std::isfinite(b[0]) && std::isfinite(b[1])) {
      c.p1[k] = Eigen::Vector2d(a[0], a[1]);
      c.p2[k] = Eigen::Vector2d(b[0], b[1]);
      c.original[k] = static_cast<int>(i);
      ++k;
    }
  }
  c.dropped = static_cast<int>(static_cast<std::size_t>(n) - k);
  c.p1.resize(k);
  c.p2.resize(k);
  c.original.resize(k);
  return c;
}

std::string dropped_note(int dropped) {
  return dropped > 0 ? " (" + std::to_string(dropped) + " correspondences with NaN/Inf ignored)"
                     : std::string();
}

/// 7-point minimal / Sampson-weighted 8-point refit, Sampson residuals (px^2).
struct FundamentalEstimator {
  using Model = Eigen::Matrix3d;
  static constexpr int kMinSampleSize = 7;
  const Eigen::Vector2d* x1;
  const Eigen::Vector2d* x2;
  int num;
  bool oriented;  ///< drop models violating the oriented epipolar constraint
  mutable RefitBuffers buffers;

  int num_data() const { return num; }
  int minimal_solve(const int* sample, std::vector<Model>* models) const {
    Eigen::Vector2d a[7], b[7];
    for (int k = 0; k < 7; ++k) {
      a[k] = x1[sample[k]];
      b[k] = x2[sample[k]];
    }
    return fundamental_7point(a, b, models);
  }
  /// Oriented epipolar constraint on the 7 sample points (when `oriented`): a model
  /// that needs one of them behind a camera is dropped before scoring.
  bool is_model_valid(const Model& F, const int* sample) const {
    if (!oriented) return true;
    Eigen::Vector2d a[7], b[7];
    for (int k = 0; k < 7; ++k) {
      a[k] = x1[sample[k]];
      b[k] = x2[sample[k]];
    }
    return oriented_epipolar_consistent(F, a, b, 7);
  }
  bool refit(const int* indices, int n, const double* weights, Model* F) const {
    Eigen::Matrix3d out;
    if (!sampson_weighted_8point(x1, x2, indices, n, weights, *F, &buffers, &out)) return false;
    *F = out;
    return true;
  }
  double squared_residual(const Model& F, int i) const {
    return sampson_error_squared(F, x1[i], x2[i]);
  }
};

double msac_score(const Eigen::Matrix3d& F, const std::vector<Eigen::Vector2d>& p1,
                  const std::vector<Eigen::Vector2d>& p2, double t2, int* num_inliers) {
  double s = 0.0;
  int k = 0;
  for (std::size_t i = 0; i < p1.size(); ++i) {
    const double r2 = sampson_error_squared(F, p1[i], p2[i]);
    if (r2 < t2) {
      s += r2;
      ++k;
    } else {
      s += t2;
    }
  }
  if (num_inliers) *num_inliers = k;
  return s;
}

/// Wide-gate refit rounds of estimate_fundamental's support convergence.
constexpr int kSupportRounds = 3;

/// The support continues past the gate: the correspondences in [t, 6 t) exceed the
/// outlier background by more than 6 % of the inliers (Gaussian noise with sigma <=
/// t / 2 puts < 4.8 % there) plus two Poisson standard deviations. It only decides
/// whether the wide-gate refit is tried (kept only if it lowers the MSAC score), so
/// it leans to trying: a near miss has ~12 % there (e.g. 33 of 269 inliers, 0.45 px
/// off, where the true F has 18 of 284).
bool support_keeps_growing(const PartialFitStatistics& pf) {
  const double background = 5.0 * pf.background_per_gate;
  const double allowed = 0.06 * pf.num_inliers;
  return pf.num_near + pf.num_band - background > allowed + 2.0 * std::sqrt(allowed + background + 1.0);
}

/// The partial-fit verdict: the correspondences in [2 t, 6 t) exceed the outlier
/// background by more than `ratio` x the inliers plus three Poisson standard deviations.
bool is_partial_fit(const PartialFitStatistics& pf, double ratio) {
  const double allowed = ratio * pf.num_inliers;
  return pf.num_band - pf.band_background() > allowed + 3.0 * std::sqrt(allowed + pf.band_background());
}

/// Support counts of F for estimate_fundamental's support checks (see estimate.hpp,
/// PartialFitStatistics): Sampson error < t, in [t, 2 t), in [2 t, 6 t), and the
/// outlier background, measured on shuffled pairs (x1_i, x2_(i + s) mod n) for two
/// shifts s: their rate per gate width of residual, times the n - inliers points.
/// `r2` receives the squared Sampson errors of the pairs (reused for the inlier mask).
PartialFitStatistics partial_fit_statistics(const Eigen::Matrix3d& F, const std::vector<Eigen::Vector2d>& p1,
                                            const std::vector<Eigen::Vector2d>& p2, double t,
                                            double partial_fit_ratio, std::vector<double>* r2) {
  PartialFitStatistics st;
  const int n = static_cast<int>(p1.size());
  const double t2 = t * t, near2 = 4.0 * t2, band2 = 36.0 * t2;
  r2->resize(n);
  for (int i = 0; i < n; ++i) {
    const double e = sampson_error_squared(F, p1[i], p2[i]);
    (*r2)[i] = e;
    st.num_inliers += e < t2;
    st.num_near += e >= t2 && e < near2;
    st.num_band += e >= near2 && e < band2;
  }
  // The background only lowers the excess of both tests: when neither fires without
  // it, it is not measured (0).
  {
    PartialFitStatistics no_background = st;
    no_background.background_per_gate = 0.0;
    if (!support_keeps_growing(no_background) && !is_partial_fit(no_background, partial_fit_ratio)) {
      return st;
    }
  }
  int shuffled_within = 0, shuffled = 0;  // shuffled pairs with an error in [t, 6 t)
  for (const int shift : {n / 3, (2 * n) / 3}) {
    if (shift <= 0 || shift >= n) continue;
    for (int i = 0; i < n; ++i) {
      const int j = i + shift < n ? i + shift : i + shift - n;
      const double r2 = sampson_error_squared(F, p1[i], p2[j]);
      shuffled_within += r2 >= t2 && r2 < band2;
      ++shuffled;
    }
  }
  // Outliers per gate width: the rate over [t, 6 t) (5 widths), times the non-inliers.
  st.background_per_gate =
      shuffled > 0 ? static_cast<double>(shuffled_within) / (5.0 * shuffled) * (n - st.num_inliers) : 0.0;
  return st;
}

Eigen::Matrix3d skew3(const Eigen::Vector3d& v) {
  Eigen::Matrix3d m;
  m << 0.0, -v.z(), v.y(), v.z(), 0.0, -v.x(), -v.y(), v.x(), 0.0;
  return m;
}

/// 5-point minimal solver on normalized points with cheirality rejection of the
/// sample, manifold LM refit (R, unit t), Sampson residuals (normalized units,
/// squared).
struct EssentialEstimator {
  using Model = Eigen::Matrix3d;
  static constexpr int kMinSampleSize = 5;
  const Eigen::Vector2d* x1;
  const Eigen::Vector2d* x2;
  int num;
  RefineOptions lo_refine;

  int num_data() const { return num; }
  int minimal_solve(const int* sample, std::vector<Model>* models) const {
    Eigen::Vector3d a[5], b[5];
    for (int k = 0; k < 5; ++k) {
      a[k] = x1[sample[k]].homogeneous();
      b[k] = x2[sample[k]].homogeneous();
    }
    return essential_5point(a, b, models);
  }
  /// Cheirality of the sample: E is kept if, for one of its two rotations, all
  /// 5 sample points triangulate with depths of one common sign in both
  /// cameras (all positive: +t; all negative: -t). Near-parallel rays (no
  /// depth) do not vote.
  bool is_model_valid(const Model& E, const int* sample) const {
    std::array<camera::Rigid3d, 4> cand;
    decompose_essential(E, &cand);
    for (int c = 0; c < 4; c += 2) {  // c = 0: (R1, t), c = 2: (R2, t)
      const Eigen::Matrix3d R = cand[c].rotation_matrix();
      const Eigen::Vector3d& t = cand[c].translation;
      int pos = 0, neg = 0, voted = 0;
      for (int k = 0; k < 5; ++k) {
        double d1, d2;
        if (!triangulate_depths(R, t, x1[sample[k]].homogeneous(), x2[sample[k]].homogeneous(), &d1,
                                &d2)) {
          continue;
        }
        ++voted;
        pos += d1 > 0.0 && d2 > 0.0;
        neg += d1 < 0.0 && d2 < 0.0;
      }
      if (pos == voted || neg == voted) return true;
    }
    return false;
  }
  /// Local optimisation on the essential manifold: a few Levenberg-Marquardt
  /// steps on (R, unit t) minimising the (weighted) Sampson error of the given
  /// points, started from the current model. (A linear 8-point refit projected
  /// onto the essential matrices is not used: on compact scenes, such as the
  /// joints of one person, the unconstrained 8-point F is poorly conditioned and
  /// its projection can move far from the optimum, leaving LO stuck in a wrong
  /// basin with a large but wrong consensus set.)
  bool refit(const int* indices, int n, const double* weights, Model* E) const {
    if (n < 5 || !E->allFinite() || !(E->norm() > 0.0)) return false;
    std::array<camera::Rigid3d, 4> cand;
    decompose_essential(*E, &cand);  // any candidate: [t]x R = +-E, same Sampson errors
    Eigen::Matrix3d R = cand[0].rotation_matrix();
    Eigen::Vector3d t = cand[0].translation;
    const RefineSummary s = refine_essential_lm(x1, x2, indices, n, weights, lo_refine, &R, &t);
    if (!s.success) return false;
    const Eigen::Matrix3d Er = skew3(t) * R;
    if (!Er.allFinite()) return false;
    *E = Er;
    return true;
  }
  double squared_residual(const Model& E, int i) const {
    return sampson_error_squared(E, x1[i], x2[i]);
  }
};

EstimateStatus status_from_recover_pose(RecoverPoseStatus s) {
  switch (s) {
    case RecoverPoseStatus::kSuccess: return EstimateStatus::kSuccess;
    case RecoverPoseStatus::kLowParallax: return EstimateStatus::kPureRotation;
    case RecoverPoseStatus::kAmbiguous:
    case RecoverPoseStatus::kTooFewInFront: return EstimateStatus::kAmbiguousPose;
    case RecoverPoseStatus::kInvalidInput:
    case RecoverPoseStatus::kDegenerateEssential: return EstimateStatus::kDegenerate;
  }
  return EstimateStatus::kDegenerate;
}

/// LM steps per local-optimisation refit inside RANSAC (each LO run does up to
/// RansacOptions::lo_max_iterations refits).
constexpr int kLoRefineIterations = 8;
/// Refine / re-select-inliers rounds of the final refinement.
constexpr int kFinalRefineRounds = 5;

/// The shared pipeline on finite normalized points (c.p1 / c.p2 normalized,
/// c.original = input indices). `fn` names the public call in messages.
void estimate_essential_core(const char* fn, const CleanCorrespondences& c,
                             std::size_t num_input, double max_error_normalized,
                             const std::string& note, const EssentialOptions& options,
                             EssentialResult* result) {
  EssentialResult& r = *result;
  r.inlier_mask.assign(num_input, 0);
  r.cheirality_mask.assign(num_input, 0);
  r.max_error_normalized = max_error_normalized;
  {
    EstimateStatus st;
    const std::string why = check_degenerate(c.p1, c.p2, 5, &st);
    if (!why.empty()) {
      r.status = st;
      r.message = std::string(fn) + ": " + why + note;
      return;
    }
  }
  const int n = static_cast<int>(c.p1.size());
  robust::RansacOptions ro = options.ransac;
  ro.max_residual = max_error_normalized;
  const double t2 = max_error_normalized * max_error_normalized;
  RefineOptions lo_refine = options.refine_options;
  lo_refine.max_iterations = std::min(lo_refine.max_iterations, kLoRefineIterations);
  EssentialEstimator est{c.p1.data(), c.p2.data(), n, lo_refine};
  Eigen::Matrix3d E;
  r.report = robust::ransac(est, ro, &E);
  if (!r.report.success()) {
    r.status = EstimateStatus::kNoConsensus;
    r.message = std::string(fn) + ": " + r.report.message + note;
    return;
  }
  // Sampson inliers of E and recover_pose on them.
  std::vector<Eigen::Vector2d> in1, in2;
  std::vector<int> in_idx;
  auto select_inliers = [&](const Eigen::Matrix3d& model) {
    in1.clear();
    in2.clear();
    in_idx.clear();
    for (int i = 0; i < n; ++i) {
      if (sampson_error_squared(model, c.p1[i], c.p2[i]) < t2) {
        in1.push_back(c.p1[i]);
        in2.push_back(c.p2[i]);
        in_idx.push_back(i);
      }
    }
  };
  select_inliers(E);
  RecoverPoseResult rp =
      recover_pose(E, in1.data(), in2.data(), static_cast<int>(in1.size()), options.recover_pose);
  camera::Rigid3d pose = rp.cam2_from_cam1;
  // Final refinement, alternating: LM on (R, unit t) over the inliers in front of
  // both cameras -> re-select the Sampson inliers of the refined model -> redo the
  // cheirality, until the inlier set stops changing (at most kFinalRefineRounds).
  // A round is kept only if the MSAC score over all points does not rise.
  if (options.refine && rp.best_candidate >= 0 && rp.status != RecoverPoseStatus::kLowParallax) {
    int k0 = 0;
    double s0 = msac_score(E, c.p1, c.p2, t2, &k0);
    for (int round = 0; round < kFinalRefineRounds; ++round) {
      camera::Rigid3d refined = pose;
      const RefineSummary summary = refine_relative_pose(in1.data(), in2.data(), static_cast<int>(in1.size()),
                                                         rp.in_front_mask, &refined, options.refine_options);
      if (round == 0 || summary.success) r.refinement = summary;
      if (!summary.success || !refined.rotation_matrix().allFinite() ||
          !refined.translation.allFinite()) {
        break;
      }
      const Eigen::Matrix3d Er = essential_from_pose(refined);
      int k1 = 0;
      const double s1 = msac_score(Er, c.p1, c.p2, t2, &k1);
      if (!(s1 <= s0)) break;
      const std::vector<int> previous = in_idx;
      E = Er;
      s0 = s1;
      select_inliers(E);
      RecoverPoseResult rp2 =
          recover_pose(E, in1.data(), in2.data(), static_cast<int>(in1.size()), options.recover_pose);
      if (rp2.best_candidate < 0) break;
      // E = [t]x R of the refined pose: recover_pose re-picks the candidate; keep the
      // refined pose unless the cheirality now prefers another candidate.
      const camera::Rigid3d& p2 = rp2.cam2_from_cam1;
      pose = (p2.translation.dot(refined.translation) < 0.0 ||
              camera::rotation_angle_between(p2.rotation_matrix(), refined.rotation_matrix()) > 1e-6)
                 ? p2
                 : refined;
      rp = std::move(rp2);
      if (in_idx == previous) break;
    }
  }
  r.recover_pose_status = rp.status;
  r.recover_pose_message = rp.message;
  r.E = E / E.norm();
  r.cam2_from_cam1 = pose;
  r.num_inliers = static_cast<int>(in_idx.size());
  r.num_in_front = 0;
  for (std::size_t k = 0; k < in_idx.size(); ++k) {
    const int orig = c.original[in_idx[k]];
    r.inlier_mask[orig] = 1;
    if (k < rp.in_front_mask.size() && rp.in_front_mask[k]) {
      r.cheirality_mask[orig] = 1;
      ++r.num_in_front;
    }
  }
  r.status = status_from_recover_pose(rp.status);
  const std::string counts = std::to_string(r.num_inliers) + " inliers (" +
                             std::to_string(r.num_in_front) + " in front) of " +
                             std::to_string(num_input) + " after " +
                             std::to_string(r.report.num_iterations) + " samples";
  if (r.status == EstimateStatus::kSuccess) {
    r.message = std::string(fn) + ": " + counts + note;
  } else {
    if (r.status == EstimateStatus::kDegenerate) {
      r.E.setZero();
      r.cam2_from_cam1 = camera::Rigid3d();
    }
    r.message = std::string(fn) + ": " + to_string(r.status) + ": recover_pose says " +
                to_string(rp.status) + " (" + rp.message + "); " + counts +
                (r.status == EstimateStatus::kPureRotation
                     ? "; the rotation is usable, the translation direction is undetermined"
                     : std::string()) +
                note;
  }
}

}  // namespace
}  // namespace detail

void FundamentalOptions::validate() const {
  if (!(max_error_px > 0.0) || !std::isfinite(max_error_px)) {
    throw std::invalid_argument("FundamentalOptions::max_error_px must be finite and > 0, got " +
                                std::to_string(max_error_px));
  }
  robust::RansacOptions r = ransac;
  r.max_residual = max_error_px;
  r.validate();
  if (!(dominant_plane_ratio > 0.0 && dominant_plane_ratio <= 1.0)) {
    throw std::invalid_argument("FundamentalOptions::dominant_plane_ratio must be in (0, 1], got " +
                                std::to_string(dominant_plane_ratio));
  }
  if (!(partial_fit_ratio > 0.0 && partial_fit_ratio <= 1.0)) {
    throw std::invalid_argument("FundamentalOptions::partial_fit_ratio must be in (0, 1], got " +
                                std::to_string(partial_fit_ratio));
  }
  if (min_off_plane_inliers < 2) {
    throw std::invalid_argument("FundamentalOptions::min_off_plane_inliers must be >= 2, got " +
                                std::to_string(min_off_plane_inliers));
  }
  refine_options.validate();
}

FundamentalResult estimate_fundamental(const ConstPointsRef& points1_px, const ConstPointsRef& points2_px,
                                       const FundamentalOptions& options,
                                       const ConstScoresRef& match_scores) {
  options.validate();
  detail::check_correspondences("estimate_fundamental: points1_px", "estimate_fundamental: points2_px", points1_px,
                                points2_px, &match_scores, "estimate_fundamental: match_scores");
  FundamentalResult result;
  result.inlier_mask.assign(static_cast<std::size_t>(points1_px.cols()), 0);
  const detail::CleanCorrespondences c = detail::clean_correspondences(points1_px, points2_px);
  result.num_dropped_non_finite = c.dropped;
  const std::string note = detail::dropped_note(c.dropped);
  {
    EstimateStatus st;
    const std::string why = detail::check_degenerate(c.p1, c.p2, 7, &st);
    if (!why.empty()) {
      result.status = st;
      result.message = "estimate_fundamental: " + why + note;
      return result;
    }
  }
  const int n = static_cast<int>(c.p1.size());
  robust::RansacOptions ro = options.ransac;
  ro.max_residual = options.max_error_px;
  const double t2 = ro.max_residual * ro.max_residual;

  detail::FundamentalEstimator est{c.p1.data(), c.p2.data(), n, options.oriented_constraint, {}};
  std::vector<double> scores;
  if (match_scores.size() > 0) {
    for (int i : c.original) scores.push_back(match_scores(i));
  }
  Eigen::Matrix3d F;
  result.report = robust::ransac(est, ro, &F, scores.empty() ? nullptr : scores.data());
  if (!result.report.success()) {
    result.status = EstimateStatus::kNoConsensus;
    result.message = "estimate_fundamental: " + result.report.message + note;
    return result;
  }

  // --- DEGENSAC-style dominant plane check ----------------------------------
  int off_plane_inliers = -1;
  if (options.check_dominant_plane) {
    std::vector<int> inl;
    for (int i = 0; i < n; ++i) {
      if (result.report.inlier_mask[i]) inl.push_back(i);
    }
    detail::HomographyEstimator hest{c.p1.data(), c.p2.data(), inl.data(),
                                     static_cast<int>(inl.size())};
    robust::RansacOptions hro;
    // Transfer error in image 2 only: a sqrt(2) wider gate than the Sampson one.
    hro.max_residual = options.max_error_px * std::sqrt(2.0);
    hro.confidence = 0.9999;
    // Enough samples to draw, with probability 0.9999, one all-plane sample of a
    // plane holding dominant_plane_ratio of the F inliers (34 samples at 70 %); a
    // plane holding less cannot trigger the check, so sampling for a smaller one
    // (this used 50 %: 107 samples) only costs time in the common, non-planar
    // case. At most 200.
    const double plane_fraction = options.dominant_plane_ratio;
    const int num_inl = static_cast<int>(inl.size());
    hro.max_iterations = robust::required_iterations(
        static_cast<int>(std::ceil(plane_fraction * num_inl)), num_inl, 4, hro.confidence, 1.0, 1, 200);
    hro.seed = ro.seed ^ 0x486f6d6fULL;
    hro.lo_max_iterations = 2;
    hro.lo_inner_iterations = 0;  // a plane is either found by the 34 samples or not there
    Eigen::Matrix3d H;
    const robust::Report hr = robust::ransac(hest, hro, &H);
    if (hr.success() &&
        hr.num_inliers >= options.dominant_plane_ratio * static_cast<double>(inl.size())) {
      result.dominant_plane = true;
      // Plane and parallax: off-plane points (w.r.t. H, over all points) give
      // the epipole e2 = (H x1_a x x2_a) x (H x1_b x x2_b); F = [e2]x H.
      // "Off the plane" = farther than 3 gates from the homography transfer, so
      // that noisy plane points (which fit any F through H) are not counted.
      const double h2 = 9.0 * hro.max_residual * hro.max_residual;
      std::vector<int> off;
      for (int i = 0; i < n; ++i) {
        if (!(detail::homography_transfer_error_squared(H, c.p1[i], c.p2[i]) < h2)) off.push_back(i);
      }
      int best_k = 0;
      double best_score = detail::msac_score(F, c.p1, c.p2, t2, &best_k);
      robust::detail::Xoshiro256 rng(ro.seed ^ 0x50617261ULL);
      const int m_off = static_cast<int>(off.size());
      int best_off = 1;
      int budget = std::min(ro.max_iterations, 1000);
      std::vector<int> in;
      for (int it = 0; it < budget && m_off >= 2; ++it) {
        const int a = off[rng.uniform_int(m_off)];
        const int b = off[rng.uniform_int(m_off)];
        if (a == b) continue;
        const Eigen::Vector3d la = (H * c.p1[a].homogeneous()).cross(c.p2[a].homogeneous());
        const Eigen::Vector3d lb = (H * c.p1[b].homogeneous()).cross(c.p2[b].homogeneous());
        const Eigen::Vector3d e2 = la.cross(lb);
        if (!(e2.norm() > 0.0)) continue;
        Eigen::Matrix3d Fc = detail::skew3(e2.normalized()) * H;
        if (!(Fc.norm() > 0.0) || !Fc.allFinite()) continue;
        Fc /= Fc.norm();
        // Support among the off-plane points only (the plane fits any such F).
        int k_off = 0;
        for (int i : off) k_off += sampson_error_squared(Fc, c.p1[i], c.p2[i]) < t2;
        if (k_off <= best_off) continue;
        best_off = k_off;
        budget = std::min(budget, robust::required_iterations(k_off, m_off, 2, 0.999, 1.0, 0,
                                                              std::min(ro.max_iterations, 1000)));
        // Local optimisation: Sampson-weighted 8-point refits on all its inliers.
        for (int pass = 0; pass < 3; ++pass) {
          in.clear();
          for (int i = 0; i < n; ++i) {
            if (sampson_error_squared(Fc, c.p1[i], c.p2[i]) < t2) in.push_back(i);
          }
          Eigen::Matrix3d Fr = Fc;
          if (!est.refit(in.data(), static_cast<int>(in.size()), nullptr, &Fr)) break;
          Fc = Fr;
        }
        int k = 0;
        const double s = detail::msac_score(Fc, c.p1, c.p2, t2, &k);
        if (s < best_score) {
          best_score = s;
          F = Fc;
        }
      }
      off_plane_inliers = 0;
      for (int i : off) off_plane_inliers += sampson_error_squared(F, c.p1[i], c.p2[i]) < t2;
      if (off_plane_inliers < options.min_off_plane_inliers) {
        result.status = EstimateStatus::kDegenerate;
        result.message = "estimate_fundamental: " + std::to_string(hr.num_inliers) + " of " +
                         std::to_string(inl.size()) +
                         " inliers lie on one plane (homography) and only " +
                         std::to_string(off_plane_inliers) +
                         " off it: F is not determined (planar scene; use a homography)" + note;
        return result;
      }
    }
  }

  // --- final refinement --------------------------------------------------------
  // LM of the rank-2 F on the inliers, kept when the MSAC score over all points does
  // not rise.
  std::vector<int> inliers;
  auto refine_on_inliers = [&]() {
    inliers.clear();
    for (int i = 0; i < n; ++i) {
      if (sampson_error_squared(F, c.p1[i], c.p2[i]) < t2) inliers.push_back(i);
    }
    Eigen::Matrix3d Fr = F;
    result.refinement = detail::refine_fundamental_lm(c.p1.data(), c.p2.data(), inliers.data(),
                                                      static_cast<int>(inliers.size()), nullptr,
                                                      options.refine_options, &Fr);
    if (result.refinement.success && Fr.allFinite()) {
      int k0 = 0, k1 = 0;
      const double s0 = detail::msac_score(F, c.p1, c.p2, t2, &k0);
      const double s1 = detail::msac_score(Fr, c.p1, c.p2, t2, &k1);
      if (s1 <= s0) F = Fr;
    }
  };
  if (options.refine) refine_on_inliers();
  std::vector<double> final_r2;  // squared Sampson errors of F
  result.partial_fit = detail::partial_fit_statistics(F, c.p1, c.p2, options.max_error_px,
                                                      options.partial_fit_ratio, &final_r2);
  // --- support convergence ------------------------------------------------------
  // A model whose support continues past the gate (more correspondences within 6
  // gates than its inliers, the noise tail and the outliers explain) is refitted by
  // LM with a Cauchy loss of scale t over the correspondences within 6 gates, kept
  // when its MSAC score drops, then refined on its inliers again; at most
  // kSupportRounds rounds. RANSAC's LO only ever refits the inliers, which leaves a
  // near miss (e.g. 259 of ~290 inliers, 0.6 px off) where it is; the points just
  // past the gate pull it in.
  if (options.refine) {
    RefineOptions wide = options.refine_options;
    wide.loss = RefineLoss::kCauchy;
    wide.loss_scale = options.max_error_px;
    std::vector<int> near;
    for (int round = 0; round < detail::kSupportRounds; ++round) {
      if (!detail::support_keeps_growing(result.partial_fit)) break;
      near.clear();
      for (int i = 0; i < n; ++i) {
        if (final_r2[i] < 36.0 * t2) near.push_back(i);
      }
      Eigen::Matrix3d Fw = F;
      const RefineSummary ws = detail::refine_fundamental_lm(c.p1.data(), c.p2.data(), near.data(),
                                                             static_cast<int>(near.size()), nullptr, wide, &Fw);
      if (!ws.success || !Fw.allFinite()) break;
      int k0 = 0, k1 = 0;
      const double s0 = detail::msac_score(F, c.p1, c.p2, t2, &k0);
      const double s1 = detail::msac_score(Fw, c.p1, c.p2, t2, &k1);
      if (!(s1 < s0)) break;
      F = Fw;
      ++result.num_support_refits;
      refine_on_inliers();
      result.partial_fit = detail::partial_fit_statistics(F, c.p1, c.p2, options.max_error_px,
                                                          options.partial_fit_ratio, &final_r2);
    }
  }
  // --- partial-fit test ----------------------------------------------------------
  if (options.check_partial_fit && detail::is_partial_fit(result.partial_fit, options.partial_fit_ratio)) {
    const PartialFitStatistics& pf = result.partial_fit;
    result.status = EstimateStatus::kPartialFit;
    result.num_inliers = pf.num_inliers;
    char background[32];
    std::snprintf(background, sizeof(background), "%.0f", pf.band_background());
    result.message =
        "estimate_fundamental: partial fit: the best F has " + std::to_string(pf.num_inliers) +
        " inliers but " + std::to_string(pf.num_band) +
        " correspondences with a Sampson error between 2 and 6 gates (" + background +
        " expected from outliers): it fits only part of a structure it does not explain (after " +
        std::to_string(result.report.num_iterations) +
        " samples: raise ransac.max_iterations), or the gate is below the noise (raise max_error_px)" +
        note;
    return result;
  }
  result.F = F;
  result.num_inliers = 0;
  for (int k = 0; k < n; ++k) {
    const bool in = final_r2[k] < t2;
    result.inlier_mask[c.original[k]] = in ? 1 : 0;
    result.num_inliers += in;
  }
  result.status = EstimateStatus::kSuccess;
  result.message = "estimate_fundamental: " + std::to_string(result.num_inliers) + " inliers of " +
                   std::to_string(points1_px.cols()) + " after " +
                   std::to_string(result.report.num_iterations) + " samples" +
                   (result.dominant_plane ? ", dominant plane handled by plane-and-parallax (" +
                                                std::to_string(off_plane_inliers) +
                                                " off-plane inliers)"
                                          : std::string()) +
                   note;
  return result;
}

void EssentialOptions::validate() const {
  if (!(max_error_px > 0.0) || !std::isfinite(max_error_px)) {
    throw std::invalid_argument("EssentialOptions::max_error_px must be finite and > 0, got " +
                                std::to_string(max_error_px));
  }
  robust::RansacOptions r = ransac;
  r.max_residual = 1.0;  // set from max_error_px at run time
  r.validate();
  recover_pose.validate();
  refine_options.validate();
}

EssentialResult estimate_essential_normalized(const ConstPointsRef& normalized1,
                                              const ConstPointsRef& normalized2, double focal_px,
                                              const EssentialOptions& options) {
  options.validate();
  detail::check_correspondences("estimate_essential_normalized: normalized1",
                                "estimate_essential_normalized: normalized2", normalized1, normalized2);
  if (!(focal_px > 0.0) || !std::isfinite(focal_px)) {
    throw std::invalid_argument("estimate_essential_normalized: focal_px must be finite and > 0, got " +
                                std::to_string(focal_px));
  }
  EssentialResult result;
  const detail::CleanCorrespondences c = detail::clean_correspondences(normalized1, normalized2);
  result.num_dropped_non_finite = c.dropped;
  detail::estimate_essential_core("estimate_essential_normalized", c,
                                  static_cast<std::size_t>(normalized1.cols()),
                                  options.max_error_px / focal_px, detail::dropped_note(c.dropped),
                                  options, &result);
  return result;
}

EssentialResult estimate_essential(const ConstPointsRef& points1_px, const ConstPointsRef& points2_px,
                                   const camera::Camera& camera1,
                                   const camera::Camera& camera2,
                                   const EssentialOptions& options) {
  options.validate();
  detail::check_correspondences("estimate_essential: points1_px", "estimate_essential: points2_px", points1_px,
                                points2_px);
  EssentialResult result;
  detail::CleanCorrespondences c;
  const std::size_t num_input = static_cast<std::size_t>(points1_px.cols());
  c.p1.reserve(num_input);
  c.p2.reserve(num_input);
  c.original.reserve(num_input);
  for (std::size_t i = 0; i < num_input; ++i) {
    const Eigen::Vector2d x1 = points1_px.col(static_cast<Eigen::Index>(i));
    const Eigen::Vector2d x2 = points2_px.col(static_cast<Eigen::Index>(i));
    if (!x1.allFinite() || !x2.allFinite()) {
      ++result.num_dropped_non_finite;
      continue;
    }
    Eigen::Vector2d n1, n2;
    if (camera1.unproject_to_normalized(x1, &n1) != camera::ProjectionStatus::kSuccess ||
        camera2.unproject_to_normalized(x2, &n2) != camera::ProjectionStatus::kSuccess ||
        !n1.allFinite() || !n2.allFinite()) {
      ++result.num_dropped_unprojection;
      continue;
    }
    c.p1.push_back(n1);
    c.p2.push_back(n2);
    c.original.push_back(static_cast<int>(i));
  }
  c.dropped = result.num_dropped_non_finite;
  std::string note = detail::dropped_note(result.num_dropped_non_finite);
  if (result.num_dropped_unprojection > 0) {
    note += " (" + std::to_string(result.num_dropped_unprojection) +
            " correspondences could not be unprojected by the camera models)";
  }
  const double f = 0.5 * (std::sqrt(camera1.fx() * camera1.fy()) + std::sqrt(camera2.fx() * camera2.fy()));
  detail::estimate_essential_core("estimate_essential", c, num_input, options.max_error_px / f,
                                  note, options, &result);
  return result;
}

}  // namespace crossview::epipolar
