// DeepLabCut and SLEAP HDF5 keypoint files, read with the HDF5 C library
// (optional: without CROSSVIEW_IO_HDF5 the readers throw IoError).
#include <crossview/io/keypoints.hpp>

#include "io_common.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <vector>

#ifdef CROSSVIEW_IO_HDF5
#include <hdf5.h>
#endif

namespace crossview::io {

using detail::index_field;

#ifndef CROSSVIEW_IO_HDF5

bool has_hdf5_support() { return false; }

KeypointSequence read_deeplabcut_h5(const std::string& path) {
  throw IoError(path, "", "crossview::io was built without HDF5 (install libhdf5-dev and rebuild) and cannot read DeepLabCut .h5 files");
}
KeypointSequence read_sleap_analysis_h5(const std::string& path) {
  throw IoError(path, "", "crossview::io was built without HDF5 (install libhdf5-dev and rebuild) and cannot read SLEAP .h5 files");
}

#else

bool has_hdf5_support() { return true; }

namespace {

// ---------------------------------------------------------------------------
// HDF5 handles

class Handle {
 public:
  Handle() = default;
  Handle(hid_t id, herr_t (*close)(hid_t)) : id_(id), close_(close) {}
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  Handle(Handle&& o) noexcept : id_(o.id_), close_(o.close_) { o.id_ = -1; }
  Handle& operator=(Handle&& o) noexcept {
    if (this != &o) {
      reset();
      id_ = o.id_;
      close_ = o.close_;
      o.id_ = -1;
    }
    return *this;
  }
  ~Handle() { reset(); }
  void reset() {
    if (id_ >= 0 && close_ != nullptr) close_(id_);
    id_ = -1;
  }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }

 private:
  hid_t id_ = -1;
  herr_t (*close_)(hid_t) = nullptr;
};

/// Silences HDF5's automatic error printing for the lifetime of the object.
class QuietHdf5 {
 public:
  QuietHdf5() {
    H5Eget_auto2(H5E_DEFAULT, &func_, &data_);
    H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);
  }
  ~QuietHdf5() { H5Eset_auto2(H5E_DEFAULT, func_, data_); }

 private:
  H5E_auto2_t func_ = nullptr;
  void* data_ = nullptr;
};

constexpr hsize_t kMaxValues = hsize_t{1} << 28;  // 2 GiB of doubles

struct H5File {
  std::string path;
  Handle file;

  explicit H5File(const std::string& p) : path(p) {
    // A regular file within the keypoint-file limit (never a device or a FIFO,
    // which HDF5 would block on or read without bound).
    check_input_file(p, FileKind::kKeypoints);
    if (H5Fis_hdf5(p.c_str()) <= 0) throw IoError(p, "", "not an HDF5 file (no HDF5 signature)");
    file = Handle(H5Fopen(p.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), H5Fclose);
    if (!file.valid()) throw IoError(p, "", "cannot open as HDF5 (corrupt or truncated?)");
  }

