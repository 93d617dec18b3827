// Fuzzes crossview's own HDF5 logic (src/io/hdf5_keypoints.cpp) through
// io::read_deeplabcut_h5 and io::read_sleap_analysis_h5.
//
// Why structured: the files are parsed by libhdf5, which is not hardened
// against malformed or hostile files (the HDF5 project says so; many CVEs).
// Mutating the bytes of an .h5 file only fuzzes libhdf5 (it crashed inside
// H5C_protect and strdup within ~1000 inputs) and cannot be fixed in
// crossview. So the fuzz bytes here drive the *construction* of a well-formed
// HDF5 file written with the libhdf5 C API; what is fuzzed is crossview's
// reading of it: dataset presence, ranks, shapes and types, the values (NaN,
// Inf, huge, negative), DeepLabCut's MultiIndex levels / codes, and the
// protocol-0 unpickler of pandas' column labels (the attribute bytes are
// fuzzed freely).
//
// Invariants: only io::IoError escapes; an accepted sequence has joint names
// = num_joints >= 1, every person has num_joints columns and scores,
// scores >= 0, NaN pixels exactly where the score is 0 (finite pixels
// elsewhere), strictly increasing frame numbers, limbs inside [0, J), and one
// frame per row / SLEAP frame written.
//
// Byte format (read front to back by Bytes below; past the end every read
// gives 0 / empty). u8 = one byte, u16 = two bytes little endian,
// str = u8 length n then n bytes, blob = u16 length n then n bytes,
// val = one double: tag u8, tag % 8 = 0: 0.0 | 1: NaN | 2: +Inf | 3: -Inf |
//   4: u8 / 255 | 5: u16 / 64 | 6: int8 (signed) | 7: 8 raw IEEE bytes (LE).
// dims(default) = flag bit chooses default dims, else rank u8 % 6 then each
//   dim u8 % 6 (rank 0 = scalar dataspace).
// Every numeric dataset is: [dims] then product(dims) vals, stored as float64
// (or int32 / uint8 where noted: then the val is saturated to that type).
//
//   u8 layout % 3: 0 SLEAP, 1 DeepLabCut 'frame', 2 DeepLabCut 'frame_table'
//   (both readers run on every file, whatever the layout)
//
//   SLEAP:   u8 flags (1 track_names, 2 point_scores, 4 edge_inds, 8 tracks
//              dims fuzzed, 16 occupancy dims fuzzed, 32 point_scores dims
//              fuzzed, 64 node_names count fuzzed, 128 occupancy as uint8)
//            u8 flags2 (1 track_names count fuzzed, 2 edge_inds dims fuzzed,
//              4 node_names as variable-length strings, 8 tracks as strings,
//              16 edge_inds as int32)
//            u8 T % 4, u8 J % 5, u8 F % 6
//            node_names: [u8 count % 6 if fuzzed, else J] strs
//            tracks: [dims if fuzzed, else (T, 2, J, F)] vals
//            track_names (flag): [u8 count % 5 if fuzzed, else T] strs
//            track_occupancy: [dims if fuzzed, else (F, T)] vals
//            point_scores (flag): [dims if fuzzed, else (T, J, F)] vals
//            edge_inds (flag): [dims if fuzzed, else (2, u8 % 4)] vals
//   frame:   group header (below)
//            u8 flags (1 block0_values dims fuzzed, 2 axis1 dims fuzzed,
//              4 block1_values present, 8 codes as int32 (else float64),
//              16 codes dims fuzzed)
//            u8 F % 5, u8 C % 25
//            block0_values: [dims if fuzzed, else (F, C)] vals
//            axis1: [dims if fuzzed, else (F)] vals
//            u8 nlevels % 6, per level: u8 count % 6, strs (axis0_levelL),
//              then axis0_labelL: [dims if fuzzed, else (C)] vals
//   table:   group header (below)
//            u8 flags (1 no index member, 2 values member renamed, 4 values
//              as scalar float (not array), 8 values as int32 array,
//              16 values_block_1 member, 32 table dims rank 2,
//              64 kind attribute variable-length, 128 non_index_axes
//              variable-length)
//            u8 R % 5, u8 C % 25
//            R rows: index (u8 tag: odd = 8 raw bytes int64 LE, even =
//              int8 from the next byte), then C vals
//            u8 where % 4: 0 kind attribute on the table, 1 non_index_axes
//              on the group, 2 both, 3 neither; then blob (kind) and / or
//              blob (non_index_axes) as selected
//   group header: u8 g: g % 4 = 0 group 'df_with_missing', 1 a str-named
//            group, 2 a str-named group plus a second group 'other' that
//            also carries pandas_type, 3 'df_with_missing' written as a
//            dataset; u8 p % 4: pandas_type 0 = 'frame' / 'frame_table'
//            (the layout's), 1 = the other one, 2 = a str, 3 = absent
//
// Seeds: tests/fuzz/corpus/fuzz_io_hdf5_keypoints, made by
// tests/fuzz/corpus/make_hdf5_seeds.py (which mirrors this format).
#include "fuzz_common.hpp"
#include "fuzz_temp_file.hpp"

