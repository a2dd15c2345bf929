#!/usr/bin/env bash
# Cluster scheduling throughput: trivial pipeline runs completed per minute by 1, 2 and 3 nodes
# (tests/ModelRetraining.ClusterNode processes) sharing one PostgreSQL database as a Quartz.NET cluster.
# 20 models, each with an interval trigger every 200 ms (100 firings/s offered, more than the cluster can
# run), training that takes no time: what is measured is the scheduling and journaling path — Quartz's
# clustered acquisition under its row lock, the journal reads and writes of a run, the registration and
# the promotion — not training.
# Usage: bash benchmarks/cluster/run.sh [seconds per node count, default 30]
# Starts a throw-away PostgreSQL on a free loopback port (eng/postgres.sh) and stops it, and the nodes, by PID.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-30}
log=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; done
  [ -n "${pg_root:-}" ] && rm -rf "$pg_root"
  rm -rf "$log"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
source eng/postgres.sh || exit 1
start_postgres "$log"
[ -n "${MR_POSTGRES:-}" ] || { echo "no PostgreSQL"; exit 1; }
dotnet build tests/ModelRetraining.ClusterNode -c Release -nologo -v:q >/dev/null || exit 1
node_dll=tests/ModelRetraining.ClusterNode/bin/Release/net10.0/ModelRetraining.ClusterNode.dll
port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$MR_POSTGRES")
export PGPASSWORD=$(sed -E 's/.*Password=([^;]+).*/\1/' <<<"$MR_POSTGRES")
sql() { "$pgbin/psql" -h 127.0.0.1 -p "$port" -U postgres -d "$1" -tAqc "$2"; }

echo "nodes | runs in ${seconds} s | runs per minute"
for n in 1 2 3; do
  db="cluster_$n"
  sql postgres "CREATE DATABASE $db" || exit 1
  holders=()
  nodes=()
  for i in $(seq 1 "$n"); do
    # Each node's standard input is a FIFO held open by a sleep: killing the sleep closes it, and the node stops gracefully.
    mkfifo "$log/in-$n-$i"
    sleep $((seconds + 300)) >"$log/in-$n-$i" &
    holders+=($!)
    pids+=($!)
    MR_WORKER_POSTGRES="$MR_POSTGRES;Database=$db" MR_NODE_MODELS=20 MR_NODE_MODEL_INTERVAL_MS=200 \
      dotnet "$node_dll" "node-$i" - 3600000 0 <"$log/in-$n-$i" >"$log/node-$n-$i.out" 2>"$log/node-$n-$i.err" &
    nodes+=($!)
    pids+=($!)
  done
  for i in $(seq 1 "$n"); do
    for _ in $(seq 1 600); do grep -q ready "$log/node-$n-$i.out" 2>/dev/null && break; sleep 0.1; done
    grep -q ready "$log/node-$n-$i.out" || { echo "node $i of $n did not start:"; tail -5 "$log/node-$n-$i.err"; exit 1; }
  done
  sleep 5 # past the start-up burst of the StartNow firings
  before=$(sql "$db" "SELECT count(*) FROM cluster.run_journal WHERE status = 'succeeded'")
  sleep "$seconds"
  after=$(sql "$db" "SELECT count(*) FROM cluster.run_journal WHERE status = 'succeeded'")
  runs=$((after - before))
  echo "$n | $runs | $((runs * 60 / seconds))"
  kill "${holders[@]}" 2>/dev/null
  for pid in "${nodes[@]}"; do
    for _ in $(seq 1 600); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill "$pid" 2>/dev/null
  done
done
