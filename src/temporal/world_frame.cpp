// Floor plane, up axis and world frame from feet (see
// include/crossview/temporal/world_frame.hpp).
#include <crossview/temporal/world_frame.hpp>
#include <crossview/robust/detail/random.hpp>
#include <crossview/temporal/filters.hpp>
#include <crossview/temporal/sequence.hpp>

#include <Eigen/Eigenvalues>
#include <Eigen/Geometry>

#include <algorithm>
#include <cctype>
#include <cstdio>
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


/// The inliers' spread on the plane normal to `up`: the long axis (unit, in
/// the plane) and 2 standard deviations along the long and short axes (data units).
struct Footprint {
  Eigen::Vector3d major_axis = Eigen::Vector3d::UnitX();
  double major = 0.0;
  double minor = 0.0;
};

Footprint footprint(const std::vector<Candidate>& c, const std::vector<int>& idx, const Eigen::Vector3d& up) {
  Eigen::Vector3d e1 = up.unitOrthogonal();
  const Eigen::Vector3d e2 = up.cross(e1);
  Eigen::Vector2d mean = Eigen::Vector2d::Zero();
  for (int i : idx) mean += Eigen::Vector2d(e1.dot(c[static_cast<std::size_t>(i)].p), e2.dot(c[static_cast<std::size_t>(i)].p));
  mean /= static_cast<double>(idx.size());
  Eigen::Matrix2d S = Eigen::Matrix2d::Zero();
  for (int i : idx) {
    const Eigen::Vector2d q =
        Eigen::Vector2d(e1.dot(c[static_cast<std::size_t>(i)].p), e2.dot(c[static_cast<std::size_t>(i)].p)) - mean;
    S += q * q.transpose();
  }
  S /= static_cast<double>(idx.size());
  Eigen::SelfAdjointEigenSolver<Eigen::Matrix2d> es(S);
  Footprint out;
  out.minor = 2.0 * std::sqrt(std::max(0.0, es.eigenvalues()[0]));
  out.major = 2.0 * std::sqrt(std::max(0.0, es.eigenvalues()[1]));
  const Eigen::Vector2d m = es.eigenvectors().col(1);
  out.major_axis = (m.x() * e1 + m.y() * e2).normalized();
  return out;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  const std::size_t h = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<long>(h), v.end());
  return v[h];
}

/// The balance step's axis (see the header, step 5).
struct BalanceAxis {
  Eigen::Vector3d up = Eigen::Vector3d::Zero();
  int frames = 0;
  double uncertainty_rad = std::numeric_limits<double>::quiet_NaN();
};

/// The body's centre of mass per frame and its acceleration: independent of
/// the floor, computed once per estimate.
struct BodyMotion {
  Eigen::Matrix3Xd com;          ///< 3 x F, NaN where too little of the body is present
  Eigen::Matrix3Xd acc;          ///< 3 x F (data units / s^2)
  std::vector<char> have_acc;    ///< F
};

