// crossview::temporal: a world frame users can use for a calibrated rig: the
// floor plane and the up axis from where people's feet are over time.
//
//   using namespace crossview;
//   temporal::FloorOptions o = temporal::FloorOptions::body25b();   // ankles, heels, toes
//   temporal::FloorResult f = temporal::estimate_floor(cameras, poses, 25, 60.0, o);
//   if (f.ok()) temporal::apply_world_frame(f.world_from_old, &cameras);  // cam_from_world updated
//   // f.status == kUnderdetermined: the feet did not cover enough floor (f.message says how much)
//
// Input: one or more people's 3D poses in the rig's current world ("old"),
// packed 3 x (F*J) (several trials or people: concatenate them with a NaN
// frame between, so that no speed is taken across the join).
//
// Method:
//  1. Candidates: every foot keypoint (options.feet: joint + its typical
//     height above the floor when the foot is down) in every frame where it
//     is still (speed below max_foot_speed_m_s, measured over +-0.1 s so that
//     keypoint noise does not read as motion), so swinging feet do not count.
//  2. RANSAC (seeded): three candidates give a plane (corrected for their
//     heights above the floor); a candidate is an inlier when its height
//     above that floor is within inlier_threshold_m of its typical height;
//     candidates far below a plane (a foot through the floor) count against it.
//     The up direction points to the side of the plane where the rest of the
//     body is (heads are above feet).
//  3. Least squares on the inliers: minimise sum (n . p_i + d - h_i)^2 over
//     the unit normal n and d (alternating: d in closed form, n as the
//     smallest-eigenvalue direction of the height-corrected points).
//  4. Evidence: inlier count, RMS residual, and the extent of the floor the
//     inliers cover along its two principal horizontal axes (2 standard
//     deviations). A plane is only determined where feet have stood apart:
//     keypoint heights carry systematic offsets (between people, shoes, views)
//     of about the inlier band, so the tilt about the footprint's long axis is
//     uncertain by about atan(max(rms, inlier_threshold) / minor extent),
//     reported as tilt_uncertainty_deg; above max_tilt_uncertainty_deg the
//     status is kUnderdetermined (the frame is still returned, with that
//     warning). Example: the Pose2Sim demo (one person balancing, feet in a
//     line: footprint 0.38 x 0.05 m) gives ~34 deg from the feet alone, and
//     the plane they yield is 8 deg off; a person walking over 2 x 2 m
//     gives ~1 deg. Step 5 adds the body's balance.
//  5. Balance (when FloorOptions::body_segments is set): a person standing
//     or moving on their feet keeps the gravito-inertial force through the
//     support: (c - p) is parallel to (c'' + g up), c the body's centre of
//     mass (segment model: de Leva 1996 mass fractions and centre positions
//     from the joints), p the support point (the mean of the frame's foot
//     points on the floor), c'' its acceleration (Butterworth 4 Hz, 4th order,
//     zero phase, second differences). Every frame with a still foot on the
//     floor and a whole-enough body gives one direction; their robust mean
//     (frames more than 3 x the median deviation away dropped) is the balance
//     up axis, uncertain by sqrt(sys^2 + spread^2 / n_eff): sys =
//     atan(balance_support_error_m / the centre of mass's median height
//     above the floor), spread the directions' RMS deviation, n_eff the
//     frames used over 0.5 s each (postural sway decorrelates in about that
//     time). The feet's plane and the balance axis are fused per tilt axis
//     (the footprint's long and short axes), each weighted by the inverse of
//     its variance (feet: atan(height error / footprint extent along the
//     other axis)); tilt_uncertainty_deg is the fused uncertainty of the
//     worse axis. A person balancing on one foot (feet in a line) thus gets
//     its missing tilt from the body, and a walker over a wide area keeps the
//     feet's plane (the balance axis weighs little against it). Not valid for
//     people supported by anything but their feet (sitting, leaning, lifted):
//     such frames disagree with the others and are dropped as outliers when
//     they are a minority; set body_segments empty to use the feet alone.
//     When the balance axis and the feet's plane disagree by more than 3
//     combined standard deviations on either tilt axis, the feet do not lie
//     on one floor (people at different levels, a person triangulated at the
//     wrong depth: three small footprints always fit some plane) and the
//     status is kInconsistent, with no frame.
// The new world: z = up (metric, floor at z = 0), origin = the median of the
// inlier foot points projected onto the floor (under the people); x = the
// viewing direction of camera 0 projected onto the floor (y = z cross x), so
// that "forward from the first camera" is +x; if camera 0 looks straight down
// or up, x = the old x axis projected onto the floor.
//
// Units: options in metres; length_unit_m says how many metres one unit of
// the data is (1 for a rig in metres, 0.001 for millimetres).
//
// Failure modes: invalid options or shapes throw std::invalid_argument; too
// few still foot points (kTooFewFootPoints), no consensus (kNoPlane), or too
// narrow a footprint (kUnderdetermined) are statuses with messages.
//
// Definitions: src/temporal/world_frame.cpp. Cost: O(F J + iterations x candidates).
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/core/points.hpp>

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

