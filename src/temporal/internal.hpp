// Internals shared by the sequence operations of crossview::temporal (not
// installed): segments of valid samples, result scaffolding, boundary
// extension with scipy.ndimage's index rules.
#pragma once

#include <crossview/temporal/sequence.hpp>

#include <Eigen/Core>

#include <string>
#include <vector>

namespace crossview::temporal::internal {

/// Frames [begin, end) of one contiguous run of valid samples.
struct Segment {
  int begin = 0;
  int end = 0;
  int size() const { return end - begin; }
  bool operator==(const Segment& o) const { return begin == o.begin && end == o.end; }
};

/// The valid runs of joint j (valid has F*J entries, column f*J + j).
std::vector<Segment> segments_of(const std::vector<char>& valid, int num_frames, int num_joints, int joint);

/// A result of F x J samples, all NaN / kMissing.
SequenceResult make_result(int num_frames, int num_joints);

/// Turns processed samples whose output is not finite (overflow: coordinates
/// near the largest double) into missing ones; returns how many.
int drop_non_finite(SequenceResult* r);

/// Sets status and message from the counts ("<what>: N segments filtered, M
/// left raw (shorter than ...)"). `raw_reason` explains kRaw.
void finish(SequenceResult* r, const std::string& what, const std::string& raw_reason = {});

/// A contiguous 3 x (F*J) copy when `sequence` is strided (Ref with an outer
/// stride other than 3); otherwise a map of it. Keeps the copy alive.
class ContiguousSequence {
 public:
  explicit ContiguousSequence(const ConstPointsRef& sequence);
  const double* data() const { return data_; }

 private:
  Eigen::Matrix3Xd copy_;
  const double* data_ = nullptr;
};

/// scipy.ndimage's index of position i (any integer) in a line of n samples
/// extended by `mode`.
inline int extend_index(long i, int n, BoundaryMode mode) {
  if (i >= 0 && i < n) return static_cast<int>(i);
  if (n == 1) return 0;
  switch (mode) {
    case BoundaryMode::kNearest: return i < 0 ? 0 : n - 1;
    case BoundaryMode::kReflect: {
      const long p = 2L * n;
      long m = i % p;
      if (m < 0) m += p;
      return static_cast<int>(m < n ? m : p - 1 - m);
    }
    case BoundaryMode::kMirror: {
      const long p = 2L * n - 2;
      long m = i % p;
      if (m < 0) m += p;
      return static_cast<int>(m < n ? m : p - m);
    }
  }
  return 0;
}

/// Groups of consecutive joints whose segment lists are identical: their
/// samples of a frame are contiguous, so a filter can run on all their
/// coordinates at once (3 x group size channels).
struct JointGroup {
  int first_joint = 0;
  int num_joints = 0;
  std::vector<Segment> segments;
};
std::vector<JointGroup> group_joints(const std::vector<char>& valid, int num_frames, int num_joints);

}  // namespace crossview::temporal::internal
