// Throughput of the crossview::temporal filters on a packed sequence (the
// issue's bar: >= 50 M samples per second on one core).
//
// Data: F = 6000 frames (100 s at 60 Hz) x J = 25 joints of smooth motion
// (sums of sinusoids + 5 mm noise, metres). Two cases: every sample valid
// (Arg 0), and 10 % of the samples missing in random gaps of 1-20 frames per
// joint (Arg 1: every joint its own segments, the per-joint path).
// Counters: `values/s` = coordinates (3 per point) per second, `points/s` =
// 3D samples (one joint at one frame) per second. The "samples" of the bar
// are the coordinates; points/s is the stricter reading.
// SciPy's own speed on the same arrays (python3, one core) is printed by
// benchmarks/temporal/scipy_speed.py for comparison (docs/temporal.md).
#include <crossview/temporal/filters.hpp>
#include <crossview/temporal/gap_filling.hpp>

#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

namespace tp = crossview::temporal;

namespace {

constexpr int kFrames = 6000;
constexpr int kJoints = 25;

struct Data {
  Eigen::Matrix3Xd points;
  Eigen::VectorXd validity;
};

Data make_data() {
  Data out;
  std::mt19937_64 rng(7);
  std::normal_distribution<double> n(0.0, 1.0);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  out.points.resize(3, kFrames * kJoints);
  for (int j = 0; j < kJoints; ++j) {
    for (int c = 0; c < 3; ++c) {
      const double a = 0.1 + 0.4 * u(rng), fr = 0.3 + 5 * u(rng), ph = 6 * u(rng);
      for (int f = 0; f < kFrames; ++f) {
        out.points(c, f * kJoints + j) = a * std::sin(2 * M_PI * fr * f / 60.0 + ph) + 0.005 * n(rng);
      }
    }
  }
  out.validity.setOnes(kFrames * kJoints);
  return out;
}

Data with_gaps(Data out) {
  std::mt19937_64 rng(8);
  std::uniform_int_distribution<int> len(1, 20);
  std::uniform_int_distribution<int> where(0, kFrames - 1);
  std::uniform_int_distribution<int> joint(0, kJoints - 1);
  long missing = 0;
  while (missing < kFrames * kJoints / 10) {
    const int j = joint(rng), f0 = where(rng), l = len(rng);
    for (int f = f0; f < std::min(kFrames, f0 + l); ++f) {
      missing += out.validity[f * kJoints + j] > 0;
      out.validity[f * kJoints + j] = 0.0;
    }
  }
  return out;
}

const Data& data(bool gaps) {
  static const Data full = make_data();
  static const Data gappy = with_gaps(full);
  return gaps ? gappy : full;
}

void report(benchmark::State& state) {
  const double points = static_cast<double>(kFrames) * kJoints * static_cast<double>(state.iterations());
  state.counters["points/s"] = benchmark::Counter(points, benchmark::Counter::kIsRate);
  state.counters["values/s"] = benchmark::Counter(3 * points, benchmark::Counter::kIsRate);
}

template <typename Run>
void run(benchmark::State& state, Run&& f) {
  const Data& d = data(state.range(0) != 0);
  for (auto _ : state) {
    tp::SequenceResult r = f(d);
    benchmark::DoNotOptimize(r.points.data());
  }
  report(state);
}

void BM_Butterworth(benchmark::State& state) {
  run(state, [](const Data& d) { return tp::butterworth_filter(d.points, kJoints, 60.0, {}, d.validity); });
}
void BM_Median9(benchmark::State& state) {
  run(state, [](const Data& d) { return tp::median_filter(d.points, kJoints, {}, d.validity); });
}
void BM_Gaussian2(benchmark::State& state) {
  run(state, [](const Data& d) { return tp::gaussian_filter(d.points, kJoints, {}, d.validity); });
}
void BM_KalmanRts(benchmark::State& state) {
  run(state, [](const Data& d) { return tp::kalman_smoother(d.points, kJoints, 60.0, {}, d.validity); });
}
void BM_OneEuro(benchmark::State& state) {
  run(state, [](const Data& d) {
    tp::OneEuroOptions o;
    o.beta = 0.5;
    return tp::one_euro_filter(d.points, kJoints, 60.0, o, d.validity);
  });
}
void BM_FillGapsCubic(benchmark::State& state) {
  run(state, [](const Data& d) { return tp::fill_gaps(d.points, kJoints, {}, d.validity); });
}
void BM_FillGapsLinear(benchmark::State& state) {
  run(state, [](const Data& d) {
    tp::GapFillOptions o;
    o.method = tp::GapFillMethod::kLinear;
    return tp::fill_gaps(d.points, kJoints, o, d.validity);
  });
}

}  // namespace

BENCHMARK(BM_Butterworth)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Median9)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Gaussian2)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_KalmanRts)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OneEuro)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FillGapsCubic)->Arg(1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_FillGapsLinear)->Arg(1)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
