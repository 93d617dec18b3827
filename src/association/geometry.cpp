// crossview::association: per-frame geometry (undistorted joints, rays,
// thresholds, fundamental matrices), the joint-level agreement tests and the
// 3D hypothesis of a group.
#include "internal.hpp"

#include <crossview/camera/camera.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace crossview::association::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;

Eigen::Matrix3d skew(const Eigen::Vector3d& v) {
  Eigen::Matrix3d m;
  m << 0.0, -v.z(), v.y(), v.z(), 0.0, -v.x(), -v.y(), v.x(), 0.0;
  return m;
}

double sin2_min_angle() {
  const double s = std::sin(kMinRayAngleDeg * kPi / 180.0);
  return s * s;
}

}  // namespace

void check_inputs(const std::vector<camera::Camera>& cameras, const std::vector<ViewDetections>& views,
                  int num_joints, const char* what) {
  const std::string w(what);
  if (num_joints < 1) throw std::invalid_argument(w + ": num_joints must be >= 1, got " + std::to_string(num_joints));
  if (views.size() != cameras.size()) {
    throw std::invalid_argument(w + ": views has " + std::to_string(views.size()) + " entries but there are " +
                                std::to_string(cameras.size()) + " cameras (one ViewDetections per camera)");
  }
  for (std::size_t v = 0; v < views.size(); ++v) {
    const std::string name = w + ": views[" + std::to_string(v) + "]";
    const Points2d& kp = views[v].keypoints_px;
    if (kp.cols() % num_joints != 0) {
      throw std::invalid_argument(name + ".keypoints_px has " + std::to_string(kp.cols()) +
                                  " columns, not a multiple of num_joints = " + std::to_string(num_joints) +
                                  " (expected 2 x (P*J), column p*J + j)");
    }
    require_scores(views[v].scores, kp.cols(), name + ".scores", /*allow_empty=*/true);
  }
}

void Group::reset(int num_views, int num_joints) {
  member.assign(num_views, -1);
  swap_mask.assign(num_views, 0u);
  inlier.assign(static_cast<std::size_t>(num_views) * num_joints, 0);
  fit.assign(num_views, Fit{});
  X.setConstant(3, num_joints, kNaN);
  support = 0.0;
  seed_a = seed_b = -1;
}

