// Fuzzes io::parse_skeleton_toml / parse_skeleton_json: only io::IoError
// escapes; an accepted skeleton is consistent (limbs in range, tree iff
// spanning) and survives format_skeleton_json -> parse_skeleton_json.
#include "fuzz_common.hpp"

#include <crossview/io/skeleton_file.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace crossview;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (int syntax = 0; syntax < 2; ++syntax) {
    pose::Skeleton s;
    try {
      s = syntax == 0 ? io::parse_skeleton_toml(text, "fuzz.toml") : io::parse_skeleton_json(text, "fuzz.json");
    } catch (const io::IoError&) {
      continue;
    }
    CROSSVIEW_FUZZ_CHECK(s.num_joints() > 0);
    for (const auto& [a, b] : s.limbs()) CROSSVIEW_FUZZ_CHECK(a >= 0 && b >= 0 && a < s.num_joints() && b < s.num_joints() && a != b);
    CROSSVIEW_FUZZ_CHECK(!s.is_tree() || s.num_limbs() == s.num_joints() - 1);
    const pose::Skeleton again = io::parse_skeleton_json(io::format_skeleton_json(s), "roundtrip.json");
    CROSSVIEW_FUZZ_CHECK(again.names() == s.names());
    CROSSVIEW_FUZZ_CHECK(again.limbs() == s.limbs());
    CROSSVIEW_FUZZ_CHECK(again.feet() == s.feet());
  }
  return 0;
}
