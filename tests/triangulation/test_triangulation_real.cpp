// Real-data accuracy of triangulate() (issue 4, "Accuracy", items 2 and 3):
//  1. CMU motion capture (131_01.bvh) projected through the real Human3.6M
//     cameras (S1, distortion included), 2 px noise, then 10% gross outliers:
//     MPJPE of DLT, DLT + refinement, kRobust and kVectorMedian.
//  2. The Pose2Sim demo: real OpenPose BODY_25B detections of 4 cameras,
//     triangulated for all 100 frames, compared with Pose2Sim's own .trc
//     (3D distance, and reprojection error on the same detections).
// The measured numbers are printed (and recorded in docs/triangulation.md).
#include <crossview/io/bvh.hpp>
#include <crossview/io/openpose.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/io/trc.hpp>
#include <crossview/triangulation/triangulate.hpp>

#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

namespace tri = crossview::triangulation;
using crossview::camera::Camera;
using crossview::camera::ProjectionStatus;
using crossview_test::shared_data;

namespace {

constexpr double kPi = 3.14159265358979323846;

double median(std::vector<double> v) {
  REQUIRE(!v.empty());
  const std::size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid), v.end());
  double m = v[mid];
  if (v.size() % 2 == 0) m = 0.5 * (m + *std::max_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(mid)));
  return m;
}

/// First-order (Cramer-Rao) prediction of the RMS 3D error of a point seen by
/// `cameras` with isotropic Gaussian pixel noise of `sigma_px` per axis:
/// sqrt(trace(sigma^2 (sum_v J_v^T J_v)^-1)), J_v = d project_v / d X by
/// central differences (step 1e-3 mm: the projection is smooth at this scale).
double predicted_rms_error(const std::vector<Camera>& cameras, const Eigen::Vector3d& X, double sigma_px) {
  Eigen::Matrix3d info = Eigen::Matrix3d::Zero();
  constexpr double kStep = 1e-3;
  for (const Camera& cam : cameras) {
    Eigen::Matrix<double, 2, 3> J;
    for (int k = 0; k < 3; ++k) {
      Eigen::Vector3d d = Eigen::Vector3d::Zero();
      d[k] = kStep;
      Eigen::Vector2d plus, minus;
      REQUIRE(cam.project(X + d, &plus) == ProjectionStatus::kSuccess);
      REQUIRE(cam.project(X - d, &minus) == ProjectionStatus::kSuccess);
      J.col(k) = (plus - minus) / (2.0 * kStep);
    }
    info += J.transpose() * J;
  }
  return sigma_px * std::sqrt(info.inverse().trace());
}

struct MethodRun {
  const char* label;
  tri::TriangulationOptions options;
};

struct Score {
  double mpjpe_mm = 0.0;  ///< mean over successful joints
  int failures = 0;       ///< joints without a successful point
  int total = 0;
};

}  // namespace