FrameGeometry build_geometry(const std::vector<camera::Camera>& cameras,
                             const std::vector<ViewDetections>& views, int num_joints,
                             const AssociationOptions& options) {
  FrameGeometry g;
  const int V = static_cast<int>(cameras.size());
  const int J = num_joints;
  g.num_views = V;
  g.num_joints = J;
  g.cams.resize(V);
  for (int v = 0; v < V; ++v) {
    const camera::Camera& cam = cameras[v];
    CameraGeometry& c = g.cams[v];
    c.R = cam.cam_from_world.rotation_matrix();
    c.t = cam.cam_from_world.translation;
    c.center = cam.center_in_world();
    c.fx = cam.fx();
    c.fy = cam.fy();
    c.cx = cam.cx();
    c.cy = cam.cy();
    c.width = cam.width();
    c.height = cam.height();
  }
  g.view_offset.assign(V + 1, 0);
  for (int v = 0; v < V; ++v) {
    g.view_offset[v + 1] = g.view_offset[v] + static_cast<int>(views[v].keypoints_px.cols() / J);
  }
  const int N = g.view_offset[V];
  g.det_view.resize(N);
  g.det_index.resize(N);
  g.num_usable.assign(N, 0);
  g.usable_det.assign(N, 0);
  g.threshold_px.assign(N, options.threshold_px);
  g.bbox_px.assign(N, Eigen::Vector4d::Constant(kNaN));
  g.und_bbox.assign(N, Eigen::Vector4d::Constant(kNaN));
  g.min_scale.assign(N, 1.0);
  g.und.setConstant(2, static_cast<Eigen::Index>(N) * J, kNaN);
  g.ray.setConstant(3, static_cast<Eigen::Index>(N) * J, kNaN);
  g.weight.setZero(static_cast<Eigen::Index>(N) * J);
  g.scale.setOnes(static_cast<Eigen::Index>(N) * J);

  for (int v = 0; v < V; ++v) {
    const camera::Camera& cam = cameras[v];
    const CameraGeometry& c = g.cams[v];
    const bool pinhole = cam.model() == camera::CameraModel::kPinhole;
    const Points2d& kp = views[v].keypoints_px;
    const Eigen::VectorXd& sc = views[v].scores;
    const Eigen::Matrix3d Rt = c.R.transpose();
    for (int p = 0; p < g.view_offset[v + 1] - g.view_offset[v]; ++p) {
      const int det = g.view_offset[v] + p;
      g.det_view[det] = v;
      g.det_index[det] = p;
      Eigen::Vector4d box(kNaN, kNaN, kNaN, kNaN);
      int n = 0;
      for (int j = 0; j < J; ++j) {
        const Eigen::Index in_col = static_cast<Eigen::Index>(p) * J + j;
        const Eigen::Vector2d px = kp.col(in_col);
        const double s = sc.size() == 0 ? 1.0 : sc[in_col];
        if (!px.allFinite() || !std::isfinite(s) || !(s > options.min_joint_score)) continue;
        Eigen::Vector2d nrm;
        if (cam.unproject_to_normalized(px, &nrm) != camera::ProjectionStatus::kSuccess) continue;
        double local_scale = 1.0;
        if (!pinhole) {
          Eigen::Vector2d reproj;
          camera::Camera::Matrix23d Jp;
          if (cam.project_from_cam(Eigen::Vector3d(nrm.x(), nrm.y(), 1.0), &reproj, &Jp) !=
              camera::ProjectionStatus::kSuccess) {
            continue;
          }
          const double det_j = Jp(0, 0) * Jp(1, 1) - Jp(0, 1) * Jp(1, 0);
          local_scale = std::sqrt(std::abs(det_j) / (c.fx * c.fy));
          if (!(det_j > 0.0) || !std::isfinite(local_scale) || !(local_scale > 1e-6)) continue;
        }
        const Eigen::Vector3d dir = (Rt * Eigen::Vector3d(nrm.x(), nrm.y(), 1.0)).normalized();
        if (!dir.allFinite()) continue;
        const Eigen::Index col = g.col(det, j);
        g.und.col(col) << c.fx * nrm.x() + c.cx, c.fy * nrm.y() + c.cy;
        g.ray.col(col) = dir;
        g.weight[col] = s;
        g.scale[col] = local_scale;
        if (n == 0) {
          box << px.x(), px.y(), px.x(), px.y();
        } else {
          box[0] = std::min(box[0], px.x());
          box[1] = std::min(box[1], px.y());
          box[2] = std::max(box[2], px.x());
          box[3] = std::max(box[3], px.y());
        }
        ++n;
      }
      g.num_usable[det] = n;
      g.bbox_px[det] = box;
      if (n > 0) {
        Eigen::Vector4d ub(kNaN, kNaN, kNaN, kNaN);
        double min_scale = std::numeric_limits<double>::infinity();
        bool first = true;
        for (int j = 0; j < J; ++j) {
          const Eigen::Index col = g.col(det, j);
          if (!(g.weight[col] > 0.0)) continue;
          const Eigen::Vector2d u = g.und.col(col);
          if (first) {
            ub << u.x(), u.y(), u.x(), u.y();
            first = false;
          } else {
            ub << std::min(ub[0], u.x()), std::min(ub[1], u.y()), std::max(ub[2], u.x()), std::max(ub[3], u.y());
          }
          min_scale = std::min(min_scale, g.scale[col]);
        }
        g.und_bbox[det] = ub;
        g.min_scale[det] = min_scale;
      }
      if (n > 0) {
        const double size = std::max(box[2] - box[0], box[3] - box[1]);
        const double cap = options.threshold_max_image_fraction * std::hypot(c.width, c.height);
        g.threshold_px[det] = std::max(options.threshold_px, std::min(options.threshold_relative * size, cap));
      }
      g.usable_det[det] = n >= options.min_detection_joints ? 1 : 0;
      if (!g.usable_det[det]) {
        for (int j = 0; j < J; ++j) g.weight[g.col(det, j)] = 0.0;
      }
    }
  }

  g.F.assign(static_cast<std::size_t>(V) * V, Eigen::Matrix3d::Zero());
  g.pair_ok.assign(static_cast<std::size_t>(V) * V, 0);
  for (int v = 0; v < V; ++v) {
    const CameraGeometry& a = g.cams[v];
    Eigen::Matrix3d Kinv_a;
    Kinv_a << 1.0 / a.fx, 0.0, -a.cx / a.fx, 0.0, 1.0 / a.fy, -a.cy / a.fy, 0.0, 0.0, 1.0;
    for (int w = 0; w < V; ++w) {
      if (w == v) continue;
      const CameraGeometry& b = g.cams[w];
      Eigen::Matrix3d Kinv_b;
      Kinv_b << 1.0 / b.fx, 0.0, -b.cx / b.fx, 0.0, 1.0 / b.fy, -b.cy / b.fy, 0.0, 0.0, 1.0;
      const Eigen::Matrix3d R_ba = b.R * a.R.transpose();
      const Eigen::Vector3d t_ba = b.t - R_ba * a.t;
      const double baseline = (a.center - b.center).norm();
      const double extent = 1.0 + a.center.norm() + b.center.norm();
      if (!(baseline > 1e-12 * extent)) continue;
      g.F[static_cast<std::size_t>(v) * V + w] = Kinv_b.transpose() * skew(t_ba) * R_ba * Kinv_a;
      g.pair_ok[static_cast<std::size_t>(v) * V + w] = 1;
    }
  }

  g.pair_of.assign(J, -1);
  g.partner.assign(J, -1);
  g.num_pairs = static_cast<int>(options.left_right_pairs.size());
  for (int k = 0; k < g.num_pairs; ++k) {
    const auto [l, r] = options.left_right_pairs[k];
    g.pair_of[l] = k;
    g.pair_of[r] = k;
    g.partner[l] = r;
    g.partner[r] = l;
  }
  return g;
}

