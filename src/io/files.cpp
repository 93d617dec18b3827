#include <crossview/io/error.hpp>
#include <crossview/io/files.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <stdexcept>
#include <utility>

namespace crossview::io {

namespace fs = std::filesystem;

namespace {

constexpr std::uint64_t kMiB = 1024ull * 1024ull;
constexpr std::size_t kNumKinds = 6;

struct LimitTable {
  std::array<std::atomic<std::uint64_t>, kNumKinds> bytes;
  LimitTable() {
    for (std::size_t k = 0; k < kNumKinds; ++k) {
      bytes[k].store(default_max_file_bytes(static_cast<FileKind>(k)));
    }
  }
};

std::array<std::atomic<std::uint64_t>, kNumKinds>& limits() {
  static LimitTable table;
  return table.bytes;
}

std::size_t kind_index(FileKind kind) {
  const auto i = static_cast<std::size_t>(kind);
  if (i >= kNumKinds) throw std::invalid_argument("io: unknown FileKind");
  return i;
}

std::string errno_text(int err) { return std::strerror(err); }

std::string describe_mode(mode_t m) {
  if (S_ISDIR(m)) return "a directory";
  if (S_ISCHR(m)) return "a character device";
  if (S_ISBLK(m)) return "a block device";
  if (S_ISFIFO(m)) return "a FIFO (named pipe)";
  if (S_ISSOCK(m)) return "a socket";
  if (S_ISLNK(m)) return "a symbolic link";
  return "not a regular file";
}

std::string size_text(std::uint64_t bytes) {
  if (bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
  return std::to_string(bytes) + " bytes";
}

void check_size(const std::string& path, std::uint64_t size, FileKind kind) {
  const std::uint64_t limit = max_file_bytes(kind);
  if (size > limit) {
    throw IoError(path, "",
                  "file is larger than the " + size_text(limit) + " limit for " + to_string(kind) +
                      " files (" + std::to_string(size) +
                      " bytes; raise it with io::set_max_file_bytes or the CLI's --max-input-mb)");
  }
}

/// Closes a descriptor on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& o) noexcept : fd(o.release()) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  int release() {
    const int f = fd;
    fd = -1;
    return f;
  }
};

std::string random_suffix() {
  static const char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
  thread_local std::mt19937_64 rng([] {
    std::random_device rd;
    return (static_cast<std::uint64_t>(rd()) << 32) ^ rd() ^
           static_cast<std::uint64_t>(::getpid()) * 0x9E3779B97F4A7C15ull;
  }());
  std::string s(12, 'x');
  for (char& c : s) c = kAlphabet[rng() % (sizeof(kAlphabet) - 1)];
  return s;
}

/// A temporary name beside `target`: ".cv-<up to 40 chars of the name>-<random>.tmp",
/// short enough for any file name the filesystem accepts as the target.
fs::path temporary_beside(const fs::path& target) {
  std::string stem = target.filename().string().substr(0, 40);
  return target.parent_path() / (".cv-" + stem + "-" + random_suffix() + ".tmp");
}

fs::path folder_of(const std::string& path) {
  const fs::path p(path);
  return p.has_parent_path() ? p.parent_path() : fs::path(".");
}

void write_all(int fd, std::string_view content, const std::string& shown) {
  const char* data = content.data();
  std::size_t left = content.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(shown, "", "write error: " + errno_text(errno));
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
}

/// Creates `path` exclusively (never follows or reuses an existing entry) and
/// writes `content`, synced and closed with every error checked. The file is
/// removed again on failure. Permissions: 0666 less the umask, or exactly
/// `keep_mode` when >= 0 (the permissions of the file it will replace).
void create_exclusive(const fs::path& path, std::string_view content, const std::string& shown,
                      int keep_mode = -1) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666));
  if (fd.fd < 0) {
    throw IoError(shown, "", "cannot create a temporary file in its folder: " + errno_text(errno));
  }
  try {
    if (keep_mode >= 0) ::fchmod(fd.fd, static_cast<mode_t>(keep_mode));
    write_all(fd.fd, content, shown);
    if (::fsync(fd.fd) != 0) throw IoError(shown, "", "cannot sync: " + errno_text(errno));
  } catch (...) {
    ::unlink(path.c_str());
    throw;
  }
  if (::close(fd.release()) != 0) {
    const int err = errno;
    ::unlink(path.c_str());
    throw IoError(shown, "", "write error on close: " + errno_text(err));
  }
}

