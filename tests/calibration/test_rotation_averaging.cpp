// average_rotations / recover_positions against synthetic ground truth.
#include <crossview/calibration/rotation_averaging.hpp>
#include <crossview/camera/rigid3.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <vector>

using namespace crossview;
using calibration::RelativePose;

namespace {

constexpr double kRadToDeg = 180.0 / M_PI;

struct Truth {
  std::vector<Eigen::Matrix3d> R;
  std::vector<Eigen::Vector3d> c;
};

Truth random_rig(crossview_test::Rng& rng, int n) {
  Truth t;
  for (int i = 0; i < n; ++i) {
    t.R.push_back(i == 0 ? Eigen::Matrix3d::Identity() : rng.rotation().toRotationMatrix());
    t.c.push_back(i == 0 ? Eigen::Vector3d::Zero() : Eigen::Vector3d(rng.normal(3.0), rng.normal(3.0), rng.normal(1.0)));
  }
  return t;
}

Eigen::Matrix3d perturb(crossview_test::Rng& rng, const Eigen::Matrix3d& R, double sigma_deg) {
  const Eigen::Vector3d w(rng.normal(sigma_deg), rng.normal(sigma_deg), rng.normal(sigma_deg));
  return camera::angle_axis_to_rotation_matrix<double>(w / kRadToDeg) * R;
}

std::vector<RelativePose> all_pairs(crossview_test::Rng& rng, const Truth& t, double sigma_deg) {
  std::vector<RelativePose> pairs;
  const int n = static_cast<int>(t.R.size());
  for (int a = 0; a < n; ++a) {
    for (int b = a + 1; b < n; ++b) {
      RelativePose p;
      p.camera_a = a;
      p.camera_b = b;
      p.rotation_b_from_a = perturb(rng, t.R[b] * t.R[a].transpose(), sigma_deg);
      p.translation_b_from_a = (t.R[b] * (t.c[a] - t.c[b])).normalized();
      p.weight = 100.0;
      pairs.push_back(p);
    }
  }
  return pairs;
}

double max_rotation_error_deg(const std::vector<Eigen::Matrix3d>& est, const Truth& t) {
  double e = 0.0;
  for (std::size_t i = 0; i < est.size(); ++i) {
    e = std::max(e, camera::rotation_angle_between(est[i], t.R[i]) * kRadToDeg);
  }
  return e;
}

}  // namespace

TEST_CASE("average_rotations recovers exact rotations from exact pairs") {
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    const Truth t = random_rig(rng, 6);
    const auto pairs = all_pairs(rng, t, 0.0);
    const auto r = calibration::average_rotations(6, pairs);
    REQUIRE(r.ok());
    CHECK(max_rotation_error_deg(r.rotations, t) < 1e-8);
    const auto p = calibration::recover_positions(6, pairs, r.rotations);
    REQUIRE(p.ok());
    REQUIRE(p.centers.cols() == 6);  // 3 x n, column i = camera i
    // Up to scale: compare normalised centres.
    double scale = 0.0;
    for (int i = 1; i < 6; ++i) scale += t.c[i].squaredNorm();
    scale = std::sqrt(scale / 5.0);
    for (int i = 0; i < 6; ++i) CHECK((p.centers.col(i) - t.c[i] / scale).norm() < 1e-8);
  }
}

TEST_CASE("average_rotations is robust to one grossly wrong pair") {
  // Noise 0.3 deg per axis per pair, i.e. an RMS pair angle of 0.3 sqrt(3) =
  // 0.52 deg; averaging over N - 1 = 4 pairs per camera shrinks it, so twice
  // the pair RMS bounds the worst camera. The real test of robustness: the
  // corrupted graph gives nearly the accuracy of the clean one.
  const double kPairNoiseDeg = 0.3;
  const double kBoundDeg = 2.0 * std::sqrt(3.0) * kPairNoiseDeg;
  for (std::uint64_t seed : {11u, 12u, 13u, 14u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    const Truth t = random_rig(rng, 5);
    auto pairs = all_pairs(rng, t, kPairNoiseDeg);
    const auto clean = calibration::average_rotations(5, pairs);
    // Pair 2 is off by ~40 degrees.
    pairs[2].rotation_b_from_a = perturb(rng, pairs[2].rotation_b_from_a, 25.0);
    const auto r = calibration::average_rotations(5, pairs);
    REQUIRE(r.ok());
    CHECK(max_rotation_error_deg(r.rotations, t) < kBoundDeg);
    CHECK(max_rotation_error_deg(r.rotations, t) < 1.5 * max_rotation_error_deg(clean.rotations, t) + 0.1);
    CHECK(r.residual_deg[2] > 10.0);
    CHECK(r.weight_factor[2] < 0.1);
    // Plain L2 (no reweighting) is visibly hurt by it.
    calibration::RotationAveragingOptions l2;
    l2.max_iterations = 0;
    const auto r2 = calibration::average_rotations(5, pairs, l2);
    CHECK(max_rotation_error_deg(r2.rotations, t) > max_rotation_error_deg(r.rotations, t));
  }
}

TEST_CASE("average_rotations reports bad input") {
  crossview_test::Rng rng(5);
  const Truth t = random_rig(rng, 4);
  auto pairs = all_pairs(rng, t, 0.0);
  SECTION("fewer than two cameras") {
    CHECK(calibration::average_rotations(1, {}).status == calibration::AveragingStatus::kInvalidInput);
  }
  SECTION("a camera without pairs") {
    std::vector<RelativePose> some;
    for (const auto& p : pairs) {
      if (p.camera_a != 3 && p.camera_b != 3) some.push_back(p);
    }
    const auto r = calibration::average_rotations(4, some);
    CHECK(r.status == calibration::AveragingStatus::kDisconnected);
    CHECK(r.message.find('3') != std::string::npos);
  }
  SECTION("NaN rotation") {
    pairs[0].rotation_b_from_a(0, 0) = std::nan("");
    CHECK(calibration::average_rotations(4, pairs).status == calibration::AveragingStatus::kInvalidInput);
  }
  SECTION("index out of range throws") {
    pairs[0].camera_b = 7;
    CHECK_THROWS_AS(calibration::average_rotations(4, pairs), std::invalid_argument);
  }
  SECTION("invalid options throw") {
    calibration::RotationAveragingOptions o;
    o.robust_scale_deg = 0.0;
    CHECK_THROWS_AS(calibration::average_rotations(4, pairs, o), std::invalid_argument);
  }
}

TEST_CASE("recover_positions reports collinear cameras") {
  Truth t;
  for (int i = 0; i < 4; ++i) {
    t.R.push_back(Eigen::Matrix3d::Identity());
    t.c.push_back(Eigen::Vector3d(i * 1.0, 0.0, 0.0));
  }
  crossview_test::Rng rng(3);
  const auto pairs = all_pairs(rng, t, 0.0);
  const auto p = calibration::recover_positions(4, pairs, t.R);
  CHECK(p.status == calibration::AveragingStatus::kDegenerate);
}