void project(const FrameGeometry& geom, int view, const Eigen::Matrix3Xd& X, Projection* out) {
  const int J = geom.num_joints;
  const CameraGeometry& c = geom.cams[view];
  out->px.resize(2, J);
  out->ok.assign(J, 0);
  for (int j = 0; j < J; ++j) {
    if (!std::isfinite(X(0, j))) continue;
    const Eigen::Vector3d pc = c.R * X.col(j) + c.t;
    if (!(pc.z() > 1e-12 * (1.0 + std::abs(pc.x()) + std::abs(pc.y())))) continue;
    const double iz = 1.0 / pc.z();
    out->px(0, j) = c.fx * pc.x() * iz + c.cx;
    out->px(1, j) = c.fy * pc.y() * iz + c.cy;
    out->ok[j] = std::isfinite(out->px(0, j)) && std::isfinite(out->px(1, j)) ? 1 : 0;
  }
}

namespace {

/// Accumulates one joint's outcome into a Fit.
inline void accumulate(Fit* f, double w, double err, double tau, bool ok_geom, char* flag) {
  const bool in = ok_geom && err <= tau;
  f->n_common += 1;
  f->w_common += w;
  if (in) {
    f->n_in += 1;
    f->w_in += w;
  }
  f->sum_err += (ok_geom && err < tau) ? err : tau;
  if (flag != nullptr) *flag = in ? 1 : 0;
}

}  // namespace

namespace {

/// Left/right decisions shared by fit_detection and fit_pair. For every pair
/// whose four combinations can be tested, errors straight (l-l, r-r) and
/// crossed (l-r, r-l); pairs of which only some combinations can be tested
/// (a joint missing on one side) still add what they can to the totals. The
/// detection as a whole is taken as flipped when the crossed total (errors
/// truncated at tau) is below half the straight total (a detector that swaps
/// a body swaps all its pairs, including those whose two joints are too close
/// to tell apart or half missing); then each fully tested pair keeps the
/// whole body's choice unless only the other choice makes both joints agree.
struct PairErrors {
  int l = -1, r = -1, k = -1;
  bool full = false;
  double e[4] = {0, 0, 0, 0};   // ll, rr, lr, rl
  bool ok[4] = {true, true, true, true};
  double straight = 0.0, crossed = 0.0;  // truncated totals of what could be tested
  bool tested = false;
};

bool decide_global_flip(const std::vector<PairErrors>& pairs, double /*tau*/) {
  double straight = 0.0, crossed = 0.0;
  bool any = false;
  for (const PairErrors& p : pairs) {
    if (!p.tested) continue;
    straight += p.straight;
    crossed += p.crossed;
    any = true;
  }
  return any && crossed < 0.5 * straight;
}

bool decide_pair_flip(const PairErrors& p, double tau, bool global_flip) {
  const int straight = (p.ok[0] && p.e[0] <= tau) + (p.ok[1] && p.e[1] <= tau);
  const int crossed = (p.ok[2] && p.e[2] <= tau) + (p.ok[3] && p.e[3] <= tau);
  return global_flip ? !(straight == 2 && crossed < 2) : (crossed == 2 && straight < 2);
}

}  // namespace

