#include "report/detail/encode.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace crossview::report::detail {

namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

void append_f32_le(float f, std::vector<std::uint8_t>* out) {
  std::uint32_t bits;
  std::memcpy(&bits, &f, sizeof bits);
  for (int b = 0; b < 4; ++b) out->push_back(static_cast<std::uint8_t>((bits >> (8 * b)) & 0xffu));
}

void append_varint(std::uint64_t v, std::vector<std::uint8_t>* out) {
  while (v >= 0x80u) {
    out->push_back(static_cast<std::uint8_t>((v & 0x7fu) | 0x80u));
    v >>= 7;
  }
  out->push_back(static_cast<std::uint8_t>(v));
}

}  // namespace

std::string base64_encode(const std::uint8_t* data, std::size_t size) {
  std::string out;
  out.reserve((size + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == size) {
    const std::uint32_t v = std::uint32_t{data[i]} << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == size) {
    const std::uint32_t v = (std::uint32_t{data[i]} << 16) | (std::uint32_t{data[i + 1]} << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::vector<std::uint8_t> base64_decode(const std::string& text) {
  if (text.size() % 4 != 0) throw std::invalid_argument("base64_decode: length is not a multiple of 4");
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::vector<std::uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (std::size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + static_cast<std::size_t>(k)];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) throw std::invalid_argument("base64_decode: data after padding");
      v[k] = value(c);
      if (v[k] < 0) throw std::invalid_argument(std::string("base64_decode: invalid character '") + c + "'");
    }
    const std::uint32_t w = (static_cast<std::uint32_t>(v[0]) << 18) | (static_cast<std::uint32_t>(v[1]) << 12) |
                            (static_cast<std::uint32_t>(v[2]) << 6) | static_cast<std::uint32_t>(v[3]);
    out.push_back(static_cast<std::uint8_t>((w >> 16) & 0xffu));
    if (pad < 2) out.push_back(static_cast<std::uint8_t>((w >> 8) & 0xffu));
    if (pad < 1) out.push_back(static_cast<std::uint8_t>(w & 0xffu));
  }
  return out;
}

std::vector<std::uint8_t> encode_f32(const double* values, std::size_t count) {
  std::vector<std::uint8_t> out;
  out.reserve(4 * count);
  for (std::size_t i = 0; i < count; ++i) {
    append_f32_le(std::isnan(values[i]) ? std::numeric_limits<float>::quiet_NaN() : static_cast<float>(values[i]),
                  &out);
  }
  return out;
}

std::vector<std::uint8_t> encode_f32(const float* values, std::size_t count) {
  std::vector<std::uint8_t> out;
  out.reserve(4 * count);
  for (std::size_t i = 0; i < count; ++i) append_f32_le(values[i], &out);
  return out;
}

std::vector<double> decode_f32(const std::vector<std::uint8_t>& bytes) {
  if (bytes.size() % 4 != 0) throw std::invalid_argument("decode_f32: byte count is not a multiple of 4");
  std::vector<double> out(bytes.size() / 4);
  for (std::size_t i = 0; i < out.size(); ++i) {
    std::uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) bits |= std::uint32_t{bytes[4 * i + static_cast<std::size_t>(b)]} << (8 * b);
    float f;
    std::memcpy(&f, &bits, sizeof f);
    out[i] = f;
  }
  return out;
}

