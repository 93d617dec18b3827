// An independent implementation of the reference RPSM's heatmap sampler, for
// the rpsm tests: microsoft/multiview-human-pose-estimation-pytorch samples
// its PSM unary with scipy's RegularGridInterpolator (method "linear",
// bounds_error=False, fill_value=0) on the pixel-centre grid, float32
// heatmaps. Written from scipy's algorithm (interval search, normalised
// distances, the sum over the cell's corners in itertools.product order),
// not from crossview's kernels. Checked once against scipy 1.10.1 itself:
// identical bits on 80 000 samples (docs/rpsm.md).
#pragma once

#include <algorithm>
#include <cstddef>

namespace crossview_test {

/// The reference's sample of a W x H heatmap h (row-major, value of pixel
/// (u, v) at h[v * W + u]) at heatmap coordinates (x, y): per axis the
/// interval from a search (index = #grid points < x, minus one, limited to
/// [0, n - 2]) and the normalised distance (x - g_i) / (g_{i+1} - g_i); 0
/// when a coordinate lies outside [0, n - 1]; otherwise the sum, starting
/// from 0.0, over the cell's corners (first axis slowest) of value * ((1 *
/// w_x) * w_y), w = 1 - d at the lower corner and d at the upper one. Axis 0
/// is x (the heatmap's columns). A one-pixel axis (outside scipy's domain)
/// has its single corner with weight 1. NaN coordinates: the caller decides
/// (scipy returns NaN).
inline double reference_sampler(const float* h, int W, int H, double x, double y) {
  const double xi[2] = {x, y};
  const int n[2] = {W, H};
  int lower[2];
  double dist[2];
  for (int a = 0; a < 2; ++a) {
    if (xi[a] < 0.0 || xi[a] > n[a] - 1.0) return 0.0;
    int below = 0;
    for (int g = 0; g < n[a]; ++g) below += static_cast<double>(g) < xi[a];
    lower[a] = std::min(std::max(below - 1, 0), std::max(n[a] - 2, 0));
    // Grid points are 0..n-1 (a one-pixel axis: its virtual next point).
    const double g0 = lower[a], g1 = lower[a] + 1.0;
    dist[a] = (xi[a] - g0) / (g1 - g0);
  }
  double value = 0.0;
  for (int ex = 0; ex < 2; ++ex) {
    for (int ey = 0; ey < 2; ++ey) {
      double weight = 1.0;
      weight = weight * (ex == 0 ? 1.0 - dist[0] : dist[0]);
      weight = weight * (ey == 0 ? 1.0 - dist[1] : dist[1]);
      // A one-pixel axis: the missing upper corner has weight 0.
      const int u = std::min(lower[0] + ex, W - 1), v = std::min(lower[1] + ey, H - 1);
      value = value + static_cast<double>(h[static_cast<std::size_t>(v) * W + u]) * weight;
    }
  }
  return value;
}

}  // namespace crossview_test
