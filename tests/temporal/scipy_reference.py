#!/usr/bin/python3
"""Reference outputs for tests/temporal, computed with SciPy (Debian python3-scipy).

The C++ tests (test_temporal_scipy.cpp) write a sequence and its validity to raw
files, run this script with /usr/bin/python3 and compare its output with the
library's. Everything below is written from SciPy's documented functions and the
segment rules of include/crossview/temporal/filters.hpp, not from the C++ code:

  * a sequence is float64 (F, J, 3) in C order (= the library's packed 3 x (F*J));
  * validity is uint8 (F, J); a sample is valid when finite and validity != 0;
  * every joint's contiguous valid runs (segments) are filtered separately;
  * states written (uint8 (F, J)): 0 missing, 1 filtered, 2 raw, 3 filled.

usage: scipy_reference.py F J IN VALID OUT STATES JOB [-- JOB ...]
  JOB = OP [key=value ...]; job k writes OUT.k and STATES.k (one python start
  for many cases: importing SciPy costs ~0.5 s)
  OP = butter (order, cutoff, rate) | median (window, mode) |
       gaussian (sigma, truncate, mode) | fill (method=linear|cubic|pchip, max_gap) |
       one_euro (min_cutoff, beta, d_cutoff, rate) | exp_lfilter (alpha) |
       butter_coeffs (order, cutoff, rate; OUT gets b then a)
"""
import math
import sys

import numpy as np
import scipy.interpolate
import scipy.ndimage
import scipy.signal


def segments(valid):
    out, f, n = [], 0, len(valid)
    while f < n:
        while f < n and not valid[f]:
            f += 1
        if f == n:
            break
        b = f
        while f < n and valid[f]:
            f += 1
        out.append((b, f))
    return out


def one_euro_reference(x, t, min_cutoff, beta, d_cutoff):
    """Casiez et al. 2012, one coordinate, written from the paper's pseudocode."""
    def alpha(cutoff, te):
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau / te)
    y = np.empty_like(x)
    x_hat, dx_hat, t_prev = x[0], 0.0, t[0]
    y[0] = x_hat
    for i in range(1, len(x)):
        te = t[i] - t_prev
        dx = (x[i] - x_hat) / te
        dx_hat = alpha(d_cutoff, te) * dx + (1 - alpha(d_cutoff, te)) * dx_hat
        cutoff = min_cutoff + beta * abs(dx_hat)
        a = alpha(cutoff, te)
        x_hat = a * x[i] + (1 - a) * x_hat
        t_prev = t[i]
        y[i] = x_hat
    return y


def main():
    F, J = int(sys.argv[1]), int(sys.argv[2])
    path_in, path_valid, path_out, path_states = sys.argv[3:7]
    jobs, current = [], []
    for a in sys.argv[7:]:
        if a == '--':
            jobs.append(current)
            current = []
        else:
            current.append(a)
    jobs.append(current)
    for k, job in enumerate(jobs):
        run(job[0], F, J, path_in, path_valid, '%s.%d' % (path_out, k), '%s.%d' % (path_states, k),
            dict(a.split('=', 1) for a in job[1:]))


def run(op, F, J, path_in, path_valid, path_out, path_states, kw):
    if op == 'butter_coeffs':
        b, a = scipy.signal.butter(int(kw['order']), float(kw['cutoff']), fs=float(kw['rate']))
        np.concatenate([b, a]).astype('<f8').tofile(path_out)
        return
    x = np.fromfile(path_in, dtype='<f8').reshape(F, J, 3)
    valid = np.fromfile(path_valid, dtype=np.uint8).reshape(F, J).astype(bool)
    valid &= np.isfinite(x).all(axis=2)
    out = np.full((F, J, 3), np.nan)
    states = np.zeros((F, J), dtype=np.uint8)
    for j in range(J):
        segs = segments(valid[:, j])
        if op == 'one_euro':
            # The online filter keeps its state across gaps (elapsed time in alpha).
            frames = np.nonzero(valid[:, j])[0]
            if len(frames):
                rate = float(kw['rate'])
                for c in range(3):
                    out[frames, j, c] = one_euro_reference(x[frames, j, c], frames / rate, float(kw['min_cutoff']),
                                                           float(kw['beta']), float(kw['d_cutoff']))
                states[frames, j] = 1
            continue
        if op == 'fill':
            frames = np.nonzero(valid[:, j])[0]
            out[frames, j] = x[frames, j]
            states[frames, j] = 1
            if len(frames) < 2:
                continue
            t = frames.astype(float)
            max_gap = int(kw['max_gap'])
            for (b0, e0), (b1, e1) in zip(segs[:-1], segs[1:]):
                if b1 - e0 > max_gap:
                    continue
                q = np.arange(e0, b1, dtype=float)
                for c in range(3):
                    y = x[frames, j, c]
                    if kw['method'] == 'linear':
                        v = np.interp(q, t, y)
                    elif kw['method'] == 'cubic':
                        v = scipy.interpolate.CubicSpline(t, y)(q)
                    else:
                        v = scipy.interpolate.PchipInterpolator(t, y)(q)
                    out[e0:b1, j, c] = v
                states[e0:b1, j] = 3
            continue
        for (b, e) in segs:
            seg = x[b:e, j, :]
            state = 1
            if op == 'butter':
                bb, aa = scipy.signal.butter(int(kw['order']), float(kw['cutoff']), fs=float(kw['rate']))
                padlen = 3 * max(len(aa), len(bb))
                if e - b <= padlen:
                    y, state = seg.copy(), 2
                else:
                    y = scipy.signal.filtfilt(bb, aa, seg, axis=0)
            elif op == 'median':
                y = np.stack([scipy.ndimage.median_filter(seg[:, c], size=int(kw['window']), mode=kw['mode'])
                              for c in range(3)], axis=1)
            elif op == 'gaussian':
                y = scipy.ndimage.gaussian_filter1d(seg, float(kw['sigma']), axis=0, mode=kw['mode'],
                                                    truncate=float(kw['truncate']))
            elif op == 'exp_lfilter':
                al = float(kw['alpha'])
                y = np.stack([scipy.signal.lfilter([al], [1.0, al - 1.0], seg[:, c], zi=[(1 - al) * seg[0, c]])[0]
                              for c in range(3)], axis=1)
            else:
                raise SystemExit('unknown op ' + op)
            out[b:e, j] = y
            states[b:e, j] = state
    out.astype('<f8').tofile(path_out)
    states.tofile(path_states)


if __name__ == '__main__':
    main()
