// crossview CLI: the one output layer of every subcommand, over io::OutputSet.
//
// A command names everything it reads (inputs) and writes (outputs) before it
// computes anything, so a bad output fails at once with one clear error and
// exit != 0: an empty name, a wrong extension, a file name longer than the
// filesystem allows (NAME_MAX), a newline in a name that goes into a file's
// content (.trc), a missing or unwritable folder, an existing output that is
// not a regular file (device, FIFO, symlink, folder), an output that is one of
// the run's inputs (same device + inode, whatever the path), the same output
// twice, an --export folder that is not empty and not a crossview export.
// Then the command stages every output's content (unique temporaries created
// exclusively beside the targets) and commits them all at the end: every
// output or none, nothing left behind on failure (the destructor removes the
// temporaries when an exception unwinds the command).
#pragma once

#include <crossview/io/files.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace crossview::cli {

class RunOutputs {
 public:
  /// `command` prefixes the usage errors ("triangulate: --out ...").
  explicit RunOutputs(std::string command) : command_(std::move(command)) {}

  /// A file the run reads (no output may be the same file). Missing = ignored
  /// (the reader reports it).
  void input(const std::string& path);
  /// Every regular file directly inside `folder`; `folder` itself when it is
  /// a file (a keypoint source may be either).
  void input_folder(const std::string& folder);

  /// Declares an output file named by --`option`. `extensions` are the
  /// accepted endings, lower case with the dot (".json"); compared without
  /// case. A wrong or missing extension is a UsageError (exit 2); every other
  /// problem an io::IoError naming the file (exit 1).
  void file(const std::string& option, const std::string& path, const std::vector<std::string>& extensions);
  /// The checks of file() on the name alone (extension, length, line breaks),
  /// without declaring it: for a name whose files are derived from it later
  /// (triangulate's <stem>_P<id>.trc, declared with file() once known).
  void check_file(const std::string& option, const std::string& path,
                  const std::vector<std::string>& extensions) const;
  /// Declares an output folder (--export): absent, empty, or a crossview
  /// export (kExportManifest), which is replaced as a whole at commit().
  void folder(const std::string& option, const std::string& path);

  void stage(const std::string& path, std::string_view content);
  /// A file inside a declared folder (e.g. "keypoints/cam01/cam01.0000.json").
  void stage_in_folder(const std::string& folder, const std::string& relative, std::string_view content);
  /// Moves every staged output into place (all of them, or none on error).
  void commit();

 private:
  std::string command_;
  io::OutputSet set_;
};

/// The lower-case extension of `path`'s file name with its dot ("" if none).
std::string lower_extension(const std::string& path);

/// Flushes and checks standard output (every printf before it included: the
/// stream's error flag is sticky). Throws std::runtime_error ("cannot write
/// to standard output: ...") on failure, e.g. a full disk or /dev/full.
void check_stdout();

}  // namespace crossview::cli
