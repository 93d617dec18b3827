// crossview::association: associate(), reconstruct_groups(), options and the
// assembly of results.
#include <crossview/association/associate.hpp>

#include "internal.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::association {

void AssociationOptions::validate(int num_joints) const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("AssociationOptions: " + what); };
  if (!(std::isfinite(min_joint_score) && min_joint_score >= 0.0)) fail("min_joint_score must be finite and >= 0");
  if (min_detection_joints < 2) fail("min_detection_joints must be >= 2");
  if (!(std::isfinite(threshold_px) && threshold_px > 0.0)) fail("threshold_px must be finite and > 0");
  if (!(std::isfinite(threshold_relative) && threshold_relative >= 0.0)) {
    fail("threshold_relative must be finite and >= 0");
  }
  if (!(std::isfinite(threshold_max_image_fraction) && threshold_max_image_fraction > 0.0)) {
    fail("threshold_max_image_fraction must be finite and > 0");
  }
  if (min_common_joints < 2) fail("min_common_joints must be >= 2");
  if (!(min_view_inlier_rate > 0.0 && min_view_inlier_rate <= 1.0)) fail("min_view_inlier_rate must be in (0, 1]");
  if (min_views < 2) fail("min_views must be >= 2");
  if (!(min_score >= 0.0 && min_score <= 1.0)) fail("min_score must be in [0, 1]");
  if (min_person_joints < 1) fail("min_person_joints must be >= 1");
  if (left_right_pairs.size() > 32) fail("left_right_pairs holds at most 32 pairs");
  std::set<int> seen;
  for (std::size_t k = 0; k < left_right_pairs.size(); ++k) {
    const auto [l, r] = left_right_pairs[k];
    const std::string name = "left_right_pairs[" + std::to_string(k) + "] = (" + std::to_string(l) + ", " +
                             std::to_string(r) + ")";
    if (l < 0 || r < 0 || l == r) fail(name + ": joints must be distinct and >= 0");
    if (num_joints > 0 && (l >= num_joints || r >= num_joints)) {
      fail(name + ": joint index >= num_joints = " + std::to_string(num_joints));
    }
    if (!seen.insert(l).second || !seen.insert(r).second) fail(name + ": a joint appears in two pairs");
  }
  triangulation.validate();
}

namespace detail {

void finish_result(const FrameGeometry& geom, const AssociationOptions& options,
                   const std::vector<UnmatchedReason>& reason, const std::vector<std::string>& why,
                   AssociationResult* result) {
  const int N = geom.num_detections();
  const bool swaps = geom.num_pairs > 0;
  // person_of_detection from the people's views.
  result->person_of_detection.assign(geom.num_views, {});
  for (int v = 0; v < geom.num_views; ++v) {
    result->person_of_detection[v].assign(geom.view_offset[v + 1] - geom.view_offset[v], -1);
  }
  for (std::size_t i = 0; i < result->people.size(); ++i) {
    for (const PersonView& pv : result->people[i].views) {
      result->person_of_detection[pv.ref.view][pv.ref.detection] = static_cast<int>(i);
    }
  }
  Projection proj;
  result->unmatched.clear();
  for (int g = 0; g < N; ++g) {
    const int v = geom.det_view[g], p = geom.det_index[g];
    if (result->person_of_detection[v][p] >= 0) continue;
    UnmatchedDetection u;
    u.ref = {v, p};
    u.reason = reason[g];
    std::string detail = why[g];
    if (geom.usable_det[g]) {
      // A detection that agrees with a person already seen in this view.
      int best = -1;
      Fit best_fit;
      for (std::size_t i = 0; i < result->people.size(); ++i) {
        const Person& P = result->people[i];
        bool has_view = false;
        for (const PersonView& pv : P.views) has_view = has_view || pv.ref.view == v;
        if (!has_view) continue;
        project(geom, v, P.points_in_world, &proj);
        const Fit f = fit_detection(geom, g, proj, 1.0, swaps, nullptr);
        if (f.qualifies(options) && (best < 0 || f.better_than(best_fit))) {
          best = static_cast<int>(i);
          best_fit = f;
        }
      }
      if (best >= 0) {
        u.reason = UnmatchedReason::kDuplicate;
        u.person = best;
        detail = std::to_string(best_fit.n_in) + " of " + std::to_string(best_fit.n_common) +
                 " joints agree with person " + std::to_string(best);
      }
    } else {
      u.reason = UnmatchedReason::kTooFewJoints;
      detail = std::to_string(geom.num_usable[g]) + " usable joints (score > " +
               std::to_string(options.min_joint_score) + "), min_detection_joints = " +
               std::to_string(options.min_detection_joints);
    }
    u.message = "view " + std::to_string(v) + " detection " + std::to_string(p) + ": " + to_string(u.reason);
    if (!detail.empty()) u.message += " (" + detail + ")";
    result->unmatched.push_back(std::move(u));
  }
  const int associated = N - static_cast<int>(result->unmatched.size());
  if (N == 0) {
    result->status = FrameStatus::kNoDetections;
    result->message = "no detections in any view";
  } else if (result->people.empty()) {
    result->status = FrameStatus::kNoPeople;
    result->message = "no person associated from " + std::to_string(N) + " detections";
  } else {
    result->status = FrameStatus::kSuccess;
    result->message = std::to_string(result->people.size()) + (result->people.size() == 1 ? " person" : " people") +
                      " from " + std::to_string(associated) + " of " + std::to_string(N) + " detections";
  }
}

}  // namespace detail

