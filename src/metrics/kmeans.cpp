// crossview::metrics: k-means++ seeding, bounded Lloyd (Hamerly + Elkan bounds)
// and seeded restarts; documented in include/crossview/metrics/kmeans.hpp.
// Compiled once into crossview::crossview; the internals have internal linkage.
#include <crossview/metrics/kmeans.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace crossview::metrics {

namespace detail {
namespace {


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
  // Squared distances and their sums over all samples must stay finite:
  // |x| <= M with n * d * (2 M)^2 < DBL_MAX (M ~ 1e150 for 1e6 samples of 51
  // values). Larger finite values (found by fuzz_metrics) would make every
  // potential +Inf and the seeding pick nothing.
  const double limit = 0.5 * std::sqrt(std::numeric_limits<double>::max() /
                                       (static_cast<double>(samples.rows()) * static_cast<double>(samples.cols()))) /
                       2.0;
  const double largest = samples.cwiseAbs().maxCoeff();
  if (largest > limit) {
    throw std::invalid_argument(std::string(what) + ": a sample value of magnitude " + std::to_string(largest) +
                                " would overflow squared distances (at most " + std::to_string(limit) +
                                " for this many samples); rescale the data");
  }
}

/// Moves every centre to the mean of its samples. `sums` and `counts` hold the
/// per-cluster sums and sizes of the current labels, accumulated in sample
/// order (the assignment pass adds each sample once it has its final label,
/// so the data are read once per iteration). An empty cluster is moved onto
/// the sample farthest from its own centre (lowest index on ties), taken from
/// a cluster with more than one sample. Fills `shift` (per-centre distance
/// moved) and returns true when a centre had to be relocated.
inline bool update_centres(const RowMatrixXd& x, RowMatrixXd* centres, Eigen::VectorXi* labels, RowMatrixXd* sums_io,
                           Eigen::VectorXi* counts_io, Eigen::VectorXd* shift) {
  const Eigen::Index n = x.rows(), k = centres->rows();
  RowMatrixXd& c = *centres;
  Eigen::VectorXi& a = *labels;
  RowMatrixXd& sums = *sums_io;
  Eigen::VectorXi& counts = *counts_io;
  bool relocated = false;
  for (Eigen::Index j = 0; j < k; ++j) {
    if (counts(j) > 0) continue;
    Eigen::Index far = 0;
    double far_d = -1.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (counts(a(i)) <= 1) continue;
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
  shift->resize(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const Eigen::RowVectorXd updated = sums.row(j) / static_cast<double>(counts(j));
    (*shift)(j) = (updated - c.row(j)).norm();
    c.row(j) = updated;
  }
  return relocated;
}

/// Adds sample row `xi` (d values) to cluster j's sum.
inline void accumulate(RowMatrixXd* sums, Eigen::VectorXi* counts, const double* __restrict xi, int j) {
  const Eigen::Index d = sums->cols();
  Eigen::Map<Eigen::ArrayXd>(sums->data() + static_cast<Eigen::Index>(j) * d, d) += Eigen::Map<const Eigen::ArrayXd>(xi, d);
  ++(*counts)(j);
}

/// Bounds carried between seeding and Lloyd's iterations.
struct BoundState {
  Eigen::VectorXi labels;            ///< n nearest-centre labels.
  std::vector<double> upper;         ///< n, >= distance to the own centre.
  std::vector<double> lower_global;  ///< n, <= distance to every other centre (as of gstamp).
  /// n x k: lower bound on the distance to centre j plus centre j's cumulative
  /// shift at the time the bound was set, so bound(now) = lower - cum_now[j]
  /// whenever it was set (no per-row refresh); +inf for the own centre.
  std::vector<double> lower;
  std::vector<int> gstamp;           ///< n, iteration at which `lower_global` was set.
};

/// Closest and second-closest centre information from a full row of bounds.
inline double min_except(const double* l, Eigen::Index k, Eigen::Index skip) {
  double m = std::numeric_limits<double>::infinity();
  for (Eigen::Index j = 0; j < k; ++j) {
    if (j != skip) m = std::min(m, l[j]);
  }
  return m;
}

constexpr Eigen::Index kBlock = 8;  // centres per block of the Elkan scan

/// Block minima of b[j] - cum[j] (blocks of kBlock centres, the last one
/// shorter) into `block_min`; returns the overall minimum. Vectorised.
inline double decayed_block_minima(const double* b, const double* cum, Eigen::Index k, double* block_min) {
  using Arr8 = Eigen::Map<const Eigen::Array<double, kBlock, 1>>;
  using Arr = Eigen::Map<const Eigen::ArrayXd>;
  double m = std::numeric_limits<double>::infinity();
  Eigen::Index q = 0, j = 0;
  for (; j + kBlock <= k; j += kBlock, ++q) {
    block_min[q] = (Arr8(b + j) - Arr8(cum + j)).minCoeff();
    m = std::min(m, block_min[q]);
  }
  if (j < k) {
    block_min[q] = (Arr(b + j, k - j) - Arr(cum + j, k - j)).minCoeff();
    m = std::min(m, block_min[q]);
  }
  return m;
}

class LloydSolver {
 public:
  LloydSolver(const RowMatrixXd& x, RowMatrixXd* centres) : x_(x), c_(*centres), n_(x.rows()), k_(centres->rows()) {
    half_cc_.resize(k_, k_);
    s_.resize(k_);
    block_min_.resize(static_cast<std::size_t>((k_ + kBlock - 1) / kBlock));
  }

  void centre_distances() {
    for (Eigen::Index j = 0; j < k_; ++j) {
      half_cc_(j, j) = 0.0;
      for (Eigen::Index jj = j + 1; jj < k_; ++jj) half_cc_(j, jj) = half_cc_(jj, j) = 0.5 * (c_.row(j) - c_.row(jj)).norm();
    }
    for (Eigen::Index j = 0; j < k_; ++j) {
      double m = std::numeric_limits<double>::infinity();
      for (Eigen::Index jj = 0; jj < k_; ++jj) {
        if (jj != j) m = std::min(m, half_cc_(jj, j));
      }
      s_(j) = m;
    }
  }

  /// Exact assignment of sample i with centre-centre pruning; all bounds set
  /// (relative to the cumulative shifts `cum`).
  void full_assign(BoundState* st, Eigen::Index i, int iteration, const double* cum) const {
    double* l = st->lower.data() + i * k_;
    int best = 0;
    double best_d = (x_.row(i) - c_.row(0)).norm();
    l[0] = best_d;
    for (Eigen::Index j = 1; j < k_; ++j) {
      if (half_cc_(j, best) >= best_d) {  // d(x, c_j) >= 2 h - d(x, c_best) >= d(x, c_best)
        l[j] = 2.0 * half_cc_(j, best) - best_d;
        continue;
      }
      const double dj = (x_.row(i) - c_.row(j)).norm();
      l[j] = dj;
      if (dj < best_d) {
        best_d = dj;
        best = static_cast<int>(j);
      }
    }
    st->labels(i) = best;
    st->upper[static_cast<std::size_t>(i)] = best_d;
    st->lower_global[static_cast<std::size_t>(i)] = min_except(l, k_, best);
    st->gstamp[static_cast<std::size_t>(i)] = iteration;
    for (Eigen::Index j = 0; j < k_; ++j) l[j] += cum[j];
    l[best] = std::numeric_limits<double>::infinity();
  }

  void init_full(BoundState* st) {
    st->labels.resize(n_);
    st->upper.assign(static_cast<std::size_t>(n_), 0.0);
    st->lower_global.assign(static_cast<std::size_t>(n_), 0.0);
    st->lower.assign(static_cast<std::size_t>(n_ * k_), 0.0);
    st->gstamp.assign(static_cast<std::size_t>(n_), 0);
    centre_distances();
    const std::vector<double> zero(static_cast<std::size_t>(k_), 0.0);
    for (Eigen::Index i = 0; i < n_; ++i) full_assign(st, i, 0, zero.data());
  }

  void run(BoundState* st, int max_iterations, double shift_tolerance, int* iterations, bool* converged) {
    const auto k = static_cast<std::size_t>(k_);
    const Eigen::Index d = x_.cols();
    std::vector<double> cum(k, 0.0);  // cumulative shift of every centre after each iteration (t x k)
    Eigen::VectorXd shift(k_);
    RowMatrixXd sums = RowMatrixXd::Zero(k_, d);
    Eigen::VectorXi counts = Eigen::VectorXi::Zero(k_);
    for (Eigen::Index i = 0; i < n_; ++i) accumulate(&sums, &counts, x_.data() + i * d, st->labels(i));
    std::vector<double> top1, top2;
    std::vector<int> topj;
    *iterations = 0;
    *converged = false;
    while (*iterations < max_iterations) {
      const bool relocated = update_centres(x_, &c_, &st->labels, &sums, &counts, &shift);
      const int t = ++*iterations;
      cum.resize(static_cast<std::size_t>(t + 1) * k);
      for (std::size_t j = 0; j < k; ++j) cum[t * k + j] = cum[(t - 1) * k + j] + shift(static_cast<Eigen::Index>(j));
      const double* now = cum.data() + static_cast<std::size_t>(t) * k;
      centre_distances();
      sums.setZero();
      counts.setZero();
      if (relocated) {
        for (Eigen::Index i = 0; i < n_; ++i) {
          full_assign(st, i, t, now);
          accumulate(&sums, &counts, x_.data() + i * d, st->labels(i));
        }
        continue;
      }
      // Largest cumulative shift since each earlier iteration (with its centre)
      // and the runner-up: the decay of a global bound set then.
      top1.resize(static_cast<std::size_t>(t));
      top2.resize(static_cast<std::size_t>(t));
      topj.resize(static_cast<std::size_t>(t));
      for (int s0 = 0; s0 < t; ++s0) {
        const double* then = cum.data() + static_cast<std::size_t>(s0) * k;
        double m1 = 0.0, m2 = 0.0;
        int mj = -1;
        for (std::size_t j = 0; j < k; ++j) {
          const double dj = now[j] - then[j];
          if (dj > m1) {
            m2 = m1;
            m1 = dj;
            mj = static_cast<int>(j);
          } else if (dj > m2) {
            m2 = dj;
          }
        }
        top1[static_cast<std::size_t>(s0)] = m1;
        top2[static_cast<std::size_t>(s0)] = m2;
        topj[static_cast<std::size_t>(s0)] = mj;
      }
      const double cum_max = *std::max_element(now, now + k);
      int changed = 0;
      for (Eigen::Index i = 0; i < n_; ++i) {
        const auto si = static_cast<std::size_t>(i);
        const double* xi = x_.data() + i * d;
        const int a = st->labels(i);
        const auto g = static_cast<std::size_t>(st->gstamp[si]);
        double u = st->upper[si] + shift(a);
        // Rounding slack of the cumulative-shift differences and stored sums.
        const double slack = 8.0 * std::numeric_limits<double>::epsilon() * (1.0 + cum_max + u);
        const double lg = st->lower_global[si] - (topj[g] == a ? top2[g] : top1[g]) - slack;
        if (u <= std::max(s_(a), lg)) {  // Hamerly: nothing closer than the own centre
          st->upper[si] = u;
          accumulate(&sums, &counts, xi, a);
          continue;
        }
        u = (x_.row(i) - c_.row(a)).norm();
        st->upper[si] = u;
        if (u <= std::max(s_(a), lg)) {
          accumulate(&sums, &counts, xi, a);
          continue;
        }
        // Elkan's per-centre bounds: one vectorised pass gives the smallest
        // bound of each block of centres; usually all are above u and x stays.
        double* __restrict b = st->lower.data() + i * k_;
        const double m = decayed_block_minima(b, now, k_, block_min_.data()) - slack;
        st->gstamp[si] = t;
        if (u <= m) {
          st->lower_global[si] = std::max(0.0, m);
          accumulate(&sums, &counts, xi, a);
          continue;
        }
        // Test the centres whose bound is below u, in index order, within
        // the blocks whose minimum is (u only decreases, so these blocks hold
        // every centre to test). A tested centre gets its exact distance as
        // its new bound: measured, this beats the cheaper centre-centre bound
        // ||c_j - c_a|| - u, which stays close to u and fails again soon.
        int ai = a;
        for (std::size_t q = 0; q < block_min_.size(); ++q) {
          if (!(u > block_min_[q] - slack)) continue;
          const Eigen::Index end = std::min<Eigen::Index>(k_, static_cast<Eigen::Index>(q + 1) * kBlock);
          for (Eigen::Index j = static_cast<Eigen::Index>(q) * kBlock; j < end; ++j) {
            if (!(u > b[j] - now[j] - slack)) continue;  // also skips the own centre (+inf)
            const double dj = (x_.row(i) - c_.row(j)).norm();
            if (dj < u) {
              b[ai] = u + now[ai];  // the former nearest centre's exact distance
              b[j] = std::numeric_limits<double>::infinity();
              u = dj;
              ai = static_cast<int>(j);
            } else {
              b[j] = dj + now[j];
            }
          }
        }
        if (ai != a) {
          st->labels(i) = ai;
          st->upper[si] = u;
          ++changed;
        }
        st->lower_global[si] = std::max(0.0, decayed_block_minima(b, now, k_, block_min_.data()) - slack);
        accumulate(&sums, &counts, xi, ai);
      }
      if (changed == 0 || shift.squaredNorm() <= shift_tolerance) {
        *converged = true;
        break;
      }
    }
  }

 private:
  const RowMatrixXd& x_;
  RowMatrixXd& c_;
  Eigen::Index n_, k_;
  Eigen::MatrixXd half_cc_;  // 0.5 * ||c_j - c_j'|| (symmetric)
  Eigen::VectorXd s_;        // 0.5 * distance to the nearest other centre
  std::vector<double> block_min_;  // Elkan scan: smallest decayed bound per block of centres
};

/// k-means++ seeding; when `bounds` is given it receives the exact nearest
/// chosen centre of every sample and valid lower bounds to every centre.
inline RowMatrixXd seed_plus_plus(const RowMatrixXd& samples, int k, std::uint64_t seed, int num_local_trials,
                                  BoundState* bounds) {
  const int trials = num_local_trials == 0 ? 2 + static_cast<int>(std::log(static_cast<double>(k)))
                                           : num_local_trials;
  const Eigen::Index n = samples.rows();
  KMeansRng rng(seed);
  RowMatrixXd centres(k, samples.cols());
  centres.row(0) = samples.row(rng.index(n));
  std::vector<double> closest(static_cast<std::size_t>(n));
  std::vector<int> owner(static_cast<std::size_t>(n), 0);
  if (bounds != nullptr) bounds->lower.assign(static_cast<std::size_t>(n) * static_cast<std::size_t>(k), 0.0);
  for (Eigen::Index i = 0; i < n; ++i) {
    closest[static_cast<std::size_t>(i)] = (samples.row(i) - centres.row(0)).squaredNorm();
    if (bounds != nullptr) bounds->lower[static_cast<std::size_t>(i * k)] = std::sqrt(closest[static_cast<std::size_t>(i)]);
  }
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
    if (best_pick < 0) {  // no finite potential (cannot happen after check_samples): a clear error
      throw std::invalid_argument("kmeans_plus_plus: no candidate centre with a finite potential at centre " +
                                  std::to_string(c));
    }
    centres.row(c) = samples.row(best_pick);
    for (int j = 0; j < c; ++j) centre_gap[static_cast<std::size_t>(j)] = (centres.row(c) - centres.row(j)).squaredNorm();
    total = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto si = static_cast<std::size_t>(i);
      const double gap2 = centre_gap[static_cast<std::size_t>(owner[si])];
      double lower_c;
      // ||x - c_new|| >= ||c_new - c_owner|| - ||x - c_owner|| >= ||x - c_owner|| when the gap is >= 2 D.
      if (gap2 >= 4.0 * closest[si]) {
        lower_c = std::sqrt(gap2) - std::sqrt(closest[si]);
      } else {
        const double d2 = (samples.row(i) - centres.row(c)).squaredNorm();
        lower_c = std::sqrt(d2);
        if (d2 < closest[si]) {
          closest[si] = d2;
          owner[si] = c;
        }
      }
      if (bounds != nullptr) bounds->lower[si * static_cast<std::size_t>(k) + static_cast<std::size_t>(c)] = std::max(0.0, lower_c);
      total += closest[si];
    }
  }
  if (bounds != nullptr) {
    bounds->labels.resize(n);
    bounds->upper.resize(static_cast<std::size_t>(n));
    bounds->lower_global.resize(static_cast<std::size_t>(n));
    bounds->gstamp.assign(static_cast<std::size_t>(n), 0);
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto si = static_cast<std::size_t>(i);
      bounds->labels(i) = owner[si];
      bounds->upper[si] = std::sqrt(closest[si]);
      bounds->lower_global[si] = min_except(bounds->lower.data() + si * static_cast<std::size_t>(k), k, owner[si]);
      bounds->lower[si * static_cast<std::size_t>(k) + static_cast<std::size_t>(owner[si])] = std::numeric_limits<double>::infinity();
    }
  }
  return centres;
}

