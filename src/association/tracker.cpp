// crossview::association: the Tracker (see tracker.hpp for the steps).
#include <crossview/association/tracker.hpp>

#include "internal.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace crossview::association {

void TrackerOptions::validate(int num_joints) const {
  association.validate(num_joints);
  auto fail = [](const std::string& what) { throw std::invalid_argument("TrackerOptions: " + what); };
  if (max_missed_frames < 0) fail("max_missed_frames must be >= 0");
  if (!(std::isfinite(prediction_threshold_scale) && prediction_threshold_scale >= 1.0)) {
    fail("prediction_threshold_scale must be finite and >= 1");
  }
  if (!(std::isfinite(prediction_threshold_growth) && prediction_threshold_growth >= 0.0)) {
    fail("prediction_threshold_growth must be finite and >= 0");
  }
  if (!(velocity_smoothing > 0.0 && velocity_smoothing <= 1.0)) fail("velocity_smoothing must be in (0, 1]");
  if (confirm_frames < 1) fail("confirm_frames must be >= 1");
  if (confirm_views < 2) fail("confirm_views must be >= 2");
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

using detail::FrameGeometry;
using detail::Group;

struct Track {
  int index = -1;  ///< position in State::tracks
  int id = -1;     ///< public id, assigned when the track is confirmed
  bool confirmed = false;
  int hits = 0;
  int first_frame = -1;
  int last_frame = -1;
  int missed = 0;  ///< consecutive frames missed before the current one
  bool ended = false;
  Eigen::Matrix3Xd pose;  ///< last estimate, missing joints carried along
  Eigen::Vector3d velocity = Eigen::Vector3d::Zero();  ///< per frame
  bool has_velocity = false;
  std::vector<double> num_views, score, error;
  int max_views = 0;
};

double median_of(std::vector<double> x) {
  x.erase(std::remove_if(x.begin(), x.end(), [](double v) { return !std::isfinite(v); }), x.end());
  if (x.empty()) return kNaN;
  std::sort(x.begin(), x.end());
  const std::size_t m = x.size() / 2;
  return x.size() % 2 ? x[m] : 0.5 * (x[m - 1] + x[m]);
}

/// Centroid displacement between two poses over their common finite joints.
bool displacement(const Eigen::Matrix3Xd& from, const Eigen::Matrix3Xd& to, Eigen::Vector3d* d) {
  Eigen::Vector3d sum = Eigen::Vector3d::Zero();
  int n = 0;
  for (int j = 0; j < from.cols(); ++j) {
    if (from.col(j).allFinite() && to.col(j).allFinite()) {
      sum += to.col(j) - from.col(j);
      ++n;
    }
  }
  if (n == 0) return false;
  *d = sum / n;
  return true;
}

}  // namespace

struct Tracker::State {
  std::vector<camera::Camera> cameras;
  int num_joints = 0;
  TrackerOptions options;
  int frame = 0;
  int next_id = 0;
  std::vector<Track> tracks;  ///< every track, tentative ones included
};

Tracker::Tracker(std::vector<camera::Camera> cameras, int num_joints, TrackerOptions options)
    : state_(std::make_unique<State>()) {
  if (num_joints < 1) throw std::invalid_argument("Tracker: num_joints must be >= 1, got " + std::to_string(num_joints));
  if (cameras.empty()) throw std::invalid_argument("Tracker: at least one camera is required");
  options.validate(num_joints);
  state_->cameras = std::move(cameras);
  state_->num_joints = num_joints;
  state_->options = std::move(options);
}

Tracker::~Tracker() = default;
Tracker::Tracker(Tracker&&) noexcept = default;
Tracker& Tracker::operator=(Tracker&&) noexcept = default;

int Tracker::num_frames() const { return state_->frame; }
const std::vector<camera::Camera>& Tracker::cameras() const { return state_->cameras; }
const TrackerOptions& Tracker::options() const { return state_->options; }

void Tracker::reset() {
  state_->frame = 0;
  state_->next_id = 0;
  state_->tracks.clear();
}

