#include "report.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <stdexcept>

namespace crossview::cli {
namespace {

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

bool finite_joint(const Points3d& m, int j) { return m.col(j).allFinite(); }

/// Maps a data rectangle into an SVG viewport, keeping the aspect ratio.
struct Viewport {
  double x0, y0, scale, ox, oy;
  Viewport(double min_x, double min_y, double max_x, double max_y, double width, double height,
           double margin) {
    const double w = std::max(max_x - min_x, 1e-9), h = std::max(max_y - min_y, 1e-9);
    scale = std::min((width - 2 * margin) / w, (height - 2 * margin) / h);
    x0 = min_x;
    y0 = min_y;
    ox = margin + 0.5 * ((width - 2 * margin) - w * scale);
    oy = margin + 0.5 * ((height - 2 * margin) - h * scale);
  }
  double x(double v) const { return ox + (v - x0) * scale; }
  double y(double v) const { return oy + (v - y0) * scale; }
};

void skeleton_lines(std::string& svg, const std::vector<int>& parents,
                    const std::vector<Eigen::Vector2d>& pts, const std::vector<char>& valid,
                    const std::string& color, double width, bool dashed) {
  for (size_t j = 0; j < parents.size() && j < pts.size(); ++j) {
    const int p = parents[j];
    if (p < 0 || !valid[j] || !valid[static_cast<size_t>(p)]) continue;
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"{}\" "
        "stroke-width=\"{:.1f}\" stroke-linecap=\"round\"{}/>",
        pts[j].x(), pts[j].y(), pts[static_cast<size_t>(p)].x(), pts[static_cast<size_t>(p)].y(),
        color, width, dashed ? " stroke-dasharray=\"4 3\"" : "");
  }
}

std::string view_panel(const Report& report, const ReportView& view) {
  const camera::Camera& cam = view.camera;
  // Project every pose once; the panel shows a crop around the person.
  std::vector<std::vector<Eigen::Vector2d>> projected;
  std::vector<std::vector<char>> projected_valid;
  Eigen::Vector2d lo(std::numeric_limits<double>::infinity(), std::numeric_limits<double>::infinity());
  Eigen::Vector2d hi = -lo;
  auto grow = [&](const Eigen::Vector2d& p) {
    if (!cam.is_in_image(p)) return;
    lo = lo.cwiseMin(p);
    hi = hi.cwiseMax(p);
  };
  for (const ReportPose& pose : report.poses) {
    std::vector<Eigen::Vector2d> pts(static_cast<size_t>(pose.joints.cols()));
    std::vector<char> valid(pts.size(), 0);
    for (int j = 0; j < pose.joints.cols(); ++j) {
      Eigen::Vector2d px;
      if (finite_joint(pose.joints, j) &&
          cam.project(pose.joints.col(j), &px) == camera::ProjectionStatus::kSuccess) {
        pts[static_cast<size_t>(j)] = px;
        valid[static_cast<size_t>(j)] = 1;
        grow(px);
      }
    }
    projected.push_back(std::move(pts));
    projected_valid.push_back(std::move(valid));
  }
  const auto detected = [&view](int j) {
    return j < view.scores.size() && view.scores(j) > 0.0 && view.keypoints_px.col(j).allFinite();
  };
  for (int j = 0; j < view.keypoints_px.cols(); ++j) {
    if (detected(j)) grow(view.keypoints_px.col(j));
  }
  const double panel_w = 300.0, panel_h = 380.0;
  Eigen::Vector2d centre(0.5 * cam.width(), 0.5 * cam.height());
  double crop_h = cam.height();
  if (std::isfinite(lo.x())) {
    centre = 0.5 * (lo + hi);
    crop_h = std::max({1.25 * (hi.y() - lo.y()), 1.25 * (hi.x() - lo.x()) * panel_h / panel_w, 200.0});
  }
  const double crop_w = crop_h * panel_w / panel_h;
  const double s = panel_h / crop_h;
  const Eigen::Vector2d origin = centre - 0.5 * Eigen::Vector2d(crop_w, crop_h);
  auto map = [&](const Eigen::Vector2d& p) -> Eigen::Vector2d { return (p - origin) * s; };
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" "
      "viewBox=\"0 0 {0:.0f} {1:.0f}\" class=\"view\"><rect width=\"100%\" height=\"100%\" "
      "fill=\"#0d1117\"/>",
      panel_w, panel_h);
  const Eigen::Vector2d frame0 = map(Eigen::Vector2d(-0.5, -0.5));
  svg += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#1b1f24\" "
                     "stroke=\"#57606a\"/>",
                     frame0.x(), frame0.y(), cam.width() * s, cam.height() * s);
  for (size_t k = 0; k < report.poses.size(); ++k) {
    std::vector<Eigen::Vector2d> pts = projected[k];
    for (auto& p : pts) p = map(p);
    skeleton_lines(svg, report.parents, pts, projected_valid[k], report.poses[k].color, 2.0,
                   report.poses[k].dashed);
  }
  for (int j = 0; j < view.keypoints_px.cols(); ++j) {
    if (!detected(j)) continue;
    const bool outlier = static_cast<size_t>(j) < view.is_outlier.size() && view.is_outlier[static_cast<size_t>(j)];
    const std::string name = static_cast<size_t>(j) < report.joint_names.size()
                                 ? report.joint_names[static_cast<size_t>(j)] : std::to_string(j);
    const Eigen::Vector2d p = map(view.keypoints_px.col(j));
    svg += fmt::format(
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"{:.1f}\" fill=\"{}\" fill-opacity=\"{:.2f}\" "
        "stroke=\"#fff\" stroke-width=\"0.5\"><title>{} (confidence {:.2f}){}</title></circle>",
        p.x(), p.y(), outlier ? 4.0 : 3.0, outlier ? "#ff3b30" : "#ffd60a",
        0.35 + 0.65 * std::min(1.0, view.scores(j)), escape(name), view.scores(j),
        outlier ? ", planted outlier" : "");
  }
  svg += fmt::format("<text x=\"8\" y=\"18\" fill=\"#e6edf3\" font-size=\"13\">{} ({}x{}, crop {:.0f}%)</text>",
                     escape(cam.name().empty() ? "camera" : cam.name()), cam.width(), cam.height(),
                     100.0 * crop_h / cam.height());
  svg += "</svg>";
  return svg;
}

