// crossview: the level-0 limb messages of the RPSM inference (internal, not
// installed). Kept apart from rpsm.cpp so that tests can check the fast paths
// against the plain one.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace crossview::rpsm::detail {

/// The bin offsets (dz, dy, dx) compatible with a limb on the regular level-0 grid,
/// with their log-weights (all zero for the hard indicator).
struct OffsetSet {
  std::vector<int> dz, dy, dx;
  std::vector<float> weight;
  bool all_zero_weight = true;
  /// The offsets as runs of consecutive dx at one (dz, dy), ordered by length:
  /// run k covers dx = run_dx[k] .. run_dx[k] + run_length[k] - 1. With zero
  /// weights a run's maximum is one shifted max of an x-window maximum.
  std::vector<int> run_dz, run_dy, run_dx, run_length;
};

/// Fills o->run_* from o->dz/dy/dx (generated in z, y, x order).
inline void make_runs(OffsetSet* o) {
  struct Run {
    int dz, dy, dx, length;
  };
  std::vector<Run> runs;
  for (std::size_t k = 0; k < o->dz.size(); ++k) {
    if (!runs.empty() && runs.back().dz == o->dz[k] && runs.back().dy == o->dy[k] &&
        runs.back().dx + runs.back().length == o->dx[k]) {
      ++runs.back().length;
    } else {
      runs.push_back({o->dz[k], o->dy[k], o->dx[k], 1});
    }
  }
  std::stable_sort(runs.begin(), runs.end(),
                   [](const Run& a, const Run& b) { return a.length < b.length; });
  for (const Run& r : runs) {
    o->run_dz.push_back(r.dz);
    o->run_dy.push_back(r.dy);
    o->run_dx.push_back(r.dx);
    o->run_length.push_back(r.length);
  }
}

/// dst[z][y][x] = max(dst[z][y][x], src[(z * P + y) * P + x] (+ w)) over an
/// n^3 block: dst dense (n^3), src a window of a padded P^3 volume. The
/// shifted max filter at the heart of the level-0 messages (SSE2 when
/// available, plain C++ otherwise).
inline void shifted_max(float* dst, const float* src, int n, int P, float w, bool add_weight) {
  for (int z = 0; z < n; ++z) {
    for (int y = 0; y < n; ++y) {
      float* d = dst + (static_cast<std::size_t>(z) * n + y) * n;
      const float* s = src + (static_cast<std::size_t>(z) * P + y) * P;
      int x = 0;
#if defined(__SSE2__)
      const __m128 wv = _mm_set1_ps(w);
      if (add_weight) {
        for (; x + 4 <= n; x += 4) {
          _mm_storeu_ps(d + x, _mm_max_ps(_mm_loadu_ps(d + x), _mm_add_ps(_mm_loadu_ps(s + x), wv)));
        }
      } else {
        for (; x + 4 <= n; x += 4) {
          _mm_storeu_ps(d + x, _mm_max_ps(_mm_loadu_ps(d + x), _mm_loadu_ps(s + x)));
        }
      }
#endif
      for (; x < n; ++x) {
        const float v = add_weight ? s[x] + w : s[x];
        d[x] = d[x] < v ? v : d[x];
      }
    }
  }
}

/// The message of a limb at level 0: msg[(z n + y) n + x] = max over the limb's
/// offsets k of padded[((z + pad + dz_k) P + y + pad + dy_k) P + x + pad + dx_k] +
/// weight_k (msg must hold -inf or a previous maximum on entry: it is max-updated).
/// `padded`: the child's belief in a P^3 volume (P = n + 2 pad, -inf outside the n^3
/// block), pad >= every |offset|. With `use_runs` and all weights zero (the hard
/// indicator), a run of consecutive dx costs one pass over the x-window maximum of
/// its length (built incrementally in `windowed`, P^3 floats of scratch) instead of
/// one pass per offset; the result is identical (max is exact and order-free).
inline void limb_message(const OffsetSet& o, const float* padded, int n, int pad,
                         float* windowed, float* msg, bool use_runs) {
  const int P = n + 2 * pad;
  const std::size_t p3 = static_cast<std::size_t>(P) * P * P;
  auto window = [&](const float* volume, int dz, int dy, int dx) {
    return volume + ((static_cast<std::size_t>(pad + dz) * P + pad + dy) * P + pad + dx);
  };
  if (use_runs && o.all_zero_weight) {
    // A run's window never crosses a row of the padded volume (|dx| <= pad).
    std::copy(padded, padded + p3, windowed);
    int width = 1;
    for (std::size_t k = 0; k < o.run_dz.size(); ++k) {
      for (; width < o.run_length[k]; ++width) {
        const std::size_t end = p3 - static_cast<std::size_t>(width);
        for (std::size_t q = 0; q < end; ++q) {
          windowed[q] = windowed[q] < padded[q + width] ? padded[q + width] : windowed[q];
        }
      }
      shifted_max(msg, window(windowed, o.run_dz[k], o.run_dy[k], o.run_dx[k]), n, P, 0.0f,
                  false);
    }
    return;
  }
  for (std::size_t k = 0; k < o.dz.size(); ++k) {
    shifted_max(msg, window(padded, o.dz[k], o.dy[k], o.dx[k]), n, P, o.weight[k],
                !o.all_zero_weight);
  }
}

}  // namespace crossview::rpsm::detail
