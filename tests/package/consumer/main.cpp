// A downstream program built against crossview (installed or add_subdirectory).
#include <crossview/crossview.hpp>

#include <cstdio>

int main() {
  using namespace crossview;
  const camera::Camera cam = camera::Camera::pinhole(1000, 1000, 640, 360, 1280, 720);
  Eigen::Vector2d pixel;
  if (cam.project(Eigen::Vector3d(0.1, -0.2, 2.0), &pixel) != camera::ProjectionStatus::kSuccess) return 1;
  if ((pixel - Eigen::Vector2d(690, 260)).norm() > 1e-9) return 1;
  std::printf("consumer: projected to (%.1f, %.1f)\n", pixel.x(), pixel.y());
  return 0;
}
