// crossview::io .npy reader / writer: round trip, float64, version 2 header,
// and every documented error (truncated data / header, bad magic, Fortran
// order, wrong dtype, malformed / huge shape, unsupported version).
#include "io_test_util.hpp"

#include <crossview/io/npy.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace {

using crossview::io::NpyArray;
using io_test::require_io_error;

/// A .npy file by hand: `version` 1 (2-byte header length) or 2/3 (4 bytes),
/// dictionary `dict` padded so the data starts on a 64-byte boundary.
std::string npy_bytes(int version, const std::string& dict, const std::string& data) {
  const std::size_t prefix = version == 1 ? 10 : 12;
  std::string header = dict;
  while ((prefix + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(version);
  out += static_cast<char>(0);
  const std::size_t n = header.size();
  for (std::size_t i = 0; i < prefix - 8; ++i) out += static_cast<char>((n >> (8 * i)) & 0xff);
  return out + header + data;
}

template <typename T>
std::string raw(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

}  // namespace

TEST_CASE("io npy: float32 round trip through a file keeps shape and bits", "[io][npy]") {
  const std::vector<std::int64_t> shape{2, 3, 4};
  std::vector<float> values(24);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = 0.25f * static_cast<float>(i) - 1.0f;
  values[5] = std::numeric_limits<float>::quiet_NaN();
  values[6] = std::numeric_limits<float>::denorm_min();
  io_test::TempFile file("maps.npy", "");
  crossview::io::write_npy(file.path(), shape, values);
  const NpyArray a = crossview::io::read_npy(file.path());
  CHECK(a.shape == shape);
  REQUIRE(a.values.size() == values.size());
  CHECK(std::memcmp(a.values.data(), values.data(), values.size() * sizeof(float)) == 0);
  CHECK(a.size() == 24);
  // The header of format_npy is padded so the data is 64-byte aligned.
  const std::string bytes = crossview::io::format_npy(shape, values);
  CHECK((bytes.size() - 24 * sizeof(float)) % 64 == 0);
  // 1-d shapes are written as 1-tuples and read back.
  const NpyArray b = crossview::io::parse_npy(crossview::io::format_npy({3}, {1.f, 2.f, 3.f}));
  CHECK(b.shape == std::vector<std::int64_t>{3});
  CHECK(b.values == std::vector<float>{1.f, 2.f, 3.f});
}

TEST_CASE("io npy: float64 is converted to float, out-of-range values to infinity", "[io][npy]") {
  const std::vector<double> v{0.5, -2.0, 1e300, -1e300, 3.0};
  const NpyArray a =
      crossview::io::parse_npy(npy_bytes(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (5,), }", raw(v)));
  REQUIRE(a.values.size() == 5);
  CHECK(a.values[0] == 0.5f);
  CHECK(a.values[1] == -2.0f);
  CHECK(a.values[2] == std::numeric_limits<float>::infinity());
  CHECK(a.values[3] == -std::numeric_limits<float>::infinity());
  CHECK(a.values[4] == 3.0f);
}

TEST_CASE("io npy: version 2 and 3 headers (4-byte header length) are read", "[io][npy]") {
  const std::vector<float> v{1.f, 2.f, 3.f, 4.f};
  for (int version : {2, 3}) {
    INFO("version " << version);
    const NpyArray a = crossview::io::parse_npy(
        npy_bytes(version, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }", raw(v)));
    CHECK(a.shape == std::vector<std::int64_t>{2, 2});
    CHECK(a.values == v);
  }
  // 0-d array: one value.
  const NpyArray s =
      crossview::io::parse_npy(npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (), }", raw(v)));
  CHECK(s.shape.empty());
  CHECK(s.values == std::vector<float>{1.f});
}

TEST_CASE("io npy: errors name file, field and expectation", "[io][npy]") {
  const std::string good_dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
  const std::string six(6 * sizeof(float), '\0');
  SECTION("truncated data") {
    io_test::TempFile file("t.npy", npy_bytes(1, good_dict, six.substr(0, 23)));
    require_io_error([&] { crossview::io::read_npy(file.path()); }, file.path(), "data", "truncated data");
  }
  SECTION("truncated header") {
    const std::string full = npy_bytes(1, good_dict, six);
    require_io_error([&] { crossview::io::parse_npy(full.substr(0, 40), "h.npy"); }, "h.npy", "header",
                     "truncated header");
    require_io_error([&] { crossview::io::parse_npy(full.substr(0, 8), "h.npy"); }, "h.npy", "header",
                     "truncated header");
  }
  SECTION("bad magic") {
    std::string bytes = npy_bytes(1, good_dict, six);
    bytes[1] = 'X';
    require_io_error([&] { crossview::io::parse_npy(bytes, "m.npy"); }, "m.npy", "magic", "not a .npy file");
    require_io_error([&] { crossview::io::parse_npy("", "m.npy"); }, "m.npy", "magic", "not a .npy file");
  }
  SECTION("fortran order") {
    const std::string bytes = npy_bytes(1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", six);
    require_io_error([&] { crossview::io::parse_npy(bytes, "f.npy"); }, "f.npy", "header.fortran_order",
                     "Fortran-ordered");
  }
  SECTION("wrong dtype") {
    for (const char* descr : {"'<i4'", "'>f4'", "'<f2'", "'|u1'"}) {
      INFO(descr);
      const std::string bytes =
          npy_bytes(1, std::string("{'descr': ") + descr + ", 'fortran_order': False, 'shape': (2, 3), }", six);
      require_io_error([&] { crossview::io::parse_npy(bytes, "d.npy"); }, "d.npy", "header.descr",
                       "is not supported");
    }
    const std::string missing = npy_bytes(1, "{'fortran_order': False, 'shape': (2, 3), }", six);
    require_io_error([&] { crossview::io::parse_npy(missing, "d.npy"); }, "d.npy", "header.descr", "(missing)");
  }
  SECTION("malformed, negative and huge shapes") {
    for (const char* shape : {"(2, -3)", "(2, x)", "[2, 3]", "(99999999999999999999,)"}) {
      INFO(shape);
      const std::string bytes =
          npy_bytes(1, std::string("{'descr': '<f4', 'fortran_order': False, 'shape': ") + shape + ", }", six);
      require_io_error([&] { crossview::io::parse_npy(bytes, "s.npy"); }, "s.npy", "header.shape", "expected");
    }
    // Product overflow guard: each dimension fine, the product far beyond 2^30.
    const std::string huge =
        npy_bytes(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }", six);
    require_io_error([&] { crossview::io::parse_npy(huge, "s.npy"); }, "s.npy", "header.shape", "too large");
  }
  SECTION("unsupported version and missing file") {
    require_io_error([&] { crossview::io::parse_npy(npy_bytes(1, good_dict, six).replace(6, 1, "\x04"), "v.npy"); },
                     "v.npy", "version", "unsupported");
    require_io_error([&] { crossview::io::read_npy("/nonexistent/crossview/x.npy"); },
                     "/nonexistent/crossview/x.npy", "", "cannot open");
  }
  SECTION("writer rejects a shape that does not match the values") {
    CHECK_THROWS_AS(crossview::io::format_npy({2, 2}, {1.f, 2.f, 3.f}), std::invalid_argument);
    CHECK_THROWS_AS(crossview::io::format_npy({-1}, {}), std::invalid_argument);
    require_io_error([&] { crossview::io::write_npy("/nonexistent/crossview/x.npy", {1}, {1.f}); },
                     "/nonexistent/crossview/x.npy", "", "folder '/nonexistent/crossview' does not exist");
  }
}
