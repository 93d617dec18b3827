// Fuzzes association::associate() (and a few frames of association::Tracker).
//
// Input layout (FuzzedDataProvider): 1-4 cameras (realistic or raw), a joint
// count 1-6, options (thresholds, minimum views / joints / score, left/right
// pairs valid or not), 1-3 frames of detections: per view 0-5 people, each
// the projection of one of a few bodies given by bytes (with noise), or raw
// pixels (NaN, Inf, 1e300 ...), with sane or raw scores; now and then a
// malformed shape.
//
// Contracts checked:
//   * only std::invalid_argument escapes (camera constructor, shapes, options);
//   * every detection is in exactly one person or in `unmatched`, with a
//     non-empty message; person_of_detection agrees;
//   * a person has >= 2 views, at most one detection per view, views in
//     increasing order, a finite point exactly for the kSuccess joints,
//     num_valid_joints consistent, score in [0, 1];
//   * status: kNoDetections iff there is no detection, kSuccess iff people.
#include "fuzz_decode.hpp"

#include <crossview/association/associate.hpp>
#include <crossview/association/tracker.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <vector>

namespace {

namespace as = crossview::association;
using crossview::camera::Camera;
using crossview::fuzz::mostly_sane;
using crossview::fuzz::raw_double;

void check_result(const as::AssociationResult& r, const std::vector<as::ViewDetections>& views, int J) {
  std::size_t total = 0;
  CROSSVIEW_FUZZ_CHECK(r.person_of_detection.size() == views.size());
  for (std::size_t v = 0; v < views.size(); ++v) {
    const std::size_t n = static_cast<std::size_t>(views[v].keypoints_px.cols() / J);
    CROSSVIEW_FUZZ_CHECK(r.person_of_detection[v].size() == n);
    total += n;
  }
  std::size_t in_people = 0;
  for (std::size_t i = 0; i < r.people.size(); ++i) {
    const as::Person& p = r.people[i];
    CROSSVIEW_FUZZ_CHECK(p.views.size() >= 2);
    CROSSVIEW_FUZZ_CHECK(p.points_in_world.cols() == J);
    CROSSVIEW_FUZZ_CHECK(p.joint_status.size() == static_cast<std::size_t>(J));
    CROSSVIEW_FUZZ_CHECK(p.score >= 0.0 && p.score <= 1.0);
    int valid = 0;
    for (int j = 0; j < J; ++j) {
      const bool ok = p.joint_status[j] == crossview::triangulation::Status::kSuccess;
      CROSSVIEW_FUZZ_CHECK(ok == p.points_in_world.col(j).allFinite());
      valid += ok ? 1 : 0;
    }
    CROSSVIEW_FUZZ_CHECK(valid == p.num_valid_joints && valid >= 1);
    for (std::size_t k = 0; k < p.views.size(); ++k) {
      const as::PersonView& pv = p.views[k];
      CROSSVIEW_FUZZ_CHECK(pv.ref.view >= 0 && static_cast<std::size_t>(pv.ref.view) < views.size());
      CROSSVIEW_FUZZ_CHECK(k == 0 || p.views[k - 1].ref.view < pv.ref.view);
      CROSSVIEW_FUZZ_CHECK(pv.ref.detection >= 0 &&
                           static_cast<std::size_t>(pv.ref.detection) < r.person_of_detection[pv.ref.view].size());
      CROSSVIEW_FUZZ_CHECK(r.person_of_detection[pv.ref.view][pv.ref.detection] == static_cast<int>(i));
      CROSSVIEW_FUZZ_CHECK(pv.inlier_rate >= 0.0 && pv.inlier_rate <= 1.0);
      ++in_people;
    }
  }
  for (const as::UnmatchedDetection& u : r.unmatched) {
    CROSSVIEW_FUZZ_CHECK(u.ref.view >= 0 && static_cast<std::size_t>(u.ref.view) < views.size());
    CROSSVIEW_FUZZ_CHECK(r.person_of_detection[u.ref.view].at(u.ref.detection) == -1);
    CROSSVIEW_FUZZ_CHECK(!u.message.empty());
  }
  CROSSVIEW_FUZZ_CHECK(in_people + r.unmatched.size() == total);
  CROSSVIEW_FUZZ_CHECK((r.status == as::FrameStatus::kNoDetections) == (total == 0));
  CROSSVIEW_FUZZ_CHECK((r.status == as::FrameStatus::kSuccess) == !r.people.empty());
  CROSSVIEW_FUZZ_CHECK(!r.message.empty());
}

std::vector<as::ViewDetections> make_frame(FuzzedDataProvider& fdp, const std::vector<Camera>& cams, int J,
                                           const std::vector<std::vector<Eigen::Vector3d>>& bodies) {
  std::vector<as::ViewDetections> views(cams.size());
  for (std::size_t v = 0; v < cams.size(); ++v) {
    const int P = fdp.ConsumeIntegralInRange<int>(0, 5);
    views[v].keypoints_px.resize(2, static_cast<Eigen::Index>(P) * J);
    const bool with_scores = fdp.ConsumeIntegralInRange<int>(0, 7) != 0;
    views[v].scores.resize(with_scores ? static_cast<Eigen::Index>(P) * J : 0);
    for (int p = 0; p < P; ++p) {
      const int body = fdp.ConsumeIntegralInRange<int>(0, static_cast<int>(bodies.size()) - 1);
      const int kind = fdp.ConsumeIntegralInRange<int>(0, 7);
      for (int j = 0; j < J; ++j) {
        Eigen::Vector2d px(raw_double(fdp), raw_double(fdp));
        Eigen::Vector2d proj;
        if (kind >= 2 && cams[v].project(bodies[body][j], &proj) == crossview::camera::ProjectionStatus::kSuccess) {
          px = proj + Eigen::Vector2d(mostly_sane(fdp, -3, 3), mostly_sane(fdp, -3, 3));
        }
        views[v].keypoints_px.col(static_cast<Eigen::Index>(p) * J + j) = px;
        if (with_scores) views[v].scores[static_cast<Eigen::Index>(p) * J + j] = mostly_sane(fdp, 0, 1);
      }
    }
  }
  // A malformed shape now and then (must throw std::invalid_argument).
  if (!views.empty() && fdp.ConsumeIntegralInRange<int>(0, 31) == 0) {
    views[0].keypoints_px.conservativeResize(2, views[0].keypoints_px.cols() + 1);
  }
  return views;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const int num_views = fdp.ConsumeIntegralInRange<int>(1, 4);
  std::vector<Camera> cameras;
  try {
    for (int v = 0; v < num_views; ++v) {
      const bool sane = (fdp.ConsumeIntegral<std::uint8_t>() & 7u) != 0;
      cameras.push_back(crossview::fuzz::make_camera(fdp, sane, "cam" + std::to_string(v)));
    }
  } catch (const std::invalid_argument&) {
    return 0;
  }
  const int J = fdp.ConsumeIntegralInRange<int>(1, 6);
  as::TrackerOptions to;
  as::AssociationOptions& o = to.association;
  o.min_joint_score = fdp.ConsumeBool() ? 0.1 : mostly_sane(fdp, 0, 1);
  o.min_detection_joints = fdp.ConsumeIntegralInRange<int>(1, 4);
  o.threshold_px = fdp.ConsumeBool() ? 8.0 : mostly_sane(fdp, 0, 50);
  o.threshold_relative = fdp.ConsumeBool() ? 0.06 : mostly_sane(fdp, 0, 0.5);
  o.min_common_joints = fdp.ConsumeIntegralInRange<int>(1, 4);
  o.min_view_inlier_rate = fdp.ConsumeBool() ? 0.6 : mostly_sane(fdp, 0, 1);
  o.min_views = fdp.ConsumeIntegralInRange<int>(1, 3);
  o.min_score = fdp.ConsumeBool() ? 0.0 : mostly_sane(fdp, 0, 1);
  o.min_person_joints = fdp.ConsumeIntegralInRange<int>(0, 3);
  if (J >= 2 && fdp.ConsumeBool()) o.left_right_pairs.push_back({0, 1});
  if (J >= 4 && fdp.ConsumeBool()) o.left_right_pairs.push_back({fdp.ConsumeIntegralInRange<int>(0, 5), 3});
  o.triangulation.refine = fdp.ConsumeBool();
  to.confirm_frames = fdp.ConsumeIntegralInRange<int>(1, 3);
  // A few bodies near the origin (where the sane cameras look).
  std::vector<std::vector<Eigen::Vector3d>> bodies(fdp.ConsumeIntegralInRange<int>(1, 3));
  for (auto& b : bodies) {
    const Eigen::Vector3d centre(mostly_sane(fdp, -1, 1), mostly_sane(fdp, -1, 1), mostly_sane(fdp, -1, 1));
    for (int j = 0; j < J; ++j) {
      b.push_back(centre + Eigen::Vector3d(mostly_sane(fdp, -0.5, 0.5), mostly_sane(fdp, -0.5, 0.5),
                                           mostly_sane(fdp, -0.5, 0.5)));
    }
  }
  const int frames = fdp.ConsumeIntegralInRange<int>(1, 3);
  const bool track = fdp.ConsumeBool();
  try {
    if (!track) {
      const auto views = make_frame(fdp, cameras, J, bodies);
      check_result(as::associate(cameras, views, J, o), views, J);
      return 0;
    }
    as::Tracker tracker(cameras, J, to);
    for (int f = 0; f < frames; ++f) {
      const auto views = make_frame(fdp, cameras, J, bodies);
      const int before = tracker.num_frames();
      try {
        check_result(tracker.update(views), views, J);
      } catch (const std::invalid_argument&) {
        CROSSVIEW_FUZZ_CHECK(tracker.num_frames() == before);  // state untouched
        continue;
      }
    }
  } catch (const std::invalid_argument&) {
    return 0;
  }
  return 0;
}
