// refine_sequence on generated scenes: the structured solver reaches the same
// minimum as Ceres, noise-free data come back, tracks and gaps get the
// documented states, every class of bad input is refused.
#include <crossview/temporal/refine.hpp>

#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using namespace crossview;
using crossview_test::Rng;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Scene {
  std::vector<camera::Camera> cameras;
  int F = 0, J = 0;
  Eigen::Matrix3Xd truth;  // metres
  std::vector<std::pair<int, int>> bones;
  Eigen::Matrix2Xd keypoints;  // 2 x (F*V*J)
  Eigen::VectorXd scores;
};

/// A chain of J joints (0.3 m bones) swinging at ~1 Hz, seen at 60 Hz by four
/// cameras (one with OpenCV distortion) 4 m away; Gaussian pixel noise,
/// missing detections and gross outliers as asked.
Scene make_scene(int F, int J, double noise_px, double missed, double outliers, std::uint64_t seed) {
  Rng rng(seed);
  Scene s;
  s.F = F;
  s.J = J;
  const double angles[4] = {0.0, 1.6, 3.1, 4.5};
  for (int v = 0; v < 4; ++v) {
    const Eigen::Vector3d c(4.0 * std::cos(angles[v]), 4.0 * std::sin(angles[v]), 1.6);
    const auto pose = crossview_test::look_at(c, Eigen::Vector3d(0, 0, 1.0));
    if (v == 1) {
      Eigen::VectorXd p(9);
      p << 1000, 1000, 640, 360, -0.1, 0.02, 0.001, -0.001, 0.0;
      s.cameras.emplace_back(camera::CameraModel::kOpenCV, p, 1280, 720, pose);
    } else {
      s.cameras.push_back(camera::Camera::pinhole(1000, 1000, 640, 360, 1280, 720, pose));
    }
  }
  for (int j = 1; j < J; ++j) s.bones.emplace_back(j - 1, j);
  s.truth.resize(3, F * J);
  for (int f = 0; f < F; ++f) {
    const double t = f / 60.0;
    Eigen::Vector3d p(0.2 * std::sin(2 * M_PI * 0.5 * t), 0.1 * std::cos(2 * M_PI * 0.3 * t), 1.5);
    s.truth.col(f * J) = p;
    for (int j = 1; j < J; ++j) {
      const double a = 0.6 * std::sin(2 * M_PI * 1.0 * t + j) - 0.3 * j;
      const double b = 0.4 * std::cos(2 * M_PI * 0.7 * t + 2 * j);
      p += 0.3 * Eigen::Vector3d(std::sin(a) * std::cos(b), std::sin(b), -std::cos(a) * std::cos(b)).normalized();
      s.truth.col(f * J + j) = p;
    }
  }
  const int V = 4;
  s.keypoints.setConstant(2, F * V * J, kNaN);
  s.scores.setZero(F * V * J);
  for (int f = 0; f < F; ++f) {
    for (int v = 0; v < V; ++v) {
      for (int j = 0; j < J; ++j) {
        Eigen::Vector2d px;
        REQUIRE(s.cameras[static_cast<std::size_t>(v)].project(s.truth.col(f * J + j), &px) ==
                camera::ProjectionStatus::kSuccess);
        const double nx = rng.normal(noise_px), ny = rng.normal(noise_px), um = rng.uniform(), uo = rng.uniform();
        const double a = rng.uniform(0, 2 * M_PI), r = rng.uniform(30, 100);
        if (um < missed) continue;
        px += Eigen::Vector2d(nx, ny);
        if (uo < outliers) px += r * Eigen::Vector2d(std::cos(a), std::sin(a));
        const int i = (f * V + v) * J + j;
        s.keypoints.col(i) = px;
        s.scores[i] = 0.9;
      }
    }
  }
  return s;
}

temporal::RefineOptions options_for(const Scene& s) {
  temporal::RefineOptions o;
  o.rate_hz = 60.0;
  o.bones = s.bones;
  return o;
}

double max_error(const Eigen::Matrix3Xd& a, const Eigen::Matrix3Xd& b) {
  double e = 0.0;
  for (Eigen::Index i = 0; i < a.cols(); ++i) {
    if (a.col(i).allFinite() && b.col(i).allFinite()) e = std::max(e, (a.col(i) - b.col(i)).norm());
  }
  return e;
}

}  // namespace

