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
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace crossview::io {

/// Where a rig's world frame comes from (its provenance), as recorded by the
/// tool that made the rig: the crossview JSON "world" object and the Pose2Sim
/// TOML [metadata.world] table (docs/io.md). Formats that cannot hold it read
/// as empty (frame == ""). Free text except `frame`.
struct RigWorld {
  /// "floor": z up, the floor at z = 0 (estimated from people's feet,
  /// temporal::estimate_floor); "camera": the frame of camera `camera` (e.g. a
  /// self-calibration without a floor: x right, y down, z forward); "other":
  /// any other documented frame (a calibration object's); "": not recorded.
  std::string frame;
  std::string camera;        ///< The camera that defines the frame ("camera") or the heading ("floor").
  std::string up;            ///< The up axis, e.g. "+z"; empty when unknown.
  std::string x_axis;        ///< How the x axis was chosen (file key "x").
  std::string origin;        ///< How the origin was chosen.
  std::string estimated_by;  ///< The tool and command that chose the frame.
  std::string evidence;      ///< What supports it (e.g. the floor estimate's message).
  /// Uncertainty of the up axis (degrees, >= 0); NaN when not given.
  double tilt_uncertainty_deg = std::numeric_limits<double>::quiet_NaN();

  bool empty() const { return frame.empty(); }
  /// Throws std::invalid_argument when `frame` is not "", "floor", "camera" or
  /// "other", or tilt_uncertainty_deg is neither NaN nor finite and >= 0.
  void validate() const;
};

/// Cameras of one capture, in file order, with the unit of their translations.
struct Rig {
  std::vector<camera::Camera> cameras;
  /// Unit of every cam_from_world.translation: "m" or "mm".
  std::string length_unit = "m";
  /// Provenance of the world frame (empty: not recorded).
  RigWorld world;

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
// A table named "metadata" without a `matrix` key is not a camera (Pose2Sim
// and anipose skip it too); its optional sub-table [metadata.world] holds
// Rig::world with the keys of the JSON "world" object. The rig's unit is "m".

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
//                                    "translation": [tx,ty,tz]}}],
//    "world": {"frame": "floor", "camera": "cam1", "up": "+z", "x": "...",
//              "origin": "...", "estimated_by": "...", "evidence": "...",
//              "tilt_uncertainty_deg": 0.8}}      (optional: Rig::world)
// In "world", "frame" is required ("floor" | "camera" | "other"), the other
// keys are optional (strings; tilt_uncertainty_deg a number >= 0) and
// unknown keys are ignored.
// Writing then reading reproduces every double bit for bit (shortest
// round-trip formatting, the quaternion is stored as is).

Rig read_rig_json(const std::string& path);
Rig parse_rig_json(std::string_view text, const std::string& source_name = "<string>");
void write_rig_json(const Rig& rig, const std::string& path);
std::string format_rig_json(const Rig& rig);

// ---------------------------------------------------------------------------
// Qualisys .qca.txt (the XML calibration QTM exports), converted as Pose2Sim's
// calibration.py does (reproduces Pose2Sim's TOML of the same file to 1e-12):
//   * cameras: <camera> elements whose model is "Miqus Video", "Miqus Video
//     UnderWater" or "none" (video cameras; marker-only cameras are skipped),
//     named by `serial`, in natural order of the serial ("cam2" < "cam10");
//   * image size = fov_video (right - left + 1, bottom - top + 1) / binning,
//     scaled by video_resolution / 1080 ("540p", "720p", "1080p"; 1080 when absent);
//   * intrinsics are in 1/64 px sensor units: fx = focalLengthU / 64 / binning,
//     cx = centerPointU / 64 / binning - fov_video.left (likewise V, top),
//     then scaled by video_resolution / 1080;
//   * distortion k1 k2 p1 p2 = radialDistortion1, 2, tangentalDistortion1, 2
//     divided by 64 * binning (Pose2Sim's reading; kOpenCV); radialDistortion3,
//     which Pose2Sim drops, is kept as k3 / (64 * binning) (0 in QTM exports seen);
//   * <transform> holds the camera's orientation and its position (x, y, z)
//     in mm. With M = [r11 r12 r13; r21 r22 r23; r31 r32 r33], Qualisys'
//     camera axes (image Y up, looking along -Z) are turned into OpenCV's by
//     a half turn about X: cam_from_world R = diag(1, -1, -1) * M and
//     t = -R * position / 1000 (metres; the camera centre is the position).
//     Unit "m".
//   * viewrotation (the display rotation of the video in QTM) must be 0: Pose2Sim
//     ignores it and so does `ignore_view_rotation`; otherwise IoError.

struct QualisysReadOptions {
  int binning_factor = 1;             ///< >= 1 (2 when filming in 540p with binning).
  bool ignore_view_rotation = false;  ///< Accept viewrotation != 0 as Pose2Sim does.
  void validate() const;              ///< Throws std::invalid_argument.
};

Rig read_qualisys_qca(const std::string& path, const QualisysReadOptions& options = {});
Rig parse_qualisys_qca(std::string_view text, const std::string& source_name = "<string>",
                       const QualisysReadOptions& options = {});

// ---------------------------------------------------------------------------
// OpenCV FileStorage YAML as EasyMocap writes intri.yml / extri.yml:
//   %YAML:1.0 header, `names` (a sequence of camera names), per camera
//   intri: K_<name> (3x3 !!opencv-matrix), dist_<name> (1x5, 5x1, 1x4 or 4x1:
//          k1 k2 p1 p2 [k3]), optional H_<name> / W_<name> (image size);
//   extri: R_<name> (3x1 Rodrigues) and/or Rot_<name> (3x3), T_<name> (3x1,
//          world -> camera). EasyMocap writes 6 decimals, so Rot_ is accepted
//          when orthonormal to 1e-5 and, with R_, must agree with it to 1e-5
//          (the rotation is then taken from R_).
// Parsed by crossview's own reader of that YAML subset (top-level keys with a
// scalar, a block or flow sequence of scalars, or an !!opencv-matrix mapping
// with rows, cols, dt and a possibly multi-line flow `data` list): OpenCV's
// "%YAML:1.0" directive is not valid YAML 1.x, so general YAML libraries
// (yaml-cpp) refuse these files, and OpenCV itself would make crossview::io
// depend on OpenCV. Unsupported YAML (anchors, nested mappings other than a
// matrix) is an IoError naming the line.

struct EasyMocapReadOptions {
  /// Image size when intri.yml has no H_/W_ entries; 0 = estimate it as
  /// round(2 cx + 1) x round(2 cy + 1) (Pose2Sim estimates 2 cx x 2 cy): the
  /// size is only used for is_in_image().
  int width = 0;
  int height = 0;
  /// Unit of T_<name>: EasyMocap calibrates in metres ("m" or "mm").
  std::string length_unit = "m";
  void validate() const;  ///< Throws std::invalid_argument.
};

Rig read_easymocap_yml(const std::string& intri_path, const std::string& extri_path,
                       const EasyMocapReadOptions& options = {});

// ---------------------------------------------------------------------------
// COLMAP text model: cameras.txt (CAMERA_ID MODEL WIDTH HEIGHT PARAMS...) and
// images.txt (IMAGE_ID QW QX QY QZ TX TY TZ CAMERA_ID NAME, then one line of
// 2D points, possibly empty). One rig camera per image, named by NAME, with
// cam_from_world = (q, t) as COLMAP stores it. Models:
//   SIMPLE_PINHOLE f cx cy, PINHOLE fx fy cx cy            -> kPinhole
//   SIMPLE_RADIAL f cx cy k, RADIAL f cx cy k1 k2,
//   OPENCV fx fy cx cy k1 k2 p1 p2                          -> kOpenCV
//   FULL_OPENCV fx fy cx cy k1 k2 p1 p2 k3 k4 k5 k6         -> kOpenCVRational
//   OPENCV_FISHEYE fx fy cx cy k1 k2 k3 k4                  -> kFisheye
// Others (SIMPLE_RADIAL_FISHEYE, RADIAL_FISHEYE, FOV, THIN_PRISM_FISHEYE, ...)
// are an IoError naming the model. COLMAP puts the centre of the top-left
// pixel at (0.5, 0.5), crossview (OpenCV) at (0, 0): cx, cy are shifted by
// -0.5. The unit is the reconstruction's (arbitrary unless it was scaled):
// ColmapReadOptions::length_unit states it. Binary models (.bin) are refused
// (convert them with `colmap model_converter --output_type TXT`).

struct ColmapReadOptions {
  std::string length_unit = "m";  ///< Unit of the translations: "m" or "mm".
  void validate() const;          ///< Throws std::invalid_argument.
};

Rig read_colmap_text(const std::string& cameras_txt, const std::string& images_txt,
                     const ColmapReadOptions& options = {});

// ---------------------------------------------------------------------------
// Format detection by content.

enum class RigFormat : std::uint8_t {
  kPose2SimToml = 0,  ///< Pose2Sim / anipose TOML
  kCrossviewJson,     ///< crossview JSON ("format": "crossview.rig")
  kH36mJson,          ///< Human3.6M camera-parameters.json
  kQualisysQca,       ///< Qualisys .qca.txt XML
  kEasyMocapYml,      ///< OpenCV FileStorage YAML (EasyMocap intri.yml + extri.yml)
  kColmapText,        ///< COLMAP cameras.txt + images.txt
};
const char* to_string(RigFormat format);

struct RigReadOptions {
  /// Human3.6M files hold every subject: which one (may stay empty when the
  /// file has a single subject).
  std::string h36m_subject;
  H36mReadOptions h36m;
  QualisysReadOptions qualisys;
  EasyMocapReadOptions easymocap;
  ColmapReadOptions colmap;
};

/// The format of `path` (a file, or a folder holding intri.yml + extri.yml or
/// cameras.txt + images.txt), told by content, not by the extension. When no
/// format matches, throws IoError listing every format tried and what the
/// file lacked for each.
RigFormat detect_rig_format(const std::string& path);

/// Reads any supported calibration: detect_rig_format, then the reader. For
/// intri.yml / extri.yml and cameras.txt / images.txt, `path` may be either
/// file of the pair (the other is looked for beside it) or their folder.
Rig read_rig(const std::string& path, const RigReadOptions& options = {});

}  // namespace crossview::io
