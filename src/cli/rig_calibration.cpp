// crossview CLI: rig calibration from keypoints (see rig_calibration.hpp).
#include "rig_calibration.hpp"

#include <crossview/association/associate.hpp>
#include <crossview/association/tracker.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>
#include <map>

namespace crossview::cli {

calibration::CalibrationOptions calibration_options_for(int num_joints) {
  calibration::CalibrationOptions o;
  if (num_joints == 25) {
    o.layout = calibration::KeypointLayout::kOpenPoseBody25b;
    return o;
  }
  const pose::Skeleton skeleton = skeleton_for("", num_joints);
  o.layout = calibration::KeypointLayout::kCustom;
  o.custom_limbs = skeleton.limbs();
  o.scale.source = calibration::ScaleOptions::Source::kNone;
  return o;
}

RigCalibrationRun calibrate_from_keypoints(const std::vector<camera::Camera>& cameras,
                                           const MultiViewKeypoints& keypoints,
                                           const calibration::CalibrationOptions& options) {
  const int V = keypoints.num_views;
  calibration::RigDetections detections(static_cast<std::size_t>(V));
  for (int v = 0; v < V; ++v) {
    detections[v].resize(static_cast<std::size_t>(keypoints.num_frames()));
    for (int f = 0; f < keypoints.num_frames(); ++f) {
      if (!(keypoints.view_scores(f, v).array() > 0.0).any()) continue;  // nobody detected in that view and frame
      calibration::PersonDetection person;
      person.keypoints_px = keypoints.view(f, v);
      person.scores = keypoints.view_scores(f, v);
      detections[v][static_cast<std::size_t>(f)].push_back(std::move(person));
    }
  }
  std::vector<camera::Camera> intrinsics;
  bool has_reference = false;
  for (const auto& c : cameras) {
    intrinsics.emplace_back(c.model(), c.params(), c.width(), c.height(), camera::Rigid3d(), c.name());
    if ((c.center_in_world() - cameras.front().center_in_world()).norm() > 0.0) has_reference = true;
  }
  RigCalibrationRun run;
  run.result = calibration::calibrate_rig(intrinsics, detections, options);
  const bool has_rig = run.result.ok() || run.result.status == calibration::Status::kDegenerateMotion;
  if (has_reference && has_rig && run.result.cameras.size() == cameras.size()) {
    run.comparison = calibration::compare_rigs(run.result.cameras, cameras);
  }
  return run;
}

calibration::CalibrationOptions calibration_options_for_skeleton(const pose::Skeleton& skeleton) {
  calibration::CalibrationOptions o;
  if (skeleton.model_name() == "BODY_25B") {
    o.layout = calibration::KeypointLayout::kOpenPoseBody25b;
    return o;
  }
  if (skeleton.model_name() == "H36M_17") {
    o.layout = calibration::KeypointLayout::kHuman36m17;
    return o;
  }
  o.layout = calibration::KeypointLayout::kCustom;
  o.custom_limbs = skeleton.limbs();
  o.scale.source = calibration::ScaleOptions::Source::kNone;
  return o;
}

namespace {

double median_of(std::vector<double> v) {
  if (v.empty()) return std::numeric_limits<double>::quiet_NaN();
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

PeopleCalibrationRun calibrate_from_people(const std::vector<camera::Camera>& cameras, const PeopleKeypoints& keypoints,
                                           const calibration::CalibrationOptions& options, int min_frames,
                                           double min_consistency, const pose::Skeleton* scale_skeleton,
                                           double person_height_m) {
  const int V = keypoints.num_views;
  const int F = keypoints.num_frames();
  const Eigen::Index J = keypoints.num_joints;
  PeopleCalibrationRun out;
  out.frames_total = F;
  out.ambiguous_frames.assign(static_cast<std::size_t>(V), 0);
  out.selected_frames.assign(static_cast<std::size_t>(V), 0);
  // selection[f][v]: the detection used, or -1.
  std::vector<std::vector<int>> selection(static_cast<std::size_t>(F), std::vector<int>(static_cast<std::size_t>(V), -1));
  std::vector<std::vector<int>> most_confident(static_cast<std::size_t>(F), std::vector<int>(static_cast<std::size_t>(V), -1));
  std::vector<int> unambiguous(static_cast<std::size_t>(V), 0);
  for (int f = 0; f < F; ++f) {
    for (int v = 0; v < V; ++v) {
      const association::ViewDetections& d = keypoints.frames[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
      const int P = static_cast<int>(d.scores.size() / std::max<Eigen::Index>(J, 1));
      int confident = 0, only = -1, best = -1;
      double best_mean = -1.0;
      for (int p = 0; p < P; ++p) {
        const auto s = d.scores.segment(static_cast<Eigen::Index>(p) * J, J);
        int n = 0;
        double sum = 0.0;
        for (Eigen::Index j = 0; j < J; ++j) {
          if (s(j) > options.min_confidence) {
            ++n;
            sum += s(j);
          }
        }
        if (n < options.min_detected_joints) continue;
        ++confident;
        only = p;
        if (sum / n > best_mean) {
          best_mean = sum / n;
          best = p;
        }
      }
      if (confident == 1) {
        selection[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)] = only;
        ++unambiguous[static_cast<std::size_t>(v)];
      } else if (confident > 1) {
        ++out.ambiguous_frames[static_cast<std::size_t>(v)];
        most_confident[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)] = best;
      }
    }
  }
  for (int v = 0; v < V; ++v) {
    if (unambiguous[static_cast<std::size_t>(v)] >= min_frames || out.ambiguous_frames[static_cast<std::size_t>(v)] == 0) continue;
    out.main_person_views.push_back(cameras[static_cast<std::size_t>(v)].name());
    for (int f = 0; f < F; ++f) {
      int& sel = selection[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
      if (sel < 0) sel = most_confident[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
    }
  }
  calibration::RigDetections detections(static_cast<std::size_t>(V));
  for (int v = 0; v < V; ++v) detections[static_cast<std::size_t>(v)].resize(static_cast<std::size_t>(F));
  for (int f = 0; f < F; ++f) {
    int views = 0;
    for (int v = 0; v < V; ++v) views += selection[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)] >= 0;
    if (views < 2) continue;
    ++out.frames_selected;
    for (int v = 0; v < V; ++v) {
      const int sel = selection[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
      if (sel < 0) continue;
      const association::ViewDetections& d = keypoints.frames[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
      calibration::PersonDetection person;
      person.keypoints_px = d.keypoints_px.middleCols(static_cast<Eigen::Index>(sel) * J, J);
      person.scores = d.scores.segment(static_cast<Eigen::Index>(sel) * J, J);
      detections[static_cast<std::size_t>(v)][static_cast<std::size_t>(f)].push_back(std::move(person));
      ++out.selected_frames[static_cast<std::size_t>(v)];
    }
  }
  std::vector<camera::Camera> intrinsics;
  bool has_reference = false;
  for (const auto& c : cameras) {
    intrinsics.emplace_back(c.model(), c.params(), c.width(), c.height(), camera::Rigid3d(), c.name());
    if ((c.center_in_world() - cameras.front().center_in_world()).norm() > 0.0) has_reference = true;
  }
  out.run.result = calibration::calibrate_rig(intrinsics, detections, options);
  calibration::CalibrationResult& r = out.run.result;
  const bool has_rig = r.ok() || r.status == calibration::Status::kDegenerateMotion;
  if (!has_rig || r.cameras.size() != cameras.size()) return out;

  // Metric scale from the skeleton's height segments (the library scales its own layouts).
  if (options.scale.source == calibration::ScaleOptions::Source::kNone && scale_skeleton != nullptr &&
      !scale_skeleton->height_segments().empty() && person_height_m > 0.0) {
    triangulation::TriangulationOptions t;
    t.method = triangulation::Method::kRobust;
    t.min_confidence = options.min_confidence;
    const auto& segments = scale_skeleton->height_segments();
    std::vector<std::vector<double>> lengths(segments.size());
    for (int f = 0; f < F; ++f) {
      const std::vector<int>& sel = selection[static_cast<std::size_t>(f)];
      if (std::count_if(sel.begin(), sel.end(), [](int x) { return x >= 0; }) < 2) continue;
      Points2d px = Points2d::Constant(2, V * J, std::numeric_limits<double>::quiet_NaN());
      Eigen::VectorXd sc = Eigen::VectorXd::Zero(V * J);
      for (int v = 0; v < V; ++v) {
        const int d = sel[static_cast<std::size_t>(v)];
        if (d < 0) continue;
        const association::ViewDetections& det = keypoints.frames[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
        px.middleCols(v * J, J) = det.keypoints_px.middleCols(static_cast<Eigen::Index>(d) * J, J);
        sc.segment(v * J, J) = det.scores.segment(static_cast<Eigen::Index>(d) * J, J);
      }
      const Points3d X = triangulation::triangulate_skeleton(r.cameras, px, sc, t).points_in_world;
      for (std::size_t k = 0; k < segments.size(); ++k) {
        const Eigen::Vector3d a = X.col(segments[k].joint_a), b = X.col(segments[k].joint_b);
        if (a.allFinite() && b.allFinite()) lengths[k].push_back((a - b).norm());
      }
    }
    std::vector<double> heights;
    for (std::size_t k = 0; k < segments.size(); ++k) {
      const double l = median_of(lengths[k]);
      if (std::isfinite(l) && l > 0.0) heights.push_back(l / segments[k].fraction);
    }
    const double height_units = median_of(heights);
    if (std::isfinite(height_units) && height_units > 0.0) {
      const double s = person_height_m / height_units;
      for (auto& c : r.cameras) c.cam_from_world.translation *= s;
      out.metric_scale_from_skeleton = true;
      out.scale_note = fmt::format(
          "scale from the person's height {:.3f} m via the {} height segments of {} ({} triangulated; median)",
          person_height_m, segments.size(), scale_skeleton->model_name(), heights.size());
    } else {
      out.scale_note = "arbitrary: no height segment of " + scale_skeleton->model_name() + " was triangulated";
    }
  }
  if (has_reference) out.run.comparison = calibration::compare_rigs(r.cameras, cameras);

  // Verification: associate everyone with the calibrated rig.
  association::AssociationOptions ao;
  ao.min_joint_score = options.min_confidence;
  std::vector<int> camera_checked(static_cast<std::size_t>(V), 0), camera_agree(static_cast<std::size_t>(V), 0);
  for (int f = 0; f < F; ++f) {
    const std::vector<int>& sel = selection[static_cast<std::size_t>(f)];
    if (std::count_if(sel.begin(), sel.end(), [](int s) { return s >= 0; }) < 2) continue;
    const association::AssociationResult a =
        association::associate(r.cameras, keypoints.frames[static_cast<std::size_t>(f)], keypoints.num_joints, ao);
    std::map<int, int> votes;  // associated person -> selected views in it
    for (int v = 0; v < V; ++v) {
      if (sel[static_cast<std::size_t>(v)] < 0) continue;
      const int person = a.person_of_detection.empty()
                             ? -1
                             : a.person_of_detection[static_cast<std::size_t>(v)][static_cast<std::size_t>(sel[static_cast<std::size_t>(v)])];
      if (person >= 0) ++votes[person];
    }
    int majority = -1, majority_votes = 0;
    for (const auto& [person, n] : votes) {
      if (n > majority_votes) {
        majority = person;
        majority_votes = n;
      }
    }
    int selected_views = 0;
    for (int v = 0; v < V; ++v) {
      const int s = sel[static_cast<std::size_t>(v)];
      if (s < 0) continue;
      ++selected_views;
      ++camera_checked[static_cast<std::size_t>(v)];
      if (majority >= 0 && a.person_of_detection[static_cast<std::size_t>(v)][static_cast<std::size_t>(s)] == majority) {
        ++camera_agree[static_cast<std::size_t>(v)];
      }
    }
    ++out.frames_checked;
    if (majority >= 0 && majority_votes == selected_views) ++out.frames_consistent;
  }
  out.camera_consistency.assign(static_cast<std::size_t>(V), std::numeric_limits<double>::quiet_NaN());
  std::string bad;
  for (int v = 0; v < V; ++v) {
    const int n = camera_checked[static_cast<std::size_t>(v)];
    if (n == 0) continue;
    const double rate = static_cast<double>(camera_agree[static_cast<std::size_t>(v)]) / n;
    out.camera_consistency[static_cast<std::size_t>(v)] = rate;
    if (rate < 0.5 * min_consistency) {
      bad += fmt::format("{}{} ({:.0f} % of {} frames)", bad.empty() ? "" : ", ", cameras[static_cast<std::size_t>(v)].name(),
                         100.0 * rate, n);
    }
  }
  const double overall = out.frames_checked > 0 ? static_cast<double>(out.frames_consistent) / out.frames_checked : 0.0;
  out.verified = out.frames_checked > 0 && overall >= min_consistency && bad.empty();
  out.verification_message = fmt::format(
      "re-associated with the calibrated rig, the people used agree across views in {} of {} frames ({:.0f} %, "
      "need {:.0f} %)",
      out.frames_consistent, out.frames_checked, 100.0 * overall, 100.0 * min_consistency);
  if (!bad.empty()) out.verification_message += "; cameras whose selected person disagrees with the others: " + bad;
  return out;
}

temporal::FloorOptions floor_options_for_skeleton(const pose::Skeleton& skeleton,
                                                  std::vector<std::string>* unrecognised) {
  temporal::FloorOptions o;
  o.length_unit_m = 1.0;
  for (const int j : skeleton.feet()) {
    std::string n;
    for (const char ch : skeleton.name(j)) {
      if (std::isalnum(static_cast<unsigned char>(ch))) n += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    }
    const auto has = [&](const char* w) { return n.find(w) != std::string::npos; };
    const bool ends_ank = n.size() >= 3 && n.compare(n.size() - 3, 3, "ank") == 0;
    double h = 0.05;
    if (has("heel")) {
      h = 0.04;
    } else if (has("toe")) {
      h = 0.03;
    } else if (has("ankle") || ends_ank) {
      h = 0.08;
    } else if (unrecognised != nullptr) {
      unrecognised->push_back(skeleton.name(j));
    }
    o.feet.push_back({j, h});
  }
  // The body's balance where the skeleton names the body's joints (de Leva's segments).
  if (!o.feet.empty()) o.body_segments = temporal::body_segments_from_names(skeleton.names());
  return o;
}

FloorRun estimate_floor_from_people(const std::vector<camera::Camera>& cameras, const PeopleKeypoints& keypoints,
                                    const pose::Skeleton& skeleton, double min_confidence, double rate_hz,
                                    const temporal::FloorOptions& options) {
  const int F = keypoints.num_frames();
  const int J = keypoints.num_joints;
  association::TrackerOptions to;
  to.association.min_joint_score = min_confidence;
  if (skeleton.left_right_pairs().size() <= 32) to.association.left_right_pairs = skeleton.left_right_pairs();
  association::Tracker tracker(cameras, J, to);
  std::map<int, Points3d> tracks;  // id -> 3 x (F*J), NaN where not seen
  FloorRun out;
  out.rate_hz = rate_hz;
  for (int f = 0; f < F; ++f) {
    const association::AssociationResult a = tracker.update(keypoints.frames[static_cast<std::size_t>(f)]);
    for (const association::Person& p : a.people) {
      auto it = tracks.find(p.track_id);
      if (it == tracks.end()) {
        it = tracks.emplace(p.track_id, Points3d::Constant(3, static_cast<Eigen::Index>(F) * J,
                                                           std::numeric_limits<double>::quiet_NaN()))
                 .first;
      }
      it->second.middleCols(static_cast<Eigen::Index>(f) * J, J) = p.points_in_world;
      ++out.poses;
    }
  }
  // Each track from its first to its last frame, a NaN frame between tracks.
  std::vector<std::pair<int, int>> spans;  // (first, last) frame per track
  Eigen::Index columns = 0;
  for (const auto& [id, X] : tracks) {
    (void)id;
    int first = -1, last = -1;
    for (int f = 0; f < F; ++f) {
      if (X.middleCols(static_cast<Eigen::Index>(f) * J, J).array().isFinite().any()) {
        if (first < 0) first = f;
        last = f;
      }
    }
    spans.emplace_back(first, last);
    if (first >= 0) columns += static_cast<Eigen::Index>(last - first + 2) * J;
  }
  Points3d poses = Points3d::Constant(3, std::max<Eigen::Index>(columns, J), std::numeric_limits<double>::quiet_NaN());
  Eigen::Index at = 0;
  std::size_t k = 0;
  for (const auto& [id, X] : tracks) {
    (void)id;
    const auto [first, last] = spans[k++];
    if (first < 0) continue;
    ++out.people;
    const Eigen::Index n = static_cast<Eigen::Index>(last - first + 1) * J;
    poses.middleCols(at, n) = X.middleCols(static_cast<Eigen::Index>(first) * J, n);
    at += n + J;
  }
  out.floor = temporal::estimate_floor(cameras, poses, J, rate_hz, options);
  return out;
}

std::string describe_comparison(const std::vector<camera::Camera>& cameras, const calibration::RigComparison& c,
                                const std::string& unit) {
  std::string text;
  for (std::size_t i = 0; i < cameras.size(); ++i) {
    text += fmt::format("{}{}: rotation {:.2f} deg, position {:.0f} {} ({:.2f} % of the rig)", i ? "; " : "",
                        cameras[i].name(), c.rotation_error_deg[i], c.position_error[i], unit,
                        100.0 * c.position_error[i] / c.rig_size);
  }
  return text;
}

}  // namespace crossview::cli