namespace {

std::uint64_t zigzag(std::int64_t d) {
  return d >= 0 ? static_cast<std::uint64_t>(d) << 1 : (static_cast<std::uint64_t>(-(d + 1)) << 1) | 1u;
}

/// Encodes values[i] on channel channel_of(i).
template <typename ChannelOf>
bool encode_q_core(const double* values, std::size_t count, std::size_t num_channels, double step,
                   const ChannelOf& channel_of, std::vector<std::uint8_t>* out) {
  if (!(step > 0.0) || !std::isfinite(step)) throw std::invalid_argument("encode_q: step must be finite and > 0");
  out->clear();
  out->reserve(count + count / 2);
  std::vector<std::int64_t> last(num_channels, 0);
  for (std::size_t i = 0; i < count; ++i) {
    const double x = values[i];
    if (std::isnan(x)) {
      out->push_back(0);
      continue;
    }
    const double scaled = std::nearbyint(x / step);
    if (!(std::abs(scaled) <= kMaxQuantized)) return false;
    const auto k = static_cast<std::int64_t>(scaled);
    std::int64_t& prev = last[channel_of(i)];
    const std::int64_t d = k - prev;
    prev = k;
    append_varint(zigzag(d) + 1u, out);
  }
  return true;
}

template <typename ChannelOf>
std::vector<double> decode_q_core(const std::vector<std::uint8_t>& bytes, std::size_t count, std::size_t num_channels,
                                  double step, const ChannelOf& channel_of) {
  std::vector<double> out;
  out.reserve(count);
  std::vector<std::int64_t> last(num_channels, 0);
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    std::uint64_t token = 0;
    int shift = 0;
    for (;;) {
      if (pos >= bytes.size()) throw std::invalid_argument("decode_q: truncated varint");
      if (shift > 63) throw std::invalid_argument("decode_q: overlong varint");
      const std::uint8_t b = bytes[pos++];
      token |= std::uint64_t{b & 0x7fu} << shift;
      shift += 7;
      if ((b & 0x80u) == 0) break;
    }
    const std::size_t i = out.size();
    if (i >= count) throw std::invalid_argument("decode_q: more values than expected (" + std::to_string(count) + ")");
    if (token == 0) {
      out.push_back(std::numeric_limits<double>::quiet_NaN());
      continue;
    }
    const std::uint64_t z = token - 1;
    const std::int64_t d = (z & 1u) ? -static_cast<std::int64_t>(z >> 1) - 1 : static_cast<std::int64_t>(z >> 1);
    std::int64_t& prev = last[channel_of(i)];
    prev += d;
    out.push_back(static_cast<double>(prev) * step);
  }
  if (out.size() != count) {
    throw std::invalid_argument("decode_q: " + std::to_string(out.size()) + " values decoded, expected " +
                                std::to_string(count));
  }
  return out;
}

/// Channel of value i for ragged frames: slot within its frame * per_slot + k.
struct RaggedChannels {
  std::vector<std::uint32_t> channel;
  std::size_t num_channels = 1;
  std::size_t count = 0;
  RaggedChannels(const std::vector<std::uint8_t>& counts, std::size_t per_slot) {
    if (per_slot < 1) throw std::invalid_argument("encode_q_ragged: per_slot must be >= 1");
    std::size_t max_count = 0;
    for (std::uint8_t c : counts) {
      count += c * per_slot;
      max_count = std::max<std::size_t>(max_count, c);
    }
    num_channels = std::max<std::size_t>(1, max_count * per_slot);
    channel.reserve(count);
    for (std::uint8_t c : counts) {
      for (std::size_t k = 0; k < c * per_slot; ++k) channel.push_back(static_cast<std::uint32_t>(k));
    }
  }
};

}  // namespace

bool encode_q(const double* values, std::size_t count, std::size_t stride, double step,
              std::vector<std::uint8_t>* out) {
  if (stride < 1) throw std::invalid_argument("encode_q: stride must be >= 1");
  return encode_q_core(values, count, stride, step, [stride](std::size_t i) { return i % stride; }, out);
}

std::vector<double> decode_q(const std::vector<std::uint8_t>& bytes, std::size_t count, std::size_t stride,
                             double step) {
  if (stride < 1) throw std::invalid_argument("decode_q: stride must be >= 1");
  return decode_q_core(bytes, count, stride, step, [stride](std::size_t i) { return i % stride; });
}

bool encode_q_ragged(const double* values, const std::vector<std::uint8_t>& counts, std::size_t per_slot,
                     double step, std::vector<std::uint8_t>* out) {
  const RaggedChannels ch(counts, per_slot);
  return encode_q_core(values, ch.count, ch.num_channels, step,
                       [&ch](std::size_t i) { return static_cast<std::size_t>(ch.channel[i]); }, out);
}

std::vector<double> decode_q_ragged(const std::vector<std::uint8_t>& bytes, const std::vector<std::uint8_t>& counts,
                                    std::size_t per_slot, double step) {
  const RaggedChannels ch(counts, per_slot);
  return decode_q_core(bytes, ch.count, ch.num_channels, step,
                       [&ch](std::size_t i) { return static_cast<std::size_t>(ch.channel[i]); });
}

}  // namespace crossview::report::detail