TEST_CASE("triangulation real: CMU mocap through the Human3.6M cameras, noise and outliers",
          "[triangulation][real]") {
  const crossview::io::Rig rig = crossview::io::read_h36m_json(shared_data("h36m/camera-parameters.json"), "S1");
  REQUIRE(rig.length_unit == "mm");
  REQUIRE(rig.size() == 4);
  const std::vector<Camera>& cameras = rig.cameras;

  crossview::io::BvhToH36mOptions bvh_options;
  bvh_options.z_up = true;  // H36M's world is Z-up
  const crossview::io::BvhMotion motion = crossview::io::read_bvh(shared_data("cmu_mocap/131_01.bvh"));
  const crossview::Points3d all_poses = crossview::io::to_h36m_17(motion, bvh_options);  // 3 x (F*17)
  constexpr Eigen::Index kJ = crossview::pose::h36m::kNumJoints;
  const Eigen::Index num_all = all_poses.cols() / kJ;
  REQUIRE(num_all == 994);

  // Place the performer in the capture volume: the H36M cameras of S1 stand
  // on a ring of radius ~4-5.5 m around the world origin at ~1.2-1.6 m height
  // (printed below) looking at the centre, with the floor at z = 0. Subtract
  // the mean root xy over the clip, keep z (BVH y = 0 is the floor).
  Eigen::Vector2d mean_root_xy = Eigen::Vector2d::Zero();
  for (Eigen::Index f = 0; f < num_all; ++f) mean_root_xy += all_poses.col(f * kJ).head<2>();
  mean_root_xy /= static_cast<double>(num_all);
  constexpr int kFrameStride = 4;
  std::vector<Eigen::Matrix3Xd> poses;  // 3 x 17 per sampled frame
  for (Eigen::Index f = 0; f < num_all; f += kFrameStride) {
    Eigen::Matrix3Xd p = all_poses.middleCols(f * kJ, kJ);
    p.row(0).array() -= mean_root_xy.x();
    p.row(1).array() -= mean_root_xy.y();
    poses.push_back(p);
  }
  const int F = static_cast<int>(poses.size());
  const int J = static_cast<int>(kJ);
  const int V = static_cast<int>(cameras.size());

  double min_depth_mm = 1e300, max_depth_mm = 0.0;
  for (const Camera& cam : cameras) {
    const Eigen::Vector3d c = cam.center_in_world();
    std::printf("H36M S1 camera %s: centre (%.0f, %.0f, %.0f) mm, fx %.1f px\n", cam.name().c_str(), c.x(), c.y(),
                c.z(), cam.fx());
  }
  // Ground truth projections; every joint must be in front of and inside every camera.
  // gt_px[f] is the frame packed 2 x (V*J), column v*J + j.
  std::vector<crossview::Points2d> gt_px(static_cast<std::size_t>(F), crossview::Points2d(2, V * J));
  for (int f = 0; f < F; ++f) {
    for (int v = 0; v < V; ++v) {
      const Camera& cam = cameras[static_cast<std::size_t>(v)];
      crossview::Points2d& px = gt_px[static_cast<std::size_t>(f)];
      for (int j = 0; j < J; ++j) {
        const Eigen::Vector3d X = poses[static_cast<std::size_t>(f)].col(j);
        Eigen::Vector2d x;
        INFO("frame " << f * kFrameStride << " joint " << j << " camera " << cam.name());
        REQUIRE(cam.project(X, &x) == ProjectionStatus::kSuccess);
        REQUIRE(cam.is_in_image(x));
        px.col(v * J + j) = x;
        const double depth = (cam.cam_from_world * X).z();
        min_depth_mm = std::min(min_depth_mm, depth);
        max_depth_mm = std::max(max_depth_mm, depth);
      }
    }
  }
  std::printf("mocap in H36M: %d frames (every %d-th of %zu), %d joints, depth %.0f-%.0f mm\n", F, kFrameStride,
              all_poses.size(), J, min_depth_mm, max_depth_mm);

  // Noise and outliers (seeded). sigma = 2 px per image axis. Exactly 10% of
  // the F x J x V observations become gross outliers: moved 50-300 px (uniform)
  // in a uniform direction from their noisy position.
  constexpr std::uint64_t kSeed = 131;
  constexpr double kSigmaPx = 2.0;
  constexpr double kOutlierFraction = 0.10;
  INFO("seed " << kSeed);
  crossview_test::Rng rng(kSeed);
  auto noisy_px = gt_px;
  for (auto& frame : noisy_px)
    for (int v = 0; v < V; ++v)
      for (int j = 0; j < J; ++j) frame.col(v * J + j) += Eigen::Vector2d(rng.normal(kSigmaPx), rng.normal(kSigmaPx));
  auto outlier_px = noisy_px;
  const int num_obs = F * J * V;
  std::vector<int> order(static_cast<std::size_t>(num_obs));
  std::iota(order.begin(), order.end(), 0);
  std::shuffle(order.begin(), order.end(), rng.engine());
  const int num_outliers = static_cast<int>(std::lround(kOutlierFraction * num_obs));
  for (int k = 0; k < num_outliers; ++k) {
    const int i = order[static_cast<std::size_t>(k)];
    const int f = i / (J * V), j = (i / V) % J, v = i % V;
    const double r = rng.uniform(50.0, 300.0), a = rng.uniform(0.0, 2.0 * kPi);
    outlier_px[static_cast<std::size_t>(f)].col(v * J + j) += Eigen::Vector2d(r * std::cos(a), r * std::sin(a));
  }

  // Per joint: how many of its V observations are outliers, and the "oracle"
  // observations (outliers removed = NaN): the best any method can do is
  // DLT + refinement on exactly the clean views.
  std::vector<int> num_bad(static_cast<std::size_t>(F * J), 0);
  auto oracle_px = outlier_px;
  for (int k = 0; k < num_outliers; ++k) {
    const int i = order[static_cast<std::size_t>(k)];
    ++num_bad[static_cast<std::size_t>(i / V)];
    oracle_px[static_cast<std::size_t>(i / (J * V))].col((i % V) * J + (i / V) % J).setConstant(NAN);
  }

  std::vector<MethodRun> runs(6);
  runs[0].label = "DLT";
  runs[0].options.method = tri::Method::kDlt;
  runs[0].options.refine = false;
  runs[1].label = "DLT+refine";
  runs[1].options.method = tri::Method::kDlt;
  runs[2].label = "kRobust";
  runs[2].options.method = tri::Method::kRobust;
  runs[3].label = "kVectorMedian";
  runs[3].options.method = tri::Method::kVectorMedian;
  runs[4].label = "oracle";  // DLT+refine on the clean views only
  runs[4].options.method = tri::Method::kDlt;
  runs[5].label = "kRobust min3";  // robust.min_inlier_views = 3 (refuses 2-view support)
  runs[5].options.method = tri::Method::kRobust;
  runs[5].options.robust.min_inlier_views = 3;

  // error_mm[f * J + j] (NaN = failed), used[f * J + j] = number of used views.
  struct Run {
    std::vector<double> error_mm;
    std::vector<int> used;
  };
  auto evaluate = [&](const std::vector<crossview::Points2d>& observations, const tri::TriangulationOptions& o) {
    Run out;
    for (int f = 0; f < F; ++f) {
      const tri::SkeletonResult r = tri::triangulate_skeleton(cameras, observations[static_cast<std::size_t>(f)], o);
      for (int j = 0; j < J; ++j) {
        const tri::TriangulationResult& t = r.joints[static_cast<std::size_t>(j)];
        out.error_mm.push_back(t.ok() ? (r.points_in_world.col(j) - poses[static_cast<std::size_t>(f)].col(j)).norm()
                                      : std::numeric_limits<double>::quiet_NaN());
        out.used.push_back(static_cast<int>(t.used_views.size()));
      }
    }
    return out;
  };
  // Mean over the joints accepted by `keep` where the method succeeded.
  auto score = [&](const Run& run, auto keep) {
    Score s;
    double sum = 0.0;
    for (std::size_t i = 0; i < run.error_mm.size(); ++i) {
      if (!keep(i)) continue;
      ++s.total;
      if (std::isnan(run.error_mm[i])) {
        ++s.failures;
        continue;
      }
      sum += run.error_mm[i];
    }
    s.mpjpe_mm = sum / std::max(1, s.total - s.failures);
    return s;
  };
  const auto all = [](std::size_t) { return true; };
  std::vector<Run> clean_runs, dirty_runs;
  std::vector<Score> clean, dirty;
  for (std::size_t m = 0; m < runs.size(); ++m) {
    clean_runs.push_back(evaluate(noisy_px, runs[m].options));
    dirty_runs.push_back(evaluate(m == 4 ? oracle_px : outlier_px, runs[m].options));
    clean.push_back(score(clean_runs.back(), all));
    dirty.push_back(score(dirty_runs.back(), all));
    std::printf("%-14s MPJPE 2 px noise: %7.2f mm (%d/%d failed)   + 10%% outliers: %7.2f mm (%d/%d failed)\n",
                runs[m].label, clean.back().mpjpe_mm, clean.back().failures, clean.back().total, dirty.back().mpjpe_mm,
                dirty.back().failures, dirty.back().total);
  }
  // By number of outlier views of the joint (of V = 4).
  std::vector<std::vector<Score>> by_bad(runs.size());
  for (std::size_t m = 0; m < runs.size(); ++m) {
    for (int n = 0; n <= V; ++n) {
      by_bad[m].push_back(score(dirty_runs[m], [&](std::size_t i) { return num_bad[i] == n; }));
    }
    std::printf("  %-14s by outlier views 0/1/2/3: %.2f / %.2f / %.2f / %.2f mm, failed %d / %d / %d / %d of %d / %d / %d / %d\n",
                runs[m].label, by_bad[m][0].mpjpe_mm, by_bad[m][1].mpjpe_mm, by_bad[m][2].mpjpe_mm, by_bad[m][3].mpjpe_mm,
                by_bad[m][0].failures, by_bad[m][1].failures, by_bad[m][2].failures, by_bad[m][3].failures,
                by_bad[m][0].total, by_bad[m][1].total, by_bad[m][2].total, by_bad[m][3].total);
  }

  // Predicted error of the optimal (ML) estimate for this geometry and noise.
  // Back of the envelope: 2 px at ~5 m with f ~ 1145 px is ~9 mm per view
  // across the ray; four views around the subject average that down. The
  // exact first-order value per joint:
  double predicted_sq = 0.0;
  for (int f = 0; f < F; ++f)
    for (int j = 0; j < J; ++j) {
      const double e = predicted_rms_error(cameras, poses[static_cast<std::size_t>(f)].col(j), kSigmaPx);
      predicted_sq += e * e;
    }
  const double predicted_rms_mm = std::sqrt(predicted_sq / (F * J));
  std::printf("first-order predicted RMS 3D error of the ML estimate: %.2f mm\n", predicted_rms_mm);

  // Without outliers every method must succeed on every joint.
  for (std::size_t m = 0; m < runs.size(); ++m) {
    INFO(runs[m].label);
    CHECK(clean[m].failures == 0);
  }
  // Absolute bound: the refined estimate is the ML estimate for Gaussian
  // noise, so its mean 3D error is at most its RMS error, which is
  // predicted_rms_mm to first order (E|e| <= sqrt(E|e|^2); for a 3D Gaussian
  // E|e| ~ 0.9 x RMS). kMleSamplingSlack (10%) covers the sampling error of
  // ~4000 samples (~1%) and second-order terms (noise / distance ~ 1e-3).
  // The lower bound (half the prediction) catches a test that adds no noise.
  constexpr double kMleSamplingSlack = 1.10;
  CHECK(clean[1].mpjpe_mm <= kMleSamplingSlack * predicted_rms_mm);
  CHECK(clean[1].mpjpe_mm >= 0.5 * predicted_rms_mm);
  // Refinement can only help DLT (DLT minimises an algebraic error).
  CHECK(clean[1].mpjpe_mm <= clean[0].mpjpe_mm * 1.01);
  // Without outliers kRobust keeps every view, so it is the refined DLT.
  CHECK(std::abs(clean[2].mpjpe_mm - clean[1].mpjpe_mm) <= 1e-6 * clean[1].mpjpe_mm);

  // Plain DLT degrades (here by far more than 2x), refinement does not save it.
  constexpr double kDltDegradation = 2.0;
  CHECK(dirty[0].mpjpe_mm > kDltDegradation * clean[0].mpjpe_mm);
  CHECK(dirty[1].mpjpe_mm > kDltDegradation * clean[1].mpjpe_mm);

  // kRobust where the outliers are identifiable (at most 1 bad view of 4: the
  // 3 clean views outvote it): it must find exactly the clean views on every
  // such joint, hence equal the oracle (kOracleTolerance: same views, same
  // refinement; 1% covers a different LM path from a different start).
  constexpr double kOracleTolerance = 1.01;
  int wrong_sets = 0;
  for (std::size_t i = 0; i < num_bad.size(); ++i) {
    if (num_bad[i] <= 1 && dirty_runs[2].used[i] != V - num_bad[i]) ++wrong_sets;
  }
  CHECK(wrong_sets == 0);
  const auto identifiable = [&](std::size_t i) { return num_bad[i] <= 1; };
  const Score robust_id = score(dirty_runs[2], identifiable);
  const Score oracle_id = score(dirty_runs[4], identifiable);
  std::printf("kRobust on joints with <= 1 outlier view: %.2f mm (oracle %.2f mm, %d failed of %d)\n",
              robust_id.mpjpe_mm, oracle_id.mpjpe_mm, robust_id.failures, robust_id.total);
  CHECK(robust_id.failures == 0);
  CHECK(robust_id.mpjpe_mm <= kOracleTolerance * oracle_id.mpjpe_mm);
  // With 3 bad views of 4 there is nothing to verify a point with: kRobust
  // should mostly refuse (kNoConsensus); a wrong answer needs two outliers
  // that happen to agree within the 10 px threshold.
  CHECK(by_bad[2][3].failures >= by_bad[2][3].total / 2);
  // The vector median is far less hurt than DLT.
  CHECK(dirty[3].mpjpe_mm < 0.5 * dirty[1].mpjpe_mm);

  // The issue's literal demand: "the robust path must stay within 10% of its
  // outlier-free error". NOT MET on this rig, and not reachable by any
  // estimator here: with 10% of the observations replaced, 29% of the joints
  // lose one of their 4 views (oracle 13.4 mm instead of 10.4 mm), 5% lose
  // two (and in a third of those the two left are the near-opposite cameras
  // 54138969/60457274 or 55011271/58860488, whose depth along the baseline is
  // ill-conditioned: oracle ~24 mm), and with only 2 clean views an outlier
  // moved along the epipolar line is indistinguishable. Reported, not failed:
  constexpr double kIssueRobustDegradation = 1.10;
  for (std::size_t m : {std::size_t{2}, std::size_t{3}, std::size_t{4}, std::size_t{5}}) {
    const double ratio = dirty[m].mpjpe_mm / clean[m].mpjpe_mm;
    std::printf("issue criterion (with outliers <= 1.10 x outlier-free): %-14s %.2f / %.2f mm = %.2f  %s\n",
                runs[m].label, dirty[m].mpjpe_mm, clean[m].mpjpe_mm, ratio,
                ratio <= kIssueRobustDegradation ? "met" : "NOT MET");
  }
  CHECK_NOFAIL(dirty[2].mpjpe_mm <= kIssueRobustDegradation * clean[2].mpjpe_mm);
  // With robust.min_inlier_views = 3 (a third view must confirm the pair)
  // the criterion is met on the points returned, at a price in coverage:
  // every joint with >= 2 bad views of 4 is refused (kNoConsensus), none
  // with <= 1 is, and every returned joint uses >= 3 views.
  {
    const double ratio = dirty[5].mpjpe_mm / clean[5].mpjpe_mm;
    std::printf("kRobust min_inlier_views = 3: %.2f / %.2f mm = %.2f on %d of %d joints (%d refused)\n",
                dirty[5].mpjpe_mm, clean[5].mpjpe_mm, ratio, dirty[5].total - dirty[5].failures, dirty[5].total,
                dirty[5].failures);
    CHECK(ratio <= kIssueRobustDegradation);
    CHECK(clean[5].failures == 0);
    CHECK(by_bad[5][0].failures == 0);
    CHECK(by_bad[5][1].failures == 0);
    CHECK(by_bad[5][2].failures + by_bad[5][3].failures >= (by_bad[5][2].total + by_bad[5][3].total) * 9 / 10);
    for (std::size_t i = 0; i < num_bad.size(); ++i) {
      if (!std::isnan(dirty_runs[5].error_mm[i])) CHECK(dirty_runs[5].used[i] >= 3);
    }
  }
  CHECK_NOFAIL(dirty[3].mpjpe_mm <= kIssueRobustDegradation * clean[3].mpjpe_mm);
  CHECK_NOFAIL(dirty[4].mpjpe_mm <= kIssueRobustDegradation * clean[4].mpjpe_mm);
}

