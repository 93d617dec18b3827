// crossview::temporal: the types shared by every sequence operation (filters,
// gap filling): what happened to each sample, the result of an operation on a
// whole sequence, and the boundary modes of the window filters.
//
// A sequence of F poses of J joints is one packed 3 x (F*J) matrix, column
// f*J + j = joint j at frame f (docs/conventions.md#array-layouts; numpy
// (F, J, 3) in C order). No skeleton is needed: every joint is a separate
// track, any joint count works.
//
// Missing samples: a sample (f, j) is valid when its three coordinates are
// finite and, when a validity vector is given (one entry per column, numpy
// (F, J) flattened), validity[f*J + j] > 0 (NaN = invalid). Invalid samples
// split a track into contiguous valid segments; every filter works on each
// segment separately (no value crosses a gap), and an invalid sample comes
// out as a NaN column unless an operation fills it (SampleState::kFilled).
//
// Errors: wrong shapes (not 3 rows, a column count that is not a multiple of
// num_joints, a validity vector of the wrong length) and invalid options throw
// std::invalid_argument naming the argument; data problems are a Status.
#pragma once

#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <string>
#include <vector>

namespace crossview::temporal {

/// What an operation did to one sample (one column of the sequence).
enum class SampleState : std::uint8_t {
  kMissing = 0,  ///< Invalid in the input and not filled: a NaN column in the output.
  kFiltered,     ///< Valid in the input and processed.
  kRaw,          ///< Valid in the input but left as it was: its segment is too short for
                 ///< the filter (e.g. Butterworth: not longer than the padding).
  kFilled,       ///< Invalid in the input, filled (gap filling; a Kalman smoother that
                 ///< bridged the gap with fill_gaps = true).
};

constexpr const char* to_string(SampleState s) {
  switch (s) {
    case SampleState::kMissing: return "missing";
    case SampleState::kFiltered: return "filtered";
    case SampleState::kRaw: return "raw (segment too short)";
    case SampleState::kFilled: return "filled";
  }
  return "unknown";
}

/// Outcome of a sequence operation.
enum class Status : std::uint8_t {
  kSuccess = 0,     ///< Every valid sample was processed (gap filling: every gap it may fill).
  kPartial,         ///< Some valid samples were left raw (their segments are too short for
                    ///< the filter), or overflowed (coordinates near the largest double:
                    ///< then missing): see SequenceResult::states and the message.
  kNoValidSamples,  ///< No valid sample in the input: the output is all NaN.
};

constexpr const char* to_string(Status s) {
  switch (s) {
    case Status::kSuccess: return "success";
    case Status::kPartial: return "partial (some segments left raw)";
    case Status::kNoValidSamples: return "no valid sample";
  }
  return "unknown";
}

/// How the window filters (median, Gaussian) extend a segment beyond its ends,
/// with scipy.ndimage's names and semantics (input a b c d):
enum class BoundaryMode : std::uint8_t {
  kReflect = 0,  ///< d c b a | a b c d | d c b a  (scipy.ndimage 'reflect', its default)
  kMirror,       ///< d c b | a b c d | c b a      (scipy.ndimage 'mirror')
  kNearest,      ///< a a a | a b c d | d d d      (scipy.ndimage 'nearest')
};

constexpr const char* to_string(BoundaryMode m) {
  switch (m) {
    case BoundaryMode::kReflect: return "reflect";
    case BoundaryMode::kMirror: return "mirror";
    case BoundaryMode::kNearest: return "nearest";
  }
  return "unknown";
}

/// The result of a filter or gap filling on a whole sequence.
struct SequenceResult {
  Status status = Status::kNoValidSamples;
  std::string message;
  /// 3 x (F*J), same layout as the input; NaN columns where states[i] == kMissing.
  Points3d points;
  /// One per column (f*J + j).
  std::vector<SampleState> states;
  int num_frames = 0;
  int num_joints = 0;
  /// Contiguous valid segments found (over all joints), and those left raw.
  int num_segments = 0;
  int num_raw_segments = 0;
  /// Samples filled (SampleState::kFilled).
  int num_filled = 0;
  /// Gap filling: interior gaps filled, and gaps left unfilled (longer than the
  /// maximum, or touching the first / last frame: nothing is extrapolated).
  int num_gaps_filled = 0;
  int num_gaps_left = 0;

  bool ok() const { return status == Status::kSuccess; }
  /// Counts of states[] equal to `s`.
  int count(SampleState s) const {
    int n = 0;
    for (SampleState x : states) n += x == s;
    return n;
  }
};

/// Throws std::invalid_argument unless `sequence` is 3 x (F*J) with F >= 1,
/// `num_joints` >= 1 and `validity` empty or of length F*J. Returns F.
/// `what` names the calling function in the message.
int require_sequence(const ConstPointsRef& sequence, int num_joints, const ConstScoresRef& validity,
                     const std::string& what);

/// The validity of every column: finite coordinates and (validity empty or
/// validity[i] > 0). Length F*J.
std::vector<char> valid_samples(const ConstPointsRef& sequence, const ConstScoresRef& validity);

}  // namespace crossview::temporal
