#include "common.hpp"

#include "args.hpp"
#include "commands.hpp"

#include <crossview/epipolar/essential.hpp>
#include <crossview/epipolar/estimate.hpp>
#include <crossview/epipolar/pose.hpp>
#include <crossview/io/openpose.hpp>

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <exception>
#include <fstream>
#include <map>
#include <stdexcept>
#include <thread>

namespace crossview::cli {

bool wants_help(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

Progress::Progress(bool silent, int total)
    : enabled_(!silent && isatty(STDERR_FILENO) != 0), total_(total), start_(Clock::now()), last_print_(start_) {}

void Progress::tick() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++done_;
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  if (done_ < total_ && now - last_print_ < std::chrono::milliseconds(100)) return;
  last_print_ = now;
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const double fps = elapsed > 0.0 ? done_ / elapsed : 0.0;
  const double left = fps > 0.0 ? (total_ - done_) / fps : 0.0;
  std::fprintf(stderr, "\r  frame %d/%d  %.1f frames/s  %.0f s left   ", done_, total_, fps, left);
  std::fflush(stderr);
}

void Progress::done() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (enabled_) std::fprintf(stderr, "\r%60s\r", "");
}

int thread_count(const Args& args) {
  const long n = args.get_int("threads", 1, 0, 256);
  if (n > 0) return static_cast<int>(n);
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

void parallel_for(int n, int threads, const std::function<void(int)>& fn) {
  threads = std::max(1, std::min(threads, n));
  if (threads <= 1) {
    for (int i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<int> next{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mutex;
  auto worker = [&] {
    for (;;) {
      const int i = next.fetch_add(1);
      if (i >= n || failed.load()) return;
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (!error) error = std::current_exception();
        failed = true;
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(threads));
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (auto& t : pool) t.join();
  if (error) std::rethrow_exception(error);
}

namespace {

/// 2 x N point set of a list of pixels.
Points2d to_points(const std::vector<Eigen::Vector2d>& v) {
  Points2d p(2, static_cast<Eigen::Index>(v.size()));
  for (std::size_t i = 0; i < v.size(); ++i) p.col(static_cast<Eigen::Index>(i)) = v[i];
  return p;
}

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                                                 [](char a, char b) { return std::tolower(a) == std::tolower(b); });
}

}  // namespace

io::Rig load_rig(const std::string& path) {
  if (ends_with(path, ".toml")) return io::read_pose2sim_toml(path);
  if (ends_with(path, ".json")) return io::read_rig_json(path);
  throw std::runtime_error("calibration '" + path +
                           "': unknown format (expected a Pose2Sim .toml or a crossview .json rig)");
}

void view_sequence(const MultiViewKeypoints& keypoints, int view, Points2d* keypoints_px, Eigen::VectorXd* scores) {
  const Eigen::Index J = keypoints.num_joints;
  keypoints_px->resize(2, keypoints.num_frames() * J);
  scores->resize(keypoints.num_frames() * J);
  for (int f = 0; f < keypoints.num_frames(); ++f) {
    keypoints_px->middleCols(f * J, J) = keypoints.view(f, view);
    scores->segment(f * J, J) = keypoints.view_scores(f, view);
  }
}

MultiViewKeypoints load_openpose_views(const std::vector<std::string>& folders) {
  MultiViewKeypoints out;
  const int num_views = static_cast<int>(folders.size());
  std::vector<std::vector<io::OpenPoseFrame>> per_view(folders.size());
  std::vector<std::vector<int>> main_person(folders.size());
  io::MainPersonOptions person_options;
  person_options.prefer_previous = true;
  int num_joints = 0;
  std::map<long long, int> frame_index;
  for (int v = 0; v < num_views; ++v) {
    per_view[v] = io::read_openpose_folder(folders[v]);
    if (per_view[v].empty()) {
      throw std::runtime_error("keypoint folder '" + folders[v] + "' holds no OpenPose .json file");
    }
    main_person[v] = io::select_main_person(per_view[v], person_options);
    for (std::size_t f = 0; f < per_view[v].size(); ++f) {
      frame_index.emplace(per_view[v][f].frame_number, 0);
      for (const auto& person : per_view[v][f].people) {
        if (num_joints == 0) num_joints = person.num_joints();
        if (person.num_joints() != num_joints) {
          throw std::runtime_error("keypoint folder '" + folders[v] + "': " + per_view[v][f].path + " has " +
                                   std::to_string(person.num_joints()) + " joints per person, other files have " +
                                   std::to_string(num_joints));
        }
      }
    }
  }
  if (num_joints == 0) throw std::runtime_error("no person is detected in any frame of any view");
  int index = 0;
  for (auto& [number, i] : frame_index) {
    i = index++;
    out.frame_numbers.push_back(number);
  }
  out.num_joints = num_joints;
  out.num_views = num_views;
  const Eigen::Index columns = static_cast<Eigen::Index>(num_views) * num_joints;
  out.keypoints_px.assign(frame_index.size(), Points2d::Constant(2, columns, std::numeric_limits<double>::quiet_NaN()));
  out.scores.assign(frame_index.size(), Eigen::VectorXd::Zero(columns));
  for (int v = 0; v < num_views; ++v) {
    for (std::size_t f = 0; f < per_view[v].size(); ++f) {
      const int p = main_person[v][f];
      if (p < 0) continue;
      const io::OpenPosePerson& person = per_view[v][f].people[static_cast<std::size_t>(p)];
      const std::size_t frame = static_cast<std::size_t>(frame_index[per_view[v][f].frame_number]);
      for (int j = 0; j < num_joints; ++j) {
        if (!person.is_detected(j)) continue;
        const Eigen::Index column = static_cast<Eigen::Index>(v) * num_joints + j;
        out.keypoints_px[frame].col(column) = person.keypoints_px.col(j);
        out.scores[frame](column) = person.scores[j];
      }
    }
  }
  return out;
}

pose::Skeleton skeleton_for(const std::string& name, int num_joints) {
  std::string chosen = name;
  if (chosen.empty()) {
    if (num_joints == 25) chosen = "body25b";
    else if (num_joints == 17) chosen = "coco17";
    else
      throw std::runtime_error("no built-in skeleton has " + std::to_string(num_joints) +
                               " joints (body25b has 25, coco17 and h36m17 have 17)");
  }
  pose::Skeleton s = chosen == "body25b" ? pose::openpose_body25b()
                     : chosen == "coco17" ? pose::coco_17()
                     : chosen == "h36m17" ? pose::human36m_17()
                                          : throw UsageError("--skeleton must be body25b, coco17 or h36m17, got '" +
                                                             chosen + "'");
  if (s.num_joints() != num_joints) {
    throw std::runtime_error("skeleton " + chosen + " has " + std::to_string(s.num_joints()) +
                             " joints but the keypoints have " + std::to_string(num_joints));
  }
  return s;
}

RelativePoseEstimate relative_pose_from_keypoints(const camera::Camera& camera_a, const camera::Camera& camera_b,
                                                  const ConstPointsRef& keypoints_a, const ConstScoresRef& scores_a,
                                                  const ConstPointsRef& keypoints_b, const ConstScoresRef& scores_b,
                                                  RelativePoseMethod method, double max_error_px,
                                                  double min_confidence, std::uint64_t seed,
                                                  const camera::Rigid3d* reference_b_from_a) {
  require_points(keypoints_a, 2, "relative_pose_from_keypoints: keypoints_a");
  require_points(keypoints_b, 2, "relative_pose_from_keypoints: keypoints_b (the shape of keypoints_a)",
                 keypoints_a.cols());
  require_scores(scores_a, keypoints_a.cols(), "relative_pose_from_keypoints: scores_a", false);
  require_scores(scores_b, keypoints_b.cols(), "relative_pose_from_keypoints: scores_b", false);
  RelativePoseEstimate result;
  std::vector<Eigen::Vector2d> pa, pb;
  for (Eigen::Index i = 0; i < keypoints_a.cols(); ++i) {
    if (!(scores_a(i) > min_confidence) || !(scores_b(i) > min_confidence)) continue;
    const Eigen::Vector2d xa = keypoints_a.col(i);
    const Eigen::Vector2d xb = keypoints_b.col(i);
    if (!xa.allFinite() || !xb.allFinite()) continue;
    pa.push_back(xa);
    pb.push_back(xb);
  }
  result.num_correspondences = static_cast<int>(pa.size());
  if (method == RelativePoseMethod::kEssential) {
    epipolar::EssentialOptions options;
    options.max_error_px = max_error_px;
    options.ransac.seed = seed;
    const epipolar::EssentialResult er = epipolar::estimate_essential(to_points(pa), to_points(pb), camera_a, camera_b, options);
    result.num_inliers = er.num_inliers;
    if (!er.success()) {
      result.message = er.message;
      return result;
    }
    result.cam2_from_cam1 = er.cam2_from_cam1;
  } else {
    std::vector<Eigen::Vector2d> ua, ub;
    for (std::size_t i = 0; i < pa.size(); ++i) {
      Eigen::Vector2d u1, u2;
      if (camera_a.undistort_pixel(pa[i], &u1) != camera::ProjectionStatus::kSuccess ||
          camera_b.undistort_pixel(pb[i], &u2) != camera::ProjectionStatus::kSuccess) {
        continue;
      }
      ua.push_back(u1);
      ub.push_back(u2);
    }
    if (ua.size() < 8) {
      result.message = "too few correspondences (" + std::to_string(ua.size()) + ", need 8)";
      return result;
    }
    epipolar::FundamentalOptions options;
    options.max_error_px = max_error_px;
    options.ransac.seed = seed;
    const epipolar::FundamentalResult fr = epipolar::estimate_fundamental(to_points(ua), to_points(ub), options);
    result.num_inliers = fr.num_inliers;
    if (!fr.success()) {
      result.message = fr.message;
      return result;
    }
    const Eigen::Matrix3d E = epipolar::closest_essential(
        epipolar::essential_from_fundamental(fr.F, camera_a.calibration_matrix(), camera_b.calibration_matrix()));
    std::vector<Eigen::Vector2d> na, nb;
    for (std::size_t i = 0; i < ua.size(); ++i) {
      if (!fr.inlier_mask[i]) continue;
      na.emplace_back((ua[i].x() - camera_a.cx()) / camera_a.fx(), (ua[i].y() - camera_a.cy()) / camera_a.fy());
      nb.emplace_back((ub[i].x() - camera_b.cx()) / camera_b.fx(), (ub[i].y() - camera_b.cy()) / camera_b.fy());
    }
    const epipolar::RecoverPoseResult pose = epipolar::recover_pose(E, to_points(na), to_points(nb));
    if (pose.status != epipolar::RecoverPoseStatus::kSuccess) {
      result.message = pose.message;
      return result;
    }
    result.cam2_from_cam1 = pose.cam2_from_cam1;
  }
  if (reference_b_from_a != nullptr) {
    constexpr double kDeg = 180.0 / 3.14159265358979323846;
    result.rotation_error_deg =
        camera::rotation_angle_between(reference_b_from_a->rotation_matrix(), result.cam2_from_cam1.rotation_matrix()) *
        kDeg;
    const double c = std::clamp(
        reference_b_from_a->translation.normalized().dot(result.cam2_from_cam1.translation.normalized()), -1.0, 1.0);
    result.translation_error_deg = std::acos(c) * kDeg;
  }
  result.ok = true;
  result.message = "success";
  return result;
}

}  // namespace crossview::cli
