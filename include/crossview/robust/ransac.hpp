// crossview: a generic, header-only LO-RANSAC / MSAC / PROSAC engine.
//
//   Report robust::ransac(estimator, options, &best_model [, match_scores])
//
// The engine knows nothing about geometry. An Estimator is a plain class:
//
//   struct MyEstimator {
//     using Model = ...;                                  // copyable
//     static constexpr int kMinSampleSize = m;
//     int num_data() const;                               // N data points
//     // Minimal solver: clears `models`, fills it, returns the number of models.
//     int minimal_solve(const int* sample, std::vector<Model>* models) const;
//     // Non-minimal refit on `num` data points `indices` (optional weights, may
//     // be nullptr). `model` holds the current estimate on entry (a nonlinear
//     // refit may start from it) and the refit on success. Returns false when
//     // the refit failed (the engine then keeps the previous model).
//     bool refit(const int* indices, int num, const double* weights, Model* model) const;
//     // Squared residual of data point i (in squared threshold units).
//     double squared_residual(const Model& model, int i) const;
//     // Optional, detected at compile time:
//     bool is_sample_valid(const int* sample) const;                 // before solving
//     bool is_model_valid(const Model& model, const int* sample) const;  // before scoring
//   };
//
// Algorithm (Fischler-Bolles RANSAC with the usual modern refinements):
//  - MSAC scoring: score = sum_i min(r_i^2, t^2) (lower is better), with early
//    bail-out once the partial sum exceeds the best score so far.
//  - SPRT (Chum & Matas 2008, a simplified Wald test): sampled models are scored
//    over the points in a seeded random order and dropped once the likelihood
//    ratio of "wrong model" exceeds the threshold, so a wrong model costs a few
//    dozen residuals instead of N. delta = sprt_delta once the best inlier ratio
//    exceeds 2 sprt_delta; before that, delta is estimated from the rejected
//    models (see score_model), so that the early samples are tested too.
//  - Adaptive termination: after each new best model with k inliers out of N,
//    the number of samples needed is log(1 - confidence) / log(1 - (k/N)^m),
//    multiplied by `num_trials_multiplier`, clamped to [min_iterations,
//    max_iterations]. A minimal sample gives up to several models (7-point: 3,
//    5-point: 10); they all come from the same sample, so the probability that
//    the sample is all-inlier, and thus the bound, is per *sample*: iterations
//    count samples, never models (the multiple-models correction).
//  - Local optimisation (LO-RANSAC, Chum et al. 2003/2012): every new best
//    model is refitted on its inliers by the estimator's non-minimal solver,
//    then re-refitted with Cauchy IRLS weights w = 1 / (1 + r^2 / t^2), at most
//    `lo_max_iterations` refits per run, keeping a refit only when it lowers
//    the MSAC score. The same run is applied to the final best model.
//  - LO+ (inner RANSAC, after Lebeda, Matas & Chum 2012) for models whose support
//    keeps growing past the threshold: when the points within
//    k = lo_threshold_multiplier thresholds number at least lo_inner_support_growth
//    times the inliers, the model is likely a partial fit of a structure it does
//    not explain (at high outlier ratios a contaminated sample + LO often ends
//    there, and the plain LO cannot leave it: it refits on the same inliers).
//    LO+ draws lo_inner_iterations samples of lo_inner_sample_size points (default
//    kMinSampleSize + 1) among the points within lo_inner_pool_multiplier
//    thresholds, refits each, then runs lo_ils_steps iterated least-squares refits
//    on the points within thresholds shrinking from k t to t, keeps the candidate
//    with the lowest MSAC score, and starts again (plain LO, then LO+) from an
//    improved model, at most 3 rounds. It is spent where it pays: on every new best
//    model once lo_inner_min_samples samples were drawn (a long run: at low outlier
//    ratios the adaptive termination stops sampling before), on the best model at
//    that point, and on the final model; always only when the growth test fires.
//  - PROSAC (Chum & Matas 2005) when per-point match scores are given (higher =
//    better): samples are drawn from a progressively growing set of the
//    best-scored points, turning into uniform sampling after ~max_iterations.
//  - Determinism: the PRNG (xoshiro256**) is seeded from `options.seed` and owned
//    by the call; no global state. Same inputs + same seed = bit-identical
//    result on any thread.
//
// Complexity: O(iterations * (solver + models * N)) residual evaluations,
// iterations <= max_iterations; each LO run costs at most lo_max_iterations
// refits + scorings, each LO+ run at most 3 * lo_inner_iterations * (lo_ils_steps + 1)
// refits + N-point scorings (plus plain LO runs).
//
// Failure modes (Report::status): kTooFewPoints when N < kMinSampleSize,
// kNoConsensus when no model reached the minimum support (max(min_num_inliers,
// kMinSampleSize, ceil(min_inlier_ratio * N)) inliers), e.g. every point is an
// outlier. Invalid options throw std::invalid_argument naming the option.
#pragma once

