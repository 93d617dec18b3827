// crossview::io files: bounded reads of regular files only, and outputs that
// replace nothing but the named regular file, all or none.
#include <crossview/io/files.hpp>

#include "io_test_util.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;
using crossview::io::FileKind;
using crossview::io::IoError;
using crossview::io::OutputSet;
using io_test::TempFile;

namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void spit(const fs::path& p, const std::string& s) { std::ofstream(p, std::ios::binary) << s; }

/// Files in `dir` whose name starts with ".cv-" (staging leftovers).
int leftovers(const fs::path& dir) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().filename().string().rfind(".cv-", 0) == 0) ++n;
  }
  return n;
}

template <typename F>
std::string io_error_of(F&& f) {
  try {
    f();
  } catch (const IoError& e) {
    return e.what();
  }
  return "";
}

/// Restores a kind's limit when the test ends.
struct LimitGuard {
  FileKind kind;
  std::uint64_t saved;
  explicit LimitGuard(FileKind k) : kind(k), saved(crossview::io::max_file_bytes(k)) {}
  ~LimitGuard() { crossview::io::set_max_file_bytes(kind, saved); }
};

}  // namespace

TEST_CASE("io files: read_file reads regular files and refuses every other kind", "[io][files]") {
  TempFile f("a.json", "{\"x\": 1}");
  CHECK(crossview::io::read_file(f.path(), FileKind::kCalibration) == "{\"x\": 1}");

  const std::string missing = f.dir() + "/missing.json";
  CHECK(io_error_of([&] { crossview::io::read_file(missing, FileKind::kCalibration); })
            .find("cannot open") != std::string::npos);
  CHECK(io_error_of([&] { crossview::io::read_file(f.dir(), FileKind::kCalibration); })
            .find("a directory") != std::string::npos);
  // /dev/zero would grow without bound: a device is refused before any read.
  CHECK(io_error_of([&] { crossview::io::read_file("/dev/zero", FileKind::kCalibration); })
            .find("character device") != std::string::npos);
  // A FIFO with no writer must neither block nor be read.
  const std::string fifo = f.dir() + "/pipe.json";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  const auto t0 = std::chrono::steady_clock::now();
  CHECK(io_error_of([&] { crossview::io::read_file(fifo, FileKind::kKeypoints); }).find("FIFO") !=
        std::string::npos);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(5));
  CHECK(io_error_of([&] { crossview::io::check_input_file(fifo, FileKind::kKeypoints); }).find("FIFO") !=
        std::string::npos);
}

TEST_CASE("io files: size limits per kind, raised by an option", "[io][files]") {
  LimitGuard guard(FileKind::kConfig);
  TempFile f("big.toml", std::string(1000, 'x'));
  crossview::io::set_max_file_bytes(FileKind::kConfig, 999);
  const std::string msg = io_error_of([&] { crossview::io::read_file(f.path(), FileKind::kConfig); });
  CHECK(msg.find("larger than the 999 bytes limit for config files") != std::string::npos);
  CHECK(msg.find("--max-input-mb") != std::string::npos);
  crossview::io::set_max_file_bytes(FileKind::kConfig, 1000);
  CHECK(crossview::io::read_file(f.path(), FileKind::kConfig).size() == 1000);
  // Other kinds keep their own limits.
  CHECK(crossview::io::read_file(f.path(), FileKind::kCalibration).size() == 1000);
  CHECK_THROWS_AS(crossview::io::set_max_file_bytes(FileKind::kConfig, 0), std::invalid_argument);
  CHECK(crossview::io::default_max_file_bytes(FileKind::kCalibration) == 64ull << 20);
}

