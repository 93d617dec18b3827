#include "fixtures.hpp"

#include "report/pipeline.hpp"

#include <crossview/io/openpose.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/io/trc.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/sim/scene.hpp>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <random>
#include <stdexcept>

namespace crossview::report::test {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Skeleton skeleton_of(const pose::Skeleton& s) {
  Skeleton out;
  out.name = s.model_name();
  out.joint_names = s.names();
  out.limbs = s.limbs();
  return out;
}

/// Centered moving average over `window` frames of the finite values.
Layer moving_average(const Layer& in, int num_joints, int window, const std::string& method) {
  Layer out;
  out.method = method;
  out.kind = LayerKind::kFiltered;
  const Eigen::Index J = num_joints, F = in.joints_in_world.cols() / J;
  out.joints_in_world.setConstant(3, F * J, kNaN);
  for (Eigen::Index f = 0; f < F; ++f) {
    for (Eigen::Index j = 0; j < J; ++j) {
      if (!in.joints_in_world.col(f * J + j).allFinite()) continue;
      Eigen::Vector3d sum = Eigen::Vector3d::Zero();
      int n = 0;
      for (Eigen::Index g = std::max<Eigen::Index>(0, f - window / 2); g <= std::min(F - 1, f + window / 2); ++g) {
        if (in.joints_in_world.col(g * J + j).allFinite()) {
          sum += in.joints_in_world.col(g * J + j);
          ++n;
        }
      }
      out.joints_in_world.col(f * J + j) = sum / n;
    }
  }
  return out;
}

/// Triangulates person `id` in every frame with `options`.
Layer triangulate_person(const Run& run, int id, const std::string& method, LayerKind kind,
                         const triangulation::TriangulationOptions& options) {
  std::vector<triangulation::SkeletonResult> frames(static_cast<std::size_t>(run.num_frames));
  Points2d px;
  Eigen::VectorXd sc;
  for (int f = 0; f < run.num_frames; ++f) {
    person_detections(run, f, id, &px, &sc);
    frames[static_cast<std::size_t>(f)] = triangulate_frame(run.cameras, px, sc, options);
  }
  return layer_from_triangulation(method, kind, frames, run.num_joints, run.num_views());
}

/// View v of a simulated frame (packed 2 x (V*17), scores 0 = missed) as one person's detection.
ViewDetections single_person(const sim::FrameDetections& frame, int v) {
  ViewDetections d;
  const Eigen::Index J = pose::h36m::kNumJoints;
  d.pixels_px.resize(2, J);
  d.scores.resize(J);
  for (Eigen::Index j = 0; j < J; ++j) {
    const Eigen::Index c = static_cast<Eigen::Index>(v) * J + j;
    const bool seen = frame.scores[c] > 0.0;
    d.pixels_px.col(j) = seen ? Eigen::Vector2d(frame.keypoints_px.col(c)) : Eigen::Vector2d::Constant(kNaN);
    d.scores[j] = seen ? std::min(1.0, frame.scores[c]) : 0.0;
  }
  d.person_ids = {0};
  return d;
}

}  // namespace

