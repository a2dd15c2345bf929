"""The peer for benchmarks/profile/run.sh: reads the same float32 columns, then times pandas'
describe() + quantile() + nunique() on them and writes the answers (same layout as ours)."""
import sys
import time

import numpy as np
import pandas as pd

QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
path = sys.argv[1]
shape = open(path + ".shape").read().split()
rows, names = int(shape[0]), shape[1:]
data = np.fromfile(path, dtype=np.float32).reshape(len(names), rows)
frame = pd.DataFrame({name: data[i] for i, name in enumerate(names)})
clock = time.perf_counter()
described = frame.describe()
quantiles = frame.quantile(QUANTILES)
unique = frame.nunique()
elapsed = time.perf_counter() - clock
print(f"pandas: {len(names)} columns x {rows:,} rows = {len(names) * rows / 1e6:.0f} M values described in {elapsed:.3f} s = {len(names) * rows / elapsed / 1e6:.0f} M values/s")
if len(sys.argv) > 2:
    with open(sys.argv[2], "w") as f:
        for name in names:
            d = described[name]
            q = " ".join(repr(float(quantiles.loc[p, name])) for p in QUANTILES)
            f.write(f"{name} {int(d['count'])} {float(d['mean'])!r} {float(d['std'])!r} {float(d['min'])!r} {float(d['max'])!r} {int(unique[name])} 0 {q}\n")
