// `crossview triangulate` on synthetic multi-person captures written as files
// (a crossview rig + one OpenPose JSON folder per camera): every output person
// is one simulated person in every frame (no identity switch, no mixture),
// every person is found, one TRC per person, and --single-person refuses
// frames where several people are present instead of mixing them.
#include <crossview/io/rig.hpp>
#include <crossview/io/trc.hpp>
#include <crossview/pose/skeletons.hpp>
#include <crossview/sim/multi_person.hpp>

#include <crossview_test/multi_person.hpp>

#include <catch2/catch.hpp>

#include <unistd.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
namespace sim = crossview::sim;
using crossview::Points3d;

namespace {

constexpr int kJoints = 17;

struct Capture {
  int num_joints = kJoints;
  sim::MultiPersonScene scene;
  std::string dir;
  std::vector<std::string> folders;
};

Capture write_scene(const std::string& name, std::vector<Points3d> poses, int frames, int false_positives,
                    std::uint64_t seed, bool body25, int written_joints);

Capture write_capture(const std::string& name, int people, int frames, int false_positives, std::uint64_t seed,
                      bool body25 = false, int written_joints = 0) {
  sim::ArrangeOptions ao;
  ao.num_people = people;
  ao.num_frames = frames;
  ao.area_side = 3000.0;
  ao.min_separation = 600.0;
  ao.source_stride = 2;
  ao.seed = seed;
  const std::vector<double> scales = {1.0, 0.75, 1.08, 0.92};
  ao.scales.assign(scales.begin(), scales.begin() + people);
  auto poses = sim::arrange_people(crossview_test::procedural_sources(people, 4 * frames), kJoints, ao);
  return write_scene(name, std::move(poses), frames, false_positives, seed, body25, written_joints);
}

/// The capture of `poses` (H36M-17, mm, Z up) seen by a ring of 4 cameras:
/// a crossview rig (mm) and one OpenPose folder per camera.
Capture write_scene(const std::string& name, std::vector<Points3d> poses, int frames, int false_positives,
                    std::uint64_t seed, bool body25, int written_joints) {
  const int J = body25 ? 25 : kJoints;
  if (body25) {
    for (auto& p : poses) p = sim::body25_from_h36m_17(p);
  }
  sim::MultiPersonOptions o;
  o.body = body25 ? sim::body25_body() : sim::h36m_17_body();
  o.noise_px = 1.5;
  o.missing_rate = 0.05;
  o.false_positives_per_view = false_positives;
  o.false_positive_kinds = {1.0, 1.0, 0.0};
  o.seed = seed;
  Capture c;
  c.scene = sim::make_multi_person_scene(crossview_test::ring_cameras(4), poses, J, o);
  c.num_joints = J;
  c.dir = std::string(CROSSVIEW_CLI_TEST_DIR) + "/" + name;
  fs::remove_all(c.dir);
  fs::create_directories(c.dir);
  crossview::io::Rig rig;
  rig.cameras = c.scene.cameras;
  rig.length_unit = "mm";
  crossview::io::write_rig_json(rig, c.dir + "/rig.json");
  for (std::size_t v = 0; v < c.scene.cameras.size(); ++v) {
    const std::string cam = "cam0" + std::to_string(v + 1);
    const std::string folder = c.dir + "/" + cam;
    fs::create_directories(folder);
    c.folders.push_back(folder);
    for (int f = 0; f < frames; ++f) {
      const sim::SimView& view = c.scene.frames[static_cast<std::size_t>(f)][v];
      nlohmann::json list = nlohmann::json::array();
      for (int d = 0; d < view.num_detections(); ++d) {
        std::vector<double> flat;
        for (int j = 0; j < (written_joints > 0 ? written_joints : J); ++j) {
          const Eigen::Index col = static_cast<Eigen::Index>(d) * J + j;
          const bool ok = view.keypoints_px.col(col).allFinite() && view.scores(col) > 0.0;
          flat.push_back(ok ? view.keypoints_px(0, col) : 0.0);
          flat.push_back(ok ? view.keypoints_px(1, col) : 0.0);
          flat.push_back(ok ? view.scores(col) : 0.0);
        }
        list.push_back({{"person_id", {-1}}, {"pose_keypoints_2d", flat}});
      }
      char file[64];
      std::snprintf(file, sizeof file, "/%s.%04d.json", cam.c_str(), f);
      std::ofstream(folder + file) << nlohmann::json{{"version", 1.3}, {"people", list}}.dump();
    }
  }
  return c;
}

/// Runs the CLI; returns its exit status, stdout in *out.
int run_cli(const std::string& args, std::string* out) {
  // One file per process: ctest runs the test cases of this binary in parallel.
  const std::string stdout_file =
      std::string(CROSSVIEW_CLI_TEST_DIR) + "/cli_stdout." + std::to_string(::getpid()) + ".txt";
  const std::string command = std::string("\"") + CROSSVIEW_CLI_PATH + "\" " + args + " > \"" + stdout_file + "\" 2>&1";
  const int status = std::system(command.c_str());
  std::ifstream in(stdout_file);
  std::stringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  in.close();
  std::remove(stdout_file.c_str());
  return status == 0 ? 0 : 1;
}


/// One person walking with planted feet (H36M-17 joints, mm, Z up, floor at
/// z = 0, `fps` Hz) at 1.1 m/s along `path` (arc length mm -> floor point):
/// each foot stands still for 60 % of a 1.2 m stride (the ankle keypoint
/// 80 mm above the floor, as FloorOptions expects) and swings for 40 %
/// (lifted up to 120 mm); knees by two-link inverse kinematics.
template <class Path>
Points3d planted_walker(int frames, const Path& path, double fps = 30.0) {
  constexpr double kPi = 3.14159265358979323846;
  const Eigen::Vector3d up = Eigen::Vector3d::UnitZ();
  const auto at = [&](double s) {
    const Eigen::Vector2d p = path(s);
    return Eigen::Vector3d(p.x(), p.y(), 0.0);
  };
  const auto tangent = [&](double s) { return Eigen::Vector3d((at(s + 5.0) - at(s - 5.0)).normalized()); };
  Points3d x(3, static_cast<Eigen::Index>(frames) * kJoints);
  for (int f = 0; f < frames; ++f) {
    const double b = 1100.0 * f / fps;  // the body's arc length
    const Eigen::Vector3d forward = tangent(b);
    const Eigen::Vector3d right = forward.cross(up);
    const Eigen::Vector3d root = at(b) + up * 860.0;
    const auto set = [&](int j, const Eigen::Vector3d& p) { x.col(static_cast<Eigen::Index>(f) * kJoints + j) = p; };
    set(0, root);
    for (int side = 0; side < 2; ++side) {  // 0 right (joints 1-3), 1 left (4-6)
      const double offset = 600.0 * side, u = b - offset;
      const double k = std::floor((u + 360.0) / 1200.0), w = u - 1200.0 * k;
      double s = 1200.0 * k + offset, lift = 0.0;
      if (w >= 360.0) {  // swing to the next plant
        const double a = (w - 360.0) / 480.0;
        s += 1200.0 * (0.5 - 0.5 * std::cos(kPi * a));
        lift = 120.0 * std::sin(kPi * a);
      }
      const Eigen::Vector3d t = tangent(s);
      const Eigen::Vector3d foot_right = t.cross(up);
      const Eigen::Vector3d ankle = at(s) + (side == 0 ? 100.0 : -100.0) * foot_right + up * (80.0 + lift);
      const Eigen::Vector3d hip = root + (side == 0 ? 125.0 : -125.0) * right;
      const double l1 = 440.0, l2 = 430.0;
      const Eigen::Vector3d d = ankle - hip;
      const double n = std::min(d.norm(), l1 + l2 - 1e-3);
      const Eigen::Vector3d dir = d.normalized();
      const double a = (l1 * l1 - l2 * l2 + n * n) / (2.0 * n);
      const Eigen::Vector3d bend = (forward - forward.dot(dir) * dir).normalized();
      const Eigen::Vector3d knee = hip + a * dir + std::sqrt(std::max(0.0, l1 * l1 - a * a)) * bend;
      set(side == 0 ? 1 : 4, hip);
      set(side == 0 ? 2 : 5, knee);
      set(side == 0 ? 3 : 6, ankle);
    }
    const Eigen::Vector3d belly = root + up * 230.0 + forward * 15.0;
    const Eigen::Vector3d neck = belly + up * 250.0 + forward * 10.0;
    set(7, belly);
    set(8, neck);
    set(9, neck + up * 95.0 + forward * 85.0);
    set(10, neck + up * 215.0 + forward * 45.0);
    for (int side = 0; side < 2; ++side) {  // 0 left arm (11-13), 1 right arm (14-16)
      const double sign = side == 0 ? -1.0 : 1.0;
      const double swing = 0.3 * std::sin(2.0 * kPi * b / 1200.0 + (side == 0 ? 0.0 : kPi));
      const Eigen::Vector3d sho = neck + sign * 165.0 * right - up * 25.0;
      const Eigen::Vector3d elb = sho + 280.0 * (-std::cos(swing) * up + std::sin(swing) * forward) + sign * 40.0 * right;
      const Eigen::Vector3d wri = elb + 250.0 * (-std::cos(swing + 0.3) * up + std::sin(swing + 0.3) * forward);
      set(side == 0 ? 11 : 14, sho);
      set(side == 0 ? 12 : 15, elb);
      set(side == 0 ? 13 : 16, wri);
    }
  }
  return x;
}

/// Angle (deg) between the aligned rig's +z and the truth's +z: the rotation
/// new world <- true world, from every camera (R_new^T R_true), averaged.
double up_error_deg(const crossview::io::Rig& aligned, const std::vector<crossview::camera::Camera>& truth) {
  Eigen::Vector3d up = Eigen::Vector3d::Zero();
  for (std::size_t i = 0; i < truth.size(); ++i) {
    up += aligned.cameras[i].cam_from_world.rotation.conjugate() * (truth[i].cam_from_world.rotation * Eigen::Vector3d::UnitZ());
  }
  return std::acos(std::clamp(up.normalized().z(), -1.0, 1.0)) * 180.0 / 3.14159265358979323846;
}

std::string calibrate_args(const Capture& c, const std::string& extra) {
  std::string a = "calibrate --intrinsics " + c.dir + "/rig.json --skeleton h36m_17 --keypoints";
  for (const auto& f : c.folders) a += " " + f;
  return a + " " + extra;
}

nlohmann::json json_of(const std::string& out) {
  const std::size_t at = out.find('{');
  REQUIRE(at != std::string::npos);
  return nlohmann::json::parse(out.substr(at));
}

std::string triangulate_args(const Capture& c, const std::string& outputs, const std::string& extra,
                             const std::string& skeleton = "h36m_17") {
  std::string a = "triangulate --calib " + c.dir + "/rig.json --keypoints";
  for (const auto& f : c.folders) a += " " + f;
  return a + " --skeleton " + skeleton + " --rate 30 --out " + outputs + " " + extra;
}

}  // namespace

