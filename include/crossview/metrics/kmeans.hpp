// crossview::metrics: exact k-means (Lloyd) with k-means++ seeding, seeded
// restarts and Hamerly's bounds. Used by the Pose Structure Score (pss.hpp) and
// usable on any n x d data.
//
// * Seeding: k-means++ (Arthur & Vassilvitskii, SODA 2007): the first centre is
//   a uniformly drawn sample, each next one a sample drawn with probability
//   proportional to its squared distance to the nearest chosen centre. Distance
//   updates skip samples the triangle inequality proves unaffected.
// * Refinement: Lloyd's iterations (assign every sample to its nearest centre,
//   move each centre to the mean of its samples) until no assignment changes
//   (exact convergence: the centres are then a fixed point), at most
//   max_iterations centre updates. Hamerly's bounds ("Making k-means even
//   faster", SDM 2010) skip the distance computations that cannot change an
//   assignment; the result equals plain Lloyd's (up to ties at the last bit).
//   A cluster that becomes empty is moved onto the sample farthest from its
//   centre (lowest index on ties).
// * Restarts: num_restarts independent seedings (seeds derived from
//   options.seed), the lowest inertia kept (earliest restart on ties).
// * Order independence: with canonical_order (default) the samples are first
//   sorted lexicographically, so permuting the input rows changes nothing but
//   the order of `labels`; same inputs + seed = bit-identical result.
//
// Cost: seeding O(n k d) worst case; each Lloyd iteration O(n + k^2 d) plus
// O(k d) per sample whose bounds fail. Memory O(n (d + 4)).
// Errors (std::invalid_argument, naming the problem): empty data, d = 0,
// NaN/Inf samples, k < 1, k > n, fewer than k distinct samples, invalid options.
#pragma once

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <vector>

namespace crossview::metrics {

/// n samples x d features, one sample per row (contiguous rows).
using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct KMeansOptions {
  int num_restarts = 3;        ///< >= 1 independent k-means++ seedings.
  int max_iterations = 300;    ///< >= 1 Lloyd centre updates per restart.
  std::uint64_t seed = 0;      ///< Every random choice derives from it.
  bool canonical_order = true; ///< Sort samples first (result independent of input order).
  /// Candidates per k-means++ step (greedy k-means++); 0 = 2 + floor(ln k), 1 = plain k-means++.
  int num_local_trials = 0;
  void validate() const {
    if (num_local_trials < 0) throw std::invalid_argument("KMeansOptions::num_local_trials must be >= 0");
    if (num_restarts < 1) throw std::invalid_argument("KMeansOptions::num_restarts must be >= 1");
    if (max_iterations < 1) throw std::invalid_argument("KMeansOptions::max_iterations must be >= 1");
  }
};

struct KMeansResult {
  RowMatrixXd centres;         ///< k x d.
  Eigen::VectorXi labels;      ///< n, nearest centre of each input sample (input order).
  Eigen::VectorXi cluster_sizes;
  double inertia = 0.0;        ///< Sum of squared distances of samples to their centre.
  int iterations = 0;          ///< Lloyd centre updates of the kept restart.
  bool converged = false;      ///< False when max_iterations stopped the kept restart.
  int best_restart = 0;
};

namespace detail {

/// splitmix64: decorrelates derived seeds.
inline std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

/// Small portable generator (xorshift64* seeded through splitmix64): the same
/// stream on every platform and standard library.
class KMeansRng {
 public:
  explicit KMeansRng(std::uint64_t seed) : state_(splitmix64(seed) | 1ull) {}
  std::uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Dull;
  }
  double uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  Eigen::Index index(Eigen::Index n) {
    const auto i = static_cast<Eigen::Index>(uniform01() * static_cast<double>(n));
    return std::min(i, n - 1);
  }

