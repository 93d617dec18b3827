// The array layout of the metrics (docs/conventions.md#array-layouts): a batch
// of F poses is packed 3 x (F*J) (2 x (F*J) in 2D) with the joint count passed
// alongside, masks and per-entry errors are aligned with the columns; a
// transposed batch is a std::invalid_argument naming the function and the
// argument; a numpy (F, J, 3) C-order buffer is the batch, read in place.
#include <crossview/metrics/alignment.hpp>
#include <crossview/metrics/pose_metrics.hpp>
#include <crossview/metrics/pss.hpp>

#include <crossview_test/points.hpp>
#include <crossview_test/random.hpp>

#include <catch2/catch.hpp>

#include <vector>

namespace cm = crossview::metrics;
using crossview::Points2d;
using crossview::Points3d;
using crossview_test::require_invalid_argument;
using crossview_test::transposed;

namespace {
constexpr int kJ = 17;

Points3d random_batch(crossview_test::Rng& rng, int frames) {
  Points3d p(3, frames * kJ);
  for (Eigen::Index c = 0; c < p.cols(); ++c) p.col(c) << rng.normal(300), rng.normal(300), rng.normal(300);
  return p;
}
}  // namespace

TEST_CASE("batched 3D metrics reject transposed batches", "[metrics][layout]") {
  crossview_test::Rng rng(1);
  const Points3d gt = random_batch(rng, 2);  // 3 x 34
  const Points3d pred = gt + 10.0 * Points3d::Ones(3, gt.cols());
  const Eigen::MatrixXd gt_t = transposed(gt), pred_t = transposed(pred);  // 34 x 3
  const std::vector<std::string> gt_needles = {"ground_truth", "34 x 3", "transposed"};
  const auto with = [](std::string fn, std::vector<std::string> needles) {
    needles.insert(needles.begin(), fn);
    return needles;
  };
  require_invalid_argument([&] { cm::joint_errors(pred, gt_t, kJ); }, with("joint_errors", gt_needles));
  require_invalid_argument([&] { cm::joint_errors(pred_t, gt, kJ); }, {"joint_errors", "predicted"});
  require_invalid_argument([&] { cm::mpjpe(pred, gt_t, kJ); }, with("mpjpe", gt_needles));
  require_invalid_argument([&] { cm::mpjpe(pred_t, gt, kJ); }, {"mpjpe", "predicted", "34 x 3"});
  require_invalid_argument([&] { cm::pa_mpjpe(pred, gt_t, kJ); }, with("pa_mpjpe", gt_needles));
  require_invalid_argument([&] { cm::pa_mpjpe(pred_t, gt, kJ); }, {"pa_mpjpe", "predicted"});
  require_invalid_argument([&] { cm::n_mpjpe(pred, gt_t, kJ); }, with("n_mpjpe", gt_needles));
  require_invalid_argument([&] { cm::n_mpjpe(pred_t, gt, kJ); }, {"n_mpjpe", "predicted"});
  require_invalid_argument([&] { cm::pck_3d(pred, gt_t, kJ); }, with("pck_3d", gt_needles));
  require_invalid_argument([&] { cm::pck_3d(pred_t, gt, kJ); }, {"pck_3d", "predicted"});
  require_invalid_argument([&] { cm::n_pck(pred, gt_t, kJ); }, {"ground_truth", "transposed"});
  require_invalid_argument([&] { cm::n_pck(pred_t, gt, kJ); }, {"predicted"});
  require_invalid_argument([&] { cm::auc_3d(pred, gt_t, kJ); }, with("auc_3d", gt_needles));
  require_invalid_argument([&] { cm::auc_3d(pred_t, gt, kJ); }, {"auc_3d", "predicted"});
  require_invalid_argument([&] { cm::pcp(pred, gt_t, kJ); }, with("pcp", gt_needles));
  require_invalid_argument([&] { cm::pcp(pred_t, gt, kJ); }, {"pcp", "predicted"});
  // The mask is aligned with the columns: F*J entries.
  require_invalid_argument([&] { cm::mpjpe(pred, gt, kJ, {}, cm::JointMask::Constant(kJ, true)); },
                           {"mpjpe", "visible", "34"});
  // A partial pose (not a multiple of J columns).
  require_invalid_argument([&] { cm::mpjpe(pred.leftCols(33), gt.leftCols(33), kJ); },
                           {"mpjpe", "ground_truth", "not a multiple of 17"});
  // The correct shapes work and the per-entry errors follow the columns.
  const cm::JointErrors e = cm::joint_errors(pred, gt, kJ, {cm::Alignment::kNone, 0});
  REQUIRE(e.error.size() == 2 * kJ);
  CHECK(e.num_frames == 2);
  CHECK(e.num_joints == kJ);
  CHECK(e.error(kJ + 5) == Approx(std::sqrt(300.0)));
}