  bool exists(hid_t loc, const std::string& name) const {
    if (H5Lexists(loc, name.c_str(), H5P_DEFAULT) <= 0) return false;
    return H5Oexists_by_name(loc, name.c_str(), H5P_DEFAULT) > 0;
  }
  Handle open_dataset(hid_t loc, const std::string& name, const std::string& field) const {
    if (!exists(loc, name)) throw IoError(path, field, "missing dataset");
    Handle d(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), H5Dclose);
    if (!d.valid()) throw IoError(path, field, "expected a dataset (cannot open it)");
    return d;
  }
  std::vector<hsize_t> shape(hid_t dset, const std::string& field) const {
    Handle space(H5Dget_space(dset), H5Sclose);
    if (!space.valid()) throw IoError(path, field, "cannot read the dataspace");
    const int nd = H5Sget_simple_extent_ndims(space.get());
    if (nd < 0 || nd > 8) throw IoError(path, field, "unsupported dataspace");
    std::vector<hsize_t> dims(static_cast<std::size_t>(nd));
    if (nd > 0) H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr);
    hsize_t n = 1;
    for (hsize_t d : dims) {
      if (d != 0 && n > kMaxValues / d) throw IoError(path, field, "too large (more than 2^28 values)");
      n *= d;
    }
    return dims;
  }
  static hsize_t count(const std::vector<hsize_t>& dims) {
    hsize_t n = 1;
    for (hsize_t d : dims) n *= d;
    return n;
  }
  /// Reads a numeric dataset converted to double (any integer or float type).
  std::vector<double> doubles(hid_t loc, const std::string& name, const std::string& field, std::vector<hsize_t>* dims) const {
    Handle d = open_dataset(loc, name, field);
    *dims = shape(d.get(), field);
    Handle type(H5Dget_type(d.get()), H5Tclose);
    const H5T_class_t cls = H5Tget_class(type.get());
    if (cls != H5T_FLOAT && cls != H5T_INTEGER) throw IoError(path, field, "expected numbers (an integer or float dataset)");
    std::vector<double> v(static_cast<std::size_t>(count(*dims)));
    if (!v.empty() && H5Dread(d.get(), H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0) {
      throw IoError(path, field, "cannot read the values (corrupt or truncated?)");
    }
    return v;
  }
  /// Reads a 1-D dataset of strings (fixed-length or variable-length).
  std::vector<std::string> strings(hid_t loc, const std::string& name, const std::string& field) const {
    Handle d = open_dataset(loc, name, field);
    const auto dims = shape(d.get(), field);
    if (dims.size() > 1) throw IoError(path, field, "expected a 1-D array of strings");
    const std::size_t n = dims.empty() ? 1 : static_cast<std::size_t>(dims[0]);
    Handle type(H5Dget_type(d.get()), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_STRING) throw IoError(path, field, "expected strings");
    std::vector<std::string> out;
    if (H5Tis_variable_str(type.get()) > 0) {
      Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(mem.get(), H5T_VARIABLE);
      std::vector<char*> buf(n, nullptr);
      if (n > 0 && H5Dread(d.get(), mem.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) {
        throw IoError(path, field, "cannot read the strings");
      }
      for (char* s : buf) out.emplace_back(s != nullptr ? s : "");
      Handle space(H5Dget_space(d.get()), H5Sclose);
      H5Dvlen_reclaim(mem.get(), space.get(), H5P_DEFAULT, buf.data());
    } else {
      const std::size_t size = H5Tget_size(type.get());
      if (size == 0 || size > 65536) throw IoError(path, field, "unsupported string size");
      std::vector<char> buf(n * size + 1, '\0');
      if (n > 0 && H5Dread(d.get(), type.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, buf.data()) < 0) {
        throw IoError(path, field, "cannot read the strings");
      }
      for (std::size_t i = 0; i < n; ++i) {
        const char* s = buf.data() + i * size;
        out.emplace_back(s, strnlen(s, size));
      }
    }
    return out;
  }
  /// A string attribute of an object, or "" (with *found = false) when absent.
  std::string string_attribute(hid_t obj, const std::string& name, const std::string& field, bool* found = nullptr) const {
    if (found != nullptr) *found = false;
    if (H5Aexists(obj, name.c_str()) <= 0) return {};
    Handle a(H5Aopen(obj, name.c_str(), H5P_DEFAULT), H5Aclose);
    if (!a.valid()) throw IoError(path, field, "cannot open attribute");
    Handle type(H5Aget_type(a.get()), H5Tclose);
    if (H5Tget_class(type.get()) != H5T_STRING) throw IoError(path, field, "expected a string attribute");
    Handle space(H5Aget_space(a.get()), H5Sclose);
    if (H5Sget_simple_extent_npoints(space.get()) != 1) throw IoError(path, field, "expected a single string");
    std::string out;
    if (H5Tis_variable_str(type.get()) > 0) {
      Handle mem(H5Tcopy(H5T_C_S1), H5Tclose);
      H5Tset_size(mem.get(), H5T_VARIABLE);
      char* s = nullptr;
      if (H5Aread(a.get(), mem.get(), &s) < 0) throw IoError(path, field, "cannot read attribute");
      out = s != nullptr ? s : "";
      H5free_memory(s);
    } else {
      const std::size_t size = H5Tget_size(type.get());
      if (size > (std::size_t{1} << 26)) throw IoError(path, field, "attribute too large");
      std::vector<char> buf(size + 1, '\0');
      if (H5Aread(a.get(), type.get(), buf.data()) < 0) throw IoError(path, field, "cannot read attribute");
      out.assign(buf.data(), strnlen(buf.data(), size));
    }
    if (found != nullptr) *found = true;
    return out;
  }
};

// ---------------------------------------------------------------------------
// A protocol-0 unpickler for the column labels pandas stores in PyTables
// attributes: lists, tuples, dicts, unicode / byte strings, ints, floats and
// None only. Anything else (objects, globals, reduce) is refused.

struct PyVal {
  enum class Kind { kNone, kInt, kFloat, kStr, kList, kTuple, kDict, kMark } kind = Kind::kNone;
  double num = 0.0;
  std::string str;
  std::vector<std::shared_ptr<PyVal>> items;  // list / tuple; dict: key, value, key, value, ...
};
using PyPtr = std::shared_ptr<PyVal>;

PyPtr unpickle0(const std::string& s, const std::string& file, const std::string& field) {
  const auto fail = [&](const std::string& what) -> void { throw IoError(file, field, "unsupported pickled metadata: " + what); };
  std::vector<PyPtr> stack;
  std::map<long long, PyPtr> memo;
  std::size_t i = 0;
  const auto line = [&]() {
    const std::size_t e = s.find('\n', i);
    if (e == std::string::npos) fail("truncated");
    std::string l = s.substr(i, e - i);
    i = e + 1;
    return l;
  };
  const auto mark_pos = [&]() {
    for (std::size_t k = stack.size(); k-- > 0;) {
      if (stack[k]->kind == PyVal::Kind::kMark) return k;
    }
    fail("no MARK");
    return std::size_t{0};
  };
  const auto pop = [&]() {
    if (stack.empty()) fail("stack underflow");
    PyPtr v = stack.back();
    stack.pop_back();
    return v;
  };
  const auto to_int = [&](const std::string& l) {
    try {
      std::size_t used = 0;
      std::string t = l;
      if (!t.empty() && t.back() == 'L') t.pop_back();
      const long long v = std::stoll(t, &used);
      if (used != t.size()) fail("bad integer '" + l + "'");
      return v;
    } catch (const std::exception&) {
      fail("bad integer '" + l + "'");
    }
    return 0LL;
  };
  while (i < s.size()) {
    if (stack.size() > 100000 || memo.size() > 100000) fail("too large");
    const char op = s[i++];
    switch (op) {
      case '(': stack.push_back(std::make_shared<PyVal>(PyVal{PyVal::Kind::kMark, 0, {}, {}})); break;
      case 'l':
      case 't':
      case 'd': {
        const std::size_t m = mark_pos();
        auto v = std::make_shared<PyVal>();
        v->kind = op == 'l' ? PyVal::Kind::kList : op == 't' ? PyVal::Kind::kTuple : PyVal::Kind::kDict;
        v->items.assign(stack.begin() + static_cast<std::ptrdiff_t>(m) + 1, stack.end());
        if (op == 'd' && v->items.size() % 2 != 0) fail("odd dict");
        stack.resize(m);
        stack.push_back(v);
        break;
      }
      case 'p': memo[to_int(line())] = stack.empty() ? (fail("PUT on empty stack"), nullptr) : stack.back(); break;
      case 'g': {
        const auto it = memo.find(to_int(line()));
        if (it == memo.end()) fail("GET of an unknown memo");
        stack.push_back(it->second);
        break;
      }
      case 'a': {
        PyPtr v = pop();
        if (stack.empty() || stack.back()->kind != PyVal::Kind::kList) fail("APPEND to a non-list");
        stack.back()->items.push_back(v);
        break;
      }
      case 'e': {
        const std::size_t m = mark_pos();
        if (m == 0 || stack[m - 1]->kind != PyVal::Kind::kList) fail("APPENDS to a non-list");
        for (std::size_t k = m + 1; k < stack.size(); ++k) stack[m - 1]->items.push_back(stack[k]);
        stack.resize(m);
        break;
      }
      case 's': {
        PyPtr v = pop();
        PyPtr k = pop();
        if (stack.empty() || stack.back()->kind != PyVal::Kind::kDict) fail("SETITEM on a non-dict");
        stack.back()->items.push_back(k);
        stack.back()->items.push_back(v);
        break;
      }
      case 'u': {
        const std::size_t m = mark_pos();
        if (m == 0 || stack[m - 1]->kind != PyVal::Kind::kDict || (stack.size() - m - 1) % 2 != 0) fail("SETITEMS");
        for (std::size_t k = m + 1; k < stack.size(); ++k) stack[m - 1]->items.push_back(stack[k]);
        stack.resize(m);
        break;
      }
      case 'I':
      case 'L': {
        const std::string l = line();
        auto v = std::make_shared<PyVal>();
        if (l == "00" || l == "01") {  // False / True
          v->kind = PyVal::Kind::kInt;
          v->num = l == "01" ? 1 : 0;
        } else {
          v->kind = PyVal::Kind::kInt;
          v->num = static_cast<double>(to_int(l));
        }
        stack.push_back(v);
        break;
      }
      case 'F': {
        auto v = std::make_shared<PyVal>();
        v->kind = PyVal::Kind::kFloat;
        try {
          v->num = std::stod(line());
        } catch (const std::exception&) {
          fail("bad float");
        }
        stack.push_back(v);
        break;
      }
      case 'N': stack.push_back(std::make_shared<PyVal>()); break;
      case 'V': {  // raw-unicode-escape text up to the newline
        const std::string l = line();
        std::string out;
        for (std::size_t k = 0; k < l.size(); ++k) {
          if (l[k] == '\\' && k + 1 < l.size() && (l[k + 1] == 'u' || l[k + 1] == 'U')) {
            const std::size_t len = l[k + 1] == 'u' ? 4 : 8;
            if (k + 2 + len > l.size()) fail("bad \\u escape");
            unsigned long cp = 0;
            try {
              cp = std::stoul(l.substr(k + 2, len), nullptr, 16);
            } catch (const std::exception&) {
              fail("bad \\u escape");
            }
            if (cp > 0x10FFFF) fail("bad code point");
            // UTF-8
            if (cp < 0x80) {
              out += static_cast<char>(cp);
            } else if (cp < 0x800) {
              out += static_cast<char>(0xC0 | (cp >> 6));
              out += static_cast<char>(0x80 | (cp & 0x3F));
            } else if (cp < 0x10000) {
              out += static_cast<char>(0xE0 | (cp >> 12));
              out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              out += static_cast<char>(0x80 | (cp & 0x3F));
            } else {
              out += static_cast<char>(0xF0 | (cp >> 18));
              out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
              out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
              out += static_cast<char>(0x80 | (cp & 0x3F));
            }
            k += 1 + len;
          } else {
            out += l[k];
          }
        }
        auto v = std::make_shared<PyVal>();
        v->kind = PyVal::Kind::kStr;
        v->str = std::move(out);
        stack.push_back(v);
        break;
      }
      case 'S': {  // repr of a byte string: '...' or "..." with simple escapes
        const std::string l = line();
        if (l.size() < 2 || (l.front() != '\'' && l.front() != '"') || l.back() != l.front()) fail("bad string");
        auto v = std::make_shared<PyVal>();
        v->kind = PyVal::Kind::kStr;
        for (std::size_t k = 1; k + 1 < l.size(); ++k) {
          if (l[k] == '\\' && k + 2 < l.size()) {
            ++k;
            v->str += l[k] == 'n' ? '\n' : l[k] == 't' ? '\t' : l[k];
          } else {
            v->str += l[k];
          }
        }
        stack.push_back(v);
        break;
      }
      case '.':
        if (stack.size() != 1) fail("STOP with " + std::to_string(stack.size()) + " values on the stack");
        return stack.back();
      default: fail(std::string("opcode '") + op + "'");
    }
  }
  fail("no STOP (truncated)");
  return nullptr;
}

// ---------------------------------------------------------------------------
// DeepLabCut

struct Column {
  std::string individual;  // "" for single-animal files
  std::string bodypart;
  std::string coord;
};

KeypointSequence dlc_from_columns(const std::string& path, const std::vector<Column>& columns, const std::vector<long long>& index,
                                  const std::vector<double>& values /* rows x columns, row major */) {
  KeypointSequence seq;
  seq.source = path;
  seq.format = "deeplabcut";
  // Individuals in order of appearance; body parts of the first individual.
  std::vector<std::string> individuals;
  for (const auto& c : columns) {
    if (std::find(individuals.begin(), individuals.end(), c.individual) == individuals.end()) individuals.push_back(c.individual);
  }
  std::map<std::string, std::vector<std::string>> parts_of;
  for (const auto& c : columns) {
    auto& v = parts_of[c.individual];
    if (std::find(v.begin(), v.end(), c.bodypart) == v.end()) v.push_back(c.bodypart);
  }
  const std::vector<std::string>& parts = parts_of[individuals.front()];
  std::vector<std::string> used;
  for (const auto& ind : individuals) {
    if (parts_of[ind] == parts) {
      used.push_back(ind);
    } else {
      seq.notes.push_back("individual '" + ind + "' skipped: its body parts differ from '" + individuals.front() + "''s (" +
                          std::to_string(parts_of[ind].size()) + " vs " + std::to_string(parts.size()) + ")");
    }
  }
  seq.joint_names = parts;
  seq.num_joints = static_cast<int>(parts.size());
  // Column of (individual, part, coord).
  std::map<std::tuple<std::string, std::string, std::string>, std::size_t> col;
  for (std::size_t k = 0; k < columns.size(); ++k) {
    const auto key = std::make_tuple(columns[k].individual, columns[k].bodypart, columns[k].coord);
    if (col.count(key)) {
      throw IoError(path, "columns", "column (" + columns[k].individual + ", " + columns[k].bodypart + ", " + columns[k].coord + ") appears twice");
    }
    col[key] = k;
  }
  bool has_likelihood = false;
  for (const auto& ind : used) {
    for (const auto& p : parts) {
      for (const char* c : {"x", "y"}) {
        if (!col.count({ind, p, c})) {
          throw IoError(path, "columns", "body part '" + p + "'" + (ind.empty() ? "" : " of '" + ind + "'") + " has no '" + c + "' column");
        }
      }
      if (col.count({ind, p, "likelihood"})) has_likelihood = true;
    }
  }
  const std::size_t ncols = columns.size();
  const int J = seq.num_joints;
  for (std::size_t r = 0; r < index.size(); ++r) {
    KeypointFrame f;
    f.frame_number = index[r];
    for (std::size_t i = 0; i < used.size(); ++i) {
      KeypointPerson person;
      person.track_id = static_cast<int>(i);
      person.track_name = used[i];
      person.keypoints_px.resize(2, J);
      person.scores.resize(J);
      bool any = false;
      for (int j = 0; j < J; ++j) {
        const auto& p = parts[static_cast<std::size_t>(j)];
        const double x = values[r * ncols + col.at({used[i], p, "x"})];
        const double y = values[r * ncols + col.at({used[i], p, "y"})];
        double s = 1.0;
        if (const auto it = col.find({used[i], p, "likelihood"}); it != col.end()) s = values[r * ncols + it->second];
        if (std::isfinite(x) && std::isfinite(y) && std::isfinite(s) && s > 0.0) {
          person.keypoints_px.col(j) << x, y;
          person.scores[j] = s;
          any = true;
        } else {
          person.keypoints_px.col(j).setConstant(std::numeric_limits<double>::quiet_NaN());
          person.scores[j] = 0.0;
        }
      }
      if (any) f.people.push_back(std::move(person));
    }
    seq.frames.push_back(std::move(f));
  }
  if (!has_likelihood) seq.notes.push_back("no likelihood columns (labelled data): detected points get score 1");
  for (std::size_t r = 1; r < index.size(); ++r) {
    if (index[r] <= index[r - 1]) {
      throw IoError(path, "index", "expected increasing frame numbers in the row index, got " + std::to_string(index[r]) +
                                       " after " + std::to_string(index[r - 1]));
    }
  }
  return seq;
}

Column column_from_labels(const std::vector<std::string>& labels, const std::string& path, const std::string& field) {
  if (labels.size() == 3) return {"", labels[0 + 1], labels[2]};
  if (labels.size() == 4) return {labels[1], labels[2], labels[3]};
  throw IoError(path, field, "expected column labels (scorer, bodyparts, coords) or (scorer, individuals, bodyparts, coords), got " +
                                 std::to_string(labels.size()) + " levels");
}

std::vector<Column> columns_from_pickle(const PyPtr& v, const std::string& path, const std::string& field) {
  if (v->kind != PyVal::Kind::kList) throw IoError(path, field, "expected a list of column labels");
  std::vector<Column> out;
  for (const auto& t : v->items) {
    if (t->kind != PyVal::Kind::kTuple) throw IoError(path, field, "expected column labels as tuples (a MultiIndex)");
    std::vector<std::string> labels;
    for (const auto& s : t->items) {
      if (s->kind != PyVal::Kind::kStr) throw IoError(path, field, "expected string column labels");
      labels.push_back(s->str);
    }
    out.push_back(column_from_labels(labels, path, field));
  }
  return out;
}

KeypointSequence read_dlc_table(const H5File& f, hid_t group, const std::string& gname) {
  const std::string ft = gname + "/table";
  Handle table = f.open_dataset(group, "table", ft);
  const auto dims = f.shape(table.get(), ft);
  if (dims.size() != 1) throw IoError(f.path, ft, "expected a 1-D table");
  Handle type(H5Dget_type(table.get()), H5Tclose);
  if (H5Tget_class(type.get()) != H5T_COMPOUND) throw IoError(f.path, ft, "expected a compound (PyTables table) dataset");
  const int vi = H5Tget_member_index(type.get(), "values_block_0");
  const int ii = H5Tget_member_index(type.get(), "index");
  if (vi < 0) throw IoError(f.path, ft + ".values_block_0", "missing column");
  if (ii < 0) throw IoError(f.path, ft + ".index", "missing column");
  if (H5Tget_member_index(type.get(), "values_block_1") >= 0) {
    throw IoError(f.path, ft, "expected one float block (values_block_0): the frame has columns of several types");
  }
  Handle vt(H5Tget_member_type(type.get(), static_cast<unsigned>(vi)), H5Tclose);
  hsize_t ncols = 1;
  if (H5Tget_class(vt.get()) == H5T_ARRAY) {
    if (H5Tget_array_ndims(vt.get()) != 1) throw IoError(f.path, ft + ".values_block_0", "expected a 1-D array column");
    H5Tget_array_dims2(vt.get(), &ncols);
    Handle base(H5Tget_super(vt.get()), H5Tclose);
    if (H5Tget_class(base.get()) != H5T_FLOAT) throw IoError(f.path, ft + ".values_block_0", "expected float values");
  } else if (H5Tget_class(vt.get()) != H5T_FLOAT) {
    throw IoError(f.path, ft + ".values_block_0", "expected float values");
  }
  const hsize_t nrows = dims[0];
  if (ncols == 0 || ncols > 100000 || (nrows > 0 && ncols > kMaxValues / nrows)) throw IoError(f.path, ft, "unsupported table size");
  // Memory types: {double values[ncols]} and {int64 index}.
  Handle arr(H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &ncols), H5Tclose);
  Handle mv(H5Tcreate(H5T_COMPOUND, sizeof(double) * ncols), H5Tclose);
  H5Tinsert(mv.get(), "values_block_0", 0, arr.get());
  Handle mi(H5Tcreate(H5T_COMPOUND, sizeof(long long)), H5Tclose);
  H5Tinsert(mi.get(), "index", 0, H5T_NATIVE_LLONG);
  std::vector<double> values(static_cast<std::size_t>(nrows * ncols));
  std::vector<long long> index(static_cast<std::size_t>(nrows));
  if (nrows > 0 && (H5Dread(table.get(), mv.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data()) < 0 ||
                    H5Dread(table.get(), mi.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, index.data()) < 0)) {
    throw IoError(f.path, ft, "cannot read the table (corrupt or truncated?)");
  }
  // Column labels: values_block_0_kind on the table (pickled list of tuples).
  bool found = false;
  std::string kind = f.string_attribute(table.get(), "values_block_0_kind", ft + "@values_block_0_kind", &found);
  std::vector<Column> columns;
  if (found) {
    columns = columns_from_pickle(unpickle0(kind, f.path, ft + "@values_block_0_kind"), f.path, ft + "@values_block_0_kind");
  } else {
    // non_index_axes = [(1, [tuples])]
    const std::string fa = gname + "@non_index_axes";
    const std::string nia = f.string_attribute(group, "non_index_axes", fa, &found);
    if (!found) throw IoError(f.path, fa, "missing attribute (no column labels)");
    const PyPtr v = unpickle0(nia, f.path, fa);
    if (v->kind != PyVal::Kind::kList || v->items.size() != 1 || v->items[0]->kind != PyVal::Kind::kTuple ||
        v->items[0]->items.size() != 2) {
      throw IoError(f.path, fa, "expected [(1, [column labels])]");
    }
    columns = columns_from_pickle(v->items[0]->items[1], f.path, fa);
  }
  if (columns.size() != ncols) {
    throw IoError(f.path, ft + "@values_block_0_kind", "names " + std::to_string(columns.size()) + " columns, the table has " + std::to_string(ncols));
  }
  return dlc_from_columns(f.path, columns, index, values);
}

