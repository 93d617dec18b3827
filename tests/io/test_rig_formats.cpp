// Calibration readers on files in each tool's documented layout, written here:
// Qualisys .qca.txt, OpenCV FileStorage YAML (by cv::FileStorage itself and
// as EasyMocap's writer does), COLMAP text; malformed files; read_rig detection.
#include <crossview/io/rig.hpp>

#include "io_test_util.hpp"

#include <catch2/catch.hpp>
#include <opencv2/calib3d.hpp>
#include <opencv2/core.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

using namespace crossview;
using io_test::require_io_error;
using io_test::TempFile;

namespace {

std::string qca_camera(const std::string& serial, const std::string& model, const std::string& extra = "",
                       const std::string& transform = "") {
  const std::string tr = transform.empty()
                             ? R"(<transform r11="0.5536380477336265" r12="0.8046719867383512" r13="0.2144479094331626" r21="-0.4345300743838753" r22="0.05946489349975602" r23="0.8986921279821063" r31="0.7104002579937896" r32="-0.5907342212870501" r33="0.3825762057979294" x="1460.2" y="-1909.1" z="1896.5"/>)"
                             : transform;
  return "<camera active=\"1\" model=\"" + model + "\" serial=\"" + serial + "\" viewrotation=\"0\" " + extra + ">\n" +
         R"(<fov_video bottom="1079" left="64" right="1983" top="0"/>)" "\n" + tr + "\n" +
         R"(<intrinsic centerPointU="64000" centerPointV="34560" focalLengthU="96000" focalLengthV="96064" radialDistortion1="-0.064" radialDistortion2="0.128" radialDistortion3="0" skew="0" tangentalDistortion1="0.0064" tangentalDistortion2="-0.0128"/>)"
         "\n</camera>\n";
}

std::string qca(const std::string& cameras) {
  return "<?xml version='1.0' encoding='ASCII'?>\n<calibration type=\"regular\">\n<!-- a comment -->\n<cameras>\n" + cameras +
         "</cameras>\n</calibration>\n";
}

}  // namespace

TEST_CASE("Qualisys: sensor units, fov offsets, axes, camera selection and order", "[io][rig][qualisys]") {
  const std::string text = qca(qca_camera("cam10", "Miqus Video") + qca_camera("cam2", "none") +
                               qca_camera("marker1", "Miqus M3") + qca_camera("cam1", "Miqus Video UnderWater"));
  const io::Rig rig = io::parse_qualisys_qca(text, "t.qca.txt");
  REQUIRE(rig.size() == 3);  // the marker camera is skipped
  CHECK(rig.names() == std::vector<std::string>{"cam1", "cam2", "cam10"});  // natural order
  const camera::Camera& c = rig.cameras[0];
  CHECK(c.width() == 1920);  // 1983 - 64 + 1
  CHECK(c.height() == 1080);
  CHECK(c.fx() == 96000.0 / 64);
  CHECK(c.fy() == 96064.0 / 64);
  CHECK(c.cx() == 64000.0 / 64 - 64);
  CHECK(c.cy() == 34560.0 / 64);
  CHECK(c.params()[4] == -0.064 / 64);
  CHECK(c.params()[7] == -0.0128 / 64);
  // The camera centre is Qualisys' position (mm -> m); the optical axis is
  // -(third row of M), Qualisys' cameras looking along their -Z.
  CHECK((c.center_in_world() - Eigen::Vector3d(1.4602, -1.9091, 1.8965)).norm() < 1e-12);
  const Eigen::Matrix3d R = c.cam_from_world.rotation.toRotationMatrix();
  CHECK((R.row(2) - Eigen::RowVector3d(-0.7104002579937896, 0.5907342212870501, -0.3825762057979294)).norm() < 1e-12);

  // video_resolution and binning scale the image and the intrinsics.
  io::QualisysReadOptions bin2;
  bin2.binning_factor = 2;
  const io::Rig b = io::parse_qualisys_qca(qca(qca_camera("c", "none")), "t", bin2);
  CHECK(b.cameras[0].width() == 960);
  CHECK(b.cameras[0].fx() == 96000.0 / 128);
  const io::Rig r720 = io::parse_qualisys_qca(qca(qca_camera("c", "none", "video_resolution=\"720p\"")), "t");
  CHECK(r720.cameras[0].width() == 1280);
  CHECK(r720.cameras[0].fx() == Approx(96000.0 / 64 * 720 / 1080).epsilon(1e-15));
  bin2.binning_factor = 0;
  CHECK_THROWS_AS(io::parse_qualisys_qca(text, "t", bin2), std::invalid_argument);
}

