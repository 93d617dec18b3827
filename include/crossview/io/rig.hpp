// crossview::io: camera rigs (a set of calibrated cameras sharing one world
// frame) read from / written to Pose2Sim-anipose TOML, the Human3.6M JSON and
// crossview's own JSON format (schema in docs/io.md).
//
// Frames and units: every camera's `cam_from_world` maps world points into the
// camera (x_cam = R X + t, OpenCV convention); the translation is expressed in
// `Rig::length_unit` ("m" or "mm"). Pixels follow the OpenCV convention (centre
// of the top-left pixel at (0, 0)).
//
// Failure modes: every reader throws io::IoError (error.hpp) naming the file,
// the field and what was expected, on an unreadable, malformed or truncated
// file, a wrong type, a missing field, a NaN/Inf, a size mismatch, a rotation
// that is not a rotation, a non-positive focal length or image size. No reader
// ever returns a partially filled rig. Writers throw IoError when the file
// cannot be written and std::invalid_argument when the rig cannot be expressed
// in the target format (e.g. a rational-model camera in Pose2Sim TOML).
//
// Complexity: linear in the file size.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/io/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace crossview::io {

/// Cameras of one capture, in file order, with the unit of their translations.
struct Rig {
  std::vector<camera::Camera> cameras;
  /// Unit of every cam_from_world.translation: "m" or "mm".
  std::string length_unit = "m";

  std::size_t size() const { return cameras.size(); }
  bool empty() const { return cameras.empty(); }

  /// Camera with this name, or nullptr. Linear in the number of cameras.
  const camera::Camera* find(std::string_view name) const;
  camera::Camera* find(std::string_view name);
  /// Index of the camera with this name, or -1.
  int index_of(std::string_view name) const;
  /// Camera with this name; throws std::out_of_range (listing the names) if absent.
  const camera::Camera& at(std::string_view name) const;
  /// Camera names in order.
  std::vector<std::string> names() const;

  /// The same rig with translations converted to `unit` ("m" or "mm"; throws
  /// std::invalid_argument otherwise, and when a converted translation
  /// overflows double). Rotations and intrinsics are unchanged.
  Rig with_length_unit(const std::string& unit) const;
};

/// Metres per unit for "m" and "mm"; throws std::invalid_argument otherwise.
double metres_per_unit(const std::string& unit);

// ---------------------------------------------------------------------------
// Pose2Sim / anipose TOML.
//
// One table per camera (the table key is free; the `name` string, when present,
// is the camera name, else the key), with
//   size        = [width, height]              (pixels, integers or floats)
//   matrix      = [[fx,0,cx],[0,fy,cy],[0,0,1]] (no skew)
//   distortions = [k1,k2,p1,p2] or [k1,k2,p1,p2,k3]   (OpenCV; k3 = 0 if absent)
//                 or [k1,k2,k3,k4] with `fisheye = true` (Kannala-Brandt)
//   rotation    = Rodrigues vector of R (world -> camera)
//   translation = t in metres (x_cam = R X + t)
//   fisheye     = false | true                 (optional, default false)
// Tables without a `matrix` key named "metadata" are skipped. The rig's unit is "m".

/// Reads a Pose2Sim/anipose calibration. Throws IoError (see file header).
Rig read_pose2sim_toml(const std::string& path);
/// Same, from TOML text; `source_name` stands for the file name in errors.
Rig parse_pose2sim_toml(std::string_view text, const std::string& source_name = "<string>");
/// Writes a rig in the Pose2Sim format (translations converted to metres,
/// shortest round-trip number formatting, so read(write(rig)) reproduces every
/// double exactly, and the rotation up to the Rodrigues <-> quaternion round
/// trip, ~1e-16). Supports kPinhole (written as 4 zero distortions), kOpenCV
/// (4 terms when k3 == 0, else 5) and kFisheye; throws std::invalid_argument
/// for kOpenCVRational and IoError if the file cannot be written.
void write_pose2sim_toml(const Rig& rig, const std::string& path);
std::string format_pose2sim_toml(const Rig& rig);

// ---------------------------------------------------------------------------
// Human3.6M camera-parameters.json (github.com/karfly/human36m-camera-parameters):
//   intrinsics[camera_id] = {calibration_matrix 3x3, distortion [k1,k2,p1,p2,k3]}
//   extrinsics[subject][camera_id] = {R 3x3, t 3x1 (millimetres)}
// Cameras are named by their id, in the file's key order; model kOpenCV; unit "mm".

struct H36mReadOptions {
  int width = 1000;   ///< Image width in pixels (the file does not store it).
  int height = 1002;  ///< Image height in pixels.
  void validate() const;  ///< Throws std::invalid_argument unless both are > 0.
};

/// Reads the cameras of one subject ("S1" ... "S11"). Throws IoError, also
/// when the subject is not in the file (the message lists those present).
Rig read_h36m_json(const std::string& path, const std::string& subject,
                   const H36mReadOptions& options = {});

// ---------------------------------------------------------------------------
// crossview JSON rig (schema in docs/io.md):
//   {"format": "crossview.rig", "version": 1, "length_unit": "m",
//    "cameras": [{"name": "...", "model": "OPENCV", "width": W, "height": H,
//                 "params": [fx, fy, cx, cy, ...model distortion...],
//                 "cam_from_world": {"quaternion_wxyz": [w,x,y,z],
//                                    "translation": [tx,ty,tz]}}]}
// Writing then reading reproduces every double bit for bit (shortest
// round-trip formatting, the quaternion is stored as is).

Rig read_rig_json(const std::string& path);
Rig parse_rig_json(std::string_view text, const std::string& source_name = "<string>");
void write_rig_json(const Rig& rig, const std::string& path);
std::string format_rig_json(const Rig& rig);

}  // namespace crossview::io
