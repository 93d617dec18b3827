// crossview: rigid 3D transforms (rotation + translation), templated on the scalar.
//
// Convention (docs/conventions.md): a transform named `b_from_a` maps points
// expressed in frame a into frame b:  x_in_b = R * x_in_a + t.
// `cam_from_world` is therefore OpenCV's / COLMAP's [R | t] extrinsic.
//
// Every function here is templated on the scalar so that ceres::Jet (or any
// Eigen-compatible automatic-differentiation type) works; near-zero angles use
// Taylor expansions so derivatives stay finite. Only Eigen is included.
#pragma once

#include <Eigen/Core>
#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <limits>

namespace crossview::camera {

template <typename T>
using Vector3 = Eigen::Matrix<T, 3, 1>;
template <typename T>
using Matrix3 = Eigen::Matrix<T, 3, 3>;

/// Rotates `point` by the angle-axis (Rodrigues) vector `angle_axis` (radians).
/// Exact for all angles; uses the first-order expansion R ~ I + [w]x below
/// sqrt(machine epsilon) so that Jet derivatives stay finite at zero.
/// Cost: ~30 flops.
template <typename T>
Vector3<T> angle_axis_rotate_point(const Vector3<T>& angle_axis, const Vector3<T>& point) {
  using std::cos;
  using std::sin;
  using std::sqrt;
  const T theta2 = angle_axis.squaredNorm();
  if (theta2 > T(std::numeric_limits<double>::epsilon())) {
    const T theta = sqrt(theta2);
    const T c = cos(theta);
    const T s = sin(theta);
    const Vector3<T> w = angle_axis / theta;
    return point * c + w.cross(point) * s + w * (w.dot(point) * (T(1) - c));
  }
  return point + angle_axis.cross(point);
}

/// Rotation matrix of an angle-axis vector (Rodrigues' formula), Taylor near 0.
template <typename T>
Matrix3<T> angle_axis_to_rotation_matrix(const Vector3<T>& angle_axis) {
  using std::cos;
  using std::sin;
  using std::sqrt;
  Matrix3<T> wx;
  wx << T(0), -angle_axis(2), angle_axis(1), angle_axis(2), T(0), -angle_axis(0), -angle_axis(1),
      angle_axis(0), T(0);
  const T theta2 = angle_axis.squaredNorm();
  if (theta2 > T(std::numeric_limits<double>::epsilon())) {
    const T theta = sqrt(theta2);
    return Matrix3<T>::Identity() + wx * (sin(theta) / theta) +
           wx * wx * ((T(1) - cos(theta)) / theta2);
  }
  return Matrix3<T>::Identity() + wx;
}

/// Angle-axis vector (radians, angle in [0, pi]) of a unit quaternion, with the
/// Taylor fallback near the identity (the Ceres formulation).
template <typename T>
Vector3<T> quaternion_to_angle_axis(const Eigen::Quaternion<T>& q) {
  using std::atan2;
  using std::sqrt;
  const T sin_sq = q.x() * q.x() + q.y() * q.y() + q.z() * q.z();
  T k(2);
  if (sin_sq > T(std::numeric_limits<double>::epsilon() * std::numeric_limits<double>::epsilon())) {
    const T sin_theta = sqrt(sin_sq);
    const T cos_theta = q.w();
    // Keep the angle in [0, pi] whatever the quaternion's sign.
    const T two_theta = T(2) * ((cos_theta < T(0)) ? atan2(-sin_theta, -cos_theta)
                                                    : atan2(sin_theta, cos_theta));
    k = two_theta / sin_theta;
  } else if (q.w() < T(0)) {
    k = T(-2);
  }
  return Vector3<T>(q.x() * k, q.y() * k, q.z() * k);
}

/// Unit quaternion of an angle-axis vector, Taylor fallback near zero.
template <typename T>
Eigen::Quaternion<T> angle_axis_to_quaternion(const Vector3<T>& angle_axis) {
  using std::cos;
  using std::sin;
  using std::sqrt;
  const T theta2 = angle_axis.squaredNorm();
  if (theta2 > T(std::numeric_limits<double>::epsilon())) {
    const T theta = sqrt(theta2);
    const T half = theta * T(0.5);
    const T k = sin(half) / theta;
    return Eigen::Quaternion<T>(cos(half), angle_axis(0) * k, angle_axis(1) * k,
                                angle_axis(2) * k);
  }
  return Eigen::Quaternion<T>(T(1), angle_axis(0) * T(0.5), angle_axis(1) * T(0.5),
                              angle_axis(2) * T(0.5));
}

/// True when `R` is orthonormal with determinant +1 to within `tolerance`
/// (max abs entry of R^T R - I, and |det R - 1|).
inline bool is_rotation_matrix(const Eigen::Matrix3d& R, double tolerance = 1e-6) {
  if (!R.allFinite()) return false;
  const double orth = (R.transpose() * R - Eigen::Matrix3d::Identity()).cwiseAbs().maxCoeff();
  return orth <= tolerance && std::abs(R.determinant() - 1.0) <= tolerance;
}

/// A rigid transform b_from_a: x_in_b = rotation * x_in_a + translation.
/// The rotation is a unit quaternion (Hamilton, Eigen's convention).
template <typename T>
struct Rigid3 {
  using Scalar = T;
  Eigen::Quaternion<T> rotation = Eigen::Quaternion<T>::Identity();
  Vector3<T> translation = Vector3<T>::Zero();

