// Floor plane, up axis and world frame from feet (see
// include/crossview/temporal/world_frame.hpp).
#include <crossview/temporal/world_frame.hpp>
#include <crossview/robust/detail/random.hpp>
#include <crossview/temporal/sequence.hpp>

#include <Eigen/Eigenvalues>
#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::temporal {

namespace {

constexpr double kPi = 3.14159265358979323846;

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%.4g", v);
  return buf;
}

struct Candidate {
  Eigen::Vector3d p;
  double h;  // typical height above the floor (data units)
  int sample;
};

/// Unit normal n (and d) of the least-squares plane n . p + d = h over the
/// candidates `idx`, starting from n0 (alternating: d in closed form, n as the
/// smallest-eigenvalue direction of the height-corrected points).
void fit_plane(const std::vector<Candidate>& c, const std::vector<int>& idx, Eigen::Vector3d* n, double* d) {
  for (int it = 0; it < 5; ++it) {
    Eigen::Vector3d mean = Eigen::Vector3d::Zero();
    for (int i : idx) mean += c[static_cast<std::size_t>(i)].p - c[static_cast<std::size_t>(i)].h * *n;
    mean /= static_cast<double>(idx.size());
    Eigen::Matrix3d S = Eigen::Matrix3d::Zero();
    for (int i : idx) {
      const Eigen::Vector3d q = c[static_cast<std::size_t>(i)].p - c[static_cast<std::size_t>(i)].h * *n - mean;
      S += q * q.transpose();
    }
    Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> es(S);
    Eigen::Vector3d m = es.eigenvectors().col(0);
    if (m.dot(*n) < 0.0) m = -m;
    *n = m;
    *d = -n->dot(mean);
  }
}

}  // namespace

FloorOptions FloorOptions::body25b() {
  FloorOptions o;
  o.feet = {{15, 0.08}, {16, 0.08}, {19, 0.03}, {20, 0.03}, {21, 0.04}, {22, 0.03}, {23, 0.03}, {24, 0.04}};
  return o;
}

FloorOptions FloorOptions::human36m_17() {
  FloorOptions o;
  o.feet = {{3, 0.08}, {6, 0.08}};
  return o;
}

void FloorOptions::validate() const {
  const auto bad = [](const std::string& m) { throw std::invalid_argument("FloorOptions: " + m); };
  if (feet.empty()) bad("feet must list at least one foot keypoint (e.g. FloorOptions::body25b())");
  for (const auto& f : feet) {
    if (f.joint < 0) bad("feet: joint indices must be >= 0, got " + std::to_string(f.joint));
    if (!(f.height_m >= 0.0) || !std::isfinite(f.height_m)) bad("feet: height_m must be finite and >= 0");
  }
  if (!(length_unit_m > 0.0) || !std::isfinite(length_unit_m)) bad("length_unit_m must be finite and > 0, got " + num(length_unit_m));
  if (!(max_foot_speed_m_s > 0.0) || !std::isfinite(max_foot_speed_m_s)) bad("max_foot_speed_m_s must be finite and > 0");
  if (!(inlier_threshold_m > 0.0) || !std::isfinite(inlier_threshold_m)) bad("inlier_threshold_m must be finite and > 0");
  if (ransac_iterations < 1) bad("ransac_iterations must be >= 1, got " + std::to_string(ransac_iterations));
  if (min_inliers < 3) bad("min_inliers must be >= 3, got " + std::to_string(min_inliers));
  if (!(max_tilt_uncertainty_deg > 0.0)) bad("max_tilt_uncertainty_deg must be > 0, got " + num(max_tilt_uncertainty_deg));
}

