// The least-squares problem of refine_sequence (internal to
// crossview::temporal_refine), shared by its two solvers: the structured
// Levenberg-Marquardt (structured_solver.cpp, the default) and Ceres
// (ceres_solver.cpp, the reference it is checked against).
//
// Unknowns: one 3D point per active sample (f*J + j) and one length per bone.
// Cost (Ceres' convention, 1/2 sum of rho(|r|^2)):
//   reprojection  r = weight (project_v(X_i) - pixel)        robust rho
//   smoothness    r = w_s (X_{f-2} - 2 X_{f-1} + X_f)  or  w_s (X_f - X_{f-1})
//   bones         r = w_b (|X_child - X_parent| - L_b)
#pragma once

#include <crossview/camera/camera.hpp>
#include <crossview/temporal/refine.hpp>

#include <Eigen/Core>

#include <array>
#include <string>
#include <vector>

namespace crossview::temporal::detail {

struct RefineProblem {
  int num_frames = 0;
  int num_joints = 0;
  const std::vector<camera::Camera>* cameras = nullptr;
  std::vector<char> active;  ///< per sample
  Eigen::Matrix3Xd X;        ///< 3 x (F*J), the unknowns (NaN where inactive)

  struct Observation {
    int sample = 0;
    int view = 0;
    Eigen::Vector2d pixel;
    double weight = 1.0;  ///< score / keypoint_noise_px
  };
  std::vector<Observation> observations;
  RobustLoss loss = RobustLoss::kCauchy;
  double loss_scale = 1.0;  ///< in residual units

  int smoothness_order = 2;  ///< 1 or 2
  double smooth_weight = 0.0;
  /// Samples of each smoothness residual: (a, b, c) for order 2 (coefficients
  /// 1, -2, 1), (a, b) for order 1 (coefficients -1, 1; c unused).
  std::vector<std::array<int, 3>> smooth_terms;

  struct BoneTerm {
    int parent = 0;
    int child = 0;
    int bone = 0;
  };
  std::vector<BoneTerm> bone_terms;
  std::vector<double> bone_weight;  ///< per bone
  std::vector<double> lengths;      ///< per bone, the unknowns (NaN = bone unused)

  /// Robust loss: rho(s) and rho'(s) (s = squared residual norm).
  double rho(double s) const;
  double rho_prime(double s) const;
  /// The cost at the current unknowns; false (cost = inf) when a point does
  /// not project into a camera that observes it.
  bool cost(double* out) const;
};

struct SolveSummary {
  bool usable = false;      ///< the unknowns hold a finite solution no worse than the start
  bool converged = false;   ///< a tolerance was met (not the iteration limit)
  int iterations = 0;
  double initial_cost = 0.0;
  double final_cost = 0.0;
  int linear_iterations = 0;  ///< total conjugate-gradient iterations (structured)
  std::string message;
};

SolveSummary solve_structured(RefineProblem* problem, const RefineOptions& options);
SolveSummary solve_ceres(RefineProblem* problem, const RefineOptions& options);

}  // namespace crossview::temporal::detail
