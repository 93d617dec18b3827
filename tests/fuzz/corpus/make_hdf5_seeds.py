#!/usr/bin/python3
"""Writes the seed corpus of tests/fuzz/fuzz_io_hdf5_keypoints.cpp.

The target is structured: its input bytes describe an HDF5 file that it
writes with the libhdf5 C API (byte format in the header comment of the .cpp;
this script mirrors it). Each seed reaches one layout and is accepted by the
reader. The 'frame_table' seeds carry the real pickled column labels of
tests/io/data/dlc_single_table.h5 and dlc_multi_table.h5 (written by pandas).

    /usr/bin/python3 tests/fuzz/corpus/make_hdf5_seeds.py   (needs h5py)
"""
import math
import os
import struct

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
OUT = os.path.join(ROOT, "tests", "fuzz", "corpus", "fuzz_io_hdf5_keypoints")
DATA = os.path.join(ROOT, "tests", "io", "data")

SLEAP, FRAME, TABLE = 0, 1, 2


def u8(v):
    assert 0 <= v < 256
    return bytes([v])


def u16(v):
    return struct.pack("<H", v)


def s(text):
    b = text.encode() if isinstance(text, str) else text
    return u8(len(b)) + b


def blob(b):
    return u16(len(b)) + b


def val(x):
    """One double in the target's tagged encoding (shortest exact form)."""
    if isinstance(x, float) and math.isnan(x):
        return u8(1)
    if x == math.inf:
        return u8(2)
    if x == -math.inf:
        return u8(3)
    if x == 0:
        return u8(0)
    if x == int(x) and -128 <= x <= 127:
        return u8(6) + u8(int(x) & 0xFF)
    if x * 64 == int(x * 64) and 0 <= x * 64 < 65536:
        return u8(5) + u16(int(x * 64))
    return u8(7) + struct.pack("<d", x)


def vals(xs):
    return b"".join(val(x) for x in xs)


def group_header(kind_matches=True):
    return u8(0) + u8(0 if kind_matches else 1)  # 'df_with_missing', pandas_type = the layout's


def sleap(T, J, F, names=True, scores=True, edges=True):
    flags = (1 if names else 0) | (2 if scores else 0) | (4 if edges else 0)
    b = u8(SLEAP) + u8(flags) + u8(0) + u8(T) + u8(J) + u8(F)
    b += b"".join(s("node%d" % j) for j in range(J))
    tracks = []
    for t in range(T):
        for c in range(2):
            for j in range(J):
                for f in range(F):
                    tracks.append(math.nan if (t + j + f) % 5 == 4 else 100.0 + 10 * t + 3 * j + f + 0.5 * c)
    b += vals(tracks)
    if names:
        b += b"".join(s("track_%d" % t) for t in range(T))
    b += vals([1.0 if (f + t) % 3 else 0.0 for f in range(F) for t in range(T)])  # track_occupancy (F, T)
    if scores:
        b += vals([0.25 * ((t + j + f) % 4) for t in range(T) for j in range(J) for f in range(F)])
    if edges:
        E = J - 1
        b += u8(E) + vals([float(e) for e in range(E)] + [float(e + 1) for e in range(E)])  # (2, E)
    return b


def columns(individuals, parts, coords=("x", "y", "likelihood")):
    cols = []
    for ind in individuals:
        for p in parts:
            for c in coords:
                cols.append((ind, p, c))
    return cols


def frame_values(R, cols):
    out = []
    for r in range(R):
        for k, (_, _, c) in enumerate(cols):
            if c == "likelihood":
                out.append(0.75 if (r + k) % 4 else 0.0)
            else:
                out.append(50.0 + 7 * k + r + 0.25)
    return out


def dlc_fixed(individuals, parts, F):
    cols = columns(individuals, parts)
    C = len(cols)
    b = u8(FRAME) + group_header() + u8(0) + u8(F) + u8(C)
    b += vals(frame_values(F, cols))
    b += vals([float(10 + 2 * f) for f in range(F)])  # axis1: frame numbers
    levels = [["DLC_scorer"]]
    codes = [[0] * C]
    if individuals != [""]:
        levels.append(individuals)
        codes.append([individuals.index(c[0]) for c in cols])
    levels.append(parts)
    codes.append([parts.index(c[1]) for c in cols])
    levels.append(["x", "y", "likelihood"])
    codes.append([["x", "y", "likelihood"].index(c[2]) for c in cols])
    b += u8(len(levels))
    for lv, cd in zip(levels, codes):
        b += u8(len(lv)) + b"".join(s(x) for x in lv) + vals([float(x) for x in cd])
    return b


def dlc_table(pickles, C, R, where):
    """pickles: (values_block_0_kind, non_index_axes); where as in the format."""
    b = u8(TABLE) + group_header() + u8(0) + u8(R) + u8(C)
    cols = [("", "p", "likelihood" if k % 3 == 2 else "x") for k in range(C)]
    v = frame_values(R, cols)
    for r in range(R):
        b += u8(0) + u8(r)  # index r as int8
        b += vals(v[r * C:(r + 1) * C])
    b += u8(where)
    if where in (0, 2):
        b += blob(pickles[0])
    if where in (1, 2):
        b += blob(pickles[1])
    return b


def real_pickles(name):
    with h5py.File(os.path.join(DATA, name), "r") as f:
        t = f["df_with_missing/table"]
        ncols = t.dtype["values_block_0"].shape[0]
        return (bytes(t.attrs["values_block_0_kind"]), bytes(f["df_with_missing"].attrs["non_index_axes"])), ncols


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        os.remove(os.path.join(OUT, old))
    seeds = {
        "sleap_full": sleap(2, 3, 4),
        "sleap_minimal": sleap(1, 2, 3, names=False, scores=False, edges=False),
        "dlc_fixed_single": dlc_fixed([""], ["snout", "tail"], 3),
        "dlc_fixed_multi": dlc_fixed(["mouse1", "mouse2"], ["snout", "tail"], 2),
    }
    single, c1 = real_pickles("dlc_single_table.h5")
    multi, c2 = real_pickles("dlc_multi_table.h5")
    seeds["dlc_table_single_kind"] = dlc_table(single, c1, 3, 0)
    seeds["dlc_table_single_non_index_axes"] = dlc_table(single, c1, 2, 1)
    seeds["dlc_table_multi_kind"] = dlc_table(multi, c2, 2, 0)
    seeds["dlc_table_multi_both"] = dlc_table(multi, c2, 1, 2)
    for name, b in seeds.items():
        with open(os.path.join(OUT, name), "wb") as fh:
            fh.write(b)
        print("%-34s %5d bytes" % (name, len(b)))


if __name__ == "__main__":
    main()
