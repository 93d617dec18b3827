// crossview::association: per-person reconstruction with
// triangulation::triangulate_skeleton and the per-person / per-view evidence.
#include "internal.hpp"

#include <crossview/triangulation/triangulate.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace crossview::association::detail {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

/// What the triangulation gives back for one person.
struct Triangulated {
  Points3d X;                                    ///< 3 x J
  std::vector<triangulation::Status> status;     ///< J
  Eigen::VectorXi num_views;                     ///< J
  Eigen::VectorXd mean_error_px;                 ///< J
  std::vector<char> used;                        ///< V*J: view v used for joint j
};

// The only call into the triangulation module. Packed input: 2 x (V*J)
// pixels and V*J scores (0 = not used), the layout triangulate_skeleton takes.
Triangulated triangulate_observations(const std::vector<camera::Camera>& cameras, const Points2d& keypoints_px,
                                      const Eigen::VectorXd& scores, int num_joints,
                                      const triangulation::TriangulationOptions& options) {
  const int V = static_cast<int>(cameras.size());
  const int J = num_joints;
  const triangulation::SkeletonResult r = triangulation::triangulate_skeleton(cameras, keypoints_px, scores, options);
  Triangulated t;
  t.X.setConstant(3, J, kNaN);
  t.status.assign(J, triangulation::Status::kTooFewViews);
  t.num_views.setZero(J);
  t.mean_error_px.setConstant(J, kNaN);
  t.used.assign(static_cast<std::size_t>(V) * J, 0);
  for (int j = 0; j < J && j < static_cast<int>(r.joints.size()); ++j) {
    const triangulation::TriangulationResult& jr = r.joints[j];
    t.status[j] = jr.status;
    if (!jr.ok()) continue;
    t.X.col(j) = jr.point_in_world;
    t.num_views[j] = static_cast<int>(jr.used_views.size());
    t.mean_error_px[j] = jr.mean_reprojection_error_px;
    for (int v : jr.used_views) t.used[static_cast<std::size_t>(v) * J + j] = 1;
  }
  return t;
}

double median(std::vector<double> x) {
  if (x.empty()) return kNaN;
  const std::size_t m = x.size() / 2;
  std::nth_element(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(m), x.end());
  double med = x[m];
  if (x.size() % 2 == 0) {
    med = 0.5 * (med + *std::max_element(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(m)));
  }
  return med;
}

}  // namespace