TEST_CASE("triangulate: several people keep one identity each, never mixed", "[cli][multi_person]") {
  const int frames = 40, people = 3;
  const Capture c = write_capture("multi3", people, frames, 1, 5);
  std::string out;
  REQUIRE(run_cli(triangulate_args(c, c.dir + "/poses.json " + c.dir + "/poses.trc", "--json"), &out) == 0);
  const nlohmann::json summary = nlohmann::json::parse(out);
  CHECK(summary.at("mode") == "multi-person");

  std::ifstream in(c.dir + "/poses.json");
  const nlohmann::json doc = nlohmann::json::parse(in);
  REQUIRE(doc.at("version") == 2);
  CHECK(doc.at("unit") == "mm");
  CHECK(doc.at("skeleton") == "H36M_17");
  std::map<int, int> truth_of_output;  // output id -> simulated person
  std::map<int, int> frames_of_truth;
  int mixed = 0, switches = 0, compared = 0;
  for (const auto& person : doc.at("people")) {
    const int id = person.at("id").get<int>();
    CHECK(fs::exists(c.dir + "/poses_P" + std::to_string(id) + ".trc"));
    for (const auto& frame : person.at("frames")) {
      const int f = frame.at("frame").get<int>();
      // The simulated person nearest to this output, joint by joint.
      int best = -1;
      double best_error = 1e300;
      for (int p = 0; p < people; ++p) {
        double sum = 0.0;
        int n = 0;
        for (int j = 0; j < kJoints; ++j) {
          const auto& x = frame.at("joints")[static_cast<std::size_t>(j)];
          const Eigen::Vector3d g = c.scene.poses_in_world[static_cast<std::size_t>(p)].col(f * kJoints + j);
          if (x.is_null() || !g.allFinite()) continue;
          sum += (Eigen::Vector3d(x[0].get<double>(), x[1].get<double>(), x[2].get<double>()) - g).norm();
          ++n;
        }
        if (n > 0 && sum / n < best_error) {
          best_error = sum / n;
          best = p;
        }
      }
      ++compared;
      // A mixture of two people is far (hundreds of mm) from both on average.
      if (!(best_error < 60.0)) ++mixed;
      const auto it = truth_of_output.find(id);
      if (it == truth_of_output.end()) {
        truth_of_output[id] = best;
      } else if (it->second != best) {
        ++switches;
      }
      ++frames_of_truth[best];
    }
  }
  INFO(out);
  CHECK(compared > 0);
  CHECK(mixed == 0);
  CHECK(switches == 0);
  // Every simulated person is one output person, present in (nearly) every frame.
  CHECK(static_cast<int>(truth_of_output.size()) == people);
  std::map<int, int> outputs_of_truth;
  for (const auto& [id, p] : truth_of_output) ++outputs_of_truth[p];
  for (int p = 0; p < people; ++p) {
    CHECK(outputs_of_truth[p] == 1);
    CHECK(frames_of_truth[p] >= frames - 3);
  }
  CHECK(!fs::exists(c.dir + "/poses.trc"));  // one TRC per person instead
  CHECK(summary.at("people").size() == static_cast<std::size_t>(people));

  // --max-people 2 keeps two of them and reports the third as dropped.
  REQUIRE(run_cli(triangulate_args(c, c.dir + "/two.json", "--max-people 2 --json"), &out) == 0);
  const nlohmann::json two = nlohmann::json::parse(out);
  CHECK(two.at("people").size() == 2);
  CHECK(two.at("dropped_people").size() == 1);

  // --single-person never picks or mixes one of several people: every frame
  // is refused, nothing is triangulated, and the command fails saying so.
  REQUIRE(run_cli(triangulate_args(c, c.dir + "/single.json", "--single-person"), &out) == 1);
  CHECK(out.find("refused") != std::string::npos);
  CHECK(!fs::exists(c.dir + "/single.json"));
}