#include <crossview/io/keypoints.hpp>

#include <hdf5.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace {

using namespace crossview;

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  unsigned u8() { return pos_ < size_ ? data_[pos_++] : 0u; }
  unsigned u16() {
    const unsigned lo = u8();
    return lo | (u8() << 8);
  }
  std::string take(std::size_t n) {
    n = std::min(n, size_ - pos_);
    std::string s(reinterpret_cast<const char*>(data_ + pos_), n);
    pos_ += n;
    return s;
  }
  std::string str() { return take(u8()); }
  std::string blob() { return take(u16()); }
  double val() {
    switch (u8() % 8) {
      case 0: return 0.0;
      case 1: return std::numeric_limits<double>::quiet_NaN();
      case 2: return std::numeric_limits<double>::infinity();
      case 3: return -std::numeric_limits<double>::infinity();
      case 4: return u8() / 255.0;
      case 5: return u16() / 64.0;
      case 6: return static_cast<double>(static_cast<std::int8_t>(u8()));
      default: {
        std::uint64_t bits = 0;
        for (int k = 0; k < 8; ++k) bits |= std::uint64_t{u8()} << (8 * k);
        double v;
        std::memcpy(&v, &bits, sizeof(v));
        return v;
      }
    }
  }
  std::vector<hsize_t> dims(bool fuzzed, std::vector<hsize_t> def) {
    if (!fuzzed) return def;
    std::vector<hsize_t> d(u8() % 6);
    for (auto& x : d) x = u8() % 6;
    return d;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
};

hsize_t product(const std::vector<hsize_t>& d) {
  hsize_t n = 1;
  for (hsize_t x : d) n *= x;
  return n;
}

template <typename T>
T saturate(double v) {
  if (std::isnan(v)) return 0;
  if (v <= static_cast<double>(std::numeric_limits<T>::lowest())) return std::numeric_limits<T>::lowest();
  if (v >= static_cast<double>(std::numeric_limits<T>::max())) return std::numeric_limits<T>::max();
  return static_cast<T>(v);
}