std::vector<TrackSummary> Tracker::tracks() const {
  std::vector<TrackSummary> out;
  out.reserve(state_->tracks.size());
  for (const Track& t : state_->tracks) {
    if (!t.confirmed) continue;
    TrackSummary s;
    s.track_id = t.id;
    s.first_frame = t.first_frame;
    s.last_frame = t.last_frame;
    s.num_frames_seen = static_cast<int>(t.num_views.size());
    s.ended = t.ended;
    s.median_num_views = median_of(t.num_views);
    s.max_num_views = t.max_views;
    s.median_score = median_of(t.score);
    s.median_reprojection_error_px = median_of(t.error);
    out.push_back(s);
  }
  return out;
}

AssociationResult Tracker::update(const std::vector<ViewDetections>& views) {
  State& S = *state_;
  detail::check_inputs(S.cameras, views, S.num_joints, "Tracker::update");
  const AssociationOptions& ao = S.options.association;
  const FrameGeometry geom = detail::build_geometry(S.cameras, views, S.num_joints, ao);
  const int V = geom.num_views;
  const int J = geom.num_joints;
  const int N = geom.num_detections();
  const bool swaps = geom.num_pairs > 0;

  // 1. Predictions of the live tracks.
  std::vector<int> live;
  for (const Track& t : S.tracks) {
    if (!t.ended) live.push_back(t.index);
  }
  const int T = static_cast<int>(live.size());
  std::vector<Eigen::Matrix3Xd> predicted(T);
  std::vector<double> tau_pred(T);
  for (int i = 0; i < T; ++i) {
    const Track& t = S.tracks[live[i]];
    predicted[i] = t.pose;
    if (S.options.constant_velocity && t.has_velocity) {
      predicted[i].colwise() += t.velocity * static_cast<double>(t.missed + 1);
    }
    tau_pred[i] = S.options.prediction_threshold_scale + S.options.prediction_threshold_growth * t.missed;
  }

  // 2-3. Per view assignment, first against the predictions, then against
  // the current skeletons of the tracks seen in >= 2 views.
  std::vector<Group> groups(T);
  for (Group& g : groups) g.reset(V, J);
  std::vector<Eigen::Matrix3Xd> current(T);
  std::vector<char> has_current(T, 0);
  detail::Projection proj;
  for (int pass = 0; pass < 2 && T > 0; ++pass) {
    for (int v = 0; v < V; ++v) {
      const int P = geom.view_offset[v + 1] - geom.view_offset[v];
      if (P == 0) {
        for (Group& g : groups) g.member[v] = -1;
        continue;
      }
      Eigen::MatrixXd profit = Eigen::MatrixXd::Zero(T, P);
      for (int i = 0; i < T; ++i) {
        const bool use_current = pass == 1 && has_current[i];
        project(geom, v, use_current ? current[i] : predicted[i], &proj);
        const double tau = use_current ? 1.0 : tau_pred[i];
        for (int p = 0; p < P; ++p) {
          const int g = geom.view_offset[v] + p;
          if (!geom.usable_det[g]) continue;
          const detail::Fit f = detail::fit_detection(geom, g, proj, tau, swaps, nullptr);
          if (f.qualifies(ao)) profit(i, p) = std::max(f.evidence(), 1e-9);
        }
      }
      const std::vector<int> assign = detail::max_weight_assignment(profit);
      for (int i = 0; i < T; ++i) {
        Group& grp = groups[i];
        char* dst = grp.inlier.data() + static_cast<std::size_t>(v) * J;
        if (assign[i] < 0) {
          grp.member[v] = -1;
          grp.swap_mask[v] = 0;
          grp.fit[v] = detail::Fit{};
          std::fill(dst, dst + J, 0);
          continue;
        }
        const int g = geom.view_offset[v] + assign[i];
        const bool use_current = pass == 1 && has_current[i];
        project(geom, v, use_current ? current[i] : predicted[i], &proj);
        grp.fit[v] = detail::fit_detection(geom, g, proj, use_current ? 1.0 : tau_pred[i], swaps, dst);
        grp.member[v] = g;
        grp.swap_mask[v] = grp.fit[v].swap_mask;
      }
    }
    for (int i = 0; i < T; ++i) {
      Group& grp = groups[i];
      has_current[i] = 0;
      if (grp.num_members() < 2) continue;
      if (detail::triangulate_group(geom, &grp) < ao.min_common_joints) continue;
      detail::evaluate_members(geom, ao, /*drop=*/pass == 1, &grp);
      if (pass == 1) {
        if (grp.num_members() < 2) continue;
        if (detail::triangulate_group(geom, &grp) < ao.min_common_joints) continue;
        detail::evaluate_members(geom, ao, /*drop=*/false, &grp);
      }
      current[i] = grp.X;
      has_current[i] = 1;
    }
  }

  // Tracks with a consistent group claim its detections.
  std::vector<char> available(N, 1);
  std::vector<int> group_track;  // per group to reconstruct: live index or -1 (new)
  std::vector<Group> to_build;
  for (int i = 0; i < T; ++i) {
    if (!has_current[i] || groups[i].num_members() < 2) continue;
    for (int m : groups[i].member) {
      if (m >= 0) available[m] = 0;
    }
    to_build.push_back(groups[i]);
    group_track.push_back(i);
  }

  // 4. Everything else: full association; new groups may resume a missed track.
  detail::PoolOutcome pool = detail::associate_pool(geom, ao, available);
  std::vector<char> track_taken(T, 0);
  for (int i : group_track) track_taken[i] = 1;
  for (Group& grp : pool.groups) {
    int best = -1;
    double best_w = 0.0;
    for (int i = 0; i < T; ++i) {
      if (track_taken[i]) continue;
      int agree = 0, members = 0;
      double w = 0.0;
      for (int v = 0; v < V; ++v) {
        const int g = grp.member[v];
        if (g < 0) continue;
        ++members;
        project(geom, v, predicted[i], &proj);
        const detail::Fit f = detail::fit_detection(geom, g, proj, tau_pred[i], swaps, nullptr);
        if (f.qualifies(ao)) {
          ++agree;
          w += f.evidence();
        }
      }
      if (2 * agree > members && w > best_w) {
        best = i;
        best_w = w;
      }
    }
    if (best >= 0) track_taken[best] = 1;
    to_build.push_back(std::move(grp));
    group_track.push_back(best);
  }

  // 5. Reconstruction, checks, track updates.
  AssociationResult result;
  std::vector<UnmatchedReason> reason = pool.reason;
  std::vector<std::string> why(N);
  std::vector<char> seen(T, 0);
  const int frame = S.frame;
  std::vector<Person> built;
  std::vector<int> built_track;  // live index or -1
  for (std::size_t k = 0; k < to_build.size(); ++k) {
    const Group& grp = to_build[k];
    Person P;
    UnmatchedReason r = UnmatchedReason::kRejected;
    std::string w;
    const bool ok = detail::reconstruct_person(S.cameras, views, geom, ao, grp, /*apply_checks=*/true, &P, &r, &w);
    for (int v = 0; v < V; ++v) {
      const int g = grp.member[v];
      if (g < 0) continue;
      bool in_person = false;
      for (const PersonView& pv : P.views) in_person = in_person || pv.ref.view == v;
      if (ok && in_person) continue;
      reason[g] = ok ? UnmatchedReason::kRejected : r;
      why[g] = ok ? "no joint of it was triangulated" : w;
    }
    if (!ok) continue;
    built.push_back(std::move(P));
    built_track.push_back(group_track[k]);
  }
  {
    // A group repeating another person's skeleton (a body detected twice in
    // several views) is not a person; prefer keeping the one with a track.
    const std::vector<int> dup = detail::find_duplicate_people(geom, ao, built);
    std::vector<char> drop(built.size(), 0);
    for (std::size_t k = 0; k < built.size(); ++k) {
      if (dup[k] < 0) continue;
      const bool keep_k = built_track[k] >= 0 && built_track[dup[k]] < 0;
      drop[keep_k ? dup[k] : k] = 1;
    }
    std::vector<Person> kept;
    std::vector<int> kept_track;
    for (std::size_t k = 0; k < built.size(); ++k) {
      if (!drop[k]) {
        kept.push_back(std::move(built[k]));
        kept_track.push_back(built_track[k]);
        continue;
      }
      for (const PersonView& pv : built[k].views) {
        const int g = geom.view_offset[pv.ref.view] + pv.ref.detection;
        reason[g] = UnmatchedReason::kDuplicate;
        why[g] = "its group repeats another person's skeleton";
      }
    }
    built = std::move(kept);
    built_track = std::move(kept_track);
  }
  const std::vector<char> pass = detail::score_people(S.cameras, geom, ao, &built);
  for (std::size_t k = 0; k < built.size(); ++k) {
    Person& P = built[k];
    if (!pass[k]) {
      for (const PersonView& pv : P.views) {
        const int g = geom.view_offset[pv.ref.view] + pv.ref.detection;
        reason[g] = UnmatchedReason::kRejected;
        why[g] = "score " + std::to_string(P.score) + " below min_score = " + std::to_string(ao.min_score) + "; " +
                 std::to_string(P.num_unexplained_views) + " views should see it and do not";
      }
      continue;
    }
    const int i = built_track[k];
    Track* t = nullptr;
    if (i >= 0) {
      t = &S.tracks[live[i]];
      seen[i] = 1;
      P.track_event = t->missed == 0 ? TrackEvent::kContinued : TrackEvent::kResumed;
      P.frames_missed = t->missed;
      Eigen::Vector3d d;
      if (displacement(t->pose, P.points_in_world, &d)) {
        const Eigen::Vector3d step = d / static_cast<double>(t->missed + 1);
        const double a = S.options.velocity_smoothing;
        t->velocity = t->has_velocity ? Eigen::Vector3d((1.0 - a) * t->velocity + a * step) : step;
        t->has_velocity = true;
      } else {
        d.setZero();
      }
      for (int j = 0; j < J; ++j) {
        if (P.points_in_world.col(j).allFinite()) {
          t->pose.col(j) = P.points_in_world.col(j);
        } else if (t->pose.col(j).allFinite()) {
          t->pose.col(j) += d;
        }
      }
      t->missed = 0;
    } else {
      Track nt;
      nt.index = static_cast<int>(S.tracks.size());
      nt.first_frame = frame;
      nt.pose = P.points_in_world;
      S.tracks.push_back(std::move(nt));
      t = &S.tracks.back();
      P.track_event = TrackEvent::kNew;
    }
    t->hits += 1;
    t->last_frame = frame;
    if (!t->confirmed &&
        (t->hits >= S.options.confirm_frames || static_cast<int>(P.views.size()) >= S.options.confirm_views)) {
      t->confirmed = true;
      t->id = S.next_id++;
      P.track_event = TrackEvent::kNew;  // first time reported
    }
    if (!t->confirmed) {
      for (const PersonView& pv : P.views) {
        const int g = geom.view_offset[pv.ref.view] + pv.ref.detection;
        reason[g] = UnmatchedReason::kTentative;
        why[g] = "a tentative track seen in " + std::to_string(t->hits) + " frame(s) by " +
                 std::to_string(P.views.size()) + " views; reported from confirm_frames = " +
                 std::to_string(S.options.confirm_frames) + " frames or confirm_views = " +
                 std::to_string(S.options.confirm_views) + " views";
      }
      continue;
    }
    t->num_views.push_back(static_cast<double>(P.views.size()));
    t->score.push_back(P.score);
    t->error.push_back(P.median_reprojection_error_px);
    t->max_views = std::max(t->max_views, static_cast<int>(P.views.size()));
    P.track_id = t->id;
    P.track_age_frames = frame - t->first_frame;
    result.people.push_back(std::move(P));
  }
  for (int i = 0; i < T; ++i) {
    if (seen[i]) continue;
    Track& t = S.tracks[live[i]];
    t.missed += 1;
    if (!t.confirmed) {
      t.ended = true;  // a tentative track must be seen frame after frame
    } else if (t.missed > S.options.max_missed_frames) {
      t.ended = true;
      result.ended_track_ids.push_back(t.id);
    }
  }
  std::sort(result.people.begin(), result.people.end(),
            [](const Person& a, const Person& b) { return a.track_id < b.track_id; });
  detail::finish_result(geom, ao, reason, why, &result);
  S.frame += 1;
  return result;
}

SequenceResult track_sequence(const std::vector<camera::Camera>& cameras,
                              const std::vector<std::vector<ViewDetections>>& frames, int num_joints,
                              const TrackerOptions& options) {
  Tracker tracker(cameras, num_joints, options);
  SequenceResult out;
  out.frames.reserve(frames.size());
  for (const auto& f : frames) out.frames.push_back(tracker.update(f));
  out.tracks = tracker.tracks();
  return out;
}

}  // namespace crossview::association
