// Test/benchmark helpers for multi-person association: conversion of the
// simulator's views, the ground-truth groups, and the scoring used by the
// bars of issue 19 (association precision / recall over (view, detection)
// pairs, identity switches, MPJPE).
#pragma once

#include <crossview/association/associate.hpp>
#include <crossview/association/tracker.hpp>
#include <crossview/sim/multi_person.hpp>
#include <crossview/sim/scene.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <map>
#include <vector>

namespace crossview_test {

namespace as = crossview::association;
namespace xsim = crossview::sim;

inline std::vector<as::ViewDetections> to_views(const std::vector<xsim::SimView>& frame) {
  std::vector<as::ViewDetections> out(frame.size());
  for (std::size_t v = 0; v < frame.size(); ++v) {
    out[v].keypoints_px = frame[v].keypoints_px;
    out[v].scores = frame[v].scores;
  }
  return out;
}

/// Ground-truth groups of one frame: per person its (non-duplicate)
/// detections; people detected in fewer than two views are left out.
inline std::vector<std::vector<as::DetectionRef>> truth_groups(const std::vector<xsim::SimView>& frame,
                                                               int num_people, std::vector<int>* group_person) {
  std::vector<std::vector<as::DetectionRef>> groups(num_people);
  for (std::size_t v = 0; v < frame.size(); ++v) {
    for (int d = 0; d < frame[v].num_detections(); ++d) {
      const auto& t = frame[v].truth[d];
      if (t.person >= 0 && !t.duplicate) groups[t.person].push_back({static_cast<int>(v), d});
    }
  }
  std::vector<std::vector<as::DetectionRef>> out;
  group_person->clear();
  for (int p = 0; p < num_people; ++p) {
    if (groups[p].size() >= 2) {
      out.push_back(groups[p]);
      group_person->push_back(p);
    }
  }
  return out;
}

/// Output person -> ground-truth identity: greedy maximum overlap (ties to
/// lower indices); -1 for a person made mostly of false positives or not
/// matched.
inline std::vector<int> match_people(const as::AssociationResult& r, const std::vector<xsim::SimView>& frame,
                                     int num_people) {
  const int n = static_cast<int>(r.people.size());
  Eigen::MatrixXi overlap = Eigen::MatrixXi::Zero(n, num_people);
  for (int i = 0; i < n; ++i) {
    for (const as::PersonView& pv : r.people[i].views) {
      const int p = frame[pv.ref.view].truth[pv.ref.detection].person;
      if (p >= 0) overlap(i, p) += 1;
    }
  }
  std::vector<int> match(n, -1);
  std::vector<char> used(num_people, 0);
  for (;;) {
    int bi = -1, bp = -1, best = 0;
    for (int i = 0; i < n; ++i) {
      if (match[i] >= 0) continue;
      for (int p = 0; p < num_people; ++p) {
        if (!used[p] && overlap(i, p) > best) {
          best = overlap(i, p);
          bi = i;
          bp = p;
        }
      }
    }
    if (bi < 0) break;
    match[bi] = bp;
    used[bp] = 1;
  }
  return match;
}

struct AssociationScore {
  long assigned = 0;       ///< (view, detection) pairs put in a person
  long correct = 0;        ///< ... in the person matched to their identity
  long truth_pairs = 0;    ///< (view, person) pairs that have a real detection
  long covered = 0;        ///< ... covered by a correct assignment
  long false_positive_people = 0;  ///< output people matched to no identity
  long confident_ghosts = 0;       ///< ... with score >= 0.5
  int max_ghost_views = 0;         ///< ... most views of one of them
  long mixtures = 0;               ///< output people holding detections of two or more real people
  long confident_mixtures = 0;     ///< ... with score >= 0.5
  int id_switches = 0;
  double sum_mpjpe = 0.0;
  long num_mpjpe = 0;
  double precision() const { return assigned ? static_cast<double>(correct) / assigned : 1.0; }
  double recall() const { return truth_pairs ? static_cast<double>(covered) / truth_pairs : 1.0; }
  double mpjpe() const { return num_mpjpe ? sum_mpjpe / num_mpjpe : 0.0; }
};

/// Mean joint error of `estimate` against person p's truth in frame f over
/// the joints the estimate has; false when it has none.
inline bool person_error(const Eigen::Matrix3Xd& estimate, const xsim::MultiPersonScene& scene, int p, int f,
                         double* err) {
  const int J = scene.num_joints;
  double sum = 0.0;
  int n = 0;
  for (int j = 0; j < J; ++j) {
    const Eigen::Vector3d gt = scene.poses_in_world[p].col(static_cast<Eigen::Index>(f) * J + j);
    if (!estimate.col(j).allFinite() || !gt.allFinite()) continue;
    sum += (estimate.col(j) - gt).norm();
    ++n;
  }
  if (n == 0) return false;
  *err = sum / n;
  return true;
}

/// Scores one frame; `last_track` (per identity, -1 = none yet) counts
/// identity switches when tracks are given (track_id >= 0).
inline void score_frame(const as::AssociationResult& r, const xsim::MultiPersonScene& scene, int f,
                        AssociationScore* s, std::vector<int>* last_track = nullptr,
                        std::vector<std::pair<int, double>>* errors = nullptr) {
  const auto& frame = scene.frames[f];
  const int P = static_cast<int>(scene.poses_in_world.size());
  const std::vector<int> match = match_people(r, frame, P);
  std::vector<std::vector<char>> covered(frame.size(), std::vector<char>(P, 0));
  for (std::size_t i = 0; i < r.people.size(); ++i) {
    const as::Person& person = r.people[i];
    std::vector<int> identities;
    for (const as::PersonView& pv : person.views) {
      const int p = frame[pv.ref.view].truth[pv.ref.detection].person;
      s->assigned += 1;
      if (p >= 0 && std::find(identities.begin(), identities.end(), p) == identities.end()) identities.push_back(p);
      if (match[i] >= 0 && p == match[i]) {
        s->correct += 1;
        covered[pv.ref.view][p] = 1;
      }
    }
    if (match[i] < 0) {
      s->false_positive_people += 1;
      if (person.score >= 0.5) s->confident_ghosts += 1;
      s->max_ghost_views = std::max(s->max_ghost_views, person.num_views());
    }
    if (identities.size() >= 2) {
      s->mixtures += 1;
      if (person.score >= 0.5) s->confident_mixtures += 1;
    }
    if (match[i] >= 0) {
      double e;
      if (person_error(person.points_in_world, scene, match[i], f, &e)) {
        s->sum_mpjpe += e;
        s->num_mpjpe += 1;
        if (errors) errors->push_back({match[i], e});
      }
      if (last_track != nullptr && person.track_id >= 0) {
        int& last = (*last_track)[match[i]];
        if (last >= 0 && last != person.track_id) s->id_switches += 1;
        last = person.track_id;
      }
    }
  }
  for (std::size_t v = 0; v < frame.size(); ++v) {
    std::vector<char> has(P, 0);
    for (const auto& t : frame[v].truth) {
      if (t.person >= 0) has[t.person] = 1;
    }
    for (int p = 0; p < P; ++p) {
      s->truth_pairs += has[p];
      s->covered += has[p] && covered[v][p];
    }
  }
}

/// A ring of `num_cameras` 1920 x 1080 cameras with distortion around a
/// square capture area (mm, Z up), ring radius `radius_mm`.
inline std::vector<crossview::camera::Camera> ring_cameras(int num_cameras, double radius_mm = 6000.0,
                                                           std::uint64_t seed = 7) {
  xsim::SceneOptions o;
  o.num_cameras = num_cameras;
  o.camera_ring_radius_mm = radius_mm;
  o.camera_height_mm = 2200.0;
  o.focal_px = 1400.0;
  o.seed = seed;
  return xsim::make_camera_ring(o);
}

/// Procedural sources (no files): the built-in walking person on circles of
/// different radii, speeds and phases, 3 x (F*17) each, mm, Z up.
inline std::vector<crossview::Points3d> procedural_sources(int count, int num_frames, double fps = 30.0) {
  std::vector<crossview::Points3d> out;
  for (int i = 0; i < count; ++i) {
    xsim::MotionOptions m;
    m.walk_radius_mm = 500.0 + 150.0 * i;
    m.walk_speed_mm_s = 500.0 + 60.0 * i;
    m.step_frequency_hz = 0.8 + 0.05 * i;
    crossview::Points3d p(3, static_cast<Eigen::Index>(num_frames) * 17);
    for (int f = 0; f < num_frames; ++f) {
      p.middleCols(static_cast<Eigen::Index>(f) * 17, 17) = xsim::walking_pose(f / fps + 0.7 * i, m);
    }
    out.push_back(p);
  }
  return out;
}

}  // namespace crossview_test
