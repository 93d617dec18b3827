// crossview: a calibrated camera (intrinsic model + image size + cam_from_world).
//
// Frames and units (docs/conventions.md):
//   point_in_cam = cam_from_world * point_in_world      (x_cam = R X + t)
//   pixels: OpenCV convention, the centre of the top-left pixel is (0, 0).
//   Lengths are in whatever unit `cam_from_world.translation` uses (the library
//   is unit-agnostic; the I/O layer records the unit of each rig).
//
// Failure modes: every projection / unprojection returns a ProjectionStatus and
// never writes NaN into a result labelled kSuccess. Constructing a Camera with
// the wrong number of parameters, non-finite values, non-positive focal
// lengths or image size, or a rotation that is not a unit quaternion, throws
// std::invalid_argument (programmer error). A projection whose requested
// Jacobian overflows is kInvalidInput; an unprojection whose normalized point
// overflows is kOutsideValidRange. Outputs are untouched unless kSuccess.
#pragma once

#include <crossview/camera/models.hpp>
#include <crossview/camera/rigid3.hpp>

#include <Eigen/Core>
#include <Eigen/LU>

#include <array>
#include <cmath>
#include <stdexcept>
#include <string>
#include <utility>

namespace crossview::camera {

enum class ProjectionStatus : std::uint8_t {
  kSuccess = 0,
  kBehindCamera,       ///< Z <= 0 in the camera frame (or the ray points backwards).
  kOutsideValidRange,  ///< Beyond the radius where the distortion is invertible.
  kNotConverged,       ///< Unprojection iteration did not converge.
  kInvalidInput,       ///< NaN / Inf in the input.
};

constexpr const char* to_string(ProjectionStatus s) {
  switch (s) {
    case ProjectionStatus::kSuccess: return "success";
    case ProjectionStatus::kBehindCamera: return "behind camera";
    case ProjectionStatus::kOutsideValidRange: return "outside the distortion model's valid range";
    case ProjectionStatus::kNotConverged: return "unprojection did not converge";
    case ProjectionStatus::kInvalidInput: return "invalid input (NaN or Inf)";
  }
  return "unknown";
}

class Camera {
 public:
  using Vector2d = Eigen::Vector2d;
  using Vector3d = Eigen::Vector3d;
  using Matrix23d = Eigen::Matrix<double, 2, 3>;

  /// Maximum Newton iterations used by unproject (bounded; reports kNotConverged).
  static constexpr int kMaxUnprojectIterations = 50;
  /// Largest accepted | |q| - 1 | of cam_from_world.rotation at construction.
  static constexpr double kUnitQuaternionTol = 1e-6;

  Camera() : Camera(CameraModel::kPinhole, Eigen::Vector4d(1.0, 1.0, 0.0, 0.0), 1, 1) {}

  /// `params` in the model's layout (models.hpp). Throws std::invalid_argument
  /// on a size mismatch, non-finite values, fx or fy <= 0, or width/height <= 0.
  Camera(CameraModel model, const Eigen::VectorXd& params, int width, int height,
         const Rigid3d& cam_from_world = Rigid3d(), std::string name = {})
      : model_(model),
        params_(params),
        width_(width),
        height_(height),
        name_(std::move(name)),
        cam_from_world(cam_from_world) {
    if (params_.size() != num_params(model_)) {
      throw std::invalid_argument(std::string("Camera: model ") + to_string(model_) +
                                  " expects " + std::to_string(num_params(model_)) +
                                  " parameters, got " + std::to_string(params_.size()));
    }
    if (!params_.allFinite()) throw std::invalid_argument("Camera: parameters contain NaN or Inf");
    if (!(params_[0] > 0.0) || !(params_[1] > 0.0)) {
      throw std::invalid_argument("Camera: focal lengths fx, fy must be > 0");
    }
    if (width_ <= 0 || height_ <= 0) {
      throw std::invalid_argument("Camera: image width and height must be > 0");
    }
    if (!cam_from_world.is_finite()) {
      throw std::invalid_argument("Camera: cam_from_world contains NaN or Inf");
    }
    if (!(std::abs(cam_from_world.rotation.norm() - 1.0) <= kUnitQuaternionTol)) {
      throw std::invalid_argument("Camera: cam_from_world.rotation must be a unit quaternion (|norm - 1| <= 1e-6)");
    }
    dispatch_model(model_, [this](auto m) {
      using Model = decltype(m);
      const double* dist = params_.data() + 4;
      max_valid_radius_ = Model::max_valid_radius(dist);
      // Largest distorted radius reachable along the x axis (radial part only);
      // pixels beyond it have no preimage.
      // (For the fisheye, an infinite valid radius means theta up to 90 deg.)
      double r = max_valid_radius_;
      if (!std::isfinite(r) && model_ == CameraModel::kFisheye) r = 1e8;
      if (std::isfinite(r)) {
        std::array<double, 8> d{};
        for (int i = 0; i < Model::kNumDistortion; ++i) d[i] = dist[i];
        if (model_ != CameraModel::kFisheye) d[2] = d[3] = 0.0;  // drop tangential terms
        double xd = 0.0, yd = 0.0;
        Model::distort(d.data(), r, 0.0, &xd, &yd);
        max_distorted_radius_ = std::abs(xd);
      }
    });
  }

