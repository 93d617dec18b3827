// Issue 20: the CLI's default triangulation (Method::kRobustDlt) on every real
// capture in ../shared/data against the confidence-weighted all-view DLT
// (kDlt) and the former default (kRobust): no fewer joints, no worse
// reprojection error than kDlt. Inputs as the CLI reads them: the main person
// per camera and frame (io::select_main_person, prefer_previous), detections
// scored <= 0.3 ignored (the CLI's --min-confidence default).
#include <crossview/io/openpose.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/io/trc.hpp>
#include <crossview/pose/skeletons.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

namespace tri = crossview::triangulation;
using crossview::camera::Camera;
using crossview_test::shared_data;

namespace {

constexpr int kJ = crossview::io::kNumBody25bJoints;
constexpr double kMinConfidence = 0.3;  // the CLI's default

struct Capture {
  std::vector<Camera> cameras;
  int num_frames = 0;
  std::vector<crossview::Points2d> keypoints_px;  ///< per frame 2 x (V*J)
  std::vector<Eigen::VectorXd> scores;            ///< per frame V*J
};

/// True for an entry whose every score is exactly 0 or 1: not a detector
/// output (pose2sim_multi's files carry one such entry per frame, 21 joints at
/// confidence 1, apparently reprojected markers; it wins the main-person
/// choice in every camera).
bool is_synthetic_entry(const crossview::io::OpenPosePerson& p) {
  for (Eigen::Index j = 0; j < p.scores.size(); ++j)
    if (p.scores[j] != 0.0 && p.scores[j] != 1.0) return false;
  return true;
}

Capture load_capture(const std::string& folder, bool detector_only = false) {
  Capture c;
  c.cameras = crossview::io::read_pose2sim_toml(shared_data("pose2sim_demo/Calib_qualisys.toml")).cameras;
  const int V = static_cast<int>(c.cameras.size());
  std::vector<std::vector<crossview::io::OpenPoseFrame>> views(static_cast<std::size_t>(V));
  std::vector<std::vector<int>> main(static_cast<std::size_t>(V));
  crossview::io::MainPersonOptions mp;
  mp.prefer_previous = true;
  for (int v = 0; v < V; ++v) {
    views[static_cast<std::size_t>(v)] =
        crossview::io::read_openpose_folder(shared_data(folder + "/pose/cam0" + std::to_string(v + 1) + "_json"), kJ);
    if (detector_only) {
      for (auto& frame : views[static_cast<std::size_t>(v)]) {
        auto& people = frame.people;
        people.erase(std::remove_if(people.begin(), people.end(), is_synthetic_entry), people.end());
      }
    }
    main[static_cast<std::size_t>(v)] = crossview::io::select_main_person(views[static_cast<std::size_t>(v)], mp);
    c.num_frames = v == 0 ? static_cast<int>(views[0].size())
                          : std::min(c.num_frames, static_cast<int>(views[static_cast<std::size_t>(v)].size()));
  }
  for (int f = 0; f < c.num_frames; ++f) {
    crossview::Points2d px = crossview::Points2d::Constant(2, V * kJ, std::numeric_limits<double>::quiet_NaN());
    Eigen::VectorXd s = Eigen::VectorXd::Zero(V * kJ);
    for (int v = 0; v < V; ++v) {
      const int p = main[static_cast<std::size_t>(v)][static_cast<std::size_t>(f)];
      if (p < 0) continue;
      const auto& person = views[static_cast<std::size_t>(v)][static_cast<std::size_t>(f)].people[static_cast<std::size_t>(p)];
      for (int j = 0; j < kJ; ++j) {
        if (!person.is_detected(j)) continue;
        px.col(v * kJ + j) = person.keypoints_px.col(j);
        s[v * kJ + j] = person.scores[j];
      }
    }
    c.keypoints_px.push_back(px);
    c.scores.push_back(s);
  }
  return c;
}

struct Summary {
  int joints = 0;                 ///< successful joints
  double mean_used_error_px = 0;  ///< mean over joints of the mean error over used views
  double median_all_error_px = 0; ///< mean over joints of the median error over all usable views
  double dropped_fraction = 0;    ///< joints that use fewer views than usable
  int fell_back = 0;              ///< kFellBackToAllViews joints
  double two_view_fraction = 0;   ///< joints determined by exactly two views
  double trc_median_mm = NAN;     ///< median 3D distance to Pose2Sim's .trc (demo only)
  double trc_mean_mm = NAN;       ///< mean 3D distance to Pose2Sim's .trc (demo only)
  double bone_cv = NAN;           ///< mean over limbs of std/mean of the limb length
  double seconds = 0;
  std::vector<char> ok;           ///< per frame*joint
  std::vector<Eigen::Vector3d> points;
};

double median_of(std::vector<double> v) {
  if (v.empty()) return NAN;
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  return v[mid];
}

/// Limbs of BODY_25B between two of the 21 joints Pose2Sim exports (no eyes
/// or ears), the bones its .trc has.
std::vector<std::pair<int, int>> marker_limbs() {
  std::vector<std::pair<int, int>> out;
  const crossview::pose::Skeleton body = crossview::pose::openpose_body25b();
  for (const auto& [a, b] : body.limbs())
    if (a > 4 && b > 4) out.emplace_back(a, b);
  return out;
}

Summary run(const Capture& c, tri::Method method) {
  tri::TriangulationOptions o;
  o.method = method;
  o.min_confidence = kMinConfidence;
  o.robust.seed = 1;  // the CLI's default seed
  Summary s;
  double used_sum = 0, all_sum = 0;
  int dropped = 0, two = 0;
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<tri::SkeletonResult> results;
  for (int f = 0; f < c.num_frames; ++f) {
    results.push_back(tri::triangulate_skeleton(c.cameras, c.keypoints_px[static_cast<std::size_t>(f)],
                                                c.scores[static_cast<std::size_t>(f)], o));
  }
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const tri::SkeletonResult& r : results) {
    for (int j = 0; j < kJ; ++j) {
      const tri::TriangulationResult& t = r.joints[static_cast<std::size_t>(j)];
      s.ok.push_back(t.ok() ? 1 : 0);
      s.points.push_back(r.points_in_world.col(j));
      if (!t.ok()) continue;
      ++s.joints;
      used_sum += t.mean_reprojection_error_px;
      std::vector<double> e;
      for (double x : t.reprojection_error_px)
        if (!std::isnan(x)) e.push_back(x);
      all_sum += median_of(e);
      if (static_cast<int>(t.used_views.size()) < t.num_usable_views) ++dropped;
      if (t.used_views.size() == 2) ++two;
      if (t.view_selection == tri::ViewSelection::kFellBackToAllViews) ++s.fell_back;
    }
  }
  s.mean_used_error_px = used_sum / std::max(1, s.joints);
  s.median_all_error_px = all_sum / std::max(1, s.joints);
  s.dropped_fraction = static_cast<double>(dropped) / std::max(1, s.joints);
  s.two_view_fraction = static_cast<double>(two) / std::max(1, s.joints);
  // Bone-length stability over the limbs of BODY_25B.
  double cv_sum = 0;
  int cv_n = 0;
  for (const auto& [a, b] : marker_limbs()) {
    std::vector<double> len;
    for (int f = 0; f < c.num_frames; ++f) {
      const std::size_t ia = static_cast<std::size_t>(f * kJ + a), ib = static_cast<std::size_t>(f * kJ + b);
      if (s.ok[ia] && s.ok[ib]) len.push_back((s.points[ia] - s.points[ib]).norm());
    }
    if (len.size() < 10) continue;
    double m = 0, q = 0;
    for (double x : len) m += x;
    m /= static_cast<double>(len.size());
    for (double x : len) q += (x - m) * (x - m);
    cv_sum += std::sqrt(q / static_cast<double>(len.size() - 1)) / m;
    ++cv_n;
  }
  s.bone_cv = cv_n > 0 ? cv_sum / cv_n : NAN;
  return s;
}