/// Orthographic projection of the poses on two world axes (a, b); b is drawn up.
std::string ortho_panel(const Report& report, int axis_a, int axis_b, const std::string& title) {
  const double w = 300.0, h = 300.0;
  double min_a = std::numeric_limits<double>::infinity(), max_a = -min_a, min_b = min_a, max_b = -min_a;
  for (const ReportPose& pose : report.poses) {
    for (int j = 0; j < pose.joints.cols(); ++j) {
      if (!finite_joint(pose.joints, j)) continue;
      min_a = std::min(min_a, pose.joints(axis_a, j));
      max_a = std::max(max_a, pose.joints(axis_a, j));
      min_b = std::min(min_b, pose.joints(axis_b, j));
      max_b = std::max(max_b, pose.joints(axis_b, j));
    }
  }
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 "
      "{0:.0f} {1:.0f}\" class=\"ortho\"><rect width=\"100%\" height=\"100%\" fill=\"#f6f8fa\"/>",
      w, h);
  if (std::isfinite(min_a)) {
    const double pad = 0.05 * std::max(max_a - min_a, max_b - min_b);
    const Viewport vp(min_a - pad, -(max_b + pad), max_a + pad, -(min_b - pad), w, h, 20.0);
    for (const ReportPose& pose : report.poses) {
      std::vector<Eigen::Vector2d> pts(static_cast<size_t>(pose.joints.cols()));
      std::vector<char> valid(pts.size(), 0);
      for (int j = 0; j < pose.joints.cols(); ++j) {
        if (!finite_joint(pose.joints, j)) continue;
        pts[static_cast<size_t>(j)] = Eigen::Vector2d(vp.x(pose.joints(axis_a, j)), vp.y(-pose.joints(axis_b, j)));
        valid[static_cast<size_t>(j)] = 1;
      }
      skeleton_lines(svg, report.parents, pts, valid, pose.color, 2.5, pose.dashed);
    }
  }
  static const char* kAxis[3] = {"X", "Y", "Z"};
  svg += fmt::format("<text x=\"8\" y=\"16\" font-size=\"12\" fill=\"#24292f\">{} ({} right, {} up)</text></svg>",
                     escape(title), kAxis[axis_a], kAxis[axis_b]);
  return svg;
}