inline KMeansResult finish(const RowMatrixXd& samples, RowMatrixXd centres, BoundState* st, int iterations,
                           bool converged) {
  KMeansResult r;
  r.centres = std::move(centres);
  r.labels = std::move(st->labels);
  r.iterations = iterations;
  r.converged = converged;
  r.cluster_sizes = Eigen::VectorXi::Zero(r.centres.rows());
  for (Eigen::Index i = 0; i < samples.rows(); ++i) {
    r.inertia += (samples.row(i) - r.centres.row(r.labels(i))).squaredNorm();
    ++r.cluster_sizes(r.labels(i));
  }
  return r;
}


}  // namespace
}  // namespace detail

RowMatrixXd kmeans_plus_plus(const RowMatrixXd& samples, int k, std::uint64_t seed, int num_local_trials) {
  detail::check_samples(samples, k, "kmeans_plus_plus");
  if (num_local_trials < 0) throw std::invalid_argument("kmeans_plus_plus: num_local_trials must be >= 0");
  return detail::seed_plus_plus(samples, k, seed, num_local_trials, nullptr);
}

KMeansResult lloyd(const RowMatrixXd& samples, const RowMatrixXd& initial_centres, int max_iterations,
                   double shift_tolerance) {
  detail::check_samples(samples, static_cast<int>(initial_centres.rows()), "lloyd");
  if (initial_centres.cols() != samples.cols()) {
    throw std::invalid_argument("lloyd: initial_centres have " + std::to_string(initial_centres.cols()) +
                                " features, samples have " + std::to_string(samples.cols()));
  }
  if (!initial_centres.allFinite()) throw std::invalid_argument("lloyd: initial_centres contain NaN or Inf");
  if (max_iterations < 1) throw std::invalid_argument("lloyd: max_iterations must be >= 1");
  if (!(shift_tolerance >= 0.0)) throw std::invalid_argument("lloyd: shift_tolerance must be >= 0");
  RowMatrixXd centres = initial_centres;
  detail::BoundState st;
  detail::LloydSolver solver(samples, &centres);
  solver.init_full(&st);
  int iterations = 0;
  bool converged = false;
  solver.run(&st, max_iterations, shift_tolerance, &iterations, &converged);
  return detail::finish(samples, std::move(centres), &st, iterations, converged);
}

