// RPSM level-0 limb messages (src/rpsm/level0_messages.hpp, internal): the run /
// x-window-maximum path equals the one-pass-per-offset path and a naive loop, bit for
// bit, on random beliefs (with -inf bins) and limb shells of several radii.
#include "level0_messages.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace {

using crossview::rpsm::detail::limb_message;
using crossview::rpsm::detail::make_runs;
using crossview::rpsm::detail::OffsetSet;

constexpr float kNegInf = -std::numeric_limits<float>::infinity();

/// Offsets whose length (in bins) lies in [inner, outer], generated in z, y, x order
/// like the library's limb_offsets; `weighted` gives them -0.1 * |d - mid| weights.
OffsetSet shell(double inner, double outer, int radius, bool weighted) {
  OffsetSet o;
  for (int z = -radius; z <= radius; ++z) {
    for (int y = -radius; y <= radius; ++y) {
      for (int x = -radius; x <= radius; ++x) {
        const double d = std::sqrt(double(x * x + y * y + z * z));
        if (d < inner || d > outer) continue;
        o.dz.push_back(z);
        o.dy.push_back(y);
        o.dx.push_back(x);
        const float w = weighted ? static_cast<float>(-0.1 * std::abs(d - 0.5 * (inner + outer))) : 0.0f;
        o.weight.push_back(w);
        if (w != 0.0f) o.all_zero_weight = false;
      }
    }
  }
  make_runs(&o);
  return o;
}

}  // namespace

TEST_CASE("level-0 limb messages: runs of x-window maxima equal one pass per offset", "[rpsm]") {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<float> value(-30.0f, 0.0f);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  struct Case {
    int n;
    double inner, outer;
    bool weighted;
  };
  const Case cases[] = {{16, 2.4, 4.8, false}, {16, 0.0, 1.2, false}, {16, 0.9, 2.2, false},
                        {12, 3.0, 6.0, false}, {8, 0.0, 3.0, false},  {16, 2.4, 4.8, true},
                        {5, 1.0, 2.0, false}};
  for (const Case& c : cases) {
    INFO("n " << c.n << " shell [" << c.inner << ", " << c.outer << "] weighted " << c.weighted);
    const int radius = static_cast<int>(std::floor(c.outer));
    const OffsetSet o = shell(c.inner, c.outer, radius, c.weighted);
    REQUIRE(!o.dz.empty());
    // The runs partition the offsets into consecutive-dx pieces sorted by length.
    int covered = 0;
    for (std::size_t k = 0; k < o.run_length.size(); ++k) {
      covered += o.run_length[k];
      if (k > 0) CHECK(o.run_length[k - 1] <= o.run_length[k]);
    }
    CHECK(covered == static_cast<int>(o.dz.size()));
    const int n = c.n, pad = radius, P = n + 2 * pad;
    const std::size_t p3 = static_cast<std::size_t>(P) * P * P;
    for (int trial = 0; trial < 3; ++trial) {
      std::vector<float> padded(p3, kNegInf);
      for (int z = 0; z < n; ++z) {
        for (int y = 0; y < n; ++y) {
          for (int x = 0; x < n; ++x) {
            padded[(static_cast<std::size_t>(z + pad) * P + y + pad) * P + x + pad] =
                unit(rng) < 0.1 ? kNegInf : value(rng);
          }
        }
      }
      const std::size_t n3 = static_cast<std::size_t>(n) * n * n;
      std::vector<float> naive(n3, kNegInf), per_offset(n3, kNegInf), runs(n3, kNegInf);
      for (int z = 0; z < n; ++z) {
        for (int y = 0; y < n; ++y) {
          for (int x = 0; x < n; ++x) {
            float best = kNegInf;
            for (std::size_t k = 0; k < o.dz.size(); ++k) {
              const float v = padded[(static_cast<std::size_t>(z + pad + o.dz[k]) * P + y + pad + o.dy[k]) * P +
                                     x + pad + o.dx[k]] +
                              o.weight[k];
              best = best < v ? v : best;
            }
            naive[(static_cast<std::size_t>(z) * n + y) * n + x] = best;
          }
        }
      }
      std::vector<float> scratch(p3);
      limb_message(o, padded.data(), n, pad, scratch.data(), per_offset.data(), false);
      limb_message(o, padded.data(), n, pad, scratch.data(), runs.data(), true);
      int mismatches = 0;
      for (std::size_t i = 0; i < n3; ++i) {
        mismatches += !(per_offset[i] == naive[i]) + !(runs[i] == naive[i]);
      }
      CHECK(mismatches == 0);
    }
  }
}
