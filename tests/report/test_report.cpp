// The report: encodings, the run model's validation, the diagnostics (camera
// statistics, swap test, warnings, fair tables) on seeded synthetic scenes,
// the page (its JSON, storage modes, size bar) and bad input.
#include "fixtures.hpp"

#include "report/detail/encode.hpp"
#include "report/diagnostics.hpp"
#include "report/html.hpp"
#include "report/pipeline.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <string>

using namespace crossview;
using namespace crossview::report;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

test::SyntheticRunOptions synthetic(int frames, int cameras = 4, std::uint64_t seed = 1, double noise_px = 1.5,
                                    double outlier_rate = 0.03) {
  test::SyntheticRunOptions o;
  o.frames = frames;
  o.cameras = cameras;
  o.seed = seed;
  o.noise_px = noise_px;
  o.outlier_rate = outlier_rate;
  return o;
}

bool has_warning(const Diagnostics& d, WarningKind kind, std::vector<int> cameras = {}) {
  for (const Warning& w : d.warnings) {
    if (w.kind != kind) continue;
    std::vector<int> c = w.cameras;
    std::sort(c.begin(), c.end());
    std::sort(cameras.begin(), cameras.end());
    if (cameras.empty() || c == cameras) return true;
  }
  return false;
}

int count_kind(const Diagnostics& d, WarningKind kind) {
  int n = 0;
  for (const Warning& w : d.warnings) n += w.kind == kind ? 1 : 0;
  return n;
}

/// A small valid run: 3 frames, 2 joints, 2 cameras, 1 person.
Run tiny_run() {
  Run run;
  run.num_frames = 3;
  run.num_joints = 2;
  run.length_unit = "m";
  run.skeleton.joint_names = {"a", "b"};
  run.skeleton.limbs = {{0, 1}};
  for (int v = 0; v < 2; ++v) {
    camera::Rigid3d pose;
    pose.translation = Eigen::Vector3d(0.5 * v, 0.0, 4.0);
    run.cameras.push_back(camera::Camera::pinhole(800, 800, 320, 240, 640, 480, pose, "c" + std::to_string(v)));
  }
  Person p;
  p.id = 3;
  Layer l;
  l.method = "m";
  l.joints_in_world = Points3d::Random(3, 6);
  p.layers.push_back(l);
  run.persons.push_back(p);
  run.detections.assign(3, std::vector<ViewDetections>(2));
  for (auto& frame : run.detections) {
    for (auto& d : frame) {
      d.pixels_px = Points2d::Constant(2, 2, 100.0);
      d.scores = Eigen::VectorXd::Constant(2, 0.9);
      d.person_ids = {3};
    }
  }
  return run;
}

std::string extract_json(const std::string& page) {
  const std::string open = "<script type=\"application/json\" id=\"cv-run\">";
  const std::size_t a = page.find(open);
  REQUIRE(a != std::string::npos);
  const std::size_t b = page.find("</script>", a);
  return page.substr(a + open.size(), b - a - open.size());
}

std::string blob_text(const std::string& page, int index) {
  const std::string open = "id=\"cv-blob-" + std::to_string(index) + "\">";
  const std::size_t a = page.find(open);
  REQUIRE(a != std::string::npos);
  const std::size_t b = page.find("</script>", a);
  return page.substr(a + open.size(), b - a - open.size());
}

}  // namespace

// --- encodings -------------------------------------------------------------------

