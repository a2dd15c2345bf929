"""The peer side of benchmarks/ingest/run.sh: pandas reads the same CSV and describes every column,
the closest pandas does to our parse + profile (it stores nothing, fingerprints nothing)."""
import resource
import sys
import time

import pandas as pd

start = time.perf_counter()
frame = pd.read_csv(sys.argv[1], parse_dates=["date"])
described = frame.describe(include="all")
seconds = time.perf_counter() - start
peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"rows {len(frame)} seconds {seconds:.3f} peak-rss-MiB {peak_mib:.0f} described-columns {described.shape[1]}")