namespace crossview::temporal {

/// A foot keypoint and its typical height above the floor (metres) when the
/// foot is on the ground.
struct FootKeypoint {
  int joint = 0;
  double height_m = 0.0;
};

/// A body segment of the centre-of-mass model: from the mean of the
/// `proximal` joints to the mean of the `distal` joints (the same joints =
/// a point mass there), its centre at `com_fraction` of the way, carrying
/// `mass_fraction` of the body's mass.
struct BodySegment {
  std::vector<int> proximal;
  std::vector<int> distal;
  double mass_fraction = 0.0;
  double com_fraction = 0.5;
};

struct FloorOptions {
  /// Foot keypoints; at least one.
  std::vector<FootKeypoint> feet;
  /// Metres per unit of the poses and the rig (> 0): 1 for metres, 0.001 for mm.
  double length_unit_m = 1.0;
  /// A foot keypoint is "still" below this speed (m/s, > 0).
  double max_foot_speed_m_s = 0.25;
  /// Inlier band around the expected height (m, > 0).
  double inlier_threshold_m = 0.03;
  int ransac_iterations = 500;  ///< >= 1
  std::uint64_t seed = 0x666c6f6f72ULL;
  /// Minimum number of still foot points, and of inliers (>= 3).
  int min_inliers = 20;
  /// Above this estimated tilt uncertainty (deg, > 0) the status is kUnderdetermined.
  double max_tilt_uncertainty_deg = 2.0;
  /// Centre-of-mass model for the balance step (see the header); empty = the
  /// feet alone. Mass fractions > 0, com_fraction in [0, 1].
  std::vector<BodySegment> body_segments;
  /// A frame's centre of mass is used when its segments with every joint
  /// present carry at least this fraction of the mass (in (0, 1]).
  double min_body_mass_fraction = 0.9;
  /// How far the true support (centre of pressure) may sit from the mean of
  /// the still foot keypoints, on average over a trial (m, > 0): the
  /// balance axis's systematic uncertainty is atan(this / centre-of-mass height).
  double balance_support_error_m = 0.02;
  /// Minimum frames for the balance axis (>= 1).
  int min_balance_frames = 30;

  /// OpenPose BODY_25B feet (ankles 15, 16; big toes 19, 22; small toes 20,
  /// 23; heels 21, 24) with typical heights of a shod adult's keypoints when
  /// the foot is down: ankles 0.08 m (lateral malleolus ~0.039 x 1.70 m plus
  /// a sole, Drillis & Contini), toes 0.03 m, heels 0.04 m (detectors place
  /// them on the shoe, not at the sole); body segments of de Leva (1996,
  /// adult male): head 6.94 % (Neck -> Head, centre halfway), trunk 43.46 %
  /// (Neck -> mid-hip, 51.38 %), upper arms 2.71 % (57.72 %), forearms
  /// 1.62 % (45.74 %), hands 0.61 % (at the wrist), thighs 14.16 % (40.95 %),
  /// shanks 4.33 % (44.59 %), feet 1.37 % (heel -> big toe, 44.15 %).
  static FloorOptions body25b();
  /// Human3.6M 17 joints: ankles 3, 6 only (0.08 m); the same segments
  /// (trunk neck -> root, head neck -> head top, feet at the ankles).
  static FloorOptions human36m_17();