TEST_CASE("Qualisys: malformed files name the camera and the attribute", "[io][rig][qualisys]") {
  const auto err = [](const std::string& text, const std::string& field, const std::string& what) {
    require_io_error([&] { io::parse_qualisys_qca(text, "bad.qca.txt"); }, "bad.qca.txt", field, what);
  };
  std::string cam = qca_camera("cam1", "none");
  err(qca(""), "calibration.cameras", "no video camera");
  err(qca(qca_camera("cam1", "Miqus M3")), "calibration.cameras", "no video camera");
  err("<calibration></calibration>", "calibration.cameras", "one <cameras>");
  err("<notcalib/>", "notcalib", "<calibration>");
  {
    const std::string full = qca(cam);
    err(full.substr(0, full.find("</cameras>")), "cameras", "missing </cameras>");
  }
  std::string s = cam;
  s.replace(s.find("focalLengthU=\"96000\""), 20, "focalLengthU=\"abc\"");
  err(qca(s), "camera cam1.intrinsic.focalLengthU", "finite number");
  s = cam;
  s.replace(s.find("focalLengthU=\"96000\" "), 21, "");
  err(qca(s), "camera cam1.intrinsic.focalLengthU", "missing attribute");
  s = cam;
  s.replace(s.find("viewrotation=\"0\""), 16, "viewrotation=\"90\"");
  err(qca(s), "camera cam1.viewrotation", "ignore_view_rotation");
  io::QualisysReadOptions ignore;
  ignore.ignore_view_rotation = true;
  CHECK(io::parse_qualisys_qca(qca(s), "t", ignore).size() == 1);
  err(qca(qca_camera("cam1", "none", "", R"(<transform r11="1" r12="0" r13="0" r21="0" r22="1" r23="0" r31="0" r32="0" r33="2" x="0" y="0" z="0"/>)")),
      "camera cam1.transform", "rotation matrix");
  err(qca(cam + cam), "camera cam1", "duplicate");
  s = cam;
  s.replace(s.find("<fov_video"), 10, "<fov_other");
  err(qca(s), "camera cam1.fov_video", "one <fov_video>");
  err(qca(qca_camera("c", "none", "video_resolution=\"big\"")), "camera c.video_resolution", "1080p");
  s = cam;
  s.replace(s.find("skew=\"0\""), 8, "skew=\"0.5\"");
  err(qca(s), "camera cam1.intrinsic.skew", "skew");
}

namespace {

/// Writes intri.yml / extri.yml exactly as EasyMocap's FileStorage writer does
/// (%YAML:1.0, CRLF, '  - "name"' lists, 6-decimal matrices).
void write_easymocap(const std::string& dir, const std::vector<std::string>& names, const std::vector<camera::Camera>& cams,
                     bool with_rot = true) {
  const auto mat = [](std::ofstream& o, const std::string& key, const Eigen::MatrixXd& m) {
    o << key << ": !!opencv-matrix\r\n  rows: " << m.rows() << "\r\n  cols: " << m.cols() << "\r\n  dt: d\r\n  data: [";
    for (Eigen::Index r = 0; r < m.rows(); ++r) {
      for (Eigen::Index c = 0; c < m.cols(); ++c) {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.6f", m(r, c));
        o << ((r || c) ? ", " : "") << buf;
      }
    }
    o << "]\r\n";
  };
  std::ofstream in(dir + "/intri.yml", std::ios::binary), ex(dir + "/extri.yml", std::ios::binary);
  for (auto* o : {&in, &ex}) {
    *o << "%YAML:1.0\r\n---\r\nnames:\r\n";
    for (const auto& n : names) *o << "  - \"" << n << "\"\r\n";
  }
  for (std::size_t i = 0; i < cams.size(); ++i) {
    const camera::Camera& c = cams[i];
    Eigen::Matrix3d K;
    K << c.fx(), 0, c.cx(), 0, c.fy(), c.cy(), 0, 0, 1;
    mat(in, "K_" + names[i], K);
    mat(in, "dist_" + names[i], c.params().segment(4, 5).transpose());
    const Eigen::Vector3d rvec = c.cam_from_world.angle_axis();
    mat(ex, "R_" + names[i], rvec);
    if (with_rot) mat(ex, "Rot_" + names[i], c.cam_from_world.rotation.toRotationMatrix());
    mat(ex, "T_" + names[i], c.cam_from_world.translation);
  }
}

std::vector<camera::Camera> two_cameras() {
  Eigen::VectorXd p(9);
  p << 1200.5, 1201.25, 955.75, 540.125, -0.21, 0.05, 0.001, -0.0005, 0.01;
  const camera::Rigid3d a = camera::Rigid3d::from_angle_axis(Eigen::Vector3d(0.1, -0.2, 0.3), Eigen::Vector3d(0.5, -0.25, 3.0));
  const camera::Rigid3d b = camera::Rigid3d::from_angle_axis(Eigen::Vector3d(-1.2, 0.4, 0.05), Eigen::Vector3d(-1.0, 0.3, 4.5));
  return {camera::Camera(camera::CameraModel::kOpenCV, p, 1920, 1080, a, "01"),
          camera::Camera(camera::CameraModel::kOpenCV, p * 1.01, 1920, 1080, b, "02")};
}

}  // namespace