#include <crossview/robust/detail/random.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace crossview::robust {

enum class Status : std::uint8_t {
  kSuccess = 0,
  kTooFewPoints,   ///< Fewer (valid) data points than the minimal sample.
  kNoConsensus,    ///< No model reached the minimum support (all outliers?).
  kDegenerate,     ///< The data cannot determine the model (set by wrappers).
  kInvalidInput,   ///< Input rejected (set by wrappers, e.g. all points NaN).
};

constexpr const char* to_string(Status s) {
  switch (s) {
    case Status::kSuccess: return "success";
    case Status::kTooFewPoints: return "too few points";
    case Status::kNoConsensus: return "no consensus";
    case Status::kDegenerate: return "degenerate configuration";
    case Status::kInvalidInput: return "invalid input";
  }
  return "unknown";
}

struct RansacOptions {
  /// Inlier threshold on the residual (NOT squared), in the estimator's units.
  double max_residual = 1.0;
  /// Probability that at least one all-inlier sample was drawn, in (0, 1).
  double confidence = 0.9999;
  /// Bounds on the number of samples drawn (0 <= min_iterations <= max_iterations).
  int min_iterations = 0;
  int max_iterations = 10000;
  /// Safety factor (>= 1) applied to the adaptive number of samples.
  double num_trials_multiplier = 1.0;
  /// Minimum support for success: at least max(min_num_inliers, kMinSampleSize,
  /// ceil(min_inlier_ratio * N)) inliers (min_inlier_ratio in [0, 1]).
  int min_num_inliers = 0;
  double min_inlier_ratio = 0.0;
  /// Local optimisation of every new best model and of the final model.
  bool local_optimization = true;
  /// Refits per LO run (>= 1): one least-squares refit + (n - 1) IRLS refits.
  int lo_max_iterations = 4;
  /// LO+ (inner RANSAC) samples per round (>= 0; 0 turns LO+ off). See the top of the file.
  int lo_inner_iterations = 10;
  /// Points per inner sample (0 = kMinSampleSize + 1; else >= kMinSampleSize + 1);
  /// at most half of the pool.
  int lo_inner_sample_size = 0;
  /// Inner samples are drawn among the points within this many thresholds (>= 1).
  double lo_inner_pool_multiplier = 2.0;
  /// Iterated least squares from this many thresholds down to one (>= 1); also the
  /// outer radius of the support-growth test.
  double lo_threshold_multiplier = 3.0;
  /// Refits of the iterated least squares per inner sample (>= 1).
  int lo_ils_steps = 4;
  /// LO+ runs on a model when the points within lo_threshold_multiplier thresholds
  /// number at least this times its inliers (> 1). With Gaussian noise of standard
  /// deviation sigma and a threshold of 2 sigma a correct model has ~1.05 (sigma:
  /// ~1.46); the partial fits measured at 80 % outliers 1.45-1.75.
  double lo_inner_support_growth = 1.25;
  /// LO+ is spent on new best models only once this many samples were drawn (>= 0);
  /// the final model is always tested.
  int lo_inner_min_samples = 2000;
  /// Wald's sequential probability ratio test (SPRT, Chum & Matas 2008) while
  /// scoring sampled models: points are visited in a random order and a model
  /// is dropped as soon as its likelihood ratio exceeds `sprt_threshold`
  /// (a good model is wrongly dropped with probability <= 1 / sprt_threshold).
  /// `sprt_delta` = probability that a point is an inlier to a wrong model (used
  /// once the best inlier ratio exceeds 2 sprt_delta; before that an estimate from
  /// the rejected models, in [sprt_delta / 20, sprt_delta], is used).
  bool sprt = true;
  double sprt_delta = 0.05;
  double sprt_threshold = 1000.0;
  /// PRNG seed: same inputs + same seed = same result.
  std::uint64_t seed = 0x63726f7373766965ULL;

