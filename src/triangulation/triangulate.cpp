// crossview: triangulate() and triangulate_skeleton() (see triangulate.hpp).
#include <crossview/triangulation/triangulate.hpp>

#include <crossview/camera/camera.hpp>
#include <crossview/triangulation/linear.hpp>
#include <crossview/triangulation/refine.hpp>
#include <crossview/triangulation/robust.hpp>
#include <crossview/triangulation/two_view.hpp>
#include <crossview/triangulation/types.hpp>

#include "internal.hpp"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace crossview::triangulation {

void TriangulationOptions::validate() const {
  refinement.validate();
  robust.validate();
  if (!(min_confidence >= 0.0) || !std::isfinite(min_confidence)) {
    throw std::invalid_argument("TriangulationOptions::min_confidence must be finite and >= 0, got " +
                                std::to_string(min_confidence));
  }
  if (!(min_triangulation_angle_deg >= 0.0 && min_triangulation_angle_deg < 90.0)) {
    throw std::invalid_argument(
        "TriangulationOptions::min_triangulation_angle_deg must be in [0, 90), got " +
        std::to_string(min_triangulation_angle_deg));
  }
  if (static_cast<int>(method) > static_cast<int>(Method::kRobustDlt)) {
    throw std::invalid_argument("TriangulationOptions::method is not a valid Method");
  }
}

namespace detail {
namespace {

constexpr double kRadToDeg = 180.0 / 3.14159265358979323846;

/// Per-camera quantities shared by every point seen by that camera.
struct CameraCache {
  Matrix34d projection;             ///< K [R | t] (undistorted pixels)
  Eigen::Matrix3d cam_from_world_rotation;  ///< R
  Eigen::Matrix3d world_from_cam;   ///< R^T
  Eigen::Vector3d center_in_world;
  bool finite = false;
};

CameraCache make_camera_cache(const camera::Camera& cam) {
  CameraCache c;
  c.projection = cam.projection_matrix();
  c.cam_from_world_rotation = cam.cam_from_world.rotation_matrix();
  c.world_from_cam = c.cam_from_world_rotation.transpose();
  c.center_in_world = cam.center_in_world();
  c.finite = c.projection.allFinite() && c.center_in_world.allFinite();
  return c;
}

/// One usable observation.
struct View {
  int index = 0;                    ///< input view index
  Eigen::Vector2d pixel_px;         ///< observed (distorted) pixel
  Eigen::Vector2d undistorted_px;   ///< K (x, y, 1)
  Eigen::Vector3d ray_in_world;     ///< unit direction from the centre through the pixel
  double weight = 1.0;
  double confidence = 1.0;
};

/// Scratch memory reused across calls (no allocation in steady state).
struct Workspace {
  std::vector<CameraCache> caches;
  std::vector<View> views;
  std::vector<const camera::Camera*> cam_ptrs;
  std::vector<Eigen::Vector2d> pixels;
  std::vector<Eigen::Vector2d> undistorted;
  std::vector<Matrix34d> local_projections;  ///< projections about a local origin (linear_estimate)
  std::vector<double> weights;
  std::vector<int> subset;
  std::vector<int> best_subset;
  std::vector<Eigen::Vector3d> points;
  std::vector<std::pair<int, int>> pairs;
  /// Per-view pixel errors of the subset at the refined point (from the
  /// refinement's last evaluation), valid when refined_errors_valid.
  std::vector<double> refined_errors;
  bool refined_errors_valid = false;
  std::vector<char> in_subset;
  /// The call's observations of one point (columns of the caller's point set).
  std::vector<Eigen::Vector2d> input_px;
  std::vector<double> input_confidences;
  /// kRobustDlt: the all-view linear point, per-view errors of the all-view
  /// solution and at the consensus point, scratch for the robust scale.
  Eigen::Vector3d linear_point = Eigen::Vector3d::Zero();
  std::vector<double> all_errors;
  std::vector<double> consensus_errors;
  std::vector<double> scratch;
  /// Set by estimate(): how the used views relate to the usable ones.
  ViewSelection selection = ViewSelection::kAllViews;
};

void fail(TriangulationResult* r, Status s, std::string message) {
  r->status = s;
  r->message = std::move(message);
  r->point_in_world.setConstant(std::numeric_limits<double>::quiet_NaN());
}

/// Two-view estimate from views a, b (indices into ws.views) with the optimal
/// (polynomial) or niter2 correction in undistorted pixels. False on failure.
bool two_view_point(const camera::Camera* cameras, Workspace& ws, int a, int b, bool polynomial,
                           Eigen::Vector3d* point) {
  const View& va = ws.views[a];
  const View& vb = ws.views[b];
  const camera::Camera& ca = cameras[va.index];
  const camera::Camera& cb = cameras[vb.index];
  const Eigen::Matrix3d F = fundamental_from_cameras(ca, cb);
  CorrectedMatch m = polynomial ? correct_matches_optimal(F, va.undistorted_px, vb.undistorted_px)
                                : correct_matches_niter2(F, va.undistorted_px, vb.undistorted_px);
  // niter2 not at the stationary point (points near an epipole): polynomial.
  if (!polynomial && !m.converged) m = correct_matches_optimal(F, va.undistorted_px, vb.undistorted_px);
  if (!m.valid) return false;
  auto ray = [](const camera::Camera& c, const CameraCache& cc, const Eigen::Vector2d& u) {
    const Eigen::Vector3d n((u.x() - c.cx()) / c.fx(), (u.y() - c.cy()) / c.fy(), 1.0);
    return Eigen::Vector3d(cc.world_from_cam * n);
  };
  const CameraCache& cca = ws.caches[va.index];
  const CameraCache& ccb = ws.caches[vb.index];
  return intersect_two_rays(cca.center_in_world, ray(ca, cca, m.x1_px), ccb.center_in_world,
                            ray(cb, ccb, m.x2_px), point);
}

/// Loads views `idx` (indices into ws.views) into the flat arrays.
void load_subset(const camera::Camera* cameras, Workspace& ws, const std::vector<int>& idx) {
  ws.cam_ptrs.clear();
  ws.pixels.clear();
  ws.undistorted.clear();
  ws.weights.clear();
  for (int k : idx) {
    const View& v = ws.views[k];
    ws.cam_ptrs.push_back(&cameras[v.index]);
    ws.pixels.push_back(v.pixel_px);
    ws.undistorted.push_back(v.undistorted_px);
    ws.weights.push_back(v.weight);
  }
}

/// Angle (deg, in [0, 90]) between the *lines* spanned by a and b:
/// min(theta, 180 - theta). This is what conditions the depth of an
/// intersection: anti-parallel rays are as degenerate as parallel ones.
double line_angle_deg(const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
  return std::atan2(a.cross(b).norm(), std::abs(a.dot(b))) * kRadToDeg;
}

/// Largest line angle over pairs, with one atan2: the angle atan2(s, c) with
/// s, c >= 0 grows with s / c, so pairs are compared by s1 c2 > s2 c1.
class MaxLineAngle {
 public:
  void add(const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
    const double s = a.cross(b).norm(), c = std::abs(a.dot(b));
    if (std::isnan(s) || std::isnan(c)) return;  // as std::max(angle, NaN): ignored
    if (!have_ || s * c_ > s_ * c) {
      s_ = s;
      c_ = c;
      have_ = true;
    }
  }
  double degrees() const { return have_ ? std::atan2(s_, c_) * kRadToDeg : 0.0; }