 private:
  std::uint64_t state_;
};

inline void check_samples(const RowMatrixXd& samples, int k, const char* what) {
  if (samples.rows() == 0) throw std::invalid_argument(std::string(what) + ": no samples");
  if (samples.cols() == 0) throw std::invalid_argument(std::string(what) + ": samples have 0 features");
  if (k < 1) throw std::invalid_argument(std::string(what) + ": k must be >= 1, got " + std::to_string(k));
  if (k > samples.rows()) {
    throw std::invalid_argument(std::string(what) + ": k = " + std::to_string(k) +
                                " exceeds the number of samples (" + std::to_string(samples.rows()) + ")");
  }
  for (Eigen::Index i = 0; i < samples.rows(); ++i) {
    if (!samples.row(i).allFinite()) {
      throw std::invalid_argument(std::string(what) + ": sample " + std::to_string(i) +
                                  " contains NaN or Inf");
    }
  }
}

/// Lloyd with Hamerly bounds, in place on `centres`; `labels` out.
inline void lloyd_hamerly(const RowMatrixXd& x, RowMatrixXd* centres_io, Eigen::VectorXi* labels_out,
                          int max_iterations, int* iterations, bool* converged) {
  const Eigen::Index n = x.rows(), k = centres_io->rows(), d = x.cols();
  RowMatrixXd& c = *centres_io;
  Eigen::VectorXi& a = *labels_out;
  a.resize(n);
  std::vector<double> upper(static_cast<std::size_t>(n)), lower(static_cast<std::size_t>(n));
  constexpr double kInf = std::numeric_limits<double>::infinity();

  auto full_assign = [&](Eigen::Index i) {
    double best = kInf, second = kInf;
    int best_j = 0;
    for (Eigen::Index j = 0; j < k; ++j) {
      const double d2 = (x.row(i) - c.row(j)).squaredNorm();
      if (d2 < best) {
        second = best;
        best = d2;
        best_j = static_cast<int>(j);
      } else if (d2 < second) {
        second = d2;
      }
    }
    const bool changed = a(i) != best_j;
    a(i) = best_j;
    upper[static_cast<std::size_t>(i)] = std::sqrt(best);
    lower[static_cast<std::size_t>(i)] = std::sqrt(second);
    return changed;
  };
  a.setConstant(-1);
  for (Eigen::Index i = 0; i < n; ++i) full_assign(i);

  RowMatrixXd sums(k, d);
  Eigen::VectorXi counts(k);
  Eigen::VectorXd drift(k), half_gap(k);
  *iterations = 0;
  *converged = false;
  while (*iterations < max_iterations) {
    // Centre update from scratch (deterministic, no drift of running sums).
    sums.setZero();
    counts.setZero();
    for (Eigen::Index i = 0; i < n; ++i) {
      sums.row(a(i)) += x.row(i);
      ++counts(a(i));
    }
    bool relocated = false;
    for (Eigen::Index j = 0; j < k; ++j) {
      if (counts(j) > 0) continue;
      // Empty cluster: move it onto the sample farthest from its own centre.
      Eigen::Index far = 0;
      double far_d = -1.0;
      for (Eigen::Index i = 0; i < n; ++i) {
        if (counts(a(i)) <= 1) continue;  // keep the donor cluster non-empty
        const double di = (x.row(i) - c.row(a(i))).squaredNorm();
        if (di > far_d) {
          far_d = di;
          far = i;
        }
      }
      --counts(a(far));
      sums.row(a(far)) -= x.row(far);
      a(far) = static_cast<int>(j);
      counts(j) = 1;
      sums.row(j) = x.row(far);
      relocated = true;
    }
    for (Eigen::Index j = 0; j < k; ++j) {
      const Eigen::RowVectorXd updated = sums.row(j) / static_cast<double>(counts(j));
      drift(j) = (updated - c.row(j)).norm();
      c.row(j) = updated;
    }
    ++*iterations;
    if (relocated) {  // bounds are stale: recompute everything
      for (Eigen::Index i = 0; i < n; ++i) full_assign(i);
      continue;
    }
    // Largest and second-largest drift, to loosen the lower bounds.
    Eigen::Index max_j = 0;
    double max1 = 0.0, max2 = 0.0;
    for (Eigen::Index j = 0; j < k; ++j) {
      if (drift(j) > max1) {
        max2 = max1;
        max1 = drift(j);
        max_j = j;
      } else if (drift(j) > max2) {
        max2 = drift(j);
      }
    }
    for (Eigen::Index j = 0; j < k; ++j) {
      double m = kInf;
      for (Eigen::Index jj = 0; jj < k; ++jj) {
        if (jj != j) m = std::min(m, (c.row(j) - c.row(jj)).squaredNorm());
      }
      half_gap(j) = 0.5 * std::sqrt(m);
    }
    int changed = 0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto si = static_cast<std::size_t>(i);
      upper[si] += drift(a(i));
      lower[si] -= (a(i) == max_j) ? max2 : max1;
      const double bound = std::max(half_gap(a(i)), lower[si]);
      if (upper[si] <= bound) continue;
      upper[si] = (x.row(i) - c.row(a(i))).norm();
      if (upper[si] <= bound) continue;
      if (full_assign(i)) ++changed;
    }
    if (changed == 0) {
      *converged = true;
      break;
    }
  }
}

}  // namespace detail

