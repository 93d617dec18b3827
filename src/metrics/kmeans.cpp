// crossview::metrics: k-means++ seeding, bounded Lloyd (three tiers of bounds)
// and seeded restarts; documented in include/crossview/metrics/kmeans.hpp.
// Compiled once into crossview::crossview; the internals have internal linkage.
#include <crossview/metrics/kmeans.hpp>

#include <Eigen/Core>

#include <algorithm>
#include <array>
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

/// Squared Euclidean distance of two d-vectors: four independent partial
/// sums (t mod 4), which the compiler keeps in two SIMD registers, and the
/// last d mod 4 terms added at the end. Every distance of the k-means code
/// goes through it, so comparisons between distances are consistent.
inline double squared_distance(const double* __restrict a, const double* __restrict b, Eigen::Index d) {
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  Eigen::Index t = 0;
  for (; t + 4 <= d; t += 4) {
    const double e0 = a[t] - b[t], e1 = a[t + 1] - b[t + 1], e2 = a[t + 2] - b[t + 2], e3 = a[t + 3] - b[t + 3];
    s0 += e0 * e0;
    s1 += e1 * e1;
    s2 += e2 * e2;
    s3 += e3 * e3;
  }
  double s = (s0 + s2) + (s1 + s3);
  for (; t < d; ++t) {
    const double e = a[t] - b[t];
    s += e * e;
  }
  return s;
}

/// Hint that `bytes` bytes at p will be read soon (one hint per 64-byte
/// line; no effect where unsupported).
inline void prefetch(const void* p, std::size_t bytes) {
#if defined(__GNUC__)
  const char* c = static_cast<const char*>(p);
  for (std::size_t o = 0; o < bytes; o += 64) __builtin_prefetch(c + o);
  __builtin_prefetch(c + bytes - 1);
#else
  (void)p;
  (void)bytes;
#endif
}

/// A lower bound stored as a float: v rounded down to a float (never above
/// v: |v| is first moved by 2^-22 relative toward -inf, more than float's
/// rounding error of 2^-24, and clamped to the finite float range).
constexpr float kInfBound = std::numeric_limits<float>::infinity();
inline float to_bound(double v) {
  constexpr double kMax = static_cast<double>(std::numeric_limits<float>::max());
  const double lowered = v * (v >= 0.0 ? 1.0 - 0x1.0p-22 : 1.0 + 0x1.0p-22);
  return static_cast<float>(std::min(kMax, std::max(-kMax, lowered)));
}

/// Per-cluster sums of the samples and their counts, kept in double-double
/// precision (each addition is Knuth's error-free TwoSum, its rounding error
/// collected in `lo`), so they can be updated incrementally, by the samples
/// that change cluster only, without accumulating rounding: hi + lo is the
/// exact sum to ~2^-100 relative whatever the order of the updates, and the
/// mean (hi + lo) / count is within an ulp of the exactly rounded mean (no
/// worse than a fresh sequential sum).
class ClusterSums {
 public:
  ClusterSums(Eigen::Index k, Eigen::Index d) : hi_(RowMatrixXd::Zero(k, d)), lo_(RowMatrixXd::Zero(k, d)), counts_(Eigen::VectorXi::Zero(k)) {}

  void reset() {
    hi_.setZero();
    lo_.setZero();
    counts_.setZero();
  }
  void add(int j, const double* __restrict xi) { update(j, xi, 1.0); ++counts_(j); }
  void remove(int j, const double* __restrict xi) { update(j, xi, -1.0); --counts_(j); }
  int count(Eigen::Index j) const { return counts_(j); }
  /// Mean of cluster j (count > 0).
  Eigen::RowVectorXd mean(Eigen::Index j) const {
    return (hi_.row(j) + lo_.row(j)) / static_cast<double>(counts_(j));
  }

 private:
  void update(int j, const double* __restrict xi, double sign) {
    const Eigen::Index d = hi_.cols();
    double* __restrict h = hi_.data() + static_cast<Eigen::Index>(j) * d;
    double* __restrict l = lo_.data() + static_cast<Eigen::Index>(j) * d;
    for (Eigen::Index t = 0; t < d; ++t) {
      const double b = sign * xi[t];
      const double s = h[t] + b;  // TwoSum(h, b): s + e == h + b exactly
      const double bb = s - h[t];
      const double e = (h[t] - (s - bb)) + (b - bb);
      h[t] = s;
      l[t] += e;
    }
  }