TEST_CASE("EasyMocap intri.yml / extri.yml as EasyMocap writes them", "[io][rig][yaml]") {
  const TempFile dir("x", "");
  const auto cams = two_cameras();
  write_easymocap(dir.dir(), {"01", "02"}, cams);
  const io::Rig rig = io::read_easymocap_yml(dir.dir() + "/intri.yml", dir.dir() + "/extri.yml");
  REQUIRE(rig.size() == 2);
  CHECK(rig.names() == std::vector<std::string>{"01", "02"});
  for (int i = 0; i < 2; ++i) {
    CHECK((rig.cameras[i].params() - cams[i].params()).cwiseAbs().maxCoeff() <= 5e-7);  // 6 decimals
    CHECK((rig.cameras[i].cam_from_world.translation - cams[i].cam_from_world.translation).cwiseAbs().maxCoeff() <= 5e-7);
    CHECK(rig.cameras[i].cam_from_world.rotation.angularDistance(cams[i].cam_from_world.rotation) <= 2e-6);
    CHECK(rig.cameras[i].width() == std::lround(2 * cams[i].cx() + 1));  // estimated round(2 cx + 1)
  }
  // read_rig finds the pair from the folder or from either file.
  CHECK(io::detect_rig_format(dir.dir()) == io::RigFormat::kEasyMocapYml);
  CHECK(io::read_rig(dir.dir()).size() == 2);
  CHECK(io::read_rig(dir.dir() + "/extri.yml").size() == 2);
  io::EasyMocapReadOptions o;
  o.width = 1920;
  o.height = 1080;
  CHECK(io::read_easymocap_yml(dir.dir() + "/intri.yml", dir.dir() + "/extri.yml", o).cameras[1].width() == 1920);
  // Without Rot_ the Rodrigues vector alone is used.
  write_easymocap(dir.dir(), {"01", "02"}, cams, false);
  CHECK(io::read_easymocap_yml(dir.dir() + "/intri.yml", dir.dir() + "/extri.yml").size() == 2);
}

TEST_CASE("OpenCV FileStorage YAML written by cv::FileStorage reads back exactly", "[io][rig][yaml]") {
  const TempFile dir("x", "");
  const auto cams = two_cameras();
  {
    cv::FileStorage in(dir.dir() + "/intri.yml", cv::FileStorage::WRITE);
    cv::FileStorage ex(dir.dir() + "/extri.yml", cv::FileStorage::WRITE);
    for (auto* fs : {&in, &ex}) {
      *fs << "names" << "[" << "01" << "02" << "]";
    }
    for (const auto& c : cams) {
      cv::Mat K = (cv::Mat_<double>(3, 3) << c.fx(), 0, c.cx(), 0, c.fy(), c.cy(), 0, 0, 1);
      cv::Mat d = (cv::Mat_<double>(1, 5) << c.params()[4], c.params()[5], c.params()[6], c.params()[7], c.params()[8]);
      in << "K_" + c.name() << K << "dist_" + c.name() << d << "H_" + c.name() << 1080 << "W_" + c.name() << 1920;
      const Eigen::Vector3d r = c.cam_from_world.angle_axis();
      const Eigen::Vector3d& t = c.cam_from_world.translation;
      cv::Mat rv = (cv::Mat_<double>(3, 1) << r[0], r[1], r[2]);
      cv::Mat Rm;
      cv::Rodrigues(rv, Rm);
      ex << "R_" + c.name() << rv << "Rot_" + c.name() << Rm << "T_" + c.name() << (cv::Mat_<double>(3, 1) << t[0], t[1], t[2]);
    }
  }
  const io::Rig rig = io::read_rig(dir.dir() + "/intri.yml");
  REQUIRE(rig.size() == 2);
  for (int i = 0; i < 2; ++i) {
    // OpenCV writes shortest round-trip numbers: parameters come back exactly.
    CHECK(rig.cameras[i].params() == cams[i].params());
    CHECK(rig.cameras[i].cam_from_world.translation == cams[i].cam_from_world.translation);
    CHECK(rig.cameras[i].cam_from_world.rotation.angularDistance(cams[i].cam_from_world.rotation) <= 1e-14);
    CHECK(rig.cameras[i].width() == 1920);
    CHECK(rig.cameras[i].height() == 1080);
  }
}