  /// Throws std::invalid_argument naming the offending option and its range.
  void validate() const {
    if (!(max_residual > 0.0) || !std::isfinite(max_residual)) {
      throw std::invalid_argument("RansacOptions::max_residual must be finite and > 0, got " +
                                  std::to_string(max_residual));
    }
    if (!(confidence > 0.0 && confidence < 1.0)) {
      throw std::invalid_argument("RansacOptions::confidence must be in (0, 1), got " +
                                  std::to_string(confidence));
    }
    if (min_iterations < 0) {
      throw std::invalid_argument("RansacOptions::min_iterations must be >= 0, got " +
                                  std::to_string(min_iterations));
    }
    if (max_iterations < 1 || max_iterations < min_iterations) {
      throw std::invalid_argument(
          "RansacOptions::max_iterations must be >= 1 and >= min_iterations (" +
          std::to_string(min_iterations) + "), got " + std::to_string(max_iterations));
    }
    if (!(num_trials_multiplier >= 1.0) || !std::isfinite(num_trials_multiplier)) {
      throw std::invalid_argument("RansacOptions::num_trials_multiplier must be finite and >= 1, got " +
                                  std::to_string(num_trials_multiplier));
    }
    if (min_num_inliers < 0) {
      throw std::invalid_argument("RansacOptions::min_num_inliers must be >= 0, got " +
                                  std::to_string(min_num_inliers));
    }
    if (!(min_inlier_ratio >= 0.0 && min_inlier_ratio <= 1.0)) {
      throw std::invalid_argument("RansacOptions::min_inlier_ratio must be in [0, 1], got " +
                                  std::to_string(min_inlier_ratio));
    }
    if (!(sprt_delta > 0.0 && sprt_delta < 1.0)) {
      throw std::invalid_argument("RansacOptions::sprt_delta must be in (0, 1), got " +
                                  std::to_string(sprt_delta));
    }
    if (!(sprt_threshold > 1.0)) {
      throw std::invalid_argument("RansacOptions::sprt_threshold must be > 1, got " +
                                  std::to_string(sprt_threshold));
    }
    if (lo_max_iterations < 1) {
      throw std::invalid_argument("RansacOptions::lo_max_iterations must be >= 1, got " +
                                  std::to_string(lo_max_iterations));
    }
    if (lo_inner_iterations < 0) {
      throw std::invalid_argument("RansacOptions::lo_inner_iterations must be >= 0, got " +
                                  std::to_string(lo_inner_iterations));
    }
    if (lo_inner_sample_size < 0) {
      throw std::invalid_argument("RansacOptions::lo_inner_sample_size must be >= 0, got " +
                                  std::to_string(lo_inner_sample_size));
    }
    if (!(lo_inner_pool_multiplier >= 1.0) || !std::isfinite(lo_inner_pool_multiplier)) {
      throw std::invalid_argument("RansacOptions::lo_inner_pool_multiplier must be finite and >= 1, got " +
                                  std::to_string(lo_inner_pool_multiplier));
    }
    if (!(lo_threshold_multiplier >= 1.0) || !std::isfinite(lo_threshold_multiplier)) {
      throw std::invalid_argument("RansacOptions::lo_threshold_multiplier must be finite and >= 1, got " +
                                  std::to_string(lo_threshold_multiplier));
    }
    if (lo_ils_steps < 1) {
      throw std::invalid_argument("RansacOptions::lo_ils_steps must be >= 1, got " +
                                  std::to_string(lo_ils_steps));
    }
    if (!(lo_inner_support_growth > 1.0) || !std::isfinite(lo_inner_support_growth)) {
      throw std::invalid_argument("RansacOptions::lo_inner_support_growth must be finite and > 1, got " +
                                  std::to_string(lo_inner_support_growth));
    }
    if (lo_inner_min_samples < 0) {
      throw std::invalid_argument("RansacOptions::lo_inner_min_samples must be >= 0, got " +
                                  std::to_string(lo_inner_min_samples));
    }
  }
};

