#!/usr/bin/env bash
# The test command (README, .ci/run): installs from Debian's apt what the tests need and is missing,
# starts the servers on 127.0.0.1 (free ports, bounded waits), runs `dotnet test ModelRetraining.sln`
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

# One PostgreSQL 15 for the whole run (Debian's, `pg_config --bindir`), on a free loopback port, in a
# throw-away cluster; it refuses to run as root, so it runs as the postgres user. Each test makes its
# own database. Stopped by the PID in postmaster.pid.
if pgbin=$(pg_config --bindir 2>/dev/null) && [ -x "$pgbin/initdb" ]; then
  as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  pg_port=$(free_port)
  pg_root=$(mktemp -d "${TMPDIR:-/tmp}/mr-postgres.XXXXXX")
  [ "$(id -u)" = 0 ] && chown postgres "$pg_root"
  # TCP logins need the password (a random one per run), so a wrong password is refused as on a real server.
  pg_password=$(python3 -c 'import secrets; print(secrets.token_hex(16))')
  printf '%s\n' "$pg_password" >"$pg_root/pwfile"
  [ "$(id -u)" = 0 ] && chown postgres "$pg_root/pwfile"
  if as_postgres "$pgbin/initdb" -D "$pg_root/data" -U postgres --auth-local=trust --auth-host=scram-sha-256 --pwfile="$pg_root/pwfile" --no-sync -E UTF8 >"$log/initdb.log" 2>&1; then
    as_postgres "$pgbin/postgres" -D "$pg_root/data" -p "$pg_port" -k "$pg_root" -c listen_addresses=127.0.0.1 \
      -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 >"$log/postgres.log" 2>&1 &
    pids+=($!)
    pg_ready=
    for _ in $(seq 1 150); do
      "$pgbin/pg_isready" -q -h 127.0.0.1 -p "$pg_port" -t 1 && { pg_ready=1; break; }
      sleep 0.2
    done
    if [ -n "$pg_ready" ] && [ -f "$pg_root/data/postmaster.pid" ]; then
      pg_pid=$(head -1 "$pg_root/data/postmaster.pid")
      pids+=("$pg_pid")
      export MR_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Password=$pg_password"
      echo "postgres pid $pg_pid on 127.0.0.1:$pg_port"
    else
      echo "postgres did not answer on 127.0.0.1:$pg_port within 30 s:"; tail -5 "$log/postgres.log"
    fi
  else
    echo "initdb failed:"; tail -5 "$log/initdb.log"
  fi
fi

dotnet test ModelRetraining.sln "$@"
status=$?
exit "$status"