Fit fit_detection(const FrameGeometry& geom, int g, const Projection& proj, double tau_scale,
                  bool allow_swaps, char* inlier, const OtherObservations* others) {
  const int J = geom.num_joints;
  const double tau = geom.threshold_px[g] * tau_scale;
  Fit f;
  if (inlier != nullptr) std::fill(inlier, inlier + J, 0);
  auto err = [&](int j, int k) {  // skeleton joint j observed as detection joint k
    const Eigen::Index c = geom.col(g, k);
    return geom.scale[c] * (proj.px.col(j) - geom.und.col(c)).norm();
  };
  auto avail = [&](int j, int k) { return proj.ok[j] && geom.usable(g, k); };
  // Skeleton joint j observed as detection joint k.
  auto single = [&](int j, int k) {
    if (!geom.usable(g, k)) return;
    if (proj.ok[j]) {
      accumulate(&f, geom.weight[geom.col(g, k)], err(j, k), tau, true, inlier ? inlier + j : nullptr);
    } else if (others != nullptr && others->count[j] > 0) {
      // Agrees when it agrees with one of the other observations.
      double best = std::numeric_limits<double>::infinity(), best_tau = tau;
      bool found = false;
      for (int i = 0; i < others->count[j]; ++i) {
        const int h = others->det[static_cast<std::size_t>(j) * others->num_views + i];
        const int kh = others->joint[static_cast<std::size_t>(j) * others->num_views + i];
        double e;
        if (!pair_error(geom, g, k, h, kh, &e)) continue;
        const double tau_pair = std::max(tau, geom.threshold_px[h] * tau_scale);
        if (!found || e / tau_pair < best / best_tau) {
          best = e;
          best_tau = tau_pair;
          found = true;
        }
      }
      accumulate(&f, geom.weight[geom.col(g, k)], best, best_tau, found, inlier ? inlier + j : nullptr);
    }
  };
  thread_local std::vector<PairErrors> pairs;
  pairs.clear();
  if (allow_swaps) {
    for (int j = 0; j < J; ++j) {
      const int k = geom.pair_of[j];
      if (k < 0 || j > geom.partner[j]) continue;
      PairErrors p;
      p.l = j;
      p.r = geom.partner[j];
      p.k = k;
      p.full = avail(p.l, p.l) && avail(p.r, p.r) && avail(p.l, p.r) && avail(p.r, p.l);
      if (p.full) {
        p.e[0] = err(p.l, p.l);
        p.e[1] = err(p.r, p.r);
        p.e[2] = err(p.l, p.r);
        p.e[3] = err(p.r, p.l);
      }
      // Every detection joint of the pair against both skeleton joints.
      if (proj.ok[p.l] && proj.ok[p.r]) {
        for (int k2 : {p.l, p.r}) {
          if (!geom.usable(g, k2)) continue;
          const int other = k2 == p.l ? p.r : p.l;
          p.straight += std::min(err(k2, k2), tau);
          p.crossed += std::min(err(other, k2), tau);
          p.tested = true;
        }
      }
      pairs.push_back(p);
    }
  }
  const bool global_flip = allow_swaps && decide_global_flip(pairs, tau);
  for (int j = 0; j < J; ++j) {
    if (!(allow_swaps && geom.pair_of[j] >= 0)) single(j, j);
  }
  for (const PairErrors& p : pairs) {
    const bool flip = p.full ? decide_pair_flip(p, tau, global_flip) : global_flip;
    if (flip) f.swap_mask |= (1u << p.k);
    single(p.l, flip ? p.r : p.l);
    single(p.r, flip ? p.l : p.r);
  }
  return f;
}

void observed_by_others(const FrameGeometry& geom, const Group& group, int view, OtherObservations* others) {
  const int J = geom.num_joints;
  const int V = geom.num_views;
  others->num_views = V;
  others->count.assign(J, 0);
  others->det.resize(static_cast<std::size_t>(J) * V);
  others->joint.resize(static_cast<std::size_t>(J) * V);
  for (int v = 0; v < V; ++v) {
    const int g = group.member[v];
    if (g < 0 || v == view) continue;
    for (int j = 0; j < J; ++j) {
      const int k = geom.obs_joint(j, group.swap_mask[v]);
      if (!geom.usable(g, k)) continue;
      const std::size_t at = static_cast<std::size_t>(j) * V + others->count[j];
      others->det[at] = g;
      others->joint[at] = k;
      others->count[j] += 1;
    }
  }
}

