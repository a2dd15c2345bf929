#!/usr/bin/env bash
# Profiles against pandas on the same float32 columns (flights-like, from ../shared/datasets/flights-2001
# repeated with jitter): ours (every statistic: exact moments, KLL quantiles, HyperLogLog distinct count,
# histogram; columns on every core) vs pandas describe() + quantile() + nunique(). Each side times only
# the profile on data already in memory and prints it; farm-bench then times both whole commands
# (A B A B, reading the file included) for the ratio. compare.py holds the answers to each other.
# Then text columns (ours only). Needs: the .NET SDK, Debian's python3-pandas (/usr/bin/python3), farm-bench.
#   bash benchmarks/profile/run.sh [rows ...]        (default: 1000000 10000000)
set -euo pipefail
cd "$(dirname "$0")/../.."
source_csv=${FLIGHTS_CSV:-../shared/datasets/flights-2001/flights-2001-500k.csv}
work=${TMPDIR:-/tmp}/mr-profile-bench
mkdir -p "$work"
/usr/bin/python3 -c 'import pandas' 2>/dev/null || { echo "pandas is missing: apt-get install python3-pandas" >&2; exit 2; }
dotnet build benchmarks/ModelRetraining.Benchmarks -c Release -nologo -v q >/dev/null
bench=benchmarks/ModelRetraining.Benchmarks/bin/Release/net10.0/ModelRetraining.Benchmarks.dll
for n in ${@:-1000000 10000000}; do
  file="$work/flights-$n.f32"
  [ -f "$file" ] || /usr/bin/python3 benchmarks/profile/make_data.py "$source_csv" "$n" "$file"
  echo "== $n rows =="
  dotnet "$bench" profile-file "$file" "$work/ours-$n.txt"
  /usr/bin/python3 benchmarks/profile/pandas_profile.py "$file" "$work/pandas-$n.txt"
  /usr/bin/python3 benchmarks/profile/compare.py "$file" "$work/ours-$n.txt" "$work/pandas-$n.txt"
  farm-bench -n "${RUNS:-5}" --timeout 3000 --vs "/usr/bin/python3 benchmarks/profile/pandas_profile.py $file" -- env PROFILE_WARM=0 dotnet "$bench" profile-file "$file"
done
dotnet "$bench" profile-text 10000000 "$source_csv"