  RowMatrixXd hi_, lo_;
  Eigen::VectorXi counts_;
};

/// Moves every centre to the mean of its samples (`sums` hold the current
/// labels' sums). An empty cluster is moved onto the sample farthest from its
/// own centre (lowest index on ties), taken from a cluster with more than one
/// sample. Fills `shift` (per-centre distance moved) and returns true when a
/// centre had to be relocated.
inline bool update_centres(const RowMatrixXd& x, RowMatrixXd* centres, Eigen::VectorXi* labels, ClusterSums* sums,
                           Eigen::VectorXd* shift) {
  const Eigen::Index n = x.rows(), k = centres->rows(), d = x.cols();
  RowMatrixXd& c = *centres;
  Eigen::VectorXi& a = *labels;
  bool relocated = false;
  for (Eigen::Index j = 0; j < k; ++j) {
    if (sums->count(j) > 0) continue;
    Eigen::Index far = 0;
    double far_d = -1.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (sums->count(a(i)) <= 1) continue;
      const double di = (x.row(i) - c.row(a(i))).squaredNorm();
      if (di > far_d) {
        far_d = di;
        far = i;
      }
    }
    sums->remove(a(far), x.data() + far * d);
    a(far) = static_cast<int>(j);
    sums->add(static_cast<int>(j), x.data() + far * d);
    relocated = true;
  }
  shift->resize(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const Eigen::RowVectorXd updated = sums->mean(j);
    (*shift)(j) = (updated - c.row(j)).norm();
    c.row(j) = updated;
  }
  return relocated;
}

/// Bounds carried between seeding and Lloyd's iterations. Three tiers, tried
/// in order by every sample in every iteration:
///  1. per sample: the upper bound on the distance to its own centre, a lower
///     bound on the distance to its runner-up centre `second` (decayed by that
///     centre's own shift) and one on every other centre (decayed by the
///     largest shift among them): O(1) memory per sample, settles most of them;
///  2. the exact distances to the own and the runner-up centre;
///  3. Elkan's row of per-centre lower bounds (n x k), read only when the
///     first two tiers cannot settle the sample; it then refreshes tier 1.
/// Lower bounds are stored plus the bounded centre's cumulative shift when
/// they were set (bound(now) = stored - cumulative_shift(now)), so rows are
/// never rewritten to decay them.
struct BoundState {
  Eigen::VectorXi labels;            ///< n nearest-centre labels.
  std::vector<double> upper;         ///< n, >= distance to the own centre.
  std::vector<int> second;           ///< n, runner-up centre (!= own when k > 1).
  std::vector<double> second_lower;  ///< n, bound on the runner-up, stored + its cumulative shift.
  std::vector<double> rest_lower;    ///< n, <= distance to every centre but the own and runner-up (as of rest_stamp).
  std::vector<int> rest_stamp;       ///< n, iteration at which `rest_lower` was set.
  /// n x k: lower bound on the distance to centre j plus centre j's cumulative
  /// shift at the time the bound was set (float, rounded down: half the
  /// memory traffic); +inf for the own centre.
  std::vector<float> lower;

  void resize(Eigen::Index n, Eigen::Index k) {
    const auto nn = static_cast<std::size_t>(n);
    labels.resize(n);
    upper.assign(nn, 0.0);
    second.assign(nn, 0);
    second_lower.assign(nn, 0.0);
    rest_lower.assign(nn, 0.0);
    rest_stamp.assign(nn, 0);
    lower.resize(nn * static_cast<std::size_t>(k));
  }

  /// Tier 1 of sample i from its Elkan row (own entry +inf) at iteration t
  /// with cumulative shifts `cum`: the runner-up is the centre of smallest
  /// decayed bound, the rest bound the second smallest. `block_min` holds the
  /// row's block minima (decayed_block_minima).
  void refresh_tier1(Eigen::Index i, Eigen::Index k, int t, const double* cum, const double* block_min);
};

constexpr Eigen::Index kBlock = 8;  // centres per block of the Elkan scan

