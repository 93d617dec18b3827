// crossview: synthetic multi-person captures (see multi_person.hpp).
#include <crossview/sim/multi_person.hpp>

#include <crossview/camera/camera.hpp>

#include <Eigen/Core>
#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::sim {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;

/// Smallest distance between segments [p0, p1] and [q0, q1]; `s` gets the
/// parameter of the closest point on the first segment.
double segment_distance(const Eigen::Vector3d& p0, const Eigen::Vector3d& p1, const Eigen::Vector3d& q0,
                        const Eigen::Vector3d& q1, double* s_out) {
  const Eigen::Vector3d d1 = p1 - p0, d2 = q1 - q0, r = p0 - q0;
  const double a = d1.squaredNorm(), e = d2.squaredNorm(), f = d2.dot(r);
  double s = 0.0, t = 0.0;
  if (a <= 1e-300 && e <= 1e-300) {
    *s_out = 0.0;
    return r.norm();
  }
  if (a <= 1e-300) {
    t = std::clamp(f / e, 0.0, 1.0);
  } else {
    const double c = d1.dot(r);
    if (e <= 1e-300) {
      s = std::clamp(-c / a, 0.0, 1.0);
    } else {
      const double b = d1.dot(d2);
      const double den = a * e - b * b;
      s = den > 1e-300 ? std::clamp((b * f - c * e) / den, 0.0, 1.0) : 0.0;
      t = (b * s + f) / e;
      if (t < 0.0) {
        t = 0.0;
        s = std::clamp(-c / a, 0.0, 1.0);
      } else if (t > 1.0) {
        t = 1.0;
        s = std::clamp((b - c) / a, 0.0, 1.0);
      }
    }
  }
  *s_out = s;
  return ((p0 + s * d1) - (q0 + t * d2)).norm();
}

/// Person height: median over frames of the vertical extent of its joints.
double person_height(const Points3d& poses, int J) {
  std::vector<double> h;
  const int F = static_cast<int>(poses.cols() / J);
  for (int f = 0; f < F; ++f) {
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (int j = 0; j < J; ++j) {
      const double z = poses(2, static_cast<Eigen::Index>(f) * J + j);
      if (!std::isfinite(z)) continue;
      lo = std::min(lo, z);
      hi = std::max(hi, z);
    }
    if (hi > lo) h.push_back(hi - lo);
  }
  if (h.empty()) return 0.0;
  std::nth_element(h.begin(), h.begin() + static_cast<std::ptrdiff_t>(h.size() / 2), h.end());
  return h[h.size() / 2];
}

bool present(const Points3d& poses, int J, int f) {
  for (int j = 0; j < J; ++j) {
    if (poses.col(static_cast<Eigen::Index>(f) * J + j).allFinite()) return true;
  }
  return false;
}

}  // namespace

BodyModel h36m_17_body() {
  BodyModel b;
  // 0 root 1 rhip 2 rkne 3 rank 4 lhip 5 lkne 6 lank 7 belly 8 neck 9 nose
  // 10 head 11 lsho 12 lelb 13 lwri 14 rsho 15 relb 16 rwri
  b.parents = {-1, 0, 1, 2, 0, 4, 5, 0, 7, 8, 9, 8, 11, 12, 8, 14, 15};
  b.radius_fraction.assign(17, 0.045);
  b.radius_fraction[7] = b.radius_fraction[8] = 0.09;   // spine: the torso
  b.radius_fraction[1] = b.radius_fraction[4] = 0.07;   // pelvis
  b.radius_fraction[9] = b.radius_fraction[10] = 0.06;  // head
  b.radius_fraction[2] = b.radius_fraction[5] = 0.055;  // thighs
  b.left_right_pairs = {{4, 1}, {5, 2}, {6, 3}, {11, 14}, {12, 15}, {13, 16}};
  return b;
}