std::string error_bars(const Report& report) {
  if (report.per_joint_errors.empty()) return {};
  const size_t num_joints = report.joint_names.size();
  double max_v = 0.0;
  for (const ReportSeries& s : report.per_joint_errors) {
    for (double v : s.values) {
      if (std::isfinite(v)) max_v = std::max(max_v, v);
    }
  }
  if (!(max_v > 0.0)) max_v = 1.0;
  const double label_w = 70.0, bar_area = 460.0, row_h = 7.0 * static_cast<double>(report.per_joint_errors.size()) + 6.0;
  const double h = 30.0 + row_h * static_cast<double>(num_joints);
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 "
      "{0:.0f} {1:.0f}\" class=\"bars\">",
      label_w + bar_area + 70.0, h);
  for (size_t j = 0; j < num_joints; ++j) {
    const double y = 20.0 + row_h * static_cast<double>(j);
    svg += fmt::format("<text x=\"{:.0f}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"end\">{}</text>",
                       label_w - 6, y + row_h / 2 + 3, escape(report.joint_names[j]));
    for (size_t m = 0; m < report.per_joint_errors.size(); ++m) {
      const ReportSeries& s = report.per_joint_errors[m];
      if (j >= s.values.size() || !std::isfinite(s.values[j])) continue;
      const double len = bar_area * s.values[j] / max_v;
      svg += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"6\" fill=\"{}\"><title>{} {}: "
          "{:.1f} {}</title></rect>",
          label_w, y + 7.0 * static_cast<double>(m), std::max(len, 0.5), s.color, escape(s.label),
          escape(report.joint_names[j]), s.values[j], escape(report.error_unit));
    }
  }
  double legend_x = label_w;
  for (const ReportSeries& s : report.per_joint_errors) {
    svg += fmt::format("<rect x=\"{:.0f}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.0f}\" y=\"13\" "
                       "font-size=\"11\">{}</text>",
                       legend_x, s.color, legend_x + 14, escape(s.label));
    legend_x += 30.0 + 7.0 * static_cast<double>(s.label.size());
  }
  svg += fmt::format("<text x=\"{:.0f}\" y=\"13\" font-size=\"11\" text-anchor=\"end\">max {:.1f} {}</text></svg>",
                     label_w + bar_area + 60, max_v, escape(report.error_unit));
  return svg;
}

std::string camera_layout(const Report& report) {
  const int up = report.up_axis;
  const int a = up == 0 ? 1 : 0;
  const int b = up == 2 ? 1 : 2;
  std::vector<Eigen::Vector2d> centres, dirs;
  double min_a = std::numeric_limits<double>::infinity(), max_a = -min_a, min_b = min_a, max_b = -min_a;
  auto grow = [&](double va, double vb) {
    min_a = std::min(min_a, va);
    max_a = std::max(max_a, va);
    min_b = std::min(min_b, vb);
    max_b = std::max(max_b, vb);
  };
  for (const ReportView& v : report.views) {
    const Eigen::Vector3d c = v.camera.center_in_world();
    const Eigen::Vector3d d = v.camera.cam_from_world.rotation.conjugate() * Eigen::Vector3d::UnitZ();
    centres.emplace_back(c[a], c[b]);
    dirs.emplace_back(Eigen::Vector2d(d[a], d[b]).normalized());
    grow(c[a], c[b]);
  }
  for (const Eigen::Vector3d& p : report.trajectory) grow(p[a], p[b]);
  const double w = 360.0, h = 360.0;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0:.0f}\" height=\"{1:.0f}\" viewBox=\"0 0 "
      "{0:.0f} {1:.0f}\" class=\"layout\"><rect width=\"100%\" height=\"100%\" fill=\"#f6f8fa\"/>",
      w, h);
  if (!std::isfinite(min_a)) return svg + "</svg>";
  const double span = std::max(max_a - min_a, max_b - min_b);
  const Viewport vp(min_a - 0.1 * span, -(max_b + 0.1 * span), max_a + 0.1 * span, -(min_b - 0.1 * span), w, h, 24.0);
  if (report.trajectory.size() > 1) {
    std::string path;
    for (const Eigen::Vector3d& p : report.trajectory) {
      path += fmt::format("{}{:.1f},{:.1f} ", path.empty() ? "M" : "L", vp.x(p[a]), vp.y(-p[b]));
    }
    svg += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"#0969da\" stroke-width=\"1.5\"/>", path);
  }
  const double arrow = 0.08 * span * vp.scale;
  for (size_t i = 0; i < centres.size(); ++i) {
    const double x = vp.x(centres[i].x()), y = vp.y(-centres[i].y());
    const double dx = dirs[i].x() * arrow, dy = -dirs[i].y() * arrow;
    svg += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#cf222e\" stroke-width=\"2\"/>"
        "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"5\" fill=\"#cf222e\"/>"
        "<text x=\"{:.1f}\" y=\"{:.1f}\" font-size=\"12\" text-anchor=\"{}\">{}</text>",
        x, y, x + dx, y + dy, x, y, x > 0.7 * w ? x - 7 : x + 7, y - 7, x > 0.7 * w ? "end" : "start",
        escape(report.views[i].camera.name().empty() ? std::to_string(i + 1) : report.views[i].camera.name()));
  }
  return svg + "<text x=\"8\" y=\"16\" font-size=\"12\">cameras from above, person's path in blue</text></svg>";
}

}  // namespace