TEST_CASE("triangulate --single-person on one person with false positives", "[cli][multi_person]") {
  const int frames = 20;
  const Capture c = write_capture("single1", 1, frames, 1, 9);
  std::string out;
  REQUIRE(run_cli(triangulate_args(c, c.dir + "/one.json", "--single-person --json"), &out) == 0);
  const nlohmann::json summary = nlohmann::json::parse(out);
  CHECK(summary.at("refused_frames") == 0);
  CHECK(summary.at("frames_with_people").get<int>() >= frames - 1);
  std::ifstream in(c.dir + "/one.json");
  const nlohmann::json doc = nlohmann::json::parse(in);
  CHECK(doc.at("version") == 1);  // the single-person format, readable by old readers
  CHECK(doc.at("frames").size() == static_cast<std::size_t>(frames));
}

TEST_CASE("calibrate on a multi-person capture: a verified rig or a refusal, never a wrong rig", "[cli][multi_person]") {
  // Several people in every view: no view ever sees one person alone, so the
  // selection falls back to each view's most confident person (often a
  // different person per view); the verification must then refuse, or the
  // rig must be right.
  const Capture c = write_capture("calib3", 3, 60, 1, 11);
  std::string out;
  const std::string args = "calibrate --intrinsics " + c.dir + "/rig.json --skeleton h36m_17 --json --keypoints " +
                           c.folders[0] + " " + c.folders[1] + " " + c.folders[2] + " " + c.folders[3] + " --out " +
                           c.dir + "/calibrated.json";
  const int rc = run_cli(args, &out);
  INFO(out);
  if (rc == 0) {
    const nlohmann::json summary = json_of(out);
    for (const auto& cam : summary.at("cameras")) CHECK(cam.at("rotation_error_deg").get<double>() < 2.0);
    CHECK(fs::exists(c.dir + "/calibrated.json"));
  } else {
    CHECK((out.find("rig refused") != std::string::npos || out.find("rig not calibrated") != std::string::npos));
    CHECK(!fs::exists(c.dir + "/calibrated.json"));
  }

  // One person with a false positive now and then: calibrated and verified.
  const Capture one = write_capture("calib1", 1, 60, 0, 13);
  const std::string args1 = "calibrate --intrinsics " + one.dir + "/rig.json --skeleton h36m_17 --json --keypoints " +
                            one.folders[0] + " " + one.folders[1] + " " + one.folders[2] + " " + one.folders[3];
  REQUIRE(run_cli(args1, &out) == 0);
  const nlohmann::json s1 = json_of(out);
  CHECK(s1.at("frames_consistent").get<int>() >= 0.9 * s1.at("frames_checked").get<int>());
  for (const auto& cam : s1.at("cameras")) CHECK(cam.at("rotation_error_deg").get<double>() < 1.0);
}