  Rigid3() = default;
  Rigid3(const Eigen::Quaternion<T>& rotation_in, const Vector3<T>& translation_in)
      : rotation(rotation_in), translation(translation_in) {}

  /// From a rotation matrix (assumed orthonormal, det +1: check with
  /// is_rotation_matrix() when it comes from outside) and a translation.
  static Rigid3 from_matrix(const Matrix3<T>& R, const Vector3<T>& t) {
    Eigen::Quaternion<T> q(R);
    q.normalize();
    return Rigid3(q, t);
  }
  /// From the top 3x4 block [R | t].
  static Rigid3 from_matrix(const Eigen::Matrix<T, 3, 4>& Rt) {
    return from_matrix(Matrix3<T>(Rt.template leftCols<3>()), Vector3<T>(Rt.col(3)));
  }
  /// From an angle-axis / Rodrigues vector (OpenCV's rvec) and a translation.
  static Rigid3 from_angle_axis(const Vector3<T>& angle_axis, const Vector3<T>& t) {
    return Rigid3(angle_axis_to_quaternion(angle_axis), t);
  }

  Matrix3<T> rotation_matrix() const { return rotation.toRotationMatrix(); }
  /// [R | t] as a 3x4 matrix.
  Eigen::Matrix<T, 3, 4> matrix() const {
    Eigen::Matrix<T, 3, 4> m;
    m.template leftCols<3>() = rotation_matrix();
    m.col(3) = translation;
    return m;
  }
  /// Rodrigues vector of the rotation (radians, angle in [0, pi]).
  Vector3<T> angle_axis() const { return quaternion_to_angle_axis(rotation); }

  /// a_from_b.
  Rigid3 inverse() const {
    const Eigen::Quaternion<T> inv = rotation.conjugate();
    return Rigid3(inv, -(inv * translation));
  }
  /// Applies the transform to a point: x_in_b = R x_in_a + t.
  Vector3<T> operator*(const Vector3<T>& point_in_a) const {
    return rotation * point_in_a + translation;
  }
  /// Composition: (c_from_b * b_from_a) = c_from_a.
  Rigid3 operator*(const Rigid3& b_from_a) const {
    Eigen::Quaternion<T> q = rotation * b_from_a.rotation;
    q.normalize();
    return Rigid3(q, rotation * b_from_a.translation + translation);
  }

  template <typename U>
  Rigid3<U> cast() const {
    return Rigid3<U>(rotation.template cast<U>(), translation.template cast<U>());
  }

  bool is_finite() const { return rotation.coeffs().allFinite() && translation.allFinite(); }
};

using Rigid3d = Rigid3<double>;
using Rigid3f = Rigid3<float>;

/// Angle (radians, in [0, pi]) of the relative rotation between two rotations.
inline double rotation_angle_between(const Eigen::Quaterniond& a, const Eigen::Quaterniond& b) {
  return a.normalized().angularDistance(b.normalized());
}
inline double rotation_angle_between(const Eigen::Matrix3d& a, const Eigen::Matrix3d& b) {
  const double c = std::clamp(((a.transpose() * b).trace() - 1.0) * 0.5, -1.0, 1.0);
  // acos is ill-conditioned near 0; use the quaternion path for small angles.
  if (c > 0.99) {
    return rotation_angle_between(Eigen::Quaterniond(a), Eigen::Quaterniond(b));
  }
  return std::acos(c);
}

}  // namespace crossview::camera