TEST_CASE("refine_sequence: the structured solver reaches Ceres' minimum") {
  const Scene s = make_scene(40, 6, 2.0, 0.1, 0.05, 1);
  for (auto loss : {temporal::RobustLoss::kCauchy, temporal::RobustLoss::kHuber, temporal::RobustLoss::kNone}) {
    for (auto order : {temporal::SmoothnessOrder::kAcceleration, temporal::SmoothnessOrder::kVelocity}) {
      temporal::RefineOptions o = options_for(s);
      o.loss = loss;
      o.smoothness = order;
      o.function_tolerance = 1e-12;
      o.max_iterations = 300;
      const auto a = temporal::refine_sequence(s.cameras, s.keypoints, s.scores, s.J, o);
      o.solver = temporal::RefineSolver::kCeresSparseNormalCholesky;
      const auto b = temporal::refine_sequence(s.cameras, s.keypoints, s.scores, s.J, o);
      INFO(to_string(loss) << ", " << to_string(order) << ": " << a.message << " | " << b.message);
      REQUIRE(a.usable());
      REQUIRE(b.usable());
      CHECK(std::abs(a.final_cost - b.final_cost) <= 1e-6 * b.final_cost);
      CHECK(max_error(a.points_in_world, b.points_in_world) < 1e-5);  // 10 um
      CHECK((a.bone_lengths - b.bone_lengths).cwiseAbs().maxCoeff() < 1e-5);
      CHECK(a.states == b.states);
    }
  }
}

TEST_CASE("refine_sequence: noise-free detections give the truth back, noisy ones improve") {
  const Scene clean = make_scene(60, 5, 0.0, 0.0, 0.0, 2);
  temporal::RefineOptions o = options_for(clean);
  o.smoothness_cutoff_hz = 20.0;  // weak smoothness: the motion itself is not penalised much
  o.function_tolerance = 1e-10;
  const auto r = temporal::refine_sequence(clean.cameras, clean.keypoints, clean.scores, clean.J, o);
  REQUIRE(r.ok());
  CHECK(max_error(r.points_in_world, clean.truth) < 2e-3);  // 2 mm: the smoothness bias on a 1 Hz swing
  CHECK(r.final_rms_px < 0.5);
  for (int b = 0; b < static_cast<int>(clean.bones.size()); ++b) CHECK(r.bone_lengths[b] == Approx(0.3).epsilon(1e-3));

  const Scene noisy = make_scene(120, 5, 3.0, 0.1, 0.05, 3);
  const auto n = temporal::refine_sequence(noisy.cameras, noisy.keypoints, noisy.scores, noisy.J, options_for(noisy));
  REQUIRE(n.ok());
  double e0 = 0, e1 = 0;
  int c0 = 0, c1 = 0;
  for (int i = 0; i < noisy.F * noisy.J; ++i) {
    if (n.initial_points_in_world.col(i).allFinite()) e0 += (n.initial_points_in_world.col(i) - noisy.truth.col(i)).norm(), ++c0;
    e1 += (n.points_in_world.col(i) - noisy.truth.col(i)).norm(), ++c1;
  }
  INFO(n.message);
  CHECK(e1 / c1 < 0.7 * e0 / c0);
  CHECK(n.num_outliers > 0);
  // The priors cost a little reprojection error (the per-frame start fits the
  // noise): the RMS stays at the noise level (3 px per axis = 4.2 px radial).
  CHECK(n.final_rms_px < 4.5);
}

TEST_CASE("refine_sequence: tracks, bridged gaps and what is never extrapolated") {
  Scene s = make_scene(60, 4, 1.0, 0.0, 0.0, 4);
  const int V = 4, J = s.J;
  const auto hide = [&](int f, int j) {
    for (int v = 0; v < V; ++v) s.scores[(f * V + v) * J + j] = 0.0;
  };
  for (int f = 20; f < 25; ++f) hide(f, 1);   // 5 frames: bridged (kFilled)
  for (int f = 10; f < 30; ++f) hide(f, 2);   // 20 frames: longer than max_gap_frames
  for (int f = 0; f < 8; ++f) hide(f, 3);     // leading frames: never extrapolated
  for (int f = 55; f < 60; ++f) hide(f, 3);   // trailing frames
  const auto r = temporal::refine_sequence(s.cameras, s.keypoints, s.scores, J, options_for(s));
  REQUIRE(r.ok());
  const auto state = [&](int f, int j) { return r.states[static_cast<std::size_t>(f * J + j)]; };
  CHECK(state(22, 1) == temporal::SampleState::kFilled);
  CHECK((r.points_in_world.col(22 * J + 1) - s.truth.col(22 * J + 1)).norm() < 0.02);
  CHECK(state(15, 2) == temporal::SampleState::kMissing);
  CHECK(r.points_in_world.col(15 * J + 2).array().isNaN().all());
  CHECK(state(5, 3) == temporal::SampleState::kMissing);
  CHECK(state(57, 3) == temporal::SampleState::kMissing);
  CHECK(state(30, 2) == temporal::SampleState::kFiltered);
  for (int i = 0; i < s.F * J; ++i) {
    CHECK(r.points_in_world.col(i).allFinite() == (r.states[static_cast<std::size_t>(i)] != temporal::SampleState::kMissing));
  }
}