TEST_CASE("triangulation real: Pose2Sim demo detections, ours vs Pose2Sim's .trc", "[triangulation][real]") {
  const crossview::io::Rig rig = crossview::io::read_pose2sim_toml(shared_data("pose2sim_demo/Calib_qualisys.toml"));
  REQUIRE(rig.size() == 4);
  REQUIRE(rig.length_unit == "m");
  const std::vector<Camera>& cameras = rig.cameras;
  const int V = static_cast<int>(cameras.size());
  const crossview::io::TrcData trc = crossview::io::read_trc(shared_data("pose2sim_demo/BalancingTrial_0-100.trc"));
  REQUIRE(trc.num_frames() == 100);
  std::vector<int> body25b_of_marker;
  for (const auto& name : trc.marker_names) {
    const int j = crossview::io::body25b_index(name);
    INFO("marker " << name);
    REQUIRE(j >= 0);
    body25b_of_marker.push_back(j);
  }

  // Detections: the main person of every frame in every camera (camera v of
  // the TOML, cam_0N, reads folder cam0N_json).
  constexpr int J = crossview::io::kNumBody25bJoints;
  std::vector<std::vector<crossview::io::OpenPoseFrame>> frames(static_cast<std::size_t>(V));
  std::vector<std::vector<int>> main_person(static_cast<std::size_t>(V));
  for (int v = 0; v < V; ++v) {
    REQUIRE(cameras[static_cast<std::size_t>(v)].name() == "cam_0" + std::to_string(v + 1));
    frames[static_cast<std::size_t>(v)] = crossview::io::read_openpose_folder(
        shared_data("pose2sim_demo/pose/cam0" + std::to_string(v + 1) + "_json"), J);
    REQUIRE(frames[static_cast<std::size_t>(v)].size() == 100);
    main_person[static_cast<std::size_t>(v)] = crossview::io::select_main_person(frames[static_cast<std::size_t>(v)]);
  }

  // Pose2Sim's settings: a view takes part when its likelihood is above 0.3;
  // DLT rows weighted by the likelihood. Ours: kRobust (pairs, 10 px inlier
  // threshold) + LM.
  constexpr double kLikelihoodThreshold = 0.3;
  tri::TriangulationOptions options;
  options.method = tri::Method::kRobust;
  options.min_confidence = kLikelihoodThreshold;

  std::vector<double> ours_px, theirs_px, distance_mm;
  int points = 0, ours_ok = 0, both = 0;
  for (int f = 0; f < 100; ++f) {
    // The frame packed view-major: column v*J + j.
    crossview::Points2d keypoints = crossview::Points2d::Constant(2, V * J, NAN);
    Eigen::VectorXd scores = Eigen::VectorXd::Zero(V * J);
    for (int v = 0; v < V; ++v) {
      const int p = main_person[static_cast<std::size_t>(v)][static_cast<std::size_t>(f)];
      if (p < 0) continue;
      const auto& person = frames[static_cast<std::size_t>(v)][static_cast<std::size_t>(f)].people[static_cast<std::size_t>(p)];
      keypoints.middleCols(v * J, J) = person.keypoints_px;
      scores.segment(v * J, J) = person.scores;
    }
    const tri::SkeletonResult ours = tri::triangulate_skeleton(cameras, keypoints, scores, options);
    // TRC row f <-> detection file f (see tests/io/test_pose2sim_real.cpp).
    const Eigen::Matrix3Xd markers = trc.frame(f);
    for (int m = 0; m < trc.num_markers(); ++m) {
      const int j = body25b_of_marker[static_cast<std::size_t>(m)];
      ++points;
      const tri::TriangulationResult& r = ours.joints[static_cast<std::size_t>(j)];
      if (r.ok()) ++ours_ok;
      if (!r.ok() || !markers.col(m).allFinite()) continue;
      ++both;
      const Eigen::Vector3d theirs = crossview::io::trc_to_world(markers.col(m));
      distance_mm.push_back(1000.0 * (r.point_in_world - theirs).norm());
      // Same joint/view set for both: every view whose likelihood passes the threshold.
      for (int v = 0; v < V; ++v) {
        const double s = scores(v * J + j);
        if (!(s > kLikelihoodThreshold)) continue;
        const Eigen::Vector2d detected = keypoints.col(v * J + j);
        Eigen::Vector2d a, b;
        const Camera& cam = cameras[static_cast<std::size_t>(v)];
        REQUIRE(cam.project(r.point_in_world, &a) == ProjectionStatus::kSuccess);
        REQUIRE(cam.project(theirs, &b) == ProjectionStatus::kSuccess);
        ours_px.push_back((a - detected).norm());
        theirs_px.push_back((b - detected).norm());
      }
    }
  }
  const double ours_median_px = median(ours_px);
  const double theirs_median_px = median(theirs_px);
  const double distance_median_mm = median(distance_mm);
  std::printf("Pose2Sim demo: %d marker points, ours succeeded on %d, compared on %d (%zu views)\n", points, ours_ok,
              both, ours_px.size());
  std::printf("median reprojection error on the same detections: ours %.2f px, Pose2Sim .trc %.2f px\n",
              ours_median_px, theirs_median_px);
  std::printf("median 3D distance ours - Pose2Sim .trc: %.1f mm\n", distance_median_mm);

  // Nearly every marker point must triangulate (Pose2Sim filled all of them).
  CHECK(ours_ok >= 0.95 * points);
  // Ours reprojects no worse than theirs on the same detections. No epsilon:
  // our points minimise the (confidence-weighted) reprojection error over the
  // inlier views, theirs come from Pose2Sim's own view selection and
  // post-processing (e.g. filtering), so anything
  // but a strict "<=" would hide a regression.
  CHECK(ours_median_px <= theirs_median_px);
  // Same person, same frames: the two reconstructions must agree to a few cm
  // (the .trc reprojects 8-17 px from the detections, ~ 25-50 mm at 4-5 m
  // with f ~ 1680 px).
  CHECK(distance_median_mm < 50.0);
}
