// crossview::io: save / load a Pose Structure Score model (metrics/pss.hpp) as
// JSON, so PSS@k values are comparable across runs and papers.
//
// File format (UTF-8 JSON object, version 1; numbers written with 17
// significant digits so a round trip is bit-exact):
//   {
//     "format": "crossview.pss_model",       // required, exactly this string
//     "version": 1,                            // required
//     "num_joints": 17,                        // J >= 1
//     "normalization": {"centering": "root" | "centroid",
//                       "root_joint": 0,       // 0 <= root_joint < J
//                       "scaling": "frobenius" | "none"},
//     "k": 100,                                // number of centres, >= 1
//     "centres": [[x0, y0, z0, x1, ...], ...], // k arrays of 3J finite numbers,
//                                              // normalized poses, joint-major
//     "cluster_sizes": [...],                  // optional, k integers
//     "inertia": 123.4, "iterations": 17,      // optional fit diagnostics
//     "converged": true, "seed": 0
//   }
//
// Errors: both functions throw std::runtime_error naming the file and, for
// malformed content, the offending field (e.g. "centres[3][7]").
#pragma once

#include <crossview/metrics/pss.hpp>

#include <string>

namespace crossview::io {

void save_pss_model(const pss::Model& model, const std::string& path);
pss::Model load_pss_model(const std::string& path);

}  // namespace crossview::io
