// crossview::temporal: filling the gaps of 3D tracks (packed sequences
// 3 x (F*J), see sequence.hpp).
//
//   temporal::GapFillOptions o;                // cubic spline, gaps of <= 10 frames
//   temporal::SequenceResult r = temporal::fill_gaps(poses, num_joints, o);
//   r.points;   // gaps filled; r.states[i] == SampleState::kFilled where filled
//
// Every joint is its own track. An interior gap (invalid samples with valid
// samples on both sides) of at most max_gap_frames frames is filled from the
// valid samples of that joint's whole track; longer gaps and gaps touching the
// first or last frame are left missing (nothing is extrapolated) and counted in
// num_gaps_left. Valid samples are returned unchanged (kFiltered).
//
// Methods (time = frame index; each coordinate separately):
//   kLinear       straight line between the two samples around the gap
//                 (= numpy.interp).
//   kCubicSpline  the C2 cubic spline through every valid sample of the track
//                 with not-a-knot ends, = scipy.interpolate.CubicSpline(t, x)
//                 (its default bc_type) = interp1d(kind='cubic'), what Pose2Sim
//                 uses; with 3 valid samples the parabola through them, with 2
//                 the line (as scipy). Smooth, but may overshoot in long gaps.
//   kPchip        the monotone piecewise cubic Hermite interpolant,
//                 = scipy.interpolate.PchipInterpolator(t, x): local (uses the
//                 2 samples on each side), never overshoots the data.
// Cost: O(F) per joint (the spline solves one tridiagonal-like system per
// track and coordinate).
//
// Definitions: src/temporal/gap_filling.cpp.
#pragma once

#include <crossview/temporal/sequence.hpp>

#include <cstdint>

namespace crossview::temporal {

enum class GapFillMethod : std::uint8_t {
  kLinear = 0,
  kCubicSpline,
  kPchip,
};

constexpr const char* to_string(GapFillMethod m) {
  switch (m) {
    case GapFillMethod::kLinear: return "linear";
    case GapFillMethod::kCubicSpline: return "cubic";
    case GapFillMethod::kPchip: return "pchip";
  }
  return "unknown";
}

struct GapFillOptions {
  GapFillMethod method = GapFillMethod::kCubicSpline;
  /// Interior gaps of at most this many frames are filled (>= 1; Pose2Sim's
  /// interp_if_gap_smaller_than default is 10).
  int max_gap_frames = 10;
  void validate() const;
};

/// Fills the gaps of every joint's track (see the file header). Status
/// kNoValidSamples when nothing is valid, kSuccess otherwise (gaps left are
/// the documented behaviour, counted in num_gaps_left and in the message).
SequenceResult fill_gaps(const ConstPointsRef& sequence, int num_joints,
                         const GapFillOptions& options = {},
                         const ConstScoresRef& validity = Eigen::VectorXd());

}  // namespace crossview::temporal