/// What happened in one robust estimation.
struct Report {
  Status status = Status::kNoConsensus;
  int num_iterations = 0;   ///< Samples drawn.
  int num_models = 0;       ///< Models scored (several per sample for multi-solution solvers).
  int num_lo_runs = 0;      ///< Local optimisation runs (plain LO).
  int num_inner_lo_runs = 0;  ///< LO+ (inner RANSAC) runs.
  int num_inliers = 0;      ///< Inliers of the returned model.
  double score = std::numeric_limits<double>::infinity();  ///< MSAC score (lower is better).
  std::vector<char> inlier_mask;  ///< 1 = inlier, per data point.
  std::string message;

  bool success() const { return status == Status::kSuccess; }
};

/// Number of samples needed so that an all-inlier sample of size `sample_size`
/// is drawn with probability `confidence`, given `num_inliers` of `num_data`.
inline int required_iterations(int num_inliers, int num_data, int sample_size, double confidence,
                               double multiplier, int min_iterations, int max_iterations) {
  if (num_data <= 0 || num_inliers <= 0) return max_iterations;
  const double inlier_ratio = static_cast<double>(num_inliers) / num_data;
  const double p_good = std::pow(inlier_ratio, sample_size);
  if (p_good >= 1.0) return min_iterations;
  if (p_good <= std::numeric_limits<double>::min()) return max_iterations;
  const double denom = std::log1p(-p_good);
  if (!(denom < 0.0)) return max_iterations;
  const double n = multiplier * std::log(1.0 - confidence) / denom;
  if (!(n < static_cast<double>(max_iterations))) return max_iterations;
  return std::max(min_iterations, static_cast<int>(std::ceil(n)));
}

namespace detail {

template <class E, class = void>
struct HasSampleCheck : std::false_type {};
template <class E>
struct HasSampleCheck<E, std::void_t<decltype(std::declval<const E&>().is_sample_valid(
                             std::declval<const int*>()))>> : std::true_type {};

template <class E, class = void>
struct HasModelCheck : std::false_type {};
template <class E>
struct HasModelCheck<E, std::void_t<decltype(std::declval<const E&>().is_model_valid(
                            std::declval<const typename E::Model&>(), std::declval<const int*>()))>>
    : std::true_type {};

/// PROSAC sampler (Chum & Matas 2005) over points sorted by decreasing score;
/// falls back to uniform sampling of all points once the growth schedule ends.
class ProsacSampler {
 public:
  ProsacSampler(int num_data, int sample_size, int growth_max_samples)
      : n_data_(num_data), m_(sample_size), n_(sample_size) {
    // T_n = T_N * prod_{i<m} (n - i) / (N - i), starting at n = m.
    t_n_ = growth_max_samples;
    for (int i = 0; i < m_; ++i) t_n_ *= static_cast<double>(m_ - i) / (n_data_ - i);
    t_n_prime_ = 1.0;
  }

  /// Fills sample[0..m) with distinct positions in the sorted order.
  void sample(Xoshiro256* rng, int* sample) {
    ++t_;
    if (t_ >= t_n_prime_ && n_ < n_data_) {
      const double t_next = t_n_ * (n_ + 1) / (n_ + 1 - m_);
      t_n_prime_ += std::ceil(t_next - t_n_);
      t_n_ = t_next;
      ++n_;
    }
    if (t_n_prime_ < t_ || n_ >= n_data_) {
      draw_distinct(rng, n_, m_, sample);
    } else {
      draw_distinct(rng, n_ - 1, m_ - 1, sample);
      sample[m_ - 1] = n_ - 1;
    }
  }

  static void draw_distinct(Xoshiro256* rng, int range, int count, int* out) {
    for (int k = 0; k < count; ++k) {
      int v;
      bool dup;
      do {
        v = rng->uniform_int(range);
        dup = false;
        for (int j = 0; j < k; ++j) dup |= (out[j] == v);
      } while (dup);
      out[k] = v;
    }
  }

 private:
  int n_data_, m_, n_;
  double t_n_ = 0.0, t_n_prime_ = 1.0, t_ = 0.0;
};

}  // namespace detail

