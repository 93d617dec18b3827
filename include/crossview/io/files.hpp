// crossview::io: reading and writing files safely. Every reader and writer of
// crossview::io, and the `crossview` command-line tool, goes through these.
//
// Reads are bounded: read_file() accepts only a regular file (a directory,
// device such as /dev/zero, FIFO or socket is an IoError; a FIFO never
// blocks the call) no larger than the limit of its kind (FileKind, raise it
// with set_max_file_bytes()).
//
// Writes replace nothing but the named output, and never leave a partial
// result looking complete (OutputSet):
//   * every output is declared before any work is done and checked then: a
//     non-empty name in an existing folder; if it exists, a regular file (a
//     symbolic link, directory, device, FIFO or socket is refused: rename()
//     would replace the link or the node itself) that is not one of the run's
//     inputs (same device and inode, whatever the path) and not declared twice;
//   * content is staged in a fresh temporary file beside the output (created
//     exclusively under an unpredictable name, so a planted symlink or a
//     concurrent run cannot redirect or share it), written, flushed, synced and
//     closed with every error checked;
//   * commit() renames every staged output into place only when all of them
//     were staged; before that nothing is visible under the outputs' names, and
//     abort() (or the destructor) removes every temporary. Two concurrent runs
//     writing the same output each leave a complete file; the last rename wins.
//   * an output folder (an export of many files) must not exist, be empty, or,
//     when replacing is requested, be a folder crossview exported before (it
//     holds kExportManifest); it is staged as a whole and swapped in at commit.
// POSIX only (open/rename semantics). Errors are IoError naming the file.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace crossview::io {

/// What a file holds; selects its default size limit.
enum class FileKind : std::uint8_t {
  kCalibration = 0,  ///< Camera rigs (TOML, JSON, YAML, XML, text): 64 MiB.
  kKeypoints,        ///< 2D detections (one OpenPose frame, or a whole MMPose / DeepLabCut / SLEAP file): 1 GiB.
  kConfig,           ///< Settings files (Pose2Sim Config.toml, skeleton files): 16 MiB.
  kSequence,         ///< Poses / trajectories / motion capture (crossview JSON, TRC, BVH): 4 GiB.
  kArray,            ///< Binary arrays (.npy heatmaps): 64 GiB.
  kModel,            ///< Fitted models (PSS cluster centres): 1 GiB.
};

constexpr const char* to_string(FileKind k) {
  switch (k) {
    case FileKind::kCalibration: return "calibration";
    case FileKind::kKeypoints: return "keypoints";
    case FileKind::kConfig: return "config";
    case FileKind::kSequence: return "sequence";
    case FileKind::kArray: return "array";
    case FileKind::kModel: return "model";
  }
  return "unknown";
}

/// The built-in limit of a kind, in bytes.
std::uint64_t default_max_file_bytes(FileKind kind);
/// The limit in force (process-wide, thread-safe).
std::uint64_t max_file_bytes(FileKind kind);
/// Raises (or lowers) the limit of a kind for the whole process; bytes >= 1,
/// else std::invalid_argument.
void set_max_file_bytes(FileKind kind, std::uint64_t bytes);

/// The whole content of a regular file no larger than max_file_bytes(kind).
/// Throws IoError naming the file: missing or unreadable, not a regular file
/// (directory, device, FIFO, socket), larger than the limit (the message
/// names the limit and set_max_file_bytes / the CLI's --max-input-mb), or a
/// read error.
std::string read_file(const std::string& path, FileKind kind);

/// Throws IoError unless `path` names a regular file no larger than the
/// kind's limit (the checks of read_file without reading; for readers that
/// hand the path to another library, e.g. HDF5).
void check_input_file(const std::string& path, FileKind kind);

/// Name of the manifest that marks a folder written by crossview (exports).
inline constexpr const char* kExportManifest = "crossview-export.json";

/// A run's outputs, written all or none (see the header comment).
class OutputSet {
 public:
  OutputSet();
  ~OutputSet();
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;

  /// A file the run reads: no output may be the same file. A path that does
  /// not exist is ignored (the read will report it).
  void protect_input(const std::string& path);
  /// Every regular file directly inside `folder` (not recursive).
  void protect_input_folder(const std::string& folder);

  /// Declares an output file and checks it now (see the header comment).
  /// Call before computing. Throws IoError naming the file and the reason.
  void declare(const std::string& path);
  /// Declares an output folder. It must not exist or be empty, or, with
  /// `replace`, hold kExportManifest (a crossview export, replaced as a whole).
  void declare_folder(const std::string& path, bool replace);

  /// Writes the content of a declared output file to its temporary file.
  /// Staging the same output again replaces the staged content.
  void stage(const std::string& path, std::string_view content);
  /// Writes `relative` (a plain file name or sub/path without "..") inside a
  /// declared output folder's staging copy.
  void stage_in_folder(const std::string& folder, const std::string& relative,
                       std::string_view content);

  /// Moves every output into place. Throws IoError (and leaves the outputs
  /// untouched) when an output was declared but not staged, or when a target
  /// changed into something that may not be replaced since it was declared.
  void commit();
  /// Removes every temporary; nothing is replaced. Safe to call twice.
  void abort() noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

/// One output written through an OutputSet: declare, stage, commit.
/// `inputs` are protected as with OutputSet::protect_input.
void write_file(const std::string& path, std::string_view content,
                const std::vector<std::string>& inputs = {});

}  // namespace crossview::io
