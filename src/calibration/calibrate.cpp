// calibrate_rig and its steps (see calibrate.hpp). Ceres stays in
// bundle_adjustment.cpp.
#include <crossview/calibration/calibrate.hpp>
#include <crossview/epipolar/estimate.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include "bundle_adjustment.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <queue>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace crossview::calibration {
namespace {

constexpr double kRadToDeg = 180.0 / 3.14159265358979323846;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
/// Median |r| of a 2D isotropic Gaussian residual of std sigma per axis is
/// sigma * sqrt(2 ln 2) (Rayleigh distribution).
constexpr double kRayleighMedian = 1.1774100225154747;
/// Final outlier cut in units of the estimated sigma: P(|r| > 3.5 sigma) =
/// exp(-3.5^2 / 2) = 0.2% for a Gaussian inlier.
constexpr double kOutlierCutSigmas = 3.5;
/// Floor on the estimated sigma (px): below it, detections are quantised /
/// synthetic and the cut would reject good points.
constexpr double kMinSigmaPx = 0.25;

/// Segment-to-height ratios of Drillis & Contini (1966), as tabulated in
/// Winter, "Biomechanics and Motor Control of Human Movement": thigh 0.245,
/// shank 0.246, upper arm 0.186, forearm 0.146 of the standing height.
struct Segment {
  int a, b;
  double ratio;
};

std::vector<Segment> height_segments(KeypointLayout layout) {
  switch (layout) {
    case KeypointLayout::kOpenPoseBody25b:
      return {{11, 13, 0.245}, {12, 14, 0.245}, {13, 15, 0.246}, {14, 16, 0.246},
              {5, 7, 0.186},   {6, 8, 0.186},   {7, 9, 0.146},   {8, 10, 0.146}};
    case KeypointLayout::kHuman36m17:
      return {{1, 2, 0.245}, {4, 5, 0.245}, {2, 3, 0.246},  {5, 6, 0.246},
              {14, 15, 0.186}, {11, 12, 0.186}, {15, 16, 0.146}, {12, 13, 0.146}};
    case KeypointLayout::kCustom: break;
  }
  return {};
}

int layout_joints(KeypointLayout layout) {
  switch (layout) {
    case KeypointLayout::kOpenPoseBody25b: return 25;
    case KeypointLayout::kHuman36m17: return 17;
    case KeypointLayout::kCustom: break;
  }
  return -1;
}

double median_of(std::vector<double> v) {
  if (v.empty()) return kNaN;
  const std::size_t m = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + m, v.end());
  double med = v[m];
  if (v.size() % 2 == 0) med = 0.5 * (med + *std::max_element(v.begin(), v.begin() + m));
  return med;
}

std::string pair_name(int a, int b) { return "(" + std::to_string(a) + ", " + std::to_string(b) + ")"; }

}  // namespace

const char* to_string(Status s) {
  switch (s) {
    case Status::kSuccess: return "success";
    case Status::kInvalidInput: return "invalid input";
    case Status::kTooFewCameras: return "too few cameras";
    case Status::kNoDetections: return "no detections";
    case Status::kCameraNotSeen: return "a camera never sees the person with another camera";
    case Status::kDisconnected: return "disconnected pair graph";
    case Status::kWeakGraph: return "pair graph too weak";
    case Status::kDegenerateMotion: return "degenerate motion (person nearly still)";
    case Status::kOptimizationFailed: return "bundle adjustment failed";
  }
  return "unknown";
}

