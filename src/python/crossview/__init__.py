"""crossview: multi-view geometry and 3D human pose.

Python bindings of the crossview C++ library (docs/python.md). Point sets are numpy arrays
of shape (N, D), float64, C order -- the library's own layout (D x N column-major in C++), so
such arrays are read in place without a copy; other inputs (float32, Fortran order, lists)
are converted once. Collections are packed the same way: one frame seen by V views is
(V, J, 2), F frames (F, V, J, 2), a sequence of poses (F, J, 3).

Submodules: crossview.epipolar, crossview.triangulation, crossview.rpsm, crossview.metrics
(with crossview.metrics.pss, also crossview.pss), crossview.io, crossview.association
(multi-person association and tracking), crossview.temporal (filters, gap filling,
refine_sequence), crossview.calibration (calibrate_rig), crossview.batch (batch runner over
trials, local or on Dask).

Errors: programmer errors (wrong shapes, invalid options) raise ValueError with the C++
message; an unknown option name raises TypeError; unreadable / malformed files raise
crossview.IoError (a subclass of OSError with .file and .field). Data problems are statuses
(Python enums whose .message is the C++ text), never exceptions.
"""
import sys as _sys

from . import _core
from ._core import (  # noqa: F401
    Camera,
    association,
    calibration,
    temporal,
    CameraModel,
    IoError,
    ProjectionStatus,
    Skeleton,
    __version__,
    builtin_skeleton,
    builtin_skeleton_names,
    builtin_skeletons_with_joints,
    epipolar,
    estimate_limb_lengths,
    image_from_heatmap_for_box,
    io,
    metrics,
    render_gaussian_heatmaps,
    rpsm,
    triangulation,
)
from ._core.triangulation import (  # noqa: F401
    triangulate,
    triangulate_batch,
    triangulate_skeleton,
)

pss = metrics.pss

# `import crossview.epipolar` and `from crossview.triangulation import ...` work like modules.
for _name, _module in (("epipolar", epipolar), ("triangulation", triangulation), ("rpsm", rpsm),
                       ("metrics", metrics), ("metrics.pss", pss), ("pss", pss), ("io", io),
                       ("association", association), ("temporal", temporal), ("calibration", calibration)):
    _sys.modules[__name__ + "." + _name] = _module
del _name, _module

__all__ = [
    "Camera", "association", "builtin_skeleton", "builtin_skeleton_names", "builtin_skeletons_with_joints",
    "calibration", "temporal", "CameraModel", "IoError", "ProjectionStatus", "Skeleton", "__version__", "epipolar",
    "estimate_limb_lengths", "image_from_heatmap_for_box", "io", "metrics", "pss",
    "render_gaussian_heatmaps", "rpsm", "triangulate", "triangulate_batch", "triangulate_skeleton",
    "triangulation",
]