/// k-means++ seeding: k rows of `samples` (drawn from `seed`). With
/// num_local_trials > 1 ("greedy k-means++", discussed by Arthur & Vassilvitskii
/// and used by scikit-learn), each step draws that many candidates and keeps the
/// one that most lowers the total squared distance; 0 selects 2 + floor(ln k).
/// Throws std::invalid_argument on bad input or fewer than k distinct samples.
inline RowMatrixXd kmeans_plus_plus(const RowMatrixXd& samples, int k, std::uint64_t seed,
                                    int num_local_trials = 1) {
  detail::check_samples(samples, k, "kmeans_plus_plus");
  if (num_local_trials < 0) throw std::invalid_argument("kmeans_plus_plus: num_local_trials must be >= 0");
  const int trials = num_local_trials == 0 ? 2 + static_cast<int>(std::log(static_cast<double>(k)))
                                           : num_local_trials;
  const Eigen::Index n = samples.rows();
  detail::KMeansRng rng(seed);
  RowMatrixXd centres(k, samples.cols());
  centres.row(0) = samples.row(rng.index(n));
  std::vector<double> closest(static_cast<std::size_t>(n));
  std::vector<int> owner(static_cast<std::size_t>(n), 0);
  for (Eigen::Index i = 0; i < n; ++i) closest[static_cast<std::size_t>(i)] = (samples.row(i) - centres.row(0)).squaredNorm();
  std::vector<double> centre_gap(static_cast<std::size_t>(k));
  double total = 0.0;
  for (double v : closest) total += v;
  for (int c = 1; c < k; ++c) {
    if (!(total > 0.0)) {
      throw std::invalid_argument("kmeans_plus_plus: k = " + std::to_string(k) +
                                  " exceeds the number of distinct samples (" + std::to_string(c) + ")");
    }
    Eigen::Index best_pick = -1;
    double best_total = std::numeric_limits<double>::infinity();
    for (int trial = 0; trial < trials; ++trial) {
      // Draw a sample with probability closest / total.
      const double r = rng.uniform01() * total;
      double cum = 0.0;
      Eigen::Index pick = -1;
      for (Eigen::Index i = 0; i < n; ++i) {
        const double w = closest[static_cast<std::size_t>(i)];
        if (w <= 0.0) continue;
        cum += w;
        pick = i;
        if (cum > r) break;
      }
      if (trials == 1) {
        best_pick = pick;
        break;
      }
      // Potential if `pick` were added.
      for (int j = 0; j < c; ++j) centre_gap[static_cast<std::size_t>(j)] = (samples.row(pick) - centres.row(j)).squaredNorm();
      double potential = 0.0;
      for (Eigen::Index i = 0; i < n; ++i) {
        const auto si = static_cast<std::size_t>(i);
        double v = closest[si];
        if (centre_gap[static_cast<std::size_t>(owner[si])] < 4.0 * v) {
          v = std::min(v, (samples.row(i) - samples.row(pick)).squaredNorm());
        }
        potential += v;
      }
      if (potential < best_total) {
        best_total = potential;
        best_pick = pick;
      }
    }
    centres.row(c) = samples.row(best_pick);
    for (int j = 0; j < c; ++j) centre_gap[static_cast<std::size_t>(j)] = (centres.row(c) - centres.row(j)).squaredNorm();
    total = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto si = static_cast<std::size_t>(i);
      // ||x - c_new|| >= ||c_new - c_owner|| - ||x - c_owner|| >= ||x - c_owner|| when the gap is >= 2 D.
      if (centre_gap[static_cast<std::size_t>(owner[si])] < 4.0 * closest[si]) {
        const double d2 = (samples.row(i) - centres.row(c)).squaredNorm();
        if (d2 < closest[si]) {
          closest[si] = d2;
          owner[si] = c;
        }
      }
      total += closest[si];
    }
  }
  return centres;
}