 private:
  double s_ = 0.0, c_ = 1.0;
  bool have_ = false;
};

/// Up to this many directions the widest line angle is exact (all pairs).
constexpr int kExactAngleViews = 64;

/// Widest line angle (deg, in [0, 90]) among the n directions dir(0..n-1):
/// exact over all pairs when n <= kExactAngleViews; above, the angle of the
/// pair found by two farthest-line sweeps (from dir(0) to the farthest line
/// k1, from k1 to the farthest k2), a real pair whose angle is at least half
/// the maximum (the line angle is a metric) and O(n) instead of O(n^2).
template <typename Dir>
double widest_line_angle_deg(int n, const Dir& dir) {
  MaxLineAngle widest;
  if (n <= kExactAngleViews) {
    for (int i = 0; i < n; ++i) {
      const Eigen::Vector3d a = dir(i);
      for (int j = i + 1; j < n; ++j) widest.add(a, dir(j));
    }
    return widest.degrees();
  }
  auto farthest = [&](const Eigen::Vector3d& a) {
    int best = 0;
    double bs = 0.0, bc = 1.0;
    for (int k = 0; k < n; ++k) {
      const Eigen::Vector3d d = dir(k);
      const double s = a.cross(d).norm(), c = std::abs(a.dot(d));
      if (std::isnan(s) || std::isnan(c)) continue;
      if (s * bc > bs * c) {
        bs = s;
        bc = c;
        best = k;
      }
    }
    return best;
  };
  const int k1 = farthest(dir(0));
  const int k2 = farthest(dir(k1));
  widest.add(dir(k1), dir(k2));
  return widest.degrees();
}

/// Reprojection error (px) of X in view k of ws.views; NaN if it does not project.
double view_error(const camera::Camera* cameras, const Workspace& ws, int k, const Eigen::Vector3d& X) {
  const View& v = ws.views[k];
  const camera::Camera& cam = cameras[v.index];
  // Through the cached rotation matrix (no quaternion rotation per point).
  const Eigen::Vector3d point_in_cam = ws.caches[v.index].cam_from_world_rotation * X + cam.cam_from_world.translation;
  Eigen::Vector2d px;
  if (cam.project_from_cam(point_in_cam, &px) != camera::ProjectionStatus::kSuccess) {
    return std::numeric_limits<double>::quiet_NaN();
  }
  return (px - v.pixel_px).norm();
}

/// Inliers of X among all views (indices into ws.views) and the MSAC score.
double score_hypothesis(const camera::Camera* cameras, const Workspace& ws, const Eigen::Vector3d& X,
                               double threshold_px, std::vector<int>* inliers) {
  inliers->clear();
  const double t2 = threshold_px * threshold_px;
  double score = 0.0;
  for (int k = 0; k < static_cast<int>(ws.views.size()); ++k) {
    const double e = view_error(cameras, ws, k, X);
    if (std::isfinite(e) && e < threshold_px) {
      inliers->push_back(k);
      score += e * e;
    } else {
      score += t2;
    }
  }
  return score;
}

/// Initial estimate on the subset ws.subset (already loaded). Returns a status.
/// The linear systems are set up about a local origin, the mean centre of the
/// subset's cameras, and the result shifted back: with world coordinates far
/// from the origin (a rig georeferenced 100 km away) the raw DLT / midpoint
/// normal equations would lose digits to cancellation.
Status linear_estimate(Method method, Workspace& ws, Eigen::Vector3d* X) {
  const int n = static_cast<int>(ws.subset.size());
  Eigen::Vector3d origin = Eigen::Vector3d::Zero();
  for (int k : ws.subset) origin += ws.caches[ws.views[k].index].center_in_world;
  origin /= static_cast<double>(std::max(n, 1));
  Status status;
  if (method == Method::kMidpoint) {
    std::vector<Eigen::Vector3d>& c = ws.points;  // reuse: centres then directions
    c.clear();
    for (int k : ws.subset) c.push_back(ws.caches[ws.views[k].index].center_in_world - origin);
    for (int k : ws.subset) c.push_back(ws.views[k].ray_in_world);
    status = triangulate_midpoint(c.data(), c.data() + n, ws.weights.data(), n, X);
  } else {
    // P = K R [I | -c] becomes K R [I | origin - c] in the local frame.
    ws.local_projections.resize(static_cast<std::size_t>(n));
    for (int i = 0; i < n; ++i) {
      const CameraCache& cc = ws.caches[ws.views[ws.subset[i]].index];
      Matrix34d& P = ws.local_projections[static_cast<std::size_t>(i)];
      P.leftCols<3>() = cc.projection.leftCols<3>();
      P.col(3) = cc.projection.leftCols<3>() * (origin - cc.center_in_world);
    }
    status = triangulate_dlt(ws.local_projections.data(), ws.undistorted.data(), ws.weights.data(), n, X);
  }
  if (status == Status::kSuccess) *X += origin;
  return status;
}

/// Lists the view pairs whose rays meet at >= ro.min_pair_angle_deg in
/// ws.pairs (O(V^2) memory: called only for V <= kMaxViews). False when none.
bool list_pairs(Workspace& ws, const RobustOptions& ro) {
  const int nv = static_cast<int>(ws.views.size());
  ws.pairs.clear();
  for (int i = 0; i < nv; ++i) {
    for (int j = i + 1; j < nv; ++j) {
      if (line_angle_deg(ws.views[i].ray_in_world, ws.views[j].ray_in_world) >= ro.min_pair_angle_deg) {
        ws.pairs.emplace_back(i, j);
      }
    }
  }
  return !ws.pairs.empty();
}

enum class PairSearch { kFound, kNoPairAngle, kNoHypothesis };

/// Pairs are listed (exhaustive or sampled from the list, as always) when
/// there are at most this many; above, pairs are drawn directly (memory O(V)).
constexpr long long kMaxListedPairs = 1LL << 16;
/// kVectorMedian needs every pair: at most this many usable views (V (V-1) / 2 <= kMaxListedPairs).
constexpr int kMaxVectorMedianViews = 362;

/// kRobust's hypothesis search: the ray intersection of view pairs whose
/// rays meet at >= ro.min_pair_angle_deg (every such pair when there are at
/// most ro.max_hypotheses, else that many seeded random ones), in front of
/// both cameras, scored by inlier count then MSAC. Leaves the best inlier set
/// in ws.best_subset (empty: no hypothesis) and its hypothesis in *X.
PairSearch search_pair_consensus(const camera::Camera* cameras, const RobustOptions& ro, Workspace& ws,
                                 Eigen::Vector3d* X) {
  const int nv = static_cast<int>(ws.views.size());
  std::mt19937_64 rng(ro.seed);
  double best_score = std::numeric_limits<double>::infinity();
  Eigen::Vector3d best_X = Eigen::Vector3d::Zero();
  ws.best_subset.clear();
  auto try_pair = [&](int i, int j) {
    Eigen::Vector3d H;
    double di = 0.0, dj = 0.0;
    if (!intersect_two_rays(ws.caches[ws.views[i].index].center_in_world, ws.views[i].ray_in_world,
                            ws.caches[ws.views[j].index].center_in_world, ws.views[j].ray_in_world, &H, &di,
                            &dj) ||
        !(di > 0.0) || !(dj > 0.0)) {
      return;
    }
    const double score = score_hypothesis(cameras, ws, H, ro.inlier_threshold_px, &ws.subset);
    const bool better = ws.subset.size() > ws.best_subset.size() ||
                        (ws.subset.size() == ws.best_subset.size() && score < best_score);
    if (better) {
      best_score = score;
      best_X = H;
      ws.best_subset = ws.subset;
    }
  };
  const long long all_pairs = static_cast<long long>(nv) * (nv - 1) / 2;
  if (all_pairs <= kMaxListedPairs) {
    if (!list_pairs(ws, ro)) return PairSearch::kNoPairAngle;
    const int num_pairs = static_cast<int>(ws.pairs.size());
    const bool exhaustive = num_pairs <= ro.max_hypotheses;
    const int trials = exhaustive ? num_pairs : ro.max_hypotheses;
    for (int t = 0; t < trials; ++t) {
      const int p = exhaustive ? t : std::uniform_int_distribution<int>(0, num_pairs - 1)(rng);
      try_pair(ws.pairs[static_cast<std::size_t>(p)].first, ws.pairs[static_cast<std::size_t>(p)].second);
    }
  } else {
    // Many views: draw pairs uniformly among all pairs, skip those below the
    // angle (at most 16 draws per hypothesis), no O(V^2) list.
    int accepted = 0;
    const long long max_draws = 16LL * ro.max_hypotheses;
    for (long long d = 0; d < max_draws && accepted < ro.max_hypotheses; ++d) {
      const int i = std::uniform_int_distribution<int>(0, nv - 1)(rng);
      int j = std::uniform_int_distribution<int>(0, nv - 2)(rng);
      if (j >= i) ++j;
      if (line_angle_deg(ws.views[i].ray_in_world, ws.views[j].ray_in_world) < ro.min_pair_angle_deg) continue;
      ++accepted;
      try_pair(std::min(i, j), std::max(i, j));
    }
    if (accepted == 0) return PairSearch::kNoPairAngle;
  }
  if (ws.best_subset.empty()) return PairSearch::kNoHypothesis;
  *X = best_X;
  return PairSearch::kFound;
}

/// Refit on the inliers ws.subset (linear, then nonlinear), and re-evaluate
/// the inlier set once with the refitted point (kRobust). On return ws.subset
/// is the set the point was fitted on and ws.best_subset its inliers.
void refit_inliers(const camera::Camera* cameras, const TriangulationOptions& options, Workspace& ws, int required,
                   Eigen::Vector3d* X) {
  const RobustOptions& ro = options.robust;
  for (int round = 0; round < 2; ++round) {
    load_subset(cameras, ws, ws.subset);
    Eigen::Vector3d Y;
    if (linear_estimate(Method::kDlt, ws, &Y) == Status::kSuccess) *X = Y;
    if (options.refine) {
      refine_point(ws.cam_ptrs.data(), ws.pixels.data(), ws.weights.data(), static_cast<int>(ws.subset.size()),
                   options.refinement, X);
    }
    score_hypothesis(cameras, ws, *X, ro.inlier_threshold_px, &ws.best_subset);
    if (static_cast<int>(ws.best_subset.size()) < required || ws.best_subset == ws.subset) break;
    ws.subset = ws.best_subset;
  }
}

/// True when X is in front of every view of ws.subset and the widest pair of
/// their viewing lines at X reaches min_angle_deg (the checks triangulate_point
/// applies to a result), O(|subset|^2).
bool subset_usable(const camera::Camera* cameras, const Workspace& ws, const Eigen::Vector3d& X,
                   double min_angle_deg) {
  for (std::size_t a = 0; a < ws.subset.size(); ++a) {
    const View& va = ws.views[static_cast<std::size_t>(ws.subset[a])];
    const double depth = ws.caches[va.index].cam_from_world_rotation.row(2).dot(X) +
                         cameras[va.index].cam_from_world.translation.z();
    if (!(depth > 0.0)) return false;
  }
  const double angle = widest_line_angle_deg(static_cast<int>(ws.subset.size()), [&](int a) {
    return Eigen::Vector3d(X - ws.caches[ws.views[static_cast<std::size_t>(ws.subset[static_cast<std::size_t>(a)])].index]
                                   .center_in_world);
  });
  return angle >= min_angle_deg;
}

/// Method::kRobustDlt (see triangulate.hpp / docs/triangulation.md). True when
/// it set the final point (status kSuccess, ws.subset, ws.refined_errors*,
/// ws.selection, r->refine_iterations); false when the all-view refinement
/// itself failed (the caller then finishes like kDlt from ws.linear_point).
bool robust_dlt(const camera::Camera* cameras, const TriangulationOptions& options, Workspace& ws,
                TriangulationResult* r) {
  const RobustOptions& ro = options.robust;
  const int nv = static_cast<int>(ws.views.size());
  ws.subset.clear();
  for (int k = 0; k < nv; ++k) ws.subset.push_back(k);
  load_subset(cameras, ws, ws.subset);
  const Status s = linear_estimate(Method::kDlt, ws, &ws.linear_point);
  if (s != Status::kSuccess) {
    fail(r, s, std::string("robust_dlt: all-view dlt: ") + to_string(s));
    ws.linear_point.setConstant(std::numeric_limits<double>::quiet_NaN());
    return true;  // the all-view DLT refuses: so does kDlt (same status)
  }
  // 1. The confidence-weighted all-view solution (what kDlt returns).
  Eigen::Vector3d X_all = ws.linear_point;
  ws.all_errors.assign(static_cast<std::size_t>(nv), 0.0);
  int all_iterations = 0;
  if (options.refine) {
    const RefineSummary rs = refine_point(ws.cam_ptrs.data(), ws.pixels.data(), ws.weights.data(), nv,
                                          options.refinement, &X_all, ws.all_errors.data());
    if (rs.status != Status::kSuccess) return false;
    all_iterations = rs.iterations;
  } else {
    for (int k = 0; k < nv; ++k) ws.all_errors[static_cast<std::size_t>(k)] = view_error(cameras, ws, k, X_all);
  }
  auto accept_all = [&](ViewSelection selection) {
    ws.subset.clear();
    for (int k = 0; k < nv; ++k) ws.subset.push_back(k);
    ws.refined_errors = ws.all_errors;
    ws.refined_errors_valid = options.refine;
    ws.selection = selection;
    r->refine_iterations = all_iterations;
    r->status = Status::kSuccess;
    r->point_in_world = X_all;
    return true;
  };
  // 2. Suspicion: some view further than the floor (and the inlier threshold).
  const double gate_px = std::max(ro.outlier_floor_px, ro.inlier_threshold_px);
  bool suspicious = false;
  for (double e : ws.all_errors) suspicious = suspicious || !(e <= gate_px);
  if (nv <= 2 || !suspicious) return accept_all(ViewSelection::kAllViews);
  // 3. Consensus of view pairs (kRobust's search, 2 inliers suffice here).
  Eigen::Vector3d X_c;
  if (search_pair_consensus(cameras, ro, ws, &X_c) != PairSearch::kFound || ws.best_subset.size() < 2) {
    return accept_all(ViewSelection::kFellBackToAllViews);
  }
  ws.subset = ws.best_subset;
  refit_inliers(cameras, options, ws, 2, &X_c);
  // 4. Robust scale of the views that agree; drop only clear outliers.
  std::vector<double>& e = ws.consensus_errors;
  e.resize(static_cast<std::size_t>(nv));
  ws.scratch.clear();
  for (int k = 0; k < nv; ++k) {
    e[static_cast<std::size_t>(k)] = view_error(cameras, ws, k, X_c);
    if (e[static_cast<std::size_t>(k)] < ro.inlier_threshold_px) ws.scratch.push_back(e[static_cast<std::size_t>(k)]);
  }
  if (ws.scratch.size() < 2) return accept_all(ViewSelection::kFellBackToAllViews);
  const std::size_t mid = ws.scratch.size() / 2;
  std::nth_element(ws.scratch.begin(), ws.scratch.begin() + static_cast<std::ptrdiff_t>(mid), ws.scratch.end());
  const double scale_px = 1.4826 * ws.scratch[mid];
  const double threshold_px = std::max(gate_px, ro.outlier_scale_factor * scale_px);
  ws.subset.clear();
  for (int k = 0; k < nv; ++k) {
    if (e[static_cast<std::size_t>(k)] <= threshold_px) ws.subset.push_back(k);
  }
  if (static_cast<int>(ws.subset.size()) == nv) return accept_all(ViewSelection::kAllViews);
  if (ws.subset.size() < 2) return accept_all(ViewSelection::kFellBackToAllViews);
  // 5. Refit on the kept views; any failure = the all-view solution.
  load_subset(cameras, ws, ws.subset);
  Eigen::Vector3d X_k;
  if (linear_estimate(Method::kDlt, ws, &X_k) != Status::kSuccess) return accept_all(ViewSelection::kFellBackToAllViews);
  int iterations = 0;
  if (options.refine) {
    ws.refined_errors.resize(ws.subset.size());
    const RefineSummary rs = refine_point(ws.cam_ptrs.data(), ws.pixels.data(), ws.weights.data(),
                                          static_cast<int>(ws.subset.size()), options.refinement, &X_k,
                                          ws.refined_errors.data());
    if (rs.status != Status::kSuccess) return accept_all(ViewSelection::kFellBackToAllViews);
    iterations = rs.iterations;
  }
  if (!X_k.allFinite() || !subset_usable(cameras, ws, X_k, options.min_triangulation_angle_deg)) {
    return accept_all(ViewSelection::kFellBackToAllViews);
  }
  ws.refined_errors_valid = options.refine;
  ws.selection = ViewSelection::kDroppedOutliers;
  r->refine_iterations = iterations;
  r->status = Status::kSuccess;
  r->point_in_world = X_k;
  return true;
}

/// The core: views are already prepared in ws.views (>= 2 usable). Fills
/// point / used_views / status of `r` (not the per-view errors).
void estimate(const camera::Camera* cameras, const TriangulationOptions& options, Workspace& ws,
                     TriangulationResult* r) {
  const int nv = static_cast<int>(ws.views.size());
  Method method = options.method;
  if (method == Method::kAuto) method = nv == 2 ? Method::kNiter2 : Method::kDlt;
  Eigen::Vector3d X;
  ws.subset.clear();
  ws.refined_errors_valid = false;
  ws.selection = ViewSelection::kAllViews;

  if (method == Method::kOptimalTwoView || method == Method::kNiter2) {
    // The two most confident views (ties: input order).
    int a = 0, b = 1;
    if (ws.views[b].confidence > ws.views[a].confidence) std::swap(a, b);
    for (int k = 2; k < nv; ++k) {
      if (ws.views[k].confidence > ws.views[a].confidence) {
        b = a;
        a = k;
      } else if (ws.views[k].confidence > ws.views[b].confidence) {
        b = k;
      }
    }
    if (a > b) std::swap(a, b);
    if (!two_view_point(cameras, ws, a, b, method == Method::kOptimalTwoView, &X)) {
      fail(r, Status::kPointAtInfinity, "the two rays are parallel after optimal correction");
      return;
    }
    ws.subset = {a, b};
  } else if (method == Method::kDlt || method == Method::kMidpoint) {
    for (int k = 0; k < nv; ++k) ws.subset.push_back(k);
    load_subset(cameras, ws, ws.subset);
    const Status s = linear_estimate(method, ws, &X);
    if (s != Status::kSuccess) {
      fail(r, s, std::string(to_string(method)) + ": " + to_string(s));
      return;
    }
  } else if (method == Method::kRobust || method == Method::kVectorMedian) {
    const RobustOptions& ro = options.robust;
    const int required = ro.required_inlier_views(nv);
    if (required > nv) {
      fail(r, Status::kNoConsensus,
           std::to_string(nv) + " usable view(s) < robust.min_inlier_views = " + std::to_string(required));
      return;
    }
    if (method == Method::kVectorMedian) {
      if (static_cast<long long>(nv) * (nv - 1) / 2 > kMaxListedPairs) {
        fail(r, Status::kInvalidInput,
             "vector median: " + std::to_string(nv) + " usable views > " + std::to_string(kMaxVectorMedianViews) +
                 " (it takes the median of all O(V^2) pairwise estimates); use robust or robust_dlt");
        return;
      }
      if (!list_pairs(ws, ro)) {
        fail(r, Status::kPointAtInfinity,
             "no pair of views meets at the robust minimum pair angle of " +
                 std::to_string(ro.min_pair_angle_deg) + " deg");
        return;
      }
      ws.points.clear();
      for (const auto& [i, j] : ws.pairs) {
        Eigen::Vector3d P;
        if (!two_view_point(cameras, ws, i, j, false, &P)) continue;
        // Keep only estimates in front of both cameras of the pair.
        const bool front_i = (cameras[ws.views[i].index].cam_from_world * P).z() > 0.0;
        const bool front_j = (cameras[ws.views[j].index].cam_from_world * P).z() > 0.0;
        if (front_i && front_j) ws.points.push_back(P);
      }
      if (ws.points.empty()) {
        fail(r, Status::kNoConsensus, "vector median: no pairwise estimate in front of its cameras");
        return;
      }
      X = geometric_median(Eigen::Map<const Eigen::Matrix3Xd>(ws.points.front().data(), 3,
                                                              static_cast<Eigen::Index>(ws.points.size())),
                           ro.max_median_iterations);
      score_hypothesis(cameras, ws, X, ro.inlier_threshold_px, &ws.subset);
      // Only succeed when the median is supported by enough views (no
      // fallback to all views: that would label an unsupported point success).
      if (static_cast<int>(ws.subset.size()) < required) {
        const int support = static_cast<int>(ws.subset.size());
        ws.subset.clear();
        fail(r, Status::kNoConsensus,
             "vector median: supported by " + std::to_string(support) + " view(s) within " +
                 std::to_string(ro.inlier_threshold_px) + " px, need " + std::to_string(required));
        return;
      }
    } else {
      const PairSearch found = search_pair_consensus(cameras, ro, ws, &X);
      if (found == PairSearch::kNoPairAngle) {
        fail(r, Status::kPointAtInfinity,
             "no pair of views meets at the robust minimum pair angle of " +
                 std::to_string(ro.min_pair_angle_deg) + " deg");
        return;
      }
      if (static_cast<int>(ws.best_subset.size()) < required) {
        fail(r, Status::kNoConsensus,
             "robust: no view pair is confirmed by >= " + std::to_string(required) + " observations within " +
                 std::to_string(ro.inlier_threshold_px) + " px (best: " + std::to_string(ws.best_subset.size()) +
                 ")");
        ws.best_subset.clear();
        return;
      }
      ws.subset = ws.best_subset;
      refit_inliers(cameras, options, ws, required, &X);
    }
  } else if (method == Method::kRobustDlt) {
    if (robust_dlt(cameras, options, ws, r)) return;
    // The all-view refinement failed: finish exactly like kDlt (same status).
    ws.subset.clear();
    for (int k = 0; k < nv; ++k) ws.subset.push_back(k);
    X = ws.linear_point;
  }

  load_subset(cameras, ws, ws.subset);
  if (options.refine) {
    ws.refined_errors.resize(ws.subset.size());
    const RefineSummary s = refine_point(ws.cam_ptrs.data(), ws.pixels.data(), ws.weights.data(),
                                         static_cast<int>(ws.subset.size()), options.refinement, &X,
                                         ws.refined_errors.data());
    ws.refined_errors_valid = s.status == Status::kSuccess;
    r->refine_iterations = s.iterations;
    if (s.status == Status::kBehindCamera) {
      fail(r, Status::kBehindCamera, "the initial estimate lies behind a camera");
      r->point_in_world = X;  // caller clears; kept for diagnostics below
      return;
    }
    if (s.status == Status::kInvalidInput) {
      fail(r, Status::kInvalidInput,
           "the initial estimate does not project into every used view (distortion range)");
      return;
    }
    if (s.status == Status::kNotConverged) {
      fail(r, Status::kNotConverged,
           "refinement hit max_iterations = " + std::to_string(options.refinement.max_iterations));
      r->point_in_world = X;
      return;
    }
  }
  r->status = Status::kSuccess;
  r->point_in_world = X;
}

/// Prepares views (one per camera) from pixels / confidences; returns the
/// number of malformed observations.
int prepare_views(const camera::Camera* cameras, int num_cameras, const Eigen::Vector2d* pixels_px,
                         const double* confidences, const TriangulationOptions& options, Workspace& ws,
                         int* num_unprojectable) {
  ws.views.clear();
  int malformed = 0;
  *num_unprojectable = 0;
  for (int v = 0; v < num_cameras; ++v) {
    const Eigen::Vector2d& px = pixels_px[v];
    if (std::isnan(px.x()) || std::isnan(px.y())) continue;  // missing
    if (!px.allFinite()) {
      ++malformed;
      continue;
    }
    double conf = 1.0;
    if (confidences != nullptr) {
      conf = confidences[v];
      if (std::isnan(conf)) continue;  // missing
      if (!std::isfinite(conf) || conf < 0.0) {
        ++malformed;
        continue;
      }
      if (conf <= options.min_confidence) continue;
    }
    const CameraCache& cc = ws.caches[v];
    if (!cc.finite) {
      ++malformed;
      continue;
    }
    Eigen::Vector2d n;
    if (cameras[v].unproject_to_normalized(px, &n) != camera::ProjectionStatus::kSuccess) {
      ++*num_unprojectable;
      continue;
    }
    View view;
    view.index = v;
    view.pixel_px = px;
    view.undistorted_px = Eigen::Vector2d(cameras[v].fx() * n.x() + cameras[v].cx(),
                                          cameras[v].fy() * n.y() + cameras[v].cy());
    view.ray_in_world = (cc.world_from_cam * n.homogeneous()).normalized();
    view.confidence = conf;
    view.weight = options.weight_by_confidence ? conf : 1.0;
    ws.views.push_back(view);
  }
  // Any finite positive confidence works: when the largest weight is outside
  // [2^-32, 2^32] every weight is divided by a power of two near it (exact,
  // the solution is invariant to a common factor), so squared weights in the
  // DLT normal matrix and the LM cost neither overflow (1e154^2) nor underflow.
  double max_weight = 0.0;
  for (const View& v : ws.views) max_weight = std::max(max_weight, v.weight);
  if (max_weight > 0x1p32 || (max_weight > 0.0 && max_weight < 0x1p-32)) {
    int exponent = 0;
    std::frexp(max_weight, &exponent);
    for (View& v : ws.views) v.weight = std::ldexp(v.weight, -exponent);
  }
  return malformed;
}

/// Full pipeline for one point; ws.caches must hold one cache per camera.
void triangulate_point(const camera::Camera* cameras, int num_cameras, const Eigen::Vector2d* pixels_px,
                              const double* confidences, const TriangulationOptions& options, Workspace& ws,
                              TriangulationResult* r) {
  r->used_views.clear();
  r->used_views.reserve(static_cast<std::size_t>(num_cameras));  // one allocation, not log2(n)
  r->reprojection_error_px.assign(num_cameras, std::numeric_limits<double>::quiet_NaN());
  r->mean_reprojection_error_px = std::numeric_limits<double>::quiet_NaN();
  r->triangulation_angle_deg = std::numeric_limits<double>::quiet_NaN();
  r->refine_iterations = 0;
  r->num_usable_views = 0;
  r->view_selection = ViewSelection::kAllViews;
  int unprojectable = 0;
  const int malformed = prepare_views(cameras, num_cameras, pixels_px, confidences, options, ws, &unprojectable);
  const int nv = static_cast<int>(ws.views.size());
  r->num_usable_views = nv;
  if (nv < 2) {
    std::string msg = std::to_string(nv) + " usable view(s) out of " + std::to_string(num_cameras) +
                      ", need 2";
    if (malformed > 0) msg += "; " + std::to_string(malformed) + " malformed (Inf / negative confidence / bad camera)";
    if (unprojectable > 0) msg += "; " + std::to_string(unprojectable) + " outside the distortion model's range";
    fail(r, malformed > 0 ? Status::kInvalidInput : Status::kTooFewViews, std::move(msg));
    return;
  }
  // Degenerate geometry: coincident centres, parallel rays.
  {
    const Eigen::Vector3d& c0 = ws.caches[ws.views[0].index].center_in_world;
    double max_dist = 0.0, max_norm = c0.norm();
    for (int i = 0; i < nv; ++i) {
      const Eigen::Vector3d& ci = ws.caches[ws.views[i].index].center_in_world;
      max_dist = std::max(max_dist, (ci - c0).norm());
      max_norm = std::max(max_norm, ci.norm());
    }
    const double max_angle =
        widest_line_angle_deg(nv, [&](int i) -> const Eigen::Vector3d& { return ws.views[i].ray_in_world; });
    if (!(max_dist > 1e-12 * std::max(max_norm, 1e-300))) {
      fail(r, Status::kDegenerate, "all usable views share the same camera centre (no baseline)");
      return;
    }
    if (max_angle < options.min_triangulation_angle_deg) {
      fail(r, Status::kPointAtInfinity,
           "rays are parallel: largest angle " + std::to_string(max_angle) + " deg < min_triangulation_angle_deg " +
               std::to_string(options.min_triangulation_angle_deg));
      return;
    }
  }
  estimate(cameras, options, ws, r);
  const Eigen::Vector3d X = r->point_in_world;
  // Per-view errors for every usable view (also for diagnosis of failures).
  if (X.allFinite()) {
    ws.in_subset.assign(static_cast<std::size_t>(nv), 0);
    if (ws.refined_errors_valid) {
      // The refinement's last evaluation already projected X into the subset.
      for (std::size_t i = 0; i < ws.subset.size(); ++i) {
        const int k = ws.subset[i];
        ws.in_subset[static_cast<std::size_t>(k)] = 1;
        r->reprojection_error_px[ws.views[k].index] = ws.refined_errors[i];
      }
    }
    for (int k = 0; k < nv; ++k) {
      if (!ws.in_subset[static_cast<std::size_t>(k)]) {
        r->reprojection_error_px[ws.views[k].index] = view_error(cameras, ws, k, X);
      }
    }
  }
  for (int k : ws.subset) r->used_views.push_back(ws.views[k].index);
  r->view_selection = ws.selection;
  if (r->view_selection == ViewSelection::kAllViews && static_cast<int>(ws.subset.size()) < nv) {
    r->view_selection = ViewSelection::kSubset;
  }
  if (r->status != Status::kSuccess) {
    r->point_in_world.setConstant(std::numeric_limits<double>::quiet_NaN());
    return;
  }
  if (!X.allFinite()) {
    fail(r, Status::kPointAtInfinity, "the estimate is not finite");
    return;
  }
  double sum = 0.0;
  for (std::size_t a = 0; a < ws.subset.size(); ++a) {
    const View& va = ws.views[ws.subset[a]];
    const double depth = ws.caches[va.index].cam_from_world_rotation.row(2).dot(X) +
                         cameras[va.index].cam_from_world.translation.z();
    if (!(depth > 0.0)) {
      fail(r, Status::kBehindCamera, "the point lies behind camera " + std::to_string(va.index));
      return;
    }
    sum += r->reprojection_error_px[va.index];
  }
  const double max_angle = widest_line_angle_deg(static_cast<int>(ws.subset.size()), [&](int a) {
    return Eigen::Vector3d(X - ws.caches[ws.views[ws.subset[static_cast<std::size_t>(a)]].index].center_in_world);
  });
  r->triangulation_angle_deg = max_angle;
  r->mean_reprojection_error_px = sum / static_cast<double>(ws.subset.size());
  if (!std::isfinite(r->mean_reprojection_error_px)) {
    fail(r, Status::kInvalidInput, "the point does not project into a used view");
    return;
  }
  if (max_angle < options.min_triangulation_angle_deg) {
    fail(r, Status::kPointAtInfinity,
         "triangulation angle " + std::to_string(max_angle) + " deg < min_triangulation_angle_deg " +
             std::to_string(options.min_triangulation_angle_deg));
    return;
  }
  r->message = "success";
}

Workspace& thread_workspace() {
  thread_local Workspace ws;
  return ws;
}

}  // namespace
}  // namespace detail