struct Identity {
  dev_t dev = 0;
  ino_t ino = 0;
  bool operator==(const Identity& o) const { return dev == o.dev && ino == o.ino; }
};

}  // namespace

std::uint64_t default_max_file_bytes(FileKind kind) {
  switch (kind) {
    case FileKind::kCalibration: return 64 * kMiB;
    case FileKind::kKeypoints: return 1024 * kMiB;
    case FileKind::kConfig: return 16 * kMiB;
    case FileKind::kSequence: return 4096 * kMiB;
    case FileKind::kArray: return 65536 * kMiB;
    case FileKind::kModel: return 1024 * kMiB;
  }
  throw std::invalid_argument("io: unknown FileKind");
}

std::uint64_t max_file_bytes(FileKind kind) { return limits()[kind_index(kind)].load(); }

void set_max_file_bytes(FileKind kind, std::uint64_t bytes) {
  if (bytes < 1) throw std::invalid_argument("io::set_max_file_bytes: bytes must be >= 1");
  limits()[kind_index(kind)].store(bytes);
}

namespace {
/// Opens `path` for reading without blocking (a FIFO with no writer would
/// block a plain open) and checks it is a regular file within the limit.
Fd open_checked(const std::string& path, FileKind kind, struct stat* st) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (fd.fd < 0) throw IoError(path, "", "cannot open file for reading: " + errno_text(errno));
  if (::fstat(fd.fd, st) != 0) throw IoError(path, "", "cannot stat: " + errno_text(errno));
  if (!S_ISREG(st->st_mode)) {
    throw IoError(path, "", "expected a regular file, got " + describe_mode(st->st_mode));
  }
  check_size(path, static_cast<std::uint64_t>(st->st_size), kind);
  return fd;
}
}  // namespace

void check_input_file(const std::string& path, FileKind kind) {
  struct stat st {};
  (void)open_checked(path, kind, &st);
}

std::string read_file(const std::string& path, FileKind kind) {
  struct stat st {};
  Fd fd = open_checked(path, kind, &st);
  // Regular files never block; clear O_NONBLOCK anyway for plain reads.
  const int flags = ::fcntl(fd.fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd.fd, F_SETFL, flags & ~O_NONBLOCK);
  std::string out;
  out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd.fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError(path, "", "read error: " + errno_text(errno));
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
    // The file may grow while it is read: the limit holds for what is read.
    check_size(path, out.size(), kind);
  }
  return out;
}

// ---------------------------------------------------------------------------
struct OutputSet::Impl {
  struct Output {
    std::string path;        // as given
    fs::path target;         // as given, as a path
    bool folder = false;
    bool replace = false;    // folder: replace an existing export
    bool existed = false;    // the target existed when declared
    int keep_mode = -1;      // permissions of the file it replaces (-1: new file)
    fs::path staged;         // temporary file or folder; empty until staged
  };
  std::vector<Identity> inputs;
  std::vector<Output> outputs;
  bool committed = false;

  Output* find(const std::string& path) {
    for (Output& o : outputs) {
      if (o.path == path) return &o;
    }
    return nullptr;
  }

  Output& declared(const std::string& path, bool folder) {
    Output* o = find(path);
    if (o == nullptr || o->folder != folder) {
      throw std::invalid_argument("io::OutputSet: '" + path + "' was not declared as an output " +
                                  (folder ? "folder" : "file"));
    }
    return *o;
  }