KMeansResult kmeans(const RowMatrixXd& samples, int k, const KMeansOptions& options) {
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

  // scikit-learn's tolerance: relative to the mean per-feature variance.
  double mean_variance = 0.0;
  {
    Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(sorted.cols());
    for (Eigen::Index i = 0; i < n; ++i) mean += sorted.row(i);
    mean /= static_cast<double>(n);
    for (Eigen::Index i = 0; i < n; ++i) mean_variance += (sorted.row(i) - mean).squaredNorm();
    mean_variance /= static_cast<double>(n) * static_cast<double>(sorted.cols());
  }
  const double shift_tolerance = options.tolerance * mean_variance;
  KMeansResult best;
  bool have_best = false;
  for (int restart = 0; restart < options.num_restarts; ++restart) {
    const std::uint64_t seed = detail::splitmix64(options.seed ^ (0xA24BAED4963EE407ull * static_cast<std::uint64_t>(restart + 1)));
    detail::BoundState st;
    RowMatrixXd centres = detail::seed_plus_plus(sorted, k, seed, options.num_local_trials, &st);
    detail::LloydSolver solver(sorted, &centres);
    int iterations = 0;
    bool converged = false;
    solver.run(&st, options.max_iterations, shift_tolerance, &iterations, &converged);
    KMeansResult r = detail::finish(sorted, std::move(centres), &st, iterations, converged);
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