BodyMotion body_motion(const ConstPointsRef& poses, const std::vector<char>& valid, int F, int J, double rate_hz,
                       const FloorOptions& options) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // Centre of mass per frame (NaN when too little of the body is present).
  double total_mass = 0.0;
  for (const auto& s : options.body_segments) total_mass += s.mass_fraction;
  Eigen::Matrix3Xd com = Eigen::Matrix3Xd::Constant(3, F, nan);
  const auto mean_of = [&](const std::vector<int>& joints, int f, Eigen::Vector3d* x) {
    *x = Eigen::Vector3d::Zero();
    for (int j : joints) {
      const long i = static_cast<long>(f) * J + j;
      if (!valid[static_cast<std::size_t>(i)]) return false;
      *x += poses.col(i);
    }
    *x /= static_cast<double>(joints.size());
    return true;
  };
  for (int f = 0; f < F; ++f) {
    Eigen::Vector3d sum = Eigen::Vector3d::Zero();
    double mass = 0.0;
    for (const auto& s : options.body_segments) {
      Eigen::Vector3d a, b;
      if (!mean_of(s.proximal, f, &a) || !mean_of(s.distal, f, &b)) continue;
      sum += s.mass_fraction * (a + s.com_fraction * (b - a));
      mass += s.mass_fraction;
    }
    if (mass >= options.min_body_mass_fraction * total_mass && mass > 0.0) com.col(f) = sum / mass;
  }
  // Its acceleration: zero-phase Butterworth (4 Hz) then second differences;
  // at rates too low for the filter, the quasi-static balance (no acceleration).
  Eigen::Matrix3Xd acc = Eigen::Matrix3Xd::Zero(3, F);
  std::vector<char> have_acc(static_cast<std::size_t>(F), 1);
  constexpr double kCutoffHz = 4.0;
  if (rate_hz > 2.5 * kCutoffHz) {
    ButterworthOptions bo;
    bo.order = 4;
    bo.cutoff_hz = kCutoffHz;
    const SequenceResult smooth = butterworth_filter(com, 1, rate_hz, bo);
    for (int f = 0; f < F; ++f) {
      const bool ok = f > 0 && f + 1 < F && smooth.states[static_cast<std::size_t>(f - 1)] == SampleState::kFiltered &&
                      smooth.states[static_cast<std::size_t>(f)] == SampleState::kFiltered &&
                      smooth.states[static_cast<std::size_t>(f + 1)] == SampleState::kFiltered;
      have_acc[static_cast<std::size_t>(f)] = ok ? 1 : 0;
      if (ok) {
        acc.col(f) = (smooth.points.col(f + 1) - 2.0 * smooth.points.col(f) + smooth.points.col(f - 1)) * rate_hz * rate_hz;
      }
    }
  }
  return BodyMotion{std::move(com), std::move(acc), std::move(have_acc)};
}

BalanceAxis balance_axis(const BodyMotion& body, int F, int J, double rate_hz, const FloorOptions& options,
                         const std::vector<Candidate>& cand, const std::vector<int>& inliers,
                         const Eigen::Vector3d& up, double unit) {
  BalanceAxis out;
  const Eigen::Matrix3Xd& com = body.com;
  const Eigen::Matrix3Xd& acc = body.acc;
  const std::vector<char>& have_acc = body.have_acc;
  // Support: the mean of each frame's foot points on the floor.
  Eigen::Matrix3Xd support = Eigen::Matrix3Xd::Zero(3, F);
  std::vector<int> support_count(static_cast<std::size_t>(F), 0);
  for (int i : inliers) {
    const Candidate& k = cand[static_cast<std::size_t>(i)];
    const int f = k.sample / J;
    support.col(f) += k.p - k.h * up;
    ++support_count[static_cast<std::size_t>(f)];
  }
  // One direction per frame: (c - p) g / h - c'' (= g up for a balanced body).
  constexpr double kGravity = 9.80665;  // m/s^2
  std::vector<Eigen::Vector3d> dirs;
  std::vector<double> heights;
  for (int f = 0; f < F; ++f) {
    if (support_count[static_cast<std::size_t>(f)] == 0 || !com.col(f).allFinite() || !have_acc[static_cast<std::size_t>(f)]) continue;
    const Eigen::Vector3d v = com.col(f) - support.col(f) / support_count[static_cast<std::size_t>(f)];
    const double h = v.dot(up);
    if (!(h > 0.3 * unit)) continue;  // the body is not above its feet (lying, crouching, a bad frame)
    const Eigen::Vector3d g = v * (kGravity * unit / h) - acc.col(f);
    if (!g.allFinite() || !(g.norm() > 0.0)) continue;
    dirs.push_back(g.normalized());
    heights.push_back(h);
  }
  if (dirs.empty()) return out;
  // Robust mean: drop directions more than 3 median deviations away (twice).
  std::vector<char> keep(dirs.size(), 1);
  Eigen::Vector3d m = Eigen::Vector3d::Zero();
  for (const auto& d : dirs) m += d;
  m.normalize();
  for (int round = 0; round < 2; ++round) {
    std::vector<double> dev;
    for (const auto& d : dirs) dev.push_back(std::acos(std::clamp(d.dot(m), -1.0, 1.0)));
    const double limit = std::max(3.0 * median_of(dev), 1e-3);
    Eigen::Vector3d next = Eigen::Vector3d::Zero();
    for (std::size_t i = 0; i < dirs.size(); ++i) {
      keep[i] = dev[i] <= limit ? 1 : 0;
      if (keep[i]) next += dirs[i];
    }
    if (!(next.norm() > 0.0)) return out;
    m = next.normalized();
  }
  double ss = 0.0;
  std::vector<double> kept_heights;
  for (std::size_t i = 0; i < dirs.size(); ++i) {
    if (!keep[i]) continue;
    const double a = std::acos(std::clamp(dirs[i].dot(m), -1.0, 1.0));
    ss += a * a;
    kept_heights.push_back(heights[i]);
  }
  const int n = static_cast<int>(kept_heights.size());
  const double spread = std::sqrt(ss / n);
  const double n_eff = std::clamp(n / (0.5 * rate_hz), 1.0, static_cast<double>(n));
  const double systematic = std::atan2(options.balance_support_error_m * unit, median_of(kept_heights));
  out.up = m;
  out.frames = n;
  out.uncertainty_rad = std::sqrt(systematic * systematic + spread * spread / n_eff);
  return out;
}

}  // namespace

