#!/usr/bin/env bash
# CSV ingest into a batch (AppendAsync checked by a pipeline: parse with the schema, schema and quality
# checks, a profile of every column, fingerprint, encode, store; a large file in parts on every core) against pandas
# read_csv + describe() on the same file, in one farm-bench call each size (A B A B, ratio pair by pair).
# Data: the flights of ../shared/datasets/flights-2001 (500k rows), repeated to 1M and 10M rows.
# Needs: the .NET SDK, Debian's python3-pandas (/usr/bin/python3), farm-bench.
#   bash benchmarks/ingest/run.sh [rows ...]        (default: 1000000 10000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
source_csv=${FLIGHTS_CSV:-../shared/datasets/flights-2001/flights-2001-500k.csv}
work=${TMPDIR:-/tmp}/mr-ingest-bench
mkdir -p "$work"
/usr/bin/python3 -c 'import pandas' 2>/dev/null || { echo "pandas is missing: apt-get install python3-pandas" >&2; exit 2; }
dotnet build benchmarks/ModelRetraining.Benchmarks -c Release -nologo -v q >/dev/null
bench=benchmarks/ModelRetraining.Benchmarks/bin/Release/net10.0/ModelRetraining.Benchmarks.dll
for rows in "${@:-1000000 10000000}"; do
  for n in $rows; do
    file="$work/flights-$n.csv"
    if [ ! -f "$file" ]; then
      head -1 "$source_csv" > "$file"
      while [ "$(($(wc -l < "$file") - 1))" -lt "$n" ]; do tail -n +2 "$source_csv" >> "$file"; done
      head -n $((n + 1)) "$file" > "$file.tmp" && mv "$file.tmp" "$file"
    fi
    echo "== $n rows ($(du -m "$file" | cut -f1) MB) =="
    dotnet "$bench" ingest-breakdown "$file"
    farm-bench -n "${RUNS:-5}" --timeout 3000 --vs "/usr/bin/python3 benchmarks/ingest/pandas_ingest.py $file" -- dotnet "$bench" ingest "$file"
  done
done
