#include <crossview/io/pss_model.hpp>
#include <crossview/metrics/pss.hpp>

#include <catch2/catch.hpp>
#include <crossview_test/points.hpp>
#include <crossview_test/random.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

namespace cm = crossview::metrics;
using cm::Pose3d;

namespace {

std::vector<Pose3d> random_poses(crossview_test::Rng& rng, int count) {
  std::vector<Pose3d> out;
  for (int i = 0; i < count; ++i) {
    Pose3d p(3, 17);
    for (int j = 0; j < 17; ++j) p.col(j) << rng.normal(300), rng.normal(300), rng.normal(300);
    out.push_back(p);
  }
  return out;
}

std::string temp_path(const std::string& name) {
  return std::string(CROSSVIEW_TEST_TMP_DIR) + "/" + name;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

}  // namespace

TEST_CASE("A saved and reloaded PSS model scores identically", "[pss][io]") {
  crossview_test::Rng rng(1);
  const std::vector<Pose3d> train = random_poses(rng, 300);
  cm::pss::FitOptions opt;
  opt.kmeans.seed = 12345678901234ull;
  opt.normalization.centering = cm::pss::Centering::kCentroid;
  const cm::pss::Model model = crossview::pss::fit(crossview_test::pack(train), 17, 12, opt);
  const std::string path = temp_path("crossview_pss_model_roundtrip.json");
  crossview::io::save_pss_model(model, path);
  const cm::pss::Model loaded = crossview::io::load_pss_model(path);
  CHECK(loaded.num_joints == 17);
  CHECK(loaded.centres == model.centres);  // bit-exact round trip
  CHECK(loaded.cluster_sizes == model.cluster_sizes);
  CHECK(loaded.inertia == model.inertia);
  CHECK(loaded.seed == model.seed);
  CHECK(loaded.normalization.centering == cm::pss::Centering::kCentroid);
  const std::vector<Pose3d> gt = random_poses(rng, 100);
  std::vector<Pose3d> pred;
  for (const Pose3d& q : gt) pred.push_back((q + Pose3d::Constant(3, 17, 10.0) + 0.2 * random_poses(rng, 1)[0]).eval());
  const cm::pss::ScoreResult a = crossview::pss::score(model, crossview_test::pack(pred), crossview_test::pack(gt));
  const cm::pss::ScoreResult b = crossview::pss::score(loaded, crossview_test::pack(pred), crossview_test::pack(gt));
  CHECK(a.pss == b.pss);
  CHECK(a.per_frame == b.per_frame);
  CHECK(a.predicted_cluster == b.predicted_cluster);
  std::remove(path.c_str());
}

TEST_CASE("Loading a malformed PSS model names the file and the field", "[pss][io][bad_input]") {
  const std::string path = temp_path("crossview_pss_model_bad.json");
  CHECK_THROWS_WITH(crossview::io::load_pss_model(temp_path("does_not_exist.json")),
                    Catch::Contains("does_not_exist.json"));
  write_file(path, "{ not json");
  CHECK_THROWS_WITH(crossview::io::load_pss_model(path), Catch::Contains(path) && Catch::Contains("invalid JSON"));
  write_file(path, R"({"format": "something.else", "version": 1})");
  CHECK_THROWS_WITH(crossview::io::load_pss_model(path), Catch::Contains("\"format\""));
  const std::string head =
      R"({"format": "crossview.pss_model", "version": 1, "num_joints": 2,
          "normalization": {"centering": "root", "root_joint": 0, "scaling": "frobenius"}, )";
  write_file(path, head + R"("k": 1})");
  CHECK_THROWS_WITH(crossview::io::load_pss_model(path), Catch::Contains("missing field \"centres\""));
  write_file(path, head + R"("k": 2, "centres": [[0,0,0,1,0,0]]})");
  CHECK_THROWS_WITH(crossview::io::load_pss_model(path), Catch::Contains("\"centres\""));
  write_file(path, head + R"("k": 1, "centres": [[0,0,0,1,0]]})");
  CHECK_THROWS_WITH(crossview::io::load_pss_model(path), Catch::Contains("centres[0]"));
  write_file(path, head + R"("k": 1, "centres": [[0,0,0,1,"x",0]]})");
  CHECK_THROWS_WITH(crossview::io::load_pss_model(path), Catch::Contains("centres[0][4]"));
  // A number beyond double's range is a documented runtime_error naming the file (it
  // used to escape as nlohmann::json::out_of_range).
  write_file(path, head + R"("k": 1, "centres": [[0,0,0,1e999,0,0]]})");
  CHECK_THROWS_AS(crossview::io::load_pss_model(path), std::runtime_error);
  CHECK_THROWS_WITH(crossview::io::load_pss_model(path), Catch::Contains(path) && Catch::Contains("invalid JSON"));
  write_file(path, R"({"format": "crossview.pss_model", "version": 1, "num_joints": 2,
          "normalization": {"centering": "middle", "root_joint": 0, "scaling": "frobenius"},
          "k": 1, "centres": [[0,0,0,1,0,0]]})");
  CHECK_THROWS_WITH(crossview::io::load_pss_model(path), Catch::Contains("normalization.centering"));
  write_file(path, R"({"format": "crossview.pss_model", "version": 1, "num_joints": 2,
          "normalization": {"centering": "root", "root_joint": 5, "scaling": "frobenius"},
          "k": 1, "centres": [[0,0,0,1,0,0]]})");
  CHECK_THROWS_WITH(crossview::io::load_pss_model(path), Catch::Contains("normalization.root_joint"));
  write_file(path, head + R"("k": 1, "centres": [[0,0,0,1,0,0]]})");
  const cm::pss::Model ok = crossview::io::load_pss_model(path);
  CHECK(ok.k() == 1);
  CHECK(ok.centres(0, 3) == 1.0);
  std::remove(path.c_str());
  CHECK_THROWS_WITH(crossview::io::save_pss_model(cm::pss::Model{}, path), Catch::Contains("empty"));
}
