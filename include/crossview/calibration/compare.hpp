// crossview::calibration: compare a calibrated rig with a reference rig (e.g.
// a calibration-object result) up to the gauge freedom of self-calibration.
//
// A rig calibrated from people is defined up to a similarity (its world frame
// is camera 0's, its scale comes from a prior). compare_rigs removes that
// freedom before measuring:
//  * rotations: the single global rotation S that best aligns every estimated
//    rotation with the reference (chordal L2 mean of R_ref^T R_est, projected
//    on SO(3)); error_i = angle(R_est_i S^T, R_ref_i) in degrees;
//  * positions: the similarity (Umeyama, with scale) mapping the estimated
//    camera centres onto the reference centres; error_i = distance after the
//    mapping, in the REFERENCE rig's length unit.
// Intrinsics are not compared. Complexity O(cameras).
#pragma once

#include <crossview/camera/camera.hpp>

#include <vector>

namespace crossview::calibration {

struct RigComparison {
  std::vector<double> rotation_error_deg;  ///< Per camera, after the best global rotation.
  std::vector<double> position_error;      ///< Per camera, reference units, after the similarity.
  double rig_size = 0.0;  ///< Largest distance between two reference centres (reference units).
  double scale = 0.0;     ///< Reference units per estimated unit (the similarity's scale).
  double median_rotation_error_deg() const;
  double max_rotation_error_deg() const;
  /// Largest position error as a fraction of rig_size (0 when rig_size is 0).
  double max_position_fraction() const;
};

/// Compares `estimated` with `reference` camera by camera (same order).
/// Throws std::invalid_argument when the sizes differ, there are fewer than 2
/// cameras, or a pose is not finite. With 2 cameras the similarity is exact on
/// the centres (position errors 0): only rotations are informative.
RigComparison compare_rigs(const std::vector<camera::Camera>& estimated,
                           const std::vector<camera::Camera>& reference);

}  // namespace crossview::calibration