BodyModel body25_body() {
  BodyModel b;
  b.parents = {1, -1, 1, 2, 3, 1, 5, 6, 1, 8, 9, 10, 8, 12, 13, 0, 0, 15, 16, 14, 14, 14, 11, 11, 11};
  b.radius_fraction.assign(25, 0.045);
  b.radius_fraction[8] = 0.09;                          // neck-midhip: the torso
  b.radius_fraction[9] = b.radius_fraction[12] = 0.07;  // pelvis
  b.radius_fraction[0] = 0.06;
  b.radius_fraction[10] = b.radius_fraction[13] = 0.055;
  for (int j = 15; j <= 18; ++j) b.radius_fraction[j] = 0.03;
  for (int j = 19; j <= 24; ++j) b.radius_fraction[j] = 0.025;
  b.left_right_pairs = {{5, 2}, {6, 3}, {7, 4}, {12, 9}, {13, 10}, {14, 11}, {16, 15}, {18, 17}, {19, 22}, {20, 23}, {21, 24}};
  return b;
}

Points3d body25_from_h36m_17(const ConstPointsRef& h36m_poses) {
  require_points(h36m_poses, 3, "body25_from_h36m_17: h36m_poses");
  if (h36m_poses.cols() % 17 != 0) {
    throw std::invalid_argument("body25_from_h36m_17: h36m_poses must be 3 x (F*17), got 3 x " +
                                std::to_string(h36m_poses.cols()));
  }
  const Eigen::Index F = h36m_poses.cols() / 17;
  Points3d out(3, F * 25);
  const int copy[15][2] = {{0, 9},  {1, 8},  {2, 14}, {3, 15}, {4, 16}, {5, 11}, {6, 12}, {7, 13},
                           {8, 0},  {9, 1},  {10, 2}, {11, 3}, {12, 4}, {13, 5}, {14, 6}};
  const Eigen::Vector3d up = Eigen::Vector3d::UnitZ();
  for (Eigen::Index f = 0; f < F; ++f) {
    auto in = [&](int j) -> Eigen::Vector3d { return h36m_poses.col(f * 17 + j); };
    auto set = [&](int j, const Eigen::Vector3d& p) { out.col(f * 25 + j) = p; };
    for (const auto& c : copy) set(c[0], in(c[1]));
    // Head frame: up along neck -> head top, left from the shoulders.
    const Eigen::Vector3d head_up = (in(10) - in(8)).normalized();
    Eigen::Vector3d left = in(11) - in(14);
    left -= left.dot(head_up) * head_up;
    left.normalize();
    const Eigen::Vector3d forward = head_up.cross(left);  // up x left = forward
    const double s = (in(10) - in(9)).norm();             // chin-to-top head size
    const Eigen::Vector3d face = in(9) + 0.55 * (in(10) - in(9));
    set(15, face + 0.45 * s * forward - 0.17 * s * left);  // REye
    set(16, face + 0.45 * s * forward + 0.17 * s * left);  // LEye
    set(17, face - 0.42 * s * left);                       // REar
    set(18, face + 0.42 * s * left);                       // LEar
    // Feet: forward is horizontal, perpendicular to the hips.
    Eigen::Vector3d hip_left = in(4) - in(1);
    hip_left.z() = 0.0;
    hip_left.normalize();
    const Eigen::Vector3d foot_fwd = up.cross(hip_left);
    for (int side = 0; side < 2; ++side) {  // 0 left, 1 right
      const Eigen::Vector3d ankle = side == 0 ? in(6) : in(3);
      const Eigen::Vector3d knee = side == 0 ? in(5) : in(2);
      const double L = 0.6 * (knee - ankle).norm();
      const double out_sign = side == 0 ? 1.0 : -1.0;  // away from the body
      const int base = side == 0 ? 19 : 22;
      set(base + 0, ankle + 0.75 * L * foot_fwd - 0.3 * L * up - 0.08 * L * out_sign * hip_left);  // big toe
      set(base + 1, ankle + 0.62 * L * foot_fwd - 0.3 * L * up + 0.18 * L * out_sign * hip_left);  // small toe
      set(base + 2, ankle - 0.25 * L * foot_fwd - 0.3 * L * up);                                 // heel
    }
    for (int j = 0; j < 25; ++j) {
      if (!out.col(f * 25 + j).allFinite()) out.col(f * 25 + j).setConstant(kNaN);
    }
  }
  return out;
}

