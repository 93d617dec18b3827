// crossview: intrinsic camera models (pinhole, OpenCV radial-tangential, OpenCV
// rational, fisheye Kannala-Brandt), templated on the scalar.
//
// Every model maps a point in the camera frame X = (X, Y, Z), Z > 0, to a pixel:
//   normalized      x = X / Z, y = Y / Z
//   distorted       (xd, yd) = distort(x, y)            (model-specific, below)
//   pixel           u = fx * xd + cx,  v = fy * yd + cy
// Pixel coordinates follow OpenCV: the centre of the top-left pixel is (0, 0).
//
// Parameter layouts (fx, fy, cx, cy in pixels; distortion dimensionless):
//   kPinhole         fx fy cx cy                                  (4)
//   kOpenCV          fx fy cx cy k1 k2 p1 p2 k3                   (9)
//   kOpenCVRational  fx fy cx cy k1 k2 p1 p2 k3 k4 k5 k6          (12)
//   kFisheye         fx fy cx cy k1 k2 k3 k4                      (8)
// matching cv::projectPoints (distCoeffs of 4, 5 or 8 terms) and
// cv::fisheye::projectPoints.
//
// The `distort` functions are templates (ceres::Jet works) with Taylor
// fallbacks near the optical axis; `distort_jacobian` gives the analytic
// derivatives in double for the hand-written solvers. Only Eigen is included.
#pragma once

#include <Eigen/Core>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string_view>

