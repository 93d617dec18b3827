// crossview: umbrella header of the header-only core (crossview::crossview).
// Compiled parts (crossview::io) have their own headers under crossview/io/.
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/camera/models.hpp>
#include <crossview/camera/rigid3.hpp>
#include <crossview/sim/scene.hpp>
