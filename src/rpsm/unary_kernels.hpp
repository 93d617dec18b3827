// crossview: the projection and bilinear kernels of the RPSM unary (internal,
// not installed). Kept apart from rpsm.cpp so that tests can check them
// against Camera::project_from_cam, ViewHeatmaps::to_heatmap and
// ViewHeatmaps::sample, bit for bit.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/pose/heatmaps.hpp>

#include <Eigen/Core>

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace crossview::rpsm::detail {

#if defined(__SSE2__)
/// Two doubles in an SSE2 register with the arithmetic that the camera
/// models' templated distort() uses (+, -, *, / and construction from a
/// double): each lane's result is the scalar operation's, bit for bit
/// (IEEE-754 double, no FMA on baseline x86-64).
struct Packet2d {
  __m128d v;
  Packet2d() = default;
  explicit Packet2d(__m128d x) : v(x) {}
  Packet2d(double x) : v(_mm_set1_pd(x)) {}  // implicit: the models write T(1), T(2)
};
inline Packet2d operator+(Packet2d a, Packet2d b) { return Packet2d(_mm_add_pd(a.v, b.v)); }
inline Packet2d operator-(Packet2d a, Packet2d b) { return Packet2d(_mm_sub_pd(a.v, b.v)); }
inline Packet2d operator*(Packet2d a, Packet2d b) { return Packet2d(_mm_mul_pd(a.v, b.v)); }
inline Packet2d operator/(Packet2d a, Packet2d b) { return Packet2d(_mm_div_pd(a.v, b.v)); }

/// Lane masks of Packet2d comparisons (all bits set = true).
struct Mask2d {
  __m128d m;
};
inline Mask2d operator&(Mask2d a, Mask2d b) { return {_mm_and_pd(a.m, b.m)}; }
inline Mask2d is_finite(Packet2d x) {
  return {_mm_cmpeq_pd(_mm_sub_pd(x.v, x.v), _mm_setzero_pd())};
}
inline Mask2d is_positive(Packet2d x) { return {_mm_cmpgt_pd(x.v, _mm_setzero_pd())}; }
inline Mask2d not_greater(Packet2d a, Packet2d b) { return {_mm_cmpngt_pd(a.v, b.v)}; }
inline Packet2d select(Mask2d m, Packet2d a, Packet2d b) {
  return Packet2d(_mm_or_pd(_mm_and_pd(m.m, a.v), _mm_andnot_pd(m.m, b.v)));
}
/// x limited to [lo, hi] per lane: (x > lo ? x : lo) then (. < hi ? . : hi).
inline Packet2d clamp_to(Packet2d x, Packet2d lo, Packet2d hi) {
  return Packet2d(_mm_min_pd(_mm_max_pd(x.v, lo.v), hi.v));
}
#endif

// The same checks on plain doubles (x - x == 0 exactly when x is finite).
struct Mask1d {
  bool m;
};
inline Mask1d operator&(Mask1d a, Mask1d b) { return {a.m && b.m}; }
inline Mask1d is_finite(double x) { return {x - x == 0.0}; }
inline Mask1d is_positive(double x) { return {x > 0.0}; }
inline Mask1d not_greater(double a, double b) { return {!(a > b)}; }
inline double select(Mask1d m, double a, double b) { return m.m ? a : b; }
/// The scalar clamp_to, with the SSE2 min/max semantics.
inline double clamp_to(double x, double lo, double hi) {
  const double y = x > lo ? x : lo;
  return y < hi ? y : hi;
}

/// True for the camera models whose distort() is plain arithmetic (no
/// branches, no libm calls), hence runs on Packet2d lanes.
template <class Model>
constexpr bool kArithmeticDistortion = Model::kModel == camera::CameraModel::kPinhole ||
                                       Model::kModel == camera::CameraModel::kOpenCV ||
                                       Model::kModel == camera::CameraModel::kOpenCVRational;

/// Heatmap coordinate returned where the projection fails (outside every
/// heatmap: footprint() gives all weights 0).
constexpr double kNoProjection = -2.0;

/// A view's camera intrinsics and heatmap placement in lanes of type T.
/// With `clamp_to_heatmap`, heatmap coordinates are limited to the pixel
/// centres' range [0, W - 1] x [0, H - 1] (OutsideHeatmap::kNearestPixel).
template <class T>
struct ProjectionParams {
  T dist[8];
  T fx, fy, cx, cy, max_r2;
  T a00, a01, a02, a10, a11, a12;  ///< heatmap_from_image
  bool clamp = false;
  T u_max, v_max;

  explicit ProjectionParams(const pose::HeatmapView& view, bool clamp_to_heatmap = false)
      : clamp(clamp_to_heatmap),
        u_max(T(view.heatmaps.width() - 1.0)),
        v_max(T(view.heatmaps.height() - 1.0)) {
    const camera::Camera& cam = view.camera;
    const Eigen::VectorXd& p = cam.params();
    for (int i = 0; i < 8; ++i) dist[i] = T(4 + i < p.size() ? p[4 + i] : 0.0);
    fx = T(cam.fx());
    fy = T(cam.fy());
    cx = T(cam.cx());
    cy = T(cam.cy());
    const double max_r = cam.max_valid_radius();
    max_r2 = T(max_r * max_r);
    const pose::Affine2d& a = view.heatmaps.heatmap_from_image();
    a00 = T(a(0, 0));
    a01 = T(a(0, 1));
    a02 = T(a(0, 2));
    a10 = T(a(1, 0));
    a11 = T(a(1, 1));
    a12 = T(a(1, 2));
  }
};

/// Camera::project_from_cam (no Jacobians) then ViewHeatmaps::to_heatmap of
/// one camera-frame point per lane: the same operations in the same order,
/// so bit-identical to them; (kNoProjection, kNoProjection) where the
/// projection fails (non-finite point or pixel, Z <= 0, beyond the valid
/// radius). Everything is computed, then selected: no branch per point.
/// With c.clamp the heatmap coordinates of successful projections are
/// clamped to the heatmap's pixel centres (clamp_to; ViewHeatmaps::to_heatmap
/// then the clamp, bit for bit).
template <class Model, class T>
inline void project_lanes(const ProjectionParams<T>& c, const T& X, const T& Y, const T& Z, T* qx,
                          T* qy) {
  const T inv_z = T(1.0) / Z;
  const T x = X * inv_z;
  const T y = Y * inv_z;
  T xd, yd;
  Model::distort(c.dist, x, y, &xd, &yd);
  const T px = c.fx * xd + c.cx;
  const T py = c.fy * yd + c.cy;
  T ux = c.a00 * px + c.a01 * py + c.a02;
  T uy = c.a10 * px + c.a11 * py + c.a12;
  if (c.clamp) {
    ux = clamp_to(ux, T(0.0), c.u_max);
    uy = clamp_to(uy, T(0.0), c.v_max);
  }
  const auto ok = is_finite(X) & is_finite(Y) & is_finite(Z) & is_positive(Z) &
                  not_greater(x * x + y * y, c.max_r2) & is_finite(px) & is_finite(py);
  *qx = select(ok, ux, T(kNoProjection));
  *qy = select(ok, uy, T(kNoProjection));
}

/// Heatmap coordinates (qx, qy) of n camera-frame points (X, Y, Z) in
/// `view`, whose camera model is `Model` (= view.camera.model(); callers
/// dispatch once per view, not per point). Two points per SSE2 register for
/// the arithmetic models. `clamp_to_heatmap`: see ProjectionParams.
template <class Model>
void project_to_heatmap(const pose::HeatmapView& view, int n, const double* X, const double* Y,
                        const double* Z, double* qx, double* qy, bool clamp_to_heatmap = false) {
  int i = 0;
#if defined(__SSE2__)
  if constexpr (kArithmeticDistortion<Model>) {
    const ProjectionParams<Packet2d> c(view, clamp_to_heatmap);
    for (; i + 2 <= n; i += 2) {
      Packet2d u, v;
      project_lanes<Model>(c, Packet2d(_mm_loadu_pd(X + i)), Packet2d(_mm_loadu_pd(Y + i)),
                           Packet2d(_mm_loadu_pd(Z + i)), &u, &v);
      _mm_storeu_pd(qx + i, u.v);
      _mm_storeu_pd(qy + i, v.v);
    }
  }
#endif
  if (i == n) return;
  const ProjectionParams<double> c(view, clamp_to_heatmap);
  for (; i < n; ++i) project_lanes<Model>(c, X[i], Y[i], Z[i], qx + i, qy + i);
}

/// Bilinear footprint of a heatmap location: 4 indices + weights (weight 0
/// for corners outside).
struct Footprint {
  int idx[4] = {0, 0, 0, 0};
  float w[4] = {0.0f, 0.0f, 0.0f, 0.0f};
};

/// Bilinear footprint of heatmap coordinates (qx, qy) in a W x H heatmap
/// (all weights 0 outside it).
inline Footprint footprint(int W, int H, double qx, double qy) {
  Footprint f;
  if (!(qx > -1.0) || !(qy > -1.0) || !(qx < W) || !(qy < H)) return f;
  // q > -1, so truncating q + 1 is floor(q) + 1 (avoids a libm floor call on
  // baseline x86-64).
  const int u0 = static_cast<int>(qx + 1.0) - 1, v0 = static_cast<int>(qy + 1.0) - 1;
  const float au = static_cast<float>(qx - u0), av = static_cast<float>(qy - v0);
  const float ws[4] = {(1 - au) * (1 - av), au * (1 - av), (1 - au) * av, au * av};
  if (u0 >= 0 && v0 >= 0 && u0 + 1 < W && v0 + 1 < H) {  // the usual case: all inside
    const int i0 = v0 * W + u0;
    const int idx[4] = {i0, i0 + 1, i0 + W, i0 + W + 1};
    for (int k = 0; k < 4; ++k) {
      f.idx[k] = idx[k];
      f.w[k] = ws[k];
    }
    return f;
  }
  const int us[4] = {u0, u0 + 1, u0, u0 + 1};
  const int vs[4] = {v0, v0, v0 + 1, v0 + 1};
  for (int k = 0; k < 4; ++k) {
    if (us[k] >= 0 && vs[k] >= 0 && us[k] < W && vs[k] < H) {
      f.idx[k] = vs[k] * W + us[k];
      f.w[k] = ws[k];
    }
  }
  return f;
}

/// The footprint of OutsideHeatmap::kZero: the reference implementation's
/// sampler (microsoft/multiview-human-pose-estimation-pytorch, PSM unary:
/// scipy's RegularGridInterpolator, linear, on the pixel-centre grid 0..W-1 x
/// 0..H-1, bounds_error = False, fill_value = 0, float32 heatmaps). Exactly 0
/// unless 0 <= qx <= W - 1 and 0 <= qy <= H - 1 (NaN and kNoProjection are
/// outside). Inside: cell u0 = min(floor(qx), W - 2), v0 likewise (0 for a
/// one-pixel axis, whose second corner then repeats the first with weight
/// 0), fu = qx - u0 and fv = qy - v0 (exact: Sterbenz), weights in double
/// in scipy's order of the cell's corners (x-major: (u0, v0), (u0, v0 + 1),
/// (u0 + 1, v0), (u0 + 1, v0 + 1)) with (1 - f) for the lower corner.
struct ZeroFootprint {
  int idx[4] = {0, 0, 0, 0};
  double w[4] = {0.0, 0.0, 0.0, 0.0};
};

inline ZeroFootprint zero_footprint(int W, int H, double qx, double qy) {
  ZeroFootprint f;
  if (!(qx >= 0.0 && qx <= W - 1.0 && qy >= 0.0 && qy <= H - 1.0)) return f;
  // q >= 0, so truncation is floor; the last cell holds q = W - 1 (scipy's
  // interval search returns n - 2 there).
  const int u0 = std::min(static_cast<int>(qx), W >= 2 ? W - 2 : 0);
  const int v0 = std::min(static_cast<int>(qy), H >= 2 ? H - 2 : 0);
  const int u1 = std::min(u0 + 1, W - 1), v1 = std::min(v0 + 1, H - 1);
  const double fu = qx - u0, fv = qy - v0;
  const double gu = 1.0 - fu, gv = 1.0 - fv;
  const int idx[4] = {v0 * W + u0, v1 * W + u0, v0 * W + u1, v1 * W + u1};
  const double w[4] = {gu * gv, gu * fv, fu * gv, fu * fv};
  for (int k = 0; k < 4; ++k) {
    f.idx[k] = idx[k];
    f.w[k] = w[k];
  }
  return f;
}

/// The kZero sample of heatmap values h (float, promoted exactly) at a
/// footprint, summed in double in scipy's order starting from 0.0 (so a
/// -0.0 heatmap value gives +0.0, as there).
inline double zero_sample(const float* h, const ZeroFootprint& f) {
  double s = 0.0;
  s = s + static_cast<double>(h[f.idx[0]]) * f.w[0];
  s = s + static_cast<double>(h[f.idx[1]]) * f.w[1];
  s = s + static_cast<double>(h[f.idx[2]]) * f.w[2];
  s = s + static_cast<double>(h[f.idx[3]]) * f.w[3];
  return s;
}

/// zero_sample of joint j from pixel-major heatmaps t (value of joint j at
/// pixel i: t[i * num_joints + j]; the level-0 layout), bit for bit.
inline double zero_sample_pixel_major(const float* t, int num_joints, const ZeroFootprint& f, int j) {
  double s = 0.0;
  for (int k = 0; k < 4; ++k) {
    s = s + static_cast<double>(t[static_cast<std::size_t>(f.idx[k]) * num_joints + j]) * f.w[k];
  }
  return s;
}

/// kZero samples of one W x H heatmap h at n heatmap coordinates: out[i] =
/// zero_sample(h, zero_footprint(W, H, qx[i], qy[i])), bit for bit. Two
/// points per SSE2 register when both lie inside a heatmap of at least 2 x 2
/// pixels (the same double operations per lane), the scalar twin otherwise.
inline void zero_samples(const float* h, int W, int H, int n, const double* qx, const double* qy,
                         double* out) {
  int i = 0;
#if defined(__SSE2__)
  if (W >= 2 && H >= 2) {
    const __m128d zero = _mm_setzero_pd(), one = _mm_set1_pd(1.0);
    const __m128d u_max = _mm_set1_pd(W - 1.0), v_max = _mm_set1_pd(H - 1.0);
    const __m128i u_last = _mm_set1_epi32(W - 2), v_last = _mm_set1_epi32(H - 2);
    for (; i + 2 <= n; i += 2) {
      const __m128d x = _mm_loadu_pd(qx + i), y = _mm_loadu_pd(qy + i);
      // Ordered compares: false for NaN, as in zero_footprint.
      const __m128d inside = _mm_and_pd(_mm_and_pd(_mm_cmpge_pd(x, zero), _mm_cmple_pd(x, u_max)),
                                        _mm_and_pd(_mm_cmpge_pd(y, zero), _mm_cmple_pd(y, v_max)));
      if (_mm_movemask_pd(inside) != 3) {
        for (int k = i; k < i + 2; ++k) out[k] = zero_sample(h, zero_footprint(W, H, qx[k], qy[k]));
        continue;
      }
      // min(trunc(q), last cell) without SSE4.1's _mm_min_epi32.
      const __m128i tu = _mm_cvttpd_epi32(x), tv = _mm_cvttpd_epi32(y);
      const __m128i cu = _mm_cmpgt_epi32(tu, u_last), cv = _mm_cmpgt_epi32(tv, v_last);
      const __m128i u0 = _mm_or_si128(_mm_and_si128(cu, u_last), _mm_andnot_si128(cu, tu));
      const __m128i v0 = _mm_or_si128(_mm_and_si128(cv, v_last), _mm_andnot_si128(cv, tv));
      const __m128d fu = _mm_sub_pd(x, _mm_cvtepi32_pd(u0)), fv = _mm_sub_pd(y, _mm_cvtepi32_pd(v0));
      const __m128d gu = _mm_sub_pd(one, fu), gv = _mm_sub_pd(one, fv);
      const int a = _mm_cvtsi128_si32(v0) * W + _mm_cvtsi128_si32(u0);
      const int b = _mm_cvtsi128_si32(_mm_srli_si128(v0, 4)) * W + _mm_cvtsi128_si32(_mm_srli_si128(u0, 4));
      const auto pair = [h](int ia, int ib) {
        return _mm_cvtps_pd(_mm_unpacklo_ps(_mm_load_ss(h + ia), _mm_load_ss(h + ib)));
      };
      __m128d s = _mm_add_pd(zero, _mm_mul_pd(pair(a, b), _mm_mul_pd(gu, gv)));
      s = _mm_add_pd(s, _mm_mul_pd(pair(a + W, b + W), _mm_mul_pd(gu, fv)));
      s = _mm_add_pd(s, _mm_mul_pd(pair(a + 1, b + 1), _mm_mul_pd(fu, gv)));
      s = _mm_add_pd(s, _mm_mul_pd(pair(a + W + 1, b + W + 1), _mm_mul_pd(fu, fv)));
      _mm_storeu_pd(out + i, s);
    }
  }
#endif
  for (; i < n; ++i) out[i] = zero_sample(h, zero_footprint(W, H, qx[i], qy[i]));
}

/// The bilinear sample of a heatmap at a footprint.
inline float sample(const float* h, const Footprint& f) {
  return f.w[0] * h[f.idx[0]] + f.w[1] * h[f.idx[1]] + f.w[2] * h[f.idx[2]] +
         f.w[3] * h[f.idx[3]];
}

/// Bilinear samples of one W x H heatmap h at n heatmap coordinates:
/// out[i] = sample(h, footprint(W, H, qx[i], qy[i])), bit for bit. Two points
/// per SSE2 register when both footprints lie inside the heatmap (the same
/// float operations per lane), footprint() otherwise.
inline void bilinear_samples(const float* h, int W, int H, int n, const double* qx,
                             const double* qy, float* out) {
  int i = 0;
#if defined(__SSE2__)
  const __m128d one_d = _mm_set1_pd(1.0);
  const __m128i one_i = _mm_set1_epi32(1);
  const __m128i zero_i = _mm_setzero_si128();
  const __m128i width = _mm_set1_epi32(W), height = _mm_set1_epi32(H);
  const __m128 one_f = _mm_set1_ps(1.0f);
  for (; i + 2 <= n; i += 2) {
    const __m128d x = _mm_loadu_pd(qx + i), y = _mm_loadu_pd(qy + i);
    // t = (int)(q + 1) = u0 + 1 (footprint's floor). The footprint is inside
    // when 1 <= t <= W - 1; NaN and out-of-range q convert to INT_MIN and fail.
    const __m128i tu = _mm_cvttpd_epi32(_mm_add_pd(x, one_d));
    const __m128i tv = _mm_cvttpd_epi32(_mm_add_pd(y, one_d));
    const __m128i inside =
        _mm_and_si128(_mm_and_si128(_mm_cmpgt_epi32(tu, zero_i), _mm_cmplt_epi32(tu, width)),
                      _mm_and_si128(_mm_cmpgt_epi32(tv, zero_i), _mm_cmplt_epi32(tv, height)));
    if ((_mm_movemask_ps(_mm_castsi128_ps(inside)) & 3) != 3) {
      for (int k = i; k < i + 2; ++k) out[k] = sample(h, footprint(W, H, qx[k], qy[k]));
      continue;
    }
    const __m128i u0 = _mm_sub_epi32(tu, one_i), v0 = _mm_sub_epi32(tv, one_i);
    const __m128 au = _mm_cvtpd_ps(_mm_sub_pd(x, _mm_cvtepi32_pd(u0)));
    const __m128 av = _mm_cvtpd_ps(_mm_sub_pd(y, _mm_cvtepi32_pd(v0)));
    const __m128 bu = _mm_sub_ps(one_f, au), bv = _mm_sub_ps(one_f, av);
    const int i0 = _mm_cvtsi128_si32(v0) * W + _mm_cvtsi128_si32(u0);
    const int i1 = _mm_cvtsi128_si32(_mm_srli_si128(v0, 4)) * W +
                   _mm_cvtsi128_si32(_mm_srli_si128(u0, 4));
    const __m128 h0 = _mm_unpacklo_ps(_mm_load_ss(h + i0), _mm_load_ss(h + i1));
    const __m128 h1 = _mm_unpacklo_ps(_mm_load_ss(h + i0 + 1), _mm_load_ss(h + i1 + 1));
    const __m128 h2 = _mm_unpacklo_ps(_mm_load_ss(h + i0 + W), _mm_load_ss(h + i1 + W));
    const __m128 h3 = _mm_unpacklo_ps(_mm_load_ss(h + i0 + W + 1), _mm_load_ss(h + i1 + W + 1));
    // ((w0 h0 + w1 h1) + w2 h2) + w3 h3 with footprint's weights.
    __m128 val = _mm_add_ps(_mm_mul_ps(_mm_mul_ps(bu, bv), h0), _mm_mul_ps(_mm_mul_ps(au, bv), h1));
    val = _mm_add_ps(val, _mm_mul_ps(_mm_mul_ps(bu, av), h2));
    val = _mm_add_ps(val, _mm_mul_ps(_mm_mul_ps(au, av), h3));
    _mm_storel_pi(reinterpret_cast<__m64*>(out + i), val);
  }
#endif
  for (; i < n; ++i) out[i] = sample(h, footprint(W, H, qx[i], qy[i]));
}

}  // namespace crossview::rpsm::detail
