// Shared helpers of the libFuzzer harnesses: a check that turns a broken
// contract (NaN labelled success, inconsistent sizes, ...) into a crash the
// fuzzer reports, with a message saying which contract broke.
#pragma once

#include <crossview/camera/camera.hpp>

#include <cmath>
#include <cstdio>

#define CROSSVIEW_FUZZ_CHECK(cond)                                                        \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::fprintf(stderr, "crossview fuzz: contract violated: %s (%s:%d)\n", #cond,      \
                   __FILE__, __LINE__);                                                  \
      __builtin_trap();                                                                  \
    }                                                                                    \
  } while (false)

namespace crossview::fuzz {

/// What every camera coming out of a reader must satisfy: finite parameters,
/// positive focal lengths and image size, a finite unit-quaternion pose.
inline void check_camera(const camera::Camera& cam) {
  CROSSVIEW_FUZZ_CHECK(cam.params().size() == camera::num_params(cam.model()));
  CROSSVIEW_FUZZ_CHECK(cam.params().allFinite());
  CROSSVIEW_FUZZ_CHECK(cam.fx() > 0.0 && cam.fy() > 0.0);
  CROSSVIEW_FUZZ_CHECK(cam.width() > 0 && cam.height() > 0);
  CROSSVIEW_FUZZ_CHECK(cam.cam_from_world.is_finite());
  CROSSVIEW_FUZZ_CHECK(std::abs(cam.cam_from_world.rotation.norm() - 1.0) < 1e-6);
}

}  // namespace crossview::fuzz