/// Distance to Pose2Sim's own triangulation of the demo (TRC row f =
/// detection file f), over the joints both have.
void add_trc_distance(const Capture& c, Summary* x) {
  static const crossview::io::TrcData trc =
      crossview::io::read_trc(shared_data("pose2sim_demo/BalancingTrial_0-100.trc"));
  std::vector<double> d;
  for (int f = 0; f < c.num_frames; ++f) {
    const Eigen::Matrix3Xd markers = trc.frame(f);
    for (int m = 0; m < trc.num_markers(); ++m) {
      const int j = crossview::io::body25b_index(trc.marker_names[static_cast<std::size_t>(m)]);
      const std::size_t i = static_cast<std::size_t>(f * kJ + j);
      if (!x->ok[i] || !markers.col(m).allFinite()) continue;
      d.push_back(1000.0 * (x->points[i] - crossview::io::trc_to_world(markers.col(m))).norm());
    }
  }
  x->trc_median_mm = median_of(d);
  double sum = 0;
  for (double v : d) sum += v;
  x->trc_mean_mm = sum / static_cast<double>(std::max<std::size_t>(1, d.size()));
}

void print(const char* capture, const char* label, const Summary& s) {
  std::printf("%-14s %-11s joints %5d  used-view error %6.2f px  median all-view error %6.2f px  "
              "dropped %5.1f %%  two-view %5.1f %%  fell back %3d  vs .trc median %5.1f mean %5.1f mm  bone CV %5.2f %%  %.3f s\n",
              capture, label, s.joints, s.mean_used_error_px, s.median_all_error_px, 100 * s.dropped_fraction,
              100 * s.two_view_fraction, s.fell_back, s.trc_median_mm, s.trc_mean_mm, 100 * s.bone_cv, s.seconds);
}