Points3d place_motion(const ConstPointsRef& source, int num_joints, int num_frames,
                      const MotionPlacement& p, int root_joint) {
  require_points(source, 3, "place_motion: source");
  const int J = num_joints;
  if (J < 1 || source.cols() % J != 0 || source.cols() == 0) {
    throw std::invalid_argument("place_motion: source must be 3 x (S*J) with S >= 1 and num_joints >= 1");
  }
  if (num_frames < 1) throw std::invalid_argument("place_motion: num_frames must be >= 1");
  if (root_joint < 0 || root_joint >= J) throw std::invalid_argument("place_motion: root_joint out of range");
  if (!(p.scale > 0.0) || !(p.travel_scale >= 0.0) || p.source_stride < 1 || p.first_source_frame < 0 ||
      !std::isfinite(p.yaw_rad) || !p.offset.allFinite()) {
    throw std::invalid_argument(
        "place_motion: placement needs scale > 0, travel_scale >= 0, source_stride >= 1, first_source_frame >= 0, "
        "finite yaw and offset");
  }
  const long long S = source.cols() / J;
  const long long period = S > 1 ? 2 * (S - 1) : 1;
  auto source_frame = [&](long long k) {
    if (S == 1) return 0LL;
    const long long m = k % period;
    return m < S ? m : period - m;
  };
  const Eigen::Matrix3d Rz = Eigen::AngleAxisd(p.yaw_rad, Eigen::Vector3d::UnitZ()).toRotationMatrix();
  const long long first = source_frame(p.first_source_frame);
  const Eigen::Vector2d root0 = source.col(first * J + root_joint).head<2>();
  Points3d out(3, static_cast<Eigen::Index>(num_frames) * J);
  for (int f = 0; f < num_frames; ++f) {
    const long long s = source_frame(p.first_source_frame + static_cast<long long>(f) * p.source_stride);
    const Eigen::Vector2d root = source.col(s * J + root_joint).head<2>();
    const Eigen::Vector2d travel = (root - root0) * p.travel_scale;
    for (int j = 0; j < J; ++j) {
      Eigen::Vector3d q = source.col(s * J + j);
      q.head<2>() -= root;
      q *= p.scale;
      q.head<2>() += travel;
      q = Rz * q;
      q.head<2>() += p.offset;
      out.col(static_cast<Eigen::Index>(f) * J + j) = q;
    }
  }
  return out;
}

void ArrangeOptions::validate() const {
  auto fail = [](const std::string& w) { throw std::invalid_argument("ArrangeOptions: " + w); };
  if (num_people < 1) fail("num_people must be >= 1");
  if (num_frames < 1) fail("num_frames must be >= 1");
  if (!(area_side > 0.0)) fail("area_side must be > 0");
  if (!(min_separation >= 0.0)) fail("min_separation must be >= 0");
  if (!scales.empty() && static_cast<int>(scales.size()) != num_people) fail("scales must be empty or hold num_people values");
  for (double s : scales) {
    if (!(s > 0.0)) fail("scales must be > 0");
  }
  if (source_stride < 1) fail("source_stride must be >= 1");
  if (max_attempts < 1) fail("max_attempts must be >= 1");
}