/// Block minima of b[j] - cum[j] (blocks of kBlock centres, the last one
/// shorter) into `block_min`; returns the overall minimum. Vectorised.
inline double decayed_block_minima(const float* b, const double* cum, Eigen::Index k, double* block_min) {
  using Arr8f = Eigen::Map<const Eigen::Array<float, kBlock, 1>>;
  using Arr8 = Eigen::Map<const Eigen::Array<double, kBlock, 1>>;
  using Arrf = Eigen::Map<const Eigen::ArrayXf>;
  using Arr = Eigen::Map<const Eigen::ArrayXd>;
  double m = std::numeric_limits<double>::infinity();
  Eigen::Index q = 0, j = 0;
  for (; j + kBlock <= k; j += kBlock, ++q) {
    block_min[q] = (Arr8f(b + j).cast<double>() - Arr8(cum + j)).minCoeff();
    m = std::min(m, block_min[q]);
  }
  if (j < k) {
    block_min[q] = (Arrf(b + j, k - j).cast<double>() - Arr(cum + j, k - j)).minCoeff();
    m = std::min(m, block_min[q]);
  }
  return m;
}

inline void BoundState::refresh_tier1(Eigen::Index i, Eigen::Index k, int t, const double* cum,
                                        const double* block_min) {
  // The two smallest decayed bounds: the smallest block minimum's block is
  // scanned for its smallest and second smallest entry; the runner-up bound
  // is the smaller of that second entry and the next-smallest block minimum.
  const auto si = static_cast<std::size_t>(i);
  const float* b = lower.data() + si * static_cast<std::size_t>(k);
  const double inf = std::numeric_limits<double>::infinity();
  const Eigen::Index blocks = (k + kBlock - 1) / kBlock;
  Eigen::Index q1 = 0;
  double other = inf;  // smallest minimum of the other blocks
  for (Eigen::Index q = 1; q < blocks; ++q) {
    if (block_min[q] < block_min[q1]) {
      other = std::min(other, block_min[q1]);
      q1 = q;
    } else {
      other = std::min(other, block_min[q]);
    }
  }
  double m1 = inf, m2 = inf;
  int j1 = labels(i);  // stays the own centre only when there is no other (k = 1)
  const Eigen::Index end = std::min<Eigen::Index>(k, (q1 + 1) * kBlock);
  for (Eigen::Index j = q1 * kBlock; j < end; ++j) {
    const double v = static_cast<double>(b[j]) - cum[j];
    if (v < m1) {
      m2 = m1;
      m1 = v;
      j1 = static_cast<int>(j);
    } else if (v < m2) {
      m2 = v;
    }
  }
  second[si] = j1;
  second_lower[si] = static_cast<double>(b[j1]);
  rest_lower[si] = std::min(m2, other);
  rest_stamp[si] = t;
}

class LloydSolver {
 public:
  LloydSolver(const RowMatrixXd& x, RowMatrixXd* centres) : x_(x), c_(*centres), n_(x.rows()), k_(centres->rows()) {
    half_cc_.resize(k_, k_);
    s_.resize(k_);
    block_min_.resize(static_cast<std::size_t>((k_ + kBlock - 1) / kBlock));
  }

  /// Distance from sample i to centre j.
  double distance(Eigen::Index i, Eigen::Index j) const {
    return std::sqrt(squared_distance(x_.data() + i * x_.cols(), c_.data() + j * c_.cols(), x_.cols()));
  }

