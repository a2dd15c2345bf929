#!/usr/bin/env bash
# Promotion to swap across processes on PostgreSQL: a serving node (tests/ModelRetraining.ServingNode) in its
# own process, promotions from the benchmark's process; LISTEN/NOTIFY alone, then polling alone.
# Usage: bash benchmarks/swap/run.sh [promotions per path, default 200]
# Starts a throw-away PostgreSQL on a free loopback port (eng/postgres.sh) and stops it by PID on exit.
set -uo pipefail
cd "$(dirname "$0")/../.."
log=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; done
  [ -n "${pg_root:-}" ] && rm -rf "$pg_root"
  rm -rf "$log"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
source eng/postgres.sh || exit 1
start_postgres "$log"
[ -n "${MR_POSTGRES:-}" ] || { echo "no PostgreSQL"; exit 1; }
dotnet build tests/ModelRetraining.ServingNode -c Release -nologo -v:q >/dev/null || exit 1
dotnet build benchmarks/ModelRetraining.Benchmarks -c Release -nologo -v:q >/dev/null || exit 1
dotnet benchmarks/ModelRetraining.Benchmarks/bin/Release/net10.0/ModelRetraining.Benchmarks.dll swap-latency \
  "$PWD/tests/ModelRetraining.ServingNode/bin/Release/net10.0/ModelRetraining.ServingNode.dll" "${1:-200}"