TEST_CASE("calibrate: BODY_25 gets its metric scale from the skeleton's height segments", "[cli][multi_person]") {
  const Capture c = write_capture("calib_body25", 1, 60, 0, 17, true);
  // The person's height as the BODY_25 height segments measure it on the ground truth (mm).
  const crossview::pose::Skeleton skeleton = crossview::pose::builtin_skeleton("BODY_25");
  REQUIRE(!skeleton.height_segments().empty());
  std::vector<double> heights;
  for (const auto& seg : skeleton.height_segments()) {
    std::vector<double> l;
    const Points3d& X = c.scene.poses_in_world[0];
    for (int f = 0; f < c.scene.num_frames; ++f) {
      l.push_back((X.col(f * 25 + seg.joint_a) - X.col(f * 25 + seg.joint_b)).norm());
    }
    std::sort(l.begin(), l.end());
    heights.push_back(l[l.size() / 2] / seg.fraction);
  }
  std::sort(heights.begin(), heights.end());
  const double height_m = 0.5 * (heights[(heights.size() - 1) / 2] + heights[heights.size() / 2]) / 1000.0;
  std::string out;
  const std::string args = "calibrate --intrinsics " + c.dir + "/rig.json --skeleton body_25 --json --height " +
                           std::to_string(height_m) + " --keypoints " + c.folders[0] + " " + c.folders[1] + " " +
                           c.folders[2] + " " + c.folders[3];
  REQUIRE(run_cli(args, &out) == 0);
  INFO(out);
  const nlohmann::json s = json_of(out);
  CHECK(s.at("length_unit") == "m");
  CHECK(s.at("skeleton") == "BODY_25");
  // Camera centres (metres) against the truth (millimetres): the baselines' ratio.
  const auto centre = [&](int i) {
    const auto& cam = s.at("cameras")[static_cast<std::size_t>(i)];
    const Eigen::Quaterniond q(cam.at("rotation_wxyz")[0].get<double>(), cam.at("rotation_wxyz")[1].get<double>(),
                               cam.at("rotation_wxyz")[2].get<double>(), cam.at("rotation_wxyz")[3].get<double>());
    const Eigen::Vector3d t(cam.at("translation")[0].get<double>(), cam.at("translation")[1].get<double>(),
                            cam.at("translation")[2].get<double>());
    return Eigen::Vector3d(-(q.conjugate() * t));
  };
  for (int i = 1; i < 4; ++i) {
    const double estimated = (centre(i) - centre(0)).norm();
    const double truth =
        (c.scene.cameras[static_cast<std::size_t>(i)].center_in_world() - c.scene.cameras[0].center_in_world()).norm() /
        1000.0;
    CHECK(std::abs(estimated / truth - 1.0) < 0.02);
  }
}

