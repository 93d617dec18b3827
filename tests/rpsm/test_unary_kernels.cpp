// RPSM unary kernels (src/rpsm/unary_kernels.hpp, internal): the per-model
// projection equals Camera::project_from_cam + ViewHeatmaps::to_heatmap and
// the paired bilinear samples equal a plain per-corner footprint, bit for bit,
// for the four camera models, failing projections included; the kZero
// sampler (SSE2 pairs and scalar twin) equals an independent implementation
// of the reference's sampling rule (scipy's RegularGridInterpolator) bit for
// bit.
#include "unary_kernels.hpp"

#include <crossview/camera/camera.hpp>
#include <crossview/pose/heatmaps.hpp>
#include <crossview_test/reference_sampler.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

namespace {

using crossview::camera::Camera;
using crossview::camera::CameraModel;
using crossview::camera::ProjectionStatus;
using crossview::pose::HeatmapView;
using crossview::pose::ViewHeatmaps;
namespace detail = crossview::rpsm::detail;

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }
bool same_bits(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// A 1000 x 1000 camera of the given model (distortion strong enough that
/// the OpenCV models have a finite valid radius) looking down +Z, and a
/// 64 x 48 heatmap on a ~600 x 450 crop.
HeatmapView make_view(CameraModel model) {
  Eigen::VectorXd p(crossview::camera::num_params(model));
  p.head<4>() << 1100.0, 1090.0, 505.0, 498.0;
  if (model == CameraModel::kOpenCV) p.tail<5>() << -0.35, 0.05, 0.001, -0.002, -0.01;
  if (model == CameraModel::kOpenCVRational) {
    p.tail<8>() << -0.3, 0.05, 0.001, -0.002, -0.01, 0.05, -0.02, 0.004;
  }
  if (model == CameraModel::kFisheye) p.tail<4>() << 0.05, -0.01, 0.002, -0.0005;
  const Camera cam(model, p, 1000, 1000);
  // A crop with a slight rotation: every entry of heatmap_from_image counts.
  crossview::pose::Affine2d image_from_heatmap;
  image_from_heatmap << 9.3, 0.7, 180.0, -0.4, 9.1, 260.0;
  ViewHeatmaps h(1, 48, 64, image_from_heatmap);
  return {cam, h};
}

/// The reference: Camera::project_from_cam, then ViewHeatmaps::to_heatmap.
Eigen::Vector2d reference_heatmap_coords(const HeatmapView& view, const Eigen::Vector3d& p) {
  Eigen::Vector2d px;
  if (view.camera.project_from_cam(p, &px) != ProjectionStatus::kSuccess) {
    return Eigen::Vector2d::Constant(detail::kNoProjection);
  }
  return view.heatmaps.to_heatmap(px);
}

/// The plain bilinear footprint: every corner checked on its own.
float plain_sample(const float* h, int W, int H, double qx, double qy) {
  if (!(qx > -1.0) || !(qy > -1.0) || !(qx < W) || !(qy < H)) return 0.0f;
  const int u0 = static_cast<int>(qx + 1.0) - 1, v0 = static_cast<int>(qy + 1.0) - 1;
  const float au = static_cast<float>(qx - u0), av = static_cast<float>(qy - v0);
  const int us[4] = {u0, u0 + 1, u0, u0 + 1};
  const int vs[4] = {v0, v0, v0 + 1, v0 + 1};
  const float ws[4] = {(1 - au) * (1 - av), au * (1 - av), (1 - au) * av, au * av};
  int idx[4] = {0, 0, 0, 0};
  float w[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  for (int k = 0; k < 4; ++k) {
    if (us[k] >= 0 && vs[k] >= 0 && us[k] < W && vs[k] < H) {
      idx[k] = vs[k] * W + us[k];
      w[k] = ws[k];
    }
  }
  return w[0] * h[idx[0]] + w[1] * h[idx[1]] + w[2] * h[idx[2]] + w[3] * h[idx[3]];
}

}  // namespace

TEST_CASE("RPSM unary: per-model projection equals project_from_cam + to_heatmap bit for bit",
          "[rpsm]") {
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  const double kInf = std::numeric_limits<double>::infinity();
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  for (const CameraModel model : {CameraModel::kPinhole, CameraModel::kOpenCV,
                                  CameraModel::kOpenCVRational, CameraModel::kFisheye}) {
    INFO("model " << crossview::camera::to_string(model));
    const HeatmapView view = make_view(model);
    // Points in front of the camera (in and around the crop, and far off
    // axis beyond the valid radius), behind it, on its plane, non-finite.
    std::vector<Eigen::Vector3d> points;
    for (int i = 0; i < 3000; ++i) {
      const double z = 3000.0 + 2000.0 * unit(rng);
      const double spread = i % 3 == 0 ? 3.0 : 0.4;  // 1 in 3 far off axis
      points.emplace_back(spread * z * unit(rng), spread * z * unit(rng), z);
    }
    const Eigen::Vector3d specials[] = {
        {100.0, 50.0, -3000.0}, {100.0, 50.0, 0.0},   {100.0, 50.0, -0.0},  {0.0, 0.0, 1e-300},
        {1.0, 1.0, kInf},       {kInf, 0.0, 3000.0},  {0.0, -kInf, 3000.0}, {kNaN, 0.0, 3000.0},
        {0.0, 0.0, kNaN},       {1e308, 1e308, 1.0},  {-4e3, 3e3, 1.0},     {20.0, -10.0, 3000.0},
        {0.0, 1e308, 1.0},      {1e308, 0.0, 1.0},    {0.0, 1e200, 1e-200}, {-1e200, 0.0, 1e-200}};
    for (const auto& s : specials) points.push_back(s);
    int successes = 0, failures = 0, clamped = 0;
    // Every count from 1 to 9 (pairs and a scalar tail), then all at once;
    // without and with the clamp to the heatmap (OutsideHeatmap::kNearestPixel).
    for (const bool clamp : {false, true}) {
      for (int n = 1; n <= 10; ++n) {
        const int count = n <= 9 ? n : static_cast<int>(points.size());
        for (int start = 0; start + count <= static_cast<int>(points.size()); start += count) {
          std::vector<double> X(count), Y(count), Z(count), qx(count), qy(count);
          for (int i = 0; i < count; ++i) {
            X[i] = points[start + i].x();
            Y[i] = points[start + i].y();
            Z[i] = points[start + i].z();
          }
          crossview::camera::dispatch_model(model, [&](auto m) {
            detail::project_to_heatmap<decltype(m)>(view, count, X.data(), Y.data(), Z.data(),
                                                    qx.data(), qy.data(), clamp);
          });
          for (int i = 0; i < count; ++i) {
            Eigen::Vector2d ref = reference_heatmap_coords(view, points[start + i]);
            if (clamp && ref.x() != detail::kNoProjection) {
              const Eigen::Vector2d c(std::min(std::max(ref.x(), 0.0), view.heatmaps.width() - 1.0),
                                      std::min(std::max(ref.y(), 0.0), view.heatmaps.height() - 1.0));
              clamped += c != ref && n == 10;
              ref = c;
            }
            INFO("clamp " << clamp);
            INFO("point " << points[start + i].transpose() << " ref " << ref.transpose() << " got "
                          << qx[i] << " " << qy[i]);
            CHECK(same_bits(qx[i], ref.x()));
            CHECK(same_bits(qy[i], ref.y()));
            (ref.x() == detail::kNoProjection ? failures : successes) += n == 10 && !clamp;
          }
        }
      }
    }
    // Both outcomes are exercised.
    CHECK(successes > 1000);
    CHECK(failures >= 8);
    CHECK(clamped > 100);
    if (model != CameraModel::kPinhole && model != CameraModel::kFisheye) {
      CHECK(std::isfinite(view.camera.max_valid_radius()));
    }
  }
}

TEST_CASE("RPSM unary: paired bilinear samples equal the plain footprint bit for bit",
          "[rpsm]") {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> coord(-3.0, 70.0);
  std::uniform_real_distribution<float> value(0.0f, 1.0f);
  for (const auto& [W, H] : {std::pair{64, 48}, std::pair{5, 3}, std::pair{1, 1}}) {
    INFO(W << " x " << H);
    std::vector<float> heat(static_cast<std::size_t>(W) * H);
    for (float& x : heat) x = value(rng);
    // Random coordinates (inside, on the border ring, outside), pixel
    // centres and edges, the last double below an integer (q + 1 rounds up),
    // the failed-projection marker and non-finite values.
    std::vector<double> qx, qy;
    for (int i = 0; i < 4000; ++i) {
      qx.push_back(coord(rng) * W / 64.0);
      qy.push_back(coord(rng) * H / 48.0);
    }
    const double specials[] = {0.0,  -0.0, -1.0, -0.999, W - 1.0, W - 1.0 + 1e-9, W - 0.0001,
                               static_cast<double>(W), std::nextafter(1.0, 0.0),
                               std::nextafter(0.0, -1.0), detail::kNoProjection,
                               std::numeric_limits<double>::quiet_NaN(),
                               std::numeric_limits<double>::infinity(), 3e9};
    for (const double a : specials) {
      for (const double b : specials) {
        qx.push_back(a);
        qy.push_back(b * H / W);
        qx.push_back(0.5);
        qy.push_back(b);
      }
    }
    const int n = static_cast<int>(qx.size());
    for (const int start : {0, 1}) {  // pairs in both alignments
      std::vector<float> out(n);
      detail::bilinear_samples(heat.data(), W, H, n - start, qx.data() + start, qy.data() + start,
                               out.data());
      for (int i = 0; i < n - start; ++i) {
        const float ref = plain_sample(heat.data(), W, H, qx[start + i], qy[start + i]);
        INFO("q " << qx[start + i] << " " << qy[start + i]);
        CHECK(same_bits(out[i], ref));
        CHECK(same_bits(out[i], detail::sample(heat.data(), detail::footprint(W, H, qx[start + i],
                                                                              qy[start + i]))));
      }
    }
  }
}

TEST_CASE("RPSM unary: kZero is the reference's sampler bit for bit, 0 beyond the outer pixel centres",
          "[rpsm]") {
  std::mt19937_64 rng(23);
  std::uniform_real_distribution<float> value(0.0f, 1.0f);
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  const double kInf = std::numeric_limits<double>::infinity();
  for (const auto& [W, H] : {std::pair{80, 80}, std::pair{64, 48}, std::pair{5, 3}, std::pair{2, 2},
                             std::pair{1, 1}, std::pair{1, 4}, std::pair{4, 1}}) {
    INFO(W << " x " << H);
    std::vector<float> heat(static_cast<std::size_t>(W) * H);
    for (float& x : heat) {
      const double r = value(rng);
      x = r < 0.1 ? 0.0f : r < 0.15 ? -0.0f : r < 0.2 ? 1e-40f * value(rng) : r < 0.25 ? 3e30f * value(rng)
                                                                                   : value(rng);
    }
    heat[0] = -0.0f;
    std::uniform_real_distribution<double> ux(-2.0, W + 1.0), uy(-2.0, H + 1.0);
    std::vector<double> qx, qy;
    for (int i = 0; i < 6000; ++i) {
      const int kind = i % 6;
      double x = ux(rng), y = uy(rng);
      if (kind == 1) x = std::floor(x);                                  // exact pixel centres
      if (kind == 2) y = std::floor(y);
      if (kind == 3) x = std::nextafter(W - 1.0, i % 12 < 6 ? 0.0 : kInf);  // around the last centre
      if (kind == 4) y = std::nextafter(0.0, i % 12 < 6 ? 1.0 : -1.0);      // around the first
      if (kind == 5) x = std::min(W - 1.0, std::max(0.0, x));           // inside along x
      qx.push_back(x);
      qy.push_back(y);
    }
    const double specials[] = {0.0, -0.0, W - 1.0, H - 1.0, -0.5, -1e-300, W - 0.5, W - 1.0 + 1e-12,
                               detail::kNoProjection, kNaN, kInf, -kInf, 3e9, 0.5};
    for (const double a : specials) {
      for (const double b : specials) {
        qx.push_back(a);
        qy.push_back(b);
      }
    }
    const int n = static_cast<int>(qx.size());
    int inside = 0, ring = 0;
    for (const int start : {0, 1}) {  // pairs in both alignments, scalar tails
      std::vector<double> out(n);
      detail::zero_samples(heat.data(), W, H, n - start, qx.data() + start, qy.data() + start, out.data());
      for (int i = 0; i < n - start; ++i) {
        const double x = qx[start + i], y = qy[start + i];
        INFO("q " << x << " " << y);
        // scipy answers NaN for a NaN coordinate; the unary reads 0 there (a
        // NaN would poison the max-sum). Only projections that fail give one.
        const double ref = std::isnan(x) || std::isnan(y) ? 0.0 : crossview_test::reference_sampler(heat.data(), W, H, x, y);
        CHECK(same_bits(out[i], ref));
        CHECK(same_bits(detail::zero_sample(heat.data(), detail::zero_footprint(W, H, x, y)), ref));
        const bool in = x >= 0.0 && x <= W - 1.0 && y >= 0.0 && y <= H - 1.0;
        inside += in && start == 0;
        // The one-pixel ring beyond the outer centres, where the bilinear
        // footprint with zero padding (the old kZero) fades to 0: exactly 0.
        if (!in && x > -1.0 && y > -1.0 && x < W && y < H && start == 0) {
          ++ring;
          CHECK(out[i] == 0.0);
          CHECK_FALSE(std::signbit(out[i]));
        }
      }
    }
    CHECK(inside > (W * H >= 15 ? 1000 : 10));
    CHECK(ring > 100);
    // The pixel-major (level-0) layout samples the same values.
    const int nj = 3;
    std::vector<float> pm(heat.size() * nj);
    for (std::size_t i = 0; i < heat.size(); ++i) {
      for (int j = 0; j < nj; ++j) pm[i * nj + j] = j == 1 ? heat[i] : 0.5f;
    }
    for (int i = 0; i < n; i += 7) {
      const auto f = detail::zero_footprint(W, H, qx[i], qy[i]);
      CHECK(same_bits(detail::zero_sample_pixel_major(pm.data(), nj, f, 1), detail::zero_sample(heat.data(), f)));
    }
  }
}