TEST_CASE("io files: write_file creates and replaces regular files only", "[io][files]") {
  TempFile dir("seed.txt", "seed");
  const fs::path out = fs::path(dir.dir()) / "out.json";
  crossview::io::write_file(out.string(), "one");
  CHECK(slurp(out) == "one");
  ::chmod(out.c_str(), 0640);
  crossview::io::write_file(out.string(), "two");
  CHECK(slurp(out) == "two");
  struct stat st {};
  REQUIRE(::stat(out.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);  // the replaced file's permissions are kept
  CHECK(leftovers(dir.dir()) == 0);

  // Devices, FIFOs, directories and symlinks are never replaced (a rename would
  // replace the node or the link itself).
  CHECK(io_error_of([&] { crossview::io::write_file("/dev/null", "x"); }).find("character device") !=
        std::string::npos);
  CHECK(fs::is_character_file("/dev/null"));
  const fs::path fifo = fs::path(dir.dir()) / "pipe.json";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(io_error_of([&] { crossview::io::write_file(fifo.string(), "x"); }).find("FIFO") != std::string::npos);
  CHECK(fs::is_fifo(fifo));
  const fs::path sub = fs::path(dir.dir()) / "sub";
  fs::create_directory(sub);
  CHECK(io_error_of([&] { crossview::io::write_file(sub.string(), "x"); }).find("directory") !=
        std::string::npos);
  const fs::path link = fs::path(dir.dir()) / "link.json";
  fs::create_symlink(out, link);
  CHECK(io_error_of([&] { crossview::io::write_file(link.string(), "x"); }).find("symbolic link") !=
        std::string::npos);
  CHECK(fs::is_symlink(link));
  CHECK(slurp(out) == "two");

  // Names: empty, missing folder, a name that is a folder path.
  CHECK(io_error_of([&] { crossview::io::write_file("", "x"); }).find("empty") != std::string::npos);
  CHECK(io_error_of([&] { crossview::io::write_file(dir.dir() + "/nope/out.json", "x"); })
            .find("does not exist") != std::string::npos);
  // A 250-character name works: the temporary name stays short.
  const fs::path longname = fs::path(dir.dir()) / (std::string(245, 'n') + ".json");
  crossview::io::write_file(longname.string(), "long");
  CHECK(slurp(longname) == "long");
  CHECK(leftovers(dir.dir()) == 0);
}

TEST_CASE("io files: an output that is an input is refused, whatever its name", "[io][files]") {
  TempFile in("calib.json", "calibration");
  const fs::path hard = fs::path(in.dir()) / "hardlink.json";
  fs::create_hard_link(in.path(), hard);
  CHECK(io_error_of([&] { crossview::io::write_file(in.path(), "x", {in.path()}); })
            .find("one of this run's inputs") != std::string::npos);
  CHECK(io_error_of([&] { crossview::io::write_file(hard.string(), "x", {in.path()}); })
            .find("one of this run's inputs") != std::string::npos);
  const std::string dotted = in.dir() + "/./calib.json";
  CHECK(io_error_of([&] { crossview::io::write_file(dotted, "x", {in.path()}); })
            .find("one of this run's inputs") != std::string::npos);
  CHECK(slurp(in.path()) == "calibration");
  // Inputs protected after the output was declared are checked too.
  OutputSet set;
  set.declare(in.path());
  CHECK(io_error_of([&] { set.protect_input(in.path()); }).find("inputs") != std::string::npos);
  // A folder of inputs.
  OutputSet set2;
  set2.protect_input_folder(in.dir());
  CHECK(io_error_of([&] { set2.declare(hard.string()); }).find("inputs") != std::string::npos);
}

TEST_CASE("io files: all outputs or none, no temporary left behind", "[io][files]") {
  TempFile dir("keep.txt", "keep");
  const fs::path a = fs::path(dir.dir()) / "a.json";
  const fs::path b = fs::path(dir.dir()) / "b.trc";
  spit(a, "old a");
  {
    OutputSet set;
    set.declare(a.string());
    set.declare(b.string());
    CHECK(io_error_of([&] { set.declare(a.string()); }).find("named twice") != std::string::npos);
    set.stage(a.string(), "new a");
    // Staged content is not visible yet.
    CHECK(slurp(a) == "old a");
    CHECK(leftovers(dir.dir()) == 1);
    // b was never written (the run failed): commit refuses, a keeps its content.
    CHECK(io_error_of([&] { set.commit(); }).find("never written") != std::string::npos);
    CHECK(slurp(a) == "old a");
    CHECK_FALSE(fs::exists(b));
  }  // the destructor removes the staged temporary
  CHECK(leftovers(dir.dir()) == 0);
  {
    OutputSet set;
    set.declare(a.string());
    set.declare(b.string());
    set.stage(a.string(), "new a");
    set.stage(b.string(), "new b");
    set.commit();
  }
  CHECK(slurp(a) == "new a");
  CHECK(slurp(b) == "new b");
  CHECK(leftovers(dir.dir()) == 0);
  // A target that became a device / FIFO between declare and commit is not replaced.
  {
    OutputSet set;
    const fs::path c = fs::path(dir.dir()) / "c.json";
    set.declare(c.string());
    set.stage(c.string(), "c");
    REQUIRE(::mkfifo(c.c_str(), 0600) == 0);
    CHECK(io_error_of([&] { set.commit(); }).find("FIFO") != std::string::npos);
    CHECK(fs::is_fifo(c));
  }
  CHECK(leftovers(dir.dir()) == 0);
}

TEST_CASE("io files: concurrent writers of one output each leave a complete file", "[io][files]") {
  TempFile dir("x", "x");
  const fs::path out = fs::path(dir.dir()) / "shared.json";
  const std::string one(1 << 20, '1');
  const std::string two(1 << 20, '2');
  for (int round = 0; round < 5; ++round) {
    std::thread t1([&] { crossview::io::write_file(out.string(), one); });
    std::thread t2([&] { crossview::io::write_file(out.string(), two); });
    t1.join();
    t2.join();
    const std::string got = slurp(out);
    CHECK((got == one || got == two));
  }
  CHECK(leftovers(dir.dir()) == 0);
  // A symlink planted at the old predictable temporary name is not followed.
  const fs::path victim = fs::path(dir.dir()) / "victim.txt";
  spit(victim, "victim");
  fs::create_symlink(victim, fs::path(dir.dir()) / "shared.json.partial");
  crossview::io::write_file(out.string(), "safe");
  CHECK(slurp(victim) == "victim");
  CHECK(slurp(out) == "safe");
}

TEST_CASE("io files: output folders are new, empty, or a crossview export replaced whole", "[io][files]") {
  TempFile parent("x", "x");
  const fs::path exp = fs::path(parent.dir()) / "export";
  {
    OutputSet set;
    set.declare_folder(exp.string(), false);
    set.stage_in_folder(exp.string(), crossview::io::kExportManifest, "{}");
    set.stage_in_folder(exp.string(), "keypoints/cam1/f0.json", "new frame 0");
    set.stage_in_folder(exp.string(), "keypoints/cam1/f1.json", "new frame 1");
    CHECK_FALSE(fs::exists(exp));
    set.commit();
  }
  CHECK(slurp(exp / "keypoints/cam1/f1.json") == "new frame 1");
  // Exists and not empty: refused without replace.
  {
    OutputSet set;
    CHECK(io_error_of([&] { set.declare_folder(exp.string(), false); }).find("not empty") !=
          std::string::npos);
  }
  // Replaced as a whole: no old frame survives.
  {
    OutputSet set;
    set.declare_folder(exp.string(), true);
    set.stage_in_folder(exp.string(), crossview::io::kExportManifest, "{}");
    set.stage_in_folder(exp.string(), "keypoints/cam1/f0.json", "newer frame 0");
    set.commit();
  }
  CHECK(slurp(exp / "keypoints/cam1/f0.json") == "newer frame 0");
  CHECK_FALSE(fs::exists(exp / "keypoints/cam1/f1.json"));
  CHECK(leftovers(parent.dir()) == 0);
  // A folder crossview did not write is never replaced, even when asked.
  const fs::path mine = fs::path(parent.dir()) / "mine";
  fs::create_directory(mine);
  spit(mine / "thesis.tex", "precious");
  {
    OutputSet set;
    CHECK(io_error_of([&] { set.declare_folder(mine.string(), true); }).find("not written by crossview") !=
          std::string::npos);
  }
  CHECK(slurp(mine / "thesis.tex") == "precious");
  // An empty folder is fine; relative names must stay inside.
  const fs::path empty = fs::path(parent.dir()) / "empty";
  fs::create_directory(empty);
  OutputSet set;
  set.declare_folder(empty.string(), false);
  CHECK_THROWS_AS(set.stage_in_folder(empty.string(), "../escape.json", "x"), std::invalid_argument);
  CHECK_THROWS_AS(set.stage_in_folder(empty.string(), "/abs.json", "x"), std::invalid_argument);
  set.stage_in_folder(empty.string(), "ok.json", "ok");
  set.commit();
  CHECK(slurp(empty / "ok.json") == "ok");
  CHECK_FALSE(fs::exists(fs::path(parent.dir()) / "escape.json"));
}