void CalibrationOptions::validate() const {
  auto fail = [](const std::string& what) { throw std::invalid_argument("CalibrationOptions::" + what); };
  if (!(min_confidence >= 0.0 && min_confidence < 1.0)) {
    fail("min_confidence must be in [0, 1), got " + std::to_string(min_confidence));
  }
  if (min_detected_joints < 1) fail("min_detected_joints must be >= 1, got " + std::to_string(min_detected_joints));
  if (!(max_jump_px > 0.0) || !std::isfinite(max_jump_px)) {
    fail("max_jump_px must be finite and > 0, got " + std::to_string(max_jump_px));
  }
  if (static_cast<int>(layout) > static_cast<int>(KeypointLayout::kCustom)) fail("layout is not a valid KeypointLayout");
  for (const auto& [a, b] : custom_limbs) {
    if (a < 0 || b < 0 || a == b) fail("custom_limbs must hold pairs of distinct joint indices >= 0");
  }
  if (!(keypoint_noise_px > 0.0) || !std::isfinite(keypoint_noise_px)) {
    fail("keypoint_noise_px must be finite and > 0, got " + std::to_string(keypoint_noise_px));
  }
  if (min_pair_correspondences < 8) {
    fail("min_pair_correspondences must be >= 8, got " + std::to_string(min_pair_correspondences));
  }
  if (min_pair_inliers < 8) fail("min_pair_inliers must be >= 8, got " + std::to_string(min_pair_inliers));
  averaging.validate();
  if (max_ba_iterations < 1) fail("max_ba_iterations must be >= 1, got " + std::to_string(max_ba_iterations));
  if (!(bone_length_sigma > 0.0) || !std::isfinite(bone_length_sigma)) {
    fail("bone_length_sigma must be finite and > 0, got " + std::to_string(bone_length_sigma));
  }
  if (!(min_moving_track_fraction >= 0.0 && min_moving_track_fraction < 1.0)) {
    fail("min_moving_track_fraction must be in [0, 1), got " + std::to_string(min_moving_track_fraction));
  }
  switch (scale.source) {
    case ScaleOptions::Source::kPersonHeight:
      if (!(scale.person_height_m > 0.5 && scale.person_height_m < 2.5)) {
        fail("scale.person_height_m must be in (0.5, 2.5) m, got " + std::to_string(scale.person_height_m));
      }
      if (layout == KeypointLayout::kCustom) {
        fail("scale.source = kPersonHeight needs a known layout (not kCustom); use kLimbLength or kNone");
      }
      break;
    case ScaleOptions::Source::kLimbLength:
      if (scale.limb_joint_a < 0 || scale.limb_joint_b < 0 || scale.limb_joint_a == scale.limb_joint_b) {
        fail("scale.limb_joint_a / limb_joint_b must be distinct joint indices >= 0");
      }
      if (!(scale.limb_length_m > 0.0) || !std::isfinite(scale.limb_length_m)) {
        fail("scale.limb_length_m must be finite and > 0, got " + std::to_string(scale.limb_length_m));
      }
      break;
    case ScaleOptions::Source::kNone: break;
    default: fail("scale.source is not a valid ScaleOptions::Source");
  }
}

std::vector<std::pair<int, int>> layout_limbs(const CalibrationOptions& options) {
  if (options.layout == KeypointLayout::kCustom) return options.custom_limbs;
  const pose::Skeleton sk = options.layout == KeypointLayout::kHuman36m17 ? pose::human36m_17(false)
                                                                         : pose::openpose_body25b();
  std::vector<std::pair<int, int>> limbs;
  for (int j = 0; j < sk.num_joints(); ++j) {
    if (sk.parent(j) >= 0) limbs.emplace_back(sk.parent(j), j);
  }
  return limbs;
}

