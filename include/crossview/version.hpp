// crossview version, for the header (compile time) and the linked library
// (run time); a mismatch means the headers and the library come from two
// different installs.
#pragma once

#define CROSSVIEW_VERSION_MAJOR 0
#define CROSSVIEW_VERSION_MINOR 1
#define CROSSVIEW_VERSION_PATCH 0

namespace crossview {

/// "major.minor.patch" of the compiled crossview library that is linked in.
const char* library_version();

}  // namespace crossview