/// Writes with the HDF5 C API; a call libhdf5 refuses (e.g. a zero-sized
/// array type) just leaves the object out of the file.
struct Writer {
  hid_t file;
  explicit Writer(const std::string& path) { file = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT); }
  ~Writer() {
    if (file >= 0) H5Fclose(file);
  }
  static hid_t space(const std::vector<hsize_t>& dims) {
    return dims.empty() ? H5Screate(H5S_SCALAR) : H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  }
  void raw(hid_t loc, const std::string& name, hid_t file_type, hid_t mem_type, const std::vector<hsize_t>& dims, const void* data) {
    const hid_t s = space(dims);
    if (s < 0) return;
    const hid_t d = H5Dcreate2(loc, name.c_str(), file_type, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (d >= 0) {
      if (product(dims) > 0) H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
      H5Dclose(d);
    }
    H5Sclose(s);
  }
  enum class Num { kF64, kI32, kU8 };
  /// Reads the values from the bytes and writes them as `num`.
  void numbers(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims, Bytes& in, Num num) {
    const auto n = static_cast<std::size_t>(product(dims));
    std::vector<double> v(n);
    for (auto& x : v) x = in.val();
    if (num == Num::kF64) {
      raw(loc, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, dims, v.data());
    } else if (num == Num::kI32) {
      std::vector<std::int32_t> w(n);
      for (std::size_t k = 0; k < n; ++k) w[k] = saturate<std::int32_t>(v[k]);
      raw(loc, name, H5T_STD_I32LE, H5T_NATIVE_INT32, dims, w.data());
    } else {
      std::vector<std::uint8_t> w(n);
      for (std::size_t k = 0; k < n; ++k) w[k] = saturate<std::uint8_t>(v[k]);
      raw(loc, name, H5T_STD_U8LE, H5T_NATIVE_UINT8, dims, w.data());
    }
  }
  void strings(hid_t loc, const std::string& name, const std::vector<std::string>& v, bool variable) {
    const hid_t type = H5Tcopy(H5T_C_S1);
    const std::vector<hsize_t> dims{v.size()};
    if (variable) {
      H5Tset_size(type, H5T_VARIABLE);
      std::vector<const char*> ptrs;
      for (const auto& s : v) ptrs.push_back(s.c_str());  // cut at an embedded NUL
      raw(loc, name, type, type, dims, ptrs.data());
    } else {
      std::size_t len = 1;
      for (const auto& s : v) len = std::max(len, s.size());
      H5Tset_size(type, len);
      std::string buf(v.size() * len, '\0');
      for (std::size_t i = 0; i < v.size(); ++i) buf.replace(i * len, v[i].size(), v[i]);
      raw(loc, name, type, type, dims, buf.data());
    }
    H5Tclose(type);
  }
  static void string_attribute(hid_t obj, const std::string& name, const std::string& value, bool variable) {
    const hid_t type = H5Tcopy(H5T_C_S1);
    const hid_t s = H5Screate(H5S_SCALAR);
    if (variable) {
      H5Tset_size(type, H5T_VARIABLE);
    } else {
      H5Tset_size(type, std::max<std::size_t>(value.size(), 1));
    }
    const hid_t a = H5Acreate2(obj, name.c_str(), type, s, H5P_DEFAULT, H5P_DEFAULT);
    if (a >= 0) {
      const char* p = value.c_str();
      std::string padded = value;
      if (padded.empty()) padded.push_back('\0');
      H5Awrite(a, type, variable ? static_cast<const void*>(&p) : static_cast<const void*>(padded.data()));
      H5Aclose(a);
    }
    H5Sclose(s);
    H5Tclose(type);
  }
};

std::vector<std::string> strs(Bytes& in, std::size_t n) {
  std::vector<std::string> v(n);
  for (auto& s : v) s = in.str();
  return v;
}

// Expected frame count of an accepted file (-1: not known).
struct Expect {
  long long sleap_frames = -1;
  long long dlc_frames = -1;
};