/// Runs LO-MSAC (or LO-PROSAC when `match_scores` is given: one score per data
/// point, higher = more likely an inlier) and writes the best model to
/// `best_model` (untouched on failure). See the top of this file.
template <class Estimator>
Report ransac(const Estimator& estimator, const RansacOptions& options,
              typename Estimator::Model* best_model, const double* match_scores = nullptr) {
  using Model = typename Estimator::Model;
  constexpr int m = Estimator::kMinSampleSize;
  static_assert(m >= 1, "kMinSampleSize must be >= 1");
  options.validate();
  if (options.lo_inner_sample_size != 0 && options.lo_inner_sample_size <= m) {
    throw std::invalid_argument("RansacOptions::lo_inner_sample_size must be 0 or > kMinSampleSize (" +
                                std::to_string(m) + "), got " +
                                std::to_string(options.lo_inner_sample_size));
  }

  Report report;
  const int num_data = estimator.num_data();
  report.inlier_mask.assign(static_cast<std::size_t>(std::max(num_data, 0)), 0);
  if (num_data < m) {
    report.status = Status::kTooFewPoints;
    report.message = "need at least " + std::to_string(m) + " points, got " +
                     std::to_string(std::max(num_data, 0));
    return report;
  }

  const double t2 = options.max_residual * options.max_residual;
  const int min_support =
      std::max({options.min_num_inliers, m,
                static_cast<int>(std::ceil(options.min_inlier_ratio * num_data - 1e-9))});

  // PROSAC order: positions -> data indices, sorted by decreasing score (stable).
  std::vector<int> order;
  const bool prosac = match_scores != nullptr;
  if (prosac) {
    order.resize(num_data);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return match_scores[a] > match_scores[b]; });
  }
  detail::ProsacSampler prosac_sampler(num_data, m, options.max_iterations);
  detail::Xoshiro256 rng(options.seed);

  // Points are scored in a random (seeded) order so that the SPRT sees an
  // unbiased stream whatever the input order.
  std::vector<int> visit(num_data);
  std::iota(visit.begin(), visit.end(), 0);
  for (int i = num_data - 1; i > 0; --i) std::swap(visit[i], visit[rng.uniform_int(i + 1)]);
  double sprt_epsilon = 0.0;  // inlier ratio of the best model so far

  // MSAC score with early bail-out once it exceeds `bail` and, for sampled
  // models, the SPRT. Returns +inf for a rejected model.
  // SPRT delta: options.sprt_delta once the best model's inlier ratio exceeds twice
  // it. Before that (early samples, low inlier ratios) a test with the fixed delta
  // would be too weak to run, so delta is estimated from the sampled models that
  // did not become the best (pooled fraction of inliers among the points they were
  // scored on, Chum & Matas 2008), once they have seen >= N points, clamped to
  // [sprt_delta / 20, sprt_delta]; the SPRT then runs as soon as the best ratio
  // exceeds twice that estimate instead of scoring every model on all N points.
  double pooled_inliers = 0.0;
  double pooled_points = 0.0;
  int scored_inliers = 0;  // of the last score_model call
  int scored_points = 0;
  auto current_delta = [&]() {
    if (pooled_points < num_data || sprt_epsilon > 2.0 * options.sprt_delta) {
      return options.sprt_delta;
    }
    return std::clamp(pooled_inliers / pooled_points, options.sprt_delta / 20.0,
                      options.sprt_delta);
  };
  // Squared residuals of the last model score_model evaluated (scratch, by data
  // index) and of the current model: the best one, or the LO iterate. A model
  // is only ever adopted right after score_model saw all its points, so its
  // residuals are swapped in then and the LO refits, inlier counts and the
  // final mask read them instead of evaluating every residual again (same
  // values: the results are unchanged).
  std::vector<double> r2_scratch(num_data), r2_current(num_data);
  auto adopt_scored_residuals = [&]() { std::swap(r2_scratch, r2_current); };
  auto score_model = [&](const Model& model, double bail, bool use_sprt) {
    double s = 0.0;
    const double delta = current_delta();
    scored_inliers = 0;
    use_sprt = use_sprt && options.sprt && sprt_epsilon > 2.0 * delta;
    const double up = use_sprt ? (1.0 - delta) / (1.0 - sprt_epsilon) : 1.0;
    const double down = use_sprt ? delta / sprt_epsilon : 1.0;
    double lambda = 1.0;
    for (int k = 0; k < num_data; ++k) {
      const double r2 = estimator.squared_residual(model, visit[k]);
      r2_scratch[visit[k]] = r2;
      if (r2 < t2) {  // NaN counts as an outlier
        s += r2;
        lambda *= down;
        ++scored_inliers;
      } else {
        s += t2;
        lambda *= up;
        if (s > bail || lambda > options.sprt_threshold) {
          scored_points = k + 1;
          return std::numeric_limits<double>::infinity();
        }
      }
    }
    scored_points = num_data;
    return s;
  };

  std::vector<int> inliers;
  std::vector<double> weights;
  inliers.reserve(num_data);
  weights.reserve(num_data);
  // Inliers (and IRLS weights) of the current model, from r2_current.
  auto collect_inliers = [&](bool with_weights) {
    inliers.clear();
    weights.clear();
    for (int i = 0; i < num_data; ++i) {
      const double r2 = r2_current[i];
      if (r2 < t2) {
        inliers.push_back(i);
        if (with_weights) weights.push_back(1.0 / (1.0 + r2 / t2));
      }
    }
  };

  bool have_best = false;
  Model best{};
  double best_score = std::numeric_limits<double>::infinity();
  int best_num_inliers = 0;

  // LO run on `model` whose score is `score`: refit on inliers, then IRLS.
  auto local_optimize = [&](Model* model, double* score) {
    ++report.num_lo_runs;
    for (int it = 0; it < options.lo_max_iterations; ++it) {
      collect_inliers(it > 0);
      if (static_cast<int>(inliers.size()) <= m) break;
      Model candidate = *model;
      if (!estimator.refit(inliers.data(), static_cast<int>(inliers.size()),
                           it > 0 ? weights.data() : nullptr, &candidate)) {
        break;
      }
      const double s = score_model(candidate, *score, false);
      if (!(s < *score)) break;
      *model = candidate;
      *score = s;
      adopt_scored_residuals();
    }
  };

  // Support-growth test on the current model: the points within k thresholds
  // number at least lo_inner_support_growth times its inliers.
  const double kt2 = t2 * options.lo_threshold_multiplier * options.lo_threshold_multiplier;
  auto support_keeps_growing = [&]() {
    int inside = 0, within_k = 0;
    for (int i = 0; i < num_data; ++i) {
      inside += r2_current[i] < t2;
      within_k += r2_current[i] < kt2;
    }
    return inside > 0 && within_k >= options.lo_inner_support_growth * inside;
  };
  // LO+ on `model` (the current model) whose score is `score`: inner RANSAC over
  // the points near it, each sample refitted and polished by iterated least
  // squares with thresholds shrinking from k t to t; a better model is polished
  // by the plain LO and becomes the start of the next round.
  constexpr int kInnerRounds = 3;
  std::vector<int> lo_pool, lo_sample, lo_set;
  const double pool2 = t2 * options.lo_inner_pool_multiplier * options.lo_inner_pool_multiplier;
  const int inner_sample_size = options.lo_inner_sample_size > 0 ? options.lo_inner_sample_size : m + 1;
  auto inner_local_optimize = [&](Model* model, double* score) {
    ++report.num_inner_lo_runs;
    for (int round = 0; round < kInnerRounds; ++round) {
      lo_pool.clear();
      for (int i = 0; i < num_data; ++i) {
        if (r2_current[i] < pool2) lo_pool.push_back(i);
      }
      const int pool_size = static_cast<int>(lo_pool.size());
      const int size = std::min(inner_sample_size, pool_size / 2);
      if (size <= m) return;
      bool improved = false;
      for (int it = 0; it < options.lo_inner_iterations; ++it) {
        lo_sample.resize(size);
        for (int j = 0; j < size; ++j) {  // partial Fisher-Yates: distinct points
          std::swap(lo_pool[j], lo_pool[j + rng.uniform_int(pool_size - j)]);
          lo_sample[j] = lo_pool[j];
        }
        Model candidate = *model;
        if (!estimator.refit(lo_sample.data(), size, nullptr, &candidate)) continue;
        bool ok = true;
        for (int step = 0; step < options.lo_ils_steps && ok; ++step) {
          const double k = options.lo_threshold_multiplier;
          const double mult =
              options.lo_ils_steps > 1 ? k - (k - 1.0) * step / (options.lo_ils_steps - 1) : 1.0;
          const double thr2 = t2 * mult * mult;
          score_model(candidate, std::numeric_limits<double>::infinity(), false);
          lo_set.clear();
          for (int i = 0; i < num_data; ++i) {
            if (r2_scratch[i] < thr2) lo_set.push_back(i);
          }
          ok = static_cast<int>(lo_set.size()) > m &&
               estimator.refit(lo_set.data(), static_cast<int>(lo_set.size()), nullptr, &candidate);
        }
        if (!ok) continue;
        const double s = score_model(candidate, *score, false);
        if (s < *score) {
          *model = candidate;
          *score = s;
          adopt_scored_residuals();
          improved = true;
        }
      }
      if (!improved) return;
      local_optimize(model, score);
    }
  };
  const bool inner_lo_enabled = options.local_optimization && options.lo_inner_iterations > 0;

  auto count_inliers = [&]() {  // of the current model
    int k = 0;
    for (int i = 0; i < num_data; ++i) k += r2_current[i] < t2;
    return k;
  };

  std::vector<Model> models;
  int sample[m];
  int max_iter = options.max_iterations;
  int iter = 0;
  // The best model when lo_inner_min_samples samples were drawn gets the growth test.
  const int inner_lo_check_at =
      inner_lo_enabled ? options.lo_inner_min_samples : std::numeric_limits<int>::max();
  for (; iter < max_iter; ++iter) {
    if (iter == inner_lo_check_at && have_best) {
      if (support_keeps_growing()) {  // r2_current holds the best model's residuals
        inner_local_optimize(&best, &best_score);
        best_num_inliers = count_inliers();
        sprt_epsilon = static_cast<double>(best_num_inliers) / num_data;
        max_iter = std::min(max_iter, required_iterations(best_num_inliers, num_data, m,
                                                          options.confidence,
                                                          options.num_trials_multiplier,
                                                          options.min_iterations,
                                                          options.max_iterations));
        if (iter >= max_iter) break;
      }
    }
    if (prosac) {
      prosac_sampler.sample(&rng, sample);
      for (int k = 0; k < m; ++k) sample[k] = order[sample[k]];
    } else {
      detail::ProsacSampler::draw_distinct(&rng, num_data, m, sample);
    }
    if constexpr (detail::HasSampleCheck<Estimator>::value) {
      if (!estimator.is_sample_valid(sample)) continue;
    }
    models.clear();
    const int num_models = estimator.minimal_solve(sample, &models);
    for (int j = 0; j < num_models && j < static_cast<int>(models.size()); ++j) {
      if constexpr (detail::HasModelCheck<Estimator>::value) {
        if (!estimator.is_model_valid(models[j], sample)) continue;
      }
      ++report.num_models;
      double s = score_model(models[j], best_score, true);
      if (!(s < best_score)) {
        pooled_inliers += scored_inliers;
        pooled_points += scored_points;
        continue;
      }
      adopt_scored_residuals();  // s is finite: every point was scored
      Model candidate = models[j];
      if (options.local_optimization) local_optimize(&candidate, &s);
      if (inner_lo_enabled && iter >= options.lo_inner_min_samples && support_keeps_growing()) {
        inner_local_optimize(&candidate, &s);
      }
      best = candidate;
      best_score = s;
      have_best = true;
      best_num_inliers = count_inliers();
      sprt_epsilon = static_cast<double>(best_num_inliers) / num_data;
      max_iter = std::min(max_iter, required_iterations(best_num_inliers, num_data, m,
                                                        options.confidence,
                                                        options.num_trials_multiplier,
                                                        options.min_iterations,
                                                        options.max_iterations));
    }
  }
  report.num_iterations = iter;

  if (!have_best) {
    report.status = Status::kNoConsensus;
    report.message = "no valid model from " + std::to_string(iter) + " samples";
    return report;
  }
  // Final local optimisation of the best model (it may have been found before
  // later LO runs improved nothing; a last run from the final inlier set).
  if (options.local_optimization) local_optimize(&best, &best_score);
  if (inner_lo_enabled && support_keeps_growing()) inner_local_optimize(&best, &best_score);

  best_num_inliers = 0;
  for (int i = 0; i < num_data; ++i) {
    const bool in = r2_current[i] < t2;
    report.inlier_mask[i] = in ? 1 : 0;
    best_num_inliers += in;
  }
  report.num_inliers = best_num_inliers;
  report.score = best_score;
  if (best_num_inliers < min_support) {
    report.status = Status::kNoConsensus;
    report.message = "best model has " + std::to_string(best_num_inliers) +
                     " inliers, fewer than the minimum support " + std::to_string(min_support) +
                     " (every point may be an outlier)";
    return report;
  }
  report.status = Status::kSuccess;
  report.message = std::to_string(best_num_inliers) + " inliers of " + std::to_string(num_data) +
                   " after " + std::to_string(iter) + " samples";
  *best_model = best;
  return report;
}

}  // namespace crossview::robust
