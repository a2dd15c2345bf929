"""Writes the retraining-cycle benchmark's files from the 500k flights of ../shared/datasets/flights-2001:
train.csv (<rows> rows from January-May 2001) and holdout.csv (<rows>/5 rows from June (and the one
July record), each the source rows repeated as often as needed, every copy after the first with jitter
(delay +-2 minutes, distance +-5 miles), so that the sizes are larger than the data without being
copies. DayOfWeek and Late (delay over 15 minutes) are written out, so that both sides read the same
columns and neither derives anything."""
import sys

import numpy as np
import pandas as pd

source, rows, folder = sys.argv[1], int(sys.argv[2]), sys.argv[3]
flights = pd.read_csv(source, parse_dates=["date"])
june = pd.Timestamp("2001-06-01")
random = np.random.default_rng(7)


def write(part, n, path):
    copies = -(-n // len(part))
    frame = pd.concat([part] * copies, ignore_index=True).iloc[:n].copy()
    jittered = np.arange(n) >= len(part)
    frame.loc[jittered, "delay"] += random.integers(-2, 3, jittered.sum())
    frame.loc[jittered, "distance"] = np.maximum(1, frame.loc[jittered, "distance"] + random.integers(-5, 6, jittered.sum()))
    frame["DayOfWeek"] = (frame["date"].dt.dayofweek + 1) % 7  # .NET's DayOfWeek: Sunday = 0
    frame["Late"] = np.where(frame["delay"] > 15, "true", "false")
    frame["date"] = frame["date"].dt.strftime("%Y-%m-%d %H:%M:%S")
    frame.to_csv(path, index=False)


write(flights[flights["date"] < june], rows, f"{folder}/train.csv")
write(flights[flights["date"] >= june], rows // 5, f"{folder}/holdout.csv")