TriangulationResult triangulate(const std::vector<camera::Camera>& cameras, const ConstPointsRef& pixels_px,
                                const ConstScoresRef& confidences, const TriangulationOptions& options) {
  options.validate();
  const Eigen::Index V = static_cast<Eigen::Index>(cameras.size());
  require_points(pixels_px, 2, "triangulate: pixels_px (one column per camera)", V);
  require_scores(confidences, V, "triangulate: confidences");
  detail::Workspace& ws = detail::thread_workspace();
  ws.caches.clear();
  for (const auto& c : cameras) ws.caches.push_back(detail::make_camera_cache(c));
  ws.input_px.resize(cameras.size());
  detail::copy_columns(pixels_px, ws.input_px.data());
  TriangulationResult r;
  detail::triangulate_point(cameras.data(), static_cast<int>(V), ws.input_px.data(),
                            confidences.size() > 0 ? confidences.data() : nullptr, options, ws, &r);
  return r;
}

SkeletonResult triangulate_skeleton(const std::vector<camera::Camera>& cameras, const ConstPointsRef& keypoints_px,
                                    const ConstScoresRef& confidences, const TriangulationOptions& options) {
  options.validate();
  const int V = static_cast<int>(cameras.size());
  require_points(keypoints_px, 2, "triangulate_skeleton: keypoints_px");
  if ((V == 0 && keypoints_px.cols() != 0) || (V > 0 && keypoints_px.cols() % V != 0)) {
    throw std::invalid_argument("triangulate_skeleton: keypoints_px: expected 2 x (V*J) pixels, one block of J "
                                "columns per camera (column v*J + j), with V = " + std::to_string(V) +
                                " cameras, got 2 x " + std::to_string(keypoints_px.cols()));
  }
  const int J = V > 0 ? static_cast<int>(keypoints_px.cols() / V) : 0;
  require_scores(confidences, keypoints_px.cols(),
                 "triangulate_skeleton: confidences (one per column of keypoints_px)");
  SkeletonResult out;
  out.joints.resize(J);
  out.points_in_world.setConstant(3, J, std::numeric_limits<double>::quiet_NaN());
  detail::Workspace& ws = detail::thread_workspace();  // no allocation in steady state
  ws.caches.clear();
  for (const auto& c : cameras) ws.caches.push_back(detail::make_camera_cache(c));
  ws.input_px.resize(static_cast<std::size_t>(V));
  ws.input_confidences.assign(static_cast<std::size_t>(V), 1.0);
  const bool have_confidences = confidences.size() > 0;
  const double* px = keypoints_px.data();
  const Eigen::Index stride = keypoints_px.outerStride();
  for (int j = 0; j < J; ++j) {
    for (int v = 0; v < V; ++v) {
      const Eigen::Index column = static_cast<Eigen::Index>(v) * J + j;
      const double* p = px + column * stride;
      ws.input_px[static_cast<std::size_t>(v)] = Eigen::Vector2d(p[0], p[1]);
      if (have_confidences) ws.input_confidences[static_cast<std::size_t>(v)] = confidences(column);
    }
    TriangulationResult& r = out.joints[j];
    detail::triangulate_point(cameras.data(), V, ws.input_px.data(),
                              have_confidences ? ws.input_confidences.data() : nullptr, options, ws, &r);
    if (r.ok()) {
      out.points_in_world.col(j) = r.point_in_world;
      ++out.num_success;
    }
  }
  return out;
}

}  // namespace crossview::triangulation
