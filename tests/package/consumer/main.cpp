// A downstream program built against crossview (installed or add_subdirectory).
// Core-only consumers (CONSUMER_CORE_ONLY) use crossview::crossview alone and are
// built with Ceres, fmt, nlohmann-json and toml++ hidden from CMake; full
// consumers also call crossview::io, crossview::calibration and
// crossview::temporal_refine.
#include <crossview/crossview.hpp>
#include <crossview/version.hpp>
#ifndef CONSUMER_CORE_ONLY
#include <crossview/calibration/compare.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/temporal/refine.hpp>
#endif

#include <cstdio>
#include <cstring>
#include <vector>

int main() {
  using namespace crossview;
  const camera::Camera cam = camera::Camera::pinhole(1000, 1000, 640, 360, 1280, 720);
  Eigen::Vector2d pixel;
  if (cam.project(Eigen::Vector3d(0.1, -0.2, 2.0), &pixel) != camera::ProjectionStatus::kSuccess) return 1;
  if ((pixel - Eigen::Vector2d(690, 260)).norm() > 1e-9) return 1;
  // A symbol of the compiled core library, checked against the installed header.
  char header_version[32];
  std::snprintf(header_version, sizeof header_version, "%d.%d.%d", CROSSVIEW_VERSION_MAJOR, CROSSVIEW_VERSION_MINOR,
                CROSSVIEW_VERSION_PATCH);
  if (std::strcmp(library_version(), header_version) != 0) return 1;
  // The layout check of the compiled core: a transposed point set is refused.
  const Eigen::MatrixXd transposed = Eigen::MatrixXd::Zero(5, 3);
  try {
    require_points(transposed, 3, "consumer");
    return 1;
  } catch (const std::invalid_argument&) {
  }
  // The core's temporal filters.
  const Eigen::Matrix3Xd track = Eigen::Vector3d(1, 2, 3).replicate(1, 40);
  if (!temporal::butterworth_filter(track, 1, 60.0).ok()) return 1;
#ifndef CONSUMER_CORE_ONLY
  // The Ceres-backed crossview::temporal_refine.
  temporal::RefineOptions ro;
  ro.rate_hz = 60.0;
  const temporal::RefineResult rr =
      temporal::refine_sequence({cam}, Eigen::Matrix2Xd::Constant(2, 3, 1.0), Eigen::VectorXd::Zero(3), 3, ro);
  if (rr.status != temporal::RefineStatus::kNothingToRefine) return 1;
  io::Rig rig;
  rig.cameras.push_back(cam);
  rig.length_unit = "m";
  const io::Rig back = io::parse_rig_json(io::format_rig_json(rig));
  if (back.cameras.size() != 1 || back.cameras[0].params() != cam.params()) return 1;
  const camera::Camera moved = camera::Camera::pinhole(
      1000, 1000, 640, 360, 1280, 720,
      camera::Rigid3d(Eigen::Quaterniond::Identity(), Eigen::Vector3d(1.0, 0.0, 0.0)));
  const std::vector<camera::Camera> rig_cameras{cam, moved};
  const calibration::RigComparison cmp = calibration::compare_rigs(rig_cameras, rig_cameras);
  if (!(cmp.median_rotation_error_deg() < 1e-9)) return 1;
  std::printf("consumer (core, io, calibration, temporal_refine): projected to (%.1f, %.1f), rig JSON round trip ok\n",
              pixel.x(), pixel.y());
#else
  std::printf("consumer (core only): projected to (%.1f, %.1f)\n", pixel.x(), pixel.y());
#endif
  return 0;
}