void write_sleap(Writer& w, Bytes& in, Expect& e) {
  const unsigned f1 = in.u8(), f2 = in.u8();
  const hsize_t T = in.u8() % 4, J = in.u8() % 5, F = in.u8() % 6;
  const std::size_t nn = (f1 & 64) ? in.u8() % 6 : J;
  w.strings(w.file, "node_names", strs(in, nn), (f2 & 4) != 0);
  if (f2 & 8) {
    w.strings(w.file, "tracks", strs(in, in.u8() % 3), false);
  } else {
    const auto td = in.dims((f1 & 8) != 0, {T, 2, J, F});
    w.numbers(w.file, "tracks", td, in, Writer::Num::kF64);
    if (td.size() == 4) e.sleap_frames = static_cast<long long>(td[3]);
  }
  if (f1 & 1) w.strings(w.file, "track_names", strs(in, (f2 & 1) ? in.u8() % 5 : T), false);
  w.numbers(w.file, "track_occupancy", in.dims((f1 & 16) != 0, {F, T}), in, (f1 & 128) ? Writer::Num::kU8 : Writer::Num::kF64);
  if (f1 & 2) w.numbers(w.file, "point_scores", in.dims((f1 & 32) != 0, {T, J, F}), in, Writer::Num::kF64);
  if (f1 & 4) {
    w.numbers(w.file, "edge_inds", in.dims((f2 & 2) != 0, {2, in.u8() % 4}), in, (f2 & 16) ? Writer::Num::kI32 : Writer::Num::kF64);
  }
}

