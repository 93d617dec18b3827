// crossview report, internal: how numeric arrays are embedded in the page.
//
// Every array is a byte string in base64 (RFC 4648, with padding) with one of
// these encodings (docs/report.md#data-format):
//   "f32"  little-endian IEEE float32, NaN = missing.
//   "u8"   raw bytes (scores: round(255 s), 0 = missing; view masks).
//   "u32"  little-endian uint32 (view masks of runs with more than 8 views).
//   "q"    quantized, delta-coded along time, LEB128 varints: value i belongs
//          to channel c = i mod stride; k = round(x / step); token =
//          zigzag(k - last[c]) + 1 (last[c] starts at 0 and becomes k), or 0
//          for NaN (last[c] unchanged). x is restored as last[c] * step, within
//          step / 2 of the original. "qr" is the same over ragged frames
//          (a count per frame, see encode_q_ragged).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace crossview::report::detail {

std::string base64_encode(const std::uint8_t* data, std::size_t size);
inline std::string base64_encode(const std::vector<std::uint8_t>& bytes) {
  return base64_encode(bytes.data(), bytes.size());
}
/// Throws std::invalid_argument on a character outside the alphabet or a bad length.
std::vector<std::uint8_t> base64_decode(const std::string& text);

/// Little-endian float32 bytes of `values` (NaN kept).
std::vector<std::uint8_t> encode_f32(const double* values, std::size_t count);
std::vector<std::uint8_t> encode_f32(const float* values, std::size_t count);
std::vector<double> decode_f32(const std::vector<std::uint8_t>& bytes);

/// Largest |x / step| the "q" encoding accepts (exactly representable in a
/// JavaScript number after the delta sums).
constexpr double kMaxQuantized = 4.0e15;

/// The "q" encoding of `count` values (see the file comment). Returns false
/// (and leaves `out` unspecified) when a finite value exceeds kMaxQuantized
/// steps or is infinite. Throws std::invalid_argument when step <= 0 or
/// stride < 1.
bool encode_q(const double* values, std::size_t count, std::size_t stride, double step,
              std::vector<std::uint8_t>* out);
/// Inverse of encode_q (tests); throws std::invalid_argument on truncated or
/// overlong input or a count mismatch.
std::vector<double> decode_q(const std::vector<std::uint8_t>& bytes, std::size_t count, std::size_t stride,
                             double step);

/// "q" over ragged frames: frame f holds counts[f] slots of `per_slot` values
/// (values in frame order); the channel of a value is slot * per_slot + k, so
/// slot s of a frame is delta-coded against slot s of the last frame that had
/// it. With every count 1 this is encode_q with stride = per_slot.
bool encode_q_ragged(const double* values, const std::vector<std::uint8_t>& counts, std::size_t per_slot,
                     double step, std::vector<std::uint8_t>* out);
std::vector<double> decode_q_ragged(const std::vector<std::uint8_t>& bytes, const std::vector<std::uint8_t>& counts,
                                    std::size_t per_slot, double step);

}  // namespace crossview::report::detail
