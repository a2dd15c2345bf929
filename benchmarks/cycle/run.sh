#!/usr/bin/env bash
# A whole retraining cycle at scale against the same ML written by hand in ML.NET, in one farm-bench
# call per size (A B A B; wall time and peak memory of each whole process). The pipeline prints each
# stage's time from its run journal. Data: ../shared/datasets/flights-2001 repeated with jitter
# (benchmarks/cycle/make_data.py). Needs: the .NET SDK, Debian's python3-pandas (/usr/bin/python3), farm-bench.
#   bash benchmarks/cycle/run.sh [rows ...]        (default: 1000000 10000000; RUNS=3 WARMUP=1 pairs)
set -euo pipefail
cd "$(dirname "$0")/../.."
source_csv=${FLIGHTS_CSV:-../shared/datasets/flights-2001/flights-2001-500k.csv}
work=${TMPDIR:-/tmp}/mr-cycle-bench
/usr/bin/python3 -c 'import pandas' 2>/dev/null || { echo "pandas is missing: apt-get install python3-pandas" >&2; exit 2; }
dotnet build benchmarks/ModelRetraining.Benchmarks -c Release -nologo -v q >/dev/null
bench=benchmarks/ModelRetraining.Benchmarks/bin/Release/net10.0/ModelRetraining.Benchmarks.dll
for n in ${@:-1000000 10000000}; do
  dir="$work/$n"
  if [ ! -f "$dir/champion.zip" ]; then
    rm -rf "$dir" && mkdir -p "$dir"
    /usr/bin/python3 benchmarks/cycle/make_data.py "$source_csv" "$n" "$dir"
    dotnet "$bench" cycle-prepare "$dir/train.csv" "$dir/holdout.csv" "$dir"
  fi
  echo "== $n training rows, $((n / 5)) holdout rows =="
  # Each pipeline run starts from a copy of the prepared registry (the champion trained on 200,000 rows).
  pipeline="rm -rf $dir/run && cp -r $dir/registry $dir/run && dotnet $bench cycle-pipeline $dir/train.csv $dir/holdout.csv $dir/run"
  bash -c "$pipeline"
  dotnet "$bench" cycle-hand "$dir/train.csv" "$dir/holdout.csv" "$dir/champion.zip"
  farm-bench -n "${RUNS:-3}" --warmup "${WARMUP:-1}" --timeout 3600 --vs "dotnet $bench cycle-hand $dir/train.csv $dir/holdout.csv $dir/champion.zip" -- bash -c "$pipeline"
done