Run synthetic_run(const SyntheticRunOptions& o) {
  sim::SceneOptions so;
  so.num_frames = o.frames;
  so.num_cameras = o.cameras;
  so.seed = o.seed;
  so.noise_px = o.noise_px;
  so.outlier_rate = o.outlier_rate;
  const sim::Scene scene = sim::make_scene(so);
  const pose::Skeleton skeleton = pose::human36m_17();
  Run run;
  run.title = "crossview synthetic scene";
  run.skeleton = skeleton_of(skeleton);
  run.num_joints = skeleton.num_joints();
  run.num_frames = o.frames;
  run.length_unit = "mm";
  run.fps = so.fps;
  run.up_axis = 2;
  run.cameras = scene.cameras;
  if (o.moved_camera >= 0) {
    camera::Camera& c = run.cameras[static_cast<std::size_t>(o.moved_camera)];
    const Eigen::Quaterniond turn(Eigen::AngleAxisd(o.moved_deg * M_PI / 180.0, Eigen::Vector3d::UnitY()));
    c.cam_from_world = camera::Rigid3d(turn * c.cam_from_world.rotation, turn * c.cam_from_world.translation);
  }
  run.detections.resize(static_cast<std::size_t>(o.frames));
  for (int f = 0; f < o.frames; ++f) {
    for (int v = 0; v < o.cameras; ++v) {
      int src = v;
      if (v == o.swap_a) src = o.swap_b;
      else if (v == o.swap_b) src = o.swap_a;
      run.detections[static_cast<std::size_t>(f)].push_back(
          single_person(scene.detections[static_cast<std::size_t>(f)], src));
    }
  }
  Person person;
  person.id = 0;
  person.label = "walker";
  std::vector<Points3d> truth;
  for (int f = 0; f < scene.num_frames(); ++f) truth.push_back(scene.pose(f));
  triangulation::TriangulationOptions robust;
  robust.method = triangulation::Method::kRobust;
  robust.robust.seed = o.seed;
  triangulation::TriangulationOptions dlt;
  dlt.method = triangulation::Method::kDlt;
  dlt.refine = false;
  person.layers.push_back(triangulate_person(run, 0, "robust triangulation", LayerKind::kRobust, robust));
  person.layers.push_back(triangulate_person(run, 0, "DLT", LayerKind::kDlt, dlt));
  if (o.filtered) {
    person.layers.push_back(
        moving_average(person.layers.front(), run.num_joints, 5, "filtered (moving average, 5 frames)"));
  }
  person.layers.push_back(layer_from_poses("ground truth", LayerKind::kGroundTruth, truth, run.num_joints));
  run.persons.push_back(std::move(person));
  run.notes.push_back({"Scene", "crossview::sim: a walking, waving person seen by a ring of cameras with distortion; "
                                "2D noise, misses and outliers. Layers: robust triangulation, DLT, a moving average of "
                                "the robust layer, and the simulated ground truth."});
  return run;
}