FloorOptions FloorOptions::body25b() {
  FloorOptions o;
  o.feet = {{15, 0.08}, {16, 0.08}, {19, 0.03}, {20, 0.03}, {21, 0.04}, {22, 0.03}, {23, 0.03}, {24, 0.04}};
  // de Leva (1996): mass fraction, centre from the proximal end.
  o.body_segments = {
      {{17}, {18}, 0.0694, 0.5},         // head: neck -> head top
      {{17}, {11, 12}, 0.4346, 0.5138},  // trunk: neck -> mid-hip
      {{5}, {7}, 0.0271, 0.5772},   {{6}, {8}, 0.0271, 0.5772},    // upper arms
      {{7}, {9}, 0.0162, 0.4574},   {{8}, {10}, 0.0162, 0.4574},   // forearms
      {{9}, {9}, 0.0061, 0.0},      {{10}, {10}, 0.0061, 0.0},     // hands, at the wrists
      {{11}, {13}, 0.1416, 0.4095}, {{12}, {14}, 0.1416, 0.4095},  // thighs
      {{13}, {15}, 0.0433, 0.4459}, {{14}, {16}, 0.0433, 0.4459},  // shanks
      {{21}, {19}, 0.0137, 0.4415}, {{24}, {22}, 0.0137, 0.4415},  // feet: heel -> big toe
  };
  return o;
}

FloorOptions FloorOptions::human36m_17() {
  FloorOptions o;
  o.feet = {{3, 0.08}, {6, 0.08}};
  o.body_segments = {
      {{8}, {10}, 0.0694, 0.5},       // head: neck -> head top
      {{8}, {0}, 0.4346, 0.5138},     // trunk: neck -> root (mid-hip)
      {{11}, {12}, 0.0271, 0.5772}, {{14}, {15}, 0.0271, 0.5772},  // upper arms
      {{12}, {13}, 0.0162, 0.4574}, {{15}, {16}, 0.0162, 0.4574},  // forearms
      {{13}, {13}, 0.0061, 0.0},    {{16}, {16}, 0.0061, 0.0},     // hands, at the wrists
      {{4}, {5}, 0.1416, 0.4095},   {{1}, {2}, 0.1416, 0.4095},    // thighs
      {{5}, {6}, 0.0433, 0.4459},   {{2}, {3}, 0.0433, 0.4459},    // shanks
      {{6}, {6}, 0.0137, 0.0},      {{3}, {3}, 0.0137, 0.0},       // feet, at the ankles
  };
  return o;
}