  /// The checks shared by declare() and commit(): the target is absent or may be replaced.
  void check_target(const Output& o) const {
    struct stat st {};
    if (::lstat(o.target.c_str(), &st) != 0) {
      if (errno == ENOENT) return;
      throw IoError(o.path, "", "cannot inspect the output: " + errno_text(errno));
    }
    if (o.folder) {
      if (!S_ISDIR(st.st_mode)) {
        throw IoError(o.path, "", "the output folder exists and is " + describe_mode(st.st_mode));
      }
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      throw IoError(o.path, "",
                    "the output exists and is " + describe_mode(st.st_mode) +
                        "; crossview replaces only regular files (name a new file instead)");
    }
    const Identity id{st.st_dev, st.st_ino};
    for (const Identity& in : inputs) {
      if (in == id) {
        throw IoError(o.path, "", "the output is one of this run's inputs; writing it would destroy "
                                  "the input (name another output file)");
      }
    }
  }

  void remove_staged(Output& o) noexcept {
    if (o.staged.empty()) return;
    std::error_code ec;
    if (o.folder) {
      fs::remove_all(o.staged, ec);
    } else {
      fs::remove(o.staged, ec);
    }
    o.staged.clear();
  }
};

OutputSet::OutputSet() : impl_(std::make_unique<Impl>()) {}

OutputSet::~OutputSet() { abort(); }

void OutputSet::protect_input(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  impl_->inputs.push_back({st.st_dev, st.st_ino});
  for (const Impl::Output& o : impl_->outputs) impl_->check_target(o);
}

void OutputSet::protect_input_folder(const std::string& folder) {
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) protect_input(it->path().string());
  }
}