bool reconstruct_person(const std::vector<camera::Camera>& cameras, const std::vector<ViewDetections>& views,
                        const FrameGeometry& geom, const AssociationOptions& options, const Group& group,
                        bool apply_checks, Person* person, UnmatchedReason* reason, std::string* why) {
  const int V = geom.num_views;
  const int J = geom.num_joints;
  // The observations of each joint that agree with one point, chosen among
  // all the members' (the association's flags come from its intermediate
  // skeletons, which a poorly conditioned pair of views can bias).
  Group selected = group;
  select_joint_observations(geom, &selected);
  Points2d kp;
  kp.setConstant(2, static_cast<Eigen::Index>(V) * J, kNaN);
  Eigen::VectorXd sc = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(V) * J);
  for (int v = 0; v < V; ++v) {
    const int g = group.member[v];
    if (g < 0) continue;
    const int p = geom.det_index[g];
    for (int j = 0; j < J; ++j) {
      if (!selected.inlier[static_cast<std::size_t>(v) * J + j]) continue;
      const int k = geom.obs_joint(j, group.swap_mask[v]);
      if (!geom.usable(g, k)) continue;
      kp.col(static_cast<Eigen::Index>(v) * J + j) = views[v].keypoints_px.col(static_cast<Eigen::Index>(p) * J + k);
      sc[static_cast<Eigen::Index>(v) * J + j] = geom.weight[geom.col(g, k)];
    }
  }
  const Triangulated t = triangulate_observations(cameras, kp, sc, J, options.triangulation);

  Person& P = *person;
  P = Person{};
  P.points_in_world = t.X;
  P.joint_status = t.status;
  P.joint_num_views = t.num_views;
  P.joint_reprojection_error_px = t.mean_error_px;
  P.num_valid_joints = 0;
  for (int j = 0; j < J; ++j) P.num_valid_joints += t.X.col(j).allFinite() ? 1 : 0;

  std::vector<double> all_err;
  OtherObservations others;
  double w_in = 0.0, w_all = 0.0;
  int n_in = 0, n_all = 0;
  for (int v = 0; v < V; ++v) {
    const int g = group.member[v];
    if (g < 0) continue;
    const camera::Camera& cam = cameras[v];
    const int p = geom.det_index[g];
    observed_by_others(geom, group, v, &others);
    PersonView pv;
    pv.ref = {v, p};
    pv.association_score = group.fit[v].rate();
    for (int j = 0; j < J; ++j) pv.num_joints_used += t.used[static_cast<std::size_t>(v) * J + j] ? 1 : 0;
    for (int k = 0; k < geom.num_pairs; ++k) pv.num_swapped_pairs += (group.swap_mask[v] >> k) & 1u ? 1 : 0;
    std::vector<double> err;
    int in = 0, counted = 0;
    for (int j = 0; j < J; ++j) {
      const int k = geom.obs_joint(j, group.swap_mask[v]);
      if (!geom.usable(g, k)) continue;
      const double w = geom.weight[geom.col(g, k)];
      if (!t.X.col(j).allFinite()) {
        // Other views observe it too, yet no point agreed with them: a disagreement.
        if (others.count[j] > 0) {
          ++counted;
          w_all += w;
        }
        continue;
      }
      Eigen::Vector2d px;
      double e = std::numeric_limits<double>::infinity();
      if (cam.project(t.X.col(j), &px) == camera::ProjectionStatus::kSuccess) {
        e = (px - views[v].keypoints_px.col(static_cast<Eigen::Index>(p) * J + k)).norm();
      }
      const bool inlier = e <= geom.threshold_px[g];
      ++counted;
      in += inlier ? 1 : 0;
      w_all += w;
      w_in += inlier ? w : 0.0;
      if (std::isfinite(e)) err.push_back(e);
    }
    if (pv.num_joints_used == 0) continue;  // contributes nothing: not a view of this person
    if (counted > 0) pv.inlier_rate = static_cast<double>(in) / static_cast<double>(counted);
    if (!err.empty()) {
      double sum = 0.0;
      for (double e : err) sum += e;
      pv.mean_reprojection_error_px = sum / static_cast<double>(err.size());
      pv.median_reprojection_error_px = median(err);
    }
    n_in += in;
    n_all += counted;
    all_err.insert(all_err.end(), err.begin(), err.end());
    P.views.push_back(pv);
  }
  if (!all_err.empty()) {
    double sum = 0.0;
    for (double e : all_err) sum += e;
    P.mean_reprojection_error_px = sum / static_cast<double>(all_err.size());
    P.median_reprojection_error_px = median(all_err);
  }
  if (n_all > 0) P.inlier_rate = static_cast<double>(n_in) / static_cast<double>(n_all);
  // The agreement part of the score; score_people() adds the views' evidence.
  P.score = w_all > 0.0 ? w_in / w_all : 0.0;

  if (P.views.size() < 2 || P.num_valid_joints == 0) {
    *reason = UnmatchedReason::kRejected;
    *why = "fewer than two views contribute a triangulated joint";
    return false;
  }
  if (!apply_checks) return true;
  if (static_cast<int>(P.views.size()) < std::max(2, options.min_views)) {
    *reason = UnmatchedReason::kTooFewViews;
    *why = "seen by " + std::to_string(P.views.size()) + " views, min_views = " + std::to_string(options.min_views);
    return false;
  }
  if (P.num_valid_joints < options.min_person_joints) {
    *reason = UnmatchedReason::kRejected;
    *why = std::to_string(P.num_valid_joints) + " joints triangulated, min_person_joints = " +
           std::to_string(options.min_person_joints);
    return false;
  }
  return true;
}

std::vector<int> find_duplicate_people(const FrameGeometry& geom, const AssociationOptions& options,
                                       const std::vector<Person>& people) {
  const int n = static_cast<int>(people.size());
  std::vector<int> dup(n, -1);
  std::vector<int> order(n);
  for (int i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
    if (people[a].views.size() != people[b].views.size()) return people[a].views.size() > people[b].views.size();
    return people[a].num_valid_joints > people[b].num_valid_joints;
  });
  const bool swaps = geom.num_pairs > 0;
  Projection proj;
  for (int bi = 1; bi < n; ++bi) {
    const Person& B = people[order[bi]];
    for (int ai = 0; ai < bi && dup[order[bi]] < 0; ++ai) {
      if (dup[order[ai]] >= 0) continue;
      const Person& A = people[order[ai]];
      int agree = 0;
      for (const PersonView& pv : B.views) {
        project(geom, pv.ref.view, A.points_in_world, &proj);
        const int g = geom.view_offset[pv.ref.view] + pv.ref.detection;
        agree += fit_detection(geom, g, proj, 1.0, swaps, nullptr).qualifies(options) ? 1 : 0;
      }
      if (2 * agree > static_cast<int>(B.views.size())) dup[order[bi]] = order[ai];
    }
  }
  return dup;
}