bool pair_error(const FrameGeometry& geom, int g, int a, int h, int b, double* error_px) {
  const int V = geom.num_views;
  const int v = geom.det_view[g], w = geom.det_view[h];
  const Eigen::Matrix3d& F = geom.F[static_cast<std::size_t>(v) * V + w];
  const Eigen::Index ca = geom.col(g, a), cb = geom.col(h, b);
  const Eigen::Vector3d ua(geom.und(0, ca), geom.und(1, ca), 1.0);
  const Eigen::Vector3d ub(geom.und(0, cb), geom.und(1, cb), 1.0);
  const Eigen::Vector3d Fu = F * ua;
  const Eigen::Vector3d Ftu = F.transpose() * ub;
  const double eps = ub.dot(Fu);
  const double sa = geom.scale[ca], sb = geom.scale[cb];
  const double den2 =
      (Fu.x() * Fu.x() + Fu.y() * Fu.y()) / (sb * sb) + (Ftu.x() * Ftu.x() + Ftu.y() * Ftu.y()) / (sa * sa);
  *error_px = den2 > 0.0 ? std::abs(eps) / std::sqrt(den2) : std::numeric_limits<double>::infinity();
  if (!geom.pair_ok[static_cast<std::size_t>(v) * V + w]) return false;
  // Cheirality: the closest points of the two rays lie in front of both cameras.
  const Eigen::Vector3d d1 = geom.ray.col(ca), d2 = geom.ray.col(cb);
  const Eigen::Vector3d baseline = geom.cams[w].center - geom.cams[v].center;
  const double c = d1.dot(d2);
  const double den = 1.0 - c * c;
  if (den < sin2_min_angle()) return true;  // (anti-)parallel lines: no depth to check
  const double p1 = d1.dot(baseline), p2 = d2.dot(baseline);
  const double s1 = (p1 - c * p2) / den;
  const double s2 = (c * p1 - p2) / den;
  return s1 > 0.0 && s2 > 0.0;
}

Fit fit_pair(const FrameGeometry& geom, int g, int h, bool allow_swaps, char* inlier) {
  const int J = geom.num_joints;
  const double tau = std::max(geom.threshold_px[g], geom.threshold_px[h]);
  Fit f;
  if (inlier != nullptr) std::fill(inlier, inlier + J, 0);
  auto weight = [&](int a, int b) { return std::min(geom.weight[geom.col(g, a)], geom.weight[geom.col(h, b)]); };
  auto avail = [&](int a, int b) { return geom.usable(g, a) && geom.usable(h, b); };
  // Joint j of g (the reference) against joint b of h.
  auto single = [&](int j, int b) {
    if (!avail(j, b)) return;
    double e;
    const bool front = pair_error(geom, g, j, h, b, &e);
    accumulate(&f, weight(j, b), e, tau, front, inlier ? inlier + j : nullptr);
  };
  thread_local std::vector<PairErrors> pairs;
  pairs.clear();
  if (allow_swaps) {
    for (int j = 0; j < J; ++j) {
      const int k = geom.pair_of[j];
      if (k < 0 || j > geom.partner[j]) continue;
      PairErrors p;
      p.l = j;
      p.r = geom.partner[j];
      p.k = k;
      p.full = avail(p.l, p.l) && avail(p.r, p.r) && avail(p.l, p.r) && avail(p.r, p.l);
      if (p.full) {
        p.ok[0] = pair_error(geom, g, p.l, h, p.l, &p.e[0]);
        p.ok[1] = pair_error(geom, g, p.r, h, p.r, &p.e[1]);
        p.ok[2] = pair_error(geom, g, p.l, h, p.r, &p.e[2]);
        p.ok[3] = pair_error(geom, g, p.r, h, p.l, &p.e[3]);
      }
      // Every joint of g's pair against both joints of h's pair.
      if (geom.usable(h, p.l) && geom.usable(h, p.r)) {
        for (int a : {p.l, p.r}) {
          if (!geom.usable(g, a)) continue;
          const int other = a == p.l ? p.r : p.l;
          double es, ec;
          const bool fs = pair_error(geom, g, a, h, a, &es);
          const bool fc = pair_error(geom, g, a, h, other, &ec);
          p.straight += fs ? std::min(es, tau) : tau;
          p.crossed += fc ? std::min(ec, tau) : tau;
          p.tested = true;
        }
      }
      pairs.push_back(p);
    }
  }
  const bool global_flip = allow_swaps && decide_global_flip(pairs, tau);
  for (int j = 0; j < J; ++j) {
    if (!(allow_swaps && geom.pair_of[j] >= 0)) single(j, j);
  }
  for (const PairErrors& p : pairs) {
    const bool flip = p.full ? decide_pair_flip(p, tau, global_flip) : global_flip;
    if (flip) f.swap_mask |= (1u << p.k);
    single(p.l, flip ? p.r : p.l);
    single(p.r, flip ? p.l : p.r);
  }
  return f;
}