void OutputSet::declare(const std::string& path) {
  if (path.empty()) throw IoError(path, "", "the output file name is empty");
  if (impl_->committed) throw std::invalid_argument("io::OutputSet: declare() after commit()");
  if (impl_->find(path) != nullptr) {
    throw IoError(path, "", "the same output is named twice");
  }
  Impl::Output o;
  o.path = path;
  o.target = fs::path(path);
  if (!o.target.has_filename() || o.target.filename() == "." || o.target.filename() == "..") {
    throw IoError(path, "", "the output must name a file, not a folder");
  }
  const fs::path dir = folder_of(path);
  struct stat dst {};
  if (::stat(dir.c_str(), &dst) != 0 || !S_ISDIR(dst.st_mode)) {
    throw IoError(path, "", "the output's folder '" + dir.string() + "' does not exist");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    throw IoError(path, "", "the output's folder '" + dir.string() + "' is not writable");
  }
  impl_->check_target(o);
  struct stat st {};
  if (::lstat(o.target.c_str(), &st) == 0) {
    o.existed = true;
    o.keep_mode = static_cast<int>(st.st_mode & 07777);
  }
  // Two outputs that are the same existing file under two names.
  for (const Impl::Output& other : impl_->outputs) {
    struct stat a {}, b {};
    if (!other.folder && ::lstat(other.target.c_str(), &a) == 0 && o.existed &&
        ::lstat(o.target.c_str(), &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino) {
      throw IoError(path, "", "the same output is named twice ('" + other.path + "')");
    }
  }
  impl_->outputs.push_back(std::move(o));
}

void OutputSet::declare_folder(const std::string& path, bool replace) {
  if (path.empty()) throw IoError(path, "", "the output folder name is empty");
  if (impl_->committed) throw std::invalid_argument("io::OutputSet: declare_folder() after commit()");
  if (impl_->find(path) != nullptr) throw IoError(path, "", "the same output is named twice");
  Impl::Output o;
  o.path = path;
  o.target = fs::path(path);
  if (!o.target.has_filename()) o.target = o.target.parent_path();  // "dir/" -> "dir"
  o.folder = true;
  o.replace = replace;
  const fs::path parent = o.target.has_parent_path() ? o.target.parent_path() : fs::path(".");
  struct stat pst {};
  if (::stat(parent.c_str(), &pst) != 0 || !S_ISDIR(pst.st_mode)) {
    throw IoError(path, "", "the output folder's parent '" + parent.string() + "' does not exist");
  }
  impl_->check_target(o);
  std::error_code ec;
  if (fs::exists(o.target, ec)) {
    o.existed = true;
    const bool empty = fs::is_empty(o.target, ec);
    if (!empty) {
      if (!replace) {
        throw IoError(path, "", "the output folder exists and is not empty (its old files would mix "
                                "with the new ones); name a new folder or ask to replace it");
      }
      if (!fs::is_regular_file(o.target / kExportManifest, ec)) {
        throw IoError(path, "", std::string("the output folder is not empty and was not written by "
                                            "crossview (no ") +
                                    kExportManifest + "); refusing to replace it");
      }
    }
  }
  impl_->outputs.push_back(std::move(o));
}

void OutputSet::stage(const std::string& path, std::string_view content) {
  Impl::Output& o = impl_->declared(path, false);
  impl_->remove_staged(o);
  const fs::path tmp = temporary_beside(o.target);
  create_exclusive(tmp, content, path, o.keep_mode);
  o.staged = tmp;
}

void OutputSet::stage_in_folder(const std::string& folder, const std::string& relative,
                                std::string_view content) {
  Impl::Output& o = impl_->declared(folder, true);
  const fs::path rel(relative);
  if (relative.empty() || rel.is_absolute()) {
    throw std::invalid_argument("io::OutputSet: '" + relative + "' must be a relative file name");
  }
  for (const fs::path& part : rel) {
    if (part == ".." || part == ".") {
      throw std::invalid_argument("io::OutputSet: '" + relative + "' must not contain '.' or '..'");
    }
  }
  if (o.staged.empty()) {
    const fs::path tmp = temporary_beside(o.target);
    if (::mkdir(tmp.c_str(), 0777) != 0) {
      throw IoError(folder, "", "cannot create a temporary folder beside it: " + errno_text(errno));
    }
    o.staged = tmp;
  }
  const fs::path file = o.staged / rel;
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  if (ec) throw IoError(folder, relative, "cannot create the folder: " + ec.message());
  fs::remove(file, ec);
  create_exclusive(file, content, (fs::path(folder) / rel).string());
}

void OutputSet::commit() {
  Impl& s = *impl_;
  if (s.committed) throw std::invalid_argument("io::OutputSet: commit() called twice");
  for (Impl::Output& o : s.outputs) {
    if (o.staged.empty()) {
      throw IoError(o.path, "", "internal error: the output was declared but never written");
    }
    s.check_target(o);
  }
  std::vector<std::string> done;
  for (Impl::Output& o : s.outputs) {
    std::error_code ec;
    if (o.folder && fs::exists(o.target, ec)) {
      // Swap: the old folder aside, the new one in, the old one removed.
      const fs::path old = temporary_beside(o.target);
      if (std::rename(o.target.c_str(), old.c_str()) != 0) {
        throw IoError(o.path, "", "cannot move the old folder aside: " + errno_text(errno) +
                                      (done.empty() ? "" : " (already written: " + done.front() + " ...)"));
      }
      if (std::rename(o.staged.c_str(), o.target.c_str()) != 0) {
        const int err = errno;
        std::rename(old.c_str(), o.target.c_str());
        throw IoError(o.path, "", "cannot move the new folder in: " + errno_text(err));
      }
      fs::remove_all(old, ec);
    } else if (std::rename(o.staged.c_str(), o.target.c_str()) != 0) {
      throw IoError(o.path, "", "cannot move the output into place: " + errno_text(errno) +
                                    (done.empty() ? "" : " (already written: " + done.front() + " ...)"));
    }
    o.staged.clear();
    done.push_back(o.path);
  }
  s.committed = true;
}

void OutputSet::abort() noexcept {
  if (!impl_) return;
  for (Impl::Output& o : impl_->outputs) impl_->remove_staged(o);
}

void write_file(const std::string& path, std::string_view content,
                const std::vector<std::string>& inputs) {
  OutputSet out;
  for (const std::string& in : inputs) out.protect_input(in);
  out.declare(path);
  out.stage(path, content);
  out.commit();
}

}  // namespace crossview::io
