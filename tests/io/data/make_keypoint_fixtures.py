#!/usr/bin/python3
"""Writes the HDF5 keypoint fixtures of tests/io/test_keypoints.cpp the way
the tools write them (needs Debian's python3-pandas, python3-tables, python3-h5py):

  dlc_single_table.h5  DeepLabCut single-animal predictions: DataFrame.to_hdf(
                       key="df_with_missing", format="table"), columns
                       (scorer, bodyparts, coords), coords x y likelihood
  dlc_multi_table.h5   maDLC predictions: (scorer, individuals, bodyparts, coords)
                       with two animals and maDLC's "single" unique body part
  dlc_single_fixed.h5  the same as the first in pandas' "fixed" layout
  sleap_analysis.h5    SLEAP analysis export: datasets transposed for MATLAB
                       (tracks: tracks x 2 x nodes x frames, ...), node and
                       track names as fixed-length byte strings, edge_inds

Values: frame f, joint j, individual/track i -> x = 100 + 10 f + j + 1000 i,
y = 200 + 20 f + 2 j, likelihood/score = 0.5 + 0.01 j; DLC: joint 1 of frame 2
is NaN (missing); SLEAP: track 1 is absent at frame 0 and its points at
frame 3 have no score (a user-labelled instance).
Run from this folder: /usr/bin/python3 make_keypoint_fixtures.py
"""
import h5py
import numpy as np
import pandas as pd

F, J = 4, 3
parts = ["snout", "ear_left", "tail_base"]
scorer = "DLC_resnet50_mouseJan1shuffle1_100000"


def value(f, j, i, c):
    return {"x": 100 + 10 * f + j + 1000 * i, "y": 200 + 20 * f + 2 * j, "likelihood": 0.5 + 0.01 * j}[c]


cols = pd.MultiIndex.from_product([[scorer], parts, ["x", "y", "likelihood"]], names=["scorer", "bodyparts", "coords"])
data = np.array([[value(f, j, 0, c) for (_, p, c) in cols for j in [parts.index(p)]] for f in range(F)], dtype=float)
df = pd.DataFrame(data, columns=cols)
df.iloc[2, 3:6] = np.nan  # ear_left missing at frame 2
df.to_hdf("dlc_single_table.h5", key="df_with_missing", format="table", mode="w")
df.to_hdf("dlc_single_fixed.h5", key="df_with_missing", format="fixed", mode="w")

tuples = [(scorer, ind, p, c) for ind in ["mouse1", "mouse2"] for p in parts for c in ["x", "y", "likelihood"]]
tuples += [(scorer, "single", "led", c) for c in ["x", "y", "likelihood"]]
cols = pd.MultiIndex.from_tuples(tuples, names=["scorer", "individuals", "bodyparts", "coords"])
rows = []
for f in range(F):
    row = []
    for (_, ind, p, c) in tuples:
        i = {"mouse1": 0, "mouse2": 1, "single": 2}[ind]
        j = parts.index(p) if p in parts else 0
        row.append(value(f, j, i, c))
    rows.append(row)
df = pd.DataFrame(np.array(rows, dtype=float), columns=cols)
df.iloc[1, 9:18] = np.nan  # mouse2 not detected at frame 1
df.to_hdf("dlc_multi_table.h5", key="df_with_missing", format="table", mode="w")

T = 2
locations = np.full((F, J, 2, T), np.nan)
scores = np.full((F, J, T), np.nan)
occupancy = np.zeros((T, F), dtype=np.uint8)
for f in range(F):
    for t in range(T):
        if t == 1 and f == 0:
            continue
        occupancy[t, f] = 1
        for j in range(J):
            locations[f, j, 0, t] = value(f, j, t, "x")
            locations[f, j, 1, t] = value(f, j, t, "y")
            if not (t == 1 and f == 3):
                scores[f, j, t] = value(f, j, t, "likelihood")
with h5py.File("sleap_analysis.h5", "w") as h:
    h.create_dataset("track_names", data=[np.string_("track_0"), np.string_("track_1")])
    h.create_dataset("node_names", data=[np.string_(p) for p in parts])
    h.create_dataset("edge_names", data=[[np.string_("snout"), np.string_("ear_left")], [np.string_("snout"), np.string_("tail_base")]])
    h.create_dataset("edge_inds", data=np.transpose(np.array([[0, 1], [0, 2]])))
    h.create_dataset("tracks", data=np.transpose(locations), compression="gzip", compression_opts=9)
    h.create_dataset("track_occupancy", data=np.transpose(occupancy), compression="gzip", compression_opts=9)
    h.create_dataset("point_scores", data=np.transpose(scores), compression="gzip", compression_opts=9)
    h.create_dataset("instance_scores", data=np.transpose(np.full((F, T), 0.9)))
    h.create_dataset("tracking_scores", data=np.transpose(np.zeros((F, T))))
print("written")
