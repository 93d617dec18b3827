// crossview Python bindings: a camera list argument (a sequence of Camera or
// anything with a `cameras` attribute, e.g. crossview.io.Rig).
#pragma once

#include "common.hpp"

#include <crossview/camera/camera.hpp>

#include <vector>

namespace crossview::python {

inline std::vector<camera::Camera> cameras_arg(const py::object& cameras) {
  py::object list = cameras;
  if (!py::isinstance<py::sequence>(cameras) && py::hasattr(cameras, "cameras")) list = cameras.attr("cameras");
  try {
    return list.cast<std::vector<camera::Camera>>();
  } catch (const py::cast_error&) {
    throw py::type_error("cameras: expected a sequence of crossview.Camera (or a crossview.io.Rig)");
  }
}

}  // namespace crossview::python