Run pose2sim_run(const Pose2SimRunOptions& o) {
  namespace fs = std::filesystem;
  const io::Rig rig = io::read_pose2sim_toml((fs::path(o.dir) / "Calib_qualisys.toml").string());
  std::vector<std::string> folders;
  for (const auto& e : fs::directory_iterator(fs::path(o.dir) / "pose")) {
    if (e.is_directory()) folders.push_back(e.path().string());
  }
  std::sort(folders.begin(), folders.end());
  if (folders.size() > rig.size()) throw std::runtime_error("pose2sim_run: more keypoint folders than cameras");
  if (o.swap_a >= 0) std::swap(folders[static_cast<std::size_t>(o.swap_a)], folders[static_cast<std::size_t>(o.swap_b)]);
  const int V = static_cast<int>(folders.size());
  const pose::Skeleton skeleton = pose::openpose_body25b();
  const int J = skeleton.num_joints();
  std::vector<std::vector<io::OpenPoseFrame>> per_view;
  std::vector<std::vector<int>> main_person;
  io::MainPersonOptions mp;
  mp.prefer_previous = true;
  std::map<long long, int> frame_index;
  for (const std::string& folder : folders) {
    per_view.push_back(io::read_openpose_folder(folder, J));
    main_person.push_back(io::select_main_person(per_view.back(), mp));
    for (const auto& fr : per_view.back()) frame_index.emplace(fr.frame_number, 0);
  }
  Run run;
  run.title = "Pose2Sim demo (BalancingTrial)" +
              (o.swap_a >= 0 ? " with camera folders " + std::to_string(o.swap_a + 1) + " and " +
                                   std::to_string(o.swap_b + 1) + " swapped"
                             : std::string());
  run.skeleton = skeleton_of(skeleton);
  run.skeleton.guessed = true;
  run.skeleton.guess_reason = "25 joints per person: OpenPose BODY_25B";
  run.num_joints = J;
  run.length_unit = rig.length_unit;
  run.fps = 60.0;
  run.up_axis = 2;
  run.cameras.assign(rig.cameras.begin(), rig.cameras.begin() + V);
  int index = 0;
  for (auto& [number, i] : frame_index) {
    i = index++;
    run.frame_numbers.push_back(number);
  }
  run.num_frames = index;
  run.detections.assign(static_cast<std::size_t>(index), std::vector<ViewDetections>(static_cast<std::size_t>(V)));
  for (int v = 0; v < V; ++v) {
    for (std::size_t k = 0; k < per_view[static_cast<std::size_t>(v)].size(); ++k) {
      const io::OpenPoseFrame& fr = per_view[static_cast<std::size_t>(v)][k];
      ViewDetections& d = run.detections[static_cast<std::size_t>(frame_index[fr.frame_number])][static_cast<std::size_t>(v)];
      const int n = static_cast<int>(fr.people.size());
      d.pixels_px.resize(2, static_cast<Eigen::Index>(n) * J);
      d.scores.resize(static_cast<Eigen::Index>(n) * J);
      for (int p = 0; p < n; ++p) {
        d.pixels_px.middleCols(static_cast<Eigen::Index>(p) * J, J) = fr.people[static_cast<std::size_t>(p)].keypoints_px;
        d.scores.segment(static_cast<Eigen::Index>(p) * J, J) = fr.people[static_cast<std::size_t>(p)].scores;
        d.person_ids.push_back(p == main_person[static_cast<std::size_t>(v)][k] ? 0 : -1);
      }
    }
  }
  Person person;
  person.id = 0;
  person.label = "participant";
  triangulation::TriangulationOptions robust;
  robust.method = triangulation::Method::kRobust;
  robust.min_confidence = o.min_confidence;
  triangulation::TriangulationOptions dlt;
  dlt.method = triangulation::Method::kDlt;
  dlt.refine = false;
  dlt.min_confidence = o.min_confidence;
  person.layers.push_back(triangulate_person(run, 0, "robust triangulation", LayerKind::kRobust, robust));
  person.layers.push_back(triangulate_person(run, 0, "DLT", LayerKind::kDlt, dlt));
  const fs::path trc_path = fs::path(o.dir) / "BalancingTrial_0-100.trc";
  if (o.reference && fs::exists(trc_path)) {
    const io::TrcData trc = io::read_trc(trc_path.string());
    if (trc.num_frames() == run.num_frames) {
      const double scale = io::metres_per_unit(trc.units) / io::metres_per_unit(run.length_unit);
      std::vector<Points3d> poses;
      for (int f = 0; f < trc.num_frames(); ++f) {
        Points3d p = Points3d::Constant(3, J, kNaN);
        for (int j = 0; j < J; ++j) {
          const int m = trc.marker_index(skeleton.name(j));
          if (m >= 0 && trc.frame(f).col(m).allFinite()) {
            p.col(j) = scale * io::trc_to_world(trc.frame(f).col(m));
          }
        }
        poses.push_back(p);
      }
      person.layers.push_back(layer_from_poses("Pose2Sim (.trc)", LayerKind::kReference, poses, J));
    }
  }
  run.persons.push_back(std::move(person));
  run.notes.push_back({"Data", "Pose2Sim's demo capture (4 cameras, OpenPose BODY_25B, 60 Hz): every detected person "
                               "in every view; the main person (highest score, continuity) is assigned to the "
                               "participant, the others are unassigned. Detections scored <= " +
                                   std::to_string(o.min_confidence).substr(0, 4) + " are ignored."});
  return run;
}