/// The pandas group (or not); returns it open (or -1).
hid_t write_group(Writer& w, Bytes& in, bool table) {
  const unsigned g = in.u8() % 4, p = in.u8() % 4;
  std::string name = "df_with_missing";
  if (g == 1 || g == 2) {
    name = in.str();
    if (name.empty() || name.find('\0') != std::string::npos || name.find('/') != std::string::npos || name == "." || name == "other") {
      name = "frame";
    }
  }
  if (g == 3) {
    const double zero = 0.0;
    w.raw(w.file, name, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, {}, &zero);
    return -1;
  }
  const hid_t grp = H5Gcreate2(w.file, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (grp < 0) return -1;
  const std::string mine = table ? "frame_table" : "frame", other = table ? "frame" : "frame_table";
  if (p == 0) Writer::string_attribute(grp, "pandas_type", mine, false);
  if (p == 1) Writer::string_attribute(grp, "pandas_type", other, false);
  if (p == 2) Writer::string_attribute(grp, "pandas_type", in.str(), false);
  if (g == 2) {
    const hid_t o = H5Gcreate2(w.file, "other", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    if (o >= 0) {
      Writer::string_attribute(o, "pandas_type", mine, false);
      H5Gclose(o);
    }
  }
  return grp;
}

void write_dlc_fixed(Writer& w, Bytes& in, Expect& e) {
  const hid_t grp = write_group(w, in, false);
  const unsigned fl = in.u8();
  const hsize_t F = in.u8() % 5, C = in.u8() % 25;
  const hid_t loc = grp >= 0 ? grp : w.file;
  const auto vd = in.dims((fl & 1) != 0, {F, C});
  w.numbers(loc, "block0_values", vd, in, Writer::Num::kF64);
  if (vd.size() == 2) e.dlc_frames = static_cast<long long>(vd[0]);
  w.numbers(loc, "axis1", in.dims((fl & 2) != 0, {F}), in, Writer::Num::kF64);
  if (fl & 4) w.numbers(loc, "block1_values", {F, 1}, in, Writer::Num::kF64);
  const unsigned nlevels = in.u8() % 6;
  for (unsigned l = 0; l < nlevels; ++l) {
    w.strings(loc, "axis0_level" + std::to_string(l), strs(in, in.u8() % 6), false);
    w.numbers(loc, "axis0_label" + std::to_string(l), in.dims((fl & 16) != 0, {C}), in, (fl & 8) ? Writer::Num::kI32 : Writer::Num::kF64);
  }
  if (grp >= 0) H5Gclose(grp);
}

void write_dlc_table(Writer& w, Bytes& in, Expect& e) {
  const hid_t grp = write_group(w, in, true);
  const unsigned fl = in.u8();
  const hsize_t R = in.u8() % 5, C = in.u8() % 25;
  const hid_t loc = grp >= 0 ? grp : w.file;
  // Row data in memory: int64 index, then C doubles.
  const std::size_t row = sizeof(std::int64_t) + sizeof(double) * C;
  std::vector<unsigned char> rows(static_cast<std::size_t>(R) * row);
  for (hsize_t r = 0; r < R; ++r) {
    std::int64_t idx = 0;
    if (in.u8() & 1) {
      std::uint64_t bits = 0;
      for (int k = 0; k < 8; ++k) bits |= std::uint64_t{in.u8()} << (8 * k);
      std::memcpy(&idx, &bits, sizeof(idx));
    } else {
      idx = static_cast<std::int8_t>(in.u8());
    }
    std::memcpy(&rows[r * row], &idx, sizeof(idx));
    for (hsize_t c = 0; c < C; ++c) {
      const double v = in.val();
      std::memcpy(&rows[r * row + sizeof(idx) + sizeof(double) * c], &v, sizeof(v));
    }
  }
  // File type: {index: int64, values_block_0: float64[C] (or variants)}.
  const bool scalar = (fl & 4) != 0, ints = (fl & 8) != 0;
  hid_t vtype = -1;
  if (scalar) {
    vtype = H5Tcopy(ints ? H5T_STD_I32LE : H5T_IEEE_F64LE);
  } else {
    const hsize_t n = C;
    vtype = H5Tarray_create2(ints ? H5T_STD_I32LE : H5T_IEEE_F64LE, 1, &n);  // fails for C = 0
  }
  const std::size_t vsize = vtype >= 0 ? H5Tget_size(vtype) : 0;
  const std::size_t extra = (fl & 16) ? sizeof(double) : 0;
  const hid_t ftype = H5Tcreate(H5T_COMPOUND, sizeof(std::int64_t) + std::max<std::size_t>(vsize, 1) + extra);
  std::size_t off = 0;
  if (!(fl & 1)) {
    H5Tinsert(ftype, "index", 0, H5T_STD_I64LE);
  }
  off += sizeof(std::int64_t);
  if (vtype >= 0) H5Tinsert(ftype, (fl & 2) ? "values_block_9" : "values_block_0", off, vtype);
  if (fl & 16) H5Tinsert(ftype, "values_block_1", off + std::max<std::size_t>(vsize, 1), H5T_IEEE_F64LE);
  // Memory type: the same member names over the row buffer (libhdf5 converts).
  const hid_t mtype = H5Tcreate(H5T_COMPOUND, row);
  if (!(fl & 1)) H5Tinsert(mtype, "index", 0, H5T_NATIVE_INT64);
  if (C > 0) {
    const hsize_t n = C;
    const hid_t marr = H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &n);
    if (!scalar) H5Tinsert(mtype, (fl & 2) ? "values_block_9" : "values_block_0", sizeof(std::int64_t), marr);
    if (scalar) H5Tinsert(mtype, (fl & 2) ? "values_block_9" : "values_block_0", sizeof(std::int64_t), H5T_NATIVE_DOUBLE);
    H5Tclose(marr);
  }
  const std::vector<hsize_t> tdims = (fl & 32) ? std::vector<hsize_t>{R, 1} : std::vector<hsize_t>{R};
  const hid_t s = Writer::space(tdims);
  const hid_t d = H5Dcreate2(loc, "table", ftype, s, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  if (d >= 0) {
    if (R > 0 && H5Tget_nmembers(mtype) > 0) H5Dwrite(d, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data());
  }
  if (tdims.size() == 1) e.dlc_frames = static_cast<long long>(R);
  const unsigned where = in.u8() % 4;
  if ((where == 0 || where == 2)) {
    const std::string kind = in.blob();
    if (d >= 0) Writer::string_attribute(d, "values_block_0_kind", kind, (fl & 64) != 0);
  }
  if (where == 1 || where == 2) {
    const std::string nia = in.blob();
    if (grp >= 0) Writer::string_attribute(grp, "non_index_axes", nia, (fl & 128) != 0);
  }
  if (d >= 0) H5Dclose(d);
  H5Sclose(s);
  H5Tclose(mtype);
  H5Tclose(ftype);
  if (vtype >= 0) H5Tclose(vtype);
  if (grp >= 0) H5Gclose(grp);
}

void check(const io::KeypointSequence& s, long long expected_frames) {
  CROSSVIEW_FUZZ_CHECK(s.num_joints >= 1);
  CROSSVIEW_FUZZ_CHECK(s.joint_names.size() == static_cast<std::size_t>(s.num_joints));
  if (expected_frames >= 0) CROSSVIEW_FUZZ_CHECK(static_cast<long long>(s.frames.size()) == expected_frames);
  for (const auto& [a, b] : s.file_limbs) CROSSVIEW_FUZZ_CHECK(a >= 0 && b >= 0 && a < s.num_joints && b < s.num_joints);
  for (std::size_t i = 0; i < s.frames.size(); ++i) {
    const auto& f = s.frames[i];
    if (i > 0) CROSSVIEW_FUZZ_CHECK(f.frame_number > s.frames[i - 1].frame_number);
    for (const auto& p : f.people) {
      CROSSVIEW_FUZZ_CHECK(p.num_joints() == s.num_joints);
      CROSSVIEW_FUZZ_CHECK(p.keypoints_px.cols() == s.num_joints && p.scores.size() == s.num_joints);
      CROSSVIEW_FUZZ_CHECK(p.track_id >= 0);
      for (int j = 0; j < p.num_joints(); ++j) {
        CROSSVIEW_FUZZ_CHECK(p.scores[j] >= 0.0 && std::isfinite(p.scores[j]));
        if (p.scores[j] > 0.0) {
          CROSSVIEW_FUZZ_CHECK(p.keypoints_px.col(j).allFinite());
        } else {
          CROSSVIEW_FUZZ_CHECK(std::isnan(p.keypoints_px(0, j)) && std::isnan(p.keypoints_px(1, j)));
        }
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const bool setup = [] {
    // Keep libhdf5's freed blocks in its own free lists: every file open
    // callocs a ~0.5 MB cache, and fresh pages from the sanitizer's allocator
    // (quarantine) made page faults the main cost. Only libhdf5's internal
    // memory is affected; crossview's allocations stay fully checked.
    H5set_free_list_limits(-1, -1, -1, -1, -1, -1);
    return H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr) >= 0;
  }();
  (void)setup;
  const std::string path = fuzz::scratch_dir() + "/fuzz.h5";
  std::remove(path.c_str());  // a new file each time (see fuzz_temp_file.hpp)
  Bytes in(data, size);
  Expect e;
  {
    Writer w(path);
    if (w.file < 0) return 0;
    switch (in.u8() % 3) {
      case 0: write_sleap(w, in, e); break;
      case 1: write_dlc_fixed(w, in, e); break;
      default: write_dlc_table(w, in, e); break;
    }
  }
  // CROSSVIEW_FUZZ_VERBOSE=1 prints what each reader made of the file (to
  // check that a seed reaches the layout it is meant for).
  static const bool verbose = std::getenv("CROSSVIEW_FUZZ_VERBOSE") != nullptr;
  const auto run = [&](const char* what, auto read, long long expected_frames) {
    try {
      const io::KeypointSequence s = read(path);
      check(s, expected_frames);
      if (verbose) std::fprintf(stderr, "%s: accepted, %zu frames, %d joints\n", what, s.frames.size(), s.num_joints);
    } catch (const io::IoError& err) {
      if (verbose) std::fprintf(stderr, "%s: IoError: %s\n", what, err.what());
    }
  };
  run("deeplabcut", io::read_deeplabcut_h5, e.dlc_frames);
  run("sleap", io::read_sleap_analysis_h5, e.sleap_frames);
  return 0;
}
