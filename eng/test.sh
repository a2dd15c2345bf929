#!/usr/bin/env bash
# The test command (README, .ci/run): installs from Debian's apt (and Azurite from npm) what the tests need
# and is missing, starts the servers on 127.0.0.1 (free ports, bounded waits): Redis, moto_server (S3),
# Azurite (Azure Blob) and PostgreSQL 15; runs `dotnet test ModelRetraining.sln`
# with any arguments given, and stops the servers by PID however it ends.
set -uo pipefail
cd "$(dirname "$0")/.."
log=${TEST_LOG_DIR:-.ci/out}
mkdir -p "$log"

# What the tests need from Debian: Chromium (the drift-report rendering test opens the HTML report in it)
# and redis-server (the Redis Streams consumer's tests run against a real one). PostgreSQL 15 is on the
# machine already (Debian's postgresql-15); it is started below.
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
if [ ${#need[@]} -gt 0 ]; then
  echo "== 0. installing ${need[*]} =="
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive timeout 900 apt-get install -y -qq "${need[@]}") >"$log/apt.log" 2>&1 \
    || { echo "could not install ${need[*]}:"; tail -5 "$log/apt.log"; }
fi

# One Redis for the whole run, on a free loopback port, stopped by its PID however the script ends.
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${pids[@]}"; do for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done; done
  [ -n "${pg_root:-}" ] && rm -rf "$pg_root"
  [ -n "${azurite_data:-}" ] && rm -rf "$azurite_data"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }
if command -v redis-server >/dev/null 2>&1; then
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --daemonize no >"$log/redis.log" 2>&1 &
  pids+=($!)
  redis_pid=$!
  redis_ready=
  for _ in $(seq 1 100); do
    (exec 3<>"/dev/tcp/127.0.0.1/$redis_port") 2>/dev/null && { redis_ready=1; break; }
    sleep 0.1
  done
  if [ -n "$redis_ready" ]; then
    export MR_REDIS="127.0.0.1:$redis_port"
    echo "redis-server pid $redis_pid on $MR_REDIS"
  else
    echo "redis-server did not answer on 127.0.0.1:$redis_port within 10 s:"; tail -5 "$log/redis.log"
  fi
fi

# One moto_server (an S3-compatible server, on the image) for the S3 artifact store's tests.
if command -v moto_server >/dev/null 2>&1; then
  s3_port=$(free_port)
  moto_server -H 127.0.0.1 -p "$s3_port" >"$log/moto.log" 2>&1 &
  pids+=($!)
  s3_pid=$!
  s3_ready=
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$s3_port") 2>/dev/null && { s3_ready=1; break; }
    sleep 0.1
  done
  if [ -n "$s3_ready" ]; then
    export MR_S3="http://127.0.0.1:$s3_port"
    echo "moto_server pid $s3_pid on $MR_S3"
  else
    echo "moto_server did not answer on 127.0.0.1:$s3_port within 15 s:"; tail -5 "$log/moto.log"
  fi
else
  echo "moto_server is not on this machine: the S3 artifact store's tests will fail (pip install 'moto[server]')"
fi

# One Azurite (the Azure Storage emulator, from npm, installed under eng/azurite once) for the Azure Blob store's tests.
azurite_bin=eng/azurite/node_modules/.bin/azurite-blob
if [ ! -x "$azurite_bin" ] && command -v npm >/dev/null 2>&1; then
  echo "== installing Azurite (npm, eng/azurite/package.json) =="
  timeout 600 npm install --prefix eng/azurite --no-audit --no-fund >"$log/npm-azurite.log" 2>&1 \
    || { echo "could not install Azurite:"; tail -5 "$log/npm-azurite.log"; }
fi
if [ -x "$azurite_bin" ]; then
  azurite_port=$(free_port)
  azurite_data=$(mktemp -d)
  "$azurite_bin" --blobHost 127.0.0.1 --blobPort "$azurite_port" --location "$azurite_data" --silent --skipApiVersionCheck >"$log/azurite.log" 2>&1 &
  pids+=($!)
  azurite_pid=$!
  azurite_ready=
  for _ in $(seq 1 150); do
    (exec 3<>"/dev/tcp/127.0.0.1/$azurite_port") 2>/dev/null && { azurite_ready=1; break; }
    sleep 0.1
  done
  if [ -n "$azurite_ready" ]; then
    # Azurite's documented development account (public, the same on every machine).
    export MR_AZURITE="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$azurite_port/devstoreaccount1;"
    echo "azurite-blob pid $azurite_pid on 127.0.0.1:$azurite_port"
  else
    echo "azurite-blob did not answer on 127.0.0.1:$azurite_port within 15 s:"; tail -5 "$log/azurite.log"
  fi
else
  echo "Azurite is not installed (npm missing or offline): the Azure Blob store's tests will fail"
fi

# One PostgreSQL 15 for the whole run (eng/postgres.sh); each test makes its own database.
source eng/postgres.sh || exit 1
start_postgres "$log"

dotnet test ModelRetraining.sln "$@"
status=$?
exit "$status"