KeypointSequence read_dlc_fixed(const H5File& f, hid_t group, const std::string& gname) {
  std::vector<hsize_t> vd;
  const std::vector<double> values = f.doubles(group, "block0_values", gname + "/block0_values", &vd);
  if (vd.size() != 2) throw IoError(f.path, gname + "/block0_values", "expected a 2-D array (frames x columns)");
  if (f.exists(group, "block1_values")) throw IoError(f.path, gname, "expected one float block: the frame has columns of several types");
  std::vector<hsize_t> id;
  const std::vector<double> index_d = f.doubles(group, "axis1", gname + "/axis1", &id);
  if (id.size() != 1 || id[0] != vd[0]) throw IoError(f.path, gname + "/axis1", "expected one index entry per row (" + std::to_string(vd[0]) + ")");
  // Column MultiIndex: levels (strings) and codes, either axis0_* or block0_items_*.
  int nlevels = 0;
  while (f.exists(group, "axis0_level" + std::to_string(nlevels))) ++nlevels;
  if (nlevels == 0) throw IoError(f.path, gname + "/axis0_level0", "missing dataset (columns are not a MultiIndex)");
  std::vector<std::vector<std::string>> labels(static_cast<std::size_t>(vd[1]));
  for (int l = 0; l < nlevels; ++l) {
    const std::string fl = gname + "/axis0_level" + std::to_string(l);
    const std::vector<std::string> level = f.strings(group, "axis0_level" + std::to_string(l), fl);
    std::vector<hsize_t> cd;
    const std::string fc = gname + "/axis0_label" + std::to_string(l);
    const std::vector<double> codes = f.doubles(group, "axis0_label" + std::to_string(l), fc, &cd);
    if (codes.size() != vd[1]) throw IoError(f.path, fc, "expected one code per column (" + std::to_string(vd[1]) + "), got " + std::to_string(codes.size()));
    for (std::size_t k = 0; k < codes.size(); ++k) {
      const double c = codes[k];
      if (!(c >= 0) || c != std::floor(c) || c >= static_cast<double>(level.size())) {
        throw IoError(f.path, index_field(fc, k), "expected a code in [0, " + std::to_string(level.size()) + "), got " + detail::format_double(c));
      }
      labels[k].push_back(level[static_cast<std::size_t>(c)]);
    }
  }
  std::vector<Column> columns;
  for (const auto& l : labels) columns.push_back(column_from_labels(l, f.path, gname + "/axis0_level*"));
  std::vector<long long> index;
  for (double v : index_d) {
    if (v != std::floor(v)) throw IoError(f.path, gname + "/axis1", "expected whole frame numbers");
    index.push_back(static_cast<long long>(v));
  }
  return dlc_from_columns(f.path, columns, index, values);
}

