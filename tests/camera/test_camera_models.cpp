#include <crossview/camera/camera.hpp>

#include <ceres/jet.h>
#include <catch2/catch.hpp>
#include <crossview_test/random.hpp>

#include <vector>

namespace cc = crossview::camera;
using cc::Camera;
using cc::CameraModel;
using cc::ProjectionStatus;

namespace {

struct ModelCase {
  const char* label;
  CameraModel model;
  std::vector<double> params;
};

// Realistic coefficient sets: the Human3.6M camera 54138969 (OpenCV, strong
// barrel), the Pose2Sim demo cam_01 (OpenCV 4 terms), a rational lens and a
// GoPro-like fisheye.
std::vector<ModelCase> model_cases() {
  return {
      {"pinhole", CameraModel::kPinhole, {1145.0, 1143.8, 512.5, 515.5}},
      {"opencv-h36m", CameraModel::kOpenCV,
       {1145.04940458804, 1143.78109572365, 512.541504956548, 515.4514869776, -0.207098910824901,
        0.247775183068982, -0.00142447157470321, -0.000975698859470499, -0.00307515035078854}},
      {"opencv-pose2sim", CameraModel::kOpenCV,
       {1681.244873046875, 1681.075439453125, 532.97369384375, 948.137390140625, -0.000721609375,
        0.002187234375, 9.5e-06, 1.078125e-05, 0.0}},
      {"opencv-rational", CameraModel::kOpenCVRational,
       {800.0, 805.0, 500.0, 501.0, 0.35, -0.1, 0.001, -0.0005, 0.02, 0.6, -0.05, 0.01}},
      {"fisheye", CameraModel::kFisheye, {600.0, 601.0, 500.0, 501.0, 0.05, -0.01, 0.002, -0.0003}},
  };
}

Camera make_camera(const ModelCase& c, int width = 1280, int height = 1024) {
  return Camera(c.model, Eigen::Map<const Eigen::VectorXd>(c.params.data(), c.params.size()),
                width, height);
}

}  // namespace

TEST_CASE("project(unproject(x)) == x across the image for every model", "[camera]") {
  for (const ModelCase& c : model_cases()) {
    INFO(c.label);
    const Camera cam = make_camera(c, 1000, 1002);
    double worst = 0.0;
    int tested = 0;
    for (int v = 0; v <= 1002; v += 17) {
      for (int u = 0; u <= 1000; u += 17) {
        const Eigen::Vector2d pixel(u, v);
        Eigen::Vector3d ray = Eigen::Vector3d::Zero();
        const ProjectionStatus s = cam.unproject(pixel, &ray);
        REQUIRE(s == ProjectionStatus::kSuccess);
        Eigen::Vector2d back;
        REQUIRE(cam.project_from_cam(ray * 3.7, &back) == ProjectionStatus::kSuccess);
        worst = std::max(worst, (back - pixel).norm());
        ++tested;
      }
    }
    INFO("tested " << tested << " pixels, worst " << worst << " px");
    CHECK(worst < 1e-9);
  }
}

TEST_CASE("unproject(project(X)) recovers the ray", "[camera]") {
  crossview_test::Rng rng(11);
  for (const ModelCase& c : model_cases()) {
    INFO(c.label);
    const Camera cam = make_camera(c);
    for (int i = 0; i < 500; ++i) {
      const Eigen::Vector3d p(rng.uniform(-0.5, 0.5), rng.uniform(-0.4, 0.4), 1.0);
      Eigen::Vector2d px;
      REQUIRE(cam.project_from_cam(p * 2.0, &px) == ProjectionStatus::kSuccess);
      Eigen::Vector2d n;
      REQUIRE(cam.unproject_to_normalized(px, &n) == ProjectionStatus::kSuccess);
      CHECK((n - p.head<2>()).norm() < 1e-12);
    }
  }
}

