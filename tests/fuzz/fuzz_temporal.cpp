// Fuzzes the temporal module's data paths: every filter, gap filling and the
// floor estimate on small sequences (1-40 frames, 1-4 joints), coordinates
// mostly plausible with raw values (NaN, Inf, 1e300, denormals) mixed in,
// random validity, options mostly valid and sometimes not.
//
// Contracts checked:
//   * only std::invalid_argument escapes (invalid options, as documented);
//   * a result has one state per sample and a NaN column exactly where the
//     state is kMissing (never a non-finite number labelled processed);
//   * kSuccess has no raw sample; every failure carries a message;
//   * estimate_floor (with and without the balance step): a frame only with a
//     finite unit up axis.
#include "fuzz_decode.hpp"

#include <crossview/temporal/filters.hpp>
#include <crossview/temporal/gap_filling.hpp>
#include <crossview/temporal/world_frame.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <stdexcept>

namespace {

namespace tp = crossview::temporal;
using crossview::fuzz::mostly_sane;

void check(const tp::SequenceResult& r, Eigen::Index n) {
  CROSSVIEW_FUZZ_CHECK(static_cast<Eigen::Index>(r.states.size()) == n);
  CROSSVIEW_FUZZ_CHECK(r.points.cols() == n);
  for (Eigen::Index i = 0; i < n; ++i) {
    const bool missing = r.states[static_cast<std::size_t>(i)] == tp::SampleState::kMissing;
    CROSSVIEW_FUZZ_CHECK(missing ? r.points.col(i).array().isNaN().all() : r.points.col(i).allFinite());
    if (r.ok()) CROSSVIEW_FUZZ_CHECK(r.states[static_cast<std::size_t>(i)] != tp::SampleState::kRaw);
  }
  CROSSVIEW_FUZZ_CHECK(!r.message.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  FuzzedDataProvider fdp(data, size);
  const int F = fdp.ConsumeIntegralInRange<int>(1, 40);
  const int J = fdp.ConsumeIntegralInRange<int>(1, 4);
  Eigen::Matrix3Xd x(3, F * J);
  Eigen::VectorXd validity(F * J);
  for (int i = 0; i < F * J; ++i) {
    for (int c = 0; c < 3; ++c) x(c, i) = mostly_sane(fdp, -5, 5);
    validity[i] = (fdp.ConsumeIntegral<std::uint8_t>() & 7u) == 0 ? 0.0 : 1.0;
  }
  tp::FilterOptions o;
  o.type = static_cast<tp::FilterType>(fdp.ConsumeIntegralInRange<int>(0, 4));
  o.rate_hz = mostly_sane(fdp, 1, 240);
  o.butterworth.order = fdp.ConsumeIntegralInRange<int>(0, 13);
  o.butterworth.cutoff_hz = mostly_sane(fdp, 0.1, 20);
  o.kalman.model = fdp.ConsumeBool() ? tp::MotionModel::kConstantVelocity : tp::MotionModel::kConstantAcceleration;
  o.kalman.measurement_noise = mostly_sane(fdp, 1e-3, 1);
  o.kalman.process_noise = fdp.ConsumeBool() ? 0.0 : mostly_sane(fdp, 0, 100);
  o.kalman.cutoff_hz = mostly_sane(fdp, 0.1, 20);
  o.kalman.max_gap_frames = fdp.ConsumeIntegralInRange<int>(-1, 12);
  o.kalman.fill_gaps = fdp.ConsumeBool();
  o.kalman.smooth = fdp.ConsumeBool();
  o.one_euro.beta = mostly_sane(fdp, 0, 10);
  o.median.window = fdp.ConsumeIntegralInRange<int>(0, 12);
  o.gaussian.sigma_frames = mostly_sane(fdp, 0.1, 10);
  o.gaussian.mode = static_cast<tp::BoundaryMode>(fdp.ConsumeIntegralInRange<int>(0, 2));
  o.median.mode = o.gaussian.mode;
  try {
    check(tp::filter_sequence(x, J, o, validity), F * J);
  } catch (const std::invalid_argument&) {
  }
  tp::GapFillOptions g;
  g.method = static_cast<tp::GapFillMethod>(fdp.ConsumeIntegralInRange<int>(0, 2));
  g.max_gap_frames = fdp.ConsumeIntegralInRange<int>(0, 12);
  try {
    check(tp::fill_gaps(x, J, g, validity), F * J);
  } catch (const std::invalid_argument&) {
  }
  tp::FloorOptions fo;
  fo.feet = {{0, 0.05}};
  if (J > 1) fo.feet.push_back({J - 1, mostly_sane(fdp, 0, 0.1)});
  fo.min_inliers = fdp.ConsumeIntegralInRange<int>(2, 10);
  fo.ransac_iterations = fdp.ConsumeIntegralInRange<int>(1, 20);
  if (J > 2 && fdp.ConsumeBool()) {  // the balance step: a two-segment body
    fo.body_segments = {{{1}, {J - 1}, 0.6, mostly_sane(fdp, 0, 1)}, {{0}, {0}, 0.4, 0.0}};
    fo.min_balance_frames = fdp.ConsumeIntegralInRange<int>(1, 10);
  }
  try {
    const auto f = tp::estimate_floor({}, x, J, o.rate_hz, fo, validity);
    CROSSVIEW_FUZZ_CHECK(!f.message.empty());
    if (f.has_frame()) {
      CROSSVIEW_FUZZ_CHECK(f.up_in_old.allFinite() && std::abs(f.up_in_old.norm() - 1.0) < 1e-6);
      CROSSVIEW_FUZZ_CHECK(f.world_from_old.is_finite());
    }
  } catch (const std::invalid_argument&) {
  }
  return 0;
}
