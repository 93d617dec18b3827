// crossview report page (src/report/assets/report.js). A classic script, no
// modules, no network: reads the run from <script id="cv-run"> (JSON) and the
// <script id="cv-blob-N"> elements (base64 typed arrays, docs/report.md), and
// draws the 3D scene (three.js, inlined before this script), the camera
// images, the plots, the warnings and the tables. window.crossviewReport is
// the page's test interface (tests/report/browser_check.py); with #selftest
// in the URL the page also writes its own checks into <pre id="cv-selftest">.
(function () {
  'use strict';

  var errors = [];
  window.addEventListener('error', function (e) { errors.push(String(e.message || e.error || e)); });
  window.addEventListener('unhandledrejection', function (e) { errors.push('unhandled rejection: ' + String(e.reason)); });

  var PERSON_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#e377c2', '#8c564b', '#bcbd22'];
  var CAMERA_COLORS = ['#0969da', '#bf3989', '#1a7f37', '#9a6700', '#8250df', '#cf222e', '#0a7b83', '#6e7781',
    '#fb8f44', '#6639ba', '#2da44e', '#d1242f'];
  var HIDDEN = 1e12;  // where missing joints go in the 3D scene (beyond the far plane)

  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs) { for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]); } }
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  var SVGNS = 'http://www.w3.org/2000/svg';
  function svgEl(tag, attrs, text) {
    var e = document.createElementNS(SVGNS, tag);
    if (attrs) { for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]); } }
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }

  // ---------------------------------------------------------------- decoding
  function blobBytes(ref) {
    var node = $('cv-blob-' + ref.blob);
    if (!node) throw new Error('report data: blob ' + ref.blob + ' missing');
    var text = node.textContent;
    if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
    var bin = atob(text);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }

  // "q" / "qr": tokens are LEB128 varints; 0 = NaN; else zigzag(delta) + 1 on
  // the value's channel (see src/report/detail/encode.hpp). For "q" the
  // channel of value i is i mod stride; for "qr" frame f holds counts[f]
  // slots of perSlot values and the channel is slot * perSlot + k.
  function decodeQ(bytes, count, step, stride, counts, perSlot) {
    var out = new Float32Array(count);
    var maxCount = 1;
    if (counts) { maxCount = 0; for (var m = 0; m < counts.length; m++) maxCount = Math.max(maxCount, counts[m]); }
    var last = new Float64Array(Math.max(1, counts ? maxCount * perSlot : stride));
    var pos = 0, n = bytes.length, c = 0, frame = 0, frameEnd = counts ? counts[0] * perSlot : stride;
    for (var i = 0; i < count; i++) {
      if (counts) {
        while (c >= frameEnd) { frame++; c = 0; frameEnd = counts[frame] * perSlot; }
      } else if (c === stride) {
        c = 0;
      }
      if (pos >= n) throw new Error('report data: truncated q array');
      var b = bytes[pos++], token = b & 127;
      if (b >= 128) {
        var mul = 128;
        do { b = bytes[pos++]; token += (b & 127) * mul; mul *= 128; } while (b >= 128 && pos <= n);
      }
      if (token === 0) { out[i] = NaN; c++; continue; }
      var z = token - 1;
      last[c] += (z % 2 === 1) ? -(z + 1) / 2 : z / 2;
      out[i] = last[c] * step;
      c++;
    }
    if (pos !== n) throw new Error('report data: ' + (n - pos) + ' bytes left after a q array');
    return out;
  }

  function decode(ref, counts) {
    var bytes = blobBytes(ref);
    if (ref.enc === 'f32') {
      if (bytes.length !== 4 * ref.count) throw new Error('report data: f32 array of ' + bytes.length + ' bytes for ' + ref.count + ' values');
      return new Float32Array(bytes.buffer, bytes.byteOffset, ref.count);
    }
    if (ref.enc === 'u8') {
      if (bytes.length !== ref.count) throw new Error('report data: u8 array size');
      if (ref.scale) {
        var f = new Float32Array(ref.count);
        for (var i = 0; i < ref.count; i++) f[i] = bytes[i] / ref.scale;
        return f;
      }
      return bytes;
    }
    if (ref.enc === 'u32') return new Uint32Array(bytes.buffer, bytes.byteOffset, ref.count);
    if (ref.enc === 'q') return decodeQ(bytes, ref.count, ref.step, ref.stride, null, 0);
    if (ref.enc === 'qr') return decodeQ(bytes, ref.count, ref.step, 0, counts, ref.per_slot);
    throw new Error('report data: unknown encoding ' + ref.enc);
  }

  // ---------------------------------------------------------------- cameras
  function makeCamera(c) {
    var w = c.q_wxyz[0], x = c.q_wxyz[1], y = c.q_wxyz[2], z = c.q_wxyz[3];
    var R = [1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
      2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
      2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)];
    return { name: c.name, model: c.model, p: c.params, width: c.width, height: c.height, R: R, t: c.t,
      center: c.center, maxR2: c.max_radius === null ? Infinity : c.max_radius * c.max_radius };
  }

  // World point -> pixel through the camera model (same formulas as
  // include/crossview/camera/models.hpp); false when it does not project.
  function project(cam, X, Y, Z, out) {
    var R = cam.R, t = cam.t, p = cam.p;
    var xc = R[0] * X + R[1] * Y + R[2] * Z + t[0];
    var yc = R[3] * X + R[4] * Y + R[5] * Z + t[1];
    var zc = R[6] * X + R[7] * Y + R[8] * Z + t[2];
    if (!(zc > 0)) return false;
    var x = xc / zc, y = yc / zc, r2 = x * x + y * y;
    if (r2 > cam.maxR2) return false;
    var xd = x, yd = y;
    if (cam.model === 'OPENCV' || cam.model === 'OPENCV_RATIONAL') {
      var k1 = p[4], k2 = p[5], p1 = p[6], p2 = p[7], k3 = p[8];
      var r4 = r2 * r2, r6 = r4 * r2;
      var radial = 1 + k1 * r2 + k2 * r4 + k3 * r6;
      if (cam.model === 'OPENCV_RATIONAL') radial = radial / (1 + p[9] * r2 + p[10] * r4 + p[11] * r6);
      xd = x * radial + 2 * p1 * x * y + p2 * (r2 + 2 * x * x);
      yd = y * radial + p1 * (r2 + 2 * y * y) + 2 * p2 * x * y;
    } else if (cam.model === 'FISHEYE') {
      if (r2 > 1e-16) {
        var r = Math.sqrt(r2), th = Math.atan(r), th2 = th * th;
        var thd = th * (1 + th2 * (p[4] + th2 * (p[5] + th2 * (p[6] + th2 * p[7]))));
        xd = x * thd / r; yd = y * thd / r;
      }
    }
    out[0] = p[0] * xd + p[2];
    out[1] = p[1] * yd + p[3];
    return isFinite(out[0]) && isFinite(out[1]);
  }

  // ---------------------------------------------------------------- state
  var run = null, cams = [], persons = [], detections = null, series = null;
  var F = 0, J = 0, V = 0, fps = 0;
  var state = { frame: 0, playing: false, speed: 1, hiddenMethods: {}, crop: false, person: 0, joint: 0, limb: 0 };
  var listeners = [];  // called with the frame on every change
  var timing = {};

  function frameNumber(f) { return run.frame_numbers ? run.frame_numbers[f] : f; }
  function timeOf(f) { return fps > 0 ? f / fps : f; }
  function timeAxisLabel() { return fps > 0 ? 'time [s]' : 'frame [index]'; }
  function unitLabel() { return run.unit; }

  // Every person keeps its hue; its layers differ by a small hue shift and
  // lightness (ground truth and references: paler and dashed).
  var KIND_STYLE = {
    robust: { dh: 0, dl: 0 }, dlt: { dh: 0.03, dl: 0.18, ds: 0.8 }, rpsm: { dh: -0.03, dl: 0.09 },
    filtered: { dh: -0.02, dl: -0.06, ds: 1.15 }, other: { dh: 0.02, dl: 0.12 },
    ground_truth: { dh: 0, dl: 0.3, dashed: true, ds: 0.45 }, reference: { dh: 0.02, dl: 0.24, dashed: true, ds: 0.35 }
  };
  function layerStyle(person, layer, index) {
    var base = new THREE.Color(person.color), hsl = {};
    base.getHSL(hsl);
    var k = KIND_STYLE[layer.kind] || KIND_STYLE.other;
    var h = hsl.h + k.dh + (layer.kind === 'other' ? 0.01 * index : 0);
    var c = new THREE.Color();
    c.setHSL(h - Math.floor(h), Math.min(1, hsl.s * (k.ds || 1)), Math.max(0.36, Math.min(0.85, hsl.l + k.dl)));
    return { color: '#' + c.getHexString(), dashed: !!k.dashed };
  }

  function loadRun() {
    var t0 = performance.now();
    run = JSON.parse($('cv-run').textContent);
    F = run.frames; J = run.joints; fps = run.fps || 0;
    cams = run.cameras.map(makeCamera);
    V = cams.length;
    persons = run.persons.map(function (p, i) {
      var color = p.color || PERSON_COLORS[i % PERSON_COLORS.length];
      var person = { id: p.id, label: p.label, color: color, layers: [] };
      person.layers = p.layers.map(function (l, li) {
        var layer = { method: l.method, kind: l.kind, startLabel: l.start_label, keptStart: l.kept_start,
          joints: decode(l.joints), usedViews: l.used_views ? decode(l.used_views) : null };
        if (layer.joints.length !== 3 * F * J) throw new Error('report data: layer ' + l.method + ' has ' + layer.joints.length + ' values');
        layer.style = layerStyle(person, layer, li);
        return layer;
      });
      // The layer whose fit marks the detections it used.
      person.fitLayer = null;
      for (var k = 0; k < person.layers.length; k++) { if (person.layers[k].usedViews) { person.fitLayer = person.layers[k]; break; } }
      return person;
    });
    if (run.detections) {
      detections = run.detections.map(function (d) {
        var counts = decode(d.counts);
        var offsets = new Uint32Array(F + 1);
        for (var f = 0; f < F; f++) offsets[f + 1] = offsets[f] + counts[f];
        return { counts: counts, offsets: offsets, pixels: decode(d.pixels, counts), scores: decode(d.scores),
          ids: decode(d.ids, counts) };
      });
    }
    if (run.series) series = { method: run.series.method, error: decode(run.series.error_px), inlier: decode(run.series.inlier_rate) };
    timing.decodeMs = performance.now() - t0;
  }

  // ---------------------------------------------------------------- header
  function fmt(x, digits) { return (x === null || x === undefined || !isFinite(x)) ? 'n/a' : Number(x).toFixed(digits); }
  function pct(x) { return (x === null || x === undefined || !isFinite(x)) ? 'n/a' : (100 * x).toFixed(1) + ' %'; }

  function buildHeader() {
    var s = run.storage;
    var parts = [F + ' frames' + (fps > 0 ? ' (' + (F / fps).toFixed(2) + ' s at ' + fps + ' fps)' : ''),
      V + ' cameras', persons.length + (persons.length === 1 ? ' person' : ' persons'), J + ' joints' +
        (run.skeleton.name ? ' (' + run.skeleton.name + (run.skeleton.guessed ? ', guessed' : '') + ')' : ''),
      'lengths in ' + run.unit + (run.unit_guessed ? ' (assumed)' : ''),
      s.mode === 'quantized' ? 'stored quantized (' + s.length_step + ' ' + run.unit + ', ' + s.pixel_step_px + ' px)' : 'stored as float32'];
    $('cv-summary').textContent = parts.join(' \u00b7 ');
  }

  // ---------------------------------------------------------------- controls
  function setFrame(f) {
    f = Math.max(0, Math.min(F - 1, Math.round(f)));
    state.frame = f;
    var slider = $('cv-slider');
    if (Number(slider.value) !== f) slider.value = String(f);
    var label = 'frame ' + f + ' / ' + (F - 1);
    if (run.frame_numbers) label += ' (capture frame ' + frameNumber(f) + ')';
    if (fps > 0) label += ', t = ' + (f / fps).toFixed(3) + ' s';
    $('cv-frame-label').textContent = label;
    for (var i = 0; i < listeners.length; i++) listeners[i](f);
  }

  function buildControls() {
    var slider = $('cv-slider');
    slider.max = String(F - 1);
    slider.addEventListener('input', function () { setFrame(Number(slider.value)); });
    $('cv-prev').addEventListener('click', function () { setPlaying(false); setFrame(state.frame - 1); });
    $('cv-next').addEventListener('click', function () { setPlaying(false); setFrame(state.frame + 1); });
    $('cv-play').addEventListener('click', function () { setPlaying(!state.playing); });
    $('cv-speed').addEventListener('change', function () { state.speed = Number($('cv-speed').value); });
    document.addEventListener('keydown', function (e) {
      if (e.target && (e.target.tagName === 'SELECT' || e.target.tagName === 'INPUT' && e.target.type !== 'range')) return;
      if (e.key === ' ') { e.preventDefault(); setPlaying(!state.playing); }
      else if (e.key === 'ArrowRight' && e.target !== slider) { setPlaying(false); setFrame(state.frame + 1); }
      else if (e.key === 'ArrowLeft' && e.target !== slider) { setPlaying(false); setFrame(state.frame - 1); }
    });
    // One checkbox per method (layer label) across persons.
    var methods = [];
    persons.forEach(function (p) { p.layers.forEach(function (l) { if (methods.indexOf(l.method) < 0) methods.push(l.method); }); });
    var box = $('cv-layer-toggles');
    methods.forEach(function (m) {
      var id = 'cv-toggle-' + methods.indexOf(m);
      var cb = el('input', { type: 'checkbox', id: id });
      cb.checked = true;
      cb.addEventListener('change', function () { state.hiddenMethods[m] = !cb.checked; setFrame(state.frame); });
      var label = el('label', { 'for': id });
      label.appendChild(cb);
      label.appendChild(document.createTextNode(' ' + m));
      box.appendChild(label);
    });
    $('cv-crop').addEventListener('change', function () { state.crop = $('cv-crop').checked; setFrame(state.frame); });
  }

  var playStart = 0, playFrame0 = 0;
  function setPlaying(on) {
    if (on === state.playing) return;
    state.playing = on;
    $('cv-play').innerHTML = on ? '&#10074;&#10074; pause' : '&#9654; play';
    if (on) {
      if (state.frame >= F - 1) setFrame(0);
      playStart = performance.now(); playFrame0 = state.frame;
      requestAnimationFrame(tick);
    }
  }
  function tick(now) {
    if (!state.playing) return;
    var rate = (fps > 0 ? fps : 30) * state.speed;
    var f = playFrame0 + Math.floor((now - playStart) / 1000 * rate);
    if (f >= F) { setFrame(F - 1); setPlaying(false); return; }
    if (f !== state.frame) setFrame(f);
    requestAnimationFrame(tick);
  }

  // ---------------------------------------------------------------- 3D scene
  var scene3d = null;

  function niceStep(x) {
    var p = Math.pow(10, Math.floor(Math.log10(x))), m = x / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
  }

  // Robust extent of the data: camera centres and sampled joints.
  function sceneBounds() {
    var up = run.up_axis, heights = [], pts = [];
    persons.forEach(function (p) {
      var L = p.layers[0].joints;
      var every = Math.max(1, Math.floor(F / 200));
      for (var f = 0; f < F; f += every) {
        for (var j = 0; j < J; j++) {
          var o = 3 * (f * J + j);
          if (isFinite(L[o]) && isFinite(L[o + 1]) && isFinite(L[o + 2])) { pts.push([L[o], L[o + 1], L[o + 2]]); heights.push(L[o + up]); }
        }
      }
    });
    var all = pts.concat(cams.map(function (c) { return c.center; }));
    var lo = [Infinity, Infinity, Infinity], hi = [-Infinity, -Infinity, -Infinity];
    all.forEach(function (q) { for (var k = 0; k < 3; k++) { lo[k] = Math.min(lo[k], q[k]); hi[k] = Math.max(hi[k], q[k]); } });
    if (!isFinite(lo[0])) { lo = [-1, -1, -1]; hi = [1, 1, 1]; }
    var centre = [0, 1, 2].map(function (k) { return 0.5 * (lo[k] + hi[k]); });
    var dataCentre = centre.slice();
    if (pts.length) {
      dataCentre = [0, 1, 2].map(function (k) {
        var v = pts.map(function (q) { return q[k]; }).sort(function (a, b) { return a - b; });
        return v[Math.floor(v.length / 2)];
      });
    }
    heights.sort(function (a, b) { return a - b; });
    var floor = heights.length ? heights[Math.floor(0.01 * (heights.length - 1))] : 0;
    var size = Math.max(hi[0] - lo[0], hi[1] - lo[1], hi[2] - lo[2], 1e-9);
    return { lo: lo, hi: hi, centre: centre, dataCentre: dataCentre, size: size, floor: floor };
  }

  function axisVector(k, v) { var a = [0, 0, 0]; a[k] = v; return a; }

  function buildScene() {
    var container = $('cv-scene'), canvas = $('cv-scene-canvas');
    var renderer = new THREE.WebGLRenderer({ canvas: canvas, antialias: true, preserveDrawingBuffer: true });
    renderer.setPixelRatio(window.devicePixelRatio || 1);
    renderer.setClearColor(0x0d1117, 1);
    var scene = new THREE.Scene();
    var b = sceneBounds();
    var up = run.up_axis;
    var camera = new THREE.PerspectiveCamera(45, 1, b.size * 1e-3, b.size * 100);
    camera.up.fromArray(axisVector(up, 1));
    var labels = [];

    // Floor grid in the plane through the lowest joints, perpendicular to up.
    var a1 = (up + 1) % 3, a2 = (up + 2) % 3;
    var step = niceStep(b.size / 12);
    var half = Math.ceil(0.75 * b.size / step) * step;
    var c1 = Math.round(b.centre[a1] / step) * step, c2 = Math.round(b.centre[a2] / step) * step;
    var grid = [];
    for (var s = -half; s <= half + 1e-9 * step; s += step) {
      var p = [0, 0, 0], q = [0, 0, 0];
      p[up] = q[up] = b.floor; p[a1] = c1 + s; q[a1] = c1 + s; p[a2] = c2 - half; q[a2] = c2 + half; grid.push(p, q);
      p = [0, 0, 0]; q = [0, 0, 0];
      p[up] = q[up] = b.floor; p[a2] = c2 + s; q[a2] = c2 + s; p[a1] = c1 - half; q[a1] = c1 + half; grid.push(p, q);
    }
    var gridGeo = new THREE.BufferGeometry();
    gridGeo.setAttribute('position', new THREE.Float32BufferAttribute([].concat.apply([], grid), 3));
    scene.add(new THREE.LineSegments(gridGeo, new THREE.LineBasicMaterial({ color: 0x30363d })));
    var unitName = run.unit;
    $('cv-scene-scale').textContent = 'grid squares ' + (+step.toPrecision(3)) + ' ' + unitName + ' \u00b7 floor at ' +
      'XYZ'[up] + ' = ' + (+b.floor.toPrecision(3)) + ' ' + unitName;

    // World axes at the origin (X red, Y green, Z blue), one grid step long.
    var axes = new THREE.AxesHelper(step);
    scene.add(axes);
    ['X', 'Y', 'Z'].forEach(function (n, k) { labels.push({ pos: axisVector(k, step * 1.1), text: n }); });

    // Cameras: frusta (pinhole approximation) and names.
    cams.forEach(function (c, v) {
      var d = 0.12 * b.size;
      var corners = [[0, 0], [c.width, 0], [c.width, c.height], [0, c.height]].map(function (uv) {
        var xn = (uv[0] - c.p[2]) / c.p[0], yn = (uv[1] - c.p[3]) / c.p[1];
        var pc = [xn * d - c.t[0], yn * d - c.t[1], d - c.t[2]];
        var R = c.R;  // world = R^T (pc)
        return [R[0] * pc[0] + R[3] * pc[1] + R[6] * pc[2], R[1] * pc[0] + R[4] * pc[1] + R[7] * pc[2], R[2] * pc[0] + R[5] * pc[1] + R[8] * pc[2]];
      });
      var segs = [];
      for (var k = 0; k < 4; k++) { segs.push(c.center, corners[k], corners[k], corners[(k + 1) % 4]); }
      // A tick on the image's top edge shows which way is up in the image.
      var mid = [0, 1, 2].map(function (i) { return 0.5 * (corners[0][i] + corners[1][i]); });
      var inward = [0, 1, 2].map(function (i) { return mid[i] + 0.15 * (corners[3][i] - corners[0][i]); });
      segs.push(mid, inward);
      var g = new THREE.BufferGeometry();
      g.setAttribute('position', new THREE.Float32BufferAttribute([].concat.apply([], segs), 3));
      scene.add(new THREE.LineSegments(g, new THREE.LineBasicMaterial({ color: new THREE.Color(CAMERA_COLORS[v % CAMERA_COLORS.length]) })));
      labels.push({ pos: c.center, text: c.name || ('camera ' + v) });
    });

    // Persons: one line set (limbs) and one point set (joints) per layer.
    var limbs = run.skeleton.limbs;
    var objects = [];
    persons.forEach(function (p) {
      p.layers.forEach(function (l) {
        var lineGeo = new THREE.BufferGeometry();
        var linePos = new Float32Array(Math.max(1, limbs.length) * 6);
        lineGeo.setAttribute('position', new THREE.BufferAttribute(linePos, 3));
        var mat = l.style.dashed
          ? new THREE.LineDashedMaterial({ color: new THREE.Color(l.style.color), dashSize: 0.02 * b.size, gapSize: 0.012 * b.size })
          : new THREE.LineBasicMaterial({ color: new THREE.Color(l.style.color) });
        var lines = new THREE.LineSegments(lineGeo, mat);
        lines.frustumCulled = false;
        var ptGeo = new THREE.BufferGeometry();
        var ptPos = new Float32Array(J * 3);
        ptGeo.setAttribute('position', new THREE.BufferAttribute(ptPos, 3));
        var points = new THREE.Points(ptGeo, new THREE.PointsMaterial({ color: new THREE.Color(l.style.color), size: 4, sizeAttenuation: false }));
        points.frustumCulled = false;
        scene.add(lines); scene.add(points);
        objects.push({ person: p, layer: l, lines: lines, linePos: linePos, points: points, ptPos: ptPos });
      });
      // Faint path of the person's centre over the whole run (first layer).
      var L = p.layers[0].joints, path = [];
      for (var f = 0; f < F; f += Math.max(1, Math.floor(F / 2000))) {
        var sx = 0, sy = 0, sz = 0, n = 0;
        for (var j = 0; j < J; j++) {
          var o = 3 * (f * J + j);
          if (isFinite(L[o]) && isFinite(L[o + 1]) && isFinite(L[o + 2])) { sx += L[o]; sy += L[o + 1]; sz += L[o + 2]; n++; }
        }
        if (n) { var c = [sx / n, sy / n, sz / n]; c[up] = b.floor; path.push(c); }
      }
      if (path.length > 1) {
        var pg = new THREE.BufferGeometry();
        pg.setAttribute('position', new THREE.Float32BufferAttribute([].concat.apply([], path), 3));
        var pc = new THREE.Color(p.color); pc.multiplyScalar(0.6);
        scene.add(new THREE.Line(pg, new THREE.LineBasicMaterial({ color: pc })));
      }
    });

    var labelBox = $('cv-scene-labels');
    labels.forEach(function (lb) { lb.node = el('div', { 'class': 'cv-label3d' }, lb.text); labelBox.appendChild(lb.node); });

    // Orbit control (own): spherical coordinates around a target, up = world up.
    var orbit = { target: new THREE.Vector3().fromArray(b.dataCentre), radius: 0.95 * b.size, azimuth: 0.6, elevation: 0.45 };
    var home = { target: orbit.target.clone(), radius: orbit.radius, azimuth: orbit.azimuth, elevation: orbit.elevation };
    function basis() {
      var ca = Math.cos(orbit.azimuth), sa = Math.sin(orbit.azimuth), ce = Math.cos(orbit.elevation), se = Math.sin(orbit.elevation);
      var dir = [0, 0, 0];
      dir[a1] = ce * ca; dir[a2] = ce * sa; dir[up] = se;
      return new THREE.Vector3().fromArray(dir);
    }
    function placeCamera() {
      camera.position.copy(orbit.target).addScaledVector(basis(), orbit.radius);
      camera.lookAt(orbit.target);
      camera.near = orbit.radius * 1e-3; camera.far = orbit.radius * 100 + b.size * 10;
      camera.updateProjectionMatrix();
    }
    var drag = null;
    canvas.addEventListener('contextmenu', function (e) { e.preventDefault(); });
    canvas.addEventListener('pointerdown', function (e) {
      drag = { x: e.clientX, y: e.clientY, pan: e.button === 2 || e.shiftKey || e.button === 1 };
      if (canvas.setPointerCapture) canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener('pointermove', function (e) {
      if (!drag) return;
      var dx = e.clientX - drag.x, dy = e.clientY - drag.y;
      drag.x = e.clientX; drag.y = e.clientY;
      if (drag.pan) {
        var h = canvas.clientHeight || 1;
        var scale = 2 * orbit.radius * Math.tan(camera.fov * Math.PI / 360) / h;
        var right = new THREE.Vector3().setFromMatrixColumn(camera.matrixWorld, 0);
        var upv = new THREE.Vector3().setFromMatrixColumn(camera.matrixWorld, 1);
        orbit.target.addScaledVector(right, -dx * scale).addScaledVector(upv, dy * scale);
      } else {
        orbit.azimuth -= dx * 0.008;
        orbit.elevation = Math.max(-1.55, Math.min(1.55, orbit.elevation + dy * 0.008));
      }
      requestRender();
    });
    canvas.addEventListener('pointerup', function () { drag = null; });
    canvas.addEventListener('wheel', function (e) {
      e.preventDefault();
      orbit.radius = Math.max(b.size * 0.01, Math.min(b.size * 50, orbit.radius * Math.exp(e.deltaY * 0.001)));
      requestRender();
    }, { passive: false });
    canvas.addEventListener('dblclick', function () {
      orbit.target.copy(home.target); orbit.radius = home.radius; orbit.azimuth = home.azimuth; orbit.elevation = home.elevation;
      requestRender();
    });

    function resize() {
      var w = container.clientWidth || 640, h = container.clientHeight || 480;
      renderer.setSize(w, h, false);
      camera.aspect = w / h;
      camera.updateProjectionMatrix();
    }

    function update(f) {
      objects.forEach(function (o) {
        var hidden = !!state.hiddenMethods[o.layer.method];
        o.lines.visible = o.points.visible = !hidden;
        if (hidden) return;
        var L = o.layer.joints, base = 3 * f * J;
        for (var j = 0; j < J; j++) {
          var x = L[base + 3 * j], y = L[base + 3 * j + 1], z = L[base + 3 * j + 2];
          var ok = isFinite(x) && isFinite(y) && isFinite(z);
          o.ptPos[3 * j] = ok ? x : HIDDEN; o.ptPos[3 * j + 1] = ok ? y : HIDDEN; o.ptPos[3 * j + 2] = ok ? z : HIDDEN;
        }
        for (var k = 0; k < limbs.length; k++) {
          var a = limbs[k][0], c = limbs[k][1];
          var okA = o.ptPos[3 * a] !== HIDDEN, okC = o.ptPos[3 * c] !== HIDDEN, both = okA && okC;
          for (var i = 0; i < 3; i++) {
            o.linePos[6 * k + i] = both ? o.ptPos[3 * a + i] : HIDDEN;
            o.linePos[6 * k + 3 + i] = both ? o.ptPos[3 * c + i] : HIDDEN;
          }
        }
        o.lines.geometry.attributes.position.needsUpdate = true;
        o.points.geometry.attributes.position.needsUpdate = true;
        if (o.layer.style.dashed) o.lines.computeLineDistances();
      });
      requestRender();
    }

    var pending = false;
    function requestRender() {
      if (pending) return;
      pending = true;
      requestAnimationFrame(function () { pending = false; render(); });
    }
    function render() {
      resize();
      placeCamera();
      renderer.render(scene, camera);
      var w = canvas.clientWidth, h = canvas.clientHeight, v = new THREE.Vector3();
      labels.forEach(function (lb) {
        v.fromArray(lb.pos).project(camera);
        var visible = v.z < 1 && v.z > -1 && Math.abs(v.x) < 1.2 && Math.abs(v.y) < 1.2;
        lb.node.style.display = visible ? '' : 'none';
        lb.node.style.left = ((v.x + 1) / 2 * w) + 'px';
        lb.node.style.top = ((1 - v.y) / 2 * h) + 'px';
      });
    }
    window.addEventListener('resize', requestRender);

    // Legend: persons and their layers.
    var legend = $('cv-legend');
    persons.forEach(function (p) {
      p.layers.forEach(function (l) {
        var item = el('span');
        item.appendChild(el('span', { 'class': 'cv-swatch' + (l.style.dashed ? ' dashed' : ''), style: 'border-top-color:' + l.style.color }));
        item.appendChild(document.createTextNode(p.label + ': ' + l.method));
        legend.appendChild(item);
      });
    });
    cams.forEach(function (c, v) {
      var item = el('span');
      item.appendChild(el('span', { 'class': 'cv-swatch', style: 'border-top-color:' + CAMERA_COLORS[v % CAMERA_COLORS.length] }));
      item.appendChild(document.createTextNode(c.name || ('camera ' + v)));
      legend.appendChild(item);
    });

    scene3d = { renderer: renderer, scene: scene, camera: camera, render: render, update: update, orbit: orbit };
    listeners.push(update);
  }

  // ---------------------------------------------------------------- camera images
  var views = [];

  function buildViews() {
    var box = $('cv-views');
    cams.forEach(function (c, v) {
      var maxW = 360, maxH = 300;
      var s = Math.min(maxW / c.width, maxH / c.height);
      var w = Math.max(80, Math.round(c.width * s)), h = Math.max(80, Math.round(c.height * s));
      var panel = el('div', { 'class': 'cv-view' });
      var title = el('div', { 'class': 'cv-view-title' });
      title.appendChild(el('span', { style: 'color:' + CAMERA_COLORS[v % CAMERA_COLORS.length] + ';font-weight:600' }, c.name || ('camera ' + v)));
      var info = el('span');
      title.appendChild(info);
      panel.appendChild(title);
      var canvas = el('canvas', { width: w, height: h, 'data-camera': v });
      panel.appendChild(canvas);
      box.appendChild(panel);
      views.push({ canvas: canvas, info: info, cam: c, v: v });
    });
    listeners.push(drawViews);
  }

  function drawViews(f) {
    var px = [0, 0];
    views.forEach(function (view) {
      var c = view.cam, v = view.v, ctx = view.canvas.getContext('2d');
      var W = view.canvas.width, H = view.canvas.height;
      // Reprojections of every visible layer.
      var reproj = [];
      persons.forEach(function (p) {
        p.layers.forEach(function (l) {
          if (state.hiddenMethods[l.method]) return;
          var pts = new Float64Array(2 * J), ok = new Uint8Array(J), L = l.joints, base = 3 * f * J;
          for (var j = 0; j < J; j++) {
            if (project(c, L[base + 3 * j], L[base + 3 * j + 1], L[base + 3 * j + 2], px)) { pts[2 * j] = px[0]; pts[2 * j + 1] = px[1]; ok[j] = 1; }
          }
          reproj.push({ person: p, layer: l, pts: pts, ok: ok });
        });
      });
      var det = detections ? detections[v] : null;
      // View box: the whole image, or a crop around the people.
      var x0 = -0.5, y0 = -0.5, x1 = c.width - 0.5, y1 = c.height - 0.5;
      if (state.crop) {
        var lo = [Infinity, Infinity], hi = [-Infinity, -Infinity];
        var grow = function (u, w) { if (u >= x0 && u <= x1 && w >= y0 && w <= y1) { lo[0] = Math.min(lo[0], u); lo[1] = Math.min(lo[1], w); hi[0] = Math.max(hi[0], u); hi[1] = Math.max(hi[1], w); } };
        reproj.forEach(function (r) { for (var j = 0; j < J; j++) { if (r.ok[j]) grow(r.pts[2 * j], r.pts[2 * j + 1]); } });
        if (det) { for (var i = det.offsets[f] * J; i < det.offsets[f + 1] * J; i++) { if (det.scores[i] > 0) grow(det.pixels[2 * i], det.pixels[2 * i + 1]); } }
        if (isFinite(lo[0])) {
          var cx = 0.5 * (lo[0] + hi[0]), cy = 0.5 * (lo[1] + hi[1]);
          var half = 0.6 * Math.max((hi[0] - lo[0]) * H / W, hi[1] - lo[1], 100);
          x0 = cx - half * W / H; x1 = cx + half * W / H; y0 = cy - half; y1 = cy + half;
        }
      }
      var s = Math.min(W / (x1 - x0), H / (y1 - y0));
      var ox = (W - s * (x1 - x0)) / 2 - s * x0, oy = (H - s * (y1 - y0)) / 2 - s * y0;
      ctx.setTransform(1, 0, 0, 1, 0, 0);
      ctx.fillStyle = '#0d1117'; ctx.fillRect(0, 0, W, H);
      ctx.fillStyle = '#161b22'; ctx.strokeStyle = '#8b949e'; ctx.lineWidth = 1;
      ctx.fillRect(ox + s * -0.5, oy + s * -0.5, s * c.width, s * c.height);
      ctx.strokeRect(ox + s * -0.5, oy + s * -0.5, s * c.width, s * c.height);
      var limbs = run.skeleton.limbs;
      reproj.forEach(function (r) {
        ctx.strokeStyle = r.layer.style.color; ctx.lineWidth = 1.6;
        ctx.setLineDash(r.layer.style.dashed ? [4, 3] : []);
        ctx.beginPath();
        for (var k = 0; k < limbs.length; k++) {
          var a = limbs[k][0], b = limbs[k][1];
          if (!r.ok[a] || !r.ok[b]) continue;
          ctx.moveTo(ox + s * r.pts[2 * a], oy + s * r.pts[2 * a + 1]);
          ctx.lineTo(ox + s * r.pts[2 * b], oy + s * r.pts[2 * b + 1]);
        }
        ctx.stroke();
        if (!limbs.length) {
          ctx.fillStyle = r.layer.style.color;
          for (var j = 0; j < J; j++) { if (r.ok[j]) ctx.fillRect(ox + s * r.pts[2 * j] - 2.5, oy + s * r.pts[2 * j + 1] - 2.5, 5, 5); }
        }
      });
      ctx.setLineDash([]);
      var shown = 0;
      if (det) {
        for (var n = det.offsets[f]; n < det.offsets[f + 1]; n++) {
          var id = det.ids[n], person = null;
          for (var q = 0; q < persons.length; q++) { if (persons[q].id === id) person = persons[q]; }
          var used = person && person.fitLayer ? person.fitLayer.usedViews : null;
          for (var jj = 0; jj < J; jj++) {
            var i2 = n * J + jj, sc = det.scores[i2];
            if (!(sc > 0)) continue;
            var u = ox + s * det.pixels[2 * i2], w2 = oy + s * det.pixels[2 * i2 + 1];
            ctx.globalAlpha = 0.35 + 0.65 * Math.min(1, sc);
            ctx.fillStyle = person ? person.color : '#8b949e';
            ctx.beginPath(); ctx.arc(u, w2, 2.6, 0, 2 * Math.PI); ctx.fill();
            ctx.globalAlpha = 1;
            if (used && !((used[f * J + jj] >>> v) & 1) && isFinite(person.fitLayer.joints[3 * (f * J + jj)])) {
              ctx.strokeStyle = '#ff4d4f'; ctx.lineWidth = 1.4;
              ctx.beginPath(); ctx.arc(u, w2, 5, 0, 2 * Math.PI); ctx.stroke();
            }
            shown++;
          }
        }
      }
      var txt = shown + ' detections';
      if (series) txt += ' \u00b7 ' + fmt(series.error[f * V + v], 1) + ' px \u00b7 ' + pct(series.inlier[f * V + v]) + ' inliers';
      view.info.textContent = txt;
    });
  }

  // ---------------------------------------------------------------- plots (SVG)
  var plots = [];

  function ticks(lo, hi, n, minStep) {
    if (!(hi > lo)) { hi = lo + 1; }
    var step = Math.max(niceStep((hi - lo) / n), minStep || 0), out = [];
    for (var k = Math.ceil(lo / step - 1e-9); k * step <= hi + 1e-9 * step; k++) out.push(+(k * step).toPrecision(10));
    return out;
  }

  // opts: title, xLabel, yLabel (with units), series [{label, color, values (F), dashed}], yMin, yMax, yScale
  function makePlot(container, opts) {
    var W = opts.width || 460, H = opts.height || 220, m = { l: 58, r: 12, t: 24, b: 54 };
    var svg = svgEl('svg', { 'class': 'cv-plot', width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, role: 'img',
      'aria-label': opts.title, 'data-x-label': opts.xLabel, 'data-y-label': opts.yLabel });
    var yScale = opts.yScale || 1;
    var lo = Infinity, hi = -Infinity;
    opts.series.forEach(function (s) { for (var i = 0; i < s.values.length; i++) { var y = s.values[i] * yScale; if (isFinite(y)) { if (y < lo) lo = y; if (y > hi) hi = y; } } });
    if (opts.yMin !== undefined) lo = opts.yMin;
    if (opts.yMax !== undefined) hi = Math.max(opts.yMax, opts.yMin !== undefined ? opts.yMin + 1e-9 : hi);
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (!(hi > lo)) { var pad = Math.abs(lo) * 0.05 || 1; lo -= pad; hi += pad; }
    else if (opts.yMin === undefined) { var p2 = 0.05 * (hi - lo); lo -= p2; hi += p2; }
    var tEnd = timeOf(F - 1) || 1;
    var X = function (f) { return m.l + (W - m.l - m.r) * (timeOf(f) / tEnd); };
    var Y = function (y) { return H - m.b - (H - m.t - m.b) * (y - lo) / (hi - lo); };
    svg.appendChild(svgEl('text', { x: m.l, y: 15, 'class': 'cv-plot-title' }, opts.title));
    var yt = ticks(lo, hi, 5), xt = ticks(0, tEnd, 6, fps > 0 ? 0 : 1);
    yt.forEach(function (t) {
      svg.appendChild(svgEl('line', { x1: m.l, x2: W - m.r, y1: Y(t), y2: Y(t), 'class': 'cv-grid' }));
      svg.appendChild(svgEl('text', { x: m.l - 5, y: Y(t) + 3.5, 'text-anchor': 'end', 'class': 'cv-tick cv-tick-y' }, String(t)));
    });
    xt.forEach(function (t) {
      var x = m.l + (W - m.l - m.r) * t / tEnd;
      svg.appendChild(svgEl('line', { x1: x, x2: x, y1: H - m.b, y2: H - m.b + 4, 'class': 'cv-axis' }));
      svg.appendChild(svgEl('text', { x: x, y: H - m.b + 15, 'text-anchor': 'middle', 'class': 'cv-tick cv-tick-x' }, String(t)));
    });
    svg.appendChild(svgEl('path', { d: 'M' + m.l + ' ' + m.t + 'V' + (H - m.b) + 'H' + (W - m.r), 'class': 'cv-axis' }));
    svg.appendChild(svgEl('text', { x: (m.l + W - m.r) / 2, y: H - m.b + 30, 'text-anchor': 'middle', 'class': 'cv-axis-label cv-axis-label-x' }, opts.xLabel));
    svg.appendChild(svgEl('text', { x: 13, y: (m.t + H - m.b) / 2, 'text-anchor': 'middle', transform: 'rotate(-90 13 ' + ((m.t + H - m.b) / 2) + ')', 'class': 'cv-axis-label cv-axis-label-y' }, opts.yLabel));
    // Lines: min / max per pixel column when there are more frames than pixels.
    var plotW = W - m.l - m.r;
    opts.series.forEach(function (s) {
      var d = '', pen = false, bins = F > 2 * plotW;
      if (!bins) {
        for (var f = 0; f < F; f++) {
          var y = s.values[f] * yScale;
          if (!isFinite(y)) { pen = false; continue; }
          d += (pen ? 'L' : 'M') + X(f).toFixed(1) + ' ' + Y(Math.max(lo, Math.min(hi, y))).toFixed(1);
          pen = true;
        }
      } else {
        var perBin = F / plotW;
        for (var bx = 0; bx < plotW; bx++) {
          var f0 = Math.floor(bx * perBin), f1 = Math.min(F, Math.floor((bx + 1) * perBin));
          var a = Infinity, z = -Infinity;
          for (var g = f0; g < f1; g++) { var v2 = s.values[g] * yScale; if (isFinite(v2)) { if (v2 < a) a = v2; if (v2 > z) z = v2; } }
          if (!isFinite(a)) { pen = false; continue; }
          var xx = (m.l + bx + 0.5).toFixed(1);
          d += (pen ? 'L' : 'M') + xx + ' ' + Y(Math.max(lo, Math.min(hi, a))).toFixed(1) + 'L' + xx + ' ' + Y(Math.max(lo, Math.min(hi, z))).toFixed(1);
          pen = true;
        }
      }
      svg.appendChild(svgEl('path', { d: d || 'M0 0', fill: 'none', stroke: s.color, 'stroke-width': 1.3,
        'stroke-dasharray': s.dashed ? '5 3' : 'none', 'class': 'cv-series' }));
    });
    // Legend.
    var lx = m.l;
    opts.series.forEach(function (s) {
      svg.appendChild(svgEl('line', { x1: lx, x2: lx + 14, y1: H - 9, y2: H - 9, stroke: s.color, 'stroke-width': 2.5, 'stroke-dasharray': s.dashed ? '4 2' : 'none' }));
      var t = svgEl('text', { x: lx + 17, y: H - 5 }, s.label);
      svg.appendChild(t);
      lx += 24 + 6.2 * s.label.length;
    });
    var cursor = svgEl('line', { y1: m.t, y2: H - m.b, 'class': 'cv-cursor' });
    svg.appendChild(cursor);
    svg.addEventListener('click', function (e) {
      var r = svg.getBoundingClientRect(), x = (e.clientX - r.left) * W / r.width;
      if (x < m.l || x > W - m.r) return;
      var t = (x - m.l) / plotW * tEnd;
      setPlaying(false);
      setFrame(fps > 0 ? t * fps : t);
    });
    container.appendChild(svg);
    var plot = { svg: svg, cursor: cursor, X: X, title: opts.title, xLabel: opts.xLabel, yLabel: opts.yLabel };
    plot.setCursor = function (f) { var x = X(f).toFixed(1); cursor.setAttribute('x1', x); cursor.setAttribute('x2', x); };
    plot.setCursor(state.frame);
    plots.push(plot);
    return plot;
  }

  function buildCameraSection() {
    var sum = $('cv-camera-summary');
    if (run.camera_summary.length && series) {
      var t = el('table', { 'class': 'cv-table' });
      var head = el('tr');
      ['camera', 'detections', 'used', 'inlier rate', 'median error, used [px]', 'median error, all [px]', 'median offset (u, v) [px]'].forEach(function (h) { head.appendChild(el('th', null, h)); });
      t.appendChild(head);
      run.camera_summary.forEach(function (c, v) {
        var tr = el('tr');
        var name = el('td'); name.appendChild(el('span', { 'class': 'cv-chip', style: 'background:' + CAMERA_COLORS[v % CAMERA_COLORS.length] }, c.name));
        tr.appendChild(name);
        var off = (c.median_offset_px && c.median_offset_px[0] !== null) ? '(' + fmt(c.median_offset_px[0], 1) + ', ' + fmt(c.median_offset_px[1], 1) + ')' : 'n/a';
        [String(c.detections), String(c.used), pct(c.inlier_rate), fmt(c.median_error_px, 2), fmt(c.median_error_all_px, 2), off].forEach(function (x) { tr.appendChild(el('td', null, x)); });
        t.appendChild(tr);
      });
      sum.appendChild(el('p', { 'class': 'cv-basis' }, 'From the \u2018' + series.method + '\u2019 fit: every usable detection of a joint it triangulated; inliers are the detections it used; the offset is the median of detection minus reprojection (a systematic shift points to a moved or miscalibrated camera). Plots: per frame, the median error of the used detections and the inlier rate.'));
      sum.appendChild(t);
    } else {
      sum.appendChild(el('p', { 'class': 'cv-basis' }, 'No layer of this run carries a triangulation fit: there is no per-camera error or inlier rate to plot.'));
      return;
    }
    var box = $('cv-camera-plots');
    var perCam = function (arr) {
      return cams.map(function (c, v) {
        var vals = new Float32Array(F);
        for (var f = 0; f < F; f++) vals[f] = arr[f * V + v];
        return { label: c.name || ('camera ' + v), color: CAMERA_COLORS[v % CAMERA_COLORS.length], values: vals };
      });
    };
    var errPlot = makePlot(box, { title: 'Reprojection error per camera (median of used detections)', xLabel: timeAxisLabel(),
      yLabel: 'reprojection error [px]', series: perCam(series.error), yMin: 0 });
    var inPlot = makePlot(box, { title: 'Inlier rate per camera', xLabel: timeAxisLabel(), yLabel: 'inlier rate [%]',
      series: perCam(series.inlier), yScale: 100, yMin: 0, yMax: 100 });
    listeners.push(function (f) { errPlot.setCursor(f); inPlot.setCursor(f); });
  }

  function buildJointSection() {
    var personSel = $('cv-person'), jointSel = $('cv-joint'), limbSel = $('cv-limb');
    persons.forEach(function (p, i) { personSel.appendChild(el('option', { value: i }, p.label)); });
    run.skeleton.joints.forEach(function (n, j) { jointSel.appendChild(el('option', { value: j }, n)); });
    run.skeleton.limbs.forEach(function (l, k) { limbSel.appendChild(el('option', { value: k }, run.skeleton.joints[l[0]] + ' \u2013 ' + run.skeleton.joints[l[1]])); });
    if (!run.skeleton.limbs.length) limbSel.parentNode.style.display = 'none';
    var box = $('cv-joint-plots');
    var current = [];
    function rebuild() {
      current.forEach(function (p) { p.svg.remove(); plots.splice(plots.indexOf(p), 1); });
      current = [];
      var p = persons[state.person], j = state.joint, unit = unitLabel();
      if (!p) return;
      var name = run.skeleton.joints[j];
      ['X', 'Y', 'Z'].forEach(function (axis, k) {
        var ser = p.layers.map(function (l) {
          var vals = new Float32Array(F);
          for (var f = 0; f < F; f++) vals[f] = l.joints[3 * (f * J + j) + k];
          return { label: l.method, color: l.style.color, dashed: l.style.dashed, values: vals };
        });
        current.push(makePlot(box, { title: p.label + ', ' + name + ': ' + axis + ' over time', xLabel: timeAxisLabel(),
          yLabel: axis + ' [' + unit + ']', series: ser, width: 380, height: 210 }));
      });
      var limb = run.skeleton.limbs[state.limb];
      if (limb) {
        var a = limb[0], b = limb[1];
        var ser = p.layers.map(function (l) {
          var vals = new Float32Array(F), L = l.joints;
          for (var f = 0; f < F; f++) {
            var oa = 3 * (f * J + a), ob = 3 * (f * J + b);
            var dx = L[oa] - L[ob], dy = L[oa + 1] - L[ob + 1], dz = L[oa + 2] - L[ob + 2];
            vals[f] = Math.sqrt(dx * dx + dy * dy + dz * dz);
          }
          return { label: l.method, color: l.style.color, dashed: l.style.dashed, values: vals };
        });
        current.push(makePlot(box, { title: p.label + ': length of ' + run.skeleton.joints[a] + ' \u2013 ' + run.skeleton.joints[b],
          xLabel: timeAxisLabel(), yLabel: 'bone length [' + unit + ']', series: ser, width: 380, height: 210 }));
      }
    }
    personSel.addEventListener('change', function () { state.person = Number(personSel.value); rebuild(); });
    jointSel.addEventListener('change', function () { state.joint = Number(jointSel.value); rebuild(); });
    limbSel.addEventListener('change', function () { state.limb = Number(limbSel.value); rebuild(); });
    rebuild();
    listeners.push(function (f) { current.forEach(function (p) { p.setCursor(f); }); });
  }

  // ---------------------------------------------------------------- warnings, tables, notes
  function frameRanges(frames) {
    var out = [], i = 0;
    while (i < frames.length) {
      var k = i;
      while (k + 1 < frames.length && frames[k + 1] === frames[k] + 1) k++;
      out.push(k === i ? String(frameNumber(frames[i])) : frameNumber(frames[i]) + '\u2013' + frameNumber(frames[k]));
      i = k + 1;
    }
    return out;
  }

  function buildWarnings() {
    var list = $('cv-warnings');
    if (!run.warnings.length) { list.appendChild(el('li', { 'class': 'cv-none' }, 'No warnings.')); return; }
    run.warnings.forEach(function (w) {
      var li = el('li', { 'class': 'cv-warning', 'data-kind': w.kind });
      li.appendChild(el('span', { 'class': 'cv-kind' }, w.kind.replace(/_/g, ' ')));
      li.appendChild(document.createTextNode(w.message));
      if (w.cameras.length) {
        li.appendChild(document.createTextNode(' \u2014 cameras:'));
        w.cameras.forEach(function (v) { li.appendChild(el('span', { 'class': 'cv-chip', style: 'background:' + CAMERA_COLORS[v % CAMERA_COLORS.length] }, cams[v].name || ('camera ' + v))); });
      }
      if (w.frames.length) {
        var r = frameRanges(w.frames);
        li.appendChild(document.createTextNode(' \u2014 frames ' + (r.length > 12 ? r.slice(0, 12).join(', ') + ', \u2026' : r.join(', ')) + ' '));
        var jump = el('button', { type: 'button', 'class': 'cv-jump' }, 'show the first');
        jump.addEventListener('click', function () { setPlaying(false); setFrame(w.frames[0]); });
        li.appendChild(jump);
      }
      list.appendChild(li);
    });
  }

  function buildTables() {
    var box = $('cv-tables');
    if (!run.tables.length) { box.appendChild(el('p', { 'class': 'cv-basis' }, 'No comparison tables.')); return; }
    run.tables.forEach(function (t) {
      box.appendChild(el('h3', null, t.title));
      box.appendChild(el('p', { 'class': 'cv-basis' }, t.basis));
      var table = el('table', { 'class': 'cv-table' });
      var head = el('tr');
      t.columns.forEach(function (c) { head.appendChild(el('th', null, c)); });
      table.appendChild(head);
      t.rows.forEach(function (r) {
        var tr = el('tr');
        r.forEach(function (c) { tr.appendChild(el('td', null, c)); });
        table.appendChild(tr);
      });
      box.appendChild(table);
    });
  }

  function buildNotes() {
    var box = $('cv-notes');
    if (!run.notes.length) { $('cv-notes-section').style.display = 'none'; }
    run.notes.forEach(function (n) { box.appendChild(el('h3', null, n[0])); box.appendChild(el('p', null, n[1])); });
    var s = run.storage, about = $('cv-about');
    about.appendChild(el('p', null, 'This page is self-contained: the run\u2019s data, three.js (r' + THREE.REVISION +
      ') and the page\u2019s script are inlined; it needs no network. Data format ' + run.format + ' (crossview docs/report.md): metadata as JSON, arrays as base64 typed arrays.'));
    about.appendChild(el('p', null, s.mode === 'quantized'
      ? '3D joints are stored quantized to ' + s.length_step + ' ' + run.unit + ' and pixels to ' + s.pixel_step_px + ' px (delta-coded over time) to keep the page small; as float32 they would take ' + (s.float32_bytes / 1048576).toFixed(1) + ' MB. The tables and warnings were computed by crossview at full precision.'
      : '3D joints and pixels are stored as float32 (about 7 significant digits). The tables and warnings were computed by crossview in double precision.'));
    about.appendChild(el('p', null, 'Reprojections are computed in the page from the 3D joints through each camera\u2019s model (' +
      cams.map(function (c) { return c.name + ': ' + c.model; }).join(', ') + '). Bone lengths are computed in the page from the stored joints.'));
    about.appendChild(el('p', { id: 'cv-timing' }));
  }

  // ---------------------------------------------------------------- test interface
  function sceneStats() {
    scene3d.render();
    var c = $('cv-scene-canvas'), w = c.width, h = c.height;
    var off = document.createElement('canvas');
    off.width = w; off.height = h;
    var ctx = off.getContext('2d');
    ctx.drawImage(c, 0, 0);
    var d = ctx.getImageData(0, 0, w, h).data, nonBg = 0, colors = {}, hash = 0;
    for (var i = 0; i < d.length; i += 4) {
      var r = d[i], g = d[i + 1], b = d[i + 2];
      if (Math.abs(r - 0x0d) + Math.abs(g - 0x11) + Math.abs(b - 0x17) > 24) nonBg++;
      colors[(r >> 4) * 256 + (g >> 4) * 16 + (b >> 4)] = 1;
      hash = (hash * 31 + r * 7 + g * 3 + b) >>> 0;
    }
    return { width: w, height: h, nonBackground: nonBg, colors: Object.keys(colors).length, hash: hash };
  }

  function viewHash(v) {
    var c = views[v].canvas, d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, hash = 0;
    for (var i = 0; i < d.length; i += 4) hash = (hash * 31 + d[i] * 7 + d[i + 1] * 3 + d[i + 2]) >>> 0;
    return hash;
  }

  function plotInfo() {
    return plots.map(function (p) {
      var q = function (sel) { return Array.prototype.map.call(p.svg.querySelectorAll(sel), function (t) { return t.textContent; }); };
      return { title: p.title, xLabel: q('.cv-axis-label-x').join(''), yLabel: q('.cv-axis-label-y').join(''),
        xTicks: q('.cv-tick-x').length, yTicks: q('.cv-tick-y').length, series: p.svg.querySelectorAll('.cv-series').length,
        visible: p.svg.getBoundingClientRect().width > 0 };
    });
  }

  // The C++ values the page must reproduce: decoded samples and projections.
  function dataChecks() {
    var out = { samples: 0, sampleFailures: [], projections: 0, maxProjectionError: 0 };
    if (!run.checks) return out;
    run.checks.samples.forEach(function (s) {
      var got = persons[s[0]].layers[s[1]].joints[s[2]], want = s[3], tol = s[4];
      out.samples++;
      var ok = (want === null) ? isNaN(got) : Math.abs(got - want) <= tol + 1e-6 * Math.abs(want) + 1e-9;
      if (!ok) out.sampleFailures.push({ sample: s, got: got });
    });
    var px = [0, 0];
    run.checks.projections.forEach(function (p) {
      out.projections++;
      if (!project(cams[p[0]], p[1], p[2], p[3], px)) { out.maxProjectionError = Infinity; return; }
      out.maxProjectionError = Math.max(out.maxProjectionError, Math.hypot(px[0] - p[4], px[1] - p[5]));
    });
    return out;
  }

  var api = {
    ready: false, errors: errors, timing: timing,
    frame: function () { return state.frame; },
    frames: function () { return F; },
    setFrame: function (f) { setFrame(f); },
    frameLabel: function () { return $('cv-frame-label').textContent; },
    sceneStats: sceneStats, viewHash: viewHash, plots: plotInfo, dataChecks: dataChecks,
    warnings: function () { return run.warnings; },
    selftest: function () {
      var before = sceneStats(), v0 = views.length ? viewHash(0) : 0, f0 = state.frame;
      setFrame(Math.floor((F - 1) * 0.75));
      scene3d.render();
      var after = sceneStats(), v1 = views.length ? viewHash(0) : 0;
      var result = { errors: errors.slice(), timing: timing, scene: before, frameBefore: f0, frameAfter: state.frame,
        sceneChanged: before.hash !== after.hash, viewChanged: v0 !== v1, plots: plotInfo(), checks: dataChecks() };
      setFrame(f0);
      return result;
    }
  };
  window.crossviewReport = api;

  // ---------------------------------------------------------------- start
  function start() {
    try {
      timing.scriptStartMs = performance.now();
      loadRun();
      buildHeader();
      buildControls();
      buildScene();
      buildViews();
      buildWarnings();
      buildCameraSection();
      buildJointSection();
      buildTables();
      buildNotes();
      timing.builtMs = performance.now();
      setFrame(0);
      scene3d.render();
      timing.firstFrameMs = performance.now();
      $('cv-timing').textContent = 'This page decoded its data in ' + timing.decodeMs.toFixed(0) + ' ms and showed its first frame ' +
        timing.firstFrameMs.toFixed(0) + ' ms after it started loading.';
      api.ready = true;
      if (location.hash === '#selftest') {
        var out = $('cv-selftest');
        out.textContent = JSON.stringify(api.selftest());
        out.hidden = false;
      }
    } catch (e) {
      errors.push(String(e && e.stack || e));
      var msg = el('p', { style: 'color:#cf222e;font-weight:600' }, 'The report could not be shown: ' + e);
      document.body.insertBefore(msg, document.body.firstChild);
      api.ready = true;
      throw e;
    }
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