TEST_CASE("base64 round trip and RFC 4648 vectors") {
  const std::string text = "foobar";
  const char* expected[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
  for (std::size_t n = 0; n <= text.size(); ++n) {
    const auto* data = reinterpret_cast<const std::uint8_t*>(text.data());
    const std::string e = report::detail::base64_encode(data, n);
    CHECK(e == expected[n]);
    const auto back = report::detail::base64_decode(e);
    CHECK(std::string(back.begin(), back.end()) == text.substr(0, n));
  }
  std::mt19937 rng(3);
  std::vector<std::uint8_t> bytes(1001);
  for (auto& b : bytes) b = static_cast<std::uint8_t>(rng());
  CHECK(report::detail::base64_decode(report::detail::base64_encode(bytes)) == bytes);
  CHECK_THROWS_AS(report::detail::base64_decode("abc"), std::invalid_argument);
  CHECK_THROWS_AS(report::detail::base64_decode("ab!d"), std::invalid_argument);
  CHECK_THROWS_AS(report::detail::base64_decode("a=bc"), std::invalid_argument);
}

TEST_CASE("float32 encoding keeps values to float precision and NaN") {
  const std::vector<double> v = {0.0, -1.5, 1e-30, 3.14159265358979, 12345.678, kNaN, -0.0};
  const auto back = report::detail::decode_f32(report::detail::encode_f32(v.data(), v.size()));
  REQUIRE(back.size() == v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    if (std::isnan(v[i])) {
      CHECK(std::isnan(back[i]));
    } else {
      CHECK(back[i] == static_cast<double>(static_cast<float>(v[i])));
    }
  }
}

TEST_CASE("quantized delta encoding: within step / 2, NaN kept, channels independent") {
  std::mt19937_64 rng(11);
  std::normal_distribution<double> n(0.0, 1.0);
  const std::size_t stride = 6, frames = 500;
  std::vector<double> v(stride * frames);
  for (std::size_t f = 0; f < frames; ++f) {
    for (std::size_t c = 0; c < stride; ++c) {
      v[f * stride + c] = 1000.0 * std::sin(0.01 * f + c) + 5.0 * n(rng) + 1e4 * c;
    }
  }
  for (std::size_t i = 3; i < v.size(); i += 37) v[i] = kNaN;
  for (double step : {1.0, 0.25, 1e-3}) {
    std::vector<std::uint8_t> bytes;
    REQUIRE(report::detail::encode_q(v.data(), v.size(), stride, step, &bytes));
    const auto back = report::detail::decode_q(bytes, v.size(), stride, step);
    REQUIRE(back.size() == v.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (std::isnan(v[i])) {
        CHECK(std::isnan(back[i]));
      } else {
        worst = std::max(worst, std::abs(back[i] - v[i]));
      }
    }
    CHECK(worst <= 0.5 * step * (1.0 + 1e-9));
    if (step == 1.0) CHECK(bytes.size() < 2 * v.size());  // deltas of slow channels: < 2 bytes a value
  }
  // Ragged frames: slot s of a frame is coded against slot s of the last frame that had it.
  const std::vector<std::uint8_t> counts = {2, 0, 1, 3, 2};
  std::vector<double> r;
  for (std::uint8_t c : counts) {
    for (int k = 0; k < c * 4; ++k) r.push_back(k % 3 == 0 ? kNaN : 100.0 * k + 0.3 * r.size());
  }
  std::vector<std::uint8_t> bytes;
  REQUIRE(report::detail::encode_q_ragged(r.data(), counts, 4, 0.1, &bytes));
  const auto back = report::detail::decode_q_ragged(bytes, counts, 4, 0.1);
  REQUIRE(back.size() == r.size());
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (std::isnan(r[i])) CHECK(std::isnan(back[i]));
    else CHECK(std::abs(back[i] - r[i]) <= 0.05 + 1e-9);
  }
}

TEST_CASE("quantized encoding refuses what it cannot represent and bad arguments") {
  std::vector<std::uint8_t> bytes;
  const std::vector<double> big = {1.0, 1e300};
  CHECK_FALSE(report::detail::encode_q(big.data(), big.size(), 1, 1.0, &bytes));
  const std::vector<double> inf = {std::numeric_limits<double>::infinity()};
  CHECK_FALSE(report::detail::encode_q(inf.data(), inf.size(), 1, 1.0, &bytes));
  CHECK_THROWS_AS(report::detail::encode_q(big.data(), 1, 1, 0.0, &bytes), std::invalid_argument);
  CHECK_THROWS_AS(report::detail::encode_q(big.data(), 1, 0, 1.0, &bytes), std::invalid_argument);
  REQUIRE(report::detail::encode_q(big.data(), 1, 1, 1.0, &bytes));
  CHECK_THROWS_AS(report::detail::decode_q(bytes, 2, 1, 1.0), std::invalid_argument);       // count mismatch
  CHECK_THROWS_AS(report::detail::decode_q({0x80}, 1, 1, 1.0), std::invalid_argument);      // truncated varint
  CHECK_THROWS_AS(report::detail::decode_q(std::vector<std::uint8_t>(11, 0xff), 1, 1, 1.0), std::invalid_argument);
}

// --- the run model ---------------------------------------------------------------