std::string render_html_report(const Report& report) {
  std::string html;
  html += "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>";
  html += escape(report.title);
  html += "</title><style>"
          "body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px;color:#24292f;background:#fff}"
          "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #d0d7de}"
          ".sub{color:#57606a;margin-bottom:12px}.grid{display:flex;flex-wrap:wrap;gap:12px}"
          "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #d0d7de;padding:4px 10px;text-align:right}"
          "th{background:#f6f8fa}td:first-child,th:first-child{text-align:left}"
          ".legend span{display:inline-block;margin-right:14px;font-size:13px}"
          ".sw{display:inline-block;width:18px;height:4px;margin-right:5px;vertical-align:middle}"
          "p.note{max-width:900px;font-size:14px}"
          "</style></head><body>\n";
  html += fmt::format("<h1>{}</h1><div class=\"sub\">{}</div>\n", escape(report.title), escape(report.subtitle));
  if (!report.table_header.empty()) {
    html += "<h2>Metrics</h2><table><tr>";
    for (const std::string& h : report.table_header) html += "<th>" + escape(h) + "</th>";
    html += "</tr>";
    for (const auto& row : report.table_rows) {
      html += "<tr>";
      for (const std::string& c : row) html += "<td>" + escape(c) + "</td>";
      html += "</tr>";
    }
    html += "</table>\n";
  }
  html += "<div class=\"legend\">";
  for (const ReportPose& pose : report.poses) {
    html += fmt::format("<span><i class=\"sw\" style=\"background:{}\"></i>{}</span>", pose.color, escape(pose.label));
  }
  html += "<span><i class=\"sw\" style=\"background:#ffd60a;height:8px;width:8px;border-radius:4px\"></i>2D detection</span>"
          "<span><i class=\"sw\" style=\"background:#ff3b30;height:8px;width:8px;border-radius:4px\"></i>planted outlier</span></div>\n";
  if (!report.views.empty()) {
    html += fmt::format("<h2>Views ({}): detections and reprojected 3D skeletons</h2><div class=\"grid\">",
                        escape(report.frame_label));
    for (const ReportView& v : report.views) html += view_panel(report, v);
    html += "</div>\n";
  }
  if (!report.poses.empty()) {
    const int up = report.up_axis;
    const int a = up == 0 ? 1 : 0;
    const int b = up == 2 ? 1 : 2;
    html += fmt::format("<h2>3D ({}), orthographic</h2><div class=\"grid\">", escape(report.frame_label));
    html += ortho_panel(report, a, up, "front");
    html += ortho_panel(report, b, up, "side");
    html += ortho_panel(report, a, b, "top");
    html += "</div>\n";
  }
  if (!report.per_joint_errors.empty()) {
    html += fmt::format("<h2>Per-joint error ({}, mean over frames)</h2>", escape(report.error_unit));
    html += error_bars(report);
  }
  if (!report.views.empty()) {
    html += "<h2>Camera layout</h2>";
    html += camera_layout(report);
  }
  for (const auto& [heading, text] : report.notes) {
    html += "<h2>" + escape(heading) + "</h2><p class=\"note\">" + escape(text) + "</p>\n";
  }
  html += "</body></html>\n";
  return html;
}


}  // namespace crossview::cli