namespace {

/// Weighted least-squares intersection of the rays `cols` of `views`
/// (sum w (I - d d^T) (X - C) = 0); with `previous` finite, each ray is
/// weighted by (pixels per unit of lateral distance)^2 at that point, which
/// approximates the reprojection-error optimum. False when fewer than two
/// rays, all within kMinRayAngleDeg of each other, singular, or behind a
/// camera.
bool intersect_rays(const FrameGeometry& geom, const int* views, const Eigen::Index* cols, int n,
                    const Eigen::Vector3d& previous, Eigen::Vector3d* out) {
  if (n < 2) return false;
  const double sin2 = sin2_min_angle();
  bool conditioned = false;
  for (int a = 0; a < n && !conditioned; ++a) {
    for (int b = a + 1; b < n; ++b) {
      const double c = geom.ray.col(cols[a]).dot(geom.ray.col(cols[b]));
      if (1.0 - c * c >= sin2) {
        conditioned = true;
        break;
      }
    }
  }
  if (!conditioned) return false;
  const bool have_previous = previous.allFinite();
  double a00 = 0, a01 = 0, a02 = 0, a11 = 0, a12 = 0, a22 = 0, b0 = 0, b1 = 0, b2 = 0;
  for (int i = 0; i < n; ++i) {
    const CameraGeometry& c = geom.cams[views[i]];
    const Eigen::Vector3d d = geom.ray.col(cols[i]);
    double w = geom.weight[cols[i]];
    if (have_previous) {
      const double z = (c.R * previous + c.t).z();
      const double f = geom.scale[cols[i]] * std::sqrt(c.fx * c.fy) / std::max(z, 1e-12);
      w *= f * f;
    }
    const double p00 = 1.0 - d.x() * d.x(), p01 = -d.x() * d.y(), p02 = -d.x() * d.z();
    const double p11 = 1.0 - d.y() * d.y(), p12 = -d.y() * d.z(), p22 = 1.0 - d.z() * d.z();
    a00 += w * p00;
    a01 += w * p01;
    a02 += w * p02;
    a11 += w * p11;
    a12 += w * p12;
    a22 += w * p22;
    const Eigen::Vector3d& C = c.center;
    b0 += w * (p00 * C.x() + p01 * C.y() + p02 * C.z());
    b1 += w * (p01 * C.x() + p11 * C.y() + p12 * C.z());
    b2 += w * (p02 * C.x() + p12 * C.y() + p22 * C.z());
  }
  // Symmetric 3x3 solve by the adjugate.
  const double c00 = a11 * a22 - a12 * a12, c01 = a02 * a12 - a01 * a22, c02 = a01 * a12 - a02 * a11;
  const double det = a00 * c00 + a01 * c01 + a02 * c02;
  if (!(std::abs(det) > 0.0)) return false;
  const double c11 = a00 * a22 - a02 * a02, c12 = a01 * a02 - a00 * a12, c22 = a00 * a11 - a01 * a01;
  const Eigen::Vector3d X((c00 * b0 + c01 * b1 + c02 * b2) / det, (c01 * b0 + c11 * b1 + c12 * b2) / det,
                          (c02 * b0 + c12 * b1 + c22 * b2) / det);
  if (!X.allFinite()) return false;
  for (int i = 0; i < n; ++i) {
    const CameraGeometry& c = geom.cams[views[i]];
    if (!((c.R * X + c.t).z() > 0.0)) return false;
  }
  *out = X;
  return true;
}

}  // namespace

int triangulate_group(const FrameGeometry& geom, Group* group) {
  const int J = geom.num_joints;
  const int V = geom.num_views;
  int determined = 0;
  std::vector<int> used_view;
  std::vector<Eigen::Index> used_col;
  used_view.reserve(V);
  used_col.reserve(V);
  for (int j = 0; j < J; ++j) {
    used_view.clear();
    used_col.clear();
    for (int v = 0; v < V; ++v) {
      const int g = group->member[v];
      if (g < 0 || !group->inlier[static_cast<std::size_t>(v) * J + j]) continue;
      const int k = geom.obs_joint(j, group->swap_mask[v]);
      if (!geom.usable(g, k)) continue;
      used_view.push_back(v);
      used_col.push_back(geom.col(g, k));
    }
    // The previous estimate of the joint (if any) gives the depths that turn
    // ray distances into pixels; the first estimate weights rays equally.
    const Eigen::Vector3d previous = group->X.col(j);
    group->X.col(j).setConstant(kNaN);
    Eigen::Vector3d X;
    if (!intersect_rays(geom, used_view.data(), used_col.data(), static_cast<int>(used_view.size()), previous, &X)) {
      continue;
    }
    group->X.col(j) = X;
    ++determined;
  }
  return determined;
}