TEST_CASE("analytic Jacobians match central finite differences", "[camera]") {
  crossview_test::Rng rng(3);
  for (const ModelCase& c : model_cases()) {
    INFO(c.label);
    const Camera cam = make_camera(c);
    for (int i = 0; i < 50; ++i) {
      const Eigen::Vector3d p(rng.uniform(-1.0, 1.0), rng.uniform(-0.8, 0.8), rng.uniform(1.5, 4.0));
      Eigen::Vector2d px;
      Eigen::Matrix<double, 2, 3> J_point;
      Eigen::MatrixXd J_params;
      REQUIRE(cam.project_from_cam(p, &px, &J_point, &J_params) == ProjectionStatus::kSuccess);
      const double h = 1e-6;
      for (int k = 0; k < 3; ++k) {
        Eigen::Vector3d dp = Eigen::Vector3d::Zero();
        dp[k] = h;
        Eigen::Vector2d a, b;
        REQUIRE(cam.project_from_cam(p + dp, &a) == ProjectionStatus::kSuccess);
        REQUIRE(cam.project_from_cam(p - dp, &b) == ProjectionStatus::kSuccess);
        const Eigen::Vector2d fd = (a - b) / (2 * h);
        CHECK((fd - J_point.col(k)).norm() < 1e-5 * (1.0 + fd.norm()));
      }
      REQUIRE(J_params.cols() == cam.params().size());
      for (int k = 0; k < cam.params().size(); ++k) {
        Eigen::VectorXd pp = cam.params(), pm = cam.params();
        const double hk = 1e-7 * std::max(1.0, std::abs(pp[k]));
        pp[k] += hk;
        pm[k] -= hk;
        const Camera cp(cam.model(), pp, cam.width(), cam.height());
        const Camera cm(cam.model(), pm, cam.width(), cam.height());
        Eigen::Vector2d a, b;
        REQUIRE(cp.project_from_cam(p, &a) == ProjectionStatus::kSuccess);
        REQUIRE(cm.project_from_cam(p, &b) == ProjectionStatus::kSuccess);
        const Eigen::Vector2d fd = (a - b) / (2 * hk);
        INFO("param " << k);
        CHECK((fd - J_params.col(k)).norm() < 1e-5 * (1.0 + fd.norm()));
      }
    }
  }
}

TEST_CASE("world-frame projection Jacobian includes the rotation", "[camera]") {
  crossview_test::Rng rng(5);
  const ModelCase c = model_cases()[1];
  Camera cam = make_camera(c);
  cam.cam_from_world = crossview_test::look_at(Eigen::Vector3d(3, -4, 1.5), Eigen::Vector3d(0, 0, 1));
  for (int i = 0; i < 20; ++i) {
    const Eigen::Vector3d X(rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(0.0, 2.0));
    Eigen::Vector2d px;
    Eigen::Matrix<double, 2, 3> J;
    REQUIRE(cam.project(X, &px, &J) == ProjectionStatus::kSuccess);
    for (int k = 0; k < 3; ++k) {
      Eigen::Vector3d d = Eigen::Vector3d::Zero();
      d[k] = 1e-6;
      Eigen::Vector2d a, b;
      cam.project(X + d, &a);
      cam.project(X - d, &b);
      CHECK(((a - b) / 2e-6 - J.col(k)).norm() < 1e-4);
    }
  }
}

