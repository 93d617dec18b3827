// crossview::io: TRC marker trajectories (OpenSim / Pose2Sim `.trc`).
//
// Layout (tab separated):
//   PathFileType  4  (X/Y/Z)  <file name>
//   DataRate CameraRate NumFrames NumMarkers Units OrigDataRate OrigDataStartFrame OrigNumFrames
//   <values of the line above>
//   Frame#  Time  <marker 1> "" ""  <marker 2> "" "" ...
//   ""  ""  X1 Y1 Z1 X2 Y2 Z2 ...
//   <one row per frame: frame number, time in s, 3 values per marker>
// An empty cell is a missing coordinate (read as NaN, written as empty).
//
// Axes: Pose2Sim writes Y-up TRC files whose (X, Y, Z) is the calibration
// world's (Y, Z, X); trc_to_world() / world_to_trc() convert (a cyclic axis
// permutation, i.e. a proper rotation). Units are in TrcData::units ("m" for
// Pose2Sim).
//
// Failure modes: IoError naming the file, the field (e.g. `header.NumMarkers`,
// `frame row 12 (line 17).RKnee.Y`) and what was expected on a malformed or
// truncated file, wrong cell counts, non-numbers, NaN/Inf written as text, or a
// NumFrames / NumMarkers that disagrees with the content. Writing throws
// std::invalid_argument on inconsistent sizes, IoError if the file cannot be written.
#pragma once

#include <crossview/core/points.hpp>
#include <crossview/io/error.hpp>

#include <Eigen/Core>

#include <string>
#include <string_view>
#include <vector>

namespace crossview::io {

struct TrcData {
  double data_rate_hz = 0.0;
  double camera_rate_hz = 0.0;
  std::string units = "m";
  double orig_data_rate_hz = 0.0;
  int orig_data_start_frame = 0;
  int orig_num_frames = 0;
  std::string path_file_name;  ///< 4th cell of the first line (informative).
  /// Skeleton of the markers (a built-in id or a custom skeleton's name),
  /// written as an extra "Skeleton" header column after OrigNumFrames (other
  /// readers ignore it); empty = not recorded.
  std::string skeleton;
  std::vector<std::string> marker_names;
  std::vector<int> frame_numbers;  ///< Per frame, as in the file.
  std::vector<double> times_s;     ///< Per frame.
  /// Every frame's markers packed 3 x (F*M) (docs/conventions.md#array-layouts):
  /// column f*M + m = marker m at frame f, in the file's axes (Y-up for
  /// Pose2Sim); NaN = missing. numpy (F, M, 3).
  Points3d positions;

  int num_frames() const { return static_cast<int>(times_s.size()); }
  int num_markers() const { return static_cast<int>(marker_names.size()); }
  /// The 3 x M markers of frame f (a view into `positions`).
  Eigen::Block<const Points3d, 3, Eigen::Dynamic, true> frame(int f) const {
    return positions.middleCols(static_cast<Eigen::Index>(f) * num_markers(), num_markers());
  }
  Eigen::Block<Points3d, 3, Eigen::Dynamic, true> frame(int f) {
    return positions.middleCols(static_cast<Eigen::Index>(f) * num_markers(), num_markers());
  }
  /// Index of the marker named `name`, or -1.
  int marker_index(std::string_view name) const;
};

TrcData read_trc(const std::string& path);
TrcData parse_trc(std::string_view text, const std::string& source_name = "<string>");
/// Writes `trc` (shortest round-trip numbers: read_trc(write_trc(x)) == x bit
/// for bit, NaN cells written empty). NumFrames / NumMarkers come from the data;
/// std::invalid_argument unless positions is 3 x (NumFrames*NumMarkers) with
/// one frame number and time per frame.
void write_trc(const TrcData& trc, const std::string& path);
std::string format_trc(const TrcData& trc);

/// Options of make_trc().
struct TrcWriteOptions {
  double rate_hz = 0.0;           ///< > 0: DataRate, CameraRate, OrigDataRate.
  std::string units = "m";        ///< Unit of the points ("m" or "mm").
  std::string skeleton;           ///< Recorded in the header (see TrcData::skeleton).
  /// Frame# of the first frame. Pose2Sim numbers frames from 1 (Frame# =
  /// row + 1) and writes Time = Frame# / rate: the default reproduces that.
  int first_frame_number = 1;
  /// Source frame of the first row (OrigDataStartFrame; Pose2Sim: the start
  /// of its frame_range, 0 for a whole video).
  int orig_data_start_frame = 0;
  bool to_pose2sim_axes = true;   ///< Convert world -> Pose2Sim's Y-up axes (world_to_trc).
  std::string file_name;          ///< Informative 4th cell of the first line.
  void validate() const;          ///< Throws std::invalid_argument.
};

/// A TRC of F frames of M markers from `points_in_world`, 3 x (F*M) packed
/// (column f*M + m, docs/conventions.md); NaN columns stay empty cells.
/// Frame# = first_frame_number + f, Time = Frame# / rate_hz (Pose2Sim's
/// convention). Throws std::invalid_argument on a shape that is not 3 x (F*M)
/// or invalid options.
TrcData make_trc(const std::vector<std::string>& marker_names, const Eigen::Ref<const Eigen::MatrixXd>& points_in_world,
                 const TrcWriteOptions& options);

/// Pose2Sim TRC axes -> calibration world: world = (Z_trc, X_trc, Y_trc).
inline Eigen::Vector3d trc_to_world(const Eigen::Vector3d& point_trc) {
  return Eigen::Vector3d(point_trc.z(), point_trc.x(), point_trc.y());
}
/// Calibration world -> Pose2Sim TRC axes: trc = (Y_world, Z_world, X_world).
inline Eigen::Vector3d world_to_trc(const Eigen::Vector3d& point_in_world) {
  return Eigen::Vector3d(point_in_world.y(), point_in_world.z(), point_in_world.x());
}

}  // namespace crossview::io