/// The bar of issue 20 on one capture; returns (dlt, robust, robust_dlt).
std::vector<Summary> check_capture(const char* name, const Capture& c) {
  std::vector<Summary> out;
  for (tri::Method m : {tri::Method::kDlt, tri::Method::kRobust, tri::Method::kRobustDlt}) out.push_back(run(c, m));
  const Summary& dlt = out[0];
  const Summary& def = out[2];
  INFO(name);
  // Never refuses a joint the all-view DLT triangulates.
  int lost = 0;
  for (std::size_t i = 0; i < dlt.ok.size(); ++i)
    if (dlt.ok[i] && !def.ok[i]) ++lost;
  CHECK(lost == 0);
  CHECK(def.joints >= dlt.joints);
  // No worse reprojection error: over the views each method used, and (so
  // that dropping views is not what makes it lower) the median over every
  // usable view of the joint.
  CHECK(def.mean_used_error_px <= dlt.mean_used_error_px);
  CHECK(def.median_all_error_px <= dlt.median_all_error_px);
  return out;
}

}  // namespace

TEST_CASE("triangulation default (robust_dlt): Pose2Sim demo vs dlt, robust and Pose2Sim's .trc",
          "[triangulation][real][robust_dlt]") {
  const Capture c = load_capture("pose2sim_demo");
  REQUIRE(c.num_frames == 100);
  std::vector<Summary> s = check_capture("pose2sim_demo", c);
  for (Summary& x : s) add_trc_distance(c, &x);
  const char* labels[] = {"dlt", "robust", "robust_dlt"};
  for (std::size_t k = 0; k < s.size(); ++k) print("pose2sim_demo", labels[k], s[k]);
  // Agreement with Pose2Sim's result: no further from it than the all-view DLT
  // (1 mm: the median of ~2000 distances moves by that much between runs of
  // equivalent methods; today's robust is 11 mm further).
  CHECK(s[2].trc_median_mm <= s[0].trc_median_mm + 1.0);
  // Bone-length stability: better than the former default; NOT as stable as
  // the all-view DLT (views dropped leave two-view joints, whose depth is
  // noisier): measured 10.8 % vs dlt 7.2 % vs robust 16.0 %. Reported.
  CHECK(s[2].bone_cv < s[1].bone_cv);
  CHECK_NOFAIL(s[2].bone_cv <= s[0].bone_cv);
}

TEST_CASE("triangulation default (robust_dlt): Pose2Sim multi-person capture (main person) vs dlt and robust",
          "[triangulation][real][robust_dlt]") {
  const char* labels[] = {"dlt", "robust", "robust_dlt"};
  {
    // As the CLI reads it: the main person is the all-1.0 entry in every view.
    const Capture c = load_capture("pose2sim_multi");
    REQUIRE(c.num_frames == 100);
    const std::vector<Summary> s = check_capture("pose2sim_multi", c);
    for (std::size_t k = 0; k < s.size(); ++k) print("pose2sim_multi", labels[k], s[k]);
  }
  {
    // Detector output only: the main real detection per camera (adult or
    // child, not associated across views: mismatched views are outliers).
    const Capture c = load_capture("pose2sim_multi", true);
    REQUIRE(c.num_frames == 100);
    const std::vector<Summary> s = check_capture("pose2sim_multi openpose-only", c);
    for (std::size_t k = 0; k < s.size(); ++k) print("multi-openpose", labels[k], s[k]);
  }
}
