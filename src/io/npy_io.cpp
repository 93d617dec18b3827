// crossview::io: NumPy .npy reader / writer (see include/crossview/io/npy.hpp).
#include <crossview/io/npy.hpp>
#include <crossview/io/files.hpp>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace crossview::io {

namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr std::size_t kMagicSize = 6;

/// The text of `key`'s value in the header dictionary: a quoted string (with its
/// quotes), a parenthesised tuple (with its parentheses) or a bare word (True,
/// False). Empty when absent or unterminated.
std::string dict_value(std::string_view header, std::string_view key) {
  const std::string quoted = "'" + std::string(key) + "'";
  const std::size_t k = header.find(quoted);
  if (k == std::string_view::npos) return {};
  std::size_t p = header.find(':', k + quoted.size());
  if (p == std::string_view::npos) return {};
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  if (p >= header.size()) return {};
  const char open = header[p];
  if (open == '\'' || open == '(') {
    const std::size_t end = header.find(open == '(' ? ')' : '\'', p + 1);
    if (end == std::string_view::npos) return {};
    return std::string(header.substr(p, end - p + 1));
  }
  std::size_t end = p;
  while (end < header.size() && header[end] != ',' && header[end] != '}' && header[end] != ' ') ++end;
  return std::string(header.substr(p, end - p));
}

std::uint32_t little_endian(std::string_view bytes, std::size_t at, int count) {
  std::uint32_t v = 0;
  for (int i = 0; i < count; ++i) v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return v;
}

std::vector<std::int64_t> parse_shape(const std::string& text, const std::string& source) {
  if (text.size() < 2 || text.front() != '(' || text.back() != ')') {
    throw IoError(source, "header.shape", "expected a tuple such as (17, 64, 64), got '" + text + "'");
  }
  std::vector<std::int64_t> shape;
  std::int64_t total = 1;
  std::stringstream ss(text.substr(1, text.size() - 2));
  std::string cell;
  while (std::getline(ss, cell, ',')) {
    const std::size_t b = cell.find_first_not_of(' ');
    if (b == std::string::npos) continue;  // trailing comma of a 1-tuple
    const std::size_t e = cell.find_last_not_of(' ');
    const std::string digits = cell.substr(b, e - b + 1);
    std::int64_t v = 0;
    bool ok = !digits.empty() && digits.size() <= 12;
    for (char c : digits) {
      if (c < '0' || c > '9') ok = false;
      else if (ok) v = v * 10 + (c - '0');
    }
    if (!ok) throw IoError(source, "header.shape", "expected non-negative integers, got " + text);
    shape.push_back(v);
    // v <= 10^12 and total <= 2^30 before the product: no overflow.
    total = v == 0 ? 0 : total * v;
    if (total > kMaxNpyValues) {
      throw IoError(source, "header.shape", "array too large: " + text + " holds more than 2^30 values");
    }
  }
  return shape;
}

}  // namespace

NpyArray parse_npy(std::string_view bytes, const std::string& source_name) {
  const std::string& src = source_name;
  if (bytes.size() < kMagicSize || bytes.compare(0, kMagicSize, std::string_view(kMagic, kMagicSize)) != 0) {
    throw IoError(src, "magic", "not a .npy file (expected the magic \\x93NUMPY)");
  }
  if (bytes.size() < 10) throw IoError(src, "header", "truncated header (" + std::to_string(bytes.size()) + " bytes)");
  const int major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = little_endian(bytes, 8, 2);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw IoError(src, "header", "truncated header (" + std::to_string(bytes.size()) + " bytes)");
    header_len = little_endian(bytes, 8, 4);
    offset = 12;
  } else {
    throw IoError(src, "version", "unsupported .npy format version " + std::to_string(major) + " (1, 2 or 3)");
  }
  if (bytes.size() - offset < header_len) {
    throw IoError(src, "header", "truncated header: " + std::to_string(header_len) + " bytes announced, " +
                                     std::to_string(bytes.size() - offset) + " present");
  }
  const std::string_view header = bytes.substr(offset, header_len);

  const std::string descr = dict_value(header, "descr");
  std::size_t item = 0;
  if (descr == "'<f4'") item = 4;
  else if (descr == "'<f8'") item = 8;
  else
    throw IoError(src, "header.descr",
                  "dtype " + (descr.empty() ? std::string("(missing)") : descr) +
                      " is not supported (float32 '<f4' or float64 '<f8', little endian)");
  const std::string fortran = dict_value(header, "fortran_order");
  if (fortran == "True") throw IoError(src, "header.fortran_order", "Fortran-ordered arrays are not supported (C order)");
  if (fortran != "False") {
    throw IoError(src, "header.fortran_order",
                  "expected True or False, got " + (fortran.empty() ? std::string("(missing)") : fortran));
  }
  const std::string shape_text = dict_value(header, "shape");
  if (shape_text.empty()) throw IoError(src, "header.shape", "missing shape");

  NpyArray a;
  a.shape = parse_shape(shape_text, src);
  const std::int64_t n = a.size();  // <= 2^30, checked by parse_shape
  const std::size_t data = offset + header_len;
  const std::size_t needed = static_cast<std::size_t>(n) * item;
  if (bytes.size() - data < needed) {
    throw IoError(src, "data", "truncated data: shape " + shape_text + " needs " + std::to_string(needed) +
                                   " bytes, file has " + std::to_string(bytes.size() - data));
  }
  a.values.resize(static_cast<std::size_t>(n));
  const char* p = bytes.data() + data;
  for (std::size_t i = 0; i < a.values.size(); ++i) {
    if (item == 4) {
      std::memcpy(&a.values[i], p + 4 * i, 4);
    } else {
      double d;
      std::memcpy(&d, p + 8 * i, 8);
      constexpr double kFloatMax = std::numeric_limits<float>::max();
      if (d > kFloatMax) a.values[i] = std::numeric_limits<float>::infinity();
      else if (d < -kFloatMax) a.values[i] = -std::numeric_limits<float>::infinity();
      else a.values[i] = static_cast<float>(d);  // NaN stays NaN
    }
  }
  return a;
}

NpyArray read_npy(const std::string& path) {
  return parse_npy(read_file(path, FileKind::kArray), path);
}

std::string format_npy(const std::vector<std::int64_t>& shape, const std::vector<float>& values) {
  std::int64_t n = 1;
  for (auto s : shape) {
    if (s < 0) throw std::invalid_argument("format_npy: negative dimension " + std::to_string(s));
    n = (s == 0) ? 0 : n * s;
    if (n > kMaxNpyValues) throw std::invalid_argument("format_npy: more than 2^30 values");
  }
  if (n != static_cast<std::int64_t>(values.size())) {
    throw std::invalid_argument("format_npy: shape holds " + std::to_string(n) + " values, got " +
                                std::to_string(values.size()));
  }
  std::string dims;
  for (std::size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out(kMagic, kMagicSize);
  out += static_cast<char>(1);
  out += static_cast<char>(0);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  return out;
}

void write_npy(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<float>& values) {
  write_file(path, format_npy(shape, values));
}

}  // namespace crossview::io
