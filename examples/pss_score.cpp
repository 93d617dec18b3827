// Example: the Pose Structure Score of predicted poses.
//
// PSS clusters normalized ground-truth poses with k-means and scores how often
// a prediction falls in the same cluster as its ground truth. Fit the model once
// on the ground truth (or load saved centres with crossview::io), then score.
#include <crossview/metrics/pose_metrics.hpp>
#include <crossview/metrics/pss.hpp>
#include <crossview/sim/scene.hpp>

#include <cstdio>
#include <random>
#include <vector>

int main() {
  using namespace crossview;
  sim::SceneOptions scene_options;
  scene_options.num_frames = 120;
  const sim::Scene scene = sim::make_scene(scene_options);
  // Every frame's ground truth packed 3 x (F*J), column f*J + j (numpy (F, J, 3)).
  const Points3d& truth = scene.poses_in_world;
  const int J = pose::h36m::kNumJoints;

  // Two "methods": small and large per-joint noise (mm).
  std::mt19937_64 rng(5);
  auto noisy = [&](double sigma) {
    std::normal_distribution<double> n(0.0, sigma);
    return Points3d(truth.unaryExpr([&](double x) { return x + n(rng); }));
  };
  pss::FitOptions fit_options;
  fit_options.kmeans.seed = 1;  // deterministic
  const pss::Model model = pss::fit(truth, J, 8, fit_options);
  for (double sigma : {10.0, 80.0}) {
    const Points3d predicted = noisy(sigma);
    const pss::ScoreResult s = pss::score(model, predicted, truth);
    const metrics::ErrorSummary e = metrics::mpjpe(predicted, truth, J);
    std::printf("noise %4.0f mm: MPJPE %6.1f mm, PSS@8 %.3f\n", sigma, e.mean, s.pss);
  }
  return 0;
}
