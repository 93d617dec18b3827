// crossview::association: maximum-weight bipartite assignment (Hungarian
// method with row/column potentials, shortest augmenting paths).
#include "internal.hpp"

#include <algorithm>
#include <limits>
#include <vector>

namespace crossview::association::detail {

std::vector<int> max_weight_assignment(const Eigen::MatrixXd& profit) {
  const int rows = static_cast<int>(profit.rows());
  const int cols = static_cast<int>(profit.cols());
  std::vector<int> result(rows, -1);
  if (rows == 0 || cols == 0) return result;
  const int n = std::max(rows, cols);
  // Minimise cost = -profit over a square matrix; absent / non-positive
  // entries cost 0 (the same as leaving the row unassigned).
  auto cost = [&](int r, int c) {
    if (r >= rows || c >= cols) return 0.0;
    const double p = profit(r, c);
    return p > 0.0 ? -p : 0.0;
  };
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> u(n + 1, 0.0), v(n + 1, 0.0);
  std::vector<int> match_col(n + 1, 0);  // match_col[c] = row (1-based) assigned to column c
  std::vector<int> way(n + 1, 0);
  std::vector<double> min_to(n + 1);
  std::vector<char> used(n + 1);
  for (int r = 1; r <= n; ++r) {
    match_col[0] = r;
    int c0 = 0;
    std::fill(min_to.begin(), min_to.end(), inf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[c0] = 1;
      const int r0 = match_col[c0];
      double delta = inf;
      int c1 = 0;
      for (int c = 1; c <= n; ++c) {
        if (used[c]) continue;
        const double cur = cost(r0 - 1, c - 1) - u[r0] - v[c];
        if (cur < min_to[c]) {
          min_to[c] = cur;
          way[c] = c0;
        }
        if (min_to[c] < delta) {
          delta = min_to[c];
          c1 = c;
        }
      }
      for (int c = 0; c <= n; ++c) {
        if (used[c]) {
          u[match_col[c]] += delta;
          v[c] -= delta;
        } else {
          min_to[c] -= delta;
        }
      }
      c0 = c1;
    } while (match_col[c0] != 0);
    do {
      const int c1 = way[c0];
      match_col[c0] = match_col[c1];
      c0 = c1;
    } while (c0 != 0);
  }
  for (int c = 1; c <= n; ++c) {
    const int r = match_col[c] - 1;
    if (r >= 0 && r < rows && c - 1 < cols && profit(r, c - 1) > 0.0) result[r] = c - 1;
  }
  return result;
}

}  // namespace crossview::association::detail