  /// A pinhole camera from K's entries.
  static Camera pinhole(double fx, double fy, double cx, double cy, int width, int height,
                        const Rigid3d& cam_from_world = Rigid3d(), std::string name = {}) {
    return Camera(CameraModel::kPinhole, Eigen::Vector4d(fx, fy, cx, cy), width, height,
                  cam_from_world, std::move(name));
  }

  CameraModel model() const { return model_; }
  const Eigen::VectorXd& params() const { return params_; }
  double fx() const { return params_[0]; }
  double fy() const { return params_[1]; }
  double cx() const { return params_[2]; }
  double cy() const { return params_[3]; }
  /// Distortion coefficients only (empty for pinhole).
  Eigen::VectorXd distortion() const { return params_.tail(params_.size() - 4); }
  int width() const { return width_; }
  int height() const { return height_; }
  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }
  /// Largest undistorted normalized radius |(X/Z, Y/Z)| where the distortion is
  /// invertible (infinity when it is everywhere). Points beyond it get
  /// kOutsideValidRange instead of a wrapped-around pixel.
  double max_valid_radius() const { return max_valid_radius_; }

  /// The calibration matrix K = [fx 0 cx; 0 fy cy; 0 0 1].
  Eigen::Matrix3d calibration_matrix() const {
    Eigen::Matrix3d K;
    K << fx(), 0.0, cx(), 0.0, fy(), cy(), 0.0, 0.0, 1.0;
    return K;
  }
  /// P = K [R | t]. Exact for kPinhole; for distorted models it maps world
  /// points to *undistorted* pixels (see undistort_pixel()).
  Eigen::Matrix<double, 3, 4> projection_matrix() const {
    return calibration_matrix() * cam_from_world.matrix();
  }
  /// Camera centre in world coordinates, -R^T t.
  Vector3d center_in_world() const {
    return -(cam_from_world.rotation.conjugate() * cam_from_world.translation);
  }

