// The header's version macros and the linked library agree (and match project()).
#include <crossview/version.hpp>

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("library version matches the header", "[core]") {
  const std::string header = std::to_string(CROSSVIEW_VERSION_MAJOR) + "." + std::to_string(CROSSVIEW_VERSION_MINOR) + "." +
                             std::to_string(CROSSVIEW_VERSION_PATCH);
  CHECK(std::string(crossview::library_version()) == header);
}