TEST_CASE("a custom skeleton file runs triangulate, calibrate and eval end to end", "[cli][skeleton]") {
  const Capture c = write_capture("custom_skeleton", 1, 40, 0, 19);
  // The H36M_17 joints under a custom name, limbs only (no height segments, no priors).
  const crossview::pose::Skeleton h36m = crossview::pose::builtin_skeleton("H36M_17");
  nlohmann::json limbs = nlohmann::json::array();
  for (const auto& [a, b] : h36m.limbs()) limbs.push_back({h36m.name(a), h36m.name(b)});
  const std::string skeleton_path = c.dir + "/my_body.json";
  std::ofstream(skeleton_path) << nlohmann::json{{"name", "my_body"}, {"joints", h36m.names()}, {"limbs", limbs}}.dump();
  std::string out;
  REQUIRE(run_cli(triangulate_args(c, c.dir + "/p.json", "--json", skeleton_path), &out) == 0);
  nlohmann::json s = nlohmann::json::parse(out);
  CHECK(s.at("skeleton") == "my_body");
  CHECK(s.at("skeleton_origin").get<std::string>().find("explicit") != std::string::npos);
  // eval matches the joints by name against the ground truth written as a poses file.
  {
    nlohmann::json truth = {{"format", "crossview.poses"}, {"version", 1}, {"unit", "mm"}, {"frame", "world"},
                            {"joint_names", h36m.names()}, {"frames", nlohmann::json::array()}};
    for (int f = 0; f < c.scene.num_frames; ++f) {
      nlohmann::json joints = nlohmann::json::array();
      for (int j = 0; j < kJoints; ++j) {
        const Eigen::Vector3d x = c.scene.poses_in_world[0].col(f * kJoints + j);
        joints.push_back({x.x(), x.y(), x.z()});
      }
      truth["frames"].push_back({{"frame", f}, {"joints", joints}});
    }
    std::ofstream(c.dir + "/truth.json") << truth.dump();
  }
  REQUIRE(run_cli("eval --pred " + c.dir + "/p.json --gt " + c.dir + "/truth.json --json", &out) == 0);
  s = nlohmann::json::parse(out);
  CHECK(s.at("frames") == 40);
  CHECK(s.at("joints") == kJoints);
  CHECK(s.at("mpjpe_mm").get<double>() < 30.0);
  // calibrate with the file's limbs: verified, the scale arbitrary (said so).
  const std::string args = "calibrate --intrinsics " + c.dir + "/rig.json --skeleton " + skeleton_path +
                           " --json --keypoints " + c.folders[0] + " " + c.folders[1] + " " + c.folders[2] + " " +
                           c.folders[3];
  REQUIRE(run_cli(args, &out) == 0);
  s = nlohmann::json::parse(out.substr(out.find('{')));
  CHECK(s.at("skeleton") == "my_body");
  CHECK(s.at("length_unit") == "arbitrary");
  CHECK(s.at("scale") == "arbitrary");
  for (const auto& cam : s.at("cameras")) CHECK(cam.at("rotation_error_deg").get<double>() < 1.0);
  // No feet named: the world stays camera 1's frame, said why; --align-floor is refused before any work.
  CHECK(s.at("world").at("frame") == "camera");
  CHECK(s.at("world").at("evidence").get<std::string>().find("names no feet") != std::string::npos);
  CHECK(s.at("floor").is_null());
  CHECK(run_cli(args + " --align-floor", &out) == 1);
  CHECK(out.find("cannot align the floor: skeleton my_body names no feet") != std::string::npos);
}