namespace {

/// Median depth of a skeleton's finite joints in a camera (NaN if none is in front).
double median_depth(const CameraGeometry& c, const Points3d& X) {
  std::vector<double> z;
  for (int j = 0; j < X.cols(); ++j) {
    if (!X.col(j).allFinite()) continue;
    const double d = (c.R * X.col(j) + c.t).z();
    if (d > 0.0) z.push_back(d);
  }
  return median(z);
}

}  // namespace

std::vector<char> score_people(const std::vector<camera::Camera>& cameras, const FrameGeometry& geom,
                               const AssociationOptions& options, std::vector<Person>* people) {
  const int V = geom.num_views;
  const int J = geom.num_joints;
  const int n_people = static_cast<int>(people->size());
  // Which person each detection belongs to, and every person's depth per camera.
  std::vector<int> owner(geom.num_detections(), -1);
  for (int i = 0; i < n_people; ++i) {
    for (const PersonView& pv : (*people)[i].views) owner[geom.view_offset[pv.ref.view] + pv.ref.detection] = i;
  }
  Eigen::MatrixXd depth(n_people, V);
  for (int i = 0; i < n_people; ++i) {
    for (int v = 0; v < V; ++v) depth(i, v) = median_depth(geom.cams[v], (*people)[i].points_in_world);
  }
  std::vector<char> pass(n_people, 1);
  for (int i = 0; i < n_people; ++i) {
    Person& P = (*people)[i];
    const Points3d& X = P.points_in_world;
    int finite = 0;
    for (int j = 0; j < J; ++j) finite += X.col(j).allFinite() ? 1 : 0;
    std::vector<char> member(V, 0);
    for (const PersonView& pv : P.views) member[pv.ref.view] = 1;
    int unexplained = 0;
    for (int v = 0; v < V && finite > 0; ++v) {
      if (member[v]) continue;
      const camera::Camera& cam = cameras[v];
      int visible = 0;
      Eigen::Vector4d box(kNaN, kNaN, kNaN, kNaN);
      for (int j = 0; j < J; ++j) {
        if (!X.col(j).allFinite()) continue;
        Eigen::Vector2d px;
        if (cam.project(X.col(j), &px) != camera::ProjectionStatus::kSuccess || !cam.is_in_image(px)) continue;
        if (visible == 0) {
          box << px.x(), px.y(), px.x(), px.y();
        } else {
          box[0] = std::min(box[0], px.x());
          box[1] = std::min(box[1], px.y());
          box[2] = std::max(box[2], px.x());
          box[3] = std::max(box[3], px.y());
        }
        ++visible;
      }
      // Should this camera see the person? Most of its joints project inside.
      if (visible < options.min_common_joints || 2 * visible < finite) continue;
      const double area = std::max(box[2] - box[0], 1.0) * std::max(box[3] - box[1], 1.0);
      bool explained = false;
      for (int g = geom.view_offset[v]; g < geom.view_offset[v + 1] && !explained; ++g) {
        const Eigen::Vector4d& b = geom.bbox_px[g];
        if (!b.allFinite()) continue;
        const double iw = std::min(b[2], box[2]) - std::max(b[0], box[0]);
        const double ih = std::min(b[3], box[3]) - std::max(b[1], box[1]);
        if (!(iw > 0.0 && ih > 0.0 && iw * ih >= 0.2 * area)) continue;
        // An unassociated detection there may be this person (partly seen);
        // another person's detection explains the absence only when that
        // person is in front (an occluder): one behind would be hidden instead.
        const int k = owner[g];
        explained = k < 0 || k == i || !(depth(k, v) >= depth(i, v));
      }
      if (!explained) ++unexplained;
    }
    P.num_unexplained_views = unexplained;
    const double n = static_cast<double>(P.views.size());
    P.score *= n > 0.0 ? n / (n + unexplained) : 0.0;
    pass[i] = P.score >= options.min_score ? 1 : 0;
  }
  return pass;
}

}  // namespace crossview::association::detail