Status gather_observations(const RigDetections& detections, const CalibrationOptions& options,
                           Observations* out, std::string* message) {
  options.validate();
  *out = Observations{};
  const int nc = static_cast<int>(detections.size());
  out->num_cameras = nc;
  if (nc == 0) {
    *message = "no camera in the detections";
    return Status::kInvalidInput;
  }
  const int nf = static_cast<int>(detections[0].size());
  int nj = -1;
  for (int c = 0; c < nc; ++c) {
    if (static_cast<int>(detections[c].size()) != nf) {
      *message = "camera " + std::to_string(c) + " has " + std::to_string(detections[c].size()) +
                 " frames but camera 0 has " + std::to_string(nf) + " (cameras must be synchronised)";
      return Status::kInvalidInput;
    }
    for (int f = 0; f < nf; ++f) {
      for (std::size_t p = 0; p < detections[c][f].size(); ++p) {
        const PersonDetection& d = detections[c][f][p];
        if (d.keypoints_px.cols() != d.scores.size()) {
          *message = "camera " + std::to_string(c) + " frame " + std::to_string(f) + " person " +
                     std::to_string(p) + ": " + std::to_string(d.keypoints_px.cols()) + " keypoints but " +
                     std::to_string(d.scores.size()) + " scores";
          return Status::kInvalidInput;
        }
        if (nj < 0) nj = static_cast<int>(d.scores.size());
        if (d.scores.size() != nj) {
          *message = "camera " + std::to_string(c) + " frame " + std::to_string(f) + " person " +
                     std::to_string(p) + " has " + std::to_string(d.scores.size()) + " joints, others have " +
                     std::to_string(nj);
          return Status::kInvalidInput;
        }
      }
    }
  }
  out->num_frames = nf;
  out->num_joints = std::max(nj, 0);
  if (nj <= 0 || nf == 0) {
    out->pixels.assign(nc, Eigen::Matrix2Xd());
    out->scores.assign(nc, Eigen::VectorXd());
    out->main_person.assign(nc, std::vector<int>(nf, -1));
    *message = nf == 0 ? "no frame in the detections" : "no person detected in any frame";
    return Status::kNoDetections;
  }
  const int expected = layout_joints(options.layout);
  if (expected > 0 && nj != expected) {
    *message = "detections have " + std::to_string(nj) + " joints but the layout expects " + std::to_string(expected);
    return Status::kInvalidInput;
  }
  for (const auto& [a, b] : layout_limbs(options)) {
    if (a >= nj || b >= nj) {
      *message = "limb (" + std::to_string(a) + ", " + std::to_string(b) + ") is out of range for " +
                 std::to_string(nj) + " joints";
      return Status::kInvalidInput;
    }
  }
  if (options.scale.source == ScaleOptions::Source::kLimbLength &&
      (options.scale.limb_joint_a >= nj || options.scale.limb_joint_b >= nj)) {
    *message = "scale limb joints are out of range for " + std::to_string(nj) + " joints";
    return Status::kInvalidInput;
  }
  const auto usable = [&](const PersonDetection& d, int j) {
    const double s = d.scores[j];
    return std::isfinite(s) && s > 0.0 && s >= options.min_confidence && d.keypoints_px.col(j).allFinite();
  };
  out->pixels.assign(nc, Eigen::Matrix2Xd::Constant(2, static_cast<Eigen::Index>(nf) * nj, kNaN));
  out->scores.assign(nc, Eigen::VectorXd::Zero(static_cast<Eigen::Index>(nf) * nj));
  out->main_person.assign(nc, std::vector<int>(nf, -1));
  long long total = 0;
  for (int c = 0; c < nc; ++c) {
    int prev = -1;
    int prev_frame = -1;
    for (int f = 0; f < nf; ++f) {
      const auto& people = detections[c][f];
      int best = -1;
      double best_score = -1.0;
      int closest = -1;
      double closest_dist = options.max_jump_px;
      for (std::size_t p = 0; p < people.size(); ++p) {
        const PersonDetection& d = people[p];
        int n = 0;
        double sum = 0.0;
        for (int j = 0; j < nj; ++j) {
          if (usable(d, j)) {
            ++n;
            sum += d.scores[j];
          }
        }
        if (n < options.min_detected_joints) continue;
        if (sum / n > best_score) {
          best_score = sum / n;
          best = static_cast<int>(p);
        }
        if (options.prefer_previous && prev >= 0 && prev_frame == f - 1) {
          const PersonDetection& q = detections[c][prev_frame][prev];
          double dist = 0.0;
          int m = 0;
          for (int j = 0; j < nj; ++j) {
            if (usable(d, j) && usable(q, j)) {
              dist += (d.keypoints_px.col(j) - q.keypoints_px.col(j)).norm();
              ++m;
            }
          }
          if (m > 0 && dist / m < closest_dist) {
            closest_dist = dist / m;
            closest = static_cast<int>(p);
          }
        }
      }
      const int chosen = closest >= 0 ? closest : best;
      out->main_person[c][f] = chosen;
      if (chosen < 0) continue;
      prev = chosen;
      prev_frame = f;
      const PersonDetection& d = people[chosen];
      for (int j = 0; j < nj; ++j) {
        if (!usable(d, j)) continue;
        out->pixels[c].col(static_cast<Eigen::Index>(f) * nj + j) = d.keypoints_px.col(j);
        out->scores[c][static_cast<Eigen::Index>(f) * nj + j] = d.scores[j];
        ++total;
      }
    }
  }
  if (total == 0) {
    *message = "no joint with score >= " + std::to_string(options.min_confidence) + " in any frame";
    return Status::kNoDetections;
  }
  *message = std::to_string(total) + " joint observations";
  return Status::kSuccess;
}

