"""Holds our answers to the data, recomputed exactly here in float64: counts, min and max equal to
pandas'; mean and standard deviation within 1e-9 relative of numpy's float64 answer (pandas' own,
summed in float32, is printed beside it); each quantile estimate's true rank within the sketch's
stated rank error; the distinct-count estimate within 3% (three standard errors of HyperLogLog) of nunique()."""
import sys

import numpy as np

QUANTILES = [0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99]
path, ours_path, pandas_path = sys.argv[1:4]
shape = open(path + ".shape").read().split()
rows, names = int(shape[0]), shape[1:]
data = np.fromfile(path, dtype=np.float32).reshape(len(names), rows)
ours = {l.split()[0]: l.split()[1:] for l in open(ours_path)}
theirs = {l.split()[0]: l.split()[1:] for l in open(pandas_path)}
failures = 0
worst = 0.0
for i, name in enumerate(names):
    o, p = ours[name], theirs[name]
    column = np.sort(data[i])
    exact = column.astype(np.float64)
    mean, std = exact.mean(), exact.std(ddof=1)
    checks = [
        ("count", int(o[0]) == int(p[0])),
        ("mean", abs(float(o[1]) - mean) <= 1e-9 * max(1.0, abs(mean))),
        ("std", abs(float(o[2]) - std) <= 1e-9 * std),
        ("min", float(o[3]) == float(p[3])),
        ("max", float(o[4]) == float(p[4])),
        ("distinct", abs(int(o[5]) - int(p[5])) <= 0.03 * int(p[5])),
    ]
    bound = float(o[6])
    for q, estimate in zip(QUANTILES, o[7:]):
        rank = np.searchsorted(column, np.float32(float(estimate)), side="right") / rows
        worst = max(worst, abs(rank - q))
        checks.append((f"q{q}", abs(rank - q) <= bound))
    for check, ok in checks:
        if not ok:
            failures += 1
            print(f"MISMATCH {name} {check}: ours {o} pandas {p}")
    print(f"{name}: distinct ours {o[5]} vs nunique {p[5]} ({int(o[5]) / int(p[5]) - 1:+.2%}); std ours {float(o[2]):.9g}, pandas {float(p[2]):.9g}, float64 {std:.9g}")
print(f"answers: {'agree' if failures == 0 else f'{failures} mismatches'}; worst quantile rank error {worst:.4%} (stated bound {bound:.4%})")
sys.exit(1 if failures else 0)