  void validate() const;  ///< Throws std::invalid_argument naming the option.
};

enum class FloorStatus : std::uint8_t {
  kSuccess = 0,
  kUnderdetermined,   ///< A plane was found but the feet covered too narrow an area.
  kTooFewFootPoints,  ///< Fewer than min_inliers still foot points.
  kNoPlane,           ///< No plane supported by min_inliers foot points.
  kInconsistent,      ///< The feet's plane and the body's balance disagree (feet of people at
                      ///< different levels: a step, a platform, a mis-triangulated person).
};

constexpr const char* to_string(FloorStatus s) {
  switch (s) {
    case FloorStatus::kSuccess: return "success";
    case FloorStatus::kUnderdetermined: return "underdetermined (feet covered too narrow an area)";
    case FloorStatus::kTooFewFootPoints: return "too few still foot points";
    case FloorStatus::kNoPlane: return "no floor plane";
    case FloorStatus::kInconsistent: return "feet and balance disagree";
  }
  return "unknown";
}

struct FloorResult {
  FloorStatus status = FloorStatus::kTooFewFootPoints;
  std::string message;
  /// The new world from the old one (identity unless a plane was found).
  camera::Rigid3d world_from_old;
  /// Floor in the old frame: up_in_old . x + floor_offset = 0 on the floor
  /// (up_in_old unit length; data units).
  Eigen::Vector3d up_in_old = Eigen::Vector3d::Zero();
  double floor_offset = 0.0;
  int num_candidates = 0;  ///< still foot points
  int num_inliers = 0;
  /// Columns (f*J + j) of the inlier foot points.
  std::vector<int> inlier_samples;
  double rms_residual_m = 0.0;         ///< of the inliers' heights around their typical heights
  double footprint_major_m = 0.0;      ///< inliers' spread (2 std) along the floor's long axis
  double footprint_minor_m = 0.0;      ///< ... and along its short axis
  double tilt_uncertainty_deg = 0.0;   ///< of the result (feet and balance fused), see the header
  double feet_tilt_uncertainty_deg = 0.0;  ///< the feet alone: ~atan(height error / minor footprint)
  /// Balance step: frames used (0 = not run or not enough), the balance
  /// axis's uncertainty and its angle to the feet's plane normal (deg; NaN
  /// when not computed).
  int balance_frames = 0;
  double balance_uncertainty_deg = std::numeric_limits<double>::quiet_NaN();
  double balance_angle_to_feet_deg = std::numeric_limits<double>::quiet_NaN();
  /// The larger, over the two tilt axes, of |balance - feet| / sqrt(var_feet +
  /// var_balance); above 3 the status is kInconsistent (NaN when not computed).
  double balance_disagreement_sigma = std::numeric_limits<double>::quiet_NaN();

  bool ok() const { return status == FloorStatus::kSuccess; }
  /// A frame is available (success or underdetermined).
  bool has_frame() const { return status == FloorStatus::kSuccess || status == FloorStatus::kUnderdetermined; }
};

/// de Leva's segments (as FloorOptions::body25b()) for a skeleton given by its
/// joint names (case and non-alphanumerics ignored: "LShoulder", "l_shoulder",
/// "lsho"...): neck ("neck", "thorax"; else the shoulders' midpoint), head
/// ("head", "headtop"; else "nose"), shoulders, elbows, wrists, hips
/// (mid-hip: the two hips), knees, ankles, feet (heel -> big toe, else at the
/// ankle). Empty when shoulders, hips, knees or ankles are missing.
std::vector<BodySegment> body_segments_from_names(const std::vector<std::string>& joint_names);

/// Estimates the floor and the new world frame (see the file header).
/// `cameras` (may be empty: then x comes from the old x axis) define the
/// heading; `poses` is 3 x (F*J) in the cameras' world; `validity` empty or
/// one entry per column (> 0 = valid). Throws std::invalid_argument on wrong
/// shapes, invalid options or a foot joint >= num_joints, rate_hz <= 0.
FloorResult estimate_floor(const std::vector<camera::Camera>& cameras, const ConstPointsRef& poses, int num_joints,
                           double rate_hz, const FloorOptions& options,
                           const ConstScoresRef& validity = Eigen::VectorXd());

/// Moves a rig into the new world: cam_from_world <- cam_from_world *
/// world_from_old^-1 for every camera (intrinsics unchanged).
void apply_world_frame(const camera::Rigid3d& world_from_old, std::vector<camera::Camera>* cameras);

/// Points (3 x N) in the new world.
Points3d transform_points(const camera::Rigid3d& world_from_old, const ConstPointsRef& points_in_old);

}  // namespace crossview::temporal