/// Lloyd's algorithm from given initial centres (no randomness, no reordering):
/// the exact fixed point plain Lloyd reaches from these centres.
inline KMeansResult lloyd(const RowMatrixXd& samples, const RowMatrixXd& initial_centres,
                          int max_iterations = 300) {
  detail::check_samples(samples, static_cast<int>(initial_centres.rows()), "lloyd");
  if (initial_centres.cols() != samples.cols()) {
    throw std::invalid_argument("lloyd: initial_centres have " + std::to_string(initial_centres.cols()) +
                                " features, samples have " + std::to_string(samples.cols()));
  }
  if (!initial_centres.allFinite()) throw std::invalid_argument("lloyd: initial_centres contain NaN or Inf");
  if (max_iterations < 1) throw std::invalid_argument("lloyd: max_iterations must be >= 1");
  KMeansResult r;
  r.centres = initial_centres;
  detail::lloyd_hamerly(samples, &r.centres, &r.labels, max_iterations, &r.iterations, &r.converged);
  r.cluster_sizes = Eigen::VectorXi::Zero(r.centres.rows());
  for (Eigen::Index i = 0; i < samples.rows(); ++i) {
    r.inertia += (samples.row(i) - r.centres.row(r.labels(i))).squaredNorm();
    ++r.cluster_sizes(r.labels(i));
  }
  return r;
}

/// k-means (k-means++ seeding, Lloyd, restarts): see the file comment.
inline KMeansResult kmeans(const RowMatrixXd& samples, int k, const KMeansOptions& options = {}) {
  options.validate();
  detail::check_samples(samples, k, "kmeans");
  const Eigen::Index n = samples.rows();
  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  if (options.canonical_order) {
    const Eigen::Index d = samples.cols();
    std::sort(order.begin(), order.end(), [&](Eigen::Index lhs, Eigen::Index rhs) {
      const double* a = samples.row(lhs).data();
      const double* b = samples.row(rhs).data();
      for (Eigen::Index t = 0; t < d; ++t) {
        if (a[t] != b[t]) return a[t] < b[t];
      }
      return false;
    });
  }
  RowMatrixXd sorted(n, samples.cols());
  for (Eigen::Index i = 0; i < n; ++i) sorted.row(i) = samples.row(order[static_cast<std::size_t>(i)]);

  KMeansResult best;
  bool have_best = false;
  for (int restart = 0; restart < options.num_restarts; ++restart) {
    const std::uint64_t seed = detail::splitmix64(options.seed ^ (0xA24BAED4963EE407ull * static_cast<std::uint64_t>(restart + 1)));
    KMeansResult r = lloyd(sorted, kmeans_plus_plus(sorted, k, seed, options.num_local_trials), options.max_iterations);
    r.best_restart = restart;
    if (!have_best || r.inertia < best.inertia) {
      best = std::move(r);
      have_best = true;
    }
  }
  Eigen::VectorXi labels(n);
  for (Eigen::Index i = 0; i < n; ++i) labels(order[static_cast<std::size_t>(i)]) = best.labels(i);
  best.labels = std::move(labels);
  return best;
}

}  // namespace crossview::metrics