std::vector<BodySegment> body_segments_from_names(const std::vector<std::string>& joint_names) {
  std::vector<std::string> norm;
  for (const auto& n : joint_names) {
    std::string k;
    for (char c : n) {
      if (std::isalnum(static_cast<unsigned char>(c))) k += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    norm.push_back(k);
  }
  const auto find = [&](std::initializer_list<const char*> names) {
    for (const char* want : names) {
      for (std::size_t j = 0; j < norm.size(); ++j) {
        if (norm[j] == want) return static_cast<int>(j);
      }
    }
    return -1;
  };
  struct Side {
    int shoulder, elbow, wrist, hip, knee, ankle, heel, toe;
  };
  const auto side = [&](bool left) {
    const char* l = left ? "l" : "r";
    const char* full = left ? "left" : "right";
    const auto f = [&](const char* a, const char* b, const char* c) {
      const std::string s1 = std::string(l) + a, s2 = std::string(full) + a, s3 = std::string(l) + b, s4 = std::string(l) + c;
      return find({s1.c_str(), s2.c_str(), s3.c_str(), s4.c_str()});
    };
    return Side{f("shoulder", "sho", "shoulder"), f("elbow", "elb", "elbow"), f("wrist", "wri", "wrist"),
                f("hip", "hip", "hip"),           f("knee", "kne", "knee"),   f("ankle", "ank", "ankle"),
                f("heel", "heel", "heel"),        f("bigtoe", "bigtoe", "toe")};
  };
  const Side L = side(true), R = side(false);
  for (const Side* s : {&L, &R}) {
    if (s->shoulder < 0 || s->hip < 0 || s->knee < 0 || s->ankle < 0) return {};
  }
  const int neck = find({"neck", "thorax"});
  const int head = find({"head", "headtop", "top", "nose"});
  const std::vector<int> neck_joints = neck >= 0 ? std::vector<int>{neck} : std::vector<int>{L.shoulder, R.shoulder};
  std::vector<BodySegment> out;
  if (head >= 0) out.push_back({neck_joints, {head}, 0.0694, 0.5});
  out.push_back({neck_joints, {L.hip, R.hip}, 0.4346, 0.5138});
  for (const Side* s : {&L, &R}) {
    if (s->elbow >= 0) {
      out.push_back({{s->shoulder}, {s->elbow}, 0.0271, 0.5772});
      if (s->wrist >= 0) {
        out.push_back({{s->elbow}, {s->wrist}, 0.0162, 0.4574});
        out.push_back({{s->wrist}, {s->wrist}, 0.0061, 0.0});
      }
    }
    out.push_back({{s->hip}, {s->knee}, 0.1416, 0.4095});
    out.push_back({{s->knee}, {s->ankle}, 0.0433, 0.4459});
    if (s->heel >= 0 && s->toe >= 0) {
      out.push_back({{s->heel}, {s->toe}, 0.0137, 0.4415});
    } else {
      out.push_back({{s->ankle}, {s->ankle}, 0.0137, 0.0});
    }
  }
  return out;
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
  for (const auto& b : body_segments) {
    if (b.proximal.empty() || b.distal.empty()) bad("body_segments: proximal and distal need at least one joint each");
    for (int j : b.proximal) if (j < 0) bad("body_segments: joint indices must be >= 0, got " + std::to_string(j));
    for (int j : b.distal) if (j < 0) bad("body_segments: joint indices must be >= 0, got " + std::to_string(j));
    if (!(b.mass_fraction > 0.0) || !std::isfinite(b.mass_fraction)) bad("body_segments: mass_fraction must be finite and > 0");
    if (!(b.com_fraction >= 0.0 && b.com_fraction <= 1.0)) bad("body_segments: com_fraction must be in [0, 1]");
  }
  if (!(min_body_mass_fraction > 0.0 && min_body_mass_fraction <= 1.0)) {
    bad("min_body_mass_fraction must be in (0, 1], got " + num(min_body_mass_fraction));
  }
  if (!(balance_support_error_m > 0.0) || !std::isfinite(balance_support_error_m)) {
    bad("balance_support_error_m must be finite and > 0, got " + num(balance_support_error_m));
  }
  if (min_balance_frames < 1) bad("min_balance_frames must be >= 1, got " + std::to_string(min_balance_frames));
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
  for (const auto& b : options.body_segments) {
    for (const auto* joints : {&b.proximal, &b.distal}) {
      for (int j : *joints) {
        if (j >= num_joints) {
          throw std::invalid_argument(what + ": body segment joint " + std::to_string(j) + " >= num_joints " +
                                      std::to_string(num_joints));
        }
      }
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

  // The feet's uncertainty per tilt axis: a height error of the size of the
  // keypoints' systematic offsets (people, shoes and views differ by about
  // the inlier band; never less than the RMS) at either side of the
  // footprint tilts the plane about its long axis by atan(err / short
  // extent) and about its short axis by atan(err / long extent).
  const double height_error_m = std::max(out.rms_residual_m, options.inlier_threshold_m);
  const auto feet_sigmas = [&](const Footprint& fp, double* across, double* along) {
    *across = std::atan2(height_error_m, std::max(fp.minor * options.length_unit_m, 1e-12));
    *along = std::atan2(height_error_m, std::max(fp.major * options.length_unit_m, 1e-12));
  };
  Footprint feet = footprint(cand, inliers, nrm);
  double sigma_across = 0.0, sigma_along = 0.0;
  feet_sigmas(feet, &sigma_across, &sigma_along);
  out.feet_tilt_uncertainty_deg = sigma_across * 180.0 / kPi;
  const bool feet_underdetermined = out.feet_tilt_uncertainty_deg > options.max_tilt_uncertainty_deg;

  // 5. Balance: the body's gravito-inertial axis, fused per tilt axis with
  // the feet (information form: u = (wb I + wa a a^T + wc c c^T)^-1 wb u_b,
  // a and c the footprint's long and short axes). When the feet leave the
  // tilt open, the floor's foot points are chosen again along the fused axis
  // (a foot held still in the air lies in some plane through a line of
  // standing feet) and the fusion repeated until they no longer change.
  std::string balance_note;
  if (!options.body_segments.empty()) {
    Eigen::Vector3d feet_normal = nrm;
    BalanceAxis b;
    double disagreement = std::numeric_limits<double>::quiet_NaN();
    const BodyMotion body = body_motion(poses, valid, F, J, rate_hz, options);
    for (int round = 0; round < 5; ++round) {
      b = balance_axis(body, F, J, rate_hz, options, cand, inliers, feet_normal, unit);
      if (b.frames < options.min_balance_frames || !std::isfinite(b.uncertainty_rad)) break;
      feet = footprint(cand, inliers, feet_normal);
      feet_sigmas(feet, &sigma_across, &sigma_along);
      const Eigen::Vector3d e_along = feet.major_axis;
      const Eigen::Vector3d e_across = feet_normal.cross(e_along).normalized();
      {
        const double t_across = std::atan2(b.up.dot(e_across), b.up.dot(feet_normal));
        const double t_along = std::atan2(b.up.dot(e_along), b.up.dot(feet_normal));
        const double vb = b.uncertainty_rad * b.uncertainty_rad;
        disagreement = std::max(std::abs(t_across) / std::sqrt(sigma_across * sigma_across + vb),
                                std::abs(t_along) / std::sqrt(sigma_along * sigma_along + vb));
      }
      const double wb = 1.0 / (b.uncertainty_rad * b.uncertainty_rad);
      const double w_across = 1.0 / (sigma_across * sigma_across), w_along = 1.0 / (sigma_along * sigma_along);
      const Eigen::Matrix3d A = wb * Eigen::Matrix3d::Identity() + w_along * e_along * e_along.transpose() +
                                w_across * e_across * e_across.transpose();
      Eigen::Vector3d fused = A.ldlt().solve(wb * b.up);
      if (!fused.allFinite() || !(fused.norm() > 0.0)) break;
      fused.normalize();
      sigma_across = 1.0 / std::sqrt(w_across + wb);
      sigma_along = 1.0 / std::sqrt(w_along + wb);
      nrm = fused;
      // The floor along the fused axis: the lowest offset level holding at
      // least a quarter of the still foot points (feet do not go through the
      // floor; feet held in the air sit above it).
      std::vector<double> offsets(cand.size());
      for (std::size_t i = 0; i < cand.size(); ++i) offsets[i] = cand[i].h - nrm.dot(cand[i].p);
      std::vector<double> sorted = offsets;
      std::sort(sorted.begin(), sorted.end());
      // offsets = -(height above the floor level): the floor is the largest
      // offset level with enough support.
      double level = std::numeric_limits<double>::quiet_NaN();
      std::size_t best = 0;
      for (std::size_t i = 0, j = 0; i < sorted.size(); ++i) {  // window [sorted[i], sorted[i] + 2 threshold]
        while (j < sorted.size() && sorted[j] <= sorted[i] + 2.0 * threshold) ++j;
        best = std::max(best, j - i);
      }
      for (std::size_t i = sorted.size(), j = sorted.size(); i-- > 0;) {
        while (j > 0 && sorted[j - 1] >= sorted[i] - 2.0 * threshold) --j;
        if (4 * (i + 1 - j) >= best && i + 1 - j >= static_cast<std::size_t>(options.min_inliers)) {
          level = median_of(std::vector<double>(sorted.begin() + static_cast<long>(j), sorted.begin() + static_cast<long>(i) + 1));
          break;
        }
      }
      if (!std::isfinite(level)) break;
      d = level;
      std::vector<int> next;
      for (int i = 0; i < n; ++i) {
        if (std::abs(offsets[static_cast<std::size_t>(i)] - d) < threshold) next.push_back(i);
      }
      const bool reselect = feet_underdetermined || disagreement > 3.0;
      if (!reselect || next == inliers || static_cast<int>(next.size()) < options.min_inliers) break;
      inliers = std::move(next);
      // The feet's own plane on the new points, from the fused axis; a fit
      // that turns far from it is the line's free rotation, not information.
      Eigen::Vector3d refit = nrm;
      double refit_d = d;
      fit_plane(cand, inliers, &refit, &refit_d);
      feet_normal = std::acos(std::clamp(refit.dot(nrm), -1.0, 1.0)) < kPi / 4 ? refit : nrm;
    }
    out.balance_frames = b.frames;
    out.balance_disagreement_sigma = disagreement;
    if (b.frames >= options.min_balance_frames && std::isfinite(b.uncertainty_rad) && disagreement > 3.0) {
      FloorResult failed;
      failed.status = FloorStatus::kInconsistent;
      failed.num_candidates = out.num_candidates;
      failed.num_inliers = out.num_inliers;
      failed.feet_tilt_uncertainty_deg = out.feet_tilt_uncertainty_deg;
      failed.balance_frames = b.frames;
      failed.balance_uncertainty_deg = b.uncertainty_rad * 180.0 / kPi;
      failed.balance_angle_to_feet_deg = std::acos(std::clamp(b.up.dot(feet_normal), -1.0, 1.0)) * 180.0 / kPi;
      failed.balance_disagreement_sigma = disagreement;
      failed.message = what + ": the feet's plane and the body's balance disagree (" +
                       num(failed.balance_angle_to_feet_deg) + " deg apart, " + num(disagreement) +
                       " combined standard deviations; balance over " + std::to_string(b.frames) +
                       " frames): the feet do not lie on one floor (people at different levels, or a person "
                       "triangulated at the wrong depth); no frame";
      return failed;
    }
    if (b.frames >= options.min_balance_frames && std::isfinite(b.uncertainty_rad)) {
      out.balance_uncertainty_deg = b.uncertainty_rad * 180.0 / kPi;
      out.balance_angle_to_feet_deg = std::acos(std::clamp(b.up.dot(feet_normal), -1.0, 1.0)) * 180.0 / kPi;
      balance_note = "; balance of the body over " + std::to_string(b.frames) + " frames: " +
                     num(out.balance_angle_to_feet_deg) + " deg from the feet's plane, uncertainty ~" +
                     num(out.balance_uncertainty_deg) + " deg (feet alone ~" + num(out.feet_tilt_uncertainty_deg) +
                     " deg)";
    } else {
      balance_note = "; balance of the body: " + std::to_string(b.frames) + " usable frames (need " +
                     std::to_string(options.min_balance_frames) + "), not used";
    }
    // The result's inliers and residual along the final axis.
    out.up_in_old = nrm;
    out.floor_offset = d;
    out.num_inliers = static_cast<int>(inliers.size());
    out.inlier_samples.clear();
    double ss2 = 0.0;
    for (int i : inliers) {
      const double r = nrm.dot(cand[static_cast<std::size_t>(i)].p) + d - cand[static_cast<std::size_t>(i)].h;
      ss2 += r * r;
      out.inlier_samples.push_back(cand[static_cast<std::size_t>(i)].sample);
    }
    out.rms_residual_m = std::sqrt(ss2 / static_cast<double>(inliers.size())) * options.length_unit_m;
  }

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
  for (int i : inliers) {
    const Eigen::Vector3d& p = cand[static_cast<std::size_t>(i)].p;
    ox.push_back(x_axis.dot(p));
    oy.push_back(y_axis.dot(p));
  }
  const Footprint final_footprint = footprint(cand, inliers, up);
  out.footprint_minor_m = final_footprint.minor * options.length_unit_m;
  out.footprint_major_m = final_footprint.major * options.length_unit_m;
  out.tilt_uncertainty_deg = std::max(sigma_across, sigma_along) * 180.0 / kPi;
  // Origin: the median foot point, on the floor (n . o + d = 0).
  const Eigen::Vector3d origin = median_of(std::move(ox)) * x_axis + median_of(std::move(oy)) * y_axis - d * up;
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
                               " m" + balance_note + ", tilt uncertainty ~" + num(out.tilt_uncertainty_deg) + " deg";
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