CalibrationResult calibrate_rig(const std::vector<camera::Camera>& intrinsics, const RigDetections& detections,
                                const CalibrationOptions& options) {
  options.validate();
  CalibrationResult r;
  const int nc = static_cast<int>(intrinsics.size());
  r.cameras = intrinsics;
  for (auto& cam : r.cameras) {
    cam = camera::Camera(cam.model(), cam.params(), cam.width(), cam.height(), camera::Rigid3d(), cam.name());
  }
  r.per_camera.assign(nc, CameraDiagnostics{});
  auto finish = [&](Status s, std::string msg) {
    r.status = s;
    r.message = std::move(msg);
    return r;
  };
  if (nc < 2 || detections.size() < 2) {
    return finish(Status::kTooFewCameras, "need at least 2 cameras, got " + std::to_string(nc) + " intrinsics and " +
                                              std::to_string(detections.size()) + " detection views");
  }
  if (static_cast<int>(detections.size()) != nc) {
    return finish(Status::kInvalidInput, std::to_string(nc) + " intrinsics but " + std::to_string(detections.size()) +
                                             " detection views (one per camera, same order)");
  }
  Observations obs;
  std::string msg;
  const Status gs = gather_observations(detections, options, &obs, &msg);
  if (gs != Status::kSuccess) return finish(gs, msg);
  const int nf = obs.num_frames, nj = obs.num_joints;
  const double sigma = options.keypoint_noise_px;

  // Detections outside the image: the intrinsics belong to another camera (or
  // the image size is transposed). A detector never reports joints outside
  // the image; allow 2% of the size for sub-pixel / border effects.
  for (int c = 0; c < nc; ++c) {
    const camera::Camera& cam = r.cameras[c];
    const double mx = 0.02 * cam.width(), my = 0.02 * cam.height();
    int n = 0, outside = 0;
    for (int i = 0; i < obs.pixels[c].cols(); ++i) {
      if (!(obs.scores[c][i] > 0.0)) continue;
      ++n;
      const Eigen::Vector2d p = obs.pixels[c].col(i);
      if (p.x() < -mx || p.y() < -my || p.x() > cam.width() - 1 + mx || p.y() > cam.height() - 1 + my) ++outside;
    }
    r.per_camera[c].num_observations = n;
    if (n > 0 && outside > 0.05 * n) {
      return finish(Status::kInvalidInput,
                    "camera " + std::to_string(c) + ": " + std::to_string(outside) + " of " + std::to_string(n) +
                        " detections lie outside its " + std::to_string(cam.width()) + "x" +
                        std::to_string(cam.height()) + " image: intrinsics in the wrong order?");
    }
  }
  for (int c = 0; c < nc; ++c) {
    if (r.per_camera[c].num_observations == 0) {
      return finish(Status::kCameraNotSeen, "camera " + std::to_string(c) + " never sees the person (no joint with score >= " +
                                                std::to_string(options.min_confidence) + ")");
    }
  }

  // Degenerate motion: fraction of (camera, joint) tracks whose RMS distance
  // to their median pixel exceeds 3 sigma (a still person gives the same 3D
  // points in every frame: the frames add nothing beyond noise averaging).
  {
    int tracks = 0, moving = 0;
    std::vector<double> xs, ys;
    for (int c = 0; c < nc; ++c) {
      for (int j = 0; j < nj; ++j) {
        xs.clear();
        ys.clear();
        for (int f = 0; f < nf; ++f) {
          if (obs.has(c, f, j)) {
            xs.push_back(obs.pixel(c, f, j).x());
            ys.push_back(obs.pixel(c, f, j).y());
          }
        }
        if (xs.size() < 5) continue;
        const double mx = median_of(xs), my = median_of(ys);
        double ss = 0.0;
        for (std::size_t k = 0; k < xs.size(); ++k) ss += (xs[k] - mx) * (xs[k] - mx) + (ys[k] - my) * (ys[k] - my);
        ++tracks;
        moving += std::sqrt(ss / static_cast<double>(xs.size())) > 3.0 * sigma;
      }
    }
    r.moving_track_fraction = tracks > 0 ? static_cast<double>(moving) / tracks : 0.0;
  }
  const bool degenerate_motion = r.moving_track_fraction < options.min_moving_track_fraction;
  const std::string motion_note =
      degenerate_motion ? "; only " + std::to_string(static_cast<int>(std::lround(100.0 * r.moving_track_fraction))) +
                              "% of the joint tracks move by more than 3 sigma = " + std::to_string(3.0 * sigma) +
                              " px (person nearly still): the rig is weakly determined"
                        : std::string();

  // Pairwise relative poses.
  std::vector<RelativePose> rel;
  std::vector<int> rel_pair_index;
  std::vector<std::vector<char>> has_common(nc, std::vector<char>(nc, 0));
  epipolar::EssentialOptions eo;
  eo.max_error_px = 3.0 * sigma;
  for (int a = 0; a < nc; ++a) {
    for (int b = a + 1; b < nc; ++b) {
      PairDiagnostics pd;
      pd.camera_a = a;
      pd.camera_b = b;
      pd.rotation_residual_deg = kNaN;
      pd.direction_residual_deg = kNaN;
      Points2d pa(2, nf * nj), pb(2, nf * nj);  // joints seen by both, column = correspondence
      Eigen::Index num_common = 0;
      for (int f = 0; f < nf; ++f) {
        for (int j = 0; j < nj; ++j) {
          if (obs.has(a, f, j) && obs.has(b, f, j)) {
            pa.col(num_common) = obs.pixel(a, f, j);
            pb.col(num_common) = obs.pixel(b, f, j);
            ++num_common;
          }
        }
      }
      pa.conservativeResize(2, num_common);
      pb.conservativeResize(2, num_common);
      pd.num_correspondences = static_cast<int>(num_common);
      if (num_common > 0) has_common[a][b] = has_common[b][a] = 1;
      if (pd.num_correspondences < options.min_pair_correspondences) {
        pd.message = "skipped: " + std::to_string(pd.num_correspondences) + " common joints < min_pair_correspondences " +
                     std::to_string(options.min_pair_correspondences);
      } else {
        eo.ransac.seed = options.seed + 1000003ULL * static_cast<std::uint64_t>(r.pairs.size() + 1);
        const epipolar::EssentialResult er = epipolar::estimate_essential(pa, pb, r.cameras[a], r.cameras[b], eo);
        pd.num_inliers = er.num_inliers;
        pd.message = std::string(epipolar::to_string(er.status)) + ": " + er.message;
        if (er.success() && er.num_inliers >= options.min_pair_inliers) {
          pd.cam_b_from_cam_a = er.cam2_from_cam1;
          pd.used = true;
          RelativePose rp;
          rp.camera_a = a;
          rp.camera_b = b;
          rp.rotation_b_from_a = er.cam2_from_cam1.rotation_matrix();
          rp.translation_b_from_a = er.cam2_from_cam1.translation.normalized();
          rp.weight = er.num_inliers;
          rel.push_back(rp);
          rel_pair_index.push_back(static_cast<int>(r.pairs.size()));
        } else if (er.success()) {
          pd.message = "unusable: " + std::to_string(er.num_inliers) + " inliers < min_pair_inliers " +
                       std::to_string(options.min_pair_inliers);
        }
      }
      r.pairs.push_back(pd);
    }
  }
  // Connectivity: common observations first (the data), then usable pairs.
  {
    auto components = [&](auto edge) {
      std::vector<int> comp(nc, -1);
      int k = 0;
      for (int s = 0; s < nc; ++s) {
        if (comp[s] >= 0) continue;
        std::queue<int> q;
        q.push(s);
        comp[s] = k;
        while (!q.empty()) {
          const int u = q.front();
          q.pop();
          for (int v = 0; v < nc; ++v) {
            if (v != u && comp[v] < 0 && edge(u, v)) {
              comp[v] = k;
              q.push(v);
            }
          }
        }
        ++k;
      }
      return std::make_pair(k, comp);
    };
    for (int c = 0; c < nc; ++c) {
      bool any = false;
      for (int o = 0; o < nc; ++o) any |= o != c && has_common[c][o];
      if (!any) {
        return finish(Status::kCameraNotSeen, "camera " + std::to_string(c) +
                                                  " never sees the person at the same frame as another camera" + motion_note);
      }
    }
    const auto [k_data, comp_data] = components([&](int u, int v) { return has_common[u][v] != 0; });
    if (k_data > 1) {
      std::string groups;
      for (int c = 0; c < nc; ++c) groups += (c ? " " : "") + std::to_string(c) + ":" + std::to_string(comp_data[c]);
      return finish(Status::kDisconnected, "the cameras form " + std::to_string(k_data) +
                                               " groups that never see the person at the same time (camera:group " +
                                               groups + ")");
    }
    std::vector<std::vector<char>> used(nc, std::vector<char>(nc, 0));
    for (const auto& p : rel) used[p.camera_a][p.camera_b] = used[p.camera_b][p.camera_a] = 1;
    const auto [k_used, comp_used] = components([&](int u, int v) { return used[u][v] != 0; });
    if (k_used > 1) {
      std::string bad;
      for (const auto& pd : r.pairs) {
        if (!pd.used) bad += " pair " + pair_name(pd.camera_a, pd.camera_b) + ": " + pd.message + ";";
      }
      return finish(degenerate_motion ? Status::kDegenerateMotion : Status::kWeakGraph,
                    "too few camera pairs give a relative pose to connect the rig (" + std::to_string(rel.size()) +
                        " usable of " + std::to_string(r.pairs.size()) + "):" + bad + motion_note);
    }
  }

  // Global initialisation.
  const RotationAveragingResult ra = average_rotations(nc, rel, options.averaging);
  if (!ra.ok()) return finish(Status::kWeakGraph, "rotation averaging: " + ra.message + motion_note);
  const PositionResult pr = recover_positions(nc, rel, ra.rotations, options.averaging);
  if (!pr.ok()) return finish(Status::kWeakGraph, "position recovery: " + pr.message + motion_note);
  for (int c = 0; c < nc; ++c) {
    const camera::Camera& old = r.cameras[c];
    const Eigen::Matrix3d& R = ra.rotations[c];
    r.cameras[c] = camera::Camera(old.model(), old.params(), old.width(), old.height(),
                                  camera::Rigid3d::from_matrix(R, Eigen::Vector3d(-R * pr.centers.col(c))), old.name());
  }

  // Initial points: every (frame, joint) seen by >= 2 cameras.
  const int np = nf * nj;
  std::vector<Eigen::Vector3d> points(np, Eigen::Vector3d::Constant(kNaN));
  // Triangulates every (frame, joint) not yet in `points` that >= 2 cameras see.
  auto triangulate_missing = [&](const triangulation::TriangulationOptions& to) {
    Points2d px(2, nc);  // column c = the pixel in camera c
    for (int i = 0; i < np; ++i) {
      if (points[i].allFinite()) continue;
      int views = 0;
      for (int c = 0; c < nc; ++c) {
        px.col(c) = obs.pixels[c].col(i);
        views += obs.scores[c][i] > 0.0;
      }
      if (views < 2) continue;
      const triangulation::TriangulationResult t = triangulation::triangulate(r.cameras, px, to);
      if (t.ok()) points[i] = t.point_in_world;
    }
  };
  triangulate_missing(triangulation::TriangulationOptions{});
  // Observations of those points.
  std::vector<detail::BaObservation> all_obs;
  for (int i = 0; i < np; ++i) {
    for (int c = 0; c < nc; ++c) {
      if (obs.scores[c][i] > 0.0) all_obs.push_back({c, i, obs.pixels[c].col(i)});
    }
  }
  // Bones.
  const std::vector<std::pair<int, int>> limbs = layout_limbs(options);
  std::vector<double> limb_lengths(limbs.size(), 0.0);
  std::vector<detail::BaBone> bones;
  auto init_bones = [&]() {
    bones.clear();
    if (!options.bone_length_terms) return;
    for (std::size_t l = 0; l < limbs.size(); ++l) {
      std::vector<double> len;
      for (int f = 0; f < nf; ++f) {
        const Eigen::Vector3d& P = points[f * nj + limbs[l].first];
        const Eigen::Vector3d& C = points[f * nj + limbs[l].second];
        if (P.allFinite() && C.allFinite()) {
          len.push_back((C - P).norm());
          bones.push_back({f * nj + limbs[l].first, f * nj + limbs[l].second, static_cast<int>(l)});
        }
      }
      limb_lengths[l] = len.empty() ? 0.0 : median_of(len);
    }
  };

  detail::BaSettings bs;
  bs.max_iterations = options.max_ba_iterations;
  bs.refine_focal = options.refine_focal;
  bs.refine_distortion = options.refine_distortion;
  bs.bone_sigma = options.bone_length_sigma;
  bs.gauge_scale_camera = 1;
  bs.loss_scale_px = sigma;
  // Schedule: Huber (convex: fast, bounded outlier influence) from the linear
  // initialisation; after the first cut Cauchy at sigma_hat (redescending:
  // the remaining outliers lose their pull); after the second cut plain least
  // squares on the inliers (the Gaussian ML estimate, quadratic convergence).
  bs.loss = detail::BaSettings::Loss::kHuber;
  // Robust losses converge linearly in Ceres (the IRLS-like model of the
  // loss): the two robust stages stop at a 1e-5 relative cost change (the
  // step is then ~1e-3 of the rig size), the final least-squares stage
  // converges quadratically to 1e-9.
  bs.function_tolerance = 1e-5;
  std::vector<detail::BaObservation> active = all_obs;
  std::vector<double> residual;
  auto compute_residuals = [&](const std::vector<detail::BaObservation>& list) {
    residual.assign(list.size(), kNaN);
    for (std::size_t k = 0; k < list.size(); ++k) {
      const Eigen::Vector3d& X = points[list[k].point];
      Eigen::Vector2d p;
      if (X.allFinite() && r.cameras[list[k].camera].project(X, &p) == camera::ProjectionStatus::kSuccess) {
        residual[k] = (p - list[k].pixel_px).norm();
      }
    }
  };
  // Keeps observations whose dof-corrected residual (see estimate_sigma; V =
  // the point's views with a finite residual) is below `cut` and whose point
  // keeps >= 2 views.
  auto select_inliers = [&](double cut) {
    compute_residuals(all_obs);
    std::vector<int> finite_views(np, 0);
    for (std::size_t k = 0; k < all_obs.size(); ++k) finite_views[all_obs[k].point] += std::isfinite(residual[k]);
    std::vector<char> keep(all_obs.size(), 0);
    std::vector<int> views(np, 0);
    for (std::size_t k = 0; k < all_obs.size(); ++k) {
      const int v = finite_views[all_obs[k].point];
      if (v < 2 || !std::isfinite(residual[k])) continue;
      keep[k] = residual[k] * std::sqrt(2.0 / (2.0 - 3.0 / v)) < cut;
      views[all_obs[k].point] += keep[k];
    }
    active.clear();
    for (std::size_t k = 0; k < all_obs.size(); ++k) {
      if (keep[k] && views[all_obs[k].point] >= 2) active.push_back(all_obs[k]);
    }
    for (int i = 0; i < np; ++i) {
      if (views[i] < 2) points[i].setConstant(kNaN);
    }
  };
  // Noise estimate from the current residuals. A point seen in V views has
  // 3 of its 2V residual degrees of freedom absorbed by its position, so each
  // observation carries (2 - 3 / V) of them: sigma^2 = sum r^2 / sum (2 - 3/V)
  // over the inliers, the inliers being the observations whose dof-corrected
  // residual is below 3.5 sigma. Started from the median (Rayleigh) estimate,
  // which outliers barely move; three fixed-point steps.
  std::vector<double> corrected;
  auto estimate_sigma = [&](double start) {
    compute_residuals(active);
    std::vector<int> views(np, 0);
    for (const auto& o : active) ++views[o.point];
    corrected.assign(active.size(), kNaN);
    std::vector<double> dof(active.size(), 0.0);
    std::vector<double> finite;
    for (std::size_t k = 0; k < active.size(); ++k) {
      const int v = views[active[k].point];
      if (!std::isfinite(residual[k]) || v < 2) continue;
      dof[k] = 2.0 - 3.0 / v;
      corrected[k] = residual[k] * std::sqrt(2.0 / dof[k]);
      finite.push_back(corrected[k]);
    }
    if (finite.empty()) return start;
    double s = std::max(median_of(finite) / kRayleighMedian, kMinSigmaPx);
    for (int it = 0; it < 3; ++it) {
      double num = 0.0, den = 0.0;
      for (std::size_t k = 0; k < active.size(); ++k) {
        if (corrected[k] < kOutlierCutSigmas * s) {
          num += residual[k] * residual[k];
          den += dof[k];
        }
      }
      if (!(den > 0.0)) break;
      s = std::max(std::sqrt(num / den), kMinSigmaPx);
    }
    return s;
  };
  // Drop observations whose initial point failed; then BA, estimate sigma,
  // cut at 3.5 sigma_hat, re-triangulate the rejected points' survivors and
  // solve again (two rounds).
  select_inliers(std::numeric_limits<double>::infinity());
  init_bones();
  detail::BaSummary bsum = detail::bundle_adjust(&r.cameras, &points, active, bones, &limb_lengths, bs);
  int total_iterations = bsum.iterations;
  // A nearly still person is the documented cause when the bundle adjustment then
  // fails (the frames repeat the same ~J points): report it, as for a weak graph.
  const Status ba_failure = degenerate_motion ? Status::kDegenerateMotion : Status::kOptimizationFailed;
  if (!bsum.ok) return finish(ba_failure, "bundle adjustment: " + bsum.message + motion_note);
  double sigma_hat = sigma;
  for (int round = 0; round < 2; ++round) {
    sigma_hat = estimate_sigma(sigma_hat);
    // Points dropped earlier may come back: re-triangulate every (frame, joint)
    // from the observations within the cut of a tentative point.
    {
      triangulation::TriangulationOptions to;
      to.method = triangulation::Method::kRobust;
      to.robust.inlier_threshold_px = kOutlierCutSigmas * sigma_hat;
      triangulate_missing(to);
    }
    select_inliers(kOutlierCutSigmas * sigma_hat);
    init_bones();
    bs.loss_scale_px = sigma_hat;
    bs.loss = round == 0 ? detail::BaSettings::Loss::kCauchy : detail::BaSettings::Loss::kSquared;
    bs.function_tolerance = round == 0 ? 1e-5 : 1e-9;
    bsum = detail::bundle_adjust(&r.cameras, &points, active, bones, &limb_lengths, bs);
    total_iterations += bsum.iterations;
    if (!bsum.ok) return finish(ba_failure, "bundle adjustment: " + bsum.message + motion_note);
  }
  r.ba_iterations = total_iterations;
  r.noise_sigma_px = sigma_hat;

  // Diagnostics on the final inliers.
  compute_residuals(active);
  std::vector<double> ss(nc, 0.0);
  std::vector<int> cnt(nc, 0);
  double total_ss = 0.0;
  for (std::size_t k = 0; k < active.size(); ++k) {
    if (!std::isfinite(residual[k])) continue;
    ss[active[k].camera] += residual[k] * residual[k];
    ++cnt[active[k].camera];
    total_ss += residual[k] * residual[k];
  }
  for (int c = 0; c < nc; ++c) {
    r.per_camera[c].num_outliers = r.per_camera[c].num_observations - cnt[c];
    r.per_camera[c].num_observations = cnt[c];
    r.per_camera[c].reprojection_rms_px = cnt[c] > 0 ? std::sqrt(ss[c] / cnt[c]) : kNaN;
  }
  r.inliers.assign(nc, std::vector<char>(static_cast<std::size_t>(np), 0));
  for (const auto& o : active) r.inliers[o.camera][o.point] = 1;
  r.num_observations_used = static_cast<int>(std::accumulate(cnt.begin(), cnt.end(), 0));
  r.reprojection_rms_px = r.num_observations_used > 0 ? std::sqrt(total_ss / r.num_observations_used) : kNaN;
  r.num_points = 0;
  for (const auto& X : points) r.num_points += X.allFinite();
  for (int c = 0; c < nc; ++c) {
    if (cnt[c] < 6) {
      return finish(Status::kWeakGraph, "camera " + std::to_string(c) + " keeps only " + std::to_string(cnt[c]) +
                                            " inlier observations after bundle adjustment" + motion_note);
    }
  }

  // Metric scale.
  auto limb_median = [&](int a, int b) {
    std::vector<double> len;
    for (int f = 0; f < nf; ++f) {
      const Eigen::Vector3d& P = points[f * nj + a];
      const Eigen::Vector3d& C = points[f * nj + b];
      if (P.allFinite() && C.allFinite()) len.push_back((C - P).norm());
    }
    return median_of(len);
  };
  double height_units = kNaN;
  {
    std::vector<double> est;
    for (const Segment& s : height_segments(options.layout)) {
      const double l = limb_median(s.a, s.b);
      if (std::isfinite(l)) est.push_back(l / s.ratio);
    }
    height_units = median_of(est);
  }
  double mpu = 1.0;
  switch (options.scale.source) {
    case ScaleOptions::Source::kPersonHeight:
      if (!(height_units > 0.0)) {
        return finish(Status::kWeakGraph, "metric scale: no leg or arm segment was triangulated" + motion_note);
      }
      mpu = options.scale.person_height_m / height_units;
      r.scale_note = "scale from the person's height " + std::to_string(options.scale.person_height_m) +
                     " m via Drillis-Contini segment ratios (thigh, shank, upper arm, forearm; median)";
      break;
    case ScaleOptions::Source::kLimbLength: {
      const double l = limb_median(options.scale.limb_joint_a, options.scale.limb_joint_b);
      if (!(l > 0.0)) return finish(Status::kWeakGraph, "metric scale: the scale limb was never triangulated" + motion_note);
      mpu = options.scale.limb_length_m / l;
      r.scale_note = "scale from limb (" + std::to_string(options.scale.limb_joint_a) + ", " +
                     std::to_string(options.scale.limb_joint_b) + ") = " + std::to_string(options.scale.limb_length_m) +
                     " m (median over frames)";
      break;
    }
    case ScaleOptions::Source::kNone:
      r.scale_note = "no metric scale: |centre of camera 1| = 1 (arbitrary unit)";
      break;
  }
  r.metres_per_unit = mpu;
  r.estimated_height_m = height_units * mpu;
  for (auto& cam : r.cameras) cam.cam_from_world.translation *= mpu;
  r.points_in_world.setConstant(3, static_cast<Eigen::Index>(nf) * nj, kNaN);
  for (int i = 0; i < np; ++i) {
    if (points[i].allFinite()) r.points_in_world.col(i) = points[i] * mpu;
  }

  // Pair diagnostics against the final rig.
  for (auto& pd : r.pairs) {
    if (!pd.used) continue;
    const camera::Rigid3d rel_final = r.cameras[pd.camera_b].cam_from_world * r.cameras[pd.camera_a].cam_from_world.inverse();
    pd.rotation_residual_deg =
        camera::rotation_angle_between(pd.cam_b_from_cam_a.rotation, rel_final.rotation) * kRadToDeg;
    const Eigen::Vector3d t1 = pd.cam_b_from_cam_a.translation, t2 = rel_final.translation;
    pd.direction_residual_deg = std::atan2(t1.cross(t2).norm(), t1.dot(t2)) * kRadToDeg;
  }
  const std::string summary = std::to_string(r.num_observations_used) + " observations, " +
                              std::to_string(r.num_points) + " joints, RMS " + std::to_string(r.reprojection_rms_px) +
                              " px, sigma_hat " + std::to_string(sigma_hat) + " px, " + std::to_string(rel.size()) +
                              " of " + std::to_string(r.pairs.size()) + " pairs used; " + r.scale_note;
  if (degenerate_motion) return finish(Status::kDegenerateMotion, summary + motion_note);
  return finish(Status::kSuccess, summary);
}

}  // namespace crossview::calibration