TEST_CASE("templated projection works with ceres::Jet and matches the analytic Jacobian",
          "[camera][jet]") {
  crossview_test::Rng rng(9);
  for (const ModelCase& c : model_cases()) {
    INFO(c.label);
    const Camera cam = make_camera(c);
    using Jet = ceres::Jet<double, 3>;
    for (int i = 0; i < 20; ++i) {
      const Eigen::Vector3d p(rng.uniform(-1.0, 1.0), rng.uniform(-0.8, 0.8), rng.uniform(1.5, 4.0));
      Jet point[3] = {Jet(p.x(), 0), Jet(p.y(), 1), Jet(p.z(), 2)};
      std::vector<Jet> params(cam.params().size());
      for (size_t k = 0; k < params.size(); ++k) params[k] = Jet(cam.params()[k]);
      Jet pixel[2];
      cc::project_point(cam.model(), params.data(), point, pixel);
      Eigen::Vector2d px;
      Eigen::Matrix<double, 2, 3> J;
      REQUIRE(cam.project_from_cam(p, &px, &J) == ProjectionStatus::kSuccess);
      CHECK(std::abs(pixel[0].a - px.x()) < 1e-9);
      CHECK(std::abs(pixel[1].a - px.y()) < 1e-9);
      for (int k = 0; k < 3; ++k) {
        CHECK(std::abs(pixel[0].v[k] - J(0, k)) < 1e-8);
        CHECK(std::abs(pixel[1].v[k] - J(1, k)) < 1e-8);
      }
    }
    // Exactly on the optical axis the Jet derivatives stay finite (Taylor branches).
    Jet axis[3] = {Jet(0.0, 0), Jet(0.0, 1), Jet(2.0, 2)};
    std::vector<Jet> params(cam.params().size());
    for (size_t k = 0; k < params.size(); ++k) params[k] = Jet(cam.params()[k]);
    Jet pixel[2];
    cc::project_point(cam.model(), params.data(), axis, pixel);
    CHECK(ceres::isfinite(pixel[0]));
    CHECK(ceres::isfinite(pixel[1]));
    CHECK(std::abs(pixel[0].v[0] - cam.fx() / 2.0) < 1e-12);
  }
}

TEST_CASE("points behind the camera or beyond the distortion's range are reported", "[camera]") {
  for (const ModelCase& c : model_cases()) {
    INFO(c.label);
    const Camera cam = make_camera(c);
    Eigen::Vector2d px(-1, -1);
    CHECK(cam.project_from_cam(Eigen::Vector3d(0.1, 0.2, -1.0), &px) == ProjectionStatus::kBehindCamera);
    CHECK(cam.project_from_cam(Eigen::Vector3d(0.1, 0.2, 0.0), &px) == ProjectionStatus::kBehindCamera);
    CHECK(px == Eigen::Vector2d(-1, -1));  // untouched on failure
    CHECK(cam.project_from_cam(Eigen::Vector3d(std::nan(""), 0, 1), &px) == ProjectionStatus::kInvalidInput);
    CHECK(cam.project_from_cam(Eigen::Vector3d(0, std::numeric_limits<double>::infinity(), 1), &px) ==
          ProjectionStatus::kInvalidInput);
    CHECK(cam.unproject(Eigen::Vector2d(std::nan(""), 3.0), nullptr) == ProjectionStatus::kInvalidInput);
  }
  // Strong barrel distortion: r_d = r (1 - 0.5 r^2) folds over at r = sqrt(2/3).
  const Camera barrel(CameraModel::kOpenCV,
                      (Eigen::VectorXd(9) << 500, 500, 320, 240, -0.5, 0, 0, 0, 0).finished(), 640, 480);
  CHECK(std::abs(barrel.max_valid_radius() - std::sqrt(2.0 / 3.0)) < 1e-9);
  Eigen::Vector2d px;
  CHECK(barrel.project_from_cam(Eigen::Vector3d(0.8, 0.0, 1.0), &px) == ProjectionStatus::kSuccess);
  CHECK(barrel.project_from_cam(Eigen::Vector3d(1.2, 0.0, 1.0), &px) ==
        ProjectionStatus::kOutsideValidRange);
  // A pixel beyond the largest distorted radius has no preimage.
  const double rd_max = std::sqrt(2.0 / 3.0) * (1.0 - 0.5 * 2.0 / 3.0);
  CHECK(barrel.unproject(Eigen::Vector2d(320 + 500 * (rd_max + 0.05), 240), nullptr) !=
        ProjectionStatus::kSuccess);
  // Rational model whose denominator 1 + k4 r^2 + k5 r^4 + k6 r^6 has a zero
  // (a pole of the distortion) at r^2 ~ 1.8 and is negative up to r^2 ~ 230
  // (found by fuzz_camera: the slope scan alone reported a valid radius of 27
  // and projected points beyond the pole to 6.6e10 px).
  const Camera pole(CameraModel::kOpenCVRational,
                    (Eigen::VectorXd(12) << 5000, 891, 2000, 7.8, -0.154, 0.5, 0.0547, 0.497, -0.261, 0.373, -0.488,
                     0.00196).finished(),
                    4000, 4000);
  const double pole_r = pole.max_valid_radius();
  INFO("valid radius " << pole_r);
  CHECK(pole_r < 1.4);
  const double den_at = [&] {
    const double u = pole_r * pole_r;
    return 1.0 + 0.373 * u - 0.488 * u * u + 0.00196 * u * u * u;
  }();
  CHECK(den_at > 0.0);
  CHECK(pole.project_from_cam(Eigen::Vector3d(2.0, 2.0, 0.1795), &px) == ProjectionStatus::kOutsideValidRange);
  // Fisheye whose theta_d folds over before 90 deg.
  const Camera fold(CameraModel::kFisheye,
                    (Eigen::VectorXd(8) << 300, 300, 320, 240, -0.3, 0, 0, 0).finished(), 640, 480);
  CHECK(fold.max_valid_radius() < 1e6);
  CHECK(fold.project_from_cam(Eigen::Vector3d(50.0, 0.0, 1.0), &px) == ProjectionStatus::kOutsideValidRange);
}

