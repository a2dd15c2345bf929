#!/usr/bin/python3
"""Exact two-sample KS on 20 numeric columns, 1,000,000 rows per side: SciPy's ks_2samp loop against
ModelRetraining's DriftDetector, on the same float32 numbers, in one run. Writes the ratio to
benchmarks/results/ks-vs-scipy.md.

    dotnet build -c Release benchmarks/ModelRetraining.Benchmarks
    /usr/bin/python3 benchmarks/drift/compare_ks.py          # Debian's python3-scipy
"""
import datetime
import os
import pathlib
import platform
import subprocess
import tempfile
import time

import numpy as np
import scipy
from scipy import stats

COLUMNS, ROWS = 20, 1_000_000
root = pathlib.Path(__file__).resolve().parents[2]
dll = root / "benchmarks/ModelRetraining.Benchmarks/bin/Release/net10.0/ModelRetraining.Benchmarks.dll"
folder = pathlib.Path(tempfile.mkdtemp(prefix="ks-compare-"))

rng = np.random.default_rng(42)
reference = rng.normal(0, 1, (COLUMNS, ROWS)).astype(np.float32)
current = (rng.normal(0, 1, (COLUMNS, ROWS)) + np.linspace(0, 0.05, COLUMNS)[:, None]).astype(np.float32)
reference.tofile(folder / "reference.f32")
current.tofile(folder / "current.f32")
(folder / "shape.txt").write_text(f"{COLUMNS} {ROWS}")

started = time.perf_counter()
scipy_results = [stats.ks_2samp(reference[c].astype(np.float64), current[c].astype(np.float64)) for c in range(COLUMNS)]
scipy_seconds = time.perf_counter() - started

# Once limited to one core (columns one after another), once on every core (columns in parallel).
subprocess.run(["dotnet", str(dll), "ks", str(folder)], check=True, env={**os.environ, "DOTNET_PROCESSOR_COUNT": "1"})
one_core_seconds = float((folder / "ours.txt").read_text().splitlines()[0])
subprocess.run(["dotnet", str(dll), "ks", str(folder)], check=True)
lines = (folder / "ours.txt").read_text().splitlines()
ours_seconds = float(lines[0])
ours = [line.split() for line in lines[1:]]
max_d_difference = max(abs(float(o[1]) - s.statistic) for o, s in zip(ours, scipy_results))
max_p_difference = max(abs(float(o[2]) - s.pvalue) for o, s in zip(ours, scipy_results))
ratio = scipy_seconds / ours_seconds

report = f"""# Exact KS, 20 columns x 1,000,000 rows per side: ModelRetraining vs SciPy

Run {datetime.date.today()} on {platform.machine()} ({os.cpu_count()} cores), SciPy {scipy.__version__}, one run each, same float32 data.

Command: `dotnet build -c Release benchmarks/ModelRetraining.Benchmarks && /usr/bin/python3 benchmarks/drift/compare_ks.py`

| | seconds |
| --- | --- |
| SciPy `ks_2samp` loop over the 20 columns (method auto: asymptotic p at this size) | {scipy_seconds:.3f} |
| `DriftDetector.Compare` on one core (`DOTNET_PROCESSOR_COUNT=1`), KS forced on every column (radix sort, exact D, asymptotic p; it also computes Wasserstein and decile bins) | {one_core_seconds:.3f} |
| `DriftDetector.Compare` on all {os.cpu_count()} cores (columns in parallel) | {ours_seconds:.3f} |
| **speed-up, all cores** | **{ratio:.1f}x** (target: at least 10x) |
| speed-up, one core against SciPy's one core | {scipy_seconds / one_core_seconds:.1f}x |

Agreement: largest |D difference| {max_d_difference:.2e} (the statistic is exact on both sides); largest |p difference|
{max_p_difference:.2e} — our large-sample p-value is the Kolmogorov limit with Stephens' correction, SciPy's is
`kstwo.sf(D, round(n*m/(n+m)))`; both are asymptotic here.
"""
(root / "benchmarks/results/ks-vs-scipy.md").write_text(report)
print(report)