void evaluate_members(const FrameGeometry& geom, const AssociationOptions& options, bool drop,
                      Group* group) {
  const int J = geom.num_joints;
  const bool swaps = geom.num_pairs > 0;
  Projection proj;
  OtherObservations others;
  group->support = 0.0;
  for (int v = 0; v < geom.num_views; ++v) {
    const int g = group->member[v];
    if (g < 0) continue;
    project(geom, v, group->X, &proj);
    observed_by_others(geom, *group, v, &others);
    char* flags = group->inlier.data() + static_cast<std::size_t>(v) * J;
    const Fit f = fit_detection(geom, g, proj, 1.0, swaps, flags, &others);
    if (drop && !f.qualifies(options)) {
      group->member[v] = -1;
      group->swap_mask[v] = 0;
      group->fit[v] = Fit{};
      std::fill(flags, flags + J, 0);
      continue;
    }
    group->fit[v] = f;
    group->swap_mask[v] = f.swap_mask;
    group->support += f.evidence();
  }
}

void select_joint_observations(const FrameGeometry& geom, Group* group) {
  const int J = geom.num_joints;
  const int V = geom.num_views;
  std::vector<int> views, sub_views;
  std::vector<Eigen::Index> cols, sub_cols;
  std::vector<char> in(V), best_in(V);
  const Eigen::Vector3d none = Eigen::Vector3d::Constant(kNaN);
  for (int j = 0; j < J; ++j) {
    views.clear();
    cols.clear();
    for (int v = 0; v < V; ++v) {
      const int g = group->member[v];
      if (g < 0) continue;
      const int k = geom.obs_joint(j, group->swap_mask[v]);
      if (!geom.usable(g, k)) continue;
      views.push_back(v);
      cols.push_back(geom.col(g, k));
    }
    const int n = static_cast<int>(views.size());
    // Inliers of a point: count and truncated error.
    auto score = [&](const Eigen::Vector3d& X, double* err) {
      int count = 0;
      *err = 0.0;
      for (int i = 0; i < n; ++i) {
        const CameraGeometry& ci = geom.cams[views[i]];
        const Eigen::Vector3d pc = ci.R * X + ci.t;
        const double tau = geom.threshold_px[group->member[views[i]]];
        in[i] = 0;
        if (!(pc.z() > 0.0)) {
          *err += tau;
          continue;
        }
        const Eigen::Vector2d px(ci.fx * pc.x() / pc.z() + ci.cx, ci.fy * pc.y() / pc.z() + ci.cy);
        const double e = geom.scale[cols[i]] * (px - geom.und.col(cols[i])).norm();
        if (e <= tau) {
          in[i] = 1;
          ++count;
          *err += e;
        } else {
          *err += tau;
        }
      }
      return count;
    };
    int best = 0;
    double best_err = std::numeric_limits<double>::infinity();
    // Hypotheses: every observation together, and every pair; each is refit
    // on its inliers once (the refit is kept when it keeps at least as many).
    auto consider = [&](const Eigen::Vector3d& X0) {
      double err = 0.0;
      int count = score(X0, &err);
      if (count >= 2) {
        sub_views.clear();
        sub_cols.clear();
        for (int i = 0; i < n; ++i) {
          if (in[i]) {
            sub_views.push_back(views[i]);
            sub_cols.push_back(cols[i]);
          }
        }
        Eigen::Vector3d X1;
        if (intersect_rays(geom, sub_views.data(), sub_cols.data(), static_cast<int>(sub_views.size()), X0, &X1)) {
          const std::vector<char> keep = in;
          double err1 = 0.0;
          const int count1 = score(X1, &err1);
          if (count1 >= count) {
            count = count1;
            err = err1;
          } else {
            in = keep;
          }
        }
      }
      if (count > best || (count == best && err < best_err)) {
        best = count;
        best_err = err;
        best_in = in;
      }
    };
    Eigen::Vector3d X;
    if (intersect_rays(geom, views.data(), cols.data(), n, none, &X) &&
        intersect_rays(geom, views.data(), cols.data(), n, X, &X)) {
      consider(X);
    }
    for (int a = 0; a < n && best < n; ++a) {
      for (int b = a + 1; b < n && best < n; ++b) {
        const int pv[2] = {views[a], views[b]};
        const Eigen::Index pc[2] = {cols[a], cols[b]};
        if (intersect_rays(geom, pv, pc, 2, none, &X)) consider(X);
      }
    }
    for (int v = 0; v < V; ++v) group->inlier[static_cast<std::size_t>(v) * J + j] = 0;
    if (best < 2) continue;
    for (int i = 0; i < n; ++i) group->inlier[static_cast<std::size_t>(views[i]) * J + j] = best_in[i];
  }
}