  void centre_distances() {
    for (Eigen::Index j = 0; j < k_; ++j) {
      half_cc_(j, j) = 0.0;
      for (Eigen::Index jj = j + 1; jj < k_; ++jj) half_cc_(j, jj) = half_cc_(jj, j) = 0.5 * std::sqrt(squared_distance(c_.data() + j * c_.cols(), c_.data() + jj * c_.cols(), c_.cols()));
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
  void full_assign(BoundState* st, Eigen::Index i, int iteration, const double* cum) {
    float* l = st->lower.data() + i * k_;
    int best = 0;
    double best_d = distance(i, 0);
    l[0] = to_bound(best_d + cum[0]);
    for (Eigen::Index j = 1; j < k_; ++j) {
      if (half_cc_(j, best) >= best_d) {  // d(x, c_j) >= 2 h - d(x, c_best) >= d(x, c_best)
        l[j] = to_bound(2.0 * half_cc_(j, best) - best_d + cum[j]);
        continue;
      }
      const double dj = distance(i, j);
      l[j] = to_bound(dj + cum[j]);
      if (dj < best_d) {
        best_d = dj;
        best = static_cast<int>(j);
      }
    }
    st->labels(i) = best;
    st->upper[static_cast<std::size_t>(i)] = best_d;
    l[best] = kInfBound;
    decayed_block_minima(l, cum, k_, block_min_.data());
    st->refresh_tier1(i, k_, iteration, cum, block_min_.data());
  }

  void init_full(BoundState* st) {
    st->resize(n_, k_);
    centre_distances();
    const std::vector<double> zero(static_cast<std::size_t>(k_), 0.0);
    for (Eigen::Index i = 0; i < n_; ++i) full_assign(st, i, 0, zero.data());
  }

  void run(BoundState* st, int max_iterations, double shift_tolerance, int* iterations, bool* converged) {
    const auto k = static_cast<std::size_t>(k_);
    const Eigen::Index d = x_.cols();
    std::vector<double> cum(k, 0.0);  // cumulative shift of every centre after each iteration (t x k)
    Eigen::VectorXd shift(k_);
    ClusterSums sums(k_, d);
    for (Eigen::Index i = 0; i < n_; ++i) sums.add(st->labels(i), x_.data() + i * d);
    // Per earlier iteration s, the three largest cumulative shifts since s and
    // their centres: the decay of a rest bound set then (the largest shift
    // among the centres that are neither the own nor the runner-up).
    std::vector<std::array<double, 3>> top;
    std::vector<std::array<int, 3>> topj;
    *iterations = 0;
    *converged = false;
    while (*iterations < max_iterations) {
      const bool relocated = update_centres(x_, &c_, &st->labels, &sums, &shift);
      const int t = ++*iterations;
      cum.resize(static_cast<std::size_t>(t + 1) * k);
      for (std::size_t j = 0; j < k; ++j) cum[t * k + j] = cum[(t - 1) * k + j] + shift(static_cast<Eigen::Index>(j));
      const double* now = cum.data() + static_cast<std::size_t>(t) * k;
      centre_distances();
      if (relocated) {
        sums.reset();
        for (Eigen::Index i = 0; i < n_; ++i) {
          full_assign(st, i, t, now);
          sums.add(st->labels(i), x_.data() + i * d);
        }
        continue;
      }
      top.resize(static_cast<std::size_t>(t));
      topj.resize(static_cast<std::size_t>(t));
      for (int s0 = 0; s0 < t; ++s0) {
        const double* then = cum.data() + static_cast<std::size_t>(s0) * k;
        std::array<double, 3>& m = top[static_cast<std::size_t>(s0)];
        std::array<int, 3>& mj = topj[static_cast<std::size_t>(s0)];
        m = {0.0, 0.0, 0.0};
        mj = {-1, -1, -1};
        for (std::size_t j = 0; j < k; ++j) {
          const double dj = now[j] - then[j];
          if (!(dj > m[2])) continue;
          int q = 2;
          while (q > 0 && dj > m[static_cast<std::size_t>(q - 1)]) {
            m[static_cast<std::size_t>(q)] = m[static_cast<std::size_t>(q - 1)];
            mj[static_cast<std::size_t>(q)] = mj[static_cast<std::size_t>(q - 1)];
            --q;
          }
          m[static_cast<std::size_t>(q)] = dj;
          mj[static_cast<std::size_t>(q)] = static_cast<int>(j);
        }
      }
      const double cum_max = *std::max_element(now, now + k);
      int changed = 0;
      // Samples in chunks: a first pass applies tier 1 to the whole chunk and
      // prefetches the data of the samples it cannot settle, so the memory
      // latency of their rows overlaps; a second pass settles those.
      for (Eigen::Index i0 = 0; i0 < n_; i0 += kChunk) {
        const Eigen::Index i1 = std::min<Eigen::Index>(n_, i0 + kChunk);
        int num_pending = 0;
        for (Eigen::Index i = i0; i < i1; ++i) {
          const auto si = static_cast<std::size_t>(i);
          const int a = st->labels(i);
          const int j2 = st->second[si];
          const double u = st->upper[si] + shift(a);
          // Rounding slack of the cumulative-shift differences and stored bounds.
          const double slack = 8.0 * std::numeric_limits<double>::epsilon() * (1.0 + cum_max + u);
          // Tier 1: nothing is closer than the own centre when u is below the
          // runner-up's bound and the rest's bound (or half the distance from
          // the own centre to its nearest other centre).
          const auto g = static_cast<std::size_t>(st->rest_stamp[si]);
          std::size_t q = 0;
          while (q < 2 && (topj[g][q] == a || topj[g][q] == j2)) ++q;
          const double rest = st->rest_lower[si] - top[g][q] - slack;
          const double runner_up = st->second_lower[si] - now[j2] - slack;
          const double settled = std::max(s_(a), std::min(runner_up, rest));
          st->upper[si] = u;
          if (u <= settled) continue;
          Pending& p = pending_[static_cast<std::size_t>(num_pending++)];
          p.i = i;
          p.settled = settled;
          p.rest = rest;
          p.slack = slack;
          prefetch(x_.data() + i * d, sizeof(double) * static_cast<std::size_t>(d));
          prefetch(st->lower.data() + i * k_, sizeof(float) * k);
        }
        for (int pi = 0; pi < num_pending; ++pi) {
          const Pending& p = pending_[static_cast<std::size_t>(pi)];
          const Eigen::Index i = p.i;
          const auto si = static_cast<std::size_t>(i);
          const int a = st->labels(i);
          const int j2 = st->second[si];
          // Tier 2: exact distance to the own centre, then to the runner-up
          // when it is the only centre that can be closer.
          const double u = distance(i, a);
          st->upper[si] = u;
          if (u <= p.settled) continue;
          float* __restrict b = st->lower.data() + i * k_;
          if (u <= p.rest) {
            const double d2 = distance(i, j2);
            if (d2 < u) {  // the runner-up is the nearest centre: swap the two
              st->labels(i) = j2;
              st->upper[si] = d2;
              st->second[si] = a;
              st->second_lower[si] = u + now[a];
              b[a] = to_bound(u + now[a]);
              b[j2] = kInfBound;
              sums.remove(a, x_.data() + i * d);
              sums.add(j2, x_.data() + i * d);
              ++changed;
            } else {
              st->second_lower[si] = d2 + now[j2];
              b[j2] = to_bound(d2 + now[j2]);
            }
            continue;
          }
          // Tier 3: the exact nearest and second-nearest centres from Elkan's
          // row of per-centre bounds (distances computed only for the centres
          // whose bound is below the second-nearest distance found so far),
          // which also makes tier 1 tight for the next iterations.
          const int nearest = exact_top2(st, i, t, now, u, p.slack);
          if (nearest != a) {
            sums.remove(a, x_.data() + i * d);
            sums.add(nearest, x_.data() + i * d);
            ++changed;
          }
        }
      }
      if (changed == 0 || shift.squaredNorm() <= shift_tolerance) {
        *converged = true;
        break;
      }
    }
  }

  /// Tier 3 for sample i whose own centre is at exact distance u: the exact
  /// nearest and second-nearest centres, from its Elkan row. The runner-up's
  /// exact distance is the first threshold; in index order, within the blocks
  /// whose smallest bound is below the threshold, each centre whose bound is
  /// below it gets its exact distance (stored as its new bound), and the
  /// two best are kept (ties keep the earlier one). Every centre left out has
  /// a bound above the final second distance, so the smallest of those bounds
  /// is the rest bound. Sets labels, upper and tier 1; returns the nearest.
  int exact_top2(BoundState* st, Eigen::Index i, int t, const double* now, double u, double slack) {
    const auto si = static_cast<std::size_t>(i);
    const double inf = std::numeric_limits<double>::infinity();
    float* __restrict b = st->lower.data() + i * k_;
    const int own = st->labels(i), runner_up = st->second[si];
    int b1 = own, b2 = runner_up;
    double d1 = u, d2 = inf, d_runner_up = inf;
    if (b2 != b1) {
      d2 = d_runner_up = distance(i, b2);
      if (d2 < d1) {
        std::swap(d1, d2);
        std::swap(b1, b2);
      }
    }
    decayed_block_minima(b, now, k_, block_min_.data());
    for (std::size_t qb = 0; qb < block_min_.size(); ++qb) {
      if (!(block_min_[qb] - slack < d2)) continue;
      const Eigen::Index end = std::min<Eigen::Index>(k_, static_cast<Eigen::Index>(qb + 1) * kBlock);
      for (Eigen::Index j = static_cast<Eigen::Index>(qb) * kBlock; j < end; ++j) {
        if (j == b1 || j == b2 || !(static_cast<double>(b[j]) - now[j] - slack < d2)) continue;
        const double dj = distance(i, j);
        b[j] = to_bound(dj + now[j]);
        if (dj < d1) {
          d2 = d1;
          b2 = b1;
          d1 = dj;
          b1 = static_cast<int>(j);
        } else if (dj < d2) {
          d2 = dj;
          b2 = static_cast<int>(j);
        }
      }
    }
    // The entries of the former own centre (+inf so far) and runner-up get
    // their exact distances; the new own centre's entry becomes +inf.
    if (own != b1) b[own] = to_bound(u + now[own]);
    if (runner_up != own && runner_up != b1) b[runner_up] = to_bound(d_runner_up + now[runner_up]);
    b[b1] = kInfBound;
    // The rest bound: the smallest entry but the two best (the runner-up's
    // entry is +inf for that pass).
    double rest = inf;
    if (b2 != b1) {
      b[b2] = kInfBound;
      rest = decayed_block_minima(b, now, k_, block_min_.data());
      b[b2] = to_bound(d2 + now[b2]);
    }
    st->labels(i) = b1;
    st->upper[si] = d1;
    st->second[si] = b2;
    st->second_lower[si] = b2 != b1 ? d2 + now[b2] : inf;
    st->rest_lower[si] = rest;
    st->rest_stamp[si] = t;
    return b1;
  }

 private:
  const RowMatrixXd& x_;
  RowMatrixXd& c_;
  Eigen::Index n_, k_;
  Eigen::MatrixXd half_cc_;  // 0.5 * ||c_j - c_j'|| (symmetric)
  Eigen::VectorXd s_;        // 0.5 * distance to the nearest other centre
  /// A sample tier 1 could not settle, with its tier-1 thresholds.
  struct Pending {
    Eigen::Index i;
    double settled, rest, slack;
  };
  static constexpr Eigen::Index kChunk = 64;
  std::array<Pending, kChunk> pending_{};
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
  // Every entry of the rows is written below (no zero fill; a reused
  // BoundState keeps its pages).
  if (bounds != nullptr) bounds->lower.resize(static_cast<std::size_t>(n) * static_cast<std::size_t>(k));
  for (Eigen::Index i = 0; i < n; ++i) {
    closest[static_cast<std::size_t>(i)] = (samples.row(i) - centres.row(0)).squaredNorm();
    if (bounds != nullptr) bounds->lower[static_cast<std::size_t>(i * k)] = to_bound(std::sqrt(closest[static_cast<std::size_t>(i)]));
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
      if (bounds != nullptr) bounds->lower[si * static_cast<std::size_t>(k) + static_cast<std::size_t>(c)] = to_bound(std::max(0.0, lower_c));
      total += closest[si];
    }
  }
  if (bounds != nullptr) {
    bounds->resize(n, k);  // keeps the rows written above
    const std::vector<double> zero(static_cast<std::size_t>(k), 0.0);
    std::vector<double> block_min(static_cast<std::size_t>((k + kBlock - 1) / kBlock));
    for (Eigen::Index i = 0; i < n; ++i) {
      const auto si = static_cast<std::size_t>(i);
      bounds->labels(i) = owner[si];
      bounds->upper[si] = std::sqrt(closest[si]);
      float* row = bounds->lower.data() + si * static_cast<std::size_t>(k);
      row[owner[si]] = kInfBound;
      decayed_block_minima(row, zero.data(), k, block_min.data());
      bounds->refresh_tier1(i, k, 0, zero.data(), block_min.data());
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
  detail::BoundState st;  // reused by the restarts (its n x k rows are the bulk of the memory)
  for (int restart = 0; restart < options.num_restarts; ++restart) {
    const std::uint64_t seed = detail::splitmix64(options.seed ^ (0xA24BAED4963EE407ull * static_cast<std::uint64_t>(restart + 1)));
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