TEST_CASE("batched 2D metrics reject transposed batches", "[metrics][layout]") {
  Points2d gt(2, 2 * kJ);
  for (Eigen::Index c = 0; c < gt.cols(); ++c) gt.col(c) << 10.0 * c, 5.0 * c + 3.0;
  const Points2d pred = gt.array() + 1.0;
  const Eigen::MatrixXd gt_t = transposed(gt), pred_t = transposed(pred);
  require_invalid_argument([&] { cm::pck_2d(pred, gt_t, kJ, 10.0); }, {"pck_2d", "ground_truth", "transposed"});
  require_invalid_argument([&] { cm::pck_2d(pred_t, gt, kJ, 10.0); }, {"pck_2d", "predicted"});
  require_invalid_argument([&] { cm::jdr(pred, gt_t, kJ); }, {"jdr", "ground_truth", "transposed"});
  require_invalid_argument([&] { cm::jdr(pred_t, gt, kJ); }, {"jdr", "predicted"});
  require_invalid_argument([&] { cm::pcp_2d(pred, gt_t, kJ); }, {"pcp_2d", "ground_truth", "transposed"});
  require_invalid_argument([&] { cm::pcp_2d(pred_t, gt, kJ); }, {"pcp_2d", "predicted"});
  // A 3D batch passed to a 2D metric: the dimension is checked too.
  require_invalid_argument([&] { cm::pck_2d(Points3d::Zero(3, kJ), Points3d::Zero(3, kJ), kJ, 10.0); },
                           {"pck_2d", "ground_truth", "2 x (n * 17)"});
  CHECK(cm::pck_2d(pred, gt, kJ, 10.0).rate == 1.0);
}

TEST_CASE("alignment and PSS reject transposed point sets", "[metrics][layout]") {
  crossview_test::Rng rng(2);
  const Points3d poses = random_batch(rng, 30);  // 3 x 510
  const Points3d one = poses.leftCols(kJ);
  cm::Similarity3d sim;
  require_invalid_argument([&] { cm::umeyama_similarity(transposed(one), one, &sim); },
                           {"umeyama_similarity", "source", "17 x 3", "transposed"});
  require_invalid_argument([&] { cm::umeyama_similarity(one, transposed(one), &sim); },
                           {"umeyama_similarity", "target"});
  double s = 0.0;
  require_invalid_argument([&] { cm::optimal_scale(one, transposed(one), &s); }, {"optimal_scale", "17 x 3"});
  require_invalid_argument([&] { cm::pss::normalize(transposed(one), {}); }, {"pss::normalize", "pose", "transposed"});
  require_invalid_argument([&] { cm::pss::fit(transposed(poses), kJ, 3); },
                           {"pss::fit", "ground_truth_poses", "510 x 3", "transposed"});
  const cm::pss::Model model = cm::pss::fit(poses, kJ, 3);
  require_invalid_argument([&] { cm::pss::nearest_centre(model, transposed(one)); },
                           {"pss::nearest_centre", "pose", "transposed"});
  require_invalid_argument([&] { cm::pss::score(model, poses, transposed(poses)); },
                           {"pss::score", "ground_truth", "transposed"});
  require_invalid_argument([&] { cm::pss::score(model, transposed(poses), poses); },
                           {"pss::score", "predicted", "transposed"});
  REQUIRE(cm::umeyama_similarity(one, one, &sim));
  CHECK(sim.scale == Approx(1.0));
  // A centre (a k-means row [x0, y0, z0, x1, ...]) read as a 3 x J pose in place.
  const auto centre = model.centre(1);
  REQUIRE(centre.rows() == 3);
  REQUIRE(centre.cols() == kJ);
  for (int j = 0; j < kJ; ++j) {
    for (int d = 0; d < 3; ++d) CHECK(centre(d, j) == model.centres(1, 3 * j + d));
  }
  CHECK(cm::pss::nearest_centre(model, centre) == 1);
}

TEST_CASE("a numpy (F, J, 3) C-order buffer is the packed batch, read in place", "[metrics][layout]") {
  crossview_test::Rng rng(3);
  const Points3d gt = random_batch(rng, 4);
  const Points3d pred = gt + Points3d::Constant(3, gt.cols(), 7.0);
  // numpy predicted[f, j, c] in C order = the packed matrix's memory.
  const std::vector<double> buffer(pred.data(), pred.data() + pred.size());
  const Eigen::Map<const Points3d> map(buffer.data(), 3, 4 * kJ);
  CHECK(crossview::ConstPointsRef(map).data() == buffer.data());
  const cm::ErrorSummary a = cm::mpjpe(map, gt, kJ, {cm::Alignment::kNone, 0});
  const cm::ErrorSummary b = cm::mpjpe(pred, gt, kJ, {cm::Alignment::kNone, 0});
  REQUIRE(a.ok());
  CHECK(a.mean == b.mean);
  CHECK(a.mean == Approx(std::sqrt(3.0) * 7.0));
  // The per-frame mask, flattened frame-major like the batch.
  cm::JointMask visible = cm::JointMask::Constant(4 * kJ, true);
  visible(2 * kJ + 3) = false;
  CHECK(cm::mpjpe(pred, gt, kJ, {}, visible).counts.missing_ground_truth == 1);
}
