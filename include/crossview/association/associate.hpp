// crossview: cross-view association of the people detected in one frame by
// calibrated cameras, and their reconstruction.
//
//   namespace as = crossview::association;
//   std::vector<as::ViewDetections> views(cameras.size());   // per view 2 x (P*J) + P*J scores
//   as::AssociationOptions o;
//   o.left_right_pairs = crossview::pose::openpose_body25b().left_right_pairs();
//   as::AssociationResult r = as::associate(cameras, views, /*num_joints=*/25, o);
//   for (const as::Person& p : r.people) use(p.points_in_world, p.score, p.views);
//   for (const as::UnmatchedDetection& u : r.unmatched) log(u.ref.view, u.ref.detection, u.message);
//
// What it does (docs/association.md has the reasons and the measurements):
//  1. Every usable joint is undistorted through its camera model (pixels ->
//     rays); per-joint thresholds follow each detection's size.
//  2. Every pair of detections of two different views is tested joint by
//     joint with the Sampson (first-order geometric) epipolar error in
//     pixels and the cheirality of the two rays; pairs that agree on enough
//     joints seed 3D hypotheses.
//  3. A hypothesis is triangulated and projected into every view; in each
//     view the detection that agrees best joins it; repeated until its
//     membership is stable. So every member agrees with one 3D skeleton,
//     which implies every pairwise and every cycle constraint (cycle
//     consistency through 3D, not through a relaxation).
//  4. Hypotheses are accepted greedily by evidence (agreeing minus 1.5 x
//     disagreeing score-weighted observations); one that lost a detection to
//     an accepted person is rebuilt without it. At most one detection per
//     view per person.
//  5. Accepted groups are triangulated with triangulation::triangulate_skeleton
//     on, per joint, the largest set of their observations that agree with
//     one point (left/right swaps undone), scored, and checked (min_views,
//     min_score, min_person_joints, not a repeat of another person).
//
// Failure modes: programmer errors throw std::invalid_argument naming the
// argument (views.size() != cameras.size(), a keypoint matrix that is not
// 2 x (P*num_joints), scores of the wrong length, num_joints < 1, invalid
// options). Everything about the data is in the result: FrameStatus for the
// frame, an UnmatchedReason + message for every detection left out. A person
// is reported only when its views agree with one skeleton; a group that does
// not pass is never reported.
//
// Complexity: O(V^2 P^2 J) for the pair tests (V views, P detections per
// view, J joints), O(H V P J) for H hypotheses (H is about the number of
// people plus the ambiguous pairs), plus the triangulation of the people.
// Measured in docs/benchmarks.md. Deterministic, no randomness, thread-safe
// (no shared state).
//
// Definitions: src/association/*.cpp.
#pragma once

#include <crossview/association/types.hpp>
#include <crossview/camera/camera.hpp>

#include <vector>

namespace crossview::association {

/// Associates the people detected in one frame across the views and
/// reconstructs each of them (see the header comment). `views[v]` holds the
/// detections of cameras[v].
AssociationResult associate(const std::vector<camera::Camera>& cameras,
                            const std::vector<ViewDetections>& views, int num_joints,
                            const AssociationOptions& options = {});

/// Reconstructs given groups (e.g. an association made by hand, or ground
/// truth) exactly as associate() reconstructs its own: per group, the
/// observations that agree with the group's 3D hypothesis are triangulated
/// and scored. No acceptance check is applied (a given group is reported
/// even with a low score); a group with fewer than two usable detections, or
/// whose views agree on no joint, becomes unmatched detections (kTooFewViews
/// / kRejected). People come in the order of `groups` (failed groups left
/// out). Throws std::invalid_argument on a reference out of range, a
/// detection used twice, or two detections of one view in a group.
AssociationResult reconstruct_groups(const std::vector<camera::Camera>& cameras,
                                     const std::vector<ViewDetections>& views, int num_joints,
                                     const std::vector<std::vector<DetectionRef>>& groups,
                                     const AssociationOptions& options = {});

}  // namespace crossview::association
