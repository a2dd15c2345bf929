"""Writes flights-like numeric columns for the profile benchmark: column-major float32 (<out>) and
'<rows> <names...>' (<out>.shape). The 500k flights of ../shared/datasets/flights-2001 give four real
columns (delay, distance, hour of day, day of year); the rows are repeated to the size asked, each
copy with uniform jitter of +-0.5 so that values are not repeats of the first copy's."""
import sys

import numpy as np
import pandas as pd

source, rows, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
flights = pd.read_csv(source, usecols=["date", "delay", "distance"], parse_dates=["date"])
base = {
    "delay": flights["delay"].to_numpy(np.float64),
    "distance": flights["distance"].to_numpy(np.float64),
    "hour": (flights["date"].dt.hour + flights["date"].dt.minute / 60).to_numpy(np.float64),
    "day": flights["date"].dt.dayofyear.to_numpy(np.float64),
}
random = np.random.default_rng(1)
copies = -(-rows // len(flights))
with open(out, "wb") as f:
    for values in base.values():
        column = np.tile(values, copies)[:rows] + random.uniform(-0.5, 0.5, rows)
        column.astype(np.float32).tofile(f)
with open(out + ".shape", "w") as f:
    f.write(" ".join([str(rows)] + list(base)))