TEST_CASE("triangulate: a joint count no built-in skeleton has gives unnamed joints", "[cli][skeleton]") {
  const Capture c = write_capture("unnamed15", 1, 10, 0, 23, false, 15);
  std::string out;
  std::string args = "triangulate --calib " + c.dir + "/rig.json --out " + c.dir + "/u.json --json --keypoints";
  for (const auto& f : c.folders) args += " " + f;
  REQUIRE(run_cli(args, &out) == 0);
  INFO(out);
  const nlohmann::json s = nlohmann::json::parse(out);
  CHECK(s.at("joints") == 15);
  CHECK(s.at("triangulated").get<int>() > 100);
  std::ifstream in(c.dir + "/u.json");
  const nlohmann::json doc = nlohmann::json::parse(in);
  CHECK(doc.at("joint_names")[0] == "0");
  CHECK(doc.at("joint_names")[14] == "14");
  // calibrate needs a skeleton's limbs: an error, not a guess.
  std::string cal = "calibrate --intrinsics " + c.dir + "/rig.json --keypoints";
  for (const auto& f : c.folders) cal += " " + f;
  CHECK(run_cli(cal, &out) == 1);
  CHECK(out.find("skeleton") != std::string::npos);
}

TEST_CASE("calibrate aligns the world with the floor under the people's feet", "[cli][multi_person][floor]") {
  // One person walking a circle of radius 1.5 m with planted feet: the feet
  // cover the floor in both directions, so its tilt is fixed.
  const int frames = 240;
  const auto circle = [](double s) { return Eigen::Vector2d(1500.0 * std::cos(s / 1500.0), 1500.0 * std::sin(s / 1500.0)); };
  const Capture c = write_scene("floor_circle", {planted_walker(frames, circle)}, frames, 0, 31, false, 0);
  std::string out;
  REQUIRE(run_cli(calibrate_args(c, "--rate 30 --json --out " + c.dir + "/aligned.json"), &out) == 0);
  INFO(out);
  const nlohmann::json s = json_of(out);
  CHECK(s.at("world").at("frame") == "floor");
  CHECK(s.at("world").at("up") == "+z");
  const nlohmann::json& floor = s.at("floor");
  CHECK(floor.at("status") == "success");
  CHECK(floor.at("applied") == true);
  CHECK(floor.at("rate_origin") == "--rate");
  CHECK(floor.at("people").get<int>() == 1);
  CHECK(floor.at("tilt_uncertainty_deg").get<double>() < 2.0);
  CHECK(s.at("world").at("tilt_uncertainty_deg") == floor.at("tilt_uncertainty_deg"));
  // The rig file: the aligned cameras and the world's provenance.
  const crossview::io::Rig rig = crossview::io::read_rig_json(c.dir + "/aligned.json");
  CHECK(rig.world.frame == "floor");
  CHECK(rig.world.up == "+z");
  CHECK(rig.world.camera == c.scene.cameras[0].name());
  CHECK(rig.world.estimated_by.find("--align-floor") != std::string::npos);
  CHECK(rig.world.evidence == floor.at("message").get<std::string>());
  CHECK(rig.world.tilt_uncertainty_deg == Approx(floor.at("tilt_uncertainty_deg").get<double>()));
  const double up_error = up_error_deg(rig, c.scene.cameras);
  WARN("up-axis error of the aligned rig: " << up_error << " deg (tilt uncertainty "
                                             << floor.at("tilt_uncertainty_deg").get<double>() << " deg)");
  CHECK(up_error < 1.0);
  // Camera heights above the floor (metres) against the truth (mm, floor z = 0), 3 %.
  for (std::size_t i = 0; i < rig.size(); ++i) {
    CHECK(rig.cameras[i].center_in_world().z() ==
          Approx(c.scene.cameras[i].center_in_world().z() / 1000.0).epsilon(0.03));
  }
  // x = camera 1's viewing direction on the floor.
  const Eigen::Vector3d view = rig.cameras[0].cam_from_world.rotation.conjugate() * Eigen::Vector3d::UnitZ();
  CHECK(std::abs(view.y()) < 1e-9);
  CHECK(view.x() > 0.0);

  // triangulate with that rig: an upright TRC (Y up), feet on the floor.
  std::string args = "triangulate --calib " + c.dir + "/aligned.json --skeleton h36m_17 --rate 30 --single-person --out " +
                     c.dir + "/walk.trc --keypoints";
  for (const auto& f : c.folders) args += " " + f;
  REQUIRE(run_cli(args, &out) == 0);
  const crossview::io::TrcData trc = crossview::io::read_trc(c.dir + "/walk.trc");
  REQUIRE(trc.num_frames() == frames);
  std::vector<double> ankle_y, head_over_ankles;
  for (int f = 0; f < trc.num_frames(); ++f) {
    const auto m = trc.frame(f);
    const double ankles = 0.5 * (m(1, 3) + m(1, 6));
    if (!std::isfinite(ankles) || !std::isfinite(m(1, 10))) continue;
    ankle_y.push_back(std::min(m(1, 3), m(1, 6)));
    head_over_ankles.push_back(m(1, 10) - ankles);
  }
  REQUIRE(ankle_y.size() > static_cast<std::size_t>(frames) * 9 / 10);
  std::sort(ankle_y.begin(), ankle_y.end());
  std::sort(head_over_ankles.begin(), head_over_ankles.end());
  CHECK(ankle_y[ankle_y.size() / 2] == Approx(0.08).margin(0.02));  // the standing ankle 8 cm above the floor
  CHECK(ankle_y.front() > 0.04);
  CHECK(head_over_ankles.front() > 1.2);  // upright in every frame

  // --no-align-floor keeps camera 1's frame (and says so in the file).
  REQUIRE(run_cli(calibrate_args(c, "--no-align-floor --json --out " + c.dir + "/camera.toml"), &out) == 0);
  const nlohmann::json kept = json_of(out);
  CHECK(kept.at("world").at("frame") == "camera");
  CHECK(kept.at("floor").is_null());
  const crossview::io::Rig camera_rig = crossview::io::read_pose2sim_toml(c.dir + "/camera.toml");
  CHECK(camera_rig.world.frame == "camera");
  CHECK(camera_rig.world.camera == c.scene.cameras[0].name());
  CHECK(camera_rig.world.evidence.find("--no-align-floor") != std::string::npos);
  CHECK(camera_rig.cameras[0].cam_from_world.translation.norm() < 1e-9);
  CHECK(camera_rig.cameras[0].cam_from_world.rotation.angularDistance(Eigen::Quaterniond::Identity()) < 1e-9);
}