TEST_CASE("refine_sequence: statuses for data that cannot be refined") {
  Scene s = make_scene(20, 3, 1.0, 0.0, 0.0, 5);
  Eigen::VectorXd one_view = Eigen::VectorXd::Zero(s.scores.size());
  for (int f = 0; f < s.F; ++f) {
    for (int j = 0; j < s.J; ++j) one_view[(f * 4 + 0) * s.J + j] = 1.0;  // camera 0 only
  }
  const auto r = temporal::refine_sequence(s.cameras, s.keypoints, one_view, s.J, options_for(s));
  CHECK(r.status == temporal::RefineStatus::kNothingToRefine);
  CHECK(r.points_in_world.array().isNaN().all());
  CHECK_FALSE(r.message.empty());
  temporal::RefineOptions few = options_for(s);
  few.max_iterations = 1;
  few.function_tolerance = 1e-15;
  const auto n = temporal::refine_sequence(s.cameras, s.keypoints, s.scores, s.J, few);
  CHECK(n.status == temporal::RefineStatus::kNotConverged);
  CHECK(n.usable());
  CHECK(n.points_in_world.allFinite());
}

TEST_CASE("refine_sequence: deterministic, and independent of num_threads") {
  const Scene s = make_scene(30, 4, 2.0, 0.1, 0.05, 6);
  temporal::RefineOptions o = options_for(s);
  const auto a = temporal::refine_sequence(s.cameras, s.keypoints, s.scores, s.J, o);
  o.num_threads = 2;
  const auto b = temporal::refine_sequence(s.cameras, s.keypoints, s.scores, s.J, o);
  CHECK((a.points_in_world - b.points_in_world).cwiseAbs().maxCoeff() == 0.0);
}

TEST_CASE("refine_sequence: bad input throws std::invalid_argument naming the problem") {
  const Scene s = make_scene(10, 3, 1.0, 0.0, 0.0, 7);
  const auto throws_with = [](auto&& f, const std::string& text) {
    try {
      f();
    } catch (const std::invalid_argument& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(text) != std::string::npos);
      return;
    }
    FAIL("no std::invalid_argument (expected '" << text << "')");
  };
  const auto o = options_for(s);
  throws_with([&] { temporal::refine_sequence(s.cameras, s.keypoints, s.scores, 4, o); }, "keypoints_px");
  throws_with([&] { temporal::refine_sequence(s.cameras, s.keypoints, s.scores, 0, o); }, "num_joints");
  throws_with([&] { temporal::refine_sequence(s.cameras, Eigen::MatrixXd(s.keypoints.transpose()), s.scores, 3, o); },
              "keypoints_px");
  throws_with([&] { temporal::refine_sequence(s.cameras, s.keypoints, Eigen::VectorXd::Ones(5), 3, o); }, "scores");
  throws_with([&] { temporal::refine_sequence({}, s.keypoints, s.scores, 3, o); }, "camera");
  auto bad = o;
  bad.bones = {{0, 3}};
  throws_with([&] { temporal::refine_sequence(s.cameras, s.keypoints, s.scores, 3, bad); }, "bone 0");
  bad.bones = {{1, 1}};
  throws_with([&] { temporal::refine_sequence(s.cameras, s.keypoints, s.scores, 3, bad); }, "bone 0");
  const auto opt = [&](auto&& set, const std::string& name) {
    auto b = o;
    set(b);
    throws_with([&] { temporal::refine_sequence(s.cameras, s.keypoints, s.scores, 3, b); }, name);
  };
  opt([](auto& b) { b.rate_hz = 0; }, "rate_hz");
  opt([](auto& b) { b.min_confidence = 1; }, "min_confidence");
  opt([](auto& b) { b.keypoint_noise_px = 0; }, "keypoint_noise_px");
  opt([](auto& b) { b.robust_scale = -1; }, "robust_scale");
  opt([](auto& b) { b.smoothness_cutoff_hz = 30; }, "smoothness_cutoff_hz");
  opt([](auto& b) { b.bone_length_sigma = 0; }, "bone_length_sigma");
  opt([](auto& b) { b.max_gap_frames = -1; }, "max_gap_frames");
  opt([](auto& b) { b.smoothness_cutoff_hz = 0; }, "max_gap_frames");  // gaps need the smoothness
  opt([](auto& b) { b.max_iterations = 0; }, "max_iterations");
  opt([](auto& b) { b.function_tolerance = 1; }, "function_tolerance");
  opt([](auto& b) { b.num_threads = 0; }, "num_threads");
  opt([](auto& b) { b.initial.robust.inlier_threshold_px = -1; }, "inlier_threshold");
  // No smoothness and no gaps is allowed (bones and reprojection only).
  auto per_frame = o;
  per_frame.smoothness_cutoff_hz = 0;
  per_frame.max_gap_frames = 0;
  CHECK(temporal::refine_sequence(s.cameras, s.keypoints, s.scores, 3, per_frame).ok());
}