  /// Projects a camera-frame point. Optional Jacobians: J_pixel_point (2x3)
  /// w.r.t. point_in_cam and J_pixel_params (2 x num_params) w.r.t. params().
  ProjectionStatus project_from_cam(const Vector3d& point_in_cam, Vector2d* pixel,
                                    Matrix23d* J_pixel_point = nullptr,
                                    Eigen::MatrixXd* J_pixel_params = nullptr) const {
    if (!point_in_cam.allFinite()) return ProjectionStatus::kInvalidInput;
    if (!(point_in_cam.z() > 0.0)) return ProjectionStatus::kBehindCamera;
    const double inv_z = 1.0 / point_in_cam.z();
    const double x = point_in_cam.x() * inv_z;
    const double y = point_in_cam.y() * inv_z;
    if (x * x + y * y > max_valid_radius_ * max_valid_radius_) {
      return ProjectionStatus::kOutsideValidRange;
    }
    return dispatch_model(model_, [&](auto m) {
      using Model = decltype(m);
      const double* dist = params_.data() + 4;
      double xd, yd;
      Model::distort(dist, x, y, &xd, &yd);
      const Vector2d out(fx() * xd + cx(), fy() * yd + cy());
      if (!out.allFinite()) return ProjectionStatus::kInvalidInput;
      if (J_pixel_point != nullptr || J_pixel_params != nullptr) {
        double J_xy[4];
        double J_dist[2 * (Model::kNumDistortion > 0 ? Model::kNumDistortion : 1)];
        Model::distort_jacobian(dist, x, y, J_xy, J_pixel_params ? J_dist : nullptr);
        // Computed into locals first: a finite pixel can still have an
        // overflowing derivative (Z near the smallest double, extreme
        // parameters), which is never labelled success nor written out.
        Matrix23d J_point = Matrix23d::Zero();
        if (J_pixel_point != nullptr) {
          // d(x, y)/d(X, Y, Z) = [1/Z 0 -x/Z; 0 1/Z -y/Z].
          Eigen::Matrix<double, 2, 3> J_norm;
          J_norm << inv_z, 0.0, -x * inv_z, 0.0, inv_z, -y * inv_z;
          Eigen::Matrix2d J_d;
          J_d << fx() * J_xy[0], fx() * J_xy[1], fy() * J_xy[2], fy() * J_xy[3];
          J_point = J_d * J_norm;
          if (!J_point.allFinite()) return ProjectionStatus::kInvalidInput;
        }
        // At most 12 parameters (OPENCV_RATIONAL): no heap allocation.
        Eigen::Matrix<double, 2, Eigen::Dynamic, 0, 2, 12> J_params;
        if (J_pixel_params != nullptr) {
          J_params.setZero(2, params_.size());
          J_params(0, 0) = xd;
          J_params(1, 1) = yd;
          J_params(0, 2) = 1.0;
          J_params(1, 3) = 1.0;
          for (int i = 0; i < Model::kNumDistortion; ++i) {
            J_params(0, 4 + i) = fx() * J_dist[i];
            J_params(1, 4 + i) = fy() * J_dist[Model::kNumDistortion + i];
          }
          if (!J_params.allFinite()) return ProjectionStatus::kInvalidInput;
        }
        if (J_pixel_point != nullptr) *J_pixel_point = J_point;
        if (J_pixel_params != nullptr) *J_pixel_params = J_params;
      }
      if (pixel != nullptr) *pixel = out;
      return ProjectionStatus::kSuccess;
    });
  }

  /// Projects a world point. Optional Jacobian w.r.t. point_in_world (2x3).
  ProjectionStatus project(const Vector3d& point_in_world, Vector2d* pixel,
                           Matrix23d* J_pixel_point_in_world = nullptr) const {
    if (!point_in_world.allFinite()) return ProjectionStatus::kInvalidInput;
    const Vector3d point_in_cam = cam_from_world * point_in_world;
    if (J_pixel_point_in_world == nullptr) return project_from_cam(point_in_cam, pixel);
    Matrix23d J;
    const ProjectionStatus s = project_from_cam(point_in_cam, pixel, &J);
    if (s == ProjectionStatus::kSuccess) {
      *J_pixel_point_in_world = J * cam_from_world.rotation_matrix();
    }
    return s;
  }