namespace {

using detail::FrameGeometry;
using detail::Group;

/// Orders people by their first view, then detection.
void sort_people(std::vector<Person>* people) {
  std::stable_sort(people->begin(), people->end(), [](const Person& a, const Person& b) {
    return a.views.front().ref < b.views.front().ref;
  });
}

/// Reconstructs `groups` into `result->people`; the detections of groups that
/// fail get their reason. Members that contributed no joint are released.
void reconstruct_all(const std::vector<camera::Camera>& cameras, const std::vector<ViewDetections>& views,
                     const FrameGeometry& geom, const AssociationOptions& options,
                     const std::vector<Group>& groups, bool apply_checks, std::vector<UnmatchedReason>* reason,
                     std::vector<std::string>* why, AssociationResult* result) {
  std::vector<Person> people;
  for (const Group& grp : groups) {
    Person P;
    UnmatchedReason r = UnmatchedReason::kRejected;
    std::string w;
    const bool ok = detail::reconstruct_person(cameras, views, geom, options, grp, apply_checks, &P, &r, &w);
    for (int v = 0; v < geom.num_views; ++v) {
      const int g = grp.member[v];
      if (g < 0) continue;
      bool in_person = false;
      for (const PersonView& pv : P.views) in_person = in_person || pv.ref.view == v;
      if (ok && in_person) continue;
      (*reason)[g] = ok ? UnmatchedReason::kRejected : r;
      (*why)[g] = ok ? "no joint of it was triangulated" : w;
    }
    if (ok) people.push_back(std::move(P));
  }
  if (apply_checks) {
    const std::vector<int> dup = detail::find_duplicate_people(geom, options, people);
    std::vector<Person> kept;
    for (std::size_t i = 0; i < people.size(); ++i) {
      if (dup[i] < 0) {
        kept.push_back(std::move(people[i]));
        continue;
      }
      for (const PersonView& pv : people[i].views) {
        const int g = geom.view_offset[pv.ref.view] + pv.ref.detection;
        (*reason)[g] = UnmatchedReason::kDuplicate;
        (*why)[g] = "its group repeats another person's skeleton";
      }
    }
    people = std::move(kept);
  }
  const std::vector<char> pass = detail::score_people(cameras, geom, options, &people);
  for (std::size_t i = 0; i < people.size(); ++i) {
    if (pass[i] || !apply_checks) {
      result->people.push_back(std::move(people[i]));
      continue;
    }
    for (const PersonView& pv : people[i].views) {
      const int g = geom.view_offset[pv.ref.view] + pv.ref.detection;
      (*reason)[g] = UnmatchedReason::kRejected;
      (*why)[g] = "score " + std::to_string(people[i].score) + " below min_score = " +
                  std::to_string(options.min_score) + "; " + std::to_string(people[i].num_unexplained_views) +
                  " views should see it and do not";
    }
  }
}

}  // namespace

AssociationResult associate(const std::vector<camera::Camera>& cameras, const std::vector<ViewDetections>& views,
                            int num_joints, const AssociationOptions& options) {
  detail::check_inputs(cameras, views, num_joints, "associate");
  options.validate(num_joints);
  const FrameGeometry geom = detail::build_geometry(cameras, views, num_joints, options);
  const std::vector<char> available(geom.num_detections(), 1);
  detail::PoolOutcome pool = detail::associate_pool(geom, options, available);
  std::vector<std::string> why(geom.num_detections());
  AssociationResult result;
  reconstruct_all(cameras, views, geom, options, pool.groups, /*apply_checks=*/true, &pool.reason, &why, &result);
  sort_people(&result.people);
  detail::finish_result(geom, options, pool.reason, why, &result);
  return result;
}