std::vector<Points3d> arrange_people(const std::vector<Points3d>& sources, int num_joints,
                                     const ArrangeOptions& o) {
  o.validate();
  if (sources.empty()) throw std::invalid_argument("arrange_people: no source motion");
  for (const Points3d& s : sources) {
    if (num_joints < 1 || s.cols() == 0 || s.cols() % num_joints != 0) {
      throw std::invalid_argument("arrange_people: every source must be 3 x (S*J) with S >= 1");
    }
  }
  const int J = num_joints;
  const int F = o.num_frames;
  const double half = 0.5 * o.area_side;
  std::mt19937_64 rng(o.seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<Points3d> placed;
  for (int i = 0; i < o.num_people; ++i) {
    const Points3d& src = sources[i % sources.size()];
    const int S = static_cast<int>(src.cols() / J);
    MotionPlacement p;
    p.scale = o.scales.empty() ? 1.0 : o.scales[i];
    p.source_stride = o.source_stride;
    bool done = false;
    for (double travel = 1.0; !done; travel *= 0.7) {
      p.travel_scale = travel < 0.05 ? 0.0 : travel;
      for (int attempt = 0; attempt < o.max_attempts && !done; ++attempt) {
        p.yaw_rad = unit(rng) * 2.0 * kPi;
        p.first_source_frame = static_cast<int>(unit(rng) * S) % std::max(S, 1);
        p.offset = Eigen::Vector2d(0.0, 0.0);
        Points3d m = place_motion(src, J, F, p);
        // Centre of the root's path, then a random position that keeps it inside.
        Eigen::Vector2d lo = m.col(0).head<2>(), hi = lo;
        for (int f = 0; f < F; ++f) {
          lo = lo.cwiseMin(m.col(static_cast<Eigen::Index>(f) * J).head<2>());
          hi = hi.cwiseMax(m.col(static_cast<Eigen::Index>(f) * J).head<2>());
        }
        const Eigen::Vector2d extent = hi - lo;
        if (extent.x() > o.area_side || extent.y() > o.area_side) continue;
        const Eigen::Vector2d shift(-lo.x() - half + unit(rng) * (o.area_side - extent.x()),
                                    -lo.y() - half + unit(rng) * (o.area_side - extent.y()));
        for (int c = 0; c < m.cols(); ++c) m.col(c).head<2>() += shift;
        bool apart = true;
        for (const Points3d& q : placed) {
          for (int f = 0; f < F && apart; ++f) {
            const Eigen::Index c = static_cast<Eigen::Index>(f) * J;
            apart = (m.col(c).head<2>() - q.col(c).head<2>()).norm() >= o.min_separation;
          }
          if (!apart) break;
        }
        if (!apart) continue;
        placed.push_back(std::move(m));
        done = true;
      }
      if (!done && p.travel_scale == 0.0) {
        throw std::invalid_argument("arrange_people: cannot place person " + std::to_string(i) +
                                    " apart from the others inside the area (area too small or min_separation too large)");
      }
    }
  }
  return placed;
}

void MultiPersonOptions::validate(int num_joints) const {
  auto fail = [](const std::string& w) { throw std::invalid_argument("MultiPersonOptions: " + w); };
  if (!(noise_px >= 0.0) || !std::isfinite(noise_px)) fail("noise_px must be finite and >= 0");
  if (!(missing_rate >= 0.0 && missing_rate < 1.0)) fail("missing_rate must be in [0, 1)");
  if (min_visible_joints < 1) fail("min_visible_joints must be >= 1");
  if (!(score_min > 0.0 && score_min <= score_max && score_max <= 1.0)) fail("scores need 0 < score_min <= score_max <= 1");
  if (false_positives_per_view < 0) fail("false_positives_per_view must be >= 0");
  const double kinds = false_positive_kinds[0] + false_positive_kinds[1] + false_positive_kinds[2];
  if (!(false_positive_kinds[0] >= 0.0 && false_positive_kinds[1] >= 0.0 && false_positive_kinds[2] >= 0.0) ||
      !(kinds > 0.0) || !std::isfinite(kinds)) {
    fail("false_positive_kinds must be finite, >= 0 and not all 0");
  }
  if (!(left_right_swap_rate >= 0.0 && left_right_swap_rate <= 1.0)) fail("left_right_swap_rate must be in [0, 1]");
  if (!(duplicate_rate >= 0.0 && duplicate_rate <= 1.0)) fail("duplicate_rate must be in [0, 1]");
  if (occlusion || left_right_swap_rate > 0.0) {
    if (body.num_joints() != num_joints || static_cast<int>(body.radius_fraction.size()) != num_joints) {
      fail("body must describe num_joints = " + std::to_string(num_joints) +
           " joints (parents and radius_fraction) when occlusion or swaps are on");
    }
    for (int j = 0; j < num_joints; ++j) {
      if (body.parents[j] < -1 || body.parents[j] >= num_joints || body.parents[j] == j) fail("body.parents is invalid");
      if (!(body.radius_fraction[j] >= 0.0)) fail("body.radius_fraction must be >= 0");
    }
  }
  for (const auto& [l, r] : body.left_right_pairs) {
    if (l < 0 || r < 0 || l >= num_joints || r >= num_joints || l == r) fail("body.left_right_pairs is invalid");
  }
}

MultiPersonScene make_multi_person_scene(const std::vector<camera::Camera>& cameras,
                                         const std::vector<Points3d>& people, int num_joints,
                                         const MultiPersonOptions& o) {
  o.validate(num_joints);
  const int J = num_joints;
  if (cameras.empty()) throw std::invalid_argument("make_multi_person_scene: no camera");
  if (people.empty()) throw std::invalid_argument("make_multi_person_scene: no person");
  const Eigen::Index cols = people[0].cols();
  if (cols == 0 || cols % J != 0) throw std::invalid_argument("make_multi_person_scene: people[0] must be 3 x (F*J)");
  for (std::size_t i = 0; i < people.size(); ++i) {
    if (people[i].cols() != cols) {
      throw std::invalid_argument("make_multi_person_scene: people[" + std::to_string(i) +
                                  "] has a different number of frames");
    }
  }
  const int F = static_cast<int>(cols / J);
  const int P = static_cast<int>(people.size());
  const int V = static_cast<int>(cameras.size());
  MultiPersonScene scene;
  scene.cameras = cameras;
  scene.num_joints = J;
  scene.num_frames = F;
  scene.poses_in_world = people;
  std::vector<double> height(P);
  for (int i = 0; i < P; ++i) height[i] = person_height(people[i], J);
  // Area spanned by the people (for false positives).
  Eigen::Vector2d lo = Eigen::Vector2d::Constant(std::numeric_limits<double>::infinity()), hi = -lo;
  for (const Points3d& q : people) {
    for (Eigen::Index c = 0; c < q.cols(); ++c) {
      if (!q.col(c).allFinite()) continue;
      lo = lo.cwiseMin(q.col(c).head<2>());
      hi = hi.cwiseMax(q.col(c).head<2>());
    }
  }
  // False positives stand anywhere in a square around the people's area
  // (the square of the area's larger side, 25 % larger).
  {
    const Eigen::Vector2d centre = 0.5 * (lo + hi);
    const double side = 1.25 * std::max((hi - lo).maxCoeff(), 1.0);
    lo = centre - Eigen::Vector2d::Constant(0.5 * side);
    hi = centre + Eigen::Vector2d::Constant(0.5 * side);
  }
  std::mt19937_64 rng(o.seed);
  std::normal_distribution<double> gauss(0.0, 1.0);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  auto uniform_int = [&](int n) { return std::min(n - 1, static_cast<int>(unit(rng) * n)); };
  scene.frames.resize(F);

  struct Raw {
    Eigen::Matrix2Xd px;
    Eigen::VectorXd score;
    DetectionTruth truth;
  };
  for (int f = 0; f < F; ++f) {
    std::vector<int> here;
    for (int i = 0; i < P; ++i) {
      if (present(people[i], J, f)) here.push_back(i);
    }
    scene.frames[f].resize(V);
    for (int v = 0; v < V; ++v) {
      const camera::Camera& cam = cameras[v];
      const Eigen::Vector3d C = cam.center_in_world();
      std::vector<Raw> dets;
      for (int i : here) {
        Raw d;
        d.px.setConstant(2, J, kNaN);
        d.score.setZero(J);
        d.truth.person = i;
        int visible = 0;
        for (int j = 0; j < J; ++j) {
          const Eigen::Vector3d X = people[i].col(static_cast<Eigen::Index>(f) * J + j);
          const double nx = gauss(rng), ny = gauss(rng), u_miss = unit(rng), u_score = unit(rng);
          if (!X.allFinite()) continue;
          Eigen::Vector2d px;
          if (cam.project(X, &px) != camera::ProjectionStatus::kSuccess || !cam.is_in_image(px)) continue;
          if (u_miss < o.missing_rate) continue;
          if (o.occlusion) {
            bool hidden = false;
            const double dist = (X - C).norm();
            for (int q : here) {
              if (q == i || hidden) continue;
              for (int b = 0; b < J && !hidden; ++b) {
                const int a = o.body.parents[b];
                if (a < 0) continue;
                const Eigen::Vector3d A = people[q].col(static_cast<Eigen::Index>(f) * J + a);
                const Eigen::Vector3d B = people[q].col(static_cast<Eigen::Index>(f) * J + b);
                if (!A.allFinite() || !B.allFinite()) continue;
                const double radius = o.body.radius_fraction[b] * height[q];
                double s = 0.0;
                const double d_seg = segment_distance(C, X, A, B, &s);
                hidden = d_seg < radius && s * dist < dist - radius;
              }
            }
            if (hidden) continue;
          }
          d.px.col(j) = px + o.noise_px * Eigen::Vector2d(nx, ny);
          d.score[j] = o.score_min + (o.score_max - o.score_min) * u_score;
          ++visible;
        }
        const double u_swap = unit(rng), u_dup = unit(rng);
        if (visible < o.min_visible_joints) continue;
        if (u_swap < o.left_right_swap_rate && !o.body.left_right_pairs.empty()) {
          for (const auto& [l, r] : o.body.left_right_pairs) {
            d.px.col(l).swap(d.px.col(r));
            std::swap(d.score[l], d.score[r]);
          }
          d.truth.left_right_swapped = true;
        }
        if (u_dup < o.duplicate_rate) {
          Raw dup = d;
          dup.truth.duplicate = true;
          for (int j = 0; j < J; ++j) {
            const double u = unit(rng), nx = gauss(rng), ny = gauss(rng);
            if (!(dup.score[j] > 0.0)) continue;
            if (u < 0.3) {
              dup.px.col(j).setConstant(kNaN);
              dup.score[j] = 0.0;
            } else {
              dup.px.col(j) += 2.0 * o.noise_px * Eigen::Vector2d(nx, ny);
              dup.score[j] *= 0.6;
            }
          }
          dets.push_back(std::move(dup));
        }
        dets.push_back(std::move(d));
      }
      // False positives.
      for (int k = 0; k < o.false_positives_per_view; ++k) {
        const double total = o.false_positive_kinds[0] + o.false_positive_kinds[1] + o.false_positive_kinds[2];
        const double u_kind = unit(rng) * total;
        const int kind = u_kind < o.false_positive_kinds[0] ? 0
                         : u_kind < o.false_positive_kinds[0] + o.false_positive_kinds[1] ? 1
                                                                                          : 2;
        Raw d;
        d.px.setConstant(2, J, kNaN);
        d.score.setZero(J);
        if (kind == 2 && !dets.empty()) {
          // Mirror image of a detected person about a vertical line next to it.
          const Raw& src = dets[uniform_int(static_cast<int>(dets.size()))];
          double umin = std::numeric_limits<double>::infinity(), umax = -umin;
          for (int j = 0; j < J; ++j) {
            if (src.score[j] > 0.0) {
              umin = std::min(umin, src.px(0, j));
              umax = std::max(umax, src.px(0, j));
            }
          }
          const double axis = unit(rng) < 0.5 ? umin - 0.1 * (umax - umin) : umax + 0.1 * (umax - umin);
          for (int j = 0; j < J; ++j) {
            const double u_miss = unit(rng), u_score = unit(rng);
            if (!(src.score[j] > 0.0) || u_miss < o.missing_rate) continue;
            const Eigen::Vector2d px(2.0 * axis - src.px(0, j), src.px(1, j));
            if (!cam.is_in_image(px)) continue;
            d.px.col(j) = px;
            d.score[j] = 0.2 + 0.6 * u_score;
          }
        } else {
          // A plausible pose at a random place (kind 0), or cut by the image border (kind 1).
          const int i = uniform_int(P);
          int g = uniform_int(F);
          for (int tries = 0; tries < F && !present(people[i], J, g); ++tries) g = (g + 1) % F;
          const Eigen::Vector2d where(lo.x() + (hi.x() - lo.x()) * unit(rng), lo.y() + (hi.y() - lo.y()) * unit(rng));
          const Eigen::Matrix3d Rz = Eigen::AngleAxisd(2.0 * kPi * unit(rng), Eigen::Vector3d::UnitZ()).toRotationMatrix();
          const Eigen::Vector3d root = people[i].col(static_cast<Eigen::Index>(g) * J);
          Eigen::Vector2d shift = Eigen::Vector2d::Zero();
          if (kind == 1) {
            // Move the projection so that its box straddles a random border.
            const int side = uniform_int(4);
            const double frac = 0.3 + 0.4 * unit(rng);
            Eigen::Vector2d c;
            const Eigen::Vector3d centre_3d = Rz * (Eigen::Vector3d(0, 0, root.z())) +
                                               Eigen::Vector3d(where.x(), where.y(), 0.0);
            if (cam.project(centre_3d, &c) == camera::ProjectionStatus::kSuccess) {
              const double w = cam.width(), h = cam.height();
              const double half_size = 0.25 * h;
              if (side == 0) shift.x() = -c.x() - half_size + 2.0 * half_size * frac;
              if (side == 1) shift.x() = w - c.x() + half_size - 2.0 * half_size * frac;
              if (side == 2) shift.y() = -c.y() - half_size + 2.0 * half_size * frac;
              if (side == 3) shift.y() = h - c.y() + half_size - 2.0 * half_size * frac;
            }
          }
          for (int j = 0; j < J; ++j) {
            const double nx = gauss(rng), ny = gauss(rng), u_miss = unit(rng), u_score = unit(rng);
            Eigen::Vector3d X = people[i].col(static_cast<Eigen::Index>(g) * J + j);
            if (!X.allFinite() || u_miss < o.missing_rate) continue;
            X.head<2>() -= root.head<2>();
            X = Rz * X;
            X.head<2>() += where;
            Eigen::Vector2d px;
            if (cam.project(X, &px) != camera::ProjectionStatus::kSuccess) continue;
            px += shift + o.noise_px * Eigen::Vector2d(nx, ny);
            if (!cam.is_in_image(px)) continue;
            d.px.col(j) = px;
            d.score[j] = 0.2 + 0.6 * u_score;
          }
        }
        d.truth.false_positive_kind = (kind == 2 && !dets.empty()) ? 2 : (kind == 2 ? 0 : kind);
        int n = 0;
        for (int j = 0; j < J; ++j) n += d.score[j] > 0.0 ? 1 : 0;
        if (n >= o.min_visible_joints) dets.push_back(std::move(d));
      }
      std::vector<int> order(dets.size());
      std::iota(order.begin(), order.end(), 0);
      if (o.shuffle) std::shuffle(order.begin(), order.end(), rng);
      SimView& sv = scene.frames[f][v];
      sv.keypoints_px.resize(2, static_cast<Eigen::Index>(dets.size()) * J);
      sv.scores.resize(static_cast<Eigen::Index>(dets.size()) * J);
      for (std::size_t k = 0; k < order.size(); ++k) {
        const Raw& d = dets[order[k]];
        sv.keypoints_px.middleCols(static_cast<Eigen::Index>(k) * J, J) = d.px;
        sv.scores.segment(static_cast<Eigen::Index>(k) * J, J) = d.score;
        sv.truth.push_back(d.truth);
      }
    }
  }
  return scene;
}

}  // namespace crossview::sim
