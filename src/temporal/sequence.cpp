#include "internal.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace crossview::temporal {

int require_sequence(const ConstPointsRef& sequence, int num_joints, const ConstScoresRef& validity,
                     const std::string& what) {
  require_points(sequence, 3, what + ": sequence");
  if (num_joints < 1) {
    throw std::invalid_argument(what + ": num_joints must be >= 1, got " + std::to_string(num_joints));
  }
  if (sequence.cols() == 0 || sequence.cols() % num_joints != 0) {
    throw std::invalid_argument(what + ": sequence has " + std::to_string(sequence.cols()) +
                                " columns, expected F * num_joints = F * " + std::to_string(num_joints) +
                                " with F >= 1 (packed 3 x (F*J), column f*J + j)");
  }
  if (sequence.cols() / num_joints > std::numeric_limits<int>::max() / 4) {
    throw std::invalid_argument(what + ": sequence is too long");
  }
  require_scores(validity, sequence.cols(), what + ": validity");
  return static_cast<int>(sequence.cols() / num_joints);
}

std::vector<char> valid_samples(const ConstPointsRef& sequence, const ConstScoresRef& validity) {
  std::vector<char> v(static_cast<std::size_t>(sequence.cols()));
  const bool use_validity = validity.size() == sequence.cols();
  for (Eigen::Index i = 0; i < sequence.cols(); ++i) {
    const bool finite = std::isfinite(sequence(0, i)) && std::isfinite(sequence(1, i)) &&
                        std::isfinite(sequence(2, i));
    v[static_cast<std::size_t>(i)] = finite && (!use_validity || validity[i] > 0.0);
  }
  return v;
}

namespace internal {

std::vector<Segment> segments_of(const std::vector<char>& valid, int num_frames, int num_joints, int joint) {
  std::vector<Segment> out;
  int f = 0;
  while (f < num_frames) {
    while (f < num_frames && !valid[static_cast<std::size_t>(f) * num_joints + joint]) ++f;
    if (f == num_frames) break;
    const int b = f;
    while (f < num_frames && valid[static_cast<std::size_t>(f) * num_joints + joint]) ++f;
    out.push_back({b, f});
  }
  return out;
}

std::vector<JointGroup> group_joints(const std::vector<char>& valid, int num_frames, int num_joints) {
  std::vector<JointGroup> groups;
  for (int j = 0; j < num_joints; ++j) {
    std::vector<Segment> s = segments_of(valid, num_frames, num_joints, j);
    if (!groups.empty() && groups.back().segments == s &&
        groups.back().first_joint + groups.back().num_joints == j) {
      ++groups.back().num_joints;
    } else {
      groups.push_back({j, 1, std::move(s)});
    }
  }
  return groups;
}

SequenceResult make_result(int num_frames, int num_joints) {
  SequenceResult r;
  r.num_frames = num_frames;
  r.num_joints = num_joints;
  const Eigen::Index n = static_cast<Eigen::Index>(num_frames) * num_joints;
  r.points.setConstant(3, n, std::numeric_limits<double>::quiet_NaN());
  r.states.assign(static_cast<std::size_t>(n), SampleState::kMissing);
  return r;
}

int drop_non_finite(SequenceResult* r) {
  // A processed sample that overflowed (coordinates near the largest double)
  // is not a result: it becomes missing.
  int overflow = 0;
  for (std::size_t i = 0; i < r->states.size(); ++i) {
    const SampleState s = r->states[i];
    if ((s == SampleState::kFiltered || s == SampleState::kFilled) && !r->points.col(static_cast<Eigen::Index>(i)).allFinite()) {
      if (s == SampleState::kFilled) --r->num_filled;
      r->states[i] = SampleState::kMissing;
      r->points.col(static_cast<Eigen::Index>(i)).setConstant(std::numeric_limits<double>::quiet_NaN());
      ++overflow;
    }
  }
  return overflow;
}

void finish(SequenceResult* r, const std::string& what, const std::string& raw_reason) {
  const int overflow = drop_non_finite(r);
  if (r->num_segments == 0) {
    r->status = Status::kNoValidSamples;
    r->message = what + ": no valid sample (every column is NaN or has validity <= 0)";
    return;
  }
  r->message = what + ": " + std::to_string(r->num_segments - r->num_raw_segments) + " of " +
               std::to_string(r->num_segments) + " segments processed";
  if (r->num_raw_segments > 0) {
    r->status = Status::kPartial;
    r->message += ", " + std::to_string(r->num_raw_segments) + " left raw (" + raw_reason + ")";
  } else {
    r->status = Status::kSuccess;
  }
  if (r->num_filled > 0) r->message += ", " + std::to_string(r->num_filled) + " samples filled";
  if (overflow > 0) {
    r->status = Status::kPartial;
    r->message += "; " + std::to_string(overflow) + " samples overflowed (coordinates too large) and are missing";
  }
}

ContiguousSequence::ContiguousSequence(const ConstPointsRef& sequence) {
  if (sequence.outerStride() == 3 || sequence.cols() <= 1) {
    data_ = sequence.data();
  } else {
    copy_ = sequence;
    data_ = copy_.data();
  }
}

}  // namespace internal
}  // namespace crossview::temporal