AssociationResult reconstruct_groups(const std::vector<camera::Camera>& cameras,
                                     const std::vector<ViewDetections>& views, int num_joints,
                                     const std::vector<std::vector<DetectionRef>>& groups,
                                     const AssociationOptions& options) {
  detail::check_inputs(cameras, views, num_joints, "reconstruct_groups");
  options.validate(num_joints);
  const FrameGeometry geom = detail::build_geometry(cameras, views, num_joints, options);
  const int V = geom.num_views;
  const int J = num_joints;
  const bool swaps = geom.num_pairs > 0;
  std::vector<char> used(geom.num_detections(), 0);
  std::vector<UnmatchedReason> reason(geom.num_detections(), UnmatchedReason::kNoPartner);
  std::vector<std::string> why(geom.num_detections(), "not in any given group");
  std::vector<Group> built;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    Group grp;
    grp.reset(V, J);
    std::vector<int> members;
    for (const DetectionRef& ref : groups[i]) {
      const std::string name = "reconstruct_groups: groups[" + std::to_string(i) + "] holds (view " +
                               std::to_string(ref.view) + ", detection " + std::to_string(ref.detection) + ")";
      if (ref.view < 0 || ref.view >= V || ref.detection < 0 ||
          ref.detection >= geom.view_offset[ref.view + 1] - geom.view_offset[ref.view]) {
        throw std::invalid_argument(name + ", out of range");
      }
      const int g = geom.view_offset[ref.view] + ref.detection;
      if (used[g]) throw std::invalid_argument(name + ", which is used twice");
      if (grp.member[ref.view] >= 0) throw std::invalid_argument(name + ", a second detection of that view");
      used[g] = 1;
      grp.member[ref.view] = g;
      why[g] = "";
      if (geom.usable_det[g]) members.push_back(g);
    }
    // Drop unusable members; seed the joint flags from the best agreeing pair.
    for (int v = 0; v < V; ++v) {
      if (grp.member[v] >= 0 && !geom.usable_det[grp.member[v]]) {
        reason[grp.member[v]] = UnmatchedReason::kTooFewJoints;
        grp.member[v] = -1;
      }
    }
    if (members.size() < 2) {
      for (int g : members) {
        reason[g] = UnmatchedReason::kTooFewViews;
        why[g] = "its group has fewer than two usable detections";
      }
      continue;
    }
    int best_a = -1, best_b = -1;
    detail::Fit best_fit;
    for (std::size_t a = 0; a < members.size(); ++a) {
      for (std::size_t b = a + 1; b < members.size(); ++b) {
        const int va = geom.det_view[members[a]], vb = geom.det_view[members[b]];
        if (!geom.pair_ok[static_cast<std::size_t>(va) * V + vb]) continue;
        const detail::Fit f = detail::fit_pair(geom, members[a], members[b], swaps, nullptr);
        if (best_a < 0 || f.better_than(best_fit)) {
          best_a = members[a];
          best_b = members[b];
          best_fit = f;
        }
      }
    }
    bool ok = best_a >= 0 && best_fit.n_in >= 2;
    if (ok) {
      std::vector<char> flags(J);
      detail::fit_pair(geom, best_a, best_b, swaps, flags.data());
      const int va = geom.det_view[best_a], vb = geom.det_view[best_b];
      std::copy(flags.begin(), flags.end(), grp.inlier.begin() + static_cast<std::ptrdiff_t>(va) * J);
      std::copy(flags.begin(), flags.end(), grp.inlier.begin() + static_cast<std::ptrdiff_t>(vb) * J);
      grp.swap_mask[vb] = best_fit.swap_mask;
      for (int it = 0; it < 3 && ok; ++it) {
        ok = detail::triangulate_group(geom, &grp) > 0;
        if (ok) detail::evaluate_members(geom, options, /*drop=*/false, &grp);
      }
      if (ok && detail::normalise_left_right(geom, &grp)) {
        detail::evaluate_members(geom, options, /*drop=*/false, &grp);
        ok = detail::triangulate_group(geom, &grp) > 0;
        if (ok) detail::evaluate_members(geom, options, /*drop=*/false, &grp);
      }
    }
    if (!ok) {
      for (int g : members) {
        reason[g] = UnmatchedReason::kRejected;
        why[g] = "the group's views agree on no joint";
      }
      continue;
    }
    built.push_back(std::move(grp));
  }
  AssociationResult result;
  reconstruct_all(cameras, views, geom, options, built, /*apply_checks=*/false, &reason, &why, &result);
  detail::finish_result(geom, options, reason, why, &result);
  return result;
}

}  // namespace crossview::association
