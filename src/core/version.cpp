#include <crossview/version.hpp>

namespace crossview {

// CROSSVIEW_LIBRARY_VERSION comes from project(crossview VERSION ...).
const char* library_version() { return CROSSVIEW_LIBRARY_VERSION; }

}  // namespace crossview
