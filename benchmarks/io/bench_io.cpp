// crossview::io reading speed on the real files; OpenCV's cv::FileStorage
// parses the same Human3.6M JSON as a peer.
#include <crossview/io/bvh.hpp>
#include <crossview/io/openpose.hpp>
#include <crossview/io/rig.hpp>
#include <crossview/io/trc.hpp>

#include <crossview_test/random.hpp>

#include <benchmark/benchmark.h>

#include <opencv2/core.hpp>

using crossview_test::shared_data;

static void BM_read_pose2sim_toml(benchmark::State& state) {
  const std::string path = shared_data("pose2sim_demo/Calib_qualisys.toml");
  std::size_t n = 0;
  for (auto _ : state) n = crossview::io::read_pose2sim_toml(path).size();
  state.counters["cameras"] = static_cast<double>(n);
}
BENCHMARK(BM_read_pose2sim_toml)->Unit(benchmark::kMicrosecond);

static void BM_read_h36m_json(benchmark::State& state) {
  const std::string path = shared_data("h36m/camera-parameters.json");
  double fx_sum = 0.0;
  for (auto _ : state) {
    const auto rig = crossview::io::read_h36m_json(path, "S1");
    fx_sum = 0.0;
    for (const auto& c : rig.cameras) fx_sum += c.fx();
  }
  state.counters["fx_sum"] = fx_sum;
}
BENCHMARK(BM_read_h36m_json)->Unit(benchmark::kMicrosecond);

// Peer: the same file through cv::FileStorage, extracting K, distortion, R, t of S1.
static void BM_opencv_filestorage_h36m_json(benchmark::State& state) {
  const std::string path = shared_data("h36m/camera-parameters.json");
  double fx_sum = 0.0;
  for (auto _ : state) {
    cv::FileStorage fs(path, cv::FileStorage::READ | cv::FileStorage::FORMAT_JSON);
    const cv::FileNode intr = fs["intrinsics"];
    const cv::FileNode extr = fs["extrinsics"]["S1"];
    fx_sum = 0.0;
    for (const auto& cam : intr) {
      const std::string id = cam.name();
      const double fx = static_cast<double>(cam["calibration_matrix"][0][0]);
      std::vector<double> d;
      cam["distortion"] >> d;
      double r = 0.0;
      for (const auto& row : extr[id]["R"]) r += static_cast<double>(row[0]);
      double t = 0.0;
      for (const auto& row : extr[id]["t"]) t += static_cast<double>(row[0]);
      benchmark::DoNotOptimize(r + t + d[0]);
      fx_sum += fx;
    }
  }
  state.counters["fx_sum"] = fx_sum;
}
BENCHMARK(BM_opencv_filestorage_h36m_json)->Unit(benchmark::kMicrosecond);

static void BM_read_bvh(benchmark::State& state) {
  const std::string path = shared_data("cmu_mocap/131_01.bvh");
  int frames = 0;
  for (auto _ : state) frames = crossview::io::read_bvh(path).num_frames;
  state.counters["frames"] = frames;
}
BENCHMARK(BM_read_bvh)->Unit(benchmark::kMillisecond);

static void BM_bvh_to_h36m_all_frames(benchmark::State& state) {
  const auto motion = crossview::io::read_bvh(shared_data("cmu_mocap/131_01.bvh"));
  for (auto _ : state) benchmark::DoNotOptimize(crossview::io::to_h36m_17(motion).cols());
  state.counters["frames_per_s"] = benchmark::Counter(static_cast<double>(motion.num_frames), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_bvh_to_h36m_all_frames)->Unit(benchmark::kMillisecond);

static void BM_read_openpose_folder(benchmark::State& state) {
  const std::string folder = shared_data("pose2sim_demo/pose/cam01_json");
  std::size_t n = 0;
  for (auto _ : state) n = crossview::io::read_openpose_folder(folder, 25).size();
  state.counters["files_per_s"] = benchmark::Counter(static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_read_openpose_folder)->Unit(benchmark::kMillisecond);

static void BM_read_trc(benchmark::State& state) {
  const std::string path = shared_data("pose2sim_demo/BalancingTrial_0-100.trc");
  int frames = 0;
  for (auto _ : state) frames = crossview::io::read_trc(path).num_frames();
  state.counters["frames"] = frames;
}
BENCHMARK(BM_read_trc)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