  /// Removes the distortion from a pixel: returns the normalized image point
  /// (x, y) = (X/Z, Y/Z) whose projection is `pixel`, by Newton's method on the
  /// distortion (at most kMaxUnprojectIterations steps; converged when the
  /// residual is below 1e-12 px). A solution beyond max_valid_radius() is
  /// reported as kOutsideValidRange, and so is a pixel whose normalized point
  /// overflows (finite pixel, e.g. a focal length near the smallest double).
  ProjectionStatus unproject_to_normalized(const Vector2d& pixel, Vector2d* normalized) const {
    if (!pixel.allFinite()) return ProjectionStatus::kInvalidInput;
    const Vector2d target((pixel.x() - cx()) / fx(), (pixel.y() - cy()) / fy());
    if (!target.allFinite()) return ProjectionStatus::kOutsideValidRange;
    if (model_ == CameraModel::kPinhole) {
      if (normalized != nullptr) *normalized = target;
      return ProjectionStatus::kSuccess;
    }
    // Tangential terms can move the boundary slightly; the exact check on the
    // solution below decides, this only rejects the clearly unreachable.
    if (target.norm() > max_distorted_radius_ * 1.05 + 1e-12) {
      return ProjectionStatus::kOutsideValidRange;
    }
    return dispatch_model(model_, [&](auto m) {
      using Model = decltype(m);
      const double* dist = params_.data() + 4;
      // Residual tolerance in normalized units equivalent to 1e-12 px.
      const double tol = 1e-12 / std::max(fx(), fy());
      const double tol2 = tol * tol;
      Vector2d p = target;
      bool converged = false;
      for (int it = 0; it < kMaxUnprojectIterations; ++it) {
        double xd, yd, J[4];
        Model::distort(dist, p.x(), p.y(), &xd, &yd);
        const Vector2d r(xd - target.x(), yd - target.y());
        if (!r.allFinite()) break;
        if (r.squaredNorm() <= tol2) {
          converged = true;
          break;
        }
        Model::distort_jacobian(dist, p.x(), p.y(), J, nullptr);
        const double det = J[0] * J[3] - J[1] * J[2];
        if (!(std::abs(det) > 1e-300)) break;
        const double inv_det = 1.0 / det;
        Vector2d step((J[3] * r.x() - J[1] * r.y()) * inv_det, (-J[2] * r.x() + J[0] * r.y()) * inv_det);
        // Damp steps that would jump far outside the valid region
        // (|step| <= 0.5 never needs it: the bound is 0.5 (1 + |p|)).
        const double step2 = step.squaredNorm();
        if (step2 > 0.25) {
          const double max_step = 0.5 * (1.0 + p.norm());
          const double step_norm = std::sqrt(step2);
          if (step_norm > max_step) step *= max_step / step_norm;
        }
        p -= step;
      }
      if (!p.allFinite()) return ProjectionStatus::kNotConverged;
      if (p.squaredNorm() > max_valid_radius_ * max_valid_radius_) {
        return ProjectionStatus::kOutsideValidRange;
      }
      if (!converged) return ProjectionStatus::kNotConverged;
      if (normalized != nullptr) *normalized = p;
      return ProjectionStatus::kSuccess;
    });
  }

  /// Ray through a pixel in the camera frame, (x, y, 1) with (x, y) from
  /// unproject_to_normalized(). Scale it by a depth Z to get point_in_cam.
  ProjectionStatus unproject(const Vector2d& pixel, Vector3d* ray_in_cam) const {
    Vector2d n;
    const ProjectionStatus s = unproject_to_normalized(pixel, &n);
    if (s == ProjectionStatus::kSuccess && ray_in_cam != nullptr) *ray_in_cam = n.homogeneous();
    return s;
  }

  /// The pixel an ideal pinhole camera with the same K would see: K * (x, y, 1).
  /// Use it with projection_matrix() on distorted cameras.
  ProjectionStatus undistort_pixel(const Vector2d& pixel, Vector2d* undistorted) const {
    Vector2d n;
    const ProjectionStatus s = unproject_to_normalized(pixel, &n);
    if (s == ProjectionStatus::kSuccess && undistorted != nullptr) {
      *undistorted = Vector2d(fx() * n.x() + cx(), fy() * n.y() + cy());
    }
    return s;
  }

  /// True when the pixel lies inside the image, [-0.5, width - 0.5) x [-0.5, height - 0.5).
  bool is_in_image(const Vector2d& pixel) const {
    return pixel.x() >= -0.5 && pixel.y() >= -0.5 && pixel.x() < width_ - 0.5 &&
           pixel.y() < height_ - 0.5;
  }

 private:
  CameraModel model_;
  Eigen::VectorXd params_;
  int width_;
  int height_;
  std::string name_;
  double max_valid_radius_ = std::numeric_limits<double>::infinity();
  double max_distorted_radius_ = std::numeric_limits<double>::infinity();

 public:
  /// Extrinsics: world -> camera. Public and freely assignable.
  Rigid3d cam_from_world;
};

}  // namespace crossview::camera
