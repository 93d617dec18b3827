#include "npy.hpp"

#include "common.hpp"

#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace crossview::cli {

namespace {

std::runtime_error npy_error(const std::string& path, const std::string& what) {
  return std::runtime_error("heatmap file '" + path + "': " + what);
}

std::string dict_value(const std::string& header, const std::string& key) {
  const std::size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) return {};
  std::size_t p = header.find(':', k);
  if (p == std::string::npos) return {};
  ++p;
  while (p < header.size() && header[p] == ' ') ++p;
  if (p >= header.size()) return {};
  const char open = header[p];
  const char close = open == '(' ? ')' : open == '\'' ? '\'' : ',';
  const std::size_t end = header.find(close, p + 1);
  if (end == std::string::npos) return {};
  return header.substr(p, end - p + (close == ',' ? 0 : 1));
}

}  // namespace

NpyArray read_npy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw npy_error(path, "cannot open");
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0) throw npy_error(path, "not a .npy file (bad magic)");
  const int major = static_cast<unsigned char>(bytes[6]);
  std::size_t header_len = 0, offset = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | (static_cast<std::size_t>(static_cast<unsigned char>(bytes[9])) << 8);
    offset = 10;
  } else if (major == 2 || major == 3) {
    if (bytes.size() < 12) throw npy_error(path, "truncated header");
    for (int i = 0; i < 4; ++i) header_len |= static_cast<std::size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    offset = 12;
  } else {
    throw npy_error(path, "unsupported .npy version " + std::to_string(major));
  }
  if (bytes.size() < offset + header_len) throw npy_error(path, "truncated header");
  const std::string header = bytes.substr(offset, header_len);
  const std::string descr = dict_value(header, "descr");
  int item = 0;
  if (descr == "'<f4'") item = 4;
  else if (descr == "'<f8'") item = 8;
  else
    throw npy_error(path, "dtype " + (descr.empty() ? std::string("(missing)") : descr) +
                              " is not supported (float32 '<f4' or float64 '<f8')");
  if (dict_value(header, "fortran_order") != "True" && dict_value(header, "fortran_order") != "False") {
    throw npy_error(path, "missing fortran_order");
  }
  if (dict_value(header, "fortran_order") == "True") throw npy_error(path, "Fortran-ordered arrays are not supported");
  const std::string shape_text = dict_value(header, "shape");
  if (shape_text.size() < 2 || shape_text.front() != '(') throw npy_error(path, "missing shape");
  NpyArray a;
  std::stringstream ss(shape_text.substr(1, shape_text.size() - 2));
  std::string cell;
  while (std::getline(ss, cell, ',')) {
    const std::size_t b = cell.find_first_not_of(' ');
    if (b == std::string::npos) continue;
    std::size_t used = 0;
    long long v = -1;
    try {
      v = std::stoll(cell.substr(b), &used);
    } catch (const std::exception&) {
      throw npy_error(path, "malformed shape " + shape_text);
    }
    if (v < 0 || v > (1LL << 32)) throw npy_error(path, "malformed shape " + shape_text);
    a.shape.push_back(v);
  }
  const std::int64_t n = a.size();
  if (n > (std::int64_t{1} << 30)) throw npy_error(path, "array too large (" + std::to_string(n) + " values)");
  const std::size_t data = offset + header_len;
  if (bytes.size() - data < static_cast<std::size_t>(n) * static_cast<std::size_t>(item)) {
    throw npy_error(path, "truncated data: shape " + shape_text + " needs " + std::to_string(n * item) + " bytes, file has " +
                              std::to_string(bytes.size() - data));
  }
  a.values.resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    if (item == 4) {
      float f;
      std::memcpy(&f, bytes.data() + data + 4 * i, 4);
      a.values[static_cast<std::size_t>(i)] = f;
    } else {
      double d;
      std::memcpy(&d, bytes.data() + data + 8 * i, 8);
      a.values[static_cast<std::size_t>(i)] = static_cast<float>(d);
    }
  }
  return a;
}

void write_npy(const std::string& path, const std::vector<std::int64_t>& shape, const std::vector<float>& values) {
  std::string dims;
  for (std::size_t i = 0; i < shape.size(); ++i) dims += (i ? ", " : "") + std::to_string(shape[i]);
  if (shape.size() == 1) dims += ",";
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  while ((10 + header.size() + 1) % 64 != 0) header += ' ';
  header += '\n';
  std::string out = "\x93NUMPY";
  out += static_cast<char>(1);
  out += static_cast<char>(0);
  out += static_cast<char>(header.size() & 0xff);
  out += static_cast<char>((header.size() >> 8) & 0xff);
  out += header;
  out.append(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float));
  write_file_atomic(path, out);
}

}  // namespace crossview::cli