FloorResult estimate_floor(const std::vector<camera::Camera>& cameras, const ConstPointsRef& poses, int num_joints,
                           double rate_hz, const FloorOptions& options, const ConstScoresRef& validity) {
  const std::string what = "estimate_floor";
  const int F = require_sequence(poses, num_joints, validity, what);
  options.validate();
  if (!(rate_hz > 0.0) || !std::isfinite(rate_hz)) throw std::invalid_argument(what + ": rate_hz must be finite and > 0");
  for (const auto& f : options.feet) {
    if (f.joint >= num_joints) {
      throw std::invalid_argument(what + ": foot joint " + std::to_string(f.joint) + " >= num_joints " +
                                  std::to_string(num_joints));
    }
  }
  const int J = num_joints;
  const double unit = 1.0 / options.length_unit_m;  // data units per metre
  const double threshold = options.inlier_threshold_m * unit;
  const std::vector<char> valid = valid_samples(poses, validity);
  FloorResult out;

  // 1. Still foot points: the displacement over +-0.1 s (so that the
  // keypoints' frame-to-frame noise does not read as motion).
  std::vector<Candidate> cand;
  const double k_frames = std::round(0.1 * rate_hz);  // rate_hz may be huge: clamp in double
  const int k = k_frames >= F ? F : std::max(1, static_cast<int>(k_frames));
  const double max_step = options.max_foot_speed_m_s * unit * 2.0 * k / rate_hz;  // |X(f+k) - X(f-k)|
  for (const auto& foot : options.feet) {
    for (int f = k; f + k < F; ++f) {
      const long i = static_cast<long>(f) * J + foot.joint;
      const long a = i - static_cast<long>(k) * J, b = i + static_cast<long>(k) * J;
      if (!valid[static_cast<std::size_t>(i)] || !valid[static_cast<std::size_t>(a)] || !valid[static_cast<std::size_t>(b)]) continue;
      if ((poses.col(b) - poses.col(a)).norm() > max_step) continue;
      cand.push_back({poses.col(i), foot.height_m * unit, static_cast<int>(i)});
    }
  }
  out.num_candidates = static_cast<int>(cand.size());
  if (out.num_candidates < options.min_inliers) {
    out.status = FloorStatus::kTooFewFootPoints;
    out.message = what + ": " + std::to_string(out.num_candidates) + " still foot points (speed < " +
                  num(options.max_foot_speed_m_s) + " m/s), need " + std::to_string(options.min_inliers);
    return out;
  }
  // The body's side of a plane: the median of the non-foot joints.
  std::vector<char> is_foot(static_cast<std::size_t>(J), 0);
  for (const auto& foot : options.feet) is_foot[static_cast<std::size_t>(foot.joint)] = 1;
  Eigen::Vector3d body = Eigen::Vector3d::Zero();
  {
    std::vector<double> xs[3];
    for (long i = 0; i < poses.cols(); i += 1) {
      if (!valid[static_cast<std::size_t>(i)] || is_foot[static_cast<std::size_t>(i % J)]) continue;
      for (int c = 0; c < 3; ++c) xs[c].push_back(poses(c, i));
    }
    for (int c = 0; c < 3; ++c) {
      if (xs[c].empty()) continue;
      std::nth_element(xs[c].begin(), xs[c].begin() + static_cast<long>(xs[c].size() / 2), xs[c].end());
      body[c] = xs[c][xs[c].size() / 2];
    }
  }
  const bool have_body = body.allFinite() && body != Eigen::Vector3d::Zero();

  // 2. RANSAC.
  robust::detail::Xoshiro256 rng(options.seed);
  const int n = out.num_candidates;
  double best_score = -std::numeric_limits<double>::infinity();
  Eigen::Vector3d best_n = Eigen::Vector3d::Zero();
  double best_d = 0.0;
  for (int it = 0; it < options.ransac_iterations; ++it) {
    const int i0 = rng.uniform_int(n), i1 = rng.uniform_int(n), i2 = rng.uniform_int(n);
    const Eigen::Vector3d& a = cand[static_cast<std::size_t>(i0)].p;
    const Eigen::Vector3d& b = cand[static_cast<std::size_t>(i1)].p;
    const Eigen::Vector3d& c = cand[static_cast<std::size_t>(i2)].p;
    Eigen::Vector3d nrm = (b - a).cross(c - a);
    const double area2 = nrm.norm();
    // Reject nearly collinear samples (the height correction needs a normal).
    if (!(area2 > 0.01 * unit * unit * 0.1) || !std::isfinite(area2)) continue;
    nrm /= area2;
    if (have_body && nrm.dot(body - a) < 0.0) nrm = -nrm;
    // Height-corrected plane through the three (two passes).
    std::vector<int> three = {i0, i1, i2};
    double d = -nrm.dot(a);
    for (int pass = 0; pass < 2; ++pass) {
      const Eigen::Vector3d a2 = a - cand[static_cast<std::size_t>(i0)].h * nrm;
      const Eigen::Vector3d b2 = b - cand[static_cast<std::size_t>(i1)].h * nrm;
      const Eigen::Vector3d c2 = c - cand[static_cast<std::size_t>(i2)].h * nrm;
      Eigen::Vector3d m = (b2 - a2).cross(c2 - a2);
      if (!(m.norm() > 0.0)) break;
      m.normalize();
      if (m.dot(nrm) < 0.0) m = -m;
      nrm = m;
      d = -nrm.dot(a2);
    }
    double score = 0.0;
    for (const auto& k : cand) {
      const double r = nrm.dot(k.p) + d - k.h;
      if (std::abs(r) < threshold) {
        score += 1.0 - (r * r) / (threshold * threshold);  // MSAC-like
      } else if (r < -3.0 * threshold) {
        score -= 1.0;  // a foot through the floor
      }
    }
    if (!nrm.allFinite() || !std::isfinite(d)) continue;
    if (score > best_score) {
      best_score = score;
      best_n = nrm;
      best_d = d;
    }
  }
  // 3. Inliers and least squares (twice: refit, re-select).
  std::vector<int> inliers;
  Eigen::Vector3d nrm = best_n;
  double d = best_d;
  for (int round = 0; round < 3 && nrm != Eigen::Vector3d::Zero(); ++round) {
    inliers.clear();
    for (int i = 0; i < n; ++i) {
      const double r = nrm.dot(cand[static_cast<std::size_t>(i)].p) + d - cand[static_cast<std::size_t>(i)].h;
      if (std::abs(r) < threshold) inliers.push_back(i);
    }
    if (static_cast<int>(inliers.size()) < 3) break;
    fit_plane(cand, inliers, &nrm, &d);
  }
  if (static_cast<int>(inliers.size()) < options.min_inliers || !nrm.allFinite() || !std::isfinite(d)) {
    out.status = FloorStatus::kNoPlane;
    out.message = what + ": no floor plane is supported by " + std::to_string(options.min_inliers) + " of the " +
                  std::to_string(n) + " still foot points (best: " + std::to_string(inliers.size()) + ")";
    return out;
  }
  if (have_body && nrm.dot(body) + d < 0.0) {  // up = towards the body
    nrm = -nrm;
    d = -d;
  }
  out.up_in_old = nrm;
  out.floor_offset = d;
  out.num_inliers = static_cast<int>(inliers.size());
  double ss = 0.0;
  for (int i : inliers) {
    const double r = nrm.dot(cand[static_cast<std::size_t>(i)].p) + d - cand[static_cast<std::size_t>(i)].h;
    ss += r * r;
    out.inlier_samples.push_back(cand[static_cast<std::size_t>(i)].sample);
  }
  out.rms_residual_m = std::sqrt(ss / static_cast<double>(inliers.size())) * options.length_unit_m;

  // 4. The footprint on the floor and the new frame.
  const Eigen::Vector3d up = nrm;
  Eigen::Vector3d x_axis = Eigen::Vector3d::UnitX();
  if (!cameras.empty()) {
    const Eigen::Vector3d forward = cameras[0].cam_from_world.rotation.conjugate() * Eigen::Vector3d::UnitZ();
    x_axis = forward;
  }
  x_axis -= up * up.dot(x_axis);
  if (x_axis.norm() < 1e-6) {
    x_axis = Eigen::Vector3d::UnitX() - up * up.x();
    if (x_axis.norm() < 1e-6) x_axis = Eigen::Vector3d::UnitY() - up * up.y();
  }
  x_axis.normalize();
  const Eigen::Vector3d y_axis = up.cross(x_axis);
  std::vector<double> ox, oy;
  Eigen::Matrix2d S = Eigen::Matrix2d::Zero();
  Eigen::Vector2d mean2 = Eigen::Vector2d::Zero();
  for (int i : inliers) {
    const Eigen::Vector3d& p = cand[static_cast<std::size_t>(i)].p;
    const Eigen::Vector2d q(x_axis.dot(p), y_axis.dot(p));
    ox.push_back(q.x());
    oy.push_back(q.y());
    mean2 += q;
  }
  mean2 /= static_cast<double>(inliers.size());
  for (std::size_t k = 0; k < ox.size(); ++k) {
    const Eigen::Vector2d q = Eigen::Vector2d(ox[k], oy[k]) - mean2;
    S += q * q.transpose();
  }
  S /= static_cast<double>(inliers.size());
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(S);
  out.footprint_minor_m = 2.0 * std::sqrt(std::max(0.0, es.eigenvalues()[0])) * options.length_unit_m;
  out.footprint_major_m = 2.0 * std::sqrt(std::max(0.0, es.eigenvalues()[1])) * options.length_unit_m;
  // A height error of the size of the keypoints' systematic offsets (people,
  // shoes and views differ by about the inlier band; never less than the RMS)
  // at either side of the footprint's short axis tilts the plane by:
  const double height_error_m = std::max(out.rms_residual_m, options.inlier_threshold_m);
  out.tilt_uncertainty_deg = std::atan2(height_error_m, std::max(out.footprint_minor_m, 1e-12)) * 180.0 / kPi;
  std::nth_element(ox.begin(), ox.begin() + static_cast<long>(ox.size() / 2), ox.end());
  std::nth_element(oy.begin(), oy.begin() + static_cast<long>(oy.size() / 2), oy.end());
  // Origin: the median foot point, on the floor (n . o + d = 0).
  const Eigen::Vector3d origin = ox[ox.size() / 2] * x_axis + oy[oy.size() / 2] * y_axis - d * up;
  Eigen::Matrix3d R;
  R.row(0) = x_axis.transpose();
  R.row(1) = y_axis.transpose();
  R.row(2) = up.transpose();
  out.world_from_old = camera::Rigid3d::from_matrix(R, -R * origin);
  if (!out.world_from_old.is_finite() || !std::isfinite(out.tilt_uncertainty_deg)) {
    // Coordinates so large that the fit overflowed: no usable frame.
    FloorResult failed;
    failed.status = FloorStatus::kNoPlane;
    failed.num_candidates = out.num_candidates;
    failed.message = what + ": the floor fit overflowed (coordinates too large)";
    return failed;
  }
  const std::string evidence = std::to_string(out.num_inliers) + " of " + std::to_string(n) +
                               " still foot points on the floor, RMS " + num(100 * out.rms_residual_m) +
                               " cm, footprint " + num(out.footprint_major_m) + " x " + num(out.footprint_minor_m) +
                               " m, tilt uncertainty ~" + num(out.tilt_uncertainty_deg) + " deg";
  if (out.tilt_uncertainty_deg > options.max_tilt_uncertainty_deg) {
    out.status = FloorStatus::kUnderdetermined;
    out.message = what + ": the feet covered too narrow an area to fix the floor's tilt (" + evidence +
                  " > " + num(options.max_tilt_uncertainty_deg) + " deg): more walking, or more trials / people";
  } else {
    out.status = FloorStatus::kSuccess;
    out.message = what + ": " + evidence;
  }
  return out;
}

void apply_world_frame(const camera::Rigid3d& world_from_old, std::vector<camera::Camera>* cameras) {
  if (cameras == nullptr) throw std::invalid_argument("apply_world_frame: cameras is null");
  if (!world_from_old.is_finite()) throw std::invalid_argument("apply_world_frame: world_from_old is not finite");
  const camera::Rigid3d old_from_world = world_from_old.inverse();
  for (auto& c : *cameras) c.cam_from_world = c.cam_from_world * old_from_world;
}

Points3d transform_points(const camera::Rigid3d& world_from_old, const ConstPointsRef& points_in_old) {
  require_points(points_in_old, 3, "transform_points: points_in_old");
  const Eigen::Matrix3d R = world_from_old.rotation_matrix();
  Points3d out = R * points_in_old;
  out.colwise() += world_from_old.translation;
  return out;
}

}  // namespace crossview::temporal