bool normalise_left_right(const FrameGeometry& geom, Group* group) {
  if (geom.num_pairs == 0) return false;
  // A member counts as flipped when most of its pairs whose two joints it
  // observes are flipped (detectors swap whole bodies); the whole skeleton
  // follows the majority of the members that show any such pair.
  int flipped = 0, straight = 0;
  for (int v = 0; v < geom.num_views; ++v) {
    const int g = group->member[v];
    if (g < 0) continue;
    int on = 0, total = 0;
    for (int j = 0; j < geom.num_joints; ++j) {
      const int k = geom.pair_of[j];
      if (k < 0 || j > geom.partner[j] || !geom.usable(g, j) || !geom.usable(g, geom.partner[j])) continue;
      ++total;
      on += (group->swap_mask[v] >> k) & 1u ? 1 : 0;
    }
    if (total == 0) continue;
    if (2 * on > total) ++flipped;
    else if (2 * on < total) ++straight;
  }
  if (flipped <= straight) return false;
  for (int j = 0; j < geom.num_joints; ++j) {
    if (geom.pair_of[j] >= 0 && j < geom.partner[j]) group->X.col(j).swap(group->X.col(geom.partner[j]));
  }
  return true;
}

bool refine_group(const FrameGeometry& geom, const AssociationOptions& options,
                  const std::vector<char>& available, int max_iterations, Group* group) {
  const int J = geom.num_joints;
  const int V = geom.num_views;
  const bool swaps = geom.num_pairs > 0;
  Projection proj;
  std::vector<char> flags(J), best_flags(J);
  OtherObservations others;
  int last_determined = -1;
  for (int it = 0; it < max_iterations; ++it) {
    const int determined = triangulate_group(geom, group);
    if (determined < options.min_common_joints) return false;
    bool changed = determined != last_determined;
    last_determined = determined;
    for (int v = 0; v < V; ++v) {
      project(geom, v, group->X, &proj);
      observed_by_others(geom, *group, v, &others);
      // Bounding box of the projection: a detection entirely farther than its
      // threshold from it cannot agree on any projected joint.
      Eigen::Vector4d pb(kNaN, kNaN, kNaN, kNaN);
      for (int j = 0; j < J; ++j) {
        if (!proj.ok[j]) continue;
        const Eigen::Vector2d u = proj.px.col(j);
        pb = std::isnan(pb[0]) ? Eigen::Vector4d(u.x(), u.y(), u.x(), u.y())
                               : Eigen::Vector4d(std::min(pb[0], u.x()), std::min(pb[1], u.y()),
                                                 std::max(pb[2], u.x()), std::max(pb[3], u.y()));
      }
      int best = -1;
      Fit best_fit;
      for (int g = geom.view_offset[v]; g < geom.view_offset[v + 1]; ++g) {
        if (!geom.usable_det[g] || (!available[g] && g != group->member[v])) continue;
        const Eigen::Vector4d& db = geom.und_bbox[g];
        const double margin = geom.threshold_px[g] / geom.min_scale[g];
        if (!std::isnan(pb[0]) && (db[0] > pb[2] + margin || db[2] < pb[0] - margin || db[1] > pb[3] + margin ||
                                   db[3] < pb[1] - margin)) {
          continue;
        }
        const Fit f = fit_detection(geom, g, proj, 1.0, swaps, flags.data(), &others);
        if (!f.qualifies(options)) continue;
        if (best < 0 || f.better_than(best_fit)) {
          best = g;
          best_fit = f;
          best_flags = flags;
        }
      }
      if (best != group->member[v]) changed = true;
      group->member[v] = best;
      char* dst = group->inlier.data() + static_cast<std::size_t>(v) * J;
      if (best >= 0) {
        group->fit[v] = best_fit;
        group->swap_mask[v] = best_fit.swap_mask;
        std::copy(best_flags.begin(), best_flags.end(), dst);
      } else {
        group->fit[v] = Fit{};
        group->swap_mask[v] = 0;
        std::fill(dst, dst + J, 0);
      }
    }
    if (group->num_members() < 2) return false;
    if (!changed) break;
  }
  if (normalise_left_right(geom, group)) evaluate_members(geom, options, /*drop=*/false, group);
  // Final hypothesis from the final members; members that no longer agree leave.
  if (triangulate_group(geom, group) < options.min_common_joints) return false;
  evaluate_members(geom, options, /*drop=*/true, group);
  if (group->num_members() < 2) return false;
  if (triangulate_group(geom, group) < options.min_common_joints) return false;
  evaluate_members(geom, options, /*drop=*/false, group);
  return true;
}

}  // namespace crossview::association::detail