TEST_CASE("Run::validate accepts a valid run and names every inconsistent field") {
  REQUIRE_NOTHROW(tiny_run().validate());
  auto fails = [](auto&& mutate, const std::string& needle) {
    Run run = tiny_run();
    mutate(run);
    try {
      run.validate();
      FAIL("no exception for " << needle);
    } catch (const std::invalid_argument& e) {
      INFO(e.what());
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  fails([](Run& r) { r.num_frames = 0; }, "num_frames");
  fails([](Run& r) { r.num_joints = -1; }, "num_joints");
  fails([](Run& r) { r.fps = -1; }, "fps");
  fails([](Run& r) { r.up_axis = 3; }, "up_axis");
  fails([](Run& r) { r.frame_numbers = {1, 2}; }, "frame_numbers");
  fails([](Run& r) { r.skeleton.joint_names = {"a"}; }, "joint_names");
  fails([](Run& r) { r.skeleton.limbs = {{0, 2}}; }, "limbs[0]");
  fails([](Run& r) { r.skeleton.limbs = {{1, 1}}; }, "limbs[0]");
  fails([](Run& r) { r.persons.push_back(r.persons[0]); }, "used twice");
  fails([](Run& r) { r.persons[0].id = -1; }, ".id must be >= 0");
  fails([](Run& r) { r.persons[0].color = "red"; }, "color");
  fails([](Run& r) { r.persons[0].layers.clear(); }, "has no layer");
  fails([](Run& r) { r.persons[0].layers[0].method.clear(); }, "method is empty");
  fails([](Run& r) { r.persons[0].layers[0].joints_in_world = Points3d::Zero(3, 5); }, "3 x F*J packed");
  fails([](Run& r) { r.persons[0].layers[0].kept_start = {1}; }, "kept_start");
  fails([](Run& r) {
    r.persons[0].layers[0].fit = TriangulationFit{std::vector<std::uint32_t>(6, 1u), Eigen::MatrixXf::Zero(2, 5)};
  }, "reprojection_error_px");
  fails([](Run& r) {
    r.persons[0].layers[0].fit = TriangulationFit{std::vector<std::uint32_t>(5, 1u), Eigen::MatrixXf::Zero(2, 6)};
  }, "used_views has 5");
  fails([](Run& r) {
    r.persons[0].layers[0].fit = TriangulationFit{std::vector<std::uint32_t>(6, 4u), Eigen::MatrixXf::Zero(2, 6)};
  }, "names a view");
  fails([](Run& r) { r.detections.pop_back(); }, "detections has 2 frames");
  fails([](Run& r) { r.detections[1].pop_back(); }, "detections[1] has 1 views");
  fails([](Run& r) { r.detections[0][1].scores.resize(3); }, "detections[0][1]");
  fails([](Run& r) { r.detections[0][0].person_ids = {7}; }, "is not a person's id");
  fails([](Run& r) { r.detections[2][0].scores[1] = 1.5; }, "outside [0, 1]");
  fails([](Run& r) { r.detections[2][0].pixels_px(0, 1) = std::numeric_limits<double>::infinity(); }, "infinite");
  fails([](Run& r) { r.warnings.push_back({WarningKind::kOther, "", {}, {}}); }, "message is empty");
  fails([](Run& r) { r.warnings.push_back({WarningKind::kOther, "x", {2}, {}}); }, "names camera 2");
  fails([](Run& r) { r.warnings.push_back({WarningKind::kOther, "x", {}, {3}}); }, "names frame 3");
  fails([](Run& r) { r.tables.push_back({"t", "", {"a"}, {}}); }, "has no basis");
  fails([](Run& r) { r.tables.push_back({"t", "same frames", {"a", "b"}, {{"1"}}}); }, "rows[0]");
  fails([](Run& r) {
    r.cameras.resize(33, r.cameras[0]);
    r.detections.clear();
  }, "at most 32 cameras");
}

TEST_CASE("every enum has a to_string") {
  for (int k = 0; k <= static_cast<int>(LayerKind::kOther); ++k) {
    CHECK(std::string(to_string(static_cast<LayerKind>(k))) != "unknown");
  }
  for (int k = 0; k <= static_cast<int>(WarningKind::kOther); ++k) {
    CHECK(std::string(to_string(static_cast<WarningKind>(k))) != "unknown");
  }
  for (int k = 0; k <= static_cast<int>(Storage::kQuantized); ++k) {
    CHECK(std::string(to_string(static_cast<Storage>(k))) != "unknown");
  }
}

TEST_CASE("layer_from_triangulation packs joints, used views and errors in the packed layout") {
  const Run run = test::synthetic_run(synthetic(12, 4, 5, 1.0, 0.0));
  const Layer& l = run.persons[0].layers[0];
  REQUIRE(l.fit);
  Points2d px;
  Eigen::VectorXd sc;
  person_detections(run, 7, 0, &px, &sc);
  triangulation::TriangulationOptions o;
  o.method = triangulation::Method::kRobust;
  o.robust.seed = 5;
  const triangulation::SkeletonResult r = triangulate_frame(run.cameras, px, sc, o);
  const int J = run.num_joints;
  for (int j = 0; j < J; ++j) {
    const auto& t = r.joints[static_cast<std::size_t>(j)];
    const Eigen::Index col = 7 * J + j;
    if (!t.ok()) {
      CHECK_FALSE(l.joints_in_world.col(col).allFinite());
      continue;
    }
    CHECK(l.joints_in_world.col(col).isApprox(t.point_in_world));
    std::uint32_t mask = 0;
    for (int v : t.used_views) mask |= 1u << v;
    CHECK(l.fit->used_views[static_cast<std::size_t>(col)] == mask);
    for (int v = 0; v < 4; ++v) {
      const double e = t.reprojection_error_px[static_cast<std::size_t>(v)];
      if (std::isfinite(e)) CHECK(l.fit->reprojection_error_px(v, col) == Approx(e));
    }
  }
  CHECK_THROWS_AS(layer_from_triangulation("x", LayerKind::kDlt, {r}, J + 1, 4), std::invalid_argument);
  CHECK_THROWS_AS(layer_from_triangulation("x", LayerKind::kDlt, {r}, J, 33), std::invalid_argument);
  CHECK_THROWS_AS(person_detections(run, 12, 0, &px, &sc), std::invalid_argument);
}

// --- diagnostics -----------------------------------------------------------------

TEST_CASE("diagnostics of a clean synthetic run: high inlier rates, no camera warning, fair tables") {
  const Run run = test::synthetic_run();
  const Diagnostics d = diagnose(run);
  CHECK(d.fit_method == "robust triangulation");
  REQUIRE(d.cameras.size() == 4);
  for (const CameraSummary& c : d.cameras) {
    INFO(c.name);
    CHECK(c.inlier_rate > 0.9);
    CHECK(c.median_error_px < 3.0);          // 1.5 px noise
    CHECK(c.median_offset_px.norm() < 0.5);  // no systematic shift
    CHECK(c.detections_used <= c.observations);
  }
  CHECK(d.swap.ran);
  CHECK_FALSE(d.swap.detected);
  CHECK(d.warnings.empty());
  REQUIRE(d.frame_error_px.size() == static_cast<std::size_t>(run.num_frames) * 4);
  // Tables: cameras, reprojection, ground truth, bone lengths; each says what it compares on.
  REQUIRE(d.tables.size() == 4);
  for (const Table& t : d.tables) {
    INFO(t.title);
    CHECK_FALSE(t.basis.empty());
    for (const auto& row : t.rows) CHECK(row.size() == t.columns.size());
  }
  // The reprojection table compares every method on the same observations.
  const Table& reproj = d.tables[1];
  REQUIRE(reproj.rows.size() == 4);
  for (const auto& row : reproj.rows) CHECK(row.back() == reproj.rows.front().back());
  CHECK(reproj.basis.find("including those a robust method rejected") != std::string::npos);
  // The ground truth has bone-length SD 0 (rigid segments), the raw DLT more than the filter.
  const Table& bones = d.tables[3];
  CHECK(bones.rows.back()[0] == "ground truth");
  CHECK(std::stod(bones.rows.back()[1]) < 0.05);
}

TEST_CASE("swap test: exchanging two cameras' detections is detected and names both cameras") {
  for (auto [a, b] : {std::pair<int, int>{0, 2}, {1, 3}, {2, 3}}) {
    test::SyntheticRunOptions o;
    o.swap_a = a;
    o.swap_b = b;
    o.frames = 30;
    const Run run = test::synthetic_run(o);
    const Diagnostics d = diagnose(run);
    INFO("swapped " << a << " and " << b << "\n" << format_diagnostics(run, d));
    CHECK(d.swap.detected);
    CHECK(has_warning(d, WarningKind::kCamerasSwapped, {a, b}));
    CHECK(count_kind(d, WarningKind::kCamerasSwapped) == 1);
    // The swap explains the two cameras: no separate low-inlier warning for them.
    CHECK(count_kind(d, WarningKind::kCameraLowInlierRate) == 0);
    CHECK(d.swap.swapped_total_inlier_rate > 0.9);
    const std::string text = format_diagnostics(run, d);
    CHECK(text.find("cameras_swapped") != std::string::npos);
    const nlohmann::json j = nlohmann::json::parse(diagnostics_json(run, d));
    CHECK(j["swap_test"]["detected"] == true);
  }
}

TEST_CASE("a moved camera gets a low-inlier warning with its systematic offset, not a swap warning") {
  test::SyntheticRunOptions o;
  o.moved_camera = 1;
  o.moved_deg = 2.0;
  const Run run = test::synthetic_run(o);
  const Diagnostics d = diagnose(run);
  INFO(format_diagnostics(run, d));
  CHECK(has_warning(d, WarningKind::kCameraLowInlierRate, {1}));
  CHECK(count_kind(d, WarningKind::kCameraLowInlierRate) == 1);
  CHECK_FALSE(d.swap.detected);
  CHECK(d.cameras[1].median_offset_px.norm() > 10.0);
  // 0.02 deg (~0.5 px at these focal lengths, a third of the noise) is not flagged.
  o.moved_deg = 0.02;
  const Diagnostics small = diagnose(test::synthetic_run(o));
  CHECK(small.warnings.empty());
}

TEST_CASE("warnings: kept start, skeleton and unit guesses, implausible unit, few triangulated") {
  test::SyntheticRunOptions so = synthetic(20, 4, 2);
  so.filtered = false;
  Run run = test::synthetic_run(so);
  Layer rpsm = run.persons[0].layers[0];
  rpsm.method = "RPSM";
  rpsm.kind = LayerKind::kRpsm;
  rpsm.fit.reset();
  rpsm.kept_start.assign(20, 0);
  for (int f : {3, 4, 5, 11}) rpsm.kept_start[static_cast<std::size_t>(f)] = 1;
  rpsm.start_label = "robust triangulation";
  run.persons[0].layers.push_back(rpsm);
  run.skeleton.guessed = true;
  run.skeleton.guess_reason = "17 joints";
  run.length_unit_guessed = true;
  Diagnostics d = diagnose(run);
  REQUIRE(has_warning(d, WarningKind::kKeptStart));
  for (const Warning& w : d.warnings) {
    if (w.kind == WarningKind::kKeptStart) {
      CHECK(w.frames == std::vector<int>{3, 4, 5, 11});
      CHECK(w.message.find("3-5, 11") != std::string::npos);
      CHECK(w.message.find("RPSM") != std::string::npos);
    }
  }
  CHECK(has_warning(d, WarningKind::kSkeletonGuessed));
  CHECK(has_warning(d, WarningKind::kUnitGuessed));
  CHECK_FALSE(has_warning(d, WarningKind::kUnitImplausible));
  // Millimetre data labelled metres: bones of ~300 m.
  run.length_unit = "m";
  d = diagnose(run);
  CHECK(has_warning(d, WarningKind::kUnitImplausible));
  // A layer that triangulated almost nothing.
  Layer& robust = run.persons[0].layers[0];
  for (Eigen::Index c = 0; c < robust.joints_in_world.cols(); c += 1) {
    if (c % 5 != 0) robust.joints_in_world.col(c).setConstant(kNaN);
  }
  d = diagnose(run);
  CHECK(has_warning(d, WarningKind::kFewTriangulated));
}

TEST_CASE("format_frames writes ranges in the run's frame numbers") {
  Run run = tiny_run();
  run.num_frames = 3;
  CHECK(format_frames(run, {0, 1, 2}) == "0-2");
  run.frame_numbers = {10, 11, 13};
  CHECK(format_frames(run, {0, 2}) == "10, 13");
  Run many = tiny_run();
  std::vector<int> frames;
  for (int f = 0; f < 40; f += 2) frames.push_back(f);
  many.num_frames = 40;
  CHECK(format_frames(many, frames, 3) == "0, 2, 4, ... (20 frames)");
}

TEST_CASE("DiagnosticsOptions::validate names the option") {
  auto bad = [](auto&& mutate, const std::string& needle) {
    DiagnosticsOptions o;
    mutate(o);
    try {
      o.validate();
      FAIL("accepted " << needle);
    } catch (const std::invalid_argument& e) {
      CHECK(std::string(e.what()).find(needle) != std::string::npos);
    }
  };
  bad([](DiagnosticsOptions& o) { o.min_confidence = 1.0; }, "min_confidence");
  bad([](DiagnosticsOptions& o) { o.inlier_threshold_px = 0.0; }, "inlier_threshold_px");
  bad([](DiagnosticsOptions& o) { o.swap_test_frames = -1; }, "swap_test_frames");
  bad([](DiagnosticsOptions& o) { o.low_inlier_ratio = 0.0; }, "low_inlier_ratio");
  bad([](DiagnosticsOptions& o) { o.low_inlier_gap = 1.0; }, "low_inlier_gap");
  bad([](DiagnosticsOptions& o) { o.swap_min_gain = -0.1; }, "swap_min_gain");
  bad([](DiagnosticsOptions& o) { o.high_error_ratio = 0.5; }, "high_error_ratio");
  bad([](DiagnosticsOptions& o) { o.high_error_min_px = kNaN; }, "high_error_min_px");
  bad([](DiagnosticsOptions& o) { o.min_observations = 0; }, "min_observations");
  bad([](DiagnosticsOptions& o) { o.min_triangulated_fraction = 2.0; }, "min_triangulated_fraction");
  Run run = tiny_run();
  run.num_frames = 0;
  CHECK_THROWS_AS(diagnose(run), std::invalid_argument);
}

// --- the page --------------------------------------------------------------------

TEST_CASE("the page embeds valid JSON, its arrays decode to the run's values, nothing is left of the template") {
  const Run run = test::synthetic_run(synthetic(20, 4, 3));
  const Diagnostics d = diagnose(run);
  for (Storage storage : {Storage::kFloat32, Storage::kQuantized}) {
    WriteOptions o;
    o.storage = storage;
    PageInfo info;
    const std::string page = render_html(run, d, o, &info);
    INFO(to_string(storage));
    CHECK(info.storage == storage);
    CHECK(info.bytes == page.size());
    CHECK(page.find("{{") == std::string::npos);
    CHECK(page.find("/*{{") == std::string::npos);
    CHECK(page.find("<title>crossview synthetic scene</title>") != std::string::npos);
    // Nothing is loaded from elsewhere: no external scripts, styles or images.
    for (const char* ref : {"src=\"http", "href=\"http", "<link", "src=\"//", "@import"}) CHECK(page.find(ref) == std::string::npos);
    const nlohmann::json j = nlohmann::json::parse(extract_json(page));
    CHECK(j["format"] == "crossview-report/1");
    CHECK(j["frames"] == 20);
    CHECK(j["storage"]["mode"] == to_string(storage));
    CHECK(j["cameras"].size() == 4);
    // The robust layer's joints.
    const nlohmann::json& ref = j["persons"][0]["layers"][0]["joints"];
    const auto bytes = report::detail::base64_decode(blob_text(page, ref["blob"].get<int>()));
    const Points3d& x = run.persons[0].layers[0].joints_in_world;
    std::vector<double> back;
    double tol = 0.0;
    if (storage == Storage::kQuantized) {
      CHECK(ref["enc"] == "q");
      tol = 0.5 * ref["step"].get<double>() + 1e-9;
      CHECK(ref["step"].get<double>() == Approx(1.0));  // 1 mm in a millimetre run
      back = report::detail::decode_q(bytes, static_cast<std::size_t>(x.size()), ref["stride"].get<std::size_t>(),
                              ref["step"].get<double>());
    } else {
      CHECK(ref["enc"] == "f32");
      back = report::detail::decode_f32(bytes);
    }
    REQUIRE(back.size() == static_cast<std::size_t>(x.size()));
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      if (std::isnan(x.data()[i])) {
        CHECK(std::isnan(back[static_cast<std::size_t>(i)]));
      } else {
        const double allowed = storage == Storage::kQuantized ? tol : 1e-7 * std::abs(x.data()[i]);
        CHECK(std::abs(back[static_cast<std::size_t>(i)] - x.data()[i]) <= allowed);
      }
    }
    // Diagnostics tables and the camera summary travel with the page.
    CHECK(j["tables"].size() == d.tables.size());
    CHECK(j["camera_summary"].size() == 4);
    CHECK(!j["checks"]["projections"].empty());
  }
  // kAuto: float32 for a small run, quantized past the limit.
  WriteOptions o;
  PageInfo info;
  render_html(run, d, o, &info);
  CHECK(info.storage == Storage::kFloat32);
  o.float32_limit_bytes = 1000;
  render_html(run, d, o, &info);
  CHECK(info.storage == Storage::kQuantized);
}

TEST_CASE("text from the run cannot close the page's script elements") {
  Run run = tiny_run();
  run.title = "a </script><script>alert(1)</script> & \"b\"";
  run.notes.push_back({"</script>", "<!-- x"});
  run.persons[0].layers[0].method = "</SCRIPT>";
  const Diagnostics d = diagnose(run);
  const std::string page = render_html(run, d);
  const std::string json = extract_json(page);
  CHECK(json.find("</") == std::string::npos);
  CHECK(json.find("<!--") == std::string::npos);
  CHECK(page.find("<title>a &lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;b&quot;</title>") !=
        std::string::npos);
  CHECK(nlohmann::json::parse(json)["title"] == run.title);
}

TEST_CASE("bad input to the page: options, foreign diagnostics, three.js, unwritable path") {
  const Run run = tiny_run();
  const Diagnostics d = diagnose(run);
  WriteOptions o;
  o.pixel_step_px = 0.0;
  CHECK_THROWS_AS(render_html(run, d, o), std::invalid_argument);
  o = WriteOptions{};
  o.length_step = -1.0;
  CHECK_THROWS_AS(render_html(run, d, o), std::invalid_argument);
  const Diagnostics other = diagnose(test::synthetic_run(synthetic(5, 3)));
  CHECK_THROWS_WITH(render_html(run, other), Catch::Contains("not of this run"));
  o = WriteOptions{};
  o.three_js_path = "/nonexistent/three.min.js";
  CHECK_THROWS_WITH(render_html(run, d, o), Catch::Contains("libjs-three") && Catch::Contains("/nonexistent/three.min.js"));
  const std::string not_three = (std::filesystem::temp_directory_path() / "crossview_not_three.js").string();
  { std::ofstream(not_three) << "var x = '</script>'; THREE = 1;"; }
  o.three_js_path = not_three;
  CHECK_THROWS_WITH(render_html(run, d, o), Catch::Contains("does not look like three.min.js"));
  std::remove(not_three.c_str());
  // The installed file, read at run time, gives the same page as the embedded copy.
  if (std::filesystem::exists("/usr/share/javascript/three/three.min.js")) {
    o.three_js_path = "/usr/share/javascript/three/three.min.js";
    CHECK(render_html(run, d, o) == render_html(run, d));
  }
  const std::string dir = (std::filesystem::temp_directory_path() / "crossview_no_such_dir").string();
  CHECK_THROWS_WITH(write_html(run, d, dir + "/page.html"), Catch::Contains(dir + "/page.html"));
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("size bar: a 10 000-frame, 2-person, 4-camera, 25-joint run is <= 20 MB") {
  const Run run = test::large_run(10000, 2, 4);
  REQUIRE(run.num_joints == 25);
  const Diagnostics d = diagnose(run);
  PageInfo info;
  const std::string page = render_html(run, d, {}, &info);
  CHECK(info.storage == Storage::kQuantized);
  CHECK(page.size() <= 20u * 1000u * 1000u);
  WARN("10 000 frames, 2 people x 3 layers, 4 cameras, 25 joints: " << page.size() / 1e6 << " MB (data "
                                                                    << info.data_bytes / 1e6 << " MB, three.js "
                                                                    << info.three_js_bytes / 1e6 << " MB)");
  // The same run as float32 would not fit.
  WriteOptions f32;
  f32.storage = Storage::kFloat32;
  PageInfo big;
  render_html(run, d, f32, &big);
  CHECK(big.bytes > 20u * 1000u * 1000u);
}