TEST_CASE("Camera constructor rejects invalid parameters with a message", "[camera]") {
  using V = Eigen::VectorXd;
  CHECK_THROWS_WITH(Camera(CameraModel::kOpenCV, V::Ones(4), 10, 10),
                    Catch::Contains("expects 9 parameters, got 4"));
  CHECK_THROWS_WITH(Camera(CameraModel::kPinhole, (V(4) << 0, 1, 0, 0).finished(), 10, 10),
                    Catch::Contains("focal"));
  CHECK_THROWS_WITH(Camera(CameraModel::kPinhole, (V(4) << 1, 1, std::nan(""), 0).finished(), 10, 10),
                    Catch::Contains("NaN"));
  CHECK_THROWS_WITH(Camera::pinhole(1, 1, 0, 0, 0, 10), Catch::Contains("width"));
}

TEST_CASE("projection_matrix equals K [R|t] and reproduces pinhole projection", "[camera]") {
  crossview_test::Rng rng(21);
  Camera cam = Camera::pinhole(1000, 990, 640, 360, 1280, 720);
  cam.cam_from_world = crossview_test::look_at(Eigen::Vector3d(2, 3, 1), Eigen::Vector3d::Zero());
  const Eigen::Matrix<double, 3, 4> P = cam.projection_matrix();
  for (int i = 0; i < 20; ++i) {
    const Eigen::Vector3d X(rng.normal(0.3), rng.normal(0.3), rng.normal(0.3));
    Eigen::Vector2d px;
    REQUIRE(cam.project(X, &px) == ProjectionStatus::kSuccess);
    CHECK(((P * X.homogeneous()).hnormalized() - px).norm() < 1e-9);
  }
  CHECK((cam.center_in_world() - Eigen::Vector3d(2, 3, 1)).norm() < 1e-12);
}

TEST_CASE("camera model names round trip", "[camera]") {
  for (CameraModel m : {CameraModel::kPinhole, CameraModel::kOpenCV, CameraModel::kOpenCVRational,
                        CameraModel::kFisheye}) {
    CameraModel parsed = CameraModel::kPinhole;
    REQUIRE(cc::camera_model_from_string(cc::to_string(m), &parsed));
    CHECK(parsed == m);
  }
  CameraModel parsed;
  CHECK_FALSE(cc::camera_model_from_string("KANNALA", &parsed));
}
