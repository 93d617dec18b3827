// Fuzzes rpsm::refine (and rpsm::estimate on 1 input in 8) on tiny problems: a chain
// skeleton of 1-4 joints with limb priors from bytes, 0-3 views of realistic
// or raw cameras, heatmaps of at most 8 x 8 pixels whose values are Gaussian
// bumps, raw floats (NaN, Inf, negative), all zero or a mix, an initial pose
// from bytes, options in small ranges (levels <= 3, recursion bins 2-3, 0-5
// polish iterations, either outside-heatmap rule).
//
// Contracts checked:
//   * only std::invalid_argument escapes (invalid options / shapes, camera
//     constructor, skeleton constructor);
//   * success implies a finite 3 x J pose and finite joint scores, every level
//     completed and heatmap support for every joint;
//   * every failure carries a non-empty message.
#include "fuzz_decode.hpp"

#include <crossview/pose/heatmaps.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/rpsm/rpsm.hpp>

#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using crossview::fuzz::mostly_sane;
using crossview::fuzz::raw_double;
namespace pose = crossview::pose;
namespace rpsm = crossview::rpsm;

constexpr int kMaxJoints = 4;
constexpr int kMaxViews = 3;
constexpr int kMaxSide = 8;

float raw_float(FuzzedDataProvider& fdp) {
  std::uint8_t bytes[sizeof(float)] = {};
  fdp.ConsumeData(bytes, sizeof(bytes));
  float v;
  std::memcpy(&v, bytes, sizeof(v));
  return v;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  try {
    const int J = fdp.ConsumeIntegralInRange<int>(1, kMaxJoints);
    std::vector<std::string> names;
    std::vector<int> parents;
    std::vector<pose::LimbPrior> priors;
    for (int j = 0; j < J; ++j) {
      names.push_back("j" + std::to_string(j));
      parents.push_back(j == 0 ? -1 : fdp.ConsumeIntegralInRange<int>(0, j - 1));
      priors.push_back({mostly_sane(fdp, 0.05, 0.6), mostly_sane(fdp, 0.0, 0.2)});
    }
    const pose::Skeleton skeleton(names, parents, priors);

    const int V = fdp.ConsumeIntegralInRange<int>(0, kMaxViews);
    const int H = fdp.ConsumeIntegralInRange<int>(1, kMaxSide);
    const int W = fdp.ConsumeIntegralInRange<int>(1, kMaxSide);
    std::vector<pose::HeatmapView> views;
    for (int v = 0; v < V; ++v) {
      const bool sane = (fdp.ConsumeIntegral<std::uint8_t>() & 7u) != 0;
      pose::HeatmapView view;
      view.camera = crossview::fuzz::make_camera(fdp, sane, "cam" + std::to_string(v));
      view.heatmaps = pose::ViewHeatmaps(J, H, W, pose::image_from_heatmap_for_box(-0.5, -0.5, 1200, 1000, W, H));
      const int fill = fdp.ConsumeIntegralInRange<int>(0, 3);
      for (float& x : view.heatmaps.data()) {
        switch (fill) {
          case 0: break;  // all zero
          case 1: x = raw_float(fdp); break;
          case 2: x = static_cast<float>(fdp.ConsumeIntegralInRange<int>(0, 255)) / 255.0f; break;
          default: x = fdp.ConsumeIntegralInRange<int>(0, 15) == 0 ? raw_float(fdp) : 0.5f; break;
        }
      }
      views.push_back(std::move(view));
    }

    rpsm::RpsmOptions o;
    o.cube_side = mostly_sane(fdp, 0.1, 4.0);
    o.num_bins = fdp.ConsumeIntegralInRange<int>(2, 4);
    o.num_levels = fdp.ConsumeIntegralInRange<int>(0, 3);
    o.recursion_bins = fdp.ConsumeIntegralInRange<int>(2, 3);
    o.refine_initial_side = fdp.ConsumeBool() ? 0.0 : mostly_sane(fdp, 0.0, 1.0);
    o.combination = fdp.ConsumeBool() ? rpsm::ViewCombination::kSum : rpsm::ViewCombination::kMeanLog;
    o.pairwise = fdp.ConsumeBool() ? rpsm::PairwiseModel::kHardIndicator : rpsm::PairwiseModel::kGaussian;
    o.limb_tolerance = fdp.ConsumeBool() ? 0.0 : mostly_sane(fdp, 0.0, 0.5);
    o.outside_heatmap = fdp.ConsumeBool() ? rpsm::OutsideHeatmap::kNearestPixel : rpsm::OutsideHeatmap::kZero;
    o.polish_iterations = fdp.ConsumeIntegralInRange<int>(0, 5);
    o.polish_gaussian_limbs = fdp.ConsumeBool();
    o.heatmap_normalization =
        fdp.ConsumeBool() ? rpsm::HeatmapNormalization::kPerViewJointMax : rpsm::HeatmapNormalization::kNone;
    o.num_threads = 1;

    const bool estimate = fdp.ConsumeIntegralInRange<int>(0, 7) == 0;
    rpsm::RpsmResult r;
#ifdef CROSSVIEW_FUZZ_TRACE
    std::fprintf(stderr, "J=%d V=%d H=%d W=%d cube=%g bins=%d levels=%d rbins=%d init_side=%g comb=%d pair=%d tol=%g outside=%d polish=%d/%d\n", J, V,
                 H, W, o.cube_side, o.num_bins, o.num_levels, o.recursion_bins, o.refine_initial_side,
                 static_cast<int>(o.combination), static_cast<int>(o.pairwise), o.limb_tolerance,
                 static_cast<int>(o.outside_heatmap), o.polish_iterations, static_cast<int>(o.polish_gaussian_limbs));
    for (int j = 0; j < J; ++j) std::fprintf(stderr, " joint %d parent %d prior %g +- %g\n", j, parents[j], priors[j].mean, priors[j].tolerance);
    for (const auto& v : views) {
      std::fprintf(stderr, " cam model %d params", static_cast<int>(v.camera.model()));
      for (int i = 0; i < v.camera.params().size(); ++i) std::fprintf(stderr, " %g", v.camera.params()[i]);
      const auto& q = v.camera.cam_from_world.rotation;
      const auto& t = v.camera.cam_from_world.translation;
      std::fprintf(stderr, " q %g %g %g %g t %g %g %g\n heat", q.w(), q.x(), q.y(), q.z(), t.x(), t.y(), t.z());
      for (float x : v.heatmaps.data()) std::fprintf(stderr, " %g", x);
      std::fprintf(stderr, "\n");
    }
#endif
    if (estimate) {
      const Eigen::Vector3d root(mostly_sane(fdp, -1, 1), mostly_sane(fdp, -1, 1), mostly_sane(fdp, -1, 1));
#ifdef CROSSVIEW_FUZZ_TRACE
      std::fprintf(stderr, "estimate root %g %g %g\n", root.x(), root.y(), root.z());
#endif
      r = rpsm::estimate(views, skeleton, root, o);
    } else {
      Eigen::Matrix3Xd initial(3, J);
      for (int j = 0; j < J; ++j) {
        for (int i = 0; i < 3; ++i) initial(i, j) = mostly_sane(fdp, -1, 1);
      }
      r = rpsm::refine(views, skeleton, initial, o);
    }
    if (r.success()) {
      CROSSVIEW_FUZZ_CHECK(r.joints_in_world.rows() == 3 && r.joints_in_world.cols() == J);
      CROSSVIEW_FUZZ_CHECK(r.joints_in_world.allFinite());
      CROSSVIEW_FUZZ_CHECK(r.joint_scores.size() == J && r.joint_scores.allFinite());
      CROSSVIEW_FUZZ_CHECK(r.polish_steps >= 0 && r.polish_steps <= o.polish_iterations);
      // A success ran every level and had heatmap support for every joint.
      CROSSVIEW_FUZZ_CHECK(r.levels_completed == o.num_levels);
      CROSSVIEW_FUZZ_CHECK(r.support_views.size() == J && r.support_views.minCoeff() >= 1);
      CROSSVIEW_FUZZ_CHECK(!estimate || r.psm_completed);
      for (const int v : r.uninformative_views) CROSSVIEW_FUZZ_CHECK(v >= 0 && v < V);
    } else {
      CROSSVIEW_FUZZ_CHECK(!r.message.empty());
    }
  } catch (const std::invalid_argument&) {
    return 0;
  }
  return 0;
}