herr_t collect_groups(hid_t, const char* name, const H5L_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->push_back(name);
  return 0;
}

}  // namespace

KeypointSequence read_deeplabcut_h5(const std::string& path) {
  const QuietHdf5 quiet;
  const H5File f(path);
  std::string gname = "df_with_missing";
  if (!f.exists(f.file.get(), gname)) {
    std::vector<std::string> names;
    H5Literate(f.file.get(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect_groups, &names);
    std::vector<std::string> frames;
    for (const auto& n : names) {
      Handle g(H5Gopen2(f.file.get(), n.c_str(), H5P_DEFAULT), H5Gclose);
      if (g.valid() && H5Aexists(g.get(), "pandas_type") > 0) frames.push_back(n);
    }
    if (frames.size() != 1) {
      std::string list;
      for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
      throw IoError(path, "df_with_missing", "missing group (expected DeepLabCut's key 'df_with_missing' or one pandas frame; the file has: " +
                                                 (list.empty() ? std::string("nothing") : list) + ")");
    }
    gname = frames.front();
  }
  Handle group(H5Gopen2(f.file.get(), gname.c_str(), H5P_DEFAULT), H5Gclose);
  if (!group.valid()) throw IoError(path, gname, "expected a group (a pandas frame)");
  bool found = false;
  const std::string type = f.string_attribute(group.get(), "pandas_type", gname + "@pandas_type", &found);
  if (!found) throw IoError(path, gname + "@pandas_type", "missing attribute (not a pandas HDF5 store)");
  if (type == "frame_table") return read_dlc_table(f, group.get(), gname);
  if (type == "frame") return read_dlc_fixed(f, group.get(), gname);
  throw IoError(path, gname + "@pandas_type", "expected a DataFrame ('frame_table' or 'frame'), got '" + type + "'");
}

// ---------------------------------------------------------------------------
// SLEAP

KeypointSequence read_sleap_analysis_h5(const std::string& path) {
  const QuietHdf5 quiet;
  const H5File f(path);
  const hid_t root = f.file.get();
  KeypointSequence seq;
  seq.source = path;
  seq.format = "sleap";
  seq.joint_names = f.strings(root, "node_names", "node_names");
  std::vector<hsize_t> td;
  const std::vector<double> tracks = f.doubles(root, "tracks", "tracks", &td);
  if (td.size() != 4 || td[1] != 2) {
    throw IoError(path, "tracks", "expected shape (tracks, 2, nodes, frames) as SLEAP stores it (transposed for MATLAB)");
  }
  const std::size_t T = td[0], J = td[2], F = td[3];
  if (seq.joint_names.size() != J) {
    throw IoError(path, "node_names", "names " + std::to_string(seq.joint_names.size()) + " nodes, tracks has " + std::to_string(J));
  }
  if (J == 0) throw IoError(path, "tracks", "expected at least one node");
  seq.num_joints = static_cast<int>(J);
  std::vector<std::string> track_names;
  if (f.exists(root, "track_names")) track_names = f.strings(root, "track_names", "track_names");
  if (!track_names.empty() && track_names.size() != T) {
    throw IoError(path, "track_names", "names " + std::to_string(track_names.size()) + " tracks, tracks has " + std::to_string(T));
  }
  std::vector<hsize_t> od;
  const std::vector<double> occ = f.doubles(root, "track_occupancy", "track_occupancy", &od);
  if (od.size() != 2 || od[0] != F || od[1] != T) {
    throw IoError(path, "track_occupancy", "expected shape (frames, tracks) = (" + std::to_string(F) + ", " + std::to_string(T) + ")");
  }
  std::vector<double> scores;
  if (f.exists(root, "point_scores")) {
    std::vector<hsize_t> sd;
    scores = f.doubles(root, "point_scores", "point_scores", &sd);
    if (sd.size() != 3 || sd[0] != T || sd[1] != J || sd[2] != F) {
      throw IoError(path, "point_scores", "expected shape (tracks, nodes, frames) = (" + std::to_string(T) + ", " + std::to_string(J) + ", " +
                                              std::to_string(F) + ")");
    }
  } else {
    seq.notes.push_back("no point_scores: detected points get score 1");
  }
  if (f.exists(root, "edge_inds")) {
    std::vector<hsize_t> ed;
    const std::vector<double> e = f.doubles(root, "edge_inds", "edge_inds", &ed);
    // Stored transposed: (2, edges); an (edges, 2) file is accepted too.
    std::size_t E = 0;
    bool two_by_e = false;
    if (ed.size() == 2 && ed[0] == 2) {
      E = ed[1];
      two_by_e = true;
    } else if (ed.size() == 2 && ed[1] == 2) {
      E = ed[0];
    } else if (!(ed.size() == 1 && ed[0] == 0)) {
      throw IoError(path, "edge_inds", "expected shape (2, edges)");
    }
    for (std::size_t k = 0; k < E; ++k) {
      const double a = two_by_e ? e[k] : e[2 * k], b = two_by_e ? e[E + k] : e[2 * k + 1];
      if (!(a >= 0 && b >= 0 && a < J && b < J) || a != std::floor(a) || b != std::floor(b)) {
        throw IoError(path, index_field("edge_inds", k), "expected two node indices in [0, " + std::to_string(J) + ")");
      }
      seq.file_limbs.emplace_back(static_cast<int>(a), static_cast<int>(b));
    }
  }
  // tracks[t][c][j][f] at ((t*2 + c)*J + j)*F + f.
  for (std::size_t fr = 0; fr < F; ++fr) {
    KeypointFrame kf;
    kf.frame_number = static_cast<long long>(fr);
    for (std::size_t t = 0; t < T; ++t) {
      const double o = occ[fr * T + t];
      if (!(o > 0.0)) continue;
      KeypointPerson p;
      p.track_id = static_cast<int>(t);
      if (!track_names.empty()) p.track_name = track_names[t];
      p.keypoints_px.resize(2, static_cast<Eigen::Index>(J));
      p.scores.resize(static_cast<Eigen::Index>(J));
      for (std::size_t j = 0; j < J; ++j) {
        const double x = tracks[((t * 2 + 0) * J + j) * F + fr];
        const double y = tracks[((t * 2 + 1) * J + j) * F + fr];
        double s = scores.empty() ? 1.0 : scores[(t * J + j) * F + fr];
        if (std::isnan(s)) s = 1.0;  // a user-labelled point has no score
        const auto jj = static_cast<Eigen::Index>(j);
        if (std::isfinite(x) && std::isfinite(y) && s > 0.0 && std::isfinite(s)) {
          p.keypoints_px.col(jj) << x, y;
          p.scores[jj] = s;
        } else {
          p.keypoints_px.col(jj).setConstant(std::numeric_limits<double>::quiet_NaN());
          p.scores[jj] = 0.0;
        }
      }
      kf.people.push_back(std::move(p));
    }
    seq.frames.push_back(std::move(kf));
  }
  return seq;
}

#endif  // CROSSVIEW_IO_HDF5

}  // namespace crossview::io