Run large_run(int frames, int persons, int cameras, std::uint64_t seed) {
  constexpr int kBase = pose::h36m::kNumJoints;
  // 8 more joints, each extending a bone (a, b) rigidly: a + f (a - b).
  const int extra[8][2] = {{3, 2}, {6, 5}, {13, 12}, {16, 15}, {10, 9}, {9, 8}, {2, 1}, {5, 4}};
  const double extra_factor[8] = {0.35, 0.35, 0.25, 0.25, 0.4, 0.3, 0.08, 0.08};
  const pose::Skeleton h36m = pose::human36m_17();
  Run run;
  run.title = "crossview large synthetic run";
  run.num_frames = frames;
  run.num_joints = kBase + 8;
  run.length_unit = "mm";
  run.fps = 60.0;
  run.skeleton.name = "H36M_17 + 8";
  run.skeleton.joint_names = h36m.names();
  for (int e = 0; e < 8; ++e) run.skeleton.joint_names.push_back("extra " + std::to_string(e));
  run.skeleton.limbs = h36m.limbs();
  for (int e = 0; e < 8; ++e) run.skeleton.limbs.emplace_back(extra[e][0], kBase + e);
  sim::SceneOptions so;
  so.num_cameras = cameras;
  so.camera_ring_radius_mm = 6000.0;
  run.cameras = sim::make_camera_ring(so);
  const int J = run.num_joints, V = cameras;
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> noise(0.0, 1.5);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<std::vector<Points3d>> truth(static_cast<std::size_t>(persons));
  for (int p = 0; p < persons; ++p) {
    sim::MotionOptions motion;
    motion.walk_radius_mm = 700.0 + 900.0 * p;
    motion.body_scale = 1.0 - 0.15 * p;
    motion.walk_speed_mm_s = 700.0 + 150.0 * p;
    for (int f = 0; f < frames; ++f) {
      Points3d x(3, J);
      x.leftCols(kBase) = sim::walking_pose(f / run.fps + 3.7 * p, motion);
      for (int e = 0; e < 8; ++e) {
        x.col(kBase + e) = x.col(extra[e][0]) + extra_factor[e] * (x.col(extra[e][0]) - x.col(extra[e][1]));
      }
      truth[static_cast<std::size_t>(p)].push_back(x);
    }
  }
  run.detections.assign(static_cast<std::size_t>(frames), std::vector<ViewDetections>(static_cast<std::size_t>(V)));
  for (int f = 0; f < frames; ++f) {
    for (int v = 0; v < V; ++v) {
      ViewDetections& d = run.detections[static_cast<std::size_t>(f)][static_cast<std::size_t>(v)];
      d.pixels_px.setConstant(2, static_cast<Eigen::Index>(persons) * J, kNaN);
      d.scores.setZero(static_cast<Eigen::Index>(persons) * J);
      for (int p = 0; p < persons; ++p) {
        d.person_ids.push_back(p);
        for (int j = 0; j < J; ++j) {
          Eigen::Vector2d px;
          const bool missed = uniform(rng) < 0.04;
          if (missed || run.cameras[static_cast<std::size_t>(v)].project(truth[static_cast<std::size_t>(p)][static_cast<std::size_t>(f)].col(j), &px) !=
                            camera::ProjectionStatus::kSuccess) {
            continue;
          }
          const Eigen::Index i = static_cast<Eigen::Index>(p) * J + j;
          d.pixels_px.col(i) = px + Eigen::Vector2d(noise(rng), noise(rng));
          d.scores[i] = 0.5 + 0.5 * uniform(rng);
        }
      }
    }
  }
  triangulation::TriangulationOptions dlt;
  dlt.method = triangulation::Method::kDlt;
  dlt.refine = false;
  for (int p = 0; p < persons; ++p) {
    Person person;
    person.id = p;
    Layer estimate = triangulate_person(run, p, "DLT", LayerKind::kDlt, dlt);
    run.persons.push_back(person);  // so that triangulate_person finds the id's detections (by id, not position)
    run.persons.back().layers.push_back(std::move(estimate));
    run.persons.back().layers.push_back(
        moving_average(run.persons.back().layers.front(), J, 9, "filtered (moving average, 9 frames)"));
    run.persons.back().layers.push_back(
        layer_from_poses("ground truth", LayerKind::kGroundTruth, truth[static_cast<std::size_t>(p)], J));
  }
  return run;
}

Run minimal_run() {
  Run run;
  run.title = "crossview minimal run";
  run.num_frames = 3;
  run.num_joints = 4;
  run.length_unit = "units";
  for (int v = 0; v < 2; ++v) {
    // Two cameras 4 units from the origin, looking at it.
    const Eigen::Quaterniond r(Eigen::AngleAxisd((v ? -0.4 : 0.4), Eigen::Vector3d::UnitY()));
    camera::Rigid3d pose(r, Eigen::Vector3d(0.0, 0.0, 4.0));
    run.cameras.push_back(camera::Camera::pinhole(600, 600, 320, 240, 640, 480, pose, "view " + std::to_string(v)));
  }
  Person p;
  p.id = 0;
  Layer l;
  l.method = "points";
  l.joints_in_world.resize(3, 12);
  for (int f = 0; f < 3; ++f) {
    for (int j = 0; j < 4; ++j) l.joints_in_world.col(f * 4 + j) = Eigen::Vector3d(0.3 * j - 0.45, 0.1 * f, 0.2 * (j % 2));
  }
  l.joints_in_world.col(5).setConstant(kNaN);
  p.layers.push_back(l);
  run.persons.push_back(p);
  return run;
}

}  // namespace crossview::report::test