TEST_CASE("calibrate: feet that cannot fix the floor keep camera 1's frame, with a warning", "[cli][multi_person][floor]") {
  // Walking a straight line: the feet cover a 0.2 m wide strip, too narrow
  // to fix the floor's tilt about it.
  const int frames = 120;
  const auto line = [](double s) { return Eigen::Vector2d(-1800.0 + s, 300.0); };
  const Capture c = write_scene("floor_line", {planted_walker(frames, line)}, frames, 0, 37, false, 0);
  std::string out;
  // Default: a warning, the rig in camera 1's frame (no rate known: 60 Hz assumed, said so).
  REQUIRE(run_cli(calibrate_args(c, "--json --out " + c.dir + "/rig_out.json"), &out) == 0);
  INFO(out);
  CHECK(out.find("warning: floor underdetermined") != std::string::npos);
  const nlohmann::json s = json_of(out);
  CHECK(s.at("world").at("frame") == "camera");
  CHECK(s.at("floor").at("status").get<std::string>().rfind("underdetermined", 0) == 0);
  CHECK(s.at("floor").at("applied") == false);
  CHECK(s.at("floor").at("tilt_uncertainty_deg").get<double>() > 2.0);
  CHECK(s.at("floor").at("rate_origin").get<std::string>().find("assumed") != std::string::npos);
  CHECK(s.at("floor").at("rate_hz").get<double>() == 60.0);
  const crossview::io::Rig rig = crossview::io::read_rig_json(c.dir + "/rig_out.json");
  CHECK(rig.world.frame == "camera");
  CHECK(rig.world.evidence.find("underdetermined") != std::string::npos);
  CHECK(rig.cameras[0].cam_from_world.translation.norm() < 1e-9);
  // Asked for explicitly: refused (exit 1), nothing written.
  REQUIRE(run_cli(calibrate_args(c, "--align-floor --rate 30 --out " + c.dir + "/forced.json"), &out) == 1);
  CHECK(out.find("--align-floor: floor underdetermined") != std::string::npos);
  CHECK(!fs::exists(c.dir + "/forced.json"));
}