TEST_CASE("OpenCV YAML: malformed files name the file, the key and the line", "[io][rig][yaml]") {
  const TempFile dir("x", "");
  write_easymocap(dir.dir(), {"01", "02"}, two_cameras());
  const std::string in = dir.dir() + "/intri.yml", ex = dir.dir() + "/extri.yml";
  std::ifstream f(in, std::ios::binary);
  const std::string good((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto with = [&](const std::string& text) { std::ofstream(in, std::ios::binary) << text; };
  const auto err = [&](const std::string& field, const std::string& what) {
    require_io_error([&] { io::read_easymocap_yml(in, ex); }, in, field, what);
  };
  std::string s = good;
  with(s.substr(0, s.size() - 20));
  err("dist_02.data", "unterminated");
  s = good;
  s.replace(s.find("K_02"), 4, "K_03");
  with(s);
  err("K_02", "missing field");
  s = good;
  s.replace(0, 9, "%XAML:1.0");
  with(s);
  err("header", "%YAML");
  s = good;
  s.replace(s.find("rows: 3"), 7, "rows: 2");
  with(s);
  err("K_01.data", "rows x cols");
  s = good;
  s.replace(s.find("1200.500000"), 11, "nan");
  with(s);
  err("K_01.data[0]", "finite number");
  s = good;
  s.replace(s.find("names:"), 6, "nomes:");
  with(s);
  err("names", "missing field");
  with(good + "K_01: 3\r\n");
  err("K_01", "twice");
  with(good + "extra: {a: 1}\r\n");
  err("extra", "unsupported");
  with(good);
  // extri: a rotation that disagrees with its Rodrigues vector.
  std::ifstream g(ex, std::ios::binary);
  std::string e((std::istreambuf_iterator<char>(g)), std::istreambuf_iterator<char>());
  const std::size_t p = e.find("Rot_01");
  const std::size_t d = e.find("data: [", p) + 7;
  e.replace(d, 1, e[d] == '-' ? "+" : "-");  // flip the sign of the first entry
  std::ofstream(ex, std::ios::binary) << e;
  require_io_error([&] { io::read_easymocap_yml(in, ex); }, ex, "Rot_01", "rotation");
}

namespace {
void write_text(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }
}  // namespace

TEST_CASE("COLMAP text model: models, pixel convention, one camera per image", "[io][rig][colmap]") {
  const TempFile dir("x", "");
  write_text(dir.dir() + "/cameras.txt",
             "# Camera list with one line of data per camera:\n#   CAMERA_ID, MODEL, WIDTH, HEIGHT, PARAMS[]\n"
             "# Number of cameras: 7\n"
             "1 SIMPLE_PINHOLE 640 480 500 320 240\n"
             "2 PINHOLE 640 480 500 510 320 240\n"
             "3 SIMPLE_RADIAL 640 480 500 320 240 -0.1\n"
             "4 RADIAL 640 480 500 320 240 -0.1 0.02\n"
             "5 OPENCV 640 480 500 510 320 240 -0.1 0.02 0.001 -0.002\n"
             "6 FULL_OPENCV 640 480 500 510 320 240 -0.1 0.02 0.001 -0.002 0.003 0.01 0.002 0.0005\n"
             "7 OPENCV_FISHEYE 640 480 300 301 320 240 0.01 -0.02 0.003 -0.001\n");
  std::string images = "# Image list with two lines of data per image:\n#   IMAGE_ID, QW, QX, QY, QZ, TX, TY, TZ, CAMERA_ID, NAME\n"
                       "#   POINTS2D[] as (X, Y, POINT3D_ID)\n";
  for (int i = 1; i <= 7; ++i) {
    images += std::to_string(10 + i) + " 0.7071067811865476 0 0.7071067811865476 0 0.1 -0.2 " + std::to_string(i) + " " +
              std::to_string(i) + " view" + std::to_string(i) + ".jpg\n";
    images += i % 2 ? "\n" : "120.5 33.25 -1 40.0 50.0 7\n";  // empty and non-empty POINTS2D lines
  }
  write_text(dir.dir() + "/images.txt", images);
  const io::Rig rig = io::read_rig(dir.dir());
  REQUIRE(rig.size() == 7);
  CHECK(rig.names()[0] == "view1.jpg");
  using M = camera::CameraModel;
  const M models[7] = {M::kPinhole, M::kPinhole, M::kOpenCV, M::kOpenCV, M::kOpenCV, M::kOpenCVRational, M::kFisheye};
  for (int i = 0; i < 7; ++i) CHECK(rig.cameras[i].model() == models[i]);
  CHECK(rig.cameras[0].fx() == 500);
  CHECK(rig.cameras[0].fy() == 500);
  CHECK(rig.cameras[0].cx() == 319.5);  // COLMAP (0.5, 0.5) pixel centre -> OpenCV (0, 0)
  CHECK(rig.cameras[0].cy() == 239.5);
  CHECK(rig.cameras[2].params()[4] == -0.1);
  CHECK(rig.cameras[3].params()[5] == 0.02);
  CHECK(rig.cameras[4].params()[7] == -0.002);
  CHECK(rig.cameras[5].params()[11] == 0.0005);
  CHECK(rig.cameras[6].params()[7] == -0.001);
  CHECK(rig.cameras[1].cam_from_world.translation == Eigen::Vector3d(0.1, -0.2, 2.0));
  CHECK(rig.cameras[1].cam_from_world.rotation.angularDistance(
            Eigen::Quaterniond(Eigen::AngleAxisd(M_PI / 2, Eigen::Vector3d::UnitY()))) < 1e-15);
  // A point projected by crossview lands where COLMAP's convention puts it + (-0.5, -0.5).
  Eigen::Vector2d px;
  const Eigen::Vector3d X = rig.cameras[1].cam_from_world.inverse() * Eigen::Vector3d(0.2, -0.1, 2.0);
  REQUIRE(rig.cameras[1].project(X, &px) == camera::ProjectionStatus::kSuccess);
  CHECK(px.x() == Approx(500 * 0.1 + 320 - 0.5).epsilon(1e-14));
  CHECK(px.y() == Approx(510 * -0.05 + 240 - 0.5).epsilon(1e-14));
  CHECK(io::detect_rig_format(dir.dir() + "/cameras.txt") == io::RigFormat::kColmapText);
  CHECK(io::read_rig(dir.dir() + "/images.txt").size() == 7);
}

TEST_CASE("COLMAP: unsupported models and malformed lines are named", "[io][rig][colmap]") {
  const TempFile dir("x", "");
  const std::string cams = dir.dir() + "/cameras.txt", imgs = dir.dir() + "/images.txt";
  write_text(imgs, "1 1 0 0 0 0 0 1 1 a.jpg\n\n");
  const auto err = [&](const std::string& cam_text, const std::string& file, const std::string& field, const std::string& what) {
    write_text(cams, cam_text);
    require_io_error([&] { io::read_colmap_text(cams, imgs); }, file, field, what);
  };
  err("1 FOV 640 480 500 500 320 240 0.9\n", cams, "line 1.MODEL", "unsupported camera model 'FOV'");
  err("1 THIN_PRISM_FISHEYE 640 480 1 1 1 1 0 0 0 0 0 0 0 0\n", cams, "line 1.MODEL", "THIN_PRISM_FISHEYE");
  err("1 PINHOLE 640 480 500 500 320\n", cams, "line 1.PARAMS", "expects 4 parameters, got 3");
  err("1 PINHOLE 640 480 500 abc 320 240\n", cams, "line 1.PARAMS[1]", "finite number");
  err("1 PINHOLE 0 480 500 500 320 240\n", cams, "line 1", "positive image size");
  err("1 PINHOLE 640 480 -500 500 320 240\n", cams, "line 1", "focal");
  err("1 PINHOLE 640 480 500 500 320 240\n1 PINHOLE 640 480 500 500 320 240\n", cams, "line 2.CAMERA_ID", "twice");
  err("# nothing\n", cams, "", "at least one camera");
  write_text(cams, "1 PINHOLE 640 480 500 500 320 240\n");
  const auto ierr = [&](const std::string& img_text, const std::string& field, const std::string& what) {
    write_text(imgs, img_text);
    require_io_error([&] { io::read_colmap_text(cams, imgs); }, imgs, field, what);
  };
  ierr("1 1 0 0 0 0 0 1 2 a.jpg\n\n", "line 1.CAMERA_ID", "camera 2 is not in");
  ierr("1 2 0 0 0 0 0 1 1 a.jpg\n\n", "line 1.QW", "unit quaternion");
  ierr("1 1 0 0 0 0 0 1 1\n\n", "line 1", "got 9 fields");
  ierr("1 1 0 0 0 0 0 1 1 a.jpg\n\n2 1 0 0 0 0 0 1 1 a.jpg\n\n", "line 3.NAME", "duplicate");
  ierr("1 1 0 0 0 x 0 1 1 a.jpg\n\n", "line 1.TX", "finite number");
  io::ColmapReadOptions o;
  o.length_unit = "furlong";
  CHECK_THROWS_AS(io::read_colmap_text(cams, imgs, o), std::invalid_argument);
}

TEST_CASE("read_rig: unknown content lists every format tried and what it lacked", "[io][rig]") {
  const TempFile f("calib.toml", "just some text\nthat is not a calibration\n");
  try {
    io::read_rig(f.path());
    FAIL("expected an IoError");
  } catch (const io::IoError& e) {
    const std::string m = e.what();
    CHECK_THAT(m, Catch::Contains("tried:"));
    CHECK_THAT(m, Catch::Contains("Pose2Sim/anipose TOML: not TOML"));
    CHECK_THAT(m, Catch::Contains("not a JSON object"));
    CHECK_THAT(m, Catch::Contains("Qualisys .qca.txt XML: not XML"));
    CHECK_THAT(m, Catch::Contains("no %YAML:1.0 header"));
    CHECK_THAT(m, Catch::Contains("COLMAP text model"));
  }
  // TOML without camera tables, JSON without a known layout.
  const TempFile t("a.toml", "[project]\nframe_rate = 60\n");
  CHECK_THROWS_WITH(io::read_rig(t.path()), Catch::Contains("TOML without a camera table"));
  const TempFile j("a.json", "{\"cameras\": []}");
  CHECK_THROWS_WITH(io::read_rig(j.path()), Catch::Contains("no \"format\": \"crossview.rig\""));
  // Content wins over the extension: a Pose2Sim TOML named .json.
  const TempFile p("calib.json", "[cam_1]\nsize = [640.0, 480.0]\nmatrix = [[500.0, 0.0, 320.0], [0.0, 500.0, 240.0], [0.0, 0.0, 1.0]]\n"
                                 "distortions = [0.0, 0.0, 0.0, 0.0]\nrotation = [0.0, 0.0, 0.0]\ntranslation = [0.0, 0.0, 1.0]\n");
  CHECK(io::detect_rig_format(p.path()) == io::RigFormat::kPose2SimToml);
  CHECK(io::read_rig(p.path()).size() == 1);
  // A detected format's own errors come through (not the list).
  const TempFile bad("c.qca.txt", qca(""));
  CHECK_THROWS_WITH(io::read_rig(bad.path()), Catch::Contains("no video camera"));
  // Folders: neither pair present.
  const TempFile empty("x", "");
  CHECK_THROWS_WITH(io::read_rig(empty.dir()), Catch::Contains("COLMAP") && Catch::Contains("intri.yml"));
  CHECK_THROWS_WITH(io::read_rig("/nonexistent/calib.toml"), Catch::Contains("cannot open"));
  for (auto f2 : {io::RigFormat::kPose2SimToml, io::RigFormat::kCrossviewJson, io::RigFormat::kH36mJson,
                  io::RigFormat::kQualisysQca, io::RigFormat::kEasyMocapYml, io::RigFormat::kColmapText}) {
    CHECK(std::string(io::to_string(f2)) != "unknown");
  }
}
