// crossview: umbrella header of the core library (crossview::crossview):
// camera models, robust estimation, epipolar geometry, triangulation, pose
// (skeletons, heatmaps), RPSM, metrics, the synthetic scenes, sequences
// (temporal filters, gap filling, world frame) and multi-person association
// and tracking. Only Eigen and
// the standard library are included. The compiled file formats (crossview::io)
// have their own headers under crossview/io/.
#pragma once

#include <crossview/version.hpp>
#include <crossview/core/points.hpp>
#include <crossview/camera/camera.hpp>
#include <crossview/camera/models.hpp>
#include <crossview/camera/rigid3.hpp>
#include <crossview/robust/ransac.hpp>
#include <crossview/epipolar/essential.hpp>
#include <crossview/epipolar/estimate.hpp>
#include <crossview/epipolar/fundamental.hpp>
#include <crossview/epipolar/pose.hpp>
#include <crossview/epipolar/refine.hpp>
#include <crossview/epipolar/residuals.hpp>
#include <crossview/triangulation/linear.hpp>
#include <crossview/triangulation/refine.hpp>
#include <crossview/triangulation/robust.hpp>
#include <crossview/triangulation/triangulate.hpp>
#include <crossview/triangulation/two_view.hpp>
#include <crossview/triangulation/types.hpp>
#include <crossview/pose/heatmaps.hpp>
#include <crossview/pose/skeleton.hpp>
#include <crossview/rpsm/rpsm.hpp>
#include <crossview/metrics/alignment.hpp>
#include <crossview/metrics/kmeans.hpp>
#include <crossview/metrics/pose_metrics.hpp>
#include <crossview/metrics/pss.hpp>
#include <crossview/metrics/root_depth.hpp>
#include <crossview/metrics/types.hpp>
#include <crossview/sim/multi_person.hpp>
#include <crossview/sim/scene.hpp>
#include <crossview/association/associate.hpp>
#include <crossview/association/tracker.hpp>
#include <crossview/association/types.hpp>
#include <crossview/temporal/filters.hpp>
#include <crossview/temporal/gap_filling.hpp>
#include <crossview/temporal/sequence.hpp>
#include <crossview/temporal/world_frame.hpp>