namespace crossview::camera {

enum class CameraModel : std::uint8_t {
  kPinhole = 0,
  kOpenCV = 1,
  kOpenCVRational = 2,
  kFisheye = 3,
};

/// Total number of parameters (4 + distortion) of a model.
constexpr int num_params(CameraModel model) {
  switch (model) {
    case CameraModel::kPinhole: return 4;
    case CameraModel::kOpenCV: return 9;
    case CameraModel::kOpenCVRational: return 12;
    case CameraModel::kFisheye: return 8;
  }
  return 0;
}

/// Stable names used in files and messages: "PINHOLE", "OPENCV",
/// "OPENCV_RATIONAL", "FISHEYE".
constexpr const char* to_string(CameraModel model) {
  switch (model) {
    case CameraModel::kPinhole: return "PINHOLE";
    case CameraModel::kOpenCV: return "OPENCV";
    case CameraModel::kOpenCVRational: return "OPENCV_RATIONAL";
    case CameraModel::kFisheye: return "FISHEYE";
  }
  return "UNKNOWN";
}

/// Parses a name produced by to_string(); returns false when unknown.
inline bool camera_model_from_string(std::string_view name, CameraModel* model) {
  for (CameraModel m : {CameraModel::kPinhole, CameraModel::kOpenCV,
                        CameraModel::kOpenCVRational, CameraModel::kFisheye}) {
    if (name == to_string(m)) {
      *model = m;
      return true;
    }
  }
  return false;
}

namespace detail {

/// OpenCV radial-tangential distortion with the rational radial term.
/// dist = k1 k2 p1 p2 k3 k4 k5 k6 (k3..k6 may be omitted by the caller: pass 0).
/// kRational = false is the 5-coefficient model: k4..k6 are ignored and the
/// radial term is not divided by its denominator (exactly 1 there, so the
/// result is bit-identical, one division cheaper).
template <bool kRational = true, typename T>
void opencv_distort(const T& k1, const T& k2, const T& p1, const T& p2, const T& k3,
                    const T& k4, const T& k5, const T& k6, const T& x, const T& y, T* xd,
                    T* yd) {
  const T x2 = x * x;
  const T y2 = y * y;
  const T xy = x * y;
  const T r2 = x2 + y2;
  const T r4 = r2 * r2;
  const T r6 = r4 * r2;
  T radial = T(1) + k1 * r2 + k2 * r4 + k3 * r6;
  if constexpr (kRational) {
    radial = radial / (T(1) + k4 * r2 + k5 * r4 + k6 * r6);
  } else {
    static_cast<void>(k4), static_cast<void>(k5), static_cast<void>(k6);
  }
  *xd = x * radial + T(2) * p1 * xy + p2 * (r2 + T(2) * x2);
  *yd = y * radial + p1 * (r2 + T(2) * y2) + T(2) * p2 * xy;
}

/// Analytic Jacobians of opencv_distort. J_xy is 2x2 (row-major d(xd,yd)/d(x,y));
/// J_dist is 2x8 row-major w.r.t. (k1 k2 p1 p2 k3 k4 k5 k6); either may be null.
/// kRational = false reads d[0..4] only (k4..k6 = 0; their columns are the
/// derivatives at 0) and skips the denominator, bit-identically.
template <bool kRational = true>
inline void opencv_distort_jacobian(const double* d, double x, double y, double* J_xy,
                                    double* J_dist) {
  const double k1 = d[0], k2 = d[1], p1 = d[2], p2 = d[3], k3 = d[4];
  const double r2 = x * x + y * y, r4 = r2 * r2, r6 = r4 * r2;
  const double num = 1.0 + k1 * r2 + k2 * r4 + k3 * r6;
  double k4 = 0.0, k5 = 0.0, k6 = 0.0, den = 1.0, radial = num;
  if constexpr (kRational) {
    k4 = d[5];
    k5 = d[6];
    k6 = d[7];
    den = 1.0 + k4 * r2 + k5 * r4 + k6 * r6;
    radial = num / den;
  }
  if (J_xy != nullptr) {
    const double dnum = k1 + 2.0 * k2 * r2 + 3.0 * k3 * r4;
    double dR = dnum;  // d radial / d r2
    if constexpr (kRational) {
      const double dden = k4 + 2.0 * k5 * r2 + 3.0 * k6 * r4;
      dR = (dnum * den - num * dden) / (den * den);
    }
    J_xy[0] = radial + 2.0 * x * x * dR + 2.0 * p1 * y + 6.0 * p2 * x;
    J_xy[1] = 2.0 * x * y * dR + 2.0 * p1 * x + 2.0 * p2 * y;
    J_xy[2] = J_xy[1];
    J_xy[3] = radial + 2.0 * y * y * dR + 6.0 * p1 * y + 2.0 * p2 * x;
  }
  if (J_dist != nullptr) {
    const double inv_den = 1.0 / den;
    const double dR[6] = {r2 * inv_den,          r4 * inv_den,          r6 * inv_den,
                          -num * r2 * inv_den * inv_den, -num * r4 * inv_den * inv_den,
                          -num * r6 * inv_den * inv_den};  // k1 k2 k3 k4 k5 k6
    double* jx = J_dist;
    double* jy = J_dist + 8;
    jx[0] = x * dR[0]; jy[0] = y * dR[0];
    jx[1] = x * dR[1]; jy[1] = y * dR[1];
    jx[2] = 2.0 * x * y; jy[2] = r2 + 2.0 * y * y;
    jx[3] = r2 + 2.0 * x * x; jy[3] = 2.0 * x * y;
    for (int i = 0; i < 4; ++i) {
      jx[4 + i] = x * dR[2 + i];
      jy[4 + i] = y * dR[2 + i];
    }
  }
}

/// d(r_d)/d(r) of the radial part r_d = r * radial(r^2) at r^2 = r2 (the map is
/// invertible where this is positive).
inline double opencv_radial_slope(const double* d, double r2) {
  const double k1 = d[0], k2 = d[1], k3 = d[4], k4 = d[5], k5 = d[6], k6 = d[7];
  const double r4 = r2 * r2, r6 = r4 * r2;
  const double num = 1.0 + k1 * r2 + k2 * r4 + k3 * r6;
  const double den = 1.0 + k4 * r2 + k5 * r4 + k6 * r6;
  const double dnum = k1 + 2.0 * k2 * r2 + 3.0 * k3 * r4;
  const double dden = k4 + 2.0 * k5 * r2 + 3.0 * k6 * r4;
  return num / den + 2.0 * r2 * (dnum * den - num * dden) / (den * den);
}

}  // namespace detail

/// Pinhole: no distortion.
struct PinholeModel {
  static constexpr CameraModel kModel = CameraModel::kPinhole;
  static constexpr int kNumParams = 4;
  static constexpr int kNumDistortion = 0;
  template <typename T>
  static void distort(const T* /*dist*/, const T& x, const T& y, T* xd, T* yd) {
    *xd = x;
    *yd = y;
  }
  static void distort_jacobian(const double* /*dist*/, double /*x*/, double /*y*/, double* J_xy,
                               double* /*J_dist*/) {
    if (J_xy != nullptr) {
      J_xy[0] = 1.0; J_xy[1] = 0.0; J_xy[2] = 0.0; J_xy[3] = 1.0;
    }
  }
  /// Largest undistorted radius r = |(x, y)| for which the model is invertible.
  static double max_valid_radius(const double* /*dist*/) {
    return std::numeric_limits<double>::infinity();
  }
};

/// OpenCV radial-tangential with k1 k2 p1 p2 k3 (cv::projectPoints with 4 or 5
/// coefficients; pass k3 = 0 for the 4-coefficient form).
struct OpenCVModel {
  static constexpr CameraModel kModel = CameraModel::kOpenCV;
  static constexpr int kNumParams = 9;
  static constexpr int kNumDistortion = 5;
  template <typename T>
  static void distort(const T* d, const T& x, const T& y, T* xd, T* yd) {
    detail::opencv_distort<false>(d[0], d[1], d[2], d[3], d[4], T(0), T(0), T(0), x, y, xd, yd);
  }
  static void distort_jacobian(const double* d, double x, double y, double* J_xy,
                               double* J_dist) {
    double J8[16];  // 2 x 8: the k4..k6 columns are dropped
    detail::opencv_distort_jacobian<false>(d, x, y, J_xy, J_dist != nullptr ? J8 : nullptr);
    if (J_dist == nullptr) return;
    for (int r = 0; r < 2; ++r) {
      for (int c = 0; c < 5; ++c) J_dist[r * 5 + c] = J8[r * 8 + c];
    }
  }
  static double max_valid_radius(const double* d);
};

/// OpenCV rational model k1 k2 p1 p2 k3 k4 k5 k6 (CALIB_RATIONAL_MODEL).
struct OpenCVRationalModel {
  static constexpr CameraModel kModel = CameraModel::kOpenCVRational;
  static constexpr int kNumParams = 12;
  static constexpr int kNumDistortion = 8;
  template <typename T>
  static void distort(const T* d, const T& x, const T& y, T* xd, T* yd) {
    detail::opencv_distort(d[0], d[1], d[2], d[3], d[4], d[5], d[6], d[7], x, y, xd, yd);
  }
  static void distort_jacobian(const double* d, double x, double y, double* J_xy,
                               double* J_dist) {
    detail::opencv_distort_jacobian(d, x, y, J_xy, J_dist);
  }
  static double max_valid_radius(const double* d);
};

/// Fisheye, Kannala-Brandt as in cv::fisheye: theta = atan(r),
/// theta_d = theta (1 + k1 theta^2 + k2 theta^4 + k3 theta^6 + k4 theta^8),
/// (xd, yd) = (theta_d / r) (x, y). Needs Z > 0 (fields of view below 180 deg).
struct FisheyeModel {
  static constexpr CameraModel kModel = CameraModel::kFisheye;
  static constexpr int kNumParams = 8;
  static constexpr int kNumDistortion = 4;
  template <typename T>
  static void distort(const T* d, const T& x, const T& y, T* xd, T* yd) {
    using std::atan;
    using std::sqrt;
    const T r2 = x * x + y * y;
    T scale;
    if (r2 > T(1e-16)) {
      const T r = sqrt(r2);
      const T theta = atan(r);
      const T t2 = theta * theta;
      const T theta_d =
          theta * (T(1) + t2 * (d[0] + t2 * (d[1] + t2 * (d[2] + t2 * d[3]))));
      scale = theta_d / r;
    } else {
      // theta_d / r = 1 + (k1 - 1/3) r^2 + O(r^4).
      scale = T(1) + (d[0] - T(1.0 / 3.0)) * r2;
    }
    *xd = x * scale;
    *yd = y * scale;
  }
  static void distort_jacobian(const double* d, double x, double y, double* J_xy,
                               double* J_dist) {
    const double r2 = x * x + y * y;
    double scale, dscale_over_r;  // s = theta_d / r and (ds/dr) / r
    double theta_over_r, t2;
    if (r2 > 1e-16) {
      const double r = std::sqrt(r2);
      const double theta = std::atan(r);
      t2 = theta * theta;
      const double poly = 1.0 + t2 * (d[0] + t2 * (d[1] + t2 * (d[2] + t2 * d[3])));
      const double dpoly =
          1.0 + t2 * (3.0 * d[0] + t2 * (5.0 * d[1] + t2 * (7.0 * d[2] + t2 * 9.0 * d[3])));
      const double theta_d = theta * poly;
      scale = theta_d / r;
      dscale_over_r = (dpoly / (1.0 + r2) * r - theta_d) / (r2 * r);
      theta_over_r = theta / r;
    } else {
      scale = 1.0 + (d[0] - 1.0 / 3.0) * r2;
      dscale_over_r = 2.0 * (d[0] - 1.0 / 3.0);
      theta_over_r = 1.0;
      t2 = r2;
    }
    if (J_xy != nullptr) {
      J_xy[0] = scale + x * x * dscale_over_r;
      J_xy[1] = x * y * dscale_over_r;
      J_xy[2] = J_xy[1];
      J_xy[3] = scale + y * y * dscale_over_r;
    }
    if (J_dist != nullptr) {
      // d xd / d k_i = x * theta^(2i+1) / r.
      double p = theta_over_r * t2;
      for (int i = 0; i < 4; ++i) {
        J_dist[i] = x * p;
        J_dist[4 + i] = y * p;
        p *= t2;
      }
    }
  }
  static double max_valid_radius(const double* d);
};

namespace detail {

/// First root of slope(s) on [lo, hi] sampled geometrically/uniformly by the caller,
/// refined by bisection. `slope` must be positive at `grid[0]`.
template <typename Slope>
double first_nonpositive(const Slope& slope, double lo, double hi, int samples, bool geometric) {
  double prev = lo;
  for (int i = 1; i <= samples; ++i) {
    const double s = static_cast<double>(i) / samples;
    const double u = geometric ? lo * std::pow(hi / lo, s) : lo + (hi - lo) * s;
    if (!(slope(u) > 0.0)) {
      double a = prev, b = u;
      for (int it = 0; it < 100 && b - a > 1e-15 * b; ++it) {
        const double m = 0.5 * (a + b);
        (slope(m) > 0.0 ? a : b) = m;
      }
      return a;
    }
    prev = u;
  }
  return std::numeric_limits<double>::infinity();
}

/// Smallest u in (0, hi] with 1 + c1 u + c2 u^2 + c3 u^3 <= 0 (infinity if
/// none). The cubic is monotone between its critical points, so each piece
/// is checked at its end and the first sign change is bisected.
inline double first_nonpositive_cubic(double c1, double c2, double c3, double hi) {
  const auto p = [&](double u) { return 1.0 + u * (c1 + u * (c2 + u * c3)); };
  double ends[3];
  int n = 0;
  // Critical points: roots of c1 + 2 c2 u + 3 c3 u^2 in (0, hi).
  const double a = 3.0 * c3, b = 2.0 * c2, c = c1;
  if (a != 0.0) {
    const double disc = b * b - 4.0 * a * c;
    if (disc >= 0.0) {
      const double q = -0.5 * (b + std::copysign(std::sqrt(disc), b));
      const double r1 = q / a, r2 = q != 0.0 ? c / q : r1;
      for (const double r : {std::min(r1, r2), std::max(r1, r2)}) {
        if (r > 0.0 && r < hi) ends[n++] = r;
      }
    }
  } else if (b != 0.0) {
    const double r = -c / b;
    if (r > 0.0 && r < hi) ends[n++] = r;
  }
  ends[n++] = hi;
  double lo = 0.0;
  for (int i = 0; i < n; ++i) {
    if (!(p(ends[i]) > 0.0)) {
      double x = lo, y = ends[i];
      for (int it = 0; it < 200 && y - x > 1e-15 * y; ++it) {
        const double m = 0.5 * (x + y);
        (p(m) > 0.0 ? x : y) = m;
      }
      return y;
    }
    lo = ends[i];
  }
  return std::numeric_limits<double>::infinity();
}

inline double opencv_max_valid_radius(const double* d8) {
  // The rational model's denominator 1 + k4 r^2 + k5 r^4 + k6 r^6 must stay
  // positive: past its first zero (a pole) the sampled slope test below can
  // see a positive slope again (found by fuzz_camera: a pole at r ~ 1.34
  // with a reported valid radius of 27). The valid range ends before it.
  const double pole_r2 = first_nonpositive_cubic(d8[5], d8[6], d8[7], 1e8);
  const double hi = std::min(1e8, pole_r2);
  // Scan r^2 from 1e-8 to hi (1e8: up to ~89.99 deg off-axis).
  double r2 = hi > 1e-8 ? first_nonpositive([d8](double u) { return opencv_radial_slope(d8, u); },
                                            1e-8, hi, 4000, true)
                        : 0.0;
  if (!(r2 < hi)) r2 = hi == 1e8 ? std::numeric_limits<double>::infinity() : hi * (1.0 - 1e-9);
  return std::sqrt(r2);
}

}  // namespace detail

inline double OpenCVModel::max_valid_radius(const double* d) {
  const double full[8] = {d[0], d[1], d[2], d[3], d[4], 0.0, 0.0, 0.0};
  return detail::opencv_max_valid_radius(full);
}
inline double OpenCVRationalModel::max_valid_radius(const double* d) {
  return detail::opencv_max_valid_radius(d);
}
inline double FisheyeModel::max_valid_radius(const double* d) {
  constexpr double kHalfPi = 1.57079632679489661923;
  const auto slope = [d](double theta) {
    const double t2 = theta * theta;
    return 1.0 + t2 * (3.0 * d[0] + t2 * (5.0 * d[1] + t2 * (7.0 * d[2] + t2 * 9.0 * d[3])));
  };
  const double theta_max = detail::first_nonpositive(slope, 0.0, kHalfPi, 4000, false);
  if (!(theta_max < kHalfPi)) return std::numeric_limits<double>::infinity();
  return std::tan(theta_max);
}

/// Calls `f(ModelTag{})` with the model struct of a runtime model id.
template <typename F>
decltype(auto) dispatch_model(CameraModel model, F&& f) {
  switch (model) {
    case CameraModel::kOpenCV: return f(OpenCVModel{});
    case CameraModel::kOpenCVRational: return f(OpenCVRationalModel{});
    case CameraModel::kFisheye: return f(FisheyeModel{});
    case CameraModel::kPinhole: break;
  }
  return f(PinholeModel{});
}

/// Projects a camera-frame point to pixels with the parameter block `params`
/// (layout above). Templated for ceres::Jet; no validity checks (Z > 0 and the
/// valid radius are the caller's business, see Camera::project for the checked
/// version). Use inside cost functors as
///   project_point<OpenCVModel>(params, point_in_cam, pixel).
template <typename Model, typename T>
void project_point(const T* params, const T* point_in_cam, T* pixel) {
  const T x = point_in_cam[0] / point_in_cam[2];
  const T y = point_in_cam[1] / point_in_cam[2];
  T xd, yd;
  Model::distort(params + 4, x, y, &xd, &yd);
  pixel[0] = params[0] * xd + params[2];
  pixel[1] = params[1] * yd + params[3];
}

/// Runtime-dispatched version of project_point (same Jet support).
template <typename T>
void project_point(CameraModel model, const T* params, const T* point_in_cam, T* pixel) {
  dispatch_model(model, [&](auto m) {
    project_point<decltype(m)>(params, point_in_cam, pixel);
  });
}

}  // namespace crossview::camera
