#!/usr/bin/python3
"""Makes drift-vectors.json: SciPy's answers on fixed inputs, for DriftStatisticsVectorTests.

Run with Debian's SciPy (apt-get install python3-scipy):  /usr/bin/python3 make_drift_vectors.py
Inputs are float32-representable so that the C# side (which holds float32 columns) sees the same numbers.
"""
import json
import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

rng = np.random.default_rng(20261129)


def f32(x):
    return np.asarray(x, dtype=np.float32).astype(np.float64)


vectors = {"scipy": scipy.__version__, "ks": [], "wasserstein": [], "jensenshannon": [], "chisquare": []}

for n1, n2, shift, scale, discrete in [(20, 30, 0.0, 1.0, False), (50, 50, 0.5, 1.0, False), (100, 80, 0.2, 1.5, False),
                                       (300, 500, 0.1, 1.0, False), (1000, 900, 0.15, 1.0, False), (400, 400, 0.0, 1.0, True),
                                       (2000, 2500, 0.08, 1.0, False), (60, 40, 1.5, 1.0, False)]:
    a = f32(rng.normal(0, 1, n1))
    b = f32(rng.normal(shift, scale, n2))
    if discrete:
        a = f32(np.round(a * 2))
        b = f32(np.round(b * 2))
    r = stats.ks_2samp(a, b, method="exact")
    vectors["ks"].append({"a": a.tolist(), "b": b.tolist(), "statistic": float(r.statistic), "pvalue": float(r.pvalue)})
    vectors["wasserstein"].append({"a": a.tolist(), "b": b.tolist(), "distance": float(stats.wasserstein_distance(a, b))})

for k in [2, 3, 5, 10, 40]:
    p = rng.random(k)
    q = rng.random(k)
    if k == 5:
        q[2] = 0.0
    vectors["jensenshannon"].append({"p": p.tolist(), "q": q.tolist(), "distance": float(distance.jensenshannon(p, q))})

for k, n, skew in [(2, 100, 0.0), (3, 500, 0.05), (6, 1000, 0.02), (10, 5000, 0.01), (25, 20000, 0.03), (4, 100000, 0.05)]:
    ref = rng.dirichlet(np.ones(k) * 5)
    cur = ref * (1 + skew * rng.normal(size=k))
    cur = np.clip(cur, 1e-6, None)
    cur /= cur.sum()
    observed = rng.multinomial(n, cur).astype(float)
    expected = ref * n
    r = stats.chisquare(observed, expected)
    vectors["chisquare"].append({"observed": observed.tolist(), "expected": expected.tolist(), "statistic": float(r.statistic), "pvalue": float(r.pvalue)})

with open("drift-vectors.json", "w") as out:
    json.dump(vectors, out)
print("ks", [round(v["pvalue"], 6) for v in vectors["ks"]])
print("chi2", [v["pvalue"] for v in vectors["chisquare"]])
