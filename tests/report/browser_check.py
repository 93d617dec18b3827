#!/usr/bin/env python3
"""Opens crossview's HTML reports in headless Chromium and checks them.

Drives Chromium through the DevTools protocol over a pipe
(--remote-debugging-pipe: Python's standard library only, no websocket
package). For every page: no JavaScript error, the 3D canvas has non-blank
pixels, clicking the frame slider changes the frame shown (label, 3D pixels,
camera image), every plot has axes with units and tick labels, the page's
decoded data and its JavaScript camera projection reproduce the C++ values.
For the large run: the file is <= 20 MB and the first frame is shown in
< 2 s. For the swapped Pose2Sim run: a warning names both swapped cameras.

  browser_check.py --fixtures report_fixtures --out DIR [--data POSE2SIM_DEMO]
                   [--cli CROSSVIEW] [--chromium PATH] [--pages a.html ...]

With --cli, the pages the crossview tool writes are checked too: `crossview
demo --report` (synthetic) and, with --data, `crossview demo --data`.

Exit 0 when every check passes, 1 otherwise, 77 (ctest: skipped) when no
Chromium is installed (Debian package: chromium).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

MAX_BYTES = 20 * 1000 * 1000
MAX_FIRST_FRAME_MS = 2000.0


class Browser:
    """Headless Chromium with one page, spoken to over the DevTools pipe."""

    def __init__(self, chromium, width=1400, height=1100):
        self.profile = tempfile.mkdtemp(prefix='crossview-chromium-')
        to_chrome_r, self.to_chrome_w = os.pipe()
        self.from_chrome_r, from_chrome_w = os.pipe()

        def child_fds():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        args = [chromium, '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                '--disable-background-networking', '--disable-component-update', '--disable-sync',
                '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--remote-debugging-pipe',
                '--user-data-dir=' + self.profile, '--window-size=%d,%d' % (width, height), 'about:blank']
        self.proc = subprocess.Popen(args, preexec_fn=child_fds, pass_fds=(3, 4, to_chrome_r, from_chrome_w),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True)
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b''
        self.next_id = 0
        self.events = []
        self.session = None
        targets = self.call('Target.getTargets')['targetInfos']
        page = [t for t in targets if t['type'] == 'page']
        target = page[0]['targetId'] if page else self.call('Target.createTarget', url='about:blank')['targetId']
        self.session = self.call('Target.attachToTarget', targetId=target, flatten=True)['sessionId']
        for domain in ('Page', 'Runtime', 'Log'):
            self.call(domain + '.enable')
        self.call('Emulation.setDeviceMetricsOverride', width=width, height=height, deviceScaleFactor=1, mobile=False)

    def _read_message(self, deadline):
        while b'\0' not in self.buffer:
            if time.time() > deadline:
                raise TimeoutError('no answer from chromium')
            chunk = os.read(self.from_chrome_r, 1 << 20)
            if not chunk:
                raise RuntimeError('chromium closed the DevTools pipe (exit code %s)' % self.proc.poll())
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b'\0', 1)
        return json.loads(raw)

    def call(self, method, timeout=60, **params):
        self.next_id += 1
        msg = {'id': self.next_id, 'method': method, 'params': params}
        if self.session and not method.startswith('Target.'):
            msg['sessionId'] = self.session
        os.write(self.to_chrome_w, json.dumps(msg).encode() + b'\0')
        deadline = time.time() + timeout
        while True:
            m = self._read_message(deadline)
            if m.get('id') == self.next_id:
                if 'error' in m:
                    raise RuntimeError('%s: %s' % (method, m['error']))
                return m.get('result', {})
            if 'method' in m:
                self.events.append(m)

    def evaluate(self, expression, timeout=60):
        r = self.call('Runtime.evaluate', timeout=timeout, expression=expression, returnByValue=True,
                      awaitPromise=True)
        if 'exceptionDetails' in r:
            raise RuntimeError('evaluate(%s): %s' % (expression[:80], r['exceptionDetails']))
        return r['result'].get('value')

    def page_errors(self):
        out = []
        for e in self.events:
            m, p = e.get('method'), e.get('params', {})
            if m == 'Runtime.exceptionThrown':
                d = p.get('exceptionDetails', {})
                out.append('exception: ' + str(d.get('exception', {}).get('description') or d.get('text')))
            elif m == 'Runtime.consoleAPICalled' and p.get('type') in ('error', 'assert'):
                out.append('console.%s: %s' % (p['type'], ' '.join(str(a.get('value', a.get('description')))
                                                                  for a in p.get('args', []))))
            elif m == 'Log.entryAdded' and p.get('entry', {}).get('level') == 'error':
                out.append('log: ' + p['entry'].get('text', ''))
        return out

    def close(self):
        try:
            self.call('Browser.close', timeout=10)
        except Exception:
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, page, name, ok, detail=''):
        if ok:
            self.passed += 1
            print('  ok    %s: %s %s' % (page, name, detail))
        else:
            self.failed += 1
            print('  FAIL  %s: %s %s' % (page, name, detail))


def open_page(browser, path, timeout=30.0):
    browser.events = []
    t0 = time.time()
    browser.call('Page.navigate', url='file://' + os.path.abspath(path))
    while time.time() - t0 < timeout:
        try:
            if browser.evaluate('!!(window.crossviewReport && window.crossviewReport.ready)'):
                return time.time() - t0
        except RuntimeError:
            pass
        time.sleep(0.05)
    raise TimeoutError('%s: the page did not become ready in %.0f s' % (path, timeout))


def check_page(browser, checks, path, out_dir, expect=None):
    name = os.path.basename(path)
    size = os.path.getsize(path)
    wall = open_page(browser, path)
    errors = browser.page_errors() + browser.evaluate('window.crossviewReport.errors')
    checks.check(name, 'no JavaScript error', not errors, '; '.join(errors)[:2000])
    timing = browser.evaluate('window.crossviewReport.timing')
    print('        %s: %.2f MB, first frame %.0f ms after navigation start (script started at %.0f ms, decode %.0f ms, '
          'built at %.0f ms), ready after %.2f s' % (name, size / 1e6, timing.get('firstFrameMs', -1),
                                                     timing.get('scriptStartMs', -1), timing.get('decodeMs', -1),
                                                     timing.get('builtMs', -1), wall))
    frames = browser.evaluate('window.crossviewReport.frames()')

    scene = browser.evaluate('window.crossviewReport.sceneStats()')
    pixels = scene['width'] * scene['height']
    checks.check(name, '3D canvas has non-blank pixels', scene['nonBackground'] > 0.005 * pixels and scene['colors'] >= 4,
                 '(%d of %d pixels not background, %d colours)' % (scene['nonBackground'], pixels, scene['colors']))

    data = browser.evaluate('window.crossviewReport.dataChecks()')
    checks.check(name, 'decoded joints match the C++ values', data['samples'] > 0 and not data['sampleFailures'],
                 '(%d samples, failures %s)' % (data['samples'], data['sampleFailures'][:3]))
    checks.check(name, 'JavaScript projection matches crossview::camera', data['projections'] > 0 and
                 data['maxProjectionError'] < 1e-3, '(%d points, max %.2g px)' % (data['projections'],
                                                                                   data['maxProjectionError']))

    plots = browser.evaluate('window.crossviewReport.plots()')
    bad = [p for p in plots if not ('[' in p['xLabel'] and p['xLabel'].endswith(']') and '[' in p['yLabel'] and
                                    p['yLabel'].endswith(']') and p['xTicks'] >= 2 and p['yTicks'] >= 2 and
                                    p['series'] >= 1)]
    min_plots = (expect or {}).get('min_plots', 4)
    checks.check(name, 'every plot has axes with units and ticks', len(plots) >= min_plots and not bad,
                 '(%d plots: %s%s)' % (len(plots), ', '.join(sorted({p['yLabel'] for p in plots})),
                                       '; bad: %s' % bad if bad else ''))

    # The slider, as a user would: click on its track at 75 %.
    before = {'frame': browser.evaluate('window.crossviewReport.frame()'),
              'label': browser.evaluate('window.crossviewReport.frameLabel()'),
              'scene': scene['hash'], 'view': browser.evaluate('window.crossviewReport.viewHash(0)')}
    rect = browser.evaluate('(function(){var r=document.getElementById("cv-slider").getBoundingClientRect();'
                            'return [r.left, r.top, r.width, r.height];})()')
    x, y = rect[0] + 0.75 * rect[2], rect[1] + rect[3] / 2
    for kind in ('mousePressed', 'mouseReleased'):
        browser.call('Input.dispatchMouseEvent', type=kind, x=x, y=y, button='left', clickCount=1)
    time.sleep(0.2)
    after = {'frame': browser.evaluate('window.crossviewReport.frame()'),
             'label': browser.evaluate('window.crossviewReport.frameLabel()'),
             'scene': browser.evaluate('window.crossviewReport.sceneStats()')['hash'],
             'view': browser.evaluate('window.crossviewReport.viewHash(0)')}
    target = 0.75 * (frames - 1)
    checks.check(name, 'clicking the slider changes the frame shown',
                 after['frame'] != before['frame'] and abs(after['frame'] - target) <= 0.05 * frames + 1 and
                 after['label'] != before['label'] and after['scene'] != before['scene'] and
                 after['view'] != before['view'],
                 '(frame %d -> %d, label "%s" -> "%s", 3D %s, camera image %s)' % (
                     before['frame'], after['frame'], before['label'], after['label'],
                     'changed' if after['scene'] != before['scene'] else 'UNCHANGED',
                     'changed' if after['view'] != before['view'] else 'UNCHANGED'))
    # Keyboard: the right arrow steps one frame.
    browser.call('Input.dispatchKeyEvent', type='keyDown', key='ArrowRight', code='ArrowRight', windowsVirtualKeyCode=39)
    browser.call('Input.dispatchKeyEvent', type='keyUp', key='ArrowRight', code='ArrowRight', windowsVirtualKeyCode=39)
    stepped = browser.evaluate('window.crossviewReport.frame()')
    checks.check(name, 'the right arrow key steps one frame', stepped == min(after['frame'] + 1, frames - 1),
                 '(%d -> %d)' % (after['frame'], stepped))

    # Playback: play runs the frames forward, pause stops them (runs long
    # enough not to reach their end in 0.6 s at 0.25x).
    if frames >= 30:
        browser.evaluate('window.crossviewReport.setFrame(0)')
        browser.evaluate('(function(){var s=document.getElementById("cv-speed");s.value="0.25";'
                         's.dispatchEvent(new Event("change"));})()')
        browser.evaluate('document.getElementById("cv-play").click()')
        time.sleep(0.6)
        playing = browser.evaluate('window.crossviewReport.frame()')
        browser.evaluate('document.getElementById("cv-play").click()')
        paused = browser.evaluate('window.crossviewReport.frame()')
        time.sleep(0.3)
        still = browser.evaluate('window.crossviewReport.frame()')
        checks.check(name, 'play advances the frames and pause stops them',
                     0 < playing < frames - 1 and still == paused,
                     '(0 -> %d after 0.6 s at 0.25x, then %d -> %d while paused)' % (playing, paused, still))
    # The 3D view turns when dragged.
    box = browser.evaluate('(function(){var r=document.getElementById("cv-scene-canvas").getBoundingClientRect();'
                           'return [r.left, r.top, r.width, r.height];})()')
    hash0 = browser.evaluate('window.crossviewReport.sceneStats()')['hash']
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    browser.call('Input.dispatchMouseEvent', type='mousePressed', x=cx, y=cy, button='left', clickCount=1)
    for k in range(1, 6):
        browser.call('Input.dispatchMouseEvent', type='mouseMoved', x=cx + 20 * k, y=cy + 5 * k, button='left')
    browser.call('Input.dispatchMouseEvent', type='mouseReleased', x=cx + 100, y=cy + 25, button='left', clickCount=1)
    time.sleep(0.2)
    hash1 = browser.evaluate('window.crossviewReport.sceneStats()')['hash']
    checks.check(name, 'dragging the 3D view turns it', hash1 != hash0)

    shot = browser.call('Page.captureScreenshot', format='png', captureBeyondViewport=True)
    png = os.path.join(out_dir, os.path.splitext(name)[0] + '.png')
    with open(png, 'wb') as f:
        import base64
        f.write(base64.b64decode(shot['data']))

    if expect and expect.get('large'):
        checks.check(name, 'size <= 20 MB', size <= MAX_BYTES, '(%.2f MB)' % (size / 1e6))
        checks.check(name, 'first frame in < 2 s', 0 < timing['firstFrameMs'] < MAX_FIRST_FRAME_MS,
                     '(%.0f ms after navigation start)' % timing['firstFrameMs'])
    if expect and expect.get('swapped'):
        warnings = browser.evaluate('window.crossviewReport.warnings()')
        names = browser.evaluate('(function(){return Array.prototype.map.call(document.querySelectorAll('
                                 '"#cv-warnings li[data-kind=cameras_swapped]"), function(l){return l.textContent;});})()')
        a, b = expect['swapped']
        swap = [w for w in warnings if w['kind'] == 'cameras_swapped' and sorted(w['cameras']) == sorted([a, b])]
        shown = [t for t in names if expect['names'][0] in t and expect['names'][1] in t]
        checks.check(name, 'a warning names both swapped cameras', bool(swap) and bool(shown),
                     '(%s)' % (shown[0][:160] if shown else [w['message'][:120] for w in warnings]))
    if expect and expect.get('no_swap'):
        warnings = browser.evaluate('window.crossviewReport.warnings()')
        checks.check(name, 'no swap warning on the unchanged data',
                     not [w for w in warnings if w['kind'] == 'cameras_swapped'],
                     '(%d warnings: %s)' % (len(warnings), ', '.join(w['kind'] for w in warnings)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--fixtures', help='the report_fixtures program (writes the pages)')
    ap.add_argument('--out', required=True)
    ap.add_argument('--data', help='pose2sim_demo folder')
    ap.add_argument('--chromium')
    ap.add_argument('--large-frames', type=int, default=10000)
    ap.add_argument('--pages', nargs='*', help='check these pages instead of writing them')
    ap.add_argument('--cli', help='the crossview tool: also check the pages its demo writes')
    args = ap.parse_args()
    chromium = args.chromium or shutil.which('chromium') or shutil.which('chromium-browser')
    if not chromium or not os.path.exists(chromium):
        print('SKIP: chromium not found; install the Debian package chromium to run the report browser test')
        return 77
    os.makedirs(args.out, exist_ok=True)
    expects = {}
    if args.pages:
        pages = args.pages
    else:
        cmd = [args.fixtures, args.out, '--large-frames', str(args.large_frames)]
        if args.data:
            cmd += ['--data', args.data]
        t0 = time.time()
        written = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True).stdout
        print('report_fixtures: %.1f s' % (time.time() - t0))
        pages = []
        for line in written.splitlines():
            info = json.loads(line)
            print('  wrote %s: %.2f MB (%s), warnings %s' % (info['file'], info['bytes'] / 1e6, info['storage'],
                                                             info['warnings']))
            pages.append(info['file'])
        expects = {'large.html': {'large': True}, 'pose2sim_swapped.html': {'swapped': [0, 1],
                                                                             'names': ['cam_01', 'cam_02']},
                   'pose2sim.html': {'no_swap': True}, 'synthetic.html': {'no_swap': True},
                   'minimal.html': {'min_plots': 3}}
        if args.cli:
            runs = [('cli_demo.html', ['demo', '--frames', '40'])]
            if args.data:
                runs.append(('cli_demo_data.html', ['demo', '--data', args.data, '--threads', '2']))
            for name, argv in runs:
                page = os.path.join(args.out, name)
                t0 = time.time()
                subprocess.run([args.cli] + argv + ['--quiet', '--report', page], check=True)
                print('  crossview %s: %.1f s, %.2f MB' % (' '.join(argv), time.time() - t0,
                                                            os.path.getsize(page) / 1e6))
                pages.append(page)
                expects[name] = {'no_swap': True}
    checks = Checks()
    browser = Browser(chromium)
    try:
        for page in pages:
            try:
                check_page(browser, checks, page, args.out, expects.get(os.path.basename(page)))
            except Exception as e:  # a page that cannot be checked fails, the others still run
                checks.check(os.path.basename(page), 'page could be checked', False, repr(e))
    finally:
        browser.close()
    print('%d passed, %d failed' % (checks.passed, checks.failed))
    return 0 if checks.failed == 0 else 1


if __name__ == '__main__':
    sys.exit(main())
