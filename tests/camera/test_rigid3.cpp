#include <crossview/camera/rigid3.hpp>

#include <ceres/jet.h>
#include <catch2/catch.hpp>
#include <crossview_test/random.hpp>

using crossview::camera::Rigid3;
using crossview::camera::Rigid3d;
namespace cc = crossview::camera;

// Every template compiles for float, double and ceres::Jet.
template struct crossview::camera::Rigid3<float>;
template struct crossview::camera::Rigid3<double>;
template struct crossview::camera::Rigid3<ceres::Jet<double, 6>>;

TEST_CASE("Rigid3 compose, inverse and apply are consistent", "[rigid3]") {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    INFO("seed " << seed);
    crossview_test::Rng rng(seed);
    const Rigid3d b_from_a(rng.rotation(), Eigen::Vector3d(rng.normal(), rng.normal(), rng.normal()));
    const Rigid3d c_from_b(rng.rotation(), Eigen::Vector3d(rng.normal(), rng.normal(), rng.normal()));
    const Eigen::Vector3d p(rng.normal(), rng.normal(), rng.normal());
    const Eigen::Vector3d via_steps = c_from_b * (b_from_a * p);
    const Eigen::Vector3d via_compose = (c_from_b * b_from_a) * p;
    CHECK((via_steps - via_compose).norm() < 1e-12);
    CHECK((b_from_a.inverse() * (b_from_a * p) - p).norm() < 1e-12);
    const Eigen::Vector3d via_matrix = b_from_a.matrix() * p.homogeneous();
    CHECK((via_matrix - b_from_a * p).norm() < 1e-12);
    CHECK(cc::is_rotation_matrix(b_from_a.rotation_matrix(), 1e-12));
  }
}

TEST_CASE("angle-axis round trips and matches Rodrigues", "[rigid3]") {
  crossview_test::Rng rng(7);
  for (int i = 0; i < 200; ++i) {
    // Angles over (0, pi), plus tiny ones to exercise the Taylor branches.
    const double angle = (i % 10 == 0) ? 1e-10 * rng.uniform() : rng.uniform(0.0, 3.1);
    const Eigen::Vector3d aa = rng.unit_vector() * angle;
    const Eigen::Matrix3d R = cc::angle_axis_to_rotation_matrix(aa);
    const Eigen::Matrix3d R_eigen = Eigen::AngleAxisd(angle, aa.normalized()).toRotationMatrix();
    CHECK((R - R_eigen).cwiseAbs().maxCoeff() < 1e-12);
    const Rigid3d T = Rigid3d::from_angle_axis(aa, Eigen::Vector3d::Zero());
    CHECK((T.angle_axis() - aa).norm() < 1e-12);
    const Eigen::Vector3d p(rng.normal(), rng.normal(), rng.normal());
    CHECK((cc::angle_axis_rotate_point(aa, p) - R_eigen * p).norm() < 1e-12);
  }
}

TEST_CASE("angle-axis of a rotation near pi keeps the angle in [0, pi]", "[rigid3]") {
  const Eigen::Vector3d axis = Eigen::Vector3d(1, 2, 3).normalized();
  const Rigid3d T = Rigid3d::from_matrix(Eigen::AngleAxisd(M_PI - 1e-9, axis).toRotationMatrix(),
                                         Eigen::Vector3d::Zero());
  const Eigen::Vector3d aa = T.angle_axis();
  CHECK(std::abs(aa.norm() - (M_PI - 1e-9)) < 1e-7);
  CHECK(std::abs(std::abs(aa.normalized().dot(axis)) - 1.0) < 1e-9);
}

TEST_CASE("Jet derivatives of angle_axis_rotate_point are finite and correct at zero", "[rigid3]") {
  using J = ceres::Jet<double, 3>;
  const Eigen::Matrix<J, 3, 1> aa(J(0.0, 0), J(0.0, 1), J(0.0, 2));
  const Eigen::Matrix<J, 3, 1> p(J(1.0), J(2.0), J(3.0));
  const Eigen::Matrix<J, 3, 1> q = cc::angle_axis_rotate_point(aa, p);
  // d(R p)/d(w) at w = 0 is -[p]x.
  Eigen::Matrix3d expected;
  expected << 0, 3, -2, -3, 0, 1, 2, -1, 0;
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) CHECK(std::abs(q(r).v[c] - expected(r, c)) < 1e-15);
  }
}

TEST_CASE("is_rotation_matrix rejects reflections, scaling and NaN", "[rigid3]") {
  CHECK(cc::is_rotation_matrix(Eigen::Matrix3d::Identity()));
  CHECK_FALSE(cc::is_rotation_matrix(-Eigen::Matrix3d::Identity()));
  CHECK_FALSE(cc::is_rotation_matrix(2.0 * Eigen::Matrix3d::Identity()));
  Eigen::Matrix3d nan = Eigen::Matrix3d::Identity();
  nan(1, 1) = std::nan("");
  CHECK_FALSE(cc::is_rotation_matrix(nan));
}

TEST_CASE("rotation_angle_between is accurate for small and large angles", "[rigid3]") {
  const Eigen::Vector3d axis = Eigen::Vector3d(0.3, -1, 0.2).normalized();
  for (double angle : {1e-9, 1e-5, 0.1, 1.0, 3.0}) {
    const Eigen::Matrix3d a = Eigen::AngleAxisd(0.4, axis.cross(Eigen::Vector3d::UnitX()).normalized()).toRotationMatrix();
    const Eigen::Matrix3d b = a * Eigen::AngleAxisd(angle, axis).toRotationMatrix();
    CHECK(std::abs(cc::rotation_angle_between(a, b) - angle) < 1e-12 + 1e-9 * angle);
  }
}
